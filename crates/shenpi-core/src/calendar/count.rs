//! Counting working days: the calendar's arithmetic, with and without clock stops.

use chrono::NaiveDate;

use super::error::{ErrorKind, Reach};
use super::index::{View, day_index, from_index};
use super::{Beyond, Calendar, CalendarError, ClockStops};

impl Calendar {
    /// Whether `date` is a working day.
    ///
    /// # Errors
    /// Out of range when `date` lies where the calendar does not count (see
    /// [`Beyond`]): before its first year, after its published years under
    /// [`Beyond::Error`], after 2100 under [`Beyond::Law`].
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
    /// Out of range when `date` or the result lies where the calendar does
    /// not count (see [`Calendar::is_working_day`]).
    ///
    /// # Complexity
    /// O(log D) time, where D is the number of days with data; no allocation.
    pub fn add_working_days(&self, date: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        let j = self.index(date)?;
        if n == 0 && self.is_working_index(j) {
            return Ok(date);
        }
        let k = self.view().rank(j) + i64::from(n.max(1));
        self.result_date(self.view().unrank(k), date, n)
    }

    /// The first `count` working days on or after `start`, in order: the
    /// `k`-th is `add_working_days(first, k)`. For the dates of many offsets
    /// from one day (a plan's step dates), this walks the days once instead
    /// of searching for each.
    ///
    /// # Errors
    /// As for `add_working_days`: out of range when `start` or a day
    /// returned would lie where the calendar does not count (see
    /// [`Calendar::is_working_day`]); the error is that of counting one working day
    /// on from the last day returned.
    ///
    /// # Complexity
    /// O(days walked) time, a few nanoseconds a day; `count` dates of memory.
    pub fn working_days_from(&self, start: NaiveDate, count: usize) -> Result<Vec<NaiveDate>, CalendarError> {
        let mut out = Vec::with_capacity(count);
        let mut j = self.index(start)?;
        let (mut d, idx) = (start, self.view());
        let last = self.limits().map_or(i64::MAX, |(_, last)| day_index(last));
        while out.len() < count {
            let worked = idx.is_working(j);
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
    /// Out of range when either date lies where the calendar does not count
    /// (see [`Calendar::is_working_day`]).
    ///
    /// # Complexity
    /// O(1).
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> Result<i64, CalendarError> {
        let (a, b) = (self.index(from)?, self.index(to)?);
        Ok(self.view().rank(b) - self.view().rank(a))
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
        let mut k = self.view().rank(j) + i64::from(n.max(1));
        for &(start, end) in stops.ending_after(date) {
            // The part of the stop after `date`.
            let lo = day_index(start).max(j + 1);
            if self.view().unrank(k) < lo {
                break;
            }
            // The due day would fall in or after the stop: its working days do not count.
            k += self.view().rank(day_index(end)) - self.view().rank(lo - 1);
        }
        self.result_date(self.view().unrank(k), date, n)
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
        let mut n = self.view().rank(b) - self.view().rank(a);
        for &(start, end) in stops.ending_after(from) {
            let lo = day_index(start).max(a + 1);
            let hi = day_index(end).min(b);
            if lo > b {
                break;
            }
            if lo <= hi {
                n -= self.view().rank(hi) - self.view().rank(lo - 1);
            }
        }
        Ok(n)
    }

    fn is_working_index(&self, j: i64) -> bool {
        self.view().is_working(j)
    }

    /// The index as this calendar's mode counts: with the projected days under [`Beyond::Law`].
    pub(super) fn view(&self) -> View<'_> {
        self.data.index.view(self.beyond == Beyond::Law)
    }

    /// The first and last day counted, when the calendar refuses dates outside them.
    fn limits(&self) -> Option<(NaiveDate, NaiveDate)> {
        let c = self.data.index.covered.as_ref()?;
        match self.beyond {
            Beyond::Weekends => None,
            Beyond::Law => Some((c.first, c.projected_last.unwrap_or(c.last))),
            _ => Some((c.first, c.last)),
        }
    }

    /// How far the calendar counts, for messages.
    fn reach(&self) -> Reach {
        let (first, last, projected_last) = match &self.data.index.covered {
            Some(c) => (c.first, c.last, c.projected_last),
            None => (NaiveDate::MIN, NaiveDate::MAX, None),
        };
        Reach {
            calendar: self.data.id.clone(),
            first,
            last,
            projected: projected_last.filter(|_| self.beyond == Beyond::Law),
            can_project: projected_last.is_some(),
        }
    }

    /// The day index of an input date, refusing dates outside the data unless allowed.
    fn index(&self, date: NaiveDate) -> Result<i64, CalendarError> {
        match self.limits() {
            Some((first, last)) if date < first || date > last => {
                Err(CalendarError::new(ErrorKind::OutOfRange { date, reach: self.reach() }))
            }
            _ => Ok(day_index(date)),
        }
    }

    fn result_date(&self, j: i64, from: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        if let Some((_, last)) = self.limits() {
            if j > day_index(last) {
                return Err(CalendarError::new(ErrorKind::RunsPast { from, n, reach: self.reach() }));
            }
        }
        from_index(j).ok_or(CalendarError::new(ErrorKind::Unrepresentable { from, n }))
    }
}
