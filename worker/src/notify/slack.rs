//! Slack messages: the Block Kit the worker posts for a standup (the DM when it opens,
//! the reminder reply, the DM as it reads after the close, the digest in a channel), and
//! the per-workspace gate that keeps the worker from calling a workspace Slack asked to
//! wait (`429 Retry-After`).
//!
//! Every user-supplied string goes through [`escape`] before it lands in `mrkdwn` text;
//! the digest is split so that no section text is longer than [`MAX_SECTION_CHARS`] and
//! no message has more than [`MAX_BLOCKS`] blocks (Slack refuses bigger ones).

use chrono::{DateTime, Utc};
use schema::{
    digest::{self, Digest, DigestInput, ShownPerson},
    enums::{ParticipationState, QuestionKind},
    ids::StandupId,
};
use serde_json::{Value, json};
use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

/// The most blocks Slack takes in one message.
pub const MAX_BLOCKS: usize = 50;
/// The most characters Slack takes in a section's text.
pub const MAX_SECTION_CHARS: usize = 3000;
/// The most characters of a `header` block's plain text.
const MAX_HEADER_CHARS: usize = 150;

/// The button that opens the answer modal (its value is the standup id).
pub const ANSWER_ACTION: &str = "answer";
/// The button that skips the standup (its value is the standup id).
pub const SKIP_ACTION: &str = "skip";

/// Escapes text for Slack's `mrkdwn`: `&`, `<` and `>` (what Slack reads as control
/// characters: links, mentions, dates).
#[must_use]
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            other => out.push(other),
        }
    }
    out
}

/// An instant as Slack shows it on the reader's own clock (`<!date^…>`), with `fallback`
/// (the team's clock, zone named) for clients that cannot.
#[must_use]
pub fn local_time(at: DateTime<Utc>, fallback: &str) -> String {
    format!(
        "<!date^{}^{{date_short_pretty}} at {{time}}|{}>",
        at.timestamp(),
        escape(fallback)
    )
}

/// What a standup's DM says.
#[derive(Debug, Clone)]
pub struct StandupDm<'a> {
    pub standup_id: StandupId,
    pub name: &'a str,
    pub team: &'a str,
    /// The standup's date, as the e-mails show it.
    pub date: &'a str,
    pub prompts: &'a [String],
    pub closes_at: DateTime<Utc>,
    /// `closes_at` on the team's clock, for clients that cannot show `<!date>`.
    pub closes_fallback: &'a str,
    /// Where the standup is answered on the web.
    pub link: &'a str,
}

impl StandupDm<'_> {
    fn title(&self) -> String {
        format!(
            "*{}* of {} for {}",
            escape(self.name),
            escape(self.team),
            escape(self.date)
        )
    }

    fn questions(&self) -> String {
        let list: Vec<String> = self
            .prompts
            .iter()
            .map(|prompt| format!("• {}", escape(&one_line(prompt))))
            .collect();
        truncate(&list.join("\n"), MAX_SECTION_CHARS)
    }

    /// The DM when the standup opens: the questions, the deadline on the reader's clock,
    /// and the Answer and Skip buttons.
    #[must_use]
    pub fn open(&self) -> Value {
        let id = self.standup_id.to_string();
        json!({
            "text": format!("{}: your standup for {} is open", self.name, self.date),
            "blocks": [
                section(&format!("{} is open.", self.title())),
                section(&self.questions()),
                context(&format!(
                    "Closes {} · <{}|Open in AsyncStand>",
                    local_time(self.closes_at, self.closes_fallback),
                    escape(self.link)
                )),
                {
                    "type": "actions",
                    "block_id": "standup",
                    "elements": [
                        {
                            "type": "button", "action_id": ANSWER_ACTION, "style": "primary",
                            "text": { "type": "plain_text", "text": "Answer" }, "value": id,
                        },
                        {
                            "type": "button", "action_id": SKIP_ACTION,
                            "text": { "type": "plain_text", "text": "Skip" }, "value": id,
                        },
                    ],
                },
            ],
        })
    }

    /// The reminder, posted as a reply under the DM (the caller adds `thread_ts`).
    #[must_use]
    pub fn reminder(&self) -> Value {
        let text = format!(
            "Reminder: {} closes {}. You have not answered yet.",
            self.title(),
            local_time(self.closes_at, self.closes_fallback)
        );
        json!({
            "text": format!("Reminder: {} closes soon", self.name),
            "blocks": [section(&text)],
        })
    }

    /// The DM as it reads once the standup closed: how the person responded, no buttons.
    #[must_use]
    pub fn closed(&self, state: ClosedAs) -> Value {
        let outcome = match state {
            ClosedAs::Answered => ":white_check_mark: You answered.",
            ClosedAs::Skipped => ":fast_forward: You skipped it.",
            ClosedAs::Missed => ":x: Missed: it closed without your answer.",
            ClosedAs::OutOfOffice => ":palm_tree: You were out of office.",
        };
        json!({
            "text": format!("{}: closed ({})", self.name, state.as_str()),
            "blocks": [
                section(&format!("{} is closed. {outcome}", self.title())),
                context(&format!("<{}|Read the digest>", escape(self.link))),
            ],
        })
    }
}

/// How a participant's DM reads after the close (`slack_messages.closed_state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClosedAs {
    Answered,
    Skipped,
    Missed,
    OutOfOffice,
}

impl ClosedAs {
    #[must_use]
    pub fn of(state: ParticipationState) -> Self {
        match state {
            ParticipationState::Answered => Self::Answered,
            ParticipationState::Skipped => Self::Skipped,
            ParticipationState::Pending => Self::Missed,
            ParticipationState::OutOfOffice => Self::OutOfOffice,
        }
    }

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Answered => "answered",
            Self::Skipped => "skipped",
            Self::Missed => "missed",
            Self::OutOfOffice => "out of office",
        }
    }
}

/// The digest as channel messages: a header and the counts, the blockers, a section per
/// person who answered (blocker answers first), who skipped and who did not answer, the
/// link; split into messages of at most [`MAX_BLOCKS`] blocks, each section at most
/// [`MAX_SECTION_CHARS`] characters. Part `n` of the result is recorded as part `n`.
#[must_use]
pub fn digest_messages(input: &DigestInput, compiled: &Digest) -> Vec<Value> {
    let title = format!(
        "{} — {} — {}",
        one_line(&input.team_name),
        one_line(&input.standup_name),
        input.local_date.format("%a %-d %b %Y")
    );
    let mut counts = format!(
        "{} answered · {} skipped · {} missing",
        compiled.answered, compiled.skipped, compiled.missing
    );
    if let Some(mood) = input.mood.as_ref().and_then(digest::MoodTally::line) {
        counts.push_str(" · ");
        counts.push_str(&mood);
    }
    let mut blocks = vec![
        json!({ "type": "header", "text": { "type": "plain_text", "text": truncate(&title, MAX_HEADER_CHARS) } }),
        context(&counts),
    ];
    if !compiled.blockers.is_empty() {
        let lines: Vec<String> = compiled
            .blockers
            .iter()
            .map(|(name, text)| format!("• *{}*: {}", escape(name), escape(text)))
            .collect();
        push_sections(
            &mut blocks,
            &format!(":warning: *Blockers*\n{}", lines.join("\n")),
        );
    }
    let people = digest::shown_people(input);
    for person in people
        .iter()
        .filter(|p| p.state == ParticipationState::Answered)
    {
        push_sections(&mut blocks, &person_text(person));
    }
    let skipped: Vec<String> = people
        .iter()
        .filter(|p| p.state == ParticipationState::Skipped)
        .map(|p| match &p.skip_reason {
            Some(reason) => format!("{} ({})", escape(&p.name), escape(reason)),
            None => escape(&p.name),
        })
        .collect();
    if !skipped.is_empty() {
        push_sections(&mut blocks, &format!("*Skipped*: {}", skipped.join(", ")));
    }
    let missing: Vec<String> = people
        .iter()
        .filter(|p| p.state == ParticipationState::Pending)
        .map(|p| escape(&p.name))
        .collect();
    if !missing.is_empty() {
        push_sections(&mut blocks, &format!("*No answer*: {}", missing.join(", ")));
    }
    let away: Vec<String> = people
        .iter()
        .filter(|p| p.state == ParticipationState::OutOfOffice)
        .map(|p| match &p.skip_reason {
            Some(note) => format!("{} ({})", escape(&p.name), escape(note)),
            None => escape(&p.name),
        })
        .collect();
    if !away.is_empty() {
        push_sections(
            &mut blocks,
            &format!("*Out of office*: {}", away.join(", ")),
        );
    }
    if let Some(url) = input
        .standup_url
        .as_deref()
        .filter(|u| !u.trim().is_empty())
    {
        blocks.push(context(&format!(
            "<{}|Open in AsyncStand>",
            escape(url.trim())
        )));
    }
    let parts = blocks.chunks(MAX_BLOCKS).count();
    blocks
        .chunks(MAX_BLOCKS)
        .enumerate()
        .map(|(index, chunk)| {
            let mut text = format!("Digest: {title} ({counts})");
            if parts > 1 {
                text.push_str(&format!(" [{}/{parts}]", index + 1));
            }
            json!({ "text": escape(&text), "blocks": chunk })
        })
        .collect()
}

/// A person's section: the name, then each shown answer under its prompt.
fn person_text(person: &ShownPerson) -> String {
    let mut text = format!("*{}*", escape(&person.name));
    for answer in &person.answers {
        let marker = if answer.kind == QuestionKind::Blocker {
            ":warning: "
        } else {
            ""
        };
        text.push_str(&format!(
            "\n{marker}_{}_\n{}",
            escape(&one_line(&answer.prompt)),
            escape(&answer.text)
        ));
    }
    text
}

/// Adds `text` (already escaped) as one section, or several when it is longer than
/// [`MAX_SECTION_CHARS`].
fn push_sections(blocks: &mut Vec<Value>, text: &str) {
    for piece in split_text(text, MAX_SECTION_CHARS) {
        blocks.push(section(&piece));
    }
}

/// Splits `text` into pieces of at most `max` characters, at a line break when there is
/// one in the piece's second half, else at a space, else anywhere (never inside an
/// escape such as `&amp;`).
fn split_text(text: &str, max: usize) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut rest: &str = text;
    while rest.chars().count() > max {
        let limit = rest
            .char_indices()
            .nth(max)
            .map_or(rest.len(), |(index, _)| index);
        let window = &rest[..limit];
        let half = window
            .char_indices()
            .nth(max / 2)
            .map_or(0, |(index, _)| index);
        let mut cut = window[half..]
            .rfind('\n')
            .or_else(|| window[half..].rfind(' '))
            .map_or(limit, |at| half + at);
        // Never split an entity: move before an `&` that has no `;` after it in the piece.
        if let Some(amp) = window[..cut].rfind('&')
            && !window[amp..cut].contains(';')
            && amp > 0
        {
            cut = amp;
        }
        pieces.push(rest[..cut].to_owned());
        rest = rest[cut..].trim_start_matches('\n');
    }
    if !rest.is_empty() || pieces.is_empty() {
        pieces.push(rest.to_owned());
    }
    pieces
}

fn section(text: &str) -> Value {
    json!({ "type": "section", "text": { "type": "mrkdwn", "text": text } })
}

fn context(text: &str) -> Value {
    json!({ "type": "context", "elements": [ { "type": "mrkdwn", "text": text } ] })
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max - 1).collect();
    out.push('…');
    out
}

/// The instants before which each workspace must not be called, as Slack asked with
/// `429 Retry-After`. In memory, per worker process: a job of a waiting workspace is sent
/// back to the retry ladder without calling Slack, and other workspaces' jobs run.
#[derive(Debug, Default)]
pub struct Gate {
    not_before: Mutex<HashMap<String, Instant>>,
}

impl Gate {
    /// How long `workspace` must still wait; `None` when it may be called now.
    #[must_use]
    pub fn wait(&self, workspace: &str) -> Option<Duration> {
        let mut map = self.lock();
        let now = Instant::now();
        match map.get(workspace) {
            Some(until) if *until > now => Some(*until - now),
            Some(_) => {
                map.remove(workspace);
                None
            }
            None => None,
        }
    }

    /// `workspace` must not be called for `wait` (a longer wait already set stays).
    pub fn hold(&self, workspace: &str, wait: Duration) {
        let until = Instant::now() + wait;
        let mut map = self.lock();
        let entry = map.entry(workspace.to_owned()).or_insert(until);
        if *entry < until {
            *entry = until;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Instant>> {
        self.not_before
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use schema::digest::{DigestAnswer, DigestParticipant, DigestQuestion};

    fn dm<'a>(prompts: &'a [String]) -> StandupDm<'a> {
        StandupDm {
            standup_id: StandupId(uuid::Uuid::from_u128(7)),
            name: "Daily <sync>",
            team: "R&D",
            date: "2026-12-07",
            prompts,
            closes_at: "2026-12-07T10:00:00Z".parse().unwrap(),
            closes_fallback: "Mon 7 Dec 2026, 11:00 (Europe/Berlin)",
            link: "https://standup.example/standups/7",
        }
    }

    #[test]
    fn escapes_what_mrkdwn_reads_as_markup() {
        assert_eq!(
            escape("a & b <@U123> <!channel> >"),
            "a &amp; b &lt;@U123&gt; &lt;!channel&gt; &gt;"
        );
        assert_eq!(escape("plain *bold* ok"), "plain *bold* ok");
    }

    #[test]
    fn the_open_dm_has_the_questions_the_local_deadline_and_answer_and_skip_buttons() {
        let prompts = vec!["What did you do?".to_owned(), "Blocked by <x>?".to_owned()];
        let message = dm(&prompts).open();
        let blocks = message["blocks"].as_array().unwrap();
        let text = message.to_string();
        assert!(text.contains("*Daily &lt;sync&gt;* of R&amp;D"), "{text}");
        assert!(text.contains("• Blocked by &lt;x&gt;?"), "{text}");
        assert!(
            text.contains("<!date^1796637600^{date_short_pretty} at {time}|Mon 7 Dec 2026, 11:00 (Europe/Berlin)>"),
            "{text}"
        );
        let actions = blocks.iter().find(|b| b["type"] == "actions").unwrap();
        let buttons: Vec<(&str, &str)> = actions["elements"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| {
                (
                    b["action_id"].as_str().unwrap(),
                    b["value"].as_str().unwrap(),
                )
            })
            .collect();
        let id = uuid::Uuid::from_u128(7).to_string();
        assert_eq!(buttons, [("answer", id.as_str()), ("skip", id.as_str())]);
    }

    #[test]
    fn the_closed_dm_says_how_the_person_responded_and_has_no_buttons() {
        let prompts = vec!["Q".to_owned()];
        for (state, words) in [
            (ParticipationState::Answered, "You answered"),
            (ParticipationState::Skipped, "You skipped"),
            (ParticipationState::Pending, "Missed"),
            (ParticipationState::OutOfOffice, "out of office"),
        ] {
            let message = dm(&prompts).closed(ClosedAs::of(state));
            let text = message.to_string();
            assert!(text.contains(words), "{text}");
            assert!(!text.contains("\"actions\""), "{text}");
        }
        assert!(dm(&prompts).reminder().to_string().contains("Reminder"));
    }

    fn input(people: usize, answer: &str) -> DigestInput {
        let question = |n: u128, kind| DigestQuestion {
            id: uuid::Uuid::from_u128(n),
            prompt: format!("Question {n}"),
            kind,
            required: false,
        };
        DigestInput {
            team_name: "Platform".into(),
            standup_name: "Daily".into(),
            local_date: "2026-12-07".parse().unwrap(),
            timezone: "UTC".into(),
            questions: vec![
                question(1, QuestionKind::Text),
                question(2, QuestionKind::Blocker),
            ],
            participants: (0..people)
                .map(|n| DigestParticipant {
                    user_id: uuid::Uuid::from_u128(100 + n as u128),
                    name: format!("Person {n:03}"),
                    email: format!("p{n}@example.com"),
                    state: match n % 3 {
                        0 | 1 => ParticipationState::Answered,
                        _ => ParticipationState::Skipped,
                    },
                    skip_reason: Some("Away".into()),
                    answers: vec![
                        DigestAnswer {
                            question_id: uuid::Uuid::from_u128(1),
                            text: answer.into(),
                        },
                        DigestAnswer {
                            question_id: uuid::Uuid::from_u128(2),
                            text: if n == 1 {
                                "Waiting on <ops> & review".into()
                            } else {
                                "none".into()
                            },
                        },
                    ],
                    submitted_at: None,
                })
                .collect(),
            standup_url: Some("https://standup.example/standups/7".into()),
            ongoing_blockers: Vec::new(),
            resolved_blockers: Vec::new(),
            mood: None,
        }
    }

    fn sections(messages: &[Value]) -> Vec<String> {
        messages
            .iter()
            .flat_map(|m| m["blocks"].as_array().unwrap().clone())
            .filter(|b| b["type"] == "section")
            .map(|b| b["text"]["text"].as_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn the_digest_puts_blockers_first_and_escapes_every_answer() {
        let input = input(3, "Shipped <b>it</b> & more");
        let messages = digest_messages(&input, &digest::compile(&input));
        assert_eq!(messages.len(), 1);
        let sections = sections(&messages);
        assert!(
            sections[0].starts_with(":warning: *Blockers*"),
            "{sections:?}"
        );
        assert!(
            sections[0].contains("*Person 001*: Waiting on &lt;ops&gt; &amp; review"),
            "{sections:?}"
        );
        assert!(sections[1].starts_with("*Person 000*"), "{sections:?}");
        // Within a person, the blocker question comes first.
        let person = &sections[2];
        assert!(
            person.find("Question 2").unwrap() < person.find("Question 1").unwrap(),
            "{person}"
        );
        assert!(
            person.contains("Shipped &lt;b&gt;it&lt;/b&gt; &amp; more"),
            "{person}"
        );
        assert!(!messages[0].to_string().contains("<b>"), "unescaped answer");
        assert!(
            sections
                .iter()
                .any(|s| s.contains("*Skipped*: Person 002 (Away)"))
        );
    }

    #[test]
    fn a_long_digest_is_split_within_slacks_limits() {
        let long = "word & <tag> ".repeat(400); // ~5,000 characters escaped
        let input = input(120, &long);
        let messages = digest_messages(&input, &digest::compile(&input));
        assert!(messages.len() > 2, "{}", messages.len());
        for message in &messages {
            let blocks = message["blocks"].as_array().unwrap();
            assert!(blocks.len() <= MAX_BLOCKS);
        }
        for text in sections(&messages) {
            assert!(text.chars().count() <= MAX_SECTION_CHARS, "{}", text.len());
            assert!(!text.contains('<'), "unescaped");
            // No entity cut in half.
            assert!(!text.ends_with('&') && !text.ends_with("&amp"), "{text}");
        }
        // Everyone who answered is there, in order.
        let all = sections(&messages).join("\n");
        let first = all.find("*Person 000*").unwrap();
        let last = all.find("*Person 118*").unwrap();
        assert!(first < last);
    }

    #[test]
    fn split_text_keeps_short_text_and_cuts_long_text_at_line_breaks() {
        assert_eq!(split_text("short", 10), ["short"]);
        assert_eq!(split_text("", 10), [""]);
        let pieces = split_text("aaaa bbbb\ncccc dddd\neeee", 12);
        assert_eq!(pieces, ["aaaa bbbb", "cccc dddd", "eeee"]);
        let pieces = split_text(&"x".repeat(25), 10);
        assert_eq!(
            pieces.iter().map(String::len).collect::<Vec<_>>(),
            [10, 10, 5]
        );
    }

    #[test]
    fn the_gate_holds_a_workspace_and_lets_others_through() {
        let gate = Gate::default();
        assert_eq!(gate.wait("T1"), None);
        gate.hold("T1", Duration::from_secs(60));
        gate.hold("T1", Duration::from_secs(1)); // a shorter wait does not shorten it
        assert!(gate.wait("T1").unwrap() > Duration::from_secs(50));
        assert_eq!(gate.wait("T2"), None);
        gate.hold("T2", Duration::ZERO);
        assert_eq!(gate.wait("T2"), None);
    }
}
