//! Ready-made standup configs a team can start from. Static data, shared by the API
//! (`templates` query) and the web UI. Wasm-safe.

use crate::enums::{QuestionKind, Weekday};

/// One question of a template (it gets its id when a config is created from it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TemplateQuestion {
    pub prompt: &'static str,
    pub kind: QuestionKind,
    pub required: bool,
}

/// A starting point for a standup config.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Template {
    /// Stable key (`classic`, `blockers-first`, `weekly-check-in`).
    pub id: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub questions: &'static [TemplateQuestion],
    pub weekdays: &'static [Weekday],
    /// Local time, HH:MM.
    pub time_of_day: &'static str,
    pub response_window_minutes: i32,
    pub reminder_minutes_before: i32,
}

const WORKDAYS: &[Weekday] = &[
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
];

const fn q(prompt: &'static str, kind: QuestionKind, required: bool) -> TemplateQuestion {
    TemplateQuestion {
        prompt,
        kind,
        required,
    }
}

/// Every template, in the order the UI offers them.
pub const TEMPLATES: &[Template] = &[
    Template {
        id: "classic",
        name: "Classic daily standup",
        description: "The three classic questions, every workday morning.",
        questions: &[
            q("What did you do yesterday?", QuestionKind::Text, true),
            q("What will you do today?", QuestionKind::Text, true),
            q("Anything blocking you?", QuestionKind::Blocker, false),
        ],
        weekdays: WORKDAYS,
        time_of_day: "09:30",
        response_window_minutes: 240,
        reminder_minutes_before: 60,
    },
    Template {
        id: "blockers-first",
        name: "Blockers first",
        description: "Surface what is stuck before anything else; short and daily.",
        questions: &[
            q(
                "What is blocking you or slowing you down?",
                QuestionKind::Blocker,
                true,
            ),
            q("What is your main focus today?", QuestionKind::Text, true),
            q("Anything the team should know?", QuestionKind::Text, false),
        ],
        weekdays: WORKDAYS,
        time_of_day: "09:00",
        response_window_minutes: 180,
        reminder_minutes_before: 60,
    },
    Template {
        id: "weekly-check-in",
        name: "Weekly check-in",
        description: "Once a week on Friday: mood, wins, and what is next.",
        questions: &[
            q("How are you feeling this week?", QuestionKind::Mood, true),
            q("What went well this week?", QuestionKind::Text, true),
            q(
                "What are you planning for next week?",
                QuestionKind::Text,
                true,
            ),
            q("Anything blocking you?", QuestionKind::Blocker, false),
        ],
        weekdays: &[Weekday::Fri],
        time_of_day: "14:00",
        response_window_minutes: 1440,
        reminder_minutes_before: 120,
    },
];

/// The template with this id.
pub fn find(id: &str) -> Option<&'static Template> {
    TEMPLATES.iter().find(|t| t.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standup::{MAX_QUESTIONS, RESPONSE_WINDOW_MINUTES};

    #[test]
    fn templates_obey_the_config_rules() {
        assert!(TEMPLATES.len() >= 3);
        for t in TEMPLATES {
            assert!(
                !t.questions.is_empty() && t.questions.len() <= MAX_QUESTIONS,
                "{}",
                t.id
            );
            assert!(!t.weekdays.is_empty(), "{}", t.id);
            assert!(RESPONSE_WINDOW_MINUTES.contains(&t.response_window_minutes));
            assert!(t.reminder_minutes_before < t.response_window_minutes);
            assert_eq!(find(t.id), Some(t));
        }
        let classic = find("classic").unwrap();
        assert_eq!(classic.questions[2].prompt, "Anything blocking you?");
        assert_eq!(classic.questions[2].kind, QuestionKind::Blocker);
        assert_eq!(
            find("blockers-first").unwrap().questions[0].kind,
            QuestionKind::Blocker
        );
        assert!(
            find("weekly-check-in")
                .unwrap()
                .questions
                .iter()
                .any(|q| q.kind == QuestionKind::Mood)
        );
    }
}
