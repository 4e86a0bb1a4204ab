//! Slack: connecting a workspace (OWNER/ADMIN) and what the organization shows of it.

use super::types::{Organization, User};
use crate::auth::AuthState;
use crate::service::organization::require_caller;
use crate::service::slack as service;
use crate::state::{AppState, RequestMeta};
use async_graphql::{ComplexObject, Context, Object, Result, ResultExt, SimpleObject};
use chrono::{DateTime, Utc};

/// The Slack workspace an organization is connected to. The bot token is never shown.
#[derive(SimpleObject, Clone, Debug)]
pub struct SlackIntegration {
    /// The workspace's name in Slack.
    pub workspace_name: String,
    /// The workspace's id in Slack (`T…`).
    pub team_id: String,
    pub connected_at: DateTime<Utc>,
    /// Who connected it; null when that account is gone.
    pub connected_by: Option<User>,
}

#[ComplexObject]
impl Organization {
    /// The connected Slack workspace; null when none is, and for organizations other than
    /// the one you are signed in to.
    async fn slack_integration(&self, ctx: &Context<'_>) -> Result<Option<SlackIntegration>> {
        let state = ctx.data::<AppState>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        if self.id.as_str() != caller.org.to_string() {
            return Ok(None);
        }
        let found = service::integration(state, caller).await.extend()?;
        Ok(found.map(|(workspace, by)| SlackIntegration {
            workspace_name: workspace.team_name,
            team_id: workspace.team_id,
            connected_at: workspace.connected_at,
            connected_by: by.map(Into::into),
        }))
    }
}

#[derive(Default)]
pub struct SlackQuery;

#[Object]
impl SlackQuery {
    /// Whether this server has the Slack app set up (`SLACK_CLIENT_ID`,
    /// `SLACK_CLIENT_SECRET`, `SLACK_SIGNING_SECRET`); when false, Settings says how to
    /// turn it on.
    async fn slack_enabled(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(ctx.data::<AppState>()?.settings.slack.is_some())
    }
}

#[derive(Default)]
pub struct SlackMutation;

#[Object]
impl SlackMutation {
    /// Where to send the browser to connect a Slack workspace (OWNER/ADMIN): Slack's
    /// authorize page with a single-use state that is good for 10 minutes. Slack then
    /// sends the browser back to `/slack/oauth/callback`, which stores the workspace and
    /// opens Settings. CONFLICT when Slack is not set up on this server.
    async fn slack_install_url(&self, ctx: &Context<'_>) -> Result<String> {
        let (state, meta) = (ctx.data::<AppState>()?, ctx.data::<RequestMeta>()?);
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        service::install_url(state, meta, caller).await.extend()
    }

    /// Disconnects the Slack workspace (OWNER/ADMIN) and revokes its token at Slack.
    /// False when none was connected.
    async fn disconnect_slack(&self, ctx: &Context<'_>) -> Result<bool> {
        let (state, meta) = (ctx.data::<AppState>()?, ctx.data::<RequestMeta>()?);
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        service::disconnect(state, meta, caller).await.extend()
    }
}
