//! Working-day offsets to calendar dates.
//!
//! The calendar is passed in as its `add_working_days` function, counted the
//! way the licensing law counts (the start day is not counted: `add(Mon, 2)`
//! is Wednesday). Day 0 of a plan is the start date, or the next working day
//! when the start is not one; offset `k` is `add(day0, k)`. So a step with
//! `es = 0` and a limit of 2 accepted on Monday starts Monday and is due
//! Wednesday, as the law says.

use chrono::NaiveDate;

use crate::calendar::{Calendar, CalendarError};

/// How [`Plan::dates`](super::Plan::dates) counts working days: a
/// [`Calendar`], or any `add_working_days` function (a closure), for
/// callers that count on something else.
pub trait AddWorkingDays {
    /// Why a day could not be counted.
    type Error;

    /// The `n`-th working day after `date`, `date` not counted; with `n = 0`,
    /// `date` when it is a working day, else the next one.
    fn add_working_days(&self, date: NaiveDate, n: u32) -> Result<NaiveDate, Self::Error>;

    /// The first `count` working days on or after `start`: the `k`-th is
    /// `add_working_days(first, k)`. By default one call of
    /// `add_working_days` per day; a calendar walks its days once.
    fn working_days_from(&self, start: NaiveDate, count: usize) -> Result<Vec<NaiveDate>, Self::Error> {
        let mut out = Vec::with_capacity(count);
        if count > 0 {
            out.push(self.add_working_days(start, 0)?);
        }
        while out.len() < count {
            let last = out[out.len() - 1];
            out.push(self.add_working_days(last, 1)?);
        }
        Ok(out)
    }
}

impl<F, E> AddWorkingDays for F
where
    F: Fn(NaiveDate, u32) -> Result<NaiveDate, E> + ?Sized,
{
    type Error = E;

    fn add_working_days(&self, date: NaiveDate, n: u32) -> Result<NaiveDate, E> {
        self(date, n)
    }
}

impl AddWorkingDays for Calendar {
    type Error = CalendarError;

    fn add_working_days(&self, date: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        Calendar::add_working_days(self, date, n)
    }

    fn working_days_from(&self, start: NaiveDate, count: usize) -> Result<Vec<NaiveDate>, CalendarError> {
        Calendar::working_days_from(self, start, count)
    }
}

/// Offsets past this are computed one call each instead of from a table.
const TABLE_LIMIT: u32 = 1 << 16;

/// Dates of working-day offsets from a start, computed once per offset.
#[derive(Clone, Debug)]
pub struct WorkingDays {
    table: Vec<NaiveDate>,
}

impl WorkingDays {
    /// Prepares the dates of offsets `0..=max_offset` from `start`.
    ///
    /// # Complexity
    /// `max_offset + 1` calls of `add` (at most 65,536; larger offsets are
    /// computed on demand by [`WorkingDays::date`]).
    pub fn new<E>(
        start: NaiveDate,
        max_offset: u32,
        add: &dyn Fn(NaiveDate, u32) -> Result<NaiveDate, E>,
    ) -> Result<WorkingDays, E> {
        let day0 = match start.pred_opt() {
            Some(before) => add(before, 1)?,
            None => start,
        };
        let mut table = Vec::with_capacity(max_offset.min(TABLE_LIMIT) as usize + 1);
        table.push(day0);
        for _ in 0..max_offset.min(TABLE_LIMIT) {
            let last = table[table.len() - 1];
            table.push(add(last, 1)?);
        }
        Ok(WorkingDays { table })
    }

    /// Day 0: the start date, or the first working day after it.
    pub fn day0(&self) -> NaiveDate {
        self.table[0]
    }

    /// The working day `offset` working days after day 0; `None` for a negative offset.
    pub fn date<E>(
        &self,
        offset: i64,
        add: &dyn Fn(NaiveDate, u32) -> Result<NaiveDate, E>,
    ) -> Result<Option<NaiveDate>, E> {
        let Ok(k) = u32::try_from(offset) else { return Ok(None) };
        match self.table.get(k as usize) {
            Some(&d) => Ok(Some(d)),
            None => add(self.table[0], k).map(Some),
        }
    }
}
