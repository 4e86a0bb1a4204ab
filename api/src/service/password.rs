//! Forgotten passwords: a single-use link by e-mail (the worker creates the token and
//! sends it), then a new password that ends every session.

use crate::auth::refresh;
use crate::error::{ApiError, ApiResult};
use crate::service::{audit, enqueue};
use crate::state::{AppState, RequestMeta};
use diesel_async::AsyncConnection;
use schema::db::{organizations, password_resets, rate_limits, sessions, users};
use schema::jobs::Job;
use schema::validation;
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use std::time::Duration;
use tokio::time::Instant;

/// Every answer takes at least this long, so timing does not tell whether an account exists.
const MIN_RESPONSE: Duration = Duration::from_millis(250);
const WINDOW_SECS: i32 = 3600;
const PER_ACCOUNT: i32 = 5;
const PER_ADDRESS: i32 = 30;

/// Always succeeds for a well-formed address, whether or not an account exists.
#[tracing::instrument(skip_all)]
pub async fn request_reset(state: &AppState, meta: &RequestMeta, email: &str) -> ApiResult<()> {
    let started = Instant::now();
    let result = request_reset_inner(state, meta, email).await;
    tokio::time::sleep_until(started + MIN_RESPONSE).await;
    result
}

async fn request_reset_inner(state: &AppState, meta: &RequestMeta, email: &str) -> ApiResult<()> {
    let email = validation::validate_email(email)?;
    let account_key = format!("reset:account:{email}");
    let ip_key = format!("reset:ip:{}", meta.ip);
    let mut conn = state.db().await?;
    for (key, limit) in [(&account_key, PER_ACCOUNT), (&ip_key, PER_ADDRESS)] {
        let count = rate_limits::hit(&mut conn, key, WINDOW_SECS).await?;
        if count > limit {
            let (_, retry_after) =
                rate_limits::peek(&mut conn, std::slice::from_ref(key), WINDOW_SECS).await?;
            return Err(ApiError::RateLimited {
                retry_after_secs: retry_after.max(1) as u64,
            });
        }
    }
    let Some(user) = users::find_by_email(&mut conn, &email).await? else {
        tracing::info!("password reset requested for an unknown e-mail");
        return Ok(());
    };
    let org = organizations::default_for_user(&mut conn, user.id)
        .await?
        .map(|(o, _)| o.id);
    conn.transaction::<_, ApiError, _>(async |tx| {
        enqueue(
            tx,
            meta,
            org,
            Job::SendPasswordReset {
                user_id: user.id.as_uuid(),
            },
        )
        .await?;
        audit(
            tx,
            meta,
            org,
            Some(user.id),
            "auth.password_reset_requested",
            Some(("user", user.id.to_string())),
            json!({}),
        )
        .await?;
        Ok(())
    })
    .await?;
    state.outbox.wake();
    Ok(())
}

/// Sets a new password with a reset token; the token works once, and every session of
/// the user ends.
#[tracing::instrument(skip_all)]
pub async fn reset_password(
    state: &AppState,
    meta: &RequestMeta,
    token: &str,
    new_password: SecretString,
) -> ApiResult<()> {
    validation::validate_password_field("newPassword", new_password.expose_secret())?;
    let invalid = || ApiError::BadInput {
        field: Some("token"),
        message: "token: this reset link is invalid, used or expired; request a new one".into(),
    };
    let token = token.trim();
    if token.is_empty() || token.len() > 128 {
        return Err(invalid());
    }
    let token_hash = refresh::hash(token);
    let password_hash = state.hasher.hash(new_password).await?;
    let mut conn = state.db().await?;
    conn.transaction::<_, ApiError, _>(async |tx| {
        let user = password_resets::consume(tx, &token_hash)
            .await?
            .ok_or_else(invalid)?;
        users::set_password_hash(tx, user, &password_hash).await?;
        password_resets::invalidate_all(tx, user).await?;
        let ended = sessions::revoke_all_for_user(tx, user, "password reset").await?;
        let email = users::find(tx, user)
            .await?
            .map(|u| u.email)
            .unwrap_or_default();
        rate_limits::clear(tx, &format!("login:account:{email}")).await?;
        let org = organizations::default_for_user(tx, user)
            .await?
            .map(|(o, _)| o.id);
        audit(
            tx,
            meta,
            org,
            Some(user),
            "auth.password_reset",
            Some(("user", user.to_string())),
            json!({ "sessionsEnded": ended }),
        )
        .await?;
        Ok(())
    })
    .await
}
