//! Tracked blockers (`blockers`): opened by an answer to a BLOCKER question, resolved or
//! reopened by people. One row per source answer (standup, owner, question). Every query
//! is filtered by the organization.

use super::DbError;
use chrono::{DateTime, Utc};
use diesel::sql_types::{BigInt, Bool, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel::{OptionalExtension, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use schema::enums::BlockerStatus;
use schema::ids::{OrganizationId, QuestionId, StandupId, TeamId, UserId};
use uuid::Uuid;

/// One blocker.
#[derive(Clone, Debug, PartialEq, Eq, QueryableByName)]
pub struct Blocker {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub org_id: OrganizationId,
    #[diesel(sql_type = SqlUuid)]
    pub team_id: TeamId,
    #[diesel(sql_type = SqlUuid)]
    pub owner_id: UserId,
    #[diesel(sql_type = SqlUuid)]
    pub standup_id: StandupId,
    #[diesel(sql_type = SqlUuid)]
    pub question_id: QuestionId,
    #[diesel(sql_type = Text)]
    pub text: String,
    #[diesel(sql_type = Text)]
    pub status: BlockerStatus,
    #[diesel(sql_type = Timestamptz)]
    pub opened_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub resolved_by: Option<UserId>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub resolved_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Text>)]
    pub resolution_note: Option<String>,
}

const COLUMNS: &str = "id, org_id, team_id, owner_id, standup_id, question_id, text, status, \
     opened_at, resolved_by, resolved_at, resolution_note";

/// The answer a blocker comes from.
#[derive(Clone, Copy, Debug)]
pub struct Source {
    pub org_id: OrganizationId,
    pub team_id: TeamId,
    pub owner_id: UserId,
    pub standup_id: StandupId,
    pub question_id: QuestionId,
}

/// What [`record`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Recorded {
    /// A new blocker opened.
    Opened(Blocker),
    /// The open blocker of this source took the new text.
    Updated(Blocker),
    /// The blocker of this source is resolved; it is left as the person resolved it.
    AlreadyResolved,
}

/// Opens the blocker of `source` with `text`, or gives its open blocker the new text.
/// A resolved one stays resolved (the person reopens it if it still holds them up).
pub async fn record(
    conn: &mut AsyncPgConnection,
    source: &Source,
    text: &str,
    now: DateTime<Utc>,
) -> Result<Recorded, DbError> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(embed)]
        blocker: Blocker,
        #[diesel(sql_type = Bool)]
        inserted: bool,
    }
    let row: Option<Row> = diesel::sql_query(format!(
        "INSERT INTO blockers AS b (id, org_id, team_id, owner_id, standup_id, question_id, text, opened_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (standup_id, owner_id, question_id) DO UPDATE SET text = EXCLUDED.text
             WHERE b.status = 'OPEN' AND b.org_id = EXCLUDED.org_id
         RETURNING {COLUMNS}, (xmax = 0) AS inserted"
    ))
    .bind::<SqlUuid, _>(Uuid::new_v4())
    .bind::<SqlUuid, _>(source.org_id)
    .bind::<SqlUuid, _>(source.team_id)
    .bind::<SqlUuid, _>(source.owner_id)
    .bind::<SqlUuid, _>(source.standup_id)
    .bind::<SqlUuid, _>(source.question_id)
    .bind::<Text, _>(text)
    .bind::<Timestamptz, _>(now)
    .get_result(conn)
    .await
    .optional()?;
    Ok(match row {
        Some(Row {
            blocker,
            inserted: true,
        }) => Recorded::Opened(blocker),
        Some(Row { blocker, .. }) => Recorded::Updated(blocker),
        None => Recorded::AlreadyResolved,
    })
}

/// `org`'s blocker `id`.
pub async fn find(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    id: Uuid,
) -> Result<Option<Blocker>, DbError> {
    Ok(diesel::sql_query(format!(
        "SELECT {COLUMNS} FROM blockers WHERE org_id = $1 AND id = $2"
    ))
    .bind::<SqlUuid, _>(org)
    .bind::<SqlUuid, _>(id)
    .get_result(conn)
    .await
    .optional()?)
}

/// `org`'s blocker `id`, locked for the caller's transaction.
pub async fn find_for_update(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    id: Uuid,
) -> Result<Option<Blocker>, DbError> {
    Ok(diesel::sql_query(format!(
        "SELECT {COLUMNS} FROM blockers WHERE org_id = $1 AND id = $2 FOR UPDATE"
    ))
    .bind::<SqlUuid, _>(org)
    .bind::<SqlUuid, _>(id)
    .get_result(conn)
    .await
    .optional()?)
}

/// `team`'s blockers (of `status` when given), oldest first, after the cursor
/// `(opened_at, id)`, at most `limit`.
pub async fn list_for_team(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    team: TeamId,
    status: Option<BlockerStatus>,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<Blocker>, DbError> {
    Ok(diesel::sql_query(format!(
        "SELECT {COLUMNS} FROM blockers
         WHERE org_id = $1 AND team_id = $2 AND ($3::text IS NULL OR status = $3)
           AND ($4::timestamptz IS NULL OR (opened_at, id) > ($4, $5))
         ORDER BY opened_at, id
         LIMIT $6"
    ))
    .bind::<SqlUuid, _>(org)
    .bind::<SqlUuid, _>(team)
    .bind::<Nullable<Text>, _>(status)
    .bind::<Nullable<Timestamptz>, _>(after.map(|a| a.0))
    .bind::<SqlUuid, _>(after.map_or(Uuid::nil(), |a| a.1))
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await?)
}

/// `owner`'s open blockers in `org`, oldest first, at most `limit`.
pub async fn open_of_owner(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    owner: UserId,
    limit: i64,
) -> Result<Vec<Blocker>, DbError> {
    Ok(diesel::sql_query(format!(
        "SELECT {COLUMNS} FROM blockers
         WHERE org_id = $1 AND owner_id = $2 AND status = 'OPEN'
         ORDER BY opened_at, id
         LIMIT $3"
    ))
    .bind::<SqlUuid, _>(org)
    .bind::<SqlUuid, _>(owner)
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await?)
}

/// Marks `org`'s blocker `id` resolved by `by` at `at`, with an optional note.
pub async fn resolve(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    id: Uuid,
    by: UserId,
    note: Option<&str>,
    at: DateTime<Utc>,
) -> Result<Blocker, DbError> {
    Ok(diesel::sql_query(format!(
        "UPDATE blockers SET status = 'RESOLVED', resolved_by = $3, resolved_at = $4,
             resolution_note = $5
         WHERE org_id = $1 AND id = $2
         RETURNING {COLUMNS}"
    ))
    .bind::<SqlUuid, _>(org)
    .bind::<SqlUuid, _>(id)
    .bind::<SqlUuid, _>(by)
    .bind::<Timestamptz, _>(at)
    .bind::<Nullable<Text>, _>(note)
    .get_result(conn)
    .await?)
}

/// Opens `org`'s blocker `id` again (it keeps its first opening time: its age counts on).
pub async fn reopen(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    id: Uuid,
) -> Result<Blocker, DbError> {
    Ok(diesel::sql_query(format!(
        "UPDATE blockers SET status = 'OPEN', resolved_by = NULL, resolved_at = NULL,
             resolution_note = NULL
         WHERE org_id = $1 AND id = $2
         RETURNING {COLUMNS}"
    ))
    .bind::<SqlUuid, _>(org)
    .bind::<SqlUuid, _>(id)
    .get_result(conn)
    .await?)
}

/// A blocker as a digest shows it: with its owner's and resolver's names.
#[derive(Clone, Debug, PartialEq, Eq, QueryableByName)]
pub struct DigestBlocker {
    #[diesel(sql_type = Text)]
    pub owner_name: String,
    #[diesel(sql_type = Text)]
    pub owner_email: String,
    #[diesel(sql_type = Text)]
    pub text: String,
    #[diesel(sql_type = Timestamptz)]
    pub opened_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Text>)]
    pub resolved_by_name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub resolution_note: Option<String>,
}

/// For the digest of `standup` (of `org`'s `team`, config `config`, scheduled at
/// `scheduled_for`, closed at `until`): the team's blockers opened before this standup
/// and still open, oldest first; and those resolved since the config's previous closed
/// standup closed (since `scheduled_for` for a config's first run or a run by hand
/// without config) up to `until`, in the order they were resolved.
pub async fn for_digest(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    team: TeamId,
    standup: StandupId,
    config: Option<schema::ids::StandupConfigId>,
    scheduled_for: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<(Vec<DigestBlocker>, Vec<DigestBlocker>), DbError> {
    const SELECT: &str = "SELECT o.name AS owner_name, o.email AS owner_email, b.text, b.opened_at,
             r.name AS resolved_by_name, b.resolution_note
         FROM blockers b
         JOIN users o ON o.id = b.owner_id
         LEFT JOIN users r ON r.id = b.resolved_by";
    let ongoing = diesel::sql_query(format!(
        "{SELECT}
         WHERE b.org_id = $1 AND b.team_id = $2 AND b.status = 'OPEN' AND b.standup_id <> $3
           AND b.opened_at <= $4
         ORDER BY b.opened_at, b.id
         LIMIT 200"
    ))
    .bind::<SqlUuid, _>(org)
    .bind::<SqlUuid, _>(team)
    .bind::<SqlUuid, _>(standup)
    .bind::<Timestamptz, _>(until)
    .load(conn)
    .await?;
    let resolved = diesel::sql_query(format!(
        "{SELECT}
         WHERE b.org_id = $1 AND b.team_id = $2 AND b.status = 'RESOLVED'
           AND b.resolved_at <= $5
           AND b.resolved_at > COALESCE(
               (SELECT max(s.closed_at) FROM standups s
                WHERE s.org_id = $1 AND s.config_id = $3 AND s.state = 'CLOSED'
                  AND s.scheduled_for < $4),
               $4)
         ORDER BY b.resolved_at, b.id
         LIMIT 200"
    ))
    .bind::<SqlUuid, _>(org)
    .bind::<SqlUuid, _>(team)
    .bind::<Nullable<SqlUuid>, _>(config)
    .bind::<Timestamptz, _>(scheduled_for)
    .bind::<Timestamptz, _>(until)
    .load(conn)
    .await?;
    Ok((ongoing, resolved))
}
