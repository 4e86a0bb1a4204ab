//! Standup configs as the API, the worker and the web UI share them: the stored question
//! shape and the limits every config obeys. Wasm-safe.

use crate::enums::QuestionKind;
use crate::ids::QuestionId;
use serde::{Deserialize, Serialize};

/// One question of a standup config, as stored in `standup_configs.questions` (jsonb).
/// The id stays the same across edits, so answers keep pointing at their question.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub id: QuestionId,
    pub prompt: String,
    pub kind: QuestionKind,
    pub required: bool,
}

/// Teams one organization may have.
pub const MAX_TEAMS_PER_ORGANIZATION: i64 = 200;
/// Standup configs one team may have.
pub const MAX_CONFIGS_PER_TEAM: i64 = 20;
/// Questions per config.
pub const MAX_QUESTIONS: usize = 20;
/// Characters per question prompt.
pub const PROMPT_MAX_CHARS: usize = 500;
/// Characters of a team's description.
pub const DESCRIPTION_MAX_CHARS: usize = 1000;
/// People asked by one config.
pub const MAX_PARTICIPANTS: usize = 500;
/// The shortest and longest time a standup stays open (15 minutes to 7 days).
pub const RESPONSE_WINDOW_MINUTES: std::ops::RangeInclusive<i32> = 15..=10080;
/// Characters of a webhook URL.
pub const WEBHOOK_URL_MAX_CHARS: usize = 2000;
/// Characters of one answer.
pub const ANSWER_MAX_CHARS: usize = 5000;
/// Characters of the reason given for skipping a standup.
pub const SKIP_REASON_MAX_CHARS: usize = 500;
/// Standups `myStandups` returns at most.
pub const MY_STANDUPS_LIMIT: i64 = 50;
