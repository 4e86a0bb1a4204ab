//! The demo organization (`api demo`, `make demo`): finding it, and writing all of its
//! rows at once. The rows are built by the caller (`api::demo`); here they go in with one
//! multi-row `INSERT` per table, so a demo of a few thousand rows takes a dozen statements.
//! Call [`insert`] inside the caller's transaction, after [`lock`] and [`find_org`], so two
//! runs at once still make one organization.

use super::DbError;
use super::models::{Answer, NewMembership, NewTeam, NewUser, StandupConfigValues};
use super::standups::NewStandup;
use super::tables::{
    organizations, participations, standup_config_participants, standups, team_members, users,
};
use chrono::{DateTime, Utc};
use diesel::{
    ExpressionMethods, Insertable, OptionalExtension, QueryDsl, sql_types::BigInt, upsert::excluded,
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use schema::enums::ParticipationState;
use schema::ids::{OrganizationId, StandupConfigId, StandupId, TeamId, UserId};

/// The advisory lock (transaction-scoped) that serialises demo fills.
const DEMO_LOCK: i64 = 0x0de0_0de0;

/// Waits for the demo lock; it is released when the caller's transaction ends.
pub async fn lock(conn: &mut AsyncPgConnection) -> Result<(), DbError> {
    diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
        .bind::<BigInt, _>(DEMO_LOCK)
        .execute(conn)
        .await?;
    Ok(())
}

/// The organization with `slug`, when it exists.
pub async fn find_org(
    conn: &mut AsyncPgConnection,
    slug: &str,
) -> Result<Option<OrganizationId>, DbError> {
    Ok(organizations::table
        .filter(organizations::slug.eq(slug))
        .select(organizations::id)
        .first(conn)
        .await
        .optional()?)
}

/// The ids of the accounts among `emails` that exist already, with their e-mail.
pub async fn user_ids_by_email(
    conn: &mut AsyncPgConnection,
    emails: &[String],
) -> Result<Vec<(String, UserId)>, DbError> {
    Ok(users::table
        .filter(users::email.eq_any(emails))
        .select((users::email, users::id))
        .load(conn)
        .await?)
}

#[derive(Clone, Debug, Insertable)]
#[diesel(table_name = team_members)]
pub struct DemoTeamMember {
    pub org_id: OrganizationId,
    pub team_id: TeamId,
    pub user_id: UserId,
}

/// A config of the demo (written with [`super::standup_configs::insert`]).
#[derive(Clone, Debug)]
pub struct DemoConfig {
    pub id: StandupConfigId,
    pub team_id: TeamId,
    pub values: StandupConfigValues,
}

#[derive(Clone, Debug, Insertable)]
#[diesel(table_name = standup_config_participants)]
pub struct DemoConfigParticipant {
    pub org_id: OrganizationId,
    pub config_id: StandupConfigId,
    pub team_id: TeamId,
    pub user_id: UserId,
}

/// How a demo standup closed: when, and its compiled digest (`schema::digest::Digest`).
#[derive(Clone, Debug)]
pub struct DemoClosing {
    pub standup_id: StandupId,
    pub closed_at: DateTime<Utc>,
    pub digest: serde_json::Value,
}

#[derive(Clone, Debug, Insertable)]
#[diesel(table_name = participations)]
pub struct DemoParticipation {
    pub standup_id: StandupId,
    pub user_id: UserId,
    pub org_id: OrganizationId,
    pub state: ParticipationState,
    pub skip_reason: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
}

/// Every row of the demo organization.
#[derive(Clone, Debug)]
pub struct DemoRows<'a> {
    pub org_id: OrganizationId,
    pub org_name: &'a str,
    pub slug: &'a str,
    /// Accounts that exist already get the name and password hash given here.
    pub users: Vec<NewUser<'a>>,
    pub memberships: Vec<NewMembership>,
    pub teams: Vec<NewTeam<'a>>,
    pub team_members: Vec<DemoTeamMember>,
    pub configs: Vec<DemoConfig>,
    pub config_participants: Vec<DemoConfigParticipant>,
    /// Inserted OPEN; those in `closings` are then closed with their digest.
    pub standups: Vec<NewStandup>,
    pub closings: Vec<DemoClosing>,
    pub participations: Vec<DemoParticipation>,
    pub answers: Vec<Answer>,
}

/// Writes `rows`: one `INSERT` per table, then the closed standups' state, closing time
/// and digest in one `UPDATE … FROM unnest`.
pub async fn insert(conn: &mut AsyncPgConnection, rows: &DemoRows<'_>) -> Result<(), DbError> {
    use super::tables::{answers, memberships, teams};
    use diesel::sql_types::{Array, Jsonb, Timestamptz, Uuid as SqlUuid};
    diesel::insert_into(users::table)
        .values(&rows.users)
        .on_conflict(users::email)
        .do_update()
        .set((
            users::name.eq(excluded(users::name)),
            users::password_hash.eq(excluded(users::password_hash)),
        ))
        .execute(conn)
        .await?;
    diesel::insert_into(organizations::table)
        .values((
            organizations::id.eq(rows.org_id),
            organizations::name.eq(rows.org_name),
            organizations::slug.eq(rows.slug),
        ))
        .execute(conn)
        .await?;
    diesel::insert_into(memberships::table)
        .values(&rows.memberships)
        .execute(conn)
        .await?;
    diesel::insert_into(teams::table)
        .values(&rows.teams)
        .execute(conn)
        .await?;
    diesel::insert_into(team_members::table)
        .values(&rows.team_members)
        .execute(conn)
        .await?;
    // A handful: one statement each, through the configs' own insert.
    for config in &rows.configs {
        super::standup_configs::insert(
            conn,
            config.id,
            rows.org_id,
            config.team_id,
            &config.values,
            None,
        )
        .await?;
    }
    diesel::insert_into(standup_config_participants::table)
        .values(&rows.config_participants)
        .execute(conn)
        .await?;
    diesel::insert_into(standups::table)
        .values(&rows.standups)
        .execute(conn)
        .await?;
    diesel::insert_into(participations::table)
        .values(&rows.participations)
        .execute(conn)
        .await?;
    // Well under PostgreSQL's 65,535 parameters a statement: a few hundred answers of 6.
    diesel::insert_into(answers::table)
        .values(&rows.answers)
        .execute(conn)
        .await?;
    if !rows.closings.is_empty() {
        let ids: Vec<StandupId> = rows.closings.iter().map(|c| c.standup_id).collect();
        let closed: Vec<DateTime<Utc>> = rows.closings.iter().map(|c| c.closed_at).collect();
        let digests: Vec<&serde_json::Value> = rows.closings.iter().map(|c| &c.digest).collect();
        diesel::sql_query(
            "UPDATE standups s SET state = 'CLOSED', closed_at = c.closed_at, digest = c.digest
             FROM unnest($1::uuid[], $2::timestamptz[], $3::jsonb[]) AS c (id, closed_at, digest)
             WHERE s.id = c.id",
        )
        .bind::<Array<SqlUuid>, _>(&ids)
        .bind::<Array<Timestamptz>, _>(&closed)
        .bind::<Array<Jsonb>, _>(&digests)
        .execute(conn)
        .await?;
    }
    Ok(())
}
