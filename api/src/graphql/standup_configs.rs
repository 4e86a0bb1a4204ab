use super::loaders::{
    LocalSettingsOf, ParticipantsOf, RequestLoader, RoleOf, SlackChannelOf, TeamById,
};
use super::slack::{SlackChannel, SlackChannelInput};
use super::teams::Team;
use super::types::{AskAt, DeliveryChannel, QuestionKind, User, Weekday};
use crate::auth::AuthState;
use crate::error::ApiError;
use crate::service::organization::require_caller;
use crate::service::standup_configs as service;
use crate::state::{AppState, RequestMeta};
use async_graphql::{
    Context, ID, InputObject, MaybeUndefined, Object, Result, ResultExt, SimpleObject,
};
use chrono::{DateTime, Utc};
use schema::ids::{StandupConfigId, TeamId};
use schema_server::db::models;

/// When a team is asked which questions, where the answers go, and who is asked.
pub struct StandupConfig(pub models::StandupConfig);

#[Object]
impl StandupConfig {
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

    async fn name(&self) -> &str {
        &self.0.name
    }

    /// In the order they are asked; ids stay the same across edits.
    async fn questions(&self) -> Result<Vec<Question>> {
        let questions = self
            .0
            .questions()
            .map_err(|e| ApiError::internal(anyhow::anyhow!("stored questions: {e}")))
            .extend()?;
        Ok(questions.into_iter().map(Into::into).collect())
    }

    async fn weekdays(&self) -> Vec<Weekday> {
        self.0.weekdays.iter().copied().map(Into::into).collect()
    }

    /// Local time HH:MM in `timezone`.
    async fn time_of_day(&self) -> &str {
        &self.0.time_of_day
    }

    /// IANA time zone.
    async fn timezone(&self) -> &str {
        &self.0.timezone
    }

    /// How long a standup stays open for answers.
    async fn response_window_minutes(&self) -> i32 {
        self.0.response_window_minutes
    }

    /// Minutes before the deadline to remind those who have not answered; 0: none.
    async fn reminder_minutes_before(&self) -> i32 {
        self.0.reminder_minutes_before
    }

    async fn delivery(&self) -> Vec<DeliveryChannel> {
        self.0.delivery.iter().copied().map(Into::into).collect()
    }

    /// Where WEBHOOK delivery posts (signed with a server-side secret that is never
    /// shown). OWNER/ADMIN only, since the URL may carry a token: null for members (they
    /// see `webhookHost`).
    async fn webhook_url(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        let Some(url) = self.0.webhook_url.as_deref() else {
            return Ok(None);
        };
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let role = ctx
            .data::<RequestLoader>()?
            .load_one(RoleOf(*caller))
            .await
            .extend()?
            .ok_or_else(ApiError::unauthenticated)
            .extend()?;
        Ok(service::may_see_webhook_url(role).then_some(url))
    }

    /// The host WEBHOOK delivery posts to, without the rest of the URL; any member.
    async fn webhook_host(&self) -> Option<String> {
        self.0
            .webhook_url
            .as_deref()
            .and_then(schema::validation::webhook_host)
    }

    /// The channel SLACK_CHANNEL delivery posts the digest to; null without one. The
    /// config keeps the id and name it was given, so `isPrivate` is true here only for
    /// `G…` ids (`slackChannels` has Slack's own flag).
    async fn slack_channel(&self, ctx: &Context<'_>) -> Result<Option<SlackChannel>> {
        let loader = ctx.data::<RequestLoader>()?;
        Ok(loader
            .load_one(SlackChannelOf(self.0.org_id, self.0.id))
            .await
            .extend()?
            .map(|(id, name)| SlackChannel {
                is_private: id.starts_with('G'),
                id,
                name,
            }))
    }

    /// Whether everyone is asked at the team's time or each participant at
    /// `timeOfDay` in their own zone.
    async fn ask_at(&self, ctx: &Context<'_>) -> Result<AskAt> {
        Ok(self
            .local(ctx)
            .await?
            .map_or(AskAt::TeamTime, |s| s.ask_at.into()))
    }

    /// MEMBER_LOCAL_TIME: HH:MM in the config's zone at which the standup closes and
    /// the digest goes out at the latest (otherwise when the last participant's window
    /// ends). Null when not set.
    async fn digest_time(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        Ok(self.local(ctx).await?.and_then(|s| s.digest_time))
    }

    /// False while paused.
    async fn active(&self) -> bool {
        self.0.active
    }

    /// Close the standup as soon as every participant has answered or skipped.
    async fn close_when_all_answered(&self) -> bool {
        self.0.close_when_all_answered
    }

    /// Minutes after the close during which answers are still taken, stored as late
    /// (0: none; at most 10080, 7 days).
    async fn late_answers_minutes(&self, ctx: &Context<'_>) -> Result<i32> {
        let state = ctx.data::<AppState>()?;
        service::late_answers_minutes(state, self.0.org_id, self.0.id)
            .await
            .extend()
    }

    /// Moods are shown only as aggregates over 3 or more people (runs keep the setting
    /// they opened with).
    async fn anonymous_mood(&self, ctx: &Context<'_>) -> Result<bool> {
        let state = ctx.data::<AppState>()?;
        service::anonymous_mood(state, self.0.org_id, self.0.id)
            .await
            .extend()
    }

    /// Everyone in the team is asked, also people added to the team later; false: only
    /// the chosen `participants`.
    async fn everyone(&self, ctx: &Context<'_>) -> Result<bool> {
        let state = ctx.data::<AppState>()?;
        service::asks_everyone(state, self.0.org_id, self.0.id)
            .await
            .extend()
    }

    /// The people asked, by name.
    async fn participants(&self, ctx: &Context<'_>) -> Result<Vec<User>> {
        let loader = ctx.data::<RequestLoader>()?;
        let users = loader
            .load_one(ParticipantsOf(self.0.org_id, self.0.id))
            .await
            .extend()?
            .unwrap_or_default();
        Ok(users.into_iter().map(Into::into).collect())
    }

    /// The next run; null while paused.
    async fn next_run_at(&self) -> Option<DateTime<Utc>> {
        self.0.next_run_at
    }

    /// The next `count` runs from now (default 5, 1 to 50); empty while paused.
    async fn next_runs(&self, count: Option<i32>) -> Result<Vec<DateTime<Utc>>> {
        service::next_runs(&self.0, count).extend()
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

impl StandupConfig {
    async fn local(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<schema_server::db::local_time::LocalSettings>> {
        let loader = ctx.data::<RequestLoader>()?;
        loader
            .load_one(LocalSettingsOf(self.0.org_id, self.0.id))
            .await
            .extend()
    }
}

#[derive(SimpleObject, Clone, Debug)]
pub struct Question {
    pub id: ID,
    pub prompt: String,
    pub kind: QuestionKind,
    pub required: bool,
}

impl From<schema::standup::Question> for Question {
    fn from(q: schema::standup::Question) -> Self {
        Self {
            id: ID(q.id.to_string()),
            prompt: q.prompt,
            kind: q.kind.into(),
            required: q.required,
        }
    }
}

/// A question of a config. On update, send an existing question's `id` to keep it (and
/// the answers pointing at it); leave `id` out for a new question.
#[derive(InputObject, Debug)]
pub struct QuestionInput {
    pub id: Option<ID>,
    /// 1 to 500 characters.
    pub prompt: String,
    #[graphql(default_with = "QuestionKind::Text")]
    pub kind: QuestionKind,
    #[graphql(default = true)]
    pub required: bool,
}

impl From<QuestionInput> for service::QuestionInput {
    fn from(q: QuestionInput) -> Self {
        Self {
            id: q.id.map(|id| id.0),
            prompt: q.prompt,
            kind: q.kind.into(),
            required: q.required,
        }
    }
}

#[derive(InputObject, Debug)]
pub struct CreateStandupConfigInput {
    pub team_id: ID,
    /// 1 to 100 characters.
    pub name: String,
    /// 1 to 20 questions.
    pub questions: Vec<QuestionInput>,
    /// At least one day.
    pub weekdays: Vec<Weekday>,
    /// Local time HH:MM.
    pub time_of_day: String,
    /// IANA time zone; the team's when left out.
    pub timezone: Option<String>,
    /// 15 to 10080 (7 days).
    pub response_window_minutes: i32,
    /// 0 (no reminder) or less than the response window.
    #[graphql(default)]
    pub reminder_minutes_before: i32,
    /// At least one channel; SLACK_DM and SLACK_CHANNEL need the organization's Slack
    /// connected.
    pub delivery: Vec<DeliveryChannel>,
    /// Required with WEBHOOK delivery: an http(s) URL of at most 2000 characters.
    pub webhook_url: Option<String>,
    /// Required with SLACK_CHANNEL delivery: the digest's channel, from `slackChannels`.
    pub slack_channel: Option<SlackChannelInput>,
    /// Members of the team, at most 500.
    #[graphql(default)]
    pub participant_ids: Vec<ID>,
    #[graphql(default = true)]
    pub active: bool,
    #[graphql(default)]
    pub close_when_all_answered: bool,
    /// Ask everyone in the team, also people added later (their `participantIds` are
    /// then the whole team). Default: true when `participantIds` is empty.
    pub everyone: Option<bool>,
    /// 0 (no late answers, the default) to 10080 (7 days) minutes after the close.
    #[graphql(default)]
    pub late_answers_minutes: i32,
    /// Show moods only as aggregates over 3 or more people (default false).
    #[graphql(default)]
    pub anonymous_mood: bool,
    /// TEAM_TIME when left out.
    pub ask_at: Option<AskAt>,
    /// MEMBER_LOCAL_TIME: HH:MM in the config's zone, the latest close (and digest).
    pub digest_time: Option<String>,
}

/// Fields left out keep their value. `active: false` pauses, `active: true` resumes.
/// `questions` and `participantIds` replace the whole list.
#[derive(InputObject, Debug)]
pub struct UpdateStandupConfigInput {
    pub name: Option<String>,
    pub questions: Option<Vec<QuestionInput>>,
    pub weekdays: Option<Vec<Weekday>>,
    pub time_of_day: Option<String>,
    pub timezone: Option<String>,
    pub response_window_minutes: Option<i32>,
    pub reminder_minutes_before: Option<i32>,
    pub delivery: Option<Vec<DeliveryChannel>>,
    pub webhook_url: MaybeUndefined<String>,
    /// Null clears it.
    pub slack_channel: MaybeUndefined<SlackChannelInput>,
    pub participant_ids: Option<Vec<ID>>,
    pub active: Option<bool>,
    pub close_when_all_answered: Option<bool>,
    /// true: everyone in the team from now on (`participantIds` is ignored); false: the
    /// chosen `participantIds` (today's participants when left out).
    pub everyone: Option<bool>,
    pub late_answers_minutes: Option<i32>,
    /// Applies to the runs opened from now on.
    pub anonymous_mood: Option<bool>,
    pub ask_at: Option<AskAt>,
    /// Null clears it.
    pub digest_time: MaybeUndefined<String>,
}

/// A webhook signing secret, shown once: receivers verify the
/// `X-AsyncStand-Signature` header with it (see the GraphQL guide).
#[derive(SimpleObject)]
pub struct WebhookSecret {
    /// `whsec_` and 64 hex digits. Keep it with the receiver; it is not shown again.
    pub secret: String,
    /// Until when deliveries are also signed with the secret this one replaced (null when
    /// there was none).
    pub previous_valid_until: Option<DateTime<Utc>>,
    pub config: StandupConfig,
}

/// A ready-made config to start from (`templates`).
#[derive(SimpleObject, Clone, Debug)]
pub struct StandupTemplate {
    /// Stable key: `classic`, `blockers-first`, `weekly-check-in`.
    pub id: ID,
    pub name: String,
    pub description: String,
    pub questions: Vec<TemplateQuestion>,
    pub weekdays: Vec<Weekday>,
    pub time_of_day: String,
    pub response_window_minutes: i32,
    pub reminder_minutes_before: i32,
}

#[derive(SimpleObject, Clone, Debug)]
pub struct TemplateQuestion {
    pub prompt: String,
    pub kind: QuestionKind,
    pub required: bool,
}

impl From<&schema::templates::Template> for StandupTemplate {
    fn from(t: &schema::templates::Template) -> Self {
        Self {
            id: ID(t.id.to_string()),
            name: t.name.to_string(),
            description: t.description.to_string(),
            questions: t
                .questions
                .iter()
                .map(|q| TemplateQuestion {
                    prompt: q.prompt.to_string(),
                    kind: q.kind.into(),
                    required: q.required,
                })
                .collect(),
            weekdays: t.weekdays.iter().copied().map(Into::into).collect(),
            time_of_day: t.time_of_day.to_string(),
            response_window_minutes: t.response_window_minutes,
            reminder_minutes_before: t.reminder_minutes_before,
        }
    }
}

fn config_id(id: &ID) -> Result<StandupConfigId> {
    id.parse::<StandupConfigId>()
        .map_err(|_| ApiError::NotFound("standup config not found".into()))
        .extend()
}

fn ids(list: Vec<ID>) -> Vec<String> {
    list.into_iter().map(|id| id.0).collect()
}

#[derive(Default)]
pub struct StandupConfigsQuery;

#[Object]
impl StandupConfigsQuery {
    /// One standup config of the current organization (NOT_FOUND for any other id).
    /// Any member.
    async fn standup_config(&self, ctx: &Context<'_>, id: ID) -> Result<Option<StandupConfig>> {
        let state = ctx.data::<AppState>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let id = config_id(&id)?;
        Ok(Some(StandupConfig(
            service::get(state, caller, id).await.extend()?,
        )))
    }

    /// Ready-made configs to start from (static; no sign-in needed).
    async fn templates(&self) -> Vec<StandupTemplate> {
        schema::templates::TEMPLATES
            .iter()
            .map(Into::into)
            .collect()
    }
}

#[derive(Default)]
pub struct StandupConfigsMutation;

#[Object]
impl StandupConfigsMutation {
    /// Creates a standup config for a team. OWNER/ADMIN.
    async fn create_standup_config(
        &self,
        ctx: &Context<'_>,
        input: CreateStandupConfigInput,
    ) -> Result<StandupConfig> {
        let state = ctx.data::<AppState>()?;
        let meta = ctx.data::<RequestMeta>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let team = input
            .team_id
            .parse::<TeamId>()
            .map_err(|_| ApiError::NotFoundIn {
                field: "teamId",
                message: "teamId: no team of this organization has this id".into(),
            })
            .extend()?;
        let input = service::NewConfigInput {
            team,
            name: input.name,
            questions: input.questions.into_iter().map(Into::into).collect(),
            weekdays: input.weekdays.into_iter().map(Into::into).collect(),
            time_of_day: input.time_of_day,
            timezone: input.timezone,
            response_window_minutes: input.response_window_minutes,
            reminder_minutes_before: input.reminder_minutes_before,
            delivery: input.delivery.into_iter().map(Into::into).collect(),
            webhook_url: input.webhook_url,
            slack_channel: input.slack_channel.map(Into::into),
            participant_ids: ids(input.participant_ids),
            active: input.active,
            close_when_all_answered: input.close_when_all_answered,
            everyone: input.everyone,
            late_answers_minutes: input.late_answers_minutes,
            anonymous_mood: input.anonymous_mood,
            local: service::LocalInput {
                ask_at: input.ask_at.map(Into::into),
                digest_time: Some(input.digest_time),
            },
        };
        Ok(StandupConfig(
            service::create(state, meta, caller, input).await.extend()?,
        ))
    }

    /// Changes a standup config; pause and resume with `active`. OWNER/ADMIN.
    async fn update_standup_config(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateStandupConfigInput,
    ) -> Result<StandupConfig> {
        let state = ctx.data::<AppState>()?;
        let meta = ctx.data::<RequestMeta>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let id = config_id(&id)?;
        let changes = service::ConfigChanges {
            name: input.name,
            questions: input
                .questions
                .map(|qs| qs.into_iter().map(Into::into).collect()),
            weekdays: input
                .weekdays
                .map(|ds| ds.into_iter().map(Into::into).collect()),
            time_of_day: input.time_of_day,
            timezone: input.timezone,
            response_window_minutes: input.response_window_minutes,
            reminder_minutes_before: input.reminder_minutes_before,
            delivery: input
                .delivery
                .map(|cs| cs.into_iter().map(Into::into).collect()),
            webhook_url: match input.webhook_url {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(url) => Some(Some(url)),
            },
            slack_channel: match input.slack_channel {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(channel) => Some(Some(channel.into())),
            },
            participant_ids: input.participant_ids.map(ids),
            active: input.active,
            close_when_all_answered: input.close_when_all_answered,
            everyone: input.everyone,
            late_answers_minutes: input.late_answers_minutes,
            anonymous_mood: input.anonymous_mood,
            local: service::LocalInput {
                ask_at: input.ask_at.map(Into::into),
                digest_time: match input.digest_time {
                    MaybeUndefined::Undefined => None,
                    MaybeUndefined::Null => Some(None),
                    MaybeUndefined::Value(time) => Some(Some(time)),
                },
            },
        };
        Ok(StandupConfig(
            service::update(state, meta, caller, id, changes)
                .await
                .extend()?,
        ))
    }

    /// A new signing secret for a config's WEBHOOK delivery, returned this once (store it
    /// with the receiver; it is never shown again). The previous secret keeps signing
    /// beside it until `previousValidUntil`, so a receiver can switch without refusing a
    /// delivery. OWNER/ADMIN.
    async fn rotate_webhook_secret(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "configId")] config: ID,
    ) -> Result<WebhookSecret> {
        let state = ctx.data::<AppState>()?;
        let meta = ctx.data::<RequestMeta>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let id = config_id(&config)?;
        let (secret, previous_valid_until, config) =
            service::rotate_webhook_secret(state, meta, caller, id)
                .await
                .extend()?;
        Ok(WebhookSecret {
            secret,
            previous_valid_until,
            config: StandupConfig(config),
        })
    }

    /// Deletes a standup config. OWNER/ADMIN.
    async fn delete_standup_config(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        let state = ctx.data::<AppState>()?;
        let meta = ctx.data::<RequestMeta>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let id = config_id(&id)?;
        service::delete(state, meta, caller, id).await.extend()?;
        Ok(true)
    }
}
