//! Building a calendar: from scratch, or on top of another one.

use std::ops::RangeInclusive;
use std::sync::Arc;

use chrono::{Datelike, NaiveDate, Weekday};

use super::error::invalid;
use super::index::{Covered, Index, Week, weekend_mask};
use super::{Beyond, Calendar, CalendarError, Data, DayKind, Entry, Notice, Zone, law};

/// The largest span of years a calendar may hold, so a typo cannot allocate gigabytes.
pub const MAX_YEARS: i32 = 400;

impl Calendar {
    /// A calendar from scratch, called `id` in messages, with data for `years` (both included).
    pub fn builder(id: impl Into<String>, years: RangeInclusive<i32>) -> CalendarBuilder {
        CalendarBuilder {
            id: id.into(),
            title: None,
            years: (*years.start(), *years.end()),
            weekend: vec![Weekday::Sat, Weekday::Sun],
            beyond: Beyond::Error,
            zone: Zone::default(),
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
                .filter_map(|i| Weekday::try_from(i).ok())
                .filter(|&d| self.is_weekend(d))
                .collect(),
            beyond: self.beyond,
            zone: self.data.zone.clone(),
            // The law's days are projected again for the years left after the new ones.
            base: self.data.entries.iter().filter(|e| !e.projected).cloned().collect(),
            own: Vec::new(),
            notices: self.data.notices.clone(),
        }
    }
}

/// Builds a [`Calendar`]; made by [`Calendar::builder`] or [`Calendar::extend`].
#[derive(Clone, Debug)]
pub struct CalendarBuilder {
    id: String,
    title: Option<String>,
    years: (i32, i32),
    weekend: Vec<Weekday>,
    beyond: Beyond,
    zone: Zone,
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
    /// A make-up working day on a holiday of the base or of the holiday law (its name).
    OnBaseHoliday(usize, Option<String>, NaiveDate),
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

    /// The zone "today" is read in (`Asia/Shanghai` unless set).
    pub fn zone(mut self, zone: Zone) -> CalendarBuilder {
        self.zone = zone;
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

    /// The first and last year.
    pub(crate) fn year_span(&self) -> (i32, i32) {
        self.years
    }

    /// The first and last year the holiday law projects when the calendar counts by it.
    pub(crate) fn projected_year_span(&self) -> Option<(i32, i32)> {
        let years = law_years(&weekend_mask(&self.weekend), self.years.1)?;
        (self.beyond == Beyond::Law).then_some((*years.start(), *years.end()))
    }

    /// The calendar's days: its years, weekly rest days, and what the holiday law adds after them.
    fn shape(&self) -> Result<Shape, CalendarError> {
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
        let years = law_years(&weekend, y1);
        if self.beyond == Beyond::Law && years.is_none() && y1 < law::LAST_YEAR {
            return Err(invalid(law_refusal(&weekend, y1)));
        }
        let projected: Vec<Entry> =
            years.clone().into_iter().flatten().filter_map(law::holidays).flatten().collect();
        let end = match years {
            Some(ys) => NaiveDate::from_ymd_opt(*ys.end(), 12, 31).unwrap_or(last),
            None => last,
        };
        Ok(Shape { first, last, end, weekend, projected })
    }

    /// The last day an own entry may list: the projection's last under [`Beyond::Law`].
    fn entry_limit(&self, shape: &Shape) -> NaiveDate {
        if self.beyond == Beyond::Law { shape.end } else { shape.last }
    }

    /// Every problem with the own entries.
    ///
    /// # Complexity
    /// O(D + total entry length) time and O(D) memory, D the days covered.
    pub(crate) fn problems(&self) -> Vec<Problem> {
        let Ok(shape) = self.shape() else {
            return Vec::new();
        };
        let (first, limit) = (shape.first, self.entry_limit(&shape));
        let days = (shape.end - first).num_days() as usize + 1;
        let slot = |d: NaiveDate| (d - first).num_days() as usize;
        let mut base: Vec<Option<&Entry>> = vec![None; days];
        for e in self.base.iter().chain(&shape.projected).filter(|e| e.kind == DayKind::Holiday) {
            for d in e.first.iter_days().take_while(|d| *d <= e.last) {
                if first <= d && d <= shape.end {
                    base[slot(d)] = Some(e);
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
            if e.first < first || e.last > limit {
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
                        out.push(Problem::OnBaseHoliday(i, b.name.clone(), d));
                    } else if !shape.weekend[d.weekday().num_days_from_monday() as usize] {
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
    /// the weekend has all seven days, it should count by [`Beyond::Law`]
    /// but cannot project (a weekend other than Saturday and Sunday, or data
    /// ending before 2024), or an entry is reversed, outside the years (or,
    /// under [`Beyond::Law`], the years projected), overlaps another, makes a
    /// working day of a day already worked or of a base or projected holiday.
    ///
    /// # Complexity
    /// O(D + total entry length) time and O(D) memory, D the days covered,
    /// projected years included.
    pub fn build(self) -> Result<Calendar, CalendarError> {
        let shape = self.shape()?;
        if let Some(p) = self.problems().first() {
            return Err(invalid(self.describe(p)));
        }
        let Shape { first, last, end, weekend, projected } = shape;
        let days = (end - first).num_days() as usize + 1;
        let slot = |d: NaiveDate| (d - first).num_days() as usize;
        let mut working: Vec<bool> = first
            .iter_days()
            .take(days)
            .map(|d| !weekend[d.weekday().num_days_from_monday() as usize])
            .collect();
        // The law's days first, then the base's, then the own entries: a
        // local holiday may fall on a base make-up day.
        for e in &projected {
            for d in e.first.iter_days().take_while(|d| *d <= e.last) {
                working[slot(d)] = false;
            }
        }
        let overridden = |d: NaiveDate| self.own.iter().any(|e| e.contains(d));
        let mut entries = Vec::with_capacity(self.base.len() + self.own.len() + projected.len());
        for e in &self.base {
            let mut run: Option<Entry> = None;
            for d in e.first.iter_days().take_while(|d| *d <= e.last) {
                if first <= d && d <= end {
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
        entries.extend(projected);
        entries.sort_by_key(|e| (e.first, e.last));
        let published = (last - first).num_days() as usize + 1;
        let version = data_version(&weekend, Some((first, last)), &entries);
        Ok(Calendar {
            data: Arc::new(Data {
                id: self.id,
                version,
                title: self.title,
                entries,
                notices: self.notices,
                zone: self.zone,
                index: Index {
                    week: Week::new(weekend),
                    covered: Some(Covered::new(first, &working, published)),
                },
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

/// A calendar's days as [`CalendarBuilder::build`] lays them out.
struct Shape {
    first: NaiveDate,
    /// The last day of the years with data.
    last: NaiveDate,
    /// The last day with data: the projection's last day, or `last`.
    end: NaiveDate,
    weekend: [bool; 7],
    /// The holiday law's days after `last`.
    projected: Vec<Entry>,
}

/// [`Calendar::data_version`] of a calendar resting on `weekend`, with
/// published data for the days `years` (none for weekends only) listing
/// `entries`; projected entries are left out, since the law derives them.
///
/// # Complexity
/// O(entries).
pub(super) fn data_version(
    weekend: &[bool; 7],
    years: Option<(NaiveDate, NaiveDate)>,
    entries: &[Entry],
) -> String {
    use sha2::{Digest, Sha256};
    use std::fmt::Write;
    let mut h = Sha256::new();
    h.update(weekend.map(u8::from));
    let mut line = String::new();
    if let Some((first, last)) = years {
        let _ = writeln!(line, "{first} {last}");
    }
    for e in entries.iter().filter(|e| !e.projected) {
        let kind = if e.kind == DayKind::Holiday { "holiday" } else { "workday" };
        let _ = writeln!(line, "{kind} {} {} {}", e.first, e.last, e.name.as_deref().unwrap_or(""));
    }
    h.update(line.as_bytes());
    let hex: String = h.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect();
    match years {
        Some((first, last)) => format!("{}..{} sha256:{hex}", first.year(), last.year()),
        None => format!("sha256:{hex}"),
    }
}

/// The years the holiday law projects after data ending in `last_year`:
/// none unless the week rests on Saturday and Sunday only and the data reach
/// the year before the 2024 amendment took force.
fn law_years(weekend: &[bool; 7], last_year: i32) -> Option<RangeInclusive<i32>> {
    let mainland = *weekend == weekend_mask(&[Weekday::Sat, Weekday::Sun]);
    let from = last_year.checked_add(1)?.max(law::FIRST_YEAR);
    (mainland && last_year >= law::FIRST_YEAR - 1 && from <= law::LAST_YEAR).then_some(from..=law::LAST_YEAR)
}

/// Why a calendar cannot count by the holiday law.
fn law_refusal(weekend: &[bool; 7], last_year: i32) -> String {
    if *weekend != weekend_mask(&[Weekday::Sat, Weekday::Sun]) {
        format!(
            "`beyond: law` projects {}, which rests on Saturday and Sunday; this calendar rests on other days",
            law::TITLE
        )
    } else {
        format!(
            "`beyond: law` projects {} from {}; the data end in {last_year}, so {}..{} would have no holidays",
            law::TITLE,
            law::FIRST_YEAR,
            last_year + 1,
            law::FIRST_YEAR - 1
        )
    }
}
