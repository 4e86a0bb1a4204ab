//! Out-of-office periods (`out_of_office`) and what they do to standups: a participant
//! away on a run's date is `OUT_OF_OFFICE` in it (not asked, not reminded, not counted
//! in participation rates), with the period's note in `participations.skip_reason`.
//!
//! A run's date is its `standups.local_date` (the date in the standup's zone). Every
//! query a caller makes for a user is filtered by the organization;
//! [`mark_out_of_office`] runs inside the opening transaction for whichever
//! organization the runs belong to.

use super::DbError;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::sql_types::{Array, Date, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel::{OptionalExtension, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use schema::ids::{OrganizationId, StandupId, UserId};
use uuid::Uuid;

/// One out-of-office period of a member.
#[derive(Clone, Debug, PartialEq, Eq, QueryableByName)]
pub struct OutOfOffice {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub org_id: OrganizationId,
    #[diesel(sql_type = SqlUuid)]
    pub user_id: UserId,
    #[diesel(sql_type = Date)]
    pub first_day: NaiveDate,
    #[diesel(sql_type = Date)]
    pub last_day: NaiveDate,
    #[diesel(sql_type = Nullable<Text>)]
    pub note: Option<String>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub created_by: Option<UserId>,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, org_id, user_id, first_day, last_day, note, created_by, created_at";

/// A period about to be recorded.
#[derive(Clone, Debug)]
pub struct NewOutOfOffice<'a> {
    pub org_id: OrganizationId,
    pub user_id: UserId,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub note: Option<&'a str>,
    pub created_by: UserId,
}

/// Records a period.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    new: &NewOutOfOffice<'_>,
) -> Result<OutOfOffice, DbError> {
    Ok(diesel::sql_query(format!(
        "INSERT INTO out_of_office (id, org_id, user_id, first_day, last_day, note, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         RETURNING {COLUMNS}"
    ))
    .bind::<SqlUuid, _>(Uuid::new_v4())
    .bind::<SqlUuid, _>(new.org_id)
    .bind::<SqlUuid, _>(new.user_id)
    .bind::<Date, _>(new.first_day)
    .bind::<Date, _>(new.last_day)
    .bind::<Nullable<Text>, _>(new.note)
    .bind::<SqlUuid, _>(new.created_by)
    .get_result(conn)
    .await?)
}

/// `user`'s periods in `org` that end on or after `since`, earliest first, at most
/// `limit`.
pub async fn list_for_user(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    user: UserId,
    since: NaiveDate,
    limit: i64,
) -> Result<Vec<OutOfOffice>, DbError> {
    Ok(diesel::sql_query(format!(
        "SELECT {COLUMNS} FROM out_of_office
         WHERE org_id = $1 AND user_id = $2 AND last_day >= $3
         ORDER BY first_day, id
         LIMIT $4"
    ))
    .bind::<SqlUuid, _>(org)
    .bind::<SqlUuid, _>(user)
    .bind::<Date, _>(since)
    .bind::<diesel::sql_types::BigInt, _>(limit)
    .load(conn)
    .await?)
}

/// `org`'s period `id`, locked for the caller's transaction.
pub async fn find_for_update(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    id: Uuid,
) -> Result<Option<OutOfOffice>, DbError> {
    Ok(diesel::sql_query(format!(
        "SELECT {COLUMNS} FROM out_of_office WHERE org_id = $1 AND id = $2 FOR UPDATE"
    ))
    .bind::<SqlUuid, _>(org)
    .bind::<SqlUuid, _>(id)
    .get_result(conn)
    .await
    .optional()?)
}

/// Whether `user` already has a period in `org` sharing a day with `[first, last]`.
pub async fn overlaps(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    user: UserId,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<bool, DbError> {
    #[derive(QueryableByName)]
    struct Found {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        found: bool,
    }
    let found: Found = diesel::sql_query(
        "SELECT EXISTS (SELECT 1 FROM out_of_office
             WHERE org_id = $1 AND user_id = $2 AND first_day <= $4 AND last_day >= $3) AS found",
    )
    .bind::<SqlUuid, _>(org)
    .bind::<SqlUuid, _>(user)
    .bind::<Date, _>(first)
    .bind::<Date, _>(last)
    .get_result(conn)
    .await?;
    Ok(found.found)
}

/// How many of `user`'s periods in `org` end on or after `since`.
pub async fn count_current(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    user: UserId,
    since: NaiveDate,
) -> Result<i64, DbError> {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let count: Count = diesel::sql_query(
        "SELECT count(*) AS n FROM out_of_office
         WHERE org_id = $1 AND user_id = $2 AND last_day >= $3",
    )
    .bind::<SqlUuid, _>(org)
    .bind::<SqlUuid, _>(user)
    .bind::<Date, _>(since)
    .get_result(conn)
    .await?;
    Ok(count.n)
}

/// Moves the last day of `org`'s period `id` (ending it early).
pub async fn set_last_day(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    id: Uuid,
    last_day: NaiveDate,
) -> Result<OutOfOffice, DbError> {
    Ok(diesel::sql_query(format!(
        "UPDATE out_of_office SET last_day = $3 WHERE org_id = $1 AND id = $2
         RETURNING {COLUMNS}"
    ))
    .bind::<SqlUuid, _>(org)
    .bind::<SqlUuid, _>(id)
    .bind::<Date, _>(last_day)
    .get_result(conn)
    .await?)
}

/// Deletes `org`'s period `id`.
pub async fn delete(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    id: Uuid,
) -> Result<(), DbError> {
    diesel::sql_query("DELETE FROM out_of_office WHERE org_id = $1 AND id = $2")
        .bind::<SqlUuid, _>(org)
        .bind::<SqlUuid, _>(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Marks every still PENDING participant of the runs `ids` who is out of office on the
/// run's date as `OUT_OF_OFFICE`, with the period's note. Called by the open path
/// ([`super::standups::open`] and [`super::standups::open_many`]) in the opening
/// transaction, before `notify_standup` can claim anyone. Returns how many were marked.
pub async fn mark_out_of_office(
    conn: &mut AsyncPgConnection,
    ids: &[StandupId],
) -> Result<usize, DbError> {
    if ids.is_empty() {
        return Ok(0);
    }
    Ok(diesel::sql_query(
        "UPDATE participations p SET state = 'OUT_OF_OFFICE', skip_reason = o.note
         FROM standups s, out_of_office o
         WHERE s.id = ANY($1) AND p.standup_id = s.id AND p.state = 'PENDING'
           AND o.org_id = p.org_id AND o.user_id = p.user_id
           AND s.local_date BETWEEN o.first_day AND o.last_day",
    )
    .bind::<Array<SqlUuid>, _>(ids)
    .execute(conn)
    .await?)
}

/// Brings `user`'s participations in `org`'s OPEN standups in line with their periods
/// after one was set, ended or deleted: PENDING ones on a day they are now away become
/// `OUT_OF_OFFICE`; `OUT_OF_OFFICE` ones on a day no period covers any more become
/// PENDING again (they can answer on the web; the reminder reaches them). Returns the
/// standups whose participation changed.
pub async fn sync_open_standups(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    user: UserId,
) -> Result<Vec<StandupId>, DbError> {
    #[derive(QueryableByName)]
    struct Changed {
        #[diesel(sql_type = SqlUuid)]
        standup_id: StandupId,
    }
    let back: Vec<Changed> = diesel::sql_query(
        "UPDATE participations p SET state = 'PENDING', skip_reason = NULL
         FROM standups s
         WHERE p.org_id = $1 AND p.user_id = $2 AND p.state = 'OUT_OF_OFFICE'
           AND s.org_id = p.org_id AND s.id = p.standup_id AND s.state = 'OPEN'
           AND NOT EXISTS (SELECT 1 FROM out_of_office o
               WHERE o.org_id = p.org_id AND o.user_id = p.user_id
                 AND s.local_date BETWEEN o.first_day AND o.last_day)
         RETURNING p.standup_id",
    )
    .bind::<SqlUuid, _>(org)
    .bind::<SqlUuid, _>(user)
    .load(conn)
    .await?;
    let away: Vec<Changed> = diesel::sql_query(
        "UPDATE participations p SET state = 'OUT_OF_OFFICE', skip_reason = o.note
         FROM standups s, out_of_office o
         WHERE p.org_id = $1 AND p.user_id = $2 AND p.state = 'PENDING'
           AND s.org_id = p.org_id AND s.id = p.standup_id AND s.state = 'OPEN'
           AND o.org_id = p.org_id AND o.user_id = p.user_id
           AND s.local_date BETWEEN o.first_day AND o.last_day
         RETURNING p.standup_id",
    )
    .bind::<SqlUuid, _>(org)
    .bind::<SqlUuid, _>(user)
    .load(conn)
    .await?;
    Ok(back.into_iter().chain(away).map(|c| c.standup_id).collect())
}
