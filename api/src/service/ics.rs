//! Holidays from an iCalendar (`.ics`, RFC 5545) file: its all-day `VEVENT`s, each a
//! named date or run of dates. Parsed with the `icalendar` crate; every error names the
//! line of the file it is about (lines as the file has them, before unfolding).
//!
//! Rules: the file is one `VCALENDAR`; an all-day event has `DTSTART;VALUE=DATE:` (or a
//! bare `YYYYMMDD`) and covers its start date up to, not including, its `DTEND` (one day
//! without one), at most [`MAX_EVENT_DAYS`] days; timed events are counted as ignored;
//! recurrence rules are not expanded (only the listed date counts); the name is the
//! `SUMMARY` on one line, at most [`MAX_NAME_CHARS`] characters ("Holiday" when absent).

use chrono::NaiveDate;
use std::collections::BTreeMap;

/// The largest `.ics` accepted, in bytes.
pub const MAX_ICS_BYTES: usize = 256 * 1024;
/// The most days one event may cover.
pub const MAX_EVENT_DAYS: i64 = 31;
/// Holiday names are cut to this many characters.
pub const MAX_NAME_CHARS: usize = 100;

/// What a file holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parsed {
    /// Each date once (the first event's name wins), in date order.
    pub days: Vec<(NaiveDate, String)>,
    /// Events that are not all-day (timed), left out.
    pub ignored: usize,
}

/// Why a file was refused: the line (1-based, `None` for the file as a whole) and what
/// is wrong there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IcsError {
    pub line: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for IcsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

fn error(line: Option<usize>, message: impl Into<String>) -> IcsError {
    IcsError {
        line,
        message: message.into(),
    }
}

/// The file unfolded (continuation lines joined, blank lines dropped, `\n` endings),
/// with the file's line number of each logical line.
struct Unfolded {
    text: String,
    /// Byte offset in `text` where each logical line starts, and its line in the file.
    starts: Vec<(usize, usize)>,
}

impl Unfolded {
    fn new(raw: &str) -> Self {
        let mut text = String::with_capacity(raw.len());
        let mut starts = Vec::new();
        for (index, line) in raw.split('\n').enumerate() {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if let Some(rest) = line.strip_prefix([' ', '\t'])
                && !starts.is_empty()
            {
                // A continuation: joined to the line before (its newline comes off).
                text.pop();
                text.push_str(rest);
                text.push('\n');
                continue;
            }
            if line.trim().is_empty() {
                continue;
            }
            starts.push((text.len(), index + 1));
            text.push_str(line);
            text.push('\n');
        }
        Self { text, starts }
    }

    /// The file's line of the byte at `offset` of `text`.
    fn line_at(&self, offset: usize) -> usize {
        let at = self.starts.partition_point(|(start, _)| *start <= offset);
        self.starts
            .get(at.saturating_sub(1))
            .map_or(1, |(_, line)| *line)
    }

    /// The first content line that is not `NAME[;param=value…]:value`, or whose
    /// `BEGIN:`/`END:` do not pair up (RFC 5545 3.1 and 3.4), named by its line in the
    /// file. The crate's own errors point at the enclosing component; this names the line.
    fn check_lines(&self) -> Result<(), IcsError> {
        let mut open: Vec<(&str, usize)> = Vec::new();
        for (index, line) in self.text.lines().enumerate() {
            let at = self.starts.get(index).map_or(index + 1, |(_, l)| *l);
            let name_end = line.find([';', ':']).unwrap_or(line.len());
            let name = &line[..name_end];
            if name.is_empty()
                || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                || !line[name_end..].contains(':')
            {
                return Err(error(Some(at), "not an iCalendar line (NAME:value)"));
            }
            let value = line[name_end..]
                .split_once(':')
                .map_or("", |(_, v)| v)
                .trim();
            if name.eq_ignore_ascii_case("BEGIN") {
                open.push((value, at));
            } else if name.eq_ignore_ascii_case("END") {
                match open.pop() {
                    Some((begun, _)) if begun.eq_ignore_ascii_case(value) => {}
                    Some((begun, _)) => {
                        return Err(error(Some(at), format!("END:{value} closes BEGIN:{begun}")));
                    }
                    None => return Err(error(Some(at), format!("END:{value} without BEGIN"))),
                }
            }
        }
        match open.pop() {
            Some((begun, at)) => Err(error(Some(at), format!("BEGIN:{begun} is never closed"))),
            None => Ok(()),
        }
    }

    /// The file's line of a slice borrowed from `text`, if it is one.
    fn line_of(&self, part: &str) -> Option<usize> {
        let base = self.text.as_ptr() as usize;
        let at = part.as_ptr() as usize;
        (at >= base && at <= base + self.text.len()).then(|| self.line_at(at - base))
    }
}

/// The holidays of `raw`, or why it is refused.
///
/// # Errors
/// The file is too large, malformed (the line named), or holds no all-day event.
pub fn parse(raw: &str) -> Result<Parsed, IcsError> {
    if raw.len() > MAX_ICS_BYTES {
        return Err(error(
            None,
            format!("the file is larger than {} KB", MAX_ICS_BYTES / 1024),
        ));
    }
    let unfolded = Unfolded::new(raw);
    if unfolded.text.is_empty() {
        return Err(error(None, "the file is empty"));
    }
    unfolded.check_lines()?;
    let components = icalendar::parser::read_calendar_simple(&unfolded.text).map_err(|e| {
        let offset = unfolded.text.len() - e.input.len();
        error(
            Some(unfolded.line_at(offset)),
            "not valid iCalendar here (expected NAME:value, BEGIN: or a matching END:)",
        )
    })?;
    let Some(calendar) = components
        .first()
        .filter(|c| c.name.as_str() == "VCALENDAR")
    else {
        return Err(error(
            Some(1),
            "the file does not start with BEGIN:VCALENDAR",
        ));
    };
    if components.len() > 1 {
        let line = unfolded.line_of(components[1].name.as_str());
        return Err(error(line, "a second calendar; upload one VCALENDAR"));
    }
    let mut days: BTreeMap<NaiveDate, String> = BTreeMap::new();
    let mut ignored = 0;
    let mut events = 0;
    for event in calendar
        .components
        .iter()
        .filter(|c| c.name.as_str() == "VEVENT")
    {
        events += 1;
        let event_line = unfolded.line_of(event.name.as_str());
        let Some(start) = event.find_prop("DTSTART") else {
            return Err(error(event_line, "this event has no DTSTART"));
        };
        let start_line = unfolded.line_of(start.val.as_str()).or(event_line);
        let value_date = start.params.iter().any(|p| {
            p.key.as_str() == "VALUE" && p.val.as_ref().is_some_and(|v| v.as_str() == "DATE")
        });
        let raw_start = start.val.as_str().trim();
        if !value_date && raw_start.contains('T') {
            ignored += 1;
            continue;
        }
        let first = date(raw_start).ok_or_else(|| {
            error(
                start_line,
                format!("DTSTART '{raw_start}' is not a date (YYYYMMDD)"),
            )
        })?;
        let end = match event.find_prop("DTEND") {
            Some(end) => {
                let end_line = unfolded.line_of(end.val.as_str()).or(event_line);
                let raw_end = end.val.as_str().trim();
                let end = date(raw_end).ok_or_else(|| {
                    error(
                        end_line,
                        format!("DTEND '{raw_end}' is not a date (YYYYMMDD)"),
                    )
                })?;
                if end <= first {
                    return Err(error(end_line, "DTEND must be after DTSTART"));
                }
                if (end - first).num_days() > MAX_EVENT_DAYS {
                    return Err(error(
                        end_line,
                        format!("an event may cover at most {MAX_EVENT_DAYS} days"),
                    ));
                }
                end
            }
            None => first.succ_opt().unwrap_or(first),
        };
        let name = event
            .find_prop("SUMMARY")
            .map(|s| summary(s.val.as_str()))
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "Holiday".to_owned());
        let mut day = first;
        while day < end {
            days.entry(day).or_insert_with(|| name.clone());
            let Some(next) = day.succ_opt() else { break };
            day = next;
        }
    }
    if days.is_empty() {
        let message = if events == 0 {
            "the file holds no event (VEVENT)"
        } else {
            "the file holds no all-day event (DTSTART;VALUE=DATE:YYYYMMDD)"
        };
        return Err(error(None, message));
    }
    Ok(Parsed {
        days: days.into_iter().collect(),
        ignored,
    })
}

/// `YYYYMMDD` (a `DATE`), or the date of a `DATE-TIME` with `VALUE=DATE` misapplied.
fn date(raw: &str) -> Option<NaiveDate> {
    let digits = raw.get(..8)?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) || !(raw.len() == 8 || raw[8..].starts_with('T'))
    {
        return None;
    }
    NaiveDate::parse_from_str(digits, "%Y%m%d").ok()
}

/// A `SUMMARY` as a one-line name: escapes undone, whitespace collapsed, cut to
/// [`MAX_NAME_CHARS`].
fn summary(raw: &str) -> String {
    let text = raw
        .replace("\\n", " ")
        .replace("\\N", " ")
        .replace("\\,", ",")
        .replace("\\;", ";")
        .replace("\\\\", "\\");
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    one_line.chars().take(MAX_NAME_CHARS).collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    const GOOD: &str = "BEGIN:VCALENDAR\r\n\
VERSION:2.0\r\n\
PRODID:-//Example//Holidays//EN\r\n\
BEGIN:VEVENT\r\n\
UID:1@example.com\r\n\
DTSTART;VALUE=DATE:20261225\r\n\
DTEND;VALUE=DATE:20261227\r\n\
SUMMARY:Christmas\\, Boxing\r\n  Day\r\n\
END:VEVENT\r\n\
BEGIN:VEVENT\r\n\
UID:2@example.com\r\n\
DTSTART:20270101\r\n\
SUMMARY:New Year\r\n\
END:VEVENT\r\n\
BEGIN:VEVENT\r\n\
UID:3@example.com\r\n\
DTSTART:20261224T100000Z\r\n\
DTEND:20261224T110000Z\r\n\
SUMMARY:Party\r\n\
END:VEVENT\r\n\
END:VCALENDAR\r\n";

    #[test]
    fn all_day_events_become_dates_and_timed_ones_are_ignored() {
        let parsed = parse(GOOD).unwrap();
        assert_eq!(
            parsed.days,
            vec![
                (ymd(2026, 12, 25), "Christmas, Boxing Day".to_owned()),
                (ymd(2026, 12, 26), "Christmas, Boxing Day".to_owned()),
                (ymd(2027, 1, 1), "New Year".to_owned()),
            ]
        );
        assert_eq!(parsed.ignored, 1);
    }

    #[test]
    fn a_broken_line_is_named() {
        let broken = GOOD.replace("UID:2@example.com", "this line is broken");
        let e = parse(&broken).unwrap_err();
        assert_eq!(e.line, Some(12), "{e}");
        let unclosed = GOOD.replace(
            "END:VEVENT\r\nBEGIN:VEVENT\r\nUID:3",
            "BEGIN:VEVENT\r\nUID:3",
        );
        assert_eq!(parse(&unclosed).unwrap_err().line, Some(21));
    }

    #[test]
    fn a_bad_date_is_named_with_its_line() {
        let bad = GOOD.replace("DTSTART:20270101", "DTSTART:2027-01-01");
        let e = parse(&bad).unwrap_err();
        assert_eq!(e.line, Some(13), "{e}");
        assert!(
            e.to_string().contains("line 13: DTSTART '2027-01-01'"),
            "{e}"
        );
        let backwards = GOOD.replace("DTEND;VALUE=DATE:20261227", "DTEND;VALUE=DATE:20261201");
        let e = parse(&backwards).unwrap_err();
        assert_eq!(e.line, Some(7), "{e}");
    }

    #[test]
    fn files_without_holidays_are_refused() {
        assert!(parse("").is_err());
        assert!(parse("BEGIN:VCALENDAR\nVERSION:2.0\nEND:VCALENDAR\n").is_err());
        assert_eq!(
            parse("BEGIN:VCARD\nFN:x\nEND:VCARD\n").unwrap_err().line,
            Some(1)
        );
        assert!(parse(&"x".repeat(MAX_ICS_BYTES + 1)).is_err());
    }
}
