//! `/teams/:id/insights`: a team's participation rate, median time to answer, average
//! mood and blockers opened and resolved per week over the last 4, 12 or 52 weeks, one
//! query per chart (each with its table view). For the team's members and the
//! organization's owners and admins.

use schema::ops::{
    BlockerWeek, MoodWeek, ParticipationWeek, ResponseTimeWeek, TeamInsightsQuery,
    TeamRangeVariables,
};
use yew::prelude::*;
use yew_router::prelude::*;

use super::use_title;
use crate::app::Route;
use crate::components::chart::{ChartPoint, ChartProps, bar_chart, rate_chart};
use crate::components::{ErrorBanner, SelectField, loading};
use crate::format;
use crate::hooks::{Load, use_query};

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

/// Axis ticks at whole numbers, each written as itself.
fn whole_ticks(values: [i32; 3]) -> Vec<(f64, String)> {
    values
        .into_iter()
        .map(|v| (f64::from(v), v.to_string()))
        .collect()
}

fn mood_chart(weeks: &[MoodWeek]) -> Html {
    bar_chart(ChartProps {
        title: "Average mood per week",
        id: "mood",
        x_label: "Week",
        y_label: "Mood (1 to 5)",
        detail_label: "Moods given",
        y_max: 5.0,
        y_ticks: whole_ticks([1, 3, 5]),
        points: weeks
            .iter()
            .map(|w| ChartPoint {
                label: format::week_label(&w.week_start),
                value: w.average,
                text: w.average.map_or_else(|| "—".to_owned(), format::tenths),
                detail: if w.answers > 0 && w.average.is_none() {
                    format!("{} (anonymous, fewer than 3 people)", w.answers)
                } else {
                    w.answers.to_string()
                },
            })
            .collect(),
    })
}

/// Two charts of one query: blockers opened per week, and resolved per week with the
/// median days it took.
fn blocker_charts(weeks: &[BlockerWeek]) -> Html {
    let top = weeks
        .iter()
        .map(|w| w.opened.max(w.resolved))
        .max()
        .unwrap_or(0)
        .max(2);
    let chart = |title,
                 id,
                 y_label,
                 detail_label,
                 value: fn(&BlockerWeek) -> i32,
                 detail: fn(&BlockerWeek) -> String| {
        bar_chart(ChartProps {
            title,
            id,
            x_label: "Week",
            y_label,
            detail_label,
            y_max: f64::from(top),
            y_ticks: whole_ticks([0, top / 2, top]),
            points: weeks
                .iter()
                .map(|w| ChartPoint {
                    label: format::week_label(&w.week_start),
                    value: Some(f64::from(value(w))),
                    text: value(w).to_string(),
                    detail: detail(w),
                })
                .collect(),
        })
    };
    html! {
        <>
            { chart("Blockers opened per week", "blockers-opened", "Opened", "Resolved that week", |w| w.opened, |w| w.resolved.to_string()) }
            { chart("Blockers resolved per week", "blockers-resolved", "Resolved", "Median time to resolve", |w| w.resolved, |w| {
                w.median_days_to_resolve.map_or_else(|| "—".to_owned(), |d| format!("{} days", format::tenths(d)))
            }) }
        </>
    }
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
    // The four charts' queries in one request.
    let insights = use_query::<TeamInsightsQuery, _>(variables, ());
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
                    <p class="page-description">{ "How many answer, how soon, how they feel and what blocks them, week by week." }</p>
                </div>
                <SelectField id="insights-range" label="Range" options={options} value={(*weeks).clone()} onchange={on_range} />
            </header>
            { match &*insights.state {
                Load::Loading => loading("Loading the charts…"),
                Load::Failed(err) => html! {
                    <ErrorBanner title="The charts could not be loaded" message={err.user_message()} on_retry={insights.retry.clone()} />
                },
                Load::Ready(d) => html! {
                    <>
                        <section class="card" aria-label="Participation">{ participation_chart(&d.team_weekly_participation) }</section>
                        <section class="card" aria-label="Time to answer">{ response_time_chart(&d.team_response_times) }</section>
                        <section class="card" aria-label="Mood">{ mood_chart(&d.team_mood_trend) }</section>
                        <section class="card" aria-label="Blockers">{ blocker_charts(&d.team_blocker_flow) }</section>
                    </>
                },
            } }
        </>
    }
}
