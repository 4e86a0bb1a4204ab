//! Standup configs: when a team is asked which questions, where the answers go, and who
//! is asked.
//!
//! Rules: any active member reads configs; OWNER and ADMIN create, change (pause and
//! resume with `active`) and delete them. Every input is checked before anything is
//! written, every error names its field, and a refused change stores nothing (the whole
//! change is one transaction). `next_run_at` follows the shared schedule math and is
//! NULL while paused. The webhook secret is generated here and never returned; the
//! webhook URL (it may carry a token) is shown to OWNER and ADMIN only, members see its
//! host.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::service::audit;
use crate::service::teams::{require_admin, require_member};
use crate::state::{AppState, RequestMeta};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use schema::enums::{AskAt, DeliveryChannel, OrgRole, QuestionKind, Weekday};
use schema::ids::{OrganizationId, QuestionId, StandupConfigId, TeamId, UserId};
use schema::schedule::Schedule;
use schema::standup::{MAX_CONFIGS_PER_TEAM, MAX_PARTICIPANTS, MAX_QUESTIONS, Question};
use schema::validation::{self, ValidationError};
use schema_server::db::local_time::{self, LocalSettings};
use schema_server::db::models::{StandupConfig, StandupConfigValues, User};
use schema_server::db::{AsyncPgConnection, answer_links, mood, slack, standup_configs, teams};
use schema_server::webhook::{generate_secret, secret_context};
use serde_json::json;
use std::collections::{HashMap, HashSet};

/// `nextRuns(count)`: 5 unless asked, at most 50.
pub const DEFAULT_NEXT_RUNS: i32 = 5;
pub const MAX_NEXT_RUNS: i32 = 50;

/// A question as the client sends it; `id` keeps an existing question's id.
#[derive(Clone, Debug)]
pub struct QuestionInput {
    pub id: Option<String>,
    pub prompt: String,
    pub kind: QuestionKind,
    pub required: bool,
}

/// The channel a config's SLACK_CHANNEL delivery posts the digest to, as the client
/// sends it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlackChannelDraft {
    pub id: String,
    pub name: String,
}

/// What `createStandupConfig` takes. `timezone: None` takes the team's.
#[derive(Clone, Debug)]
pub struct NewConfigInput {
    pub team: TeamId,
    pub name: String,
    pub questions: Vec<QuestionInput>,
    pub weekdays: Vec<Weekday>,
    pub time_of_day: String,
    pub timezone: Option<String>,
    pub response_window_minutes: i32,
    pub reminder_minutes_before: i32,
    pub delivery: Vec<DeliveryChannel>,
    pub webhook_url: Option<String>,
    /// Required with SLACK_CHANNEL delivery.
    pub slack_channel: Option<SlackChannelDraft>,
    pub participant_ids: Vec<String>,
    /// Everyone in the team, now and later; when left out, true without `participant_ids`.
    pub everyone: Option<bool>,
    pub active: bool,
    pub close_when_all_answered: bool,
    /// Minutes after the close during which answers are still taken (0 = off).
    pub late_answers_minutes: i32,
    /// Moods shown only as aggregates over 3 or more people.
    pub anonymous_mood: bool,
    pub local: LocalInput,
}

/// What `updateStandupConfig` changes; `None` keeps the current value.
#[derive(Clone, Debug, Default)]
pub struct ConfigChanges {
    pub name: Option<String>,
    pub questions: Option<Vec<QuestionInput>>,
    pub weekdays: Option<Vec<Weekday>>,
    pub time_of_day: Option<String>,
    pub timezone: Option<String>,
    pub response_window_minutes: Option<i32>,
    pub reminder_minutes_before: Option<i32>,
    pub delivery: Option<Vec<DeliveryChannel>>,
    /// `Some(None)` clears it.
    pub webhook_url: Option<Option<String>>,
    /// `Some(None)` clears it.
    pub slack_channel: Option<Option<SlackChannelDraft>>,
    pub participant_ids: Option<Vec<String>>,
    /// `Some(true)`: everyone in the team from now on; `Some(false)`: the chosen people.
    pub everyone: Option<bool>,
    pub active: Option<bool>,
    pub close_when_all_answered: Option<bool>,
    pub late_answers_minutes: Option<i32>,
    pub anonymous_mood: Option<bool>,
    pub local: LocalInput,
}

/// A complete config as the caller wants it, before the rules are checked.
struct Draft {
    name: String,
    questions: Vec<QuestionInput>,
    weekdays: Vec<Weekday>,
    time_of_day: String,
    timezone: String,
    response_window_minutes: i32,
    reminder_minutes_before: i32,
    delivery: Vec<DeliveryChannel>,
    webhook_url: Option<String>,
    slack_channel: Option<SlackChannelDraft>,
    participant_ids: Vec<String>,
    active: bool,
    close_when_all_answered: bool,
}

/// What the Slack rules of a draft depend on: whether the organization's Slack is
/// connected, and the channels the config delivered to before (none for a new one).
struct SlackContext<'a> {
    connected: bool,
    delivered_before: &'a [DeliveryChannel],
}

/// A draft that passed every rule.
struct Checked {
    values: StandupConfigValues,
    participants: Vec<UserId>,
    wants_webhook: bool,
    /// (id, name), with SLACK_CHANNEL delivery.
    slack_channel: Option<(String, String)>,
}

fn config_not_found() -> ApiError {
    ApiError::NotFound("standup config not found".into())
}

fn bad(field: &'static str, message: impl Into<String>) -> ApiError {
    ValidationError::new(field, message).into()
}

/// Checks the questions and gives each its id: the one the client sent when it names
/// a question of this config (`existing`), a new one otherwise.
fn check_questions(
    input: &[QuestionInput],
    existing: &HashSet<QuestionId>,
) -> ApiResult<Vec<Question>> {
    if input.is_empty() {
        return Err(bad("questions", "add at least one question"));
    }
    if input.len() > MAX_QUESTIONS {
        return Err(bad(
            "questions",
            format!("at most {MAX_QUESTIONS} questions"),
        ));
    }
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(input.len());
    for (index, q) in input.iter().enumerate() {
        let prompt = validation::validate_prompt(index, &q.prompt)?;
        let id = match q.id.as_deref() {
            None => QuestionId::new_random(),
            Some(raw) => {
                let id = raw
                    .parse::<QuestionId>()
                    .ok()
                    .filter(|id| existing.contains(id))
                    .ok_or_else(|| {
                        bad(
                            "questions",
                            format!(
                                "question {}: id is not a question of this config (leave it out for a new question)",
                                index + 1
                            ),
                        )
                    })?;
                if !seen.insert(id) {
                    return Err(bad(
                        "questions",
                        format!("question {}: id is used twice", index + 1),
                    ));
                }
                id
            }
        };
        out.push(Question {
            id,
            prompt,
            kind: q.kind,
            required: q.required,
        });
    }
    Ok(out)
}

fn check_delivery(delivery: &[DeliveryChannel]) -> ApiResult<Vec<DeliveryChannel>> {
    if delivery.is_empty() {
        return Err(bad("delivery", "choose at least one channel"));
    }
    let mut out: Vec<DeliveryChannel> = Vec::new();
    for channel in delivery {
        if !out.contains(channel) {
            out.push(*channel);
        }
    }
    Ok(out)
}

/// SLACK_DM and SLACK_CHANNEL need the organization's Slack connected when they are
/// added (a config that already delivers there keeps its other fields editable after a
/// disconnect; its deliveries then fall back to e-mail). SLACK_CHANNEL needs a channel.
fn check_slack(
    delivery: &[DeliveryChannel],
    channel: Option<&SlackChannelDraft>,
    slack: &SlackContext<'_>,
) -> ApiResult<Option<(String, String)>> {
    for wanted in [DeliveryChannel::SlackDm, DeliveryChannel::SlackChannel] {
        if delivery.contains(&wanted)
            && !slack.delivered_before.contains(&wanted)
            && !slack.connected
        {
            return Err(bad(
                "delivery",
                format!(
                    "{wanted} needs Slack connected: an owner or admin connects it in Settings → Integrations"
                ),
            ));
        }
    }
    if !delivery.contains(&DeliveryChannel::SlackChannel) {
        // Without SLACK_CHANNEL delivery there is nothing to post to.
        return Ok(None);
    }
    let channel = channel.ok_or_else(|| {
        bad(
            "slackChannel",
            "is required for SLACK_CHANNEL delivery: pick the channel the digest is posted to",
        )
    })?;
    Ok(Some(validation::validate_slack_channel(
        &channel.id,
        &channel.name,
    )?))
}

/// Checks every rule of a complete draft; the participants against `team_members`.
fn check(
    draft: Draft,
    existing_questions: &HashSet<QuestionId>,
    team_members: &HashSet<UserId>,
    slack: &SlackContext<'_>,
    now: DateTime<Utc>,
) -> ApiResult<Checked> {
    let name = validation::validate_label("name", &draft.name)?;
    let questions = check_questions(&draft.questions, existing_questions)?;
    let schedule = Schedule::new(&draft.weekdays, &draft.time_of_day, draft.timezone.trim())
        .map_err(ValidationError::from)?;
    validation::validate_response_window(draft.response_window_minutes)?;
    validation::validate_reminder(draft.reminder_minutes_before, draft.response_window_minutes)?;
    let delivery = check_delivery(&draft.delivery)?;
    let slack_channel = check_slack(&delivery, draft.slack_channel.as_ref(), slack)?;
    let wants_webhook = delivery.contains(&DeliveryChannel::Webhook);
    let webhook_url = if wants_webhook {
        let url = draft
            .webhook_url
            .as_deref()
            .ok_or_else(|| bad("webhookUrl", "is required for WEBHOOK delivery"))?;
        Some(validation::validate_webhook_url(url)?)
    } else {
        // Without WEBHOOK delivery there is nothing to call.
        None
    };
    let mut participants = Vec::new();
    for raw in &draft.participant_ids {
        let id = raw
            .parse::<UserId>()
            .map_err(|_| bad("participantIds", format!("'{raw}' is not a user id")))?;
        if !team_members.contains(&id) {
            return Err(bad(
                "participantIds",
                format!("{id} is not a member of this team; add them to the team first"),
            ));
        }
        if !participants.contains(&id) {
            participants.push(id);
        }
    }
    if participants.len() > MAX_PARTICIPANTS {
        return Err(bad(
            "participantIds",
            format!("at most {MAX_PARTICIPANTS} participants"),
        ));
    }
    let questions = serde_json::to_value(&questions).map_err(ApiError::internal)?;
    Ok(Checked {
        values: StandupConfigValues {
            name,
            questions,
            weekdays: schedule.weekdays(),
            time_of_day: draft.time_of_day,
            timezone: schedule.timezone().name().to_string(),
            response_window_minutes: draft.response_window_minutes,
            reminder_minutes_before: draft.reminder_minutes_before,
            delivery,
            webhook_url,
            active: draft.active,
            close_when_all_answered: draft.close_when_all_answered,
            next_run_at: if draft.active {
                schedule.next_after(now)
            } else {
                None
            },
        },
        participants,
        wants_webhook,
        slack_channel,
    })
}

/// How long a rotated-out webhook secret keeps signing beside the new one, so receivers
/// can switch without refusing deliveries.
pub const PREVIOUS_WEBHOOK_SECRET_HOURS: i64 = 24;

/// A new webhook signing secret for config `id`: in the clear (shown once) and sealed
/// (stored).
fn new_webhook_secret(state: &AppState, id: StandupConfigId) -> ApiResult<(String, String)> {
    let secret = generate_secret();
    let sealed = state
        .secrets
        .seal(&secret, &secret_context(id))
        .map_err(ApiError::internal)?;
    Ok((secret, sealed))
}

/// A sealed new secret when `wanted` (a config with WEBHOOK delivery).
fn sealed_secret_if(
    state: &AppState,
    id: StandupConfigId,
    wanted: bool,
) -> ApiResult<Option<String>> {
    Ok(if wanted {
        Some(new_webhook_secret(state, id)?.1)
    } else {
        None
    })
}

/// What the audit log keeps of a config (never the webhook secret).
fn summary(
    values: &StandupConfigValues,
    participants: usize,
    slack_channel: Option<&(String, String)>,
) -> serde_json::Value {
    json!({
        "name": values.name,
        "questions": values.questions,
        "weekdays": values.weekdays,
        "timeOfDay": values.time_of_day,
        "timezone": values.timezone,
        "responseWindowMinutes": values.response_window_minutes,
        "reminderMinutesBefore": values.reminder_minutes_before,
        "delivery": values.delivery,
        "webhookUrl": values.webhook_url,
        "slackChannel": slack_channel.map(|(id, name)| json!({ "id": id, "name": name })),
        "active": values.active,
        "closeWhenAllAnswered": values.close_when_all_answered,
        "participants": participants,
    })
}

fn values_of(config: &StandupConfig) -> StandupConfigValues {
    StandupConfigValues {
        name: config.name.clone(),
        questions: config.questions.clone(),
        weekdays: config.weekdays.clone(),
        time_of_day: config.time_of_day.clone(),
        timezone: config.timezone.clone(),
        response_window_minutes: config.response_window_minutes,
        reminder_minutes_before: config.reminder_minutes_before,
        delivery: config.delivery.clone(),
        webhook_url: config.webhook_url.clone(),
        active: config.active,
        close_when_all_answered: config.close_when_all_answered,
        next_run_at: config.next_run_at,
    }
}

/// Whether `org` has Slack connected on this server (set up here, and a workspace
/// installed).
async fn slack_connected(
    state: &AppState,
    tx: &mut AsyncPgConnection,
    org: OrganizationId,
) -> ApiResult<bool> {
    Ok(state.settings.slack.is_some() && slack::find_workspace(tx, org).await?.is_some())
}

/// Config `id`'s Slack channel (id, name), if it has one.
async fn slack_channel_of(
    tx: &mut AsyncPgConnection,
    org: OrganizationId,
    id: StandupConfigId,
) -> ApiResult<Option<(String, String)>> {
    Ok(standup_configs::slack_channels(tx, org, &[id])
        .await?
        .into_iter()
        .next()
        .map(|(_, channel, name)| (channel, name)))
}

/// Stores the checked Slack channel of config `id` (none clears it).
async fn store_slack_channel(
    tx: &mut AsyncPgConnection,
    id: StandupConfigId,
    checked: &Checked,
) -> ApiResult<()> {
    let channel = checked
        .slack_channel
        .as_ref()
        .map(|(id, name)| (id.as_str(), name.as_str()));
    Ok(standup_configs::set_slack_channel(tx, id, channel).await?)
}

async fn team_member_set(
    tx: &mut AsyncPgConnection,
    org: OrganizationId,
    team: TeamId,
) -> ApiResult<HashSet<UserId>> {
    Ok(teams::member_ids(tx, org, team)
        .await?
        .into_iter()
        .collect())
}

/// Whether `role` may read a config's webhook URL: OWNER/ADMIN, who set it.
pub fn may_see_webhook_url(role: OrgRole) -> bool {
    role.is_admin()
}

/// One config of the organization. Any member.
#[tracing::instrument(skip_all)]
pub async fn get(
    state: &AppState,
    caller: &Caller,
    id: StandupConfigId,
) -> ApiResult<StandupConfig> {
    require_member(state, caller).await?;
    let mut conn = state.db().await?;
    standup_configs::find(&mut conn, caller.org, id)
        .await?
        .ok_or_else(config_not_found)
}

/// Creates a config for a team. OWNER/ADMIN; at most 20 per team.
#[tracing::instrument(skip_all)]
pub async fn create(
    state: &AppState,
    meta: &RequestMeta,
    caller: &Caller,
    input: NewConfigInput,
) -> ApiResult<StandupConfig> {
    require_admin(state, caller, "create standup configs").await?;
    validation::validate_late_answers(input.late_answers_minutes)?;
    let late = input.late_answers_minutes;
    let mut conn = state.db().await?;
    conn.transaction::<_, ApiError, _>(async |tx| {
        let team = teams::find_for_update(tx, caller.org, input.team)
            .await?
            .ok_or_else(|| ApiError::NotFoundIn {
                field: "teamId",
                message: "teamId: no team of this organization has this id".into(),
            })?;
        if standup_configs::count_for_team(tx, caller.org, team.id).await? >= MAX_CONFIGS_PER_TEAM {
            return Err(ApiError::Conflict {
                field: Some("teamId"),
                message: format!(
                    "teamId: a team can have at most {MAX_CONFIGS_PER_TEAM} standup configs; delete one first"
                ),
            });
        }
        let members = team_member_set(tx, caller.org, team.id).await?;
        let everyone = input
            .everyone
            .unwrap_or(input.participant_ids.is_empty());
        let draft = Draft {
            name: input.name,
            questions: input.questions,
            weekdays: input.weekdays,
            time_of_day: input.time_of_day,
            timezone: input.timezone.unwrap_or_else(|| team.timezone.clone()),
            response_window_minutes: input.response_window_minutes,
            reminder_minutes_before: input.reminder_minutes_before,
            delivery: input.delivery,
            webhook_url: input.webhook_url,
            slack_channel: input.slack_channel,
            participant_ids: if everyone {
                everyone_ids(&members)
            } else {
                input.participant_ids
            },
            active: input.active,
            close_when_all_answered: input.close_when_all_answered,
        };
        let slack = SlackContext {
            connected: slack_connected(state, tx, caller.org).await?,
            delivered_before: &[],
        };
        let checked = check(draft, &HashSet::new(), &members, &slack, Utc::now())?;
        let id = StandupConfigId::new_random();
        let secret = sealed_secret_if(state, id, checked.wants_webhook)?;
        let config = standup_configs::insert(
            tx,
            id,
            caller.org,
            team.id,
            &checked.values,
            secret.as_deref(),
        )
        .await?;
        standup_configs::set_participants(tx, caller.org, id, team.id, &checked.participants)
            .await?;
        standup_configs::set_everyone(tx, id, everyone).await?;
        store_slack_channel(tx, id, &checked).await?;
        answer_links::set_config_late_window(tx, id, late).await?;
        mood::set_config_anonymous(tx, id, input.anonymous_mood).await?;
        let local = store_local(tx, caller.org, id, None, input.local).await?;
        audit(
            tx,
            meta,
            Some(caller.org),
            Some(caller.user),
            "standup_config.created",
            Some(("standup_config", id.to_string())),
            json!({
                "teamId": team.id,
                "before": null,
                "after": summary(&checked.values, checked.participants.len(), checked.slack_channel.as_ref()),
                "lateAnswersMinutes": late,
                "anonymousMood": input.anonymous_mood,
                "local": local,
            }),
        )
        .await?;
        // The config as stored (a MEMBER_LOCAL_TIME one was re-planned).
        Ok(standup_configs::find(tx, caller.org, id)
            .await?
            .unwrap_or(config))
    })
    .await
}

/// Changes a config: any subset of its fields; `active: false` pauses it (no next run),
/// `active: true` resumes it from now. OWNER/ADMIN.
#[tracing::instrument(skip_all)]
pub async fn update(
    state: &AppState,
    meta: &RequestMeta,
    caller: &Caller,
    id: StandupConfigId,
    changes: ConfigChanges,
) -> ApiResult<StandupConfig> {
    require_admin(state, caller, "change standup configs").await?;
    if let Some(minutes) = changes.late_answers_minutes {
        validation::validate_late_answers(minutes)?;
    }
    let mut conn = state.db().await?;
    conn.transaction::<_, ApiError, _>(async |tx| {
        let before = standup_configs::find_for_update(tx, caller.org, id)
            .await?
            .ok_or_else(config_not_found)?;
        let current_questions = before.questions().map_err(ApiError::internal)?;
        let channel_before = slack_channel_of(tx, caller.org, id).await?;
        let members = team_member_set(tx, caller.org, before.team_id).await?;
        let everyone = match changes.everyone {
            Some(everyone) => everyone,
            None => !standup_configs::everyone_among(tx, caller.org, &[id])
                .await?
                .is_empty(),
        };
        let current_participants: Vec<UserId> =
            standup_configs::participants_of(tx, caller.org, &[id])
                .await?
                .into_iter()
                .map(|(_, user)| user.id)
                .collect();
        let draft = Draft {
            name: changes.name.unwrap_or_else(|| before.name.clone()),
            questions: changes.questions.unwrap_or_else(|| {
                current_questions
                    .iter()
                    .map(|q| QuestionInput {
                        id: Some(q.id.to_string()),
                        prompt: q.prompt.clone(),
                        kind: q.kind,
                        required: q.required,
                    })
                    .collect()
            }),
            weekdays: changes.weekdays.unwrap_or_else(|| before.weekdays.clone()),
            time_of_day: changes
                .time_of_day
                .unwrap_or_else(|| before.time_of_day.clone()),
            timezone: changes.timezone.unwrap_or_else(|| before.timezone.clone()),
            response_window_minutes: changes
                .response_window_minutes
                .unwrap_or(before.response_window_minutes),
            reminder_minutes_before: changes
                .reminder_minutes_before
                .unwrap_or(before.reminder_minutes_before),
            delivery: changes.delivery.unwrap_or_else(|| before.delivery.clone()),
            webhook_url: changes
                .webhook_url
                .unwrap_or_else(|| before.webhook_url.clone()),
            slack_channel: changes.slack_channel.unwrap_or_else(|| {
                channel_before
                    .clone()
                    .map(|(id, name)| SlackChannelDraft { id, name })
            }),
            participant_ids: if everyone {
                everyone_ids(&members)
            } else {
                changes.participant_ids.unwrap_or_else(|| {
                    current_participants.iter().map(|u| u.to_string()).collect()
                })
            },
            active: changes.active.unwrap_or(before.active),
            close_when_all_answered: changes
                .close_when_all_answered
                .unwrap_or(before.close_when_all_answered),
        };
        let existing: HashSet<QuestionId> = current_questions.iter().map(|q| q.id).collect();
        let slack = SlackContext {
            connected: slack_connected(state, tx, caller.org).await?,
            delivered_before: &before.delivery,
        };
        let checked = check(draft, &existing, &members, &slack, Utc::now())?;
        let secret = sealed_secret_if(state, id, checked.wants_webhook)?;
        let after =
            standup_configs::update(tx, caller.org, id, &checked.values, secret.as_deref()).await?;
        let local_before = local_time::settings_of(tx, caller.org, &[id]).await?;
        let local = store_local(tx, caller.org, id, local_before.first(), changes.local).await?;
        // The config as stored (a MEMBER_LOCAL_TIME one was re-planned).
        let after = standup_configs::find(tx, caller.org, id)
            .await?
            .unwrap_or(after);
        standup_configs::set_participants(
            tx,
            caller.org,
            id,
            before.team_id,
            &checked.participants,
        )
        .await?;
        standup_configs::set_everyone(tx, id, everyone).await?;
        store_slack_channel(tx, id, &checked).await?;
        let late_before = answer_links::config_late_window(tx, caller.org, id).await?;
        let late = changes.late_answers_minutes.unwrap_or(late_before);
        answer_links::set_config_late_window(tx, id, late).await?;
        let anonymous_before = mood::config_anonymous(tx, caller.org, id).await?;
        let anonymous = changes.anonymous_mood.unwrap_or(anonymous_before);
        mood::set_config_anonymous(tx, id, anonymous).await?;
        audit(
            tx,
            meta,
            Some(caller.org),
            Some(caller.user),
            "standup_config.updated",
            Some(("standup_config", id.to_string())),
            json!({
                "teamId": before.team_id,
                "lateAnswersMinutes": { "before": late_before, "after": late },
                "anonymousMood": { "before": anonymous_before, "after": anonymous },
                "before": summary(&values_of(&before), current_participants.len(), channel_before.as_ref()),
                "after": summary(&checked.values, checked.participants.len(), checked.slack_channel.as_ref()),
                "local": local,
            }),
        )
        .await?;
        Ok(after)
    })
    .await
}

/// Deletes a config (its participants with it). OWNER/ADMIN.
#[tracing::instrument(skip_all)]
pub async fn delete(
    state: &AppState,
    meta: &RequestMeta,
    caller: &Caller,
    id: StandupConfigId,
) -> ApiResult<()> {
    require_admin(state, caller, "delete standup configs").await?;
    let mut conn = state.db().await?;
    conn.transaction::<_, ApiError, _>(async |tx| {
        let before = standup_configs::find_for_update(tx, caller.org, id)
            .await?
            .ok_or_else(config_not_found)?;
        let participants = standup_configs::participants_of(tx, caller.org, &[id])
            .await?
            .len();
        let channel = slack_channel_of(tx, caller.org, id).await?;
        standup_configs::delete(tx, caller.org, id).await?;
        audit(
            tx,
            meta,
            Some(caller.org),
            Some(caller.user),
            "standup_config.deleted",
            Some(("standup_config", id.to_string())),
            json!({
                "teamId": before.team_id,
                "before": summary(&values_of(&before), participants, channel.as_ref()),
                "after": null,
            }),
        )
        .await?;
        Ok(())
    })
    .await
}

/// A new webhook signing secret for config `id`, returned this once; the previous one
/// keeps signing beside it for [`PREVIOUS_WEBHOOK_SECRET_HOURS`]. OWNER/ADMIN; the config
/// must deliver to a webhook. Returns the secret, when the previous one stops signing
/// (none when there was none) and the config.
#[tracing::instrument(skip_all)]
pub async fn rotate_webhook_secret(
    state: &AppState,
    meta: &RequestMeta,
    caller: &Caller,
    id: StandupConfigId,
) -> ApiResult<(String, Option<DateTime<Utc>>, StandupConfig)> {
    require_admin(state, caller, "rotate webhook secrets").await?;
    let (secret, sealed) = new_webhook_secret(state, id)?;
    let mut conn = state.db().await?;
    conn.transaction::<_, ApiError, _>(async |tx| {
        let config = standup_configs::find_for_update(tx, caller.org, id)
            .await?
            .ok_or_else(config_not_found)?;
        if !config.delivery.contains(&DeliveryChannel::Webhook) {
            return Err(bad(
                "configId",
                "this config does not deliver to a webhook; add WEBHOOK to its delivery first",
            ));
        }
        let previous_until = standup_configs::rotate_webhook_secret(
            tx,
            id,
            &sealed,
            Utc::now() + chrono::Duration::hours(PREVIOUS_WEBHOOK_SECRET_HOURS),
        )
        .await?;
        audit(
            tx,
            meta,
            Some(caller.org),
            Some(caller.user),
            "standup_config.webhook_secret_rotated",
            Some(("standup_config", id.to_string())),
            json!({ "teamId": config.team_id, "previousValidUntil": previous_until }),
        )
        .await?;
        Ok((secret, previous_until, config))
    })
    .await
}

/// The next `count` runs of `config` from now (none while paused). Pure computation.
pub fn next_runs(config: &StandupConfig, count: Option<i32>) -> ApiResult<Vec<DateTime<Utc>>> {
    let count = count.unwrap_or(DEFAULT_NEXT_RUNS);
    if !(1..=MAX_NEXT_RUNS).contains(&count) {
        return Err(bad(
            "count",
            format!("must be between 1 and {MAX_NEXT_RUNS}"),
        ));
    }
    if !config.active {
        return Ok(Vec::new());
    }
    let schedule = Schedule::new(&config.weekdays, &config.time_of_day, &config.timezone)
        .map_err(|e| ApiError::internal(anyhow::anyhow!("stored schedule is invalid: {e}")))?;
    Ok(schedule.upcoming(Utc::now(), count as usize))
}

/// The configs of several teams in one statement, for the DataLoader.
pub async fn load_for_teams(
    state: &AppState,
    org: OrganizationId,
    teams: &[TeamId],
) -> ApiResult<HashMap<TeamId, Vec<StandupConfig>>> {
    let mut conn = state.db().await?;
    let mut out: HashMap<TeamId, Vec<StandupConfig>> =
        teams.iter().map(|id| (*id, Vec::new())).collect();
    for config in standup_configs::list_for_teams(&mut conn, org, teams).await? {
        out.entry(config.team_id).or_default().push(config);
    }
    Ok(out)
}

/// The participants of several configs in one statement, for the DataLoader.
pub async fn load_participants(
    state: &AppState,
    org: OrganizationId,
    configs: &[StandupConfigId],
) -> ApiResult<HashMap<StandupConfigId, Vec<User>>> {
    let mut conn = state.db().await?;
    let mut out: HashMap<StandupConfigId, Vec<User>> =
        configs.iter().map(|id| (*id, Vec::new())).collect();
    for (config, user) in standup_configs::participants_of(&mut conn, org, configs).await? {
        out.entry(config).or_default().push(user);
    }
    Ok(out)
}

/// The Slack channels (id, name) of several configs in one statement, for the
/// DataLoader.
pub async fn load_local_settings(
    state: &AppState,
    org: OrganizationId,
    configs: &[StandupConfigId],
) -> ApiResult<Vec<LocalSettings>> {
    let mut conn = state.db().await?;
    Ok(local_time::settings_of(&mut conn, org, configs).await?)
}

/// How a config asks, as the caller gives it: `askAt` and `digestTime` (HH:MM in the
/// config's zone; `Some(None)` clears it).
#[derive(Clone, Debug, Default)]
pub struct LocalInput {
    pub ask_at: Option<AskAt>,
    pub digest_time: Option<Option<String>>,
}

/// Checks and stores `input` over `before` (the stored settings; none for a new config)
/// in the caller's transaction. A MEMBER_LOCAL_TIME config is planned again by the
/// scheduler (it needs the participants' zones), so its next run is set to now.
async fn store_local(
    tx: &mut AsyncPgConnection,
    org: OrganizationId,
    id: StandupConfigId,
    before: Option<&LocalSettings>,
    input: LocalInput,
) -> ApiResult<serde_json::Value> {
    let ask_at = input
        .ask_at
        .or(before.map(|b| b.ask_at))
        .unwrap_or(AskAt::TeamTime);
    let digest_time = match input.digest_time {
        Some(value) => value,
        None => before.and_then(|b| b.digest_time.clone()),
    };
    if let Some(time) = digest_time.as_deref() {
        schema::schedule::parse_time_of_day(time)
            .map_err(|e| bad("digestTime", format!("digestTime: {e}")))?;
    }
    local_time::set_settings(tx, org, id, ask_at, digest_time.as_deref(), Utc::now()).await?;
    Ok(json!({ "askAt": ask_at, "digestTime": digest_time }))
}

pub async fn load_slack_channels(
    state: &AppState,
    org: OrganizationId,
    configs: &[StandupConfigId],
) -> ApiResult<Vec<(StandupConfigId, String, String)>> {
    let mut conn = state.db().await?;
    Ok(standup_configs::slack_channels(&mut conn, org, configs).await?)
}

/// Whether config `id`'s moods are anonymous (false when not found). Any member.
pub async fn anonymous_mood(
    state: &AppState,
    org: OrganizationId,
    id: StandupConfigId,
) -> ApiResult<bool> {
    let mut conn = state.db().await?;
    Ok(mood::config_anonymous(&mut conn, org, id).await?)
}

/// Config `id`'s late window, in minutes (0 = no late answers). Any member.
pub async fn late_answers_minutes(
    state: &AppState,
    org: OrganizationId,
    id: StandupConfigId,
) -> ApiResult<i32> {
    let mut conn = state.db().await?;
    Ok(answer_links::config_late_window(&mut conn, org, id).await?)
}

/// Every member of the team, as `participantIds` spell them (an "everyone" config).
fn everyone_ids(members: &HashSet<UserId>) -> Vec<String> {
    let mut ids: Vec<String> = members.iter().map(ToString::to_string).collect();
    ids.sort();
    ids
}

/// Whether config `id` of `org` asks everyone in its team.
pub async fn asks_everyone(
    state: &AppState,
    org: OrganizationId,
    id: StandupConfigId,
) -> ApiResult<bool> {
    let mut conn = state.db().await?;
    Ok(!standup_configs::everyone_among(&mut conn, org, &[id])
        .await?
        .is_empty())
}
