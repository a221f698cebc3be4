//! Working days ↔ dates: the clock every time limit in the licensing law runs on.
//!
//! Art. 82 of the Administrative Licensing Law counts every period in working
//! days, so a [`Calendar`] knows its weekly rest days, its holidays and its
//! make-up working days (调休: a Saturday or Sunday that is worked), and
//! answers three questions:
//!
//! - [`Calendar::is_working_day`];
//! - [`Calendar::add_working_days`]: the n-th working day after a date, the
//!   date itself not counted (accepted on a Monday with a limit of 2, due on
//!   the Wednesday);
//! - [`Calendar::working_days_between`]: the working days x with a < x ≤ b,
//!   the inverse of `add_working_days`.
//!
//! Both have `_with_stops` twins taking [`ClockStops`]: periods such as
//! supplementation (补正), hearings and expert review (Art. 45) during which
//! no working day counts.
//!
//! The built-in `cn` calendar ([`Calendar::cn`]) carries mainland China's
//! statutory holidays as arranged each year by the State Council; calendar
//! files (see `docs/calendar-format.md`) add a local government's own days to
//! it or define a calendar from scratch.
//!
//! A calendar holds published data for a range of whole years. After them,
//! its [`Beyond`] decides: [`Beyond::Law`] (the default of `cn`) projects the
//! statutory holidays by 《全国年节及纪念日放假办法》 up to 2100,
//! [`Beyond::Weekends`] counts weekly rest days only, and [`Beyond::Error`]
//! refuses the date ([`CalendarError::is_out_of_range`]). A date counted past
//! the published data is provisional ([`Calendar::is_provisional`]): the
//! year's arrangement may move it. Before the first year every calendar
//! refuses, unless it counts [`Beyond::Weekends`].
//!
//! ```
//! use chrono::NaiveDate;
//! use shenpi_core::calendar::Calendar;
//!
//! let cn = Calendar::cn();
//! let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
//! let accepted = date(2025, 1, 24); // a Friday
//! // Sunday 26 January is worked; 28 January to 4 February is the Spring Festival.
//! let due = cn.add_working_days(accepted, 3)?;
//! assert_eq!(due, date(2025, 2, 5));
//! assert_eq!(cn.working_days_between(accepted, due)?, 3);
//!
//! // 2027 is not published yet: 5 to 8 February (除夕 to 初三) by the law, and
//! // the 9th and 10th for the two that fall on the weekend.
//! assert_eq!(cn.add_working_days(date(2027, 2, 4), 1)?, date(2027, 2, 11));
//! assert!(cn.is_provisional(date(2027, 2, 11)));
//! # Ok::<(), shenpi_core::calendar::CalendarError>(())
//! ```

mod builder;
mod cn;
mod count;
mod error;
mod file;
mod index;
mod law;
mod law_dates;
mod stops;
mod types;
mod write;
mod zone;

use std::fmt;
use std::sync::Arc;

use chrono::{Datelike, NaiveDate, Weekday};

pub(crate) use builder::Problem;
pub use builder::{CalendarBuilder, MAX_YEARS};
pub use cn::DATA_ENV as CN_DATA_ENV;
pub(crate) use error::date_problem;
pub use error::{CalendarError, parse_date};
pub use file::{CalendarReach, LoadError, calendar_path};
use index::{Index, Week, weekend_mask};
pub use stops::ClockStops;
pub use types::{Beyond, DayKind, Entry, Notice};
pub use zone::Zone;

/// The law [`Beyond::Law`] projects: 《全国年节及纪念日放假办法》 as amended in 2024
/// (国务院令第795号), in force from 1 January 2025.
pub const HOLIDAY_LAW: &str = law::TITLE;

/// A working-day calendar: weekly rest days, holidays and make-up working days.
///
/// Cloning is cheap (the data is shared). Build one with [`Calendar::cn`],
/// [`Calendar::weekends_only`], [`Calendar::builder`], or from a file with
/// [`Calendar::resolve`].
#[derive(Clone)]
pub struct Calendar {
    data: Arc<Data>,
    beyond: Beyond,
}

/// What a calendar knows, shared by its clones.
#[derive(Clone)]
struct Data {
    id: String,
    /// [`Calendar::data_version`].
    version: String,
    title: Option<String>,
    entries: Vec<Entry>,
    notices: Vec<Notice>,
    zone: Zone,
    index: Index,
}

impl fmt::Debug for Calendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Calendar")
            .field("id", &self.data.id)
            .field("covered", &self.covered())
            .field("beyond", &self.beyond)
            .finish_non_exhaustive()
    }
}

impl Calendar {
    /// The built-in mainland China calendar (`cn`): Saturday and Sunday off,
    /// plus every year's holidays and make-up working days as arranged by the
    /// State Council, from 2004 on (see [`Calendar::notices`] for the
    /// sources), and after the last published year the holidays of
    /// 《全国年节及纪念日放假办法》 up to 2100 ([`Beyond::Law`]).
    ///
    /// A year's arrangement reaches it without a release: when the
    /// environment variable `SHENPI_CALENDAR_DATA` ([`CN_DATA_ENV`]) names a
    /// data file, `cn` is read from it (once, at the first use) as
    /// [`Calendar::cn_with_data`] reads it; if that file cannot be used, `cn`
    /// is the built-in data and [`Calendar::try_cn`] says why.
    /// [`Calendar::data_version`] tells which data a calendar has.
    pub fn cn() -> Calendar {
        cn::calendar()
    }

    /// Saturday and Sunday off, no holidays, every year.
    pub fn weekends_only() -> Calendar {
        Calendar {
            data: Arc::new(Data {
                id: "weekends".to_string(),
                version: builder::data_version(&weekend_mask(&[Weekday::Sat, Weekday::Sun]), None, &[]),
                title: None,
                entries: Vec::new(),
                notices: Vec::new(),
                zone: Zone::default(),
                index: Index { week: Week::new(weekend_mask(&[Weekday::Sat, Weekday::Sun])), covered: None },
            }),
            beyond: Beyond::Weekends,
        }
    }

    /// The same calendar, doing `beyond` with dates past its published years.
    pub fn with_beyond(mut self, beyond: Beyond) -> Calendar {
        self.beyond = beyond;
        self
    }

    /// What the calendar does with dates outside its years.
    pub fn beyond(&self) -> Beyond {
        self.beyond
    }

    /// The name used in messages: `cn`, `weekends`, or the file it was read from.
    pub fn id(&self) -> &str {
        &self.data.id
    }

    /// Which data the calendar counts on: its published years and a SHA-256
    /// of its weekly rest days and published entries, e.g.
    /// `2004..2026 sha256:3f0c2a9d41be7c55`. Two calendars with the same
    /// version count every published day alike; a data file with a new
    /// year's arrangement ([`Calendar::cn_with_data`]) gives a new version.
    /// A project's status says which version it was counted on, and every
    /// event it records keeps it.
    ///
    /// ```
    /// use shenpi_core::calendar::Calendar;
    ///
    /// let v = Calendar::cn_builtin().data_version().to_string();
    /// assert!(v.starts_with("2004..2026 sha256:"), "{v}");
    /// assert_eq!(Calendar::weekends_only().data_version().len(), "sha256:".len() + 16);
    /// ```
    pub fn data_version(&self) -> &str {
        &self.data.version
    }

    /// The same calendar under another name.
    fn renamed(self, id: &str) -> Calendar {
        let mut data = Arc::unwrap_or_clone(self.data);
        data.id = id.to_string();
        Calendar { data: Arc::new(data), beyond: self.beyond }
    }

    /// The calendar's title, if it has one (`中国大陆法定节假日`).
    pub fn title(&self) -> Option<&str> {
        self.data.title.as_deref()
    }

    /// First and last day of the published data (the years the calendar
    /// lists); `None` for a calendar of weekends only.
    pub fn covered(&self) -> Option<(NaiveDate, NaiveDate)> {
        self.data.index.covered.as_ref().map(|c| (c.first, c.last))
    }

    /// The last day of the published data: dates after it are provisional.
    pub fn published_through(&self) -> Option<NaiveDate> {
        self.covered().map(|(_, last)| last)
    }

    /// The last day the holiday law is projected to, when the calendar can
    /// project (whatever its [`Beyond`]); `None` when it cannot.
    pub fn projected_through(&self) -> Option<NaiveDate> {
        self.data.index.covered.as_ref().and_then(|c| c.projected_last)
    }

    /// True when `date` is past the published data, so that its working days
    /// follow the holiday law ([`Beyond::Law`]) or the weekly rest days alone
    /// ([`Beyond::Weekends`]) and may move when the year's arrangement is published.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use shenpi_core::calendar::Calendar;
    ///
    /// let cn = Calendar::cn();
    /// assert!(!cn.is_provisional(NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()));
    /// assert!(cn.is_provisional(NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()));
    /// ```
    pub fn is_provisional(&self, date: NaiveDate) -> bool {
        self.published_through().is_some_and(|last| date > last)
    }

    /// What a user should be told about provisional dates, e.g. "dates after
    /// 2026-12-31 follow the holiday law; the 2027 arrangement is not yet
    /// published"; `None` for a calendar that counts no date past its data.
    pub fn provisional_note(&self) -> Option<String> {
        let last = self.published_through()?;
        let next = last.year().checked_add(1)?;
        let how = match self.beyond {
            Beyond::Law if self.projected_through().is_some() => "follow the holiday law",
            Beyond::Weekends => "count weekends only",
            _ => return None,
        };
        Some(format!("dates after {last} {how}; the {next} arrangement is not yet published"))
    }

    /// True when the calendar rests on `day` every week.
    pub fn is_weekend(&self, day: Weekday) -> bool {
        self.data.index.week.rests_on_weekday(day)
    }

    /// Every holiday and make-up working day, sorted by first day.
    pub fn entries(&self) -> &[Entry] {
        &self.data.entries
    }

    /// The entries that touch `year`.
    pub fn entries_in_year(&self, year: i32) -> impl Iterator<Item = &Entry> {
        self.data.entries.iter().filter(move |e| e.first.year() <= year && year <= e.last.year())
    }

    /// The zone "today" is read in: `Asia/Shanghai` for `cn` and calendars based on it.
    pub fn zone(&self) -> &Zone {
        &self.data.zone
    }

    /// Today's date in the calendar's zone ([`Calendar::zone`]), by the
    /// system clock: what a plan or a status without a date starts from.
    /// A server in UTC is still on yesterday before 08:00 Beijing time; this is not.
    pub fn today(&self) -> NaiveDate {
        self.data.zone.today()
    }

    /// The documents the entries cite.
    pub fn notices(&self) -> &[Notice] {
        &self.data.notices
    }
}

#[cfg(test)]
mod tests;
