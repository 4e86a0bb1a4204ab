//! One-click answer links (no sign-in): `answerLink`, `submitAnswersByLink`,
//! `skipByLink`. What a link can read is its own narrow type, [`AnswerLinkStandup`]: the
//! standup's questions and times, never its participations, team, config or digest, so
//! nobody else's answers or any other data of the organization can be reached from it.

use super::standup_configs::Question;
use super::standups::{AnswerInput, Participation};
use super::types::StandupState;
use crate::error::ApiError;
use crate::service::answer_links as service;
use crate::service::standups::AnswerDraft;
use crate::state::{AppState, RequestMeta};
use async_graphql::{Context, ID, Object, Result, ResultExt, SimpleObject};
use chrono::{DateTime, Utc};
use schema_server::db::models;

/// What an answer link opens: one standup's questions and the holder's own
/// participation.
pub struct AnswerLink(service::AnswerLinkView);

#[Object]
impl AnswerLink {
    /// The standup, as far as the link may read it (its questions and times).
    async fn standup(&self) -> Result<AnswerLinkStandup> {
        AnswerLinkStandup::of(&self.0.view.standup)
    }

    /// The holder's own participation (their answers, or their skip).
    async fn participation(&self) -> Participation {
        self.0.view.clone().into()
    }

    /// Answers are accepted until then (the deadline, or the close, plus the late
    /// window); after it the link only shows what was answered.
    async fn accepts_answers_until(&self) -> DateTime<Utc> {
        self.0.accepts_answers_until
    }

    /// Minutes after the close during which late answers are still taken (0: none).
    async fn late_answers_minutes(&self) -> i32 {
        self.0.late_answers_minutes
    }
}

/// A standup as an answer link shows it: no participations, team, config or digest.
#[derive(SimpleObject, Clone, Debug)]
pub struct AnswerLinkStandup {
    pub id: ID,
    /// The config's name when the standup opened.
    pub name: String,
    pub scheduled_for: DateTime<Utc>,
    /// YYYY-MM-DD in the standup's time zone.
    pub local_date: String,
    /// IANA time zone of `localDate`.
    pub timezone: String,
    /// The deadline for on-time answers.
    pub closes_at: DateTime<Utc>,
    pub state: StandupState,
    pub closed_at: Option<DateTime<Utc>>,
    /// The questions as they were when it opened, in order.
    pub questions: Vec<Question>,
}

impl AnswerLinkStandup {
    fn of(s: &models::Standup) -> Result<Self> {
        let questions = s
            .questions()
            .map_err(|e| ApiError::internal(anyhow::anyhow!("stored questions: {e}")))
            .extend()?;
        Ok(Self {
            id: ID(s.id.to_string()),
            name: s.name.clone(),
            scheduled_for: s.scheduled_for,
            local_date: s.local_date.format("%Y-%m-%d").to_string(),
            timezone: s.timezone.clone(),
            closes_at: s.closes_at,
            state: s.state.into(),
            closed_at: s.closed_at,
            questions: questions.into_iter().map(Into::into).collect(),
        })
    }
}

#[derive(Default)]
pub struct AnswerLinksQuery;

#[Object]
impl AnswerLinksQuery {
    /// What the answer link of an e-mail opens (no sign-in; the token is the proof).
    /// NOT_FOUND for a token that is not valid.
    async fn answer_link(
        &self,
        ctx: &Context<'_>,
        #[graphql(secret)] token: String,
    ) -> Result<Option<AnswerLink>> {
        let (state, meta) = (ctx.data::<AppState>()?, ctx.data::<RequestMeta>()?);
        Ok(Some(AnswerLink(
            service::open(state, meta, &token).await.extend()?,
        )))
    }
}

#[derive(Default)]
pub struct AnswerLinksMutation;

#[Object]
impl AnswerLinksMutation {
    /// Submits, or edits, the answers of the link's holder while the standup takes
    /// answers (the same rules as `submitAnswers`; after the close, within the late
    /// window, they are stored as late).
    async fn submit_answers_by_link(
        &self,
        ctx: &Context<'_>,
        #[graphql(secret)] token: String,
        answers: Vec<AnswerInput>,
    ) -> Result<Participation> {
        let (state, meta) = (ctx.data::<AppState>()?, ctx.data::<RequestMeta>()?);
        let drafts = answers.into_iter().map(AnswerDraft::from).collect();
        Ok(service::submit(state, meta, &token, drafts)
            .await
            .extend()?
            .into())
    }

    /// Skips for the link's holder, optionally saying why (as `skipStandup`).
    async fn skip_by_link(
        &self,
        ctx: &Context<'_>,
        #[graphql(secret)] token: String,
        reason: Option<String>,
    ) -> Result<Participation> {
        let (state, meta) = (ctx.data::<AppState>()?, ctx.data::<RequestMeta>()?);
        Ok(service::skip(state, meta, &token, reason)
            .await
            .extend()?
            .into())
    }
}
