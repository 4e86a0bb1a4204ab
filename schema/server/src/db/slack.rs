//! The Slack workspace of each organization and the OAuth states of installs in progress.

use super::DbError;
use super::tables::{slack_install_states, slack_workspaces};
use chrono::{DateTime, Utc};
use diesel::{ExpressionMethods, OptionalExtension, QueryDsl, Queryable, Selectable};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use schema::ids::{OrganizationId, SessionId, UserId};

/// An organization's workspace. `bot_token` is sealed; open it with the organization's
/// context only to call Slack.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = slack_workspaces)]
pub struct SlackWorkspace {
    pub org_id: OrganizationId,
    pub team_id: String,
    pub team_name: String,
    pub bot_user_id: String,
    pub bot_token: String,
    pub connected_by: Option<UserId>,
    pub connected_at: DateTime<Utc>,
}

/// Who asked for an install, from its state.
#[derive(Debug, Clone, Copy, Queryable)]
pub struct InstallState {
    pub org_id: OrganizationId,
    pub user_id: UserId,
    pub session_id: SessionId,
}

/// Records an install's state (its SHA-256), valid until `expires_at`; forgets expired
/// ones.
pub async fn insert_state(
    conn: &mut AsyncPgConnection,
    state_sha256: &[u8],
    org: OrganizationId,
    user: UserId,
    session: SessionId,
    expires_at: DateTime<Utc>,
) -> Result<(), DbError> {
    diesel::delete(
        slack_install_states::table.filter(slack_install_states::expires_at.lt(diesel::dsl::now)),
    )
    .execute(conn)
    .await?;
    diesel::insert_into(slack_install_states::table)
        .values((
            slack_install_states::state_sha256.eq(state_sha256),
            slack_install_states::org_id.eq(org),
            slack_install_states::user_id.eq(user),
            slack_install_states::session_id.eq(session),
            slack_install_states::expires_at.eq(expires_at),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Uses up a state: who asked, when it exists, is unused and has not expired; after
/// this call it never matches again.
pub async fn take_state(
    conn: &mut AsyncPgConnection,
    state_sha256: &[u8],
) -> Result<Option<InstallState>, DbError> {
    Ok(diesel::update(
        slack_install_states::table
            .filter(slack_install_states::state_sha256.eq(state_sha256))
            .filter(slack_install_states::used_at.is_null())
            .filter(slack_install_states::expires_at.gt(diesel::dsl::now)),
    )
    .set(slack_install_states::used_at.eq(diesel::dsl::now))
    .returning((
        slack_install_states::org_id,
        slack_install_states::user_id,
        slack_install_states::session_id,
    ))
    .get_result(conn)
    .await
    .optional()?)
}

/// Stores `org`'s workspace, replacing an earlier install (a reinstall replaces the token).
pub async fn upsert_workspace(
    conn: &mut AsyncPgConnection,
    workspace: &SlackWorkspace,
) -> Result<(), DbError> {
    let values = (
        slack_workspaces::org_id.eq(workspace.org_id),
        slack_workspaces::team_id.eq(&workspace.team_id),
        slack_workspaces::team_name.eq(&workspace.team_name),
        slack_workspaces::bot_user_id.eq(&workspace.bot_user_id),
        slack_workspaces::bot_token.eq(&workspace.bot_token),
        slack_workspaces::connected_by.eq(workspace.connected_by),
        slack_workspaces::connected_at.eq(workspace.connected_at),
    );
    diesel::insert_into(slack_workspaces::table)
        .values(values)
        .on_conflict(slack_workspaces::org_id)
        .do_update()
        .set(values)
        .execute(conn)
        .await?;
    Ok(())
}

/// `org`'s workspace, if Slack is connected.
pub async fn find_workspace(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
) -> Result<Option<SlackWorkspace>, DbError> {
    use diesel::SelectableHelper;
    Ok(slack_workspaces::table
        .find(org)
        .select(SlackWorkspace::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// Forgets `org`'s workspace; returns it (its sealed token, to revoke it at Slack).
pub async fn delete_workspace(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
) -> Result<Option<SlackWorkspace>, DbError> {
    use diesel::SelectableHelper;
    Ok(diesel::delete(slack_workspaces::table.find(org))
        .returning(SlackWorkspace::as_returning())
        .get_result(conn)
        .await
        .optional()?)
}

/// Forgets every organization's install in Slack workspace `team_id` (the app was
/// uninstalled there), or only those whose bot is one of `bots` when given (its tokens
/// were revoked); returns what was forgotten.
pub async fn delete_team(
    conn: &mut AsyncPgConnection,
    team_id: &str,
    bots: Option<&[String]>,
) -> Result<Vec<SlackWorkspace>, DbError> {
    use diesel::SelectableHelper;
    let mut query = diesel::delete(slack_workspaces::table)
        .filter(slack_workspaces::team_id.eq(team_id))
        .into_boxed();
    if let Some(bots) = bots {
        query = query.filter(slack_workspaces::bot_user_id.eq_any(bots));
    }
    Ok(query
        .returning(SlackWorkspace::as_returning())
        .get_results(conn)
        .await?)
}
