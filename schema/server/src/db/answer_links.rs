//! One-click answer links and late answers.
//!
//! An answer link is a token (256 random bits, e-mailed by the worker) whose SHA-256 is
//! stored with the one participation it opens: `(org, standup, user)`. The api finds the
//! participation by the hash and nothing else; the link goes when the participation
//! goes (suspended or removed people's pending participations are deleted).
//!
//! Late answers: a standup snapshots its config's `late_answers_minutes` when it opens
//! ([`snapshot_late_window`], called by every opening path), and takes answers until
//! that long after it closed.

use super::DbError;
use super::tables::{answer_links, standup_configs_extra, standups_extra};
use diesel::{ExpressionMethods, OptionalExtension, QueryDsl, sql_types::Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use schema::ids::StandupConfigId;
use schema::ids::{OrganizationId, StandupId, UserId};

/// One link to store: the token's SHA-256 and the participation it opens.
#[derive(Clone, Debug, diesel::Insertable)]
#[diesel(table_name = answer_links)]
pub struct NewAnswerLink {
    pub token_hash: Vec<u8>,
    pub org_id: OrganizationId,
    pub standup_id: StandupId,
    pub user_id: UserId,
}

/// Stores `links` in one statement (inside the e-mailing job's transaction).
pub async fn insert_many(
    conn: &mut AsyncPgConnection,
    links: &[NewAnswerLink],
) -> Result<(), DbError> {
    if links.is_empty() {
        return Ok(());
    }
    diesel::insert_into(answer_links::table)
        .values(links)
        .execute(conn)
        .await?;
    Ok(())
}

/// The participation the link with this hash opens: `(org, standup, user)`.
pub async fn find(
    conn: &mut AsyncPgConnection,
    token_hash: &[u8],
) -> Result<Option<(OrganizationId, StandupId, UserId)>, DbError> {
    Ok(answer_links::table
        .find(token_hash)
        .select((
            answer_links::org_id,
            answer_links::standup_id,
            answer_links::user_id,
        ))
        .first(conn)
        .await
        .optional()?)
}

/// Copies each config's `late_answers_minutes` and `anonymous_mood` onto its runs among
/// `ids` that were just opened (one statement; runs without a config keep 0 and false), so
/// a later change of the config does not change what those runs promised.
pub async fn snapshot_late_window(
    conn: &mut AsyncPgConnection,
    ids: &[StandupId],
) -> Result<(), DbError> {
    use diesel::sql_types::Array;
    if ids.is_empty() {
        return Ok(());
    }
    diesel::sql_query(
        "UPDATE standups s SET late_answers_minutes = c.late_answers_minutes,
                               anonymous_mood = c.anonymous_mood
         FROM standup_configs c
         WHERE s.id = ANY($1) AND c.id = s.config_id AND c.org_id = s.org_id
           AND (c.late_answers_minutes <> 0 OR c.anonymous_mood)",
    )
    .bind::<Array<SqlUuid>, _>(ids)
    .execute(conn)
    .await?;
    Ok(())
}

/// The late window (minutes after the close) of `org`'s standup `id`; 0 when none or
/// when the standup is not found.
pub async fn late_window(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    id: StandupId,
) -> Result<i32, DbError> {
    Ok(standups_extra::table
        .filter(standups_extra::org_id.eq(org))
        .filter(standups_extra::id.eq(id))
        .select(standups_extra::late_answers_minutes)
        .first(conn)
        .await
        .optional()?
        .unwrap_or(0))
}

/// Sets config `id`'s late window (the caller checked the organization).
pub async fn set_config_late_window(
    conn: &mut AsyncPgConnection,
    id: StandupConfigId,
    minutes: i32,
) -> Result<(), DbError> {
    diesel::update(standup_configs_extra::table.find(id))
        .set(standup_configs_extra::late_answers_minutes.eq(minutes))
        .execute(conn)
        .await?;
    Ok(())
}

/// `org`'s config `id`'s late window; 0 when not found.
pub async fn config_late_window(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    id: StandupConfigId,
) -> Result<i32, DbError> {
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        late_answers_minutes: i32,
    }
    let row: Option<Row> = diesel::sql_query(
        "SELECT late_answers_minutes FROM standup_configs WHERE id = $1 AND org_id = $2",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<SqlUuid, _>(org)
    .get_result(conn)
    .await
    .optional()?;
    Ok(row.map_or(0, |r| r.late_answers_minutes))
}

/// The organization of standup `id` when `user` is an ACTIVE member of it (a person
/// following a link to a standup of another of their organizations); `None` otherwise.
pub async fn standup_org_for_member(
    conn: &mut AsyncPgConnection,
    id: StandupId,
    user: UserId,
) -> Result<Option<OrganizationId>, DbError> {
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = SqlUuid)]
        org_id: OrganizationId,
    }
    let row: Option<Row> = diesel::sql_query(
        "SELECT s.org_id FROM standups s
         JOIN memberships m ON m.org_id = s.org_id AND m.user_id = $2 AND m.status = 'ACTIVE'
         WHERE s.id = $1",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<SqlUuid, _>(user)
    .get_result(conn)
    .await
    .optional()?;
    Ok(row.map(|r| r.org_id))
}

/// Deletes answer links issued before `before` (housekeeping: a standup takes answers
/// for at most 14 days, its window and its late window); returns how many.
pub async fn sweep(
    conn: &mut AsyncPgConnection,
    before: chrono::DateTime<chrono::Utc>,
) -> Result<usize, DbError> {
    Ok(
        diesel::delete(answer_links::table.filter(answer_links::created_at.lt(before)))
            .execute(conn)
            .await?,
    )
}
