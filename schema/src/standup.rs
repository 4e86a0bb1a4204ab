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
/// The words of a MOOD answer's scale, for 1 to 5.
pub const MOOD_LABELS: [&str; 5] = ["Awful", "Low", "Okay", "Good", "Great"];
/// With an anonymous mood, the fewest people an aggregate is shown for.
pub const ANONYMOUS_MOOD_MIN_PEOPLE: i32 = 3;

/// A MOOD answer as one line of text (digests, the edit history): "4/5 Good", then the
/// comment when there is one. A mood outside 1-5 shows as its number.
pub fn mood_text(mood: i16, comment: &str) -> String {
    let label = usize::try_from(mood - 1)
        .ok()
        .and_then(|i| MOOD_LABELS.get(i))
        .copied()
        .unwrap_or_default();
    let comment = comment.trim();
    let head = format!("{mood}/5 {label}");
    let head = head.trim_end();
    if comment.is_empty() {
        head.to_owned()
    } else {
        format!("{head} \u{2014} {comment}")
    }
}

/// A run's moods as they may be shown: the average of `counts` (answers per mood, for 1
/// to 5) given by `people` people. `None` when nobody gave one, and for anonymous moods
/// when fewer than [`ANONYMOUS_MOOD_MIN_PEOPLE`] did: then no aggregate is shown at all.
pub fn shown_mood_average(people: i64, counts: &[i64; 5], anonymous: bool) -> Option<f64> {
    let answers: i64 = counts.iter().sum();
    if answers == 0 || (anonymous && people < i64::from(ANONYMOUS_MOOD_MIN_PEOPLE)) {
        return None;
    }
    let total: i64 = counts.iter().zip(1..).map(|(n, mood)| n * mood).sum();
    Some(total as f64 / answers as f64)
}

/// Characters of the reason given for skipping a standup.
pub const SKIP_REASON_MAX_CHARS: usize = 500;
/// Standups `myStandups` returns at most.
pub const MY_STANDUPS_LIMIT: i64 = 50;

#[cfg(test)]
mod mood_tests {
    use super::*;

    #[test]
    fn an_anonymous_mood_has_no_average_under_three_people() {
        assert_eq!(shown_mood_average(0, &[0; 5], false), None);
        assert_eq!(shown_mood_average(1, &[0, 0, 0, 1, 0], false), Some(4.0));
        assert_eq!(shown_mood_average(2, &[0, 0, 1, 1, 0], true), None);
        assert_eq!(
            shown_mood_average(3, &[1, 0, 1, 1, 0], true),
            Some(8.0 / 3.0)
        );
    }

    #[test]
    fn a_mood_reads_as_its_number_word_and_comment() {
        assert_eq!(mood_text(4, "  "), "4/5 Good");
        assert_eq!(mood_text(1, "long day"), "1/5 Awful \u{2014} long day");
        assert_eq!(mood_text(9, ""), "9/5");
    }
}
