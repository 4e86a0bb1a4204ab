//! How dates, roles and statuses read in the UI.

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
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
