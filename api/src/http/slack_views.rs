//! The Block Kit AsyncStand shows in Slack for answering: the answer and skip modals,
//! the modal that says why not, and the `/standup` list.

use crate::service::slack_answers::AnswerForm;
use schema::enums::QuestionKind;
use schema::standup::{ANSWER_MAX_CHARS, MOOD_LABELS, SKIP_REASON_MAX_CHARS};
use schema_server::db::models::Standup;
use serde_json::{Value, json};

/// `callback_id` of the answer modal.
pub const ANSWERS_CALLBACK: &str = "standup_answers";
/// `callback_id` of the skip modal.
pub const SKIP_CALLBACK: &str = "standup_skip";
/// `action_id` of the Answer button (its value: the standup id).
pub const ANSWER_ACTION: &str = "answer";
/// `action_id` of the Skip button (its value: the standup id).
pub const SKIP_ACTION: &str = "skip";
/// `block_id` and `action_id` of the skip modal's reason.
pub const REASON: &str = "reason";

/// Slack's limit on a modal title.
const TITLE_MAX_CHARS: usize = 24;

fn plain(text: &str) -> Value {
    json!({ "type": "plain_text", "text": text, "emoji": true })
}

/// `text` escaped for Slack's mrkdwn (`&`, `<`, `>`), so a name cannot ping or link.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn title(text: &str) -> Value {
    let mut short: String = text.chars().take(TITLE_MAX_CHARS).collect();
    if text.chars().count() > TITLE_MAX_CHARS {
        short = short.chars().take(TITLE_MAX_CHARS - 1).collect();
        short.push('…');
    }
    plain(if short.trim().is_empty() {
        "Standup"
    } else {
        &short
    })
}

/// When `standup` closes, on the reader's clock (Slack formats `<!date…>` in each
/// person's time zone).
fn closes(standup: &Standup) -> String {
    format!(
        "<!date^{}^closes {{date_short_pretty}} at {{time}}|closes {}>",
        standup.closes_at.timestamp(),
        standup.closes_at.format("%Y-%m-%d %H:%M UTC")
    )
}

/// The block of a MOOD question's optional comment: the question id and this.
pub const COMMENT_SUFFIX: &str = ":comment";

/// A MOOD question: a 1-5 select (`block_id` = the question id) and an optional comment
/// (`block_id` = the id and [`COMMENT_SUFFIX`]), prefilled with the current answer.
fn mood_blocks(form: &AnswerForm, question: &schema::standup::Question) -> [Value; 2] {
    let option = |n: usize| {
        json!({
            "text": plain(&format!("{n} {}", MOOD_LABELS[n - 1])),
            "value": n.to_string(),
        })
    };
    let mut select = json!({
        "type": "static_select",
        "action_id": ANSWER_ACTION,
        "placeholder": plain("1 (awful) to 5 (great)"),
        "options": (1..=MOOD_LABELS.len()).map(option).collect::<Vec<_>>(),
    });
    if let Some(mood) = form
        .moods
        .get(&question.id)
        .and_then(|m| usize::try_from(*m).ok())
        .filter(|m| (1..=MOOD_LABELS.len()).contains(m))
    {
        select["initial_option"] = option(mood);
    }
    let mut comment = json!({
        "type": "plain_text_input",
        "action_id": ANSWER_ACTION,
        "max_length": ANSWER_MAX_CHARS,
    });
    if let Some(text) = form.answers.get(&question.id).filter(|t| !t.is_empty()) {
        comment["initial_value"] = text.as_str().into();
    }
    [
        json!({
            "type": "input",
            "block_id": question.id.to_string(),
            "optional": !question.required,
            "label": plain(&question.prompt),
            "element": select,
        }),
        json!({
            "type": "input",
            "block_id": format!("{}{COMMENT_SUFFIX}", question.id),
            "optional": true,
            "label": plain("Comment (optional)"),
            "element": comment,
        }),
    ]
}

/// The answer modal: one multi-line input per question (`block_id` = the question id),
/// prefilled with the current answer; optional questions are optional inputs. A MOOD
/// question is a 1-5 select and a comment ([`mood_blocks`]).
pub fn answer_modal(form: &AnswerForm) -> Value {
    let mut blocks = vec![json!({
        "type": "context",
        "elements": [{ "type": "mrkdwn", "text": format!("{} · {}", escape(&form.standup.name), closes(&form.standup)) }]
    })];
    for question in &form.questions {
        if question.kind == QuestionKind::Mood {
            blocks.extend(mood_blocks(form, question));
            continue;
        }
        let mut element = json!({
            "type": "plain_text_input",
            "action_id": ANSWER_ACTION,
            "multiline": true,
            "max_length": ANSWER_MAX_CHARS,
        });
        if let Some(answer) = form.answers.get(&question.id) {
            element["initial_value"] = answer.as_str().into();
        }
        blocks.push(json!({
            "type": "input",
            "block_id": question.id.to_string(),
            "optional": !question.required,
            "label": plain(&question.prompt),
            "element": element,
        }));
    }
    json!({
        "type": "modal",
        "callback_id": ANSWERS_CALLBACK,
        "private_metadata": form.standup.id.to_string(),
        "title": title(&form.standup.name),
        "submit": plain("Submit"),
        "close": plain("Cancel"),
        "blocks": blocks,
    })
}

/// The skip modal: an optional reason.
pub fn skip_modal(standup: &Standup) -> Value {
    json!({
        "type": "modal",
        "callback_id": SKIP_CALLBACK,
        "private_metadata": standup.id.to_string(),
        "title": title(&standup.name),
        "submit": plain("Skip"),
        "close": plain("Cancel"),
        "blocks": [
            { "type": "section", "text": { "type": "mrkdwn", "text": format!("Skip *{}* ({})?", escape(&standup.name), closes(standup)) } },
            {
                "type": "input",
                "block_id": REASON,
                "optional": true,
                "label": plain("Reason (optional)"),
                "element": { "type": "plain_text_input", "action_id": REASON, "max_length": SKIP_REASON_MAX_CHARS },
            },
        ],
    })
}

/// A modal that only says `text` (e.g. that the standup closed).
pub fn notice_modal(text: &str) -> Value {
    json!({
        "type": "modal",
        "title": plain("AsyncStand"),
        "close": plain("Close"),
        "blocks": [{ "type": "section", "text": { "type": "mrkdwn", "text": escape(text) } }],
    })
}

/// An ephemeral answer to a slash command: only the person who typed it sees it.
pub fn ephemeral(text: &str, blocks: Vec<Value>) -> Value {
    let mut message = json!({ "response_type": "ephemeral", "text": text });
    if !blocks.is_empty() {
        message["blocks"] = Value::Array(blocks);
    }
    message
}

/// `/standup`: the open standups, each with Answer and Skip buttons.
pub fn open_list(standups: &[Standup]) -> Value {
    if standups.is_empty() {
        return ephemeral("You have no open standups. Nice!", Vec::new());
    }
    let mut blocks = vec![json!({
        "type": "section",
        "text": { "type": "mrkdwn", "text": format!("You have {} open standup{}:", standups.len(), if standups.len() == 1 { "" } else { "s" }) }
    })];
    for standup in standups {
        let id = standup.id.to_string();
        blocks.push(json!({
            "type": "section",
            "text": { "type": "mrkdwn", "text": format!("*{}* · {}", escape(&standup.name), closes(standup)) }
        }));
        blocks.push(json!({
            "type": "actions",
            "block_id": format!("standup-{id}"),
            "elements": [
                { "type": "button", "action_id": ANSWER_ACTION, "value": id, "style": "primary", "text": plain("Answer") },
                { "type": "button", "action_id": SKIP_ACTION, "value": id, "text": plain("Skip") },
            ]
        }));
    }
    ephemeral("Your open standups", blocks)
}

/// `/standup help`.
pub fn help() -> Value {
    ephemeral(
        "AsyncStand in Slack",
        vec![json!({
            "type": "section",
            "text": { "type": "mrkdwn", "text": "*AsyncStand*\n• `/standup` lists your open standups, each with *Answer* and *Skip* buttons.\n• `/standup help` shows this.\nAnswers given here show on the web at once, and the other way round." }
        })],
    )
}

/// What a Slack user who is not matched to a member is told.
pub const NOT_MATCHED: &str = "AsyncStand does not know you yet. People are matched by e-mail: use the same e-mail address in AsyncStand and in Slack, then ask an owner or admin to run Sync in Settings → Integrations.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mrkdwn_is_escaped_and_titles_fit_slack() {
        assert_eq!(escape("<@U1> & <!here>"), "&lt;@U1&gt; &amp; &lt;!here&gt;");
        assert_eq!(title("Daily")["text"], "Daily");
        let long = title("A very long standup name that Slack would refuse");
        assert_eq!(long["text"].as_str().map(|t| t.chars().count()), Some(24));
        assert_eq!(title("  ")["text"], "Standup");
    }
}
