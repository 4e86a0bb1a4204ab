//! `TestApp`: the real api on port 0 with its own database cloned from a migrated
//! template and its own RabbitMQ names, dropped afterwards.

use api::Application;
use api::config::Settings;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use reqwest::Client;
use schema_server::db::testing::TestDatabase;
use serde_json::{Value, json};
use std::collections::HashMap;

pub const TEST_JWT_SECRET: &str = "test-secret-test-secret-test-secret-0123456789";
/// The `SECRETS_KEY` of every test api and worker (bytes 0..32, base64).
pub const TEST_SECRETS_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
pub const PASSWORD: &str = "correct horse battery staple";

/// A fresh database cloned from the migrated template; returns its URL and name.
pub async fn fresh_database() -> (String, String) {
    let db = TestDatabase::create().await.expect("a test database");
    (db.url, db.name)
}

pub fn drop_database(name: &str) {
    schema_server::db::testing::drop_database_blocking(name);
}

pub struct TestApp {
    pub address: String,
    /// Where this test's workers write e-mails (the file mailer).
    pub mail_dir: std::path::PathBuf,
    pub database_url: String,
    pub database_name: String,
    pub amqp_prefix: String,
    /// A client with its own cookie jar (a "browser").
    pub client: Client,
    /// The running app's state, for tests that execute GraphQL in-process.
    pub state: api::state::AppState,
    /// `http://127.0.0.1:PORT` of the `METRICS_BIND` listener, when the test set one.
    pub metrics_address: Option<String>,
}

pub struct SignedUp {
    pub token: String,
    pub email: String,
    pub user_id: String,
    pub org_id: String,
    pub org_name: String,
    /// The client holding this person's refresh cookie.
    pub client: Client,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(&[]).await
    }

    /// Spawns with extra environment settings, e.g. `[("RATE_LIMIT_PER_MINUTE", "5")]`.
    pub async fn spawn_with(overrides: &[(&str, &str)]) -> TestApp {
        api::telemetry::init_for_tests();
        let (database_url, database_name) = fresh_database().await;
        let amqp_prefix = format!("test_{}", uuid::Uuid::new_v4().simple());
        let mail_dir = std::env::temp_dir().join(format!("{database_name}-mail"));
        let mut vars: HashMap<String, String> = [
            ("BIND", "127.0.0.1:0".to_string()),
            ("DATABASE_URL", database_url.clone()),
            ("DATABASE_POOL_SIZE", "4".into()),
            ("AMQP_PREFIX", amqp_prefix.clone()),
            ("JWT_SECRET", TEST_JWT_SECRET.into()),
            ("SECRETS_KEY", TEST_SECRETS_KEY.into()),
            ("RATE_LIMIT_PER_MINUTE", "0".into()),
            ("HTTP_WORKERS", "2".into()),
            (
                "MAIL_URL",
                format!(
                    "file://{}/mail",
                    std::env::temp_dir().join(&database_name).display()
                ),
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        if let Ok(amqp) = std::env::var("AMQP_URL") {
            vars.insert("AMQP_URL".into(), amqp);
        }
        for (k, v) in overrides {
            vars.insert(k.to_string(), v.to_string());
        }
        let settings = Settings::from_map(&vars).expect("settings");
        let app = Application::build(settings).await.expect("build app");
        let port = app.port();
        let metrics_address = app
            .metrics_port()
            .map(|port| format!("http://127.0.0.1:{port}"));
        let state = app.state().clone();
        tokio::spawn(app.run_until_stopped());
        TestApp {
            address: format!("http://127.0.0.1:{port}"),
            mail_dir,
            database_url,
            database_name,
            amqp_prefix,
            client: new_client(),
            state,
            metrics_address,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// POSTs one operation with this app's default client.
    pub async fn graphql(&self, query: &str, variables: Value) -> Value {
        self.graphql_with(&self.client, None, query, variables)
            .await
    }

    pub async fn graphql_as(&self, token: &str, query: &str, variables: Value) -> Value {
        self.graphql_with(&self.client, Some(token), query, variables)
            .await
    }

    pub async fn graphql_with(
        &self,
        client: &Client,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> Value {
        let mut req = client
            .post(self.url("/graphql"))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        let resp = req.send().await.expect("request");
        resp.json().await.expect("json body")
    }

    /// Signs up a new owner with a unique e-mail, using a fresh cookie jar.
    pub async fn signed_up_owner(&self) -> SignedUp {
        let email = format!("owner-{}@example.com", uuid::Uuid::new_v4().simple());
        self.sign_up(&email, "Acme Corp").await
    }

    pub async fn sign_up(&self, email: &str, org_name: &str) -> SignedUp {
        let client = new_client();
        let body = self
            .graphql_with(
                &client,
                None,
                SIGN_UP,
                json!({ "input": { "email": email, "password": PASSWORD, "name": "Ada Lovelace", "organizationName": org_name } }),
            )
            .await;
        let payload = &body["data"]["signUp"];
        assert!(payload.is_object(), "sign-up failed: {body}");
        SignedUp {
            token: payload["accessToken"].as_str().expect("token").to_string(),
            email: email.to_string(),
            user_id: payload["user"]["id"].as_str().expect("user id").to_string(),
            org_id: payload["organization"]["id"]
                .as_str()
                .expect("org id")
                .to_string(),
            org_name: org_name.to_string(),
            client,
        }
    }

    /// A direct connection to this test's database, for checks and fault injection.
    pub async fn db(&self) -> AsyncPgConnection {
        AsyncPgConnection::establish(&self.database_url)
            .await
            .expect("connect")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        drop_database(&self.database_name);
        let _ = std::fs::remove_dir_all(&self.mail_dir);
        let prefix = self.amqp_prefix.clone();
        let amqp = std::env::var("AMQP_URL")
            .unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".into());
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async {
                if let Ok(conn) =
                    schema_server::amqp::connect(&amqp, "asyncstand-test-cleanup").await
                {
                    if let Ok(channel) = conn.create_channel().await {
                        let _ = schema_server::amqp::Topology::new(prefix)
                            .delete(&channel)
                            .await;
                    }
                    let _ = conn.close(200, "done".into()).await;
                }
            });
        })
        .join();
    }
}

pub fn new_client() -> Client {
    Client::builder()
        .cookie_store(true)
        .build()
        .expect("client")
}

pub const SIGN_UP: &str = "mutation SignUp($input: SignUpInput!) { signUp(input: $input) { accessToken expiresAt user { id email name } organization { id name slug } } }";
pub const LOG_IN: &str = "mutation LogIn($input: LogInInput!) { logIn(input: $input) { accessToken expiresAt user { id email } organization { id name } } }";
pub const REFRESH: &str =
    "mutation { refreshSession { accessToken user { email } organization { id } } }";
pub const LOG_OUT: &str = "mutation { logOut }";
pub const VIEWER: &str =
    "{ viewer { user { id email name } organization { id name } role organizations { id name } } }";
pub const ORGANIZATION: &str = "{ organization { id name slug } }";

/// A worker running in this test's process against the test's database and queues.
pub struct WorkerHandle {
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<Result<(), worker::Error>>>,
}

impl WorkerHandle {
    /// Graceful shutdown, as on SIGTERM.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.expect("worker task").expect("worker run");
        }
    }
}

impl Drop for WorkerHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Short retry delays so tests see the whole ladder in about a second.
pub const TEST_RETRY_DELAYS: &str = "100ms,200ms,400ms";

impl TestApp {
    /// Starts a worker on this app's database, queues and mail directory.
    pub async fn start_worker(&self) -> WorkerHandle {
        self.start_worker_with(&[]).await
    }

    pub async fn start_worker_with(&self, overrides: &[(&str, &str)]) -> WorkerHandle {
        self.start_worker_inner(None, overrides).await
    }

    /// Starts a worker whose scheduler reads `clock` (ticking every 50 ms unless
    /// `overrides` say otherwise): tests move the clock instead of waiting for a schedule.
    pub async fn start_worker_with_clock(
        &self,
        clock: &worker::ManualClock,
        overrides: &[(&str, &str)],
    ) -> WorkerHandle {
        let mut vars = vec![("SCHEDULER_TICK_MS", "50")];
        vars.extend_from_slice(overrides);
        self.start_worker_inner(Some(clock.clone()), &vars).await
    }

    async fn start_worker_inner(
        &self,
        clock: Option<worker::ManualClock>,
        overrides: &[(&str, &str)],
    ) -> WorkerHandle {
        let mut vars: HashMap<String, String> = [
            ("AMQP_PREFIX", self.amqp_prefix.clone()),
            ("DATABASE_URL", self.database_url.clone()),
            ("DATABASE_POOL_SIZE", "4".into()),
            ("MAIL_URL", format!("file://{}", self.mail_dir.display())),
            ("PUBLIC_URL", self.address.clone()),
            ("WORKER_HEALTH_BIND", "127.0.0.1:0".into()),
            ("WORKER_RETRY_DELAYS", TEST_RETRY_DELAYS.into()),
            ("SECRETS_KEY", TEST_SECRETS_KEY.into()),
            // The tests' webhook receivers listen on 127.0.0.1.
            ("WEBHOOK_ALLOW_PRIVATE_NETWORKS", "1".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        if let Ok(amqp) = std::env::var("AMQP_URL") {
            vars.insert("AMQP_URL".into(), amqp);
        }
        for (k, v) in overrides {
            vars.insert(k.to_string(), v.to_string());
        }
        let settings =
            worker::Settings::from_lookup(|k| vars.get(k).cloned()).expect("worker settings");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let shutdown = async move {
            let _ = stopped.await;
        };
        let task = match clock {
            Some(clock) => tokio::spawn(worker::run_with_clock(
                settings,
                std::sync::Arc::new(clock),
                shutdown,
            )),
            // The system clock: nothing the other tests create comes due while they run.
            None => tokio::spawn(worker::run(settings, shutdown)),
        };
        WorkerHandle {
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// Every e-mail written so far, as raw text.
    pub fn emails(&self) -> Vec<String> {
        let Ok(dir) = std::fs::read_dir(&self.mail_dir) else {
            return Vec::new();
        };
        let mut mails: Vec<(std::path::PathBuf, String)> = dir
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .filter_map(|p| std::fs::read_to_string(&p).ok().map(|t| (p, t)))
            .collect();
        mails.sort();
        mails.into_iter().map(|(_, t)| t).collect()
    }

    /// E-mails addressed to `to` whose text contains `needle`.
    pub fn emails_to(&self, to: &str, needle: &str) -> Vec<String> {
        self.emails()
            .into_iter()
            .filter(|m| {
                m.lines().any(|l| {
                    l.to_ascii_lowercase().starts_with("to:")
                        && l.to_ascii_lowercase().contains(&to.to_ascii_lowercase())
                })
            })
            .filter(|m| m.contains(needle))
            .collect()
    }

    /// Waits (up to 20 s) until `count` e-mails match, and returns them.
    pub async fn wait_for_emails(&self, to: &str, needle: &str, count: usize) -> Vec<String> {
        for _ in 0..200 {
            let found = self.emails_to(to, needle);
            if found.len() >= count {
                return found;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!(
            "expected {count} e-mail(s) to {to} containing {needle:?}; have: {:#?}",
            self.emails()
        );
    }
}

/// The first error's `extensions.code`.
pub fn error_code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("<no code>")
}

/// Another api process on a [`TestApp`]'s database and RabbitMQ names: a second replica
/// behind the same load balancer.
pub struct Replica {
    pub address: String,
    pub state: api::state::AppState,
}

impl TestApp {
    /// Starts a second api on this app's database and AMQP prefix.
    pub async fn spawn_replica(&self) -> Replica {
        let mut vars: HashMap<String, String> = [
            ("BIND", "127.0.0.1:0".to_string()),
            ("DATABASE_URL", self.database_url.clone()),
            ("DATABASE_POOL_SIZE", "4".into()),
            ("AMQP_PREFIX", self.amqp_prefix.clone()),
            ("JWT_SECRET", TEST_JWT_SECRET.into()),
            ("SECRETS_KEY", TEST_SECRETS_KEY.into()),
            ("RATE_LIMIT_PER_MINUTE", "0".into()),
            ("HTTP_WORKERS", "1".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        if let Ok(amqp) = std::env::var("AMQP_URL") {
            vars.insert("AMQP_URL".into(), amqp);
        }
        let settings = Settings::from_map(&vars).expect("settings");
        let app = Application::build(settings).await.expect("build replica");
        let port = app.port();
        let state = app.state().clone();
        tokio::spawn(app.run_until_stopped());
        Replica {
            address: format!("http://127.0.0.1:{port}"),
            state,
        }
    }
}

impl Replica {
    pub async fn graphql_as(&self, token: &str, query: &str, variables: Value) -> Value {
        let resp = new_client()
            .post(format!("{}/graphql", self.address))
            .bearer_auth(token)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("request");
        resp.json().await.expect("json body")
    }
}
