//! E-mail jobs end to end: the real worker, PostgreSQL, RabbitMQ and the file mailer.

use crate::helpers::{Fixture, header, metric, metrics_text, part, wait_until};
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use diesel::{ExpressionMethods, QueryDsl};
use diesel_async::RunQueryDsl;
use schema::jobs::{Job, JobEnvelope};
use schema_server::db::tables::{password_resets, processed_jobs, users};
use sha2::{Digest, Sha256};
use std::time::Duration;
use uuid::Uuid;

type Timestamp = chrono::DateTime<chrono::Utc>;

#[tokio::test]
async fn a_welcome_job_sends_one_email_even_when_delivered_twice() {
    let fx = Fixture::new().await;
    let org = fx.db.organization("Acme & Co").await;
    let user_id = fx.db.user(org, "Ada Lovelace", "ada@example.com").await;
    let worker = fx.spawn_worker(&[]);
    worker.wait_consuming().await;

    let envelope = JobEnvelope::new(
        Uuid::new_v4(),
        Job::SendWelcomeEmail { user_id },
        chrono::Utc::now(),
    )
    .for_organization(org);
    fx.broker.publish_envelope(&envelope).await;
    let sent = wait_until(Duration::from_secs(10), || async { fx.emails().len() == 1 }).await;
    assert!(sent, "no e-mail written");

    // The same envelope again (a redelivery, or the outbox relay publishing twice).
    fx.broker.publish_envelope(&envelope).await;
    let counted = wait_until(Duration::from_secs(10), || async {
        metric(
            &metrics_text(worker.health_addr).await,
            "asyncstand_jobs_duplicate_total",
        ) == 1
    })
    .await;
    assert!(
        counted,
        "the second delivery was not counted as a duplicate"
    );
    let metrics = metrics_text(worker.health_addr).await;
    assert_eq!(
        metric(
            &metrics,
            "asyncstand_jobs_succeeded_total{kind=\"send_welcome_email\"}"
        ),
        1
    );
    assert_eq!(metric(&metrics, "asyncstand_job_duration_seconds_count"), 2);
    worker.stop().await;

    let emails = fx.emails();
    assert_eq!(emails.len(), 1, "{emails:?}");
    let (name, eml) = &emails[0];
    assert_eq!(name, &format!("{}.eml", envelope.id));
    assert_eq!(
        header(eml, "Message-ID"),
        Some(format!("<{}@asyncstand>", envelope.id).as_str())
    );
    assert!(header(eml, "To").unwrap().contains("<ada@example.com>"));
    assert!(header(eml, "To").unwrap().contains("Ada Lovelace"));
    assert_eq!(header(eml, "From"), Some("AsyncStand <no-reply@localhost>"));
    assert!(
        header(eml, "Content-Type")
            .unwrap()
            .starts_with("multipart/alternative")
    );
    let text = part(eml, "text/plain").expect("a text/plain part");
    let html = part(eml, "text/html").expect("a text/html part");
    assert!(text.contains("Hi Ada Lovelace,"), "{text}");
    assert!(text.contains("Acme & Co is ready"), "{text}");
    assert!(text.contains("https://standup.example.com/"), "{text}");
    assert!(html.contains("Acme &amp; Co is ready"), "{html}");
    assert!(
        html.contains("href=\"https://standup.example.com/\""),
        "{html}"
    );

    let rows: Vec<(Uuid, String)> = processed_jobs::table
        .select((processed_jobs::job_id, processed_jobs::kind))
        .load(&mut fx.db.conn().await)
        .await
        .unwrap();
    assert_eq!(rows, [(envelope.id, "send_welcome_email".to_owned())]);
    fx.cleanup().await;
}

/// How many of the e-mails written so far go to `address`.
fn emails_to(fx: &Fixture, address: &str) -> usize {
    fx.emails()
        .iter()
        .filter(|(_, eml)| header(eml, "To").is_some_and(|to| to.contains(address)))
        .count()
}

/// Publishes `jobs`, runs a worker with `settings` until `processed` jobs are recorded
/// in all, and stops it.
async fn run_jobs(fx: &Fixture, settings: &[(&str, &str)], jobs: &[JobEnvelope], processed: i64) {
    for job in jobs {
        fx.broker.publish_envelope(job).await;
    }
    let worker = fx.spawn_worker(settings);
    worker.wait_consuming().await;
    let done = wait_until(Duration::from_secs(10), || async {
        fx.db.processed_count().await == processed
    })
    .await;
    assert!(done, "not every job ran");
    worker.stop().await;
}

#[tokio::test]
async fn an_address_gets_one_welcome_email_however_many_jobs_name_it() {
    let fx = Fixture::new().await;
    let org = fx.db.organization("Acme").await;
    let ada = fx.db.user(org, "Ada", "ada@example.com").await;
    let bob = fx.db.user(org, "Bob", "bob@example.com").await;
    let welcome = |user_id| {
        JobEnvelope::new(
            Uuid::new_v4(),
            Job::SendWelcomeEmail { user_id },
            chrono::Utc::now(),
        )
        .for_organization(org)
    };

    // Three different jobs for Ada and one for Bob, waiting together (a batch).
    let batch = [welcome(ada), welcome(ada), welcome(bob), welcome(ada)];
    run_jobs(&fx, &[], &batch, 4).await;
    assert_eq!(emails_to(&fx, "ada@example.com"), 1, "{:?}", fx.emails());
    assert_eq!(emails_to(&fx, "bob@example.com"), 1);

    // Another job later, one job per transaction: still none.
    let one_by_one = [("WORKER_BATCH_SIZE", "1")];
    run_jobs(&fx, &one_by_one, &[welcome(ada)], 5).await;
    assert_eq!(emails_to(&fx, "ada@example.com"), 1, "{:?}", fx.emails());

    // A new account with the address of one that was welcomed and then deleted.
    diesel::delete(users::table.filter(users::id.eq(bob)))
        .execute(&mut fx.db.conn().await)
        .await
        .unwrap();
    let bob_again = fx.db.user(org, "Robert", "bob@example.com").await;
    run_jobs(&fx, &one_by_one, &[welcome(bob_again)], 6).await;
    assert_eq!(emails_to(&fx, "bob@example.com"), 1, "{:?}", fx.emails());
    fx.cleanup().await;
}

#[tokio::test]
async fn a_password_reset_job_mails_a_link_whose_token_hashes_to_the_stored_row() {
    let fx = Fixture::new().await;
    let org = fx.db.organization("Acme").await;
    let user_id = fx.db.user(org, "Grace", "grace@example.com").await;
    let worker = fx.spawn_worker(&[]);
    worker.wait_consuming().await;

    let envelope = fx
        .broker
        .publish_job(Job::SendPasswordReset { user_id })
        .await;
    let sent = wait_until(Duration::from_secs(10), || async { fx.emails().len() == 1 }).await;
    assert!(sent, "no e-mail written");
    worker.stop().await;

    let (name, eml) = &fx.emails()[0];
    assert_eq!(name, &format!("{}.eml", envelope.id));
    assert!(header(eml, "To").unwrap().contains("<grace@example.com>"));
    let text = part(eml, "text/plain").unwrap();
    let html = part(eml, "text/html").unwrap();
    let prefix = "https://standup.example.com/reset-password?token=";
    let start = text.find(prefix).expect("a reset link") + prefix.len();
    let token: String = text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    assert_eq!(URL_SAFE_NO_PAD.decode(&token).unwrap().len(), 32);
    assert!(html.contains(&format!("{prefix}{token}")), "{html}");

    type Row = (Vec<u8>, Uuid, Timestamp, Option<Timestamp>);
    let rows: Vec<Row> = password_resets::table
        .select((
            password_resets::token_hash,
            password_resets::user_id,
            password_resets::expires_at,
            password_resets::used_at,
        ))
        .load(&mut fx.db.conn().await)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    let (hash, owner, expires_at, used_at) = &rows[0];
    assert_eq!(*hash, Sha256::digest(token.as_bytes()).to_vec());
    assert_eq!(*owner, user_id);
    assert!(used_at.is_none());
    let lifetime = *expires_at - chrono::Utc::now();
    assert!(
        lifetime > chrono::TimeDelta::minutes(58) && lifetime <= chrono::TimeDelta::hours(1),
        "{lifetime}"
    );
    // The api's resetPassword consumes it once.
    let mut conn = fx.db.conn().await;
    let hash = Sha256::digest(token.as_bytes()).to_vec();
    assert_eq!(
        schema_server::db::password_resets::consume(&mut conn, &hash)
            .await
            .unwrap(),
        Some(schema::ids::UserId(user_id))
    );
    assert_eq!(
        schema_server::db::password_resets::consume(&mut conn, &hash)
            .await
            .unwrap(),
        None
    );
    let unused: i64 = password_resets::table
        .filter(password_resets::used_at.is_null())
        .count()
        .get_result(&mut conn)
        .await
        .unwrap();
    assert_eq!(unused, 0);
    drop(conn);
    fx.cleanup().await;
}
