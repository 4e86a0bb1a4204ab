//! The Slack workspace of each organization, the OAuth states of installs in progress,
//! the members matched to Slack users, and the messages the bot posted for standups.

use super::DbError;
use super::tables::{
    memberships, participations, slack_install_states, slack_messages, slack_users,
    slack_workspaces, users,
};
use chrono::{DateTime, Utc};
use diesel::{
    BoolExpressionMethods, ExpressionMethods, Insertable, JoinOnDsl, NullableExpressionMethods,
    OptionalExtension, PgSortExpressionMethods, QueryDsl, Queryable, Selectable, SelectableHelper,
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use schema::enums::{MemberStatus, ParticipationState};
use schema::ids::{OrganizationId, SessionId, StandupId, UserId};

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

/// A member matched to a Slack user, and the DM channel the bot has with them (once
/// opened).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = slack_users)]
pub struct SlackUser {
    pub user_id: UserId,
    pub slack_user_id: String,
    pub dm_channel: Option<String>,
}

/// The ACTIVE members of `org` and their e-mail addresses (what Slack users are matched
/// against).
pub async fn member_emails(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
) -> Result<Vec<(UserId, String)>, DbError> {
    Ok(memberships::table
        .inner_join(users::table)
        .filter(memberships::org_id.eq(org))
        .filter(memberships::status.eq(MemberStatus::Active))
        .select((users::id, users::email))
        .load(conn)
        .await?)
}

/// Makes `matches` (member, Slack user id) `org`'s matched members: others are forgotten,
/// a member whose Slack user changed loses the DM channel, the rest keep theirs. Marks
/// the workspace synced. Returns how many members are matched.
pub async fn replace_matches(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    matches: &[(UserId, String)],
) -> Result<usize, DbError> {
    let ids: Vec<UserId> = matches.iter().map(|(user, _)| *user).collect();
    diesel::delete(
        slack_users::table
            .filter(slack_users::org_id.eq(org))
            .filter(slack_users::user_id.ne_all(&ids)),
    )
    .execute(conn)
    .await?;
    for chunk in matches.chunks(1_000) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|(user, slack_user)| {
                (
                    slack_users::org_id.eq(org),
                    slack_users::user_id.eq(*user),
                    slack_users::slack_user_id.eq(slack_user),
                )
            })
            .collect();
        diesel::insert_into(slack_users::table)
            .values(rows)
            .on_conflict((slack_users::org_id, slack_users::user_id))
            .do_update()
            .set((
                slack_users::dm_channel.eq(diesel::dsl::sql::<
                    diesel::sql_types::Nullable<diesel::sql_types::Text>,
                >(
                    "CASE WHEN slack_users.slack_user_id = excluded.slack_user_id \
                     THEN slack_users.dm_channel END",
                )),
                slack_users::slack_user_id.eq(diesel::upsert::excluded(slack_users::slack_user_id)),
            ))
            .execute(conn)
            .await?;
    }
    diesel::update(slack_workspaces::table.find(org))
        .set(slack_workspaces::users_synced_at.eq(diesel::dsl::now))
        .execute(conn)
        .await?;
    Ok(matches.len())
}

/// How many of `org`'s members are matched to Slack users.
pub async fn matched_count(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
) -> Result<i64, DbError> {
    Ok(slack_users::table
        .filter(slack_users::org_id.eq(org))
        .count()
        .get_result(conn)
        .await?)
}

/// Which of `among` are matched to Slack users in `org`, with their Slack ids.
pub async fn matched_among(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    among: &[UserId],
) -> Result<Vec<SlackUser>, DbError> {
    Ok(slack_users::table
        .filter(slack_users::org_id.eq(org))
        .filter(slack_users::user_id.eq_any(among))
        .order(slack_users::user_id.asc())
        .select(SlackUser::as_select())
        .load(conn)
        .await?)
}

/// The members a Slack user of workspace `team_id` is, one per organization that
/// installed the app there.
pub async fn members_of_slack_user(
    conn: &mut AsyncPgConnection,
    team_id: &str,
    slack_user_id: &str,
) -> Result<Vec<(OrganizationId, UserId)>, DbError> {
    Ok(slack_users::table
        .inner_join(slack_workspaces::table.on(slack_workspaces::org_id.eq(slack_users::org_id)))
        .filter(slack_workspaces::team_id.eq(team_id))
        .filter(slack_users::slack_user_id.eq(slack_user_id))
        .order(slack_users::org_id.asc())
        .select((slack_users::org_id, slack_users::user_id))
        .load(conn)
        .await?)
}

/// Remembers the DM channel the bot has with `user`.
pub async fn set_dm_channel(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    user: UserId,
    channel: &str,
) -> Result<(), DbError> {
    diesel::update(slack_users::table.find((org, user)))
        .set(slack_users::dm_channel.eq(channel))
        .execute(conn)
        .await?;
    Ok(())
}

/// The workspaces whose members were last matched before `before` (or never).
pub async fn workspaces_to_sync(
    conn: &mut AsyncPgConnection,
    before: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<SlackWorkspace>, DbError> {
    Ok(slack_workspaces::table
        .filter(
            slack_workspaces::users_synced_at
                .is_null()
                .or(slack_workspaces::users_synced_at.lt(before)),
        )
        .order(slack_workspaces::users_synced_at.asc().nulls_first())
        .limit(limit)
        .select(SlackWorkspace::as_select())
        .load(conn)
        .await?)
}

/// Which kind of message the bot posted for a standup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    /// A participant's DM when the standup opened.
    Open,
    /// The reminder, a reply under the participant's DM.
    Remind,
    /// A part of the digest in the config's channel.
    Digest,
}

impl MessageKind {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Remind => "remind",
            Self::Digest => "digest",
        }
    }
}

/// A message the bot posted.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = slack_messages)]
pub struct SlackMessage {
    pub standup_id: StandupId,
    pub kind: String,
    pub user_id: Option<UserId>,
    pub part: i32,
    pub channel: String,
    pub ts: String,
    pub closed_state: Option<String>,
}

/// The messages of `kind` the bot posted for `standup`.
pub async fn messages(
    conn: &mut AsyncPgConnection,
    standup: StandupId,
    kind: MessageKind,
) -> Result<Vec<SlackMessage>, DbError> {
    Ok(slack_messages::table
        .filter(slack_messages::standup_id.eq(standup))
        .filter(slack_messages::kind.eq(kind.as_str()))
        .order((slack_messages::user_id.asc(), slack_messages::part.asc()))
        .select(SlackMessage::as_select())
        .load(conn)
        .await?)
}

/// Records messages just posted (one already recorded stays as it was).
pub async fn record_messages(
    conn: &mut AsyncPgConnection,
    posted: &[SlackMessage],
) -> Result<(), DbError> {
    if posted.is_empty() {
        return Ok(());
    }
    diesel::insert_into(slack_messages::table)
        .values(posted)
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(())
}

/// Records that `user`'s `open` DM of `standup` now shows `state`.
pub async fn set_closed_state(
    conn: &mut AsyncPgConnection,
    standup: StandupId,
    user: UserId,
    state: &str,
) -> Result<(), DbError> {
    diesel::update(
        slack_messages::table
            .filter(slack_messages::standup_id.eq(standup))
            .filter(slack_messages::kind.eq(MessageKind::Open.as_str()))
            .filter(slack_messages::user_id.eq(user)),
    )
    .set(slack_messages::closed_state.eq(state))
    .execute(conn)
    .await?;
    Ok(())
}

/// When `org`'s members were last matched to Slack users; `None` when never (or not
/// connected).
pub async fn users_synced_at(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
) -> Result<Option<DateTime<Utc>>, DbError> {
    Ok(slack_workspaces::table
        .find(org)
        .select(slack_workspaces::users_synced_at)
        .first::<Option<DateTime<Utc>>>(conn)
        .await
        .optional()?
        .flatten())
}

/// Forgets `org`'s workspace if its bot token is still `sealed_token` (the one a job found
/// dead; a reinstall since then keeps its new token). Returns what was forgotten.
pub async fn delete_workspace_with_token(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    sealed_token: &str,
) -> Result<Option<SlackWorkspace>, DbError> {
    Ok(diesel::delete(
        slack_workspaces::table
            .find(org)
            .filter(slack_workspaces::bot_token.eq(sealed_token)),
    )
    .returning(SlackWorkspace::as_returning())
    .get_result(conn)
    .await
    .optional()?)
}

/// The participants of `standups` (of any organization) who are matched to a Slack user
/// in an organization whose workspace is connected, as `(standup, user)`; with
/// `with_open_dm`, only those the bot already DM'd when the standup opened. One statement
/// for any number of standups (the worker's batched `notify_standup`).
pub async fn reachable_participants(
    conn: &mut AsyncPgConnection,
    standups: &[StandupId],
    with_open_dm: bool,
) -> Result<Vec<(StandupId, UserId)>, DbError> {
    if standups.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = participations::table
        .inner_join(
            slack_users::table.on(slack_users::org_id
                .eq(participations::org_id)
                .and(slack_users::user_id.eq(participations::user_id))),
        )
        .inner_join(slack_workspaces::table.on(slack_workspaces::org_id.eq(participations::org_id)))
        .filter(participations::standup_id.eq_any(standups))
        .select((participations::standup_id, participations::user_id))
        .order((participations::standup_id, participations::user_id))
        .into_boxed();
    if with_open_dm {
        query = query.filter(diesel::dsl::exists(
            slack_messages::table
                .filter(slack_messages::standup_id.eq(participations::standup_id))
                .filter(slack_messages::kind.eq(MessageKind::Open.as_str()))
                .filter(slack_messages::user_id.eq(participations::user_id.nullable())),
        ));
    }
    Ok(query.load(conn).await?)
}

/// A participant of a standup who is matched to a Slack user, with where their
/// participation stands.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct SlackParticipant {
    pub user: SlackUser,
    pub state: ParticipationState,
    pub notified_at: Option<DateTime<Utc>>,
    pub reminded_at: Option<DateTime<Utc>>,
}

/// The participants of `org`'s standup `standup` matched to Slack users (whether or not
/// the workspace is still connected), ordered by user.
pub async fn participants_on_slack(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    standup: StandupId,
) -> Result<Vec<SlackParticipant>, DbError> {
    Ok(participations::table
        .inner_join(
            slack_users::table.on(slack_users::org_id
                .eq(participations::org_id)
                .and(slack_users::user_id.eq(participations::user_id))),
        )
        .filter(participations::org_id.eq(org))
        .filter(participations::standup_id.eq(standup))
        .order(participations::user_id.asc())
        .select((
            SlackUser::as_select(),
            participations::state,
            participations::notified_at,
            participations::reminded_at,
        ))
        .load(conn)
        .await?)
}
