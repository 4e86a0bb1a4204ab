//! `/`: the dashboard. What I must answer now (my open standups and their deadlines),
//! what is blocked, and for owners and admins each team's participation this week — or,
//! in a new organization, what to set up next.

use schema::enums::{ParticipationState, StandupState};
use schema::ops::{
    DateRangeVariables, MyStandupsQuery, MyStandupsVariables, OrganizationParticipationQuery,
    TeamParticipation,
};
use yew::prelude::*;
use yew_router::prelude::*;

use super::use_title;
use crate::app::Route;
use crate::components::shell::role_label;
use crate::components::{EmptyState, ErrorBanner, standup_row, table_skeleton, use_viewer};
use crate::format;
use crate::hooks::{Load, use_query};

#[component]
pub fn HomePage() -> Html {
    use_title("Home");
    let viewer = use_viewer();
    let open = use_query::<MyStandupsQuery, _>(
        MyStandupsVariables {
            state: Some(StandupState::Open),
        },
        (),
    );
    let Some(viewer) = viewer else {
        return Html::default();
    };
    let first_name = viewer
        .user
        .name
        .split_whitespace()
        .next()
        .unwrap_or(&viewer.user.name)
        .to_owned();

    let standups = match &*open.state {
        Load::Loading => table_skeleton("Loading your open standups…", 2),
        Load::Failed(err) => html! {
            <ErrorBanner title="Your standups could not be loaded" message={err.user_message()} on_retry={open.retry.clone()} />
        },
        Load::Ready(data) if data.my_standups.is_empty() => html! {
            <p class="muted" data-testid="dashboard-no-standups">{ "Nothing to answer right now. Standups you are asked in show here while they are open." }</p>
        },
        Load::Ready(data) => {
            let waiting = data
                .my_standups
                .iter()
                .filter(|s| {
                    s.my_participation
                        .as_ref()
                        .is_some_and(|p| p.state == ParticipationState::Pending)
                })
                .count();
            html! {
                <>
                    <p class="muted">{ if waiting == 0 { "You have answered everything that is open.".to_owned() } else { format!("{} waiting for your answer.", format::count(waiting, "standup")) } }</p>
                    <ul class="standup-list" data-testid="dashboard-standups">
                        { for data.my_standups.iter().map(|s| standup_row(s, true)) }
                    </ul>
                </>
            }
        }
    };

    html! {
        <>
            <header class="page-header">
                <h1 class="page-title">{ format!("Welcome, {first_name}") }</h1>
                <p class="page-description">{ "What to answer now, what is blocked, and how your teams are doing." }</p>
            </header>
            if viewer.role.is_admin() {
                <AdminOverview org={viewer.organization.name.clone()} />
            }
            <section class="card" aria-labelledby="open-title">
                <div class="card-header">
                    <h2 id="open-title" class="card-title">{ "Your open standups" }</h2>
                    <Link<Route> to={Route::MyStandups}>{ "All your standups" }</Link<Route>>
                </div>
                { standups }
            </section>
            <div data-testid="dashboard-blockers"><super::my_blockers::MyOpenBlockers always=true /></div>
            <div class="grid">
                <section class="card" aria-labelledby="you-title">
                    <h2 id="you-title" class="card-title">{ "You" }</h2>
                    <dl class="facts">
                        <dt>{ "Name" }</dt>
                        <dd data-testid="user-name">{ viewer.user.name.clone() }</dd>
                        <dt>{ "E-mail" }</dt>
                        <dd data-testid="user-email">{ viewer.user.email.clone() }</dd>
                    </dl>
                </section>
                <section class="card" aria-labelledby="org-title">
                    <h2 id="org-title" class="card-title">{ "Organization" }</h2>
                    <dl class="facts">
                        <dt>{ "Name" }</dt>
                        <dd data-testid="org-name">{ viewer.organization.name.clone() }</dd>
                        <dt>{ "Your role" }</dt>
                        <dd><span class="badge" data-testid="role">{ role_label(viewer.role) }</span></dd>
                    </dl>
                    if viewer.organizations.len() > 1 {
                        <p class="muted">{ format!("You belong to {} organizations; switch between them at the top.", viewer.organizations.len()) }</p>
                    }
                </section>
            </div>
        </>
    }
}

#[derive(Properties, PartialEq)]
struct AdminOverviewProps {
    org: AttrValue,
}

/// For owners and admins: each team's participation this week, or in a new
/// organization (no team yet) the steps to a first standup.
#[component]
fn AdminOverview(props: &AdminOverviewProps) -> Html {
    let (from, to) = format::last_weeks(format::viewer_today(), 1);
    let overview =
        use_query::<OrganizationParticipationQuery, _>(DateRangeVariables { from, to }, ());
    let body = match &*overview.state {
        Load::Loading => table_skeleton("Loading this week's participation…", 2),
        Load::Failed(err) => html! {
            <ErrorBanner title="Participation could not be loaded" message={err.user_message()} on_retry={overview.retry.clone()} />
        },
        Load::Ready(data) if data.organization_participation.is_empty() => {
            return setup(&props.org);
        }
        Load::Ready(data) => participation_table(&data.organization_participation),
    };
    html! {
        <section class="card" aria-labelledby="teams-title">
            <h2 id="teams-title" class="card-title">{ "Participation this week" }</h2>
            { body }
        </section>
    }
}

/// A new organization (no team yet): the three steps to a first standup.
fn setup(org: &str) -> Html {
    html! {
        <section class="card" aria-labelledby="setup-title">
            <EmptyState title={format!("Set up {org}")} testid="dashboard-setup">
                <p class="muted" id="setup-title">{ "Three steps to your first standup:" }</p>
                <ol class="dashboard-setup">
                    <li>
                        <Link<Route> to={Route::Teams} classes="btn btn-primary">{ "Create a team" }</Link<Route>>
                        <p class="muted">{ "A team has its members, its time zone and its standups." }</p>
                    </li>
                    <li>
                        <Link<Route> to={Route::Members} classes="btn btn-secondary">{ "Invite people" }</Link<Route>>
                        <p class="muted">{ "They get an e-mail to join; add them to a team." }</p>
                    </li>
                    <li>
                        <Link<Route> to={Route::Teams} classes="btn btn-secondary">{ "Start from a template" }</Link<Route>>
                        <p class="muted">{ "On the team page, \"New standup\" offers a daily standup, a weekly check-in and a retro." }</p>
                    </li>
                </ol>
            </EmptyState>
        </section>
    }
}

/// Each team's participation: the team (to its insights), answered of asked, the rate,
/// and its oldest open blocker.
pub fn participation_table(teams: &[TeamParticipation]) -> Html {
    html! {
        <div class="table-wrap">
            <table class="table" data-testid="dashboard-participation">
                <thead>
                    <tr>
                        <th scope="col">{ "Team" }</th>
                        <th scope="col">{ "Answered" }</th>
                        <th scope="col">{ "Rate" }</th>
                        <th scope="col">{ "Oldest open blocker" }</th>
                    </tr>
                </thead>
                <tbody>
                    { for teams.iter().map(|t| html! {
                        <tr key={t.team.id.clone()} data-testid="dashboard-team">
                            <th scope="row">
                                <Link<Route> to={Route::TeamInsights { id: t.team.id.clone() }}>{ t.team.name.clone() }</Link<Route>>
                            </th>
                            <td>{ if t.asked == 0 { "No standup yet".to_owned() } else { format!("{} of {}", t.answered, t.asked) } }</td>
                            <td>{ t.rate.map_or_else(|| "—".to_owned(), format::percent) }</td>
                            <td data-testid="dashboard-oldest-blocker">{ t.team.oldest_open_blocker.as_ref().map_or_else(
                                || "—".to_owned(),
                                |b| format!("{} ({})", b.text, super::team_blockers::age_label(b.age_days)),
                            ) }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        </div>
    }
}
