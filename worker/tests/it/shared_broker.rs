//! Two instances, each with its own database, on one RabbitMQ (issue 15, must-show 4):
//! with the same explicit `AMQP_PREFIX` a worker parks the jobs of the other database
//! (the outbox relay names its database in every envelope) instead of failing them as
//! "user not found"; with the default prefixes (derived from the database) each instance
//! sends its own welcome e-mails, none lost.
use crate::helpers::{Broker, Fixture, metric, metrics_text, wait_until};
use diesel::QueryDsl;
use diesel_async::RunQueryDsl;
use lapin::options::{BasicGetOptions, ConfirmSelectOptions};
use schema::{ids::OrganizationId, jobs::Job, jobs::JobEnvelope};
use schema_server::{
    amqp::Topology,
    db::{PoolOptions, build_pool, tables::failed_jobs},
    settings::derived_amqp_prefix,
};
use std::time::Duration;

/// Writes `n` welcome-e-mail jobs, for `n` new users of `fx`'s database, into its outbox
/// (as a sign-up does); a relay of that database publishes them.
async fn enqueue_welcomes(fx: &Fixture, n: usize) {
    let org = fx.db.organization("Acme").await;
    let mut conn = fx.db.conn().await;
    for i in 0..n {
        let user_id = fx.db.user(org, "Ada", &format!("ada{i}@example.com")).await;
        schema_server::outbox::enqueue(
            &mut conn,
            Some(OrganizationId(org)),
            Job::SendWelcomeEmail { user_id },
            None,
        )
        .await
        .unwrap();
    }
}

async fn failed_count(fx: &Fixture) -> i64 {
    failed_jobs::table
        .count()
        .get_result(&mut fx.db.conn().await)
        .await
        .unwrap()
}

#[tokio::test]
async fn with_one_prefix_a_worker_parks_the_jobs_of_the_other_database() {
    let a = Fixture::new().await;
    let b = Fixture::without_topology().await;
    let shared = [
        ("AMQP_PREFIX", a.prefix.as_str()),
        ("WORKER_SCHEDULER", "0"),
    ];
    // B's worker alone consumes A's prefix; B's own jobs run as usual.
    enqueue_welcomes(&b, 3).await;
    let worker_b = b.spawn_worker(&shared);
    worker_b.wait_consuming().await;
    assert!(
        wait_until(Duration::from_secs(15), || async { b.emails().len() == 3 }).await,
        "B's own welcome e-mails were not sent"
    );

    // A's jobs, published by a relay of A's database (what A's api or worker runs).
    enqueue_welcomes(&a, 4).await;
    let pool = build_pool(&a.db.url, &PoolOptions::default()).unwrap();
    let channel = a.broker.connection.create_channel().await.unwrap();
    channel
        .confirm_select(ConfirmSelectOptions::default())
        .await
        .unwrap();
    let relay = Topology::new(a.prefix.clone()).for_database(a.db.name.clone());
    let relayed = schema_server::outbox::relay_all(&pool, &channel, &relay).await;
    assert_eq!(relayed.sent, 4);

    // B's worker parks them, untouched: no attempt, no retry, no failed_jobs row.
    let parking = a.broker.topology.parking_queue();
    a.broker
        .wait_for_count(&parking, 4, Duration::from_secs(15))
        .await;
    let metrics = metrics_text(worker_b.health_addr).await;
    assert_eq!(metric(&metrics, "asyncstand_jobs_foreign_total"), 4);
    assert_eq!(
        metric(
            &metrics,
            "asyncstand_jobs_retried_total{kind=\"send_welcome_email\"}"
        ),
        0
    );
    assert_eq!(failed_count(&b).await, 0, "B failed A's jobs");
    assert_eq!(b.db.processed_count().await, 3);
    assert_eq!(b.emails().len(), 3);
    worker_b.stop().await;

    // What is parked names A's database, so it can be moved back to A's queue.
    let parked = a
        .broker
        .channel
        .basic_get(parking.as_str().into(), BasicGetOptions { no_ack: true })
        .await
        .unwrap()
        .expect("a parked message");
    let envelope = JobEnvelope::from_json(&parked.delivery.data).unwrap();
    assert_eq!(envelope.database.as_deref(), Some(a.db.name.as_str()));
    assert_eq!(envelope.attempt, 0);
    assert!(a.emails().is_empty());
    b.cleanup().await;
    a.cleanup().await;
}

#[tokio::test]
async fn with_the_default_prefixes_each_instance_sends_its_own_welcome_emails() {
    let a = Fixture::without_topology().await;
    let b = Fixture::without_topology().await;
    // AMQP_PREFIX empty counts as unset: derived from each database's name.
    let unset = [("AMQP_PREFIX", ""), ("WORKER_SCHEDULER", "0")];
    let (settings_a, settings_b) = (a.settings(&unset), b.settings(&unset));
    assert_eq!(settings_a.amqp_prefix, derived_amqp_prefix(&a.db.name));
    assert_ne!(settings_a.amqp_prefix, settings_b.amqp_prefix);
    let worker_a = crate::helpers::TestWorker::spawn(settings_a.clone());
    let worker_b = crate::helpers::TestWorker::spawn(settings_b.clone());
    worker_a.wait_consuming().await;
    worker_b.wait_consuming().await;

    let n = 20;
    enqueue_welcomes(&a, n).await;
    enqueue_welcomes(&b, n).await;
    let all_sent = wait_until(Duration::from_secs(30), || async {
        a.emails().len() == n && b.emails().len() == n
    })
    .await;
    assert!(
        all_sent,
        "e-mails: A {} of {n}, B {} of {n}",
        a.emails().len(),
        b.emails().len()
    );
    for fx in [&a, &b] {
        assert_eq!(fx.db.processed_count().await, n as i64);
        assert_eq!(failed_count(fx).await, 0);
    }
    for (worker, fx) in [(&worker_a, &a), (&worker_b, &b)] {
        let metrics = metrics_text(worker.health_addr).await;
        assert_eq!(
            metric(&metrics, "asyncstand_jobs_foreign_total"),
            0,
            "{}",
            fx.db.name
        );
    }
    worker_a.stop().await;
    worker_b.stop().await;
    for settings in [settings_a, settings_b] {
        Broker::connect(&settings.amqp_prefix).await.cleanup().await;
    }
    a.cleanup().await;
    b.cleanup().await;
}
