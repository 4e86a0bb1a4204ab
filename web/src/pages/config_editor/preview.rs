//! The live preview of the next runs: the same schedule code the server and the scheduler
//! run (`schema::schedule`), over the browser's tzdb, before anything is saved.

use chrono::{DateTime, Datelike, Timelike, Utc};
use schema::schedule::Schedule;
use yew::prelude::*;

use super::draft::Draft;
use crate::tz::BrowserZone;

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

/// The next five runs of the draft's schedule, or why there are none.
pub fn preview(draft: &Draft) -> Html {
    let zone = schema::schedule::check_timezone(draft.timezone.trim()).and_then(|_| {
        BrowserZone::new(draft.timezone.trim()).ok_or_else(|| schema::schedule::ScheduleError {
            field: "timezone",
            message: "this browser does not know that time zone; the server may still".to_owned(),
        })
    });
    match zone.and_then(|zone| Schedule::with_zone(&draft.weekdays, draft.time_of_day.trim(), zone))
    {
        Ok(schedule) => {
            let runs = schedule.upcoming(browser_now(), 5);
            html! {
                <ol class="preview-list" data-testid="next-runs">
                    { for runs.iter().map(|run| html! {
                        <li>
                            <span class="cell-primary">{ local_run(&schedule, *run) }</span>
                            <span class="muted">{ your_time(schedule.timezone().name(), *run) }</span>
                            <time class="visually-hidden" datetime={run.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)}></time>
                        </li>
                    }) }
                </ol>
            }
        }
        Err(err) => {
            html! { <p class="muted" data-testid="next-runs-error">{ crate::api::capitalise(&err.message) }</p> }
        }
    }
}

/// After a run's wall clock in the schedule's zone: that zone, and the viewer's own time
/// when they are elsewhere.
fn your_time(zone: &str, run: chrono::DateTime<chrono::Utc>) -> String {
    let viewer = crate::format::local::viewer_zone();
    if viewer == zone {
        format!(" {zone}")
    } else {
        format!(" {zone} · {} {viewer}", crate::format::local::at(run))
    }
}
