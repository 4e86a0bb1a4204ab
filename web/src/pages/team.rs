//! `/teams/:id`: one team — its standups (configs), members and recent runs. Owners and
//! admins edit the team, manage members and standups, and start a standup now.

use std::rc::Rc;

use schema::enums::MemberStatus;
use schema::ops::{
    AddTeamMember, DeleteStandupConfig, DeleteTeam, IdVariables, MemberFilter, MembersQuery,
    MembersVariables, RemoveTeamMember, SetStandupConfigActive, SetStandupConfigActiveVariables,
    StandupConfig, Team, TeamMemberVariables, TeamQuery,
};
use yew::prelude::*;
use yew_router::prelude::*;

use super::use_title;
use crate::app::Route;
use crate::components::pickers::weekdays_summary;
use crate::components::{
    Button, ButtonKind, Confirmation, EmptyState, ErrorBanner, RecentStandups, SelectField,
    StartNowButton, TeamDialog, confirm_dialog, table_skeleton, use_viewer,
};
use crate::format;
use crate::hooks::{Load, MutationOptions, use_mutation, use_query};

#[derive(Properties, PartialEq)]
pub struct TeamPageProps {
    pub id: AttrValue,
}

/// What a confirmation on the team page is about.
#[derive(Clone, PartialEq)]
enum Confirm {
    DeleteTeam,
    RemoveMember { user_id: String, name: String },
    DeleteConfig { id: String, name: String },
}

#[component]
pub fn TeamPage(props: &TeamPageProps) -> Html {
    use_title("Team");
    let navigator = use_navigator();
    let viewer = use_viewer();
    let version = use_state(|| 0u32);
    let team = use_query::<TeamQuery, _>(
        IdVariables {
            id: props.id.to_string(),
        },
        *version,
    );
    let editing = use_state(|| false);
    let confirm = use_state(|| None::<Confirm>);
    let reload = {
        let version = version.clone();
        Callback::from(move |()| version.set(*version + 1))
    };
    // What a confirmation ends with: the list of teams after the team is gone, else this
    // page again (whether or not the action worked).
    let settled = {
        let (confirm, reload) = (confirm.clone(), reload.clone());
        let deleting_team = *confirm == Some(Confirm::DeleteTeam);
        Callback::from(move |ok: bool| {
            confirm.set(None);
            match &navigator {
                Some(navigator) if ok && deleting_team => navigator.push(&Route::Teams),
                _ => reload.emit(()),
            }
        })
    };
    let action = use_mutation(MutationOptions {
        toast_errors: true,
        settled: Some(settled),
        ..Default::default()
    });

    let Some(viewer) = viewer else {
        return Html::default();
    };
    let is_admin = viewer.role.is_admin();

    let team = match &*team.state {
        Load::Loading => return table_skeleton("Loading the team…", 4),
        Load::Failed(err) => {
            return html! {
                <ErrorBanner title="This team could not be loaded" message={err.user_message()} on_retry={team.retry.clone()} />
            };
        }
        Load::Ready(data) => match &data.team {
            Some(team) => Rc::new(team.clone()),
            None => {
                return html! {
                    <EmptyState title="This team does not exist" testid="team-missing">
                        <p class="muted">{ "It may have been deleted, or belong to another organization." }</p>
                        <Link<Route> to={Route::Teams}>{ "All teams" }</Link<Route>>
                    </EmptyState>
                };
            }
        },
    };

    let ask = |what: Confirm| {
        let confirm = confirm.clone();
        Callback::from(move |_: MouseEvent| confirm.set(Some(what.clone())))
    };
    let cancel = {
        let confirm = confirm.clone();
        Callback::from(move |()| confirm.set(None))
    };
    let confirmed = {
        let (confirm, action) = (confirm.clone(), action.clone());
        let team_id = team.id.clone();
        let team_name = team.name.clone();
        Callback::from(move |_: MouseEvent| {
            let (team_id, team_name) = (team_id.clone(), team_name.clone());
            match (*confirm).clone() {
                None => {}
                Some(Confirm::DeleteTeam) => action
                    .run::<DeleteTeam>(IdVariables { id: team_id }, move |_| {
                        Some(format!("Team {team_name} deleted"))
                    }),
                Some(Confirm::RemoveMember { user_id, name }) => {
                    let Ok(user_id) = user_id.parse() else {
                        return;
                    };
                    action.run::<RemoveTeamMember>(
                        TeamMemberVariables { team_id, user_id },
                        move |_| Some(format!("{name} left {team_name}")),
                    );
                }
                Some(Confirm::DeleteConfig { id, name }) => action
                    .run::<DeleteStandupConfig>(IdVariables { id }, move |_| {
                        Some(format!("Standup {name} deleted"))
                    }),
            }
        })
    };

    let dialog = match &*confirm {
        None => Html::default(),
        Some(what) => {
            let (title, text, label) = match what {
                Confirm::DeleteTeam => (
                    format!("Delete {}?", team.name),
                    delete_team_text(team.standup_configs.len()),
                    format!("Delete {}", team.name),
                ),
                Confirm::RemoveMember { name, .. } => (
                    format!("Remove {name} from {}?", team.name),
                    format!(
                        "{name} stops getting this team's standups. They stay in the organization."
                    ),
                    format!("Remove {name}"),
                ),
                Confirm::DeleteConfig { name, .. } => (
                    format!("Delete the standup {name}?"),
                    "Its schedule stops. Standups it already ran stay in the team's history."
                        .to_owned(),
                    format!("Delete {name}"),
                ),
            };
            confirm_dialog(
                Confirmation {
                    title: title.to_string(),
                    text: text.to_string(),
                    label: label.to_string(),
                    kind: ButtonKind::Danger,
                    busy: action.busy(),
                },
                cancel.clone(),
                confirmed,
            )
        }
    };

    let open_edit = {
        let editing = editing.clone();
        Callback::from(move |_: MouseEvent| editing.set(true))
    };
    let close_edit = {
        let (editing, reload) = (editing.clone(), reload.clone());
        Callback::from(move |changed: bool| {
            editing.set(false);
            if changed {
                reload.emit(());
            }
        })
    };

    let configs = if team.standup_configs.is_empty() {
        html! {
            <EmptyState title="No standups yet" testid="configs-empty">
                if is_admin {
                    <p class="muted">{ "Pick a template, the days and the time; the team is asked from then on." }</p>
                    <Link<Route> to={Route::NewStandupConfig { team_id: team.id.clone() }} classes="btn btn-primary">{ "Create the first standup" }</Link<Route>>
                } else {
                    <p class="muted">{ "An owner or admin sets up this team's standups." }</p>
                }
            </EmptyState>
        }
    } else {
        html! {
            <ul class="config-list">
                { for team.standup_configs.iter().map(|c| html! {
                    <ConfigRow
                        key={c.id.clone()} config={c.clone()} is_admin={is_admin}
                        on_changed={reload.clone()}
                        on_delete={ask(Confirm::DeleteConfig { id: c.id.clone(), name: c.name.clone() })}
                    />
                }) }
            </ul>
        }
    };

    let members = html! {
        <>
            if team.members.is_empty() {
                <EmptyState title="Nobody in this team yet" testid="team-members-empty">
                    if is_admin { <p class="muted">{ "Add people from your organization below." }</p> }
                </EmptyState>
            } else {
                <ul class="people-list" data-testid="team-members">
                    { for team.members.iter().map(|m| html! {
                        <li key={m.user.id.to_string()} data-email={m.user.email.clone()}>
                            <div>
                                <div class="cell-primary">{ m.user.name.clone() }</div>
                                <div class="muted">{ m.user.email.clone() }</div>
                                if let Some(local) = m.user.timezone.as_deref().and_then(local_time) {
                                    <div class="muted" data-testid="member-local-time">{ local }</div>
                                }
                            </div>
                            if is_admin {
                                <Button kind={ButtonKind::Ghost} testid="remove-team-member"
                                    onclick={ask(Confirm::RemoveMember { user_id: m.user.id.to_string(), name: m.user.name.clone() })}>
                                    { "Remove" }
                                </Button>
                            }
                        </li>
                    }) }
                </ul>
            }
            if is_admin {
                <AddMember team={team.clone()} on_added={reload.clone()} />
            }
        </>
    };

    html! {
        <>
            <nav class="breadcrumbs" aria-label="Breadcrumb">
                <Link<Route> to={Route::Teams}>{ "Teams" }</Link<Route>>
                <span aria-hidden="true">{ " / " }</span>
                <span aria-current="page">{ team.name.clone() }</span>
            </nav>
            <header class="page-header page-header-actions">
                <div>
                    <h1 class="page-title" data-testid="team-name">{ team.name.clone() }</h1>
                    <p class="page-description">
                        { format::team_subtitle(team.description.as_deref(), &team.timezone) }
                    </p>
                </div>
                if is_admin {
                    <div class="header-actions">
                        <Button kind={ButtonKind::Secondary} onclick={open_edit} testid="edit-team">{ "Edit" }</Button>
                        <Button kind={ButtonKind::Danger} onclick={ask(Confirm::DeleteTeam)} testid="delete-team">{ "Delete" }</Button>
                        <Link<Route> to={Route::NewStandupConfig { team_id: team.id.clone() }} classes="btn btn-primary">{ "New standup" }</Link<Route>>
                    </div>
                }
            </header>
            <section class="card" aria-labelledby="configs-title">
                <h2 id="configs-title" class="card-title">{ "Standups" }</h2>
                { configs }
            </section>
            <section class="card" aria-labelledby="recent-title">
                <div class="card-header">
                    <h2 id="recent-title" class="card-title">{ "Recent standups" }</h2>
                    <span class="header-actions">
                        <Link<Route> to={Route::TeamHistory { id: team.id.clone() }}>{ "History and participation" }</Link<Route>>
                        <Link<Route> to={Route::TeamInsights { id: team.id.clone() }}>{ "Insights" }</Link<Route>>
                    </span>
                </div>
                <RecentStandups team_id={team.id.clone()} />
            </section>
            <section class="card" aria-labelledby="blockers-title">
                <h2 id="blockers-title" class="card-title">{ "Open blockers" }</h2>
                <super::team_blockers::TeamBlockers team_id={team.id.clone()} />
            </section>
            <section class="card" aria-labelledby="people-title">
                <h2 id="people-title" class="card-title">{ format!("People ({})", team.members.len()) }</h2>
                { members }
            </section>
            { dialog }
            if *editing {
                <TeamDialog team={team.clone()} on_close={close_edit} />
            }
        </>
    }
}

#[derive(Properties, PartialEq)]
struct ConfigRowProps {
    config: StandupConfig,
    is_admin: bool,
    on_changed: Callback<()>,
    on_delete: Callback<MouseEvent>,
}

#[component]
fn ConfigRow(props: &ConfigRowProps) -> Html {
    let toggle = use_mutation(MutationOptions {
        toast_errors: true,
        settled: Some(props.on_changed.reform(|_| ())),
        ..Default::default()
    });
    let c = &props.config;
    let onclick = {
        let toggle = toggle.clone();
        let vars = SetStandupConfigActiveVariables {
            id: c.id.clone(),
            active: !c.active,
        };
        let text = format!("{} {}", c.name, if c.active { "paused" } else { "resumed" });
        Callback::from(move |_: MouseEvent| {
            let text = text.clone();
            toggle.run::<SetStandupConfigActive>(vars.clone(), move |_| Some(text));
        })
    };
    html! {
        <li class="config-row" data-testid="config-row" data-name={c.name.clone()}>
            <div class="config-main">
                <div class="cell-primary">
                    { c.name.clone() }
                    if !c.active { <span class="badge badge-muted">{ "Paused" }</span> }
                </div>
                <div class="muted">
                    { format!("{} at {} · {} · {} question{} · {} participant{}",
                        weekdays_summary(&c.weekdays), c.time_of_day, c.timezone,
                        c.questions.len(), if c.questions.len() == 1 { "" } else { "s" },
                        c.participants.len(), if c.participants.len() == 1 { "" } else { "s" }) }
                </div>
                <div class="muted" data-testid="config-next-run">
                    { match c.next_run_at {
                        Some(at) => format!("Next run {}", format::local::at_for_team(at, &c.timezone)),
                        None => "Not scheduled while paused".to_owned(),
                    } }
                </div>
            </div>
            if props.is_admin {
                <div class="cell-actions">
                    <StartNowButton config_id={c.id.clone()} />
                    <Link<Route> to={Route::EditStandupConfig { id: c.id.clone() }} classes="btn btn-secondary">{ "Edit" }</Link<Route>>
                    <Button kind={ButtonKind::Secondary} busy={toggle.busy()} {onclick} testid="toggle-active">
                        { if c.active { "Pause" } else { "Resume" } }
                    </Button>
                    <Button kind={ButtonKind::Danger} onclick={props.on_delete.clone()} testid="delete-config">{ "Delete" }</Button>
                </div>
            }
        </li>
    }
}

#[derive(Properties, PartialEq)]
struct AddMemberProps {
    team: Rc<Team>,
    on_added: Callback<()>,
}

/// Adds an active organization member who is not in the team yet.
#[component]
fn AddMember(props: &AddMemberProps) -> Html {
    let people = use_query::<MembersQuery, _>(
        MembersVariables {
            first: Some(100),
            after: None,
            filter: MemberFilter {
                status: Some(MemberStatus::Active),
                ..MemberFilter::default()
            },
        },
        props.team.members.len(),
    );
    let chosen = use_state(String::new);
    let add = use_mutation(MutationOptions {
        toast_errors: true,
        settled: Some({
            let (chosen, done) = (chosen.clone(), props.on_added.clone());
            Callback::from(move |_| {
                chosen.set(String::new());
                done.emit(());
            })
        }),
        ..Default::default()
    });

    let candidates: Vec<(AttrValue, AttrValue)> = match &*people.state {
        Load::Ready(data) => data
            .members
            .nodes
            .iter()
            .filter(|m| !props.team.members.iter().any(|t| t.user.id == m.user.id))
            .map(|m| {
                (
                    AttrValue::from(m.user.id.to_string()),
                    AttrValue::from(format!("{} ({})", m.user.name, m.user.email)),
                )
            })
            .collect(),
        _ => Vec::new(),
    };
    if candidates.is_empty() {
        return match &*people.state {
            Load::Ready(_) => {
                html! { <p class="muted">{ "Everyone in the organization is in this team." }</p> }
            }
            _ => Html::default(),
        };
    }
    let mut options = vec![(AttrValue::from(""), AttrValue::from("Choose a person…"))];
    options.extend(candidates);
    let onchange = {
        let chosen = chosen.clone();
        Callback::from(move |v: String| chosen.set(v))
    };
    let onsubmit = {
        let (chosen, add) = (chosen.clone(), add.clone());
        let team_id = props.team.id.clone();
        let team_name = props.team.name.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Ok(user_id) = chosen.parse() else {
                return;
            };
            let vars = TeamMemberVariables {
                team_id: team_id.clone(),
                user_id,
            };
            let team_name = team_name.clone();
            add.run::<AddTeamMember>(vars, move |data| {
                Some(format!(
                    "{} joined {team_name}",
                    data.add_team_member.user.name
                ))
            });
        })
    };
    html! {
        <form class="inline-form" {onsubmit}>
            <SelectField id="add-team-member" label="Add a person" {options} value={(*chosen).clone()} {onchange} />
            <Button r#type="submit" kind={ButtonKind::Secondary} busy={add.busy()} disabled={chosen.is_empty()} testid="add-team-member">{ "Add" }</Button>
        </form>
    }
}

/// What deleting a team destroys, saying nothing of standups it never had.
fn delete_team_text(configs: usize) -> String {
    let what = match configs {
        0 => String::new(),
        1 => ", its standup and its schedule".to_owned(),
        n => format!(", its {} and their schedules", format::count(n, "standup")),
    };
    format!("This deletes the team{what}. Past standups and answers are deleted with it.")
}

/// "Asia/Kolkata · 09:12 local": a member's zone and the time there now.
fn local_time(zone: &str) -> Option<String> {
    use chrono::Timelike;
    let tz = crate::tz::BrowserZone::new(zone)?;
    let now = chrono::DateTime::<chrono::Utc>::from_timestamp_millis(js_sys::Date::now() as i64)?;
    let local = now.with_timezone(&tz).naive_local();
    Some(format!(
        "{zone} · {:02}:{:02} local",
        local.hour(),
        local.minute()
    ))
}

#[cfg(test)]
mod tests {
    use super::delete_team_text;

    #[test]
    fn deleting_a_team_names_what_goes_with_it() {
        assert_eq!(
            delete_team_text(0),
            "This deletes the team. Past standups and answers are deleted with it."
        );
        assert_eq!(
            delete_team_text(1),
            "This deletes the team, its standup and its schedule. Past standups and answers are deleted with it."
        );
        assert_eq!(
            delete_team_text(3),
            "This deletes the team, its 3 standups and their schedules. Past standups and answers are deleted with it."
        );
    }
}
