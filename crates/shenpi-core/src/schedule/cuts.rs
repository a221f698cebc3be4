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

use std::collections::VecDeque;

use super::cpm::{Cpm, longest_path};
use crate::graph::{Dag, Node};

/// A step that shortens the total when cut.
#[derive(Clone, Debug, PartialEq)]
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
    fn weights(&self) -> Vec<u32> {
        self.promised.iter().zip(self.counted).map(|(&p, &c)| if c { p } else { 0 }).collect()
    }

    fn floor(&self, v: usize) -> u32 {
        if self.counted[v] { self.min[v].min(self.promised[v]) } else { 0 }
    }
}

/// Steps whose shortening shortens the counted total, best first: most days
/// saved, then cheapest per day, then earliest.
///
/// # Complexity
/// O(C·(V + E)) time for C critical steps with room to cut; O(V) memory.
pub fn candidates(dag: &Dag, cpm: &Cpm, limits: Limits<'_>) -> Vec<Candidate> {
    let total = cpm.total_days();
    let mut weight = limits.weights();
    let mut out = Vec::new();
    for v in 0..dag.len() {
        let room = weight[v] - limits.floor(v);
        if room == 0 || !cpm.is_critical(Node(v as u32)) {
            continue;
        }
        weight[v] -= room;
        let saves = total - longest_path(dag, &weight).min(total);
        weight[v] += room;
        if saves > 0 {
            out.push(Candidate { node: Node(v as u32), room, saves, cost_per_day: limits.cost[v] });
        }
    }
    out.sort_by(|a, b| {
        b.saves.cmp(&a.saves).then(a.cost_per_day.total_cmp(&b.cost_per_day)).then(a.node.cmp(&b.node))
    });
    out
}

/// The cuts that bring the counted total within `budget`, one day at a time
/// through the cheapest cut of the critical subgraph (see the module docs).
///
/// # Complexity
/// O(D·(V + E + F)) time where D = total − budget days and F is one max-flow
/// on the critical subgraph (Edmonds–Karp, O(V'·E'²) at worst, small in
/// practice since critical subgraphs are narrow); O(V + E) memory.
pub fn crash(dag: &Dag, limits: Limits<'_>, budget: u32) -> CutPlan {
    let n = dag.len();
    let mut promised = limits.promised.to_vec();
    let mut cut_days = vec![0u32; n];
    let mut cpm = Cpm::run(dag, &promised, limits.counted);
    let mut reaches_budget = true;
    while cpm.total_days() > budget {
        let set = cheapest_cut(dag, &cpm, &promised, limits);
        let Some(set) = set else {
            reaches_budget = false;
            break;
        };
        for v in set {
            promised[v.index()] -= 1;
            cut_days[v.index()] += 1;
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
