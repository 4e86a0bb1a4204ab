//! Standups: "My standups" (the inbox), one standup (answer, skip, live answers, the
//! digest), and a team's history with participation. The lists' rows, a team's recent
//! runs and "Start now" are in `components/` (the team page shows them too).

use std::collections::BTreeMap;

use schema::enums::{ParticipationState, QuestionKind, StandupState};
use schema::ops::{
    AnswerInput, CloseStandup, ErrorCode, MyStandupsQuery, MyStandupsVariables, Participation,
    Question, SkipByLink, SkipByLinkVariables, SkipStandup, SkipStandupVariables, Standup,
    StandupFilter, StandupIdVariables, StandupOrganizationQuery, StandupOrganizationVariables,
    StandupQuery, StandupVariables, SubmitAnswers, SubmitAnswersByLink,
    SubmitAnswersByLinkVariables, SubmitAnswersInput, SubmitAnswersVariables, SwitchOrganization,
    SwitchOrganizationVariables, TeamParticipationQuery, TeamParticipationVariables,
    TeamStandupsQuery, TeamStandupsVariables,
};
use schema::standup::MOOD_LABELS;
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;
use yew_router::prelude::*;

use super::use_title;
use crate::api::live::use_standup_events;
use crate::api::use_api;
use crate::app::Route;
use crate::components::{
    Button, ButtonKind, Confirmation, EmptyState, ErrorBanner, TextField, confirm_dialog,
    participation_label, standup_row, state_badge, table_skeleton, use_viewer,
};
use crate::format;
use crate::hooks::{
    FormErrors, Load, MutationOptions, use_mutation, use_paged_query, use_query, use_session,
};

// ---------------------------------------------------------------------------------
// My standups

#[component]
pub fn MyStandupsPage() -> Html {
    use_title("My standups");
    let mine = use_query::<MyStandupsQuery, _>(MyStandupsVariables { state: None }, ());
    let body = match &*mine.state {
        Load::Loading => table_skeleton("Loading your standups…", 4),
        Load::Failed(err) => html! {
            <ErrorBanner title="Your standups could not be loaded" message={err.user_message()} on_retry={mine.retry.clone()} />
        },
        Load::Ready(data) if data.my_standups.is_empty() => html! {
            <EmptyState title="No standups for you yet" testid="inbox-empty">
                <p class="muted">{ "When a team you are in runs a standup, it appears here." }</p>
            </EmptyState>
        },
        Load::Ready(data) => {
            let (open, closed): (Vec<_>, Vec<_>) = data
                .my_standups
                .iter()
                .partition(|s| s.state == StandupState::Open);
            html! {
                <>
                    <section class="card" aria-labelledby="open-title">
                        <h2 id="open-title" class="card-title">{ format!("Open ({})", open.len()) }</h2>
                        if open.is_empty() {
                            <p class="muted">{ "Nothing to answer right now." }</p>
                        } else {
                            <ul class="standup-list" data-testid="inbox-open">{ for open.iter().map(|s| standup_row(s, true)) }</ul>
                        }
                    </section>
                    if !closed.is_empty() {
                        <section class="card" aria-labelledby="closed-title">
                            <h2 id="closed-title" class="card-title">{ "Recently closed" }</h2>
                            <ul class="standup-list" data-testid="inbox-closed">{ for closed.iter().map(|s| standup_row(s, true)) }</ul>
                        </section>
                    }
                </>
            }
        }
    };
    html! {
        <>
            <header class="page-header">
                <h1 class="page-title">{ "My standups" }</h1>
                <p class="page-description">{ "Answer your open standups; read the digests of closed ones." }</p>
            </header>
            { body }
        </>
    }
}

// ---------------------------------------------------------------------------------
// One standup

#[derive(Properties, PartialEq)]
pub struct StandupPageProps {
    pub id: AttrValue,
}

#[component]
pub fn StandupPage(props: &StandupPageProps) -> Html {
    use_title("Standup");
    let version = use_state(|| 0u32);
    let standup = use_query::<StandupQuery, _>(
        StandupVariables {
            id: props.id.to_string(),
        },
        *version,
    );
    let missing = html! {
        <EmptyState title="This standup does not exist" testid="standup-missing">
            <p class="muted">{ "It may have been deleted, or belong to another organization." }</p>
            <Link<Route> to={Route::MyStandups}>{ "My standups" }</Link<Route>>
        </EmptyState>
    };
    let refetch = {
        let version = version.clone();
        Callback::from(move |()| version.set(*version + 1))
    };
    match &*standup.state {
        Load::Loading => table_skeleton("Loading the standup…", 4),
        // Perhaps a standup of another of the viewer's organizations: switch to it.
        Load::Failed(err) if matches!(err.code(), Some(ErrorCode::NotFound)) => html! {
            <OtherOrganization id={props.id.clone()} {missing} switched={refetch} />
        },
        // A malformed id: trying again cannot help.
        Load::Failed(err) if matches!(err.code(), Some(ErrorCode::BadUserInput)) => missing,
        Load::Failed(err) => html! {
            <ErrorBanner title="This standup could not be loaded" message={err.user_message()} on_retry={standup.retry.clone()} />
        },
        Load::Ready(data) => match &data.standup {
            None => missing,
            Some(s) => html! { <StandupView standup={s.clone()} {refetch} /> },
        },
    }
}

#[derive(Properties, PartialEq)]
struct OtherOrganizationProps {
    id: AttrValue,
    missing: Html,
    switched: Callback<()>,
}

/// A standup the current organization does not have: when it is in another of the
/// viewer's organizations (a link from an e-mail of that one), switch there and load it;
/// otherwise show `missing`.
#[component]
fn OtherOrganization(props: &OtherOrganizationProps) -> Html {
    let client = use_api();
    let session = use_session();
    let found = use_query::<StandupOrganizationQuery, _>(
        StandupOrganizationVariables {
            id: props.id.to_string(),
        },
        (),
    );
    let switch = use_mutation(MutationOptions {
        toast_errors: true,
        ..Default::default()
    });
    let current = session.auth().map(|auth| auth.organization.id);
    let target = match &*found.state {
        Load::Ready(data) => data
            .standup_organization
            .clone()
            .filter(|org| Some(org.id) != current),
        _ => None,
    };
    {
        let (client, switched, switch) = (client.clone(), props.switched.clone(), switch.clone());
        use_effect_with(target.clone(), move |target| {
            if let Some(org) = target.clone() {
                let vars = SwitchOrganizationVariables {
                    organization_id: org.id,
                };
                switch.run::<SwitchOrganization>(vars, move |data| {
                    client.accept(data.switch_organization);
                    switched.emit(());
                    Some(format!("Switched to {}", org.name))
                });
            }
        });
    }
    match (&*found.state, target) {
        (Load::Loading, _) => table_skeleton("Loading the standup…", 4),
        (_, Some(org)) => html! {
            <p class="muted" role="status" data-testid="switching-organization">
                { format!("This standup is in {}; switching there…", org.name) }
            </p>
        },
        _ => props.missing.clone(),
    }
}

#[derive(Properties, PartialEq)]
struct StandupViewProps {
    standup: Standup,
    refetch: Callback<()>,
}

#[component]
fn StandupView(props: &StandupViewProps) -> Html {
    let viewer = use_viewer();
    let closing = use_mutation(MutationOptions {
        toast_errors: true,
        settled: Some(props.refetch.reform(|_| ())),
        ..Default::default()
    });
    let s = &props.standup;
    // Live: any event of this standup reloads it (answers appear without a reload).
    {
        let refetch = props.refetch.clone();
        let standup_id = s.id.clone();
        use_standup_events(
            s.team.id.clone(),
            Callback::from(move |event: Option<schema::ops::StandupEvent>| {
                if event.is_none_or(|e| e.standup_id == standup_id) {
                    refetch.emit(());
                }
            }),
        );
    }
    // The digest is compiled by a worker just after the close: look again until it is in.
    {
        let refetch = props.refetch.clone();
        let waiting = s.state == StandupState::Closed && s.digest.is_none();
        use_effect_with((waiting, s.clone()), move |(waiting, _)| {
            let timer = waiting
                .then(|| gloo_timers::callback::Timeout::new(1_500, move || refetch.emit(())));
            move || drop(timer)
        });
    }
    let is_admin = viewer.as_ref().is_some_and(|v| v.role.is_admin());
    // Closing is irreversible (the digest goes out): ask first.
    let confirming = use_state(|| false);
    let ask_close = {
        let confirming = confirming.clone();
        Callback::from(move |_: MouseEvent| confirming.set(true))
    };
    let cancel_close = {
        let confirming = confirming.clone();
        Callback::from(move |()| confirming.set(false))
    };
    let close = {
        let closing = closing.clone();
        let standup_id = s.id.clone();
        let confirming = confirming.clone();
        Callback::from(move |_: MouseEvent| {
            confirming.set(false);
            let vars = StandupIdVariables {
                standup_id: standup_id.clone(),
            };
            closing.run::<CloseStandup>(vars, |_| {
                Some("Closed; the digest is on its way".to_owned())
            });
        })
    };

    let counts = {
        let answered = s
            .participations
            .iter()
            .filter(|p| p.state == ParticipationState::Answered)
            .count();
        let skipped = s
            .participations
            .iter()
            .filter(|p| p.state == ParticipationState::Skipped)
            .count();
        format!(
            "{answered} of {} answered{}",
            s.participations.len(),
            if skipped > 0 {
                format!(" · {skipped} skipped")
            } else {
                String::new()
            }
        )
    };
    let prompts: BTreeMap<String, (String, QuestionKind)> = s
        .questions
        .iter()
        .map(|q| (q.id.clone(), (q.prompt.clone(), q.kind)))
        .collect();

    html! {
        <>
            <nav class="breadcrumbs" aria-label="Breadcrumb">
                <Link<Route> to={Route::Team { id: s.team.id.clone() }}>{ s.team.name.clone() }</Link<Route>>
                <span aria-hidden="true">{ " / " }</span>
                <span aria-current="page">{ s.local_date.clone() }</span>
            </nav>
            <header class="page-header page-header-actions">
                <div>
                    <h1 class="page-title" data-testid="standup-title">{ format!("{} · {}", s.name, s.local_date) }</h1>
                    <p class="page-description">
                        { state_badge(s.state) }
                        { match (s.state, s.closed_at) {
                            (StandupState::Open, _) => format!(" {} · {counts}", format::local::deadline("Closes", s.closes_at, &s.timezone)),
                            (StandupState::Closed, Some(at)) => format!(" Closed {} · {counts}", format::local::at_for_team(at, &s.timezone)),
                            (StandupState::Closed, None) => format!(" Closed · {counts}"),
                        } }
                    </p>
                </div>
                if is_admin && s.state == StandupState::Open {
                    <Button kind={ButtonKind::Secondary} busy={closing.busy()} onclick={ask_close} testid="close-standup">{ "Close now" }</Button>
                }
            </header>
            if *confirming {
                { confirm_dialog(
                    Confirmation {
                        title: format!("Close {} now?", s.name),
                        text: "Nobody can answer or skip after this, and the digest goes out.".into(),
                        label: "Close now".into(),
                        kind: ButtonKind::Danger,
                        busy: false,
                    },
                    cancel_close.clone(),
                    close,
                ) }
            }
            if let Some(mine) = &s.my_participation {
                if s.state == StandupState::Open {
                    <super::my_blockers::MyOpenBlockers />
                    <AnswerForm questions={s.questions.clone()} target={AnswerTarget::Standup(s.id.clone())} mine={mine.clone()} on_saved={props.refetch.clone()} />
                }
            }
            if s.state == StandupState::Closed && s.digest.is_none() {
                <section class="card" aria-live="polite">
                    <p class="muted" data-testid="digest-pending">{ "Compiling the digest…" }</p>
                </section>
            }
            if let Some(digest) = &s.digest {
                <section class="card" aria-labelledby="digest-title" data-testid="digest">
                    <h2 id="digest-title" class="card-title">{ "Digest" }</h2>
                    <p class="digest-counts">
                        { format!("{} answered · {} skipped · {} missing", digest.answered, digest.skipped, digest.missing) }
                    </p>
                    <pre class="digest-text">{ digest.text.clone() }</pre>
                    if let Some(at) = digest.delivered_at {
                        <p class="muted">{ format!("Delivered {}", format::local::at(at)) }</p>
                    }
                </section>
            }
            { mood_card(s) }
            <section class="card" aria-labelledby="answers-title" aria-live="polite">
                <h2 id="answers-title" class="card-title">{ "Answers" }</h2>
                <ul class="answer-list" data-testid="answers">
                    { for s.participations.iter().map(|p| participation_card(p, s.state, &prompts)) }
                </ul>
            </section>
        </>
    }
}

/// The team's mood: the average (with anonymous moods, nothing until 3 people have given
/// one). None when the standup asks no mood.
fn mood_card(s: &Standup) -> Html {
    if !s.questions.iter().any(|q| q.kind == QuestionKind::Mood) {
        return Html::default();
    }
    let body = match &s.mood_summary {
        Some(summary) => html! {
            <>
                <p data-testid="mood-average">
                    <strong>{ format!("{}/5", format::tenths(summary.average())) }</strong>
                    { format!(" average from {} {}", summary.people, if summary.people == 1 { "person" } else { "people" }) }
                </p>
            </>
        },
        None if s.anonymous_mood => html! {
            <p class="muted" data-testid="mood-hidden">
                { "Moods are anonymous: the team's average shows once 3 people have given one." }
            </p>
        },
        None => html! { <p class="muted">{ "No moods yet." }</p> },
    };
    html! {
        <section class="card" aria-labelledby="mood-title" data-testid="mood-summary">
            <h2 id="mood-title" class="card-title">
                { "Team mood" }
                if s.anonymous_mood { <span class="badge badge-muted">{ "Anonymous" }</span> }
            </h2>
            { body }
        </section>
    }
}

fn participation_card(
    p: &Participation,
    standup: StandupState,
    prompts: &BTreeMap<String, (String, QuestionKind)>,
) -> Html {
    let mut answers: Vec<_> = p
        .answers
        .iter()
        .filter(|a| a.mood.is_some() || !a.text.trim().is_empty())
        .filter_map(|a| {
            let text = match a.mood.and_then(|m| i16::try_from(m).ok()) {
                Some(mood) => schema::standup::mood_text(mood, &a.text),
                None => a.text.clone(),
            };
            prompts
                .get(&a.question.id)
                .map(|(prompt, kind)| (prompt, *kind, text))
        })
        .collect();
    // Blockers first.
    answers.sort_by_key(|(_, kind, _)| *kind != QuestionKind::Blocker);
    html! {
        <li class="answer-card" data-testid="participation" data-email={p.user.email.clone()} data-state={p.state.as_str()}>
            <div class="answer-card-header">
                <span class="cell-primary">{ p.user.name.clone() }</span>
                <span class={classes!("status", (p.state == ParticipationState::Pending).then_some("status-muted"))}>
                    { participation_label(p.state, standup) }
                </span>
                if let Some(at) = p.submitted_at {
                    <span class="muted">{ format::local::at(at) }</span>
                }
                if p.edited_at.is_some() {
                    <span class="muted">{ "(edited)" }</span>
                }
                if p.late {
                    <span class="badge badge-muted" data-testid="late">{ "late" }</span>
                }
            </div>
            if let Some(reason) = &p.skip_reason {
                <p class="muted">{ format!("Skipped: {reason}") }</p>
            }
            if let Some(note) = &p.out_of_office_note {
                <p class="muted" data-testid="out-of-office-note">{ format!("Out of office: {note}") }</p>
            }
            if !answers.is_empty() {
                <dl class="answers">
                    { for answers.iter().map(|(prompt, kind, text)| html! {
                        <>
                            <dt class={classes!((*kind == QuestionKind::Blocker).then_some("answer-blocker"))}>{ (*prompt).clone() }</dt>
                            <dd>{ text.clone() }</dd>
                        </>
                    }) }
                </dl>
            }
        </li>
    }
}

/// Where the answer form sends its answers and skip.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum AnswerTarget {
    /// A signed-in participant on the standup page.
    Standup(String),
    /// The holder of an answer link (signed out or not): its token.
    Link(String),
}

#[derive(Properties, PartialEq)]
pub(crate) struct AnswerFormProps {
    pub questions: Vec<Question>,
    pub target: AnswerTarget,
    pub mine: Participation,
    pub on_saved: Callback<()>,
}

#[component]
pub(crate) fn AnswerForm(props: &AnswerFormProps) -> Html {
    let texts = use_state(|| current_answers(&props.questions, &props.mine).0);
    // A MOOD question's 1-5 (its text above is the comment).
    let moods = use_state(|| current_answers(&props.questions, &props.mine).1);
    let skip_reason = use_state(String::new);
    let submit = use_mutation(MutationOptions {
        fields: &["answers"],
        ..Default::default()
    });
    let skip = use_mutation(MutationOptions {
        fields: &["reason"],
        ..Default::default()
    });
    let questions = &props.questions;
    let answered = props.mine.state == ParticipationState::Answered;

    let onsubmit = {
        let (texts, moods, submit, done) = (
            texts.clone(),
            moods.clone(),
            submit.clone(),
            props.on_saved.clone(),
        );
        let questions = questions.clone();
        let target = props.target.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if submit.invalid(missing_answers(&questions, &texts, &moods)) {
                return;
            }
            let answers: Vec<AnswerInput> = questions
                .iter()
                .zip(texts.iter().zip(moods.iter()))
                .map(|(q, (t, m))| AnswerInput {
                    question_id: q.id.clone(),
                    text: t.trim().to_owned(),
                    mood: m.filter(|_| q.kind == QuestionKind::Mood),
                })
                .collect();
            let done = done.clone();
            let on_done = move || {
                done.emit(());
                Some("Your answers are in".to_owned())
            };
            match &target {
                AnswerTarget::Standup(standup_id) => {
                    let vars = SubmitAnswersVariables {
                        input: SubmitAnswersInput {
                            standup_id: standup_id.clone(),
                            answers,
                        },
                    };
                    submit.run::<SubmitAnswers>(vars, move |_| on_done());
                }
                AnswerTarget::Link(token) => {
                    let vars = SubmitAnswersByLinkVariables {
                        token: token.clone(),
                        answers,
                    };
                    submit.run::<SubmitAnswersByLink>(vars, move |_| on_done());
                }
            }
        })
    };
    let on_skip = {
        let (skip_reason, skip, done) = (skip_reason.clone(), skip.clone(), props.on_saved.clone());
        let target = props.target.clone();
        Callback::from(move |_: MouseEvent| {
            let reason = (!skip_reason.trim().is_empty()).then(|| skip_reason.trim().to_owned());
            let done = done.clone();
            let on_done = move || {
                done.emit(());
                Some("Skipped for today".to_owned())
            };
            match &target {
                AnswerTarget::Standup(standup_id) => {
                    let vars = SkipStandupVariables {
                        standup_id: standup_id.clone(),
                        reason,
                    };
                    skip.run::<SkipStandup>(vars, move |_| on_done());
                }
                AnswerTarget::Link(token) => {
                    let vars = SkipByLinkVariables {
                        token: token.clone(),
                        reason,
                    };
                    skip.run::<SkipByLink>(vars, move |_| on_done());
                }
            }
        })
    };
    let on_reason = {
        let skip_reason = skip_reason.clone();
        Callback::from(move |v: String| skip_reason.set(v))
    };
    // A server error about one answer shows under that answer.
    let server_answers_error = submit.errors().field("answers");
    let server_answer_at = server_answers_error.as_deref().and_then(|m| {
        let prompts: Vec<&str> = questions.iter().map(|q| q.prompt.as_str()).collect();
        answer_index_of(m, &prompts)
    });
    // Submitting and skipping share the buttons' busy state.
    let busy = submit.busy() || skip.busy();

    html! {
        <section class="card" aria-labelledby="answer-title">
            <h2 id="answer-title" class="card-title">
                { if answered { "Your answers (you can edit them until it closes)" } else { "Your answers" } }
            </h2>
            <form class="form" ref={submit.form()} {onsubmit} novalidate=true data-testid="answer-form">
                if let Some(message) = submit.errors().form().or_else(|| skip.errors().form()) {
                    <ErrorBanner {message} />
                }
                if let Some(message) = server_answers_error.clone().filter(|_| server_answer_at.is_none()) {
                    <p class="field-error" role="alert" data-testid="answers-error"><span class="field-error-icon" aria-hidden="true">{ "!" }</span>{ message }</p>
                }
                { for questions.iter().enumerate().map(|(i, q)| {
                    let id = answer_field(i);
                    // "No blockers": the answer that opens no blocker, in one click.
                    let no_blockers = |i: usize| {
                        let (texts, submit, id) = (texts.clone(), submit.clone(), id.clone());
                        Callback::from(move |_: MouseEvent| {
                            submit.clear_error(&id);
                            let mut next = (*texts).clone();
                            if let Some(slot) = next.get_mut(i) {
                                *slot = "None".to_owned();
                            }
                            texts.set(next);
                        })
                    };
                    let error = submit.errors().field(&id).or_else(|| {
                        server_answers_error.clone().filter(|_| server_answer_at == Some(i))
                    });
                    let oninput = {
                        let (texts, submit, id) = (texts.clone(), submit.clone(), id.clone());
                        Callback::from(move |e: InputEvent| {
                            submit.clear_error(&id);
                            let area: HtmlTextAreaElement = e.target_unchecked_into();
                            let mut next = (*texts).clone();
                            if let Some(slot) = next.get_mut(i) {
                                *slot = area.value();
                            }
                            texts.set(next);
                        })
                    };
                    let error_id = format!("{id}-error");
                    // A MOOD question: the 1-5 scale above its (optional) comment.
                    let scale = (q.kind == QuestionKind::Mood).then(|| {
                        let chosen = moods.get(i).copied().flatten();
                        html! {
                            <div class="mood-scale" role="radiogroup" aria-label={q.prompt.clone()}>
                                { for (1..=5).zip(MOOD_LABELS).map(|(n, label)| {
                                    let (moods, submit, id) = (moods.clone(), submit.clone(), id.clone());
                                    let onchange = Callback::from(move |_: Event| {
                                        submit.clear_error(&id);
                                        let mut next = (*moods).clone();
                                        if let Some(slot) = next.get_mut(i) {
                                            *slot = Some(n);
                                        }
                                        moods.set(next);
                                    });
                                    html! {
                                        <label class="mood-option">
                                            <input type="radio" name={format!("mood-{i}")} value={n.to_string()}
                                                checked={chosen == Some(n)} {onchange} />
                                            <span class="mood-number">{ n }</span>
                                            <span class="mood-label">{ label }</span>
                                        </label>
                                    }
                                }) }
                            </div>
                        }
                    });
                    html! {
                        <div class={classes!("field", error.is_some().then_some("has-error"))} data-testid={format!("question-{i}")}>
                            <label class="field-label" for={id.clone()}>
                                { q.prompt.clone() }
                                if q.required { <span class="field-required" aria-hidden="true">{ " *" }</span> }
                                if q.kind == QuestionKind::Blocker { <span class="badge badge-muted">{ "Blocker" }</span> }
                            </label>
                            { scale.unwrap_or_default() }
                            <textarea class="input textarea" id={id.clone()} rows="3" required={q.required && q.kind != QuestionKind::Mood}
                                aria-invalid={if error.is_some() { "true" } else { "false" }}
                                aria-describedby={error.is_some().then(|| error_id.clone())}
                                value={texts.get(i).cloned().unwrap_or_default()} {oninput}
                                placeholder={match q.kind { QuestionKind::Mood => "A comment (optional)", QuestionKind::Blocker => "Leave empty or write none if nothing blocks you", QuestionKind::Text => "" }} />
                            if q.kind == QuestionKind::Blocker {
                                <Button kind={ButtonKind::Ghost} onclick={no_blockers(i)} testid={format!("no-blockers-{i}")}>{ "No blockers" }</Button>
                            }
                            if let Some(error) = error {
                                <p class="field-error" id={error_id} data-testid={format!("{id}-error")}>
                                    <span class="field-error-icon" aria-hidden="true">{ "!" }</span>{ error }
                                </p>
                            }
                        </div>
                    }
                }) }
                <div class="form-actions form-actions-start">
                    <Button r#type="submit" busy={busy} testid="submit-answers">{ if answered { "Save changes" } else { "Submit answers" } }</Button>
                </div>
            </form>
            if !answered {
                <details class="skip">
                    <summary>{ "Can't answer today? Skip it" }</summary>
                    <div class="inline-form">
                        <TextField id="skip-reason" label="Reason (optional)" value={(*skip_reason).clone()} oninput={on_reason} />
                        <Button kind={ButtonKind::Secondary} busy={busy} onclick={on_skip} testid="skip">{ "Skip today" }</Button>
                    </div>
                </details>
            }
        </section>
    }
}

/// Each question's current answer: its text (a MOOD question's comment) and its mood.
fn current_answers(
    questions: &[Question],
    mine: &Participation,
) -> (Vec<String>, Vec<Option<i32>>) {
    questions
        .iter()
        .map(|q| {
            mine.answers
                .iter()
                .find(|a| a.question.id == q.id)
                .map_or_else(Default::default, |a| (a.text.clone(), a.mood))
        })
        .unzip()
}

/// The form field of the answer to question `i` (also the id of its text area).
fn answer_field(i: usize) -> String {
    format!("answer-{i}")
}

/// One error under each required question left blank: a MOOD question without a mood,
/// any other without text (`texts[i]` and `moods[i]` for question `i`).
pub(crate) fn missing_answers(
    questions: &[Question],
    texts: &[String],
    moods: &[Option<i32>],
) -> FormErrors {
    FormErrors::from_fields(
        questions
            .iter()
            .zip(texts.iter().zip(moods))
            .enumerate()
            .filter_map(|(i, (q, (text, mood)))| {
                let message = match q.kind {
                    QuestionKind::Mood if mood.is_none() => "Required: pick a mood from 1 to 5",
                    QuestionKind::Mood => return None,
                    _ if text.trim().is_empty() => "Required: write an answer",
                    _ => return None,
                };
                q.required.then(|| (answer_field(i), message.to_owned()))
            }),
    )
}

/// The question a server error on `answers` is about: "Answer 2: …" names it by
/// position, "“What did you do?” needs an answer" by its prompt.
pub(crate) fn answer_index_of(message: &str, prompts: &[&str]) -> Option<usize> {
    let by_position = message
        .strip_prefix("Answer ")
        .or_else(|| message.strip_prefix("answer "))
        .and_then(|rest| rest.split_once(':'))
        .and_then(|(n, _)| n.parse::<usize>().ok())
        .and_then(|n| n.checked_sub(1))
        .filter(|i| *i < prompts.len());
    by_position.or_else(|| {
        prompts
            .iter()
            .position(|p| message.starts_with(&format!("\u{201c}{p}\u{201d}")))
    })
}

#[cfg(test)]
mod answer_tests {
    use super::*;

    #[test]
    fn every_blank_required_answer_gets_its_own_error() {
        let q = |required, kind| Question {
            id: String::new(),
            prompt: String::new(),
            kind,
            required,
        };
        let text = QuestionKind::Text;
        let questions = [
            q(true, text),
            q(true, text),
            q(false, text),
            q(true, text),
            q(true, QuestionKind::Mood),
        ];
        let texts = ["", "  ", "", "x", "a comment"].map(str::to_owned);
        let errors = missing_answers(&questions, &texts, &[None; 5]);
        assert!(errors.field("answer-0").is_some());
        assert!(errors.field("answer-1").is_some());
        assert!(errors.field("answer-2").is_none());
        assert!(errors.field("answer-3").is_none());
        assert_eq!(
            errors.field("answer-4").as_deref(),
            Some("Required: pick a mood from 1 to 5")
        );
        let moods = [None, None, None, None, Some(3)];
        let texts = ["a", "b", "", "x", ""].map(str::to_owned);
        assert!(missing_answers(&questions, &texts, &moods).is_empty());
    }

    #[test]
    fn server_errors_find_their_question() {
        let prompts = ["What did you do?", "What next?"];
        assert_eq!(
            answer_index_of("Answer 2: at most 5000 characters", &prompts),
            Some(1)
        );
        assert_eq!(
            answer_index_of("\u{201c}What next?\u{201d} needs an answer", &prompts),
            Some(1)
        );
        assert_eq!(answer_index_of("Answer 9: not a question", &prompts), None);
        assert_eq!(answer_index_of("Something else", &prompts), None);
    }
}

// ---------------------------------------------------------------------------------
// Team: history

#[derive(Properties, PartialEq)]
pub struct TeamHistoryProps {
    pub id: AttrValue,
}

#[component]
pub fn TeamHistoryPage(props: &TeamHistoryProps) -> Html {
    use_title("Team history");
    let from = use_state(String::new);
    let to = use_state(String::new);
    let person = use_state(String::new);
    let range = (
        format::day_start(&from),
        format::day_start(&to).map(|d| d + chrono::Duration::days(1)),
    );
    let list = use_paged_query::<TeamStandupsQuery>(TeamStandupsVariables {
        team_id: props.id.to_string(),
        first: Some(20),
        after: None,
        filter: StandupFilter {
            from: range.0,
            to: range.1,
            user_id: person.parse().ok(),
        },
    });
    let stats = use_query::<TeamParticipationQuery, _>(
        TeamParticipationVariables {
            team_id: props.id.to_string(),
            from: range.0,
            to: range.1,
        },
        (),
    );
    let set = |state: &UseStateHandle<String>| {
        let state = state.clone();
        Callback::from(move |v: String| state.set(v))
    };
    let mut people = vec![(AttrValue::from(""), AttrValue::from("Everyone"))];
    if let Load::Ready(data) = &*stats.state {
        people.extend(data.team_participation.iter().map(|m| {
            (
                AttrValue::from(m.user.id.to_string()),
                AttrValue::from(m.user.name.clone()),
            )
        }));
    }

    let stats_body = match &*stats.state {
        Load::Loading => table_skeleton("Loading participation…", 2),
        Load::Failed(err) => html! {
            <ErrorBanner title="Participation could not be loaded" message={err.user_message()} on_retry={stats.retry.clone()} />
        },
        Load::Ready(data) if data.team_participation.is_empty() => html! {
            <p class="muted">{ "Nobody has taken part yet." }</p>
        },
        Load::Ready(data) => html! {
            <div class="table-wrap">
                <table class="table" data-testid="participation-table">
                    <thead><tr>
                        <th scope="col">{ "Person" }</th><th scope="col">{ "Response rate" }</th>
                        <th scope="col">{ "Answered" }</th><th scope="col">{ "Skipped" }</th>
                        <th scope="col">{ "Missed" }</th><th scope="col">{ "Current streak" }</th>
                    </tr></thead>
                    <tbody>
                        { for data.team_participation.iter().map(|m| html! {
                            <tr key={m.user.id.to_string()}>
                                <td class="cell-primary">{ m.user.name.clone() }</td>
                                <td>{ format::percent(m.response_rate) }</td>
                                <td>{ m.answered }</td><td>{ m.skipped }</td><td>{ m.missed }</td>
                                <td>{ m.current_streak }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            </div>
        },
    };
    let list_body = match &*list.state {
        Load::Loading => table_skeleton("Loading standups…", 4),
        Load::Failed(err) => html! {
            <ErrorBanner title="Standups could not be loaded" message={err.user_message()} on_retry={list.reload.clone()} />
        },
        Load::Ready(pages) if pages.rows.is_empty() => html! {
            <EmptyState title="No standups in this range" testid="history-empty" />
        },
        Load::Ready(pages) => html! {
            <>
                <ul class="standup-list" data-testid="history">{ for pages.rows.iter().map(|s| standup_row(s, false)) }</ul>
                { list.footer("standups") }
            </>
        },
    };
    html! {
        <>
            <nav class="breadcrumbs" aria-label="Breadcrumb">
                <Link<Route> to={Route::Team { id: props.id.to_string() }}>{ "Team" }</Link<Route>>
                <span aria-hidden="true">{ " / " }</span>
                <span aria-current="page">{ "History" }</span>
            </nav>
            <header class="page-header">
                <h1 class="page-title">{ "History and participation" }</h1>
                <p class="page-description">{ "Past standups of the team and who took part." }</p>
            </header>
            <super::answer_search::AnswerSearch team_id={props.id.clone()}
                from={(*from).clone()} to={(*to).clone()} person={(*person).clone()} />
            <section class="card" aria-label="Filters">
                <div class="filters" role="search">
                    <TextField id="history-from" label="From" r#type="date" value={(*from).clone()} oninput={set(&from)} />
                    <TextField id="history-to" label="To" r#type="date" value={(*to).clone()} oninput={set(&to)} />
                    <crate::components::SelectField id="history-person" label="Person" options={people} value={(*person).clone()} onchange={set(&person)} />
                </div>
            </section>
            <section class="card" aria-labelledby="participation-title">
                <h2 id="participation-title" class="card-title">{ "Participation" }</h2>
                { stats_body }
            </section>
            <section class="card" aria-labelledby="history-title">
                <h2 id="history-title" class="card-title">{ "Standups" }</h2>
                { list_body }
            </section>
        </>
    }
}
