//! Searching and exporting answers.
//!
//! Search: any active member searches every answer of their organization (the same
//! rule as team history: members read every team's standups). The query is 1 to
//! [`QUERY_MAX_CHARS`] characters of web search syntax.
//!
//! Export: OWNER and ADMIN export the organization's answers (narrowed by team, person,
//! dates); anyone else exports only their own: without `userId` the filter becomes
//! theirs, and another person's `userId` is FORBIDDEN. Another organization's team
//! answers NOT_FOUND; dates are standup dates, `from` not after `to`.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::service::teams::require_member;
use crate::service::throttle::{HOUR_SECS, Limit};
use crate::state::AppState;
use schema_server::db::answer_export::{self, ExportRow};
use schema_server::db::search::{self, SearchCursor, SearchFilter, SearchHit};
use schema_server::db::teams;
use std::future::Future;

/// The longest search query, in characters.
pub const QUERY_MAX_CHARS: usize = 200;
/// Rows fetched from the export cursor at a time.
pub const EXPORT_BATCH: u32 = 1000;
/// Exports one person may start per hour (each holds a database connection while it
/// runs).
pub const EXPORTS_PER_HOUR: i32 = 60;

fn bad(field: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::BadInput {
        field: Some(field),
        message: format!("{field}: {}", message.into()),
    }
}

/// Checks the parts every filter shares: the team is the organization's, `from <= to`.
async fn check_filter(state: &AppState, caller: &Caller, filter: &SearchFilter) -> ApiResult<()> {
    if let (Some(from), Some(to)) = (filter.from, filter.to)
        && from > to
    {
        return Err(bad("to", "must not be before from"));
    }
    if let Some(team) = filter.team {
        let mut conn = state.db().await?;
        teams::find(&mut conn, caller.org, team)
            .await?
            .ok_or_else(|| ApiError::NotFoundIn {
                field: "teamId",
                message: "teamId: no team of this organization has this id".into(),
            })?;
    }
    Ok(())
}

/// One page of the caller's organization's answers matching `query`, best first, and
/// whether more follow.
#[tracing::instrument(skip_all)]
pub async fn search_answers(
    state: &AppState,
    caller: &Caller,
    query: &str,
    filter: &SearchFilter,
    after: Option<SearchCursor>,
    first: i64,
) -> ApiResult<(Vec<SearchHit>, bool)> {
    let query = query.trim();
    if query.is_empty() {
        return Err(bad("query", "must not be empty"));
    }
    if query.chars().count() > QUERY_MAX_CHARS {
        return Err(bad(
            "query",
            format!("must be at most {QUERY_MAX_CHARS} characters"),
        ));
    }
    require_member(state, caller).await?;
    check_filter(state, caller, filter).await?;
    let mut conn = state.db().await?;
    let mut hits = search::search_answers(
        &mut conn,
        caller.org,
        caller.user,
        query,
        filter,
        after,
        first + 1,
    )
    .await?;
    let more = hits.len() as i64 > first;
    hits.truncate(first as usize);
    Ok((hits, more))
}

/// The filter an export runs with for this caller: theirs alone unless OWNER/ADMIN.
#[tracing::instrument(skip_all)]
pub async fn authorize_export(
    state: &AppState,
    caller: &Caller,
    mut filter: SearchFilter,
) -> ApiResult<SearchFilter> {
    let role = require_member(state, caller).await?;
    if !role.is_admin() {
        match filter.user {
            Some(user) if user != caller.user => {
                return Err(ApiError::Forbidden(
                    "only owners and admins can export another member's answers".into(),
                ));
            }
            _ => filter.user = Some(caller.user),
        }
    }
    check_filter(state, caller, &filter).await?;
    let mut conn = state.db().await?;
    Limit::new(
        "export:user",
        &caller.user.to_string(),
        EXPORTS_PER_HOUR,
        HOUR_SECS,
    )
    .hit(&mut conn)
    .await?;
    Ok(filter)
}

/// Runs an export authorized by [`authorize_export`] on a connection of its own, handing
/// each batch to `sink` until it answers false; the number of rows read.
pub async fn export_answers<F, Fut>(
    state: &AppState,
    caller: &Caller,
    filter: &SearchFilter,
    sink: F,
) -> ApiResult<u64>
where
    F: FnMut(Vec<ExportRow>) -> Fut + Send,
    Fut: Future<Output = bool> + Send,
{
    let mut conn = state.db().await?;
    Ok(answer_export::each_batch(
        &mut conn,
        caller.org,
        caller.user,
        filter,
        EXPORT_BATCH,
        sink,
    )
    .await?)
}
