//! Mood on a 1-5 scale: a config's `anonymous_mood` setting and the aggregate of one run's
//! moods. Every query is filtered by the organization (the config setting's writer is
//! given an id the caller already checked). The weekly trend is in [`super::insights`].

use super::DbError;
use super::tables::standup_configs_extra;
use diesel::sql_types::{BigInt, SmallInt, Uuid as SqlUuid};
use diesel::{ExpressionMethods, OptionalExtension, QueryDsl, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use schema::ids::{OrganizationId, StandupConfigId, StandupId};

/// Sets config `id`'s `anonymous_mood` (the caller checked the organization).
pub async fn set_config_anonymous(
    conn: &mut AsyncPgConnection,
    id: StandupConfigId,
    anonymous: bool,
) -> Result<(), DbError> {
    diesel::update(standup_configs_extra::table.find(id))
        .set(standup_configs_extra::anonymous_mood.eq(anonymous))
        .execute(conn)
        .await?;
    Ok(())
}

/// `org`'s config `id`'s `anonymous_mood`; false when not found.
pub async fn config_anonymous(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    id: StandupConfigId,
) -> Result<bool, DbError> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        anonymous_mood: bool,
    }
    let row: Option<Row> = diesel::sql_query(
        "SELECT anonymous_mood FROM standup_configs WHERE id = $1 AND org_id = $2",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<SqlUuid, _>(org)
    .get_result(conn)
    .await
    .optional()?;
    Ok(row.is_some_and(|r| r.anonymous_mood))
}

/// How many answers of one run gave each mood.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MoodCounts {
    /// People who gave a mood.
    pub people: i64,
    /// Answers per mood, index 0 for 1 to index 4 for 5.
    pub counts: [i64; 5],
}

/// The moods given in `org`'s run `standup`, counted in PostgreSQL.
pub async fn run_counts(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    standup: StandupId,
) -> Result<MoodCounts, DbError> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = SmallInt)]
        mood: i16,
        #[diesel(sql_type = BigInt)]
        answers: i64,
        #[diesel(sql_type = BigInt)]
        people: i64,
    }
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT mood, count(*) AS answers,
                (SELECT count(DISTINCT user_id) FROM answers
                  WHERE org_id = $1 AND standup_id = $2 AND mood IS NOT NULL) AS people
         FROM answers
         WHERE org_id = $1 AND standup_id = $2 AND mood IS NOT NULL
         GROUP BY mood",
    )
    .bind::<SqlUuid, _>(org)
    .bind::<SqlUuid, _>(standup)
    .load(conn)
    .await?;
    let mut out = MoodCounts::default();
    for row in rows {
        out.people = row.people;
        if let Some(slot) = usize::try_from(row.mood - 1)
            .ok()
            .and_then(|i| out.counts.get_mut(i))
        {
            *slot = row.answers;
        }
    }
    Ok(out)
}

/// Whether `org`'s run `standup` was opened with anonymous moods (false when not found).
pub async fn run_anonymous(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    standup: StandupId,
) -> Result<bool, DbError> {
    use super::tables::standups_extra;
    Ok(standups_extra::table
        .filter(standups_extra::org_id.eq(org))
        .filter(standups_extra::id.eq(standup))
        .select(standups_extra::anonymous_mood)
        .first(conn)
        .await
        .optional()?
        .unwrap_or(false))
}
