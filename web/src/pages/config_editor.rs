//! The standup config editor: `/teams/:id/standups/new` (from a template) and
//! `/standup-configs/:id` (edit). The next runs are previewed live with the same schedule
//! code the server and the scheduler use (`schema::schedule`), before anything is saved.

use chrono::{DateTime, Datelike, Timelike, Utc};
use schema::enums::{DeliveryChannel, QuestionKind, Weekday};
use schema::ops::{
    ConfigTeam, CreateStandupConfig, CreateStandupConfigVariables, IdVariables, QuestionInput,
    RotateWebhookSecret, RotateWebhookSecretVariables, StandupConfig, StandupConfigInput,
    StandupConfigQuery, TeamQuery, UpdateStandupConfig, UpdateStandupConfigVariables,
    WebhookSecret,
};
use schema::schedule::Schedule;
use schema::templates::TEMPLATES;
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use super::use_title;
use crate::api::use_api;
use crate::app::Route;
use crate::components::{
    Button, ButtonKind, Checkbox, Dialog, EmptyState, ErrorBanner, SelectField, TextField,
    TimezoneField, ToastKind, WeekdayPickerProps, table_skeleton, use_toaster, use_viewer,
    weekday_picker,
};
use crate::hooks::{FormErrors, Load, use_form_errors, use_query};
use crate::tz::BrowserZone;

const FIELDS: &[&str] = &[
    "name",
    "questions",
    "weekdays",
    "timeOfDay",
    "timezone",
    "responseWindowMinutes",
    "reminderMinutesBefore",
    "delivery",
    "webhookUrl",
    "participantIds",
];

/// The browser's clock (chrono's is not available in wasm).
pub fn browser_now() -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default()
}

const WEEKDAY_NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// "Wed 25 Nov 2026, 09:30" in the schedule's zone.
pub fn local_run(schedule: &Schedule<BrowserZone>, run: DateTime<Utc>) -> String {
    let local = run.with_timezone(&schedule.timezone());
    format!(
        "{} {} {} {}, {:02}:{:02}",
        WEEKDAY_NAMES[local.weekday().num_days_from_monday() as usize],
        local.day(),
        crate::format::MONTHS[local.month0() as usize],
        local.year(),
        local.hour(),
        local.minute()
    )
}

/// One question being edited.
#[derive(Clone, Debug, PartialEq)]
struct QuestionDraft {
    /// The saved question's id; `None` for a new one.
    id: Option<String>,
    prompt: String,
    kind: QuestionKind,
    required: bool,
}

/// The whole form.
#[derive(Clone, Debug, PartialEq)]
struct Draft {
    name: String,
    questions: Vec<QuestionDraft>,
    weekdays: Vec<Weekday>,
    time_of_day: String,
    timezone: String,
    window: String,
    reminder: String,
    delivery: Vec<DeliveryChannel>,
    webhook_url: String,
    participants: Vec<String>,
    active: bool,
    close_when_all_answered: bool,
}

impl Draft {
    fn from_template(index: usize, team: &ConfigTeam) -> Self {
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
            participants: team.members.iter().map(|m| m.user.id.to_string()).collect(),
            active: true,
            close_when_all_answered: false,
        }
    }

    fn from_config(config: &StandupConfig) -> Self {
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
            participants: config
                .participants
                .iter()
                .map(|p| p.id.to_string())
                .collect(),
            active: config.active,
            close_when_all_answered: config.close_when_all_answered,
        }
    }

    /// The input the API takes, or the field errors the browser can tell already.
    fn to_input(&self, team_id: Option<String>) -> Result<StandupConfigInput, FormErrors> {
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
            participant_ids: self
                .participants
                .iter()
                .filter_map(|p| p.parse().ok())
                .collect(),
            active: self.active,
            close_when_all_answered: self.close_when_all_answered,
        })
    }
}

#[derive(Properties, PartialEq)]
pub struct NewConfigProps {
    pub team_id: AttrValue,
}

#[component]
pub fn NewStandupConfigPage(props: &NewConfigProps) -> Html {
    use_title("New standup");
    let team = use_query::<TeamQuery, _>(
        IdVariables {
            id: props.team_id.to_string(),
        },
        (),
    );
    match &*team.state {
        Load::Loading => table_skeleton("Loading the team…", 4),
        Load::Failed(err) => html! {
            <ErrorBanner title="This team could not be loaded" message={err.user_message()} on_retry={team.retry.clone()} />
        },
        Load::Ready(data) => match &data.team {
            None => html! { <EmptyState title="This team does not exist" /> },
            Some(t) => {
                let team = ConfigTeam {
                    id: t.id.clone(),
                    name: t.name.clone(),
                    timezone: t.timezone.clone(),
                    members: t.members.clone(),
                };
                html! { <ConfigForm team={team} config_id={None::<String>} initial={None::<StandupConfig>} /> }
            }
        },
    }
}

#[derive(Properties, PartialEq)]
pub struct EditConfigProps {
    pub id: AttrValue,
}

#[component]
pub fn EditStandupConfigPage(props: &EditConfigProps) -> Html {
    use_title("Edit standup");
    let config = use_query::<StandupConfigQuery, _>(
        IdVariables {
            id: props.id.to_string(),
        },
        (),
    );
    match &*config.state {
        Load::Loading => table_skeleton("Loading the standup…", 4),
        Load::Failed(err) => html! {
            <ErrorBanner title="This standup could not be loaded" message={err.user_message()} on_retry={config.retry.clone()} />
        },
        Load::Ready(data) => match &data.standup_config {
            None => html! { <EmptyState title="This standup does not exist" /> },
            Some(c) => html! {
                <ConfigForm team={c.team.clone()} config_id={Some(c.config.id.clone())} initial={Some(c.config.clone())} />
            },
        },
    }
}

#[derive(Properties, PartialEq)]
struct ConfigFormProps {
    team: ConfigTeam,
    config_id: Option<String>,
    initial: Option<StandupConfig>,
}

#[component]
fn ConfigForm(props: &ConfigFormProps) -> Html {
    let client = use_api();
    let toaster = use_toaster();
    let navigator = use_navigator();
    let viewer = use_viewer();
    let draft = {
        let (initial, team) = (props.initial.clone(), props.team.clone());
        use_state(move || match &initial {
            Some(config) => Draft::from_config(config),
            None => Draft::from_template(0, &team),
        })
    };
    let template = use_state(|| "0".to_owned());
    let errors = use_form_errors();
    let busy = use_state(|| false);
    let is_new = props.config_id.is_none();
    let is_admin = viewer.as_ref().is_some_and(|v| v.role.is_admin());
    let webhook_host = props.initial.as_ref().and_then(|c| c.webhook_host.clone());
    // A secret exists once the config is saved with WEBHOOK delivery.
    let saved_with_webhook = props
        .initial
        .as_ref()
        .is_some_and(|c| c.delivery.contains(&DeliveryChannel::Webhook));

    // Every edit goes through here: a change to the draft, and the field's error cleared.
    let edit = {
        let (draft, errors) = (draft.clone(), errors.clone());
        move |field: &'static str, change: fn(&mut Draft, String)| {
            let (draft, errors) = (draft.clone(), errors.clone());
            Callback::from(move |value: String| {
                let mut next = (*draft).clone();
                change(&mut next, value);
                draft.set(next);
                errors.set(errors.without(field));
            })
        }
    };

    let on_template = {
        let (draft, template, team) = (draft.clone(), template.clone(), props.team.clone());
        Callback::from(move |value: String| {
            let index = value.parse().unwrap_or(0);
            let mut next = Draft::from_template(index, &team);
            next.participants = draft.participants.clone();
            next.timezone = draft.timezone.clone();
            template.set(value);
            draft.set(next);
        })
    };

    let onsubmit = {
        let (draft, errors, busy) = (draft.clone(), errors.clone(), busy.clone());
        let (client, toaster, navigator) = (client.clone(), toaster.clone(), navigator.clone());
        let (config_id, team_id) = (props.config_id.clone(), props.team.id.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *busy {
                return;
            }
            let input = match draft.to_input(config_id.is_none().then(|| team_id.clone())) {
                Ok(input) => input,
                Err(checks) => {
                    errors.set(checks);
                    return;
                }
            };
            busy.set(true);
            let (client, toaster, navigator, errors, busy, config_id, team_id) = (
                client.clone(),
                toaster.clone(),
                navigator.clone(),
                errors.clone(),
                busy.clone(),
                config_id.clone(),
                team_id.clone(),
            );
            spawn_local(async move {
                let name = input.name.clone();
                let outcome = match config_id {
                    None => client
                        .run::<CreateStandupConfig>(&CreateStandupConfigVariables { input })
                        .await
                        .map(|_| format!("Standup {name} created")),
                    Some(id) => client
                        .run::<UpdateStandupConfig>(&UpdateStandupConfigVariables { id, input })
                        .await
                        .map(|_| format!("Standup {name} saved")),
                };
                match outcome {
                    Ok(text) => {
                        if let Some(toaster) = &toaster {
                            toaster.push(ToastKind::Success, text);
                        }
                        if let Some(navigator) = navigator {
                            navigator.push(&Route::Team { id: team_id });
                        }
                    }
                    Err(err) => {
                        errors.set(FormErrors::from_api(&err, FIELDS));
                        busy.set(false);
                    }
                }
            });
        })
    };

    // Questions: edit, add, remove, move up.
    let set_question = |index: usize, f: fn(&mut QuestionDraft, String)| {
        let (draft, errors) = (draft.clone(), errors.clone());
        Callback::from(move |value: String| {
            let mut next = (*draft).clone();
            if let Some(q) = next.questions.get_mut(index) {
                f(q, value);
            }
            draft.set(next);
            errors.set(errors.without("questions"));
        })
    };
    let question_action = |index: usize, action: fn(&mut Vec<QuestionDraft>, usize)| {
        let draft = draft.clone();
        Callback::from(move |_: MouseEvent| {
            let mut next = (*draft).clone();
            action(&mut next.questions, index);
            draft.set(next);
        })
    };
    let add_question = {
        let draft = draft.clone();
        Callback::from(move |_: MouseEvent| {
            let mut next = (*draft).clone();
            if next.questions.len() < schema::standup::MAX_QUESTIONS {
                next.questions.push(QuestionDraft {
                    id: None,
                    prompt: String::new(),
                    kind: QuestionKind::Text,
                    required: false,
                });
            }
            draft.set(next);
        })
    };

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
                            value={q.prompt.clone()} oninput={set_question(i, |q, v| q.prompt = v)} />
                        <div class="question-options">
                            <SelectField id={format!("question-{i}-kind")} label="Kind" options={kinds.clone()}
                                value={q.kind.as_str()}
                                onchange={set_question(i, |q, v| q.kind = v.parse().unwrap_or(QuestionKind::Text))} />
                            <Checkbox id={format!("question-{i}-required")} label="Required" checked={q.required}
                                onchange={{ let cb = set_question(i, |q, v| q.required = v == "true"); Callback::from(move |b: bool| cb.emit(b.to_string())) }} />
                            <Button kind={ButtonKind::Ghost} disabled={i == 0}
                                onclick={question_action(i, |qs, i| if i > 0 { qs.swap(i, i - 1) })}>
                                <span aria-hidden="true">{ "↑" }</span><span class="visually-hidden">{ format!("Move question {} up", i + 1) }</span>
                            </Button>
                            <Button kind={ButtonKind::Ghost} disabled={draft.questions.len() <= 1}
                                onclick={question_action(i, |qs, i| { if i < qs.len() { qs.remove(i); } })}>
                                { format!("Remove question {}", i + 1) }
                            </Button>
                        </div>
                    </div>
                </li>
            }
        })
        .collect::<Html>();

    let on_weekdays = {
        let (draft, errors) = (draft.clone(), errors.clone());
        Callback::from(move |days: Vec<Weekday>| {
            let mut next = (*draft).clone();
            next.weekdays = days;
            draft.set(next);
            errors.set(errors.without("weekdays"));
        })
    };
    let toggle_channel = |channel: DeliveryChannel| {
        let (draft, errors) = (draft.clone(), errors.clone());
        Callback::from(move |on: bool| {
            let mut next = (*draft).clone();
            next.delivery.retain(|c| *c != channel);
            if on {
                next.delivery.push(channel);
            }
            draft.set(next);
            errors.set(errors.without("delivery"));
        })
    };
    let toggle_participant = |user_id: String| {
        let draft = draft.clone();
        Callback::from(move |on: bool| {
            let mut next = (*draft).clone();
            next.participants.retain(|p| *p != user_id);
            if on {
                next.participants.push(user_id.clone());
            }
            draft.set(next);
        })
    };
    let set_flag = |f: fn(&mut Draft, bool)| {
        let draft = draft.clone();
        Callback::from(move |on: bool| {
            let mut next = (*draft).clone();
            f(&mut next, on);
            draft.set(next);
        })
    };

    // The live preview: the same schedule code the server runs, over the browser's tzdb.
    let zone = schema::schedule::check_timezone(draft.timezone.trim()).and_then(|_| {
        BrowserZone::new(draft.timezone.trim()).ok_or_else(|| schema::schedule::ScheduleError {
            field: "timezone",
            message: "this browser does not know that time zone; the server may still".to_owned(),
        })
    });
    let preview = match zone
        .and_then(|zone| Schedule::with_zone(&draft.weekdays, draft.time_of_day.trim(), zone))
    {
        Ok(schedule) => {
            let runs = schedule.upcoming(browser_now(), 5);
            html! {
                <ol class="preview-list" data-testid="next-runs">
                    { for runs.iter().map(|run| html! {
                        <li>
                            <span class="cell-primary">{ local_run(&schedule, *run) }</span>
                            <span class="muted">{ format!(" {} · {} UTC", schedule.timezone().name(), crate::format::timestamp(*run).trim_end_matches(" UTC")) }</span>
                            <time class="visually-hidden" datetime={run.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)}></time>
                        </li>
                    }) }
                </ol>
            }
        }
        Err(err) => {
            html! { <p class="muted" data-testid="next-runs-error">{ crate::api::capitalise(&err.message) }</p> }
        }
    };

    let template_options: Vec<(AttrValue, AttrValue)> = TEMPLATES
        .iter()
        .enumerate()
        .map(|(i, t)| (AttrValue::from(i.to_string()), AttrValue::from(t.name)))
        .collect();
    let template_hint = TEMPLATES
        .get(template.parse::<usize>().unwrap_or(0))
        .map(|t| AttrValue::from(t.description));
    let title = if is_new {
        format!("New standup for {}", props.team.name)
    } else {
        format!("Edit {}", draft.name)
    };
    let cancel_route = Route::Team {
        id: props.team.id.clone(),
    };

    html! {
        <>
            <nav class="breadcrumbs" aria-label="Breadcrumb">
                <Link<Route> to={Route::Teams}>{ "Teams" }</Link<Route>>
                <span aria-hidden="true">{ " / " }</span>
                <Link<Route> to={cancel_route.clone()}>{ props.team.name.clone() }</Link<Route>>
            </nav>
            <header class="page-header">
                <h1 class="page-title">{ title }</h1>
                <p class="page-description">{ "What the team is asked, when, and where the answers go." }</p>
            </header>
            if !is_admin {
                <p class="muted">{ "Only owners and admins change standups." }</p>
            }
            <form class="editor" {onsubmit} novalidate=true>
                <div class="editor-main">
                    if let Some(message) = errors.form() {
                        <ErrorBanner {message} />
                    }
                    <section class="card form" aria-labelledby="basics-title">
                        <h2 id="basics-title" class="card-title">{ "Basics" }</h2>
                        if is_new {
                            <SelectField id="template" label="Start from a template" options={template_options}
                                value={(*template).clone()} onchange={on_template} hint={template_hint} />
                        }
                        <TextField id="config-name" label="Name" required=true value={draft.name.clone()}
                            oninput={edit("name", |d, v| d.name = v)} error={errors.field("name")} />
                    </section>
                    <section class="card form" aria-labelledby="questions-title">
                        <h2 id="questions-title" class="card-title">{ "Questions" }</h2>
                        if let Some(error) = errors.field("questions") {
                            <p class="field-error" role="alert" data-testid="questions-error"><span class="field-error-icon" aria-hidden="true">{ "!" }</span>{ error }</p>
                        }
                        <ol class="question-list">{ questions }</ol>
                        <div>
                            <Button kind={ButtonKind::Secondary} onclick={add_question}
                                disabled={draft.questions.len() >= schema::standup::MAX_QUESTIONS} testid="add-question">
                                { "Add a question" }
                            </Button>
                        </div>
                    </section>
                    <section class="card form" aria-labelledby="schedule-title">
                        <h2 id="schedule-title" class="card-title">{ "Schedule" }</h2>
                        { weekday_picker(WeekdayPickerProps {
                            id: "weekdays",
                            value: draft.weekdays.clone(),
                            onchange: on_weekdays,
                            error: errors.field("weekdays"),
                        }) }
                        <div class="form-row">
                            <TextField id="time-of-day" label="Time" r#type="time" value={draft.time_of_day.clone()}
                                oninput={edit("timeOfDay", |d, v| d.time_of_day = v)} error={errors.field("timeOfDay")} />
                            <TimezoneField id="config-timezone" value={draft.timezone.clone()}
                                oninput={edit("timezone", |d, v| d.timezone = v)} error={errors.field("timezone")}
                                hint={format!("The team's is {}.", props.team.timezone)} />
                        </div>
                        <div class="form-row">
                            <TextField id="window" label="Open for (minutes)" r#type="number" value={draft.window.clone()}
                                oninput={edit("responseWindowMinutes", |d, v| d.window = v)}
                                error={errors.field("responseWindowMinutes")} hint="15 to 10080 (7 days); answers close after this." />
                            <TextField id="reminder" label="Remind before close (minutes)" r#type="number" value={draft.reminder.clone()}
                                oninput={edit("reminderMinutesBefore", |d, v| d.reminder = v)}
                                error={errors.field("reminderMinutesBefore")} hint="0 for no reminder." />
                        </div>
                        <Checkbox id="close-when-all-answered" label="Close as soon as everyone has answered or skipped"
                            checked={draft.close_when_all_answered} onchange={set_flag(|d, on| d.close_when_all_answered = on)} />
                        if !is_new {
                            <Checkbox id="active" label="Active" hint="Paused standups do not run."
                                checked={draft.active} onchange={set_flag(|d, on| d.active = on)} />
                        }
                    </section>
                    <section class="card form" aria-labelledby="delivery-title">
                        <h2 id="delivery-title" class="card-title">{ "Delivery" }</h2>
                        <fieldset class={classes!("field", errors.field("delivery").is_some().then_some("has-error"))}>
                            <legend class="field-label">{ "Questions and digest go to" }</legend>
                            <Checkbox id="delivery-web" label="The web inbox" checked={draft.delivery.contains(&DeliveryChannel::Web)} onchange={toggle_channel(DeliveryChannel::Web)} />
                            <Checkbox id="delivery-email" label="E-mail" checked={draft.delivery.contains(&DeliveryChannel::Email)} onchange={toggle_channel(DeliveryChannel::Email)} />
                            <Checkbox id="delivery-webhook" label="A webhook (signed JSON)" checked={draft.delivery.contains(&DeliveryChannel::Webhook)} onchange={toggle_channel(DeliveryChannel::Webhook)} />
                            if let Some(error) = errors.field("delivery") {
                                <p class="field-error" id="delivery-error"><span class="field-error-icon" aria-hidden="true">{ "!" }</span>{ error }</p>
                            }
                        </fieldset>
                        if draft.delivery.contains(&DeliveryChannel::Webhook) && !is_admin {
                            // Members are shown the host alone: the URL may carry a token.
                            if let Some(host) = webhook_host.clone() {
                                <p class="muted" data-testid="webhook-host">{ format!("The digest is POSTed to {host}.") }</p>
                            }
                        }
                        if draft.delivery.contains(&DeliveryChannel::Webhook) && is_admin {
                            <TextField id="webhook-url" label="Webhook URL" r#type="url" value={draft.webhook_url.clone()}
                                oninput={edit("webhookUrl", |d, v| d.webhook_url = v)} error={errors.field("webhookUrl")}
                                hint="The digest is POSTed here with an X-AsyncStand-Signature header." />
                            if let Some(id) = props.config_id.clone().filter(|_| saved_with_webhook && is_admin) {
                                <SigningSecret config_id={id} />
                            } else if is_admin {
                                <p class="muted" data-testid="signing-secret-later">{ "Save the standup with its webhook to get the signing secret receivers verify deliveries with." }</p>
                            }
                        }
                    </section>
                    <section class="card form" aria-labelledby="participants-title">
                        <h2 id="participants-title" class="card-title">{ format!("Participants ({} of {})", draft.participants.len(), props.team.members.len()) }</h2>
                        if props.team.members.is_empty() {
                            <p class="muted">{ "The team has nobody yet; add people on the team page." }</p>
                        }
                        { for props.team.members.iter().map(|m| {
                            let id = m.user.id.to_string();
                            html! {
                                <Checkbox id={format!("participant-{id}")} label={format!("{} ({})", m.user.name, m.user.email)}
                                    checked={draft.participants.contains(&id)} onchange={toggle_participant(id.clone())} />
                            }
                        }) }
                        if let Some(error) = errors.field("participantIds") {
                            <p class="field-error"><span class="field-error-icon" aria-hidden="true">{ "!" }</span>{ error }</p>
                        }
                    </section>
                    <div class="form-actions">
                        <Link<Route> to={cancel_route} classes="btn btn-secondary">{ "Cancel" }</Link<Route>>
                        <Button r#type="submit" busy={*busy} disabled={!is_admin} testid="save-config">
                            { if is_new { "Create standup" } else { "Save standup" } }
                        </Button>
                    </div>
                </div>
                <aside class="card editor-preview" aria-labelledby="preview-title" aria-live="polite">
                    <h2 id="preview-title" class="card-title">{ "Next runs" }</h2>
                    { preview }
                </aside>
            </form>
        </>
    }
}

#[derive(Properties, PartialEq)]
struct SigningSecretProps {
    config_id: String,
}

/// The webhook's signing secret: never shown again once created, so the only action is
/// "create a new one", which shows it once. Not destructive: the previous secret keeps
/// signing for a day, so no confirmation is asked.
#[component]
fn SigningSecret(props: &SigningSecretProps) -> Html {
    let client = use_api();
    let shown = use_state(|| None::<WebhookSecret>);
    let busy = use_state(|| false);
    let error = use_state(|| None::<String>);
    let copied = use_state(|| false);

    let rotate = {
        let (shown, busy, error, copied) =
            (shown.clone(), busy.clone(), error.clone(), copied.clone());
        let config_id = props.config_id.clone();
        Callback::from(move |_: MouseEvent| {
            if *busy {
                return;
            }
            busy.set(true);
            error.set(None);
            copied.set(false);
            let (client, shown, busy, error, config_id) = (
                client.clone(),
                shown.clone(),
                busy.clone(),
                error.clone(),
                config_id.clone(),
            );
            spawn_local(async move {
                match client
                    .run::<RotateWebhookSecret>(&RotateWebhookSecretVariables { config_id })
                    .await
                {
                    Ok(data) => shown.set(Some(data.rotate_webhook_secret)),
                    Err(err) => error.set(Some(err.user_message())),
                }
                busy.set(false);
            });
        })
    };
    let close = {
        let shown = shown.clone();
        Callback::from(move |()| shown.set(None))
    };
    let copy = {
        let (shown, copied) = (shown.clone(), copied.clone());
        Callback::from(move |_: MouseEvent| {
            if let (Some(secret), Some(window)) = (&*shown, web_sys::window()) {
                let promise = window.navigator().clipboard().write_text(&secret.secret);
                let copied = copied.clone();
                spawn_local(async move {
                    copied.set(wasm_bindgen_futures::JsFuture::from(promise).await.is_ok());
                });
            }
        })
    };
    let select_all = Callback::from(|e: FocusEvent| {
        if let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
            input.select();
        }
    });

    let dialog = match &*shown {
        None => Html::default(),
        Some(secret) => {
            let until = secret.previous_valid_until.map(crate::format::timestamp);
            let done = close.clone();
            html! {
                <Dialog title="Your new signing secret" on_close={close} testid="secret-dialog">
                    <p>{ "Copy it to the receiver now: it is stored encrypted and will not be shown again." }</p>
                    <div class="field">
                        <label class="field-label" for="webhook-secret">{ "Signing secret" }</label>
                        <div class="input-with-action">
                            <input id="webhook-secret" class="input mono" readonly=true value={secret.secret.clone()}
                                onfocus={select_all} data-testid="webhook-secret" />
                            <Button kind={ButtonKind::Secondary} onclick={copy} testid="copy-secret">
                                { if *copied { "Copied" } else { "Copy" } }
                            </Button>
                        </div>
                    </div>
                    if let Some(until) = until {
                        <p class="muted" data-testid="previous-valid-until">{ format!("The previous secret also signs deliveries until {until}.") }</p>
                    }
                    <div class="dialog-actions">
                        <Button onclick={Callback::from(move |_| done.emit(()))} testid="secret-done">{ "Done" }</Button>
                    </div>
                </Dialog>
            }
        }
    };

    html! {
        <div class="field" data-testid="signing-secret">
            <span class="field-label">{ "Signing secret" }</span>
            <p class="field-hint">{ "Receivers verify the X-AsyncStand-Signature header with it (HMAC-SHA256, see the GraphQL guide). It is stored encrypted and shown once, when created; the one it replaces keeps signing for 24 hours so the receiver can switch." }</p>
            if let Some(message) = (*error).clone() {
                <ErrorBanner {message} />
            }
            <div>
                <Button kind={ButtonKind::Secondary} busy={*busy} onclick={rotate} testid="rotate-secret">{ "Create a new signing secret" }</Button>
            </div>
            { dialog }
        </div>
    }
}
