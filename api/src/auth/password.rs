//! Argon2id (m=19456 KiB, t=2, p=1) on the blocking pool, behind a semaphore so a login
//! storm queues instead of starving the runtime.

use crate::error::ApiError;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Params, Version};
use secrecy::{ExposeSecret, SecretString};
use std::sync::Arc;
use tokio::sync::Semaphore;

#[derive(Clone)]
pub struct PasswordHasher {
    argon: Argon2<'static>,
    permits: Arc<Semaphore>,
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
        Ok(Self {
            argon,
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
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
        let _permit = self.permits.acquire().await.map_err(ApiError::internal)?;
        let span = tracing::Span::current();
        tokio::task::spawn_blocking(move || span.in_scope(work))
            .await
            .map_err(ApiError::internal)?
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
