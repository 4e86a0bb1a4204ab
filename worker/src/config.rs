//! Typed settings, read once from the environment in `main` and passed down.

use crate::{error::Error, notify::mail::MailUrl};
use schema_server::amqp::RetryDelay;
use schema_server::settings::Vars;
#[cfg(test)]
use schema_server::settings::{DEFAULT_AMQP_URL, DEFAULT_DATABASE_URL};
use secrecy::SecretString;
use std::{net::SocketAddr, path::PathBuf, time::Duration};
use tracing_subscriber::EnvFilter;

/// Every variable [`Settings::from_env`] reads.
pub const VARS: &[&str] = &[
    "AMQP_URL",
    "AMQP_PREFIX",
    "DATABASE_URL",
    "DATABASE_POOL_SIZE",
    "MAIL_URL",
    "MAIL_FROM",
    "PUBLIC_URL",
    "WORKER_HEALTH_BIND",
    "WORKER_PREFETCH",
    "WORKER_CONCURRENCY",
    "WORKER_BATCH_SIZE",
    "WORKER_MAX_ATTEMPTS",
    "WORKER_RETRY_DELAYS",
    "WORKER_SHUTDOWN_TIMEOUT_SECS",
    "WORKER_SCHEDULER",
    "SCHEDULER_TICK_MS",
    "WEBHOOK_ALLOW_PRIVATE_NETWORKS",
    "WEBHOOK_EGRESS_PROXY",
    "SECRETS_KEY",
    "SECRETS_KEY_PREVIOUS",
    "SECRETS_KEY_FILE",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
    "SLACK_SIGNING_SECRET",
    "SLACK_API_BASE_URL",
    "SLACK_AUTHORIZE_URL",
    "APP_ENV",
    "ALLOW_INSECURE_PUBLIC_URL",
    "LOG_FORMAT",
    "RUST_LOG",
];

const DEFAULT_POOL_SIZE: usize = 32;
const DEFAULT_SECRETS_KEY_FILE: &str = "var/secrets_key";
const MAX_POOL_SIZE: usize = 1024;
const DEFAULT_MAIL_URL: &str = "file://var/mail";
const DEFAULT_MAIL_FROM: &str = "AsyncStand <no-reply@localhost>";
const DEFAULT_PUBLIC_URL: &str = "http://127.0.0.1:8080";
const DEFAULT_HEALTH_BIND: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 8081);
const DEFAULT_PREFETCH: u16 = 256;
const DEFAULT_CONCURRENCY: usize = 64;
const MAX_CONCURRENCY: usize = 4096;
const DEFAULT_BATCH_SIZE: usize = 64;
const MAX_BATCH_SIZE: usize = 1000;
const DEFAULT_MAX_ATTEMPTS: u32 = 5;
const MAX_MAX_ATTEMPTS: u32 = 100;
const DEFAULT_RETRY_DELAYS: &str = "5s,30s,5m";
const DEFAULT_SHUTDOWN_TIMEOUT_SECS: u64 = 30;
const DEFAULT_LOG_FILTER: &str = "info";
const DEFAULT_SCHEDULER_TICK_MS: u64 = 1000;
const SCHEDULER_TICK_MS_RANGE: std::ops::RangeInclusive<u64> = 10..=60_000;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// Human-readable lines (the default).
    #[default]
    Text,
    /// One JSON object per line (`LOG_FORMAT=json`).
    Json,
}

/// The worker's configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `AMQP_URL`; may contain a password, hence secret.
    pub amqp_url: SecretString,
    /// `AMQP_PREFIX`: prefix of every exchange and queue name.
    pub amqp_prefix: String,
    /// `DATABASE_URL`; may contain a password, hence secret. The database is created and
    /// migrated at start when needed.
    pub database_url: SecretString,
    /// `DATABASE_POOL_SIZE`: PostgreSQL connections at most (default 32).
    pub database_pool_size: usize,
    /// `MAIL_URL`: `smtp://user:pass@host:port` (add `?tls=required` for STARTTLS),
    /// `smtps://...`, or `file://DIR` (default `file://var/mail`, relative to the
    /// working directory); may contain a password, hence secret.
    pub mail_url: SecretString,
    /// `MAIL_FROM`: the sender of every e-mail (default `AsyncStand <no-reply@localhost>`).
    pub mail_from: String,
    /// `PUBLIC_URL`: where users reach the web app, for links in e-mails (no trailing
    /// slash; default `http://127.0.0.1:8080`).
    pub public_url: String,
    /// `WORKER_HEALTH_BIND`: where `GET /healthz` is served (port 0 picks a free one).
    pub health_bind: SocketAddr,
    /// `WORKER_PREFETCH`: unacknowledged deliveries the broker may push to this process.
    pub prefetch: u16,
    /// `WORKER_CONCURRENCY`: job handlers running at once.
    pub concurrency: usize,
    /// `WORKER_BATCH_SIZE`: the most deliveries one handler takes at once (default 64;
    /// 1 = one job per transaction). Jobs that are already waiting when a handler starts
    /// are run in one transaction (one idempotency insert, one lookup, one commit); any
    /// failure there rolls the batch back and runs its jobs one by one, so retries and
    /// dead-lettering stay per job.
    pub batch_size: usize,
    /// `WORKER_MAX_ATTEMPTS`: deliveries of a failing job before it is dead-lettered
    /// (default 5; 1 = no retry).
    pub max_attempts: u32,
    /// `WORKER_RETRY_DELAYS`: the retry ladder, e.g. `5s,30s,5m` (the default); after
    /// failed attempt `n` a job waits rung `n` (the last rung once past the end).
    pub retry_delays: Vec<RetryDelay>,
    /// `WORKER_SHUTDOWN_TIMEOUT_SECS`: how long shutdown waits for running handlers.
    pub shutdown_timeout: Duration,
    /// `WORKER_SCHEDULER`: `0` (or `false`/`off`) runs no scheduler in this process;
    /// default on. With several workers one scheduler leads at a time (a PostgreSQL
    /// advisory lock), the others stand by.
    pub scheduler: bool,
    /// `SCHEDULER_TICK_MS`: how often the leading scheduler looks for due standups,
    /// reminders and deadlines (default 1000, 10..=60000).
    pub scheduler_tick: Duration,
    /// `WEBHOOK_ALLOW_PRIVATE_NETWORKS`: `1` lets digest webhooks reach loopback,
    /// private and link-local addresses (development, tests, an on-premises install);
    /// default off, since tenants choose webhook URLs.
    pub webhook_allow_private_networks: bool,
    /// `WEBHOOK_EGRESS_PROXY`: an `http://` or `https://` proxy every digest webhook goes
    /// through (unset: none; `HTTP_PROXY`, `HTTPS_PROXY` and `ALL_PROXY` are ignored).
    /// The proxy resolves the receivers' names, so it must refuse non-public addresses
    /// itself; IP-literal URLs are still checked here. May contain a password.
    pub webhook_egress_proxy: Option<SecretString>,
    /// `SECRETS_KEY`: base64 of 32 bytes opening the webhook secrets the api sealed
    /// (the same value on every api and worker). Unset: the development key in
    /// `SECRETS_KEY_FILE` (default `var/secrets_key`, generated when missing).
    pub secrets_key: Option<SecretString>,
    /// `SECRETS_KEY_PREVIOUS`: the key before a change of `SECRETS_KEY`, still opening.
    pub secrets_key_previous: Option<SecretString>,
    /// `SECRETS_KEY_FILE`: the development key file used when `SECRETS_KEY` is unset.
    pub secrets_key_file: PathBuf,
    /// The Slack app (`SLACK_*`, the same values as the api's); the worker calls Slack's
    /// Web API at its `api_base_url`. `None`: Slack is off, and SLACK_DM delivery goes by
    /// e-mail.
    pub slack: Option<schema_server::settings::SlackSettings>,
    /// `LOG_FORMAT`: `json` or `text`.
    pub log_format: LogFormat,
    /// `RUST_LOG`: an `EnvFilter` directive (default `info`).
    pub log_filter: String,
}

impl Settings {
    /// Reads the settings from the process environment, after loading `.env` (from the
    /// current directory or a parent) when there is one. Variables already set win
    /// over `.env`.
    ///
    /// # Errors
    /// A malformed `.env`, or a variable that is not valid Unicode or does not parse;
    /// the message names the variable.
    pub fn from_env() -> Result<Self, Error> {
        schema_server::settings::load_dotenv()?;
        Self::read(&Vars::from_env(VARS)?)
    }

    /// Builds the settings from any source of variables (tests pass a map). Empty values
    /// count as unset.
    ///
    /// # Errors
    /// A variable that does not parse; the message names the variable.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        Self::read(&Vars::new(lookup))
    }

    fn read(v: &Vars<'_>) -> Result<Self, Error> {
        let get = |name: &str| v.get(name);
        let amqp_url = v.amqp_url()?;
        let amqp_prefix = v.amqp_prefix()?;
        let database_url = v.database_url()?;
        let database_pool_size =
            v.parse_in("DATABASE_POOL_SIZE", DEFAULT_POOL_SIZE, 1..=MAX_POOL_SIZE)?;

        let mail_url = get("MAIL_URL").unwrap_or_else(|| DEFAULT_MAIL_URL.to_owned());
        MailUrl::parse(&mail_url).map_err(|reason| Error::config("MAIL_URL", reason))?;
        let mail_from = get("MAIL_FROM")
            .unwrap_or_else(|| DEFAULT_MAIL_FROM.to_owned())
            .trim()
            .to_owned();
        if let Err(e) = mail_from.parse::<lettre::message::Mailbox>() {
            return Err(Error::config(
                "MAIL_FROM",
                format!(
                    "'{mail_from}' is not a mailbox such as 'AsyncStand <no-reply@example.com>': {e}"
                ),
            ));
        }
        let public_url = get("PUBLIC_URL")
            .unwrap_or_else(|| DEFAULT_PUBLIC_URL.to_owned())
            .trim()
            .trim_end_matches('/')
            .to_owned();
        let host = public_url
            .strip_prefix("https://")
            .or_else(|| public_url.strip_prefix("http://"));
        if host.is_none_or(|host| host.is_empty() || host.contains(['?', '#', ' '])) {
            return Err(Error::config(
                "PUBLIC_URL",
                format!("'{public_url}' is not an http(s) URL such as https://standup.example.com"),
            ));
        }

        let health_bind = v.parse(
            "WORKER_HEALTH_BIND",
            DEFAULT_HEALTH_BIND,
            "an IP address and port such as 0.0.0.0:8081",
        )?;

        let prefetch: u16 = v.parse_in("WORKER_PREFETCH", DEFAULT_PREFETCH, 1..=u16::MAX)?;

        let concurrency: usize = v.parse_in(
            "WORKER_CONCURRENCY",
            DEFAULT_CONCURRENCY,
            1..=MAX_CONCURRENCY,
        )?;

        let batch_size: usize =
            v.parse_in("WORKER_BATCH_SIZE", DEFAULT_BATCH_SIZE, 1..=MAX_BATCH_SIZE)?;

        let max_attempts: u32 = v.parse_in(
            "WORKER_MAX_ATTEMPTS",
            DEFAULT_MAX_ATTEMPTS,
            1..=MAX_MAX_ATTEMPTS,
        )?;
        let retry_delays = RetryDelay::parse_ladder(
            get("WORKER_RETRY_DELAYS")
                .as_deref()
                .unwrap_or(DEFAULT_RETRY_DELAYS),
        )
        .map_err(|reason| Error::config("WORKER_RETRY_DELAYS", reason))?;

        let shutdown_timeout_secs: u64 = v.parse(
            "WORKER_SHUTDOWN_TIMEOUT_SECS",
            DEFAULT_SHUTDOWN_TIMEOUT_SECS,
            "a whole number of seconds",
        )?;

        let scheduler = v.flag("WORKER_SCHEDULER", true)?;
        let webhook_allow_private_networks = v.flag("WEBHOOK_ALLOW_PRIVATE_NETWORKS", false)?;
        let webhook_egress_proxy = get("WEBHOOK_EGRESS_PROXY").map(|v| v.trim().to_owned());
        if let Some(proxy) = &webhook_egress_proxy {
            let lower = proxy.to_ascii_lowercase();
            // Never echo the value: it may contain a password.
            if !(lower.starts_with("http://") || lower.starts_with("https://"))
                || reqwest::Proxy::all(proxy.as_str()).is_err()
            {
                return Err(Error::config(
                    "WEBHOOK_EGRESS_PROXY",
                    "expected an http(s) proxy URL such as http://proxy.internal:3128",
                ));
            }
        }
        let scheduler_tick_ms: u64 = v.parse_in(
            "SCHEDULER_TICK_MS",
            DEFAULT_SCHEDULER_TICK_MS,
            SCHEDULER_TICK_MS_RANGE,
        )?;

        let log_format = match get("LOG_FORMAT")
            .map(|value| value.trim().to_ascii_lowercase())
            .as_deref()
        {
            None | Some("text" | "pretty" | "plain") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(Error::config(
                    "LOG_FORMAT",
                    format!("'{other}' is not 'json' or 'text'"),
                ));
            }
        };

        let (secrets_key, secrets_key_previous) = v.secrets_keys()?;
        let secrets_key_file = PathBuf::from(
            get("SECRETS_KEY_FILE").unwrap_or_else(|| DEFAULT_SECRETS_KEY_FILE.to_owned()),
        );
        // APP_ENV=production: no development key file, and https links unless allowed.
        v.production(&["SECRETS_KEY"], &public_url)?;

        let slack = v.slack()?;

        let log_filter = get("RUST_LOG").unwrap_or_else(|| DEFAULT_LOG_FILTER.to_owned());
        if let Err(e) = EnvFilter::try_new(&log_filter) {
            return Err(Error::config("RUST_LOG", e.to_string()));
        }

        Ok(Self {
            amqp_url,
            amqp_prefix,
            database_url,
            database_pool_size,
            mail_url: SecretString::from(mail_url),
            mail_from,
            public_url,
            health_bind,
            prefetch,
            concurrency,
            batch_size,
            max_attempts,
            retry_delays,
            shutdown_timeout: Duration::from_secs(shutdown_timeout_secs),
            scheduler,
            scheduler_tick: Duration::from_millis(scheduler_tick_ms),
            webhook_allow_private_networks,
            webhook_egress_proxy: webhook_egress_proxy.map(SecretString::from),
            secrets_key,
            secrets_key_previous,
            secrets_key_file,
            slack,
            log_format,
            log_filter,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;
    use std::collections::HashMap;

    #[test]
    fn scheduler_is_on_by_default_and_ticks_every_second() {
        let s = settings(&[]).unwrap();
        assert!(s.scheduler);
        assert_eq!(s.scheduler_tick, Duration::from_secs(1));
        let s = settings(&[("WORKER_SCHEDULER", "0"), ("SCHEDULER_TICK_MS", "50")]).unwrap();
        assert!(!s.scheduler);
        assert_eq!(s.scheduler_tick, Duration::from_millis(50));
        let err = settings(&[("WORKER_SCHEDULER", "maybe")]).unwrap_err();
        assert!(err.to_string().starts_with("WORKER_SCHEDULER:"), "{err}");
        let err = settings(&[("SCHEDULER_TICK_MS", "0")]).unwrap_err();
        assert!(err.to_string().starts_with("SCHEDULER_TICK_MS:"), "{err}");
    }

    fn settings(vars: &[(&str, &str)]) -> Result<Settings, Error> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Settings::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn defaults() {
        let s = settings(&[]).unwrap();
        assert_eq!(s.amqp_url.expose_secret(), DEFAULT_AMQP_URL);
        assert_eq!(s.amqp_prefix, "asyncstand");
        assert_eq!(s.health_bind, "127.0.0.1:8081".parse().unwrap());
        assert_eq!(s.database_url.expose_secret(), DEFAULT_DATABASE_URL);
        assert_eq!(s.database_pool_size, 32);
        assert_eq!(s.mail_url.expose_secret(), "file://var/mail");
        assert_eq!(s.mail_from, "AsyncStand <no-reply@localhost>");
        assert_eq!(s.public_url, "http://127.0.0.1:8080");
        assert_eq!(s.prefetch, 256);
        assert_eq!(s.concurrency, 64);
        assert_eq!(s.max_attempts, 5);
        assert_eq!(s.retry_delays, RetryDelay::DEFAULT_LADDER.to_vec());
        assert_eq!(s.shutdown_timeout, Duration::from_secs(30));
        assert_eq!(s.log_format, LogFormat::Text);
        assert_eq!(s.log_filter, "info");
    }

    #[test]
    fn reads_every_variable() {
        let s = settings(&[
            ("AMQP_URL", "amqp://u:p@rabbit:5672/vh"),
            ("AMQP_PREFIX", "t-1"),
            ("DATABASE_URL", "postgres://u:p@db:5432/stand"),
            ("DATABASE_POOL_SIZE", "3"),
            ("MAIL_URL", "smtps://u:p@mail.example.com:465"),
            ("MAIL_FROM", "Standups <standups@example.com>"),
            ("PUBLIC_URL", "https://standup.example.com/"),
            ("WORKER_HEALTH_BIND", "0.0.0.0:9000"),
            ("WORKER_PREFETCH", "5"),
            ("WORKER_CONCURRENCY", "2"),
            ("WORKER_MAX_ATTEMPTS", "3"),
            ("WORKER_RETRY_DELAYS", "200ms,400ms,800ms"),
            ("WORKER_SHUTDOWN_TIMEOUT_SECS", "3"),
            ("LOG_FORMAT", "JSON"),
            ("RUST_LOG", "worker=debug,lapin=warn"),
        ])
        .unwrap();
        assert_eq!(s.amqp_url.expose_secret(), "amqp://u:p@rabbit:5672/vh");
        assert_eq!(s.amqp_prefix, "t-1");
        assert_eq!(s.health_bind.port(), 9000);
        assert_eq!(
            s.database_url.expose_secret(),
            "postgres://u:p@db:5432/stand"
        );
        assert_eq!(s.database_pool_size, 3);
        assert_eq!(
            s.mail_url.expose_secret(),
            "smtps://u:p@mail.example.com:465"
        );
        assert_eq!(s.mail_from, "Standups <standups@example.com>");
        assert_eq!(s.public_url, "https://standup.example.com");
        assert_eq!((s.prefetch, s.concurrency), (5, 2));
        assert_eq!(s.max_attempts, 3);
        assert_eq!(
            s.retry_delays
                .iter()
                .map(|d| d.ttl_ms())
                .collect::<Vec<_>>(),
            [200, 400, 800]
        );
        assert_eq!(s.shutdown_timeout, Duration::from_secs(3));
        assert_eq!(s.log_format, LogFormat::Json);
        assert_eq!(s.log_filter, "worker=debug,lapin=warn");
    }

    #[test]
    fn the_webhook_egress_proxy_is_off_unless_named() {
        assert!(settings(&[]).unwrap().webhook_egress_proxy.is_none());
        let s = settings(&[("WEBHOOK_EGRESS_PROXY", " http://proxy.internal:3128 ")]).unwrap();
        assert_eq!(
            s.webhook_egress_proxy.unwrap().expose_secret(),
            "http://proxy.internal:3128"
        );
    }

    #[test]
    fn empty_values_count_as_unset() {
        let s = settings(&[("WORKER_PREFETCH", ""), ("LOG_FORMAT", " ")]).unwrap();
        assert_eq!(s.prefetch, 256);
        assert_eq!(s.log_format, LogFormat::Text);
    }

    #[test]
    fn invalid_values_name_the_variable() {
        for (var, value) in [
            ("AMQP_URL", "http://nope"),
            ("AMQP_PREFIX", "has space"),
            ("DATABASE_URL", "mysql://db/x"),
            ("DATABASE_URL", "postgres://db"),
            ("DATABASE_POOL_SIZE", "0"),
            ("MAIL_URL", "imap://mail"),
            ("MAIL_URL", "file://"),
            ("MAIL_URL", "smtp://"),
            ("MAIL_FROM", "not an address"),
            ("PUBLIC_URL", "standup.example.com"),
            ("PUBLIC_URL", "ftp://x"),
            ("WORKER_HEALTH_BIND", "localhost"),
            ("WORKER_PREFETCH", "0"),
            ("WORKER_PREFETCH", "70000"),
            ("WORKER_CONCURRENCY", "0"),
            ("WORKER_CONCURRENCY", "many"),
            ("WORKER_MAX_ATTEMPTS", "0"),
            ("WORKER_RETRY_DELAYS", "30s,5s"),
            ("WORKER_RETRY_DELAYS", "soon"),
            ("WORKER_SHUTDOWN_TIMEOUT_SECS", "-1"),
            ("LOG_FORMAT", "xml"),
            ("RUST_LOG", "worker=loud"),
        ] {
            let err = settings(&[(var, value)]).unwrap_err().to_string();
            assert!(err.starts_with(var), "{var}={value} gave: {err}");
        }
    }

    #[test]
    fn production_refuses_the_development_key_and_plain_http() {
        const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
        let https = ("PUBLIC_URL", "https://standup.example.com");
        let err = settings(&[("APP_ENV", "production"), https])
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("SECRETS_KEY:"), "{err}");
        assert!(err.contains("APP_ENV=production"), "{err}");
        // The default PUBLIC_URL is http.
        let err = settings(&[("APP_ENV", "production"), ("SECRETS_KEY", KEY)])
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("PUBLIC_URL:"), "{err}");
        assert!(err.contains("ALLOW_INSECURE_PUBLIC_URL"), "{err}");
        settings(&[
            ("APP_ENV", "production"),
            ("SECRETS_KEY", KEY),
            ("PUBLIC_URL", "http://standup.example.com"),
            ("ALLOW_INSECURE_PUBLIC_URL", "true"),
        ])
        .unwrap();
        settings(&[("APP_ENV", "production"), ("SECRETS_KEY", KEY), https]).unwrap();
        // Outside production neither is required.
        settings(&[]).unwrap();
        let err = settings(&[("ALLOW_INSECURE_PUBLIC_URL", "perhaps")])
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("ALLOW_INSECURE_PUBLIC_URL:"), "{err}");
    }

    #[test]
    fn url_errors_do_not_echo_the_password() {
        for (var, url) in [
            ("AMQP_URL", "amqp://u:hunter2@host:notaport/"),
            ("DATABASE_URL", "postgres://u:hunter2@host"),
            ("MAIL_URL", "smtp://u:hunter2@host:notaport"),
            ("MAIL_URL", "pop3://u:hunter2@host"),
            ("WEBHOOK_EGRESS_PROXY", "socks5://u:hunter2@proxy:1080"),
            ("WEBHOOK_EGRESS_PROXY", "u:hunter2@proxy:3128"),
        ] {
            let err = settings(&[(var, url)]).unwrap_err().to_string();
            assert!(err.starts_with(var), "{err}");
            assert!(!err.contains("hunter2"), "{err}");
        }
    }
}
