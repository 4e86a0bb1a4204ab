//! Reading settings from the environment, one way for the api and the worker: `.env`
//! loaded first (before logging starts, so `RUST_LOG` and `LOG_FORMAT` from it apply),
//! empty values counting as unset, every error naming its variable, and every value that
//! may hold a password (database, broker and proxy URLs, keys) kept as a
//! [`SecretString`] and never echoed in an error.

use secrecy::{ExposeSecret, SecretString};
use std::fmt;
use std::str::FromStr;

/// A variable that is set but unusable. Its message never repeats a secret value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name}: {message}")]
pub struct SettingError {
    /// The variable at fault.
    pub name: &'static str,
    /// What is wrong and what is expected.
    pub message: String,
}

impl SettingError {
    pub fn new(name: &'static str, message: impl Into<String>) -> Self {
        Self {
            name,
            message: message.into(),
        }
    }
}

pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/asyncstand";
pub const DEFAULT_AMQP_URL: &str = "amqp://guest:guest@127.0.0.1:5672/%2f";

/// Loads `.env` from the current directory or a parent when there is one; variables
/// already set win over it. Call it first thing in `main`.
///
/// # Errors
/// A `.env` that exists but cannot be read or parsed.
pub fn load_dotenv() -> Result<(), SettingError> {
    match dotenvy::dotenv() {
        Ok(_) => Ok(()),
        Err(e) if e.not_found() => Ok(()),
        Err(e) => Err(SettingError::new(".env", e.to_string())),
    }
}

/// The default `AMQP_PREFIX` of an instance whose database is `database`:
/// `asyncstand` for the default database `asyncstand` (the names of earlier versions),
/// `asyncstand-<database>` for any other, with every character outside ASCII letters,
/// digits, `-`, `_` and `.` written as `_`.
#[must_use]
pub fn derived_amqp_prefix(database: &str) -> String {
    if database == crate::amqp::DEFAULT_PREFIX {
        return database.to_owned();
    }
    let safe: String = database
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{}-{safe}", crate::amqp::DEFAULT_PREFIX)
}

type Lookup<'a> = Box<dyn Fn(&str) -> Option<String> + 'a>;

/// A source of variables: the process environment or, in tests, a map.
pub struct Vars<'a> {
    lookup: Lookup<'a>,
}

impl<'a> Vars<'a> {
    /// Variables from `lookup` (tests pass a map's `get`).
    pub fn new(lookup: impl Fn(&str) -> Option<String> + 'a) -> Self {
        Self {
            lookup: Box::new(lookup),
        }
    }

    /// The process environment. Call [`load_dotenv`] before.
    ///
    /// # Errors
    /// One of `names` is set to something that is not valid UTF-8.
    pub fn from_env(names: &[&'static str]) -> Result<Vars<'static>, SettingError> {
        for &name in names {
            if let Err(std::env::VarError::NotUnicode(_)) = std::env::var(name) {
                return Err(SettingError::new(name, "not valid UTF-8"));
            }
        }
        Ok(Vars::new(|name| std::env::var(name).ok()))
    }

    /// The trimmed value, or `None` when unset or empty.
    pub fn get(&self, name: &str) -> Option<String> {
        (self.lookup)(name)
            .map(|value| value.trim().to_owned())
            .filter(|value| !value.is_empty())
    }

    /// The value as a secret (a URL with a password, a key).
    pub fn secret(&self, name: &str) -> Option<SecretString> {
        self.get(name).map(SecretString::from)
    }

    /// The value parsed as `T`, or `default` when unset.
    ///
    /// # Errors
    /// A value that does not parse; the message says what was expected.
    pub fn parse<T: FromStr>(
        &self,
        name: &'static str,
        default: T,
        expected: &str,
    ) -> Result<T, SettingError> {
        match self.get(name) {
            None => Ok(default),
            Some(raw) => raw
                .parse()
                .map_err(|_| SettingError::new(name, format!("'{raw}' is not {expected}"))),
        }
    }

    /// Like [`Self::parse`], and within `range`.
    ///
    /// # Errors
    /// A value that does not parse or lies outside `range`.
    pub fn parse_in<T>(
        &self,
        name: &'static str,
        default: T,
        range: std::ops::RangeInclusive<T>,
    ) -> Result<T, SettingError>
    where
        T: FromStr + PartialOrd + std::fmt::Display,
    {
        let expected = format!("a number from {} to {}", range.start(), range.end());
        let value = self.parse(name, default, &expected)?;
        if range.contains(&value) {
            Ok(value)
        } else {
            Err(SettingError::new(
                name,
                format!(
                    "{value} is out of range {}..={}",
                    range.start(),
                    range.end()
                ),
            ))
        }
    }

    /// A yes/no variable: `1`/`true`/`on`/`yes` or `0`/`false`/`off`/`no`.
    ///
    /// # Errors
    /// Anything else.
    pub fn flag(&self, name: &'static str, default: bool) -> Result<bool, SettingError> {
        match self.get(name).map(|v| v.to_ascii_lowercase()).as_deref() {
            None => Ok(default),
            Some("1" | "true" | "on" | "yes") => Ok(true),
            Some("0" | "false" | "off" | "no") => Ok(false),
            Some(other) => Err(SettingError::new(
                name,
                format!("'{other}' is not true or false"),
            )),
        }
    }

    /// `DATABASE_URL` (default: the local development database), checked without ever
    /// echoing it (it may hold a password).
    ///
    /// # Errors
    /// Not a `postgres://` URL naming a database.
    pub fn database_url(&self) -> Result<SecretString, SettingError> {
        let url = self
            .get("DATABASE_URL")
            .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://"))
            || crate::db::database_name(&url).is_err()
        {
            return Err(SettingError::new(
                "DATABASE_URL",
                "expected postgres://user[:password]@host[:port]/database",
            ));
        }
        Ok(SecretString::from(url))
    }

    /// `AMQP_URL` (default: the local broker as guest), checked now so a typo stops the
    /// start-up instead of looping on connect; never echoed.
    ///
    /// # Errors
    /// Not an AMQP URL.
    pub fn amqp_url(&self) -> Result<SecretString, SettingError> {
        let url = self
            .get("AMQP_URL")
            .unwrap_or_else(|| DEFAULT_AMQP_URL.to_owned());
        if let Err(reason) = url.parse::<lapin::uri::AMQPUri>() {
            return Err(SettingError::new("AMQP_URL", reason));
        }
        Ok(SecretString::from(url))
    }

    /// `AMQP_PREFIX`: ASCII letters, digits, `-`, `_` and `.`. Unset, it derives from
    /// the database of `DATABASE_URL` ([`derived_amqp_prefix`]), so two instances with
    /// their own databases on one broker never consume each other's jobs.
    ///
    /// # Errors
    /// Any other character; unset, an invalid `DATABASE_URL`.
    pub fn amqp_prefix(&self) -> Result<String, SettingError> {
        let prefix = match self.get("AMQP_PREFIX") {
            Some(prefix) => prefix,
            None => {
                let url = self.database_url()?;
                let database = crate::db::database_name(url.expose_secret())
                    .map_err(|e| SettingError::new("DATABASE_URL", e.to_string()))?;
                derived_amqp_prefix(&database)
            }
        };
        if !prefix
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            return Err(SettingError::new(
                "AMQP_PREFIX",
                format!("'{prefix}' may only contain ASCII letters, digits, '-', '_' and '.'"),
            ));
        }
        Ok(prefix)
    }

    /// `PUBLIC_URL` without a trailing `/`: where people reach the service.
    ///
    /// # Errors
    /// Not an http(s) URL with a host.
    pub fn public_url(&self, default: &str) -> Result<String, SettingError> {
        let url = self
            .get("PUBLIC_URL")
            .unwrap_or_else(|| default.to_owned())
            .trim_end_matches('/')
            .to_owned();
        let host = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"));
        if host.is_none_or(|host| host.is_empty() || host.contains(['?', '#', ' '])) {
            return Err(SettingError::new(
                "PUBLIC_URL",
                format!("'{url}' is not an http(s) URL such as https://standup.example.com"),
            ));
        }
        Ok(url)
    }

    /// `SECRETS_KEY` and `SECRETS_KEY_PREVIOUS` (base64 of 32 bytes), checked.
    ///
    /// # Errors
    /// A key that is not base64 of 32 bytes (the message never shows it).
    pub fn secrets_keys(
        &self,
    ) -> Result<(Option<SecretString>, Option<SecretString>), SettingError> {
        let key = |name: &'static str| -> Result<Option<SecretString>, SettingError> {
            match self.get(name) {
                None => Ok(None),
                Some(value) => {
                    crate::secrets::parse_key(&value)
                        .map_err(|e| SettingError::new(name, e.to_string()))?;
                    Ok(Some(SecretString::from(value)))
                }
            }
        };
        Ok((key("SECRETS_KEY")?, key("SECRETS_KEY_PREVIOUS")?))
    }

    /// Whether `APP_ENV=production`; then every name in `required` must be set (no
    /// development key files) and `public_url` must be https unless
    /// `ALLOW_INSECURE_PUBLIC_URL` is true.
    ///
    /// # Errors
    /// A missing required variable, an http `PUBLIC_URL`, or an unreadable
    /// `ALLOW_INSECURE_PUBLIC_URL`.
    pub fn production(
        &self,
        required: &[&'static str],
        public_url: &str,
    ) -> Result<bool, SettingError> {
        let production = self.get("APP_ENV").is_some_and(|v| v == "production");
        let allow_insecure_public_url = self.flag("ALLOW_INSECURE_PUBLIC_URL", false)?;
        if production {
            if let Some(name) = required.iter().find(|name| self.get(name).is_none()) {
                return Err(SettingError::new(
                    name,
                    "must be set when APP_ENV=production (development key files are not used)",
                ));
            }
            if public_url.starts_with("http://") && !allow_insecure_public_url {
                return Err(SettingError::new(
                    "PUBLIC_URL",
                    format!(
                        "must be https:// when APP_ENV=production, got '{public_url}' (set ALLOW_INSECURE_PUBLIC_URL=true to allow http)"
                    ),
                ));
            }
        }
        Ok(production)
    }
}

/// The Slack app: on when `SLACK_CLIENT_ID`, `SLACK_CLIENT_SECRET` and
/// `SLACK_SIGNING_SECRET` are set, off when none is.
#[derive(Clone)]
pub struct SlackSettings {
    pub client_id: String,
    pub client_secret: SecretString,
    /// Checks every request Slack sends us ([`crate::slack::verify`]).
    pub signing_secret: SecretString,
    /// `SLACK_API_BASE_URL` (default `https://slack.com/api`), without a trailing `/`.
    pub api_base_url: String,
    /// `SLACK_AUTHORIZE_URL` (default `https://slack.com/oauth/v2/authorize`).
    pub authorize_url: String,
}

impl fmt::Debug for SlackSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SlackSettings")
            .field("client_id", &self.client_id)
            .field("api_base_url", &self.api_base_url)
            .field("authorize_url", &self.authorize_url)
            .finish_non_exhaustive()
    }
}

pub const DEFAULT_SLACK_API_BASE_URL: &str = "https://slack.com/api";
pub const DEFAULT_SLACK_AUTHORIZE_URL: &str = "https://slack.com/oauth/v2/authorize";

impl Vars<'_> {
    /// The Slack app's settings, or `None` when Slack is off.
    ///
    /// # Errors
    /// Some of the three required variables set but not all (the message names a missing
    /// one), or a base URL that is not http(s).
    pub fn slack(&self) -> Result<Option<SlackSettings>, SettingError> {
        const REQUIRED: [&str; 3] = [
            "SLACK_CLIENT_ID",
            "SLACK_CLIENT_SECRET",
            "SLACK_SIGNING_SECRET",
        ];
        let set: Vec<&str> = REQUIRED
            .into_iter()
            .filter(|name| self.get(name).is_some())
            .collect();
        if set.is_empty() {
            return Ok(None);
        }
        if let Some(missing) = REQUIRED.into_iter().find(|name| !set.contains(name)) {
            return Err(SettingError::new(
                missing,
                "must be set with the other two of SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_SIGNING_SECRET (or none of them, to keep Slack off)",
            ));
        }
        let url = |name: &'static str, default: &str| -> Result<String, SettingError> {
            let url = self.get(name).unwrap_or_else(|| default.to_owned());
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                return Err(SettingError::new(
                    name,
                    format!("'{url}' is not an http(s) URL"),
                ));
            }
            Ok(url.trim_end_matches('/').to_owned())
        };
        Ok(Some(SlackSettings {
            client_id: self.get("SLACK_CLIENT_ID").unwrap_or_default(),
            client_secret: self
                .secret("SLACK_CLIENT_SECRET")
                .unwrap_or_else(|| SecretString::from("")),
            signing_secret: self
                .secret("SLACK_SIGNING_SECRET")
                .unwrap_or_else(|| SecretString::from("")),
            api_base_url: url("SLACK_API_BASE_URL", DEFAULT_SLACK_API_BASE_URL)?,
            authorize_url: url("SLACK_AUTHORIZE_URL", DEFAULT_SLACK_AUTHORIZE_URL)?,
        }))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;
    use std::collections::HashMap;

    fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn empty_values_count_as_unset_and_values_are_trimmed() {
        let map = vars(&[("A", "  "), ("B", " x ")]);
        let v = Vars::new(|name| map.get(name).cloned());
        assert_eq!(v.get("A"), None);
        assert_eq!(v.get("B").as_deref(), Some("x"));
        assert_eq!(v.parse("A", 7u32, "a number").unwrap(), 7);
    }

    #[test]
    fn errors_name_the_variable_and_say_what_is_expected() {
        let map = vars(&[("N", "lots"), ("R", "0"), ("F", "perhaps")]);
        let v = Vars::new(|name| map.get(name).cloned());
        let err = v.parse("N", 1u32, "a whole number").unwrap_err();
        assert_eq!(err.to_string(), "N: 'lots' is not a whole number");
        let err = v.parse_in("R", 5usize, 1..=10).unwrap_err();
        assert_eq!(err.to_string(), "R: 0 is out of range 1..=10");
        let err = v.flag("F", false).unwrap_err();
        assert_eq!(err.name, "F");
        for (text, value) in [("on", true), ("1", true), ("No", false), ("false", false)] {
            let map = vars(&[("F", text)]);
            assert_eq!(
                Vars::new(|n| map.get(n).cloned())
                    .flag("F", !value)
                    .unwrap(),
                value
            );
        }
    }

    #[test]
    fn urls_are_secrets_and_their_errors_do_not_echo_the_password() {
        let map = vars(&[]);
        let v = Vars::new(|name| map.get(name).cloned());
        assert_eq!(
            v.database_url().unwrap().expose_secret(),
            DEFAULT_DATABASE_URL
        );
        assert_eq!(v.amqp_url().unwrap().expose_secret(), DEFAULT_AMQP_URL);
        for (name, url) in [
            ("AMQP_URL", "amqp://u:hunter2@host:notaport/"),
            ("DATABASE_URL", "postgres://u:hunter2@host"),
            ("DATABASE_URL", "mysql://u:hunter2@host/db"),
        ] {
            let map = vars(&[(name, url)]);
            let v = Vars::new(|n| map.get(n).cloned());
            let err = if name == "AMQP_URL" {
                v.amqp_url().unwrap_err()
            } else {
                v.database_url().unwrap_err()
            };
            assert_eq!(err.name, name);
            assert!(!err.to_string().contains("hunter2"), "{err}");
        }
    }

    #[test]
    fn amqp_prefix_derives_from_the_database_when_unset() {
        let prefix = |pairs: &[(&str, &str)]| {
            let map = vars(pairs);
            Vars::new(|n| map.get(n).cloned()).amqp_prefix()
        };
        assert_eq!(prefix(&[]).unwrap(), "asyncstand");
        assert_eq!(
            prefix(&[(
                "DATABASE_URL",
                "postgres://u:p@db:5433/team_b?sslmode=require"
            )])
            .unwrap(),
            "asyncstand-team_b"
        );
        assert_eq!(
            prefix(&[
                ("DATABASE_URL", "postgres://u@db/b"),
                ("AMQP_PREFIX", "shared")
            ])
            .unwrap(),
            "shared"
        );
        assert_eq!(
            prefix(&[("DATABASE_URL", "postgres://u@db/b"), ("AMQP_PREFIX", " ")]).unwrap(),
            "asyncstand-b"
        );
        assert_eq!(derived_amqp_prefix("Stand Up/ü"), "asyncstand-Stand_Up__");
        assert_eq!(
            prefix(&[("AMQP_PREFIX", "has space")]).unwrap_err().name,
            "AMQP_PREFIX"
        );
        assert_eq!(
            prefix(&[("DATABASE_URL", "postgres://u:hunter2@host")])
                .unwrap_err()
                .name,
            "DATABASE_URL"
        );
    }

    #[test]
    fn production_needs_its_keys_and_https() {
        let map = vars(&[("APP_ENV", "production")]);
        let v = Vars::new(|name| map.get(name).cloned());
        let err = v
            .production(&["SECRETS_KEY"], "https://s.example")
            .unwrap_err();
        assert_eq!(err.name, "SECRETS_KEY");
        let map = vars(&[("APP_ENV", "production"), ("SECRETS_KEY", "k")]);
        let v = Vars::new(|name| map.get(name).cloned());
        let err = v
            .production(&["SECRETS_KEY"], "http://s.example")
            .unwrap_err();
        assert_eq!(err.name, "PUBLIC_URL");
        assert!(v.production(&["SECRETS_KEY"], "https://s.example").unwrap());
        let map = vars(&[]);
        let v = Vars::new(|name| map.get(name).cloned());
        assert!(!v.production(&["SECRETS_KEY"], "http://s.example").unwrap());
    }

    #[test]
    fn slack_is_off_unless_all_three_are_set() {
        let map = vars(&[]);
        assert!(
            Vars::new(|n| map.get(n).cloned())
                .slack()
                .unwrap()
                .is_none()
        );
        let map = vars(&[("SLACK_CLIENT_ID", "1.2"), ("SLACK_CLIENT_SECRET", "s")]);
        let err = Vars::new(|n| map.get(n).cloned()).slack().unwrap_err();
        assert_eq!(err.name, "SLACK_SIGNING_SECRET");
        let map = vars(&[
            ("SLACK_CLIENT_ID", "1.2"),
            ("SLACK_CLIENT_SECRET", "client-secret-value"),
            ("SLACK_SIGNING_SECRET", "signing-secret-value"),
            ("SLACK_API_BASE_URL", "http://127.0.0.1:9000/api/"),
        ]);
        let slack = Vars::new(|n| map.get(n).cloned()).slack().unwrap().unwrap();
        assert_eq!(slack.api_base_url, "http://127.0.0.1:9000/api");
        assert_eq!(slack.authorize_url, DEFAULT_SLACK_AUTHORIZE_URL);
        assert_eq!(slack.signing_secret.expose_secret(), "signing-secret-value");
        let shown = format!("{slack:?}");
        assert!(!shown.contains("secret-value"), "{shown}");
        let map = vars(&[
            ("SLACK_CLIENT_ID", "1.2"),
            ("SLACK_CLIENT_SECRET", "s"),
            ("SLACK_SIGNING_SECRET", "t"),
            ("SLACK_API_BASE_URL", "slack.com/api"),
        ]);
        let err = Vars::new(|n| map.get(n).cloned()).slack().unwrap_err();
        assert_eq!(err.name, "SLACK_API_BASE_URL");
    }
}
