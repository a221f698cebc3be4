//! Step states and the fold: every state is the log's events applied in order.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use std::borrow::Cow;

use super::event::{Event, EventDetail, EventKind, Mode, NewEvent, ProcedureKind};
use super::joint::{Opinion, Verdict};
use super::ladder::Notice;
use super::refusal::{Detail, Refusal, RefusalReason};
use super::table::{self, Guard, Phase, To};
use crate::calendar::{Calendar, ClockStops};
use crate::error::Error;
use crate::graph::{FlowGraph, Node};
use crate::model::TimeoutPolicy;

/// Where a step stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepState {
    /// Some step it waits for is not done.
    Waiting,
    /// Everything it waits for is done; the application can be filed.
    Ready,
    /// 收件: filed, awaiting acceptance within the acceptance window (Art. 32).
    Received,
    /// 受理: the clock runs.
    Accepted,
    /// 容缺受理: the clock runs and a document is still owed.
    AcceptedIncomplete,
    /// The clock is stopped: 补正 or a special procedure.
    Paused,
    /// Approved (directly or by confirming a provisional approval).
    Approved,
    /// 超时默认: counted as approved because its limit passed undecided.
    DeemedApproved,
    /// 模拟审批: approved ahead of its prerequisites, awaiting confirmation.
    ProvisionalApproved,
    /// Refused (不予许可); what waits for it cannot start until the applicant applies again.
    Rejected,
    /// 不予受理: not accepted; the applicant may apply again.
    NotAccepted,
    /// Sent back to the applicant; it may be filed again.
    Returned,
    /// Withdrawn by the applicant.
    Withdrawn,
    /// 终止办理: ended without a decision, not counting against the department.
    Terminated,
    /// A provisional approval that fell with a prerequisite.
    Revoked,
}

impl StepState {
    /// Its kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            StepState::Waiting => "waiting",
            StepState::Ready => "ready",
            StepState::Received => "received",
            StepState::Accepted => "accepted",
            StepState::AcceptedIncomplete => "accepted-incomplete",
            StepState::Paused => "paused",
            StepState::Approved => "approved",
            StepState::DeemedApproved => "deemed-approved",
            StepState::ProvisionalApproved => "provisional-approved",
            StepState::Rejected => "rejected",
            StepState::NotAccepted => "not-accepted",
            StepState::Returned => "returned",
            StepState::Withdrawn => "withdrawn",
            StepState::Terminated => "terminated",
            StepState::Revoked => "revoked",
        }
    }

    /// Done: what waits for it may go on.
    pub fn is_done(self) -> bool {
        matches!(self, StepState::Approved | StepState::DeemedApproved)
    }

    /// Ended without approval (rejected, not accepted, withdrawn,
    /// terminated, revoked): what waits for it cannot start unless the
    /// applicant applies again, which starts the next attempt.
    pub fn is_failed(self) -> bool {
        matches!(
            self,
            StepState::Rejected
                | StepState::NotAccepted
                | StepState::Withdrawn
                | StepState::Terminated
                | StepState::Revoked
        )
    }

    /// An application may be filed (`received`, `accepted`): ready, sent
    /// back, or ended without approval (a new attempt).
    pub fn takes_filing(self) -> bool {
        self == StepState::Ready || self == StepState::Returned || self.is_failed()
    }

    /// Accepted and undecided: its own clock runs or is stopped.
    pub fn is_active(self) -> bool {
        matches!(self, StepState::Accepted | StepState::AcceptedIncomplete | StepState::Paused)
    }

    /// Decided for good: approved or deemed approved.
    pub fn is_final(self) -> bool {
        self.is_done()
    }
}

/// Why a step's clock is stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PauseReason {
    /// 补充材料(暂停计时): waiting for the applicant's material.
    Supplement,
    /// A special procedure: hearing, expert review, public notice (Art. 45).
    Procedure,
}

/// One stop of a step's clock: from the day it was requested to the day it ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Pause {
    /// Why.
    pub reason: PauseReason,
    /// The day the clock stopped (that day still counts).
    pub from: NaiveDate,
    /// The day it ran again (that day does not count); `None` while stopped.
    pub to: Option<NaiveDate>,
    /// The kind of special procedure (Art. 45), when recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub procedure: Option<ProcedureKind>,
    /// The day the applicant was told of the procedure, when recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notified: Option<NaiveDate>,
}

/// One step's history folded: everything its clocks need.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StepRun {
    /// The stored state; `Waiting` stands for "not filed" and becomes `Ready` when
    /// the predecessors are done (see [`ProjectState::state`]).
    pub(crate) state: StepState,
    /// Which application this is: 0 before any filing, 1 for the first, 2
    /// after the first ended without approval and the applicant applied again.
    pub attempt: u32,
    /// Working days of its limit the earlier attempts used, accepted to ended, clock stops left out.
    pub earlier_used: i64,
    /// The day of receipt (收件) of the current attempt, or the day complete
    /// material arrived after a 补正 before acceptance.
    pub received: Option<NaiveDate>,
    /// The day of the current acceptance (受理), when accepted.
    pub accepted: Option<NaiveDate>,
    /// `supplement-requested` events in the current attempt (more than one breaks 一次性告知).
    pub supplements: u32,
    /// Working days the legal limit was extended by in the current attempt (Art. 42).
    pub extended: u32,
    /// Clock stops since the current acceptance.
    pub pauses: Vec<Pause>,
    /// A document promised under 容缺 is still owed.
    pub missing_material: bool,
    /// The day of the decision (approved, rejected, …).
    pub decided: Option<NaiveDate>,
    /// The day of its latest event: a step's history never goes back in time.
    pub last: Option<NaiveDate>,
    /// A joint step's opinions in the current attempt, by member (in the flow's order).
    pub(crate) opinions: Vec<Option<Opinion>>,
    /// The window (一窗受理) that accepted the current application, if one did.
    pub window: Option<String>,
    /// The day it was approved on the applicant's pledge (告知承诺制), if it was.
    pub pledged: Option<NaiveDate>,
    /// The day the pledge was verified, if it was.
    pub verified: Option<NaiveDate>,
    /// The day the pledge was found broken (the approval is then owed `revoked`), if it was.
    pub breached: Option<NaiveDate>,
    /// Supervision notices (督办) about the step, of every application, in order.
    pub notices: Vec<Notice>,
    /// The closed clock stops since the current acceptance, as uncounted spans.
    #[serde(skip)]
    stops: ClockStops,
}

impl StepRun {
    fn new() -> StepRun {
        StepRun {
            state: StepState::Waiting,
            attempt: 0,
            earlier_used: 0,
            received: None,
            accepted: None,
            supplements: 0,
            extended: 0,
            pauses: Vec::new(),
            missing_material: false,
            decided: None,
            last: None,
            opinions: Vec::new(),
            window: None,
            pledged: None,
            verified: None,
            breached: None,
            notices: Vec::new(),
            stops: ClockStops::new(),
        }
    }

    /// The clock stops as of `as_of`: the closed ones, and the open one as if it
    /// ended on `as_of`. A stop from day d to day e leaves out the working days
    /// x with d < x ≤ e.
    ///
    /// # Complexity
    /// O(1) without an open stop; O(S) to copy S stops with one.
    pub fn stops(&self, as_of: NaiveDate) -> Cow<'_, ClockStops> {
        let open = self.pauses.last().filter(|p| p.to.is_none()).and_then(|p| stop_span(p.from, as_of));
        match open {
            None => Cow::Borrowed(&self.stops),
            Some((first, last)) => {
                let mut stops = self.stops.clone();
                // OK to ignore: the open stop starts after every closed one ends.
                let _ = stops.push(first, last);
                Cow::Owned(stops)
            }
        }
    }
}

/// The uncounted span of a stop from `from` to `to`: the days after `from` through `to`.
fn stop_span(from: NaiveDate, to: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    from.succ_opt().filter(|&first| first <= to).map(|first| (first, to))
}

/// One event as the fold sees it: what happened, when, and what else it says.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Fact<'a> {
    pub(crate) kind: EventKind,
    pub(crate) date: NaiveDate,
    pub(crate) detail: &'a EventDetail,
}

impl<'a> From<&'a Event> for Fact<'a> {
    fn from(e: &'a Event) -> Fact<'a> {
        Fact { kind: e.kind, date: e.date, detail: &e.detail }
    }
}

impl<'a> From<&'a NewEvent> for Fact<'a> {
    fn from(e: &'a NewEvent) -> Fact<'a> {
        Fact { kind: e.kind, date: e.date, detail: &e.detail }
    }
}

/// What the fold needs to know about the project: its graph, calendar and start.
pub(crate) struct Rules<'a> {
    pub(crate) graph: &'a FlowGraph,
    pub(crate) calendar: &'a Calendar,
    pub(crate) start: NaiveDate,
}

impl Rules<'_> {
    /// A step's own time limit: promised days, never beyond the legal limit.
    pub(crate) fn limit(&self, v: Node) -> u32 {
        let s = self.graph.step(v);
        s.legal().map_or(s.promised(), |l| s.promised().min(l))
    }

    /// A step's legal limit before any extension: `legal`, or the promised
    /// limit when the law sets none.
    pub(crate) fn legal_limit(&self, v: Node) -> u32 {
        let s = self.graph.step(v);
        s.legal().unwrap_or(s.promised())
    }

    /// The last day of a step's acceptance window from `received` (Art. 32).
    pub(crate) fn acceptance_due(&self, v: Node, received: NaiveDate) -> Result<NaiveDate, Error> {
        let limit = self.graph.step(v).handling().acceptance_limit();
        Ok(self.calendar.add_working_days(received, limit)?)
    }

    /// The `n`-th counted working day after `date` with the clock stopped during `stops`.
    pub(crate) fn add(&self, date: NaiveDate, n: u32, stops: &ClockStops) -> Result<NaiveDate, Error> {
        Ok(self.calendar.add_working_days_with_stops(date, n, stops)?)
    }

    /// The counted working days x with `from` < x ≤ `to`, not counting `stops`.
    pub(crate) fn between(&self, from: NaiveDate, to: NaiveDate, stops: &ClockStops) -> Result<i64, Error> {
        Ok(self.calendar.working_days_between_with_stops(from, to, stops)?)
    }
}

/// A checked state change: the step's state before and after.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Change {
    from: StepState,
    to: StepState,
    /// The member of a joint step an opinion is from, by index.
    member: Option<usize>,
    /// The last day to answer a supervision notice (`supervised`).
    answer_by: Option<NaiveDate>,
}

impl Change {
    /// An event of `kind` making this change files a new application: the
    /// first, or one after the last ended without approval.
    fn new_attempt(self, kind: EventKind) -> bool {
        kind.is_filing() && self.from != StepState::Received
    }
}

/// Every step's folded history, by node of the project's graph.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProjectState {
    steps: Vec<StepRun>,
    /// The agent (代办员) looking after the project, from its latest `agent-assigned`.
    pub(crate) agent: Option<String>,
    /// The mode it runs in (`mode-set`; normal unless set).
    pub(crate) mode: Mode,
}

/// What a refusal or a guard needs to know about one event.
struct Asked<'a> {
    rules: &'a Rules<'a>,
    v: Node,
    kind: EventKind,
    date: NaiveDate,
    detail: &'a EventDetail,
    ready: Option<Option<NaiveDate>>,
}

impl Asked<'_> {
    fn refuse(&self, reason: RefusalReason) -> Error {
        Error::refused(Refusal {
            step: self.rules.graph.step(self.v).id().to_string(),
            event: self.kind,
            reason,
        })
    }
}

impl ProjectState {
    /// Every step not yet filed.
    pub(crate) fn new(n: usize) -> ProjectState {
        ProjectState { steps: vec![StepRun::new(); n], agent: None, mode: Mode::Normal }
    }

    /// Applies an event about the whole project (`agent-assigned`, `mode-set`).
    pub(crate) fn apply_project(&mut self, fact: Fact<'_>) {
        match fact.kind {
            EventKind::AgentAssigned => self.agent.clone_from(&fact.detail.agent),
            EventKind::ModeSet => self.mode = fact.detail.mode.unwrap_or_default(),
            _ => {}
        }
    }

    /// The agent (代办员) looking after the project, if one was assigned.
    pub fn agent(&self) -> Option<&str> {
        self.agent.as_deref()
    }

    /// The mode the project runs in (`mode-set`; normal unless set).
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The folded history of a node.
    pub fn run(&self, v: Node) -> &StepRun {
        &self.steps[v.index()]
    }

    /// The state of a node, with `Ready` told apart from `Waiting`.
    pub fn state(&self, graph: &FlowGraph, v: Node) -> StepState {
        let s = self.steps[v.index()].state;
        if s == StepState::Waiting && self.ready_on(graph, v).is_some() { StepState::Ready } else { s }
    }

    /// The phase of a node: its state, with a pause's reason.
    fn phase(&self, graph: &FlowGraph, v: Node) -> Phase {
        use StepState as S;
        match self.state(graph, v) {
            S::Waiting => Phase::Waiting,
            S::Ready => Phase::Ready,
            S::Received => Phase::Received,
            S::Accepted => Phase::Accepted,
            S::AcceptedIncomplete => Phase::AcceptedIncomplete,
            S::Paused if self.steps[v.index()].accepted.is_none() => Phase::Completing,
            S::Paused => Phase::Paused(self.open_pause(v).unwrap_or(PauseReason::Supplement)),
            S::Approved => Phase::Approved,
            S::DeemedApproved => Phase::DeemedApproved,
            S::ProvisionalApproved => Phase::ProvisionalApproved,
            S::Rejected => Phase::Rejected,
            S::NotAccepted => Phase::NotAccepted,
            S::Returned => Phase::Returned,
            S::Withdrawn => Phase::Withdrawn,
            S::Terminated => Phase::Terminated,
            S::Revoked => Phase::Revoked,
        }
    }

    /// The day the last of a node's predecessors was done, when all are
    /// (the project start counts as a day for a step without predecessors).
    pub(crate) fn ready_on(&self, graph: &FlowGraph, v: Node) -> Option<Option<NaiveDate>> {
        let mut day = None;
        for &p in graph.dag().preds(v) {
            let r = &self.steps[p.index()];
            if !r.state.is_done() {
                return None;
            }
            day = day.max(r.decided);
        }
        Some(day)
    }

    /// For each node, the day it became impossible (a step it waits for,
    /// directly or not, failed), or `None`.
    ///
    /// # Complexity
    /// O(V + E).
    pub(crate) fn blocked(&self, graph: &FlowGraph) -> Vec<Option<NaiveDate>> {
        let mut out: Vec<Option<NaiveDate>> = vec![None; graph.len()];
        for v in graph.nodes() {
            for &p in graph.dag().preds(v) {
                let r = &self.steps[p.index()];
                let since = if r.state.is_failed() { r.decided.or(r.last) } else { out[p.index()] };
                if let Some(d) = since {
                    out[v.index()] = Some(out[v.index()].map_or(d, |o: NaiveDate| o.min(d)));
                }
            }
        }
        out
    }

    /// A node's due date under its own limit, pauses pushing it back; an open
    /// pause counts as ending on `as_of`. `None` until accepted.
    pub(crate) fn due(
        &self,
        rules: &Rules<'_>,
        v: Node,
        as_of: NaiveDate,
    ) -> Result<Option<NaiveDate>, Error> {
        self.days_after_acceptance(rules, v, rules.limit(v), as_of)
    }

    /// The `days`-th counted working day after a node's acceptance, its
    /// pauses (an open one ending on `as_of`) pushing it back; `None` until accepted.
    pub(crate) fn days_after_acceptance(
        &self,
        rules: &Rules<'_>,
        v: Node,
        days: u32,
        as_of: NaiveDate,
    ) -> Result<Option<NaiveDate>, Error> {
        let r = &self.steps[v.index()];
        let Some(acc) = r.accepted else { return Ok(None) };
        rules.add(acc, days, &r.stops(as_of)).map(Some)
    }

    /// A node's due date under its legal limit, extensions (Art. 42)
    /// included, pauses pushing it back; `None` until accepted.
    pub(crate) fn legal_due(
        &self,
        rules: &Rules<'_>,
        v: Node,
        as_of: NaiveDate,
    ) -> Result<Option<NaiveDate>, Error> {
        let days = rules.legal_limit(v).saturating_add(self.steps[v.index()].extended);
        self.days_after_acceptance(rules, v, days, as_of)
    }

    /// The day after which an undecided step is deemed approved: its due
    /// date, or the extended legal one when the head extended the limit.
    pub(crate) fn timeout_due(
        &self,
        rules: &Rules<'_>,
        v: Node,
        as_of: NaiveDate,
    ) -> Result<Option<NaiveDate>, Error> {
        let due = self.due(rules, v, as_of)?;
        if self.steps[v.index()].extended == 0 {
            return Ok(due);
        }
        Ok(due.max(self.legal_due(rules, v, as_of)?))
    }

    /// The last day of a received step's acceptance window; `None` unless
    /// the step is received and not yet accepted.
    pub(crate) fn acceptance_due(&self, rules: &Rules<'_>, v: Node) -> Result<Option<NaiveDate>, Error> {
        let r = &self.steps[v.index()];
        match (r.state, r.received) {
            (StepState::Received, Some(day)) => rules.acceptance_due(v, day).map(Some),
            _ => Ok(None),
        }
    }

    /// Checks that `kind` may happen to node `v` on `date`, then applies it.
    /// On refusal nothing changes.
    pub(crate) fn apply(&mut self, rules: &Rules<'_>, v: Node, fact: Fact<'_>) -> Result<(), Error> {
        let change = self.check(rules, v, fact)?;
        let run = &self.steps[v.index()];
        // A new attempt: what the one before used of its limit, accepted to ended.
        let earlier = match (change.new_attempt(fact.kind), run.accepted) {
            (true, Some(acc)) => {
                let end = run.last.unwrap_or(acc).max(acc);
                rules.between(acc, end, &run.stops(end))?
            }
            _ => 0,
        };
        self.commit(v, fact, change, earlier);
        Ok(())
    }

    /// Whether `kind` may happen to node `v` on `date`: the change to make, or
    /// why not, by the transition table (`table.rs`).
    pub(crate) fn check(&self, rules: &Rules<'_>, v: Node, fact: Fact<'_>) -> Result<Change, Error> {
        let Fact { kind, date, detail } = fact;
        let graph = rules.graph;
        let at = Asked { rules, v, kind, date, detail, ready: self.ready_on(graph, v) };
        if date < rules.start {
            return Err(at.refuse(RefusalReason::BeforeStart { date, start: rules.start }));
        }
        if let Some(last) = self.steps[v.index()].last.filter(|&last| date < last) {
            return Err(at.refuse(RefusalReason::BeforeLastEvent { date, last }));
        }
        let row = table::row(kind);
        for &g in row.requires {
            self.guard(&at, g)?;
        }
        let state = self.state(graph, v);
        let rule = table::rule(row, self.phase(graph, v), state).map_err(|r| at.refuse(r))?;
        for &g in rule.guards {
            self.guard(&at, g)?;
        }
        if detail.engine {
            for &g in row.engine {
                self.guard(&at, g)?;
            }
        }
        let to = match rule.to {
            To::State(s) => s,
            To::Same => state,
            To::Resume if self.steps[v.index()].missing_material => StepState::AcceptedIncomplete,
            To::Resume => StepState::Accepted,
        };
        let member = match kind {
            EventKind::Opinion | EventKind::DeemedAgreed => {
                let joint = graph.step(v).joint();
                joint.zip(detail.dept.as_deref()).and_then(|(j, d)| j.member(d)).map(|(i, _)| i)
            }
            _ => None,
        };
        let answer_by = match kind {
            EventKind::Supervised => {
                Some(rules.calendar.add_working_days(date, detail.answer_within.unwrap_or(0))?)
            }
            _ => None,
        };
        Ok(Change { from: state, to, member, answer_by })
    }

    /// Checks one guard of the table.
    fn guard(&self, at: &Asked<'_>, guard: Guard) -> Result<(), Error> {
        match self.guard_reason(at, guard)? {
            None => Ok(()),
            Some(reason) => Err(at.refuse(reason)),
        }
    }

    /// Why `guard` does not hold, or `None` when it does.
    fn guard_reason(&self, at: &Asked<'_>, guard: Guard) -> Result<Option<RefusalReason>, Error> {
        let graph = at.rules.graph;
        let step = graph.step(at.v);
        let run = &self.steps[at.v.index()];
        let waiting_for = |acceptance: bool| RefusalReason::WaitingFor {
            steps: graph
                .dag()
                .preds(at.v)
                .iter()
                .filter(|&&p| !self.steps[p.index()].state.is_done())
                .map(|&p| graph.step(p).id().to_string())
                .collect(),
            provisional: step.provisional().is_some() && at.kind == EventKind::Approved,
            acceptance,
        };
        let no = |reason: RefusalReason| Ok(Some(reason));
        let ok = Ok(None);
        match guard {
            Guard::NotBeforeReady => match at.ready {
                Some(Some(done)) if at.date < done => {
                    no(RefusalReason::BeforePrerequisites { date: at.date, done })
                }
                _ => ok,
            },
            // 模拟审批 runs ahead of the prerequisites `before` names, and only those:
            // what they wait for (unless named too) must be done, as every other prerequisite.
            Guard::Provisional if step.provisional().is_some() && self.mode == Mode::Simulated => {
                let Some(p) = step.provisional() else { return ok };
                let dag = graph.dag();
                let mut seen = vec![false; graph.len()];
                let mut stack: Vec<Node> = dag.preds(at.v).to_vec();
                let mut others: Vec<Node> = Vec::new();
                while let Some(q) = stack.pop() {
                    if std::mem::replace(&mut seen[q.index()], true) || self.steps[q.index()].state.is_done()
                    {
                        continue;
                    }
                    if p.is_before(graph.step(q).id()) {
                        stack.extend_from_slice(dag.preds(q));
                    } else {
                        others.push(q);
                    }
                }
                others.sort_unstable();
                let steps: Vec<String> = others.iter().map(|&q| graph.step(q).id().to_string()).collect();
                if steps.is_empty() {
                    ok
                } else {
                    no(RefusalReason::WaitingFor { steps, provisional: false, acceptance: true })
                }
            }
            Guard::Provisional if step.provisional().is_some() => no(RefusalReason::NotSimulated),
            Guard::Provisional if at.kind == EventKind::ProvisionalApproved => {
                no(RefusalReason::NotProvisional)
            }
            Guard::Provisional => no(waiting_for(true)),
            Guard::PrerequisitesDone if at.ready.is_some() => ok,
            Guard::PrerequisitesDone => no(waiting_for(false)),
            Guard::PrerequisitesPending if at.ready.is_none() => ok,
            Guard::PrerequisitesPending => no(RefusalReason::PrerequisitesDone),
            Guard::PrerequisiteFailed if self.blocked(graph)[at.v.index()].is_some() => ok,
            Guard::PrerequisiteFailed => no(RefusalReason::NoFailedPrerequisite),
            Guard::MaterialArrived if run.missing_material => no(RefusalReason::MaterialOwed),
            Guard::MaterialArrived => ok,
            Guard::MaterialInTime => match self.due(at.rules, at.v, at.date)? {
                Some(due) if at.date > due => no(RefusalReason::MaterialLate { due }),
                _ => ok,
            },
            Guard::DeemsOnTimeout if step.on_timeout() == TimeoutPolicy::DeemApproved => ok,
            Guard::DeemsOnTimeout => no(RefusalReason::NotDeemedOnTimeout),
            Guard::MaterialOverdue => match self.due(at.rules, at.v, at.date)? {
                Some(due) if run.missing_material && at.date > due => ok,
                due => no(RefusalReason::NotOwed { due }),
            },
            Guard::LimitPassed => match self.timeout_due(at.rules, at.v, at.date)? {
                Some(due) if at.date <= due => no(RefusalReason::LimitNotPassed { due, date: at.date }),
                _ => ok,
            },
            Guard::ReadyOrProvisional
                if at.ready.is_some() || (step.provisional().is_some() && self.mode == Mode::Simulated) =>
            {
                ok
            }
            Guard::ReadyOrProvisional => no(waiting_for(true)),
            Guard::OnReceipt => match run.received {
                Some(received) if received != at.date => no(RefusalReason::NotOnReceipt { received }),
                _ => ok,
            },
            Guard::Joint if step.joint().is_some() => ok,
            Guard::Joint => no(RefusalReason::NotJoint),
            Guard::Member => {
                self.opinion_refusal(at.rules, at.v, at.kind, at.detail.dept.as_deref(), at.date)
            }
            Guard::OpinionsIn if at.detail.engine => ok,
            Guard::OpinionsIn => {
                let depts = self.opinions_pending(at.rules, at.v);
                if depts.is_empty() { ok } else { no(RefusalReason::OpinionsPending { depts }) }
            }
            Guard::Pledge if !at.detail.commitment => ok,
            Guard::Pledge if step.commitment().is_none() => no(RefusalReason::NoCommitment),
            Guard::Pledge => match run.accepted {
                Some(accepted) if accepted != at.date => no(RefusalReason::NotAtAcceptance { accepted }),
                _ => ok,
            },
            Guard::PledgePending => match (run.pledged, run.verified.or(run.breached)) {
                (None, _) => no(RefusalReason::NoPledge),
                (Some(_), Some(date)) => no(RefusalReason::PledgeChecked { date }),
                (Some(_), None) => ok,
            },
            Guard::NoticeDue => self.notice_refusal(at.rules, at.v, at.detail.dept.as_deref(), at.date),
            Guard::NoticeOpen => match at.detail.dept.as_deref() {
                Some(d) if run.notices.iter().any(|n| n.dept == d && n.answered.is_none()) => ok,
                d => no(RefusalReason::NoNotice { dept: d.unwrap_or_default().to_string() }),
            },
            Guard::Breached if run.breached.is_some() => ok,
            Guard::Breached => no(RefusalReason::NotBreached),
            Guard::WithinExtension => {
                let max = step.handling().extension();
                match at.detail.days {
                    None | Some(0) => no(RefusalReason::MissingDetail { detail: Detail::Days }),
                    Some(days) if run.extended.saturating_add(days) > max => {
                        no(RefusalReason::ExtensionTooLong { days, before: run.extended, max })
                    }
                    Some(_) => ok,
                }
            }
        }
    }

    /// Makes a change [`ProjectState::check`] allowed; `earlier` is what the
    /// attempt it ends (when it files a new one) used of its limit.
    fn commit(&mut self, v: Node, fact: Fact<'_>, change: Change, earlier: i64) {
        let Fact { kind, date, detail } = fact;
        use EventKind as K;
        use StepState as S;
        let Change { from: state, to: next, .. } = change;
        let run = &mut self.steps[v.index()];
        run.last = Some(date);
        if change.new_attempt(kind) {
            run.attempt += 1;
            run.earlier_used += earlier;
            run.received = None;
            run.accepted = None;
            run.decided = None;
            run.supplements = 0;
            run.extended = 0;
            run.pauses.clear();
            run.stops = ClockStops::new();
            run.missing_material = false;
            run.window = None;
        }
        match kind {
            K::Received => run.received = Some(date),
            K::Accepted | K::AcceptedIncomplete | K::DeemedAccepted => {
                if detail.window.is_some() {
                    run.window.clone_from(&detail.window);
                }
                run.opinions.clear();
                run.pledged = None;
                run.verified = None;
                run.breached = None;
                run.accepted = Some(date);
                run.pauses.clear();
                run.stops = ClockStops::new();
                run.decided = None;
                run.missing_material = kind == K::AcceptedIncomplete;
            }
            K::SupplementRequested | K::ProcedureStarted => {
                let reason = if kind == K::SupplementRequested {
                    run.supplements += 1;
                    PauseReason::Supplement
                } else {
                    PauseReason::Procedure
                };
                run.pauses.push(Pause {
                    reason,
                    from: date,
                    to: None,
                    procedure: detail.procedure,
                    notified: detail.notified,
                });
            }
            K::SupplementReceived if state == S::AcceptedIncomplete => run.missing_material = false,
            K::SupplementReceived if run.accepted.is_none() => {
                // Complete material received before acceptance: the acceptance window starts again.
                run.close_pause(date);
                run.received = Some(date);
            }
            K::Opinion | K::DeemedAgreed => {
                if let Some(i) = change.member {
                    if run.opinions.len() <= i {
                        run.opinions.resize(i + 1, None);
                    }
                    run.opinions[i] = Some(Opinion {
                        verdict: detail.verdict.filter(|_| kind == K::Opinion).unwrap_or(Verdict::Agree),
                        date,
                        deemed: kind == K::DeemedAgreed,
                        note: detail.note.clone(),
                    });
                }
            }
            K::Supervised => {
                if let (Some(dept), Some(answer_by)) = (&detail.dept, change.answer_by) {
                    run.notices.push(Notice {
                        dept: dept.clone(),
                        date,
                        answer_within: detail.answer_within.unwrap_or(0),
                        answer_by,
                        answered: None,
                        attempt: run.attempt,
                    });
                }
            }
            K::Answered => {
                let open = run.notices.iter_mut().rev();
                if let Some(n) =
                    open.filter(|n| n.answered.is_none()).find(|n| Some(&n.dept) == detail.dept.as_ref())
                {
                    n.answered = Some(date);
                }
            }
            K::Verified => run.verified = Some(date),
            K::CommitmentBreached => run.breached = Some(date),
            K::AgentAssigned | K::ModeSet => {}
            K::Extended => run.extended = run.extended.saturating_add(detail.days.unwrap_or(0)),
            K::Withdrawn => {
                run.close_pause(date);
                run.decided = Some(date);
            }
            _ => {
                run.close_pause(date);
                if kind == K::Approved && detail.commitment {
                    run.pledged = Some(date);
                }
                if next != S::Returned && next != S::Accepted && next != S::AcceptedIncomplete {
                    run.decided = Some(date);
                }
            }
        }
        run.state = if next == S::Ready { S::Waiting } else { next };
    }

    fn open_pause(&self, v: Node) -> Option<PauseReason> {
        self.steps[v.index()].pauses.last().filter(|p| p.to.is_none()).map(|p| p.reason)
    }
}

impl StepRun {
    /// Ends the open pause, if any, on `date`, keeping its span as a clock stop.
    fn close_pause(&mut self, date: NaiveDate) {
        if let Some(p) = self.pauses.last_mut().filter(|p| p.to.is_none()) {
            p.to = Some(date);
            if let Some((first, last)) = stop_span(p.from, date) {
                // OK to ignore: a pause starts after the previous one ended, so spans never overlap.
                let _ = self.stops.push(first, last);
            }
        }
    }
}
