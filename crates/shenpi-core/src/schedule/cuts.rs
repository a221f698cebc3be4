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

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

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
/// The cheapest cut depends only on the critical network (which steps and
/// which edges lie on a longest counted path) and on which of its steps can
/// still lose a day. Cutting a set S one day at a time leaves both alone,
/// so the same S is cut again the next day, until one of three things
/// happens: the total reaches the budget; a step of S reaches its `min`; or
/// the network changes — a chain that avoids S becomes critical (after as
/// many days as the longest such chain is short of the total), or a
/// critical chain through S twice stops being critical (after one day). So
/// S loses the fewest of those days at once, and the cut is searched again.
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
/// O(B·(V + E + F)) time for B breakpoints, where F is one max-flow on the
/// critical subgraph (as in [`crash_by_day`]); B is at most the number of
/// days [`crash_by_day`] cuts, and in practice about the number of steps
/// that reach their `min` plus the chains that become critical. O(V + E) memory.
pub fn crash(dag: &Dag, limits: Limits<'_>, budget: u32) -> CutPlan {
    crash_with(dag, limits, budget, Stride::Breakpoints)
}

/// The reference for [`crash`]: the same greedy crashing, one day at a time,
/// each day a new longest path and a new cheapest cut over the whole graph.
/// Kept to test [`crash`] against and to measure it by.
///
/// # Complexity
/// O(D·(V + E + F)) time where D = total − budget days and F is one max-flow
/// on the critical subgraph (Edmonds–Karp, O(V'·E'²) at worst, small in
/// practice since critical subgraphs are narrow); O(V + E) memory.
pub fn crash_by_day(dag: &Dag, limits: Limits<'_>, budget: u32) -> CutPlan {
    crash_with(dag, limits, budget, Stride::OneDay)
}

/// How far [`crash_with`] cuts each cheapest set before searching again.
#[derive(Clone, Copy, PartialEq)]
enum Stride {
    OneDay,
    Breakpoints,
}

fn crash_with(dag: &Dag, limits: Limits<'_>, budget: u32, stride: Stride) -> CutPlan {
    let n = dag.len();
    let mut promised = limits.promised.to_vec();
    let mut cut_days = vec![0u32; n];
    let mut cpm = Cpm::run(dag, &promised, limits.counted);
    let mut in_set = vec![false; n];
    let mut scratch = vec![0u32; n];
    let mut reaches_budget = true;
    while cpm.total_days() > budget {
        let set = cheapest_cut(dag, &cpm, &promised, limits);
        let Some(set) = set else {
            reaches_budget = false;
            break;
        };
        let days = match stride {
            Stride::OneDay => 1,
            Stride::Breakpoints => {
                for &v in &set {
                    in_set[v.index()] = true;
                }
                let days =
                    days_until_change(dag, &cpm, &promised, limits, &set, budget, &in_set, &mut scratch);
                for &v in &set {
                    in_set[v.index()] = false;
                }
                days
            }
        };
        for v in set {
            promised[v.index()] -= days;
            cut_days[v.index()] += days;
        }
        cpm.rerun(dag, &promised, limits.counted);
    }
    let cuts: Vec<Cut> = (0..n)
        .filter(|&v| cut_days[v] > 0)
        .map(|v| Cut {
            node: Node(v as u32),
            days: cut_days[v],
            cost: f64::from(cut_days[v]) * limits.cost[v],
        })
        .collect();
    CutPlan { cost: cuts.iter().map(|c| c.cost).sum(), cuts, total_days: cpm.total_days(), reaches_budget }
}

/// How many days the cheapest cut `set` (marked in `in_set`) stays the
/// cheapest: the same critical network and the same steps able to lose a
/// day, so [`crash_by_day`] would cut it again each of those days. At least 1.
///
/// After `j` days a chain `p` of counted length `L(p)` crossing `set` `c(p)`
/// times is `L(p) − j·c(p)` long and the total `T − j` (every critical chain
/// crosses the cut). Critical chains with `c = 1` stay critical, those with
/// `c ≥ 2` stop being so after one day, and shorter ones crossing the set
/// never catch up; a chain avoiding it becomes critical when `j = T − L(p)`.
#[allow(clippy::too_many_arguments)]
fn days_until_change(
    dag: &Dag,
    cpm: &Cpm,
    promised: &[u32],
    limits: Limits<'_>,
    set: &[Node],
    budget: u32,
    in_set: &[bool],
    scratch: &mut [u32],
) -> u32 {
    let total = cpm.total_days();
    // Every step of the cut can lose a day (it would be unbounded otherwise).
    let room = set.iter().map(|&v| promised[v.index()] - limits.min[v.index()]).min().unwrap_or(1);
    let mut days = (total - budget).min(room);
    if days <= 1 {
        return 1;
    }
    // The most steps of the set on a critical chain up to each critical node.
    let hits = scratch;
    for v in dag.nodes() {
        let vu = v.index();
        if !cpm.is_critical(v) {
            continue;
        }
        let es = cpm.counted_es(v);
        let before = dag
            .preds(v)
            .iter()
            .filter(|&&u| cpm.is_critical(u) && cpm.counted_ef(u) == es)
            .map(|u| hits[u.index()])
            .max()
            .unwrap_or(0);
        hits[vu] = before + u32::from(in_set[vu]);
        if hits[vu] >= 2 {
            return 1;
        }
    }
    // The longest counted chain that avoids the set: `u32::MAX` marks a node on none.
    let longest = hits;
    let mut avoiding = 0u32;
    for v in dag.nodes() {
        let vu = v.index();
        if in_set[vu] {
            longest[vu] = u32::MAX;
            continue;
        }
        let start = dag.preds(v).iter().map(|u| longest[u.index()]).filter(|&l| l != u32::MAX).max();
        let weight = if limits.counted[vu] { promised[vu] } else { 0 };
        longest[vu] = start.unwrap_or(0).saturating_add(weight).min(u32::MAX - 1);
        avoiding = avoiding.max(longest[vu]);
    }
    days = days.min(total.saturating_sub(avoiding));
    days.max(1)
}

/// Added to every step's capacity so that among equally cheap cuts the one with fewer steps wins.
const PER_STEP: f64 = 1e-6;

/// The cheapest set of critical steps, one on every critical chain, that can each lose a day.
fn cheapest_cut(dag: &Dag, cpm: &Cpm, promised: &[u32], limits: Limits<'_>) -> Option<Vec<Node>> {
    let total = cpm.total_days();
    let critical: Vec<Node> = dag.nodes().filter(|&v| cpm.is_critical(v)).collect();
    let mut slot = vec![u32::MAX; dag.len()];
    for (i, &v) in critical.iter().enumerate() {
        slot[v.index()] = i as u32;
    }
    // Vertex v splits into 2i (in) and 2i+1 (out); the source and sink come last.
    let k = critical.len();
    let (source, sink) = (2 * k, 2 * k + 1);
    let mut net = Network::new(2 * k + 2);
    for (i, &v) in critical.iter().enumerate() {
        let vu = v.index();
        let can = limits.counted[vu] && promised[vu] > limits.min[vu];
        // A step that cannot lose a day cannot be cut: its capacity is unbounded, whatever its cost.
        let step =
            if can { Capacity::Finite(limits.cost[vu].max(0.0) + PER_STEP) } else { Capacity::Unbounded };
        net.add(2 * i, 2 * i + 1, step);
        if cpm.counted_es(v) == 0 {
            net.add(source, 2 * i, Capacity::Unbounded);
        }
        if cpm.through(v) == total && cpm.tail(v) == 0 {
            net.add(2 * i + 1, sink, Capacity::Unbounded);
        }
        for &s in dag.succs(v) {
            let j = slot[s.index()];
            if j != u32::MAX && cpm.counted_ef(v) == cpm.counted_es(s) {
                net.add(2 * i + 1, 2 * j as usize, Capacity::Unbounded);
            }
        }
    }
    // An unbounded flow: some critical chain has no step that can be cut.
    net.max_flow(source, sink)?;
    let seen = net.reachable(source);
    Some((0..k).filter(|&i| seen[2 * i] && !seen[2 * i + 1]).map(|i| critical[i]).collect())
}

/// How much an edge of the [`Network`] can still carry.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Capacity {
    /// At most this much (a step's cost per day, however large).
    Finite(f64),
    /// Without limit: the edge cannot be cut.
    Unbounded,
}

impl Capacity {
    fn is_open(self) -> bool {
        match self {
            Capacity::Finite(c) => c > 1e-12,
            Capacity::Unbounded => true,
        }
    }
}

/// A flow network for Edmonds–Karp: edges stored in pairs (forward, reverse).
struct Network {
    head: Vec<Vec<usize>>,
    to: Vec<usize>,
    cap: Vec<Capacity>,
}

impl Network {
    fn new(n: usize) -> Network {
        Network { head: vec![Vec::new(); n], to: Vec::new(), cap: Vec::new() }
    }

    fn add(&mut self, a: usize, b: usize, cap: Capacity) {
        self.head[a].push(self.to.len());
        self.to.push(b);
        self.cap.push(cap);
        self.head[b].push(self.to.len());
        self.to.push(a);
        self.cap.push(Capacity::Finite(0.0));
    }

    /// The maximum flow from `s` to `t`, or `None` when a path of unbounded
    /// edges joins them (no finite cut exists).
    fn max_flow(&mut self, s: usize, t: usize) -> Option<f64> {
        let mut flow = 0.0;
        loop {
            let mut via = vec![usize::MAX; self.head.len()];
            let mut queue = VecDeque::from([s]);
            let mut found = false;
            while let Some(a) = queue.pop_front() {
                for &e in &self.head[a] {
                    let b = self.to[e];
                    if b != s && via[b] == usize::MAX && self.cap[e].is_open() {
                        via[b] = e;
                        if b == t {
                            found = true;
                            break;
                        }
                        queue.push_back(b);
                    }
                }
                if found {
                    break;
                }
            }
            if !found {
                return Some(flow);
            }
            let mut push: Option<f64> = None;
            let mut b = t;
            while b != s {
                let e = via[b];
                if let Capacity::Finite(c) = self.cap[e] {
                    push = Some(push.map_or(c, |p| p.min(c)));
                }
                b = self.to[e ^ 1];
            }
            let push = push?;
            let mut b = t;
            while b != s {
                let e = via[b];
                if let Capacity::Finite(c) = &mut self.cap[e] {
                    *c -= push;
                }
                if let Capacity::Finite(c) = &mut self.cap[e ^ 1] {
                    *c += push;
                }
                b = self.to[e ^ 1];
            }
            flow += push;
        }
    }

    fn reachable(&self, s: usize) -> Vec<bool> {
        let mut seen = vec![false; self.head.len()];
        seen[s] = true;
        let mut queue = VecDeque::from([s]);
        while let Some(a) = queue.pop_front() {
            for &e in &self.head[a] {
                let b = self.to[e];
                if !seen[b] && self.cap[e].is_open() {
                    seen[b] = true;
                    queue.push_back(b);
                }
            }
        }
        seen
    }
}
