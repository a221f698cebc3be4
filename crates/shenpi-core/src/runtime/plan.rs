//! The plan a project runs against: each step's deadline in the total
//! (批时总控), from [`crate::schedule::Plan`] under the flow's deadline policy.

use chrono::NaiveDate;

use crate::calendar::Calendar;
use crate::error::Error;
use crate::graph::FlowGraph;
use crate::schedule::Plan;

/// The deadlines a project runs against, by node (not to be confused with
/// [`crate::schedule::PlanDates`], the dates of a plan as a whole).
#[derive(Clone, Debug)]
pub(crate) struct Deadlines {
    /// Each step's deadline in the total, as a date, if every step takes its promised days.
    pub(crate) deadline: Vec<NaiveDate>,
    /// Each step's deadline on the counted clock: counted working days from the start.
    pub(crate) counted: Vec<i64>,
    /// The project's deadline: the latest step deadline (the planned finish when later).
    pub(crate) finish: NaiveDate,
}

/// Plans `graph` from `start`.
///
/// # Complexity
/// As [`Plan::new`] and [`Plan::dates`]: O(V + E) plus date arithmetic.
pub(crate) fn plan(graph: &FlowGraph, start: NaiveDate, calendar: &Calendar) -> Result<Deadlines, Error> {
    let plan = Plan::new(graph.clone());
    let dates = plan.dates(start, calendar)?;
    // A deadline before the start (an over-budget flow) is due on day 0.
    let deadline: Vec<NaiveDate> = dates.due.iter().map(|d| d.unwrap_or(dates.start)).collect();
    let finish = deadline.iter().copied().max().unwrap_or(dates.finish).max(dates.finish);
    Ok(Deadlines { deadline, counted: plan.counted_deadlines().to_vec(), finish })
}
