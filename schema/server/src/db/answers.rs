//! What the api does with standups beyond opening and closing them (those are in
//! [`super::standups`]): participants' answers and their edit history, skips, and the
//! reads behind the standup pages (a person's standups, a team's history, participation
//! stats). Every query is filtered by the organization.

use super::DbError;
use super::models::{Answer, Participation, Standup, StandupConfig, User};
use super::tables::{answer_edits, answers, participations, standup_configs, standups, users};
use chrono::{DateTime, Utc};
use diesel::{
    BoolExpressionMethods, ExpressionMethods, Insertable, OptionalExtension, QueryDsl,
    SelectableHelper,
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use schema::enums::{ParticipationState, StandupState};
use schema::ids::{OrganizationId, QuestionId, StandupConfigId, StandupId, TeamId, UserId};

/// `org`'s standup `id`, locked for the caller's transaction: answers, skips and closing
/// serialise on it, so "everyone has answered" is decided once.
pub async fn find_for_update(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    id: StandupId,
) -> Result<Option<Standup>, DbError> {
    Ok(standups::table
        .filter(standups::org_id.eq(org))
        .filter(standups::id.eq(id))
        .select(Standup::as_select())
        .for_no_key_update()
        .first(conn)
        .await
        .optional()?)
}

/// `user`'s participation in `org`'s standup `standup`.
pub async fn participation(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    standup: StandupId,
    user: UserId,
) -> Result<Option<Participation>, DbError> {
    Ok(participations::table
        .filter(participations::org_id.eq(org))
        .filter(participations::standup_id.eq(standup))
        .filter(participations::user_id.eq(user))
        .select(Participation::as_select())
        .first(conn)
        .await
        .optional()?)
}

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

/// Writes an answer, replacing the participant's previous answer to the question.
pub async fn upsert_answer(conn: &mut AsyncPgConnection, answer: &Answer) -> Result<(), DbError> {
    diesel::insert_into(answers::table)
        .values(answer)
        .on_conflict((answers::standup_id, answers::user_id, answers::question_id))
        .do_update()
        .set((
            answers::text.eq(&answer.text),
            answers::updated_at.eq(answer.updated_at),
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

/// Where a participant now stands.
#[derive(Clone, Debug)]
pub struct Response<'a> {
    pub state: ParticipationState,
    pub skip_reason: Option<&'a str>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub edited_at: Option<DateTime<Utc>>,
}

/// Records a participant's answer or skip.
pub async fn set_response(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    standup: StandupId,
    user: UserId,
    response: &Response<'_>,
) -> Result<Participation, DbError> {
    Ok(diesel::update(
        participations::table
            .filter(participations::org_id.eq(org))
            .filter(participations::standup_id.eq(standup))
            .filter(participations::user_id.eq(user)),
    )
    .set((
        participations::state.eq(response.state),
        participations::skip_reason.eq(response.skip_reason),
        participations::submitted_at.eq(response.submitted_at),
        participations::edited_at.eq(response.edited_at),
    ))
    .returning(Participation::as_returning())
    .get_result(conn)
    .await?)
}

/// The standups `user` takes part in, newest first, at most `limit`.
pub async fn list_for_user(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    user: UserId,
    state: Option<StandupState>,
    limit: i64,
) -> Result<Vec<Standup>, DbError> {
    let mut query = standups::table
        .inner_join(participations::table)
        .filter(standups::org_id.eq(org))
        .filter(participations::org_id.eq(org))
        .filter(participations::user_id.eq(user))
        .into_boxed();
    if let Some(state) = state {
        query = query.filter(standups::state.eq(state));
    }
    Ok(query
        .order((standups::scheduled_for.desc(), standups::id.desc()))
        .limit(limit)
        .select(Standup::as_select())
        .load(conn)
        .await?)
}

/// Narrows a team's history.
#[derive(Clone, Debug, Default)]
pub struct HistoryFilter {
    /// `scheduled_for >= from`.
    pub from: Option<DateTime<Utc>>,
    /// `scheduled_for < to`.
    pub to: Option<DateTime<Utc>>,
    /// Standups this user took part in.
    pub user: Option<UserId>,
}

/// `team`'s standups, newest first, after the cursor `(scheduled_for, id)`, at most
/// `limit`.
pub async fn list_for_team(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    team: TeamId,
    filter: &HistoryFilter,
    after: Option<(DateTime<Utc>, StandupId)>,
    limit: i64,
) -> Result<Vec<Standup>, DbError> {
    let mut query = standups::table
        .filter(standups::org_id.eq(org))
        .filter(standups::team_id.eq(team))
        .into_boxed();
    if let Some(from) = filter.from {
        query = query.filter(standups::scheduled_for.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(standups::scheduled_for.lt(to));
    }
    if let Some(user) = filter.user {
        query = query.filter(
            standups::id.eq_any(
                participations::table
                    .filter(participations::org_id.eq(org))
                    .filter(participations::user_id.eq(user))
                    .select(participations::standup_id),
            ),
        );
    }
    if let Some((at, id)) = after {
        query = query.filter(
            standups::scheduled_for
                .lt(at)
                .or(standups::scheduled_for.eq(at).and(standups::id.lt(id))),
        );
    }
    Ok(query
        .order((standups::scheduled_for.desc(), standups::id.desc()))
        .limit(limit)
        .select(Standup::as_select())
        .load(conn)
        .await?)
}

/// Every participation in `team`'s closed standups scheduled in `[from, to)`, with the
/// person, newest standup first (one statement).
pub async fn closed_participations(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    team: TeamId,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> Result<Vec<(User, ParticipationState)>, DbError> {
    let mut query = participations::table
        .inner_join(standups::table)
        .inner_join(users::table)
        .filter(participations::org_id.eq(org))
        .filter(standups::org_id.eq(org))
        .filter(standups::team_id.eq(team))
        .filter(standups::state.eq(StandupState::Closed))
        .into_boxed();
    if let Some(from) = from {
        query = query.filter(standups::scheduled_for.ge(from));
    }
    if let Some(to) = to {
        query = query.filter(standups::scheduled_for.lt(to));
    }
    Ok(query
        .order((standups::scheduled_for.desc(), standups::id.desc()))
        .select((User::as_select(), participations::state))
        .load(conn)
        .await?)
}

/// The participants of `org`'s standups among `ids` with who they are, by name, in one
/// statement.
pub async fn participants_of(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    ids: &[StandupId],
) -> Result<Vec<(Participation, User)>, DbError> {
    Ok(participations::table
        .inner_join(users::table)
        .filter(participations::org_id.eq(org))
        .filter(participations::standup_id.eq_any(ids))
        .order((users::name.asc(), users::id.asc()))
        .select((Participation::as_select(), User::as_select()))
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
