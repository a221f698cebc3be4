//! Working-day offsets to calendar dates.
//!
//! Dates are counted on a [`Calendar`] the way the licensing law counts (the
//! start day is not counted: Monday plus 2 is Wednesday). Day 0 of a plan is
//! the start date, or the next working day when the start is not one;
//! offset `k` is the `k`-th working day after day 0. So a step with `es = 0`
//! and a limit of 2 accepted on Monday starts Monday and is due Wednesday, as
//! the law says.

use chrono::NaiveDate;

use super::{Plan, PlanDates};
use crate::calendar::{Calendar, CalendarError};
use crate::graph::Node;

impl Plan {
    /// Calendar dates from a start date, counted on `calendar`.
    ///
    /// # Example
    /// ```
    /// use std::sync::Arc;
    /// use chrono::NaiveDate;
    /// use shenpi_core::{Calendar, Flow, FlowGraph, Plan};
    ///
    /// let text = "id: f\nname: f\nstages:\n  - id: s\n    name: s\n    steps:\n      \
    ///             - { id: a, name: a, promised: 2 }\n      - { id: b, name: b, promised: 3 }\n";
    /// let flow = Arc::new(Flow::parse("f.yaml", text).map_err(|r| r.render())?);
    /// let plan = Plan::new(FlowGraph::new(flow.clone(), flow.defaults()));
    /// // Started on Saturday 1 March 2025: day 0 is Monday the 3rd.
    /// let dates = plan.dates(NaiveDate::from_ymd_opt(2025, 3, 1).unwrap(), &Calendar::cn())?;
    /// assert_eq!(dates.start.to_string(), "2025-03-03");
    /// assert_eq!(dates.step_start[1].to_string(), "2025-03-05"); // b starts when a is due
    /// assert_eq!(dates.finish.to_string(), "2025-03-10");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// Out of range ([`CalendarError::is_out_of_range`]) when a date falls
    /// where the calendar refuses to count (see [`Calendar::beyond`]).
    ///
    /// # Complexity
    /// O(V) plus, when the latest offset is within a few times the number of
    /// steps, one walk over the working days up to it
    /// ([`Calendar::working_days_from`]); otherwise one
    /// [`Calendar::add_working_days`] per step start and deadline.
    pub fn dates(&self, start: NaiveDate, calendar: &Calendar) -> Result<PlanDates, CalendarError> {
        let c = &self.cpm;
        let n = self.graph.len();
        // Elapsed-clock deadlines, as in `step`.
        let due: Vec<i64> = self
            .graph
            .nodes()
            .map(|v| i64::from(c.ef(v)) + self.deadline[v.index()] - i64::from(c.counted_ef(v)))
            .collect();
        let elapsed = self.elapsed_days();
        let latest = due.iter().copied().max().unwrap_or(0).max(i64::from(elapsed));
        // The start itself, or the next working day; never a day before the start,
        // so a plan may start on the calendar's first day.
        let day0 = calendar.add_working_days(start, 0)?;
        // A table of every offset up to the latest, when that is not much
        // more than the dates asked for; else each date on its own.
        let table = match usize::try_from(latest) {
            Ok(max) if max / 4 <= n => calendar.working_days_from(day0, max + 1)?,
            _ => Vec::new(),
        };
        let date = |k: u32| match table.get(k as usize) {
            Some(&d) => Ok(d),
            None => calendar.add_working_days(day0, k),
        };
        let mut step_start = Vec::with_capacity(n);
        let mut due_date = Vec::with_capacity(n);
        for (v, &d) in due.iter().enumerate() {
            step_start.push(date(c.es(Node(v as u32)))?);
            // `None` before day 0 (and past the days a `u32` counts).
            due_date.push(u32::try_from(d).ok().map(date).transpose()?);
        }
        let finish = date(elapsed)?;
        Ok(PlanDates { start: day0, finish, step_start, due: due_date })
    }
}

impl PlanDates {
    /// The earliest of these dates that is provisional on `calendar` (past its
    /// published data, so the year's arrangement may still move it); `None`
    /// when every date stands on published data.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use chrono::NaiveDate;
    /// use shenpi_core::{Calendar, Flow, FlowGraph, Plan};
    ///
    /// let text = "id: f\nname: f\nstages:\n  - id: s\n    name: s\n    steps:\n      \
    ///             - { id: a, name: a, promised: 20 }\n";
    /// let flow = Arc::new(Flow::parse("f.yaml", text).map_err(|r| r.render())?);
    /// let plan = Plan::new(FlowGraph::new(flow.clone(), flow.defaults()));
    /// let cn = Calendar::cn();
    /// let dates = plan.dates(NaiveDate::from_ymd_opt(2026, 12, 14).unwrap(), &cn)?;
    /// // 20 working days run into 2027, which the holiday law projects.
    /// assert_eq!(dates.first_provisional(&cn), Some(dates.finish));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn first_provisional(&self, calendar: &Calendar) -> Option<NaiveDate> {
        std::iter::once(self.start)
            .chain(self.step_start.iter().copied())
            .chain(self.due.iter().flatten().copied())
            .chain(std::iter::once(self.finish))
            .filter(|&d| calendar.is_provisional(d))
            .min()
    }
}
