//! The cheapest cut of a critical network: a minimum vertex cut by max-flow
//! (Dinic's algorithm), each step split into an in and an out vertex joined by an
//! edge of its cost per day.
//!
//! Both crashes build their networks through [`CutNetwork`]: the day-by-day
//! one over the whole graph, the breakpoint one over one block at a time.
//! The steps it returns are those whose in vertex the source still reaches
//! once the flow is maximal and whose out vertex it does not: the minimum cut
//! nearest the source, which is the same whatever order the augmenting paths
//! are found in.

use std::collections::VecDeque;

use super::Limits;

/// Added to every step's capacity so that among equally cheap cuts the one with fewer steps wins.
const PER_STEP: f64 = 1e-6;

/// What one day off step `v` costs in the network: its cost per day when it
/// is counted and above its `min`, without limit otherwise (it cannot be cut).
pub(super) fn capacity(limits: Limits<'_>, promised: &[u32], v: usize) -> Capacity {
    if limits.counted[v] && promised[v] > limits.min[v] {
        Capacity::Finite(limits.cost[v].max(0.0) + PER_STEP)
    } else {
        Capacity::Unbounded
    }
}

/// How much an edge of the [`Network`] can still carry.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Capacity {
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

/// A critical network of `k` steps, numbered `0..k` by the caller: step `i`
/// is the edge `2i → 2i+1`, the source and the sink come last. One value can
/// hold one network after another ([`CutNetwork::reset`]), reusing its memory.
#[derive(Default)]
pub(super) struct CutNetwork {
    net: Network,
    k: usize,
}

impl CutNetwork {
    pub(super) fn new(k: usize) -> CutNetwork {
        let mut net = CutNetwork::default();
        net.reset(k);
        net
    }

    /// Empties the network for `k` steps.
    pub(super) fn reset(&mut self, k: usize) {
        self.net.reset(2 * k + 2);
        self.k = k;
    }

    /// Step `i` with what one day off it costs.
    pub(super) fn step(&mut self, i: usize, capacity: Capacity) {
        self.net.add(2 * i, 2 * i + 1, capacity);
    }

    /// Step `i` starts a critical chain.
    pub(super) fn starts(&mut self, i: usize) {
        self.net.add(2 * self.k, 2 * i, Capacity::Unbounded);
    }

    /// Step `i` ends a critical chain.
    pub(super) fn ends(&mut self, i: usize) {
        self.net.add(2 * i + 1, 2 * self.k + 1, Capacity::Unbounded);
    }

    /// Step `j` follows step `i` on a critical chain.
    pub(super) fn link(&mut self, i: usize, j: usize) {
        self.net.add(2 * i + 1, 2 * j, Capacity::Unbounded);
    }

    /// The cheapest cut's cost and its steps' numbers, ascending; `None` when
    /// some critical chain has no step that can be cut.
    pub(super) fn cheapest(&mut self) -> Option<(f64, Vec<usize>)> {
        let (source, sink) = (2 * self.k, 2 * self.k + 1);
        // An unbounded flow: some critical chain has no step that can be cut.
        let flow = self.net.max_flow(source, sink)?;
        let seen = self.net.search(source, Capacity::is_open);
        Some((flow, (0..self.k).filter(|&i| seen[2 * i] != NONE && seen[2 * i + 1] == NONE).collect()))
    }
}

/// A flow network for Dinic's algorithm: edges stored in pairs (forward,
/// reverse), listed per vertex once every edge is in ([`Network::index`]).
#[derive(Default)]
struct Network {
    /// Per edge: where it starts and ends, and what it can still carry.
    from: Vec<u32>,
    to: Vec<u32>,
    cap: Vec<Capacity>,
    /// The edges leaving vertex `a` are `out[start[a]..start[a + 1]]`.
    start: Vec<u32>,
    out: Vec<u32>,
    /// Scratch for the searches: each vertex's level, the queue, each
    /// vertex's current edge and the path being walked.
    level: Vec<u32>,
    queue: VecDeque<usize>,
    next: Vec<u32>,
    path: Vec<u32>,
}

impl Network {
    /// Empties the network for `n` vertices.
    fn reset(&mut self, n: usize) {
        self.from.clear();
        self.to.clear();
        self.cap.clear();
        self.start.clear();
        self.start.resize(n + 1, 0);
    }

    fn add(&mut self, a: usize, b: usize, cap: Capacity) {
        for (x, y, c) in [(a, b, cap), (b, a, Capacity::Finite(0.0))] {
            self.from.push(x as u32);
            self.to.push(y as u32);
            self.cap.push(c);
        }
    }

    /// Lists the edges by the vertex they leave, each vertex's in the order they were added.
    fn index(&mut self) {
        let n = self.start.len() - 1;
        self.start.fill(0);
        for &a in &self.from {
            self.start[a as usize + 1] += 1;
        }
        for a in 0..n {
            self.start[a + 1] += self.start[a];
        }
        let mut next = std::mem::take(&mut self.next);
        next.clear();
        next.extend_from_slice(&self.start);
        self.out.clear();
        self.out.resize(self.from.len(), 0);
        for (e, &a) in self.from.iter().enumerate() {
            self.out[next[a as usize] as usize] = e as u32;
            next[a as usize] += 1;
        }
        self.next = next;
    }

    /// The maximum flow from `s` to `t`, or `None` when a path of unbounded
    /// edges joins them (no finite cut exists).
    fn max_flow(&mut self, s: usize, t: usize) -> Option<f64> {
        self.index();
        if self.search(s, |c| c == Capacity::Unbounded)[t] != NONE {
            return None;
        }
        let mut flow = 0.0;
        loop {
            if self.search(s, Capacity::is_open)[t] == NONE {
                return Some(flow);
            }
            flow += self.blocking_flow(s, t);
        }
    }

    /// Breadth-first distances from `s` over the edges `open` accepts; [`NONE`] where it does not reach.
    fn search(&mut self, s: usize, open: impl Fn(Capacity) -> bool) -> &[u32] {
        let (level, queue) = (&mut self.level, &mut self.queue);
        level.clear();
        level.resize(self.start.len() - 1, NONE);
        level[s] = 0;
        queue.clear();
        queue.push_back(s);
        while let Some(a) = queue.pop_front() {
            for &e in &self.out[self.start[a] as usize..self.start[a + 1] as usize] {
                let b = self.to[e as usize] as usize;
                if level[b] == NONE && open(self.cap[e as usize]) {
                    level[b] = level[a] + 1;
                    queue.push_back(b);
                }
            }
        }
        level
    }

    /// Augments along shortest paths (each edge one level further from `s`)
    /// until none is left, walking depth first with a current edge per
    /// vertex; returns the flow added. Every such path has a finite edge.
    /// The levels are those of the last [`Network::search`].
    fn blocking_flow(&mut self, s: usize, t: usize) -> f64 {
        let mut level = std::mem::take(&mut self.level);
        let mut next = std::mem::take(&mut self.next);
        next.clear();
        next.extend_from_slice(&self.start[..self.start.len() - 1]);
        let mut path = std::mem::take(&mut self.path);
        path.clear();
        let added = self.walk(s, t, &mut level, &mut next, &mut path);
        (self.level, self.next, self.path) = (level, next, path);
        added
    }

    /// The walk of [`Network::blocking_flow`].
    fn walk(&mut self, s: usize, t: usize, level: &mut [u32], next: &mut [u32], path: &mut Vec<u32>) -> f64 {
        let mut added = 0.0;
        let mut a = s;
        loop {
            if a == t {
                added += self.augment(path);
                path.clear();
                a = s;
                continue;
            }
            let end = self.start[a + 1];
            while next[a] < end {
                let e = self.out[next[a] as usize] as usize;
                let b = self.to[e] as usize;
                if level[b] == level[a] + 1 && self.cap[e].is_open() {
                    break;
                }
                next[a] += 1;
            }
            if next[a] < end {
                let e = self.out[next[a] as usize];
                path.push(e);
                a = self.to[e as usize] as usize;
            } else {
                // A dead end: no path to `t` through `a` at this level any more.
                level[a] = NONE;
                let Some(e) = path.pop() else { return added };
                a = self.from[e as usize] as usize;
                next[a] += 1;
            }
        }
    }

    /// Pushes the least capacity along `path` through it.
    fn augment(&mut self, path: &[u32]) -> f64 {
        let push = path
            .iter()
            .filter_map(|&e| match self.cap[e as usize] {
                Capacity::Finite(c) => Some(c),
                Capacity::Unbounded => None,
            })
            .fold(f64::INFINITY, f64::min);
        for &e in path {
            if let Capacity::Finite(c) = &mut self.cap[e as usize] {
                *c -= push;
            }
            if let Capacity::Finite(c) = &mut self.cap[e as usize ^ 1] {
                *c += push;
            }
        }
        push
    }
}

/// Marks a vertex the search did not reach.
const NONE: u32 = u32::MAX;
