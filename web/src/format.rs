//! How dates, roles and statuses read in the UI.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Timelike, Utc};
use schema::enums::{MemberStatus, OrgRole};

// Formatted by hand: chrono's strftime machinery would cost the bundle more than this.
pub const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `YYYY-MM-DD` from a date input, as the start of that day in UTC.
///
/// Split by hand: `NaiveDate::parse_from_str` brings chrono's whole format-string parser
/// (8 KB of wasm) for this one fixed shape.
pub fn day_start(value: &str) -> Option<DateTime<Utc>> {
    let mut parts = value.split('-');
    let mut number = || -> Option<u32> {
        let part = parts
            .next()
            .filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))?;
        part.parse().ok()
    };
    let (year, month, day) = (number()?, number()?, number()?);
    if parts.next().is_some() {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
    Some(date.and_hms_opt(0, 0, 0)?.and_utc())
}

/// Upper-cased by the browser (`String.prototype.toUpperCase`): Rust's own upper-casing
/// would add its Unicode upper-case table (~12 KB) to the bundle. Both apply Unicode's
/// unconditional case mappings (`ß` -> `SS`), without locale.
pub fn upper(text: &str) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::JsString::from(text).to_upper_case().into()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        text.to_uppercase()
    }
}

/// A ratio as a whole percentage: 0.125 -> "12 %" (ties to even, like `{:.0}`, whose
/// exact float formatting costs the bundle 14 KB).
pub fn percent(ratio: f64) -> String {
    format!("{} %", (ratio * 100.0).round_ties_even() as i64)
}

/// A number with one decimal: 3.84 -> "3.8" (without the float formatting the bundle
/// leaves out, see [`percent`]).
pub fn tenths(value: f64) -> String {
    let tenths = (value * 10.0).round() as i64;
    format!("{}.{}", tenths / 10, (tenths % 10).abs())
}

/// "Nov 24, 2026".
pub fn date(at: DateTime<Utc>) -> String {
    let month = MONTHS.get(at.month0() as usize).copied().unwrap_or("");
    format!("{month} {}, {}", at.day(), at.year())
}

/// "2026-11-24 21:30:05 UTC": exact, for the audit log.
pub fn timestamp(at: DateTime<Utc>) -> String {
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
        at.year(),
        at.month(),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

pub fn role(role: OrgRole) -> &'static str {
    role.label()
}

pub fn member_status(status: MemberStatus) -> &'static str {
    match status {
        MemberStatus::Invited => "Invited",
        MemberStatus::Active => "Active",
        MemberStatus::Suspended => "Suspended",
    }
}

/// The audit actions the API records, with how they read.
pub const AUDIT_ACTIONS: &[(&str, &str)] = &[
    ("auth.sign_up", "Signed up"),
    ("auth.log_in", "Signed in"),
    ("auth.log_in_failed", "Failed sign-in (wrong password)"),
    ("auth.throttled", "Sign-in paused after failed attempts"),
    ("auth.log_out", "Signed out"),
    ("auth.switch_organization", "Switched organization"),
    (
        "auth.password_reset_requested",
        "Asked for a password reset",
    ),
    ("auth.password_reset", "Reset their password"),
    ("auth.refresh_token_reused", "Reused an old session token"),
    ("invitation.create", "Invited someone"),
    ("invitation.resend", "Resent an invitation"),
    ("invitation.revoke", "Revoked an invitation"),
    ("invitation.accept", "Accepted an invitation"),
    ("member.change_role", "Changed a member's role"),
    ("member.suspend", "Suspended a member"),
    ("member.reactivate", "Reactivated a member"),
    ("member.remove", "Removed a member"),
    ("organization.update", "Changed the organization"),
    ("job.retry", "Retried a failed job"),
    ("slack.install_started", "Started connecting Slack"),
    ("slack.connected", "Connected Slack"),
    ("slack.users_synced", "Matched members to Slack"),
    ("slack.disconnected", "Disconnected Slack"),
    (
        "slack.disconnected_by_slack",
        "Slack disconnected the workspace",
    ),
];

/// "Changed a member's role", or the action's code when this UI does not know it.
pub fn audit_action(action: &str) -> String {
    AUDIT_ACTIONS
        .iter()
        .find(|(code, _)| *code == action)
        .map(|(_, label)| (*label).to_owned())
        .unwrap_or_else(|| action.to_owned())
}

/// "1 standup", "3 standups": a count with its noun (the plural by adding "s").
pub fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

/// The line under a team's name: its description and zone, or only the zone (a filler
/// sentence glued to " · UTC" read as a glitch).
pub fn team_subtitle(description: Option<&str>, timezone: &str) -> String {
    match description.map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => format!("{d} · {timezone}"),
        None => format!("Standups run in {timezone} time."),
    }
}

/// A number of minutes as people say it: "45 min", "4 h", "1 h 30 min", "2 d 6 h".
pub fn minutes(total: u32) -> String {
    let (days, hours, mins) = (total / 1440, total / 60 % 24, total % 60);
    let parts: Vec<String> = [(days, "d"), (hours, "h"), (mins, "min")]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, unit)| format!("{n} {unit}"))
        .collect();
    if parts.is_empty() {
        "0 min".to_owned()
    } else {
        parts.join(" ")
    }
}

// ---------------------------------------------------------------------------------
// Instants as the viewer reads them: in their own zone, the team's zone named beside it
// where the two differ, near deadlines relative, never seconds, one date style.

pub const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// "Mon 7 Dec, 09:30"; the year is added when it is not `this_year`.
pub fn wall_clock(wall: NaiveDateTime, this_year: i32) -> String {
    let weekday = WEEKDAYS[wall.weekday().num_days_from_monday() as usize];
    let month = MONTHS.get(wall.month0() as usize).copied().unwrap_or("");
    let year = if wall.year() == this_year {
        String::new()
    } else {
        format!(" {}", wall.year())
    };
    format!(
        "{weekday} {} {month}{year}, {:02}:{:02}",
        wall.day(),
        wall.hour(),
        wall.minute()
    )
}

/// "09:30".
fn clock(wall: NaiveDateTime) -> String {
    format!("{:02}:{:02}", wall.hour(), wall.minute())
}

/// How far an instant is from now, when it is near: "in 3 h 58 min", "12 min ago";
/// `None` a day or more away.
pub fn relative(at: DateTime<Utc>, now: DateTime<Utc>) -> Option<String> {
    let seconds = (at - now).num_seconds();
    if seconds.abs() >= 24 * 3600 {
        return None;
    }
    let minutes = u32::try_from(seconds.unsigned_abs().div_ceil(60)).unwrap_or(0);
    Some(match (seconds >= 0, minutes) {
        (_, 0) => "now".to_owned(),
        (true, m) => format!("in {}", self::minutes(m)),
        (false, m) => format!("{} ago", self::minutes(m)),
    })
}

/// An instant in the viewer's zone, with the team's wall clock beside it when the zones
/// differ: "Mon 7 Dec, 03:30 (America/New_York) · 09:30 Europe/Berlin". The parts are
/// given as wall clocks so this stays pure; [`local::at`] supplies them in the browser.
pub fn instant_text(
    viewer: NaiveDateTime,
    viewer_zone: &str,
    team: Option<(NaiveDateTime, &str)>,
    this_year: i32,
) -> String {
    match team.filter(|(_, zone)| *zone != viewer_zone) {
        None => wall_clock(viewer, this_year),
        Some((team_wall, zone)) => {
            let team_text = if team_wall.date() == viewer.date() {
                clock(team_wall)
            } else {
                wall_clock(team_wall, this_year)
            };
            format!(
                "{} ({viewer_zone}) · {team_text} {zone}",
                wall_clock(viewer, this_year)
            )
        }
    }
}

/// The browser side of the instants: the viewer's zone and the wall clocks in it.
pub mod local {
    use std::cell::RefCell;
    use std::collections::HashMap;

    use chrono::{DateTime, Datelike, NaiveDateTime, Utc};

    use crate::tz::BrowserZone;

    thread_local! {
        static ZONES: RefCell<HashMap<String, Option<BrowserZone>>> = RefCell::new(HashMap::new());
        static VIEWER: RefCell<Option<String>> = const { RefCell::new(None) };
    }

    /// Shows instants in `zone` from now on (the account's zone, once known).
    pub fn set_viewer_zone(zone: Option<&str>) {
        VIEWER.with(|v| *v.borrow_mut() = zone.map(str::to_owned));
    }

    /// The zone instants are shown in: the one set by [`set_viewer_zone`], else the
    /// browser's, else UTC.
    pub fn viewer_zone() -> String {
        if let Some(zone) = VIEWER.with(|v| v.borrow().clone()) {
            return zone;
        }
        crate::components::pickers::browser_timezone().unwrap_or_else(|| "UTC".to_owned())
    }

    /// `at`'s wall clock in `zone` (UTC's when the browser does not know the zone).
    pub fn wall(at: DateTime<Utc>, zone: &str) -> NaiveDateTime {
        if zone == "UTC" || !cfg!(target_arch = "wasm32") {
            return at.naive_utc();
        }
        let known = ZONES.with(|zones| {
            zones
                .borrow_mut()
                .entry(zone.to_owned())
                .or_insert_with(|| BrowserZone::new(zone))
                .clone()
        });
        match known {
            Some(tz) => at.with_timezone(&tz).naive_local(),
            None => at.naive_utc(),
        }
    }

    pub fn now() -> DateTime<Utc> {
        #[cfg(target_arch = "wasm32")]
        {
            DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default()
        }
        #[cfg(not(target_arch = "wasm32"))]
        {
            Utc::now()
        }
    }

    /// An instant for the viewer: "Mon 7 Dec, 09:30".
    pub fn at(at: DateTime<Utc>) -> String {
        let zone = viewer_zone();
        super::instant_text(wall(at, &zone), &zone, None, wall(now(), &zone).year())
    }

    /// An instant of a team's standup: in the viewer's zone, and in the team's when it
    /// differs.
    pub fn at_for_team(at: DateTime<Utc>, team_zone: &str) -> String {
        let zone = viewer_zone();
        super::instant_text(
            wall(at, &zone),
            &zone,
            Some((wall(at, team_zone), team_zone)),
            wall(now(), &zone).year(),
        )
    }

    /// A deadline: "closes in 3 h 58 min" when near, else "closes Mon 7 Dec, 09:30 …".
    pub fn deadline(verb: &str, at: DateTime<Utc>, team_zone: &str) -> String {
        match super::relative(at, now()) {
            Some(near) => format!("{verb} {near} ({})", at_for_team(at, team_zone)),
            None => format!("{verb} {}", at_for_team(at, team_zone)),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn minutes_read_as_days_hours_and_minutes() {
        assert_eq!(minutes(240), "4 h");
        assert_eq!(minutes(90), "1 h 30 min");
        assert_eq!(minutes(45), "45 min");
        assert_eq!(minutes(0), "0 min");
        assert_eq!(minutes(1440), "1 d");
        assert_eq!(minutes(10080), "7 d");
        assert_eq!(minutes(1530), "1 d 1 h 30 min");
    }

    #[test]
    fn counts_agree_with_their_noun() {
        assert_eq!(count(0, "standup"), "0 standups");
        assert_eq!(count(1, "standup"), "1 standup");
        assert_eq!(count(2, "standup"), "2 standups");
    }

    #[test]
    fn a_team_without_description_shows_only_its_zone() {
        assert_eq!(team_subtitle(Some("Core"), "UTC"), "Core · UTC");
        assert_eq!(team_subtitle(None, "UTC"), "Standups run in UTC time.");
        assert_eq!(
            team_subtitle(Some("  "), "Europe/Berlin"),
            "Standups run in Europe/Berlin time."
        );
    }

    #[test]
    fn instants_read_in_the_viewers_zone_with_the_teams_beside_them() {
        let wall = |s: &str| s.parse::<NaiveDateTime>().unwrap();
        let ny = wall("2026-12-07T03:30:00");
        let berlin = wall("2026-12-07T09:30:00");
        assert_eq!(
            instant_text(ny, "America/New_York", None, 2026),
            "Mon 7 Dec, 03:30"
        );
        assert_eq!(
            instant_text(
                ny,
                "America/New_York",
                Some((berlin, "Europe/Berlin")),
                2026
            ),
            "Mon 7 Dec, 03:30 (America/New_York) · 09:30 Europe/Berlin"
        );
        // The same zone is not repeated; another day is spelled out; another year too.
        assert_eq!(
            instant_text(
                berlin,
                "Europe/Berlin",
                Some((berlin, "Europe/Berlin")),
                2026
            ),
            "Mon 7 Dec, 09:30"
        );
        let tokyo = wall("2026-12-08T01:30:00");
        assert_eq!(
            instant_text(berlin, "Europe/Berlin", Some((tokyo, "Asia/Tokyo")), 2027),
            "Mon 7 Dec 2026, 09:30 (Europe/Berlin) · Tue 8 Dec 2026, 01:30 Asia/Tokyo"
        );
    }

    #[test]
    fn near_instants_read_relative() {
        let now: DateTime<Utc> = "2026-12-07T05:32:00Z".parse().unwrap();
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        assert_eq!(
            relative(at("2026-12-07T09:30:00Z"), now).as_deref(),
            Some("in 3 h 58 min")
        );
        assert_eq!(
            relative(at("2026-12-07T05:20:00Z"), now).as_deref(),
            Some("12 min ago")
        );
        assert_eq!(relative(at("2026-12-08T06:00:00Z"), now), None);
    }

    #[test]
    fn dates_read_like_people_write_them() {
        let at: DateTime<Utc> = "2026-03-05T07:08:09Z".parse().unwrap();
        assert_eq!(date(at), "Mar 5, 2026");
        assert_eq!(timestamp(at), "2026-03-05 07:08:09 UTC");
    }

    #[test]
    fn date_inputs_start_their_day_in_utc() {
        assert_eq!(
            day_start("2026-11-24").map(|d| d.to_rfc3339()),
            Some("2026-11-24T00:00:00+00:00".to_owned())
        );
        assert_eq!(day_start(""), None);
        assert_eq!(day_start("2026-02-30"), None);
        assert_eq!(day_start("2026-11"), None);
        assert_eq!(day_start("2026-11-24-1"), None);
        assert_eq!(day_start("2026-+1-24"), None);
    }

    #[test]
    fn rates_read_as_whole_percentages() {
        for rate in [0.0, 0.125, 0.135, 0.5, 2.0 / 3.0, 1.0] {
            assert_eq!(percent(rate), format!("{:.0} %", rate * 100.0));
        }
    }

    #[test]
    fn known_audit_actions_have_labels_and_unknown_ones_show_their_code() {
        assert_eq!(
            audit_action("member.change_role"),
            "Changed a member's role"
        );
        assert_eq!(audit_action("team.created"), "team.created");
    }
}

/// `YYYY-MM-DD`, by hand (see [`day_start`]).
pub fn iso_day(day: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", day.year(), day.month(), day.day())
}

/// The dates (`YYYY-MM-DD`) from the Monday `weeks - 1` weeks before the week of `today`
/// to the Sunday of `today`'s week: the last `weeks` weeks, this one included.
pub fn last_weeks(today: NaiveDate, weeks: u32) -> (String, String) {
    let monday = today - chrono::Days::new(u64::from(today.weekday().num_days_from_monday()));
    let from = monday - chrono::Days::new(7 * u64::from(weeks.saturating_sub(1)));
    (iso_day(from), iso_day(monday + chrono::Days::new(6)))
}

/// A week's Monday (`YYYY-MM-DD`) as a chart reads it: "2 Nov".
pub fn week_label(monday: &str) -> String {
    let mut parts = monday.split('-').skip(1);
    let month: usize = parts.next().and_then(|m| m.parse().ok()).unwrap_or(0);
    let day: u32 = parts.next().and_then(|d| d.parse().ok()).unwrap_or(0);
    match MONTHS.get(month.wrapping_sub(1)) {
        Some(name) => format!("{day} {name}"),
        None => monday.to_owned(),
    }
}

/// Today in the viewer's zone.
pub fn viewer_today() -> NaiveDate {
    local::wall(local::now(), &local::viewer_zone()).date()
}

#[cfg(test)]
mod week_tests {
    use super::*;

    #[test]
    fn the_last_weeks_run_monday_to_sunday_and_read_as_day_and_month() {
        let thursday = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap_or_default();
        assert_eq!(
            last_weeks(thursday, 4),
            ("2026-11-09".to_owned(), "2026-12-06".to_owned())
        );
        assert_eq!(
            last_weeks(thursday, 1),
            ("2026-11-30".to_owned(), "2026-12-06".to_owned())
        );
        assert_eq!(week_label("2026-11-02"), "2 Nov");
        assert_eq!(week_label("nonsense"), "nonsense");
    }
}
