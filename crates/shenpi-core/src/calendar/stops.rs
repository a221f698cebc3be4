//! Clock stops: periods in which no working day counts (补正, hearings, expert review).

use chrono::NaiveDate;

use super::CalendarError;
use super::error::ErrorKind;

/// Sorted, disjoint date spans during which a time limit's clock is stopped.
///
/// Both ends are included: every working day from `start` through `end` does
/// not count. Art. 45 of the licensing law leaves hearings, testing and expert
/// review out of a limit; supplementation (补正) stops it until the material
/// arrives. Overlapping spans are refused rather than merged, because two
/// stops recorded over the same days usually mean a recording mistake.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClockStops {
    spans: Vec<(NaiveDate, NaiveDate)>,
}

impl ClockStops {
    /// No stops.
    pub fn new() -> ClockStops {
        ClockStops::default()
    }

    /// Stops from spans given in any order.
    ///
    /// # Errors
    /// A span that ends before it starts, or two spans sharing a day.
    ///
    /// # Complexity
    /// O(S log S) for S spans.
    pub fn from_spans(
        spans: impl IntoIterator<Item = (NaiveDate, NaiveDate)>,
    ) -> Result<ClockStops, CalendarError> {
        let mut spans: Vec<_> = spans.into_iter().collect();
        if let Some(&(start, end)) = spans.iter().find(|(s, e)| e < s) {
            return Err(CalendarError::new(ErrorKind::StopReversed { start, end }));
        }
        spans.sort();
        if let Some(w) = spans.windows(2).find(|w| w[1].0 <= w[0].1) {
            return Err(CalendarError::new(ErrorKind::StopsOverlap { first: w[0], second: w[1] }));
        }
        Ok(ClockStops { spans })
    }

    /// Adds a stop from `start` through `end`.
    ///
    /// # Errors
    /// As for [`ClockStops::from_spans`]; the stops are unchanged on error.
    ///
    /// # Complexity
    /// O(S) for S spans.
    pub fn push(&mut self, start: NaiveDate, end: NaiveDate) -> Result<(), CalendarError> {
        if end < start {
            return Err(CalendarError::new(ErrorKind::StopReversed { start, end }));
        }
        let at = self.spans.partition_point(|s| s.0 < start);
        let clash = [at.checked_sub(1), Some(at)]
            .into_iter()
            .flatten()
            .filter_map(|i| self.spans.get(i))
            .find(|s| s.0 <= end && start <= s.1);
        if let Some(&other) = clash {
            let (first, second) =
                if other < (start, end) { (other, (start, end)) } else { ((start, end), other) };
            return Err(CalendarError::new(ErrorKind::StopsOverlap { first, second }));
        }
        self.spans.insert(at, (start, end));
        Ok(())
    }

    /// The spans, sorted.
    pub fn spans(&self) -> &[(NaiveDate, NaiveDate)] {
        &self.spans
    }

    /// True when there are no stops.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// True when the clock is stopped on `date`.
    ///
    /// # Complexity
    /// O(log S).
    pub fn contains(&self, date: NaiveDate) -> bool {
        let at = self.spans.partition_point(|s| s.1 < date);
        self.spans.get(at).is_some_and(|s| s.0 <= date)
    }

    /// The spans that end after `date`, in order.
    pub(crate) fn ending_after(&self, date: NaiveDate) -> &[(NaiveDate, NaiveDate)] {
        &self.spans[self.spans.partition_point(|s| s.1 <= date)..]
    }
}
