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

mod cn;
mod file;
mod stops;

use std::fmt;
use std::ops::RangeInclusive;
use std::sync::Arc;

use chrono::{Datelike, NaiveDate, Weekday};

pub use file::LoadError;
pub use stops::ClockStops;

/// What a listed day is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DayKind {
    /// A day off that would otherwise be worked (法定节假日 and the days moved next to it).
    Holiday,
    /// A weekly rest day that is worked (调休上班).
    Workday,
}

/// A holiday span or make-up working days, as a calendar lists them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Holiday or make-up working day.
    pub kind: DayKind,
    /// First day, included.
    pub first: NaiveDate,
    /// Last day, included.
    pub last: NaiveDate,
    /// What the day is for (`春节`), if given.
    pub name: Option<String>,
    /// Index into [`Calendar::notices`] of the document that arranged it.
    pub notice: Option<usize>,
}

impl Entry {
    /// Days off from `first` to `last`, both included.
    pub fn holiday(first: NaiveDate, last: NaiveDate) -> Entry {
        Entry { kind: DayKind::Holiday, first, last, name: None, notice: None }
    }

    /// A weekly rest day that is worked.
    pub fn workday(date: NaiveDate) -> Entry {
        Entry { kind: DayKind::Workday, first: date, last: date, name: None, notice: None }
    }

    /// Names what the day is for.
    pub fn named(mut self, name: impl Into<String>) -> Entry {
        self.name = Some(name.into());
        self
    }

    /// Cites the notice (an index into the builder's notices) that arranged the day.
    pub fn from_notice(mut self, index: usize) -> Entry {
        self.notice = Some(index);
        self
    }

    /// True when `d` lies in the entry.
    pub fn contains(&self, d: NaiveDate) -> bool {
        self.first <= d && d <= self.last
    }
}

/// The document that arranged some of a calendar's days, so users can check them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// Its title, e.g. `国务院办公厅关于2025年部分节假日安排的通知`.
    pub title: String,
    /// Its document number (`国办发明电〔2024〕12号`) and amendments, if known.
    pub number: Option<String>,
}

/// What a calendar does with dates outside the years it has data for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Beyond {
    /// Refuse them: a deadline computed without the year's holidays would be wrong.
    #[default]
    Error,
    /// Count weekly rest days only, knowing holidays are missing there.
    Weekends,
}

/// Why a calendar could not answer or could not be built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CalendarError {
    kind: ErrorKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum ErrorKind {
    OutOfRange { date: NaiveDate, calendar: String, first: NaiveDate, last: NaiveDate },
    RunsPast { from: NaiveDate, n: u32, calendar: String, last: NaiveDate },
    Unrepresentable { from: NaiveDate, n: u32 },
    BadDate { text: String, why: String },
    StopReversed { start: NaiveDate, end: NaiveDate },
    StopsOverlap { first: (NaiveDate, NaiveDate), second: (NaiveDate, NaiveDate) },
    Invalid(String),
}

impl CalendarError {
    fn new(kind: ErrorKind) -> CalendarError {
        CalendarError { kind }
    }

    /// True when a date, or the result of counting, falls outside the years the calendar covers.
    pub fn is_out_of_range(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::OutOfRange { .. } | ErrorKind::RunsPast { .. } | ErrorKind::Unrepresentable { .. }
        )
    }

    /// True for text that is not an ISO 8601 date.
    pub fn is_bad_date(&self) -> bool {
        matches!(self.kind, ErrorKind::BadDate { .. })
    }

    /// True for clock stops that overlap or end before they start.
    pub fn is_bad_stop(&self) -> bool {
        matches!(self.kind, ErrorKind::StopReversed { .. } | ErrorKind::StopsOverlap { .. })
    }

    /// True for a calendar that cannot be built (bad years, weekend or entries).
    pub fn is_invalid(&self) -> bool {
        matches!(self.kind, ErrorKind::Invalid(_))
    }
}

impl fmt::Display for CalendarError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::OutOfRange { date, calendar, first, last } => write!(
                f,
                "{date} is outside the `{calendar}` calendar, which covers {first} to {last}; \
                 add that year's holidays with a calendar file, or allow `beyond: weekends` \
                 to count only weekends there"
            ),
            ErrorKind::RunsPast { from, n, calendar, last } => write!(
                f,
                "{n} working days from {from} run past {last}, the last day the `{calendar}` \
                 calendar covers; add the following years' holidays with a calendar file, \
                 or allow `beyond: weekends` to count only weekends there"
            ),
            ErrorKind::Unrepresentable { from, n } => {
                write!(f, "{n} working days from {from} run past the last date shenpi can represent")
            }
            ErrorKind::BadDate { text, why } => write!(f, "`{text}` is not a valid date: {why}"),
            ErrorKind::StopReversed { start, end } => {
                write!(f, "clock stop {start}..{end} ends before it starts")
            }
            ErrorKind::StopsOverlap { first, second } => write!(
                f,
                "clock stop {}..{} overlaps clock stop {}..{}; merge them into one stop",
                first.0, first.1, second.0, second.1
            ),
            ErrorKind::Invalid(msg) => f.write_str(msg),
        }
    }
}

impl std::error::Error for CalendarError {}

/// Parses an ISO 8601 calendar date, `YYYY-MM-DD`, and nothing looser.
pub fn parse_date(text: &str) -> Result<NaiveDate, CalendarError> {
    date_problem(text).map_err(|why| CalendarError::new(ErrorKind::BadDate { text: text.to_string(), why }))
}

/// The date, or why `text` is not one (for labels).
pub(crate) fn date_problem(text: &str) -> Result<NaiveDate, String> {
    let b = text.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape {
        return Err("expected YYYY-MM-DD, e.g. 2025-05-06".to_string());
    }
    let num = |r: std::ops::Range<usize>| text[r].parse::<u32>().unwrap_or(0);
    let (y, m, d) = (num(0..4), num(5..7), num(8..10));
    if !(1..=12).contains(&m) {
        return Err(format!("there is no month {m:02}"));
    }
    // y < 10000, so the cast is exact.
    NaiveDate::from_ymd_opt(y as i32, m, d).ok_or_else(|| format!("{y:04}-{m:02} has no day {d:02}"))
}

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

struct Data {
    id: String,
    title: Option<String>,
    /// Indexed by `Weekday::num_days_from_monday`.
    weekend: [bool; 7],
    /// `week_pre[r]`: working days among Monday .. the r-th weekday (excluded); `[7]` is per week.
    week_pre: [i64; 8],
    covered: Option<Covered>,
    entries: Vec<Entry>,
    notices: Vec<Notice>,
}

/// The years with data, as prefix counts: `prefix[i]` is the number of
/// working days among the first `i` days from `first`.
struct Covered {
    first: NaiveDate,
    last: NaiveDate,
    j0: i64,
    prefix: Vec<u32>,
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

/// The day index of a date: 0 is Monday 0001-01-01, so `j mod 7` is the weekday.
fn day_index(d: NaiveDate) -> i64 {
    i64::from(d.num_days_from_ce()) - 1
}

fn from_index(j: i64) -> Option<NaiveDate> {
    i32::try_from(j + 1).ok().and_then(NaiveDate::from_num_days_from_ce_opt)
}

/// The largest span of years a calendar may hold, so a typo cannot allocate gigabytes.
pub const MAX_YEARS: i32 = 400;

impl Calendar {
    /// The built-in mainland China calendar (`cn`): Saturday and Sunday off,
    /// plus every year's holidays and make-up working days as arranged by the
    /// State Council, from 2015 on. See [`Calendar::notices`] for the sources.
    pub fn cn() -> Calendar {
        cn::calendar()
    }

    /// Saturday and Sunday off, no holidays, every year.
    pub fn weekends_only() -> Calendar {
        let weekend = weekend_mask(&[Weekday::Sat, Weekday::Sun]);
        Calendar {
            data: Arc::new(Data {
                id: "weekends".to_string(),
                title: None,
                weekend,
                week_pre: week_prefix(&weekend),
                covered: None,
                entries: Vec::new(),
                notices: Vec::new(),
            }),
            beyond: Beyond::Weekends,
        }
    }

    /// A calendar from scratch, called `id` in messages, with data for `years` (both included).
    pub fn builder(id: impl Into<String>, years: RangeInclusive<i32>) -> CalendarBuilder {
        CalendarBuilder {
            id: id.into(),
            title: None,
            years: (*years.start(), *years.end()),
            weekend: vec![Weekday::Sat, Weekday::Sun],
            beyond: Beyond::Error,
            base: Vec::new(),
            own: Vec::new(),
            notices: Vec::new(),
        }
    }

    /// A builder that adds days to this calendar: its entries stay, the new
    /// ones may add holidays (also on its make-up working days) and make-up
    /// working days, but may not make one of its holidays a working day.
    /// The years are this calendar's; widen them with [`CalendarBuilder::years`]
    /// (required when extending [`Calendar::weekends_only`], which has none).
    pub fn extend(&self, id: impl Into<String>) -> CalendarBuilder {
        let (first, last) = match self.covered() {
            Some((f, l)) => (f.year(), l.year()),
            None => (1, 0),
        };
        CalendarBuilder {
            id: id.into(),
            title: self.data.title.clone(),
            years: (first, last),
            weekend: (0u8..7)
                .filter(|&i| self.data.weekend[usize::from(i)])
                .filter_map(|i| Weekday::try_from(i).ok())
                .collect(),
            beyond: self.beyond,
            base: self.data.entries.clone(),
            own: Vec::new(),
            notices: self.data.notices.clone(),
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
        self.data.covered.as_ref().map(|c| (c.first, c.last))
    }

    /// True when the calendar rests on `day` every week.
    pub fn is_weekend(&self, day: Weekday) -> bool {
        self.data.weekend[day.num_days_from_monday() as usize]
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

    /// Whether `date` is a working day.
    ///
    /// # Errors
    /// Out of range when `date` is outside the calendar's years and it does not allow
    /// [`Beyond::Weekends`].
    ///
    /// # Complexity
    /// O(1).
    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        let j = self.index(date)?;
        Ok(self.is_working_index(j))
    }

    /// The `n`-th working day after `date`, `date` itself not counted, the way
    /// the licensing law counts: accepted on a Monday with a limit of 2, due on
    /// the Wednesday. With `n = 0`: `date` when it is a working day, else the
    /// next working day (an item decided on the spot, 即办).
    ///
    /// # Errors
    /// Out of range when `date` or the result is outside the calendar's years
    /// (unless it allows [`Beyond::Weekends`]).
    ///
    /// # Complexity
    /// O(log D) time, where D is the number of days with data; no allocation.
    pub fn add_working_days(&self, date: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        let j = self.index(date)?;
        if n == 0 && self.is_working_index(j) {
            return Ok(date);
        }
        let k = self.data.rank(j) + i64::from(n.max(1));
        self.result_date(self.data.unrank(k), date, n)
    }

    /// The first `count` working days on or after `start`, in order: the
    /// `k`-th is `add_working_days(first, k)`. For the dates of many offsets
    /// from one day (a plan's step dates), this walks the days once instead
    /// of searching for each.
    ///
    /// # Errors
    /// As for `add_working_days`: out of range when `start` or a day
    /// returned would be outside the calendar's years (unless it allows
    /// [`Beyond::Weekends`]); the error is that of counting one working day
    /// on from the last day returned.
    ///
    /// # Complexity
    /// O(days walked) time, a few nanoseconds a day; `count` dates of memory.
    pub fn working_days_from(&self, start: NaiveDate, count: usize) -> Result<Vec<NaiveDate>, CalendarError> {
        let mut out = Vec::with_capacity(count);
        let mut j = self.index(start)?;
        let (mut d, data) = (start, &*self.data);
        // Inside the data a day is worked when the prefix count rises; outside, by weekday.
        let (j0, prefix): (i64, &[u32]) = match &data.covered {
            Some(c) => (c.j0, &c.prefix),
            None => (0, &[]),
        };
        let end = j0 + prefix.len() as i64 - 1;
        let last = match (&data.covered, self.beyond) {
            (Some(c), Beyond::Error) => day_index(c.last),
            _ => i64::MAX,
        };
        while out.len() < count {
            let worked = if (j0..end).contains(&j) {
                let i = (j - j0) as usize;
                prefix[i + 1] != prefix[i]
            } else {
                !data.weekend[j.rem_euclid(7) as usize]
            };
            if worked {
                out.push(d);
                if out.len() == count {
                    break;
                }
            }
            match d.succ_opt() {
                Some(next) if j < last => (d, j) = (next, j + 1),
                // Past the data or the representable dates: the error counting on would give.
                _ => {
                    return Err(self
                        .add_working_days(out.last().copied().unwrap_or(start), 1)
                        .err()
                        .unwrap_or(CalendarError::new(ErrorKind::Unrepresentable { from: d, n: 1 })));
                }
            }
        }
        Ok(out)
    }

    /// The number of working days x with `from` < x ≤ `to`, so that
    /// `working_days_between(d, add_working_days(d, n)) == n` for every working day `d`.
    /// When `from` is after `to` the count is negative: minus the working days
    /// x with `to` < x ≤ `from`.
    ///
    /// # Errors
    /// Out of range when either date is outside the calendar's years (unless
    /// it allows [`Beyond::Weekends`]).
    ///
    /// # Complexity
    /// O(1).
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> Result<i64, CalendarError> {
        let (a, b) = (self.index(from)?, self.index(to)?);
        Ok(self.data.rank(b) - self.data.rank(a))
    }

    /// [`add_working_days`](Calendar::add_working_days) with the clock stopped:
    /// working days inside a stop do not count, and the result never falls
    /// inside one. With `n = 0`: `date` when it is a working day outside every
    /// stop, else the first such day after it.
    ///
    /// # Errors
    /// As for `add_working_days`.
    ///
    /// # Complexity
    /// O(S log D) time, where S is the number of stops ending after `date` and
    /// D the number of days with data; no allocation.
    pub fn add_working_days_with_stops(
        &self,
        date: NaiveDate,
        n: u32,
        stops: &ClockStops,
    ) -> Result<NaiveDate, CalendarError> {
        let j = self.index(date)?;
        if n == 0 && self.is_working_index(j) && !stops.contains(date) {
            return Ok(date);
        }
        let mut k = self.data.rank(j) + i64::from(n.max(1));
        for &(start, end) in stops.ending_after(date) {
            // The part of the stop after `date`.
            let lo = day_index(start).max(j + 1);
            if self.data.unrank(k) < lo {
                break;
            }
            // The due day would fall in or after the stop: its working days do not count.
            k += self.data.rank(day_index(end)) - self.data.rank(lo - 1);
        }
        self.result_date(self.data.unrank(k), date, n)
    }

    /// [`working_days_between`](Calendar::working_days_between) not counting
    /// working days inside a stop.
    ///
    /// # Errors
    /// As for `working_days_between`.
    ///
    /// # Complexity
    /// O(log S + s) time, where s is the number of stops between the dates.
    pub fn working_days_between_with_stops(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        stops: &ClockStops,
    ) -> Result<i64, CalendarError> {
        if from > to {
            return self.working_days_between_with_stops(to, from, stops).map(|n| -n);
        }
        let (a, b) = (self.index(from)?, self.index(to)?);
        let mut n = self.data.rank(b) - self.data.rank(a);
        for &(start, end) in stops.ending_after(from) {
            let lo = day_index(start).max(a + 1);
            let hi = day_index(end).min(b);
            if lo > b {
                break;
            }
            if lo <= hi {
                n -= self.data.rank(hi) - self.data.rank(lo - 1);
            }
        }
        Ok(n)
    }

    fn is_working_index(&self, j: i64) -> bool {
        self.data.rank(j) - self.data.rank(j - 1) == 1
    }

    /// The day index of an input date, refusing dates outside the data unless allowed.
    fn index(&self, date: NaiveDate) -> Result<i64, CalendarError> {
        if let (Some(c), Beyond::Error) = (&self.data.covered, self.beyond) {
            if date < c.first || date > c.last {
                return Err(CalendarError::new(ErrorKind::OutOfRange {
                    date,
                    calendar: self.data.id.clone(),
                    first: c.first,
                    last: c.last,
                }));
            }
        }
        Ok(day_index(date))
    }

    fn result_date(&self, j: i64, from: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        if let (Some(c), Beyond::Error) = (&self.data.covered, self.beyond) {
            if j > day_index(c.last) {
                return Err(CalendarError::new(ErrorKind::RunsPast {
                    from,
                    n,
                    calendar: self.data.id.clone(),
                    last: c.last,
                }));
            }
        }
        from_index(j).ok_or(CalendarError::new(ErrorKind::Unrepresentable { from, n }))
    }
}

impl Data {
    /// Working days among day indices [0, m), extended to negative m so that
    /// differences stay right.
    fn weekly(&self, m: i64) -> i64 {
        m.div_euclid(7) * self.week_pre[7] + self.week_pre[m.rem_euclid(7) as usize]
    }

    /// The smallest m with `weekly(m) >= k`.
    fn weekly_inverse(&self, k: i64) -> i64 {
        let per = self.week_pre[7]; // > 0: a calendar always has a working weekday
        let q = (k - 1).div_euclid(per);
        let rem = k - q * per; // 1 ..= per
        let r = (1..=7).find(|&r| self.week_pre[r] >= rem).unwrap_or(7);
        7 * q + r as i64
    }

    /// Working days up to and including day `j`, counted from a fixed origin;
    /// non-decreasing, and rising by one exactly on working days.
    fn rank(&self, j: i64) -> i64 {
        let Some(c) = &self.covered else {
            return self.weekly(j + 1);
        };
        let len = c.prefix.len() as i64 - 1;
        let total = i64::from(c.prefix[c.prefix.len() - 1]);
        if j < c.j0 {
            self.weekly(j + 1)
        } else if j < c.j0 + len {
            self.weekly(c.j0) + i64::from(c.prefix[(j - c.j0 + 1) as usize])
        } else {
            self.weekly(c.j0) + total + self.weekly(j + 1) - self.weekly(c.j0 + len)
        }
    }

    /// The smallest day index j with `rank(j) >= k`: the k-th working day.
    fn unrank(&self, k: i64) -> i64 {
        let Some(c) = &self.covered else {
            return self.weekly_inverse(k) - 1;
        };
        let base = self.weekly(c.j0);
        let len = c.prefix.len() as i64 - 1;
        let total = i64::from(c.prefix[c.prefix.len() - 1]);
        if k <= base {
            self.weekly_inverse(k) - 1
        } else if k <= base + total {
            let i = c.prefix.partition_point(|&p| i64::from(p) + base < k);
            c.j0 + i as i64 - 1
        } else {
            self.weekly_inverse(k - base - total + self.weekly(c.j0 + len)) - 1
        }
    }
}

fn weekend_mask(days: &[Weekday]) -> [bool; 7] {
    let mut mask = [false; 7];
    for d in days {
        mask[d.num_days_from_monday() as usize] = true;
    }
    mask
}

fn week_prefix(weekend: &[bool; 7]) -> [i64; 8] {
    let mut pre = [0; 8];
    for i in 0..7 {
        pre[i + 1] = pre[i] + i64::from(!weekend[i]);
    }
    pre
}

/// Builds a [`Calendar`]; made by [`Calendar::builder`] or [`Calendar::extend`].
#[derive(Clone, Debug)]
pub struct CalendarBuilder {
    id: String,
    title: Option<String>,
    years: (i32, i32),
    weekend: Vec<Weekday>,
    beyond: Beyond,
    base: Vec<Entry>,
    own: Vec<Entry>,
    notices: Vec<Notice>,
}

/// Something wrong with a builder's entries, by index into its own entries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Problem {
    Reversed(usize),
    OutsideYears(usize),
    /// Two own entries share `date`.
    Overlap(usize, usize, NaiveDate),
    /// A make-up working day on a date that is already worked.
    NotRestDay(usize, NaiveDate),
    /// A make-up working day on a holiday of the base (index into base entries).
    OnBaseHoliday(usize, usize, NaiveDate),
}

impl CalendarBuilder {
    /// Sets the title shown by `shenpi calendar show`.
    pub fn title(mut self, title: impl Into<String>) -> CalendarBuilder {
        self.title = Some(title.into());
        self
    }

    /// The weekly rest days (Saturday and Sunday unless set).
    pub fn weekend(mut self, days: &[Weekday]) -> CalendarBuilder {
        self.weekend = days.to_vec();
        self
    }

    /// Sets the years with data, both included.
    pub fn years(mut self, years: RangeInclusive<i32>) -> CalendarBuilder {
        self.years = (*years.start(), *years.end());
        self
    }

    /// What to do with dates outside the years (refuse them unless set).
    pub fn beyond(mut self, beyond: Beyond) -> CalendarBuilder {
        self.beyond = beyond;
        self
    }

    /// Adds a notice; entries cite it by its index, which this returns.
    pub fn notice(&mut self, notice: Notice) -> usize {
        self.notices.push(notice);
        self.notices.len() - 1
    }

    /// Adds a holiday span or make-up working days.
    pub fn entry(mut self, entry: Entry) -> CalendarBuilder {
        self.own.push(entry);
        self
    }

    /// Adds days off from `first` to `last` (both included), named `name`.
    pub fn holiday(self, first: NaiveDate, last: NaiveDate, name: &str) -> CalendarBuilder {
        self.entry(Entry::holiday(first, last).named(name))
    }

    /// Adds a make-up working day, named after the holiday it makes up for.
    pub fn workday(self, date: NaiveDate, name: &str) -> CalendarBuilder {
        self.entry(Entry::workday(date).named(name))
    }

    /// The number of notices so far (the index the next one gets).
    pub(crate) fn notice_count(&self) -> usize {
        self.notices.len()
    }

    /// The entries added to the base.
    pub(crate) fn own_entries(&self) -> &[Entry] {
        &self.own
    }

    /// The entries inherited from the base calendar.
    pub(crate) fn base_entries(&self) -> &[Entry] {
        &self.base
    }

    /// The first and last year.
    pub(crate) fn year_span(&self) -> (i32, i32) {
        self.years
    }

    fn check_shape(&self) -> Result<(NaiveDate, NaiveDate, [bool; 7]), CalendarError> {
        let (y0, y1) = self.years;
        if y0 > y1 {
            return Err(invalid(format!("the years {y0}..{y1} end before they start")));
        }
        if y1 - y0 >= MAX_YEARS {
            return Err(invalid(format!("the years {y0}..{y1} span more than {MAX_YEARS} years")));
        }
        let first = NaiveDate::from_ymd_opt(y0, 1, 1);
        let last = NaiveDate::from_ymd_opt(y1, 12, 31);
        let (Some(first), Some(last)) = (first, last) else {
            return Err(invalid(format!("the years {y0}..{y1} are outside the dates shenpi can represent")));
        };
        let weekend = weekend_mask(&self.weekend);
        if weekend.iter().all(|&w| w) {
            return Err(invalid("a weekend of all seven days leaves no working day".to_string()));
        }
        Ok((first, last, weekend))
    }

    /// Every problem with the own entries.
    ///
    /// # Complexity
    /// O(D + total entry length) time and O(D) memory, D the days covered.
    pub(crate) fn problems(&self) -> Vec<Problem> {
        let Ok((first, last, weekend)) = self.check_shape() else {
            return Vec::new();
        };
        let days = (last - first).num_days() as usize + 1;
        let slot = |d: NaiveDate| (d - first).num_days() as usize;
        let mut base: Vec<Option<usize>> = vec![None; days];
        for (i, e) in self.base.iter().enumerate() {
            if e.kind == DayKind::Holiday {
                for d in e.first.iter_days().take_while(|d| *d <= e.last) {
                    if first <= d && d <= last {
                        base[slot(d)] = Some(i);
                    }
                }
            }
        }
        let mut own: Vec<Option<usize>> = vec![None; days];
        let mut out = Vec::new();
        for (i, e) in self.own.iter().enumerate() {
            if e.last < e.first {
                out.push(Problem::Reversed(i));
                continue;
            }
            if e.first < first || e.last > last {
                out.push(Problem::OutsideYears(i));
                continue;
            }
            let mut reported = None;
            for d in e.first.iter_days().take_while(|d| *d <= e.last) {
                let s = slot(d);
                match own[s] {
                    Some(j) if reported != Some(j) => {
                        out.push(Problem::Overlap(j, i, d));
                        reported = Some(j);
                    }
                    Some(_) => {}
                    None => own[s] = Some(i),
                }
                if e.kind == DayKind::Workday {
                    if let Some(b) = base[s] {
                        out.push(Problem::OnBaseHoliday(i, b, d));
                    } else if !weekend[d.weekday().num_days_from_monday() as usize] {
                        out.push(Problem::NotRestDay(i, d));
                    }
                }
            }
        }
        out
    }

    /// Builds the calendar.
    ///
    /// # Errors
    /// Invalid when the years are reversed or span more than [`MAX_YEARS`],
    /// the weekend has all seven days, or an entry is reversed, outside the
    /// years, overlaps another, makes a working day of a day already worked
    /// or of a base holiday.
    ///
    /// # Complexity
    /// O(D + total entry length) time and O(D) memory, D the days covered.
    pub fn build(self) -> Result<Calendar, CalendarError> {
        let (first, last, weekend) = self.check_shape()?;
        if let Some(p) = self.problems().first() {
            return Err(invalid(self.describe(p)));
        }
        let days = (last - first).num_days() as usize + 1;
        let slot = |d: NaiveDate| (d - first).num_days() as usize;
        let mut working: Vec<bool> = first
            .iter_days()
            .take(days)
            .map(|d| !weekend[d.weekday().num_days_from_monday() as usize])
            .collect();
        // Base first, own entries after: a local holiday may fall on a base make-up day.
        let overridden = |d: NaiveDate| self.own.iter().any(|e| e.contains(d));
        let mut entries = Vec::with_capacity(self.base.len() + self.own.len());
        for e in &self.base {
            let mut run: Option<Entry> = None;
            for d in e.first.iter_days().take_while(|d| *d <= e.last) {
                if first <= d && d <= last {
                    working[slot(d)] = e.kind == DayKind::Workday;
                }
                if e.kind == DayKind::Workday && overridden(d) {
                    entries.extend(run.take());
                } else {
                    match &mut run {
                        Some(r) => r.last = d,
                        None => run = Some(Entry { first: d, last: d, ..e.clone() }),
                    }
                }
            }
            entries.extend(run);
        }
        for e in &self.own {
            for d in e.first.iter_days().take_while(|d| *d <= e.last) {
                working[slot(d)] = e.kind == DayKind::Workday;
            }
            entries.push(e.clone());
        }
        entries.sort_by_key(|e| (e.first, e.last));
        let mut prefix = Vec::with_capacity(days + 1);
        prefix.push(0u32);
        let mut n = 0u32;
        for w in working {
            n += u32::from(w);
            prefix.push(n);
        }
        Ok(Calendar {
            data: Arc::new(Data {
                id: self.id,
                title: self.title,
                weekend,
                week_pre: week_prefix(&weekend),
                covered: Some(Covered { first, last, j0: day_index(first), prefix }),
                entries,
                notices: self.notices,
            }),
            beyond: self.beyond,
        })
    }

    fn describe(&self, p: &Problem) -> String {
        let show = |e: &Entry| {
            if e.first == e.last { e.first.to_string() } else { format!("{}..{}", e.first, e.last) }
        };
        let (y0, y1) = self.years;
        match *p {
            Problem::Reversed(i) => format!("the range {} ends before it starts", show(&self.own[i])),
            Problem::OutsideYears(i) => {
                format!("{} is outside the calendar's years {y0}..{y1}", show(&self.own[i]))
            }
            Problem::Overlap(a, b, d) => {
                format!("{} and {} both list {d}", show(&self.own[a]), show(&self.own[b]))
            }
            Problem::NotRestDay(_, d) => {
                format!(
                    "{d} is a {}, already a working day, so it cannot be a make-up working day",
                    d.weekday()
                )
            }
            Problem::OnBaseHoliday(_, _, d) => {
                format!("{d} is a holiday in the base calendar, so it cannot be a make-up working day")
            }
        }
    }
}

fn invalid(msg: String) -> CalendarError {
    CalendarError::new(ErrorKind::Invalid(msg))
}

#[cfg(test)]
mod tests;
