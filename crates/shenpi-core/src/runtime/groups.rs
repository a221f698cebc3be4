//! Budgets over groups of stages (`budgets:`) in a live project: each group's
//! counted days, used and projected, against its limit.

use chrono::NaiveDate;
use serde::Serialize;

use super::Project;
use super::state::StepState;
use super::status::{Alert, Clock, StepStatus};
use crate::error::Error;
use crate::graph::Node;
use crate::model::{BudgetGroup, TotalRule};

/// A group of stages on a given day, measured as the flow's `total` says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct GroupStatus {
    /// The group's name.
    pub name: String,
    /// Its stages' ids.
    pub stages: Vec<String>,
    /// Its limit on counted working days.
    pub days: u32,
    /// Counted working days its steps have used so far, along its longest
    /// chain (or summed by stage under `total: stage-sum`).
    pub used: u32,
    /// The same with what remains at promised days (an undecided step at
    /// least its promised days, more when it already used more).
    pub projected: u32,
    /// `days` less `projected`; negative when the group will not hold.
    pub slack: i64,
    /// Red when the group will not hold, yellow when it has no day to spare
    /// and is not done, none otherwise.
    pub alert: Alert,
}

impl Project {
    /// Counted working days a step uses on the budget's clock: 0 when it is
    /// not counted; its days used when decided; else at least its promised days.
    pub(super) fn counted_own(&self, v: Node, s: &StepStatus) -> i64 {
        let g = &self.graph;
        let promised = i64::from(g.promised()[v.index()]);
        // Earlier applications' government time, when the flow counts every attempt.
        let earlier = match g.flow().reapplication() {
            crate::model::Reapplication::CountAll => s.earlier_used,
            crate::model::Reapplication::CountLast => 0,
        };
        if !g.counted()[v.index()] {
            0
        } else if s.decided.is_some() {
            earlier + s.used.unwrap_or(promised)
        } else {
            earlier + s.used.unwrap_or(0).max(promised)
        }
    }

    /// Every group of stages against its limit, from the steps' status.
    ///
    /// # Complexity
    /// O(G · (V + E)) for G groups.
    pub(super) fn group_status(&self, steps: &[StepStatus]) -> Vec<GroupStatus> {
        let g = &self.graph;
        let flow = g.flow();
        let stage: Vec<usize> = g.nodes().map(|v| g.step(v).stage()).collect();
        let mut done = vec![0i64; g.len()];
        let mut all = vec![0i64; g.len()];
        flow.budgets()
            .iter()
            .map(|group| {
                let mut inside = vec![false; flow.stages().len()];
                group.stages().iter().for_each(|&k| inside[k] = true);
                let sum = flow.total() == TotalRule::StageSum;
                // Per stage (stage-sum) or over the group (critical path): the longest chains.
                let mut best_done = vec![0i64; flow.stages().len()];
                let mut best_all = vec![0i64; flow.stages().len()];
                let mut finished = true;
                for v in g.nodes().filter(|&v| inside[stage[v.index()]]) {
                    let s = &steps[v.index()];
                    let linked =
                        |p: Node| inside[stage[p.index()]] && (!sum || stage[p.index()] == stage[v.index()]);
                    let preds = g.dag().preds(v).iter().copied().filter(|&p| linked(p));
                    let (d0, a0) =
                        preds.fold((0, 0), |(d, a), p| (d.max(done[p.index()]), a.max(all[p.index()])));
                    let decided = s.state.is_done() || s.state.is_failed();
                    finished &= decided;
                    let own = self.counted_own(v, s);
                    let used = if g.counted()[v.index()] { s.used.unwrap_or(0) } else { 0 };
                    done[v.index()] = d0 + if decided { own } else { used };
                    all[v.index()] = a0 + own;
                    let k = if sum { stage[v.index()] } else { 0 };
                    best_done[k] = best_done[k].max(done[v.index()]);
                    best_all[k] = best_all[k].max(all[v.index()]);
                }
                let clamp = |x: i64| u32::try_from(x.max(0)).unwrap_or(u32::MAX);
                let (used, projected) = (clamp(best_done.iter().sum()), clamp(best_all.iter().sum()));
                let slack = i64::from(group.days()) - i64::from(projected);
                let alert = match slack {
                    s if s < 0 => Alert::Red,
                    0 if !finished => Alert::Yellow,
                    _ => Alert::None,
                };
                GroupStatus {
                    name: group.name().to_string(),
                    stages: group.stages().iter().map(|&k| flow.stages()[k].id().to_string()).collect(),
                    days: group.days(),
                    used,
                    projected,
                    slack,
                    alert,
                }
            })
            .collect()
    }
}

impl Project {
    /// The group clock: each counted step of a group of stages gets the last
    /// day it may finish for the group to hold (`group_deadline`, the
    /// tightest over its groups), and a step not yet decided past it (red)
    /// or on it (yellow) raises the `group` clock's alert, as the plan clock
    /// does for the whole budget.
    ///
    /// A step's group deadline leaves it what the group's limit does not
    /// need elsewhere: the counted days its predecessors in the group used
    /// (actual, or promised where they have not run), those its successors in
    /// the group will take at promised days, and, under `total: stage-sum`,
    /// the other stages' totals; counted from its start, its clock stops
    /// pushing it back.
    ///
    /// # Complexity
    /// O(G · (V + E)) for G groups, plus one date addition per step of each group.
    pub(super) fn group_clock(&self, steps: &mut [StepStatus], date: NaiveDate) -> Result<(), Error> {
        for group in self.graph.flow().budgets() {
            let left = self.group_left(group, steps);
            for v in self.graph.nodes() {
                let Some(left) = left[v.index()] else { continue };
                let s = &mut steps[v.index()];
                let Some(start) = s.accepted.or(s.expected_start) else { continue };
                let stops = self.state.run(v).stops(s.decided.unwrap_or(date).max(start));
                let days = u32::try_from(left.max(0)).unwrap_or(u32::MAX);
                let deadline = self.calendar.add_working_days_with_stops(start, days, &stops)?;
                s.group_deadline = Some(s.group_deadline.map_or(deadline, |d| d.min(deadline)));
                let waiting_on_it = s.state.is_active()
                    || matches!(s.state, StepState::Ready | StepState::Received | StepState::Returned);
                if !waiting_on_it {
                    continue;
                }
                let a = match date.cmp(&deadline) {
                    std::cmp::Ordering::Greater => Alert::Red,
                    std::cmp::Ordering::Equal => Alert::Yellow,
                    std::cmp::Ordering::Less => Alert::None,
                };
                if a > s.alert {
                    (s.alert, s.clock) = (a, Some(Clock::Group));
                }
            }
        }
        Ok(())
    }

    /// For each counted step of `group`, the counted days the group leaves it
    /// (see [`Project::group_clock`]); `None` outside the group or uncounted.
    ///
    /// # Complexity
    /// O(V + E).
    fn group_left(&self, group: &BudgetGroup, steps: &[StepStatus]) -> Vec<Option<i64>> {
        let g = &self.graph;
        let flow = g.flow();
        let sum = flow.total() == TotalRule::StageSum;
        let stage: Vec<usize> = g.nodes().map(|v| g.step(v).stage()).collect();
        let inside = |v: Node| group.contains(stage[v.index()]);
        let linked = |p: Node, v: Node| inside(p) && (!sum || stage[p.index()] == stage[v.index()]);
        let own: Vec<i64> = g.nodes().map(|v| self.counted_own(v, &steps[v.index()])).collect();
        let (mut before, mut after) = (vec![0i64; g.len()], vec![0i64; g.len()]);
        for v in g.nodes().filter(|&v| inside(v)) {
            let preds = g.dag().preds(v).iter().filter(|&&p| linked(p, v));
            before[v.index()] = preds.map(|&p| before[p.index()] + own[p.index()]).max().unwrap_or(0);
        }
        for v in g.nodes().rev().filter(|&v| inside(v)) {
            let succs = g.dag().succs(v).iter().filter(|&&q| linked(q, v));
            after[v.index()] = succs.map(|&q| own[q.index()] + after[q.index()]).max().unwrap_or(0);
        }
        // Under stage-sum, each stage's own total counts against the group too.
        let mut totals = vec![0i64; flow.stages().len()];
        for v in g.nodes().filter(|&v| inside(v)) {
            let k = if sum { stage[v.index()] } else { 0 };
            totals[k] = totals[k].max(before[v.index()] + own[v.index()] + after[v.index()]);
        }
        let all: i64 = totals.iter().sum();
        g.nodes()
            .map(|v| {
                if !inside(v) || !g.counted()[v.index()] {
                    return None;
                }
                let others = if sum { all - totals[stage[v.index()]] } else { 0 };
                Some(i64::from(group.days()) - others - before[v.index()] - after[v.index()])
            })
            .collect()
    }
}
