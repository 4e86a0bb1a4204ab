//! Forgotten passwords: a single-use link by e-mail (the worker creates the token and
//! sends it), then a new password that ends every session.

use crate::auth::refresh;
use crate::error::{ApiError, ApiResult};
use crate::service::throttle::{HOUR_SECS, Limit};
use crate::service::{audit, enqueue};
use crate::state::{AppState, RequestMeta};
use diesel_async::AsyncConnection;
use schema::jobs::Job;
use schema::validation;
use schema_server::db::{organizations, password_resets, rate_limits, sessions, users};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use std::time::Duration;
use tokio::time::Instant;

/// Every answer takes at least this long, so timing does not tell whether an account exists.
const MIN_RESPONSE: Duration = Duration::from_millis(250);
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
    let mut conn = state.db().await?;
    for limit in [
        Limit::new("reset:account", &email, PER_ACCOUNT, HOUR_SECS),
        Limit::per_address("reset:ip", meta, PER_ADDRESS, HOUR_SECS),
    ] {
        limit.hit(&mut conn).await?;
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
/// the user ends. Throttled per client address (`RESET_PASSWORD_PER_IP_PER_HOUR`), and
/// the token is checked before the new password is hashed, so a wrong token costs no hash.
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
    let mut conn = state.db().await?;
    Limit::per_address(
        "reset_password:ip",
        meta,
        state.settings.reset_password_per_ip_per_hour,
        HOUR_SECS,
    )
    .hit(&mut conn)
    .await?;
    if password_resets::find_valid(&mut conn, &token_hash)
        .await?
        .is_none()
    {
        return Err(invalid());
    }
    let password_hash = state.hasher.hash(new_password).await?;
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
