//! When a standup runs: on chosen weekdays, at a local time of day, in an IANA time zone.
//!
//! The api (`nextRuns`, `next_run_at`), the worker's scheduler and the web UI's live preview
//! all call this module, so they agree to the second. Only chrono and chrono-tz: wasm-safe.
//!
//! Runs are computed per local date: every chosen weekday `d` has one run, `d` at the time
//! of day in the zone, resolved across DST transitions like this:
//! - a time that does not exist (spring-forward gap) runs at the first valid instant after
//!   it, the end of the gap, which is the transition instant itself. That is not "one hour
//!   later" in general: Lord Howe's gap is 30 minutes, so a 02:10 run fires at 02:30.
//! - an ambiguous time (fall-back fold) runs once, at its first (earlier) occurrence.
//!
//! Every search is bounded: nothing here loops or panics, not even at the ends of chrono's
//! range (where the functions return `None`).
//!
//! The rules above are written once, over any [`Zone`]: the server uses chrono-tz's
//! compiled tzdb ([`Tz`]); the web UI plugs in the browser's own tzdb (through `Intl`)
//! so its bundle does not carry a second copy of the database, and runs the same code.

use std::fmt;

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset,
    TimeZone, Utc,
};
use chrono_tz::{GapInfo, Tz};

use crate::enums::Weekday;
use crate::validation::ValidationError;

/// How many local dates a search looks at around an instant. A chosen weekday comes round
/// within 7 dates and a gap pushes a run forward by at most a day, so 10 is ample.
const SCAN_DAYS: usize = 10;

/// Bound of the fallback gap search, in minutes. tzdb's longest gap is a whole day (Samoa
/// skipped 2011-12-30); an hour more for good measure.
const MAX_GAP_MINUTES: i64 = 25 * 60;

/// A rule broken by a schedule input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleError {
    /// The GraphQL input field: `weekdays`, `timeOfDay` or `timezone`.
    pub field: &'static str,
    pub message: String,
}

impl ScheduleError {
    fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

impl fmt::Display for ScheduleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ScheduleError {}

impl From<ScheduleError> for ValidationError {
    fn from(err: ScheduleError) -> Self {
        ValidationError::new(err.field, err.message)
    }
}

/// Where a schedule gets a zone's offsets from. Anything chrono can use as a time zone
/// works; [`Zone::gap_end`] may use a faster source than the bounded search.
pub trait Zone: TimeZone {
    /// The first valid instant after `local`, a local time that falls in a gap.
    fn gap_end(&self, local: NaiveDateTime) -> Option<DateTime<Utc>> {
        scan_gap_end(self, local)
    }
}

impl Zone for Tz {
    /// chrono-tz knows the end of a gap exactly from its transition table; the bounded
    /// search is the fallback.
    fn gap_end(&self, local: NaiveDateTime) -> Option<DateTime<Utc>> {
        GapInfo::new(&local, self)
            .and_then(|gap| gap.end)
            .map(|end| end.with_timezone(&Utc))
            .or_else(|| scan_gap_end(self, local))
    }
}

/// A standup's recurrence: chosen weekdays at a local time of day in a time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Schedule<Z = Tz> {
    /// Bit `n` is set when the standup runs `n` days after Monday.
    days: u8,
    time_of_day: NaiveTime,
    tz: Z,
}

impl Schedule<Tz> {
    /// Validates the inputs as the GraphQL input spells them: at least one weekday
    /// (duplicates ignored), `HH:MM` from 00:00 to 23:59, an IANA zone name (case-sensitive).
    pub fn new(
        weekdays: &[Weekday],
        time_of_day: &str,
        timezone: &str,
    ) -> Result<Schedule, ScheduleError> {
        let days = day_bits(weekdays)?;
        Ok(Schedule {
            days,
            time_of_day: parse_time_of_day(time_of_day)?,
            tz: parse_timezone(timezone)?,
        })
    }
}

impl<Z: Zone> Schedule<Z> {
    /// The same from already parsed values (a stored row); only the weekdays can be wrong.
    /// The time of day is used as given, seconds included.
    pub fn from_parts(
        weekdays: &[Weekday],
        time_of_day: NaiveTime,
        tz: Z,
    ) -> Result<Schedule<Z>, ScheduleError> {
        Ok(Schedule {
            days: day_bits(weekdays)?,
            time_of_day,
            tz,
        })
    }

    /// Validates weekdays and `HH:MM` like [`Schedule::new`], for a zone of another source.
    pub fn with_zone(
        weekdays: &[Weekday],
        time_of_day: &str,
        zone: Z,
    ) -> Result<Schedule<Z>, ScheduleError> {
        Ok(Schedule {
            days: day_bits(weekdays)?,
            time_of_day: parse_time_of_day(time_of_day)?,
            tz: zone,
        })
    }

    pub fn timezone(&self) -> Z {
        self.tz.clone()
    }

    pub fn time_of_day(&self) -> NaiveTime {
        self.time_of_day
    }

    /// The chosen weekdays, Monday first.
    pub fn weekdays(&self) -> Vec<Weekday> {
        Weekday::ALL
            .iter()
            .copied()
            .filter(|day| self.days & day_bit(*day) != 0)
            .collect()
    }

    /// The first run strictly after `after`.
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let today = self.local_naive(after)?.date();
        // A day early: the run of the previous local date may still be ahead when a gap
        // pushed it past midnight.
        let first = today.pred_opt().unwrap_or(today);
        first
            .iter_days()
            .take(SCAN_DAYS)
            .filter_map(|date| self.run_on(date))
            .find(|run| *run > after)
    }

    /// The next `count` runs strictly after `after`, in order (fewer only at the end of
    /// chrono's range).
    pub fn upcoming(&self, after: DateTime<Utc>, count: usize) -> Vec<DateTime<Utc>> {
        // No `with_capacity(count)`: a huge count must not allocate up front.
        let mut runs = Vec::new();
        let mut cursor = after;
        while runs.len() < count {
            let Some(run) = self.next_after(cursor) else {
                break;
            };
            runs.push(run);
            cursor = run;
        }
        runs
    }

    /// The most recent run at or before `now`. After downtime the scheduler opens only
    /// this one, not every run it missed.
    pub fn latest_at_or_before(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let today = self.local_naive(now)?.date();
        let last = today.succ_opt().unwrap_or(today);
        last.iter_days()
            .rev()
            .take(SCAN_DAYS)
            .filter_map(|date| self.run_on(date))
            .find(|run| *run <= now)
    }

    /// The local date a run was scheduled for: the date the rule fired for, even when a
    /// spring-forward gap pushed the instant into the next day. For an instant that is not
    /// a run of this schedule, its local date.
    pub fn local_date(&self, run: DateTime<Utc>) -> NaiveDate {
        let Some(local) = self.local_naive(run) else {
            return run.date_naive();
        };
        let own = local.date();
        [Some(own), own.pred_opt()]
            .into_iter()
            .flatten()
            .find(|date| self.run_on(*date) == Some(run))
            .unwrap_or(own)
    }

    /// The run of local date `date`, or `None` if the standup does not run that weekday.
    fn run_on(&self, date: NaiveDate) -> Option<DateTime<Utc>> {
        if !self.runs_on(date) {
            return None;
        }
        instant_on(&self.tz, date, self.time_of_day)
    }

    /// True when `date`'s weekday is one of the chosen weekdays.
    pub fn runs_on(&self, date: NaiveDate) -> bool {
        self.days & day_bit(Weekday::from_chrono(date.weekday())) != 0
    }

    /// The local date of the instant `t` on the zone's wall clock.
    pub fn local_date_at(&self, t: DateTime<Utc>) -> NaiveDate {
        self.local_naive(t)
            .map_or_else(|| t.date_naive(), |local| local.date())
    }

    // --- Asking each member at the time of day in their own zone (MEMBER_LOCAL_TIME).
    // One run per team-local date D; a member is asked on their own date D, at the time
    // of day in their zone (the team's when they set none), when D's weekday is a chosen
    // weekday and one of their work days. Same DST rules as a team run: [`instant_on`].

    /// When `member` is asked for the run of team-local date `date`; `None` when they are
    /// not asked that day.
    pub fn member_ask(&self, date: NaiveDate, member: &Member<Z>) -> Option<DateTime<Utc>> {
        if !self.runs_on(date)
            || day_bits(&member.work_days).ok()? & day_bit(Weekday::from_chrono(date.weekday()))
                == 0
        {
            return None;
        }
        instant_on(
            member.zone.as_ref().unwrap_or(&self.tz),
            date,
            self.time_of_day,
        )
    }

    /// Each member's ask for the run of `date`, in the order given.
    pub fn member_asks(
        &self,
        date: NaiveDate,
        members: &[Member<Z>],
    ) -> Vec<Option<DateTime<Utc>>> {
        members.iter().map(|m| self.member_ask(date, m)).collect()
    }

    /// The earliest ask of the run of `date`: when that run opens. `None` when nobody is
    /// asked that day.
    pub fn member_run_opens(
        &self,
        date: NaiveDate,
        members: &[Member<Z>],
    ) -> Option<DateTime<Utc>> {
        members
            .iter()
            .filter_map(|m| self.member_ask(date, m))
            .min()
    }

    /// The first run (team-local date and its opening, the earliest ask) that opens
    /// strictly after `after`, on `from` or later when given. Looks [`MEMBER_SCAN_DAYS`]
    /// ahead; `None` when nobody is asked on any of those dates.
    pub fn next_member_run(
        &self,
        after: DateTime<Utc>,
        from: Option<NaiveDate>,
        members: &[Member<Z>],
    ) -> Option<(NaiveDate, DateTime<Utc>)> {
        let today = self.local_date_at(after);
        // Two days early: a run of an earlier team date can still open later in a zone
        // behind the team's.
        let first = today - Duration::days(2);
        let first = from.map_or(first, |from| from.max(first));
        first
            .iter_days()
            .take(MEMBER_SCAN_DAYS)
            .filter_map(|date| Some((date, self.member_run_opens(date, members)?)))
            .find(|(_, opens)| *opens > after)
    }

    /// The latest run on `from` or later that has opened at or before `now`: after
    /// downtime only this one opens, as with [`Schedule::latest_at_or_before`].
    pub fn latest_member_run(
        &self,
        now: DateTime<Utc>,
        from: NaiveDate,
        members: &[Member<Z>],
    ) -> Option<(NaiveDate, DateTime<Utc>)> {
        let last = self.local_date_at(now) + Duration::days(2);
        let mut date = last;
        while date >= from && last - date < Duration::days(MEMBER_SCAN_DAYS as i64) {
            if let Some(opens) = self.member_run_opens(date, members)
                && opens <= now
            {
                return Some((date, opens));
            }
            date = date.pred_opt()?;
        }
        None
    }

    /// `t` on the zone's wall clock; `None` only beyond chrono's range.
    fn local_naive(&self, t: DateTime<Utc>) -> Option<NaiveDateTime> {
        let utc = t.naive_utc();
        utc.checked_add_offset(self.tz.offset_from_utc_datetime(&utc).fix())
    }
}

/// How many team-local dates a member-local search looks at: two weeks, so a member
/// whose work days meet the chosen weekdays only once a week is still found.
pub const MEMBER_SCAN_DAYS: usize = 16;

/// A participant of a MEMBER_LOCAL_TIME standup as the schedule sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member<Z = Tz> {
    /// Their own zone; `None`: not set, the team's zone applies.
    pub zone: Option<Z>,
    /// The weekdays they work (at least one; none means never asked).
    pub work_days: Vec<Weekday>,
}

/// The instant local `date` reaches `time` in `tz`, with the schedule's DST rules: in a
/// spring-forward gap the end of the gap, in a fall-back fold the first occurrence.
/// `None` only beyond chrono's range.
pub fn instant_on<Z: Zone>(tz: &Z, date: NaiveDate, time: NaiveTime) -> Option<DateTime<Utc>> {
    let local = date.and_time(time);
    earliest_instant(tz, local).or_else(|| tz.gap_end(local))
}

/// The work days a person has before they choose: Monday to Friday.
pub const DEFAULT_WORK_DAYS: [Weekday; 5] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
];

/// A person's work days as the profile input spells them: at least one (duplicates
/// ignored); errors name `workDays`.
pub fn check_work_days(days: &[Weekday]) -> Result<(), ScheduleError> {
    day_bits(days)
        .map(|_| ())
        .map_err(|_| ScheduleError::new("workDays", "must include at least one day"))
}

/// `HH:MM`, 24-hour, exactly two digits each, 00:00 to 23:59.
pub fn parse_time_of_day(s: &str) -> Result<NaiveTime, ScheduleError> {
    let invalid = || {
        ScheduleError::new(
            "timeOfDay",
            format!(
                "must be a 24-hour time HH:MM from 00:00 to 23:59, not '{}'",
                shown(s)
            ),
        )
    };
    let &[h1, h2, b':', m1, m2] = s.as_bytes() else {
        return Err(invalid());
    };
    let two_digits = |a: u8, b: u8| {
        (a.is_ascii_digit() && b.is_ascii_digit())
            .then(|| u32::from(a - b'0') * 10 + u32::from(b - b'0'))
    };
    match (two_digits(h1, h2), two_digits(m1, m2)) {
        (Some(hour), Some(minute)) if hour < 24 && minute < 60 => {
            NaiveTime::from_hms_opt(hour, minute, 0).ok_or_else(invalid)
        }
        _ => Err(invalid()),
    }
}

/// An IANA zone name known to chrono-tz, exactly as spelled there ("Europe/Berlin", "UTC").
pub fn parse_timezone(s: &str) -> Result<Tz, ScheduleError> {
    if s.is_empty() {
        return Err(timezone_required());
    }
    s.parse::<Tz>().map_err(|_| unknown_timezone(s))
}

/// [`parse_timezone`] as a check only, with the same errors, by a scan of
/// [`timezone_names`] instead of chrono-tz's hash map of names: the web UI checks zone
/// names (it previews schedules in the browser's own tzdb), and the map would add ~8 KB
/// to its bundle.
pub fn check_timezone(s: &str) -> Result<(), ScheduleError> {
    if s.is_empty() {
        return Err(timezone_required());
    }
    if timezone_names().any(|name| name == s) {
        Ok(())
    } else {
        Err(unknown_timezone(s))
    }
}

/// [`Schedule::new`]'s checks, in its order, with [`check_timezone`] for the zone.
pub fn check_schedule(
    weekdays: &[Weekday],
    time_of_day: &str,
    timezone: &str,
) -> Result<(), ScheduleError> {
    day_bits(weekdays)?;
    parse_time_of_day(time_of_day)?;
    check_timezone(timezone)
}

fn timezone_required() -> ScheduleError {
    ScheduleError::new("timezone", "is required")
}

fn unknown_timezone(s: &str) -> ScheduleError {
    let message = match timezone_names().find(|name| name.eq_ignore_ascii_case(s)) {
        Some(name) => format!(
            "unknown IANA time zone '{}' (did you mean '{name}'?)",
            shown(s)
        ),
        None => format!("unknown IANA time zone '{}'", shown(s)),
    };
    ScheduleError::new("timezone", message)
}

/// Every zone name chrono-tz knows, one per line in its order (aliases included); a test
/// keeps the file equal to `chrono_tz::TZ_VARIANTS`. One string instead of chrono-tz's
/// table of ~600 separate names and their pointers is ~2 KB less in the web bundle.
const ZONE_NAMES: &str = include_str!("zone_names.txt");

/// Every zone name chrono-tz knows, for the web time-zone picker (aliases included).
pub fn timezone_names() -> impl Iterator<Item = &'static str> {
    ZONE_NAMES.lines()
}

fn day_bit(day: Weekday) -> u8 {
    1 << day.to_chrono().num_days_from_monday()
}

fn day_bits(weekdays: &[Weekday]) -> Result<u8, ScheduleError> {
    let days = weekdays.iter().fold(0, |bits, day| bits | day_bit(*day));
    if days == 0 {
        return Err(ScheduleError::new(
            "weekdays",
            "must include at least one day",
        ));
    }
    Ok(days)
}

/// User input echoed in a message, cut short if long.
fn shown(s: &str) -> String {
    const MAX_CHARS: usize = 64;
    if s.chars().count() <= MAX_CHARS {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(MAX_CHARS).collect::<String>())
    }
}

/// The instant of a local time: its only one, or the first of two in a fold; `None` in a
/// gap (or beyond chrono's range).
fn earliest_instant<Z: TimeZone>(tz: &Z, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(a, b) => Some(a.with_timezone(&Utc).min(b.with_timezone(&Utc))),
        LocalResult::None => None,
    }
}

/// Finds the end of the gap around `local` without the transition table: the first local
/// minute after it that exists, then, since a gap is one contiguous stretch of local time,
/// a binary search over the seconds of the minute before for the first one that exists.
pub fn scan_gap_end<Z: TimeZone>(tz: &Z, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    let exists = |t: NaiveDateTime| earliest_instant(tz, t).is_some();
    let first_minute = (1..=MAX_GAP_MINUTES)
        .map_while(|m| local.checked_add_signed(Duration::minutes(m)))
        .find(|t| exists(*t))?;
    // `base` is in the gap (the minute before, or `local` itself); `base + hi` exists.
    let base = first_minute - Duration::minutes(1);
    let (mut lo, mut hi) = (0, 60);
    while hi - lo > 1 {
        let mid = (lo + hi) / 2;
        if exists(base + Duration::seconds(mid)) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    earliest_instant(tz, base + Duration::seconds(hi))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_zone_list_is_chrono_tzs() {
        let known: Vec<&str> = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect();
        if std::env::var_os("WRITE_ZONE_NAMES").is_some() {
            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/zone_names.txt");
            std::fs::write(path, known.join("\n") + "\n").expect("write the zone list");
        }
        assert_eq!(
            timezone_names().collect::<Vec<_>>(),
            known,
            "schema/src/zone_names.txt differs from chrono-tz: run this test with WRITE_ZONE_NAMES=1"
        );
    }

    #[test]
    fn checking_a_zone_agrees_with_parsing_it() {
        let mut inputs: Vec<String> = timezone_names().map(str::to_owned).collect();
        assert!(inputs.len() > 400);
        inputs.extend(
            [
                "",
                "utc",
                "europe/berlin",
                "Mars/Olympus",
                "Europe/Berlin ",
                "UTC",
            ]
            .map(str::to_owned),
        );
        for s in &inputs {
            assert_eq!(check_timezone(s), parse_timezone(s).map(|_| ()), "{s:?}");
        }
        let days = [Weekday::Mon];
        for (time, zone) in [("09:00", "UTC"), ("25:00", "UTC"), ("09:00", "utc")] {
            assert_eq!(
                check_schedule(&days, time, zone),
                Schedule::new(&days, time, zone).map(|_| ())
            );
        }
        assert_eq!(
            check_schedule(&[], "25:00", "utc"),
            Schedule::new(&[], "25:00", "utc").map(|_| ())
        );
    }

    fn local(y: i32, m: u32, d: u32, h: u32, mi: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, mi, 0)
            .unwrap()
    }

    #[test]
    fn the_fallback_scan_finds_the_same_gap_end_as_the_transition_table() {
        let cases = [
            (chrono_tz::Europe::Berlin, local(2026, 3, 29, 2, 30)),
            (chrono_tz::Europe::Berlin, local(2026, 3, 29, 2, 0)),
            (chrono_tz::America::New_York, local(2026, 3, 8, 2, 59)),
            (chrono_tz::Australia::Lord_Howe, local(2026, 10, 4, 2, 10)),
            (chrono_tz::Pacific::Apia, local(2011, 12, 30, 9, 0)),
            (chrono_tz::Pacific::Apia, local(2011, 12, 30, 0, 0)),
        ];
        for (tz, at) in cases {
            let table = GapInfo::new(&at, &tz).and_then(|gap| gap.end).unwrap();
            assert_eq!(
                scan_gap_end(&tz, at),
                Some(table.with_timezone(&Utc)),
                "{tz} {at}"
            );
        }
    }

    #[test]
    fn the_fallback_scan_is_exact_to_the_second() {
        // Berlin's first transition left local mean time (+00:53:28) at a time that is not
        // on a whole minute of local time.
        let tz = chrono_tz::Europe::Berlin;
        let at = local(1893, 4, 1, 0, 0);
        let table = GapInfo::new(&at, &tz).and_then(|gap| gap.end).unwrap();
        assert_eq!(
            table.naive_local(),
            local(1893, 4, 1, 0, 6) + Duration::seconds(32)
        );
        assert_eq!(scan_gap_end(&tz, at), Some(table.with_timezone(&Utc)));
    }
}
