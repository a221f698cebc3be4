//! The near-critical part of a graph cut into blocks in series, and each
//! block into units in series.
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
//!
//! [`Blocks::split`] cuts one block finer, by the days its own chains are
//! short of its length: a node is *live* when some chain of the block
//! through it is within `inner` days of the block's length, and a *unit
//! gate* is a live node that no chain within `inner` days jumps over (by an
//! edge, or by starting after it or ending before it). Late in a crash
//! nearly every node is within a few days of the total and a block can hold
//! thousands, but the edges that jump far (a step waiting for one fifty steps
//! back) are rarely on a chain within a few days: the units stay small.

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
    at: Vec<u32>,
    /// Per place: live in its block's last split (see the module docs).
    live: Vec<bool>,
    /// The blocks in series order, which is place order.
    pub(super) spans: Vec<Span>,
    /// The kept predecessors of place `p`, as places, are
    /// `preds[first_pred[p]..first_pred[p + 1]]`, ascending; the successors alike.
    first_pred: Vec<u32>,
    preds: Vec<u32>,
    first_succ: Vec<u32>,
    succs: Vec<u32>,
    /// Scratch for [`Blocks::split`].
    far: Vec<u32>,
    /// The places whose liveness the last split changed, ascending.
    changed: Vec<u32>,
}

/// Which nodes a pass counts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Nodes {
    /// Every kept node: a block, as it is split.
    Kept,
    /// The live nodes: a unit.
    Live,
}

/// A block's lengths, as [`Blocks::split`] reads them.
#[derive(Clone, Copy)]
pub(super) struct Lengths<'a> {
    /// Per place: counted finish from the block's entry.
    pub(super) ef: &'a [u32],
    /// Per place: counted length after it to the block's exit.
    pub(super) tail: &'a [u32],
    /// Per place: counted days.
    pub(super) weight: &'a [u32],
    /// The block's length.
    pub(super) total: u32,
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
        self.live.clear();
        self.live.resize(self.kept.len(), true);
        self.list_edges(dag);
        self.cut_at_gates();
    }

    /// Lists each kept node's kept predecessors and successors by place: the
    /// passes over blocks and units read these instead of the graph's lists.
    fn list_edges(&mut self, dag: &Dag) {
        let (kept, at) = (&self.kept, &self.at);
        for (first, list, of) in [
            (&mut self.first_pred, &mut self.preds, Dag::preds as fn(&Dag, Node) -> &[Node]),
            (&mut self.first_succ, &mut self.succs, Dag::succs),
        ] {
            first.clear();
            list.clear();
            first.push(0);
            for &v in kept {
                list.extend(of(dag, v).iter().map(|u| at[u.index()]).filter(|&q| q != NONE));
                first.push(list.len() as u32);
            }
        }
    }

    /// The places of place `p`'s kept predecessors, ascending.
    pub(super) fn preds(&self, p: u32) -> &[u32] {
        &self.preds[self.first_pred[p as usize] as usize..self.first_pred[p as usize + 1] as usize]
    }

    /// The places of place `p`'s kept successors, ascending.
    pub(super) fn succs(&self, p: u32) -> &[u32] {
        &self.succs[self.first_succ[p as usize] as usize..self.first_succ[p as usize + 1] as usize]
    }

    /// Node `u`'s place, if it is kept and live.
    pub(super) fn place(&self, u: Node) -> Option<u32> {
        self.place_of(u, Nodes::Live)
    }

    /// Whether the node at place `p` is live.
    pub(super) fn is_live(&self, p: u32) -> bool {
        self.live[p as usize]
    }

    /// Node `u`'s place, if `nodes` counts it.
    pub(super) fn place_of(&self, u: Node, nodes: Nodes) -> Option<u32> {
        Some(self.at[u.index()]).filter(|&p| p != NONE && self.counts(p, nodes))
    }

    /// The places whose liveness the last [`Blocks::split`] changed, ascending.
    pub(super) fn changed(&self) -> &[u32] {
        &self.changed
    }

    /// Whether `nodes` counts the node at place `p`.
    pub(super) fn counts(&self, p: u32, nodes: Nodes) -> bool {
        match nodes {
            Nodes::Kept => true,
            Nodes::Live => self.live[p as usize],
        }
    }

    /// Cuts block `span` into units in series, into `units` (see the module
    /// docs): each unit gate a unit of its own, and the places between two
    /// a unit. `lengths` gives each place's counted finish from the block's
    /// entry and counted length after it to the block's exit, over the
    /// block's kept nodes; `total` is the block's length. The places whose
    /// liveness changes are then [`Blocks::changed`].
    ///
    /// # Complexity
    /// O(W + E) time for a block of W places and E edges.
    pub(super) fn split(&mut self, span: Span, inner: u32, lengths: Lengths<'_>, units: &mut Vec<Span>) {
        let Span { lo, hi } = span;
        let Lengths { ef, tail, weight, total } = lengths;
        // How far a chain through an edge into place `q`, after `head` days, is short of the total.
        let short = |head: u32, q: u32| {
            total.saturating_sub(head.saturating_add(weight[q as usize]).saturating_add(tail[q as usize]))
        };
        let (mut last_start, mut first_end) = (lo, NONE);
        let mut far = std::mem::take(&mut self.far);
        far.clear();
        for p in lo..hi {
            // Both lists are ascending: the predecessors all before `p`, the successors all after it.
            let (preds, succs) = (self.preds(p), self.succs(p));
            let entered =
                preds.last().is_none_or(|&q| q < lo) || (lo > 0 && preds.binary_search(&(lo - 1)).is_ok());
            if entered && short(0, p) <= inner {
                last_start = p;
            }
            let left = succs.first().is_none_or(|&q| q >= hi) || succs.binary_search(&hi).is_ok();
            if first_end == NONE && left && total.saturating_sub(ef[p as usize]) <= inner {
                first_end = p;
            }
            let reach = succs.iter().rev().copied().find(|&q| q < hi && short(ef[p as usize], q) <= inner);
            far.push(reach.unwrap_or(0));
        }
        self.changed.clear();
        for p in lo..hi {
            let live = total.saturating_sub(ef[p as usize].saturating_add(tail[p as usize])) <= inner;
            if live != self.live[p as usize] {
                self.changed.push(p);
            }
            self.live[p as usize] = live;
        }
        let live = &self.live;
        series(
            span,
            last_start,
            first_end.min(hi),
            |p| Some(far[(p - lo) as usize]),
            |p| live[p as usize],
            units,
        );
        self.far = far;
    }

    fn cut_at_gates(&mut self) {
        let (last_start, first_end) = self.chain_ends();
        let mut spans = std::mem::take(&mut self.spans);
        let all = Span { lo: 0, hi: self.kept.len() as u32 };
        series(all, last_start, first_end, |p| self.succs(p).last().copied(), |_| true, &mut spans);
        self.spans = spans;
    }

    /// The last place of a kept node without kept predecessors, and the first
    /// of one without kept successors: where kept chains may start and end.
    fn chain_ends(&self) -> (u32, u32) {
        let (mut last_start, mut first_end) = (0, NONE);
        for p in 0..self.kept.len() as u32 {
            if self.preds(p).is_empty() {
                last_start = p;
            }
            if first_end == NONE && self.succs(p).is_empty() {
                first_end = p;
            }
        }
        (last_start, first_end)
    }
}

/// Cuts places `lo..hi` of a DAG whose edges go from lower to higher places
/// into blocks in series, into `spans`: each gate a block, and the places
/// between two gates a block. A gate is a place that `may_gate` accepts, that
/// no edge jumps over (`far(q)`, the furthest place an edge from `q` reaches,
/// is at most `p` for every `q < p`), that no chain starts after
/// (`last_start`) and that no chain ends before (`first_end`).
///
/// # Complexity
/// O(m + E) time for m = hi − lo.
pub(super) fn series(
    Span { lo, hi }: Span,
    last_start: u32,
    first_end: u32,
    far: impl Fn(u32) -> Option<u32>,
    may_gate: impl Fn(u32) -> bool,
    spans: &mut Vec<Span>,
) {
    spans.clear();
    let mut start = lo;
    // The furthest place an edge from a place before `p` reaches.
    let mut reached = lo;
    for p in lo..hi {
        if reached <= p && p >= last_start && p <= first_end && may_gate(p) {
            if start < p {
                spans.push(Span { lo: start, hi: p });
            }
            spans.push(Span { lo: p, hi: p + 1 });
            start = p + 1;
        }
        reached = reached.max(far(p).unwrap_or(0));
    }
    if start < hi {
        spans.push(Span { lo: start, hi });
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
