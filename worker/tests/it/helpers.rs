use lapin::{
    Channel, Connection,
    options::{BasicPublishOptions, QueueDeclareOptions},
    types::FieldTable,
};
use schema::{
    amqp::Topology,
    jobs::{Job, JobEnvelope},
};
use std::{
    collections::HashMap,
    future::Future,
    net::{SocketAddr, TcpListener},
    sync::Once,
    time::Duration,
};
use tokio::{sync::oneshot, task::JoinHandle};
use uuid::Uuid;
use worker::{Application, Settings};

pub const AMQP_URL: &str = "amqp://guest:guest@127.0.0.1:5672/%2f";

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

pub fn test_settings(vars: &[(&str, &str)]) -> Settings {
    let mut map: HashMap<&str, &str> = HashMap::from([
        ("AMQP_URL", AMQP_URL),
        ("WORKER_HEALTH_BIND", "127.0.0.1:0"),
        ("WORKER_SHUTDOWN_TIMEOUT_SECS", "5"),
    ]);
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
        let connection = schema::amqp::connect(AMQP_URL, "worker integration test")
            .await
            .expect("RabbitMQ must run on 127.0.0.1:5672 for these tests");
        let channel = connection.create_channel().await.unwrap();
        Self {
            topology: Topology::new(prefix),
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
        self.topology
            .publish_job(&self.channel, &envelope)
            .await
            .unwrap()
            .await
            .unwrap();
        envelope
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
