//! The browser's tzdb as a [`schema::schedule::Zone`], so the config editor's preview runs
//! the shared schedule code without shipping chrono-tz's compiled database in the bundle.
//! Offsets come from `Intl.DateTimeFormat`; gaps are found by the shared bounded search.

use std::fmt;
use std::rc::Rc;

use chrono::{
    FixedOffset, LocalResult, NaiveDate, NaiveDateTime, Offset, TimeDelta, TimeZone, Timelike,
};
use js_sys::{Array, Date, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// An IANA zone as the browser knows it.
#[derive(Clone)]
pub struct BrowserZone {
    name: Rc<str>,
    format: Rc<js_sys::Intl::DateTimeFormat>,
}

impl PartialEq for BrowserZone {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl fmt::Debug for BrowserZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

/// The browser's own zone (`Intl.DateTimeFormat().resolvedOptions().timeZone`), when it
/// names one the schema knows: the sign-up form sends it, the account page offers it.
pub fn browser_zone_name() -> Option<String> {
    let format = js_sys::Intl::DateTimeFormat::new(&Array::new(), &Object::new());
    let options = format.resolved_options();
    let zone = Reflect::get(&options, &"timeZone".into())
        .ok()?
        .as_string()?;
    schema::schedule::check_timezone(&zone).ok()?;
    Some(zone)
}

/// An offset of a [`BrowserZone`] (it remembers its zone, as chrono requires).
#[derive(Clone, Debug)]
pub struct BrowserOffset {
    zone: BrowserZone,
    fix: FixedOffset,
}

impl Offset for BrowserOffset {
    fn fix(&self) -> FixedOffset {
        self.fix
    }
}

impl BrowserZone {
    /// The zone, or `None` when the name is not a zone this browser knows.
    pub fn new(name: &str) -> Option<BrowserZone> {
        let options = Object::new();
        for (key, value) in [
            ("timeZone", name),
            ("hourCycle", "h23"),
            ("year", "numeric"),
            ("month", "numeric"),
            ("day", "numeric"),
            ("hour", "numeric"),
            ("minute", "numeric"),
            ("second", "numeric"),
        ] {
            Reflect::set(&options, &key.into(), &value.into()).ok()?;
        }
        let intl = Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
        let constructor: js_sys::Function = Reflect::get(&intl, &"DateTimeFormat".into())
            .ok()?
            .dyn_into()
            .ok()?;
        let args = Array::of2(&Array::of1(&"en-US".into()), &options);
        // An unknown zone throws a RangeError: caught here, not a crash.
        let format = Reflect::construct(&constructor, &args)
            .ok()?
            .dyn_into::<js_sys::Intl::DateTimeFormat>()
            .ok()?;
        Some(BrowserZone {
            name: name.into(),
            format: Rc::new(format),
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The zone's offset at a UTC instant: its wall clock minus UTC.
    fn offset_at(&self, utc: &NaiveDateTime) -> FixedOffset {
        let ms = utc.and_utc().timestamp_millis() as f64;
        let date = Date::new(&JsValue::from_f64(ms));
        let parts = self.format.format_to_parts(&date);
        let mut fields = [0i64; 6];
        for part in parts.iter() {
            let kind = Reflect::get(&part, &"type".into())
                .ok()
                .and_then(|v| v.as_string());
            let value = Reflect::get(&part, &"value".into())
                .ok()
                .and_then(|v| v.as_string())
                .and_then(|v| v.parse::<i64>().ok());
            let slot = match kind.as_deref() {
                Some("year") => 0,
                Some("month") => 1,
                Some("day") => 2,
                Some("hour") => 3,
                Some("minute") => 4,
                Some("second") => 5,
                _ => continue,
            };
            if let Some(value) = value {
                fields[slot] = value;
            }
        }
        let wall = NaiveDate::from_ymd_opt(fields[0] as i32, fields[1] as u32, fields[2] as u32)
            .and_then(|d| d.and_hms_opt(fields[3] as u32, fields[4] as u32, fields[5] as u32));
        // Intl works in whole seconds; so does the offset.
        let whole = utc.with_nanosecond(0).unwrap_or(*utc);
        let seconds = wall.map_or(0, |w| (w - whole).num_seconds());
        i32::try_from(seconds)
            .ok()
            .and_then(FixedOffset::east_opt)
            .unwrap_or_else(|| chrono::Utc.fix())
    }

    fn offset(&self, fix: FixedOffset) -> BrowserOffset {
        BrowserOffset {
            zone: self.clone(),
            fix,
        }
    }
}

impl TimeZone for BrowserZone {
    type Offset = BrowserOffset;

    fn from_offset(offset: &BrowserOffset) -> Self {
        offset.zone.clone()
    }

    fn offset_from_local_date(&self, local: &NaiveDate) -> LocalResult<BrowserOffset> {
        match local.and_hms_opt(0, 0, 0) {
            Some(midnight) => self.offset_from_local_datetime(&midnight),
            None => LocalResult::None,
        }
    }

    /// The offsets in force a day either side are the only candidates (zones do not change
    /// twice within two days); each that maps back to the same wall time is a solution.
    fn offset_from_local_datetime(&self, local: &NaiveDateTime) -> LocalResult<BrowserOffset> {
        let mut candidates: Vec<FixedOffset> = [TimeDelta::days(-1), TimeDelta::days(1)]
            .into_iter()
            .filter_map(|d| local.checked_add_signed(d))
            .map(|probe| self.offset_at(&probe))
            .collect();
        candidates.dedup();
        let mut valid: Vec<(NaiveDateTime, FixedOffset)> = candidates
            .into_iter()
            .filter_map(|offset| {
                let utc = local.checked_sub_offset(offset)?;
                (self.offset_at(&utc) == offset).then_some((utc, offset))
            })
            .collect();
        valid.sort_by_key(|(utc, _)| *utc);
        match valid.as_slice() {
            [] => LocalResult::None,
            [(_, only)] => LocalResult::Single(self.offset(*only)),
            [(_, first), .., (_, last)] => {
                LocalResult::Ambiguous(self.offset(*first), self.offset(*last))
            }
        }
    }

    fn offset_from_utc_date(&self, utc: &NaiveDate) -> BrowserOffset {
        let midnight = utc.and_hms_opt(0, 0, 0).unwrap_or_default();
        self.offset_from_utc_datetime(&midnight)
    }

    fn offset_from_utc_datetime(&self, utc: &NaiveDateTime) -> BrowserOffset {
        self.offset(self.offset_at(utc))
    }
}

impl schema::schedule::Zone for BrowserZone {}
