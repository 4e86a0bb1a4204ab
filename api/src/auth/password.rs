//! Argon2id (m=19456 KiB, t=2, p=1) on a few dedicated threads (`concurrency` of them),
//! so a login storm queues instead of starving the runtime.
//!
//! Dedicated threads rather than the runtime's blocking pool, for two reasons measured in
//! docs/benchmarks.md: each hash allocates 19 MiB, and glibc keeps that memory in the
//! arena of whichever thread ran it, so hashing on the ever-changing blocking-pool threads
//! grew the process to ~860 MB (16 arenas); a fixed set of threads bounds it to about
//! `concurrency` x 19 MiB. And on Linux the threads run at a lower priority (nice
//! [`HASH_THREAD_NICE`]), so queries keep their latency while hashes use the idle CPU.

use crate::error::ApiError;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Params, Version};
use secrecy::{ExposeSecret, SecretString};
use std::sync::{Arc, Mutex, mpsc};

/// The nice value of the hashing threads (0 = normal, 19 = lowest). A waking request
/// handler preempts a hash instead of waiting for its time slice; under full load the
/// hashes still get about a tenth of the CPU, so sign-ins slow down but never stop.
pub const HASH_THREAD_NICE: i32 = 10;

type Job = Box<dyn FnOnce() + Send>;

#[derive(Clone)]
pub struct PasswordHasher {
    argon: Argon2<'static>,
    jobs: mpsc::Sender<Job>,
    /// A real hash of a random password: unknown e-mails still cost one verify.
    dummy_hash: Arc<str>,
}

impl PasswordHasher {
    pub fn new(concurrency: usize) -> Result<Self, ApiError> {
        let params = Params::new(19_456, 2, 1, None)
            .map_err(|e| ApiError::internal(anyhow::anyhow!("argon2 params: {e}")))?;
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let dummy_hash: Arc<str> = argon
            .hash_password(uuid::Uuid::new_v4().to_string().as_bytes())
            .map_err(|e| ApiError::internal(anyhow::anyhow!("argon2: {e}")))?
            .to_string()
            .into();
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..concurrency.max(1) {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || hashing_thread(&queue))
                .map_err(|e| ApiError::internal(anyhow::anyhow!("hashing thread: {e}")))?;
        }
        Ok(Self {
            argon,
            jobs,
            dummy_hash,
        })
    }

    pub async fn hash(&self, password: SecretString) -> Result<String, ApiError> {
        let argon = self.argon.clone();
        self.run_blocking(move || {
            argon
                .hash_password(password.expose_secret().as_bytes())
                .map(|h| h.to_string())
                .map_err(|e| ApiError::internal(anyhow::anyhow!("argon2 hash: {e}")))
        })
        .await
    }

    /// Verifies `password` against `hash`; with no hash (unknown account) it verifies
    /// against a dummy so the answer takes the same time, and returns false.
    pub async fn verify(
        &self,
        password: SecretString,
        hash: Option<String>,
    ) -> Result<bool, ApiError> {
        let argon = self.argon.clone();
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.dummy_hash.to_string());
        let matches = self
            .run_blocking(move || {
                Ok(argon
                    .verify_password(password.expose_secret().as_bytes(), hash.as_str())
                    .is_ok())
            })
            .await?;
        Ok(known && matches)
    }

    async fn run_blocking<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce() -> Result<T, ApiError> + Send + 'static,
    {
        let span = tracing::Span::current();
        let (done, result) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                span.in_scope(work)
            }))
            .unwrap_or_else(|_| Err(ApiError::internal(anyhow::anyhow!("argon2 panicked"))));
            let _ = done.send(outcome);
        });
        self.jobs
            .send(job)
            .map_err(|_| ApiError::internal(anyhow::anyhow!("the hashing threads are gone")))?;
        result
            .await
            .map_err(|_| ApiError::internal(anyhow::anyhow!("a hashing job was dropped")))?
    }
}

/// Runs queued hashing jobs until every `PasswordHasher` clone is dropped.
fn hashing_thread(queue: &Mutex<mpsc::Receiver<Job>>) {
    #[cfg(target_os = "linux")]
    if let Err(e) =
        rustix::process::setpriority_process(Some(rustix::thread::gettid()), HASH_THREAD_NICE)
    {
        tracing::warn!(error = %e, "could not lower the priority of a hashing thread");
    }
    loop {
        // The lock is held only while waiting for the next job, never while hashing.
        let job = match queue.lock() {
            Ok(queue) => queue.recv(),
            Err(_) => return,
        };
        match job {
            Ok(job) => job(),
            Err(_) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_unknown_accounts_never_match() {
        let hasher = PasswordHasher::new(2).unwrap();
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
}
