//! Budgets over groups of stages and the counting rule (统计口径).
//!
//! A stage's total is the longest counted chain through its own steps; a
//! group's is the longest counted chain through the steps of its stages,
//! using only the edges between them (`total: critical-path`), or the sum of
//! its stages' totals (`total: stage-sum`). Both figures are always computed:
//! provinces report either, and a reader compares them.

use super::{Cpm, StageTotal};
use crate::graph::{FlowGraph, Node, algo};
use crate::model::TotalRule;

/// A group of stages (`budgets:` in the flow) against its limit.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct GroupTotal {
    /// Index in [`Flow::budgets`](crate::Flow::budgets).
    pub group: usize,
    /// The group's limit on counted working days.
    pub days: u32,
    /// Longest counted chain through the steps of the group's stages (edges between them only).
    pub critical_path_days: u32,
    /// Sum of the group's stages' own counted critical paths.
    pub stage_sum_days: u32,
    /// What the limit is checked against under the flow's `total` rule: one of the two above.
    pub total_days: u32,
    /// The longest counted chain through the group's stages, in order.
    pub chain: Vec<Node>,
}

impl GroupTotal {
    /// Limit less total; negative when over.
    pub fn slack(&self) -> i64 {
        i64::from(self.days) - i64::from(self.total_days)
    }

    /// True unless the group is over its limit.
    pub fn is_feasible(&self) -> bool {
        self.slack() >= 0
    }
}

/// The figure a rule measures: the critical path or the stage sum.
pub(crate) fn measure(rule: TotalRule, critical_path: u32, stage_sum: u32) -> u32 {
    match rule {
        TotalRule::CriticalPath => critical_path,
        TotalRule::StageSum => stage_sum,
    }
}

/// Every group of the flow against its limit, in file order.
///
/// # Complexity
/// O(G · (V + E)) time for G groups, O(V) extra memory.
pub(crate) fn group_totals(graph: &FlowGraph, cpm: &Cpm, stages: &[StageTotal]) -> Vec<GroupTotal> {
    let flow = graph.flow();
    let stage_of: Vec<usize> = graph.nodes().map(|v| graph.step(v).stage()).collect();
    flow.budgets()
        .iter()
        .enumerate()
        .map(|(k, g)| {
            let mut inside = vec![false; flow.stages().len()];
            for &s in g.stages() {
                inside[s] = true;
            }
            let (critical_path_days, chain) = longest_within(graph, cpm, &stage_of, &inside);
            let stage_sum_days =
                g.stages().iter().fold(0u32, |acc, &s| acc.saturating_add(stages[s].total_days));
            GroupTotal {
                group: k,
                days: g.days(),
                critical_path_days,
                stage_sum_days,
                total_days: measure(flow.total(), critical_path_days, stage_sum_days),
                chain,
            }
        })
        .collect()
}

/// The longest counted chain through nodes whose stage is `inside`, using
/// only edges between such nodes; ties go to the chain that really ends last.
fn longest_within(graph: &FlowGraph, cpm: &Cpm, stage_of: &[usize], inside: &[bool]) -> (u32, Vec<Node>) {
    let member = |u: Node| inside[stage_of[u.index()]];
    let ef = algo::finishes(graph.dag(), |v| cpm.weight(v), |u, v| member(u) && member(v));
    let mut best: Option<Node> = None;
    for v in graph.nodes().filter(|&v| member(v)) {
        if best.is_none_or(|b| (ef[v.index()], cpm.ef(v)) > (ef[b.index()], cpm.ef(b))) {
            best = Some(v);
        }
    }
    (best.map_or(0, |v| ef[v.index()]), chain_back(graph, cpm, best, &ef, member))
}

/// The chain ending at `end`, walked back through predecessors that pass
/// `member` and finish (by `ef`, a counted finish within the set) when their
/// successor starts; where several do, through the one that really ends
/// last, then the lowest node. In order.
pub(super) fn chain_back(
    graph: &FlowGraph,
    cpm: &Cpm,
    end: Option<Node>,
    ef: &[u32],
    member: impl Fn(Node) -> bool,
) -> Vec<Node> {
    let dag = graph.dag();
    let mut chain = Vec::new();
    let mut at = end;
    while let Some(v) = at {
        chain.push(v);
        let want = ef[v.index()] - cpm.weight(v);
        at = dag
            .preds(v)
            .iter()
            .copied()
            .filter(|&u| member(u) && ef[u.index()] == want)
            .max_by_key(|&u| (cpm.ef(u), std::cmp::Reverse(u)));
    }
    chain.reverse();
    chain
}
