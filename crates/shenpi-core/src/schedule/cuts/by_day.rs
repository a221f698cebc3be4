//! The greedy crash one day at a time: each day a new longest path over the
//! whole graph and a new cheapest cut of its critical network. The reference
//! that [`crash`](super::crash) is tested against and measured by.

use super::network::{CutNetwork, capacity};
use super::{CutPlan, Limits, plan_of};
use crate::graph::{Dag, Node};
use crate::schedule::cpm::Cpm;

/// See [`crash_by_day`](super::crash_by_day).
pub(super) fn crash(dag: &Dag, limits: Limits<'_>, budget: u32) -> CutPlan {
    let mut promised = limits.promised.to_vec();
    let mut cut_days = vec![0u32; dag.len()];
    let mut cpm = Cpm::run(dag, &promised, limits.counted);
    let mut reaches_budget = true;
    while cpm.total_days() > budget {
        let Some(set) = cheapest_cut(dag, &cpm, &promised, limits) else {
            reaches_budget = false;
            break;
        };
        for v in set {
            promised[v.index()] -= 1;
            cut_days[v.index()] += 1;
        }
        cpm.rerun(dag, &promised, limits.counted);
    }
    plan_of(&cut_days, limits, cpm.total_days(), reaches_budget)
}

/// The cheapest set of critical steps, one on every critical chain, that can each lose a day.
fn cheapest_cut(dag: &Dag, cpm: &Cpm, promised: &[u32], limits: Limits<'_>) -> Option<Vec<Node>> {
    let total = cpm.total_days();
    let critical: Vec<Node> = dag.nodes().filter(|&v| cpm.is_critical(v)).collect();
    let mut slot = vec![u32::MAX; dag.len()];
    for (i, &v) in critical.iter().enumerate() {
        slot[v.index()] = i as u32;
    }
    let mut net = CutNetwork::new(critical.len());
    for (i, &v) in critical.iter().enumerate() {
        net.step(i, capacity(limits, promised, v.index()));
        if cpm.counted_es(v) == 0 {
            net.starts(i);
        }
        if cpm.through(v) == total && cpm.tail(v) == 0 {
            net.ends(i);
        }
        for &s in dag.succs(v) {
            let j = slot[s.index()];
            if j != u32::MAX && cpm.counted_ef(v) == cpm.counted_es(s) {
                net.link(i, j as usize);
            }
        }
    }
    let (_, set) = net.cheapest()?;
    Some(set.into_iter().map(|i| critical[i]).collect())
}
