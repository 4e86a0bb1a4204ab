//! Standups: runs of a config, their participations and answers, history and stats, and
//! the live `standupEvents` subscription.

use super::teams::team_id;
use crate::auth::AuthState;
use crate::service::organization::require_caller;
use crate::service::standups as service;
use crate::state::AppState;
use async_graphql::{Context, Enum, ID, Result, ResultExt, SimpleObject, Subscription};
use chrono::{DateTime, Utc};
use futures_util::Stream;
use schema::events;
use tokio::sync::broadcast::error::RecvError;

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "schema::events::StandupEventKind")]
pub enum StandupEventKind {
    Opened,
    AnswerSubmitted,
    Skipped,
    Closed,
}

/// Something happened to a standup of the team: refetch what you show of it.
#[derive(SimpleObject, Clone, Debug)]
pub struct StandupEvent {
    pub kind: StandupEventKind,
    pub standup_id: ID,
    pub team_id: ID,
    /// Who answered or skipped; null for OPENED and CLOSED.
    pub user_id: Option<ID>,
    pub at: DateTime<Utc>,
}

impl From<&events::StandupEvent> for StandupEvent {
    fn from(e: &events::StandupEvent) -> Self {
        Self {
            kind: e.kind.into(),
            standup_id: ID(e.standup_id.to_string()),
            team_id: ID(e.team_id.to_string()),
            user_id: e.user_id.map(|u| ID(u.to_string())),
            at: e.at,
        }
    }
}

#[derive(Default)]
pub struct StandupsSubscription;

#[Subscription(name = "Subscription")]
impl StandupsSubscription {
    /// The team's standup events as they happen (opened, answer submitted, skipped,
    /// closed), from every api replica. Any active member of the organization; another
    /// organization's team is NOT_FOUND. Best effort: refetch after a reconnect.
    async fn standup_events(
        &self,
        ctx: &Context<'_>,
        team_id: ID,
    ) -> Result<impl Stream<Item = StandupEvent> + use<>> {
        let state = ctx.data::<AppState>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let team = self::team_id(&team_id)?;
        let receiver = service::subscribe(state, caller, team).await.extend()?;
        let (org, team) = (caller.org.as_uuid(), team.as_uuid());
        Ok(futures_util::stream::unfold(
            receiver,
            move |mut receiver| async move {
                loop {
                    match receiver.recv().await {
                        Ok(event) if event.org_id == org && event.team_id == team => {
                            return Some((StandupEvent::from(event.as_ref()), receiver));
                        }
                        Ok(_) => {}
                        Err(RecvError::Lagged(missed)) => {
                            tracing::warn!(
                                missed,
                                "standup subscriber fell behind; events dropped"
                            );
                        }
                        Err(RecvError::Closed) => return None,
                    }
                }
            },
        ))
    }
}
