//! Step states and the fold: every state is the log's events applied in order.

use chrono::NaiveDate;
use serde::Serialize;

use super::days::{Days, Stops};
use super::event::EventKind;
use crate::error::Error;
use crate::graph::{FlowGraph, Node};
use crate::model::TimeoutPolicy;

/// Where a step stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepState {
    /// Some step it waits for is not done.
    Waiting,
    /// Everything it waits for is done; the application can be filed.
    Ready,
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
    /// Refused; what waits for it can never start.
    Rejected,
    /// Sent back to the applicant; it may be filed again.
    Returned,
    /// Withdrawn by the applicant.
    Withdrawn,
    /// A provisional approval that fell with a prerequisite.
    Revoked,
}

impl StepState {
    /// Its kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            StepState::Waiting => "waiting",
            StepState::Ready => "ready",
            StepState::Accepted => "accepted",
            StepState::AcceptedIncomplete => "accepted-incomplete",
            StepState::Paused => "paused",
            StepState::Approved => "approved",
            StepState::DeemedApproved => "deemed-approved",
            StepState::ProvisionalApproved => "provisional-approved",
            StepState::Rejected => "rejected",
            StepState::Returned => "returned",
            StepState::Withdrawn => "withdrawn",
            StepState::Revoked => "revoked",
        }
    }

    /// Done: what waits for it may go on.
    pub fn is_done(self) -> bool {
        matches!(self, StepState::Approved | StepState::DeemedApproved)
    }

    /// Failed for good: what waits for it can never start.
    pub fn is_failed(self) -> bool {
        matches!(self, StepState::Rejected | StepState::Withdrawn | StepState::Revoked)
    }

    /// Accepted and undecided: its own clock runs or is stopped.
    pub fn is_active(self) -> bool {
        matches!(self, StepState::Accepted | StepState::AcceptedIncomplete | StepState::Paused)
    }

    /// Nothing more can happen to it.
    pub fn is_final(self) -> bool {
        self.is_done() || self.is_failed()
    }
}

/// Why a step's clock is stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PauseReason {
    /// 补正: waiting for the applicant's material.
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
}

/// One step's history folded: everything its clocks need.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StepRun {
    /// The stored state; `Waiting` stands for "not filed" and becomes `Ready` when
    /// the predecessors are done (see [`ProjectState::state`]).
    pub(crate) state: StepState,
    /// The day of the current acceptance (受理), when accepted.
    pub accepted: Option<NaiveDate>,
    /// Clock stops since the current acceptance.
    pub pauses: Vec<Pause>,
    /// A document promised under 容缺 is still owed.
    pub missing_material: bool,
    /// The day of the decision (approved, rejected, …).
    pub decided: Option<NaiveDate>,
    /// The day of its latest event: a step's history never goes back in time.
    pub last: Option<NaiveDate>,
}

impl StepRun {
    fn new() -> StepRun {
        StepRun {
            state: StepState::Waiting,
            accepted: None,
            pauses: Vec::new(),
            missing_material: false,
            decided: None,
            last: None,
        }
    }

    /// The clock stops as spans of uncounted days, the open one closed at `as_of`.
    /// A stop from day d to day e leaves out the working days x with d < x ≤ e.
    pub(crate) fn stops(&self, as_of: NaiveDate) -> Stops {
        let mut out = Vec::new();
        for p in &self.pauses {
            let to = p.to.unwrap_or(as_of);
            if let Some(first) = p.from.succ_opt() {
                if first <= to {
                    out.push((first, to));
                }
            }
        }
        out
    }
}

/// What the fold needs to know about the project: its graph, calendar and limits.
pub(crate) struct Rules<'a> {
    pub(crate) graph: &'a FlowGraph,
    pub(crate) days: &'a Days,
    pub(crate) start: NaiveDate,
}

impl Rules<'_> {
    /// A step's own time limit: promised days, never beyond the legal limit.
    pub(crate) fn limit(&self, v: Node) -> u32 {
        let s = self.graph.step(v);
        s.legal.map_or(s.promised, |l| s.promised.min(l))
    }
}

/// A checked state change: the step's state before and after.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Change {
    from: StepState,
    to: StepState,
}

/// Every step's folded history, by node of the project's graph.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProjectState {
    steps: Vec<StepRun>,
}

fn refuse(step: &str, kind: EventKind, why: impl std::fmt::Display) -> Error {
    Error::refused(format!("cannot record `{kind}` for step `{step}`: {why}"))
}

impl ProjectState {
    /// Every step not yet filed.
    pub(crate) fn new(n: usize) -> ProjectState {
        ProjectState { steps: vec![StepRun::new(); n] }
    }

    /// The folded history of a node.
    pub fn run(&self, v: Node) -> &StepRun {
        &self.steps[v as usize]
    }

    /// The state of a node, with `Ready` told apart from `Waiting`.
    pub fn state(&self, graph: &FlowGraph, v: Node) -> StepState {
        let s = self.steps[v as usize].state;
        if s == StepState::Waiting && self.ready_on(graph, v).is_some() { StepState::Ready } else { s }
    }

    /// The day the last of a node's predecessors was done, when all are
    /// (the project start counts as a day for a step without predecessors).
    pub(crate) fn ready_on(&self, graph: &FlowGraph, v: Node) -> Option<Option<NaiveDate>> {
        let mut day = None;
        for &p in graph.dag().preds(v) {
            let r = &self.steps[p as usize];
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
                let r = &self.steps[p as usize];
                let since = if r.state.is_failed() { r.decided.or(r.last) } else { out[p as usize] };
                if let Some(d) = since {
                    out[v as usize] = Some(out[v as usize].map_or(d, |o: NaiveDate| o.min(d)));
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
        let r = &self.steps[v as usize];
        let Some(acc) = r.accepted else { return Ok(None) };
        rules.days.add(acc, rules.limit(v), &r.stops(as_of)).map(Some)
    }

    /// Checks that `kind` may happen to node `v` on `date`, then applies it.
    /// On refusal nothing changes.
    pub(crate) fn apply(
        &mut self,
        rules: &Rules<'_>,
        v: Node,
        kind: EventKind,
        date: NaiveDate,
    ) -> Result<(), Error> {
        let change = self.check(rules, v, kind, date)?;
        self.commit(v, kind, date, change);
        Ok(())
    }

    /// Whether `kind` may happen to node `v` on `date`: the change to make, or why not.
    pub(crate) fn check(
        &self,
        rules: &Rules<'_>,
        v: Node,
        kind: EventKind,
        date: NaiveDate,
    ) -> Result<Change, Error> {
        let graph = rules.graph;
        let step = graph.step(v);
        let id = step.id.as_str();
        let no = |why: String| refuse(id, kind, why);
        if date < rules.start {
            return Err(no(format!("{date} is before the project started on {}", rules.start)));
        }
        let run = &self.steps[v as usize];
        if let Some(last) = run.last {
            if date < last {
                return Err(no(format!("{date} is before the step's last event on {last}")));
            }
        }
        let state = self.state(graph, v);
        let ready = self.ready_on(graph, v);
        let waiting_for = || {
            let ids: Vec<String> = graph
                .dag()
                .preds(v)
                .iter()
                .filter(|&&p| !self.steps[p as usize].state.is_done())
                .map(|&p| format!("`{}`", graph.step(p).id))
                .collect();
            ids.join(", ")
        };
        let not_before_ready = |what: &str| -> Result<(), Error> {
            match ready {
                Some(Some(d)) if date < d => {
                    Err(no(format!("{date} is before its prerequisites were done on {d}; {what}")))
                }
                _ => Ok(()),
            }
        };
        let wrong_state =
            |allowed: &str| no(format!("the step is {}; `{kind}` needs it {allowed}", state.as_str()));
        use EventKind as K;
        use StepState as S;
        let next: StepState = match kind {
            K::Accepted | K::AcceptedIncomplete => {
                match state {
                    S::Ready | S::Returned => not_before_ready("it cannot be accepted before")?,
                    S::Waiting if step.provisional => {}
                    S::Waiting => {
                        return Err(no(format!(
                            "it still waits for {}; only a step marked `provisional` may be accepted ahead of its prerequisites",
                            waiting_for()
                        )));
                    }
                    _ => return Err(wrong_state("ready or returned")),
                }
                if kind == K::Accepted { S::Accepted } else { S::AcceptedIncomplete }
            }
            K::SupplementRequested | K::ProcedureStarted => match state {
                S::Accepted | S::AcceptedIncomplete => S::Paused,
                _ => return Err(wrong_state("accepted with its clock running")),
            },
            K::SupplementReceived => {
                match state {
                    S::Paused if self.open_pause(v) == Some(PauseReason::Supplement) => {
                        if run.missing_material { S::AcceptedIncomplete } else { S::Accepted }
                    }
                    S::AcceptedIncomplete => {
                        if let Some(due) = self.due(rules, v, date)? {
                            if date > due {
                                return Err(no(format!(
                                    "the material owed under 容缺 had to arrive by {due}; the step failed — record `rejected`"
                                )));
                            }
                        }
                        S::Accepted
                    }
                    _ => return Err(wrong_state("paused for 补正 or accepted with material owed")),
                }
            }
            K::ProcedureEnded => {
                match state {
                    S::Paused if self.open_pause(v) == Some(PauseReason::Procedure) => {
                        if run.missing_material { S::AcceptedIncomplete } else { S::Accepted }
                    }
                    _ => return Err(wrong_state("in a special procedure")),
                }
            }
            K::Approved => {
                match state {
                    S::Accepted if ready.is_some() => {
                        not_before_ready("it cannot be approved before")?;
                        S::Approved
                    }
                    S::Accepted => {
                        return Err(no(format!(
                            "it still waits for {}{}",
                            waiting_for(),
                            if step.provisional {
                                "; record `provisional-approved` (模拟审批) instead"
                            } else {
                                ""
                            }
                        )));
                    }
                    S::AcceptedIncomplete => {
                        return Err(no("the material owed under 容缺 has not arrived; record `supplement-received` first".into()));
                    }
                    _ => return Err(wrong_state("accepted")),
                }
            }
            K::Rejected | K::Returned => match state {
                S::Accepted | S::AcceptedIncomplete | S::Paused => {
                    if kind == K::Rejected {
                        S::Rejected
                    } else {
                        S::Returned
                    }
                }
                _ => return Err(wrong_state("accepted or paused")),
            },
            K::Withdrawn => {
                if state.is_final() {
                    return Err(wrong_state("not yet decided"));
                }
                S::Withdrawn
            }
            K::ProvisionalApproved => {
                if !step.provisional {
                    return Err(no("the flow does not allow 模拟审批 for this step (it is not marked `provisional: true`)".into()));
                }
                match state {
                    S::Accepted if ready.is_none() => S::ProvisionalApproved,
                    S::Accepted => return Err(no("its prerequisites are done; record `approved`".into())),
                    S::AcceptedIncomplete => {
                        return Err(no("the material owed under 容缺 has not arrived; record `supplement-received` first".into()));
                    }
                    _ => return Err(wrong_state("accepted")),
                }
            }
            K::Confirmed => match state {
                S::ProvisionalApproved if ready.is_some() => {
                    not_before_ready("it cannot be confirmed before")?;
                    S::Approved
                }
                S::ProvisionalApproved => return Err(no(format!("it still waits for {}", waiting_for()))),
                _ => return Err(wrong_state("provisionally approved")),
            },
            K::Revoked => match state {
                S::ProvisionalApproved => {
                    if self.blocked(graph)[v as usize].is_none() {
                        return Err(no("none of its prerequisites failed; a provisional approval is revoked only when one is rejected or withdrawn".into()));
                    }
                    S::Revoked
                }
                _ => return Err(wrong_state("provisionally approved")),
            },
            K::DeemedApproved => {
                if step.on_timeout != TimeoutPolicy::DeemApproved {
                    return Err(no("the flow does not deem it approved on timeout (its `on_timeout` is not `deem-approved`)".into()));
                }
                match state {
                    S::Accepted => {}
                    _ => return Err(wrong_state("accepted with its clock running")),
                }
                if ready.is_none() {
                    return Err(no(format!("it still waits for {}", waiting_for())));
                }
                let due = self.due(rules, v, date)?;
                if let Some(due) = due {
                    if date <= due {
                        return Err(no(format!(
                            "its limit runs until {due}; it cannot be deemed approved on {date}"
                        )));
                    }
                }
                S::DeemedApproved
            }
        };
        Ok(Change { from: state, to: next })
    }

    /// Makes a change [`ProjectState::check`] allowed.
    pub(crate) fn commit(&mut self, v: Node, kind: EventKind, date: NaiveDate, change: Change) {
        use EventKind as K;
        use StepState as S;
        let Change { from: state, to: next } = change;
        let run = &mut self.steps[v as usize];
        run.last = Some(date);
        match kind {
            K::Accepted | K::AcceptedIncomplete => {
                run.accepted = Some(date);
                run.pauses.clear();
                run.decided = None;
                run.missing_material = kind == K::AcceptedIncomplete;
            }
            K::SupplementRequested | K::ProcedureStarted => {
                let reason = if kind == K::SupplementRequested {
                    PauseReason::Supplement
                } else {
                    PauseReason::Procedure
                };
                run.pauses.push(Pause { reason, from: date, to: None });
            }
            K::SupplementReceived if state == S::AcceptedIncomplete => run.missing_material = false,
            K::SupplementReceived | K::ProcedureEnded => {
                if let Some(p) = run.pauses.last_mut() {
                    p.to = Some(date);
                }
            }
            K::Withdrawn => {
                if let Some(p) = run.pauses.last_mut().filter(|p| p.to.is_none()) {
                    p.to = Some(date);
                }
                run.decided = Some(date);
            }
            _ => {
                if let Some(p) = run.pauses.last_mut().filter(|p| p.to.is_none()) {
                    p.to = Some(date);
                }
                if next != S::Returned {
                    run.decided = Some(date);
                }
            }
        }
        run.state = if next == S::Ready { S::Waiting } else { next };
    }

    fn open_pause(&self, v: Node) -> Option<PauseReason> {
        self.steps[v as usize].pauses.last().filter(|p| p.to.is_none()).map(|p| p.reason)
    }
}
