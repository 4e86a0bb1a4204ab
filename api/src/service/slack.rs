//! Connecting an organization to a Slack workspace (OWNER/ADMIN): the install's
//! authorize URL with a single-use `state` bound to the asker's session and organization
//! (10 minutes), the OAuth callback that exchanges the code for the bot token (sealed at
//! rest, never returned or logged), and disconnecting (the token is revoked at Slack).

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::service::audit;
use crate::service::teams::{require_admin, require_member};
use crate::state::{AppState, RequestMeta};
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use diesel_async::AsyncConnection;
use schema_server::db::models::User;
use schema_server::db::slack::{self as slack_db, SlackWorkspace};
use schema_server::db::users;
use schema_server::settings::SlackSettings;
use schema_server::slack::{self, SlackClient, SlackError};
use secrecy::ExposeSecret;
use serde_json::json;
use sha2::{Digest, Sha256};

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

/// The organization's workspace, when connected, and who connected it (when they still
/// exist). Any member.
pub async fn integration(
    state: &AppState,
    caller: &Caller,
) -> ApiResult<Option<(SlackWorkspace, Option<User>)>> {
    require_member(state, caller).await?;
    let mut conn = state.db().await?;
    let Some(workspace) = slack_db::find_workspace(&mut conn, caller.org).await? else {
        return Ok(None);
    };
    let by = match workspace.connected_by {
        Some(user) => users::find(&mut conn, user).await?,
        None => None,
    };
    Ok(Some((workspace, by)))
}
