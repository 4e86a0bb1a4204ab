//! `/teams`: the organization's teams. Owners and admins create them.

use schema::ops::{
    CreateTeam, CreateTeamVariables, NoVariables, TeamInput, TeamSummary, TeamsQuery,
};
use schema::validation::ValidationError;
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use super::use_title;
use crate::api::use_api;
use crate::app::Route;
use crate::components::pickers::browser_timezone;
use crate::components::{
    Button, ButtonKind, Dialog, EmptyState, ErrorBanner, TextField, TimezoneField, ToastKind,
    table_skeleton, use_toaster, use_viewer,
};
use crate::format;
use crate::hooks::{FormErrors, Load, use_form_errors, use_query};

#[component]
pub fn TeamsPage() -> Html {
    use_title("Teams");
    let viewer = use_viewer();
    let version = use_state(|| 0u32);
    let teams = use_query::<TeamsQuery, _>(NoVariables {}, *version);
    let creating = use_state(|| false);
    let Some(viewer) = viewer else {
        return Html::default();
    };
    let is_admin = viewer.role.is_admin();
    let open = {
        let creating = creating.clone();
        Callback::from(move |_: MouseEvent| creating.set(true))
    };
    let close = {
        let creating = creating.clone();
        Callback::from(move |()| creating.set(false))
    };

    let body = match &*teams.state {
        Load::Loading => table_skeleton("Loading teams…", 4),
        Load::Failed(err) => html! {
            <ErrorBanner title="Teams could not be loaded" message={err.user_message()} on_retry={teams.retry.clone()} />
        },
        Load::Ready(data) if data.teams.is_empty() => html! {
            <EmptyState title="No teams yet" testid="teams-empty">
                if is_admin {
                    <p class="muted">{ "Create your first team, then give it a standup." }</p>
                    <Button onclick={open.clone()}>{ "Create your first team" }</Button>
                } else {
                    <p class="muted">{ "An owner or admin creates teams." }</p>
                }
            </EmptyState>
        },
        Load::Ready(data) => html! {
            <ul class="team-list" data-testid="teams">
                { for data.teams.iter().map(team_card) }
            </ul>
        },
    };

    html! {
        <>
            <header class="page-header page-header-actions">
                <div>
                    <h1 class="page-title">{ "Teams" }</h1>
                    <p class="page-description">{ "Each team has its members, its time zone and its standups." }</p>
                </div>
                if is_admin {
                    <Button onclick={open} testid="create-team-open">{ "Create team" }</Button>
                }
            </header>
            { body }
            if *creating {
                <CreateTeamDialog on_close={close} />
            }
        </>
    }
}

fn team_card(team: &TeamSummary) -> Html {
    let active = team.standup_configs.iter().filter(|c| c.active).count();
    let next = team
        .standup_configs
        .iter()
        .filter_map(|c| c.next_run_at)
        .min();
    html! {
        <li key={team.id.clone()} class="card team-card" data-testid="team-card">
            <Link<Route> to={Route::Team { id: team.id.clone() }} classes="team-card-link">
                <span class="team-card-name">{ team.name.clone() }</span>
            </Link<Route>>
            if let Some(description) = &team.description {
                <p class="muted">{ description.clone() }</p>
            }
            <p class="team-card-facts">
                <span>{ format!("{} member{}", team.members.len(), if team.members.len() == 1 { "" } else { "s" }) }</span>
                <span>{ format!("{active} active standup{}", if active == 1 { "" } else { "s" }) }</span>
                <span>{ team.timezone.clone() }</span>
                if let Some(next) = next {
                    <span>{ format!("next {}", format::timestamp(next)) }</span>
                }
            </p>
        </li>
    }
}

#[derive(Properties, PartialEq)]
struct CreateTeamDialogProps {
    on_close: Callback<()>,
}

#[component]
fn CreateTeamDialog(props: &CreateTeamDialogProps) -> Html {
    let client = use_api();
    let toaster = use_toaster();
    let navigator = use_navigator();
    let name = use_state(String::new);
    let timezone = use_state(|| browser_timezone().unwrap_or_else(|| "UTC".to_owned()));
    let description = use_state(String::new);
    let errors = use_form_errors();
    let busy = use_state(|| false);

    let set = |state: &UseStateHandle<String>, field: &'static str| {
        let (state, errors) = (state.clone(), errors.clone());
        Callback::from(move |v: String| {
            state.set(v);
            errors.set(errors.without(field));
        })
    };
    let onsubmit = {
        let (name, timezone, description, errors, busy) = (
            name.clone(),
            timezone.clone(),
            description.clone(),
            errors.clone(),
            busy.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *busy {
                return;
            }
            let checks = FormErrors::from_checks([
                name.trim()
                    .is_empty()
                    .then(|| ValidationError::new("name", "enter a name")),
                schema::schedule::check_timezone(timezone.trim())
                    .err()
                    .map(ValidationError::from),
            ]);
            if !checks.is_empty() {
                errors.set(checks);
                return;
            }
            busy.set(true);
            let vars = CreateTeamVariables {
                input: TeamInput {
                    name: name.trim().to_owned(),
                    timezone: timezone.trim().to_owned(),
                    description: (!description.trim().is_empty())
                        .then(|| description.trim().to_owned()),
                },
            };
            let (client, toaster, errors, busy, navigator) = (
                client.clone(),
                toaster.clone(),
                errors.clone(),
                busy.clone(),
                navigator.clone(),
            );
            spawn_local(async move {
                match client.run::<CreateTeam>(&vars).await {
                    Ok(data) => {
                        if let Some(toaster) = &toaster {
                            toaster.push(
                                ToastKind::Success,
                                format!("Team {} created", vars.input.name),
                            );
                        }
                        if let Some(navigator) = navigator {
                            navigator.push(&Route::Team {
                                id: data.create_team.id,
                            });
                        }
                    }
                    Err(err) => {
                        errors.set(FormErrors::from_api(
                            &err,
                            &["name", "timezone", "description"],
                        ));
                        busy.set(false);
                    }
                }
            });
        })
    };
    let cancel = {
        let c = props.on_close.clone();
        Callback::from(move |_: MouseEvent| c.emit(()))
    };
    html! {
        <Dialog title="Create a team" on_close={props.on_close.clone()} testid="team-dialog">
            <form class="form" {onsubmit} novalidate=true>
                if let Some(message) = errors.form() {
                    <ErrorBanner {message} />
                }
                <TextField id="team-name" label="Name" required=true value={(*name).clone()}
                    oninput={set(&name, "name")} error={errors.field("name")} hint="Unique in your organization, e.g. Core platform." />
                <TimezoneField id="team-timezone" value={(*timezone).clone()} oninput={set(&timezone, "timezone")}
                    error={errors.field("timezone")} hint="Standups run in this zone unless a standup picks its own." />
                <TextField id="team-description" label="Description" value={(*description).clone()}
                    oninput={set(&description, "description")} error={errors.field("description")} />
                <div class="dialog-actions">
                    <Button kind={ButtonKind::Secondary} onclick={cancel}>{ "Cancel" }</Button>
                    <Button r#type="submit" busy={*busy} testid="create-team-submit">{ "Create team" }</Button>
                </div>
            </form>
        </Dialog>
    }
}
