//! The team dialog: create a team (the teams page) or edit one (the team's page).

use std::rc::Rc;

use schema::ops::{
    CreateTeam, CreateTeamVariables, Team, TeamInput, UpdateTeam, UpdateTeamVariables,
};
use schema::validation::ValidationError;
use yew::prelude::*;
use yew_router::prelude::*;

use super::pickers::browser_timezone;
use super::{Button, ButtonKind, Dialog, ErrorBanner, TextField, TimezoneField};
use crate::app::Route;
use crate::hooks::{FormErrors, MutationOptions, use_mutation};

const FIELDS: &[&str] = &["name", "timezone", "description"];

#[derive(Properties, PartialEq)]
pub struct TeamDialogProps {
    /// The team to edit; `None` creates one.
    #[prop_or_default]
    pub team: Option<Rc<Team>>,
    /// `true` when the team changed (after an edit; a new team's page opens instead).
    pub on_close: Callback<bool>,
}

#[component]
pub fn TeamDialog(props: &TeamDialogProps) -> Html {
    let navigator = use_navigator();
    let team = props.team.clone();
    let name = use_state(|| team.as_ref().map(|t| t.name.clone()).unwrap_or_default());
    let timezone = use_state(|| match &team {
        Some(t) => t.timezone.clone(),
        None => browser_timezone().unwrap_or_else(|| "UTC".to_owned()),
    });
    let description = use_state(|| {
        team.as_ref()
            .and_then(|t| t.description.clone())
            .unwrap_or_default()
    });
    let save = use_mutation(MutationOptions {
        fields: FIELDS,
        // The dialog closes, or the new team's page opens.
        keep_busy: true,
        ..Default::default()
    });

    let onsubmit = {
        let (name, timezone, description, save) = (
            name.clone(),
            timezone.clone(),
            description.clone(),
            save.clone(),
        );
        let (team, done) = (team.clone(), props.on_close.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if save.invalid(FormErrors::from_checks([
                name.trim()
                    .is_empty()
                    .then(|| ValidationError::new("name", "enter a name")),
                schema::schedule::check_timezone(timezone.trim())
                    .err()
                    .map(ValidationError::from),
            ])) {
                return;
            }
            let input = TeamInput {
                name: name.trim().to_owned(),
                timezone: timezone.trim().to_owned(),
                description: (!description.trim().is_empty())
                    .then(|| description.trim().to_owned()),
            };
            match &team {
                Some(team) => {
                    let (id, done) = (team.id.clone(), done.clone());
                    save.run::<UpdateTeam>(UpdateTeamVariables { id, input }, move |_| {
                        done.emit(true);
                        Some("Team saved".to_owned())
                    });
                }
                None => {
                    let created = format!("Team {} created", input.name);
                    let navigator = navigator.clone();
                    save.run::<CreateTeam>(CreateTeamVariables { input }, move |data| {
                        if let Some(navigator) = navigator {
                            navigator.push(&Route::Team {
                                id: data.create_team.id,
                            });
                        }
                        Some(created)
                    });
                }
            }
        })
    };
    let close = {
        let c = props.on_close.clone();
        Callback::from(move |()| c.emit(false))
    };
    let cancel = {
        let c = props.on_close.clone();
        Callback::from(move |_: MouseEvent| c.emit(false))
    };
    let is_new = team.is_none();
    let title = match &team {
        Some(team) => format!("Edit {}", team.name),
        None => "Create a team".to_owned(),
    };
    let errors = save.errors();
    html! {
        <Dialog {title} on_close={close} testid="team-dialog">
            <form class="form" ref={save.form()} {onsubmit} novalidate=true>
                if let Some(message) = errors.form() {
                    <ErrorBanner {message} />
                }
                <TextField id="team-name" label="Name" required=true value={(*name).clone()}
                    oninput={save.input(&name, "name")} error={errors.field("name")}
                    hint={is_new.then_some("Unique in your organization, e.g. Core platform.")} />
                <TimezoneField id="team-timezone" value={(*timezone).clone()} oninput={save.input(&timezone, "timezone")}
                    error={errors.field("timezone")}
                    hint={is_new.then_some("Standups run in this zone unless a standup picks its own.")} />
                <TextField id="team-description" label="Description" value={(*description).clone()}
                    oninput={save.input(&description, "description")} error={errors.field("description")} />
                <div class="dialog-actions">
                    <Button kind={ButtonKind::Secondary} onclick={cancel}>{ "Cancel" }</Button>
                    if is_new {
                        <Button r#type="submit" busy={save.busy()} testid="create-team-submit">{ "Create team" }</Button>
                    } else {
                        <Button r#type="submit" busy={save.busy()} testid="save-team">{ "Save" }</Button>
                    }
                </div>
            </form>
        </Dialog>
    }
}
