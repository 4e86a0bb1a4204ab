//! Full-text search over answers (`answers.search`, a generated `tsvector` of the text
//! with a GIN index): ranked matches of a `websearch_to_tsquery` with `ts_headline`
//! snippets, one organization at a time, keyset-paginated by (rank, date, key).
//!
//! Snippets mark matches with the control characters [`MATCH_START`] and [`MATCH_END`]
//! (never HTML); callers split on them and render text only.

use super::DbError;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{Date, Float4, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use schema::ids::OrganizationId;
use schema::ids::{QuestionId, StandupId, TeamId, UserId};

/// Opens a matched word in a snippet.
pub const MATCH_START: char = '\u{2}';
/// Closes a matched word in a snippet.
pub const MATCH_END: char = '\u{3}';

/// Narrows a search; every given field must match. Dates are standup dates (the date
/// the run was for, in its zone), both ends included.
#[derive(Clone, Debug, Default)]
pub struct SearchFilter {
    pub team: Option<TeamId>,
    pub user: Option<UserId>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// Where a page starts: just after this hit in (rank, scheduled_for, key) descending order.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SearchCursor {
    pub rank: f32,
    pub scheduled_for: DateTime<Utc>,
    pub standup: StandupId,
    pub user: UserId,
    pub question: QuestionId,
}

/// One matching answer.
#[derive(Clone, Debug, QueryableByName)]
pub struct SearchHit {
    #[diesel(sql_type = SqlUuid)]
    pub standup_id: StandupId,
    #[diesel(sql_type = SqlUuid)]
    pub user_id: UserId,
    #[diesel(sql_type = SqlUuid)]
    pub question_id: QuestionId,
    #[diesel(sql_type = SqlUuid)]
    pub team_id: TeamId,
    #[diesel(sql_type = Text)]
    pub team_name: String,
    #[diesel(sql_type = Text)]
    pub user_name: String,
    #[diesel(sql_type = Date)]
    pub local_date: NaiveDate,
    #[diesel(sql_type = Timestamptz)]
    pub scheduled_for: DateTime<Utc>,
    /// The question as it was asked in that standup ("" if the snapshot lacks it).
    #[diesel(sql_type = Text)]
    pub prompt: String,
    /// A fragment of the answer with matches between [`MATCH_START`] and [`MATCH_END`].
    #[diesel(sql_type = Text)]
    pub headline: String,
    #[diesel(sql_type = Float4)]
    pub rank: f32,
}

impl SearchHit {
    pub fn cursor(&self) -> SearchCursor {
        SearchCursor {
            rank: self.rank,
            scheduled_for: self.scheduled_for,
            standup: self.standup_id,
            user: self.user_id,
            question: self.question_id,
        }
    }
}

/// Up to `limit` answers of `org` matching `query` (web search syntax: words, "quoted
/// phrases", `or`, `-excluded`), best first, after `after`. Snippets are computed for the
/// returned page only. Another person's answer to a MOOD question of an anonymous-mood
/// run is never found (its comment would name them), only `viewer`'s own.
pub async fn search_answers(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    viewer: UserId,
    query: &str,
    filter: &SearchFilter,
    after: Option<SearchCursor>,
    limit: i64,
) -> Result<Vec<SearchHit>, DbError> {
    Ok(diesel::sql_query(
        "WITH q AS (SELECT websearch_to_tsquery('english', $2) AS q),
         page AS (
             SELECT a.standup_id, a.user_id, a.question_id, a.text, s.team_id, s.local_date,
                    s.scheduled_for, s.questions, ts_rank(a.search, q.q) AS rank
             FROM answers a
             CROSS JOIN q
             JOIN standups s ON s.id = a.standup_id AND s.org_id = a.org_id
             WHERE a.org_id = $1
               AND a.search @@ q.q
               AND (a.mood IS NULL OR NOT s.anonymous_mood OR a.user_id = $13)
               AND ($3::uuid IS NULL OR s.team_id = $3)
               AND ($4::uuid IS NULL OR a.user_id = $4)
               AND ($5::date IS NULL OR s.local_date >= $5)
               AND ($6::date IS NULL OR s.local_date <= $6)
               AND ($7::real IS NULL
                    OR (ts_rank(a.search, q.q), s.scheduled_for, a.standup_id, a.user_id, a.question_id)
                       < ($7, $8, $9, $10, $11))
             ORDER BY rank DESC, s.scheduled_for DESC, a.standup_id DESC, a.user_id DESC,
                      a.question_id DESC
             LIMIT $12
         )
         SELECT p.standup_id, p.user_id, p.question_id, p.team_id, t.name AS team_name,
                u.name AS user_name, p.local_date, p.scheduled_for,
                coalesce((SELECT e->>'prompt' FROM jsonb_array_elements(p.questions) e
                          WHERE e->>'id' = p.question_id::text LIMIT 1), '') AS prompt,
                ts_headline('english', p.text, q.q,
                    'StartSel=' || chr(2) || ', StopSel=' || chr(3)
                    || ', MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter=\" … \"')
                    AS headline,
                p.rank
         FROM page p
         CROSS JOIN q
         JOIN teams t ON t.id = p.team_id AND t.org_id = $1
         JOIN users u ON u.id = p.user_id
         ORDER BY p.rank DESC, p.scheduled_for DESC, p.standup_id DESC, p.user_id DESC,
                  p.question_id DESC",
    )
    .bind::<SqlUuid, _>(org)
    .bind::<Text, _>(query)
    .bind::<Nullable<SqlUuid>, _>(filter.team)
    .bind::<Nullable<SqlUuid>, _>(filter.user)
    .bind::<Nullable<Date>, _>(filter.from)
    .bind::<Nullable<Date>, _>(filter.to)
    .bind::<Nullable<Float4>, _>(after.map(|c| c.rank))
    .bind::<Nullable<Timestamptz>, _>(after.map(|c| c.scheduled_for))
    .bind::<Nullable<SqlUuid>, _>(after.map(|c| c.standup))
    .bind::<Nullable<SqlUuid>, _>(after.map(|c| c.user))
    .bind::<Nullable<SqlUuid>, _>(after.map(|c| c.question))
    .bind::<diesel::sql_types::BigInt, _>(limit)
    .bind::<SqlUuid, _>(viewer)
    .load(conn)
    .await?)
}
