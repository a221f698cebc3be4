//! The critical-path passes over plain arrays: one forward pass, one backward pass.
//!
//! Works on any [`Dag`] in topological numbering with a duration and a
//! `counted` flag per node, so benchmarks and property tests can drive it
//! without a flow file. [`Plan`](super::Plan) wraps it with budgets, stages
//! and names.

use crate::graph::{Dag, Node};

/// The result of the two passes: earliest times on both clocks and the
/// counted length of the longest path through every node.
///
/// Two clocks run side by side:
/// - **elapsed**: every step lasts its promised days; this is when things
///   really happen (`es`, `ef`, [`Cpm::elapsed_days`]);
/// - **counted**: steps with `counted: false` weigh 0; the budget is measured
///   on this clock ([`Cpm::counted_ef`], [`Cpm::through`], [`Cpm::total_days`]).
///
/// # Complexity
/// [`Cpm::run`] is O(V + E) time and 5 words of memory per node; every
/// accessor is O(1).
#[derive(Clone, Debug, Default)]
pub struct Cpm {
    /// Per node: `[elapsed ef, counted ef]`, interleaved so the forward pass
    /// reads one cache line per predecessor.
    fwd: Vec<[u32; 2]>,
    /// Per node: `[counted length from its start to the end, counted es]`.
    back: Vec<[u32; 2]>,
    /// Per node: the smallest counted `es` among its successors, `u32::MAX` for a sink.
    next_es: Vec<u32>,
    weight: Vec<u32>,
    promised: Vec<u32>,
    elapsed_days: u32,
    total_days: u32,
}

impl Cpm {
    /// Runs the forward and the backward pass.
    ///
    /// `promised[v]` is node `v`'s duration in working days, `counted[v]`
    /// whether those days count against the budget. Sums saturate at
    /// `u32::MAX` rather than wrap.
    ///
    /// # Panics
    /// When `promised` or `counted` is not as long as the graph has nodes.
    ///
    /// # Complexity
    /// O(V + E) time: each predecessor list is read once going forward and
    /// each successor list once going back. O(V) extra memory.
    pub fn run(dag: &Dag, promised: &[u32], counted: &[bool]) -> Cpm {
        let n = dag.len();
        assert!(promised.len() == n && counted.len() == n, "one duration and one counted flag per node");
        let weight: Vec<u32> = promised.iter().zip(counted).map(|(&p, &c)| if c { p } else { 0 }).collect();
        let mut fwd: Vec<[u32; 2]> = Vec::with_capacity(n);
        for v in 0..n {
            let (mut e, mut c) = (0u32, 0u32);
            for &u in dag.preds(v as Node) {
                let [ue, uc] = fwd[u as usize];
                e = e.max(ue);
                c = c.max(uc);
            }
            fwd.push([e.saturating_add(promised[v]), c.saturating_add(weight[v])]);
        }
        let mut back = vec![[0u32; 2]; n];
        let mut next_es = vec![u32::MAX; n];
        let (mut elapsed_days, mut total_days) = (0, 0);
        for v in (0..n).rev() {
            let (mut tail, mut first) = (0u32, u32::MAX);
            for &s in dag.succs(v as Node) {
                let [from, es] = back[s as usize];
                tail = tail.max(from);
                first = first.min(es);
            }
            let [ef, cef] = fwd[v];
            elapsed_days = elapsed_days.max(ef);
            total_days = total_days.max(cef);
            back[v] = [tail.saturating_add(weight[v]), cef - weight[v]];
            next_es[v] = first;
        }
        Cpm { fwd, back, next_es, weight, promised: promised.to_vec(), elapsed_days, total_days }
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.fwd.len()
    }

    /// True for an empty graph.
    pub fn is_empty(&self) -> bool {
        self.fwd.is_empty()
    }

    /// The longest path with every step at its promised days: when the flow really ends.
    pub fn elapsed_days(&self) -> u32 {
        self.elapsed_days
    }

    /// The longest path where uncounted steps weigh 0: what the budget is measured against.
    pub fn total_days(&self) -> u32 {
        self.total_days
    }

    /// Earliest start, elapsed clock.
    pub fn es(&self, v: Node) -> u32 {
        self.fwd[v as usize][0] - self.promised[v as usize]
    }

    /// Earliest finish, elapsed clock.
    pub fn ef(&self, v: Node) -> u32 {
        self.fwd[v as usize][0]
    }

    /// Earliest start, counted clock.
    pub fn counted_es(&self, v: Node) -> u32 {
        self.back[v as usize][1]
    }

    /// Earliest finish, counted clock.
    pub fn counted_ef(&self, v: Node) -> u32 {
        self.fwd[v as usize][1]
    }

    /// Counted days of the node itself: its promised days, or 0 when uncounted.
    pub fn weight(&self, v: Node) -> u32 {
        self.weight[v as usize]
    }

    /// Promised days of the node.
    pub fn promised(&self, v: Node) -> u32 {
        self.promised[v as usize]
    }

    /// Counted length of the longest path after the node finishes.
    pub fn tail(&self, v: Node) -> u32 {
        self.back[v as usize][0] - self.weight[v as usize]
    }

    /// Counted length of the longest path through the node.
    pub fn through(&self, v: Node) -> u32 {
        self.back[v as usize][1].saturating_add(self.back[v as usize][0])
    }

    /// Whether the node lies on a longest counted path (it decides `total_days`).
    pub fn is_critical(&self, v: Node) -> bool {
        self.through(v) == self.total_days
    }

    /// Total float against a budget: how many days the node may slip without
    /// the counted total passing `budget`. Negative when the budget cannot be met.
    pub fn total_float(&self, v: Node, budget: u32) -> i64 {
        i64::from(budget) - i64::from(self.through(v))
    }

    /// Free float against a budget: how many days the node may slip without
    /// delaying any successor's counted earliest start (for a node with no
    /// successor: without passing `budget`).
    pub fn free_float(&self, v: Node, budget: u32) -> i64 {
        let next = self.next_es[v as usize];
        let until = if next == u32::MAX { i64::from(budget) } else { i64::from(next) };
        until - i64::from(self.counted_ef(v))
    }

    /// Latest finish on the elapsed clock, computed back from `budget`:
    /// the earliest finish plus the total float.
    pub fn lf(&self, v: Node, budget: u32) -> i64 {
        i64::from(self.ef(v)) + self.total_float(v, budget)
    }

    /// Latest start on the elapsed clock: [`Cpm::lf`] less the promised days.
    pub fn ls(&self, v: Node, budget: u32) -> i64 {
        self.lf(v, budget) - i64::from(self.promised(v))
    }

    /// The chain that decides `total_days`, in order.
    ///
    /// Where chains tie on counted days, the one that really ends last
    /// (largest elapsed finish) is followed, so uncounted work that the chain
    /// waits for (an intermediary writing a report) shows in it.
    ///
    /// # Complexity
    /// O(V + E) at worst: the predecessors of the chain's nodes are read once.
    pub fn critical_path(&self, dag: &Dag) -> Vec<Node> {
        let mut chain = Vec::new();
        let pick =
            |nodes: &mut dyn Iterator<Item = Node>| nodes.max_by_key(|&v| (self.ef(v), std::cmp::Reverse(v)));
        let mut at = pick(
            &mut (0..self.len() as Node)
                .filter(|&v| dag.succs(v).is_empty() && self.counted_ef(v) == self.total_days),
        );
        while let Some(v) = at {
            chain.push(v);
            let es = self.counted_es(v);
            at = pick(
                &mut dag
                    .preds(v)
                    .iter()
                    .copied()
                    .filter(|&u| self.counted_ef(u) == es && self.through(u) == self.total_days),
            );
        }
        chain.reverse();
        chain
    }
}

/// The longest counted path with the given weights: a bare forward pass, for
/// what-if questions (cuts, legal days) that need only the total.
///
/// # Complexity
/// O(V + E) time, O(V) extra memory.
pub fn longest_path(dag: &Dag, weight: &[u32]) -> u32 {
    let mut ef = vec![0u32; dag.len()];
    let mut best = 0;
    for v in 0..dag.len() {
        let start = dag.preds(v as Node).iter().map(|&u| ef[u as usize]).max().unwrap_or(0);
        ef[v] = start.saturating_add(weight[v]);
        best = best.max(ef[v]);
    }
    best
}
