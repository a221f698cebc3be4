//! What to cut when a flow is over budget: the time-cost trade-off.
//!
//! Only counted days can be cut (uncounted ones do not consume the budget),
//! and a step cannot go below its `min` days.
//!
//! - [`candidates`] ranks the steps whose shortening shortens the total, each
//!   with how many days cutting it alone saves before another chain takes over.
//! - [`crash`] finds a set of cuts that brings the total within budget. It is
//!   the classic greedy crashing procedure (Fulkerson 1961; Phillips & Dessouky
//!   1977): while the total is over budget, take the critical subgraph (every
//!   step and edge on a longest counted path), find its cheapest *cut* — a set
//!   of steps, one on every critical chain, so parallel critical chains are each
//!   cut — as a minimum vertex cut by max-flow with each step's cost per day as
//!   its capacity, and shorten those steps by one day. Greedy: each day is the
//!   cheapest at the time, the whole is not guaranteed the cheapest overall
//!   (the optimum needs "un-crashing" steps cut earlier; no flow file has shown
//!   a case where it matters). Ties go to the set with fewer steps.

mod blocks;
mod breakpoints;
mod by_day;
mod critical;
mod network;

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::cpm::Cpm;
use crate::graph::{Dag, Node};

/// A step that shortens the total when cut.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Candidate {
    /// The step.
    pub node: Node,
    /// Days it may lose: promised less `min`.
    pub room: u32,
    /// Days the total shrinks when this step alone is cut as far as it helps.
    pub saves: u32,
    /// Cost of one day cut.
    pub cost_per_day: f64,
}

/// One step's share of a [`CutPlan`].
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Cut {
    /// The step.
    pub node: Node,
    /// Days to take off its promised limit.
    pub days: u32,
    /// `days` × its cost per day.
    pub cost: f64,
}

/// The cuts that bring a flow within budget, or as close as `min` allows.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct CutPlan {
    /// Steps to shorten, in node order.
    pub cuts: Vec<Cut>,
    /// Counted critical path once the cuts are made.
    pub total_days: u32,
    /// Sum of the cuts' costs.
    pub cost: f64,
    /// False when every step on some critical chain is already at its `min`.
    pub reaches_budget: bool,
}

/// The durations and limits the cut analysis needs, in node order.
#[derive(Clone, Copy, Debug)]
pub struct Limits<'a> {
    /// Promised days.
    pub promised: &'a [u32],
    /// Whether the days count against the budget.
    pub counted: &'a [bool],
    /// Shortest each step can be cut to.
    pub min: &'a [u32],
    /// Cost of one day cut.
    pub cost: &'a [f64],
}

impl Limits<'_> {
    fn weights_at(&self, v: usize) -> u32 {
        if self.counted[v] { self.promised[v] } else { 0 }
    }

    fn floor(&self, v: usize) -> u32 {
        if self.counted[v] { self.min[v].min(self.promised[v]) } else { 0 }
    }
}

/// Steps whose shortening shortens the counted total, best first: most days
/// saved, then cheapest per day, then earliest.
///
/// Cutting a critical step `v` by its room `r` leaves the total at the
/// larger of `T − r` and the longest chain that avoids `v`; in topological
/// numbering such a chain lies wholly before `v`, wholly after it, or jumps
/// over it by an edge `a → b` with `a < v < b`. One sweep over the nodes
/// keeps the best of each kind (the edges jumping over `v` in a heap), so
/// every step is weighed without a longest path of its own.
///
/// # Complexity
/// O(V + E·log E) time, O(V + E) memory.
pub fn candidates(dag: &Dag, cpm: &Cpm, limits: Limits<'_>) -> Vec<Candidate> {
    let n = dag.len();
    let total = cpm.total_days();
    // The longest chain starting at each node: its own days and what follows.
    let from = |u: Node| cpm.weight(u).saturating_add(cpm.tail(u));
    // after[v]: the longest chain starting past v.
    let mut after = vec![0u32; n + 1];
    for v in (0..n).rev() {
        after[v] = after[v + 1].max(from(Node(v as u32)));
    }
    let mut out = Vec::new();
    let mut jumps: BinaryHeap<(u32, Reverse<u32>)> = BinaryHeap::new();
    let mut before = 0u32;
    for v in dag.nodes() {
        let vu = v.index();
        // Edges `a → b` with `a < v < b`: pushed once `a` is passed, dropped once `v` reaches `b`.
        while jumps.peek().is_some_and(|&(_, Reverse(b))| b <= v.0) {
            jumps.pop();
        }
        let room = limits.weights_at(vu) - limits.floor(vu);
        if room > 0 && cpm.is_critical(v) {
            let jump = jumps.peek().map_or(0, |&(len, _)| len);
            let avoiding = before.max(after[vu + 1]).max(jump).min(total);
            let saves = room.min(total - avoiding);
            if saves > 0 {
                out.push(Candidate { node: v, room, saves, cost_per_day: limits.cost[vu] });
            }
        }
        let ef = cpm.counted_ef(v);
        before = before.max(ef);
        for &b in dag.succs(v) {
            jumps.push((ef.saturating_add(from(b)), Reverse(b.0)));
        }
    }
    out.sort_by(|a, b| {
        b.saves.cmp(&a.saves).then(a.cost_per_day.total_cmp(&b.cost_per_day)).then(a.node.cmp(&b.node))
    });
    out
}

/// The cuts that bring the counted total within `budget` (see the module
/// docs): the greedy cheapest crashing of [`crash_by_day`], with the same
/// result, reached from breakpoint to breakpoint instead of a day at a time.
///
/// A breakpoint is where the cheapest cut changes: the total reaches the
/// budget, a step of the cut reaches its `min`, a chain that avoids the cut
/// becomes critical, or a critical chain through the cut twice stops being
/// so. Between two, the same cut is cut by as many days at once. Each
/// breakpoint looks only at one unit of the near-critical part of the graph:
/// the nodes within a few thousand days of the total, cut into blocks at the
/// nodes every such chain passes, and each block cut into units at the nodes
/// every chain of it within a few dozen days of its length passes. A block is
/// split again after every few dozen days cut in it, and the whole graph is
/// looked at again after every few thousand; `breakpoints.rs` explains why
/// that gives the same cuts.
///
/// # Example
/// ```
/// use shenpi_core::graph::Dag;
/// use shenpi_core::schedule::cuts::{Limits, crash, crash_by_day};
///
/// // a → b and a → c: b and c run side by side after a.
/// let dag = Dag::from_topological(3, [(0, 1), (0, 2)].into_iter());
/// let limits = Limits {
///     promised: &[10, 30, 25],
///     counted: &[true, true, true],
///     min: &[8, 5, 5],
///     cost: &[5.0, 1.0, 1.0],
/// };
/// let plan = crash(&dag, limits, 20);
/// assert!(plan.reaches_budget);
/// assert_eq!(plan.total_days, 20);
/// // b alone until it is no longer longer than c, then b and c together.
/// let days: Vec<u32> = plan.cuts.iter().map(|c| c.days).collect();
/// assert_eq!(days, [20, 15]);
/// assert_eq!(plan, crash_by_day(&dag, limits, 20));
/// ```
///
/// # Complexity
/// O(P·(V + E) + S·(W + F) + B·(U + F)) time, where P = (total − budget) /
/// 4,096 is the number of phases (each one longest path over the whole
/// graph), S the number of splits (about the days cut / 96), W the size of
/// the block split, B the number of breakpoints, U the size of the unit a
/// breakpoint cuts and F the max-flows on a unit's critical network, one per
/// stretch between its own gates. Late in a crash, when nearly every chain
/// is within a few days of the total, a block can hold thousands of steps
/// (4,300 of the 10,000-step synthetic flow's) but its units a few dozen:
/// the steps that wait for one far back are seldom on a chain that close to
/// the block's length. O(V + E) memory.
pub fn crash(dag: &Dag, limits: Limits<'_>, budget: u32) -> CutPlan {
    breakpoints::crash(dag, limits, budget, PHASE_DAYS, SPLIT_DAYS)
}

/// Days a phase of [`crash`] cuts before it looks at the whole graph again;
/// each phase keeps the nodes within this many days of the total. Splits do
/// the fine work, so phases can be long: the 10,000- and 40,000-step
/// synthetic flows crash fastest from about 1,000 days on.
const PHASE_DAYS: u32 = 4096;

/// Days a block of [`crash`] is cut before it is split into units again;
/// each split keeps the chains within this many days of the block's length.
/// Fewer days make smaller units but more splits (each a pass over the whole
/// block); on the synthetic flows 64 to 128 is best, and from about 160 on
/// the units grow to thousands of steps.
const SPLIT_DAYS: u32 = 96;

/// [`crash`] with phases of `reach` days and splits every `inner` days (both
/// at least 1), for the tests: the cuts are the same whatever the phases.
#[cfg(test)]
pub(crate) fn crash_in_phases(dag: &Dag, limits: Limits<'_>, budget: u32, reach: u32, inner: u32) -> CutPlan {
    breakpoints::crash(dag, limits, budget, reach, inner)
}

/// The reference for [`crash`]: the same greedy crashing, one day at a time,
/// each day a new longest path and a new cheapest cut over the whole graph.
/// Kept to test [`crash`] against and to measure it by.
///
/// # Complexity
/// O(D·(V + E + F)) time where D = total − budget days and F is one max-flow
/// on the critical subgraph (Dinic's, O(V'²·E') at worst, small in
/// practice since critical subgraphs are narrow); O(V + E) memory.
pub fn crash_by_day(dag: &Dag, limits: Limits<'_>, budget: u32) -> CutPlan {
    by_day::crash(dag, limits, budget)
}

/// The plan of `cut_days` per node.
fn plan_of(cut_days: &[u32], limits: Limits<'_>, total_days: u32, reaches_budget: bool) -> CutPlan {
    let cuts: Vec<Cut> = (0..cut_days.len())
        .filter(|&v| cut_days[v] > 0)
        .map(|v| Cut {
            node: Node(v as u32),
            days: cut_days[v],
            cost: f64::from(cut_days[v]) * limits.cost[v],
        })
        .collect();
    CutPlan { cost: cuts.iter().map(|c| c.cost).sum(), cuts, total_days, reaches_budget }
}
