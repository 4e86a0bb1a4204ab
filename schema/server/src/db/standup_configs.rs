//! Standup configs and their participants. Every query is filtered by the organization.

use super::DbError;
use super::models::{StandupConfig, StandupConfigValues, User};
use super::tables::{standup_config_participants, standup_configs, standup_configs_extra, users};
use chrono::{DateTime, Utc};
use diesel::{
    ExpressionMethods, NullableExpressionMethods, OptionalExtension, QueryDsl, SelectableHelper,
    TextExpressionMethods, dsl::count_star,
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use schema::ids::{OrganizationId, StandupConfigId, TeamId, UserId};

/// Inserts a config; `webhook_secret` (sealed, see [`crate::secrets`]) is stored, never
/// read back by the API.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    id: StandupConfigId,
    org: OrganizationId,
    team: TeamId,
    values: &StandupConfigValues,
    webhook_secret: Option<&str>,
) -> Result<StandupConfig, DbError> {
    let config = diesel::insert_into(standup_configs::table)
        .values((
            standup_configs::id.eq(id),
            standup_configs::org_id.eq(org),
            standup_configs::team_id.eq(team),
            values,
        ))
        .returning(StandupConfig::as_returning())
        .get_result(conn)
        .await?;
    if let Some(secret) = webhook_secret {
        diesel::update(standup_configs_extra::table.find(id))
            .set(standup_configs_extra::webhook_secret.eq(secret))
            .execute(conn)
            .await?;
    }
    Ok(config)
}

/// Writes `values` over config `id`. With `webhook_secret` (sealed) the config keeps its
/// secret when it has one and takes this one otherwise; without, its secrets (the current
/// and a previous one still signing after a rotation) are cleared.
pub async fn update(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    id: StandupConfigId,
    values: &StandupConfigValues,
    webhook_secret: Option<&str>,
) -> Result<StandupConfig, DbError> {
    let config = diesel::update(
        standup_configs::table
            .filter(standup_configs::org_id.eq(org))
            .filter(standup_configs::id.eq(id)),
    )
    .set(values)
    .returning(StandupConfig::as_returning())
    .get_result(conn)
    .await?;
    // The row is the caller's organization's (found above); `id` alone is enough here.
    let extra = standup_configs_extra::table.find(id);
    let now = standup_configs_extra::updated_at.eq(diesel::dsl::now);
    match webhook_secret {
        Some(secret) => {
            diesel::update(extra)
                .set((
                    standup_configs_extra::webhook_secret.eq(diesel::dsl::sql::<
                        diesel::sql_types::Nullable<diesel::sql_types::Text>,
                    >(
                        "COALESCE(webhook_secret, "
                    )
                    .bind::<diesel::sql_types::Text, _>(secret.to_string())
                    .sql(")")),
                    now,
                ))
                .execute(conn)
                .await?
        }
        None => {
            diesel::update(extra)
                .set((
                    standup_configs_extra::webhook_secret.eq(None::<String>),
                    standup_configs_extra::webhook_secret_previous.eq(None::<String>),
                    standup_configs_extra::webhook_secret_previous_until.eq(None::<DateTime<Utc>>),
                    now,
                ))
                .execute(conn)
                .await?
        }
    };
    Ok(config)
}

/// Makes `sealed` the current webhook secret of config `id`; the one it replaces, if
/// any, keeps signing beside it until `previous_until`. The caller has found the config
/// in its organization (and locked it). Returns when the previous secret stops signing,
/// `None` when there was none.
pub async fn rotate_webhook_secret(
    conn: &mut AsyncPgConnection,
    id: StandupConfigId,
    sealed: &str,
    previous_until: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, DbError> {
    let extra = standup_configs_extra::table.find(id);
    let had_one = extra
        .select(standup_configs_extra::webhook_secret.is_not_null())
        .first::<bool>(conn)
        .await?;
    let until = had_one.then_some(previous_until);
    diesel::update(extra)
        .set((
            standup_configs_extra::webhook_secret_previous
                .eq(standup_configs_extra::webhook_secret),
            standup_configs_extra::webhook_secret_previous_until.eq(until),
            standup_configs_extra::webhook_secret.eq(sealed),
            standup_configs_extra::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await?;
    Ok(until)
}

/// Webhook secrets stored in the clear by an earlier version, to be sealed: (config,
/// column value), at most `limit`.
pub async fn unsealed_webhook_secrets(
    conn: &mut AsyncPgConnection,
    limit: i64,
) -> Result<Vec<(StandupConfigId, String)>, DbError> {
    Ok(standup_configs_extra::table
        .filter(standup_configs_extra::webhook_secret.is_not_null())
        .filter(
            standup_configs_extra::webhook_secret
                .not_like(format!("{}%", crate::secrets::SEALED_PREFIX)),
        )
        .select((
            standup_configs_extra::id,
            standup_configs_extra::webhook_secret.assume_not_null(),
        ))
        .limit(limit)
        .load(conn)
        .await?)
}

/// Replaces the clear `plain` secret of config `id` by `sealed`, unless it changed
/// meanwhile (another process sealed or rotated it). Whether it was replaced.
pub async fn seal_webhook_secret(
    conn: &mut AsyncPgConnection,
    id: StandupConfigId,
    plain: &str,
    sealed: &str,
) -> Result<bool, DbError> {
    let updated = diesel::update(
        standup_configs_extra::table
            .find(id)
            .filter(standup_configs_extra::webhook_secret.eq(plain)),
    )
    .set(standup_configs_extra::webhook_secret.eq(sealed))
    .execute(conn)
    .await?;
    Ok(updated == 1)
}

/// The Slack channels (id, name) the digests of `org`'s configs among `ids` are posted
/// to; configs without one are left out. (Two statements: `standup_configs_extra` is the
/// same table under another name, which diesel does not join to itself.)
pub async fn slack_channels(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    ids: &[StandupConfigId],
) -> Result<Vec<(StandupConfigId, String, String)>, DbError> {
    let of_org: Vec<StandupConfigId> = standup_configs::table
        .filter(standup_configs::org_id.eq(org))
        .filter(standup_configs::id.eq_any(ids))
        .select(standup_configs::id)
        .load(conn)
        .await?;
    if of_org.is_empty() {
        return Ok(Vec::new());
    }
    Ok(standup_configs_extra::table
        .filter(standup_configs_extra::id.eq_any(of_org))
        .filter(standup_configs_extra::slack_channel_id.is_not_null())
        .select((
            standup_configs_extra::id,
            standup_configs_extra::slack_channel_id.assume_not_null(),
            standup_configs_extra::slack_channel_name.assume_not_null(),
        ))
        .load(conn)
        .await?)
}

/// Sets (or, with `None`, clears) the Slack channel (id, name) config `id` posts its
/// digest to. The caller has found the config in its organization.
pub async fn set_slack_channel(
    conn: &mut AsyncPgConnection,
    id: StandupConfigId,
    channel: Option<(&str, &str)>,
) -> Result<(), DbError> {
    diesel::update(standup_configs_extra::table.find(id))
        .set((
            standup_configs_extra::slack_channel_id.eq(channel.map(|(id, _)| id)),
            standup_configs_extra::slack_channel_name.eq(channel.map(|(_, name)| name)),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// How many configs `team` has.
pub async fn count_for_team(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    team: TeamId,
) -> Result<i64, DbError> {
    Ok(standup_configs::table
        .filter(standup_configs::org_id.eq(org))
        .filter(standup_configs::team_id.eq(team))
        .select(count_star())
        .get_result(conn)
        .await?)
}

/// The configs of `org`'s teams among `teams`, oldest first, in one statement.
pub async fn list_for_teams(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    teams: &[TeamId],
) -> Result<Vec<StandupConfig>, DbError> {
    Ok(standup_configs::table
        .filter(standup_configs::org_id.eq(org))
        .filter(standup_configs::team_id.eq_any(teams))
        .order((standup_configs::created_at.asc(), standup_configs::id.asc()))
        .select(StandupConfig::as_select())
        .load(conn)
        .await?)
}

/// `org`'s configs among `ids`, in one statement.
pub async fn configs_by_ids(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    ids: &[StandupConfigId],
) -> Result<Vec<StandupConfig>, DbError> {
    Ok(standup_configs::table
        .filter(standup_configs::org_id.eq(org))
        .filter(standup_configs::id.eq_any(ids))
        .select(StandupConfig::as_select())
        .load(conn)
        .await?)
}

/// `org`'s config `id`.
pub async fn find(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    id: StandupConfigId,
) -> Result<Option<StandupConfig>, DbError> {
    Ok(standup_configs::table
        .filter(standup_configs::org_id.eq(org))
        .filter(standup_configs::id.eq(id))
        .select(StandupConfig::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// `org`'s config `id`, locked for the caller's transaction.
pub async fn find_for_update(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    id: StandupConfigId,
) -> Result<Option<StandupConfig>, DbError> {
    Ok(standup_configs::table
        .filter(standup_configs::org_id.eq(org))
        .filter(standup_configs::id.eq(id))
        .select(StandupConfig::as_select())
        .for_no_key_update()
        .first(conn)
        .await
        .optional()?)
}

pub async fn delete(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    id: StandupConfigId,
) -> Result<bool, DbError> {
    let n = diesel::delete(
        standup_configs::table
            .filter(standup_configs::org_id.eq(org))
            .filter(standup_configs::id.eq(id)),
    )
    .execute(conn)
    .await?;
    Ok(n > 0)
}

/// Replaces config `id`'s participants with `users` (members of `team`).
pub async fn set_participants(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    id: StandupConfigId,
    team: TeamId,
    participants: &[UserId],
) -> Result<(), DbError> {
    diesel::delete(
        standup_config_participants::table
            .filter(standup_config_participants::org_id.eq(org))
            .filter(standup_config_participants::config_id.eq(id)),
    )
    .execute(conn)
    .await?;
    if participants.is_empty() {
        return Ok(());
    }
    let rows: Vec<_> = participants
        .iter()
        .map(|user| {
            (
                standup_config_participants::org_id.eq(org),
                standup_config_participants::config_id.eq(id),
                standup_config_participants::team_id.eq(team),
                standup_config_participants::user_id.eq(*user),
            )
        })
        .collect();
    diesel::insert_into(standup_config_participants::table)
        .values(rows)
        .execute(conn)
        .await?;
    Ok(())
}

/// The participants of `org`'s configs among `ids`, by name, in one statement.
pub async fn participants_of(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    ids: &[StandupConfigId],
) -> Result<Vec<(StandupConfigId, User)>, DbError> {
    Ok(standup_config_participants::table
        .inner_join(users::table)
        .filter(standup_config_participants::org_id.eq(org))
        .filter(standup_config_participants::config_id.eq_any(ids))
        .order((users::name.asc(), users::id.asc()))
        .select((standup_config_participants::config_id, User::as_select()))
        .load(conn)
        .await?)
}

/// The configs of `team` that ask `user`; read before removing them from the team.
pub async fn configs_asking(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    team: TeamId,
    user: UserId,
) -> Result<Vec<StandupConfigId>, DbError> {
    Ok(standup_config_participants::table
        .filter(standup_config_participants::org_id.eq(org))
        .filter(standup_config_participants::team_id.eq(team))
        .filter(standup_config_participants::user_id.eq(user))
        .select(standup_config_participants::config_id)
        .load(conn)
        .await?)
}

/// Sets whether config `id` asks everyone in its team (its participants then follow the
/// team's members; the caller sets them to the whole team in the same transaction).
pub async fn set_everyone(
    conn: &mut AsyncPgConnection,
    id: StandupConfigId,
    everyone: bool,
) -> Result<(), DbError> {
    diesel::update(standup_configs_extra::table.find(id))
        .set(standup_configs_extra::everyone.eq(everyone))
        .execute(conn)
        .await?;
    Ok(())
}

/// Which of `org`'s configs among `ids` ask everyone in their team.
pub async fn everyone_among(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    ids: &[StandupConfigId],
) -> Result<Vec<StandupConfigId>, DbError> {
    #[derive(diesel::QueryableByName)]
    struct Everyone {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        id: StandupConfigId,
    }
    let found: Vec<Everyone> = diesel::sql_query(
        "SELECT id FROM standup_configs WHERE org_id = $1 AND id = ANY($2) AND everyone",
    )
    .bind::<diesel::sql_types::Uuid, _>(org)
    .bind::<diesel::sql_types::Array<diesel::sql_types::Uuid>, _>(ids)
    .load(conn)
    .await?;
    Ok(found.into_iter().map(|e| e.id).collect())
}

/// Adds `user`, just added to `team`, to every config of the team that asks everyone;
/// returns those configs.
pub async fn join_everyone_configs(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    team: TeamId,
    user: UserId,
) -> Result<Vec<StandupConfigId>, DbError> {
    #[derive(diesel::QueryableByName)]
    struct Joined {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        config_id: StandupConfigId,
    }
    let joined: Vec<Joined> = diesel::sql_query(
        "INSERT INTO standup_config_participants (org_id, config_id, team_id, user_id)
         SELECT c.org_id, c.id, c.team_id, $3
         FROM standup_configs c
         WHERE c.org_id = $1 AND c.team_id = $2 AND c.everyone
         ON CONFLICT DO NOTHING
         RETURNING config_id",
    )
    .bind::<diesel::sql_types::Uuid, _>(org)
    .bind::<diesel::sql_types::Uuid, _>(team)
    .bind::<diesel::sql_types::Uuid, _>(user)
    .load(conn)
    .await?;
    Ok(joined.into_iter().map(|j| j.config_id).collect())
}
