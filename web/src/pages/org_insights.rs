//! `/insights`: each team's participation over the last 4, 12 or 52 weeks, for owners
//! and admins — a chart of the rates and the table of the same numbers, each team linked
//! to its own insights.

use schema::ops::{DateRangeVariables, OrganizationParticipationQuery, TeamParticipation};
use yew::prelude::*;

use super::home::participation_table;
use super::insights::range_options;
use super::use_title;
use crate::components::chart::rate_chart;
use crate::components::{EmptyState, ErrorBanner, SelectField, loading};
use crate::format;
use crate::hooks::{Load, use_query};

/// A team name short enough for the chart's axis.
fn short(name: &str) -> String {
    if name.chars().count() > 12 {
        let cut: String = name.chars().take(11).collect();
        format!("{cut}…")
    } else {
        name.to_owned()
    }
}

fn rates_chart(teams: &[TeamParticipation]) -> Html {
    rate_chart(
        "Participation rate per team",
        "team-rates",
        "Team",
        teams
            .iter()
            .map(|t| (short(&t.team.name), t.rate, t.answered, t.asked)),
    )
}

#[component]
pub fn OrganizationInsightsPage() -> Html {
    use_title("Insights");
    let weeks = use_state(|| "12".to_owned());
    let (from, to) = format::last_weeks(format::viewer_today(), weeks.parse().unwrap_or(12));
    let overview =
        use_query::<OrganizationParticipationQuery, _>(DateRangeVariables { from, to }, ());
    let on_range = {
        let weeks = weeks.clone();
        Callback::from(move |v: String| weeks.set(v))
    };
    let options = range_options();
    let body = match &*overview.state {
        Load::Loading => loading("Loading participation…"),
        Load::Failed(err) => html! {
            <ErrorBanner title="Participation could not be loaded" message={err.user_message()} on_retry={overview.retry.clone()} />
        },
        Load::Ready(data) if data.organization_participation.is_empty() => html! {
            <EmptyState title="No teams yet" testid="org-insights-empty">
                <p class="muted">{ "Create a team and run its standups; their participation shows here." }</p>
            </EmptyState>
        },
        Load::Ready(data) => html! {
            <>
                { rates_chart(&data.organization_participation) }
                { participation_table(&data.organization_participation) }
            </>
        },
    };
    html! {
        <>
            <header class="page-header page-header-actions">
                <div>
                    <h1 class="page-title">{ "Insights" }</h1>
                    <p class="page-description">{ "How each team takes part; open a team for its weeks and times to answer." }</p>
                </div>
                <SelectField id="org-insights-range" label="Range" options={options} value={(*weeks).clone()} onchange={on_range} />
            </header>
            <section class="card" aria-label="Participation per team">{ body }</section>
        </>
    }
}
