//! Slack: connecting a workspace (OWNER/ADMIN) and what the organization shows of it.

use super::pagination;
use super::types::{Organization, User};
use crate::auth::AuthState;
use crate::service::organization::require_caller;
use crate::service::slack as service;
use crate::state::{AppState, RequestMeta};
use async_graphql::connection::{Connection, Edge};
use async_graphql::{ComplexObject, Context, InputObject, Object, Result, ResultExt, SimpleObject};
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
    /// How many members are matched to Slack users (same e-mail in both).
    pub matched_member_count: i32,
    /// When members were last matched (at install, by `syncSlackUsers`, daily); null
    /// when never.
    pub users_synced_at: Option<DateTime<Utc>>,
}

impl From<service::Integration> for SlackIntegration {
    fn from(found: service::Integration) -> Self {
        Self {
            workspace_name: found.workspace.team_name,
            team_id: found.workspace.team_id,
            connected_at: found.workspace.connected_at,
            connected_by: found.connected_by.map(Into::into),
            matched_member_count: i32::try_from(found.matched_members).unwrap_or(i32::MAX),
            users_synced_at: found.users_synced_at,
        }
    }
}

/// A channel of the connected workspace that a digest can be posted to.
#[derive(SimpleObject, Clone, Debug, PartialEq, Eq)]
pub struct SlackChannel {
    /// Slack's id (`C…`, or `G…` for older private channels).
    pub id: String,
    /// Its name, without `#`.
    pub name: String,
    pub is_private: bool,
}

impl From<schema_server::slack::SlackChannel> for SlackChannel {
    fn from(c: schema_server::slack::SlackChannel) -> Self {
        Self {
            id: c.id,
            name: c.name,
            is_private: c.is_private,
        }
    }
}

/// The channel a config's SLACK_CHANNEL delivery posts the digest to, as picked from
/// `slackChannels`.
#[derive(InputObject, Clone, Debug)]
pub struct SlackChannelInput {
    /// `C` or `G` and capital letters or digits, at most 32 characters.
    pub id: String,
    /// 1 to 80 characters (kept for display).
    pub name: String,
}

/// A channel's place in the order of `slackChannels`: (name in lower case, id).
fn sort_key(channel: &schema_server::slack::SlackChannel) -> (String, &str) {
    (channel.name.to_lowercase(), &channel.id)
}

impl From<SlackChannelInput> for crate::service::standup_configs::SlackChannelDraft {
    fn from(c: SlackChannelInput) -> Self {
        Self {
            id: c.id,
            name: c.name,
        }
    }
}

/// The cursor of a channel in `slackChannels`: its [`sort_key`], so a page goes on after
/// it even when it was deleted meanwhile.
fn channel_cursor(channel: &schema_server::slack::SlackChannel) -> String {
    let (name, id) = sort_key(channel);
    pagination::encode_key(&format!("{name}\u{1f}{id}"))
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
        Ok(found.map(Into::into))
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

    /// The channels of the connected workspace the app can see (public and private, not
    /// archived), whose name contains `search` (any case, at most 80 characters), by
    /// name; for picking a config's digest channel. OWNER/ADMIN. CONFLICT when Slack is
    /// not connected or refuses; RATE_LIMITED when Slack asks to wait.
    async fn slack_channels(
        &self,
        ctx: &Context<'_>,
        search: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, SlackChannel>> {
        let state = ctx.data::<AppState>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let first = usize::try_from(pagination::page_size(first).extend()?).unwrap_or(0);
        let after = pagination::decode_key(after.as_deref()).extend()?;
        let channels = service::channels(state, caller, search.as_deref())
            .await
            .extend()?;
        let after = match after {
            Some(key) => Some(
                key.rsplit_once('\u{1f}')
                    .map(|(name, id)| (name.to_owned(), id.to_owned()))
                    .ok_or_else(pagination::invalid_cursor)
                    .extend()?,
            ),
            None => None,
        };
        let start = match &after {
            Some((name, id)) => channels
                .iter()
                .position(|c| sort_key(c) > (name.clone(), id.as_str()))
                .unwrap_or(channels.len()),
            None => 0,
        };
        let end = (start + first).min(channels.len());
        let mut connection = Connection::new(start > 0, end < channels.len());
        connection.edges.extend(
            channels[start..end]
                .iter()
                .cloned()
                .map(|c| Edge::new(channel_cursor(&c), c.into())),
        );
        Ok(connection)
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

    /// Matches the organization's ACTIVE members to the workspace's people by e-mail now
    /// (OWNER/ADMIN; at most 20 times an hour). CONFLICT when Slack is not connected or
    /// refuses; RATE_LIMITED when Slack (or the hourly limit) asks to wait.
    async fn sync_slack_users(&self, ctx: &Context<'_>) -> Result<SlackIntegration> {
        let (state, meta) = (ctx.data::<AppState>()?, ctx.data::<RequestMeta>()?);
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        Ok(service::sync_users(state, meta, caller)
            .await
            .extend()?
            .into())
    }

    /// Disconnects the Slack workspace (OWNER/ADMIN) and revokes its token at Slack.
    /// False when none was connected.
    async fn disconnect_slack(&self, ctx: &Context<'_>) -> Result<bool> {
        let (state, meta) = (ctx.data::<AppState>()?, ctx.data::<RequestMeta>()?);
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        service::disconnect(state, meta, caller).await.extend()
    }
}
