//! Reading the response types out of a `serde_json::Value`: what the web UI uses instead
//! of `serde::Deserialize`.
//!
//! serde's derive emits, per type, a sequence visitor, a map visitor and a field-name
//! visitor, each instantiated for the deserializer at hand, plus per-type copies of the
//! `Option`/`Vec` glue; over the ~60 response types that was about a fifth of the web
//! bundle's code. [`FromJson`] is one plain function per type that takes its fields out of
//! the object (`#[derive(FromJson)]`, from `schema-derive`, honours the `#[serde]`
//! attributes the types already carry); the glue is generic over the field's type only.
//!
//! The types keep `serde::Deserialize` for everything else (tests, the server side).

use std::fmt;

use chrono::{DateTime, Utc};
pub use schema_derive::FromJson;
pub use serde_json::Value;

/// A JSON object, as `serde_json` holds it.
pub type Object = serde_json::Map<String, Value>;

/// Why a value did not read as the type asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError {
    /// What was expected ("a string", "an object", "a value" for a missing field).
    pub expected: &'static str,
    /// The innermost object key the error is under, if any.
    pub field: Option<&'static str>,
}

impl JsonError {
    fn expected(expected: &'static str) -> Self {
        Self {
            expected,
            field: None,
        }
    }

    fn at(mut self, field: &'static str) -> Self {
        self.field.get_or_insert(field);
        self
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("expected ")?;
        f.write_str(self.expected)?;
        if let Some(field) = self.field {
            f.write_str(" at `")?;
            f.write_str(field)?;
            f.write_str("`")?;
        }
        Ok(())
    }
}

impl std::error::Error for JsonError {}

/// A type read from JSON.
pub trait FromJson: Sized {
    fn from_json(value: Value) -> Result<Self, JsonError>;

    /// What an absent object field reads as: an error, except for `Option` (`None`), as
    /// with serde.
    fn missing() -> Option<Self> {
        None
    }
}

/// A struct read from the fields of an object (what `#[serde(flatten)]` needs).
pub trait FromJsonObject: Sized {
    fn from_object(map: &mut Object) -> Result<Self, JsonError>;
}

/// Reads a whole value as `T` (`serde_json::from_value`'s counterpart).
pub fn from_value<T: FromJson>(value: Value) -> Result<T, JsonError> {
    T::from_json(value)
}

/// A struct from an object value.
pub fn from_object<T: FromJsonObject>(value: Value) -> Result<T, JsonError> {
    match value {
        Value::Object(mut map) => T::from_object(&mut map),
        _ => Err(JsonError::expected("an object")),
    }
}

/// Takes the field `key` out of `map`.
pub fn field<T: FromJson>(map: &mut Object, key: &'static str) -> Result<T, JsonError> {
    match map.remove(key) {
        Some(value) => T::from_json(value).map_err(|e| e.at(key)),
        None => T::missing().ok_or(JsonError::expected("a value").at(key)),
    }
}

/// Takes the field `key` out of `map`, `T::default()` when absent (`#[serde(default)]`).
pub fn field_or_default<T: FromJson + Default>(
    map: &mut Object,
    key: &'static str,
) -> Result<T, JsonError> {
    match map.remove(key) {
        Some(value) => T::from_json(value).map_err(|e| e.at(key)),
        None => Ok(T::default()),
    }
}

/// A string value parsed by `parse` (enums, ids, timestamps).
pub fn from_str_with<T>(
    value: Value,
    expected: &'static str,
    parse: impl FnOnce(&str) -> Option<T>,
) -> Result<T, JsonError> {
    match &value {
        Value::String(text) => parse(text),
        _ => None,
    }
    .ok_or(JsonError::expected(expected))
}

impl FromJson for Value {
    fn from_json(value: Value) -> Result<Self, JsonError> {
        Ok(value)
    }
}

impl FromJson for String {
    fn from_json(value: Value) -> Result<Self, JsonError> {
        match value {
            Value::String(text) => Ok(text),
            _ => Err(JsonError::expected("a string")),
        }
    }
}

impl FromJson for bool {
    fn from_json(value: Value) -> Result<Self, JsonError> {
        value.as_bool().ok_or(JsonError::expected("a boolean"))
    }
}

impl FromJson for i32 {
    fn from_json(value: Value) -> Result<Self, JsonError> {
        value
            .as_i64()
            .and_then(|n| i32::try_from(n).ok())
            .ok_or(JsonError::expected("a 32-bit integer"))
    }
}

impl FromJson for f64 {
    fn from_json(value: Value) -> Result<Self, JsonError> {
        value.as_f64().ok_or(JsonError::expected("a number"))
    }
}

impl FromJson for DateTime<Utc> {
    fn from_json(value: Value) -> Result<Self, JsonError> {
        // RFC 3339 with any offset, as UTC (what the API sends). Strict RFC 3339, where
        // serde's chrono support also takes a space for the `T`: chrono's relaxed parser
        // brings its format-item interpreter (~7 KB of wasm) along.
        from_str_with(value, "an RFC 3339 timestamp", |text| {
            DateTime::parse_from_rfc3339(text)
                .ok()
                .map(|at| at.with_timezone(&Utc))
        })
    }
}

impl FromJson for uuid::Uuid {
    fn from_json(value: Value) -> Result<Self, JsonError> {
        from_str_with(value, "a UUID", |text| uuid::Uuid::parse_str(text).ok())
    }
}

impl<T: FromJson> FromJson for Option<T> {
    fn from_json(value: Value) -> Result<Self, JsonError> {
        match value {
            Value::Null => Ok(None),
            value => T::from_json(value).map(Some),
        }
    }

    fn missing() -> Option<Self> {
        Some(None)
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(value: Value) -> Result<Self, JsonError> {
        match value {
            // A loop, not `.map().collect::<Result<_, _>>()`: the adapter costs about 1 KB
            // of wasm per element type.
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    out.push(T::from_json(item)?);
                }
                Ok(out)
            }
            _ => Err(JsonError::expected("an array")),
        }
    }
}

impl FromJson for () {
    fn from_json(_: Value) -> Result<Self, JsonError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, PartialEq, serde::Deserialize, FromJson)]
    #[serde(rename_all = "camelCase")]
    struct Inner {
        created_at: DateTime<Utc>,
        #[serde(default)]
        tags: Vec<String>,
        note: Option<String>,
    }

    #[derive(Debug, PartialEq, serde::Deserialize, FromJson)]
    #[serde(rename_all = "camelCase")]
    struct Outer<T> {
        #[serde(flatten)]
        inner: Inner,
        #[serde(rename = "the_count")]
        count: i32,
        items: Vec<T>,
        kind: Kind,
    }

    #[derive(Debug, PartialEq, serde::Deserialize, FromJson)]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    enum Kind {
        AnswerSubmitted,
        #[serde(other)]
        Unknown,
    }

    fn both<T: FromJson + serde::de::DeserializeOwned + PartialEq + fmt::Debug>(value: Value) {
        let serde: Result<T, _> = serde_json::from_value(value.clone());
        let ours: Result<T, _> = from_value(value.clone());
        match (serde, ours) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "{value}"),
            (Err(_), Err(_)) => {}
            (a, b) => panic!("serde {a:?} vs FromJson {b:?} on {value}"),
        }
    }

    #[test]
    fn reads_what_serde_reads() {
        both::<Outer<Kind>>(json!({
            "createdAt": "2026-11-24T09:00:00Z", "the_count": 3,
            "items": ["ANSWER_SUBMITTED", "SOMETHING_NEW"], "kind": "ANSWER_SUBMITTED",
        }));
        both::<Outer<Kind>>(json!({
            "createdAt": "2026-11-24T10:00:00+01:00", "tags": ["a"], "note": null,
            "the_count": -1, "items": [], "kind": "X", "extra": true,
        }));
        // Errors on both sides: a missing field, a wrong type, an out-of-range number.
        both::<Outer<Kind>>(
            json!({ "createdAt": "2026-11-24T09:00:00Z", "items": [], "kind": "X" }),
        );
        both::<Outer<Kind>>(json!({ "createdAt": 5, "the_count": 1, "items": [], "kind": "X" }));
        both::<Outer<Kind>>(json!({
            "createdAt": "2026-11-24T09:00:00Z", "the_count": 3_000_000_000_i64,
            "items": [], "kind": "X",
        }));
        both::<Option<Inner>>(json!(null));
    }

    #[test]
    fn says_where_it_failed() {
        let err = from_value::<Inner>(json!({ "createdAt": "yesterday" })).unwrap_err();
        assert_eq!(
            err.to_string(),
            "expected an RFC 3339 timestamp at `createdAt`"
        );
    }
}
