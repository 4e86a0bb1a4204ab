//! Input validation rules shared by the API (authoritative) and the web UI (early feedback).
//! Every error names the field (as the GraphQL input spells it) and the rule.

use std::fmt;

/// One rule broken by one field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidationError {
    /// The input field, as named in the GraphQL input (`email`, `organizationName`).
    pub field: &'static str,
    pub message: String,
}

impl ValidationError {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for ValidationError {}

pub const PASSWORD_MIN_CHARS: usize = 8;
pub const PASSWORD_MAX_CHARS: usize = 128;
pub const EMAIL_MAX_CHARS: usize = 254;
pub const NAME_MAX_CHARS: usize = 100;

const COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

/// Trims and lower-cases an e-mail address and checks its shape. Returns the normalised form.
pub fn validate_email(raw: &str) -> Result<String, ValidationError> {
    let field = "email";
    let email = raw.trim().to_lowercase();
    if email.is_empty() {
        return Err(ValidationError::new(field, "is required"));
    }
    if email.chars().count() > EMAIL_MAX_CHARS {
        return Err(ValidationError::new(
            field,
            format!("must be at most {EMAIL_MAX_CHARS} characters"),
        ));
    }
    let invalid = || ValidationError::new(field, "must be an e-mail address like name@example.com");
    if email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid());
    }
    let (local, domain) = email.rsplit_once('@').ok_or_else(invalid)?;
    if local.is_empty() || local.contains('@') || local.len() > 64 {
        return Err(invalid());
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2
        || labels
            .iter()
            .any(|l| l.is_empty() || l.starts_with('-') || l.ends_with('-'))
    {
        return Err(invalid());
    }
    Ok(email)
}

/// Length 8 to 128 characters and not a well-known password; no composition rules.
pub fn validate_password(password: &str) -> Result<(), ValidationError> {
    validate_password_field("password", password)
}

/// The same rule for a differently named field (`newPassword`).
pub fn validate_password_field(field: &'static str, password: &str) -> Result<(), ValidationError> {
    let chars = password.chars().count();
    if chars < PASSWORD_MIN_CHARS {
        return Err(ValidationError::new(
            field,
            format!("must be at least {PASSWORD_MIN_CHARS} characters"),
        ));
    }
    if chars > PASSWORD_MAX_CHARS {
        return Err(ValidationError::new(
            field,
            format!("must be at most {PASSWORD_MAX_CHARS} characters"),
        ));
    }
    if is_common_password(password) {
        return Err(ValidationError::new(
            field,
            "is one of the most common passwords; choose another",
        ));
    }
    Ok(())
}

fn is_common_password(password: &str) -> bool {
    let lower = password.to_lowercase();
    COMMON_PASSWORDS
        .lines()
        .map(str::trim)
        .any(|known| !known.is_empty() && known.to_lowercase() == lower)
}

/// A person's display name: 1 to 100 characters after trimming, no control characters.
pub fn validate_person_name(raw: &str) -> Result<String, ValidationError> {
    validate_label("name", raw)
}

/// An organization's name: 1 to 100 characters after trimming, no control characters.
pub fn validate_organization_name(raw: &str) -> Result<String, ValidationError> {
    validate_label("organizationName", raw)
}

/// A short human label (names of people, organizations, teams).
pub fn validate_label(field: &'static str, raw: &str) -> Result<String, ValidationError> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(ValidationError::new(field, "is required"));
    }
    if value.chars().count() > NAME_MAX_CHARS {
        return Err(ValidationError::new(
            field,
            format!("must be at most {NAME_MAX_CHARS} characters"),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(ValidationError::new(
            field,
            "must not contain control characters",
        ));
    }
    Ok(value.to_string())
}

/// A URL-safe identifier derived from a name ("Acme Corp!" -> "acme-corp").
pub fn slugify(name: &str) -> String {
    let mut slug = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    slug.truncate(48);
    while slug.ends_with('-') {
        slug.pop();
    }
    if slug.is_empty() {
        slug.push_str("org");
    }
    slug
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            validate_email("  Ada@Example.COM ").unwrap(),
            "ada@example.com"
        );
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a da@example.com",
            "ada@-x.com",
        ] {
            let err = validate_email(bad).unwrap_err();
            assert_eq!(err.field, "email", "{bad}");
        }
    }

    #[test]
    fn passwords_need_length_and_must_not_be_common() {
        assert!(validate_password("correct horse battery").is_ok());
        let short = validate_password("abc").unwrap_err();
        assert_eq!(short.to_string(), "password: must be at least 8 characters");
        assert!(validate_password(&"x".repeat(129)).is_err());
        assert!(validate_password(&"x".repeat(128)).is_ok());
        assert!(
            validate_password("Password123")
                .unwrap_err()
                .message
                .contains("common")
        );
        assert!(validate_password("qwertyuiop").is_err());
        // No composition rules: a long lower-case phrase is fine.
        assert!(validate_password("plain lowercase words").is_ok());
        // Counted in characters, not bytes.
        assert!(validate_password("ääääääää").is_ok());
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(validate_person_name("  Ada  ").unwrap(), "Ada");
        assert_eq!(
            validate_organization_name("").unwrap_err().field,
            "organizationName"
        );
        assert!(validate_person_name(&"a".repeat(101)).is_err());
        assert!(validate_person_name("a\u{0}b").is_err());
    }

    #[test]
    fn slugs_are_url_safe() {
        assert_eq!(slugify("Acme Corp!"), "acme-corp");
        assert_eq!(slugify("  --Ünïcode Team-- "), "n-code-team");
        assert_eq!(slugify("!!!"), "org");
    }
}
