//! `/teams/:id/insights`: a team's participation rate and median time to answer per
//! week over the last 4, 12 or 52 weeks, one query and one chart each (with its table
//! view). For the team's members and the organization's owners and admins.

use schema::ops::{
    ParticipationWeek, ResponseTimeWeek, TeamRangeVariables, TeamResponseTimesQuery,
    TeamWeeklyParticipationQuery,
};
use yew::prelude::*;
use yew_router::prelude::*;

use super::use_title;
use crate::app::Route;
use crate::components::chart::{ChartPoint, ChartProps, bar_chart, rate_chart};
use crate::components::{ErrorBanner, SelectField, loading};
use crate::format;
use crate::hooks::{Load, QueryHandle, use_query};

/// The ranges offered: weeks and how they read.
pub const RANGES: [(&str, &str); 3] = [
    ("4", "Last 4 weeks"),
    ("12", "Last 12 weeks"),
    ("52", "Last 52 weeks"),
];

#[derive(Properties, PartialEq)]
pub struct InsightsProps {
    pub id: AttrValue,
}

/// One chart's query in its three states.
fn chart_or_state<T>(
    query: &QueryHandle<T>,
    what: &'static str,
    chart: impl FnOnce(&T) -> Html,
) -> Html {
    match &*query.state {
        Load::Loading => loading(what),
        Load::Failed(err) => html! {
            <ErrorBanner title="This chart could not be loaded" message={err.user_message()} on_retry={query.retry.clone()} />
        },
        Load::Ready(data) => chart(data.as_ref()),
    }
}

fn participation_chart(weeks: &[ParticipationWeek]) -> Html {
    rate_chart(
        "Participation rate per week",
        "participation",
        "Week",
        weeks.iter().map(|w| {
            (
                format::week_label(&w.week_start),
                w.rate,
                w.answered,
                w.asked,
            )
        }),
    )
}

/// [`RANGES`] as the range select's options.
pub fn range_options() -> Vec<(AttrValue, AttrValue)> {
    RANGES
        .iter()
        .map(|(v, label)| (AttrValue::from(*v), AttrValue::from(*label)))
        .collect()
}

fn response_time_chart(weeks: &[ResponseTimeWeek]) -> Html {
    let top = weeks
        .iter()
        .filter_map(|w| w.median_minutes)
        .fold(0.0_f64, f64::max);
    // Round the axis up to whole hours (at least one).
    let y_max = ((top / 60.0).ceil().max(1.0)) * 60.0;
    let minutes = |m: f64| format::minutes(m.round().max(0.0) as u32);
    bar_chart(ChartProps {
        title: "Median time to answer per week",
        id: "response-times",
        x_label: "Week",
        y_label: "Median time",
        detail_label: "Answers",
        y_max,
        y_ticks: [0.0, y_max / 2.0, y_max]
            .into_iter()
            .map(|v| (v, minutes(v)))
            .collect(),
        points: weeks
            .iter()
            .map(|w| ChartPoint {
                label: format::week_label(&w.week_start),
                value: w.median_minutes,
                text: w.median_minutes.map_or_else(|| "—".to_owned(), minutes),
                detail: w.answers.to_string(),
            })
            .collect(),
    })
}

#[component]
pub fn TeamInsightsPage(props: &InsightsProps) -> Html {
    use_title("Team insights");
    let weeks = use_state(|| "12".to_owned());
    let (from, to) = format::last_weeks(format::viewer_today(), weeks.parse().unwrap_or(12));
    let variables = TeamRangeVariables {
        team_id: props.id.to_string(),
        from,
        to,
    };
    let participation = use_query::<TeamWeeklyParticipationQuery, _>(variables.clone(), ());
    let times = use_query::<TeamResponseTimesQuery, _>(variables, ());
    let on_range = {
        let weeks = weeks.clone();
        Callback::from(move |v: String| weeks.set(v))
    };
    let options = range_options();

    html! {
        <>
            <nav class="breadcrumbs" aria-label="Breadcrumb">
                <Link<Route> to={Route::Teams}>{ "Teams" }</Link<Route>>
                <span aria-hidden="true">{ " / " }</span>
                <Link<Route> to={Route::Team { id: props.id.to_string() }}>{ "Team" }</Link<Route>>
                <span aria-hidden="true">{ " / " }</span>
                <span aria-current="page">{ "Insights" }</span>
            </nav>
            <header class="page-header page-header-actions">
                <div>
                    <h1 class="page-title">{ "Team insights" }</h1>
                    <p class="page-description">{ "How many answer, and how soon, week by week." }</p>
                </div>
                <SelectField id="insights-range" label="Range" options={options} value={(*weeks).clone()} onchange={on_range} />
            </header>
            <section class="card" aria-label="Participation">
                { chart_or_state(&participation, "Loading participation…", |d| participation_chart(&d.team_weekly_participation)) }
            </section>
            <section class="card" aria-label="Time to answer">
                { chart_or_state(&times, "Loading times to answer…", |d| response_time_chart(&d.team_response_times)) }
            </section>
        </>
    }
}
