//! The greedy crash from breakpoint to breakpoint, one unit of a block at a time.
//!
//! The cheapest cut depends only on the critical network and on which of its
//! steps can still lose a day. Cutting a set S one day at a time leaves both
//! alone, so [`crash_by_day`](super::crash_by_day) cuts the same S again the
//! next day, until one of three things happens: the total reaches the budget;
//! a step of S reaches its `min`; or the network changes — a chain that avoids
//! S becomes critical (after as many days as the longest such chain is short
//! of the total), or a critical chain through S twice stops being critical
//! (after one day). So S loses the fewest of those days at once.
//!
//! Each breakpoint looks at one block of the near-critical part of the graph
//! ([`Blocks`]), not at the whole graph. The crash goes in *phases*: a phase
//! keeps the nodes within `reach` days of the total and lasts until `reach`
//! days have been cut (or the budget is met). A node left out was more than
//! `reach` days short of the total; each day cut shortens the total by one
//! and no chain by less than nothing, so until the phase ends it stays more
//! than the days still to cut in the phase short of it, and can neither turn
//! critical nor end a stride. Within a phase, every chain that matters passes
//! every block in series, so:
//! - the critical network is the blocks' critical networks in series, and its
//!   cheapest cut is the cheapest block's own (the earliest among equals: the
//!   cut nearest the source);
//! - cutting a block's cut changes that block alone, and its stride depends
//!   on that block and on the lengths before and after it.
//!
//! Each block is cut finer into *units* ([`Blocks::split`]): the live nodes
//! are those on a chain of the block within `inner` days of the block's
//! length, and a unit gate is a live node no such chain jumps over. A
//! block's own lengths change only when it is cut (each chain's days in
//! other blocks do not count in them), and each day cut in it shortens the
//! block by one and no chain of it by less than nothing; so until `inner`
//! days have been cut in the block, a chain more than `inner` days short of
//! it at the split stays short of it, and neither turns critical nor ends a
//! stride: the units are in series for every chain that matters, just as
//! the blocks are. A stride stops when the block has had its `inner` days,
//! and the block is split again. Within a unit only the live nodes count,
//! and a chain enters it only from the gate before it and leaves only to the
//! gate after it: a live node's chains within `inner` days come in by edges
//! within `inner` days, and those jump over no unit gate. (A stride that
//! stops short of a breakpoint, at a split or a phase's end, changes
//! nothing: the next breakpoint finds the same cut.) A breakpoint then costs
//! one pass and one max-flow over one unit, a split a few passes over its
//! block, and a phase one longest path over the whole graph.

use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::ops::Bound;

use super::blocks::{Blocks, Lengths, Nodes, Prefix, Span};
use super::critical::Critical;
use super::network::capacity;
use super::{CutPlan, Limits, plan_of};
use crate::graph::{Dag, Node};
use crate::schedule::cpm::Cpm;

/// See [`crash`](super::crash); `reach` is the days a phase may cut, `inner`
/// the days a block may be cut between two splits (both at least 1).
pub(super) fn crash(dag: &Dag, limits: Limits<'_>, budget: u32, reach: u32, inner: u32) -> CutPlan {
    let mut crash = Crash {
        dag,
        limits,
        budget,
        reach: reach.max(1),
        inner: inner.max(1),
        promised: limits.promised.to_vec(),
        cut_days: vec![0; dag.len()],
    };
    let mut cpm = Cpm::default();
    let mut phase = Phase::default();
    let (total, reaches_budget) = loop {
        cpm.rerun(dag, &crash.promised, limits.counted);
        if cpm.total_days() <= budget {
            break (cpm.total_days(), true);
        }
        phase.start(&crash, &cpm);
        match phase.run(&mut crash) {
            End::Spent => continue,
            End::Within => break (phase.total, true),
            End::Stuck => break (phase.total, false),
        }
    };
    plan_of(&crash.cut_days, limits, total, reaches_budget)
}

/// What does not change during a crash, and the days cut so far.
struct Crash<'a> {
    dag: &'a Dag,
    limits: Limits<'a>,
    budget: u32,
    reach: u32,
    inner: u32,
    /// Promised days less the days cut.
    promised: Vec<u32>,
    cut_days: Vec<u32>,
}

impl Crash<'_> {
    /// Counted days of node `v` as cut so far.
    fn weight(&self, v: Node) -> u32 {
        if self.limits.counted[v.index()] { self.promised[v.index()] } else { 0 }
    }
}

/// How a phase ended.
enum End {
    /// `reach` days were cut: look at the whole graph again.
    Spent,
    /// The total is within budget.
    Within,
    /// Some critical chain has no step left that can lose a day.
    Stuck,
}

/// A unit's state, kept at its first place: where it ends, its block, its
/// length and its cheapest cut.
#[derive(Default)]
struct Unit {
    hi: u32,
    block: u32,
    total: u32,
    /// Its cost, and its steps ascending; `None` when it cannot be cut.
    cut: Option<(f64, Vec<Node>)>,
}

/// A cut's cost as an ordered key.
#[derive(Clone, Copy, PartialEq)]
struct Cost(f64);

impl Eq for Cost {}

impl PartialOrd for Cost {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Cost {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// Per kept place, within its block: counted earliest finish from the
/// block's entry, and counted length after it to the block's exit.
#[derive(Default)]
struct Paths {
    ef: Vec<u32>,
    tail: Vec<u32>,
}

impl Paths {
    fn is_critical(&self, p: u32, total: u32) -> bool {
        self.ef[p as usize].saturating_add(self.tail[p as usize]) == total
    }
}

/// `ef` and `tail` over the places of `lo..hi` that `nodes` counts, within
/// `lo..hi`; returns their length.
fn longest_paths(
    blocks: &Blocks,
    weight: &[u32],
    Span { lo, hi }: Span,
    nodes: Nodes,
    paths: &mut Paths,
) -> u32 {
    let counted = |q: u32| blocks.counts(q, nodes);
    let mut total = 0;
    for p in (lo..hi).filter(|&p| counted(p)) {
        let before = blocks.preds(p).iter().copied().filter(|&q| q >= lo && counted(q));
        let start = before.map(|q| paths.ef[q as usize]).max();
        paths.ef[p as usize] = start.unwrap_or(0).saturating_add(weight[p as usize]);
        total = total.max(paths.ef[p as usize]);
    }
    for p in (lo..hi).rev().filter(|&p| counted(p)) {
        let after = blocks.succs(p).iter().copied().filter(|&q| q < hi && counted(q));
        let tail = after.map(|q| weight[q as usize].saturating_add(paths.tail[q as usize])).max();
        paths.tail[p as usize] = tail.unwrap_or(0);
    }
    total
}

/// One phase: the kept nodes, their blocks, the blocks' units and the units' cuts.
#[derive(Default)]
struct Phase {
    blocks: Blocks,
    /// Per place: the unit that starts there, if one does.
    state: Vec<Unit>,
    /// Per block: the days cut in it since it was last split.
    cut_in: Vec<u32>,
    /// The units that can be cut, cheapest first, by first place.
    ranked: BTreeSet<(Cost, u32)>,
    /// The units' lengths, each at its first place.
    prefix: Prefix,
    units: Vec<Span>,
    old_units: Vec<Span>,
    /// Per live place: its unit's longest paths, as of the unit's last evaluation.
    paths: Paths,
    /// Per kept place: its block's longest paths, as of the block's last split.
    whole: Paths,
    /// Per kept place: its counted days as cut so far.
    weight: Vec<u32>,
    /// Per kept place: scratch for one block at a time.
    scratch: Vec<u32>,
    /// Per kept place: in the cut being made.
    marked: Vec<bool>,
    critical: Critical,
    /// The critical places of the block being evaluated.
    critical_places: Vec<u32>,
    total: u32,
    spent: u32,
}

impl Phase {
    fn start(&mut self, crash: &Crash<'_>, cpm: &Cpm) {
        self.blocks.rebuild(crash.dag, cpm, crash.reach);
        let (m, k) = (self.blocks.kept.len(), self.blocks.spans.len());
        let Phase { paths, whole, scratch, .. } = self;
        for v in [&mut paths.ef, &mut paths.tail, &mut whole.ef, &mut whole.tail, scratch] {
            v.clear();
            v.resize(m, 0);
        }
        self.marked.clear();
        self.marked.resize(m, false);
        self.weight.clear();
        self.weight.extend(self.blocks.kept.iter().map(|&v| crash.weight(v)));
        self.state.clear();
        self.state.resize_with(m, Unit::default);
        self.cut_in.clear();
        self.cut_in.resize(k, 0);
        self.ranked.clear();
        self.prefix.reset(m);
        for b in 0..k {
            self.split(crash, b, None);
        }
        self.total = cpm.total_days();
        self.spent = 0;
        debug_assert_eq!(self.prefix.before(m), self.total, "the units are in series");
    }

    fn run(&mut self, crash: &mut Crash<'_>) -> End {
        loop {
            if self.total <= crash.budget {
                return End::Within;
            }
            if self.spent >= crash.reach {
                return End::Spent;
            }
            let Some(u) = self.cheapest_unit() else {
                return End::Stuck;
            };
            let days = self.stride(crash, u);
            let Some((_, set)) = &self.state[u as usize].cut else { unreachable!("a ranked unit has a cut") };
            for &v in set {
                crash.promised[v.index()] -= days;
                crash.cut_days[v.index()] += days;
                if let Some(p) = self.blocks.place(v) {
                    self.weight[p as usize] = crash.weight(v);
                }
            }
            self.spent += days;
            self.total -= days;
            let b = self.state[u as usize].block as usize;
            self.cut_in[b] += days;
            if self.cut_in[b] >= crash.inner {
                self.split(crash, b, Some(u));
            } else {
                self.evaluate(crash, u);
            }
        }
    }

    /// Block `b` cut into units afresh; its old units dropped, each new one
    /// evaluated. A unit the same as an old one that was not cut since it was
    /// evaluated (any but `cut`, the one just cut) keeps its length and cut:
    /// the nodes it gains were not live because they are more than the days
    /// cut since short of the block's length, so none of them is critical.
    fn split(&mut self, crash: &Crash<'_>, b: usize, cut: Option<u32>) {
        let span = self.blocks.spans[b];
        let mut old = std::mem::take(&mut self.old_units);
        old.clear();
        let mut lo = span.lo;
        while lo < span.hi && cut.is_some() {
            let unit = &self.state[lo as usize];
            if let Some((cost, _)) = &unit.cut {
                self.ranked.remove(&(Cost(*cost), lo));
            }
            self.prefix.add(lo as usize, -i64::from(unit.total));
            old.push(Span { lo, hi: unit.hi });
            lo = unit.hi;
        }
        let total = longest_paths(&self.blocks, &self.weight, span, Nodes::Kept, &mut self.whole);
        let lengths = Lengths { ef: &self.whole.ef, tail: &self.whole.tail, weight: &self.weight, total };
        let mut units = std::mem::take(&mut self.units);
        self.blocks.split(span, crash.inner, lengths, &mut units);
        let mut olds = old.iter().peekable();
        // The first of the places whose liveness changed that is not before the unit.
        let mut changes = 0;
        for &unit in &units {
            while olds.next_if(|o| o.lo < unit.lo).is_some() {}
            let same = olds.peek().is_some_and(|o| o.lo == unit.lo && o.hi == unit.hi);
            let changed = self.blocks.changed();
            while changes < changed.len() && changed[changes] < unit.lo {
                changes += 1;
            }
            let gained = changes < changed.len() && changed[changes] < unit.hi;
            if same && cut != Some(unit.lo) {
                self.keep(crash, unit, gained);
            } else {
                self.state[unit.lo as usize] = Unit { hi: unit.hi, block: b as u32, total: 0, cut: None };
                self.evaluate(crash, unit.lo);
            }
        }
        self.units = units;
        self.old_units = old;
        self.cut_in[b] = 0;
    }

    /// A unit of a new split that is the same as an old one, not cut since
    /// it was evaluated: its longest paths afresh if it `gained` nodes, its
    /// length and cut as they were.
    fn keep(&mut self, crash: &Crash<'_>, span: Span, gained: bool) {
        if gained {
            longest_paths(&self.blocks, &self.weight, span, Nodes::Live, &mut self.paths);
        }
        if cfg!(debug_assertions) {
            self.check_kept(crash, span);
        }
        let unit = &self.state[span.lo as usize];
        self.prefix.add(span.lo as usize, i64::from(unit.total));
        if let Some((cost, _)) = &unit.cut {
            self.ranked.insert((Cost(*cost), span.lo));
        }
    }

    /// For the tests: what [`Phase::keep`] kept is what evaluating the unit afresh gives.
    fn check_kept(&mut self, crash: &Crash<'_>, span: Span) {
        let kept = Paths { ef: self.paths.ef.clone(), tail: self.paths.tail.clone() };
        let total = longest_paths(&self.blocks, &self.weight, span, Nodes::Live, &mut self.paths);
        for p in (span.lo..span.hi).filter(|&p| self.blocks.is_live(p)) {
            let p = p as usize;
            assert_eq!(
                (kept.ef[p], kept.tail[p]),
                (self.paths.ef[p], self.paths.tail[p]),
                "a kept unit's paths"
            );
        }
        let unit = &self.state[span.lo as usize];
        assert_eq!(total, unit.total, "a unit not cut keeps its length");
        let was = unit.cut.as_ref().map(|(c, set)| (c.to_bits(), set.clone()));
        let afresh = self.cheapest_cut(crash, span, total).map(|(c, set)| (c.to_bits(), set));
        assert_eq!(afresh, was, "a unit not cut keeps its cut");
    }

    /// The unit whose cut is cheapest; among equal costs (to rounding, as
    /// the max-flow sees a residual capacity under 1e-12 as none) the earliest.
    fn cheapest_unit(&self) -> Option<u32> {
        let &(Cost(least), mut best) = self.ranked.first()?;
        let near = least + 1e-12 * least.abs().max(1.0);
        // The earliest block of each cost up to `near`, one cost after another.
        let mut cost = least;
        while let Some(&(Cost(next), b)) =
            self.ranked.range((Bound::Excluded((Cost(cost), u32::MAX)), Bound::Unbounded)).next()
        {
            if next > near {
                break;
            }
            best = best.min(b);
            cost = next;
        }
        Some(best)
    }

    /// The longest paths, critical network and cheapest cut of the unit
    /// that starts at place `u`, afresh.
    fn evaluate(&mut self, crash: &Crash<'_>, u: u32) {
        let unit = &mut self.state[u as usize];
        if let Some((cost, _)) = unit.cut.take() {
            self.ranked.remove(&(Cost(cost), u));
        }
        let span = Span { lo: u, hi: unit.hi };
        let total = longest_paths(&self.blocks, &self.weight, span, Nodes::Live, &mut self.paths);
        let cut = self.cheapest_cut(crash, span, total);
        let unit = &mut self.state[u as usize];
        self.prefix.add(u as usize, i64::from(total) - i64::from(unit.total));
        unit.total = total;
        if let Some((cost, _)) = &cut {
            self.ranked.insert((Cost(*cost), u));
        }
        unit.cut = cut;
    }

    /// The cheapest cut of the unit's critical network, as the whole
    /// network's would be if this unit held it.
    fn cheapest_cut(&mut self, crash: &Crash<'_>, span: Span, total: u32) -> Option<(f64, Vec<Node>)> {
        let (blocks, paths, weight) = (&self.blocks, &self.paths, &self.weight);
        let critical = &mut self.critical_places;
        critical.clear();
        critical.extend((span.lo..span.hi).filter(|&p| blocks.is_live(p) && paths.is_critical(p, total)));
        for (i, &p) in critical.iter().enumerate() {
            self.scratch[p as usize] = i as u32;
        }
        let net = &mut self.critical;
        net.clear();
        for &p in critical.iter() {
            let ef = paths.ef[p as usize];
            net.step(ef == weight[p as usize], paths.tail[p as usize] == 0);
            for &q in blocks.succs(p).iter().filter(|&&q| q < span.hi && blocks.is_live(q)) {
                if paths.is_critical(q, total) && ef == paths.ef[q as usize] - weight[q as usize] {
                    net.link(self.scratch[q as usize]);
                }
            }
        }
        let node = |i: u32| blocks.kept[critical[i as usize] as usize];
        let (cost, set) = net.cheapest(|i| capacity(crash.limits, &crash.promised, node(i).index()))?;
        Some((cost, set.into_iter().map(node).collect()))
    }

    /// How many days the cut of the unit at `u` stays the cheapest (see the
    /// module docs), at most what is left to the budget, to the phase's end
    /// and to its block's next split; at least 1.
    fn stride(&mut self, crash: &Crash<'_>, u: u32) -> u32 {
        let unit = &self.state[u as usize];
        let Some((_, set)) = &unit.cut else { return 1 };
        let (promised, min) = (&crash.promised, crash.limits.min);
        let room = set.iter().map(|&v| promised[v.index()] - min[v.index()]).min().unwrap_or(1);
        let days = (self.total - crash.budget)
            .min(room)
            .min(crash.reach - self.spent)
            .min(crash.inner - self.cut_in[unit.block as usize]);
        if days <= 1 {
            return 1;
        }
        let places: Vec<usize> =
            set.iter().filter_map(|&v| self.blocks.place(v)).map(|p| p as usize).collect();
        for &p in &places {
            self.marked[p] = true;
        }
        let span = Span { lo: u, hi: unit.hi };
        let days = if self.crosses_twice(span, unit.total) {
            1
        } else {
            days.min(self.total - self.longest_avoiding(span)).max(1)
        };
        for &p in &places {
            self.marked[p] = false;
        }
        days
    }

    /// Whether a critical chain of the unit passes two marked steps.
    fn crosses_twice(&mut self, Span { lo, hi }: Span, total: u32) -> bool {
        let (blocks, paths, weight) = (&self.blocks, &self.paths, &self.weight);
        // The most marked steps on a critical chain up to each critical place.
        let hits = &mut self.scratch;
        for p in lo..hi {
            if !blocks.is_live(p) || !paths.is_critical(p, total) {
                continue;
            }
            let es = paths.ef[p as usize] - weight[p as usize];
            let before = blocks
                .preds(p)
                .iter()
                .filter(|&&q| q >= lo && blocks.is_live(q))
                .filter(|&&q| paths.ef[q as usize] == es && paths.is_critical(q, total))
                .map(|&q| hits[q as usize])
                .max()
                .unwrap_or(0);
            hits[p as usize] = before + u32::from(self.marked[p as usize]);
            if hits[p as usize] >= 2 {
                return true;
            }
        }
        false
    }

    /// The longest chain that avoids the marked steps of the unit `lo..hi`:
    /// ending before the unit, starting after it, or passing through or into
    /// it. Only edges from the gate before it and to the gate after it lead
    /// in and out: an edge that jumps over a unit gate is on no chain that
    /// matters (see the module docs).
    fn longest_avoiding(&mut self, Span { lo, hi }: Span) -> u32 {
        let (blocks, weight) = (&self.blocks, &self.weight);
        let before = self.prefix.before(lo as usize);
        let after = self.total - before - self.state[lo as usize].total;
        let mut avoiding = before.max(after);
        // An edge from the gate before the unit to the gate after it.
        if lo > 0 && blocks.succs(lo - 1).contains(&hi) && blocks.is_live(hi) {
            avoiding = avoiding.max(before + after);
        }
        // The longest chain avoiding the marked steps up to each unmarked place.
        let longest = &mut self.scratch;
        for p in lo..hi {
            if self.marked[p as usize] || !blocks.is_live(p) {
                continue;
            }
            let mut start = 0u32;
            for &q in blocks.preds(p).iter().filter(|&&q| blocks.is_live(q)) {
                if q + 1 == lo {
                    start = start.max(before);
                } else if q >= lo && !self.marked[q as usize] {
                    start = start.max(longest[q as usize]);
                }
            }
            let len = start.saturating_add(weight[p as usize]);
            longest[p as usize] = len;
            avoiding = avoiding.max(len);
            if blocks.succs(p).contains(&hi) && blocks.is_live(hi) {
                avoiding = avoiding.max(len.saturating_add(after));
            }
        }
        avoiding
    }
}
