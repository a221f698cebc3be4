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
//! A calendar holds data for a range of whole years. A date outside it is an
//! error ([`CalendarError::is_out_of_range`]) unless the calendar was built
//! with [`Beyond::Weekends`], which counts only the weekly rest days there.
//!
//! ```
//! use chrono::NaiveDate;
//! use shenpi_core::calendar::Calendar;
//!
//! let cn = Calendar::cn();
//! let accepted = NaiveDate::from_ymd_opt(2025, 1, 24).unwrap(); // a Friday
//! // Sunday 26 January is worked; 28 January to 4 February is the Spring Festival.
//! let due = cn.add_working_days(accepted, 3)?;
//! assert_eq!(due, NaiveDate::from_ymd_opt(2025, 2, 5).unwrap());
//! assert_eq!(cn.working_days_between(accepted, due)?, 3);
//! # Ok::<(), shenpi_core::calendar::CalendarError>(())
//! ```

mod builder;
mod cn;
mod count;
mod error;
mod file;
mod index;
mod stops;
mod types;
mod write;

use std::fmt;
use std::sync::Arc;

use chrono::{Datelike, NaiveDate, Weekday};

pub(crate) use builder::Problem;
pub use builder::{CalendarBuilder, MAX_YEARS};
pub(crate) use error::date_problem;
pub use error::{CalendarError, parse_date};
pub use file::LoadError;
use index::{Index, Week, weekend_mask};
pub use stops::ClockStops;
pub use types::{Beyond, DayKind, Entry, Notice};

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
struct Data {
    id: String,
    title: Option<String>,
    entries: Vec<Entry>,
    notices: Vec<Notice>,
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
    /// State Council, from 2004 on. See [`Calendar::notices`] for the sources.
    pub fn cn() -> Calendar {
        cn::calendar()
    }

    /// Saturday and Sunday off, no holidays, every year.
    pub fn weekends_only() -> Calendar {
        Calendar {
            data: Arc::new(Data {
                id: "weekends".to_string(),
                title: None,
                entries: Vec::new(),
                notices: Vec::new(),
                index: Index { week: Week::new(weekend_mask(&[Weekday::Sat, Weekday::Sun])), covered: None },
            }),
            beyond: Beyond::Weekends,
        }
    }

    /// The same calendar, counting only weekly rest days outside its years
    /// instead of refusing dates there.
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

    /// The calendar's title, if it has one (`中国大陆法定节假日`).
    pub fn title(&self) -> Option<&str> {
        self.data.title.as_deref()
    }

    /// First and last day with data; `None` for a calendar of weekends only.
    pub fn covered(&self) -> Option<(NaiveDate, NaiveDate)> {
        self.data.index.covered.as_ref().map(|c| (c.first, c.last))
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

    /// The documents the entries cite.
    pub fn notices(&self) -> &[Notice] {
        &self.data.notices
    }
}

#[cfg(test)]
mod tests;
