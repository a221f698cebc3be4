//! Live projects against their deadlines: events, clock stops, alerts.
//!
//! A [`Project`] is one application moving through a flow. It pins the flow
//! text it started with (by SHA-256, the text kept in its [`ProjectRecord`]),
//! so editing a flow file never changes a running project. Its state is a
//! pure fold over an append-only log of [`Event`]s: replaying the log gives
//! the same state, exactly. An event the state does not allow is refused
//! with an error that says why ([`Error::is_refused`]), and nothing is
//! written.
//!
//! Every step runs against two clocks: its own time limit (限时办结: promised
//! working days from acceptance, pushed back by clock stops) and its place in
//! the total (批时总控: the plan's deadline from the budget). [`Project::status`]
//! shows both, with the alert each raises; [`board`] lists every step due or
//! overdue across projects, by department.
//!
//! Logs live in a [`Store`]: [`MemoryStore`] here, a durable SQLite store in
//! the `shenpi-sqlite` crate.
//!
//! ```
//! use std::sync::Arc;
//! use chrono::NaiveDate;
//! use shenpi_core::Flow;
//! use shenpi_core::runtime::{EventKind, MemoryStore, NewEvent, Project};
//!
//! let flow = Flow::parse("demo.yaml", "
//! id: demo
//! name: 演示
//! stages:
//!   - id: s
//!     name: 阶段
//!     steps:
//!       - { id: filing, name: 备案, dept: 发改局, promised: 1 }
//!       - { id: permit, name: 许可, dept: 住建局, promised: 5 }
//! ").map_err(|r| r.render())?;
//! let store = MemoryStore::new();
//! let day = |d| NaiveDate::from_ymd_opt(2025, 3, d).unwrap();
//! let mut p = Project::create(&store, Arc::new(flow), "P-1", day(3), &[])?;
//! p.record(&store, NewEvent::new("filing", EventKind::Accepted, day(3)))?;
//! p.record(&store, NewEvent::new("filing", EventKind::Approved, day(4)))?;
//! let err = p.record(&store, NewEvent::new("permit", EventKind::Approved, day(5))).unwrap_err();
//! assert!(err.is_refused()); // not accepted yet
//! let status = p.status(day(5))?;
//! assert_eq!(status.steps[1].state.as_str(), "ready");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod days;
mod event;
mod plan;
mod state;
mod status;
mod store;

use std::sync::Arc;

use chrono::{NaiveDate, Utc};
use sha2::{Digest, Sha256};

use crate::diag::suggest;
use crate::error::Error;
use crate::graph::{FlowGraph, Node};
use crate::model::{Flow, TimeoutPolicy};

pub use event::{Event, EventKind, NewEvent, UnknownKind};
pub use state::{Pause, PauseReason, ProjectState, StepRun, StepState};
pub use status::{Alert, BoardRow, Clock, Status, StepStatus, board};
pub use store::{MemoryStore, ProjectRecord, Store, resolve_keys};

use days::Days;
use plan::Deadlines;
use state::Rules;

/// SHA-256 of a flow's text, lowercase hex: the version a project pins.
pub fn flow_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// One live project: its pinned flow, its log and the state folded from it.
#[derive(Clone, Debug)]
pub struct Project {
    record: ProjectRecord,
    graph: FlowGraph,
    days: Days,
    plan: Deadlines,
    events: Vec<Event>,
    state: ProjectState,
}

impl Project {
    /// A new project of `flow`, started on `start`, with params given as `K=V`
    /// pairs (defaults fill the rest). Nothing is stored: see [`Project::create`].
    ///
    /// # Errors
    /// An empty id, an unknown or ill-typed param.
    pub fn start(
        flow: Arc<Flow>,
        id: &str,
        start: NaiveDate,
        params: &[(String, String)],
    ) -> Result<Project, Error> {
        if id.trim().is_empty() || id.chars().any(char::is_control) {
            return Err(Error::param(format!(
                "project id `{}` must be non-empty text without control characters",
                id.escape_debug()
            )));
        }
        let text = flow.source().text().to_string();
        let calendar_text = Days::pin(&flow.calendar, flow.source().name())?;
        let record = ProjectRecord {
            id: id.to_string(),
            flow_id: flow.id.clone(),
            flow_hash: flow_hash(&text),
            flow_name: flow.source().name().to_string(),
            flow_text: text,
            calendar_text,
            start,
            params: params.to_vec(),
            created_at: Utc::now(),
        };
        Project::build(record, flow)
    }

    fn build(record: ProjectRecord, flow: Arc<Flow>) -> Result<Project, Error> {
        let bound = flow.bind(record.params.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
        let days = Days::for_flow(&flow.calendar, &record.flow_name, record.calendar_text.as_deref())?;
        let graph = FlowGraph::new(flow, bound)?;
        let plan = plan::plan(&graph, record.start, &days)?;
        let state = ProjectState::new(graph.len());
        Ok(Project { record, graph, days, plan, events: Vec::new(), state })
    }

    /// Starts a project and stores it.
    ///
    /// # Errors
    /// As [`Project::start`], and [`Error::is_exists`] when the id is taken.
    pub fn create(
        store: &dyn Store,
        flow: Arc<Flow>,
        id: &str,
        start: NaiveDate,
        params: &[(String, String)],
    ) -> Result<Project, Error> {
        let p = Project::start(flow, id, start, params)?;
        store.create(&p.record)?;
        Ok(p)
    }

    /// Rebuilds a project from its record and log, replaying every event.
    ///
    /// # Errors
    /// [`Error::is_corrupt`] when the flow text does not match its hash, does
    /// not parse, or the log does not replay (gaps in the sequence, an event
    /// the state refuses).
    ///
    /// # Complexity
    /// O(n) events applied, each O(1) apart from revocations (O(V + E)).
    pub fn replay(record: ProjectRecord, events: Vec<Event>) -> Result<Project, Error> {
        let id = record.id.clone();
        let bad = |why: String| Error::corrupt(format!("stored project `{id}` is damaged: {why}"));
        let hash = flow_hash(&record.flow_text);
        if hash != record.flow_hash {
            return Err(bad(format!("its flow text hashes to {hash}, not the pinned {}", record.flow_hash)));
        }
        let flow = Flow::parse(&record.flow_name, &record.flow_text)
            .map_err(|r| bad(format!("its pinned flow no longer parses:\n{}", r.render())))?;
        let mut p = Project::build(record, Arc::new(flow))?;
        for e in events {
            if e.seq != p.events.len() as u64 + 1 {
                return Err(bad(format!("event {} follows event {}", e.seq, p.events.len())));
            }
            let seq = e.seq;
            p.apply(e).map_err(|err| bad(format!("event {seq} does not replay: {err}")))?;
        }
        Ok(p)
    }

    /// The project as it stood at the end of `date`: only the events dated
    /// on or before it. Dates in a log never go back for a step or run ahead
    /// of its prerequisites, so such a prefix always replays.
    ///
    /// # Complexity
    /// O(n) events applied.
    pub fn as_of(&self, date: NaiveDate) -> Result<Project, Error> {
        let mut p = Project {
            record: self.record.clone(),
            graph: self.graph.clone(),
            days: self.days.clone(),
            plan: self.plan.clone(),
            events: Vec::new(),
            state: ProjectState::new(self.graph.len()),
        };
        for e in self.events.iter().filter(|e| e.date <= date) {
            p.apply(e.clone())?;
        }
        Ok(p)
    }

    /// Loads a project from a store and replays its log.
    pub fn open(store: &dyn Store, id: &str) -> Result<Project, Error> {
        let (record, events) = store.load(id)?;
        Project::replay(record, events)
    }

    /// The stored record: id, pinned flow, start, params.
    pub fn info(&self) -> &ProjectRecord {
        &self.record
    }

    /// The project's id.
    pub fn id(&self) -> &str {
        &self.record.id
    }

    /// The calendar its days are counted on (weekends only past the calendar's data).
    pub fn calendar(&self) -> &crate::calendar::Calendar {
        self.days.calendar()
    }

    /// The pinned flow, compiled with the project's params.
    pub fn graph(&self) -> &FlowGraph {
        &self.graph
    }

    /// The log, in sequence order.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// The folded state.
    pub fn state(&self) -> &ProjectState {
        &self.state
    }

    /// The state of a step by id.
    pub fn step_state(&self, step: &str) -> Option<StepState> {
        self.graph.node(step).map(|v| self.state.state(&self.graph, v))
    }

    fn rules(&self) -> Rules<'_> {
        Rules { graph: &self.graph, days: &self.days, start: self.record.start }
    }

    fn node(&self, step: &str, kind: EventKind) -> Result<Node, Error> {
        if let Some(v) = self.graph.node(step) {
            return Ok(v);
        }
        let flow = self.graph.flow();
        let why = if let Some((_, s)) = flow.step(step) {
            let cond = s.when.as_ref().map_or(String::new(), |c| format!(" (`when: {c}` is false)"));
            format!("step `{step}` is not part of this project{cond}")
        } else {
            let ids = self.graph.nodes().map(|v| self.graph.step(v).id.as_str());
            match suggest(step, ids) {
                Some(s) => format!("unknown step `{step}`; did you mean `{s}`?"),
                None => format!("unknown step `{step}` in flow `{}`", flow.id),
            }
        };
        Err(Error::refused(format!("cannot record `{kind}`: {why}")))
    }

    /// Checks that the state allows `event`, without recording it.
    ///
    /// # Errors
    /// [`Error::is_refused`] with the reason.
    pub fn check(&self, event: &NewEvent) -> Result<(), Error> {
        let v = self.node(&event.step, event.kind)?;
        self.state.check(&self.rules(), v, event.kind, event.date).map(|_| ())
    }

    /// Applies a recorded event to the state (no store involved): the fold's step.
    ///
    /// # Errors
    /// [`Error::is_refused`] when the state does not allow it; nothing changes.
    pub fn apply(&mut self, event: Event) -> Result<(), Error> {
        let v = self.node(&event.step, event.kind)?;
        let rules = Rules { graph: &self.graph, days: &self.days, start: self.record.start };
        self.state.apply(&rules, v, event.kind, event.date)?;
        self.events.push(event);
        Ok(())
    }

    /// Records one event: checks it against the state, appends it to the
    /// store (expecting the log this project has seen) and applies it.
    ///
    /// A retry with an idempotency key already recorded returns the recorded
    /// event and appends nothing.
    ///
    /// # Errors
    /// [`Error::is_refused`] (nothing written), [`Error::is_conflict`] when
    /// someone else appended first (reload with [`Project::open`] and retry),
    /// or a store failure.
    pub fn record(&mut self, store: &dyn Store, event: NewEvent) -> Result<Event, Error> {
        if let Some(key) = &event.key {
            if let Some(old) = self.events.iter().rev().find(|e| e.key.as_ref() == Some(key)) {
                resolve_keys(&self.record.id, std::slice::from_ref(&event), |_| Ok(Some(old.clone())))?;
                return Ok(old.clone());
            }
        }
        let v = self.node(&event.step, event.kind)?;
        let change = self.state.check(&self.rules(), v, event.kind, event.date)?;
        let mut recorded =
            store.append(&self.record.id, self.events.len() as u64, std::slice::from_ref(&event))?;
        let e =
            recorded.pop().ok_or_else(|| Error::store("the store returned no event for an append", None))?;
        if e.seq == self.events.len() as u64 + 1 {
            self.state.commit(v, e.kind, e.date, change);
            self.events.push(e.clone());
        } else if e.seq > self.events.len() as u64 {
            return Err(Error::store(
                format!("the store recorded event {} after {}", e.seq, self.events.len()),
                None,
            ));
        }
        Ok(e)
    }

    /// Records several events in one append: all or none.
    pub fn record_all(&mut self, store: &dyn Store, events: Vec<NewEvent>) -> Result<Vec<Event>, Error> {
        let local = |key: &str| Ok(self.events.iter().find(|e| e.key.as_deref() == Some(key)).cloned());
        let known = resolve_keys(&self.record.id, &events, local)?;
        let mut scratch = self.state.clone();
        let rules = self.rules();
        for (e, k) in events.iter().zip(&known) {
            if k.is_none() {
                let v = self.node(&e.step, e.kind)?;
                scratch.apply(&rules, v, e.kind, e.date)?;
            }
        }
        if known.iter().all(Option::is_some) {
            return Ok(known.into_iter().flatten().collect());
        }
        let recorded = store.append(&self.record.id, self.events.len() as u64, &events)?;
        for e in &recorded {
            if e.seq > self.events.len() as u64 {
                self.apply(e.clone())?;
            }
        }
        Ok(recorded)
    }

    /// The events the engine owes as of `date`, in the order they must be
    /// recorded: `deemed-approved` for a step whose limit passed undecided
    /// under `on_timeout: deem-approved` (dated the day after its due date),
    /// `rejected` for a 容缺 step whose owed material did not arrive within its
    /// limit, `confirmed` for a provisional approval whose prerequisites are
    /// done, `revoked` for one whose prerequisite failed.
    ///
    /// # Complexity
    /// O(V + E) per step owing an event.
    pub fn owed(&self, date: NaiveDate) -> Result<Vec<NewEvent>, Error> {
        let mut scratch = self.state.clone();
        let rules = self.rules();
        let mut out = Vec::new();
        for v in self.graph.nodes() {
            let step = self.graph.step(v);
            let state = scratch.state(&self.graph, v);
            let run = scratch.run(v);
            let last = run.last;
            let due = scratch.due(&rules, v, date)?;
            let owed = match state {
                StepState::Accepted | StepState::AcceptedIncomplete => match due {
                    Some(due) if due < date => {
                        let day = due.succ_opt().unwrap_or(due).max(last.unwrap_or(due));
                        if state == StepState::AcceptedIncomplete {
                            Some((EventKind::Rejected, day))
                        } else if step.on_timeout == TimeoutPolicy::DeemApproved
                            && scratch.ready_on(&self.graph, v).is_some()
                        {
                            Some((EventKind::DeemedApproved, day))
                        } else {
                            None
                        }
                    }
                    _ => None,
                },
                StepState::ProvisionalApproved => {
                    if let Some(ready) = scratch.ready_on(&self.graph, v) {
                        Some((EventKind::Confirmed, ready.max(last).unwrap_or(date)))
                    } else {
                        scratch.blocked(&self.graph)[v as usize]
                            .map(|since| (EventKind::Revoked, since.max(last.unwrap_or(since))))
                    }
                }
                _ => None,
            };
            if let Some((kind, day)) = owed {
                if day <= date {
                    scratch.apply(&rules, v, kind, day)?;
                    out.push(NewEvent::new(step.id.clone(), kind, day));
                }
            }
        }
        Ok(out)
    }

    /// Records the events the engine owes as of `date` (see [`Project::owed`]) in one append.
    pub fn advance(&mut self, store: &dyn Store, date: NaiveDate) -> Result<Vec<Event>, Error> {
        let owed = self.owed(date)?;
        if owed.is_empty() {
            return Ok(Vec::new());
        }
        self.record_all(store, owed)
    }
}

#[cfg(test)]
mod tests;
