//! The plan a project runs against: each step's deadline in the total (批时总控).
//!
//! A small stand-in for the `schedule` module: forward and backward passes on
//! promised days, slack against the budget left at the end (the `latest`
//! deadline policy).

use chrono::NaiveDate;

use super::days::Days;
use crate::error::Error;
use crate::graph::FlowGraph;

/// Plan dates for one project, by node.
#[derive(Clone, Debug)]
pub(crate) struct PlanDates {
    /// Each step's deadline: its latest finish, as a date.
    pub(crate) deadline: Vec<NaiveDate>,
    /// The date the budget runs out (or the planned finish without a budget).
    pub(crate) finish: NaiveDate,
}

/// Plans `graph` from `start`.
///
/// # Complexity
/// O(V + E) passes plus one date computation per step.
pub(crate) fn plan(graph: &FlowGraph, start: NaiveDate, days: &Days) -> Result<PlanDates, Error> {
    let dag = graph.dag();
    let n = graph.len();
    let promised = graph.promised();
    let counted = graph.counted();
    let mut ef = vec![0u64; n];
    let mut cl = vec![0u64; n];
    for v in graph.nodes() {
        let (mut es, mut cs) = (0, 0);
        for &p in dag.preds(v) {
            es = es.max(ef[p as usize]);
            cs = cs.max(cl[p as usize]);
        }
        let d = u64::from(promised[v as usize]);
        ef[v as usize] = es + d;
        cl[v as usize] = cs + if counted[v as usize] { d } else { 0 };
    }
    let elapsed = ef.iter().copied().max().unwrap_or(0);
    let counted_len = cl.iter().copied().max().unwrap_or(0);
    let slack = graph.flow().budget.map_or(0, |b| u64::from(b).saturating_sub(counted_len));
    let end = elapsed + slack;
    let mut lf = vec![end; n];
    for v in graph.nodes().rev() {
        for &s in dag.succs(v) {
            let latest = lf[s as usize].saturating_sub(u64::from(promised[s as usize]));
            lf[v as usize] = lf[v as usize].min(latest);
        }
    }
    let to_date = |offset: u64| days.add(start, u32::try_from(offset).unwrap_or(u32::MAX), &[]);
    let deadline = lf.iter().map(|&o| to_date(o)).collect::<Result<_, _>>()?;
    Ok(PlanDates { deadline, finish: to_date(end)? })
}
