use crate::{
    helpers::{AMQP_URL, Fixture, healthz, wait_until},
    proxy::Proxy,
};
use schema::jobs::{ENVELOPE_VERSION, Job, JobEnvelope};
use std::time::Duration;
use uuid::Uuid;

#[tokio::test]
async fn the_worker_consumes_and_acks_jobs() {
    let fx = Fixture::new().await;
    let topology = fx.broker.topology.clone();
    let org = fx.db.organization("Acme").await;
    for i in 0..3 {
        let user_id = fx.db.user(org, "Ada", &format!("ada{i}@example.com")).await;
        fx.broker
            .publish_job(Job::SendWelcomeEmail { user_id })
            .await;
    }
    fx.broker
        .wait_for_count(&topology.jobs_queue(), 3, Duration::from_secs(5))
        .await;

    let worker = fx.spawn_worker(&[]);
    worker.wait_consuming().await;
    // An empty queue only means delivered (prefetched); wait for the recorded results.
    let done = wait_until(Duration::from_secs(10), || async {
        fx.db.processed_count().await == 3
    })
    .await;
    assert!(done, "not every job was handled");
    worker.stop().await;

    // Acked, not merely delivered: after the worker's channel closed nothing came back.
    assert_eq!(fx.broker.message_count(&topology.jobs_queue()).await, 0);
    assert_eq!(fx.broker.message_count(&topology.parking_queue()).await, 0);
    assert_eq!(fx.db.processed_count().await, 3);
    assert_eq!(fx.emails().len(), 3);
    fx.cleanup().await;
}

#[tokio::test]
async fn undecodable_messages_are_parked() {
    let fx = Fixture::new().await;
    let topology = fx.broker.topology.clone();

    let worker = fx.spawn_worker(&[]);
    worker.wait_consuming().await;

    fx.broker
        .publish_raw(&topology.jobs_exchange(), "send_welcome_email", b"not json")
        .await;
    let mut unknown_kind = serde_json::to_value(JobEnvelope::new(
        Uuid::new_v4(),
        Job::SendWelcomeEmail {
            user_id: Uuid::new_v4(),
        },
        chrono::Utc::now(),
    ))
    .unwrap();
    unknown_kind["job"]["kind"] = "launch_rockets".into();
    let mut newer = unknown_kind.clone();
    newer["job"]["kind"] = "send_welcome_email".into();
    newer["version"] = (ENVELOPE_VERSION + 1).into();
    for body in [unknown_kind, newer] {
        fx.broker
            .publish_raw(
                &topology.jobs_exchange(),
                "x",
                &serde_json::to_vec(&body).unwrap(),
            )
            .await;
    }

    fx.broker
        .wait_for_count(&topology.parking_queue(), 3, Duration::from_secs(10))
        .await;
    assert_eq!(fx.broker.message_count(&topology.jobs_queue()).await, 0);
    let metrics = crate::helpers::metrics_text(worker.health_addr).await;
    assert_eq!(
        crate::helpers::metric(&metrics, "asyncstand_jobs_undecodable_total"),
        3
    );

    worker.stop().await;
    fx.cleanup().await;
}

#[tokio::test]
async fn healthz_is_503_while_rabbitmq_is_unreachable_and_shutdown_still_works() {
    let fx = Fixture::without_topology().await;
    // Port 1: nothing listens there, so the worker keeps retrying to connect.
    let unreachable = AMQP_URL.replace(":5672", ":1");
    let worker = fx.spawn_worker(&[("AMQP_URL", &unreachable)]);
    let answered = wait_until(Duration::from_secs(5), || async {
        healthz(worker.health_addr).await.is_some()
    })
    .await;
    assert!(answered);
    let (status, body) = healthz(worker.health_addr).await.unwrap();
    assert_eq!(status, 503);
    assert_eq!(
        body,
        serde_json::json!({"status": "unavailable", "rabbitmq": "down"})
    );
    worker.stop().await;
    fx.cleanup().await;
}

#[tokio::test]
async fn the_worker_reconnects_and_resubscribes_after_the_connection_drops() {
    let fx = Fixture::new().await;
    let topology = fx.broker.topology.clone();
    let org = fx.db.organization("Acme").await;
    let user_id = fx.db.user(org, "Ada", "ada@example.com").await;

    let proxy = Proxy::start(([127, 0, 0, 1], 5672).into()).await;
    let url = format!("amqp://guest:guest@{}/%2f", proxy.addr);
    let worker = fx.spawn_worker(&[("AMQP_URL", &url)]);
    worker.wait_consuming().await;

    // The broker "goes down": connections drop and new ones fail for a while.
    proxy.refuse(true);
    proxy.cut();
    let down = wait_until(Duration::from_secs(10), || async {
        matches!(healthz(worker.health_addr).await, Some((503, _)))
    })
    .await;
    assert!(
        down,
        "/healthz kept answering 200 after the connection dropped"
    );
    fx.broker
        .publish_job(Job::SendWelcomeEmail { user_id })
        .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(fx.broker.message_count(&topology.jobs_queue()).await, 1);

    // It comes back: the same worker reconnects, resubscribes and drains the queue.
    // An empty queue only means delivered; the job is done once its row is recorded.
    proxy.refuse(false);
    worker.wait_consuming().await;
    let done = wait_until(Duration::from_secs(10), || async {
        fx.db.processed_count().await == 1
    })
    .await;
    assert!(
        done,
        "the job published during the outage was never handled"
    );

    worker.stop().await;
    assert_eq!(fx.broker.message_count(&topology.jobs_queue()).await, 0);
    assert_eq!(fx.db.processed_count().await, 1);
    assert_eq!(fx.emails().len(), 1);
    fx.cleanup().await;
}

#[tokio::test]
async fn a_topology_conflict_keeps_the_worker_unhealthy_but_running() {
    let fx = Fixture::without_topology().await;
    let topology = fx.broker.topology.clone();
    // Someone created the jobs queue by hand as a classic queue: declaring it as a
    // quorum queue fails with PRECONDITION_FAILED on every attempt.
    fx.broker
        .channel
        .queue_declare(
            topology.jobs_queue().into(),
            lapin::options::QueueDeclareOptions {
                durable: true,
                ..Default::default()
            },
            lapin::types::FieldTable::default(),
        )
        .await
        .unwrap();

    let worker = fx.spawn_worker(&[]);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (status, _) = healthz(worker.health_addr).await.unwrap();
    assert_eq!(status, 503);
    worker.stop().await;

    fx.cleanup().await;
}
