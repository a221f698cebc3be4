//! Budgets over groups of stages (`budgets:`) in a live project: each group's
//! counted days, used and projected, against its limit.

use serde::Serialize;

use super::Project;
use super::status::{Alert, StepStatus};
use crate::graph::Node;
use crate::model::TotalRule;

/// A group of stages on a given day, measured as the flow's `total` says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
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
