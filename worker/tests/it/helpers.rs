use diesel::{QueryDsl, TextExpressionMethods};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use lapin::{
    Channel, Connection,
    options::{BasicPublishOptions, QueueDeclareOptions},
    types::FieldTable,
};
use schema::jobs::{Job, JobEnvelope};
use schema_server::db::testing::TestDatabase;
use schema_server::{
    amqp::{RetryDelay, Topology},
    db::tables::{processed_jobs, users},
};
use std::{
    collections::HashMap,
    future::Future,
    net::{SocketAddr, TcpListener},
    path::PathBuf,
    sync::Once,
    time::Duration,
};
use tokio::{sync::oneshot, task::JoinHandle};
use uuid::Uuid;
use worker::{Application, Settings};

pub const AMQP_URL: &str = "amqp://guest:guest@127.0.0.1:5672/%2f";
/// The retry ladder of every test: short, so retries are observable in a second.
pub const TEST_RETRY_DELAYS: &str = "200ms,400ms,800ms";

pub fn test_ladder() -> Vec<RetryDelay> {
    RetryDelay::parse_ladder(TEST_RETRY_DELAYS).unwrap()
}

pub fn init_logs() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if std::env::var_os("TEST_LOG").is_some() {
            let settings = test_settings(&[("RUST_LOG", "info,worker=debug")]);
            let _ = worker::telemetry::init(&settings);
        }
    });
}

/// A unique prefix, so this test's exchanges and queues are its own.
pub fn unique_prefix() -> String {
    format!("it-{}", Uuid::new_v4().simple())
}

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The variables every test worker gets (in-process or as a child process), before the
/// test's own.
pub fn base_vars() -> Vec<(&'static str, &'static str)> {
    vec![
        ("AMQP_URL", AMQP_URL),
        ("WORKER_HEALTH_BIND", "127.0.0.1:0"),
        ("WORKER_SHUTDOWN_TIMEOUT_SECS", "5"),
        ("WORKER_RETRY_DELAYS", TEST_RETRY_DELAYS),
        ("DATABASE_POOL_SIZE", "4"),
        ("WORKER_CONCURRENCY", "16"),
        ("WORKER_PREFETCH", "32"),
        // Bytes 0..32: the same key the api tests seal with.
        (
            "SECRETS_KEY",
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
        ),
    ]
}

pub fn test_settings(vars: &[(&str, &str)]) -> Settings {
    let mut map: HashMap<&str, &str> = base_vars().into_iter().collect();
    map.extend(vars.iter().copied());
    Settings::from_lookup(|name| map.get(name).map(|v| (*v).to_owned())).unwrap()
}

/// A connection and channel of the test's own, for publishing and inspecting.
pub struct Broker {
    pub topology: Topology,
    pub connection: Connection,
    pub channel: Channel,
}

impl Broker {
    pub async fn connect(prefix: &str) -> Self {
        let connection = schema_server::amqp::connect(AMQP_URL, "worker integration test")
            .await
            .expect("RabbitMQ must run on 127.0.0.1:5672 for these tests");
        let channel = connection.create_channel().await.unwrap();
        Self {
            topology: Topology::new(prefix).with_retry_delays(test_ladder()),
            connection,
            channel,
        }
    }

    /// Ready messages in `queue` (passive declare: fails if the queue does not exist).
    pub async fn message_count(&self, queue: &str) -> u32 {
        let options = QueueDeclareOptions {
            passive: true,
            ..QueueDeclareOptions::default()
        };
        self.channel
            .queue_declare(queue.into(), options, FieldTable::default())
            .await
            .unwrap_or_else(|e| panic!("queue {queue} should exist: {e}"))
            .message_count()
    }

    pub async fn publish_job(&self, job: Job) -> JobEnvelope {
        let envelope = JobEnvelope::new(Uuid::new_v4(), job, chrono::Utc::now());
        self.publish_envelope(&envelope).await;
        envelope
    }

    pub async fn publish_envelope(&self, envelope: &JobEnvelope) {
        self.topology
            .publish_job(&self.channel, envelope)
            .await
            .unwrap()
            .await
            .unwrap();
    }

    pub async fn publish_raw(&self, exchange: &str, routing_key: &str, body: &[u8]) {
        self.channel
            .basic_publish(
                exchange.into(),
                routing_key.into(),
                BasicPublishOptions::default(),
                body,
                lapin::BasicProperties::default(),
            )
            .await
            .unwrap()
            .await
            .unwrap();
    }

    /// Waits until `queue` holds `expected` ready messages.
    pub async fn wait_for_count(&self, queue: &str, expected: u32, within: Duration) {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let count = self.message_count(queue).await;
            if count == expected {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{queue}: expected {expected} messages, still {count} after {within:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Deletes the test's exchanges and queues and closes the connection.
    pub async fn cleanup(self) {
        self.topology.delete(&self.channel).await.unwrap();
        let _ = self.connection.close(200, "test done".into()).await;
    }
}

/// Polls `check` every 50 ms until it returns true or `within` passes.
pub async fn wait_until<F, Fut>(within: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if check().await {
            return true;
        }
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// GET /healthz: status code and JSON body, or None when nothing answers.
pub async fn healthz(addr: SocketAddr) -> Option<(u16, serde_json::Value)> {
    let response = reqwest::get(format!("http://{addr}/healthz")).await.ok()?;
    let status = response.status().as_u16();
    Some((status, response.json().await.ok()?))
}

/// The worker running in-process on its own task.
pub struct TestWorker {
    pub health_addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<(), worker::Error>>,
}

impl TestWorker {
    pub fn spawn(settings: Settings) -> Self {
        init_logs();
        let app = Application::build(settings).unwrap();
        let health_addr = app.health_addr();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(app.run_until(async {
            let _ = stopped.await;
        }));
        Self {
            health_addr,
            stop,
            task,
        }
    }

    /// A worker started by the caller (e.g. with a clock of its own).
    pub fn from_parts(
        health_addr: SocketAddr,
        stop: oneshot::Sender<()>,
        task: JoinHandle<Result<(), worker::Error>>,
    ) -> Self {
        Self {
            health_addr,
            stop,
            task,
        }
    }

    /// Waits until /healthz says the worker consumes.
    pub async fn wait_consuming(&self) {
        let ok = wait_until(Duration::from_secs(15), || async {
            matches!(healthz(self.health_addr).await, Some((200, _)))
        })
        .await;
        assert!(ok, "the worker never reported itself healthy");
    }

    /// Requests shutdown and waits for `run_until` to return.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        tokio::time::timeout(Duration::from_secs(10), self.task)
            .await
            .expect("worker did not stop within 10 s")
            .unwrap()
            .unwrap();
    }
}

/// GET /metrics as text.
pub async fn metrics_text(addr: SocketAddr) -> String {
    reqwest::get(format!("http://{addr}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// The value of one sample line (`name{labels}`) in Prometheus text, 0 when absent.
pub fn metric(text: &str, sample: &str) -> u64 {
    text.lines()
        .find_map(|line| line.strip_prefix(sample)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or(0)
}

// ---- PostgreSQL: one database per test, cloned from a migrated template ----

/// A database of the test's own, migrated; [`TestDb::drop`] removes it.
pub struct TestDb {
    pub url: String,
    pub name: String,
}

impl TestDb {
    pub async fn create() -> Self {
        let db = TestDatabase::create().await.unwrap();
        Self {
            url: db.url,
            name: db.name,
        }
    }

    pub async fn conn(&self) -> AsyncPgConnection {
        AsyncPgConnection::establish(&self.url).await.unwrap()
    }

    pub async fn drop(self) {
        schema_server::db::testing::drop_database(&self.name)
            .await
            .unwrap();
    }

    /// Inserts an organization and returns its id.
    pub async fn organization(&self, name: &str) -> Uuid {
        let id = Uuid::new_v4();
        diesel::sql_query("INSERT INTO organizations (id, name, slug) VALUES ($1, $2, $3)")
            .bind::<diesel::sql_types::Uuid, _>(id)
            .bind::<diesel::sql_types::Text, _>(name)
            .bind::<diesel::sql_types::Text, _>(format!("org-{}", id.simple()))
            .execute(&mut self.conn().await)
            .await
            .unwrap();
        id
    }

    /// Inserts a user who owns `org` and returns the user's id.
    pub async fn user(&self, org: Uuid, name: &str, email: &str) -> Uuid {
        let id = Uuid::new_v4();
        let mut conn = self.conn().await;
        diesel::sql_query(
            "INSERT INTO users (id, email, name, password_hash) VALUES ($1, $2, $3, 'x')",
        )
        .bind::<diesel::sql_types::Uuid, _>(id)
        .bind::<diesel::sql_types::Text, _>(email)
        .bind::<diesel::sql_types::Text, _>(name)
        .execute(&mut conn)
        .await
        .unwrap();
        diesel::sql_query(
            "INSERT INTO memberships (org_id, user_id, role) VALUES ($1, $2, 'OWNER')",
        )
        .bind::<diesel::sql_types::Uuid, _>(org)
        .bind::<diesel::sql_types::Uuid, _>(id)
        .execute(&mut conn)
        .await
        .unwrap();
        id
    }

    /// Inserts `n` users (`user{i}@example.com`) in one statement; returns their ids.
    pub async fn users(&self, n: u32) -> Vec<Uuid> {
        let mut conn = self.conn().await;
        diesel::sql_query(
            "INSERT INTO users (id, email, name, password_hash)
             SELECT gen_random_uuid(), 'user' || i || '@example.com', 'User ' || i, 'x'
             FROM generate_series(1, $1) AS i",
        )
        .bind::<diesel::sql_types::Integer, _>(i32::try_from(n).unwrap())
        .execute(&mut conn)
        .await
        .unwrap();
        users::table
            .filter(users::email.like("user%@example.com"))
            .select(users::id)
            .load(&mut conn)
            .await
            .unwrap()
    }

    pub async fn processed_count(&self) -> i64 {
        processed_jobs::table
            .count()
            .get_result(&mut self.conn().await)
            .await
            .unwrap()
    }
}

// ---- One test's world: database, RabbitMQ names, mail directory ----

pub struct Fixture {
    pub prefix: String,
    pub db: TestDb,
    pub broker: Broker,
    pub mail_dir: PathBuf,
}

impl Fixture {
    /// A fresh database, a unique AMQP prefix with its topology declared, and an empty
    /// mail directory.
    pub async fn new() -> Self {
        let fixture = Self::without_topology().await;
        let broker = &fixture.broker;
        broker.topology.declare(&broker.channel).await.unwrap();
        fixture
    }

    /// Like [`Self::new`], but nothing is declared on RabbitMQ yet.
    pub async fn without_topology() -> Self {
        let prefix = unique_prefix();
        let db = TestDb::create().await;
        let broker = Broker::connect(&prefix).await;
        let mail_dir = std::env::temp_dir().join(format!("asyncstand-{}-mail", db.name));
        std::fs::create_dir_all(&mail_dir).unwrap();
        Self {
            prefix,
            db,
            broker,
            mail_dir,
        }
    }

    /// This fixture's variables (prefix, database, mail directory) and `extra`.
    pub fn vars(&self) -> Vec<(String, String)> {
        vec![
            ("AMQP_PREFIX".into(), self.prefix.clone()),
            ("DATABASE_URL".into(), self.db.url.clone()),
            (
                "MAIL_URL".into(),
                format!("file://{}", self.mail_dir.display()),
            ),
            ("PUBLIC_URL".into(), "https://standup.example.com".into()),
        ]
    }

    pub fn settings(&self, extra: &[(&str, &str)]) -> Settings {
        let vars = self.vars();
        let mut all: Vec<(&str, &str)> =
            vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        all.extend(extra.iter().copied());
        test_settings(&all)
    }

    pub fn spawn_worker(&self, extra: &[(&str, &str)]) -> TestWorker {
        TestWorker::spawn(self.settings(extra))
    }

    /// The `.eml` files written so far: (file name, contents), sorted by name.
    pub fn emails(&self) -> Vec<(String, String)> {
        let mut emails: Vec<(String, String)> = std::fs::read_dir(&self.mail_dir)
            .unwrap()
            .flatten()
            .filter_map(|entry| {
                let name = entry.file_name().to_string_lossy().into_owned();
                let path = entry.path();
                name.ends_with(".eml")
                    .then(|| (name, std::fs::read_to_string(path).unwrap()))
            })
            .collect();
        emails.sort();
        emails
    }

    pub async fn cleanup(self) {
        self.broker.cleanup().await;
        self.db.drop().await;
        let _ = std::fs::remove_dir_all(&self.mail_dir);
    }
}

/// The value of `header` in an e-mail's top-level headers.
pub fn header<'a>(email: &'a str, header: &str) -> Option<&'a str> {
    email
        .lines()
        .take_while(|line| !line.is_empty())
        .find_map(|line| line.strip_prefix(header)?.strip_prefix(": "))
}

/// The decoded body of the part with `content_type` (7bit or quoted-printable).
pub fn part(email: &str, content_type: &str) -> Option<String> {
    let email = email.replace("\r\n", "\n");
    let start = email.find(&format!("Content-Type: {content_type}"))?;
    let rest = &email[start..];
    let (headers, body) = rest.split_once("\n\n")?;
    // The part ends at the MIME boundary; any other line starting with "--" (a soft line
    // break can put one there, inside a link token) is part of the body.
    let end = match email
        .split("boundary=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
    {
        Some(boundary) => format!("\n--{boundary}"),
        None => "\n--".to_owned(),
    };
    let body = body.split(end.as_str()).next()?;
    if headers.contains("quoted-printable") {
        Some(decode_quoted_printable(body))
    } else {
        Some(body.to_owned())
    }
}

fn decode_quoted_printable(body: &str) -> String {
    let joined = body.replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}
