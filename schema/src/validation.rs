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
/// Search terms and filter values (the member search, the audit log's filters).
pub const FILTER_MAX_CHARS: usize = 200;
/// The longest string any GraphQL argument or input field may carry; the API refuses a
/// longer one before running the operation. Fields with their own rule are tighter.
pub const INPUT_MAX_CHARS: usize = 10_000;
/// What is kept of a `User-Agent` header (sessions, audit rows).
pub const USER_AGENT_MAX_CHARS: usize = 512;

const COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

/// Trims and lower-cases an e-mail address and checks its shape. Returns the normalised form.
pub fn validate_email(raw: &str) -> Result<String, ValidationError> {
    let field = "email";
    let email = lowercase(raw.trim());
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
            format!(
                "is one of the {COMMON_PASSWORDS_LISTED} most common passwords (checked without regard to case); choose another"
            ),
        ));
    }
    Ok(())
}

/// How many common passwords the server refuses (the size of
/// `data/common-passwords.txt.gz`), as the error message says.
pub const COMMON_PASSWORDS_LISTED: &str = "10,000";

/// `str::to_lowercase`; in the browser, `String.prototype.toLowerCase` (the same Unicode
/// mappings, final sigma included) instead of Rust's lower-case tables, which were ~5 KB
/// of the web bundle.
fn lowercase(text: &str) -> String {
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    {
        js_sys::JsString::from(text).to_lower_case().into()
    }
    #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    {
        text.to_lowercase()
    }
}

fn is_common_password(password: &str) -> bool {
    let lower = lowercase(password);
    let short_list = COMMON_PASSWORDS
        .lines()
        .map(str::trim)
        // The list is ASCII (a test checks), so ASCII lower-casing is the same here.
        .any(|known| !known.is_empty() && known.to_ascii_lowercase() == lower);
    #[cfg(feature = "common-passwords")]
    {
        // An unreadable list refuses nothing here; the api checks it loads at start-up.
        short_list || common_passwords().is_ok_and(|list| list.contains(lower.as_str()))
    }
    #[cfg(not(feature = "common-passwords"))]
    short_list
}

/// The 10,000 most common passwords meeting the length rule, lower case
/// (`data/common-passwords.txt.gz`, see `data/README.md`), decompressed on first use.
/// Server side only: the web bundle does without it.
#[cfg(feature = "common-passwords")]
pub fn common_passwords() -> Result<&'static std::collections::HashSet<String>, String> {
    use std::io::Read;
    use std::sync::LazyLock;
    const GZIPPED: &[u8] = include_bytes!("../data/common-passwords.txt.gz");
    static LIST: LazyLock<Result<std::collections::HashSet<String>, String>> =
        LazyLock::new(|| {
            let mut text = String::new();
            flate2::read::GzDecoder::new(GZIPPED)
                .read_to_string(&mut text)
                .map_err(|e| format!("the common-password list cannot be read: {e}"))?;
            Ok(text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect())
        });
    LIST.as_ref().map_err(Clone::clone)
}

/// At most `max` characters (characters, not bytes).
pub fn validate_max_chars(
    field: &'static str,
    value: &str,
    max: usize,
) -> Result<(), ValidationError> {
    if value.chars().count() > max {
        return Err(ValidationError::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    Ok(())
}

/// The first `max` characters of `text`.
pub fn truncate_chars(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((i, _)) => &text[..i],
        None => text,
    }
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

/// A team's description: optional, trimmed, at most 1000 characters; blank is none.
pub fn validate_description(raw: Option<&str>) -> Result<Option<String>, ValidationError> {
    let Some(value) = raw.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let max = crate::standup::DESCRIPTION_MAX_CHARS;
    if value.chars().count() > max {
        return Err(ValidationError::new(
            "description",
            format!("must be at most {max} characters"),
        ));
    }
    Ok(Some(value.to_string()))
}

/// A question's prompt: 1 to 500 characters after trimming. `index` is its position
/// (from 0), named in the message; the field is `questions`.
pub fn validate_prompt(index: usize, raw: &str) -> Result<String, ValidationError> {
    let value = raw.trim();
    let max = crate::standup::PROMPT_MAX_CHARS;
    let rule = if value.is_empty() {
        "is required".to_string()
    } else if value.chars().count() > max {
        format!("must be at most {max} characters")
    } else {
        return Ok(value.to_string());
    };
    Err(ValidationError::new(
        "questions",
        format!("question {}: prompt {rule}", index + 1),
    ))
}

/// How long a standup stays open: 15 minutes to 7 days.
pub fn validate_response_window(minutes: i32) -> Result<(), ValidationError> {
    let range = crate::standup::RESPONSE_WINDOW_MINUTES;
    if !range.contains(&minutes) {
        return Err(ValidationError::new(
            "responseWindowMinutes",
            format!(
                "must be between {} and {} minutes",
                range.start(),
                range.end()
            ),
        ));
    }
    Ok(())
}

/// The most minutes after the close that late answers may be taken: 7 days.
pub const LATE_ANSWERS_MAX_MINUTES: i32 = 7 * 24 * 60;

/// The late window: 0 (no late answers) to 7 days.
pub fn validate_late_answers(minutes: i32) -> Result<(), ValidationError> {
    if !(0..=LATE_ANSWERS_MAX_MINUTES).contains(&minutes) {
        return Err(ValidationError::new(
            "lateAnswersMinutes",
            format!("must be between 0 (off) and {LATE_ANSWERS_MAX_MINUTES} minutes (7 days)"),
        ));
    }
    Ok(())
}

/// The reminder: 0 (none) or 1 to `window - 1` minutes before the deadline.
pub fn validate_reminder(minutes: i32, window: i32) -> Result<(), ValidationError> {
    if minutes < 0 || minutes >= window {
        return Err(ValidationError::new(
            "reminderMinutesBefore",
            format!(
                "must be 0 (no reminder) or between 1 and {} (less than the response window)",
                window - 1
            ),
        ));
    }
    Ok(())
}

/// A webhook URL: http or https with a host, at most 2000 characters, no spaces.
pub fn validate_webhook_url(raw: &str) -> Result<String, ValidationError> {
    let field = "webhookUrl";
    let value = raw.trim();
    let max = crate::standup::WEBHOOK_URL_MAX_CHARS;
    if value.is_empty() {
        return Err(ValidationError::new(field, "is required"));
    }
    if value.chars().count() > max {
        return Err(ValidationError::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    let invalid = || {
        ValidationError::new(
            field,
            "must be an http(s) URL like https://example.com/hook",
        )
    };
    let host = webhook_host(value).ok_or_else(invalid)?;
    if host.is_empty() || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid());
    }
    Ok(value.to_string())
}

/// The host of an http(s) URL alone, lower-cased: no scheme, user, password, port, path
/// or query (`https://u:token@Hooks.Example.com:8443/x?k=1` -> `hooks.example.com`; an
/// IPv6 literal keeps its brackets). `None` for anything but http(s). What members who may
/// not see a webhook URL (it can carry a token) are shown instead.
pub fn webhook_host(url: &str) -> Option<String> {
    let lower = url.trim().to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    let host = match host_port.strip_prefix('[') {
        Some(v6) => format!("[{}]", v6.split(']').next().unwrap_or_default()),
        None => host_port.split(':').next().unwrap_or_default().to_owned(),
    };
    Some(host)
}

/// The most characters of a Slack channel id (`C0123ABCD`, `G…` for older private ones).
pub const SLACK_CHANNEL_ID_MAX_CHARS: usize = 32;
/// The most characters of a Slack channel name (Slack allows 80).
pub const SLACK_CHANNEL_NAME_MAX_CHARS: usize = 80;
/// The most characters of a `slackChannels(search:)` filter.
pub const SLACK_CHANNEL_SEARCH_MAX_CHARS: usize = 80;

/// A digest channel picked from `slackChannels`: its id is `C` or `G` and upper-case
/// letters or digits, at most 32 characters; its name (kept for display, `#` left off)
/// 1 to 80 characters. Returns both trimmed. Errors name `slackChannel`.
pub fn validate_slack_channel(id: &str, name: &str) -> Result<(String, String), ValidationError> {
    let field = "slackChannel";
    let id = id.trim();
    let well_formed = id.len() >= 2
        && id.len() <= SLACK_CHANNEL_ID_MAX_CHARS
        && id.starts_with(['C', 'G'])
        && id
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    if !well_formed {
        return Err(ValidationError::new(
            field,
            format!(
                "id must be a Slack channel id: C or G and capital letters or digits, at most {SLACK_CHANNEL_ID_MAX_CHARS} characters"
            ),
        ));
    }
    let name = name.trim().trim_start_matches('#').trim();
    if name.is_empty() || name.chars().count() > SLACK_CHANNEL_NAME_MAX_CHARS {
        return Err(ValidationError::new(
            field,
            format!("name must be 1 to {SLACK_CHANNEL_NAME_MAX_CHARS} characters"),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(ValidationError::new(
            field,
            "name must not hold control characters",
        ));
    }
    Ok((id.to_owned(), name.to_owned()))
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
    fn slack_channels_are_checked_by_shape_and_length() {
        assert_eq!(
            validate_slack_channel(" C0123ABCD ", "#standups").unwrap(),
            ("C0123ABCD".to_owned(), "standups".to_owned())
        );
        assert!(validate_slack_channel("G01", "private").is_ok());
        for bad in [
            "",
            "C",
            "D0123",
            "c0123",
            "C01-23",
            &format!("C{}", "1".repeat(32)),
        ] {
            let e = validate_slack_channel(bad, "x").unwrap_err();
            assert_eq!(e.field, "slackChannel", "{bad}");
        }
        assert!(validate_slack_channel("C1", "").is_err());
        assert!(validate_slack_channel("C1", &"n".repeat(81)).is_err());
        assert!(validate_slack_channel("C1", &"n".repeat(80)).is_ok());
    }

    #[test]
    fn the_common_password_list_is_ascii() {
        assert!(COMMON_PASSWORDS.is_ascii());
    }

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
    fn lengths_are_counted_in_characters() {
        assert!(validate_max_chars("search", &"ä".repeat(200), FILTER_MAX_CHARS).is_ok());
        assert_eq!(
            validate_max_chars("search", &"ä".repeat(201), FILTER_MAX_CHARS)
                .unwrap_err()
                .to_string(),
            "search: must be at most 200 characters"
        );
        assert_eq!(truncate_chars("äbc", 2), "äb");
        assert_eq!(truncate_chars("äbc", 5), "äbc");
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
    fn standup_config_rules_name_their_fields() {
        assert_eq!(validate_description(Some("  ")).unwrap(), None);
        assert_eq!(
            validate_description(Some(&"d".repeat(1001)))
                .unwrap_err()
                .field,
            "description"
        );
        assert_eq!(validate_prompt(0, " Why? ").unwrap(), "Why?");
        assert_eq!(
            validate_prompt(2, " ").unwrap_err().to_string(),
            "questions: question 3: prompt is required"
        );
        assert!(validate_prompt(0, &"p".repeat(501)).is_err());
        assert!(validate_response_window(14).is_err() && validate_response_window(10081).is_err());
        assert!(validate_response_window(15).is_ok() && validate_response_window(10080).is_ok());
        assert!(validate_reminder(0, 60).is_ok() && validate_reminder(59, 60).is_ok());
        assert_eq!(
            validate_reminder(60, 60).unwrap_err().field,
            "reminderMinutesBefore"
        );
        assert!(validate_reminder(-1, 60).is_err());
        assert_eq!(
            validate_webhook_url(" https://hooks.example.com/x?y=1 ").unwrap(),
            "https://hooks.example.com/x?y=1"
        );
        for bad in [
            "",
            "ftp://x.example",
            "https://",
            "https:///path",
            "http://a b.example",
            "javascript:alert(1)",
        ] {
            assert_eq!(
                validate_webhook_url(bad).unwrap_err().field,
                "webhookUrl",
                "{bad}"
            );
        }
        assert!(validate_webhook_url(&format!("https://x.example/{}", "a".repeat(2000))).is_err());
    }

    #[test]
    fn a_webhook_host_is_the_host_alone() {
        for (url, host) in [
            (
                "https://hooks.example.com/x?token=s3cret",
                "hooks.example.com",
            ),
            (
                "https://u:s3cret@Hooks.Example.com:8443/x",
                "hooks.example.com",
            ),
            ("http://10.0.0.1:8080", "10.0.0.1"),
            ("http://[2001:db8::1]:8080/hook", "[2001:db8::1]"),
            ("https://hooks.example.com#frag", "hooks.example.com"),
        ] {
            assert_eq!(webhook_host(url).as_deref(), Some(host), "{url}");
        }
        assert_eq!(webhook_host("ftp://x.example/hook"), None);
    }

    #[test]
    fn slugs_are_url_safe() {
        assert_eq!(slugify("Acme Corp!"), "acme-corp");
        assert_eq!(slugify("  --Ünïcode Team-- "), "n-code-team");
        assert_eq!(slugify("!!!"), "org");
    }
}
