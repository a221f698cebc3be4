//! Which step waits for which: the edges that blocks, stages and `after` imply.

use serde::Serialize;

use super::{Block, Stage, Step, StepIdx, Target};
use crate::diag::Span;

/// Why one step waits for another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EdgeOrigin {
    /// Serial order: the list, or one stage after the previous.
    Sequence,
    /// An `after` entry, written at this span.
    After(Span),
}

/// `to` cannot start before `from` finishes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Edge {
    /// The step waited for.
    pub from: StepIdx,
    /// The waiting step.
    pub to: StepIdx,
    /// Why.
    pub origin: EdgeOrigin,
}

/// First and last steps of a block: what waits for it waits for `exits`,
/// and `entries` wait for whatever comes before it.
#[derive(Default)]
struct Ends {
    entries: Vec<StepIdx>,
    exits: Vec<StepIdx>,
}

/// Every edge of a flow, with all conditions taken as true.
///
/// # Complexity
/// O(S + E) time and memory, where E counts the edges produced: a parallel
/// block of `a` items followed by one of `b` items yields `a × b` edges.
pub(crate) fn edges(stages: &[Stage], steps: &[Step], lookup: &dyn Fn(&str) -> Option<Target>) -> Vec<Edge> {
    let mut out = Vec::with_capacity(steps.len() * 2);
    let stage_ends: Vec<Ends> = stages.iter().map(|s| serial(&s.body, &mut out)).collect();
    for (k, stage) in stages.iter().enumerate() {
        let entries = &stage_ends[k].entries;
        match &stage.after {
            None => {
                if let Some(prev) = stage_ends[..k].iter().rev().find(|e| !e.exits.is_empty()) {
                    link(&prev.exits, entries, EdgeOrigin::Sequence, &mut out);
                }
            }
            Some(refs) => {
                for r in refs {
                    if let Some(t) = lookup(&r.id) {
                        let mut one = [StepIdx(0)];
                        link(exits(t, &stage_ends, &mut one), entries, EdgeOrigin::After(r.span), &mut out);
                    }
                }
            }
        }
    }
    for (i, step) in steps.iter().enumerate() {
        let to = [StepIdx(i as u32)];
        for r in &step.after {
            if let Some(t) = lookup(&r.id) {
                let mut one = [StepIdx(0)];
                link(exits(t, &stage_ends, &mut one), &to, EdgeOrigin::After(r.span), &mut out);
            }
        }
    }
    out
}

/// What waits for `t` waits for these: a step (put in `one`), or a stage's last steps.
fn exits<'e>(t: Target, stage_ends: &'e [Ends], one: &'e mut [StepIdx; 1]) -> &'e [StepIdx] {
    match t {
        Target::Step(i) => {
            *one = [i];
            one
        }
        Target::Stage(k) => &stage_ends[k].exits,
    }
}

fn link(from: &[StepIdx], to: &[StepIdx], origin: EdgeOrigin, out: &mut Vec<Edge>) {
    for &f in from {
        for &t in to {
            out.push(Edge { from: f, to: t, origin });
        }
    }
}

fn serial(items: &[Block], out: &mut Vec<Edge>) -> Ends {
    let mut ends = Ends::default();
    for item in items {
        // A step is its own entry and exit: no lists of its own.
        if let Block::Step(i) = *item {
            if ends.entries.is_empty() {
                ends.entries.push(i);
            } else {
                link(&ends.exits, &[i], EdgeOrigin::Sequence, out);
            }
            ends.exits.clear();
            ends.exits.push(i);
            continue;
        }
        let e = block(item, out);
        if e.entries.is_empty() {
            continue;
        }
        if ends.entries.is_empty() {
            ends.entries = e.entries;
        } else {
            link(&ends.exits, &e.entries, EdgeOrigin::Sequence, out);
        }
        ends.exits = e.exits;
    }
    ends
}

fn block(b: &Block, out: &mut Vec<Edge>) -> Ends {
    match b {
        Block::Step(i) => Ends { entries: vec![*i], exits: vec![*i] },
        Block::Serial(items) => serial(items, out),
        Block::Parallel(items) => {
            let mut ends = Ends::default();
            for item in items {
                if let Block::Step(i) = *item {
                    ends.entries.push(i);
                    ends.exits.push(i);
                    continue;
                }
                let e = block(item, out);
                ends.entries.extend(e.entries);
                ends.exits.extend(e.exits);
            }
            ends
        }
    }
}
