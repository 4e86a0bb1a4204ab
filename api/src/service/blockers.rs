//! Tracked blockers.
//!
//! Rules: an answer to a BLOCKER question that says something other than "none"
//! ([`schema::digest::is_no_blocker`]) opens a blocker, inside the transaction that records
//! the answer (web, answer link and Slack alike: [`record_from_answers`]). Editing that
//! answer gives its open blocker the new text, never a second blocker; answering "none"
//! later does not resolve it: a person does. Any member reads a team's blockers. The
//! owner, members of the blocker's team and OWNER/ADMIN resolve (with an optional note of
//! at most [`NOTE_MAX_CHARS`] characters) and reopen; anyone else is FORBIDDEN, and
//! another organization's blocker is NOT_FOUND. Resolving and reopening are audited and
//! announced on the team's standup events.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::service::audit;
use crate::service::teams::{require_member, team_not_found};
use crate::state::{AppState, RequestMeta};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use schema::digest::is_no_blocker;
use schema::enums::{BlockerStatus, QuestionKind};
use schema::events::{StandupEvent, StandupEventKind};
use schema::ids::{QuestionId, TeamId, UserId};
use schema::standup::Question;
use schema_server::db::blockers::{self, Blocker, Recorded, Source};
use schema_server::db::models::{Standup, User};
use schema_server::db::{AsyncPgConnection, teams, users};
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

/// The longest resolution note, in characters.
pub const NOTE_MAX_CHARS: usize = 500;
/// The most open blockers shown to their owner in a standup.
pub const MY_OPEN_LIMIT: i64 = 50;

/// A blocker with its owner and who resolved it (`None` when they are gone).
#[derive(Clone, Debug)]
pub struct BlockerView {
    pub blocker: Blocker,
    pub owner: Option<User>,
    pub resolved_by: Option<User>,
}

fn blocker_not_found() -> ApiError {
    ApiError::NotFound("blocker not found".into())
}

fn summary(blocker: &Blocker) -> serde_json::Value {
    json!({
        "teamId": blocker.team_id,
        "ownerId": blocker.owner_id,
        "standupId": blocker.standup_id,
        "status": blocker.status,
        "withNote": blocker.resolution_note.is_some(),
    })
}

fn event(kind: StandupEventKind, blocker: &Blocker) -> StandupEvent {
    StandupEvent {
        kind,
        org_id: blocker.org_id,
        team_id: blocker.team_id,
        standup_id: blocker.standup_id,
        user_id: Some(blocker.owner_id),
        at: Utc::now(),
    }
}

/// The `BLOCKER_OPENED` events of blockers an answer opened, to publish after the commit.
pub(crate) fn opened_events(opened: &[Blocker]) -> Vec<StandupEvent> {
    opened
        .iter()
        .map(|b| event(StandupEventKind::BlockerOpened, b))
        .collect()
}

/// Opens or updates the blockers of `owner`'s changed answers in `standup`, inside the
/// caller's answer transaction. `changed` holds the new text of each answer that
/// changed (answers removed are not in it). Returns the blockers opened.
pub(crate) async fn record_from_answers(
    tx: &mut AsyncPgConnection,
    standup: &Standup,
    owner: UserId,
    questions: &[Question],
    changed: &HashMap<QuestionId, String>,
    now: DateTime<Utc>,
) -> ApiResult<Vec<Blocker>> {
    let mut opened = Vec::new();
    for question in questions.iter().filter(|q| q.kind == QuestionKind::Blocker) {
        let Some(text) = changed.get(&question.id) else {
            continue;
        };
        let text = text.trim();
        if is_no_blocker(text) {
            continue;
        }
        let source = Source {
            org_id: standup.org_id,
            team_id: standup.team_id,
            owner_id: owner,
            standup_id: standup.id,
            question_id: question.id,
        };
        if let Recorded::Opened(blocker) = blockers::record(tx, &source, text, now).await? {
            opened.push(blocker);
        }
    }
    Ok(opened)
}

async fn views(conn: &mut AsyncPgConnection, rows: Vec<Blocker>) -> ApiResult<Vec<BlockerView>> {
    let mut ids: Vec<UserId> = rows
        .iter()
        .flat_map(|b| std::iter::once(b.owner_id).chain(b.resolved_by))
        .collect();
    ids.sort_by_key(UserId::as_uuid);
    ids.dedup();
    let people: HashMap<UserId, User> = users::find_many(conn, &ids)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    Ok(rows
        .into_iter()
        .map(|blocker| BlockerView {
            owner: people.get(&blocker.owner_id).cloned(),
            resolved_by: blocker.resolved_by.and_then(|u| people.get(&u).cloned()),
            blocker,
        })
        .collect())
}

/// A team's blockers (of `status` when given), oldest first, `first` after the cursor;
/// and whether more follow. Any member.
#[tracing::instrument(skip_all)]
pub async fn list(
    state: &AppState,
    caller: &Caller,
    team: TeamId,
    status: Option<BlockerStatus>,
    after: Option<(DateTime<Utc>, Uuid)>,
    first: i64,
) -> ApiResult<(Vec<BlockerView>, bool)> {
    require_member(state, caller).await?;
    let mut conn = state.db().await?;
    teams::find(&mut conn, caller.org, team)
        .await?
        .ok_or_else(team_not_found)?;
    let mut rows =
        blockers::list_for_team(&mut conn, caller.org, team, status, after, first + 1).await?;
    let more = rows.len() as i64 > first;
    rows.truncate(first as usize);
    Ok((views(&mut conn, rows).await?, more))
}

/// The caller's open blockers, oldest first (shown in their standups). Any member.
#[tracing::instrument(skip_all)]
pub async fn mine_open(state: &AppState, caller: &Caller) -> ApiResult<Vec<BlockerView>> {
    require_member(state, caller).await?;
    let mut conn = state.db().await?;
    let rows = blockers::open_of_owner(&mut conn, caller.org, caller.user, MY_OPEN_LIMIT).await?;
    views(&mut conn, rows).await
}

/// FORBIDDEN unless the caller owns `blocker`, is in its team, or is OWNER/ADMIN.
async fn require_may_change(
    tx: &mut AsyncPgConnection,
    caller: &Caller,
    admin: bool,
    blocker: &Blocker,
) -> ApiResult<()> {
    if admin || blocker.owner_id == caller.user {
        return Ok(());
    }
    if teams::membership(tx, caller.org, blocker.team_id, caller.user)
        .await?
        .is_some()
    {
        return Ok(());
    }
    Err(ApiError::Forbidden(
        "only its owner, members of its team and owners or admins can change a blocker".into(),
    ))
}

fn check_note(note: Option<String>) -> ApiResult<Option<String>> {
    let note = note.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    if note
        .as_ref()
        .is_some_and(|n| n.chars().count() > NOTE_MAX_CHARS)
    {
        return Err(ApiError::BadInput {
            field: Some("note"),
            message: format!("note: at most {NOTE_MAX_CHARS} characters"),
        });
    }
    Ok(note)
}

/// Resolves a blocker, with an optional note. Resolving a resolved one again replaces
/// who, when and the note. Owner, team members, OWNER/ADMIN.
#[tracing::instrument(skip_all)]
pub async fn resolve(
    state: &AppState,
    meta: &RequestMeta,
    caller: &Caller,
    id: Uuid,
    note: Option<String>,
) -> ApiResult<BlockerView> {
    let note = check_note(note)?;
    let role = require_member(state, caller).await?;
    let mut conn = state.db().await?;
    let view = conn
        .transaction::<_, ApiError, _>(async |tx| {
            let before = blockers::find_for_update(tx, caller.org, id)
                .await?
                .ok_or_else(blocker_not_found)?;
            require_may_change(tx, caller, role.is_admin(), &before).await?;
            let after =
                blockers::resolve(tx, caller.org, id, caller.user, note.as_deref(), Utc::now())
                    .await?;
            audit(
                tx,
                meta,
                Some(caller.org),
                Some(caller.user),
                "blocker.resolved",
                Some(("blocker", id.to_string())),
                json!({ "before": summary(&before), "after": summary(&after) }),
            )
            .await?;
            Ok(views(tx, vec![after]).await?.remove(0))
        })
        .await?;
    state
        .events
        .publish(event(StandupEventKind::BlockerResolved, &view.blocker));
    Ok(view)
}

/// Opens a resolved blocker again (an open one is returned as it is). Owner, team
/// members, OWNER/ADMIN.
#[tracing::instrument(skip_all)]
pub async fn reopen(
    state: &AppState,
    meta: &RequestMeta,
    caller: &Caller,
    id: Uuid,
) -> ApiResult<BlockerView> {
    let role = require_member(state, caller).await?;
    let mut conn = state.db().await?;
    let (view, changed) = conn
        .transaction::<_, ApiError, _>(async |tx| {
            let before = blockers::find_for_update(tx, caller.org, id)
                .await?
                .ok_or_else(blocker_not_found)?;
            require_may_change(tx, caller, role.is_admin(), &before).await?;
            if before.status == BlockerStatus::Open {
                return Ok((views(tx, vec![before]).await?.remove(0), false));
            }
            let after = blockers::reopen(tx, caller.org, id).await?;
            audit(
                tx,
                meta,
                Some(caller.org),
                Some(caller.user),
                "blocker.reopened",
                Some(("blocker", id.to_string())),
                json!({ "before": summary(&before), "after": summary(&after) }),
            )
            .await?;
            Ok((views(tx, vec![after]).await?.remove(0), true))
        })
        .await?;
    if changed {
        state
            .events
            .publish(event(StandupEventKind::BlockerOpened, &view.blocker));
    }
    Ok(view)
}
