//! The questions of a standup: edit, add, remove, move up.

use schema::enums::QuestionKind;
use schema::standup::MAX_QUESTIONS;
use yew::prelude::*;

use super::Editor;
use super::draft::{Draft, QuestionDraft};
use crate::components::{Button, ButtonKind, Checkbox, SelectField, TextField};

/// A change to question `index` (its error is the list's: "questions").
fn set_question(
    editor: &Editor,
    index: usize,
    change: fn(&mut QuestionDraft, String),
) -> Callback<String> {
    editor.set("questions", move |d: &mut Draft, value| {
        if let Some(q) = d.questions.get_mut(index) {
            change(q, value);
        }
    })
}

/// A button's change to the list at `index`.
fn question_action(
    editor: &Editor,
    index: usize,
    action: fn(&mut Vec<QuestionDraft>, usize),
) -> Callback<MouseEvent> {
    editor.change(move |d: &mut Draft, _| action(&mut d.questions, index))
}

/// The "Questions" card.
pub fn questions(editor: &Editor) -> Html {
    let draft = &editor.draft;
    let add_question = editor.change(|d: &mut Draft, _: MouseEvent| {
        if d.questions.len() < MAX_QUESTIONS {
            d.questions.push(QuestionDraft {
                id: None,
                prompt: String::new(),
                kind: QuestionKind::Text,
                required: false,
            });
        }
    });
    let kinds: Vec<(AttrValue, AttrValue)> = vec![
        ("TEXT".into(), "Text".into()),
        ("BLOCKER".into(), "Blocker".into()),
        ("MOOD".into(), "Mood".into()),
    ];
    let questions = draft
        .questions
        .iter()
        .enumerate()
        .map(|(i, q)| {
            html! {
                <li class="question-row" key={format!("{i}-{}", q.id.clone().unwrap_or_default())} data-testid="question-row">
                    <span class="question-number" aria-hidden="true">{ i + 1 }</span>
                    <div class="question-fields">
                        <TextField id={format!("question-{i}")} label={format!("Question {}", i + 1)}
                            value={q.prompt.clone()} oninput={set_question(editor, i, |q, v| q.prompt = v)} />
                        <div class="question-options">
                            <SelectField id={format!("question-{i}-kind")} label="Kind" options={kinds.clone()}
                                value={q.kind.as_str()}
                                onchange={set_question(editor, i, |q, v| q.kind = v.parse().unwrap_or(QuestionKind::Text))} />
                            <Checkbox id={format!("question-{i}-required")} label="Required" checked={q.required}
                                onchange={{ let cb = set_question(editor, i, |q, v| q.required = v == "true"); Callback::from(move |b: bool| cb.emit(b.to_string())) }} />
                            <Button kind={ButtonKind::Ghost} disabled={i == 0}
                                onclick={question_action(editor, i, |qs, i| if i > 0 { qs.swap(i, i - 1) })}>
                                <span aria-hidden="true">{ "↑" }</span><span class="visually-hidden">{ format!("Move question {} up", i + 1) }</span>
                            </Button>
                            <Button kind={ButtonKind::Ghost} disabled={draft.questions.len() <= 1}
                                onclick={question_action(editor, i, |qs, i| { if i < qs.len() { qs.remove(i); } })}>
                                { format!("Remove question {}", i + 1) }
                            </Button>
                        </div>
                    </div>
                </li>
            }
        })
        .collect::<Html>();

    html! {
        <section class="card form" aria-labelledby="questions-title">
            <h2 id="questions-title" class="card-title">{ "Questions" }</h2>
            if let Some(error) = editor.save.errors().field("questions") {
                <p class="field-error" role="alert" data-testid="questions-error"><span class="field-error-icon" aria-hidden="true">{ "!" }</span>{ error }</p>
            }
            <ol class="question-list">{ questions }</ol>
            if draft.questions.iter().any(|q| q.kind == QuestionKind::Mood) {
                <Checkbox id="anonymous-mood" label="Anonymous mood"
                    hint="Moods are 1 to 5. Others see only the average, and only once 3 people have given one."
                    checked={draft.anonymous_mood} onchange={editor.flag(|d, on| d.anonymous_mood = on)} />
            }
            <div>
                <Button kind={ButtonKind::Secondary} onclick={add_question}
                    disabled={draft.questions.len() >= MAX_QUESTIONS} testid="add-question">
                    { "Add a question" }
                </Button>
            </div>
        </section>
    }
}
