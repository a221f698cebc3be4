//! Status for a day: both clocks of every step, the project's outlook, and
//! the supervision board across projects.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::event::{Mode, NewEvent, ProcedureKind};
use super::groups::GroupStatus;
use super::joint::MemberStatus;
use super::ladder::{Notice, Rung, board_notice};
use super::state::{PauseReason, StepState};
use super::{Project, Rules};
use crate::error::Error;
use crate::graph::Node;

/// Electronic supervision (电子监察) level, from quiet to urgent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Alert {
    /// Nothing to say.
    #[default]
    None,
    /// Little of the limit is left.
    Reminder,
    /// Yellow light (黄灯预警): due (or about to be).
    Yellow,
    /// Red light (红灯超期): overdue. (黄牌 and 红牌, yellow and red cards, are
    /// the disciplinary follow-ups a centre may issue, not the alerts.)
    Red,
}

impl Alert {
    /// Its kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Alert::None => "none",
            Alert::Reminder => "reminder",
            Alert::Yellow => "yellow",
            Alert::Red => "red",
        }
    }
}

/// Which clock raised an alert.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Clock {
    /// The step's own time limit (限时办结).
    Limit,
    /// Its deadline in the project's total (批时总控).
    Plan,
    /// The days to verify a pledge after an approval on it (告知承诺制, `verify_within`).
    Verification,
    /// The days to confirm a provisional approval once its prerequisites are decided (模拟审批, `confirm_within`).
    Confirmation,
    /// Its deadline within a group of stages' limit (`budgets:`), as [`Clock::Plan`] for the whole budget.
    Group,
}

impl Clock {
    /// Its kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Clock::Limit => "limit",
            Clock::Plan => "plan",
            Clock::Verification => "verification",
            Clock::Confirmation => "confirmation",
            Clock::Group => "group",
        }
    }
}

/// Something supervision should see about a step even when no clock is late.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Flag {
    /// 一次性告知 broken: more than one `supplement-requested` in one application.
    RepeatSupplement {
        /// How many were recorded in the attempt.
        requests: u32,
    },
    /// A special procedure of a kind the step caps ran longer than its cap.
    ProcedureOverCap {
        /// The kind of procedure.
        kind: ProcedureKind,
        /// The step's cap, in working days.
        cap: u32,
        /// The working days it took, or has taken so far.
        days: i64,
    },
}

impl Flag {
    /// Its stable kebab-case code.
    pub fn code(&self) -> &'static str {
        match self {
            Flag::RepeatSupplement { .. } => "repeat-supplement",
            Flag::ProcedureOverCap { .. } => "procedure-over-cap",
        }
    }
}

impl fmt::Display for Flag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Flag::RepeatSupplement { requests } => write!(
                f,
                "repeat-supplement: {requests} requests for material in one application (一次性告知 asks once)"
            ),
            Flag::ProcedureOverCap { kind, cap, days } => {
                write!(f, "procedure-over-cap: {kind} took {days} working days, more than its cap of {cap}")
            }
        }
    }
}

/// One step on a given day.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct StepStatus {
    /// The step's id.
    pub id: String,
    /// Its title.
    pub name: String,
    /// Its departments, joined with `+`.
    pub dept: String,
    /// A filing (备案, `filing: true` in the flow): the department records the
    /// application instead of deciding on it (deemed approved reads 视为备案完成).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub filing: bool,
    /// Where it stands.
    pub state: StepState,
    /// Which application: 0 before any filing, 2 or more after an earlier one
    /// ended without approval and the applicant applied again.
    pub attempt: u32,
    /// Why its clock is stopped, when paused.
    pub paused_for: Option<PauseReason>,
    /// The kind of special procedure it is paused for, when recorded.
    pub procedure: Option<ProcedureKind>,
    /// Its own limit in working days (promised, never beyond legal).
    pub limit: u32,
    /// The day of receipt (收件) of the current application, when filed with `received`.
    pub received: Option<NaiveDate>,
    /// While received and not yet accepted: the last day of the acceptance
    /// window, after which it counts as accepted from the day of receipt.
    pub acceptance_due: Option<NaiveDate>,
    /// The day of the current acceptance.
    pub accepted: Option<NaiveDate>,
    /// Due under its own limit, pushed back by clock stops; `None` until accepted.
    pub due: Option<NaiveDate>,
    /// Due under its legal limit with its extensions (Art. 42), pushed back by
    /// clock stops; `None` until accepted. An extension moves this, never `due`.
    pub legal_due: Option<NaiveDate>,
    /// Working days the legal limit was extended by in this application.
    pub extended: u32,
    /// Its deadline in the plan for the project's budget.
    pub plan_deadline: NaiveDate,
    /// The last day it may finish for every group of stages it belongs to
    /// (`budgets:`) to hold, the rest at promised days; `None` outside any
    /// group, or uncounted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_deadline: Option<NaiveDate>,
    /// The day it was decided.
    pub decided: Option<NaiveDate>,
    /// Working days of its limit used (to the decision, or to the day).
    pub used: Option<i64>,
    /// Working days of its limit left; negative when overdue.
    pub left: Option<i64>,
    /// Working days the earlier applications used (accepted to ended): under
    /// `reapplication: count-all` the total counts them too.
    pub earlier_used: i64,
    /// What supervision should see: a repeated 补正 request, a procedure past its cap.
    pub flags: Vec<Flag>,
    /// The stronger of the two clocks' alerts.
    pub alert: Alert,
    /// Which clock raised `alert`.
    pub clock: Option<Clock>,
    /// When its work started or is expected to start (re-planned from the day asked about).
    pub expected_start: Option<NaiveDate>,
    /// When it finished or is expected to finish; `None` when a failed step blocks it.
    pub expected_finish: Option<NaiveDate>,
    /// A joint step's members (`kind: joint`): each one's clock, opinion and alert.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<MemberStatus>,
    /// The window (一窗受理) that accepted it with the rest of its stage, if one did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window: Option<String>,
    /// Who does an intermediary's work (`provider`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// Approved on the applicant's pledge (告知承诺制): the last day to verify it,
    /// while neither `verified` nor `commitment-breached` is recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verify_due: Option<NaiveDate>,
    /// Provisionally approved (模拟审批) with its prerequisites decided: the last
    /// day to record `confirmed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirm_due: Option<NaiveDate>,
    /// Supervision notices (督办) sent about it, of every application, with
    /// what the engine owes by the day folded in.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notices: Vec<Notice>,
}

/// A project on a given day: the JSON of `shenpi project status --format
/// json` and of the HTTP service's status, versioned by `schema`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Status {
    /// The version of this shape: [`Status::SCHEMA`]. A field may be added
    /// under the same schema; one renamed, removed or given another meaning takes a new one.
    pub schema: &'static str,
    /// The project's id.
    pub project: String,
    /// The pinned flow's id.
    pub flow: String,
    /// The pinned flow's SHA-256.
    pub flow_hash: String,
    /// The agent (代办员) looking after it, if one was assigned (`agent-assigned`).
    pub agent: Option<String>,
    /// The mode it runs in (`project new --mode`).
    pub mode: Mode,
    /// The day asked about.
    pub date: NaiveDate,
    /// The day the project started.
    pub start: NaiveDate,
    /// False when the day asked about is before the start: nothing can have happened yet.
    pub started: bool,
    /// Every step, in topological order, with what the engine owes folded in.
    pub steps: Vec<StepStatus>,
    /// What the engine owes by the day asked about and has not recorded
    /// (deemed approvals, 容缺 failures, confirmations, revocations): the
    /// steps read as if it had; [`Project::advance`] records them.
    pub owed: Vec<NewEvent>,
    /// When it will finish if what remains takes its promised days from today;
    /// `None` when a failed step makes finishing impossible.
    pub projected_finish: Option<NaiveDate>,
    /// When the budget runs out (the plan's finish without a budget).
    pub deadline: NaiveDate,
    /// Each group of stages (`budgets:`) against its limit, in file order.
    pub groups: Vec<GroupStatus>,
    /// Working days from the projected finish to the deadline; negative when late.
    pub slack: Option<i64>,
    /// The failed step that stops the project, if any.
    pub blocked_by: Option<String>,
    /// Share of decided counted steps (approval items, not the owner's work) decided within their own limit.
    pub on_time_rate: Option<f64>,
    /// 提速率: (法定 − 实际) / 法定 over the decided counted steps with a legal
    /// limit, averaged as the reports do, Σ(legal − used) / Σ legal (see
    /// `schedule::Reform` for the same figure on promised days).
    pub speed_up: Option<f64>,
    /// The first day the calendar has holiday data for, when the project
    /// started before it: days before it count weekends only.
    pub estimated_before: Option<NaiveDate>,
    /// The last day the calendar has published data for, when some date here
    /// lies beyond it: those dates count as the calendar's
    /// [`Beyond`](crate::calendar::Beyond) says (by the holiday law for `cn`)
    /// and may move when the next year's arrangement is published.
    pub estimated_after: Option<NaiveDate>,
    /// True when a date here (the day asked about, the deadline, the projected
    /// finish, or a step's dates) lies past the calendar's published data.
    pub provisional: bool,
    /// The first such date.
    pub first_provisional_date: Option<NaiveDate>,
    /// What to tell the reader about such dates, e.g. "dates after 2026-12-31
    /// follow the holiday law; the 2027 arrangement is not yet published".
    pub provisional_note: Option<String>,
    /// The calendar the days are counted on (`cn`, or the file the flow names).
    pub calendar: String,
    /// Which data of it: [`Calendar::data_version`](crate::calendar::Calendar::data_version),
    /// e.g. `2004..2026 sha256:…`; a new year's data file changes it.
    pub calendar_data: String,
}

impl Status {
    /// The value of [`Status::schema`] for this shape.
    pub const SCHEMA: &'static str = "shenpi.status/1";
}

/// One line of the supervision board: a step due, overdue or flagged.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct BoardRow {
    /// The responsible departments.
    pub dept: String,
    /// The project.
    pub project: String,
    /// The step's id.
    pub step: String,
    /// Its title.
    pub name: String,
    /// Where it stands.
    pub state: StepState,
    /// Which application.
    pub attempt: u32,
    /// Due under its own limit.
    pub due: Option<NaiveDate>,
    /// Its deadline in the total.
    pub plan_deadline: NaiveDate,
    /// Yellow or red; `none` for a row that is on the board for its flags only.
    pub alert: Alert,
    /// Which clock raised it.
    pub clock: Option<Clock>,
    /// What supervision should see even when no clock is late.
    pub flags: Vec<Flag>,
    /// True on the row of a joint step's member, listed under its own
    /// department (`dept`) for its opinion's clock; `due` is then the member's.
    pub member: bool,
    /// Who does an intermediary's work (`provider`).
    pub provider: Option<String>,
    /// The project's agent (代办员), if one was assigned.
    pub agent: Option<String>,
    /// The rung of the escalation ladder it stands on (预警, 超期, 督办, 问责):
    /// for the department asked about, else the highest of its departments'
    /// (none on a joint member's row).
    pub rung: Rung,
}

impl Project {
    pub(super) fn limit_alert(&self, left: i64, limit: u32) -> Alert {
        let a = self.graph.flow().alerts();
        if left <= -i64::from(a.red) {
            Alert::Red
        } else if left <= i64::from(a.yellow) {
            Alert::Yellow
        } else if (left as f64) <= a.reminder * f64::from(limit) {
            Alert::Reminder
        } else {
            Alert::None
        }
    }

    fn step_status(&self, rules: &Rules<'_>, v: Node, date: NaiveDate) -> Result<StepStatus, Error> {
        let step = self.graph.step(v);
        let run = self.state.run(v);
        let state = self.state.state(&self.graph, v);
        let limit = rules.limit(v);
        let due = self.state.due(rules, v, date)?;
        let (mut used, mut left) = (None, None);
        if let Some(acc) = run.accepted {
            // A deemed approval took effect when the limit ran out: it used the limit, no more.
            let decided = match (state, due) {
                (StepState::DeemedApproved, Some(due)) => run.decided.map(|d| d.min(due)),
                _ => run.decided,
            };
            let until = decided.unwrap_or(date).max(acc);
            let u = rules.between(acc, until, &run.stops(until))?;
            used = Some(u);
            left = Some(i64::from(limit) - u);
        }
        // Placeholder until `status` moves it with the project's actual counted days.
        let plan_deadline = self.plan.deadline[v.index()];
        let (mut alert, mut clock) = (Alert::None, None);
        if state.is_active() {
            if let Some(l) = left {
                let a = self.limit_alert(l, limit);
                if a > Alert::None {
                    (alert, clock) = (a, Some(Clock::Limit));
                }
            }
        }
        // Follow-ups after a decision: verifying a pledge, confirming a provisional approval.
        let (mut verify_due, mut confirm_due, mut follow) = (None, None, (alert, clock));
        if let (Some(day), Some(c), None) = (run.pledged, step.commitment(), run.verified.or(run.breached)) {
            if state == StepState::Approved {
                let due = self.follow_up(day, c.verify_within(), date, Clock::Verification, &mut follow)?;
                verify_due = Some(due);
            }
        }
        if let (StepState::ProvisionalApproved, Some(p)) = (state, step.provisional()) {
            if let Some(ready) = self.state.ready_on(&self.graph, v) {
                let from = ready.unwrap_or(self.record.start);
                let due = self.follow_up(from, p.confirm_within(), date, Clock::Confirmation, &mut follow)?;
                confirm_due = Some(due);
            }
        }
        (alert, clock) = follow;
        let open = run.pauses.last().filter(|p| p.to.is_none() && state == StepState::Paused);
        Ok(StepStatus {
            id: step.id().to_string(),
            name: step.name().to_string(),
            dept: step.dept_label(),
            filing: step.is_filing(),
            state,
            attempt: run.attempt,
            paused_for: open.map(|p| p.reason),
            procedure: open.and_then(|p| p.procedure),
            limit,
            received: run.received,
            acceptance_due: self.state.acceptance_due(rules, v)?,
            accepted: run.accepted,
            due,
            legal_due: self.state.legal_due(rules, v, date)?,
            extended: run.extended,
            plan_deadline,
            group_deadline: None,
            decided: run.decided,
            used,
            left,
            earlier_used: run.earlier_used,
            flags: self.flags(v, date)?,
            alert,
            clock,
            expected_start: None,
            expected_finish: None,
            members: self.member_status(v, date)?,
            window: run.window.clone(),
            provider: step.provider().map(str::to_string),
            verify_due,
            confirm_due,
            notices: run.notices.clone(),
        })
    }

    /// A follow-up's last day (`days` working days after `from`), raising its
    /// alert on `date` into `alert` when stronger.
    fn follow_up(
        &self,
        from: NaiveDate,
        days: u32,
        date: NaiveDate,
        which: Clock,
        alert: &mut (Alert, Option<Clock>),
    ) -> Result<NaiveDate, Error> {
        let due = self.calendar.add_working_days(from, days)?;
        let used = self.calendar.working_days_between(from, date.max(from))?;
        let a = self.limit_alert(i64::from(days) - used, days);
        if a > alert.0 {
            *alert = (a, Some(which));
        }
        Ok(due)
    }

    /// A step's flags on `date`: a repeated 补正 request in its application,
    /// special procedures longer than the step's cap for their kind.
    fn flags(&self, v: Node, date: NaiveDate) -> Result<Vec<Flag>, Error> {
        let run = self.state.run(v);
        let mut flags = Vec::new();
        if run.supplements > 1 {
            flags.push(Flag::RepeatSupplement { requests: run.supplements });
        }
        let handling = self.graph.step(v).handling();
        for p in &run.pauses {
            let Some((kind, cap)) = p.procedure.and_then(|k| handling.procedure_cap(k).map(|c| (k, c)))
            else {
                continue;
            };
            let days = self.calendar.working_days_between(p.from, p.to.unwrap_or(date).max(p.from))?;
            if days > i64::from(cap) {
                flags.push(Flag::ProcedureOverCap { kind, cap, days });
            }
        }
        Ok(flags)
    }

    /// Moves each step's deadline in the total (批时总控) with what really
    /// happened, and raises the plan clock's alerts; returns the project's
    /// deadline.
    ///
    /// If every step finishes by the deadline this gives it, the project's
    /// counted days stay within the budget: a step's deadline leaves it
    /// `D − before` counted days, so `before + own <= D <= budget` along
    /// every chain.
    ///
    /// The plan gives each step a deadline on the counted clock: `D` counted
    /// working days from the start. Only counted work uses that clock up; the
    /// owner's work, intermediaries and clock stops do not. So a step's
    /// deadline is its (actual or expected) start plus what is left of `D`
    /// after the counted days its predecessors used (actual days where they
    /// ran, promised days where they have not). An owner who builds for longer
    /// moves every later deadline with him; a department that overran leaves
    /// less to those after it.
    ///
    /// # Complexity
    /// O(V + E) plus one date addition per step.
    fn plan_clock(&self, steps: &mut [StepStatus], date: NaiveDate) -> Result<NaiveDate, Error> {
        let g = &self.graph;
        let mut used_before = vec![0i64; g.len()];
        let mut deadline = None;
        for v in g.nodes() {
            let before = g.dag().preds(v).iter().map(|&p| used_before[p.index()]).max().unwrap_or(0);
            let s = &mut steps[v.index()];
            let own = self.counted_own(v, s);
            used_before[v.index()] = before + own;
            let Some(start) = s.accepted.or(s.expected_start) else { continue };
            let left = u32::try_from(self.plan.counted[v.index()] - before).unwrap_or(0);
            // Its own clock stops (补正, special procedures) are the applicant's time too.
            let stops = self.state.run(v).stops(s.decided.unwrap_or(date).max(start));
            s.plan_deadline = self.calendar.add_working_days_with_stops(start, left, &stops)?;
            deadline = deadline.max(Some(s.plan_deadline));
            // Uncounted work (the owner's, intermediaries') does not use the budget up.
            let waiting_on_it = s.state.is_active()
                || matches!(s.state, StepState::Ready | StepState::Received | StepState::Returned);
            if g.counted()[v.index()] && waiting_on_it {
                let a = match date.cmp(&s.plan_deadline) {
                    std::cmp::Ordering::Greater => Alert::Red,
                    std::cmp::Ordering::Equal => Alert::Yellow,
                    std::cmp::Ordering::Less => Alert::None,
                };
                if a > s.alert {
                    (s.alert, s.clock) = (a, Some(Clock::Plan));
                }
            }
        }
        Ok(deadline.unwrap_or(self.plan.finish))
    }

    /// Both clocks of every step on `date`, and the project's outlook:
    /// projected finish (what is done is done, the rest scheduled from
    /// `date` at promised days), slack against the budget, on-time rate and
    /// speed-up so far. Events dated after `date` are left out, so a past day
    /// reads as it stood then. Reads only: what the engine owes by `date` is
    /// folded in and listed in [`Status::owed`]; [`Project::advance`] records it.
    ///
    /// # Errors
    /// A date the calendar cannot count (a representable-date overflow).
    ///
    /// # Complexity
    /// O(V + E) plus date arithmetic per step.
    ///
    /// # Example
    /// ```
    /// use shenpi_core::runtime::{Alert, Clock, EventKind, MemoryStore, NewEvent, Project};
    /// # use std::sync::Arc;
    /// # use chrono::NaiveDate;
    /// # use shenpi_core::Flow;
    /// # let flow = Arc::new(Flow::parse("f.yaml", "
    /// # id: f
    /// # name: 示例
    /// # stages: [{ id: s, name: 阶段, steps: [
    /// #   { id: land, name: 用地规划许可, dept: 自然资源局, promised: 5, legal: 20, on_timeout: deem-approved }] }]
    /// # ").map_err(|r| r.render())?);
    /// # let day = |d| NaiveDate::from_ymd_opt(2025, 3, d).unwrap();
    /// let store = MemoryStore::new();
    /// let mut p = Project::create(&store, flow, "P-1", day(3), &[])?;
    /// p.record(&store, NewEvent::new("land", EventKind::Accepted, day(3)), day(10))?;
    /// let s = p.status(day(10))?;
    /// let land = &s.steps[0];
    /// assert_eq!((land.due, land.left), (Some(day(10)), Some(0)));
    /// assert_eq!((land.alert, land.clock), (Alert::Yellow, Some(Clock::Limit))); // due today
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn status(&self, date: NaiveDate) -> Result<Status, Error> {
        let (view, owed) = self.view(date)?;
        view.status_of(date, owed)
    }

    /// Status of a project already read as of `date`, `owed` folded in.
    fn status_of(&self, date: NaiveDate, owed: Vec<NewEvent>) -> Result<Status, Error> {
        let rules = self.rules();
        let mut steps: Vec<StepStatus> =
            self.graph.nodes().map(|v| self.step_status(&rules, v, date)).collect::<Result<_, _>>()?;
        let (projected_finish, blocked_by) = self.project(&mut steps, date)?;
        let deadline = self.plan_clock(&mut steps, date)?;
        self.group_clock(&mut steps, date)?;
        let groups = self.group_status(&steps);
        let slack = projected_finish.map(|f| self.calendar.working_days_between(f, deadline)).transpose()?;
        let (on_time_rate, speed_up) = self.rates(&steps);
        let covered = self.calendar.covered();
        let first_provisional_date = steps
            .iter()
            .flat_map(|s| {
                [s.accepted, s.due, Some(s.plan_deadline), s.decided, s.expected_start, s.expected_finish]
            })
            .chain([Some(date), Some(deadline), projected_finish])
            .flatten()
            .filter(|&d| self.calendar.is_provisional(d))
            .min();
        let provisional_note = first_provisional_date.and_then(|_| self.calendar.provisional_note());
        Ok(Status {
            schema: Status::SCHEMA,
            project: self.record.id.clone(),
            flow: self.record.flow_id.clone(),
            flow_hash: self.record.flow_hash.clone(),
            agent: self.state.agent().map(str::to_string),
            mode: self.state.mode(),
            date,
            start: self.record.start,
            started: date >= self.record.start,
            steps,
            owed,
            projected_finish,
            deadline,
            groups,
            slack,
            blocked_by,
            on_time_rate,
            speed_up,
            estimated_before: covered.map(|(first, _)| first).filter(|&first| self.record.start < first),
            estimated_after: covered
                .map(|(_, last)| last)
                .filter(|&last| projected_finish.unwrap_or(deadline).max(deadline) > last),
            provisional: first_provisional_date.is_some(),
            first_provisional_date,
            provisional_note,
            calendar: self.calendar.id().to_string(),
            calendar_data: self.calendar.data_version().to_string(),
        })
    }

    /// Projected finish: a forward pass over actual and remaining days, what
    /// is done being done and the rest scheduled from `date` at promised
    /// days; sets each step's expected start and finish. `None` and the step
    /// that stops the project when one failed.
    ///
    /// # Complexity
    /// O(V + E) plus one date addition per step not yet accepted.
    fn project(
        &self,
        steps: &mut [StepStatus],
        date: NaiveDate,
    ) -> Result<(Option<NaiveDate>, Option<String>), Error> {
        let blocked = self.state.blocked(&self.graph);
        let mut blocked_by = None;
        let mut finish: Vec<NaiveDate> = Vec::with_capacity(self.graph.len());
        let mut end = self.record.start;
        for (v, s) in self.graph.nodes().zip(steps.iter_mut()) {
            if s.state.is_failed() || blocked[v.index()].is_some() {
                if s.state.is_failed() && blocked_by.is_none() {
                    blocked_by = Some(s.id.clone());
                }
                finish.push(date);
                continue;
            }
            let after = self.graph.dag().preds(v).iter().map(|&p| finish[p.index()]).max();
            s.expected_start = Some(s.accepted.unwrap_or_else(|| after.map_or(date, |a| a.max(date))));
            let f = match s.state {
                StepState::Approved | StepState::DeemedApproved => s.decided.unwrap_or(date),
                StepState::ProvisionalApproved => after.into_iter().chain(s.decided).max().unwrap_or(date),
                StepState::Accepted | StepState::AcceptedIncomplete | StepState::Paused => {
                    let own = s.due.unwrap_or(date).max(date);
                    after.map_or(own, |a| a.max(own))
                }
                _ => {
                    let from = after.map_or(date, |a| a.max(date));
                    self.calendar.add_working_days(from, self.graph.promised()[v.index()])?
                }
            };
            end = end.max(f);
            s.expected_finish = Some(f);
            finish.push(f);
        }
        if blocked_by.is_none() {
            if let Some(v) = self.graph.nodes().find(|&v| blocked[v.index()].is_some()) {
                blocked_by = Some(self.graph.step(v).id().to_string());
            }
        }
        Ok(((blocked_by.is_none()).then_some(end), blocked_by))
    }

    /// On-time rate (按时办结率) and speed-up (提速率) over decided approval items.
    fn rates(&self, steps: &[StepStatus]) -> (Option<f64>, Option<f64>) {
        let (mut decided, mut on_time, mut legal_sum, mut saved) = (0u32, 0u32, 0i64, 0i64);
        for (v, s) in self.graph.nodes().zip(steps) {
            let (Some(_), Some(used), Some(d)) = (s.accepted, s.used, s.decided) else { continue };
            if !(s.state.is_done()
                || s.state == StepState::Rejected
                || s.state == StepState::ProvisionalApproved)
            {
                continue;
            }
            // 按时办结率 is about approval items: the owner's own work is not one.
            if !self.graph.counted()[v.index()] {
                continue;
            }
            decided += 1;
            if s.due.is_some_and(|due| d <= due) && s.state != StepState::DeemedApproved {
                on_time += 1;
            }
            if let Some(l) = self.graph.step(v).legal().filter(|&l| l > 0) {
                legal_sum += i64::from(l);
                saved += i64::from(l) - used;
            }
        }
        (
            (decided > 0).then(|| f64::from(on_time) / f64::from(decided)),
            (legal_sum > 0).then(|| saved as f64 / legal_sum as f64),
        )
    }
}

/// The supervision board (电子监察): every step due or overdue on `date`
/// (yellow or red on either clock), or flagged ([`Flag`]), across `projects`, optionally for one
/// department only (matching any of a countersigned step's departments),
/// sorted by department, then red before yellow, then due date.
///
/// # Complexity
/// O(P (V + E)) for P projects, plus a sort of the rows.
pub fn board<'a>(
    projects: impl IntoIterator<Item = &'a Project>,
    date: NaiveDate,
    dept: Option<&str>,
) -> Result<Vec<BoardRow>, Error> {
    board_by(projects, date, &BoardQuery { dept, agent: None })
}

/// Which rows [`board_by`] keeps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BoardQuery<'q> {
    /// Only this department's rows (a joint step's member: its own rows).
    pub dept: Option<&'q str>,
    /// Only the projects of this agent (代办员).
    pub agent: Option<&'q str>,
}

/// [`board`] filtered by department and by agent: a late member of a joint
/// step is listed under its own department (`member` set, `due` its own).
///
/// # Example
/// ```
/// use std::sync::Arc;
/// use chrono::NaiveDate;
/// use shenpi_core::Flow;
/// use shenpi_core::runtime::{BoardQuery, EventKind, MemoryStore, NewEvent, Project, board_by};
///
/// let flow = Arc::new(Flow::parse("f.yaml", "
/// id: f
/// name: 示例
/// stages: [{ id: s, name: 阶段, steps: [{ id: land, name: 用地, dept: 自然资源局, promised: 5 }] }]
/// ").map_err(|r| r.render())?);
/// let day = |d| NaiveDate::from_ymd_opt(2025, 3, d).unwrap();
/// let store = MemoryStore::new();
/// let mut p = Project::create(&store, flow, "P-1", day(3), &[])?;
/// p.record(&store, NewEvent::project(EventKind::AgentAssigned, day(3)).agent("王芳"), day(3))?;
/// p.record(&store, NewEvent::new("land", EventKind::Accepted, day(3)), day(3))?;
/// let mine = board_by([&p], day(12), &BoardQuery { agent: Some("王芳"), ..BoardQuery::default() })?;
/// assert_eq!(mine.len(), 1); // overdue on 12 March
/// assert!(board_by([&p], day(12), &BoardQuery { agent: Some("李明"), dept: None })?.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Complexity
/// O(P (V + E)) for P projects, plus a sort of the rows.
pub fn board_by<'a>(
    projects: impl IntoIterator<Item = &'a Project>,
    date: NaiveDate,
    query: &BoardQuery<'_>,
) -> Result<Vec<BoardRow>, Error> {
    let mut rows = Vec::new();
    for p in projects {
        if query.agent.is_some_and(|a| p.state.agent() != Some(a)) {
            continue;
        }
        let status = p.status(date)?;
        let agent = status.agent.clone();
        for (v, s) in p.graph.nodes().zip(status.steps) {
            let rung = p.rung_of(v, &s, query.dept, date);
            let row = |dept: String, due, alert, clock, flags, member| BoardRow {
                dept,
                project: p.id().to_string(),
                step: s.id.clone(),
                name: s.name.clone(),
                state: s.state,
                attempt: s.attempt,
                due,
                plan_deadline: s.plan_deadline,
                alert,
                clock,
                flags,
                member,
                provider: s.provider.clone(),
                agent: agent.clone(),
                rung: if member { Rung::None } else { rung },
            };
            for m in s.members.iter().filter(|m| m.alert >= Alert::Yellow) {
                if query.dept.is_none_or(|d| d == m.dept) {
                    rows.push(row(m.dept.clone(), m.due, m.alert, Some(Clock::Limit), Vec::new(), true));
                }
            }
            if s.alert < Alert::Yellow && s.flags.is_empty() && rung < Rung::Supervised {
                continue;
            }
            if let Some(d) = query.dept {
                if !p.graph.step(v).depts().iter().any(|x| x == d) {
                    continue;
                }
            }
            rows.push(row(s.dept.clone(), s.due, s.alert, s.clock, s.flags.clone(), false));
        }
    }
    sort_board(&mut rows);
    Ok(rows)
}

impl Project {
    /// The rung of step `v` (its status `s` on `date`, with what the engine
    /// owes by then) for `dept`, or the highest of its departments' with
    /// `None`: its own limit's card, or the department's supervision notice,
    /// whichever stands higher.
    fn rung_of(&self, v: Node, s: &StepStatus, dept: Option<&str>, date: NaiveDate) -> Rung {
        let card = match (s.state.is_active(), s.left) {
            (true, Some(left)) => self.limit_alert(left, s.limit),
            _ => Alert::None,
        };
        let notice = self
            .graph
            .step(v)
            .depts()
            .iter()
            .filter(|d| dept.is_none_or(|x| x == d.as_str()))
            .filter_map(|d| board_notice(&s.notices, s.attempt, d))
            .map(|n| n.rung_on(date))
            .max()
            .unwrap_or_default();
        Rung::of(card, notice)
    }
}

/// The board's order: by department, then red before yellow, then due date,
/// then project, then step (so that the order never depends on the input's).
pub(crate) fn sort_board(rows: &mut [BoardRow]) {
    let key = |r: &BoardRow| {
        (
            r.dept.clone(),
            std::cmp::Reverse(r.alert),
            r.due.unwrap_or(r.plan_deadline),
            r.project.clone(),
            r.step.clone(),
        )
    };
    rows.sort_by_cached_key(key);
}
