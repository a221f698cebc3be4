//! Total time control (批时总控): critical path, floats, budgets, deadlines and what to cut.
//!
//! [`Plan::new`] takes a compiled [`FlowGraph`] and answers: does the flow
//! fit its budget, which chain decides it, what deadline does every
//! department get, and, when it does not fit, what to cut.
//!
//! ```
//! use std::sync::Arc;
//! use shenpi_core::{Flow, FlowGraph, schedule::Plan};
//!
//! let flow = Flow::parse("demo.yaml", r#"
//! id: demo
//! name: 示例
//! budget: 10
//! stages:
//!   - id: s1
//!     name: 立项
//!     steps:
//!       - { id: filing, name: 备案, promised: 1 }
//!       - parallel:
//!           - { id: land, name: 用地规划许可, promised: 5 }
//!           - serial:
//!               - { id: eia-report, name: 环评报告编制, kind: intermediary, counted: false, promised: 20 }
//!               - { id: eia, name: 环评审批, promised: 3 }
//! "#).map_err(|r| r.render())?;
//! let params = flow.defaults();
//! let plan = Plan::new(FlowGraph::new(Arc::new(flow), params));
//! assert_eq!(plan.total_days(), 6);    // filing + land: the counted chain
//! assert_eq!(plan.elapsed_days(), 24); // filing + report + eia: when it really ends
//! assert!(plan.is_feasible());
//! assert_eq!(plan.slack(), Some(4));
//! let land = plan.step_by_id("land").unwrap();
//! assert_eq!((land.es, land.ef, land.lf, land.total_float), (1, 6, 10, 4));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Two clocks
//! `elapsed_days` is the longest path with every step at its promised days:
//! when the flow really ends. `total_days` is the longest path where
//! `counted: false` steps (intermediaries the owner hires, public notices,
//! expert review: Art. 45) weigh 0: the government time the budget limits.
//! Without uncounted steps the two are equal.
//!
//! The per-step figures are chosen so that each answers a person's question:
//! - `es`, `ef` are on the **elapsed** clock: when the step really starts and
//!   ends if every step takes its promised days; `start_date` comes from `es`.
//! - `total_float` and `free_float` are on the **counted** clock: how many days
//!   the step may slip before the counted total passes the budget (or before
//!   a successor's counted start moves). `total_float = budget − (the longest
//!   counted path through the step)`, so it is computed back from the budget,
//!   never from the critical path's own length, and is negative on a chain
//!   that is over budget.
//! - `lf = ef + total_float` and `ls = lf − promised`, on the elapsed clock:
//!   the latest the step may finish (start) with the budget still met,
//!   assuming uncounted work takes its promised days. Without uncounted steps
//!   these are exactly the textbook latest times computed back from the
//!   budget. When uncounted work runs longer than promised the budget clock
//!   is stopped, and the runtime pushes later deadlines back by the overrun,
//!   as it does for a 补正 pause.
//! - The step's `deadline` follows the [`DeadlinePolicy`] (see [`deadlines`]):
//!   `lf` under `latest`, a proportional share under `proportional`.
//!
//! Without a budget, the critical path's own length serves as one (the
//! textbook convention), and the flow is feasible.
//!
//! Stage budgets limit each stage's own counted critical path (the longest
//! counted chain through the stage's steps, using only edges between them);
//! they are checked and reported, and do not move the steps' deadlines.

pub mod cpm;
pub mod cuts;
pub mod dates;
pub mod deadlines;
pub mod groups;
pub mod reform;
mod relax;
pub mod report;

use std::sync::Arc;

use chrono::NaiveDate;

use crate::diag::{Code, Diagnostic};
use crate::graph::{FlowGraph, Node, Options, algo};
use crate::model::{DeadlinePolicy, Flow, TotalRule};

pub use cpm::Cpm;
pub use cuts::{Candidate, Cut, CutPlan};
pub use groups::GroupTotal;
pub use reform::Reform;
pub use report::PlanReport;

/// A compiled flow, scheduled: both clocks, floats, deadlines, stages.
#[derive(Clone, Debug)]
pub struct Plan {
    graph: Arc<FlowGraph>,
    cpm: Cpm,
    policy: DeadlinePolicy,
    deadline: Vec<i64>,
    stages: Vec<StageTotal>,
    groups: Vec<GroupTotal>,
    stage_sum: u32,
}

/// One step's schedule. Days are working-day offsets from the start; day 0 is the first day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct StepPlan {
    /// The step's node in the compiled graph.
    pub node: Node,
    /// Earliest start (elapsed clock).
    pub es: u32,
    /// Earliest finish (elapsed clock).
    pub ef: u32,
    /// Latest start with the budget still met.
    pub ls: i64,
    /// Latest finish with the budget still met.
    pub lf: i64,
    /// Days it may slip before the counted total passes the budget; negative when over.
    pub total_float: i64,
    /// Days it may slip before a successor's counted earliest start moves.
    pub free_float: i64,
    /// On a longest counted chain: it decides `total_days`.
    pub critical: bool,
    /// The deadline handed to its department under the plan's policy (elapsed offset).
    pub deadline: i64,
    /// Earliest start on the counted clock.
    pub counted_es: u32,
    /// Earliest finish on the counted clock.
    pub counted_ef: u32,
}

/// A stage's own counted critical path against its budget.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct StageTotal {
    /// Index in [`Flow::stages`].
    pub stage: usize,
    /// The stage's budget, if it has one.
    pub budget: Option<u32>,
    /// Longest counted chain through the stage's own steps.
    pub total_days: u32,
    /// That chain, in order.
    pub chain: Vec<Node>,
}

impl StageTotal {
    /// Budget less total, when there is a budget; negative when over.
    pub fn slack(&self) -> Option<i64> {
        self.budget.map(|b| i64::from(b) - i64::from(self.total_days))
    }

    /// True unless the stage has a budget and is over it.
    pub fn is_feasible(&self) -> bool {
        self.slack().is_none_or(|s| s >= 0)
    }
}

/// What to cut to bring an over-budget flow within budget.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct CutReport {
    /// Single steps that shorten the total, best first.
    pub candidates: Vec<Candidate>,
    /// A set of cuts reaching the budget (greedy cheapest crashing).
    pub plan: CutPlan,
}

/// What a project's options (simulated mode, commitment approval) save
/// against the same flow and params compiled without them.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Gain {
    /// The options compared against the default.
    pub options: Options,
    /// Counted critical path without the options.
    pub baseline_total_days: u32,
    /// Elapsed critical path without the options.
    pub baseline_elapsed_days: u32,
    /// Counted working days saved (baseline less this plan's); negative if the options cost days.
    pub total_days_saved: i64,
    /// Elapsed working days gained: the project ends this much earlier.
    pub elapsed_days_saved: i64,
}

/// What relaxing every `after` edge would change.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Relaxation {
    /// `(waited for, waiting)` pairs, as nodes of this plan, that would run in parallel.
    pub parallel: Vec<(Node, Node)>,
    /// Counted critical path without the `after` edges.
    pub total_days: u32,
    /// Elapsed critical path without the `after` edges.
    pub elapsed_days: u32,
}

/// Calendar dates of a plan (see [`Plan::dates`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PlanDates {
    /// Day 0: the start date, or the next working day.
    pub start: NaiveDate,
    /// The working day `elapsed_days` after day 0.
    pub finish: NaiveDate,
    /// Per node: the working day `es` after day 0.
    pub step_start: Vec<NaiveDate>,
    /// Per node: the working day `deadline` after day 0; `None` when the deadline is before the start.
    pub due: Vec<Option<NaiveDate>>,
}

impl Plan {
    /// Plans a compiled flow under the flow's own deadline policy.
    ///
    /// Takes the graph or an `Arc` of it: a caller that plans the same
    /// compiled flow again (a project re-planned on every event, a benchmark)
    /// shares it instead of copying it.
    ///
    /// # Complexity
    /// O(V + E) time and O(V) memory (two passes over the graph, one more for stages).
    pub fn new(graph: impl Into<Arc<FlowGraph>>) -> Plan {
        let graph = graph.into();
        let policy = graph.flow().deadline_policy();
        Plan::with_policy(graph, policy)
    }

    /// Plans a compiled flow under `policy`, overriding the flow's.
    pub fn with_policy(graph: impl Into<Arc<FlowGraph>>, policy: DeadlinePolicy) -> Plan {
        let graph = graph.into();
        let cpm = Cpm::run(graph.dag(), graph.promised(), graph.counted());
        let stages = stage_totals(&graph, &cpm);
        let stage_sum = stages.iter().fold(0u32, |acc, s| acc.saturating_add(s.total_days));
        let groups = groups::group_totals(&graph, &cpm, &stages);
        let mut plan = Plan { graph, cpm, policy, deadline: Vec::new(), stages, groups, stage_sum };
        plan.deadline = deadlines::deadlines(&plan.cpm, plan.horizon(), policy);
        plan
    }

    /// The compiled flow.
    pub fn graph(&self) -> &FlowGraph {
        &self.graph
    }

    /// The flow.
    pub fn flow(&self) -> &Arc<Flow> {
        self.graph.flow()
    }

    /// The raw passes.
    pub fn cpm(&self) -> &Cpm {
        &self.cpm
    }

    /// The policy deadlines follow.
    pub fn policy(&self) -> DeadlinePolicy {
        self.policy
    }

    /// The flow's budget on counted working days.
    pub fn budget(&self) -> Option<u32> {
        self.flow().budget()
    }

    /// What the backward pass measures from: the budget, or `total_days`
    /// without one; under `total: stage-sum`, less the days the stage sum
    /// counts beyond the critical path (days of overlapping stages counted
    /// twice), so that the critical path's float is the measured slack.
    fn horizon(&self) -> u32 {
        let Some(budget) = self.budget() else { return self.total_days() };
        let overlap = i64::from(self.measured_days()) - i64::from(self.total_days());
        u32::try_from((i64::from(budget) - overlap).max(0)).unwrap_or(u32::MAX)
    }

    /// Counted working days on the critical path: what the budget limits.
    pub fn total_days(&self) -> u32 {
        self.cpm.total_days()
    }

    /// Working days until the flow really ends, every step at its promised days.
    pub fn elapsed_days(&self) -> u32 {
        self.cpm.elapsed_days()
    }

    /// Sum of every stage's own counted critical path: the other figure
    /// provinces report (统计口径). At least `total_days` when stages follow
    /// one another; more when stages overlap in time.
    pub fn stage_sum_days(&self) -> u32 {
        self.stage_sum
    }

    /// What the budget is checked against under the flow's `total` rule:
    /// [`Plan::total_days`] (`critical-path`, the default) or
    /// [`Plan::stage_sum_days`] (`stage-sum`).
    pub fn measured_days(&self) -> u32 {
        groups::measure(self.flow().total(), self.total_days(), self.stage_sum)
    }

    /// Budget less [`Plan::measured_days`]; `None` without a budget; negative when over.
    pub fn slack(&self) -> Option<i64> {
        self.budget().map(|b| i64::from(b) - i64::from(self.measured_days()))
    }

    /// True unless the flow is over its budget.
    pub fn is_feasible(&self) -> bool {
        self.slack().is_none_or(|s| s >= 0)
    }

    /// The chain that decides `total_days`, in order.
    pub fn critical_path(&self) -> &[Node] {
        self.cpm.critical_path()
    }

    /// Every stage's own counted critical path, in file order.
    pub fn stages(&self) -> &[StageTotal] {
        &self.stages
    }

    /// Every group of stages (`budgets:`) against its limit, in file order.
    pub fn groups(&self) -> &[GroupTotal] {
        &self.groups
    }

    /// The schedule of the step at a node.
    ///
    /// # Panics
    /// When `v` is not a node of this plan's graph.
    pub fn step(&self, v: Node) -> StepPlan {
        let (c, h) = (&self.cpm, self.horizon());
        StepPlan {
            node: v,
            es: c.es(v),
            ef: c.ef(v),
            ls: c.ls(v, h),
            lf: c.lf(v, h),
            total_float: c.total_float(v, h),
            free_float: c.free_float(v, h),
            critical: c.is_critical(v),
            deadline: i64::from(c.ef(v)) + self.deadline[v.index()] - i64::from(c.counted_ef(v)),
            counted_es: c.counted_es(v),
            counted_ef: c.counted_ef(v),
        }
    }

    /// The schedule of the step with this id, if its condition kept it.
    pub fn step_by_id(&self, id: &str) -> Option<StepPlan> {
        self.graph.node(id).map(|v| self.step(v))
    }

    /// Every step's schedule, in topological order.
    pub fn steps(&self) -> impl ExactSizeIterator<Item = StepPlan> + '_ {
        self.graph.nodes().map(|v| self.step(v))
    }

    /// Counted-clock deadlines under the plan's policy, per node.
    pub fn counted_deadlines(&self) -> &[i64] {
        &self.deadline
    }

    /// What to cut, when the flow is over budget; `None` when it fits.
    ///
    /// # Complexity
    /// See [`cuts::candidates`] and [`cuts::crash`].
    pub fn cuts(&self) -> Option<CutReport> {
        // Under `stage-sum` the horizon is the budget less the overlap, so
        // the counted critical path must come down to it.
        self.budget()?;
        let budget = Some(self.horizon()).filter(|&h| h < self.total_days())?;
        let g = &self.graph;
        let min: Vec<u32> = g.nodes().map(|v| g.step(v).min()).collect();
        let cost: Vec<f64> = g.nodes().map(|v| g.step(v).cost()).collect();
        let limits = cuts::Limits { promised: g.promised(), counted: g.counted(), min: &min, cost: &cost };
        Some(CutReport {
            candidates: cuts::candidates(g.dag(), &self.cpm, limits),
            plan: cuts::crash(g.dag(), limits, budget),
        })
    }

    /// What the graph's [`Options`] save against the flow compiled without
    /// them; `None` when it was compiled with the default options.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use shenpi_core::{Flow, FlowGraph, Plan};
    /// use shenpi_core::graph::Options;
    ///
    /// let flow = Arc::new(Flow::parse("f.yaml", "
    /// id: f
    /// name: f
    /// stages:
    ///   - id: s
    ///     name: s
    ///     steps:
    ///       - { id: filing, name: 备案, promised: 1 }
    ///       - { id: permit, name: 施工许可, promised: 5, commitment: { verify_within: 20 } }
    /// ").map_err(|r| r.render())?);
    /// let options = Options { commitment: true, ..Options::default() };
    /// let plan = Plan::new(FlowGraph::with_options(flow.clone(), flow.defaults(), options));
    /// let gain = plan.gain().unwrap();
    /// assert_eq!((gain.baseline_total_days, plan.total_days(), gain.total_days_saved), (6, 1, 5));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Complexity
    /// O(V + E): the flow is compiled and its critical path found once more.
    pub fn gain(&self) -> Option<Gain> {
        let options = self.graph.options();
        if options == Options::default() {
            return None;
        }
        let base = FlowGraph::new(self.flow().clone(), self.graph.params().clone());
        let cpm = Cpm::run(base.dag(), base.promised(), base.counted());
        let saved = |base: u32, now: u32| i64::from(base) - i64::from(now);
        Some(Gain {
            options,
            baseline_total_days: cpm.total_days(),
            baseline_elapsed_days: cpm.elapsed_days(),
            total_days_saved: saved(cpm.total_days(), self.total_days()),
            elapsed_days_saved: saved(cpm.elapsed_days(), self.elapsed_days()),
        })
    }

    /// Before and after figures (see [`reform`]).
    pub fn reform(&self) -> Reform {
        let g = &self.graph;
        let legal: Vec<Option<u32>> = g.nodes().map(|v| g.step(v).legal()).collect();
        reform::reform(g.dag(), g.promised(), &legal, g.counted())
    }

    /// Warnings (`E013`) for the flow, every stage and every group of stages
    /// whose measured total (the counted critical path, or under `total:
    /// stage-sum` the sum of stage totals) exceeds its budget, pointing at
    /// the budget value, with the chain in a note.
    ///
    /// Warnings, not errors: an over-budget flow (a "before reform" flow) is
    /// a legitimate thing to analyse.
    pub fn budget_diagnostics(&self) -> Vec<Diagnostic> {
        let flow = self.flow();
        let mut out = Vec::new();
        let summed = match flow.total() {
            TotalRule::CriticalPath => "",
            TotalRule::StageSum => " summed by stage",
        };
        let mut warn =
            |what: String, budget: u32, (total, summed): (u32, &str), span, chain: &[Node], help: &str| {
                let mut d = Diagnostic::warning(
                    Code::OverBudget,
                    format!(
                        "{what} takes {total} counted working days{summed}, {} over its budget of {budget}",
                        total - budget
                    ),
                );
                if let Some(span) = span {
                    d = d.at(span, format!("budget {budget}"));
                }
                out.push(d.note(format!("critical path: {}", self.chain_ids(chain).join(" -> "))).help(help));
            };
        if let Some(b) = flow.budget().filter(|&b| b < self.measured_days()) {
            warn(
                format!("flow `{}`", flow.id()),
                b,
                (self.measured_days(), summed),
                flow.budget_span(),
                self.critical_path(),
                "shorten steps on this chain (the plan's cuts rank them) or raise the budget",
            );
        }
        for g in self.groups.iter().filter(|g| !g.is_feasible()) {
            warn(
                format!("budget group `{}`", flow.budgets()[g.group].name()),
                g.days,
                (g.total_days, summed),
                Some(flow.budgets()[g.group].span()),
                &g.chain,
                "shorten steps on this chain, run the group's stages in parallel, or raise the group's days",
            );
        }
        for st in &self.stages {
            if let Some(b) = st.budget.filter(|&b| b < st.total_days) {
                let stage = &flow.stages()[st.stage];
                warn(
                    format!("stage `{}`", stage.id()),
                    b,
                    (st.total_days, ""),
                    stage.budget_span(),
                    &st.chain,
                    "shorten steps on this chain, run them in parallel, or raise the stage budget",
                );
            }
        }
        out
    }

    /// Step ids of a chain of nodes.
    pub fn chain_ids(&self, chain: &[Node]) -> Vec<&str> {
        chain.iter().map(|&v| self.graph.step(v).id()).collect()
    }
}

/// Every stage's own counted critical path, using only edges inside the stage.
///
/// # Complexity
/// O(V + E) time, O(V) memory.
fn stage_totals(graph: &FlowGraph, cpm: &Cpm) -> Vec<StageTotal> {
    let flow = graph.flow();
    let stage: Vec<usize> = graph.nodes().map(|v| graph.step(v).stage()).collect();
    let ef = algo::finishes(graph.dag(), |v| cpm.weight(v), |u, v| stage[u.index()] == stage[v.index()]);
    let mut best: Vec<Option<Node>> = vec![None; flow.stages().len()];
    for v in graph.nodes() {
        let s = stage[v.index()];
        if best[s].is_none_or(|b| (ef[v.index()], cpm.ef(v)) > (ef[b.index()], cpm.ef(b))) {
            best[s] = Some(v);
        }
    }
    flow.stages()
        .iter()
        .enumerate()
        .map(|(k, st)| {
            let chain = groups::chain_back(graph, cpm, best[k], &ef, |u| stage[u.index()] == k);
            StageTotal {
                stage: k,
                budget: st.budget(),
                total_days: best[k].map_or(0, |v| ef[v.index()]),
                chain,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
