//! `/teams`: the organization's teams. Owners and admins create them.

use schema::ops::{NoVariables, TeamSummary, TeamsQuery};
use yew::prelude::*;
use yew_router::prelude::*;

use super::use_title;
use crate::app::Route;
use crate::components::{Button, EmptyState, ErrorBanner, TeamDialog, table_skeleton, use_viewer};
use crate::format;
use crate::hooks::{Load, use_query};

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
        Callback::from(move |_: bool| creating.set(false))
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
                <TeamDialog on_close={close} />
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
                    <span>{ format!("next {}", format::local::at_for_team(next, &team.timezone)) }</span>
                }
            </p>
        </li>
    }
}
