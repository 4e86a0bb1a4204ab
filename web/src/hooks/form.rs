//! Form errors: inline per field (client-side rules from `schema::validation`, or the
//! server's `extensions.field`), and one form-level message for the rest.

use std::collections::BTreeMap;

use schema::validation::ValidationError;
use yew::AttrValue;

use crate::api::{ApiError, capitalise};

/// Errors of one form.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FormErrors {
    fields: BTreeMap<String, String>,
    form: Option<String>,
}

impl FormErrors {
    /// Collects the failed client-side checks; empty when all passed.
    pub fn from_checks<I>(checks: I) -> Self
    where
        I: IntoIterator<Item = Option<ValidationError>>,
    {
        let mut errors = Self::default();
        for err in checks.into_iter().flatten() {
            errors
                .fields
                .entry(err.field.to_owned())
                .or_insert_with(|| capitalise(&err.message));
        }
        errors
    }

    /// Errors keyed by fields the form names at run time (one per row of a list).
    pub fn from_fields<I>(fields: I) -> Self
    where
        I: IntoIterator<Item = (String, String)>,
    {
        let mut errors = Self::default();
        for (field, message) in fields {
            errors.fields.entry(field).or_insert(message);
        }
        errors
    }

    /// Sorts a server error into fields the form shows and a form-level message.
    pub fn from_api(err: &ApiError, known_fields: &[&str]) -> Self {
        let mut errors = Self::default();
        for (field, message) in err.field_errors() {
            if known_fields.contains(&field.as_str()) {
                errors
                    .fields
                    .entry(field)
                    .or_insert_with(|| capitalise(&message));
            }
        }
        if errors.fields.is_empty() {
            errors.form = Some(err.user_message());
        }
        errors
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.form.is_none()
    }

    /// The inline error of `field`.
    pub fn field(&self, field: &str) -> Option<AttrValue> {
        self.fields.get(field).cloned().map(AttrValue::from)
    }

    /// The form-level message.
    pub fn form(&self) -> Option<AttrValue> {
        self.form.clone().map(AttrValue::from)
    }

    /// Forgets the error of one field (when the person edits it).
    pub fn without(&self, field: &str) -> Self {
        let mut next = self.clone();
        next.fields.remove(field);
        next
    }
}
