//! Jobs waiting together run in one transaction; a failing job in a batch only fails
//! itself, and a duplicate in a batch has no second effect.

use crate::helpers::{Fixture, metric, metrics_text, wait_until};
use diesel::{ExpressionMethods, QueryDsl};
use diesel_async::RunQueryDsl;
use schema::jobs::{Job, JobEnvelope};
use schema_server::db::tables::{failed_jobs, processed_jobs};
use std::time::Duration;
use uuid::Uuid;

fn welcome(user_id: Uuid, org: Uuid) -> JobEnvelope {
    JobEnvelope::new(
        Uuid::new_v4(),
        Job::SendWelcomeEmail { user_id },
        chrono::Utc::now(),
    )
    .for_organization(org)
}

#[tokio::test]
async fn waiting_jobs_run_in_batches_and_a_poison_job_only_fails_itself() {
    let fx = Fixture::new().await;
    let org = fx.db.organization("Acme").await;
    let users = fx.db.users(50).await;
    let (first, second) = users.split_at(40);

    // 40 jobs and a second delivery of one of them, all queued before the worker starts.
    let envelopes: Vec<JobEnvelope> = first.iter().map(|user| welcome(*user, org)).collect();
    for envelope in &envelopes {
        fx.broker.publish_envelope(envelope).await;
    }
    fx.broker.publish_envelope(&envelopes[7]).await;
    let worker = fx.spawn_worker(&[
        ("WORKER_CONCURRENCY", "1"),
        ("WORKER_BATCH_SIZE", "64"),
        ("WORKER_MAX_ATTEMPTS", "1"),
    ]);
    assert!(
        wait_until(Duration::from_secs(20), || async {
            fx.db.processed_count().await == 40
        })
        .await,
        "the first 40 jobs were not processed"
    );
    // processed_at is now() of the job's transaction: far fewer transactions than jobs.
    let transactions = processed_jobs::table
        .select(processed_jobs::processed_at)
        .load::<chrono::DateTime<chrono::Utc>>(&mut fx.db.conn().await)
        .await
        .unwrap()
        .into_iter()
        .collect::<std::collections::HashSet<_>>()
        .len();
    assert!(transactions < 10, "{transactions} transactions for 40 jobs");

    // 10 more jobs and a poison one (no such user) in the same batch.
    let mut more: Vec<JobEnvelope> = second.iter().map(|user| welcome(*user, org)).collect();
    let poison = welcome(Uuid::new_v4(), org);
    more.insert(5, poison.clone());
    for envelope in &more {
        fx.broker.publish_envelope(envelope).await;
    }
    assert!(
        wait_until(Duration::from_secs(20), || async {
            let failed: i64 = failed_jobs::table
                .filter(failed_jobs::id.eq(poison.id))
                .count()
                .get_result(&mut fx.db.conn().await)
                .await
                .unwrap();
            fx.db.processed_count().await == 50 && failed == 1
        })
        .await,
        "the good jobs were not all processed, or the poison job was not dead-lettered"
    );

    let emails = fx.emails();
    assert_eq!(emails.len(), 50);
    for envelope in envelopes.iter().chain(more.iter()) {
        let name = format!("{}.eml", envelope.id);
        assert_eq!(
            emails.iter().any(|(file, _)| *file == name),
            envelope.id != poison.id,
            "{name}"
        );
    }
    let metrics = metrics_text(worker.health_addr).await;
    let kind = "{kind=\"send_welcome_email\"}";
    assert_eq!(
        metric(&metrics, &format!("asyncstand_jobs_succeeded_total{kind}")),
        50
    );
    assert_eq!(metric(&metrics, "asyncstand_jobs_duplicate_total"), 1);
    assert_eq!(
        metric(
            &metrics,
            &format!("asyncstand_jobs_dead_lettered_total{kind}")
        ),
        1
    );

    worker.stop().await;
    fx.cleanup().await;
}

#[tokio::test]
async fn notify_standup_jobs_run_in_batches_and_mail_each_participant_once() {
    use diesel::sql_types::{Array, Text, Uuid as SqlUuid};
    let fx = Fixture::new().await;
    let org = fx.db.organization("Acme").await;
    let mut people = Vec::new();
    for i in 0..3 {
        people.push(
            fx.db
                .user(org, &format!("P{i}"), &format!("p{i}@batch.example"))
                .await,
        );
    }
    let team = Uuid::new_v4();
    let mut conn = fx.db.conn().await;
    diesel::sql_query("INSERT INTO teams (id, org_id, name, timezone) VALUES ($1, $2, 'T', 'UTC')")
        .bind::<SqlUuid, _>(team)
        .bind::<SqlUuid, _>(org)
        .execute(&mut conn)
        .await
        .unwrap();
    // Standups a and b are open, c is closed; the same three people in each.
    let (a, b, c) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    diesel::sql_query(
        "WITH s AS (
             INSERT INTO standups (id, org_id, team_id, name, scheduled_for, local_date,
                 timezone, closes_at, state, closed_at, questions, delivery)
             SELECT id, $2, $3, 'Daily', now(), current_date, 'UTC', now() + interval '1 hour',
                 state, CASE WHEN state = 'CLOSED' THEN now() END,
                 '[{\"id\": \"00000000-0000-4000-8000-000000000001\", \"prompt\": \"What?\", \"kind\": \"TEXT\", \"required\": true}]',
                 '{EMAIL}'
             FROM unnest($1::uuid[], $5::text[]) AS x (id, state)
             RETURNING id
         )
         INSERT INTO participations (standup_id, user_id, org_id)
         SELECT s.id, u, $2 FROM s, unnest($4::uuid[]) AS u",
    )
    .bind::<Array<SqlUuid>, _>(vec![a, b, c])
    .bind::<SqlUuid, _>(org)
    .bind::<SqlUuid, _>(team)
    .bind::<Array<SqlUuid>, _>(&people)
    .bind::<Array<Text>, _>(vec!["OPEN", "OPEN", "CLOSED"])
    .execute(&mut conn)
    .await
    .unwrap();

    let notify = |standup_id| {
        JobEnvelope::new(
            Uuid::new_v4(),
            Job::NotifyStandup { standup_id },
            chrono::Utc::now(),
        )
        .for_organization(org)
    };
    // a's job delivered twice, a second job for a, one for b, one for the closed c.
    let (first_a, second_a, for_b, for_c) = (notify(a), notify(a), notify(b), notify(c));
    for envelope in [&first_a, &first_a, &second_a, &for_b, &for_c] {
        fx.broker.publish_envelope(envelope).await;
    }
    let worker = fx.spawn_worker(&[("WORKER_CONCURRENCY", "1"), ("WORKER_BATCH_SIZE", "64")]);
    assert!(
        wait_until(Duration::from_secs(20), || async {
            fx.db.processed_count().await == 4
        })
        .await,
        "the four notify jobs were not processed"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;

    // Each participant of a and b once, from the first job naming the standup.
    let mut names: Vec<String> = fx.emails().into_iter().map(|(name, _)| name).collect();
    names.sort();
    let mut expected: Vec<String> = [(&first_a, &people), (&for_b, &people)]
        .into_iter()
        .flat_map(|(job, people)| {
            people.iter().map(|user| {
                format!(
                    "{}.eml",
                    worker::jobs::email_id(job.id, schema::ids::UserId(*user))
                )
            })
        })
        .collect();
    expected.sort();
    assert_eq!(names, expected);
    let unnotified: Vec<Uuid> = schema_server::db::tables::participations::table
        .filter(schema_server::db::tables::participations::notified_at.is_null())
        .select(schema_server::db::tables::participations::standup_id)
        .load(&mut conn)
        .await
        .unwrap();
    assert_eq!(unnotified, vec![c; 3]);
    let metrics = metrics_text(worker.health_addr).await;
    assert_eq!(
        metric(
            &metrics,
            "asyncstand_jobs_succeeded_total{kind=\"notify_standup\"}"
        ),
        4
    );
    assert_eq!(metric(&metrics, "asyncstand_jobs_duplicate_total"), 1);

    worker.stop().await;
    fx.cleanup().await;
}
