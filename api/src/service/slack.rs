//! Connecting an organization to a Slack workspace (OWNER/ADMIN): the install's
//! authorize URL with a single-use `state` bound to the asker's session and organization
//! (10 minutes), the OAuth callback that exchanges the code for the bot token (sealed at
//! rest, never returned or logged), and disconnecting (the token is revoked at Slack).

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::service::audit;
use crate::service::teams::{require_admin, require_member};
use crate::service::throttle::{HOUR_SECS, Limit};
use crate::state::{AppState, RequestMeta};
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use schema::validation::SLACK_CHANNEL_SEARCH_MAX_CHARS;
use schema_server::db::AsyncPgConnection;
use schema_server::db::models::User;
use schema_server::db::slack::{self as slack_db, SlackWorkspace};
use schema_server::db::users;
use schema_server::settings::SlackSettings;
use schema_server::slack::{self, SlackChannel, SlackClient, SlackError, SyncError};
use secrecy::ExposeSecret;
use serde_json::json;
use sha2::{Digest, Sha256};

/// How many times an organization may match its members again per hour
/// (`syncSlackUsers`: every call reads the whole `users.list`).
pub const SYNCS_PER_ORG_PER_HOUR: i32 = 20;
/// The most pages of `conversations.list` (200 channels each) `slackChannels` reads.
pub const MAX_CHANNEL_PAGES: usize = 10;

/// How long an install's `state` is good for.
const STATE_LIFETIME: chrono::TimeDelta = chrono::TimeDelta::minutes(10);

fn configured(state: &AppState) -> ApiResult<&SlackSettings> {
    state.settings.slack.as_ref().ok_or_else(|| ApiError::Conflict {
        field: None,
        message: "Slack is not set up on this server: an operator sets SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_SIGNING_SECRET (docs/slack.md)".into(),
    })
}

/// Where Slack sends the browser back after the install.
pub fn redirect_uri(state: &AppState) -> String {
    format!("{}/slack/oauth/callback", state.settings.public_url)
}

fn client(settings: &SlackSettings) -> ApiResult<SlackClient> {
    SlackClient::new(&settings.api_base_url).map_err(ApiError::internal)
}

fn not_connected() -> ApiError {
    ApiError::Conflict {
        field: None,
        message: "Slack is not connected: an owner or admin connects it in Settings → Integrations"
            .into(),
    }
}

/// What a failed Slack call tells the person who asked for it (`extensions.code`:
/// RATE_LIMITED with `retryAfter`, or CONFLICT saying what to do).
fn slack_failure(error: SlackError) -> ApiError {
    tracing::warn!(%error, "a Slack call failed");
    match error {
        SlackError::RateLimited { retry_after_secs } => ApiError::RateLimited { retry_after_secs },
        ref dead if dead.token_is_dead() => ApiError::Conflict {
            field: None,
            message: format!(
                "Slack no longer accepts this organization's token ({dead}); connect Slack again in Settings"
            ),
        },
        SlackError::Refused(reason) => ApiError::Conflict {
            field: None,
            message: format!("Slack refused the request ({reason})"),
        },
        SlackError::Unreachable(_) | SlackError::Unavailable(_) => ApiError::Conflict {
            field: None,
            message: "Slack could not be reached; try again in a minute".into(),
        },
    }
}

/// The organization's workspace and its bot token in the clear (to call Slack with;
/// never returned, logged or audited). CONFLICT when not connected.
async fn workspace_and_token(
    state: &AppState,
    conn: &mut AsyncPgConnection,
    org: schema::ids::OrganizationId,
) -> ApiResult<(SlackWorkspace, String)> {
    let workspace = slack_db::find_workspace(conn, org)
        .await?
        .ok_or_else(not_connected)?;
    let token = slack::bot_token(&state.secrets, &workspace)
        .map_err(|e| ApiError::internal(anyhow::anyhow!("opening the Slack token: {e:?}")))?;
    Ok((workspace, token))
}

/// Matches `org`'s members to the workspace's people (`users.list`, by e-mail) in one
/// transaction: the matches are replaced together or not at all.
async fn match_members(
    conn: &mut AsyncPgConnection,
    client: &SlackClient,
    org: schema::ids::OrganizationId,
    token: &str,
) -> ApiResult<usize> {
    conn.transaction::<_, ApiError, _>(async |tx| {
        slack::sync_members(tx, client, org, token)
            .await
            .map_err(|e| match e {
                SyncError::Slack(e) => slack_failure(e),
                SyncError::Db(e) => e.into(),
            })
    })
    .await
}

/// The authorize URL to send the browser to, with a fresh single-use `state`.
#[tracing::instrument(skip_all)]
pub async fn install_url(
    state: &AppState,
    meta: &RequestMeta,
    caller: &Caller,
) -> ApiResult<String> {
    require_admin(state, caller, "connect Slack").await?;
    let settings = configured(state)?;
    let token = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
    let hash = Sha256::digest(token.as_bytes());
    let mut conn = state.db().await?;
    conn.transaction::<_, ApiError, _>(async |tx| {
        slack_db::insert_state(
            tx,
            &hash,
            caller.org,
            caller.user,
            caller.session,
            chrono::Utc::now() + STATE_LIFETIME,
        )
        .await?;
        audit(
            tx,
            meta,
            Some(caller.org),
            Some(caller.user),
            "slack.install_started",
            None,
            json!({}),
        )
        .await?;
        Ok(())
    })
    .await?;
    Ok(slack::authorize_url(
        &settings.authorize_url,
        &settings.client_id,
        &redirect_uri(state),
        &token,
    ))
}

/// The OAuth callback: uses up `install_state`, checks its asker is still an OWNER/ADMIN,
/// exchanges `code` for the bot token and stores the workspace (replacing an earlier
/// one). Returns the workspace's name.
#[tracing::instrument(skip_all)]
pub async fn finish_install(
    state: &AppState,
    meta: &RequestMeta,
    code: &str,
    install_state: &str,
) -> ApiResult<String> {
    let settings = configured(state)?;
    let hash = Sha256::digest(install_state.as_bytes());
    let mut conn = state.db().await?;
    let asker = slack_db::take_state(&mut conn, &hash).await?.ok_or(ApiError::BadInput {
        field: Some("state"),
        message: "state: this Slack install link was used already or has expired; start again from Settings".into(),
    })?;
    drop(conn);
    let caller = Caller {
        user: asker.user_id,
        org: asker.org_id,
        session: asker.session_id,
    };
    require_admin(state, &caller, "connect Slack").await?;
    let access = client(settings)?
        .oauth_access(
            &settings.client_id,
            settings.client_secret.expose_secret(),
            code,
            &redirect_uri(state),
        )
        .await
        .map_err(|e| match e {
            SlackError::Refused(error) => ApiError::BadInput {
                field: Some("code"),
                message: format!(
                    "code: Slack refused the install ({error}); start again from Settings"
                ),
            },
            other => ApiError::internal(other),
        })?;
    let bot_token = state
        .secrets
        .seal(&access.access_token, &slack::token_context(caller.org))
        .map_err(|e| ApiError::internal(anyhow::anyhow!("sealing the Slack token: {e:?}")))?;
    let workspace = SlackWorkspace {
        org_id: caller.org,
        team_id: access.team.id.clone(),
        team_name: access.team.name.clone(),
        bot_user_id: access.bot_user_id.clone(),
        bot_token,
        connected_by: Some(caller.user),
        connected_at: chrono::Utc::now(),
    };
    let mut conn = state.db().await?;
    conn.transaction::<_, ApiError, _>(async |tx| {
        slack_db::upsert_workspace(tx, &workspace).await?;
        audit(
            tx,
            meta,
            Some(caller.org),
            Some(caller.user),
            "slack.connected",
            None,
            json!({ "teamId": workspace.team_id, "teamName": workspace.team_name }),
        )
        .await?;
        Ok(())
    })
    .await?;
    // Best effort: the install stands even when matching fails (Settings offers Sync).
    match match_members(
        &mut conn,
        &client(settings)?,
        caller.org,
        &access.access_token,
    )
    .await
    {
        Ok(matched) => tracing::info!(matched, "Slack members matched at install"),
        Err(e) => {
            e.log();
            tracing::warn!(error = %e, "Slack members not matched at install; an admin can run Sync in Settings");
        }
    }
    Ok(workspace.team_name)
}

/// Forgets the organization's workspace and revokes its token at Slack (best effort:
/// the token is gone from here either way). False when none was connected.
#[tracing::instrument(skip_all)]
pub async fn disconnect(state: &AppState, meta: &RequestMeta, caller: &Caller) -> ApiResult<bool> {
    require_admin(state, caller, "disconnect Slack").await?;
    let mut conn = state.db().await?;
    let removed = conn
        .transaction::<_, ApiError, _>(async |tx| {
            let removed = slack_db::delete_workspace(tx, caller.org).await?;
            if let Some(workspace) = &removed {
                audit(
                    tx,
                    meta,
                    Some(caller.org),
                    Some(caller.user),
                    "slack.disconnected",
                    None,
                    json!({ "teamId": workspace.team_id, "teamName": workspace.team_name }),
                )
                .await?;
            }
            Ok(removed)
        })
        .await?;
    let Some(workspace) = removed else {
        return Ok(false);
    };
    if let Some(settings) = &state.settings.slack {
        let revoked = match state
            .secrets
            .open(&workspace.bot_token, &slack::token_context(caller.org))
        {
            Ok(token) => match client(settings)?.auth_revoke(&token).await {
                Ok(()) => Ok(()),
                Err(e) => Err(e.to_string()),
            },
            Err(e) => Err(format!("the stored token does not open: {e:?}")),
        };
        if let Err(error) = revoked {
            tracing::warn!(%error, team = %workspace.team_id, "Slack token not revoked at Slack; it is forgotten here");
        }
    }
    Ok(true)
}

/// Slack says the app is gone from workspace `team_id` (`app_uninstalled`), or that the
/// tokens of `bots` there were revoked (`tokens_revoked`): every install it concerns is
/// forgotten, each with an audit row in its organization. Returns how many.
#[tracing::instrument(skip_all)]
pub async fn workspace_gone(
    state: &AppState,
    meta: &RequestMeta,
    team_id: &str,
    bots: Option<&[String]>,
    event: &str,
) -> ApiResult<usize> {
    let mut conn = state.db().await?;
    conn.transaction::<_, ApiError, _>(async |tx| {
        let gone = slack_db::delete_team(tx, team_id, bots).await?;
        for workspace in &gone {
            audit(
                tx,
                meta,
                Some(workspace.org_id),
                None,
                "slack.disconnected_by_slack",
                None,
                json!({ "teamId": workspace.team_id, "teamName": workspace.team_name, "event": event }),
            )
            .await?;
        }
        Ok(gone.len())
    })
    .await
}

/// The organization's workspace as Settings shows it: who connected it (when they still
/// exist), how many members are matched to Slack users and when they were last matched.
#[derive(Debug, Clone)]
pub struct Integration {
    pub workspace: SlackWorkspace,
    pub connected_by: Option<User>,
    pub matched_members: i64,
    pub users_synced_at: Option<DateTime<Utc>>,
}

async fn integration_of(
    conn: &mut AsyncPgConnection,
    org: schema::ids::OrganizationId,
) -> ApiResult<Option<Integration>> {
    let Some(workspace) = slack_db::find_workspace(conn, org).await? else {
        return Ok(None);
    };
    let connected_by = match workspace.connected_by {
        Some(user) => users::find(conn, user).await?,
        None => None,
    };
    Ok(Some(Integration {
        workspace,
        connected_by,
        matched_members: slack_db::matched_count(conn, org).await?,
        users_synced_at: slack_db::users_synced_at(conn, org).await?,
    }))
}

/// The organization's workspace, when connected. Any member.
pub async fn integration(state: &AppState, caller: &Caller) -> ApiResult<Option<Integration>> {
    require_member(state, caller).await?;
    let mut conn = state.db().await?;
    integration_of(&mut conn, caller.org).await
}

/// Matches the organization's ACTIVE members to the workspace's people by e-mail now
/// (OWNER/ADMIN; at most [`SYNCS_PER_ORG_PER_HOUR`] an hour). CONFLICT when Slack is
/// off or not connected, or when Slack refuses; RATE_LIMITED when Slack asks to wait.
#[tracing::instrument(skip_all)]
pub async fn sync_users(
    state: &AppState,
    meta: &RequestMeta,
    caller: &Caller,
) -> ApiResult<Integration> {
    require_admin(state, caller, "match members to Slack users").await?;
    let settings = configured(state)?;
    let mut conn = state.db().await?;
    let (_, token) = workspace_and_token(state, &mut conn, caller.org).await?;
    Limit::new(
        "slack_sync:org",
        &caller.org.to_string(),
        SYNCS_PER_ORG_PER_HOUR,
        HOUR_SECS,
    )
    .hit(&mut conn)
    .await?;
    let matched = match_members(&mut conn, &client(settings)?, caller.org, &token).await?;
    audit(
        &mut conn,
        meta,
        Some(caller.org),
        Some(caller.user),
        "slack.users_synced",
        None,
        json!({ "matched": matched }),
    )
    .await?;
    integration_of(&mut conn, caller.org)
        .await?
        .ok_or_else(not_connected)
}

/// The channels of the organization's workspace the app can see, whose name contains
/// `search` (any case), by name. Reads `conversations.list` page by page, at most
/// [`MAX_CHANNEL_PAGES`]. OWNER/ADMIN (they pick a config's digest channel).
#[tracing::instrument(skip_all)]
pub async fn channels(
    state: &AppState,
    caller: &Caller,
    search: Option<&str>,
) -> ApiResult<Vec<SlackChannel>> {
    let search = search.map(str::trim).unwrap_or_default().to_lowercase();
    if search.chars().count() > SLACK_CHANNEL_SEARCH_MAX_CHARS {
        return Err(ApiError::BadInput {
            field: Some("search"),
            message: format!("search: at most {SLACK_CHANNEL_SEARCH_MAX_CHARS} characters"),
        });
    }
    require_admin(state, caller, "list Slack channels").await?;
    let settings = configured(state)?;
    let mut conn = state.db().await?;
    let (_, token) = workspace_and_token(state, &mut conn, caller.org).await?;
    drop(conn);
    let client = client(settings)?;
    let mut found = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..MAX_CHANNEL_PAGES {
        let page = client
            .conversations_list(&token, cursor.as_deref())
            .await
            .map_err(slack_failure)?;
        found.extend(
            page.items
                .into_iter()
                .filter(|c| c.name.to_lowercase().contains(&search)),
        );
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    found.sort_by(|a, b| (a.name.to_lowercase(), &a.id).cmp(&(b.name.to_lowercase(), &b.id)));
    Ok(found)
}

/// Opens the modal `view` in `org`'s workspace for the click that gave `trigger_id`
/// (`views.open`, with the bot token). Slack allows 3 seconds from the click.
#[tracing::instrument(skip_all)]
pub async fn open_view(
    state: &AppState,
    org: schema::ids::OrganizationId,
    trigger_id: &str,
    view: &serde_json::Value,
) -> ApiResult<()> {
    let settings = configured(state)?;
    let mut conn = state.db().await?;
    let (_, token) = workspace_and_token(state, &mut conn, org).await?;
    drop(conn);
    client(settings)?
        .views_open(&token, trigger_id, view)
        .await
        .map_err(slack_failure)
}

/// Which of `users` are matched to Slack users in `org`, for the DataLoader.
pub async fn matched_among(
    state: &AppState,
    org: schema::ids::OrganizationId,
    users: &[schema::ids::UserId],
) -> ApiResult<std::collections::HashSet<schema::ids::UserId>> {
    let mut conn = state.db().await?;
    Ok(slack_db::matched_among(&mut conn, org, users)
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .collect())
}
