//! Working-day arithmetic for the runtime's clocks, on the project's [`Calendar`].

use std::path::Path;

use chrono::NaiveDate;

use crate::calendar::{Beyond, Calendar, ClockStops};
use crate::error::Error;

/// Spans of stopped clock, both ends included, sorted and disjoint.
pub(crate) type Stops = Vec<(NaiveDate, NaiveDate)>;

/// Counts working days the way the licensing law does, on one calendar.
#[derive(Clone, Debug)]
pub(crate) struct Days {
    cal: Calendar,
}

impl Days {
    /// The text of the calendar file a flow names, to pin with a project;
    /// `None` for a built-in calendar.
    pub(crate) fn pin(calendar: &str, flow_name: &str) -> Result<Option<String>, Error> {
        if Calendar::is_builtin(calendar) {
            return Ok(None);
        }
        let path = Path::new(flow_name)
            .parent()
            .map_or_else(|| Path::new(calendar).to_path_buf(), |d| d.join(calendar));
        std::fs::read_to_string(&path).map(Some).map_err(|e| {
            Error::calendar(format!(
                "calendar `{calendar}` of flow `{flow_name}`: cannot read `{}`: {e}",
                path.display()
            ))
        })
    }

    /// The calendar a flow names (`cn`, or a file relative to the flow's
    /// file), or the pinned text of that file when the project kept one.
    /// Dates past the calendar's years count weekends only, so a running
    /// project never stops working because next year's holidays are not
    /// published yet.
    pub(crate) fn for_flow(calendar: &str, flow_name: &str, pinned: Option<&str>) -> Result<Days, Error> {
        let cal = match pinned {
            Some(text) => Calendar::from_yaml(calendar, text).map_err(|r| {
                Error::calendar(format!(
                    "pinned calendar `{calendar}` of flow `{flow_name}`:\n{}",
                    r.render()
                ))
            })?,
            None => {
                let dir = Path::new(flow_name).parent();
                Calendar::resolve(calendar, dir).map_err(|e| {
                    Error::calendar(format!("calendar `{calendar}` of flow `{flow_name}`: {e}"))
                })?
            }
        };
        let cal = if cal.beyond() == Beyond::Error { cal.with_beyond(Beyond::Weekends) } else { cal };
        Ok(Days { cal })
    }

    /// The calendar the days are counted on.
    pub(crate) fn calendar(&self) -> &Calendar {
        &self.cal
    }

    fn stops(stops: &[(NaiveDate, NaiveDate)]) -> Result<ClockStops, Error> {
        ClockStops::from_spans(stops.iter().copied()).map_err(Error::from)
    }

    /// The `n`-th counted working day after `date` (`date` not counted); with
    /// `n = 0`, `date` itself when it counts, else the next day that does.
    pub(crate) fn add(
        &self,
        date: NaiveDate,
        n: u32,
        stops: &[(NaiveDate, NaiveDate)],
    ) -> Result<NaiveDate, Error> {
        let r = if stops.is_empty() {
            self.cal.add_working_days(date, n)
        } else {
            self.cal.add_working_days_with_stops(date, n, &Days::stops(stops)?)
        };
        r.map_err(Error::from)
    }

    /// The counted working days x with `from` < x ≤ `to`; negative when `from` is after `to`.
    pub(crate) fn between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        stops: &[(NaiveDate, NaiveDate)],
    ) -> Result<i64, Error> {
        let r = if stops.is_empty() {
            self.cal.working_days_between(from, to)
        } else {
            self.cal.working_days_between_with_stops(from, to, &Days::stops(stops)?)
        };
        r.map_err(Error::from)
    }
}
