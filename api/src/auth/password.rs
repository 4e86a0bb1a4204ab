//! Argon2id (m=19456 KiB, t=2, p=1) on a few dedicated threads (`concurrency` of them),
//! so a login storm queues instead of starving the runtime.
//!
//! Dedicated threads rather than the runtime's blocking pool, for reasons measured in
//! docs/benchmarks.md:
//! - Memory: each hash needs 19 MiB of working memory. Allocated per hash (as
//!   `Argon2::hash_password` does), glibc kept most of it in its arenas, and the api
//!   grew by ~19 MB per sign-in up to 860 MB. Each thread here allocates its working
//!   memory once and reuses it, so hashing holds at most `concurrency` x 19 MiB.
//! - Latency: on Linux the threads run under `SCHED_IDLE` (nice [`HASH_THREAD_NICE`] where
//!   that is refused), so a login storm uses the idle CPU without delaying every other
//!   request; when the machine is saturated, sign-ins slow down first.
//!
//! The queue in front of the threads is bounded (`queue` jobs may wait): when it is full a
//! hash is refused with RATE_LIMITED and a retry hint instead of waiting without end, so a
//! flood of sign-ins cannot pile up unbounded work and memory.
//!
//! The PHC strings are the ones `argon2`'s `PasswordHasher`/`PasswordVerifier` write and
//! read (same parsing, same constant-time comparison of the output).

use crate::error::ApiError;
use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use secrecy::{ExposeSecret, SecretString};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

/// The nice value of the hashing threads where `SCHED_IDLE` is refused (0 = normal,
/// 19 = lowest). Under full load the hashes still get about a tenth of the CPU.
pub const HASH_THREAD_NICE: i32 = 10;

/// A hashing thread's working memory, reused from one hash to the next.
type Memory = Vec<Block>;
type Job = Box<dyn FnOnce(&mut Memory) + Send>;

#[derive(Clone)]
pub struct PasswordHasher {
    argon: Argon2<'static>,
    jobs: mpsc::SyncSender<Job>,
    /// A real hash of a random password: unknown e-mails still cost one verify.
    dummy_hash: Arc<str>,
    /// The retry hint when the queue is full: about the time to work it off.
    retry_after_secs: u64,
    /// Hashes and verifies finished, for tests and diagnostics.
    finished: Arc<AtomicU64>,
}

impl PasswordHasher {
    /// `concurrency` hashing threads; up to `queue` more jobs wait for one, and any
    /// beyond are refused (RATE_LIMITED).
    pub fn new(concurrency: usize, queue: usize) -> Result<Self, ApiError> {
        let params = Params::new(19_456, 2, 1, None)
            .map_err(|e| ApiError::internal(anyhow::anyhow!("argon2 params: {e}")))?;
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let started = Instant::now();
        let dummy_hash: Arc<str> = hash_with(
            &argon,
            &mut Memory::new(),
            uuid::Uuid::new_v4().to_string().as_bytes(),
        )?
        .into();
        let concurrency = concurrency.max(1);
        let retry_after_secs = drain_secs(started.elapsed(), queue, concurrency);
        let (jobs, waiting) = mpsc::sync_channel::<Job>(queue);
        let waiting = Arc::new(Mutex::new(waiting));
        for i in 0..concurrency {
            let waiting = waiting.clone();
            std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || hashing_thread(&waiting))
                .map_err(|e| ApiError::internal(anyhow::anyhow!("hashing thread: {e}")))?;
        }
        Ok(Self {
            argon,
            jobs,
            dummy_hash,
            retry_after_secs,
            finished: Arc::new(AtomicU64::new(0)),
        })
    }

    /// How many hashes and verifies have finished so far.
    pub fn finished(&self) -> u64 {
        self.finished.load(Ordering::Relaxed)
    }

    pub async fn hash(&self, password: SecretString) -> Result<String, ApiError> {
        let argon = self.argon.clone();
        self.run(move |memory| hash_with(&argon, memory, password.expose_secret().as_bytes()))
            .await
    }

    /// Verifies `password` against `hash`; with no hash (unknown account) it verifies
    /// against a dummy so the answer takes the same time, and returns false.
    pub async fn verify(
        &self,
        password: SecretString,
        hash: Option<String>,
    ) -> Result<bool, ApiError> {
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.dummy_hash.to_string());
        let matches = self
            .run(move |memory| {
                Ok(verify_with(
                    memory,
                    password.expose_secret().as_bytes(),
                    &hash,
                ))
            })
            .await?;
        Ok(known && matches)
    }

    /// Runs `work` on the next free hashing thread; RATE_LIMITED when the queue is full.
    async fn run<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Memory) -> Result<T, ApiError> + Send + 'static,
    {
        let span = tracing::Span::current();
        let (done, result) = tokio::sync::oneshot::channel();
        let finished = self.finished.clone();
        let job: Job = Box::new(move |memory| {
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                span.in_scope(|| work(memory))
            }))
            .unwrap_or_else(|_| Err(ApiError::internal(anyhow::anyhow!("argon2 panicked"))));
            finished.fetch_add(1, Ordering::Relaxed);
            let _ = done.send(outcome);
        });
        self.jobs.try_send(job).map_err(|e| match e {
            mpsc::TrySendError::Full(_) => {
                tracing::warn!(
                    target: "security",
                    retry_after_secs = self.retry_after_secs,
                    "password hashing queue full; request refused"
                );
                ApiError::RateLimited {
                    retry_after_secs: self.retry_after_secs,
                }
            }
            mpsc::TrySendError::Disconnected(_) => {
                ApiError::internal(anyhow::anyhow!("the hashing threads are gone"))
            }
        })?;
        result
            .await
            .map_err(|_| ApiError::internal(anyhow::anyhow!("a hashing job was dropped")))?
    }
}

/// Seconds for `concurrency` threads to work off a full queue of `queue` jobs plus the
/// ones running, at `one_hash` each (at least 1).
fn drain_secs(one_hash: Duration, queue: usize, concurrency: usize) -> u64 {
    let rounds = queue.div_ceil(concurrency.max(1)) + 1;
    let secs = one_hash.as_secs_f64() * rounds as f64;
    (secs.ceil() as u64).max(1)
}

/// Hashing yields the CPU to everything else: `SCHED_IDLE` on Linux (a waking request
/// preempts a hash at once), or nice [`HASH_THREAD_NICE`] where that is refused.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    {
        use thread_priority::unix::{
            NormalThreadSchedulePolicy, ThreadSchedulePolicy, set_thread_priority_and_policy,
            thread_native_id,
        };
        let idle = set_thread_priority_and_policy(
            thread_native_id(),
            thread_priority::ThreadPriority::Min,
            ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Idle),
        );
        if idle.is_err()
            && let Err(e) = rustix::process::setpriority_process(
                Some(rustix::thread::gettid()),
                HASH_THREAD_NICE,
            )
        {
            tracing::warn!(error = %e, "could not lower the priority of a hashing thread");
        }
    }
}

/// Runs queued hashing jobs until every `PasswordHasher` clone is dropped.
fn hashing_thread(queue: &Mutex<mpsc::Receiver<Job>>) {
    lower_priority();
    // Allocated on the first job, then kept.
    let mut memory = Memory::new();
    loop {
        // The lock is held only while waiting for the next job, never while hashing.
        let job = match queue.lock() {
            Ok(queue) => queue.recv(),
            Err(_) => return,
        };
        match job {
            Ok(job) => job(&mut memory),
            Err(_) => return,
        }
    }
}

/// Working memory kept between hashes: enough for our own parameters (m=19456 KiB).
/// A stored hash with a larger cost gets a temporary allocation instead.
const KEPT_BLOCKS: usize = 19_456;

/// `Argon2::hash_password_into` with reused working memory.
fn hash_into(
    argon: &Argon2<'_>,
    memory: &mut Memory,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> argon2::Result<()> {
    let blocks = argon.params().block_count();
    if blocks > KEPT_BLOCKS {
        return argon.hash_password_into(password, salt, out);
    }
    if memory.len() < blocks {
        memory.resize(blocks, Block::new());
    }
    argon.hash_password_into_with_memory(password, salt, out, &mut memory[..blocks])
}

/// The PHC string of a new hash with a random salt, as `PasswordHasher::hash_password`.
fn hash_with(argon: &Argon2<'_>, memory: &mut Memory, password: &[u8]) -> Result<String, ApiError> {
    let fail = |e: &dyn std::fmt::Display| ApiError::internal(anyhow::anyhow!("argon2 hash: {e}"));
    let salt = argon2::password_hash::try_generate_salt().map_err(|e| fail(&e))?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    hash_into(argon, memory, password, &salt, &mut out).map_err(|e| fail(&e))?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(argon.params()).map_err(|e| fail(&e))?,
        salt: Some(Salt::new(&salt).map_err(|e| fail(&e))?),
        hash: Some(Output::new(&out).map_err(|e| fail(&e))?),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches the PHC string `hash`, as `PasswordVerifier::verify_password`
/// (the algorithm, version and parameters come from the hash).
fn verify_with(memory: &mut Memory, password: &[u8], hash: &str) -> bool {
    let Ok(hash) = PasswordHash::new(hash) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (&hash.salt, &hash.hash) else {
        return false;
    };
    let (Ok(algorithm), Ok(version), Ok(params)) = (
        Algorithm::try_from(hash.algorithm.as_str()),
        hash.version.map(Version::try_from).transpose(),
        Params::try_from(&hash),
    ) else {
        return false;
    };
    let argon = Argon2::new(algorithm, version.unwrap_or_default(), params);
    let mut buffer = [0u8; Output::MAX_LENGTH];
    let Some(out) = buffer.get_mut(..expected.len()) else {
        return false;
    };
    if hash_into(&argon, memory, password, salt.as_ref(), out).is_err() {
        return false;
    }
    // `Output`'s equality is constant-time.
    Output::new(out).is_ok_and(|computed| &computed == expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_unknown_accounts_never_match() {
        let hasher = PasswordHasher::new(2, 4).unwrap();
        let hash = hasher
            .hash(SecretString::from("correct horse"))
            .await
            .unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(
            hasher
                .verify(SecretString::from("correct horse"), Some(hash.clone()))
                .await
                .unwrap()
        );
        assert!(
            !hasher
                .verify(SecretString::from("wrong horse"), Some(hash))
                .await
                .unwrap()
        );
        assert!(
            !hasher
                .verify(SecretString::from("anything"), None)
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn a_full_queue_refuses_with_a_retry_hint_then_recovers() {
        use futures_util::FutureExt;
        // One thread, one place in the queue.
        let hasher = PasswordHasher::new(1, 1).unwrap();
        let (started, busy_now) = tokio::sync::oneshot::channel();
        let (release, released) = mpsc::channel::<()>();
        let busy = {
            let hasher = hasher.clone();
            tokio::spawn(async move {
                hasher
                    .run(move |_| {
                        let _ = started.send(());
                        let _ = released.recv();
                        Ok(())
                    })
                    .await
            })
        };
        busy_now.await.unwrap();
        // The thread is busy: this one takes the only place in the queue ...
        let queued = hasher.hash(SecretString::from("waits its turn"));
        tokio::pin!(queued);
        assert!((&mut queued).now_or_never().is_none());
        // ... and the next is refused at once, with a hint.
        match hasher.hash(SecretString::from("one too many")).await {
            Err(ApiError::RateLimited { retry_after_secs }) => assert!(retry_after_secs >= 1),
            other => panic!("expected RATE_LIMITED, got {other:?}"),
        }
        release.send(()).unwrap();
        busy.await.unwrap().unwrap();
        assert!(queued.await.unwrap().starts_with("$argon2id$"));
        // Once the queue has room again, hashing works.
        assert!(hasher.hash(SecretString::from("after")).await.is_ok());
        assert_eq!(hasher.finished(), 3);
    }

    #[test]
    fn the_retry_hint_covers_working_off_a_full_queue() {
        let hash = Duration::from_millis(100);
        assert_eq!(drain_secs(hash, 0, 2), 1);
        assert_eq!(drain_secs(hash, 64, 2), 4);
        assert_eq!(drain_secs(Duration::from_millis(30), 64, 8), 1);
    }

    #[test]
    fn phc_strings_match_the_argon2_crate_both_ways() {
        use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
        let params = Params::new(19_456, 2, 1, None).unwrap();
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let mut memory = Memory::new();
        // Ours, read by the crate.
        let ours = hash_with(&argon, &mut memory, b"correct horse").unwrap();
        assert!(
            argon
                .verify_password(b"correct horse", ours.as_str())
                .is_ok()
        );
        assert!(
            argon
                .verify_password(b"wrong horse", ours.as_str())
                .is_err()
        );
        // The crate's (as stored before this module reused memory), read by ours, with
        // the same reused memory.
        let theirs = argon.hash_password(b"battery staple").unwrap().to_string();
        assert!(verify_with(&mut memory, b"battery staple", &theirs));
        assert!(!verify_with(&mut memory, b"correct horse", &theirs));
        assert!(verify_with(&mut memory, b"correct horse", &ours));
        // Other parameters in a stored hash are honoured; garbage never matches.
        let cheap = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(4_096, 3, 1, None).unwrap(),
        );
        let other = cheap.hash_password(b"staple").unwrap().to_string();
        assert!(verify_with(&mut memory, b"staple", &other));
        assert!(!verify_with(&mut memory, b"staple", "not a hash"));
        assert!(!verify_with(
            &mut memory,
            b"staple",
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ"
        ));
    }
}
