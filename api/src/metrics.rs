//! Prometheus counters of the api process, rendered at `/metrics`.

use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Clone, Default)]
pub struct Metrics {
    inner: Arc<Counters>,
}

#[derive(Default)]
struct Counters {
    jobs_published: AtomicU64,
    publish_failures: AtomicU64,
}

impl Metrics {
    pub fn published(&self, n: u64) {
        self.inner.jobs_published.fetch_add(n, Ordering::Relaxed);
    }

    pub fn publish_failed(&self, n: u64) {
        self.inner.publish_failures.fetch_add(n, Ordering::Relaxed);
    }

    pub fn jobs_published(&self) -> u64 {
        self.inner.jobs_published.load(Ordering::Relaxed)
    }

    /// The text exposition format; `outbox_backlog` is read from the database by the caller.
    pub fn render(&self, outbox_backlog: Option<i64>) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP asyncstand_jobs_published_total Jobs published to RabbitMQ and confirmed."
        );
        let _ = writeln!(out, "# TYPE asyncstand_jobs_published_total counter");
        let _ = writeln!(
            out,
            "asyncstand_jobs_published_total {}",
            self.jobs_published()
        );
        let _ = writeln!(
            out,
            "# HELP asyncstand_jobs_publish_failures_total Jobs the broker did not confirm (retried later)."
        );
        let _ = writeln!(out, "# TYPE asyncstand_jobs_publish_failures_total counter");
        let _ = writeln!(
            out,
            "asyncstand_jobs_publish_failures_total {}",
            self.inner.publish_failures.load(Ordering::Relaxed)
        );
        if let Some(backlog) = outbox_backlog {
            let _ = writeln!(
                out,
                "# HELP asyncstand_outbox_backlog Outbox rows written but not yet published."
            );
            let _ = writeln!(out, "# TYPE asyncstand_outbox_backlog gauge");
            let _ = writeln!(out, "asyncstand_outbox_backlog {backlog}");
        }
        out
    }
}
