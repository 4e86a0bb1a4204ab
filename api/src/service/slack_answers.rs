//! Answering in Slack: who a Slack user is here, the answer form of a standup (its
//! questions and their current answers), their open standups, and their answers and
//! skips, which go through the same service calls as `submitAnswers` and `skipStandup`.
//!
//! Tenant isolation: a Slack user is a member only of the organizations that installed
//! the app in *their* workspace and matched them (`slack_users`); a standup id is looked
//! up only in those organizations, so a Slack user of organization A can never open or
//! answer organization B's standup (it reads as not found).

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use schema::enums::StandupState;
use schema::ids::{OrganizationId, QuestionId, SessionId, StandupId, UserId};
use schema::standup::Question;
use schema_server::db::models::Standup;
use schema_server::db::standups as runs;
use schema_server::db::{AsyncPgConnection, answers, organizations, slack as slack_db};
use std::collections::HashMap;

/// The most open standups `/standup` lists.
pub const MAX_LISTED: i64 = 20;

/// An ACTIVE member acting from Slack: the Slack user who signed the request is matched
/// to them. Only [`member_for_standup`] and [`members`] make one.
///
/// Its [`Caller`] carries the nil session id, which names no session: the member was
/// proven by Slack's signature, not by a sign-in, so any check that needs a live session
/// (`require_member`, switching organizations, changing a password) refuses it rather
/// than letting it through.
#[derive(Debug, Clone, Copy)]
pub struct SlackMember(Caller);

impl SlackMember {
    pub(crate) fn caller(&self) -> &Caller {
        &self.0
    }

    pub fn org(&self) -> OrganizationId {
        self.0.org
    }

    pub fn user(&self) -> UserId {
        self.0.user
    }
}

/// The session id of a [`SlackMember`]'s caller: none.
fn no_session() -> SessionId {
    SessionId::from(uuid::Uuid::nil())
}

/// The ACTIVE members the Slack user `slack_user` of workspace `team_id` is, one per
/// organization that installed the app there and matched them.
async fn members_in(
    conn: &mut AsyncPgConnection,
    team_id: &str,
    slack_user: &str,
) -> ApiResult<Vec<SlackMember>> {
    let mut out = Vec::new();
    for (org, user) in slack_db::members_of_slack_user(conn, team_id, slack_user).await? {
        if organizations::find_active_membership(conn, user, org)
            .await?
            .is_some()
        {
            out.push(SlackMember(Caller {
                user,
                org,
                session: no_session(),
            }));
        }
    }
    Ok(out)
}

/// Who the Slack user is here (none when not matched).
pub async fn members(
    state: &AppState,
    team_id: &str,
    slack_user: &str,
) -> ApiResult<Vec<SlackMember>> {
    let mut conn = state.db().await?;
    members_in(&mut conn, team_id, slack_user).await
}

fn not_found() -> ApiError {
    ApiError::NotFound("this standup is not one of yours".into())
}

/// The member the Slack user is in the organization that owns `standup`, with the
/// standup; NOT_FOUND when none of their organizations owns it.
pub async fn member_for_standup(
    state: &AppState,
    team_id: &str,
    slack_user: &str,
    standup: StandupId,
) -> ApiResult<(SlackMember, Standup)> {
    let mut conn = state.db().await?;
    for member in members_in(&mut conn, team_id, slack_user).await? {
        if let Some(found) = runs::find(&mut conn, member.org(), standup).await? {
            return Ok((member, found));
        }
    }
    Err(not_found())
}

/// What the answer modal shows: the questions and the member's current answers.
#[derive(Debug, Clone)]
pub struct AnswerForm {
    pub standup: Standup,
    pub questions: Vec<Question>,
    /// The text of each answer (a MOOD question's comment).
    pub answers: HashMap<QuestionId, String>,
    /// The MOOD questions' answers, 1 to 5.
    pub moods: HashMap<QuestionId, i16>,
}

/// The answer form of `standup` for `member`: FORBIDDEN unless they are asked in it,
/// CONFLICT once it closed (as `submitAnswers` says).
pub async fn answer_form(
    state: &AppState,
    member: &SlackMember,
    standup: Standup,
) -> ApiResult<AnswerForm> {
    let mut conn = state.db().await?;
    runs::participation(&mut conn, member.org(), standup.id, member.user())
        .await?
        .ok_or_else(|| ApiError::Forbidden("you are not asked in this standup".into()))?;
    super::standups::ensure_open(&standup, chrono::Utc::now())?;
    let questions = super::standups::questions_of(&standup)?;
    let given =
        answers::answers_of_participant(&mut conn, member.org(), standup.id, member.user()).await?;
    let moods = given
        .iter()
        .filter_map(|a| Some((a.question_id, a.mood?)))
        .collect();
    let answers = given.into_iter().map(|a| (a.question_id, a.text)).collect();
    Ok(AnswerForm {
        standup,
        questions,
        answers,
        moods,
    })
}

/// The open standups the Slack user is asked in, across their organizations, the ones
/// closing first first; at most [`MAX_LISTED`].
pub async fn open_standups(state: &AppState, members: &[SlackMember]) -> ApiResult<Vec<Standup>> {
    let mut conn = state.db().await?;
    let mut open = Vec::new();
    for member in members {
        open.extend(
            runs::list_for_user(
                &mut conn,
                member.org(),
                member.user(),
                Some(StandupState::Open),
                MAX_LISTED,
            )
            .await?,
        );
    }
    open.sort_by_key(|s| (s.closes_at, s.id));
    open.truncate(usize::try_from(MAX_LISTED).unwrap_or(0));
    Ok(open)
}
