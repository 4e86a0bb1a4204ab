use crate::helpers::{Broker, unique_prefix};
use schema::jobs::{Job, JobEnvelope};
use std::time::Duration;
use uuid::Uuid;

#[tokio::test]
async fn declare_creates_every_queue_and_routes_jobs_to_the_jobs_queue() {
    let broker = Broker::connect(&unique_prefix()).await;
    let topology = broker.topology.clone();
    topology.declare(&broker.channel).await.unwrap();
    // Idempotent: a second process (or a restart) declares the same thing again.
    topology.declare(&broker.channel).await.unwrap();

    for queue in topology.queues() {
        assert_eq!(broker.message_count(&queue).await, 0, "{queue}");
    }

    let sent = broker
        .publish_job(Job::SendWelcomeEmail {
            user_id: Uuid::new_v4(),
        })
        .await;
    broker
        .wait_for_count(&topology.jobs_queue(), 1, Duration::from_secs(5))
        .await;

    let got = broker
        .channel
        .basic_get(
            topology.jobs_queue().into(),
            lapin::options::BasicGetOptions { no_ack: true },
        )
        .await
        .unwrap()
        .expect("a message");
    assert_eq!(JobEnvelope::from_json(&got.delivery.data).unwrap(), sent);
    assert_eq!(
        got.delivery
            .properties
            .message_id()
            .as_ref()
            .map(|id| id.as_str()),
        Some(sent.id.to_string().as_str())
    );

    broker.cleanup().await;
}

#[tokio::test]
async fn a_delayed_message_comes_back_to_the_jobs_queue() {
    let broker = Broker::connect(&unique_prefix()).await;
    let topology = broker.topology.clone();
    topology.declare(&broker.channel).await.unwrap();

    let delay = *topology.retry_delays().last().unwrap();
    broker
        .publish_raw(&topology.retry_exchange(), &delay.name(), b"{}")
        .await;
    broker
        .wait_for_count(&topology.retry_queue(delay), 1, Duration::from_secs(2))
        .await;
    broker
        .wait_for_count(&topology.jobs_queue(), 1, Duration::from_secs(10))
        .await;
    assert_eq!(broker.message_count(&topology.retry_queue(delay)).await, 0);

    broker.cleanup().await;
}

#[tokio::test]
async fn ladders_declare_side_by_side_and_redeclare_idempotently() {
    let broker = Broker::connect(&unique_prefix()).await;
    let test_ladder = broker.topology.clone();
    let default_ladder = schema_server::amqp::Topology::new(test_ladder.prefix.clone());
    // An api with the default ladder and a worker with another one share a prefix.
    for topology in [&default_ladder, &test_ladder, &default_ladder, &test_ladder] {
        topology.declare(&broker.channel).await.unwrap();
    }
    for queue in default_ladder.queues().iter().chain(&test_ladder.queues()) {
        assert_eq!(broker.message_count(queue).await, 0, "{queue}");
    }
    assert!(
        test_ladder
            .queues()
            .contains(&format!("{}.jobs.retry.200ms", test_ladder.prefix))
    );
    default_ladder.delete(&broker.channel).await.unwrap();
    broker.cleanup().await;
}
