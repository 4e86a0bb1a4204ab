//! Worker throughput: fills a queue with `BENCH_JOBS` welcome jobs (one per real user),
//! starts the worker in this process and measures how fast it drains them (every job a
//! transaction with its idempotency record, a user lookup and an `.eml` file).
//!
//! ```sh
//! cargo run --release -p worker --example drain
//! BENCH_JOBS=50000 WORKER_CONCURRENCY=128 DATABASE_POOL_SIZE=48 cargo run --release -p worker --example drain
//! ```
//!
//! Uses its own database (`asyncstand_wbench_<pid>`), AMQP prefix and mail directory, and
//! removes them afterwards. Every `WORKER_*`, `DATABASE_POOL_SIZE` and `AMQP_URL` variable
//! of the environment is passed to the worker.

use anyhow::Context as _;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use lapin::options::ConfirmSelectOptions;
use schema::jobs::{Job, JobEnvelope};
use schema_server::{
    amqp::Topology,
    db::{jobs as processed, testing},
};
use std::time::{Duration, Instant};
use uuid::Uuid;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let jobs: usize = std::env::var("BENCH_JOBS")
        .ok()
        .map(|n| n.parse())
        .transpose()
        .context("BENCH_JOBS")?
        .unwrap_or(20_000);
    let base = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/asyncstand".into());
    let amqp_url = std::env::var("AMQP_URL")
        .unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".into());
    let name = format!("asyncstand_wbench_{}", std::process::id());
    let url = schema_server::db::with_database(&base, &name)?;
    schema_server::db::ensure_database(&url).await?;
    schema_server::db::run_migrations(&url).await?;
    let mut conn = AsyncPgConnection::establish(&url).await?;
    let user_ids = testing::insert_bench_users(&mut conn, i32::try_from(jobs)?).await?;

    let prefix = format!("bench-{}", Uuid::new_v4().simple());
    let topology = Topology::new(prefix.clone());
    let connection = schema_server::amqp::connect(&amqp_url, "worker drain benchmark").await?;
    let channel = connection.create_channel().await?;
    topology.declare(&channel).await?;
    channel
        .confirm_select(ConfirmSelectOptions::default())
        .await?;
    let started = Instant::now();
    let mut confirms = Vec::with_capacity(jobs);
    for user_id in &user_ids {
        let envelope = JobEnvelope::new(
            Uuid::new_v4(),
            Job::SendWelcomeEmail {
                user_id: user_id.as_uuid(),
            },
            chrono::Utc::now(),
        );
        confirms.push(topology.publish_job(&channel, &envelope).await?);
    }
    for confirm in confirms {
        confirm.await?;
    }
    println!(
        "published {jobs} jobs with confirms in {:.2}s",
        started.elapsed().as_secs_f64()
    );

    let mail_dir = std::env::temp_dir().join(format!("{name}-mail"));
    let mail_url = format!("file://{}", mail_dir.display());
    let overrides = [
        ("DATABASE_URL", url.clone()),
        ("AMQP_URL", amqp_url.clone()),
        ("AMQP_PREFIX", prefix.clone()),
        ("MAIL_URL", mail_url),
        ("WORKER_HEALTH_BIND", "127.0.0.1:0".into()),
        ("RUST_LOG", "warn".into()),
    ];
    let settings = worker::Settings::from_lookup(|key| {
        overrides
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.clone())
            .or_else(|| std::env::var(key).ok())
    })?;
    println!(
        "worker: prefetch {}, concurrency {}, pool {}",
        settings.prefetch, settings.concurrency, settings.database_pool_size
    );
    worker::telemetry::init(&settings)?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let started = Instant::now();
    let task = tokio::spawn(worker::run(settings, async move {
        let _ = stopped.await;
    }));
    let expected = i64::try_from(jobs)?;
    loop {
        let done = processed::count_processed(&mut conn).await?;
        if done >= expected {
            break;
        }
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(600),
            "only {done} of {jobs} jobs after 10 minutes"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let wall = started.elapsed().as_secs_f64();
    let seconds = processed::processed_span_seconds(&mut conn).await?;
    #[allow(clippy::cast_precision_loss)]
    let n = jobs as f64;
    println!(
        "drained {jobs} jobs: {:.0} jobs/s between the first and the last commit ({:.2}s), {:.0} jobs/s including start-up ({wall:.2}s)",
        n / seconds.max(1e-9),
        seconds,
        n / wall
    );

    let _ = stop.send(());
    task.await??;
    topology.delete(&channel).await?;
    drop(conn);
    testing::drop_database(&name).await?;
    std::fs::remove_dir_all(&mail_dir).ok();
    Ok(())
}
