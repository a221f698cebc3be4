//! The critical-path passes over plain arrays: one forward pass, one backward pass.
//!
//! Works on any [`Dag`] in topological numbering with a duration and a
//! `counted` flag per node, so benchmarks and property tests can drive it
//! without a flow file. [`Plan`](super::Plan) wraps it with budgets, stages
//! and names.
//!
//! The passes are the longest path of [`graph::algo`](crate::graph::algo)
//! specialised: both clocks in one sweep over interleaved arrays, the tails
//! pushed backwards so only predecessor lists are read, the critical path
//! found on the way back. The tests check them against the general one.

use crate::graph::{Dag, Node};

/// The result of the two passes: earliest times on both clocks, the counted
/// length of the longest path through every node, and the critical path.
///
/// Two clocks run side by side:
/// - **elapsed**: every step lasts its promised days; this is when things
///   really happen (`es`, `ef`, [`Cpm::elapsed_days`]);
/// - **counted**: steps with `counted: false` weigh 0; the budget is measured
///   on this clock ([`Cpm::counted_ef`], [`Cpm::through`], [`Cpm::total_days`]).
///
/// # Complexity
/// [`Cpm::run`] is O(V + E) time and 6 words of memory per node, plus the
/// critical path; every accessor is O(1).
#[derive(Clone, Debug, Default)]
pub struct Cpm {
    /// Per node: `[elapsed ef, counted ef]`, interleaved so the forward pass
    /// reads one word pair per predecessor.
    fwd: Vec<[u32; 2]>,
    /// Per node: `[promised days, counted days (weight)]`.
    days: Vec<[u32; 2]>,
    /// Per node: `[longest counted path after it finishes, smallest counted
    /// es among its successors]`; `u32::MAX` in the second for a sink.
    back: Vec<[u32; 2]>,
    /// The chain that decides `total_days`, in order.
    chain: Vec<Node>,
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
    /// once going back (the backward pass pushes each node's tail to its
    /// predecessors, so the successor lists are not read: the predecessor
    /// lists are then still in cache); the critical path is found on the way
    /// back, reading again only the predecessors of its own steps. O(V) extra memory.
    pub fn run(dag: &Dag, promised: &[u32], counted: &[bool]) -> Cpm {
        let mut cpm = Cpm::default();
        cpm.rerun(dag, promised, counted);
        cpm
    }

    /// [`Cpm::run`] again, reusing this value's memory: for callers that plan
    /// many times (what-if analysis, cut search, benchmarks), it saves the
    /// allocation and first-touch cost of the per-node arrays.
    ///
    /// # Panics
    /// As [`Cpm::run`].
    pub fn rerun(&mut self, dag: &Dag, promised: &[u32], counted: &[bool]) {
        let n = dag.len();
        assert!(promised.len() == n && counted.len() == n, "one duration and one counted flag per node");
        let Cpm { fwd, days, back, chain, .. } = self;
        fwd.clear();
        fwd.resize(n, [0; 2]);
        days.clear();
        days.resize(n, [0; 2]);
        back.clear();
        back.resize(n, [0, u32::MAX]);
        chain.clear();
        let (elapsed_days, total_days, end) = forward(dag, promised, counted, fwd, days);
        backward(dag, fwd, days, back, end, chain);
        self.elapsed_days = elapsed_days;
        self.total_days = total_days;
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
        self.fwd[v.index()][0] - self.days[v.index()][0]
    }

    /// Earliest finish, elapsed clock.
    pub fn ef(&self, v: Node) -> u32 {
        self.fwd[v.index()][0]
    }

    /// Earliest start, counted clock.
    pub fn counted_es(&self, v: Node) -> u32 {
        self.fwd[v.index()][1] - self.days[v.index()][1]
    }

    /// Earliest finish, counted clock.
    pub fn counted_ef(&self, v: Node) -> u32 {
        self.fwd[v.index()][1]
    }

    /// Counted days of the node itself: its promised days, or 0 when uncounted.
    pub fn weight(&self, v: Node) -> u32 {
        self.days[v.index()][1]
    }

    /// Promised days of the node.
    pub fn promised(&self, v: Node) -> u32 {
        self.days[v.index()][0]
    }

    /// Counted length of the longest path after the node finishes.
    pub fn tail(&self, v: Node) -> u32 {
        self.back[v.index()][0]
    }

    /// Counted length of the longest path through the node.
    pub fn through(&self, v: Node) -> u32 {
        self.fwd[v.index()][1].saturating_add(self.back[v.index()][0])
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
        let next = self.back[v.index()][1];
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
    /// It ends at the sink with the largest counted, then elapsed, finish
    /// (the lowest such node), and goes back through predecessors that finish
    /// when their successor starts on the counted clock; where several do,
    /// through the one that really ends last (largest elapsed finish, then
    /// the lowest node), so uncounted work that the chain waits for (an
    /// intermediary writing a report) shows in it.
    ///
    /// # Complexity
    /// O(1): found by [`Cpm::run`] on its way back.
    pub fn critical_path(&self) -> &[Node] {
        &self.chain
    }

    /// Counted-clock finish of every node, in node order: what a deadline
    /// policy scales.
    pub(crate) fn counted_efs(&self) -> impl ExactSizeIterator<Item = u32> + '_ {
        self.fwd.iter().map(|f| f[1])
    }

    /// Counted length after every node finishes, in node order.
    pub(crate) fn tails(&self) -> impl ExactSizeIterator<Item = u32> + '_ {
        self.back.iter().map(|b| b[0])
    }
}

/// The forward pass: `fwd` and `days` of every node; returns the elapsed and
/// counted totals and the node that ends the critical path (the sink with
/// the largest counted, then elapsed, finish; the lowest among equals).
///
/// Walks the flat predecessor arrays, carrying each list's end over as the
/// next one's start, through plain slices so their addresses stay in registers.
#[inline(never)]
fn forward(
    dag: &Dag,
    promised: &[u32],
    counted: &[bool],
    fwd: &mut [[u32; 2]],
    days: &mut [[u32; 2]],
) -> (u32, u32, Option<usize>) {
    let (start, preds) = dag.pred_lists();
    let succ_start = dag.succ_starts();
    let (mut elapsed_days, mut total_days) = (0u32, 0u32);
    let mut end: Option<(u32, u32, usize)> = None;
    let mut lo = 0;
    for v in 0..fwd.len() {
        let hi = start[v + 1] as usize;
        let (mut e, mut c) = (0u32, 0u32);
        for &u in &preds[lo..hi] {
            let [ue, uc] = fwd[u.index()];
            e = e.max(ue);
            c = c.max(uc);
        }
        lo = hi;
        let p = promised[v];
        let w = if counted[v] { p } else { 0 };
        let (ef, cef) = (e.saturating_add(p), c.saturating_add(w));
        fwd[v] = [ef, cef];
        days[v] = [p, w];
        elapsed_days = elapsed_days.max(ef);
        total_days = total_days.max(cef);
        // Going up, `>` keeps the lowest node among equals.
        if succ_start[v] == succ_start[v + 1] && end.is_none_or(|(c, e, _)| (cef, ef) > (c, e)) {
            end = Some((cef, ef, v));
        }
    }
    (elapsed_days, total_days, end.map(|(_, _, v)| v))
}

/// The backward pass, going down: each node, its tail final once every
/// successor has pushed to it, pushes its own to its predecessors; on the
/// way, the critical path from `end`, in reverse.
#[inline(never)]
fn backward(
    dag: &Dag,
    fwd: &[[u32; 2]],
    days: &[[u32; 2]],
    back: &mut [[u32; 2]],
    end: Option<usize>,
    chain: &mut Vec<Node>,
) {
    let (start, preds) = dag.pred_lists();
    let mut next = end.unwrap_or(usize::MAX);
    let mut hi = start[fwd.len()] as usize;
    for v in (0..fwd.len()).rev() {
        let lo = start[v] as usize;
        let row = &preds[lo..hi];
        hi = lo;
        let w = days[v][1];
        let (tail, es) = (back[v][0].saturating_add(w), fwd[v][1] - w);
        for &u in row {
            let b = &mut back[u.index()];
            *b = [b[0].max(tail), b[1].min(es)];
        }
        if v == next {
            chain.push(Node(v as u32));
            // A predecessor finishing when `v` starts on the counted clock is
            // critical too; among them the one that really ends last (so
            // uncounted work the chain waits for shows), then the lowest.
            let mut best: Option<(u32, usize)> = None;
            for &u in row {
                let [ue, uc] = fwd[u.index()];
                if uc == es && best.is_none_or(|(e, _)| ue > e) {
                    best = Some((ue, u.index()));
                }
            }
            next = best.map_or(usize::MAX, |(_, u)| u);
        }
    }
    chain.reverse();
}
