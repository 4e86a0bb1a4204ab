//! Out-of-office periods.
//!
//! Rules: any active member reads the periods of the organization's members (teammates
//! see who is away); a member sets and ends their own; OWNER and ADMIN set and end
//! anyone's in the organization. A period is `firstDay..=lastDay` (dates, `YYYY-MM-DD`),
//! at most [`MAX_DAYS`] days, never overlapping another of the same person, with an
//! optional note of at most [`NOTE_MAX_CHARS`] characters. Ending a period early moves
//! its last day to yesterday, or deletes it when it has not started. Setting, ending
//! and deleting bring the person's participations in OPEN standups in line at once
//! ([`away::sync_open_standups`]). Another organization's member or period answers
//! NOT_FOUND.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::service::audit;
use crate::service::teams::require_member;
use crate::state::{AppState, RequestMeta};
use chrono::{Duration, NaiveDate, Utc};
use diesel_async::AsyncConnection;
use schema::ids::UserId;
use schema_server::db::away::{self, NewOutOfOffice, OutOfOffice};
use schema_server::db::models::User;
use schema_server::db::teams;
use serde_json::json;
use uuid::Uuid;

/// The longest period, in days.
pub const MAX_DAYS: i64 = 366;
/// The longest note, in characters.
pub const NOTE_MAX_CHARS: usize = 200;
/// The most current or upcoming periods one person may have.
pub const MAX_CURRENT_PERIODS: i64 = 50;

/// A period with the member it belongs to (`None` once they are no longer an active
/// member).
pub type PeriodView = (OutOfOffice, Option<User>);

/// What `setOutOfOffice` takes.
#[derive(Clone, Debug)]
pub struct NewPeriod {
    /// Someone else (OWNER/ADMIN); `None` for the caller.
    pub user: Option<UserId>,
    pub first_day: String,
    pub last_day: String,
    pub note: Option<String>,
}

fn bad(field: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::BadInput {
        field: Some(field),
        message: format!("{field}: {}", message.into()),
    }
}

fn period_not_found() -> ApiError {
    ApiError::NotFound("out-of-office period not found".into())
}

fn member_not_found() -> ApiError {
    ApiError::NotFoundIn {
        field: "userId",
        message: "userId: no active member of this organization has this id".into(),
    }
}

/// A `YYYY-MM-DD` date of input field `field`.
pub(crate) fn parse_day(field: &'static str, raw: &str) -> ApiResult<NaiveDate> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| {
        bad(
            field,
            format!("'{}' is not a date (YYYY-MM-DD)", raw.trim()),
        )
    })
}

/// Today for `person`: the date every "has it started" question is judged by, in their
/// own zone (periods are dates in their zone); UTC when they set none (or are gone).
pub fn today_of(person: Option<&User>) -> NaiveDate {
    let now = Utc::now();
    person
        .and_then(|p| p.timezone.as_deref())
        .and_then(|zone| schema::schedule::parse_timezone(zone).ok())
        .map_or_else(
            || now.date_naive(),
            |tz| now.with_timezone(&tz).date_naive(),
        )
}

fn summary(period: &OutOfOffice) -> serde_json::Value {
    json!({
        "userId": period.user_id,
        "firstDay": period.first_day,
        "lastDay": period.last_day,
        "withNote": period.note.is_some(),
    })
}

async fn require_may_manage(state: &AppState, caller: &Caller, user: UserId) -> ApiResult<()> {
    let role = require_member(state, caller).await?;
    if user != caller.user && !role.is_admin() {
        return Err(ApiError::Forbidden(
            "only owners and admins can manage another member's out of office".into(),
        ));
    }
    Ok(())
}

/// The current and upcoming periods of `user` (the caller when `None`), earliest first:
/// those ending today or later in their zone. Any member.
#[tracing::instrument(skip_all)]
pub async fn list(
    state: &AppState,
    caller: &Caller,
    user: Option<UserId>,
) -> ApiResult<Vec<PeriodView>> {
    require_member(state, caller).await?;
    let user = user.unwrap_or(caller.user);
    let mut conn = state.db().await?;
    let person = teams::find_active_member(&mut conn, caller.org, user)
        .await?
        .ok_or_else(member_not_found)?;
    Ok(away::list_for_user(
        &mut conn,
        caller.org,
        user,
        today_of(Some(&person)),
        MAX_CURRENT_PERIODS + 1,
    )
    .await?
    .into_iter()
    .map(|period| (period, Some(person.clone())))
    .collect())
}

/// Records a period. Oneself; OWNER/ADMIN for others.
#[tracing::instrument(skip_all)]
pub async fn set(
    state: &AppState,
    meta: &RequestMeta,
    caller: &Caller,
    input: NewPeriod,
) -> ApiResult<PeriodView> {
    let first_day = parse_day("firstDay", &input.first_day)?;
    let last_day = parse_day("lastDay", &input.last_day)?;
    if last_day < first_day {
        return Err(bad("lastDay", "must be on or after firstDay"));
    }
    if (last_day - first_day).num_days() >= MAX_DAYS {
        return Err(bad(
            "lastDay",
            format!("a period is at most {MAX_DAYS} days"),
        ));
    }
    let note = input
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    if let Some(note) = &note {
        if note.chars().count() > NOTE_MAX_CHARS {
            return Err(bad("note", format!("at most {NOTE_MAX_CHARS} characters")));
        }
        if note.chars().any(char::is_control) {
            return Err(bad("note", "must be one line"));
        }
    }
    let user = input.user.unwrap_or(caller.user);
    require_may_manage(state, caller, user).await?;
    let mut conn = state.db().await?;
    conn.transaction::<_, ApiError, _>(async |tx| {
        // Locks the membership: periods of one person are written one at a time.
        let person = teams::find_active_member(tx, caller.org, user)
            .await?
            .ok_or_else(member_not_found)?;
        if away::overlaps(tx, caller.org, user, first_day, last_day).await? {
            return Err(ApiError::Conflict {
                field: Some("firstDay"),
                message: "firstDay: this period overlaps another out-of-office period; end that one first".into(),
            });
        }
        if away::count_current(tx, caller.org, user, today_of(Some(&person))).await?
            >= MAX_CURRENT_PERIODS
        {
            return Err(ApiError::Conflict {
                field: None,
                message: format!(
                    "at most {MAX_CURRENT_PERIODS} current or upcoming periods; end one first"
                ),
            });
        }
        let period = away::insert(
            tx,
            &NewOutOfOffice {
                org_id: caller.org,
                user_id: user,
                first_day,
                last_day,
                note: note.as_deref(),
                created_by: caller.user,
            },
        )
        .await?;
        let standups = away::sync_open_standups(tx, caller.org, user).await?;
        audit(
            tx,
            meta,
            Some(caller.org),
            Some(caller.user),
            "out_of_office.set",
            Some(("out_of_office", period.id.to_string())),
            json!({ "before": null, "after": summary(&period), "openStandups": standups.len() }),
        )
        .await?;
        Ok((period, Some(person)))
    })
    .await
}

/// Ends a period early: its last day becomes yesterday, or it is deleted when it has
/// not started (`None`). A period already over is left as it is. Oneself; OWNER/ADMIN
/// for others.
#[tracing::instrument(skip_all)]
pub async fn end(
    state: &AppState,
    meta: &RequestMeta,
    caller: &Caller,
    id: Uuid,
) -> ApiResult<Option<PeriodView>> {
    let role = require_member(state, caller).await?;
    let mut conn = state.db().await?;
    conn.transaction::<_, ApiError, _>(async |tx| {
        let before = away::find_for_update(tx, caller.org, id)
            .await?
            .ok_or_else(period_not_found)?;
        if before.user_id != caller.user && !role.is_admin() {
            return Err(ApiError::Forbidden(
                "only owners and admins can manage another member's out of office".into(),
            ));
        }
        let person = teams::find_active_member(tx, caller.org, before.user_id).await?;
        let today = today_of(person.as_ref());
        let after = if before.first_day >= today {
            away::delete(tx, caller.org, id).await?;
            None
        } else if before.last_day >= today {
            Some(away::set_last_day(tx, caller.org, id, today - Duration::days(1)).await?)
        } else {
            return Ok(Some((before, person)));
        };
        let standups = away::sync_open_standups(tx, caller.org, before.user_id).await?;
        audit(
            tx,
            meta,
            Some(caller.org),
            Some(caller.user),
            "out_of_office.ended",
            Some(("out_of_office", id.to_string())),
            json!({
                "before": summary(&before),
                "after": after.as_ref().map(summary),
                "openStandups": standups.len(),
            }),
        )
        .await?;
        Ok(after.map(|period| (period, person)))
    })
    .await
}
