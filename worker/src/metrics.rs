//! Job counters, served as Prometheus text at `GET /metrics` on the health port.
//! Plain atomics: recording a job costs a few relaxed increments.

use schema::jobs::Job;
use std::{
    fmt::Write as _,
    sync::atomic::{AtomicU64, Ordering},
    time::Duration,
};

const KINDS: usize = Job::KINDS.len();

/// What the worker has done since it started. Shared behind an `Arc`.
#[derive(Debug)]
pub struct Metrics {
    succeeded: [AtomicU64; KINDS],
    retried: [AtomicU64; KINDS],
    deferred: [AtomicU64; KINDS],
    dead_lettered: [AtomicU64; KINDS],
    duplicate: AtomicU64,
    undecodable: AtomicU64,
    foreign: AtomicU64,
    duration_micros: AtomicU64,
    handled: AtomicU64,
    scheduler_leader: AtomicU64,
    standups_opened: AtomicU64,
    standups_reminded: AtomicU64,
    standups_closed: AtomicU64,
}

impl Default for Metrics {
    fn default() -> Self {
        Self {
            succeeded: std::array::from_fn(|_| AtomicU64::new(0)),
            retried: std::array::from_fn(|_| AtomicU64::new(0)),
            deferred: std::array::from_fn(|_| AtomicU64::new(0)),
            dead_lettered: std::array::from_fn(|_| AtomicU64::new(0)),
            duplicate: AtomicU64::new(0),
            undecodable: AtomicU64::new(0),
            foreign: AtomicU64::new(0),
            duration_micros: AtomicU64::new(0),
            handled: AtomicU64::new(0),
            scheduler_leader: AtomicU64::new(0),
            standups_opened: AtomicU64::new(0),
            standups_reminded: AtomicU64::new(0),
            standups_closed: AtomicU64::new(0),
        }
    }
}

fn index(kind: &str) -> usize {
    Job::KINDS.iter().position(|k| *k == kind).unwrap_or(0)
}

fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

impl Metrics {
    /// A job ran its handler (whatever the outcome) for `elapsed`.
    pub fn observe_duration(&self, elapsed: Duration) {
        let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        self.duration_micros.fetch_add(micros, Ordering::Relaxed);
        bump(&self.handled);
    }

    pub fn succeeded(&self, kind: &str) {
        bump(&self.succeeded[index(kind)]);
    }

    pub fn retried(&self, kind: &str) {
        bump(&self.retried[index(kind)]);
    }

    /// A job sent back to wait (Slack's `Retry-After`) without using up an attempt.
    pub fn deferred(&self, kind: &str) {
        bump(&self.deferred[index(kind)]);
    }

    pub fn dead_lettered(&self, kind: &str) {
        bump(&self.dead_lettered[index(kind)]);
    }

    /// A delivery of a job that had already been processed (no second effect).
    pub fn duplicate(&self) {
        bump(&self.duplicate);
    }

    /// A message that is not a job this build understands (parked by reject).
    pub fn undecodable(&self) {
        bump(&self.undecodable);
    }

    /// A job of another database (an instance sharing the broker and prefix), parked.
    pub fn foreign(&self) {
        bump(&self.foreign);
    }

    /// Whether this process's scheduler holds the leader lock.
    pub fn set_scheduler_leader(&self, leading: bool) {
        self.scheduler_leader
            .store(u64::from(leading), Ordering::Relaxed);
    }

    /// The scheduler opened, reminded or closed `n` standups.
    pub fn standups_opened(&self, n: usize) {
        self.standups_opened.fetch_add(n as u64, Ordering::Relaxed);
    }

    pub fn standups_reminded(&self, n: usize) {
        self.standups_reminded
            .fetch_add(n as u64, Ordering::Relaxed);
    }

    pub fn standups_closed(&self, n: usize) {
        self.standups_closed.fetch_add(n as u64, Ordering::Relaxed);
    }

    /// The counters in the Prometheus text exposition format (version 0.0.4).
    #[must_use]
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(2048);
        let per_kind = [
            (
                "asyncstand_jobs_succeeded_total",
                "Jobs whose handler committed its effect.",
                &self.succeeded,
            ),
            (
                "asyncstand_jobs_retried_total",
                "Failed jobs sent to a delay queue for another attempt.",
                &self.retried,
            ),
            (
                "asyncstand_jobs_deferred_total",
                "Jobs sent back to wait (Slack's Retry-After) without using up an attempt.",
                &self.deferred,
            ),
            (
                "asyncstand_jobs_dead_lettered_total",
                "Jobs that failed every attempt, recorded in failed_jobs and parked.",
                &self.dead_lettered,
            ),
        ];
        for (name, help, counters) in per_kind {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
            for (kind, counter) in Job::KINDS.iter().zip(counters) {
                let _ = writeln!(
                    out,
                    "{name}{{kind=\"{kind}\"}} {}",
                    counter.load(Ordering::Relaxed)
                );
            }
        }
        for (name, help, counter) in [
            (
                "asyncstand_jobs_duplicate_total",
                "Deliveries of jobs already processed, acknowledged without effect.",
                &self.duplicate,
            ),
            (
                "asyncstand_jobs_undecodable_total",
                "Messages that are not a job this worker understands, parked.",
                &self.undecodable,
            ),
            (
                "asyncstand_jobs_foreign_total",
                "Jobs of another database (an instance sharing the broker and AMQP_PREFIX), parked.",
                &self.foreign,
            ),
            (
                "asyncstand_scheduler_standups_opened_total",
                "Standups this process's scheduler opened.",
                &self.standups_opened,
            ),
            (
                "asyncstand_scheduler_reminders_total",
                "Standups whose reminder this process's scheduler enqueued.",
                &self.standups_reminded,
            ),
            (
                "asyncstand_scheduler_standups_closed_total",
                "Standups this process's scheduler closed at their deadline.",
                &self.standups_closed,
            ),
        ] {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}",
                counter.load(Ordering::Relaxed)
            );
        }
        let name = "asyncstand_scheduler_leader";
        let _ = writeln!(
            out,
            "# HELP {name} 1 while this process's scheduler holds the leader lock.\n# TYPE {name} gauge\n{name} {}",
            self.scheduler_leader.load(Ordering::Relaxed)
        );
        #[allow(clippy::cast_precision_loss)] // microseconds as f64 seconds: exact to 2^53 µs
        let seconds = self.duration_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let name = "asyncstand_job_duration_seconds";
        let _ = writeln!(
            out,
            "# HELP {name} Time spent in job handlers.\n# TYPE {name} summary\n{name}_sum {seconds}\n{name}_count {}",
            self.handled.load(Ordering::Relaxed)
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_per_kind() {
        let metrics = Metrics::default();
        metrics.succeeded("send_welcome_email");
        metrics.succeeded("send_welcome_email");
        metrics.retried("send_password_reset");
        metrics.dead_lettered("send_password_reset");
        metrics.duplicate();
        metrics.observe_duration(Duration::from_millis(1500));
        metrics.observe_duration(Duration::from_millis(500));
        let text = metrics.render();
        for line in [
            "# TYPE asyncstand_jobs_succeeded_total counter",
            "asyncstand_jobs_succeeded_total{kind=\"send_welcome_email\"} 2",
            "asyncstand_jobs_succeeded_total{kind=\"send_password_reset\"} 0",
            "asyncstand_jobs_retried_total{kind=\"send_password_reset\"} 1",
            "asyncstand_jobs_dead_lettered_total{kind=\"send_password_reset\"} 1",
            "asyncstand_jobs_duplicate_total 1",
            "asyncstand_jobs_undecodable_total 0",
            "# TYPE asyncstand_job_duration_seconds summary",
            "asyncstand_job_duration_seconds_sum 2",
            "asyncstand_job_duration_seconds_count 2",
        ] {
            assert!(
                text.lines().any(|l| l == line),
                "missing {line:?} in\n{text}"
            );
        }
    }
}
