//! The signed-in person's own account: their profile (name, time zone, work days),
//! changing the password and signing out everywhere.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::service::audit;
use crate::service::throttle::Limit;
use crate::state::{AppState, RequestMeta};
use diesel_async::AsyncConnection;
use schema::enums::Weekday;
use schema::validation::ValidationError;
use schema::{schedule, validation};
use schema_server::db::models::User;
use schema_server::db::{AsyncPgConnection, local_time, password_resets, sessions, users};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

const SESSION_ENDED: &str = "your session has ended; sign in again";

/// Sets a new password after checking the current one. Every other session of the
/// account ends (and any reset link stops working); the caller's session goes on. Each
/// check of the current password counts toward the account's sign-in failure limit
/// (`LOGIN_MAX_FAILURES_PER_ACCOUNT`, the same counter as signing in), counted before
/// the check so parallel guesses cannot all pass it; a correct one clears it, as a
/// sign-in does.
#[tracing::instrument(skip_all)]
pub async fn change_password(
    state: &AppState,
    meta: &RequestMeta,
    caller: &Caller,
    current_password: SecretString,
    new_password: SecretString,
) -> ApiResult<()> {
    validation::validate_password_field("newPassword", new_password.expose_secret())?;
    if new_password.expose_secret() == current_password.expose_secret() {
        return Err(ApiError::BadInput {
            field: Some("newPassword"),
            message: "newPassword: must differ from your current password".into(),
        });
    }
    let mut conn = state.db().await?;
    let user = live_user(&mut conn, caller).await?;
    let throttle = Limit::new(
        "login:account",
        &user.email,
        state.settings.login_failures_per_account,
        state.settings.login_failure_window_secs,
    );
    throttle.hit(&mut conn).await?;
    let verified = state
        .hasher
        .verify(current_password, Some(user.password_hash.clone()))
        .await?;
    if !verified {
        tracing::info!(user_id = %user.id, "password change with a wrong current password");
        return Err(ApiError::BadInput {
            field: Some("currentPassword"),
            message: "currentPassword: is not your current password".into(),
        });
    }
    let password_hash = state.hasher.hash(new_password).await?;
    conn.transaction::<_, ApiError, _>(async |tx| {
        users::set_password_hash(tx, user.id, &password_hash).await?;
        password_resets::invalidate_all(tx, user.id).await?;
        let ended =
            sessions::revoke_all_for_user_except(tx, user.id, caller.session, "password changed")
                .await?;
        throttle.clear(tx).await?;
        audit(
            tx,
            meta,
            Some(caller.org),
            Some(user.id),
            "auth.change_password",
            Some(("user", user.id.to_string())),
            json!({ "sessionsEnded": ended }),
        )
        .await?;
        Ok(())
    })
    .await?;
    tracing::info!(user_id = %user.id, "password changed");
    Ok(())
}

/// Ends every session of the caller's account, on every device, the caller's included.
#[tracing::instrument(skip_all)]
pub async fn log_out_everywhere(
    state: &AppState,
    meta: &RequestMeta,
    caller: &Caller,
) -> ApiResult<()> {
    let mut conn = state.db().await?;
    let user = live_user(&mut conn, caller).await?;
    conn.transaction::<_, ApiError, _>(async |tx| {
        let ended = sessions::revoke_all_for_user(tx, user.id, "signed out everywhere").await?;
        audit(
            tx,
            meta,
            Some(caller.org),
            Some(user.id),
            "auth.log_out_everywhere",
            Some(("user", user.id.to_string())),
            json!({ "sessionsEnded": ended }),
        )
        .await?;
        Ok(())
    })
    .await?;
    tracing::info!(user_id = %user.id, "signed out everywhere");
    Ok(())
}

/// A change of the caller's profile; `None` leaves a value as it is.
#[derive(Debug, Default)]
pub struct ProfileInput {
    pub name: Option<String>,
    /// `Some(None)` clears the zone.
    pub timezone: Option<Option<String>>,
    pub work_days: Option<Vec<Weekday>>,
}

/// Changes the caller's name, time zone and work days, together or not at all. A new
/// zone or new work days apply from the next run of each MEMBER_LOCAL_TIME standup the
/// caller takes part in: standups already open keep the ask times computed when they
/// opened, and the scheduler plans those configs' next runs again at once.
#[tracing::instrument(skip_all)]
pub async fn update_profile(
    state: &AppState,
    meta: &RequestMeta,
    caller: &Caller,
    input: ProfileInput,
) -> ApiResult<User> {
    let name = input
        .name
        .as_deref()
        .map(validation::validate_person_name)
        .transpose()?;
    let timezone = match input.timezone.as_ref() {
        None => None,
        Some(None) => Some(None),
        Some(Some(zone)) => Some(Some(
            schedule::parse_timezone(zone.trim())
                .map_err(ValidationError::from)?
                .name(),
        )),
    };
    if let Some(days) = &input.work_days {
        schedule::check_work_days(days).map_err(ValidationError::from)?;
    }
    let work_days = input.work_days.as_deref().map(|days| {
        Weekday::ALL
            .iter()
            .copied()
            .filter(|day| days.contains(day))
            .collect::<Vec<_>>()
    });
    let mut conn = state.db().await?;
    let before = live_user(&mut conn, caller).await?;
    let user = conn
        .transaction::<_, ApiError, _>(async |tx| {
            let change = users::ProfileChange {
                name: name.as_deref(),
                timezone,
                work_days: work_days.as_deref(),
            };
            let user = users::update_profile(tx, caller.user, &change)
                .await?
                .ok_or_else(|| ApiError::Unauthenticated(SESSION_ENDED.into()))?;
            if user.timezone != before.timezone || user.work_days != before.work_days {
                local_time::replan_member_local_for(tx, caller.user).await?;
            }
            audit(
                tx,
                meta,
                Some(caller.org),
                Some(user.id),
                "user.update_profile",
                Some(("user", user.id.to_string())),
                json!({
                    "before": {"name": before.name, "timezone": before.timezone, "workDays": before.work_days},
                    "after": {"name": user.name, "timezone": user.timezone, "workDays": user.work_days},
                }),
            )
            .await?;
            Ok(user)
        })
        .await?;
    Ok(user)
}

/// The caller's account, while their session is live.
async fn live_user(conn: &mut AsyncPgConnection, caller: &Caller) -> ApiResult<User> {
    let ended = || ApiError::Unauthenticated(SESSION_ENDED.into());
    sessions::find_live(conn, caller.session, caller.user)
        .await?
        .ok_or_else(ended)?;
    users::find(conn, caller.user).await?.ok_or_else(ended)
}
