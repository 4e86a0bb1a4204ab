//! Standups: runs of a config, their participations and answers, history and stats, and
//! the live `standupEvents` subscription.

use super::loaders::{AnswersOf, ConfigById, ExtraOf, ParticipationsOf, RequestLoader, TeamById};
use super::pagination;
use super::standup_configs::{Question, StandupConfig};
use super::teams::{Team, team_id};
use super::types::{ParticipationState, StandupState, User};
use crate::auth::AuthState;
use crate::error::ApiError;
use crate::service::organization::require_caller;
use crate::service::standups as service;
use crate::state::{AppState, RequestMeta};
use async_graphql::connection::{Connection, Edge};
use async_graphql::{
    Context, Enum, ID, InputObject, Object, Result, ResultExt, SimpleObject, Subscription,
};
use chrono::{DateTime, Utc};
use futures_util::Stream;
use schema::events;
use schema::ids::{StandupConfigId, StandupId, UserId};
use schema_server::db::models;
use schema_server::db::standups::HistoryFilter;
use std::sync::Arc;
use tokio::sync::broadcast::error::RecvError;

/// One run of a standup config: the questions as they were asked, who was asked, and
/// what they answered.
pub struct Standup(pub models::Standup);

impl Standup {
    fn questions_snapshot(&self) -> Result<Arc<Vec<schema::standup::Question>>> {
        self.0
            .questions()
            .map(Arc::new)
            .map_err(|e| ApiError::internal(anyhow::anyhow!("stored questions: {e}")))
            .extend()
    }

    async fn late_window(&self, ctx: &Context<'_>) -> Result<i32> {
        let loader = ctx.data::<RequestLoader>()?;
        Ok(loader
            .load_one(ExtraOf(self.0.org_id, self.0.id))
            .await
            .extend()?
            .map_or(0, |extra| extra.late_answers_minutes))
    }

    async fn participation_rows(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<(models::Participation, models::User)>> {
        let loader = ctx.data::<RequestLoader>()?;
        Ok(loader
            .load_one(ParticipationsOf(self.0.org_id, self.0.id))
            .await
            .extend()?
            .unwrap_or_default())
    }
}

#[Object]
impl Standup {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn team(&self, ctx: &Context<'_>) -> Result<Team> {
        let loader = ctx.data::<RequestLoader>()?;
        loader
            .load_one(TeamById(self.0.org_id, self.0.team_id))
            .await
            .extend()?
            .map(Team)
            .ok_or_else(|| ApiError::NotFound("team not found".into()))
            .extend()
    }

    /// The config it ran from; null once the config is deleted.
    async fn config(&self, ctx: &Context<'_>) -> Result<Option<StandupConfig>> {
        let Some(config) = self.0.config_id else {
            return Ok(None);
        };
        let loader = ctx.data::<RequestLoader>()?;
        Ok(loader
            .load_one(ConfigById(self.0.org_id, config))
            .await
            .extend()?
            .map(StandupConfig))
    }

    /// The config's name when the standup opened.
    async fn name(&self) -> &str {
        &self.0.name
    }

    async fn scheduled_for(&self) -> DateTime<Utc> {
        self.0.scheduled_for
    }

    /// YYYY-MM-DD in the config's time zone.
    async fn local_date(&self) -> String {
        self.0.local_date.format("%Y-%m-%d").to_string()
    }

    /// IANA time zone of `localDate`.
    async fn timezone(&self) -> &str {
        &self.0.timezone
    }

    /// The deadline for answers.
    async fn closes_at(&self) -> DateTime<Utc> {
        self.0.closes_at
    }

    async fn state(&self) -> StandupState {
        self.0.state.into()
    }

    /// When it closed (at the deadline, early by hand, or when everyone had answered).
    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.0.closed_at
    }

    /// The questions as they were when it opened, in order.
    async fn questions(&self) -> Result<Vec<Question>> {
        Ok(self
            .questions_snapshot()?
            .iter()
            .cloned()
            .map(Into::into)
            .collect())
    }

    /// Everyone asked, by name.
    async fn participations(&self, ctx: &Context<'_>) -> Result<Vec<Participation>> {
        let questions = self.questions_snapshot()?;
        Ok(self
            .participation_rows(ctx)
            .await?
            .into_iter()
            .map(|(row, user)| Participation {
                row,
                user,
                questions: questions.clone(),
                own: false,
            })
            .collect())
    }

    /// The viewer's own participation; null when the viewer was not asked.
    async fn my_participation(&self, ctx: &Context<'_>) -> Result<Option<Participation>> {
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let questions = self.questions_snapshot()?;
        Ok(self
            .participation_rows(ctx)
            .await?
            .into_iter()
            .find(|(row, _)| row.user_id == caller.user)
            .map(|(row, user)| Participation {
                row,
                user,
                questions,
                own: true,
            }))
    }

    /// The viewer's open blockers in this organization, oldest first (whichever standup
    /// opened them), so this standup can ask whether they still hold.
    async fn my_open_blockers(&self, ctx: &Context<'_>) -> Result<Vec<super::blockers::Blocker>> {
        super::blockers::my_open(ctx).await
    }

    /// The digest, once the standup closed and it was compiled.
    async fn digest(&self, ctx: &Context<'_>) -> Result<Option<Digest>> {
        let loader = ctx.data::<RequestLoader>()?;
        let Some(extra) = loader
            .load_one(ExtraOf(self.0.org_id, self.0.id))
            .await
            .extend()?
        else {
            return Ok(None);
        };
        let Some(digest) = extra.digest() else {
            return Ok(None);
        };
        let digest = digest
            .map_err(|e| ApiError::internal(anyhow::anyhow!("stored digest: {e}")))
            .extend()?;
        Ok(Some(Digest {
            text: digest.text,
            html: digest.html,
            answered: digest.answered as i32,
            skipped: digest.skipped as i32,
            missing: digest.missing as i32,
            out_of_office: digest.out_of_office as i32,
            delivered_at: extra.digest_delivered_at,
        }))
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// Minutes after the close during which answers are still taken, marked late.
    async fn late_answers_minutes(&self, ctx: &Context<'_>) -> Result<i32> {
        self.late_window(ctx).await
    }

    /// Moods are shown only as aggregates over 3 or more people (set by the config when
    /// the standup opened): other people's MOOD answers are left out of `answers`.
    async fn anonymous_mood(&self, ctx: &Context<'_>) -> Result<bool> {
        let loader = ctx.data::<RequestLoader>()?;
        Ok(loader
            .load_one(ExtraOf(self.0.org_id, self.0.id))
            .await
            .extend()?
            .is_some_and(|extra| extra.anonymous_mood))
    }

    /// The moods given so far; null when nobody gave one, and with `anonymousMood` when
    /// fewer than 3 people did (no aggregate at all, so no one's mood can be told).
    async fn mood_summary(&self, ctx: &Context<'_>) -> Result<Option<MoodSummary>> {
        let state = ctx.data::<AppState>()?;
        let anonymous = self.anonymous_mood(ctx).await?;
        let counts = service::mood_counts(state, self.0.org_id, self.0.id)
            .await
            .extend()?;
        Ok(
            schema::standup::shown_mood_average(counts.people, &counts.counts, anonymous).map(
                |average| MoodSummary {
                    people: i32::try_from(counts.people).unwrap_or(i32::MAX),
                    average,
                    counts: counts
                        .counts
                        .iter()
                        .map(|n| i32::try_from(*n).unwrap_or(i32::MAX))
                        .collect(),
                },
            ),
        )
    }

    /// Until when answers are accepted: the deadline (or the close) plus the late window.
    async fn accepts_answers_until(&self, ctx: &Context<'_>) -> Result<DateTime<Utc>> {
        let late = self.late_window(ctx).await?;
        Ok(service::accepts_answers_until(&self.0, late))
    }
}

/// One person asked in one standup.
pub struct Participation {
    row: models::Participation,
    user: models::User,
    questions: Arc<Vec<schema::standup::Question>>,
    /// Known to be the viewer's own (a mutation's answer, `myParticipation`, an answer
    /// link's); otherwise the viewer is compared with its person.
    own: bool,
}

impl From<service::ParticipationView> for Participation {
    fn from(v: service::ParticipationView) -> Self {
        let questions = Arc::new(v.standup.questions().unwrap_or_default());
        Self {
            row: v.participation,
            user: v.user,
            questions,
            own: true,
        }
    }
}

#[Object]
impl Participation {
    async fn user(&self) -> User {
        self.user.clone().into()
    }

    async fn state(&self) -> ParticipationState {
        self.row.state.into()
    }

    /// The current answers, in question order.
    async fn answers(&self, ctx: &Context<'_>) -> Result<Vec<Answer>> {
        let loader = ctx.data::<RequestLoader>()?;
        let answers = loader
            .load_one(AnswersOf(self.row.org_id, self.row.standup_id))
            .await
            .extend()?
            .unwrap_or_default();
        // An anonymous mood is the person's own to see; others get the aggregate only.
        let viewer = ctx
            .data::<AuthState>()
            .ok()
            .and_then(|auth| require_caller(auth).ok())
            .map(|caller| caller.user);
        let hide_mood = !self.own
            && viewer != Some(self.row.user_id)
            && loader
                .load_one(ExtraOf(self.row.org_id, self.row.standup_id))
                .await
                .extend()?
                .is_some_and(|extra| extra.anonymous_mood);
        Ok(self
            .questions
            .iter()
            .filter(|q| !(hide_mood && q.kind == schema::enums::QuestionKind::Mood))
            .filter_map(|q| {
                answers
                    .iter()
                    .find(|a| a.user_id == self.row.user_id && a.question_id == q.id)
                    .map(|a| Answer {
                        question: q.clone().into(),
                        text: a.text.clone(),
                        mood: a.mood.map(i32::from),
                    })
            })
            .collect())
    }

    /// When they first answered or skipped.
    async fn submitted_at(&self) -> Option<DateTime<Utc>> {
        self.row.submitted_at
    }

    /// Why they skipped (null unless SKIPPED).
    async fn skip_reason(&self) -> Option<&str> {
        (self.row.state != schema::enums::ParticipationState::OutOfOffice)
            .then_some(self.row.skip_reason.as_deref())
            .flatten()
    }

    /// The note of the out-of-office period they were away on (null unless
    /// OUT_OF_OFFICE).
    async fn out_of_office_note(&self) -> Option<&str> {
        (self.row.state == schema::enums::ParticipationState::OutOfOffice)
            .then_some(self.row.skip_reason.as_deref())
            .flatten()
    }

    /// The last edit of their answers after the first submission.
    async fn edited_at(&self) -> Option<DateTime<Utc>> {
        self.row.edited_at
    }

    /// They first answered or skipped after the standup had closed (a late answer).
    async fn late(&self) -> bool {
        self.row.late_at.is_some()
    }

    /// When they first answered or skipped after the close.
    async fn late_at(&self) -> Option<DateTime<Utc>> {
        self.row.late_at
    }
}

#[derive(SimpleObject, Clone, Debug)]
pub struct Answer {
    pub question: Question,
    /// The answer; a MOOD question's comment (may be empty).
    pub text: String,
    /// A MOOD question's answer, 1 to 5; null for other questions.
    pub mood: Option<i32>,
}

/// A standup's moods, counted.
#[derive(SimpleObject, Clone, Debug)]
pub struct MoodSummary {
    /// People who gave a mood.
    pub people: i32,
    /// The average mood, 1 to 5.
    pub average: f64,
    /// How many answers gave each mood: five counts, for 1 to 5.
    pub counts: Vec<i32>,
}

/// What was sent when the standup closed.
#[derive(SimpleObject, Clone, Debug)]
pub struct Digest {
    /// Plain text.
    pub text: String,
    /// An HTML fragment, every user-supplied string escaped.
    pub html: String,
    pub answered: i32,
    pub skipped: i32,
    pub missing: i32,
    /// Participants out of office on the standup's date.
    pub out_of_office: i32,
    /// When the webhook receiver accepted it.
    pub delivered_at: Option<DateTime<Utc>>,
}

/// One member's record over a team's closed standups.
#[derive(SimpleObject, Clone, Debug)]
pub struct MemberParticipation {
    pub user: User,
    /// Closed standups they were asked in.
    pub standups: i32,
    pub answered: i32,
    pub skipped: i32,
    /// Still PENDING when the standup closed.
    pub missed: i32,
    /// Closed standups that fell while they were out of office; not counted in
    /// `standups` nor in the rate.
    pub out_of_office: i32,
    /// answered / standups, 0 to 1.
    pub response_rate: f64,
    /// Consecutive most recent closed standups answered.
    pub current_streak: i32,
}

impl From<service::MemberStats> for MemberParticipation {
    fn from(s: service::MemberStats) -> Self {
        Self {
            user: s.user.into(),
            standups: s.standups,
            answered: s.answered,
            skipped: s.skipped,
            missed: s.missed,
            out_of_office: s.out_of_office,
            response_rate: s.response_rate,
            current_streak: s.current_streak,
        }
    }
}

/// Narrows a team's history; every given field must match.
#[derive(InputObject, Default, Debug)]
pub struct StandupFilter {
    /// Scheduled at or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Scheduled before this instant.
    pub to: Option<DateTime<Utc>>,
    /// Standups this person was asked in.
    pub user_id: Option<ID>,
}

#[derive(InputObject, Debug)]
pub struct AnswerInput {
    pub question_id: ID,
    /// At most 5000 characters; blank leaves an optional question unanswered. For a
    /// MOOD question: its optional comment.
    pub text: String,
    /// A MOOD question's answer, 1 (awful) to 5 (great); no other question takes one.
    pub mood: Option<i32>,
}

impl From<AnswerInput> for service::AnswerDraft {
    fn from(a: AnswerInput) -> Self {
        Self {
            question_id: a.question_id.0,
            text: a.text,
            mood: a.mood,
        }
    }
}

/// Every answer at once: submitting again replaces them (edits are kept in history).
#[derive(InputObject, Debug)]
pub struct SubmitAnswersInput {
    pub standup_id: ID,
    pub answers: Vec<AnswerInput>,
}

fn standup_id(id: &ID) -> Result<StandupId> {
    id.parse::<StandupId>()
        .map_err(|_| ApiError::NotFound("standup not found".into()))
        .extend()
}

#[derive(Default)]
pub struct StandupsQuery;

#[Object]
impl StandupsQuery {
    /// One standup of the current organization (NOT_FOUND for any other id). Any member.
    async fn standup(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Standup>> {
        let state = ctx.data::<AppState>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let id = standup_id(&id)?;
        Ok(Some(Standup(
            service::get(state, caller, id).await.extend()?,
        )))
    }

    /// Which of the viewer's organizations a standup belongs to (null: none of them), so
    /// a link to a standup of another of their organizations can switch to it first.
    async fn standup_organization(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<Option<super::types::Organization>> {
        let state = ctx.data::<AppState>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let Ok(id) = id.parse::<StandupId>() else {
            return Ok(None);
        };
        Ok(service::organization_of(state, caller, id)
            .await
            .extend()?
            .map(Into::into))
    }

    /// The standups the viewer is asked in, newest first, at most 50.
    async fn my_standups(
        &self,
        ctx: &Context<'_>,
        state: Option<StandupState>,
    ) -> Result<Vec<Standup>> {
        let app = ctx.data::<AppState>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let rows = service::mine(app, caller, state.map(Into::into))
            .await
            .extend()?;
        Ok(rows.into_iter().map(Standup).collect())
    }

    /// A team's standups, newest first (1 to 100 per page). Any member.
    async fn standups(
        &self,
        ctx: &Context<'_>,
        team_id: ID,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<StandupFilter>,
    ) -> Result<Connection<String, Standup>> {
        let state = ctx.data::<AppState>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let team = self::team_id(&team_id)?;
        let first = pagination::page_size(first).extend()?;
        let cursor = pagination::decode(after.as_deref())
            .extend()?
            .map(|(at, id)| (at, StandupId(id)));
        let filter = filter.unwrap_or_default();
        let user = match &filter.user_id {
            Some(id) => Some(
                id.parse::<UserId>()
                    .map_err(|_| ApiError::BadInput {
                        field: Some("userId"),
                        message: "userId: not a user id".into(),
                    })
                    .extend()?,
            ),
            None => None,
        };
        let filter = HistoryFilter {
            from: filter.from,
            to: filter.to,
            user,
        };
        let (rows, more) = service::history(state, caller, team, &filter, cursor, first)
            .await
            .extend()?;
        let mut connection = Connection::new(cursor.is_some(), more);
        connection.edges.extend(rows.into_iter().map(|row| {
            Edge::new(
                pagination::encode(row.scheduled_for, row.id.as_uuid()),
                Standup(row),
            )
        }));
        Ok(connection)
    }

    /// Each member's response record over the team's closed standups scheduled in
    /// `[from, to)`, by name. Any member.
    async fn team_participation(
        &self,
        ctx: &Context<'_>,
        team_id: ID,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<MemberParticipation>> {
        let state = ctx.data::<AppState>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let team = self::team_id(&team_id)?;
        let stats = service::participation(state, caller, team, from, to)
            .await
            .extend()?;
        Ok(stats.into_iter().map(Into::into).collect())
    }
}

#[derive(Default)]
pub struct StandupsMutation;

#[Object]
impl StandupsMutation {
    /// Opens a run of a config now and notifies its participants. OWNER/ADMIN.
    async fn start_standup_now(&self, ctx: &Context<'_>, config_id: ID) -> Result<Standup> {
        let state = ctx.data::<AppState>()?;
        let meta = ctx.data::<RequestMeta>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let config = config_id
            .parse::<StandupConfigId>()
            .map_err(|_| ApiError::NotFoundIn {
                field: "configId",
                message: "configId: no standup config of this organization has this id".into(),
            })
            .extend()?;
        Ok(Standup(
            service::start_now(state, meta, caller, config)
                .await
                .extend()?,
        ))
    }

    /// Closes an open standup now; its digest is compiled at once. OWNER/ADMIN.
    async fn close_standup(&self, ctx: &Context<'_>, standup_id: ID) -> Result<Standup> {
        let state = ctx.data::<AppState>()?;
        let meta = ctx.data::<RequestMeta>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let id = self::standup_id(&standup_id)?;
        Ok(Standup(
            service::close(state, meta, caller, id).await.extend()?,
        ))
    }

    /// Submits, or edits until the standup closes, the viewer's answers. Participants.
    async fn submit_answers(
        &self,
        ctx: &Context<'_>,
        input: SubmitAnswersInput,
    ) -> Result<Participation> {
        let state = ctx.data::<AppState>()?;
        let meta = ctx.data::<RequestMeta>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let id = standup_id(&input.standup_id)?;
        let drafts = input.answers.into_iter().map(Into::into).collect();
        Ok(service::submit_answers(state, meta, caller, id, drafts)
            .await
            .extend()?
            .into())
    }

    /// Skips a standup, optionally saying why (at most 500 characters). Participants.
    async fn skip_standup(
        &self,
        ctx: &Context<'_>,
        standup_id: ID,
        reason: Option<String>,
    ) -> Result<Participation> {
        let state = ctx.data::<AppState>()?;
        let meta = ctx.data::<RequestMeta>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let id = self::standup_id(&standup_id)?;
        Ok(service::skip(state, meta, caller, id, reason)
            .await
            .extend()?
            .into())
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "schema::events::StandupEventKind")]
pub enum StandupEventKind {
    Opened,
    AnswerSubmitted,
    Skipped,
    Closed,
    LateAnswer,
    BlockerOpened,
    BlockerResolved,
}

/// Something happened to a standup of the team: refetch what you show of it.
#[derive(SimpleObject, Clone, Debug)]
pub struct StandupEvent {
    pub kind: StandupEventKind,
    pub standup_id: ID,
    pub team_id: ID,
    /// Who answered or skipped; null for OPENED and CLOSED.
    pub user_id: Option<ID>,
    pub at: DateTime<Utc>,
}

impl From<&events::StandupEvent> for StandupEvent {
    fn from(e: &events::StandupEvent) -> Self {
        Self {
            kind: e.kind.into(),
            standup_id: ID(e.standup_id.to_string()),
            team_id: ID(e.team_id.to_string()),
            user_id: e.user_id.map(|u| ID(u.to_string())),
            at: e.at,
        }
    }
}

#[derive(Default)]
pub struct StandupsSubscription;

#[Subscription(name = "Subscription")]
impl StandupsSubscription {
    /// The team's standup events as they happen (opened, answer submitted, skipped,
    /// closed), from every api replica. Any active member of the organization; another
    /// organization's team is NOT_FOUND. Membership is checked again every minute: the
    /// stream completes once the session ends or the member is suspended or removed.
    /// Best effort: refetch after a reconnect.
    async fn standup_events(
        &self,
        ctx: &Context<'_>,
        team_id: ID,
    ) -> Result<impl Stream<Item = StandupEvent> + use<>> {
        let state = ctx.data::<AppState>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let team = self::team_id(&team_id)?;
        let receiver = service::subscribe(state, caller, team).await.extend()?;
        let every = state.settings.subscription_recheck;
        let live = Live {
            receiver,
            recheck: tokio::time::interval_at(tokio::time::Instant::now() + every, every),
            state: state.clone(),
            caller: *caller,
        };
        let (org, team) = (caller.org, team);
        Ok(futures_util::stream::unfold(
            live,
            move |mut live| async move {
                loop {
                    tokio::select! {
                        received = live.receiver.recv() => match received {
                            Ok(event) if event.org_id == org && event.team_id == team => {
                                return Some((StandupEvent::from(event.as_ref()), live));
                            }
                            Ok(_) => {}
                            Err(RecvError::Lagged(missed)) => {
                                tracing::warn!(missed, "standup subscriber fell behind; events dropped");
                            }
                            Err(RecvError::Closed) => return None,
                        },
                        _ = live.recheck.tick() => {
                            // Signed out, suspended or removed since subscribing: no more events.
                            if !service::still_member(&live.state, &live.caller).await {
                                return None;
                            }
                        }
                    }
                }
            },
        ))
    }
}

/// A subscription's state between events.
struct Live {
    receiver: tokio::sync::broadcast::Receiver<Arc<events::StandupEvent>>,
    recheck: tokio::time::Interval,
    state: AppState,
    caller: crate::auth::Caller,
}
