//! The plan as a report: what `shenpi plan --format json` prints and what an
//! embedder or the HTTP service sends, one serialisable value.
//!
//! [`PlanReport`] gathers a [`Plan`], its [`PlanDates`] (when the calendar
//! covers them) and the calendar into owned, serialisable fields whose names
//! are the plan's JSON contract, versioned by [`PlanReport::schema`]
//! (`shenpi.plan/1`). A field may be added under the same schema; a field
//! renamed, removed or given another meaning takes a new one.
//!
//! Day figures are working-day offsets from the start (day 0), as in
//! [`StepPlan`](super::StepPlan); dates serialise as `YYYY-MM-DD`.

use chrono::NaiveDate;
use serde::Serialize;

use super::{Plan, PlanDates, Reform};
use crate::calendar::Calendar;
use crate::graph::{Mode, Node};
use crate::model::{DeadlinePolicy, TotalRule};

/// A plan for people and programs: the flow's totals against its budget,
/// each stage and group of stages, what to cut, the reform figures and every
/// step's schedule and dates.
///
/// ```
/// use std::sync::Arc;
/// use chrono::NaiveDate;
/// use shenpi_core::{Calendar, Flow, FlowGraph, Plan};
/// use shenpi_core::schedule::PlanReport;
///
/// let flow = Flow::parse("demo.yaml", "
/// id: demo
/// name: 示例
/// budget: 10
/// stages:
///   - id: s1
///     name: 立项
///     steps:
///       - { id: filing, name: 备案, promised: 1 }
///       - { id: land, name: 用地规划许可, promised: 5 }
/// ").map_err(|r| r.render())?;
/// let flow = Arc::new(flow);
/// let plan = Plan::new(FlowGraph::new(flow.clone(), flow.defaults()));
/// let cn = Calendar::cn();
/// let dates = plan.dates(NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(), &cn)?;
/// let report = PlanReport::new(&plan, Some(&dates), &cn);
/// assert_eq!(report.schema, "shenpi.plan/1");
/// assert_eq!((report.total_days, report.slack), (6, Some(4)));
/// assert_eq!(report.critical_path, ["filing", "land"]);
/// // Day 0 is Monday 2 March 2026; the sixth working day after it is Tuesday 10 March.
/// assert_eq!(report.finish_date, NaiveDate::from_ymd_opt(2026, 3, 10));
/// // The JSON contract: the same names.
/// let json = serde_json::to_value(&report)?;
/// assert_eq!(json["steps"][1]["start_date"], "2026-03-03");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct PlanReport {
    /// The version of this shape: [`PlanReport::SCHEMA`].
    pub schema: &'static str,
    /// The flow's id.
    pub flow: String,
    /// The flow's name.
    pub name: String,
    /// The calendar's id.
    pub calendar: String,
    /// How deadlines were handed out.
    pub policy: DeadlinePolicy,
    /// The flow's budget on counted working days.
    pub budget: Option<u32>,
    /// What the budget is checked against: `critical-path` or `stage-sum`.
    pub total: TotalRule,
    /// Counted working days on the critical path ([`Plan::total_days`]).
    pub total_days: u32,
    /// The sum of the stages' own counted critical paths.
    pub stage_sum_days: u32,
    /// Working days until the flow really ends ([`Plan::elapsed_days`]).
    pub elapsed_days: u32,
    /// False when the flow is over its budget.
    pub feasible: bool,
    /// Budget less the measured total; `None` without a budget; negative when over.
    pub slack: Option<i64>,
    /// Day 0, when the calendar covers the plan.
    pub start_date: Option<NaiveDate>,
    /// The working day `elapsed_days` after day 0.
    pub finish_date: Option<NaiveDate>,
    /// Natural (calendar) days from the start to the finish, both included:
    /// the project's whole duration as officials state it.
    pub natural_days: Option<i64>,
    /// Steps that are approval items (审批事项): decisions, joint review,
    /// acceptance, registration; the rest are 环节 only (owner's work,
    /// intermediaries, notices, hook-ups).
    pub items: usize,
    /// Whether some date depends on a year the calendar has not published
    /// ([`Calendar::is_provisional`]); [`Calendar::provisional_note`] says so in words.
    pub provisional: bool,
    /// The earliest such date.
    pub first_provisional_date: Option<NaiveDate>,
    /// The chain that decides `total_days`, as step ids in order.
    pub critical_path: Vec<String>,
    /// `normal` or `simulated` (模拟审批).
    pub mode: Mode,
    /// Whether steps that allow it are approved on the applicant's pledge (告知承诺制).
    pub commitment: bool,
    /// What `mode` and `commitment` save against a plan without them; absent without them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gain: Option<Gain>,
    /// Each stage against its budget, in file order.
    pub stages: Vec<Stage>,
    /// Each group of stages (`budgets:`) against its limit, in file order.
    pub groups: Vec<Group>,
    /// What to cut, when the flow is over budget.
    pub cuts: Option<Cuts>,
    /// Before and after figures.
    pub reform: Reform,
    /// What relaxing every `after` edge would change.
    pub relaxed_after: Relaxed,
    /// Every step, in topological order.
    pub steps: Vec<Step>,
}

/// A stage's own counted critical path against its budget (see [`super::StageTotal`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Stage {
    /// The stage's id.
    pub id: String,
    /// The stage's name.
    pub name: String,
    /// Its budget, if it has one.
    pub budget: Option<u32>,
    /// Longest counted chain through the stage's own steps.
    pub total_days: u32,
    /// False when over its budget.
    pub feasible: bool,
    /// Budget less total; `None` without a budget.
    pub slack: Option<i64>,
    /// That chain, as step ids in order.
    pub chain: Vec<String>,
}

/// What the project's options save (see [`super::Gain`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Gain {
    /// Counted critical path without the options.
    pub baseline_total_days: u32,
    /// Elapsed critical path without the options.
    pub baseline_elapsed_days: u32,
    /// Counted working days saved; negative if the options cost days.
    pub total_days_saved: i64,
    /// Elapsed working days gained.
    pub elapsed_days_saved: i64,
}

/// A group of stages against its limit (see [`super::GroupTotal`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Group {
    /// The group's name.
    pub name: String,
    /// Its stages' ids.
    pub stages: Vec<String>,
    /// Its limit in counted working days.
    pub days: u32,
    /// What `days` is checked against under the flow's `total`.
    pub total_days: u32,
    /// The counted critical path through the group's stages.
    pub critical_path_days: u32,
    /// The sum of its stages' own counted critical paths.
    pub stage_sum_days: u32,
    /// False when over its limit.
    pub feasible: bool,
    /// Limit less `total_days`; negative when over.
    pub slack: i64,
    /// The chain that decides it, as step ids in order.
    pub chain: Vec<String>,
}

/// What to cut to fit the budget (see [`super::CutReport`]).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Cuts {
    /// Days the flow is over budget.
    pub over_by: i64,
    /// Steps that shorten the total when cut alone, best first.
    pub candidates: Vec<Candidate>,
    /// Cuts that together reach the budget.
    pub plan: Vec<Cut>,
    /// The counted critical path after those cuts.
    pub total_days_after: u32,
    /// Their summed cost.
    pub cost: f64,
    /// False when every step on a critical chain is at its `min` before the budget is reached.
    pub reaches_budget: bool,
}

/// A step that shortens the total when cut alone.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Candidate {
    /// The step's id.
    pub id: String,
    /// The step's name.
    pub name: String,
    /// Days it may lose: promised less `min`.
    pub room: u32,
    /// Days the total shrinks when this step alone is cut as far as it helps.
    pub saves: u32,
    /// Cost of one day cut.
    pub cost_per_day: f64,
}

/// One cut of the plan that reaches the budget.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Cut {
    /// The step's id.
    pub id: String,
    /// The step's name.
    pub name: String,
    /// Days cut.
    pub days: u32,
    /// What it costs.
    pub cost: f64,
}

/// What relaxing every `after` edge would change (see [`super::Relaxation`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Relaxed {
    /// `[waited for, waiting]` step ids that would run in parallel.
    pub parallel: Vec<[String; 2]>,
    /// Counted critical path without the `after` edges.
    pub total_days: u32,
    /// Elapsed critical path without the `after` edges.
    pub elapsed_days: u32,
}

/// One step's schedule and dates (see [`super::StepPlan`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Step {
    /// The step's id.
    pub id: String,
    /// The step's name.
    pub name: String,
    /// Its department, or the joint step's departments joined.
    pub dept: String,
    /// Its stage's id.
    pub stage: String,
    /// False when its days do not count against the budget.
    pub counted: bool,
    /// Promised working days, as compiled for the project's options.
    pub promised: u32,
    /// Earliest start (elapsed clock).
    pub es: u32,
    /// Earliest finish (elapsed clock).
    pub ef: u32,
    /// Latest start with the budget still met.
    pub ls: i64,
    /// Latest finish with the budget still met.
    pub lf: i64,
    /// Counted days it may slip before the budget is passed; negative when over.
    pub total_float: i64,
    /// Counted days it may slip before a successor's start moves.
    pub free_float: i64,
    /// On a longest counted chain.
    pub critical: bool,
    /// The deadline handed to its department (elapsed offset).
    pub deadline: i64,
    /// The working day `es` after day 0.
    pub start_date: Option<NaiveDate>,
    /// The working day `deadline` after day 0; `None` before the start or without dates.
    pub due_date: Option<NaiveDate>,
    /// Who the intermediary is, for intermediaries that name one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// Approved at acceptance on the applicant's pledge.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub pledged: bool,
    /// A filing (备案, `filing: true` in the flow): the department records the
    /// application instead of deciding on it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub filing: bool,
    /// A joint step's members, each with its opinion's due day.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<Member>,
}

/// A member of a joint step (联合审查) with its opinion's due day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Member {
    /// The member's department.
    pub dept: String,
    /// Working days it has for its opinion.
    pub promised: u32,
    /// Elapsed-clock offset of its opinion's due day: the step's start plus its promised days.
    pub due: u32,
    /// The working day `promised` after the step's start date.
    pub due_date: Option<NaiveDate>,
}

impl PlanReport {
    /// The value of [`PlanReport::schema`] for this shape.
    pub const SCHEMA: &'static str = "shenpi.plan/1";

    /// Gathers a plan, its dates (`None` when the calendar does not cover
    /// them: the report then has no dates) and the calendar they were counted on.
    ///
    /// # Complexity
    /// O(A·(V + E)) for A `after` edges, from [`Plan::relaxed_after`]; the
    /// cuts of an over-budget flow as [`Plan::cuts`].
    pub fn new(plan: &Plan, dates: Option<&PlanDates>, calendar: &Calendar) -> PlanReport {
        let g = plan.graph();
        let flow = plan.flow();
        let ids = |chain: &[Node]| plan.chain_ids(chain).into_iter().map(String::from).collect();
        let first_provisional_date = dates.and_then(|d| d.first_provisional(calendar));
        PlanReport {
            schema: PlanReport::SCHEMA,
            flow: flow.id().to_string(),
            name: flow.name().to_string(),
            calendar: calendar.id().to_string(),
            policy: plan.policy(),
            budget: plan.budget(),
            total: flow.total(),
            total_days: plan.total_days(),
            stage_sum_days: plan.stage_sum_days(),
            elapsed_days: plan.elapsed_days(),
            feasible: plan.is_feasible(),
            slack: plan.slack(),
            start_date: dates.map(|d| d.start),
            finish_date: dates.map(|d| d.finish),
            natural_days: dates.map(|d| (d.finish - d.start).num_days() + 1),
            items: g.nodes().filter(|&v| g.step(v).kind().is_decision()).count(),
            provisional: first_provisional_date.is_some(),
            first_provisional_date,
            critical_path: ids(plan.critical_path()),
            mode: g.options().mode,
            commitment: g.options().commitment,
            gain: plan.gain().map(|x| Gain {
                baseline_total_days: x.baseline_total_days,
                baseline_elapsed_days: x.baseline_elapsed_days,
                total_days_saved: x.total_days_saved,
                elapsed_days_saved: x.elapsed_days_saved,
            }),
            stages: plan
                .stages()
                .iter()
                .map(|s| Stage {
                    id: flow.stages()[s.stage].id().to_string(),
                    name: flow.stages()[s.stage].name().to_string(),
                    budget: s.budget,
                    total_days: s.total_days,
                    feasible: s.is_feasible(),
                    slack: s.slack(),
                    chain: ids(&s.chain),
                })
                .collect(),
            groups: plan
                .groups()
                .iter()
                .map(|t| {
                    let group = &flow.budgets()[t.group];
                    Group {
                        name: group.name().to_string(),
                        stages: group.stages().iter().map(|&k| flow.stages()[k].id().to_string()).collect(),
                        days: t.days,
                        total_days: t.total_days,
                        critical_path_days: t.critical_path_days,
                        stage_sum_days: t.stage_sum_days,
                        feasible: t.is_feasible(),
                        slack: t.slack(),
                        chain: ids(&t.chain),
                    }
                })
                .collect(),
            cuts: cuts(plan),
            reform: plan.reform(),
            relaxed_after: relaxed(plan),
            steps: steps(plan, dates, calendar),
        }
    }
}

/// The step's id and name at a node.
fn id_name(plan: &Plan, v: Node) -> (String, String) {
    let step = plan.graph().step(v);
    (step.id().to_string(), step.name().to_string())
}

fn cuts(plan: &Plan) -> Option<Cuts> {
    let c = plan.cuts()?;
    Some(Cuts {
        over_by: -plan.slack().unwrap_or(0),
        candidates: c
            .candidates
            .iter()
            .map(|x| {
                let (id, name) = id_name(plan, x.node);
                Candidate { id, name, room: x.room, saves: x.saves, cost_per_day: x.cost_per_day }
            })
            .collect(),
        plan: c
            .plan
            .cuts
            .iter()
            .map(|x| {
                let (id, name) = id_name(plan, x.node);
                Cut { id, name, days: x.days, cost: x.cost }
            })
            .collect(),
        total_days_after: c.plan.total_days,
        cost: c.plan.cost,
        reaches_budget: c.plan.reaches_budget,
    })
}

fn relaxed(plan: &Plan) -> Relaxed {
    let r = plan.relaxed_after();
    let id = |v: Node| plan.graph().step(v).id().to_string();
    Relaxed {
        parallel: r.parallel.iter().map(|&(a, b)| [id(a), id(b)]).collect(),
        total_days: r.total_days,
        elapsed_days: r.elapsed_days,
    }
}

fn steps(plan: &Plan, dates: Option<&PlanDates>, calendar: &Calendar) -> Vec<Step> {
    let g = plan.graph();
    let flow = plan.flow();
    plan.steps()
        .map(|s| {
            let v = s.node.index();
            let step = g.step(s.node);
            let start = dates.map(|d| d.step_start[v]);
            let members = step
                .joint()
                .map(|j| j.members())
                .unwrap_or_default()
                .iter()
                .map(|m| Member {
                    dept: m.dept().to_string(),
                    promised: m.promised(),
                    due: s.es.saturating_add(m.promised()),
                    due_date: start.and_then(|d| calendar.add_working_days(d, m.promised()).ok()),
                })
                .collect();
            Step {
                id: step.id().to_string(),
                name: step.name().to_string(),
                dept: step.dept_label(),
                stage: flow.stages()[step.stage()].id().to_string(),
                counted: step.counted(),
                promised: g.promised()[v],
                es: s.es,
                ef: s.ef,
                ls: s.ls,
                lf: s.lf,
                total_float: s.total_float,
                free_float: s.free_float,
                critical: s.critical,
                deadline: s.deadline,
                start_date: start,
                due_date: dates.and_then(|d| d.due[v]),
                provider: step.provider().map(String::from),
                pledged: g.is_pledged(s.node),
                filing: step.is_filing(),
                members,
            }
        })
        .collect()
}
