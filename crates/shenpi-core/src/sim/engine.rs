//! The inner loop: one run is one draw per step, a forward pass, a backward pass.
//!
//! Everything a run touches lives in flat per-thread buffers ([`Scratch`]), so a
//! run allocates nothing. Everything a run adds to the totals is an integer
//! ([`Tally`]), so sums do not depend on the order runs are added in, and the
//! result does not depend on the number of threads.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::sample::Models;
use crate::graph::{Dag, FlowGraph, Node};
use crate::model::TotalRule;

/// What the loop needs from the graph, in flat arrays.
pub(crate) struct Net<'a> {
    pub(crate) dag: &'a Dag,
    pub(crate) counted: &'a [bool],
    pub(crate) promised: &'a [u32],
    /// Stage index of each node.
    pub(crate) stage: Vec<u32>,
    pub(crate) stage_budget: Vec<Option<u32>>,
    pub(crate) budget: Option<u32>,
    /// What the budgets are checked against.
    pub(crate) rule: TotalRule,
    /// Per group of stages: which stages belong to it, and its limit.
    pub(crate) groups: Vec<(Vec<bool>, u32)>,
    pub(crate) models: Models,
}

impl<'a> Net<'a> {
    pub(crate) fn new(graph: &'a FlowGraph, models: Models) -> Net<'a> {
        let flow = graph.flow();
        Net {
            dag: graph.dag(),
            counted: graph.counted(),
            promised: graph.promised(),
            stage: graph.nodes().map(|v| graph.step(v).stage() as u32).collect(),
            stage_budget: flow.stages().iter().map(|s| s.budget()).collect(),
            budget: flow.budget(),
            rule: flow.total(),
            groups: flow
                .budgets()
                .iter()
                .map(|g| {
                    let mut inside = vec![false; flow.stages().len()];
                    g.stages().iter().for_each(|&k| inside[k] = true);
                    (inside, g.days())
                })
                .collect(),
            models,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.counted.len()
    }

    /// The figure the rule measures: the counted critical path or the stage sum.
    fn measure(&self, critical_path: u32, stage_sum: u32) -> u32 {
        crate::schedule::groups::measure(self.rule, critical_path, stage_sum)
    }
}

/// Per-thread working memory, reused run after run.
pub(crate) struct Scratch {
    /// Counted weight of each node this run: its work when counted, else 0.
    c: Vec<u32>,
    /// Elapsed weight: work plus paused days.
    e: Vec<u32>,
    /// Work days, for the delay against the promise.
    work: Vec<u32>,
    /// Earliest finish on counted days, on elapsed days, and within its stage.
    ef_c: Vec<u32>,
    ef_e: Vec<u32>,
    ef_s: Vec<u32>,
    /// Longest counted (elapsed) path strictly after each node.
    tail_c: Vec<u32>,
    tail_e: Vec<u32>,
    stage_total: Vec<u32>,
    /// Earliest counted finish within the group being measured.
    ef_g: Vec<u32>,
}

impl Scratch {
    pub(crate) fn new(n: usize, stages: usize) -> Scratch {
        Scratch {
            c: vec![0; n],
            e: vec![0; n],
            work: vec![0; n],
            ef_c: vec![0; n],
            ef_e: vec![0; n],
            ef_s: vec![0; n],
            tail_c: vec![0; n],
            tail_e: vec![0; n],
            stage_total: vec![0; stages],
            ef_g: vec![0; n],
        }
    }
}

/// Integer sums over runs; merging two tallies is commutative and associative.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Tally {
    /// Runs in which the node was on a longest counted path.
    pub(crate) critical: Vec<u32>,
    /// Runs in which the node was on a longest elapsed path.
    pub(crate) critical_elapsed: Vec<u32>,
    /// Runs over budget in which the node was on a longest counted path.
    pub(crate) critical_over: Vec<u32>,
    /// Sum of (work − promised).
    pub(crate) delay: Vec<i64>,
    /// Sum of paused days.
    pub(crate) paused: Vec<u64>,
    /// Sum of (work − promised) over the runs in which the node was counted and critical.
    pub(crate) contribution: Vec<i64>,
    /// Sum of work days, of their squares, and of work × counted total (for correlations).
    pub(crate) work: Vec<u64>,
    pub(crate) work_sq: Vec<u128>,
    pub(crate) work_total: Vec<u128>,
    /// Runs in which each stage met its budget.
    pub(crate) stage_ok: Vec<u32>,
    /// Runs in which each group of stages met its limit.
    pub(crate) group_ok: Vec<u32>,
    /// Runs over the flow's budget.
    pub(crate) over: u32,
}

impl Tally {
    pub(crate) fn new(n: usize, stages: usize, groups: usize) -> Tally {
        Tally {
            critical: vec![0; n],
            critical_elapsed: vec![0; n],
            critical_over: vec![0; n],
            delay: vec![0; n],
            paused: vec![0; n],
            contribution: vec![0; n],
            work: vec![0; n],
            work_sq: vec![0; n],
            work_total: vec![0; n],
            stage_ok: vec![0; stages],
            group_ok: vec![0; groups],
            over: 0,
        }
    }

    pub(crate) fn merge(mut self, other: Tally) -> Tally {
        fn add<T: std::ops::AddAssign + Copy>(a: &mut [T], b: &[T]) {
            a.iter_mut().zip(b).for_each(|(x, &y)| *x += y);
        }
        add(&mut self.critical, &other.critical);
        add(&mut self.critical_elapsed, &other.critical_elapsed);
        add(&mut self.critical_over, &other.critical_over);
        add(&mut self.delay, &other.delay);
        add(&mut self.paused, &other.paused);
        add(&mut self.contribution, &other.contribution);
        add(&mut self.work, &other.work);
        add(&mut self.work_sq, &other.work_sq);
        add(&mut self.work_total, &other.work_total);
        add(&mut self.stage_ok, &other.stage_ok);
        add(&mut self.group_ok, &other.group_ok);
        self.over += other.over;
        self
    }
}

/// The totals of one run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct RunTotals {
    /// Longest path on counted days.
    pub(crate) counted: u32,
    /// Longest path on elapsed days.
    pub(crate) elapsed: u32,
    /// Sum of the stages' own counted critical paths.
    pub(crate) stage_sum: u32,
}

/// The generator of run `run`: ChaCha8 keyed by the seed, on stream `run`.
/// Counter-based, so run `k` draws the same numbers whichever thread runs it.
pub(crate) fn run_rng(base: &ChaCha8Rng, run: u64) -> ChaCha8Rng {
    let mut rng = base.clone();
    rng.set_stream(run);
    rng
}

/// The generator every run's is derived from.
pub(crate) fn base_rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

/// Simulates one run with generator `rng`, adds it to `tally`, and returns its totals.
///
/// # Complexity
/// O(V + E) time, no allocation.
pub(crate) fn run_once(net: &Net<'_>, rng: &mut ChaCha8Rng, s: &mut Scratch, tally: &mut Tally) -> RunTotals {
    let n = net.len();
    let models = &net.models;
    for v in 0..n {
        let d = models.steps[v].draw(rng, &models.pool);
        s.work[v] = d.work;
        s.c[v] = if net.counted[v] { d.work } else { 0 };
        let paused = d.paused();
        s.e[v] = d.work.saturating_add(paused);
        tally.paused[v] += u64::from(paused);
    }
    let totals = forward_backward(net, s);
    let over = net.budget.is_some_and(|b| net.measure(totals.counted, totals.stage_sum) > b);
    tally.over += u32::from(over);
    for v in 0..n {
        let crit = s.ef_c[v].saturating_add(s.tail_c[v]) == totals.counted;
        let crit_e = s.ef_e[v].saturating_add(s.tail_e[v]) == totals.elapsed;
        let delay = i64::from(s.work[v]) - i64::from(net.promised[v]);
        tally.critical[v] += u32::from(crit);
        tally.critical_elapsed[v] += u32::from(crit_e);
        tally.critical_over[v] += u32::from(crit && over);
        tally.delay[v] += delay;
        let w = u64::from(s.work[v]);
        tally.work[v] += w;
        tally.work_sq[v] += u128::from(w * w);
        tally.work_total[v] += u128::from(w * u64::from(totals.counted));
        if crit && net.counted[v] {
            tally.contribution[v] += delay;
        }
    }
    for (st, ok) in tally.stage_ok.iter_mut().enumerate() {
        *ok += u32::from(net.stage_budget[st].is_none_or(|b| s.stage_total[st] <= b));
    }
    for (k, (inside, days)) in net.groups.iter().enumerate() {
        tally.group_ok[k] += u32::from(group_total(net, s, inside) <= *days);
    }
    totals
}

/// A group's measured total this run: the longest counted path through its
/// stages' steps (edges between them only), or the sum of their stage totals.
///
/// # Complexity
/// O(V + E) time, no allocation.
pub(crate) fn group_total(net: &Net<'_>, s: &mut Scratch, inside: &[bool]) -> u32 {
    let mut critical_path = 0;
    let mut stage_sum = 0u32;
    for (k, &t) in s.stage_total.iter().enumerate() {
        if inside[k] {
            stage_sum = stage_sum.saturating_add(t);
        }
    }
    if net.rule == TotalRule::StageSum {
        return stage_sum;
    }
    for v in 0..net.len() {
        if !inside[net.stage[v] as usize] {
            continue;
        }
        let mut es = 0u32;
        for &p in net.dag.preds(Node(v as u32)) {
            if inside[net.stage[p.index()] as usize] {
                es = es.max(s.ef_g[p.index()]);
            }
        }
        s.ef_g[v] = es.saturating_add(s.c[v]);
        critical_path = critical_path.max(s.ef_g[v]);
    }
    critical_path
}

/// Longest paths on the weights in `s.c` and `s.e`: earliest finishes, tails, totals,
/// and each stage's counted critical path (paths through the stage's own steps only).
///
/// The longest path of [`crate::graph::algo`], specialised: three clocks in
/// one forward sweep and two in one backward sweep, into reused memory, for
/// the inner loop of every run; tested against the general one.
///
/// # Complexity
/// O(V + E) time, no allocation.
pub(crate) fn forward_backward(net: &Net<'_>, s: &mut Scratch) -> RunTotals {
    let n = net.len();
    let dag = net.dag;
    s.stage_total.iter_mut().for_each(|t| *t = 0);
    let mut totals = RunTotals::default();
    for v in 0..n {
        let (mut es_c, mut es_e, mut es_s) = (0u32, 0u32, 0u32);
        let sv = net.stage[v];
        for &p in dag.preds(Node(v as u32)) {
            let p = p.index();
            es_c = es_c.max(s.ef_c[p]);
            es_e = es_e.max(s.ef_e[p]);
            if net.stage[p] == sv {
                es_s = es_s.max(s.ef_s[p]);
            }
        }
        s.ef_c[v] = es_c.saturating_add(s.c[v]);
        s.ef_e[v] = es_e.saturating_add(s.e[v]);
        s.ef_s[v] = es_s.saturating_add(s.c[v]);
        totals.counted = totals.counted.max(s.ef_c[v]);
        totals.elapsed = totals.elapsed.max(s.ef_e[v]);
        let st = &mut s.stage_total[sv as usize];
        *st = (*st).max(s.ef_s[v]);
    }
    totals.stage_sum = s.stage_total.iter().fold(0u32, |acc, &t| acc.saturating_add(t));
    for v in (0..n).rev() {
        let (mut t_c, mut t_e) = (0u32, 0u32);
        for &w in dag.succs(Node(v as u32)) {
            let w = w.index();
            t_c = t_c.max(s.c[w].saturating_add(s.tail_c[w]));
            t_e = t_e.max(s.e[w].saturating_add(s.tail_e[w]));
        }
        s.tail_c[v] = t_c;
        s.tail_e[v] = t_e;
    }
    totals
}

/// The deterministic plan: every step at its promised days, no pauses.
/// Returns the totals, each stage's counted critical path and each group's measured total.
pub(crate) fn promised_totals(net: &Net<'_>) -> (RunTotals, Vec<u32>, Vec<u32>) {
    let mut s = Scratch::new(net.len(), net.stage_budget.len());
    for v in 0..net.len() {
        let p = net.promised[v];
        s.c[v] = if net.counted[v] { p } else { 0 };
        s.e[v] = p;
    }
    let totals = forward_backward(net, &mut s);
    let groups = net.groups.iter().map(|(inside, _)| group_total(net, &mut s, inside)).collect();
    (totals, s.stage_total, groups)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::graph::algo;

    /// A random DAG with, per node, counted and elapsed weights and a stage of three;
    /// and which stages a group holds.
    #[allow(clippy::type_complexity)]
    fn case() -> impl Strategy<Value = (Dag, Vec<u32>, Vec<u32>, Vec<u32>, Vec<bool>)> {
        (1usize..10).prop_flat_map(|n| {
            let pairs: Vec<(u32, u32)> =
                (0..n as u32).flat_map(|u| (u + 1..n as u32).map(move |v| (u, v))).collect();
            let m = pairs.len();
            (
                proptest::collection::vec(any::<bool>(), m),
                proptest::collection::vec(0u32..9, n),
                proptest::collection::vec(0u32..5, n),
                proptest::collection::vec(0u32..3, n),
                proptest::collection::vec(any::<bool>(), 3),
            )
                .prop_map(move |(keep, c, pause, stage, inside)| {
                    let edges: Vec<(u32, u32)> =
                        pairs.iter().zip(&keep).filter(|(_, k)| **k).map(|(e, _)| *e).collect();
                    let e = c.iter().zip(&pause).map(|(a, b)| a + b).collect();
                    (Dag::from_topological(n, edges.into_iter()), c, e, stage, inside)
                })
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// The simulation's fused three-clock pass and its group pass against the
        /// general longest path of `graph::algo`.
        #[test]
        fn the_fused_passes_match_the_general_longest_path((dag, c, e, stage, inside) in case()) {
            let n = dag.len();
            let (counted, promised) = (vec![true; n], c.clone());
            let net = Net {
                dag: &dag,
                counted: &counted,
                promised: &promised,
                stage: stage.clone(),
                stage_budget: vec![None; 3],
                budget: None,
                rule: TotalRule::CriticalPath,
                groups: vec![(inside.clone(), 0)],
                models: Models { steps: Vec::new(), pool: Vec::new() },
            };
            let mut s = Scratch::new(n, 3);
            s.c.clone_from(&c);
            s.e.clone_from(&e);
            let totals = forward_backward(&net, &mut s);
            let all = |_: Node, _: Node| true;
            let ef_c = algo::finishes(&dag, |v| c[v.index()], all);
            let ef_e = algo::finishes(&dag, |v| e[v.index()], all);
            let ef_s = algo::finishes(&dag, |v| c[v.index()], |u, v| stage[u.index()] == stage[v.index()]);
            prop_assert_eq!(&s.ef_c, &ef_c);
            prop_assert_eq!(&s.ef_e, &ef_e);
            prop_assert_eq!(&s.ef_s, &ef_s);
            prop_assert_eq!(totals.counted, algo::longest_path(&dag, &c));
            prop_assert_eq!(totals.elapsed, algo::longest_path(&dag, &e));
            for k in 0..3u32 {
                let want = dag.nodes().filter(|v| stage[v.index()] == k).map(|v| ef_s[v.index()]).max();
                prop_assert_eq!(s.stage_total[k as usize], want.unwrap_or(0));
            }
            // Tails: finishes on the reversed graph, less the node's own weight.
            let back = |v: Node| Node((n - 1 - v.index()) as u32);
            let reversed = Dag::from_topological(n, dag.edges().map(|(u, v)| (back(v).0, back(u).0)).collect::<Vec<_>>().into_iter());
            let from_c = algo::finishes(&reversed, |r| c[back(r).index()], all);
            let from_e = algo::finishes(&reversed, |r| e[back(r).index()], all);
            for v in dag.nodes() {
                prop_assert_eq!(s.tail_c[v.index()], from_c[back(v).index()] - c[v.index()]);
                prop_assert_eq!(s.tail_e[v.index()], from_e[back(v).index()] - e[v.index()]);
            }
            let member = |v: Node| inside[stage[v.index()] as usize];
            let ef_g = algo::finishes(&dag, |v| c[v.index()], |u, v| member(u) && member(v));
            let want = dag.nodes().filter(|&v| member(v)).map(|v| ef_g[v.index()]).max().unwrap_or(0);
            prop_assert_eq!(group_total(&net, &mut s, &inside), want);
        }
    }
}
