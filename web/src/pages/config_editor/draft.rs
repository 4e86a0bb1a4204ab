//! The form's state: a draft of a standup config, from a template or a saved config, and
//! the input the API takes (with the checks the browser can make first).

use schema::enums::{AskAt, DeliveryChannel, QuestionKind, Weekday};
use schema::ops::{
    ConfigTeam, QuestionInput, SlackChannel, SlackChannelInput, StandupConfig, StandupConfigInput,
};
use schema::templates::TEMPLATES;

use crate::hooks::FormErrors;

/// The fields of the form, as the API names them.
pub const FIELDS: &[&str] = &[
    "name",
    "questions",
    "weekdays",
    "timeOfDay",
    "timezone",
    "responseWindowMinutes",
    "reminderMinutesBefore",
    "digestTime",
    "delivery",
    "webhookUrl",
    "slackChannel",
    "participantIds",
];

/// One question being edited.
#[derive(Clone, Debug, PartialEq)]
pub struct QuestionDraft {
    /// The saved question's id; `None` for a new one.
    pub id: Option<String>,
    pub prompt: String,
    pub kind: QuestionKind,
    pub required: bool,
}

/// The whole form.
#[derive(Clone, Debug, PartialEq)]
pub struct Draft {
    pub name: String,
    pub questions: Vec<QuestionDraft>,
    pub weekdays: Vec<Weekday>,
    pub time_of_day: String,
    pub timezone: String,
    pub window: String,
    pub reminder: String,
    pub delivery: Vec<DeliveryChannel>,
    pub webhook_url: String,
    /// The channel the digest is posted to with SLACK_CHANNEL delivery.
    pub slack_channel: Option<SlackChannel>,
    pub participants: Vec<String>,
    /// Everyone in the team, also people added later.
    pub everyone: bool,
    pub active: bool,
    pub close_when_all_answered: bool,
    /// Moods shown only as aggregates over 3 or more people.
    pub anonymous_mood: bool,
    /// Ask each participant at the time of day in their own zone.
    pub member_local: bool,
    /// MEMBER_LOCAL_TIME: HH:MM in the config's zone, the latest close; empty: none.
    pub digest_time: String,
}

impl Draft {
    pub fn from_template(index: usize, team: &ConfigTeam) -> Self {
        let template = TEMPLATES.get(index).or(TEMPLATES.first());
        Self {
            name: template.map(|t| t.name.to_owned()).unwrap_or_default(),
            questions: template
                .map(|t| {
                    t.questions
                        .iter()
                        .map(|q| QuestionDraft {
                            id: None,
                            prompt: q.prompt.to_owned(),
                            kind: q.kind,
                            required: q.required,
                        })
                        .collect()
                })
                .unwrap_or_default(),
            weekdays: template.map(|t| t.weekdays.to_vec()).unwrap_or_default(),
            time_of_day: template
                .map(|t| t.time_of_day.to_owned())
                .unwrap_or_else(|| "09:00".to_owned()),
            timezone: team.timezone.clone(),
            window: template
                .map(|t| t.response_window_minutes.to_string())
                .unwrap_or_else(|| "240".to_owned()),
            reminder: template
                .map(|t| t.reminder_minutes_before.to_string())
                .unwrap_or_else(|| "0".to_owned()),
            delivery: vec![DeliveryChannel::Web, DeliveryChannel::Email],
            webhook_url: String::new(),
            slack_channel: None,
            participants: team.members.iter().map(|m| m.user.id.to_string()).collect(),
            everyone: true,
            active: true,
            close_when_all_answered: false,
            anonymous_mood: false,
            member_local: false,
            digest_time: String::new(),
        }
    }

    pub fn from_config(config: &StandupConfig) -> Self {
        Self {
            name: config.name.clone(),
            questions: config
                .questions
                .iter()
                .map(|q| QuestionDraft {
                    id: Some(q.id.clone()),
                    prompt: q.prompt.clone(),
                    kind: q.kind,
                    required: q.required,
                })
                .collect(),
            weekdays: config.weekdays.clone(),
            time_of_day: config.time_of_day.clone(),
            timezone: config.timezone.clone(),
            window: config.response_window_minutes.to_string(),
            reminder: config.reminder_minutes_before.to_string(),
            delivery: config.delivery.clone(),
            webhook_url: config.webhook_url.clone().unwrap_or_default(),
            slack_channel: config.slack_channel.clone(),
            participants: config
                .participants
                .iter()
                .map(|p| p.id.to_string())
                .collect(),
            everyone: config.everyone,
            active: config.active,
            close_when_all_answered: config.close_when_all_answered,
            anonymous_mood: config.anonymous_mood,
            member_local: config.ask_at == Some(AskAt::MemberLocalTime),
            digest_time: config.digest_time.clone().unwrap_or_default(),
        }
    }

    /// The input the API takes, or the field errors the browser can tell already.
    pub fn to_input(&self, team_id: Option<String>) -> Result<StandupConfigInput, FormErrors> {
        use schema::validation::ValidationError as E;
        let window = self.window.trim().parse::<i32>().ok();
        let reminder = self.reminder.trim().parse::<i32>().ok();
        let schedule = schema::schedule::check_schedule(
            &self.weekdays,
            self.time_of_day.trim(),
            self.timezone.trim(),
        );
        let errors = FormErrors::from_checks([
            self.name
                .trim()
                .is_empty()
                .then(|| E::new("name", "enter a name")),
            self.questions
                .is_empty()
                .then(|| E::new("questions", "add at least one question")),
            self.questions
                .iter()
                .any(|q| q.prompt.trim().is_empty())
                .then(|| E::new("questions", "every question needs its text")),
            schedule.err().map(E::from),
            window.is_none_or(|w| !(15..=10080).contains(&w)).then(|| {
                E::new(
                    "responseWindowMinutes",
                    "between 15 and 10080 minutes (7 days)",
                )
            }),
            reminder
                .is_none_or(|r| r < 0 || window.is_some_and(|w| r != 0 && r >= w))
                .then(|| {
                    E::new(
                        "reminderMinutesBefore",
                        "0 for none, or less than the window",
                    )
                }),
            self.delivery
                .is_empty()
                .then(|| E::new("delivery", "choose at least one channel")),
            (self.delivery.contains(&DeliveryChannel::Webhook)
                && !(self.webhook_url.starts_with("https://")
                    || self.webhook_url.starts_with("http://")))
            .then(|| E::new("webhookUrl", "enter an http(s) URL")),
            (self.delivery.contains(&DeliveryChannel::SlackChannel)
                && self.slack_channel.is_none())
            .then(|| E::new("slackChannel", "pick the channel the digest goes to")),
            (self.member_local
                && !self.digest_time.trim().is_empty()
                && schema::schedule::parse_time_of_day(self.digest_time.trim()).is_err())
            .then(|| E::new("digestTime", "enter a time HH:MM, or leave it empty")),
        ]);
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(StandupConfigInput {
            team_id,
            name: self.name.trim().to_owned(),
            questions: self
                .questions
                .iter()
                .map(|q| QuestionInput {
                    id: q.id.clone(),
                    prompt: q.prompt.trim().to_owned(),
                    kind: q.kind,
                    required: q.required,
                })
                .collect(),
            weekdays: self.weekdays.clone(),
            time_of_day: self.time_of_day.trim().to_owned(),
            timezone: self.timezone.trim().to_owned(),
            response_window_minutes: window.unwrap_or_default(),
            reminder_minutes_before: reminder.unwrap_or_default(),
            delivery: self.delivery.clone(),
            webhook_url: self
                .delivery
                .contains(&DeliveryChannel::Webhook)
                .then(|| self.webhook_url.trim().to_owned()),
            slack_channel: self
                .slack_channel
                .as_ref()
                .filter(|_| self.delivery.contains(&DeliveryChannel::SlackChannel))
                .map(|c| SlackChannelInput {
                    id: c.id.clone(),
                    name: c.name.clone(),
                }),
            participant_ids: self
                .participants
                .iter()
                .filter_map(|p| p.parse().ok())
                .collect(),
            everyone: self.everyone,
            active: self.active,
            close_when_all_answered: self.close_when_all_answered,
            anonymous_mood: self.anonymous_mood,
            ask_at: if self.member_local {
                AskAt::MemberLocalTime
            } else {
                AskAt::TeamTime
            },
            digest_time: Some(self.digest_time.trim())
                .filter(|t| self.member_local && !t.is_empty())
                .map(str::to_owned),
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn draft() -> Draft {
        let team = ConfigTeam {
            id: "t1".into(),
            name: "Core".into(),
            timezone: "Europe/Berlin".into(),
            members: vec![],
        };
        Draft::from_template(0, &team)
    }

    fn digest() -> SlackChannel {
        SlackChannel {
            id: "C0DIGEST".into(),
            name: "standups".into(),
            is_private: false,
        }
    }

    #[test]
    fn slack_channel_delivery_needs_a_picked_channel() {
        let mut d = draft();
        d.delivery = vec![DeliveryChannel::SlackDm, DeliveryChannel::SlackChannel];
        let errors = d.to_input(None).unwrap_err();
        assert!(errors.field("slackChannel").is_some());
        assert!(errors.field("delivery").is_none());

        d.slack_channel = Some(digest());
        let input = d.to_input(None).unwrap();
        assert_eq!(
            input.slack_channel,
            Some(SlackChannelInput {
                id: "C0DIGEST".into(),
                name: "standups".into()
            })
        );
        assert_eq!(input.delivery, d.delivery);
    }

    #[test]
    fn a_picked_channel_is_not_sent_without_slack_channel_delivery() {
        let mut d = draft();
        d.slack_channel = Some(digest());
        d.delivery = vec![DeliveryChannel::Web];
        assert_eq!(d.to_input(None).unwrap().slack_channel, None);
    }
}
