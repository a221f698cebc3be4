//! A critical network cut at its own gates: its cheapest cut is the cheapest
//! among those of its parts in series, each found by a max-flow of its own.
//!
//! Late in a crash the critical network of a block can hold thousands of
//! steps in a long series of short parallel stretches; one max-flow over all
//! of it would search the whole length once per augmenting path.

use super::blocks::{Span, series};
use super::network::{Capacity, CutNetwork};

/// A critical network: steps `0..k` in topological order, which ones start
/// or end a critical chain, and the links between them.
#[derive(Default)]
pub(super) struct Critical {
    starts: Vec<bool>,
    ends: Vec<bool>,
    /// The links from step `i` are `links[first[i]..first[i + 1]]`, ascending.
    first: Vec<u32>,
    links: Vec<u32>,
    parts: Vec<Span>,
    /// Per part: its cheapest cut's cost and steps (`None` for a part of one step).
    costs: Vec<Option<(f64, Option<Vec<u32>>)>>,
    /// One part's network at a time.
    net: CutNetwork,
}

impl Critical {
    pub(super) fn clear(&mut self) {
        self.starts.clear();
        self.ends.clear();
        self.first.clear();
        self.first.push(0);
        self.links.clear();
    }

    /// Adds the next step; then [`Critical::link`] its links.
    pub(super) fn step(&mut self, starts: bool, ends: bool) {
        self.starts.push(starts);
        self.ends.push(ends);
        self.first.push(self.links.len() as u32);
    }

    /// Links the last step added to the later step `j`.
    pub(super) fn link(&mut self, j: u32) {
        self.links.push(j);
        if let Some(last) = self.first.last_mut() {
            *last += 1;
        }
    }

    fn links(&self, i: u32) -> &[u32] {
        &self.links[self.first[i as usize] as usize..self.first[i as usize + 1] as usize]
    }

    /// The cheapest cut's cost and its steps, ascending; among parts of equal
    /// cost (to rounding), the earliest's; `None` when no part can be cut.
    pub(super) fn cheapest(&mut self, capacity: impl Fn(u32) -> Capacity) -> Option<(f64, Vec<u32>)> {
        let k = self.starts.len() as u32;
        let last_start = (0..k).rev().find(|&i| self.starts[i as usize]).unwrap_or(0);
        let first_end = (0..k).find(|&i| self.ends[i as usize]).unwrap_or(k);
        let mut parts = std::mem::take(&mut self.parts);
        series(
            Span { lo: 0, hi: k },
            last_start,
            first_end,
            |i| self.links(i).last().copied(),
            |_| true,
            &mut parts,
        );
        let mut costs = std::mem::take(&mut self.costs);
        let mut net = std::mem::take(&mut self.net);
        costs.clear();
        costs.extend(parts.iter().map(|&part| self.part_cost(&mut net, part, &capacity)));
        let least = costs.iter().flatten().map(|&(c, _)| c).fold(f64::INFINITY, f64::min);
        let near = least + 1e-12 * least.abs().max(1.0);
        let found = costs.iter().position(|c| c.as_ref().is_some_and(|&(c, _)| c <= near)).and_then(|i| {
            let (cost, set) = costs[i].take()?;
            Some((cost, set.unwrap_or_else(|| vec![parts[i].lo])))
        });
        self.parts = parts;
        self.costs = costs;
        self.net = net;
        found
    }

    /// One part's cheapest cut, without its steps for a part of one step.
    fn part_cost(
        &self,
        net: &mut CutNetwork,
        part: Span,
        capacity: impl Fn(u32) -> Capacity,
    ) -> Option<(f64, Option<Vec<u32>>)> {
        match capacity(part.lo) {
            Capacity::Finite(c) if part.hi - part.lo == 1 && !self.bypassed(part.lo, part.hi) => {
                Some((c, None))
            }
            _ if part.hi - part.lo == 1 => None,
            _ => self.part_cut(net, part, capacity).map(|(c, set)| (c, Some(set))),
        }
    }

    /// The cheapest cut of one part of several steps, entered from the step before it (or the
    /// source) and left to the step after it (or the sink).
    fn part_cut(
        &self,
        net: &mut CutNetwork,
        Span { lo, hi }: Span,
        capacity: impl Fn(u32) -> Capacity,
    ) -> Option<(f64, Vec<u32>)> {
        if self.bypassed(lo, hi) {
            return None;
        }
        let entered = |i: u32| self.starts[i as usize] || (lo > 0 && self.links(lo - 1).contains(&i));
        let left = |i: u32| self.ends[i as usize] || self.links(i).contains(&hi);
        net.reset((hi - lo) as usize);
        for i in lo..hi {
            let at = (i - lo) as usize;
            net.step(at, capacity(i));
            if entered(i) {
                net.starts(at);
            }
            if left(i) {
                net.ends(at);
            }
            for &j in self.links(i).iter().filter(|&&j| j < hi) {
                net.link(at, (j - lo) as usize);
            }
        }
        let (cost, set) = net.cheapest()?;
        Some((cost, set.into_iter().map(|i| lo + i as u32).collect()))
    }

    /// Whether a critical chain goes from before the part to after it
    /// without passing it: then the part holds no cut.
    fn bypassed(&self, lo: u32, hi: u32) -> bool {
        let k = self.starts.len() as u32;
        match (lo > 0, hi < k) {
            (true, true) => self.links(lo - 1).contains(&hi),
            (false, true) => self.starts[hi as usize],
            (true, false) => self.ends[lo as usize - 1],
            (false, false) => false,
        }
    }
}
