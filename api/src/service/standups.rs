//! Standups: reading runs and their answers, answering and skipping, starting and
//! closing runs by hand, and the live events of a team.
//!
//! Rules: any active member of the organization reads its standups (a team tool);
//! another organization's ids answer NOT_FOUND. Only participants answer or skip
//! (FORBIDDEN otherwise), and only while the standup is OPEN (CONFLICT on `standupId`
//! naming when it closed). Every required question needs a non-blank answer, every
//! answer names a question of the standup and holds at most 5000 characters
//! (BAD_USER_INPUT on `answers`). Answering again edits the answers until the standup
//! closes; each changed answer is kept in `answer_edits`. OWNER and ADMIN start runs
//! now and close them early. With `close_when_all_answered`, the answer or skip of the
//! last PENDING participant closes the standup in the same transaction.
//!
//! Every change is one transaction with its audit row (never an answer's text) and its
//! outbox rows (`notify_standup` on start, `compile_digest` on close); the standup row
//! is locked first, so answers, skips and closing are serialised per standup. Events go
//! out after the commit, best effort.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::service::slack_answers::SlackMember;
use crate::service::teams::{require_admin, require_member, team_not_found};
use crate::service::{audit, blockers, enqueue};
use crate::state::{AppState, RequestMeta};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use schema::enums::{DeliveryChannel, ParticipationState, QuestionKind, StandupState};
use schema::events::{StandupEvent, StandupEventKind};
use schema::ids::{OrganizationId, QuestionId, StandupConfigId, StandupId, TeamId, UserId};
use schema::jobs::Job;
use schema::standup::{ANSWER_MAX_CHARS, MY_STANDUPS_LIMIT, Question, SKIP_REASON_MAX_CHARS};
use schema_server::db::answers::{self, NewAnswerEdit};
use schema_server::db::models::{
    Answer, Participation, Standup, StandupConfig, StandupExtra, User,
};
use schema_server::db::standups::{self as runs, HistoryFilter, NewStandup, Response};
use schema_server::db::{AsyncPgConnection, answer_links, standup_configs, teams, users};
use serde_json::json;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use tokio::sync::broadcast;

/// One answer as the client sends it.
#[derive(Clone, Debug)]
pub struct AnswerDraft {
    pub question_id: String,
    /// A MOOD question's optional comment.
    pub text: String,
    /// 1-5, for a MOOD question only.
    pub mood: Option<i32>,
}

/// One question's answer once checked: its trimmed text (a MOOD question's comment) and
/// its mood.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Given {
    pub text: String,
    pub mood: Option<i16>,
}

impl Given {
    /// As the edit history keeps it: the text, or a MOOD answer's one line.
    fn history_text(&self) -> String {
        match self.mood {
            Some(mood) => schema::standup::mood_text(mood, &self.text),
            None => self.text.clone(),
        }
    }
}

/// A participation with the person and the standup it belongs to (whose questions its
/// answers point at).
#[derive(Clone, Debug)]
pub struct ParticipationView {
    pub standup: Standup,
    pub participation: Participation,
    pub user: User,
}

/// One member's record over a team's closed standups.
#[derive(Clone, Debug)]
pub struct MemberStats {
    pub user: User,
    pub standups: i32,
    pub answered: i32,
    pub skipped: i32,
    pub missed: i32,
    /// Closed standups that fell while they were out of office: not in `standups`, not
    /// in the rate, and they do not break the streak.
    pub out_of_office: i32,
    /// `answered / standups`, 0 without standups.
    pub response_rate: f64,
    /// Consecutive most recent closed standups answered.
    pub current_streak: i32,
}

pub(crate) fn standup_not_found() -> ApiError {
    ApiError::NotFound("standup not found".into())
}

fn bad(field: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::BadInput {
        field: Some(field),
        message: format!("{field}: {}", message.into()),
    }
}

fn when(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// Until when `standup` takes answers: its deadline (or when it closed, if earlier)
/// plus its late window of `late_minutes`.
pub(crate) fn accepts_answers_until(standup: &Standup, late_minutes: i32) -> DateTime<Utc> {
    let closed = match standup.state {
        StandupState::Closed => standup.closed_at.unwrap_or(standup.closes_at),
        StandupState::Open => standup.closes_at,
    };
    closed + chrono::Duration::minutes(i64::from(late_minutes.max(0)))
}

/// CONFLICT unless `standup` still takes answers at `now`; with a late window of
/// `late_minutes`, also after it closed, until that window ends. True when an answer
/// now is late (the standup closed, or its deadline passed).
pub(crate) fn ensure_accepting(
    standup: &Standup,
    late_minutes: i32,
    now: DateTime<Utc>,
) -> ApiResult<bool> {
    let closed_at = match (standup.state, standup.closed_at) {
        (StandupState::Closed, at) => Some(at.unwrap_or(standup.closes_at)),
        // The deadline passed; the scheduler is about to close it.
        (StandupState::Open, _) if now >= standup.closes_at => Some(standup.closes_at),
        (StandupState::Open, _) => None,
    };
    let Some(at) = closed_at else {
        return Ok(false);
    };
    let until = accepts_answers_until(standup, late_minutes);
    if now < until {
        return Ok(true);
    }
    let late = if late_minutes > 0 {
        format!(" and took late answers until {}", when(until))
    } else {
        String::new()
    };
    Err(ApiError::Conflict {
        field: Some("standupId"),
        message: format!(
            "standupId: this standup closed at {}{late}; answers are no longer accepted",
            when(at)
        ),
    })
}

/// CONFLICT unless `standup` takes on-time answers at `now` (it is open and its
/// deadline has not passed).
pub(crate) fn ensure_open(standup: &Standup, now: DateTime<Utc>) -> ApiResult<()> {
    // Without a late window nothing after the close is accepted.
    ensure_accepting(standup, 0, now).map(|_| ())
}

pub(crate) fn questions_of(standup: &Standup) -> ApiResult<Vec<Question>> {
    standup
        .questions()
        .map_err(|e| ApiError::internal(anyhow::anyhow!("stored questions: {e}")))
}

fn event(kind: StandupEventKind, standup: &Standup, user: Option<UserId>) -> StandupEvent {
    StandupEvent {
        kind,
        org_id: standup.org_id,
        team_id: standup.team_id,
        standup_id: standup.id,
        user_id: user,
        at: Utc::now(),
    }
}

/// The participant's row, or FORBIDDEN.
async fn require_participant(
    tx: &mut AsyncPgConnection,
    caller: &Caller,
    standup: StandupId,
    what: &str,
) -> ApiResult<Participation> {
    runs::participation(tx, caller.org, standup, caller.user)
        .await?
        .ok_or_else(|| ApiError::Forbidden(format!("only participants of this standup can {what}")))
}

/// With `close_when_all_answered`, closes `standup` when nobody is PENDING any more and
/// enqueues its digest; returns the closed standup.
async fn close_if_all_responded(
    tx: &mut AsyncPgConnection,
    meta: &RequestMeta,
    caller: &Caller,
    standup: &Standup,
    now: DateTime<Utc>,
) -> ApiResult<Option<Standup>> {
    if !standup.close_when_all_answered || !runs::all_responded(tx, standup.id).await? {
        return Ok(None);
    }
    let Some(closed) = runs::close(tx, caller.org, standup.id, now).await? else {
        return Ok(None);
    };
    enqueue(
        tx,
        meta,
        Some(caller.org),
        Job::CompileDigest {
            standup_id: standup.id.as_uuid(),
        },
    )
    .await?;
    audit(
        tx,
        meta,
        Some(caller.org),
        Some(caller.user),
        "standup.closed",
        Some(("standup", standup.id.to_string())),
        json!({ "teamId": standup.team_id, "reason": "everyone answered or skipped" }),
    )
    .await?;
    Ok(Some(closed))
}

/// The end of an answer or a skip, inside its transaction: closes the standup when this
/// was the last response it waited for, and returns the view and whether it closed.
async fn finish_response(
    tx: &mut AsyncPgConnection,
    meta: &RequestMeta,
    caller: &Caller,
    standup: Standup,
    participation: Participation,
    now: DateTime<Utc>,
) -> ApiResult<(ParticipationView, bool)> {
    let closed = close_if_all_responded(tx, meta, caller, &standup, now).await?;
    let user = users::find(tx, caller.user)
        .await?
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("caller's user row is gone")))?;
    let is_closed = closed.is_some();
    Ok((
        ParticipationView {
            standup: closed.unwrap_or(standup),
            participation,
            user,
        },
        is_closed,
    ))
}

/// A late answer (after the close), inside its transaction: the webhook hears of it as a
/// `standup.late_answer` event when the standup delivers to one. The digest already sent
/// is not compiled again.
async fn announce_late_answer(
    tx: &mut AsyncPgConnection,
    meta: &RequestMeta,
    caller: &Caller,
    standup: &Standup,
) -> ApiResult<()> {
    if standup.delivery.contains(&DeliveryChannel::Webhook) && standup.webhook_url.is_some() {
        enqueue(
            tx,
            meta,
            Some(caller.org),
            Job::DeliverLateAnswer {
                standup_id: standup.id.as_uuid(),
                user_id: caller.user.as_uuid(),
            },
        )
        .await?;
    }
    Ok(())
}

/// After an answer or a skip committed: its event, CLOSED when it closed the standup
/// (whose digest job then waits in the outbox).
fn announce_response(
    state: &AppState,
    caller: &Caller,
    kind: StandupEventKind,
    view: &ParticipationView,
    closed: bool,
) {
    let mut events = vec![event(kind, &view.standup, Some(caller.user))];
    if closed {
        events.push(event(StandupEventKind::Closed, &view.standup, None));
    }
    after_commit(state, closed, events);
}

/// People left `ids` (open standups of the caller's organization: suspended or removed):
/// closes, inside the caller's transaction, those with `close_when_all_answered` where
/// nobody is PENDING any more, and returns them.
pub(crate) async fn close_where_all_responded(
    tx: &mut AsyncPgConnection,
    meta: &RequestMeta,
    caller: &Caller,
    ids: &[StandupId],
) -> ApiResult<Vec<Standup>> {
    let now = Utc::now();
    let mut closed = Vec::new();
    for id in ids {
        if let Some(standup) = runs::find(tx, caller.org, *id).await?
            && let Some(done) = close_if_all_responded(tx, meta, caller, &standup, now).await?
        {
            closed.push(done);
        }
    }
    Ok(closed)
}

/// After the commit that closed `closed`: the digest jobs go out, CLOSED is announced.
pub(crate) fn announce_closed(state: &AppState, closed: &[Standup]) {
    let events = closed
        .iter()
        .map(|standup| event(StandupEventKind::Closed, standup, None))
        .collect();
    after_commit(state, !closed.is_empty(), events);
}

fn after_commit(state: &AppState, jobs: bool, events: Vec<StandupEvent>) {
    if jobs {
        state.outbox.wake();
    }
    for event in events {
        state.events.publish(event);
    }
}

/// One standup of the organization. Any member.
#[tracing::instrument(skip_all)]
pub async fn get(state: &AppState, caller: &Caller, id: StandupId) -> ApiResult<Standup> {
    require_member(state, caller).await?;
    let mut conn = state.db().await?;
    runs::find(&mut conn, caller.org, id)
        .await?
        .ok_or_else(standup_not_found)
}

/// Which of the caller's organizations standup `id` belongs to (`None`: none of them),
/// so a link to a standup of another of their organizations can switch to it. Reveals
/// nothing about organizations the caller is not an active member of.
#[tracing::instrument(skip_all)]
pub async fn organization_of(
    state: &AppState,
    caller: &Caller,
    id: StandupId,
) -> ApiResult<Option<schema_server::db::models::Organization>> {
    require_member(state, caller).await?;
    let mut conn = state.db().await?;
    let Some(org) = answer_links::standup_org_for_member(&mut conn, id, caller.user).await? else {
        return Ok(None);
    };
    Ok(
        schema_server::db::organizations::list_for_user(&mut conn, caller.user)
            .await?
            .into_iter()
            .find(|o| o.id == org),
    )
}

/// The caller's standups, newest first, at most 50.
#[tracing::instrument(skip_all)]
pub async fn mine(
    state: &AppState,
    caller: &Caller,
    filter: Option<StandupState>,
) -> ApiResult<Vec<Standup>> {
    require_member(state, caller).await?;
    let mut conn = state.db().await?;
    Ok(runs::list_for_user(
        &mut conn,
        caller.org,
        caller.user,
        filter,
        MY_STANDUPS_LIMIT,
    )
    .await?)
}

/// A team's standups, newest first, `first` after the cursor; and whether more follow.
#[tracing::instrument(skip_all)]
pub async fn history(
    state: &AppState,
    caller: &Caller,
    team: TeamId,
    filter: &HistoryFilter,
    after: Option<(DateTime<Utc>, StandupId)>,
    first: i64,
) -> ApiResult<(Vec<Standup>, bool)> {
    require_member(state, caller).await?;
    let mut conn = state.db().await?;
    teams::find(&mut conn, caller.org, team)
        .await?
        .ok_or_else(team_not_found)?;
    let mut rows =
        runs::list_for_team(&mut conn, caller.org, team, filter, after, first + 1).await?;
    let more = rows.len() as i64 > first;
    rows.truncate(first as usize);
    Ok((rows, more))
}

/// Each member's record over the team's closed standups scheduled in `[from, to)`, by
/// name.
#[tracing::instrument(skip_all)]
pub async fn participation(
    state: &AppState,
    caller: &Caller,
    team: TeamId,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> ApiResult<Vec<MemberStats>> {
    require_member(state, caller).await?;
    let mut conn = state.db().await?;
    teams::find(&mut conn, caller.org, team)
        .await?
        .ok_or_else(team_not_found)?;
    let rows = runs::closed_participations(&mut conn, caller.org, team, from, to).await?;
    Ok(stats(rows))
}

/// Aggregates participations given newest standup first.
fn stats(rows: Vec<(User, ParticipationState)>) -> Vec<MemberStats> {
    let mut by_user: HashMap<UserId, (MemberStats, bool)> = HashMap::new();
    for (user, state) in rows {
        let (entry, streaking) = by_user.entry(user.id).or_insert_with(|| {
            (
                MemberStats {
                    user,
                    standups: 0,
                    answered: 0,
                    skipped: 0,
                    missed: 0,
                    out_of_office: 0,
                    response_rate: 0.0,
                    current_streak: 0,
                },
                true,
            )
        });
        match state {
            ParticipationState::Answered => entry.answered += 1,
            ParticipationState::Skipped => entry.skipped += 1,
            ParticipationState::Pending => entry.missed += 1,
            // Away: neither for nor against them.
            ParticipationState::OutOfOffice => {
                entry.out_of_office += 1;
                continue;
            }
        }
        entry.standups += 1;
        if *streaking && state == ParticipationState::Answered {
            entry.current_streak += 1;
        } else {
            *streaking = false;
        }
    }
    let mut out: Vec<MemberStats> = by_user
        .into_values()
        .map(|(mut s, _)| {
            if s.standups > 0 {
                s.response_rate = f64::from(s.answered) / f64::from(s.standups);
            }
            s
        })
        .collect();
    out.sort_by(|a, b| {
        (a.user.name.to_lowercase(), a.user.id).cmp(&(b.user.name.to_lowercase(), b.user.id))
    });
    out
}

/// Checks the answers against the standup's questions; returns the new answer of every
/// question (None: no answer). A MOOD question takes a mood of 1 to 5 (its text is an
/// optional comment); no other question takes a mood.
fn check_answers(
    questions: &[Question],
    drafts: &[AnswerDraft],
) -> ApiResult<HashMap<QuestionId, Given>> {
    let known: HashMap<QuestionId, &Question> = questions.iter().map(|q| (q.id, q)).collect();
    let mut given: HashMap<QuestionId, Given> = HashMap::new();
    for (index, draft) in drafts.iter().enumerate() {
        let id = draft
            .question_id
            .parse::<QuestionId>()
            .ok()
            .filter(|id| known.contains_key(id))
            .ok_or_else(|| {
                bad(
                    "answers",
                    format!(
                        "answer {}: '{}' is not a question of this standup",
                        index + 1,
                        draft.question_id
                    ),
                )
            })?;
        if given.contains_key(&id) {
            return Err(bad(
                "answers",
                format!("answer {}: the question is answered twice", index + 1),
            ));
        }
        let text = draft.text.trim().to_string();
        let mood = check_mood(index, known[&id], draft.mood, &text)?;
        // Present but blank: the same as no answer.
        given.insert(id, Given { text, mood });
    }
    // What answers each question: a MOOD question's mood, any other's text.
    let answering: HashMap<QuestionId, String> = questions
        .iter()
        .filter_map(|q| {
            let g = given.get(&q.id)?;
            Some(match q.kind {
                QuestionKind::Mood => (q.id, g.mood.map(|m| m.to_string()).unwrap_or_default()),
                _ => (q.id, g.text.clone()),
            })
        })
        .collect();
    if let Some(question) = unanswered_required(questions, &answering).first() {
        let what = if question.kind == QuestionKind::Mood {
            "needs a mood from 1 to 5"
        } else {
            "needs an answer"
        };
        return Err(bad(
            "answers",
            format!("\u{201c}{}\u{201d} {what}", question.prompt),
        ));
    }
    given.retain(|_, g| !g.text.is_empty() || g.mood.is_some());
    Ok(given)
}

/// The mood of answer `index` to `question`: 1 to 5 on a MOOD question (a comment needs
/// one), none on any other.
fn check_mood(
    index: usize,
    question: &Question,
    mood: Option<i32>,
    text: &str,
) -> ApiResult<Option<i16>> {
    let n = index + 1;
    match (question.kind, mood) {
        (QuestionKind::Mood, Some(m @ 1..=5)) => Ok(i16::try_from(m).ok()),
        (QuestionKind::Mood, Some(m)) => Err(bad(
            "answers",
            format!("answer {n}: a mood is 1 to 5, not {m}"),
        )),
        (QuestionKind::Mood, None) if !text.is_empty() => Err(bad(
            "answers",
            format!(
                "answer {n}: pick a mood from 1 to 5 for \u{201c}{}\u{201d}; the text is its comment",
                question.prompt
            ),
        )),
        (_, Some(_)) => Err(bad(
            "answers",
            format!("answer {n}: only a mood question takes a mood"),
        )),
        _ => Ok(None),
    }
}

/// The required questions `given` leaves without an answer (a blank one counts as none),
/// in the order they are asked.
pub(crate) fn unanswered_required<'q>(
    questions: &'q [Question],
    given: &HashMap<QuestionId, String>,
) -> Vec<&'q Question> {
    questions
        .iter()
        .filter(|q| q.required && given.get(&q.id).is_none_or(|t| t.trim().is_empty()))
        .collect()
}

fn check_answer_lengths(drafts: &[AnswerDraft]) -> ApiResult<()> {
    for (index, draft) in drafts.iter().enumerate() {
        if draft.text.trim().chars().count() > ANSWER_MAX_CHARS {
            return Err(bad(
                "answers",
                format!(
                    "answer {}: at most {ANSWER_MAX_CHARS} characters",
                    index + 1
                ),
            ));
        }
    }
    Ok(())
}

fn check_skip_reason(reason: Option<String>) -> ApiResult<Option<String>> {
    let reason = reason
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty());
    if reason
        .as_ref()
        .is_some_and(|r| r.chars().count() > SKIP_REASON_MAX_CHARS)
    {
        return Err(bad(
            "reason",
            format!("at most {SKIP_REASON_MAX_CHARS} characters"),
        ));
    }
    Ok(reason)
}

/// The moods given in standup `id` of `org` (the caller may read the standup).
pub async fn mood_counts(
    state: &AppState,
    org: OrganizationId,
    id: StandupId,
) -> ApiResult<schema_server::db::mood::MoodCounts> {
    let mut conn = state.db().await?;
    Ok(schema_server::db::mood::run_counts(&mut conn, org, id).await?)
}

/// Submits (or edits) the caller's answers. Participants, while OPEN.
#[tracing::instrument(skip_all)]
pub async fn submit_answers(
    state: &AppState,
    meta: &RequestMeta,
    caller: &Caller,
    id: StandupId,
    drafts: Vec<AnswerDraft>,
) -> ApiResult<ParticipationView> {
    check_answer_lengths(&drafts)?;
    require_member(state, caller).await?;
    record_answers(state, meta, caller, id, drafts).await
}

/// A member proven by something other than a session: a signed Slack request
/// ([`SlackMember`]) or an answer link ([`super::answer_links::LinkHolder`]). Its caller
/// carries a session id that names no session, so nothing that needs a sign-in accepts it.
pub(crate) trait ProvenMember {
    fn caller(&self) -> &Caller;
}

impl ProvenMember for SlackMember {
    fn caller(&self) -> &Caller {
        SlackMember::caller(self)
    }
}

/// [`submit_answers`] for a member answering in Slack or through an answer link: the
/// same rules, transaction, audit row and events; their membership is proven by the
/// signed Slack request or the link instead of a session.
#[tracing::instrument(skip_all)]
pub(crate) async fn submit_answers_as(
    state: &AppState,
    meta: &RequestMeta,
    member: &impl ProvenMember,
    id: StandupId,
    drafts: Vec<AnswerDraft>,
) -> ApiResult<ParticipationView> {
    check_answer_lengths(&drafts)?;
    record_answers(state, meta, member.caller(), id, drafts).await
}

/// The answers of a caller proven to be an ACTIVE member.
async fn record_answers(
    state: &AppState,
    meta: &RequestMeta,
    caller: &Caller,
    id: StandupId,
    drafts: Vec<AnswerDraft>,
) -> ApiResult<ParticipationView> {
    let mut conn = state.db().await?;
    let now = Utc::now();
    let (view, closed, late, opened) = conn
        .transaction::<_, ApiError, _>(async |tx| {
            let standup = runs::find_for_update(tx, caller.org, id)
                .await?
                .ok_or_else(standup_not_found)?;
            let before = require_participant(tx, caller, id, "answer it").await?;
            let late_minutes = answer_links::late_window(tx, caller.org, id).await?;
            let late = ensure_accepting(&standup, late_minutes, now)?;
            let questions = questions_of(&standup)?;
            let wanted = check_answers(&questions, &drafts)?;
            let existing: HashMap<QuestionId, Given> =
                answers::answers_of_participant(tx, caller.org, id, caller.user)
                    .await?
                    .into_iter()
                    .map(|a| {
                        (
                            a.question_id,
                            Given {
                                text: a.text,
                                mood: a.mood,
                            },
                        )
                    })
                    .collect();
            // An edit: there was a submission (or answers) before this one.
            let is_edit = before.state == ParticipationState::Answered || !existing.is_empty();
            let mut edits = Vec::new();
            let mut changed = HashMap::new();
            for question in &questions {
                let old = existing.get(&question.id);
                let new = wanted.get(&question.id);
                if old == new {
                    continue;
                }
                if let Some(given) = new {
                    changed.insert(question.id, given.text.clone());
                }
                match new {
                    Some(given) => {
                        answers::upsert_answer(
                            tx,
                            &Answer {
                                standup_id: id,
                                user_id: caller.user,
                                question_id: question.id,
                                org_id: caller.org,
                                text: given.text.clone(),
                                updated_at: now,
                                mood: given.mood,
                            },
                        )
                        .await?
                    }
                    None => {
                        answers::delete_answer(tx, caller.org, id, caller.user, question.id).await?
                    }
                }
                if is_edit {
                    edits.push(NewAnswerEdit {
                        org_id: caller.org,
                        standup_id: id,
                        user_id: caller.user,
                        question_id: question.id,
                        old_text: old.map(Given::history_text),
                        new_text: new.map(Given::history_text).unwrap_or_default(),
                        edited_at: now,
                    });
                }
            }
            answers::insert_edits(tx, &edits).await?;
            let opened =
                blockers::record_from_answers(tx, &standup, caller.user, &questions, &changed, now)
                    .await?;
            let first_submission = before.state != ParticipationState::Answered;
            let participation = runs::set_response(
                tx,
                caller.org,
                id,
                caller.user,
                &Response {
                    state: ParticipationState::Answered,
                    skip_reason: None,
                    submitted_at: if first_submission {
                        Some(now)
                    } else {
                        before.submitted_at
                    },
                    edited_at: if is_edit && !edits.is_empty() {
                        Some(now)
                    } else {
                        before.edited_at
                    },
                    late_at: before.late_at.or(late.then_some(now)),
                },
            )
            .await?;
            audit(
                tx,
                meta,
                Some(caller.org),
                Some(caller.user),
                "standup.answer_submitted",
                Some(("standup", id.to_string())),
                json!({
                    "teamId": standup.team_id,
                    "userId": caller.user,
                    "answered": wanted.len(),
                    "blockersOpened": opened.len(),
                    "questions": questions.len(),
                    "edit": is_edit,
                    "changedAnswers": edits.len(),
                    "before": before.state,
                    "late": late,
                }),
            )
            .await?;
            if late {
                announce_late_answer(tx, meta, caller, &standup).await?;
            }
            let (view, closed) =
                finish_response(tx, meta, caller, standup, participation, now).await?;
            Ok((view, closed, late, opened))
        })
        .await?;
    let kind = if late {
        StandupEventKind::LateAnswer
    } else {
        StandupEventKind::AnswerSubmitted
    };
    announce_response(state, caller, kind, &view, closed);
    after_commit(state, false, blockers::opened_events(&opened));
    if late {
        // The late answer's webhook job waits in the outbox.
        state.outbox.wake();
    }
    Ok(view)
}

/// Skips a standup, with an optional reason of at most 500 characters. Participants,
/// while OPEN.
#[tracing::instrument(skip_all)]
pub async fn skip(
    state: &AppState,
    meta: &RequestMeta,
    caller: &Caller,
    id: StandupId,
    reason: Option<String>,
) -> ApiResult<ParticipationView> {
    let reason = check_skip_reason(reason)?;
    require_member(state, caller).await?;
    record_skip(state, meta, caller, id, reason).await
}

/// [`skip`] for a member skipping in Slack or through an answer link (see
/// [`submit_answers_as`]).
#[tracing::instrument(skip_all)]
pub(crate) async fn skip_as(
    state: &AppState,
    meta: &RequestMeta,
    member: &impl ProvenMember,
    id: StandupId,
    reason: Option<String>,
) -> ApiResult<ParticipationView> {
    let reason = check_skip_reason(reason)?;
    record_skip(state, meta, member.caller(), id, reason).await
}

/// The skip of a caller proven to be an ACTIVE member.
async fn record_skip(
    state: &AppState,
    meta: &RequestMeta,
    caller: &Caller,
    id: StandupId,
    reason: Option<String>,
) -> ApiResult<ParticipationView> {
    let mut conn = state.db().await?;
    let now = Utc::now();
    let (view, closed) = conn
        .transaction::<_, ApiError, _>(async |tx| {
            let standup = runs::find_for_update(tx, caller.org, id)
                .await?
                .ok_or_else(standup_not_found)?;
            let before = require_participant(tx, caller, id, "skip it").await?;
            let late_minutes = answer_links::late_window(tx, caller.org, id).await?;
            let late = ensure_accepting(&standup, late_minutes, now)?;
            let participation = runs::set_response(
                tx,
                caller.org,
                id,
                caller.user,
                &Response {
                    state: ParticipationState::Skipped,
                    skip_reason: reason.as_deref(),
                    submitted_at: Some(now),
                    edited_at: before.edited_at,
                    late_at: before.late_at.or(late.then_some(now)),
                },
            )
            .await?;
            audit(
                tx,
                meta,
                Some(caller.org),
                Some(caller.user),
                "standup.skipped",
                Some(("standup", id.to_string())),
                json!({
                    "teamId": standup.team_id,
                    "userId": caller.user,
                    "withReason": reason.is_some(),
                    "before": before.state,
                    "late": late,
                }),
            )
            .await?;
            finish_response(tx, meta, caller, standup, participation, now).await
        })
        .await?;
    announce_response(state, caller, StandupEventKind::Skipped, &view, closed);
    Ok(view)
}

/// Opens a run of a config now (as the scheduler would, with `scheduledFor` = now) and
/// notifies its participants. OWNER/ADMIN.
#[tracing::instrument(skip_all)]
pub async fn start_now(
    state: &AppState,
    meta: &RequestMeta,
    caller: &Caller,
    config: StandupConfigId,
) -> ApiResult<Standup> {
    require_admin(state, caller, "start standups").await?;
    let mut conn = state.db().await?;
    let standup = conn
        .transaction::<_, ApiError, _>(async |tx| {
            let config = standup_configs::find_for_update(tx, caller.org, config)
                .await?
                .ok_or_else(|| ApiError::NotFoundIn {
                    field: "configId",
                    message: "configId: no standup config of this organization has this id".into(),
                })?;
            let new = NewStandup::from_config(&config, Utc::now()).map_err(|e| {
                ApiError::internal(anyhow::anyhow!("stored schedule is invalid: {e}"))
            })?;
            let standup = runs::open(tx, &new)
                .await?
                .ok_or_else(|| ApiError::Conflict {
                    field: Some("configId"),
                    message:
                        "configId: a run of this config was opened at this very instant; try again"
                            .into(),
                })?;
            let participants = runs::participants_of(tx, caller.org, &[standup.id])
                .await?
                .len();
            enqueue(
                tx,
                meta,
                Some(caller.org),
                Job::NotifyStandup {
                    standup_id: standup.id.as_uuid(),
                },
            )
            .await?;
            audit(
                tx,
                meta,
                Some(caller.org),
                Some(caller.user),
                "standup.started",
                Some(("standup", standup.id.to_string())),
                json!({
                    "teamId": standup.team_id,
                    "configId": config.id,
                    "name": standup.name,
                    "closesAt": standup.closes_at,
                    "participants": participants,
                }),
            )
            .await?;
            Ok(standup)
        })
        .await?;
    after_commit(
        state,
        true,
        vec![event(StandupEventKind::Opened, &standup, None)],
    );
    Ok(standup)
}

/// Closes an open standup now and compiles its digest. OWNER/ADMIN.
#[tracing::instrument(skip_all)]
pub async fn close(
    state: &AppState,
    meta: &RequestMeta,
    caller: &Caller,
    id: StandupId,
) -> ApiResult<Standup> {
    require_admin(state, caller, "close standups").await?;
    let mut conn = state.db().await?;
    let standup = conn
        .transaction::<_, ApiError, _>(async |tx| {
            let before = runs::find_for_update(tx, caller.org, id)
                .await?
                .ok_or_else(standup_not_found)?;
            let already = || ApiError::Conflict {
                field: Some("standupId"),
                message: format!(
                    "standupId: this standup already closed at {}",
                    when(before.closed_at.unwrap_or(before.closes_at))
                ),
            };
            if before.state == StandupState::Closed {
                return Err(already());
            }
            let closed = runs::close(tx, caller.org, id, Utc::now())
                .await?
                .ok_or_else(already)?;
            let responses = runs::participants_of(tx, caller.org, &[id]).await?;
            let count =
                |s: ParticipationState| responses.iter().filter(|(p, _)| p.state == s).count();
            enqueue(
                tx,
                meta,
                Some(caller.org),
                Job::CompileDigest {
                    standup_id: id.as_uuid(),
                },
            )
            .await?;
            audit(
                tx,
                meta,
                Some(caller.org),
                Some(caller.user),
                "standup.closed",
                Some(("standup", id.to_string())),
                json!({
                    "teamId": closed.team_id,
                    "reason": "closed early",
                    "closesAt": before.closes_at,
                    "answered": count(ParticipationState::Answered),
                    "skipped": count(ParticipationState::Skipped),
                    "missing": count(ParticipationState::Pending),
                    "outOfOffice": count(ParticipationState::OutOfOffice),
                }),
            )
            .await?;
            Ok(closed)
        })
        .await?;
    after_commit(
        state,
        true,
        vec![event(StandupEventKind::Closed, &standup, None)],
    );
    Ok(standup)
}

/// The live events of `team`, for a subscription: checked once, when subscribing (an
/// active member of the organization; another organization's team is NOT_FOUND).
#[tracing::instrument(skip_all)]
pub async fn subscribe(
    state: &AppState,
    caller: &Caller,
    team: TeamId,
) -> ApiResult<broadcast::Receiver<Arc<StandupEvent>>> {
    require_member(state, caller).await?;
    // Subscribe before the check returns, so nothing between the two is missed.
    let receiver = state.events.subscribe();
    let mut conn = state.db().await?;
    teams::find(&mut conn, caller.org, team)
        .await?
        .ok_or_else(team_not_found)?;
    Ok(receiver)
}

/// True while the caller's session is live and their membership active: a live
/// subscription asks now and then, and ends when this turns false.
pub async fn still_member(state: &AppState, caller: &Caller) -> bool {
    match require_member(state, caller).await {
        Ok(_) => true,
        Err(ApiError::Internal(e)) => {
            // A database hiccup does not end a subscription; the next check decides.
            tracing::warn!(error = %e, "subscription re-check failed");
            true
        }
        Err(_) => false,
    }
}

/// The participants (with who they are) of several standups in one statement, for the
/// DataLoader.
pub async fn load_participants(
    state: &AppState,
    org: OrganizationId,
    ids: &[StandupId],
) -> ApiResult<HashMap<StandupId, Vec<(Participation, User)>>> {
    let mut conn = state.db().await?;
    let mut out: HashMap<StandupId, Vec<(Participation, User)>> =
        ids.iter().map(|id| (*id, Vec::new())).collect();
    for (participation, user) in runs::participants_of(&mut conn, org, ids).await? {
        out.entry(participation.standup_id)
            .or_default()
            .push((participation, user));
    }
    Ok(out)
}

/// The answers of several standups in one statement, for the DataLoader.
pub async fn load_answers(
    state: &AppState,
    org: OrganizationId,
    ids: &[StandupId],
) -> ApiResult<HashMap<StandupId, Vec<Answer>>> {
    let mut conn = state.db().await?;
    let mut out: HashMap<StandupId, Vec<Answer>> = ids.iter().map(|id| (*id, Vec::new())).collect();
    for answer in answers::answers_of(&mut conn, org, ids).await? {
        out.entry(answer.standup_id).or_default().push(answer);
    }
    Ok(out)
}

/// The digest columns of several standups in one statement, for the DataLoader.
pub async fn load_extras(
    state: &AppState,
    org: OrganizationId,
    ids: &[StandupId],
) -> ApiResult<HashMap<StandupId, StandupExtra>> {
    let mut conn = state.db().await?;
    Ok(runs::extras_of(&mut conn, org, ids)
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect())
}

/// Configs by id in one statement, for the DataLoader.
pub async fn load_configs(
    state: &AppState,
    org: OrganizationId,
    ids: &[StandupConfigId],
) -> ApiResult<HashMap<StandupConfigId, StandupConfig>> {
    let mut conn = state.db().await?;
    let unique: Vec<StandupConfigId> = ids
        .iter()
        .copied()
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    Ok(standup_configs::configs_by_ids(&mut conn, org, &unique)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use schema::enums::QuestionKind;

    fn question(required: bool, prompt: &str) -> Question {
        Question {
            id: QuestionId(uuid::Uuid::new_v4()),
            prompt: prompt.into(),
            kind: QuestionKind::Text,
            required,
        }
    }

    fn draft(q: &Question, text: &str) -> AnswerDraft {
        AnswerDraft {
            question_id: q.id.to_string(),
            text: text.into(),
            mood: None,
        }
    }

    #[test]
    fn answers_are_checked_against_the_questions() {
        let yesterday = question(true, "Yesterday?");
        let notes = question(false, "Notes?");
        let qs = vec![yesterday.clone(), notes.clone()];
        let ok = check_answers(&qs, &[draft(&yesterday, " shipped "), draft(&notes, "  ")])
            .unwrap_or_default();
        assert_eq!(ok.len(), 1);
        assert_eq!(
            ok.get(&yesterday.id).map(|g| g.text.as_str()),
            Some("shipped")
        );
        for drafts in [
            vec![draft(&notes, "x")],
            vec![draft(&yesterday, "   ")],
            vec![draft(&yesterday, "a"), draft(&yesterday, "b")],
            vec![
                draft(&yesterday, "a"),
                AnswerDraft {
                    question_id: "nope".into(),
                    text: "x".into(),
                    mood: None,
                },
            ],
        ] {
            let e = check_answers(&qs, &drafts).err();
            assert!(
                matches!(
                    e,
                    Some(ApiError::BadInput {
                        field: Some("answers"),
                        ..
                    })
                ),
                "{drafts:?}"
            );
        }
    }
    #[test]
    fn a_mood_question_takes_1_to_5_with_an_optional_comment_and_nothing_else_does() {
        let text = question(false, "Notes?");
        let mut mood = question(true, "Mood?");
        mood.kind = QuestionKind::Mood;
        let qs = vec![text.clone(), mood.clone()];
        let with = |q: &Question, text: &str, m: Option<i32>| AnswerDraft {
            mood: m,
            ..draft(q, text)
        };
        let ok = check_answers(&qs, &[with(&mood, " tired ", Some(2))]).unwrap_or_default();
        assert_eq!(
            ok.get(&mood.id),
            Some(&Given {
                text: "tired".into(),
                mood: Some(2)
            })
        );
        assert!(check_answers(&qs, &[with(&mood, "", Some(5))]).is_ok());
        for drafts in [
            vec![with(&mood, "", Some(0))],
            vec![with(&mood, "", Some(6))],
            vec![with(&mood, "a comment without a mood", None)],
            vec![with(&mood, "", None)],
            vec![with(&mood, "", Some(3)), with(&text, "x", Some(3))],
        ] {
            assert!(
                matches!(
                    check_answers(&qs, &drafts).err(),
                    Some(ApiError::BadInput {
                        field: Some("answers"),
                        ..
                    })
                ),
                "{drafts:?}"
            );
        }
    }
}
