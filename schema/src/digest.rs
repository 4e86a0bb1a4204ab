//! The digest compiled when a standup closes: who answered, who skipped, who is missing,
//! the blockers first, then everyone's answers.
//!
//! The worker loads a closed standup into a [`DigestInput`] and calls [`compile`]; it stores
//! [`Digest::text`] (the `Digest.text` GraphQL field) and sends `text` and [`Digest::html`]
//! as the two parts of the digest e-mail. The module is wasm-safe (serde and chrono only),
//! so the browser could render the same digest, and pure: no clock, no randomness, the
//! same input always renders the same bytes.
//!
//! Rules:
//! - A participant still `PENDING` when the standup closes is *missing*.
//! - A participant `OUT_OF_OFFICE` (away on the run's date) is listed under "Out of
//!   office" with the period's note (carried in `skip_reason`), counted apart, never as
//!   missing; the counts line names them only when there are some.
//! - Only `ANSWERED` participants' answers are shown; a skipped or missing participant's
//!   draft answers are not.
//! - The blockers section lists every non-empty answer to a `BLOCKER` question, except
//!   answers that mean "no blocker" ([`is_no_blocker`]): the blockers raised in this
//!   standup. "Still blocked" follows with the team's tracked blockers opened earlier and
//!   still open (each with its age in days), then "Resolved blockers" with those resolved
//!   since the config's previous digest (who resolved it and the note); the worker loads
//!   both ([`DigestInput::ongoing_blockers`], [`DigestInput::resolved_blockers`]).
//! - People are ordered by display name, case-insensitively (then by exact name, then by
//!   user id, so equal names still render in a fixed order). Within a person, blocker
//!   questions come first, the others keep the standup's question order.
//! - Answers keep their line breaks: continuation lines are indented in `text` and become
//!   `<br>` in `html`. Every user-supplied string in `html` goes through [`escape_html`].

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::enums::{ParticipationState, QuestionKind};

/// Answers to a blocker question that mean "no blocker". Compared after trimming, ignoring
/// case and trailing `.`/`!`; an empty answer means no blocker too.
pub const NO_BLOCKER_ANSWERS: &[&str] = &[
    "none",
    "no",
    "nope",
    "n/a",
    "na",
    "nil",
    "nothing",
    "no blocker",
    "no blockers",
    "-",
    "--",
    "—",
    "–",
];

/// One question of the standup, as it was asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DigestQuestion {
    pub id: Uuid,
    pub prompt: String,
    pub kind: QuestionKind,
    pub required: bool,
}

/// One participant's answer to one question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DigestAnswer {
    pub question_id: Uuid,
    pub text: String,
}

/// One participant and where they stood when the standup closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DigestParticipant {
    pub user_id: Uuid,
    /// Display name; the e-mail address stands in when it is blank.
    pub name: String,
    pub email: String,
    /// `PENDING` at close counts as missing.
    pub state: ParticipationState,
    /// Shown after the name in the skipped list; for `OUT_OF_OFFICE`, the period's note.
    pub skip_reason: Option<String>,
    /// Answers in any order; answers to questions not in [`DigestInput::questions`] are
    /// ignored, blank answers are left out.
    pub answers: Vec<DigestAnswer>,
    pub submitted_at: Option<DateTime<Utc>>,
}

/// Everything the digest shows, loaded by the caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DigestInput {
    pub team_name: String,
    pub standup_name: String,
    /// The standup's date in its time zone (the `localDate` GraphQL field).
    pub local_date: NaiveDate,
    /// The standup's IANA zone; carried for the caller (e-mail subject, headers), the
    /// rendered digest only shows the local date.
    pub timezone: String,
    /// In the standup's order.
    pub questions: Vec<DigestQuestion>,
    pub participants: Vec<DigestParticipant>,
    /// Link to the standup in the web UI; rendered as a link only when it is http(s).
    pub standup_url: Option<String>,
    /// The team's blockers opened before this standup and still open, oldest first.
    #[serde(default)]
    pub ongoing_blockers: Vec<OngoingBlocker>,
    /// The team's blockers resolved since the config's previous digest.
    #[serde(default)]
    pub resolved_blockers: Vec<ResolvedBlocker>,
    /// The moods given, counted (None: the standup asks no mood). With `anonymous`, the
    /// participants' MOOD answers are left out of `participants` and only this shows.
    #[serde(default)]
    pub mood: Option<MoodTally>,
}

/// A standup's moods, counted for the digest's mood line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoodTally {
    pub anonymous: bool,
    /// People who gave a mood.
    pub people: i64,
    /// Answers per mood, for 1 to 5.
    pub counts: [i64; 5],
}

impl MoodTally {
    /// The digest's line: the average when it may be shown (see
    /// [`crate::standup::shown_mood_average`]), else why it is not.
    #[must_use]
    pub fn line(&self) -> Option<String> {
        let average = crate::standup::shown_mood_average(self.people, &self.counts, self.anonymous);
        let people = if self.people == 1 { "person" } else { "people" };
        match (average, self.anonymous) {
            (Some(avg), anonymous) => Some(format!(
                "Team mood: {avg:.1}/5 from {} {people}{}",
                self.people,
                if anonymous { " (anonymous)" } else { "" }
            )),
            (None, true) if self.people > 0 => Some(format!(
                "Team mood: anonymous, shown once {} people give one",
                crate::standup::ANONYMOUS_MOOD_MIN_PEOPLE
            )),
            (None, _) => None,
        }
    }
}

/// A tracked blocker still open when the standup closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OngoingBlocker {
    /// Its owner's display name.
    pub name: String,
    pub text: String,
    /// Whole days it has been open.
    pub age_days: u32,
}

/// A tracked blocker resolved since the previous digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolvedBlocker {
    /// Its owner's display name.
    pub name: String,
    pub text: String,
    /// Who resolved it (`None` once they are gone).
    pub resolved_by: Option<String>,
    pub note: Option<String>,
}

/// A compiled digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Digest {
    pub answered: u32,
    pub skipped: u32,
    /// Participants still `PENDING` at close.
    pub missing: u32,
    /// Participants away on the run's date (absent from digests stored before there
    /// was such a state).
    #[serde(default)]
    pub out_of_office: u32,
    /// Plain text: the e-mail's text part and the `Digest.text` GraphQL field.
    pub text: String,
    /// An HTML fragment (no `<html>`/`<body>`), every user-supplied string escaped.
    pub html: String,
    /// `(name, blocker)` in the order the digest lists them; blocker text as rendered in
    /// `text` (trimmed, line breaks kept, not escaped).
    pub blockers: Vec<(String, String)>,
}

/// One shown answer: the question's prompt and kind, and the normalised text.
struct Entry<'a> {
    prompt: &'a str,
    kind: QuestionKind,
    text: String,
}

/// A participant with their display name worked out.
struct Person<'a> {
    name: String,
    participant: &'a DigestParticipant,
}

/// Compiles the digest of a closed standup. See the module documentation for the rules.
#[must_use]
pub fn compile(input: &DigestInput) -> Digest {
    let questions = ordered_questions(input);
    let people = ordered_people(input);

    let in_state = |state: ParticipationState| -> Vec<&Person<'_>> {
        people
            .iter()
            .filter(|p| p.participant.state == state)
            .collect()
    };
    let answering = in_state(ParticipationState::Answered);
    let skipping = in_state(ParticipationState::Skipped);
    let missing = in_state(ParticipationState::Pending);
    let away_people = in_state(ParticipationState::OutOfOffice);

    let answers: Vec<(&Person<'_>, Vec<Entry<'_>>)> = answering
        .iter()
        .map(|person| (*person, entries(&questions, person.participant)))
        .collect();
    let blockers: Vec<(String, String)> = answers
        .iter()
        .flat_map(|(person, entries)| {
            entries
                .iter()
                .filter(|e| e.kind == QuestionKind::Blocker && !is_no_blocker(&e.text))
                .map(|e| (person.name.clone(), e.text.clone()))
        })
        .collect();

    let header = format!(
        "{} — {} — {}",
        inline(&input.team_name),
        inline(&input.standup_name),
        input.local_date.format("%a %-d %b %Y"),
    );
    let mut counts = format!(
        "{} answered · {} skipped · {} missing",
        answering.len(),
        skipping.len(),
        missing.len(),
    );
    if !away_people.is_empty() {
        counts.push_str(&format!(" · {} out of office", away_people.len()));
    }
    let with_reason = |people: &[&Person<'_>]| -> Vec<(String, Option<String>)> {
        people
            .iter()
            .map(|p| {
                let reason = p
                    .participant
                    .skip_reason
                    .as_deref()
                    .map(inline)
                    .filter(|r| !r.is_empty());
                (p.name.clone(), reason)
            })
            .collect()
    };
    let skipped = with_reason(&skipping);
    let away = with_reason(&away_people);
    let no_answer: Vec<&str> = missing.iter().map(|p| p.name.as_str()).collect();
    let url = input
        .standup_url
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty());

    let ongoing: Vec<(String, String)> = input
        .ongoing_blockers
        .iter()
        .map(|b| {
            let days = if b.age_days == 1 { "day" } else { "days" };
            (
                format!("{} ({} {days})", inline(&b.name), b.age_days),
                block(&b.text),
            )
        })
        .collect();
    let resolved: Vec<(String, String)> = input
        .resolved_blockers
        .iter()
        .map(|b| {
            let mut text = block(&b.text);
            match (
                b.resolved_by.as_deref().map(inline),
                b.note.as_deref().map(inline),
            ) {
                (Some(by), Some(note)) => text.push_str(&format!(" (resolved by {by}: {note})")),
                (Some(by), None) => text.push_str(&format!(" (resolved by {by})")),
                (None, Some(note)) => text.push_str(&format!(" (resolved: {note})")),
                (None, None) => {}
            }
            (inline(&b.name), text)
        })
        .collect();
    let mood = input.mood.as_ref().and_then(MoodTally::line);
    let parts = Parts {
        header: &header,
        counts: &counts,
        mood: mood.as_deref(),
        blockers: &blockers,
        ongoing: &ongoing,
        resolved: &resolved,
        answers: &answers,
        skipped: &skipped,
        no_answer: &no_answer,
        away: &away,
        url,
    };
    Digest {
        answered: count(answering.len()),
        skipped: count(skipping.len()),
        missing: count(missing.len()),
        out_of_office: count(away_people.len()),
        text: render_text(&parts),
        html: render_html(&parts),
        blockers,
    }
}

/// One answer as the digest shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownAnswer {
    pub prompt: String,
    pub kind: QuestionKind,
    /// Trimmed, line breaks kept, not escaped.
    pub text: String,
}

/// One participant as the digest shows them, for renderers other than [`compile`]'s
/// (Slack's Block Kit): the display name, the state at close, the skip reason on one
/// line, and the shown answers (only when ANSWERED; blocker questions first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownPerson {
    pub name: String,
    pub state: ParticipationState,
    pub skip_reason: Option<String>,
    pub answers: Vec<ShownAnswer>,
}

/// The participants in the digest's order (see the module documentation), with what the
/// digest shows of each.
#[must_use]
pub fn shown_people(input: &DigestInput) -> Vec<ShownPerson> {
    let questions = ordered_questions(input);
    ordered_people(input)
        .into_iter()
        .map(|person| {
            let participant = person.participant;
            let answers = if participant.state == ParticipationState::Answered {
                entries(&questions, participant)
                    .into_iter()
                    .map(|e| ShownAnswer {
                        prompt: e.prompt.to_owned(),
                        kind: e.kind,
                        text: e.text,
                    })
                    .collect()
            } else {
                Vec::new()
            };
            ShownPerson {
                name: person.name,
                state: participant.state,
                skip_reason: participant
                    .skip_reason
                    .as_deref()
                    .map(inline)
                    .filter(|r| !r.is_empty()),
                answers,
            }
        })
        .collect()
}

/// Blocker questions first, otherwise the standup's order (the sort is stable).
fn ordered_questions(input: &DigestInput) -> Vec<&DigestQuestion> {
    let mut questions: Vec<&DigestQuestion> = input.questions.iter().collect();
    questions.sort_by_key(|q| q.kind != QuestionKind::Blocker);
    questions
}

/// The participants by display name (case-insensitively, then exactly, then by id).
fn ordered_people(input: &DigestInput) -> Vec<Person<'_>> {
    let mut people: Vec<Person<'_>> = input
        .participants
        .iter()
        .map(|participant| Person {
            name: display_name(participant),
            participant,
        })
        .collect();
    people.sort_by_cached_key(|p| (p.name.to_lowercase(), p.name.clone(), p.participant.user_id));
    people
}

/// True when a blocker answer says there is no blocker: blank, or one of
/// [`NO_BLOCKER_ANSWERS`] (trimmed, case-insensitive, trailing `.`/`!` ignored).
#[must_use]
pub fn is_no_blocker(answer: &str) -> bool {
    let normalised = answer
        .trim()
        .trim_end_matches(['.', '!'])
        .trim_end()
        .to_lowercase();
    normalised.is_empty() || NO_BLOCKER_ANSWERS.contains(&normalised.as_str())
}

/// Escapes text for HTML element content and quoted attribute values: `&`, `<`, `>`, `"`
/// and `'`.
#[must_use]
pub fn escape_html(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// The pieces both renderers lay out.
struct Parts<'a> {
    header: &'a str,
    counts: &'a str,
    mood: Option<&'a str>,
    blockers: &'a [(String, String)],
    /// `(name with age, text)`.
    ongoing: &'a [(String, String)],
    /// `(name, text with who resolved it and the note)`.
    resolved: &'a [(String, String)],
    answers: &'a [(&'a Person<'a>, Vec<Entry<'a>>)],
    skipped: &'a [(String, Option<String>)],
    no_answer: &'a [&'a str],
    away: &'a [(String, Option<String>)],
    url: Option<&'a str>,
}

fn render_text(parts: &Parts<'_>) -> String {
    let mut lines: Vec<String> = vec![parts.header.to_owned(), parts.counts.to_owned()];
    lines.extend(parts.mood.map(str::to_owned));

    if !parts.blockers.is_empty() {
        lines.push(String::new());
        lines.push("Blockers".to_owned());
        for (name, text) in parts.blockers {
            push_block(&mut lines, &format!("- {name}: "), "  ", text);
        }
    }
    for (title, list) in [
        ("Still blocked", parts.ongoing),
        ("Resolved blockers", parts.resolved),
    ] {
        if !list.is_empty() {
            lines.push(String::new());
            lines.push(title.to_owned());
            for (name, text) in list {
                push_block(&mut lines, &format!("- {name}: "), "  ", text);
            }
        }
    }

    for (person, entries) in parts.answers {
        lines.push(String::new());
        lines.push(person.name.clone());
        if entries.is_empty() {
            lines.push("  (no answers)".to_owned());
        }
        for entry in entries {
            lines.push(format!("  {}", inline(entry.prompt)));
            push_block(&mut lines, "    ", "    ", &entry.text);
        }
    }

    if !parts.skipped.is_empty() || !parts.no_answer.is_empty() || !parts.away.is_empty() {
        lines.push(String::new());
    }
    let text_names = |people: &[(String, Option<String>)]| -> String {
        people
            .iter()
            .map(|(name, reason)| match reason {
                Some(reason) => format!("{name} ({reason})"),
                None => name.clone(),
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !parts.skipped.is_empty() {
        lines.push(format!("Skipped: {}", text_names(parts.skipped)));
    }
    if !parts.no_answer.is_empty() {
        lines.push(format!("No answer: {}", parts.no_answer.join(", ")));
    }
    if !parts.away.is_empty() {
        lines.push(format!("Out of office: {}", text_names(parts.away)));
    }

    if let Some(url) = parts.url {
        lines.push(String::new());
        lines.push(format!("Open the standup: {url}"));
    }
    lines.join("\n")
}

/// Pushes a multi-line block: the first line after `first`, the others after `rest`;
/// empty lines stay empty (no trailing spaces).
fn push_block(lines: &mut Vec<String>, first: &str, rest: &str, text: &str) {
    for (i, line) in text.split('\n').enumerate() {
        let prefix = if i == 0 { first } else { rest };
        if line.is_empty() {
            lines.push(prefix.trim_end().to_owned());
        } else {
            lines.push(format!("{prefix}{line}"));
        }
    }
}

fn render_html(parts: &Parts<'_>) -> String {
    let mut html: Vec<String> = vec![
        format!("<h2>{}</h2>", escape_html(parts.header)),
        format!("<p>{}</p>", escape_html(parts.counts)),
    ];
    html.extend(
        parts
            .mood
            .map(|line| format!("<p>{}</p>", escape_html(line))),
    );

    for (title, list) in [
        ("Blockers", parts.blockers),
        ("Still blocked", parts.ongoing),
        ("Resolved blockers", parts.resolved),
    ] {
        if list.is_empty() {
            continue;
        }
        html.push(format!("<h3>{title}</h3>"));
        html.push("<ul>".to_owned());
        for (name, text) in list {
            html.push(format!(
                "<li><strong>{}</strong>: {}</li>",
                escape_html(name),
                html_block(text)
            ));
        }
        html.push("</ul>".to_owned());
    }

    for (person, entries) in parts.answers {
        html.push(format!("<h3>{}</h3>", escape_html(&person.name)));
        if entries.is_empty() {
            html.push("<p><em>No answers</em></p>".to_owned());
            continue;
        }
        html.push("<dl>".to_owned());
        for entry in entries {
            html.push(format!("<dt>{}</dt>", escape_html(&inline(entry.prompt))));
            html.push(format!("<dd>{}</dd>", html_block(&entry.text)));
        }
        html.push("</dl>".to_owned());
    }

    let html_names = |people: &[(String, Option<String>)]| -> String {
        people
            .iter()
            .map(|(name, reason)| match reason {
                Some(reason) => format!("{} ({})", escape_html(name), escape_html(reason)),
                None => escape_html(name),
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !parts.skipped.is_empty() {
        html.push(format!(
            "<p><strong>Skipped:</strong> {}</p>",
            html_names(parts.skipped)
        ));
    }
    if !parts.no_answer.is_empty() {
        let names: Vec<String> = parts.no_answer.iter().map(|n| escape_html(n)).collect();
        html.push(format!(
            "<p><strong>No answer:</strong> {}</p>",
            names.join(", ")
        ));
    }
    if !parts.away.is_empty() {
        html.push(format!(
            "<p><strong>Out of office:</strong> {}</p>",
            html_names(parts.away)
        ));
    }

    if let Some(url) = parts.url {
        if is_http_url(url) {
            html.push(format!(
                "<p><a href=\"{}\">Open the standup</a></p>",
                escape_html(url)
            ));
        } else {
            html.push(format!("<p>Open the standup: {}</p>", escape_html(url)));
        }
    }
    html.join("\n")
}

/// An answer for HTML: escaped, line breaks as `<br>`.
fn html_block(text: &str) -> String {
    text.split('\n')
        .map(escape_html)
        .collect::<Vec<_>>()
        .join("<br>")
}

/// Only http(s) links become `href`s (no `javascript:` or `data:` URLs).
fn is_http_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// The person's answers to the standup's questions, blocker questions first, blank
/// answers left out.
fn entries<'a>(
    questions: &[&'a DigestQuestion],
    participant: &DigestParticipant,
) -> Vec<Entry<'a>> {
    questions
        .iter()
        .copied()
        .flat_map(|question| {
            participant
                .answers
                .iter()
                .filter(move |a| a.question_id == question.id)
                .map(|a| block(&a.text))
                .filter(|text| !text.is_empty())
                .map(move |text| Entry {
                    prompt: &question.prompt,
                    kind: question.kind,
                    text,
                })
        })
        .collect()
}

/// The name shown for a participant: the name on one line, else the e-mail address, else
/// the user id.
fn display_name(participant: &DigestParticipant) -> String {
    let name = inline(&participant.name);
    if !name.is_empty() {
        return name;
    }
    let email = inline(&participant.email);
    if !email.is_empty() {
        return email;
    }
    participant.user_id.to_string()
}

/// A string for one line: runs of whitespace (line breaks included) become one space.
fn inline(raw: &str) -> String {
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A multi-line answer: `\n` line breaks, trimmed, no trailing spaces on any line.
fn block(raw: &str) -> String {
    raw.replace("\r\n", "\n")
        .replace('\r', "\n")
        .trim()
        .split('\n')
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const YESTERDAY: Uuid = Uuid::from_u128(1);
    const BLOCKERS: Uuid = Uuid::from_u128(2);
    const MOOD: Uuid = Uuid::from_u128(3);

    fn questions() -> Vec<DigestQuestion> {
        vec![
            DigestQuestion {
                id: YESTERDAY,
                prompt: "What did you do yesterday?".to_owned(),
                kind: QuestionKind::Text,
                required: true,
            },
            DigestQuestion {
                id: BLOCKERS,
                prompt: "Anything blocking you?".to_owned(),
                kind: QuestionKind::Blocker,
                required: false,
            },
            DigestQuestion {
                id: MOOD,
                prompt: "Mood?".to_owned(),
                kind: QuestionKind::Mood,
                required: false,
            },
        ]
    }

    fn person(n: u128, name: &str, state: ParticipationState) -> DigestParticipant {
        DigestParticipant {
            user_id: Uuid::from_u128(100 + n),
            name: name.to_owned(),
            email: format!("user{n}@example.com"),
            state,
            skip_reason: None,
            answers: Vec::new(),
            submitted_at: None,
        }
    }

    fn answered(n: u128, name: &str, answers: &[(Uuid, &str)]) -> DigestParticipant {
        DigestParticipant {
            answers: answers
                .iter()
                .map(|(question_id, text)| DigestAnswer {
                    question_id: *question_id,
                    text: (*text).to_owned(),
                })
                .collect(),
            submitted_at: Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).single(),
            ..person(n, name, ParticipationState::Answered)
        }
    }

    fn skipped(n: u128, name: &str, reason: Option<&str>) -> DigestParticipant {
        DigestParticipant {
            skip_reason: reason.map(str::to_owned),
            ..person(n, name, ParticipationState::Skipped)
        }
    }

    fn input(participants: Vec<DigestParticipant>) -> DigestInput {
        DigestInput {
            team_name: "Platform".to_owned(),
            standup_name: "Daily".to_owned(),
            local_date: NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
            timezone: "Europe/Berlin".to_owned(),
            questions: questions(),
            participants,
            standup_url: None,
            ongoing_blockers: Vec::new(),
            resolved_blockers: Vec::new(),
            mood: None,
        }
    }

    fn team() -> DigestInput {
        input(vec![
            answered(
                1,
                "bob",
                &[
                    (YESTERDAY, "Reviewed PRs"),
                    (BLOCKERS, "Waiting on the staging DB\nticket OPS-12"),
                ],
            ),
            person(2, "Dave", ParticipationState::Pending),
            answered(
                3,
                "Alice",
                &[(YESTERDAY, "Shipped login"), (BLOCKERS, "None.")],
            ),
            skipped(4, "Carol", Some("on holiday")),
            answered(5, "Erin", &[(MOOD, "🙂"), (YESTERDAY, "Wrote docs")]),
            person(6, "frank", ParticipationState::Pending),
        ])
    }

    #[test]
    fn counts_answered_skipped_and_pending_as_missing() {
        let digest = compile(&team());
        assert_eq!((digest.answered, digest.skipped, digest.missing), (3, 1, 2));
        assert!(
            digest
                .text
                .lines()
                .nth(1)
                .unwrap()
                .eq("3 answered · 1 skipped · 2 missing")
        );
    }

    #[test]
    fn renders_the_whole_text_digest() {
        let mut input = team();
        input.standup_url = Some("https://app.example.com/standups/1".to_owned());
        let expected = "\
Platform — Daily — Tue 24 Nov 2026
3 answered · 1 skipped · 2 missing

Blockers
- bob: Waiting on the staging DB
  ticket OPS-12

Alice
  Anything blocking you?
    None.
  What did you do yesterday?
    Shipped login

bob
  Anything blocking you?
    Waiting on the staging DB
    ticket OPS-12
  What did you do yesterday?
    Reviewed PRs

Erin
  What did you do yesterday?
    Wrote docs
  Mood?
    🙂

Skipped: Carol (on holiday)
No answer: Dave, frank

Open the standup: https://app.example.com/standups/1";
        assert_eq!(compile(&input).text, expected);
    }

    #[test]
    fn renders_the_whole_html_digest() {
        let mut input = team();
        input.standup_url = Some("https://app.example.com/standups/1".to_owned());
        let expected = r#"<h2>Platform — Daily — Tue 24 Nov 2026</h2>
<p>3 answered · 1 skipped · 2 missing</p>
<h3>Blockers</h3>
<ul>
<li><strong>bob</strong>: Waiting on the staging DB<br>ticket OPS-12</li>
</ul>
<h3>Alice</h3>
<dl>
<dt>Anything blocking you?</dt>
<dd>None.</dd>
<dt>What did you do yesterday?</dt>
<dd>Shipped login</dd>
</dl>
<h3>bob</h3>
<dl>
<dt>Anything blocking you?</dt>
<dd>Waiting on the staging DB<br>ticket OPS-12</dd>
<dt>What did you do yesterday?</dt>
<dd>Reviewed PRs</dd>
</dl>
<h3>Erin</h3>
<dl>
<dt>What did you do yesterday?</dt>
<dd>Wrote docs</dd>
<dt>Mood?</dt>
<dd>🙂</dd>
</dl>
<p><strong>Skipped:</strong> Carol (on holiday)</p>
<p><strong>No answer:</strong> Dave, frank</p>
<p><a href="https://app.example.com/standups/1">Open the standup</a></p>"#;
        assert_eq!(compile(&input).html, expected);
    }

    #[test]
    fn blockers_come_first_and_no_blocker_answers_are_left_out() {
        let digest = compile(&team());
        assert_eq!(
            digest.blockers,
            vec![(
                "bob".to_owned(),
                "Waiting on the staging DB\nticket OPS-12".to_owned()
            )]
        );
        let text = &digest.text;
        let blockers_at = text.find("Blockers").unwrap();
        let first_person_at = text.find("\nAlice\n").unwrap();
        assert!(blockers_at < first_person_at);
        assert!(digest.html.find("<h3>Blockers</h3>") < digest.html.find("<h3>Alice</h3>"));
    }

    #[test]
    fn no_blocker_answers_are_recognised() {
        for answer in [
            "none", "None", "NONE.", " no ", "Nope!", "n/a", "N/A", "-", "", "  ", "nothing",
        ] {
            assert!(is_no_blocker(answer), "{answer:?} means no blocker");
        }
        for answer in [
            "not yet reviewed",
            "none of the tests pass",
            "no staging DB",
            "?",
        ] {
            assert!(!is_no_blocker(answer), "{answer:?} is a blocker");
        }
    }

    #[test]
    fn blockers_section_is_omitted_when_nobody_is_blocked() {
        let digest = compile(&input(vec![
            answered(1, "Alice", &[(BLOCKERS, "nope")]),
            answered(2, "Bob", &[(BLOCKERS, "n/a"), (YESTERDAY, "x")]),
            answered(3, "Carol", &[(BLOCKERS, "  -  ")]),
        ]));
        assert!(digest.blockers.is_empty());
        assert!(!digest.text.contains("Blockers"));
        assert!(!digest.html.contains("Blockers"));
        // The answer itself is still shown under the person.
        assert!(
            digest
                .text
                .contains("Alice\n  Anything blocking you?\n    nope")
        );
    }

    #[test]
    fn people_are_sorted_by_name_case_insensitively() {
        let digest = compile(&input(vec![
            answered(1, "zoe", &[(YESTERDAY, "z")]),
            answered(2, "Adam", &[(YESTERDAY, "a")]),
            answered(3, "bea", &[(YESTERDAY, "b")]),
            person(4, "yann", ParticipationState::Pending),
            person(5, "Xavier", ParticipationState::Pending),
            skipped(6, "wes", None),
            skipped(7, "Val", Some("sick")),
        ]));
        let names: Vec<&str> = digest
            .text
            .lines()
            .filter(|l| ["zoe", "Adam", "bea"].contains(l))
            .collect();
        assert_eq!(names, ["Adam", "bea", "zoe"]);
        assert!(digest.text.contains("Skipped: Val (sick), wes"));
        assert!(digest.text.contains("No answer: Xavier, yann"));
        let html_order: Vec<usize> = ["<h3>Adam</h3>", "<h3>bea</h3>", "<h3>zoe</h3>"]
            .iter()
            .map(|h| digest.html.find(h).unwrap())
            .collect();
        assert!(html_order.is_sorted());
    }

    #[test]
    fn blocker_questions_come_first_within_a_person() {
        let digest = compile(&input(vec![answered(
            1,
            "Alice",
            &[(MOOD, "ok"), (YESTERDAY, "coding"), (BLOCKERS, "CI is red")],
        )]));
        let prompts: Vec<&str> = digest
            .text
            .lines()
            .filter(|l| l.starts_with("  ") && !l.starts_with("    "))
            .collect();
        assert_eq!(
            prompts,
            [
                "  Anything blocking you?",
                "  What did you do yesterday?",
                "  Mood?"
            ]
        );
    }

    #[test]
    fn escape_html_escapes_markup_and_quotes() {
        assert_eq!(
            escape_html("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(escape_html(r#"&"'"#), "&amp;&quot;&#39;");
        assert_eq!(escape_html("plain — ünïcode"), "plain — ünïcode");
    }

    #[test]
    fn html_escapes_every_user_supplied_string() {
        let evil = "<script>x</script>&\"'";
        let escaped = "&lt;script&gt;x&lt;/script&gt;&amp;&quot;&#39;";
        let mut input = input(vec![
            answered(
                1,
                &format!("A{evil}"),
                &[(YESTERDAY, evil), (BLOCKERS, evil)],
            ),
            DigestParticipant {
                skip_reason: Some(evil.to_owned()),
                ..person(2, &format!("B{evil}"), ParticipationState::Skipped)
            },
            person(3, &format!("C{evil}"), ParticipationState::Pending),
        ]);
        input.team_name = evil.to_owned();
        input.standup_name = evil.to_owned();
        for question in &mut input.questions {
            question.prompt = evil.to_owned();
        }
        input.standup_url = Some(format!("https://example.com/?q={evil}"));
        let html = compile(&input).html;
        assert!(!html.contains("<script>"), "{html}");
        assert!(!html.contains("&\""), "{html}");
        // team, standup, 2 prompts, 2 answers, blocker, 3 names + blocker name, reason, url
        assert_eq!(html.matches(escaped).count(), 13, "{html}");
        // The plain text is not escaped.
        assert!(compile(&input).text.contains(evil));
    }

    #[test]
    fn out_of_office_people_are_listed_with_their_note_and_not_missing() {
        let evil = "<b>Tahiti</b>";
        let digest = compile(&input(vec![
            answered(1, "Alice", &[(YESTERDAY, "ok")]),
            DigestParticipant {
                skip_reason: Some(format!("Back Monday {evil}")),
                ..person(2, "Omar", ParticipationState::OutOfOffice)
            },
            person(3, "Pat", ParticipationState::OutOfOffice),
        ]));
        assert_eq!(
            (digest.answered, digest.missing, digest.out_of_office),
            (1, 0, 2)
        );
        assert!(
            digest
                .text
                .contains("1 answered · 0 skipped · 0 missing · 2 out of office")
        );
        assert!(
            digest
                .text
                .contains(&format!("Out of office: Omar (Back Monday {evil}), Pat")),
            "{}",
            digest.text
        );
        assert!(!digest.text.contains("No answer"));
        assert!(digest.html.contains(
            "<p><strong>Out of office:</strong> Omar (Back Monday &lt;b&gt;Tahiti&lt;/b&gt;), Pat</p>"
        ));
        assert!(!digest.html.contains(evil));
    }

    #[test]
    fn only_http_urls_become_links() {
        let mut input = team();
        input.standup_url = Some("javascript:alert(1)".to_owned());
        let html = compile(&input).html;
        assert!(!html.contains("href"));
        assert!(html.contains("<p>Open the standup: javascript:alert(1)</p>"));
        input.standup_url = Some("HTTPS://app.example.com/s/1".to_owned());
        assert!(
            compile(&input)
                .html
                .contains(r#"<a href="HTTPS://app.example.com/s/1">Open the standup</a>"#)
        );
        input.standup_url = Some("  ".to_owned());
        assert!(!compile(&input).text.contains("Open the standup"));
    }

    #[test]
    fn line_breaks_are_kept() {
        let digest = compile(&input(vec![answered(
            1,
            "Alice",
            &[(YESTERDAY, "  first\r\nsecond  \r\n\r\nfourth\n\n")],
        )]));
        assert!(
            digest
                .text
                .contains("  What did you do yesterday?\n    first\n    second\n\n    fourth"),
            "{}",
            digest.text
        );
        assert!(
            digest
                .html
                .contains("<dd>first<br>second<br><br>fourth</dd>")
        );
    }

    #[test]
    fn empty_standup_lists_everyone_as_missing() {
        let digest = compile(&input(vec![
            person(1, "Bob", ParticipationState::Pending),
            person(2, "alice", ParticipationState::Pending),
        ]));
        assert_eq!((digest.answered, digest.skipped, digest.missing), (0, 0, 2));
        assert!(digest.blockers.is_empty());
        assert_eq!(
            digest.text,
            "Platform — Daily — Tue 24 Nov 2026\n\
             0 answered · 0 skipped · 2 missing\n\
             \n\
             No answer: alice, Bob"
        );
        assert!(
            digest
                .html
                .contains("<p><strong>No answer:</strong> alice, Bob</p>")
        );

        let nobody = compile(&input(Vec::new()));
        assert_eq!((nobody.answered, nobody.skipped, nobody.missing), (0, 0, 0));
        assert_eq!(
            nobody.text,
            "Platform — Daily — Tue 24 Nov 2026\n0 answered · 0 skipped · 0 missing"
        );
    }

    #[test]
    fn a_participant_may_answer_only_optional_questions() {
        let digest = compile(&input(vec![
            answered(1, "Alice", &[(MOOD, "tired"), (BLOCKERS, "  ")]),
            answered(2, "Bob", &[]),
        ]));
        assert_eq!(digest.answered, 2);
        assert!(digest.text.contains("Alice\n  Mood?\n    tired"));
        assert!(!digest.text.contains("What did you do yesterday?"));
        assert!(!digest.text.contains("Anything blocking you?"));
        assert!(digest.text.contains("Bob\n  (no answers)"));
        assert!(
            digest
                .html
                .contains("<h3>Bob</h3>\n<p><em>No answers</em></p>")
        );
    }

    #[test]
    fn answers_of_skipped_missing_and_unknown_questions_are_not_shown() {
        let mut skipper = skipped(1, "Sam", None);
        skipper.answers = vec![DigestAnswer {
            question_id: YESTERDAY,
            text: "draft".to_owned(),
        }];
        let digest = compile(&input(vec![
            skipper,
            answered(
                2,
                "Ann",
                &[(Uuid::from_u128(99), "orphan"), (YESTERDAY, "ok")],
            ),
        ]));
        assert!(!digest.text.contains("draft"));
        assert!(!digest.text.contains("orphan"));
        assert!(digest.text.ends_with("\n\nSkipped: Sam"));
    }

    #[test]
    fn names_fall_back_to_email_and_are_kept_on_one_line() {
        let mut nameless = person(1, "  ", ParticipationState::Pending);
        nameless.email = "x@example.com".to_owned();
        let digest = compile(&input(vec![
            nameless,
            person(2, "Mary\nAnn", ParticipationState::Pending),
        ]));
        assert!(digest.text.ends_with("No answer: Mary Ann, x@example.com"));
    }

    #[test]
    fn output_is_deterministic_and_round_trips_through_json() {
        let mut shuffled = team();
        shuffled.participants.reverse();
        let digest = compile(&team());
        assert_eq!(compile(&shuffled), digest);
        let json = serde_json::to_string(&digest).unwrap();
        assert_eq!(serde_json::from_str::<Digest>(&json).unwrap(), digest);
        let input = team();
        let json = serde_json::to_string(&input).unwrap();
        assert_eq!(serde_json::from_str::<DigestInput>(&json).unwrap(), input);
    }

    #[test]
    fn ongoing_and_resolved_blockers_follow_the_new_ones_escaped() {
        let mut input = team();
        input.ongoing_blockers = vec![
            OngoingBlocker {
                name: "Carol".to_owned(),
                text: "Vendor <contract>".to_owned(),
                age_days: 4,
            },
            OngoingBlocker {
                name: "Dave".to_owned(),
                text: "Laptop".to_owned(),
                age_days: 1,
            },
        ];
        input.resolved_blockers = vec![
            ResolvedBlocker {
                name: "Alice".to_owned(),
                text: "VPN".to_owned(),
                resolved_by: Some("Erin".to_owned()),
                note: Some("new  cert".to_owned()),
            },
            ResolvedBlocker {
                name: "frank".to_owned(),
                text: "Keys".to_owned(),
                resolved_by: None,
                note: None,
            },
        ];
        let digest = compile(&input);
        let text = &digest.text;
        let new = text
            .find("Blockers\n- bob: Waiting on the staging DB")
            .unwrap();
        let ongoing = text
            .find("Still blocked\n- Carol (4 days): Vendor <contract>\n- Dave (1 day): Laptop")
            .unwrap();
        let resolved = text
            .find("Resolved blockers\n- Alice: VPN (resolved by Erin: new cert)\n- frank: Keys\n")
            .unwrap();
        assert!(new < ongoing && ongoing < resolved, "{text}");
        assert!(
            digest.html.contains("<h3>Still blocked</h3>"),
            "{}",
            digest.html
        );
        assert!(
            digest.html.contains("Vendor &lt;contract&gt;"),
            "{}",
            digest.html
        );
        assert!(!digest.html.contains("<contract>"));
        assert!(digest.html.contains("<h3>Resolved blockers</h3>"));
        // Without tracked blockers the digest is as before: no empty sections.
        let plain = compile(&team());
        assert!(!plain.text.contains("Still blocked") && !plain.text.contains("Resolved blockers"));
    }
    #[test]
    fn an_anonymous_mood_line_shows_no_average_under_three_people() {
        let tally = |people, counts| MoodTally {
            anonymous: true,
            people,
            counts,
        };
        let mut two = input(Vec::new());
        two.mood = Some(tally(2, [0, 0, 0, 1, 1]));
        let digest = compile(&two);
        assert!(
            digest
                .text
                .contains("Team mood: anonymous, shown once 3 people give one"),
            "{}",
            digest.text
        );
        assert!(!digest.text.contains("/5"), "{}", digest.text);
        let mut three = input(Vec::new());
        three.mood = Some(tally(3, [0, 0, 1, 1, 1]));
        let digest = compile(&three);
        assert!(
            digest
                .text
                .contains("Team mood: 4.0/5 from 3 people (anonymous)"),
            "{}",
            digest.text
        );
        assert!(
            digest
                .html
                .contains("<p>Team mood: 4.0/5 from 3 people (anonymous)</p>")
        );
    }
}
