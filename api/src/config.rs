//! Typed settings, read once from the environment in `main` (after `.env` is loaded,
//! before logging starts) and passed down; read with [`schema_server::settings`], the
//! same way as the worker's.

use schema_server::settings::Vars;
use secrecy::SecretString;
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

/// A setting that cannot be used; names the variable.
pub type ConfigError = schema_server::settings::SettingError;

#[derive(Clone, Debug)]
pub struct Settings {
    /// `BIND`: address the HTTP server listens on.
    pub bind: String,
    /// `DATABASE_URL`; the database is created when missing.
    pub database_url: SecretString,
    /// `DATABASE_POOL_SIZE`: connections per api process.
    pub database_pool_size: usize,
    /// `AMQP_URL`.
    pub amqp_url: SecretString,
    /// `AMQP_PREFIX`: prefix of every exchange and queue name.
    pub amqp_prefix: String,
    /// `PUBLIC_URL`: where users reach the service; https makes the cookie Secure.
    pub public_url: String,
    /// `JWT_SECRET`: HS256 key shared by every api replica.
    pub jwt_secret: SecretString,
    pub jwt_issuer: String,
    pub jwt_audience: String,
    pub access_token_ttl: Duration,
    /// `REFRESH_TTL_DAYS`: a session ends after this long unused.
    pub refresh_token_ttl: Duration,
    /// `RATE_LIMIT_PER_MINUTE`: requests per client and minute; 0 turns the limit off.
    pub rate_limit_per_minute: u32,
    /// `TRUST_PROXY`: take the client address from `X-Forwarded-For`.
    pub trust_proxy: bool,
    /// `CORS_ORIGINS`: comma-separated extra origins; same origin only when empty.
    pub cors_origins: Vec<String>,
    /// `WEB_DIR`: the built web UI (`make web` writes `web/dist`).
    pub web_dir: PathBuf,
    /// `APP_ENV=production` turns introspection off.
    pub production: bool,
    /// `HTTP_WORKERS`: actix worker threads (default: one per core).
    pub http_workers: usize,
    /// `GRAPHQL_MAX_BODY_BYTES`, `GRAPHQL_MAX_BATCH`, `GRAPHQL_MAX_DEPTH`, `GRAPHQL_MAX_COMPLEXITY`.
    pub max_body_bytes: usize,
    pub max_batch: usize,
    pub max_depth: usize,
    pub max_complexity: usize,
    /// `LOGIN_MAX_FAILURES_PER_ACCOUNT` / `LOGIN_MAX_FAILURES_PER_IP` within
    /// `LOGIN_FAILURE_WINDOW_SECS` (0 turns one off).
    pub login_failures_per_account: i32,
    pub login_failures_per_ip: i32,
    pub login_failure_window_secs: i32,
    /// `PASSWORD_HASH_CONCURRENCY`: argon2 hashes at once (default: one per core).
    pub password_hash_concurrency: usize,
    /// `SECRETS_KEY`: base64 of 32 bytes sealing secrets at rest (webhook signing
    /// secrets); the same value on every api and worker. Unset: the development key in
    /// `SECRETS_KEY_FILE` (default `var/secrets_key`, generated when missing).
    pub secrets_key: Option<SecretString>,
    /// `SECRETS_KEY_PREVIOUS`: the key before a change of `SECRETS_KEY`, still opening.
    pub secrets_key_previous: Option<SecretString>,
    /// `SECRETS_KEY_FILE`: the development key file used when `SECRETS_KEY` is unset.
    pub secrets_key_file: PathBuf,
    /// Throttles per client address and hour on unauthenticated work that costs a hash
    /// (0 turns one off): `SIGNUP_PER_IP_PER_HOUR` (default 20),
    /// `ACCEPT_INVITATION_PER_IP_PER_HOUR` (100), `RESET_PASSWORD_PER_IP_PER_HOUR` (20).
    pub signup_per_ip_per_hour: i32,
    pub accept_invitation_per_ip_per_hour: i32,
    pub reset_password_per_ip_per_hour: i32,
    /// `ANSWER_LINK_FAILURES_PER_IP_PER_HOUR` (default 30): answer-link look-ups with an
    /// unknown token per client address and hour (0 turns it off).
    pub answer_link_failures_per_ip_per_hour: i32,
    /// `PASSWORD_HASH_QUEUE`: argon2 jobs that may wait for a hashing thread (default
    /// 64); beyond that a request needing a hash is refused with RATE_LIMITED.
    pub password_hash_queue: usize,
    /// `SUBSCRIPTION_RECHECK_SECS`: how often a live subscription re-checks that its
    /// session and membership still hold (default 60); it ends when they do not.
    pub subscription_recheck: Duration,
    /// `SESSION_MAX_LIFETIME_DAYS`: a session ends this long after sign-in however often
    /// it is refreshed (default 90).
    pub session_max_lifetime: Duration,
    /// Mail quotas. `INVITES_PER_ORG_PER_HOUR` (default 50): invitation e-mails, new or
    /// resent, one organization sends per hour. `INVITES_PER_ADDRESS_PER_DAY` (default 3):
    /// invitation e-mails one address receives per day, from every organization together.
    /// 0 turns a quota off.
    pub invites_per_org_per_hour: i32,
    pub invites_per_address_per_day: i32,
    /// Deployment: proxies, the WebSocket's limits, the metrics listener, production checks.
    pub deployment: Deployment,
    /// The Slack app (`SLACK_*`); `None`: Slack is off.
    pub slack: Option<schema_server::settings::SlackSettings>,
}

/// Settings of the deployment around the api: how far to trust proxy headers, the limits
/// of `/graphql/ws`, where `/metrics` is served, and what production refuses.
#[derive(Clone, Debug)]
pub struct Deployment {
    /// `TRUSTED_PROXY_HOPS` (default 1): with `TRUST_PROXY=true`, how many proxies of ours
    /// append to `X-Forwarded-For`; the client address is the entry this many places from
    /// the right (1: the right-most, written by the proxy in front of the api).
    pub trusted_proxy_hops: usize,
    /// `TRUST_FORWARDED_HEADER` (default false): with `TRUST_PROXY=true`, read the RFC 7239
    /// `Forwarded` header instead of `X-Forwarded-For` (only when our proxy writes it).
    pub trust_forwarded_header: bool,
    /// `WS_MAX_SUBSCRIPTIONS` (default 20): subscriptions running at once on one WebSocket.
    pub ws_max_subscriptions: usize,
    /// `WS_MAX_CONNECTIONS_PER_USER` (default 10): WebSockets open at once per user (per
    /// client address for anonymous ones), per api process.
    pub ws_max_connections_per_user: usize,
    /// `METRICS_BIND`: when set, `/metrics` is served only on this address (and not on
    /// `BIND`); the production setting, so metrics stay off the public listener.
    pub metrics_bind: Option<String>,
    /// `ALLOW_INSECURE_PUBLIC_URL` (default false): lets `APP_ENV=production` run with an
    /// `http://` `PUBLIC_URL`.
    pub allow_insecure_public_url: bool,
}

impl Deployment {
    /// Reads the deployment settings.
    fn read(v: &Vars<'_>) -> Result<Self, ConfigError> {
        Ok(Deployment {
            trusted_proxy_hops: v.parse_in("TRUSTED_PROXY_HOPS", 1, 1..=64)?,
            trust_forwarded_header: v.flag("TRUST_FORWARDED_HEADER", false)?,
            ws_max_subscriptions: v.parse_in("WS_MAX_SUBSCRIPTIONS", 20, 1..=10_000)?,
            ws_max_connections_per_user: v.parse_in(
                "WS_MAX_CONNECTIONS_PER_USER",
                10,
                1..=10_000,
            )?,
            metrics_bind: v.get("METRICS_BIND"),
            allow_insecure_public_url: v.flag("ALLOW_INSECURE_PUBLIC_URL", false)?,
        })
    }
}

/// Every variable [`Settings::from_env`] reads.
pub const VARS: &[&str] = &[
    "BIND",
    "PUBLIC_URL",
    "APP_ENV",
    "DATABASE_URL",
    "DATABASE_POOL_SIZE",
    "AMQP_URL",
    "AMQP_PREFIX",
    "JWT_SECRET",
    "JWT_SECRET_FILE",
    "SECRETS_KEY",
    "SECRETS_KEY_PREVIOUS",
    "SECRETS_KEY_FILE",
    "WEB_DIR",
    "CORS_ORIGINS",
    "LOG_FORMAT",
    "RUST_LOG",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
    "SLACK_SIGNING_SECRET",
    "SLACK_API_BASE_URL",
    "SLACK_AUTHORIZE_URL",
];

impl Settings {
    /// Reads the process environment; `main` loads `.env` first
    /// ([`schema_server::settings::load_dotenv`]).
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::read(&Vars::from_env(VARS)?)
    }

    /// Builds settings from a map of variables (tests pass their own).
    pub fn from_map(vars: &HashMap<String, String>) -> Result<Self, ConfigError> {
        Self::read(&Vars::new(|name| vars.get(name).cloned()))
    }

    fn read(v: &Vars<'_>) -> Result<Self, ConfigError> {
        let number = "a whole number";
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        let bind = v.get("BIND").unwrap_or_else(|| "127.0.0.1:8080".into());
        let public_url = v.public_url(&format!("http://{bind}"))?;
        // Checked before any development key file is read or written.
        let production = v.production(&["JWT_SECRET", "SECRETS_KEY"], &public_url)?;
        let deployment = Deployment::read(v)?;
        let jwt_secret = match v.get("JWT_SECRET") {
            Some(secret) if secret.len() < 32 => {
                return Err(ConfigError::new(
                    "JWT_SECRET",
                    "must be at least 32 characters",
                ));
            }
            Some(secret) => secret,
            None => local_development_secret(v.get("JWT_SECRET_FILE"))?,
        };
        let default_web_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../web/dist");
        let (secrets_key, secrets_key_previous) = v.secrets_keys()?;
        Ok(Self {
            secrets_key,
            secrets_key_previous,
            secrets_key_file: PathBuf::from(
                v.get("SECRETS_KEY_FILE")
                    .unwrap_or_else(|| "var/secrets_key".into()),
            ),
            bind,
            database_url: v.database_url()?,
            database_pool_size: v.parse_in("DATABASE_POOL_SIZE", 32, 1..=1024)?,
            amqp_url: v.amqp_url()?,
            amqp_prefix: v.amqp_prefix()?,
            public_url,
            jwt_secret: SecretString::from(jwt_secret),
            jwt_issuer: "asyncstand".into(),
            jwt_audience: "asyncstand-api".into(),
            access_token_ttl: Duration::from_secs(15 * 60),
            refresh_token_ttl: Duration::from_secs(
                v.parse::<u64>("REFRESH_TTL_DAYS", 30, number)? * 86_400,
            ),
            rate_limit_per_minute: v.parse("RATE_LIMIT_PER_MINUTE", 600, number)?,
            trust_proxy: v.flag("TRUST_PROXY", false)?,
            cors_origins: v
                .get("CORS_ORIGINS")
                .map(|origins| {
                    origins
                        .split(',')
                        .map(|o| o.trim().trim_end_matches('/').to_string())
                        .filter(|o| !o.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            web_dir: v
                .get("WEB_DIR")
                .map(PathBuf::from)
                .unwrap_or(default_web_dir),
            production,
            http_workers: v.parse_in("HTTP_WORKERS", cores, 1..=1024)?,
            max_body_bytes: v.parse("GRAPHQL_MAX_BODY_BYTES", 64 * 1024, number)?,
            max_batch: v.parse("GRAPHQL_MAX_BATCH", 10, number)?,
            max_depth: v.parse("GRAPHQL_MAX_DEPTH", 15, number)?,
            max_complexity: v.parse("GRAPHQL_MAX_COMPLEXITY", 1000, number)?,
            login_failures_per_account: v.parse("LOGIN_MAX_FAILURES_PER_ACCOUNT", 5, number)?,
            login_failures_per_ip: v.parse("LOGIN_MAX_FAILURES_PER_IP", 50, number)?,
            login_failure_window_secs: v.parse("LOGIN_FAILURE_WINDOW_SECS", 900, number)?,
            password_hash_concurrency: v.parse_in("PASSWORD_HASH_CONCURRENCY", cores, 1..=1024)?,
            signup_per_ip_per_hour: v.parse("SIGNUP_PER_IP_PER_HOUR", 20, number)?,
            accept_invitation_per_ip_per_hour: v.parse(
                "ACCEPT_INVITATION_PER_IP_PER_HOUR",
                100,
                number,
            )?,
            reset_password_per_ip_per_hour: v.parse(
                "RESET_PASSWORD_PER_IP_PER_HOUR",
                20,
                number,
            )?,
            answer_link_failures_per_ip_per_hour: v.parse(
                "ANSWER_LINK_FAILURES_PER_IP_PER_HOUR",
                30,
                number,
            )?,
            password_hash_queue: v.parse("PASSWORD_HASH_QUEUE", 64, number)?,
            subscription_recheck: Duration::from_secs(
                v.parse::<u64>("SUBSCRIPTION_RECHECK_SECS", 60, number)?
                    .max(1),
            ),
            session_max_lifetime: Duration::from_secs(
                v.parse::<u64>("SESSION_MAX_LIFETIME_DAYS", 90, number)?
                    .max(1)
                    * 86_400,
            ),
            invites_per_org_per_hour: v.parse("INVITES_PER_ORG_PER_HOUR", 50, number)?,
            invites_per_address_per_day: v.parse("INVITES_PER_ADDRESS_PER_DAY", 3, number)?,
            deployment,
            slack: v.slack()?,
        })
    }

    /// The refresh cookie is `Secure` when the public URL is https.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

/// For development without configuration: a random secret kept in `var/jwt_secret`, so
/// sessions survive restarts. Production sets `JWT_SECRET` (shared by all replicas).
fn local_development_secret(path: Option<String>) -> Result<String, ConfigError> {
    let path = PathBuf::from(path.unwrap_or_else(|| "var/jwt_secret".into()));
    let err = |message: String| ConfigError {
        name: "JWT_SECRET",
        message,
    };
    // Another replica starting at the same instant may have written it first: use that.
    let (secret, created) = schema_server::secrets::read_or_create(&path, || {
        use rand::RngCore;
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        hex::encode(bytes)
    })
    .map_err(|e| err(format!("unset, and cannot write {}: {e}", path.display())))?;
    if created {
        tracing::warn!(path = %path.display(), "JWT_SECRET is unset; generated a development secret (set JWT_SECRET in production)");
    }
    let secret = secret.trim().to_string();
    if secret.len() < 32 {
        return Err(err(format!(
            "unset, and {} holds fewer than 32 characters; delete it to generate a new one",
            path.display()
        )));
    }
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_need_nothing_set_except_a_secret() {
        let s = Settings::from_map(&vars(&[("JWT_SECRET", &"s".repeat(32))])).unwrap();
        assert_eq!(s.bind, "127.0.0.1:8080");
        assert_eq!(s.public_url, "http://127.0.0.1:8080");
        assert_eq!(s.rate_limit_per_minute, 600);
        assert!(!s.secure_cookies());
        assert_eq!(
            (s.invites_per_org_per_hour, s.invites_per_address_per_day),
            (50, 3)
        );
    }

    #[test]
    fn bad_values_name_the_variable() {
        let err = Settings::from_map(&vars(&[
            ("JWT_SECRET", &"s".repeat(32)),
            ("RATE_LIMIT_PER_MINUTE", "lots"),
        ]))
        .unwrap_err();
        assert_eq!(err.name, "RATE_LIMIT_PER_MINUTE");
        let err = Settings::from_map(&vars(&[("JWT_SECRET", "short")])).unwrap_err();
        assert_eq!(err.name, "JWT_SECRET");
        let s = Settings::from_map(&vars(&[
            ("JWT_SECRET", &"s".repeat(32)),
            ("PUBLIC_URL", "https://standups.example.com/"),
        ]))
        .unwrap();
        assert!(s.secure_cookies());
        assert_eq!(s.public_url, "https://standups.example.com");
    }

    #[test]
    fn deployment_defaults_and_bounds() {
        let s = Settings::from_map(&vars(&[("JWT_SECRET", &"s".repeat(32))])).unwrap();
        let d = &s.deployment;
        assert_eq!(d.trusted_proxy_hops, 1);
        assert!(!d.trust_forwarded_header);
        assert_eq!(d.ws_max_subscriptions, 20);
        assert_eq!(d.ws_max_connections_per_user, 10);
        assert_eq!(d.metrics_bind, None);
        for name in [
            "TRUSTED_PROXY_HOPS",
            "WS_MAX_SUBSCRIPTIONS",
            "WS_MAX_CONNECTIONS_PER_USER",
        ] {
            let err = Settings::from_map(&vars(&[("JWT_SECRET", &"s".repeat(32)), (name, "0")]))
                .unwrap_err();
            assert_eq!(err.name, name);
        }
        let s = Settings::from_map(&vars(&[
            ("JWT_SECRET", &"s".repeat(32)),
            ("TRUSTED_PROXY_HOPS", "2"),
            ("TRUST_FORWARDED_HEADER", "true"),
            ("METRICS_BIND", "127.0.0.1:9100"),
        ]))
        .unwrap();
        assert_eq!(s.deployment.trusted_proxy_hops, 2);
        assert!(s.deployment.trust_forwarded_header);
        assert_eq!(s.deployment.metrics_bind.as_deref(), Some("127.0.0.1:9100"));
    }

    const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    #[test]
    fn production_refuses_development_keys_and_plain_http() {
        let secret = "s".repeat(32);
        let https = ("PUBLIC_URL", "https://standups.example.com");
        let production = ("APP_ENV", "production");
        // A missing key is refused before any development key file is read or written.
        let dir = std::env::temp_dir().join(format!("asyncstand-config-{}", std::process::id()));
        let key_file = dir.join("jwt_secret");
        let key_file = key_file.to_str().unwrap();
        let err = Settings::from_map(&vars(&[
            production,
            https,
            ("SECRETS_KEY", KEY),
            ("JWT_SECRET_FILE", key_file),
        ]))
        .unwrap_err();
        assert_eq!(err.name, "JWT_SECRET");
        assert!(err.message.contains("APP_ENV=production"), "{err}");
        assert!(!dir.exists(), "a development key file was written");
        let err =
            Settings::from_map(&vars(&[production, https, ("JWT_SECRET", &secret)])).unwrap_err();
        assert_eq!(err.name, "SECRETS_KEY");

        let err = Settings::from_map(&vars(&[
            production,
            ("PUBLIC_URL", "http://standups.example.com"),
            ("JWT_SECRET", &secret),
            ("SECRETS_KEY", KEY),
        ]))
        .unwrap_err();
        assert_eq!(err.name, "PUBLIC_URL");
        assert!(err.message.contains("ALLOW_INSECURE_PUBLIC_URL"), "{err}");
        // The default PUBLIC_URL (http://$BIND) is refused too.
        let err = Settings::from_map(&vars(&[
            production,
            ("JWT_SECRET", &secret),
            ("SECRETS_KEY", KEY),
        ]))
        .unwrap_err();
        assert_eq!(err.name, "PUBLIC_URL");

        let s = Settings::from_map(&vars(&[
            production,
            ("PUBLIC_URL", "http://standups.example.com"),
            ("ALLOW_INSECURE_PUBLIC_URL", "true"),
            ("JWT_SECRET", &secret),
            ("SECRETS_KEY", KEY),
        ]))
        .unwrap();
        assert!(s.production);
        let s = Settings::from_map(&vars(&[
            production,
            https,
            ("JWT_SECRET", &secret),
            ("SECRETS_KEY", KEY),
        ]))
        .unwrap();
        assert!(s.production && s.secure_cookies());
        // Outside production nothing changes: http and development keys are fine.
        let s = Settings::from_map(&vars(&[("JWT_SECRET", &secret)])).unwrap();
        assert!(!s.production);
    }
}
