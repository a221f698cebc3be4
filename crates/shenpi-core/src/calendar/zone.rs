//! The time zone a calendar's "today" is read in.
//!
//! A server in UTC is a day behind Beijing before 08:00, so "today" is the
//! date in the calendar's zone, not the machine's. shenpi knows a short list
//! of zones, each with one fixed offset from UTC since 1992 (China abolished
//! summer time in 1991; Hong Kong, Macau and Taiwan in 1979), and fixed
//! offsets written `UTC+08:00`. A zone with summer time would need a tz
//! database, which the core crate does not carry for calendars that, in
//! China's approval centres, all run on Beijing time.

use std::fmt;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

use super::CalendarError;
use super::error::invalid;

/// The named zones shenpi knows, with their offset from UTC in hours.
const NAMED: &[(&str, i32)] =
    &[("Asia/Shanghai", 8), ("Asia/Hong_Kong", 8), ("Asia/Macau", 8), ("Asia/Taipei", 8), ("UTC", 0)];

/// A time zone with a fixed offset: where a calendar's "today" is read.
///
/// # Example
/// ```
/// use chrono::{TimeZone, Utc};
/// use shenpi_core::calendar::Zone;
///
/// let beijing = Zone::parse("Asia/Shanghai")?;
/// // 23:30 UTC on 31 December is already New Year's Day in Beijing.
/// let instant = Utc.with_ymd_and_hms(2026, 12, 31, 23, 30, 0).unwrap();
/// assert_eq!(beijing.date_at(instant).to_string(), "2027-01-01");
/// assert_eq!(Zone::parse("UTC+08:00")?.date_at(instant), beijing.date_at(instant));
/// # Ok::<(), shenpi_core::calendar::CalendarError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Zone {
    name: String,
    /// Seconds east of UTC.
    offset: i32,
}

impl Default for Zone {
    /// Beijing time, `Asia/Shanghai`.
    fn default() -> Zone {
        Zone::shanghai()
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl Zone {
    /// Beijing time (UTC+8), the zone of `cn`.
    pub fn shanghai() -> Zone {
        Zone { name: "Asia/Shanghai".to_string(), offset: 8 * 3600 }
    }

    /// A zone by name: one of `Asia/Shanghai`, `Asia/Hong_Kong`, `Asia/Macau`,
    /// `Asia/Taipei`, `UTC`, or a fixed offset `UTC+HH:MM` / `UTC-HH:MM`
    /// (at most 14 hours).
    ///
    /// # Errors
    /// Invalid ([`CalendarError::is_invalid`]) for any other name.
    pub fn parse(name: &str) -> Result<Zone, CalendarError> {
        Zone::lookup(name).map_err(invalid)
    }

    /// The zone, or why `name` is not one (for diagnostics).
    pub(crate) fn lookup(name: &str) -> Result<Zone, String> {
        if let Some(&(known, hours)) = NAMED.iter().find(|(n, _)| *n == name) {
            return Ok(Zone { name: known.to_string(), offset: hours * 3600 });
        }
        if let Some(offset) = fixed_offset(name) {
            return Ok(Zone { name: name.to_string(), offset });
        }
        Err(format!(
            "`{name}` is not a time zone shenpi knows; use {}, or a fixed offset such as `UTC+08:00`",
            Zone::known().join(", ")
        ))
    }

    /// The named zones, for messages and suggestions.
    pub fn known() -> Vec<&'static str> {
        NAMED.iter().map(|(n, _)| *n).collect()
    }

    /// Its name, as a calendar file writes it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its offset from UTC.
    pub fn offset(&self) -> FixedOffset {
        // OK because every offset made here is within ±14 hours.
        FixedOffset::east_opt(self.offset).expect("a zone's offset is within a day")
    }

    /// The date in this zone at `instant`.
    pub fn date_at(&self, instant: DateTime<Utc>) -> NaiveDate {
        instant.with_timezone(&self.offset()).date_naive()
    }

    /// Today's date in this zone, by the system clock.
    pub fn today(&self) -> NaiveDate {
        self.date_at(Utc::now())
    }
}

/// Seconds east of UTC for `UTC+HH:MM` or `UTC-HH:MM`, at most 14 hours.
fn fixed_offset(text: &str) -> Option<i32> {
    let rest = text.strip_prefix("UTC")?;
    let sign = match rest.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (h, m) = rest[1..].split_once(':')?;
    let ok = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
    if !ok(h) || !ok(m) {
        return None;
    }
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    (m < 60 && h * 60 + m <= 14 * 60).then_some(sign * (h * 3600 + m * 60))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_server_in_utc_is_a_day_behind_beijing_before_eight() {
        let z = Zone::shanghai();
        let at = |h| Utc.with_ymd_and_hms(2027, 2, 10, h, 0, 0).unwrap();
        assert_eq!(z.date_at(at(15)).to_string(), "2027-02-10");
        assert_eq!(z.date_at(at(16)).to_string(), "2027-02-11");
    }

    #[test]
    fn only_known_names_and_fixed_offsets_parse() {
        assert_eq!(
            Zone::parse("UTC-05:30").unwrap().offset(),
            FixedOffset::west_opt(5 * 3600 + 1800).unwrap()
        );
        for bad in ["Europe/Berlin", "utc", "UTC+8", "UTC+15:00", "UTC+08:60", "UTC08:00", "", "UTC+٠٨:00"]
        {
            let e = Zone::parse(bad).unwrap_err();
            assert!(e.is_invalid() && e.to_string().contains("not a time zone shenpi knows"), "{bad}");
        }
    }
}
