//! `send_password_reset`: create a single-use reset token and e-mail the link.
//!
//! The token is 32 random bytes, base64url without padding; only its SHA-256 (of the
//! token text, as the api's `resetPassword` computes it) is stored, valid for one hour.
//! The token is never logged. If this job runs again after a crash between sending and
//! committing, the first token was never stored (rolled back) and the second e-mail,
//! with the same `Message-ID`, carries the only valid link.

use super::{JobContext, recipient};
use crate::{
    error::Error,
    notify::{
        Email,
        templates::{self, Mail},
    },
};
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use diesel_async::AsyncPgConnection;
use schema::{ids::UserId, jobs::JobEnvelope};
use schema_server::db::password_resets;
use sha2::{Digest, Sha256};

/// How long a reset link works.
pub const TOKEN_LIFETIME: chrono::TimeDelta = chrono::TimeDelta::hours(1);

pub(super) async fn run(
    ctx: &JobContext,
    tx: &mut AsyncPgConnection,
    envelope: &JobEnvelope,
    user: UserId,
) -> Result<(), Error> {
    let to = recipient(tx, user, envelope.organization_id.map(Into::into)).await?;
    let token = new_token();
    let expires_at = chrono::Utc::now() + TOKEN_LIFETIME;
    password_resets::insert(tx, &hash(&token), user, expires_at).await?;
    let link = format!("{}/reset-password?token={token}", ctx.public_url);
    let email = render(envelope, &to.name, &link, to.mailbox)?;
    ctx.mailer.send(&email).await?;
    tracing::debug!(%user, "password-reset e-mail sent");
    Ok(())
}

/// 256 random bits from the thread's CSPRNG, base64url without padding (43 characters).
fn new_token() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

/// What `password_resets.token_hash` stores: SHA-256 of the token text.
fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

fn render(
    envelope: &JobEnvelope,
    name: &str,
    link: &str,
    to: lettre::message::Mailbox,
) -> Result<Email, Error> {
    let (text, html) = templates::PasswordReset { name, link }.bodies()?;
    Ok(Email {
        job_id: envelope.id,
        to,
        subject: "Reset your AsyncStand password".to_owned(),
        text,
        html,
        unsubscribe: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_url_safe() {
        let a = new_token();
        let b = new_token();
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        assert_eq!(hash(&a).len(), 32);
        assert_eq!(hash(&a), hash(&a.clone()));
    }
}
