//! The schedule math against exact UTC instants: DST gaps and folds, odd offsets, bounds.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use schema::enums::Weekday::{self, Fri, Mon, Sat, Sun, Thu, Tue, Wed};
use schema::schedule::{
    Member, Schedule, instant_on, parse_time_of_day, parse_timezone, timezone_names,
};

const WEEKDAYS: &[Weekday] = &[Mon, Tue, Wed, Thu, Fri];
const EVERY_DAY: &[Weekday] = &[Mon, Tue, Wed, Thu, Fri, Sat, Sun];

fn utc(y: i32, m: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, mi, 0).single().unwrap()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn schedule(days: &[Weekday], time: &str, zone: &str) -> Schedule {
    Schedule::new(days, time, zone).unwrap()
}

#[test]
fn berlin_spring_forward_runs_at_the_end_of_the_gap() {
    // 2026-03-29 02:00 CET -> 03:00 CEST (01:00 UTC); 02:30 does not exist.
    let s = schedule(&[Sun], "02:30", "Europe/Berlin");
    let run = s.next_after(utc(2026, 3, 28, 12, 0)).unwrap();
    assert_eq!(run, utc(2026, 3, 29, 1, 0));
    assert_eq!(s.local_date(run), date(2026, 3, 29));
    // The gap's first minute too; the week before and after are plain CET / CEST.
    let s = schedule(&[Sun], "02:00", "Europe/Berlin");
    assert_eq!(
        s.upcoming(utc(2026, 3, 21, 0, 0), 3),
        [
            utc(2026, 3, 22, 1, 0),
            utc(2026, 3, 29, 1, 0),
            utc(2026, 4, 5, 0, 0)
        ]
    );
}

#[test]
fn berlin_fall_back_runs_once_at_the_first_occurrence() {
    // 2026-10-25 03:00 CEST -> 02:00 CET (01:00 UTC); 02:30 happens at 00:30 and 01:30 UTC.
    let s = schedule(EVERY_DAY, "02:30", "Europe/Berlin");
    assert_eq!(
        s.upcoming(utc(2026, 10, 24, 0, 0), 3),
        [
            utc(2026, 10, 24, 0, 30),
            utc(2026, 10, 25, 0, 30),
            utc(2026, 10, 26, 1, 30)
        ]
    );
    // Not again at the second occurrence.
    assert_eq!(
        s.next_after(utc(2026, 10, 25, 0, 30)),
        Some(utc(2026, 10, 26, 1, 30))
    );
    assert_eq!(
        s.latest_at_or_before(utc(2026, 10, 25, 1, 45)),
        Some(utc(2026, 10, 25, 0, 30))
    );
}

#[test]
fn new_york_spring_forward_runs_at_the_end_of_the_gap() {
    // 2026-03-08 02:00 EST -> 03:00 EDT (07:00 UTC).
    let s = schedule(&[Sun], "02:30", "America/New_York");
    let run = s.next_after(utc(2026, 3, 1, 12, 0)).unwrap();
    assert_eq!(run, utc(2026, 3, 8, 7, 0));
    assert_eq!(s.local_date(run), date(2026, 3, 8));
    assert_eq!(s.next_after(run), Some(utc(2026, 3, 15, 6, 30)));
}

#[test]
fn new_york_fall_back_runs_once_at_the_first_occurrence() {
    // 2026-11-01 02:00 EDT -> 01:00 EST (06:00 UTC); 01:30 happens at 05:30 and 06:30 UTC.
    let s = schedule(EVERY_DAY, "01:30", "America/New_York");
    assert_eq!(
        s.upcoming(utc(2026, 10, 31, 0, 0), 3),
        [
            utc(2026, 10, 31, 5, 30),
            utc(2026, 11, 1, 5, 30),
            utc(2026, 11, 2, 6, 30)
        ]
    );
}

#[test]
fn half_hour_and_three_quarter_hour_zones_are_exact() {
    let kolkata = schedule(WEEKDAYS, "09:00", "Asia/Kolkata"); // +05:30
    assert_eq!(
        kolkata.next_after(utc(2026, 3, 2, 0, 0)),
        Some(utc(2026, 3, 2, 3, 30))
    );
    let kathmandu = schedule(WEEKDAYS, "09:00", "Asia/Kathmandu"); // +05:45
    assert_eq!(
        kathmandu.next_after(utc(2026, 3, 2, 0, 0)),
        Some(utc(2026, 3, 2, 3, 15))
    );
    // Just after local midnight: the run is on the previous UTC date.
    let kathmandu = schedule(&[Mon], "00:10", "Asia/Kathmandu");
    let run = kathmandu.next_after(utc(2026, 3, 1, 0, 0)).unwrap();
    assert_eq!(run, utc(2026, 3, 1, 18, 25));
    assert_eq!(kathmandu.local_date(run), date(2026, 3, 2));
}

#[test]
fn lord_howe_thirty_minute_gap_runs_at_the_transition_instant() {
    // 2026-10-04 02:00 +10:30 -> 02:30 +11, at 2026-10-03 15:30 UTC.
    let s = schedule(EVERY_DAY, "02:10", "Australia/Lord_Howe");
    assert_eq!(
        s.upcoming(utc(2026, 10, 2, 0, 0), 3),
        [
            utc(2026, 10, 2, 15, 40), // 02:10 +10:30
            utc(2026, 10, 3, 15, 30), // the gap's end, 02:30 +11 (not 03:10)
            utc(2026, 10, 4, 15, 10), // 02:10 +11
        ]
    );
    assert_eq!(s.local_date(utc(2026, 10, 3, 15, 30)), date(2026, 10, 4));
    // 02:00 (start of the gap) and 02:30 (first valid time) fire at the same instant.
    for time in ["02:00", "02:29", "02:30"] {
        let s = schedule(&[Sun], time, "Australia/Lord_Howe");
        assert_eq!(
            s.next_after(utc(2026, 10, 1, 0, 0)),
            Some(utc(2026, 10, 3, 15, 30)),
            "{time}"
        );
    }
}

#[test]
fn lord_howe_fold_runs_once_at_the_first_occurrence() {
    // 2026-04-05 02:00 +11 -> 01:30 +10:30 (15:00 UTC); 01:30-02:00 happens twice.
    let s = schedule(EVERY_DAY, "01:45", "Australia/Lord_Howe");
    assert_eq!(
        s.upcoming(utc(2026, 4, 3, 0, 0), 3),
        [
            utc(2026, 4, 3, 14, 45), // 01:45 +11
            utc(2026, 4, 4, 14, 45), // first occurrence, +11 (again at 15:15 UTC: skipped)
            utc(2026, 4, 5, 15, 15), // 01:45 +10:30
        ]
    );
}

#[test]
fn a_working_week_across_dst_keeps_local_nine_and_skips_weekends() {
    // New York switches to EDT on Sunday 2026-03-08: 09:00 is 14:00 UTC, then 13:00 UTC.
    let s = schedule(WEEKDAYS, "09:00", "America/New_York");
    let runs = s.upcoming(utc(2026, 3, 1, 0, 0), 10);
    let expected: Vec<_> = [2, 3, 4, 5, 6]
        .map(|d| utc(2026, 3, d, 14, 0))
        .into_iter()
        .chain([9, 10, 11, 12, 13].map(|d| utc(2026, 3, d, 13, 0)))
        .collect();
    assert_eq!(runs, expected);
    let dates: Vec<_> = runs.iter().map(|run| s.local_date(*run)).collect();
    assert!(!dates.contains(&date(2026, 3, 7)) && !dates.contains(&date(2026, 3, 8)));
}

#[test]
fn after_downtime_only_the_latest_missed_run_is_returned() {
    let s = schedule(WEEKDAYS, "09:00", "Europe/Berlin"); // CET: 08:00 UTC
    // Down since the previous week: only Wednesday's run.
    assert_eq!(
        s.latest_at_or_before(utc(2026, 3, 11, 12, 0)),
        Some(utc(2026, 3, 11, 8, 0))
    );
    // A second before today's run: yesterday's; exactly at it: today's.
    assert_eq!(
        s.latest_at_or_before(utc(2026, 3, 11, 8, 0) - Duration::seconds(1)),
        Some(utc(2026, 3, 10, 8, 0))
    );
    assert_eq!(
        s.latest_at_or_before(utc(2026, 3, 11, 8, 0)),
        Some(utc(2026, 3, 11, 8, 0))
    );
    // On Sunday evening: Friday's.
    assert_eq!(
        s.latest_at_or_before(utc(2026, 3, 15, 20, 0)),
        Some(utc(2026, 3, 13, 8, 0))
    );
    // Once a week, before this week's run: last week's.
    let mondays = schedule(&[Mon], "09:00", "Europe/Berlin");
    assert_eq!(
        mondays.latest_at_or_before(utc(2026, 3, 9, 7, 0)),
        Some(utc(2026, 3, 2, 8, 0))
    );
    // Across the spring-forward gap.
    let sundays = schedule(&[Sun], "02:30", "Europe/Berlin");
    assert_eq!(
        sundays.latest_at_or_before(utc(2026, 3, 29, 1, 0)),
        Some(utc(2026, 3, 29, 1, 0))
    );
    assert_eq!(
        sundays.latest_at_or_before(utc(2026, 3, 29, 0, 59)),
        Some(utc(2026, 3, 22, 1, 30))
    );
}

#[test]
fn next_after_is_strictly_after() {
    let s = schedule(EVERY_DAY, "09:00", "Europe/Berlin");
    let run = utc(2026, 3, 11, 8, 0);
    assert_eq!(s.next_after(run), Some(utc(2026, 3, 12, 8, 0)));
    assert_eq!(s.next_after(run - Duration::seconds(1)), Some(run));
    // Later the same local day.
    assert_eq!(s.next_after(utc(2026, 3, 11, 7, 0)), Some(run));
    assert_eq!(
        s.upcoming(run, 2),
        [utc(2026, 3, 12, 8, 0), utc(2026, 3, 13, 8, 0)]
    );
}

#[test]
fn local_dates_ahead_of_and_behind_utc() {
    // +14: at 18:00 UTC it is already 08:00 tomorrow; today's 09:00 is an hour away.
    let s = schedule(EVERY_DAY, "09:00", "Pacific/Kiritimati");
    let run = s.next_after(utc(2026, 3, 10, 18, 0)).unwrap();
    assert_eq!(run, utc(2026, 3, 10, 19, 0));
    assert_eq!(s.local_date(run), date(2026, 3, 11));
    // -11: at 09:00 UTC it is still 22:00 yesterday; yesterday's 23:00 is an hour away.
    let s = schedule(EVERY_DAY, "23:00", "Pacific/Pago_Pago");
    let run = s.next_after(utc(2026, 3, 11, 9, 0)).unwrap();
    assert_eq!(run, utc(2026, 3, 11, 10, 0));
    assert_eq!(s.local_date(run), date(2026, 3, 10));
}

#[test]
fn a_skipped_day_runs_at_the_next_midnight_and_only_once() {
    // Samoa skipped Friday 2011-12-30: 23:59:59 -10 on the 29th, then 00:00 +14 on the 31st.
    let fridays = schedule(&[Fri], "09:00", "Pacific/Apia");
    let run = fridays.next_after(utc(2011, 12, 25, 0, 0)).unwrap();
    assert_eq!(run, utc(2011, 12, 30, 10, 0)); // 2011-12-31 00:00 +14
    assert_eq!(fridays.local_date(run), date(2011, 12, 30));
    // At midnight the 30th's run and the 31st's are the same instant: listed once, and
    // dated the 31st, whose own run it is.
    let daily = schedule(EVERY_DAY, "00:00", "Pacific/Apia");
    let runs = daily.upcoming(utc(2011, 12, 29, 0, 0), 3);
    assert_eq!(
        runs,
        [
            utc(2011, 12, 29, 10, 0),
            utc(2011, 12, 30, 10, 0),
            utc(2011, 12, 31, 10, 0)
        ]
    );
    assert_eq!(daily.local_date(runs[1]), date(2011, 12, 31));
}

#[test]
fn the_ends_of_time_give_none_instead_of_panicking() {
    let s = schedule(EVERY_DAY, "23:59", "Pacific/Kiritimati");
    assert_eq!(s.next_after(DateTime::<Utc>::MAX_UTC), None);
    assert_eq!(s.latest_at_or_before(DateTime::<Utc>::MIN_UTC), None);
    let near_end = DateTime::<Utc>::MAX_UTC - Duration::days(3);
    let runs = s.upcoming(near_end, usize::MAX);
    assert!(runs.len() <= 3 && runs.windows(2).all(|w| w[0] < w[1]));
    let _ = s.local_date(DateTime::<Utc>::MAX_UTC);
    let s = schedule(EVERY_DAY, "00:00", "Pacific/Pago_Pago");
    let _ = s.local_date(DateTime::<Utc>::MIN_UTC);
    assert!(s.upcoming(DateTime::<Utc>::MIN_UTC, 2).len() == 2);
}

#[test]
fn inputs_are_validated_with_their_field_names() {
    for bad in [
        "9:00",
        "24:00",
        "12:60",
        "09:00:00",
        " 09:00",
        "09:0a",
        "09-00",
        "",
        "٠٩:٠٠",
    ] {
        let err = Schedule::new(WEEKDAYS, bad, "UTC").unwrap_err();
        assert_eq!(err.field, "timeOfDay", "{bad:?}");
        assert!(parse_time_of_day(bad).is_err(), "{bad:?}");
    }
    for bad in ["Mars/Base", "europe/berlin", "", "CET "] {
        let err = Schedule::new(WEEKDAYS, "09:00", bad).unwrap_err();
        assert_eq!(err.field, "timezone", "{bad:?}");
    }
    let err = parse_timezone("Mars/Base").unwrap_err();
    assert_eq!(err.to_string(), "unknown IANA time zone 'Mars/Base'");
    assert_eq!(
        parse_timezone("europe/berlin").unwrap_err().message,
        "unknown IANA time zone 'europe/berlin' (did you mean 'Europe/Berlin'?)"
    );
    let err = Schedule::new(&[], "09:00", "UTC").unwrap_err();
    assert_eq!(err.field, "weekdays");
    assert_eq!(err.to_string(), "must include at least one day");
    let err = Schedule::new(WEEKDAYS, "9:00", "UTC").unwrap_err();
    assert_eq!(
        err.to_string(),
        "must be a 24-hour time HH:MM from 00:00 to 23:59, not '9:00'"
    );
    // Through the crate's validation error, the field leads.
    let validation: schema::validation::ValidationError = err.into();
    assert!(validation.to_string().starts_with("timeOfDay: must be"));
}

#[test]
fn valid_inputs_are_kept() {
    assert_eq!(
        parse_time_of_day("00:00").unwrap(),
        NaiveTime::from_hms_opt(0, 0, 0).unwrap()
    );
    assert_eq!(
        parse_time_of_day("23:59").unwrap(),
        NaiveTime::from_hms_opt(23, 59, 0).unwrap()
    );
    let s = schedule(&[Fri, Mon, Mon, Wed], "07:05", "UTC");
    assert_eq!(s.weekdays(), [Mon, Wed, Fri]);
    assert_eq!(s.time_of_day(), NaiveTime::from_hms_opt(7, 5, 0).unwrap());
    assert_eq!(s.timezone(), chrono_tz::UTC);
    assert_eq!(
        Schedule::from_parts(&[Wed, Fri, Mon], s.time_of_day(), s.timezone()),
        Ok(s)
    );
    assert_eq!(
        Schedule::from_parts(&[], s.time_of_day(), s.timezone())
            .unwrap_err()
            .field,
        "weekdays"
    );
}

#[test]
fn every_listed_zone_name_parses() {
    let names: Vec<_> = timezone_names().collect();
    assert!(names.len() > 400);
    for name in [
        "Europe/Berlin",
        "Australia/Lord_Howe",
        "Asia/Kathmandu",
        "UTC",
    ] {
        assert!(names.contains(&name), "{name}");
    }
    for name in names {
        assert_eq!(parse_timezone(name).unwrap().name(), name);
    }
}

#[test]
fn upcoming_agrees_with_next_after_and_latest_at_or_before() {
    // Every minute-of-day class around several zones' transitions in 2026.
    let zones = [
        "Europe/Berlin",
        "America/New_York",
        "Australia/Lord_Howe",
        "Asia/Kathmandu",
        "America/Santiago",
        "Asia/Beirut",
    ];
    for zone in zones {
        for time in [
            "00:00", "00:30", "01:30", "02:00", "02:10", "02:30", "23:30",
        ] {
            let s = schedule(&[Mon, Wed, Sat, Sun], time, zone);
            let runs = s.upcoming(utc(2026, 1, 1, 0, 0), 210);
            assert_eq!(runs.len(), 210);
            for pair in runs.windows(2) {
                let (a, b) = (pair[0], pair[1]);
                assert!(a < b, "{zone} {time}");
                assert_eq!(s.latest_at_or_before(b - Duration::seconds(1)), Some(a));
                assert_eq!(s.latest_at_or_before(b), Some(b));
                assert_eq!(s.next_after(b - Duration::seconds(1)), Some(b));
                // Exactly one run per local date, on a chosen day.
                assert!(s.local_date(a) < s.local_date(b), "{zone} {time} {a}");
            }
        }
    }
}

/// The web UI's zone source: offsets only (the browser's `Intl`), gaps found by the bounded
/// search. Modelled here by chrono-tz without its transition table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct OffsetsOnly(chrono_tz::Tz);

impl chrono::TimeZone for OffsetsOnly {
    type Offset = <chrono_tz::Tz as chrono::TimeZone>::Offset;
    fn from_offset(offset: &Self::Offset) -> Self {
        OffsetsOnly(chrono_tz::Tz::from_offset(offset))
    }
    fn offset_from_local_date(&self, local: &NaiveDate) -> chrono::LocalResult<Self::Offset> {
        self.0.offset_from_local_date(local)
    }
    fn offset_from_local_datetime(
        &self,
        local: &chrono::NaiveDateTime,
    ) -> chrono::LocalResult<Self::Offset> {
        self.0.offset_from_local_datetime(local)
    }
    fn offset_from_utc_date(&self, utc: &NaiveDate) -> Self::Offset {
        self.0.offset_from_utc_date(utc)
    }
    fn offset_from_utc_datetime(&self, utc: &chrono::NaiveDateTime) -> Self::Offset {
        self.0.offset_from_utc_datetime(utc)
    }
}

impl schema::schedule::Zone for OffsetsOnly {}

#[test]
fn the_web_uis_zone_source_gives_the_same_runs_as_the_servers() {
    let zones = [
        "Europe/Berlin",
        "America/New_York",
        "Australia/Lord_Howe",
        "Asia/Kathmandu",
        "America/Santiago",
        "Asia/Beirut",
    ];
    let start: DateTime<Utc> = "2026-01-01T00:00:00Z".parse().unwrap();
    for zone in zones {
        let tz: chrono_tz::Tz = zone.parse().unwrap();
        for time in [
            "00:00", "00:30", "01:30", "02:10", "02:30", "09:00", "23:45",
        ] {
            let server = Schedule::new(Weekday::ALL, time, zone).unwrap();
            let web = Schedule::with_zone(Weekday::ALL, time, OffsetsOnly(tz)).unwrap();
            assert_eq!(
                server.upcoming(start, 400),
                web.upcoming(start, 400),
                "{zone} {time}"
            );
        }
    }
}

fn member(zone: Option<&str>, days: &[Weekday]) -> Member {
    Member {
        zone: zone.map(|z| parse_timezone(z).unwrap()),
        work_days: days.to_vec(),
    }
}

const SUN_TO_THU: &[Weekday] = &[Sun, Mon, Tue, Wed, Thu];

#[test]
fn each_member_is_asked_at_nine_their_time_across_both_dst_changes() {
    // Europe leaves summer time on Sunday 2026-10-25, the United States on 2026-11-01.
    let s = schedule(EVERY_DAY, "09:00", "Europe/Berlin");
    let members = [
        member(Some("Asia/Tokyo"), WEEKDAYS),
        member(Some("Europe/Berlin"), WEEKDAYS),
        member(Some("America/New_York"), WEEKDAYS),
        member(Some("Asia/Kolkata"), SUN_TO_THU),
    ];
    // (date, [Tokyo, Berlin, New York, Kolkata]) as UTC (hour, minute); None: not asked.
    type Row = (u32, u32, [Option<(u32, u32, u32)>; 4]);
    let rows: [Row; 11] = [
        (
            10,
            23,
            [Some((23, 0, 0)), Some((23, 7, 0)), Some((23, 13, 0)), None],
        ), // Fri
        (10, 24, [None, None, None, None]),              // Sat
        (10, 25, [None, None, None, Some((25, 3, 30))]), // Sun: EU change
        (
            10,
            26,
            [
                Some((26, 0, 0)),
                Some((26, 8, 0)),
                Some((26, 13, 0)),
                Some((26, 3, 30)),
            ],
        ),
        (
            10,
            27,
            [
                Some((27, 0, 0)),
                Some((27, 8, 0)),
                Some((27, 13, 0)),
                Some((27, 3, 30)),
            ],
        ),
        (
            10,
            28,
            [
                Some((28, 0, 0)),
                Some((28, 8, 0)),
                Some((28, 13, 0)),
                Some((28, 3, 30)),
            ],
        ),
        (
            10,
            29,
            [
                Some((29, 0, 0)),
                Some((29, 8, 0)),
                Some((29, 13, 0)),
                Some((29, 3, 30)),
            ],
        ),
        (
            10,
            30,
            [Some((30, 0, 0)), Some((30, 8, 0)), Some((30, 13, 0)), None],
        ),
        (10, 31, [None, None, None, None]),            // Sat
        (11, 1, [None, None, None, Some((1, 3, 30))]), // Sun: US change
        (
            11,
            2,
            [
                Some((2, 0, 0)),
                Some((2, 8, 0)),
                Some((2, 14, 0)),
                Some((2, 3, 30)),
            ],
        ),
    ];
    for (month, day, expected) in rows {
        let asks = s.member_asks(date(2026, month, day), &members);
        let expected: Vec<_> = expected
            .iter()
            .map(|at| at.map(|(d, h, mi)| utc(2026, month, d, h, mi)))
            .collect();
        assert_eq!(asks, expected, "2026-{month}-{day}");
        // The run opens at its earliest ask: Tokyo's on a weekday, Kolkata's on Sunday.
        assert_eq!(
            s.member_run_opens(date(2026, month, day), &members),
            expected.iter().flatten().min().copied()
        );
    }
}

#[test]
fn a_member_without_a_zone_is_asked_in_the_teams_and_gaps_resolve_like_team_runs() {
    let s = schedule(EVERY_DAY, "02:30", "Europe/Berlin");
    let unset = member(None, EVERY_DAY);
    // Berlin's spring-forward gap: 02:30 does not exist, the end of the gap (01:00 UTC).
    assert_eq!(
        s.member_ask(date(2026, 3, 29), &unset),
        Some(utc(2026, 3, 29, 1, 0))
    );
    assert_eq!(
        s.member_ask(date(2026, 3, 29), &unset),
        s.next_after(utc(2026, 3, 28, 12, 0))
    );
    // New York's fall-back fold: 01:30 happens twice, the first one is used.
    let ny = member(Some("America/New_York"), EVERY_DAY);
    let s = schedule(EVERY_DAY, "01:30", "UTC");
    assert_eq!(
        s.member_ask(date(2026, 11, 1), &ny),
        Some(utc(2026, 11, 1, 5, 30))
    );
    assert_eq!(
        instant_on(
            &parse_timezone("America/New_York").unwrap(),
            date(2026, 11, 1),
            NaiveTime::from_hms_opt(1, 30, 0).unwrap()
        ),
        Some(utc(2026, 11, 1, 5, 30))
    );
    // Not a weekday of the config, or not a work day: not asked.
    let s = schedule(&[Mon], "09:00", "UTC");
    assert_eq!(s.member_ask(date(2026, 3, 3), &unset), None);
    assert_eq!(s.member_ask(date(2026, 3, 2), &member(None, &[Tue])), None);
    assert_eq!(s.member_ask(date(2026, 3, 2), &member(None, &[])), None);
}

#[test]
fn the_next_and_latest_member_runs_open_at_their_earliest_ask() {
    let s = schedule(WEEKDAYS, "09:00", "America/New_York");
    let members = [member(Some("Asia/Tokyo"), WEEKDAYS), member(None, WEEKDAYS)];
    // Monday 2026-03-02: Tokyo's 09:00 is Monday 00:00 UTC, Sunday evening in New York.
    let monday = date(2026, 3, 2);
    let opens = utc(2026, 3, 2, 0, 0);
    assert_eq!(
        s.next_member_run(utc(2026, 3, 1, 12, 0), None, &members),
        Some((monday, opens))
    );
    assert_eq!(
        s.next_member_run(opens, None, &members),
        Some((date(2026, 3, 3), utc(2026, 3, 3, 0, 0)))
    );
    // Not before a given date.
    assert_eq!(
        s.next_member_run(utc(2026, 3, 1, 12, 0), Some(date(2026, 3, 4)), &members),
        Some((date(2026, 3, 4), utc(2026, 3, 4, 0, 0)))
    );
    // The latest that has opened, on or after a date.
    assert_eq!(
        s.latest_member_run(utc(2026, 3, 2, 15, 0), monday, &members),
        Some((monday, opens))
    );
    assert_eq!(
        s.latest_member_run(utc(2026, 3, 4, 15, 0), monday, &members),
        Some((date(2026, 3, 4), utc(2026, 3, 4, 0, 0)))
    );
    assert_eq!(
        s.latest_member_run(opens - Duration::seconds(1), monday, &members),
        None
    );
    // Nobody works any chosen day: no run at all.
    let weekend = [member(None, &[Sat, Sun])];
    assert_eq!(s.next_member_run(opens, None, &weekend), None);
}
