//! The near-critical part of a graph cut into blocks in series.
//!
//! The nodes kept are those within `reach` days of the total (their longest
//! path through is at least `total − reach` long). A *gate* is a kept node
//! that every path of kept nodes passes: no kept edge jumps over it, no kept
//! chain starts after it or ends before it. The gates cut the kept nodes
//! into blocks in series: each gate a block of its own, and the nodes between
//! two gates (or before the first, or after the last) a block. Every chain
//! within `reach` days of the total passes each block from its entry (the
//! gate before it, or nothing) to its exit (the gate after it, or nothing),
//! so its length is the sum of its lengths within the blocks.

use crate::graph::{Dag, Node};
use crate::schedule::cpm::Cpm;

/// Marks a node that is not kept.
pub(super) const NONE: u32 = u32::MAX;

/// A run of kept places `lo..hi` (indices into [`Blocks::kept`]).
#[derive(Clone, Copy, Debug)]
pub(super) struct Span {
    pub(super) lo: u32,
    pub(super) hi: u32,
}

/// The kept nodes and their blocks, rebuilt for each phase of the crash.
#[derive(Default)]
pub(super) struct Blocks {
    /// The kept nodes, ascending.
    pub(super) kept: Vec<Node>,
    /// Each node's place in `kept`, or [`NONE`].
    pub(super) at: Vec<u32>,
    /// The blocks in series order, which is place order.
    pub(super) spans: Vec<Span>,
}

impl Blocks {
    /// Keeps the nodes within `reach` days of the total of `cpm` and cuts them at their gates.
    ///
    /// # Complexity
    /// O(V + E) time; the arrays are reused from one call to the next.
    pub(super) fn rebuild(&mut self, dag: &Dag, cpm: &Cpm, reach: u32) {
        let total = cpm.total_days();
        self.kept.clear();
        self.at.clear();
        self.at.resize(dag.len(), NONE);
        for v in dag.nodes() {
            if total - cpm.through(v) <= reach {
                self.at[v.index()] = self.kept.len() as u32;
                self.kept.push(v);
            }
        }
        self.cut_at_gates(dag);
    }

    /// Whether node `u` is kept.
    pub(super) fn place(&self, u: Node) -> Option<u32> {
        Some(self.at[u.index()]).filter(|&p| p != NONE)
    }

    fn cut_at_gates(&mut self, dag: &Dag) {
        let (last_start, first_end) = self.chain_ends(dag);
        let (kept, at) = (&self.kept, &self.at);
        let far =
            |p: u32| dag.succs(kept[p as usize]).iter().map(|s| at[s.index()]).filter(|&q| q != NONE).max();
        series(kept.len() as u32, last_start, first_end, far, &mut self.spans);
    }

    /// The last place of a kept node without kept predecessors, and the first
    /// of one without kept successors: where kept chains may start and end.
    fn chain_ends(&self, dag: &Dag) -> (u32, u32) {
        let (mut last_start, mut first_end) = (0, NONE);
        for (p, &v) in self.kept.iter().enumerate() {
            if !dag.preds(v).iter().any(|&u| self.place(u).is_some()) {
                last_start = p as u32;
            }
            if first_end == NONE && !dag.succs(v).iter().any(|&s| self.place(s).is_some()) {
                first_end = p as u32;
            }
        }
        (last_start, first_end)
    }
}

/// Cuts places `0..m` of a DAG whose edges go from lower to higher places
/// into blocks in series, into `spans`: each gate a block, and the places
/// between two gates a block. A gate is a place that no edge jumps over
/// (`far(q)`, the furthest place an edge from `q` reaches, is at most `p` for
/// every `q < p`), that no chain starts after (`last_start`) and that no chain
/// ends before (`first_end`).
///
/// # Complexity
/// O(m + E) time.
pub(super) fn series(
    m: u32,
    last_start: u32,
    first_end: u32,
    far: impl Fn(u32) -> Option<u32>,
    spans: &mut Vec<Span>,
) {
    spans.clear();
    let mut start = 0;
    // The furthest place an edge from a place before `p` reaches.
    let mut reached = 0;
    for p in 0..m {
        if reached <= p && p >= last_start && p <= first_end {
            if start < p {
                spans.push(Span { lo: start, hi: p });
            }
            spans.push(Span { lo: p, hi: p + 1 });
            start = p + 1;
        }
        reached = reached.max(far(p).unwrap_or(0));
    }
    if start < m {
        spans.push(Span { lo: start, hi: m });
    }
}

/// Sums over a prefix of the blocks, with one block's total changed at a time
/// (a Fenwick tree): how long every chain is before a block starts.
#[derive(Default)]
pub(super) struct Prefix {
    tree: Vec<i64>,
}

impl Prefix {
    pub(super) fn reset(&mut self, n: usize) {
        self.tree.clear();
        self.tree.resize(n + 1, 0);
    }

    /// Adds `delta` to block `i`.
    pub(super) fn add(&mut self, i: usize, delta: i64) {
        let mut k = i + 1;
        while k < self.tree.len() {
            self.tree[k] += delta;
            k += k & k.wrapping_neg();
        }
    }

    /// The sum over the blocks before block `i`.
    pub(super) fn before(&self, i: usize) -> u32 {
        let (mut k, mut sum) = (i, 0i64);
        while k > 0 {
            sum += self.tree[k];
            k -= k & k.wrapping_neg();
        }
        sum as u32
    }
}
