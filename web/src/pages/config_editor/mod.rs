//! The standup config editor: `/teams/:id/standups/new` (from a template) and
//! `/standup-configs/:id` (edit). The next runs are previewed live with the same schedule
//! code the server and the scheduler use (`schema::schedule`), before anything is saved.
//!
//! [`ConfigForm`] holds the state (a [`Draft`] and the save mutation); each card of the
//! form is a function of its own module, given the [`Editor`] to change the draft through.

mod delivery;
mod draft;
mod preview;
mod questions;
mod schedule;
mod slack_channel;

use schema::enums::DeliveryChannel;
use schema::ops::{
    ConfigTeam, CreateStandupConfig, CreateStandupConfigVariables, IdVariables, NoVariables,
    SlackQuery, StandupConfig, StandupConfigQuery, TeamQuery, UpdateStandupConfig,
    UpdateStandupConfigVariables,
};
use schema::templates::TEMPLATES;
use yew::prelude::*;
use yew_router::prelude::*;

use self::delivery::{DeliveryProps, delivery};
use self::draft::{Draft, FIELDS};
use self::preview::preview;
use self::questions::questions;
use self::schedule::schedule;
use super::use_title;
use crate::app::Route;
use crate::components::{
    Button, Checkbox, EmptyState, ErrorBanner, SelectField, TextField, table_skeleton, use_viewer,
};
use crate::hooks::{Load, Mutation, MutationOptions, use_mutation, use_query};

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

/// What the cards of the form change the draft through; every change clears the error of
/// the field it names.
#[derive(Clone)]
struct Editor {
    draft: UseStateHandle<Draft>,
    save: Mutation,
}

impl Editor {
    fn update<T: 'static>(
        &self,
        field: Option<&'static str>,
        change: impl Fn(&mut Draft, T) + 'static,
    ) -> Callback<T> {
        let (draft, save) = (self.draft.clone(), self.save.clone());
        Callback::from(move |value: T| {
            let mut next = (*draft).clone();
            change(&mut next, value);
            draft.set(next);
            if let Some(field) = field {
                save.clear_error(field);
            }
        })
    }

    /// A change that clears the error of `field`.
    fn set<T: 'static>(
        &self,
        field: &'static str,
        change: impl Fn(&mut Draft, T) + 'static,
    ) -> Callback<T> {
        self.update(Some(field), change)
    }

    /// A change no error is about.
    fn change<T: 'static>(&self, change: impl Fn(&mut Draft, T) + 'static) -> Callback<T> {
        self.update(None, change)
    }

    /// The `oninput` of a text field.
    fn edit(&self, field: &'static str, change: fn(&mut Draft, String)) -> Callback<String> {
        self.set(field, change)
    }

    /// The `onchange` of a checkbox.
    fn flag(&self, change: fn(&mut Draft, bool)) -> Callback<bool> {
        self.change(change)
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
    // Whether Slack delivery can be chosen. (A `u32` key like Settings' Slack card: the
    // same instance of the generic hook, not a second one in the bundle.)
    let slack = use_query::<SlackQuery, _>(NoVariables {}, 0u32);
    let slack_connected = match &*slack.state {
        Load::Ready(data) => Some(data.organization.slack_integration.is_some()),
        _ => None,
    };
    let save = use_mutation(MutationOptions {
        fields: FIELDS,
        // On to the team's page.
        keep_busy: true,
        ..Default::default()
    });
    let editor = Editor {
        draft: draft.clone(),
        save: save.clone(),
    };
    let is_new = props.config_id.is_none();
    let is_admin = viewer.as_ref().is_some_and(|v| v.role.is_admin());
    // A secret exists once the config is saved with WEBHOOK delivery.
    let saved_with_webhook = props
        .initial
        .as_ref()
        .is_some_and(|c| c.delivery.contains(&DeliveryChannel::Webhook));

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
        let (draft, save) = (draft.clone(), save.clone());
        let (config_id, team_id) = (props.config_id.clone(), props.team.id.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let input = match draft.to_input(config_id.is_none().then(|| team_id.clone())) {
                Ok(input) => input,
                Err(checks) => {
                    save.invalid(checks);
                    return;
                }
            };
            let name = input.name.clone();
            let (navigator, team_id) = (navigator.clone(), team_id.clone());
            let to_team = move |text: String| {
                if let Some(navigator) = navigator {
                    navigator.push(&Route::Team { id: team_id });
                }
                Some(text)
            };
            match config_id.clone() {
                None => save.run::<CreateStandupConfig>(
                    CreateStandupConfigVariables { input },
                    move |_| to_team(format!("Standup {name} created")),
                ),
                Some(id) => save.run::<UpdateStandupConfig>(
                    UpdateStandupConfigVariables { id, input },
                    move |_| to_team(format!("Standup {name} saved")),
                ),
            }
        })
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
    let errors = save.errors();

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
            <form class="editor" ref={save.form()} {onsubmit} novalidate=true>
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
                            oninput={editor.edit("name", |d, v| d.name = v)} error={errors.field("name")} />
                    </section>
                    { questions(&editor) }
                    { schedule(&editor, &props.team.timezone, is_new) }
                    { delivery(&editor, DeliveryProps {
                        is_admin,
                        webhook_host: props.initial.as_ref().and_then(|c| c.webhook_host.clone()),
                        secret_of: props.config_id.clone().filter(|_| saved_with_webhook),
                        slack_connected,
                    }) }
                    <section class="card form" aria-labelledby="participants-title">
                        <h2 id="participants-title" class="card-title">{
                            if draft.everyone {
                                format!("Participants (everyone: {})", props.team.members.len())
                            } else {
                                format!("Participants ({} of {})", draft.participants.len(), props.team.members.len())
                            }
                        }</h2>
                        <Checkbox id="participants-everyone" label="Everyone in the team"
                            hint="People added to the team later are asked from its next run."
                            checked={draft.everyone} onchange={editor.change(|d: &mut Draft, on: bool| d.everyone = on)} />
                        if props.team.members.is_empty() {
                            <p class="muted">{ "The team has nobody yet; add people on the team page." }</p>
                        }
                        if !draft.everyone {
                            { for props.team.members.iter().map(|m| {
                                let id = m.user.id.to_string();
                                html! {
                                    <Checkbox id={format!("participant-{id}")} label={format!("{} ({})", m.user.name, m.user.email)}
                                        checked={draft.participants.contains(&id)} onchange={toggle_participant(&editor, id.clone())} />
                                }
                            }) }
                        }
                        if let Some(error) = errors.field("participantIds") {
                            <p class="field-error"><span class="field-error-icon" aria-hidden="true">{ "!" }</span>{ error }</p>
                        }
                    </section>
                    <div class="form-actions">
                        <Link<Route> to={cancel_route} classes="btn btn-secondary">{ "Cancel" }</Link<Route>>
                        <Button r#type="submit" busy={save.busy()} disabled={!is_admin} testid="save-config">
                            { if is_new { "Create standup" } else { "Save standup" } }
                        </Button>
                    </div>
                </div>
                <aside class="card editor-preview" aria-labelledby="preview-title" aria-live="polite">
                    <h2 id="preview-title" class="card-title">{ "Next runs" }</h2>
                    { preview(&draft, &props.team.members) }
                </aside>
            </form>
        </>
    }
}

fn toggle_participant(editor: &Editor, user_id: String) -> Callback<bool> {
    editor.change(move |d: &mut Draft, on: bool| {
        d.participants.retain(|p| *p != user_id);
        if on {
            d.participants.push(user_id.clone());
        }
    })
}
