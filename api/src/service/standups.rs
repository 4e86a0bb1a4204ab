//! Standups: reading runs and their answers, answering and skipping, starting and
//! closing runs by hand, and the live events of a team.
//!
//! Rules: any active member of the organization reads its standups (a team tool);
//! another organization's ids answer NOT_FOUND. Only participants answer or skip, and
//! only while the standup is OPEN. OWNER and ADMIN start and close runs. Every change is
//! one transaction with its audit row (and its outbox rows); events go out after commit.

use crate::auth::Caller;
use crate::error::ApiResult;
use crate::service::teams::{require_member, team_not_found};
use crate::state::AppState;
use schema::db::teams;
use schema::events::StandupEvent;
use schema::ids::TeamId;
use std::sync::Arc;
use tokio::sync::broadcast;

/// The live events of `team`, for a subscription: checked once, when subscribing (an
/// active member of the organization; another organization's team is NOT_FOUND).
#[tracing::instrument(skip_all)]
pub async fn subscribe(
    state: &AppState,
    caller: &Caller,
    team: TeamId,
) -> ApiResult<broadcast::Receiver<Arc<StandupEvent>>> {
    require_member(state, caller).await?;
    // Subscribe before the check returns, so nothing between the two is missed.
    let receiver = state.events.subscribe();
    let mut conn = state.db().await?;
    teams::find(&mut conn, caller.org, team)
        .await?
        .ok_or_else(team_not_found)?;
    Ok(receiver)
}
