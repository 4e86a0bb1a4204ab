//! `kill -9` of the worker binary in the middle of a batch, then a restart: every job
//! is processed exactly once and every e-mail exists exactly once.

use crate::helpers::{Fixture, base_vars, free_port, header, healthz, metric, wait_until};
use schema::jobs::{Job, JobEnvelope};
use std::{
    collections::{HashMap, HashSet},
    net::SocketAddr,
    process::{Child, Command, Stdio},
    time::Duration,
};
use uuid::Uuid;

const JOBS: usize = 300;

fn spawn_worker(fx: &Fixture, health: SocketAddr) -> Child {
    let output = || {
        if std::env::var_os("TEST_LOG").is_some() {
            Stdio::inherit()
        } else {
            Stdio::null()
        }
    };
    Command::new(env!("CARGO_BIN_EXE_worker"))
        .envs(base_vars())
        .envs(fx.vars())
        .env("WORKER_HEALTH_BIND", health.to_string())
        // Few jobs at a time, so the kill lands in the middle of the batch.
        .env("WORKER_CONCURRENCY", "4")
        .env("WORKER_PREFETCH", "8")
        .env("RUST_LOG", "info")
        .stdout(output())
        .stderr(output())
        .spawn()
        .unwrap()
}

#[tokio::test]
async fn kill_9_mid_batch_then_restart_processes_every_job_exactly_once() {
    let fx = Fixture::new().await;
    let users = fx.db.users(u32::try_from(JOBS).unwrap()).await;
    assert_eq!(users.len(), JOBS);
    let mut recipient_of: HashMap<Uuid, String> = HashMap::new();
    let emails: HashMap<Uuid, String> = {
        use diesel::QueryDsl;
        use diesel_async::RunQueryDsl;
        use schema_server::db::tables::users;
        users::table
            .select((users::id, users::email))
            .load::<(Uuid, String)>(&mut fx.db.conn().await)
            .await
            .unwrap()
            .into_iter()
            .collect()
    };
    for user_id in &users {
        let envelope = JobEnvelope::new(
            Uuid::new_v4(),
            Job::SendWelcomeEmail { user_id: *user_id },
            chrono::Utc::now(),
        );
        recipient_of.insert(envelope.id, emails[user_id].clone());
        fx.broker.publish_envelope(&envelope).await;
    }

    let health: SocketAddr = ([127, 0, 0, 1], free_port()).into();
    let mut first = spawn_worker(&fx, health);
    let started = wait_until(Duration::from_secs(30), || async {
        fx.db.processed_count().await >= 20
    })
    .await;
    if !started {
        let _ = first.kill();
        panic!("the worker processed nothing");
    }
    first.kill().unwrap(); // SIGKILL
    first.wait().unwrap();
    let at_kill = fx.db.processed_count().await;
    assert!(
        usize::try_from(at_kill).unwrap() < JOBS,
        "the worker finished all {JOBS} jobs before it could be killed"
    );

    let mut second = spawn_worker(&fx, health);
    let done = wait_until(Duration::from_secs(60), || async {
        fx.db.processed_count().await == i64::try_from(JOBS).unwrap()
    })
    .await;
    assert!(done, "not every job was processed after the restart");
    fx.broker
        .wait_for_count(&fx.broker.topology.jobs_queue(), 0, Duration::from_secs(10))
        .await;
    assert!(matches!(healthz(health).await, Some((200, _))));
    let text = reqwest::get(format!("http://{health}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let redone = metric(&text, "asyncstand_jobs_duplicate_total");
    Command::new("kill")
        .args(["-TERM", &second.id().to_string()])
        .status()
        .unwrap();
    assert!(second.wait().unwrap().success());

    // Exactly one e-mail per job, to that job's user, and nothing else.
    let written = fx.emails();
    assert_eq!(written.len(), JOBS);
    let mut message_ids = HashSet::new();
    for (name, eml) in &written {
        let job_id: Uuid = name.trim_end_matches(".eml").parse().unwrap();
        let to = header(eml, "To").unwrap();
        assert!(
            to.contains(&format!("<{}>", recipient_of[&job_id])),
            "{name} went to {to}"
        );
        let message_id = header(eml, "Message-ID").unwrap();
        assert_eq!(message_id, format!("<{job_id}@asyncstand>"));
        assert!(
            message_ids.insert(message_id.to_owned()),
            "{message_id} twice"
        );
    }
    assert_eq!(fx.db.processed_count().await, i64::try_from(JOBS).unwrap());
    assert_eq!(
        fx.broker
            .message_count(&fx.broker.topology.parking_queue())
            .await,
        0
    );
    eprintln!(
        "killed after {at_kill} of {JOBS} jobs; after the restart {redone} redelivered jobs were already done"
    );
    fx.cleanup().await;
}
