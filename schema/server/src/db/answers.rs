//! Participants' answers and their edit history. Every query is filtered by the
//! organization. The participation an answer or skip sets, and the standup it belongs
//! to, are in [`super::standups`].

use super::DbError;
use super::models::Answer;
use super::tables::{answer_edits, answers};
use chrono::{DateTime, Utc};
use diesel::{ExpressionMethods, Insertable, QueryDsl, SelectableHelper};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use schema::ids::{OrganizationId, QuestionId, StandupId, UserId};

/// `user`'s current answers in `standup`.
pub async fn answers_of_participant(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    standup: StandupId,
    user: UserId,
) -> Result<Vec<Answer>, DbError> {
    Ok(answers::table
        .filter(answers::org_id.eq(org))
        .filter(answers::standup_id.eq(standup))
        .filter(answers::user_id.eq(user))
        .select(Answer::as_select())
        .load(conn)
        .await?)
}

/// The answers in `org`'s standups among `ids`, in one statement.
pub async fn answers_of(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    ids: &[StandupId],
) -> Result<Vec<Answer>, DbError> {
    Ok(answers::table
        .filter(answers::org_id.eq(org))
        .filter(answers::standup_id.eq_any(ids))
        .order((answers::standup_id, answers::user_id, answers::question_id))
        .select(Answer::as_select())
        .load(conn)
        .await?)
}

/// Writes an answer, replacing the participant's previous answer to the question.
pub async fn upsert_answer(conn: &mut AsyncPgConnection, answer: &Answer) -> Result<(), DbError> {
    diesel::insert_into(answers::table)
        .values(answer)
        .on_conflict((answers::standup_id, answers::user_id, answers::question_id))
        .do_update()
        .set((
            answers::text.eq(&answer.text),
            answers::updated_at.eq(answer.updated_at),
            answers::mood.eq(answer.mood),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Removes a participant's answer to one question (an optional answer left blank).
pub async fn delete_answer(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    standup: StandupId,
    user: UserId,
    question: QuestionId,
) -> Result<(), DbError> {
    diesel::delete(
        answers::table
            .filter(answers::org_id.eq(org))
            .filter(answers::standup_id.eq(standup))
            .filter(answers::user_id.eq(user))
            .filter(answers::question_id.eq(question)),
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// One changed answer, for the edit history.
#[derive(Clone, Debug, Insertable)]
#[diesel(table_name = answer_edits)]
pub struct NewAnswerEdit {
    pub org_id: OrganizationId,
    pub standup_id: StandupId,
    pub user_id: UserId,
    pub question_id: QuestionId,
    /// `None` when the question had no answer before.
    pub old_text: Option<String>,
    /// Empty when an optional answer was removed.
    pub new_text: String,
    pub edited_at: DateTime<Utc>,
}

pub async fn insert_edits(
    conn: &mut AsyncPgConnection,
    edits: &[NewAnswerEdit],
) -> Result<(), DbError> {
    if edits.is_empty() {
        return Ok(());
    }
    diesel::insert_into(answer_edits::table)
        .values(edits)
        .execute(conn)
        .await?;
    Ok(())
}
