//! The retry ladder and dead-lettering, with a poison job (its user does not exist).

use crate::helpers::{Fixture, metric, metrics_text, wait_until};
use diesel::{ExpressionMethods, QueryDsl};
use diesel_async::RunQueryDsl;
use futures_util::StreamExt;
use lapin::{
    options::{BasicConsumeOptions, QueueBindOptions, QueueDeclareOptions},
    types::{AMQPValue, FieldTable},
};
use schema::jobs::{Job, JobEnvelope};
use schema_server::db::tables::failed_jobs;
use std::time::{Duration, Instant};
use uuid::Uuid;

#[tokio::test]
async fn a_poison_job_is_retried_with_growing_delays_then_recorded_and_parked() {
    let fx = Fixture::new().await;
    let topology = fx.broker.topology.clone();
    let org = fx.db.organization("Acme").await;

    // A spy queue receives a copy of every retry and parking publish, with its time.
    let spy = fx.broker.connection.create_channel().await.unwrap();
    let spy_queue = spy
        .queue_declare(
            "".into(),
            QueueDeclareOptions {
                exclusive: true,
                auto_delete: true,
                ..QueueDeclareOptions::default()
            },
            FieldTable::default(),
        )
        .await
        .unwrap()
        .name()
        .clone();
    let mut bindings: Vec<(String, String)> = topology
        .retry_delays()
        .iter()
        .map(|delay| (topology.retry_exchange(), delay.name()))
        .collect();
    bindings.push((topology.parking_exchange(), String::new()));
    for (exchange, key) in &bindings {
        spy.queue_bind(
            spy_queue.clone(),
            exchange.as_str().into(),
            key.as_str().into(),
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await
        .unwrap();
    }
    let mut copies = spy
        .basic_consume(
            spy_queue,
            "spy".into(),
            BasicConsumeOptions {
                no_ack: true,
                ..BasicConsumeOptions::default()
            },
            FieldTable::default(),
        )
        .await
        .unwrap();

    let worker = fx.spawn_worker(&[("WORKER_MAX_ATTEMPTS", "4")]);
    worker.wait_consuming().await;
    let poison = JobEnvelope::new(
        Uuid::new_v4(),
        Job::SendWelcomeEmail {
            user_id: Uuid::new_v4(),
        },
        chrono::Utc::now(),
    )
    .for_organization(org);
    fx.broker.publish_envelope(&poison).await;

    // Three retries (attempts 1, 2, 3 after 200, 400, 800 ms) and one parking copy.
    let mut seen: Vec<(Instant, String, u32)> = Vec::new();
    while seen.len() < 4 {
        let delivery = tokio::time::timeout(Duration::from_secs(10), copies.next())
            .await
            .expect("the job stopped moving")
            .unwrap()
            .unwrap();
        let envelope = JobEnvelope::from_json(&delivery.data).unwrap();
        assert_eq!(envelope.id, poison.id);
        assert_eq!(envelope.job, poison.job);
        seen.push((
            Instant::now(),
            delivery.exchange.to_string(),
            envelope.attempt,
        ));
        if delivery.exchange.as_str() == topology.parking_exchange() {
            let headers = delivery.properties.headers().clone().unwrap_or_default();
            let headers = headers.inner();
            assert_eq!(
                headers.get("x-asyncstand-attempts"),
                Some(&AMQPValue::LongUInt(4))
            );
            assert!(matches!(
                headers.get("x-asyncstand-error"),
                Some(AMQPValue::LongString(e)) if e.to_string().contains("not found")
            ));
        }
    }
    let exchanges: Vec<&str> = seen.iter().map(|(_, e, _)| e.as_str()).collect();
    let retry = topology.retry_exchange();
    let parking = topology.parking_exchange();
    assert_eq!(
        exchanges,
        [
            retry.as_str(),
            retry.as_str(),
            retry.as_str(),
            parking.as_str()
        ]
    );
    let attempts: Vec<u32> = seen.iter().map(|(_, _, a)| *a).collect();
    assert_eq!(attempts, [1, 2, 3, 3]);
    let gaps: Vec<Duration> = seen.windows(2).map(|w| w[1].0 - w[0].0).collect();
    for (gap, delay) in gaps.iter().zip([200, 400, 800]) {
        assert!(
            *gap >= Duration::from_millis(delay - 20),
            "gaps {gaps:?}: one is shorter than its delay {delay} ms"
        );
    }
    assert!(
        gaps[0] < gaps[1] && gaps[1] < gaps[2],
        "delays do not grow: {gaps:?}"
    );

    fx.broker
        .wait_for_count(&topology.parking_queue(), 1, Duration::from_secs(5))
        .await;
    let row: (Uuid, Option<Uuid>, String, String, i32, serde_json::Value) = failed_jobs::table
        .filter(failed_jobs::id.eq(poison.id))
        .select((
            failed_jobs::id,
            failed_jobs::org_id,
            failed_jobs::kind,
            failed_jobs::error,
            failed_jobs::attempts,
            failed_jobs::envelope,
        ))
        .first(&mut fx.db.conn().await)
        .await
        .unwrap();
    assert_eq!(row.1, Some(org));
    assert_eq!(row.2, "send_welcome_email");
    assert!(row.3.contains("not found"), "{}", row.3);
    assert_eq!(row.4, 4);
    assert_eq!(
        serde_json::from_value::<JobEnvelope>(row.5).unwrap().job,
        poison.job
    );

    let metrics = metrics_text(worker.health_addr).await;
    let kind = "{kind=\"send_welcome_email\"}";
    assert_eq!(
        metric(&metrics, &format!("asyncstand_jobs_retried_total{kind}")),
        3
    );
    assert_eq!(
        metric(
            &metrics,
            &format!("asyncstand_jobs_dead_lettered_total{kind}")
        ),
        1
    );
    assert_eq!(
        metric(&metrics, &format!("asyncstand_jobs_succeeded_total{kind}")),
        0
    );
    assert!(fx.emails().is_empty());
    assert_eq!(fx.db.processed_count().await, 0);

    worker.stop().await;
    fx.cleanup().await;
}

#[tokio::test]
async fn a_job_of_a_deleted_organization_is_recorded_without_it() {
    let fx = Fixture::new().await;
    let worker = fx.spawn_worker(&[("WORKER_MAX_ATTEMPTS", "1")]);
    worker.wait_consuming().await;
    let poison = JobEnvelope::new(
        Uuid::new_v4(),
        Job::SendPasswordReset {
            user_id: Uuid::new_v4(),
        },
        chrono::Utc::now(),
    )
    .for_organization(Uuid::new_v4());
    fx.broker.publish_envelope(&poison).await;

    let recorded = wait_until(Duration::from_secs(10), || async {
        failed_jobs::table
            .filter(failed_jobs::id.eq(poison.id))
            .select(failed_jobs::org_id)
            .first::<Option<Uuid>>(&mut fx.db.conn().await)
            .await
            .is_ok_and(|org| org.is_none())
    })
    .await;
    assert!(recorded, "no failed_jobs row without organization");
    fx.broker
        .wait_for_count(
            &fx.broker.topology.parking_queue(),
            1,
            Duration::from_secs(5),
        )
        .await;
    let metrics = metrics_text(worker.health_addr).await;
    assert_eq!(
        metric(
            &metrics,
            "asyncstand_jobs_dead_lettered_total{kind=\"send_password_reset\"}"
        ),
        1
    );
    assert_eq!(
        metric(
            &metrics,
            "asyncstand_jobs_retried_total{kind=\"send_password_reset\"}"
        ),
        0
    );
    worker.stop().await;
    fx.cleanup().await;
}
