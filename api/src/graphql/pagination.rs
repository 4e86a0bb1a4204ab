//! Cursor pagination helpers: opaque cursors over `(timestamp, id)` and bounded page sizes.

use crate::error::ApiError;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use uuid::Uuid;

pub const DEFAULT_PAGE: i32 = 20;
pub const MAX_PAGE: i32 = 100;

/// `first` defaults to 20 and must be 1 to 100.
pub fn page_size(first: Option<i32>) -> Result<i64, ApiError> {
    let first = first.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&first) {
        return Err(ApiError::BadInput {
            field: Some("first"),
            message: format!("first: must be between 1 and {MAX_PAGE}"),
        });
    }
    Ok(i64::from(first))
}

pub fn encode(at: DateTime<Utc>, id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}:{id}", at.timestamp_micros()))
}

pub fn decode(cursor: Option<&str>) -> Result<Option<(DateTime<Utc>, Uuid)>, ApiError> {
    let Some(cursor) = cursor else {
        return Ok(None);
    };
    let invalid = || ApiError::BadInput {
        field: Some("after"),
        message: "after: not a cursor from this list".into(),
    };
    let raw = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let text = String::from_utf8(raw).map_err(|_| invalid())?;
    let (micros, id) = text.split_once(':').ok_or_else(invalid)?;
    let at = DateTime::from_timestamp_micros(micros.parse().map_err(|_| invalid())?)
        .ok_or_else(invalid)?;
    Ok(Some((at, id.parse().map_err(|_| invalid())?)))
}

/// A cursor over a numeric id (lists ordered by a bigint identity).
pub fn encode_id(id: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("id:{id}"))
}

pub fn decode_id(cursor: Option<&str>) -> Result<Option<i64>, ApiError> {
    let Some(cursor) = cursor else {
        return Ok(None);
    };
    let invalid = || ApiError::BadInput {
        field: Some("after"),
        message: "after: not a cursor from this list".into(),
    };
    let raw = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let text = String::from_utf8(raw).map_err(|_| invalid())?;
    let id = text.strip_prefix("id:").ok_or_else(invalid)?;
    Ok(Some(id.parse().map_err(|_| invalid())?))
}

/// A cursor over a text key (lists ordered by something other than a row).
pub fn encode_key(key: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("key:{key}"))
}

pub fn decode_key(cursor: Option<&str>) -> Result<Option<String>, ApiError> {
    let Some(cursor) = cursor else {
        return Ok(None);
    };
    let raw = URL_SAFE_NO_PAD
        .decode(cursor)
        .map_err(|_| invalid_cursor())?;
    let text = String::from_utf8(raw).map_err(|_| invalid_cursor())?;
    let key = text.strip_prefix("key:").ok_or_else(invalid_cursor)?;
    Ok(Some(key.to_owned()))
}

/// BAD_USER_INPUT on `after`.
pub fn invalid_cursor() -> ApiError {
    ApiError::BadInput {
        field: Some("after"),
        message: "after: not a cursor from this list".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let at = DateTime::from_timestamp_micros(1_795_000_000_123_456).unwrap();
        let id = Uuid::new_v4();
        assert_eq!(decode(Some(&encode(at, id))).unwrap(), Some((at, id)));
        assert!(decode(Some("nope")).is_err());
        assert!(decode(None).unwrap().is_none());
        assert!(page_size(Some(0)).is_err() && page_size(Some(101)).is_err());
        assert_eq!(page_size(None).unwrap(), 20);
        assert_eq!(decode_id(Some(&encode_id(42))).unwrap(), Some(42));
        assert!(decode_id(Some(&encode(at, id))).is_err());
        assert_eq!(
            decode_key(Some(&encode_key("general\u{1f}C1"))).unwrap(),
            Some("general\u{1f}C1".to_owned())
        );
        assert!(decode_key(Some(&encode_id(42))).is_err());
    }
}
