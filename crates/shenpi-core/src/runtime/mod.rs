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
//! p.record(&store, NewEvent::new("filing", EventKind::Accepted, day(3)), day(5))?;
//! p.record(&store, NewEvent::new("filing", EventKind::Approved, day(4)), day(5))?;
//! let err = p.record(&store, NewEvent::new("permit", EventKind::Approved, day(5)), day(5)).unwrap_err();
//! assert!(err.is_refused()); // not accepted yet
//! let status = p.status(day(5))?;
//! assert_eq!(status.steps[1].state.as_str(), "ready");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod agents;
mod event;
mod groups;
mod joint;
mod ladder;
mod log;
mod owed;
mod pin;
mod plan;
mod projection;
mod refusal;
mod state;
mod stats;
mod status;
mod store;
mod table;
mod window;

use std::sync::Arc;

use chrono::{NaiveDate, Utc};
use sha2::{Digest, Sha256};

use crate::calendar::{Beyond, Calendar};
use crate::diag::{Code, Diagnostic, Report, suggest};
use crate::error::Error;
use crate::graph::{FlowGraph, Node};
use crate::model::Flow;

pub use agents::{AgentRow, NextStep, agent_view};
pub use event::{Event, EventDetail, EventKind, Mode, NewEvent, ProcedureKind, UnknownKind};
pub use groups::GroupStatus;
pub use joint::{MemberStatus, Opinion, Verdict};
pub use ladder::{AccountabilityRow, Notice, Rung, accountability, accountable_rows};
pub use pin::ProjectCalendar;
pub use projection::{
    Counts, Dim, OpenStep, PROJECTION_VERSION, Projection, Sums, Tally, Totals, board_of, board_of_by,
    month_of, projection_of, scan_open_steps, scan_tallies,
};
pub use refusal::{Detail, Needs, Refusal, RefusalReason};
pub use state::{Pause, PauseReason, ProjectState, StepRun, StepState};
pub use stats::{By, Statistics, StatsRow, statistics};
pub use status::{Alert, BoardQuery, BoardRow, Clock, Flag, Status, StepStatus, board, board_by};
pub use store::{MemoryStore, ProjectRecord, Store, region_code, resolve_keys};
pub use window::STAGE_PREFIX;

use plan::Deadlines;
use state::Rules;

/// SHA-256 of a flow's text, lowercase hex: the version a project pins.
pub fn flow_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// What is wrong with a project id, if anything: an id is typed by people and
/// shown in tables, so it may not be empty, start or end with white space, or
/// hold control characters or the invisible characters that reorder text
/// (U+202E shows `P-1`, U+202E, `2-` as `P-1-2`).
fn project_id_problem(id: &str) -> Option<&'static str> {
    let bidi = |c: char| matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    if id.trim().is_empty() {
        Some("is empty; give the project an id such as `P-2025-001`")
    } else if id.trim() != id {
        Some("starts or ends with white space; remove it")
    } else if id.chars().any(char::is_control) {
        Some("contains a control character; use letters, digits and punctuation")
    } else if id.chars().any(bidi) {
        Some("contains a character that reorders text (bidirectional control); remove it")
    } else {
        None
    }
}

/// One live project: its pinned flow, its log and the state folded from it.
#[derive(Clone, Debug)]
pub struct Project {
    record: ProjectRecord,
    graph: FlowGraph,
    calendar: Calendar,
    plan: Deadlines,
    /// The log, in sequence order.
    events: Vec<Event>,
    /// By position in the log: the event that superseded it.
    superseded: Vec<Option<u64>>,
    /// The latest date of an effective event.
    last_date: Option<NaiveDate>,
    /// The fold of the effective events.
    state: ProjectState,
}

impl Project {
    /// A new project of `flow`, started on `start`, with params given as `K=V`
    /// pairs (defaults fill the rest), counting its days on the built-in
    /// calendar the flow names (`cn`, `weekends`). Nothing is stored: see
    /// [`Project::create`]. A flow that names a calendar file starts with
    /// [`Project::start_on`]: the runtime reads no files.
    ///
    /// # Errors
    /// An id that is empty, starts or ends with white space, or holds a control
    /// or bidirectional-control character (U+202E); an unknown or ill-typed
    /// param (both [`Error::is_param`]); a
    /// flow that names a calendar file ([`ErrorKind::CalendarNeeded`](crate::ErrorKind::CalendarNeeded)).
    ///
    /// # Example
    /// ```
    /// use std::sync::Arc;
    /// use chrono::NaiveDate;
    /// use shenpi_core::Flow;
    /// use shenpi_core::runtime::{Project, StepState};
    ///
    /// let flow = Flow::parse("f.yaml", "
    /// id: f
    /// name: 示例
    /// params: { big: { type: bool, default: false } }
    /// stages: [{ id: s, name: 阶段, steps: [{ id: filing, name: 备案, promised: 1 }] }]
    /// ").map_err(|r| r.render())?;
    /// let day = NaiveDate::from_ymd_opt(2025, 3, 3).unwrap();
    /// let p = Project::start(Arc::new(flow), "P-1", day, &[("big".into(), "true".into())])?;
    /// assert_eq!(p.step_state("filing"), Some(StepState::Ready));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn start(
        flow: Arc<Flow>,
        id: &str,
        start: NaiveDate,
        params: &[(String, String)],
    ) -> Result<Project, Error> {
        let calendar = ProjectCalendar::builtin(flow.calendar())
            .ok_or_else(|| Error::calendar_needed(flow.id(), flow.calendar(), None, "Project::start_on"))?;
        Project::start_on(calendar, flow, id, start, params)
    }

    /// [`Project::start`] on a calendar the caller resolved: a calendar file
    /// the flow names, read relative to the flow file, or a calendar built in
    /// code. Its text is pinned with the project.
    ///
    /// # Errors
    /// As [`Project::start`], apart from the calendar; [`Error::is_invalid`]
    /// for a flow made by [`Flow::edit`], whose source text is not the flow's
    /// own: a project pins the text of its flow, so start it from a file.
    pub fn start_on(
        calendar: ProjectCalendar,
        flow: Arc<Flow>,
        id: &str,
        start: NaiveDate,
        params: &[(String, String)],
    ) -> Result<Project, Error> {
        if let Some(why) = project_id_problem(id) {
            return Err(Error::param(format!("project id `{}` {why}", id.escape_debug())));
        }
        if flow.is_edited() {
            return Err(Error::invalid(Report::new(
                flow.source().clone(),
                vec![
                    Diagnostic::error(
                        Code::InvalidValue,
                        format!("flow `{}` was changed in code after loading", flow.id()),
                    )
                    .help("a project pins the text of its flow; write the change into the flow file and load it"),
                ],
            )));
        }
        let text = flow.source().text().to_string();
        let record = ProjectRecord {
            id: id.to_string(),
            flow_id: flow.id().to_string(),
            flow_hash: flow_hash(&text),
            flow_name: flow.source().name().to_string(),
            flow_text: text,
            calendar_text: calendar.text().map(str::to_string),
            start,
            params: params.to_vec(),
            region: None,
            created_at: Utc::now(),
        };
        Project::build(record, flow, calendar.calendar().clone())
    }

    fn build(record: ProjectRecord, flow: Arc<Flow>, calendar: Calendar) -> Result<Project, Error> {
        let bound = flow.bind(record.params.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
        // Past the calendar's data a running project counts weekends only (and says so in its status).
        let calendar = if calendar.beyond() == Beyond::Error {
            calendar.with_beyond(Beyond::Weekends)
        } else {
            calendar
        };
        let graph = FlowGraph::new(flow, bound);
        let plan = plan::plan(&graph, record.start, &calendar)?;
        let state = ProjectState::new(graph.len());
        Ok(Project {
            record,
            graph,
            calendar,
            plan,
            events: Vec::new(),
            superseded: Vec::new(),
            last_date: None,
            state,
        })
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

    /// [`Project::start_on`] and store it.
    ///
    /// # Errors
    /// As [`Project::start_on`], and [`Error::is_exists`] when the id is taken.
    pub fn create_on(
        store: &dyn Store,
        calendar: ProjectCalendar,
        flow: Arc<Flow>,
        id: &str,
        start: NaiveDate,
        params: &[(String, String)],
    ) -> Result<Project, Error> {
        let p = Project::start_on(calendar, flow, id, start, params)?;
        store.create(&p.record)?;
        Ok(p)
    }

    /// Rebuilds a project from its record and log, replaying every event. Its
    /// calendar is the pinned text, or the built-in calendar its flow names.
    ///
    /// # Errors
    /// [`Error::is_corrupt`] when the flow text does not match its hash, does
    /// not parse, or the log does not replay (gaps in the sequence, an event
    /// the state refuses), or its pinned calendar no longer parses;
    /// [`ErrorKind::CalendarNeeded`](crate::ErrorKind::CalendarNeeded) when
    /// the flow names a calendar file the record does not pin (stores older
    /// than pinning): see [`Project::replay_on`].
    ///
    /// # Complexity
    /// O(n) events applied, each O(1) apart from revocations (O(V + E)).
    pub fn replay(record: ProjectRecord, events: Vec<Event>) -> Result<Project, Error> {
        Project::replay_with(record, events, None)
    }

    /// [`Project::replay`] with the calendar to use when the record pins none.
    ///
    /// # Errors
    /// As [`Project::replay`].
    pub fn replay_on(
        record: ProjectRecord,
        events: Vec<Event>,
        calendar: ProjectCalendar,
    ) -> Result<Project, Error> {
        Project::replay_with(record, events, Some(calendar))
    }

    fn replay_with(
        record: ProjectRecord,
        events: Vec<Event>,
        fallback: Option<ProjectCalendar>,
    ) -> Result<Project, Error> {
        let id = record.id.clone();
        let bad = |why: String| Error::corrupt(format!("stored project `{id}` is damaged: {why}"));
        let hash = flow_hash(&record.flow_text);
        if hash != record.flow_hash {
            return Err(bad(format!("its flow text hashes to {hash}, not the pinned {}", record.flow_hash)));
        }
        let flow = Flow::parse(&record.flow_name, &record.flow_text)
            .map_err(|r| bad(format!("its pinned flow no longer parses:\n{}", r.render())))?;
        let calendar = Project::pinned_calendar(&record, &flow, fallback)?;
        let mut p = Project::build(record, Arc::new(flow), calendar)?;
        p.refold(events).map_err(bad)?;
        Ok(p)
    }

    /// The calendar a stored project counts on: its pinned text, else the
    /// built-in calendar its flow names, else `fallback`.
    fn pinned_calendar(
        record: &ProjectRecord,
        flow: &Flow,
        fallback: Option<ProjectCalendar>,
    ) -> Result<Calendar, Error> {
        if let Some(text) = &record.calendar_text {
            return Calendar::from_yaml(flow.calendar(), text).map_err(|r| {
                Error::corrupt(format!(
                    "stored project `{}` is damaged: its pinned calendar `{}` no longer parses:\n{}",
                    record.id,
                    flow.calendar(),
                    r.render()
                ))
            });
        }
        match ProjectCalendar::builtin(flow.calendar()).or(fallback) {
            Some(c) => Ok(c.calendar().clone()),
            None => Err(Error::calendar_needed(
                flow.id(),
                flow.calendar(),
                Some(&record.id),
                "Project::replay_on",
            )),
        }
    }

    /// The same project, belonging to `region` (区划代码, e.g. `330421`):
    /// call it before storing the project, as a service that keeps regions
    /// apart does.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use chrono::NaiveDate;
    /// use shenpi_core::Flow;
    /// use shenpi_core::runtime::{MemoryStore, Project, Store};
    ///
    /// let flow = Flow::parse("f.yaml", "
    /// id: f
    /// name: 示例
    /// stages: [{ id: s, name: 阶段, steps: [{ id: a, name: 备案, promised: 1 }] }]
    /// ").map_err(|r| r.render())?;
    /// let day = NaiveDate::from_ymd_opt(2025, 3, 3).unwrap();
    /// let p = Project::start(Arc::new(flow), "P-1", day, &[])?.in_region("330421");
    /// let store = MemoryStore::new();
    /// store.create(p.info())?;
    /// assert_eq!(store.load("P-1")?.0.region.as_deref(), Some("330421"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn in_region(mut self, region: impl Into<String>) -> Project {
        self.record.region = Some(region.into());
        self
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
    pub fn calendar(&self) -> &Calendar {
        &self.calendar
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
        Rules { graph: &self.graph, calendar: &self.calendar, start: self.record.start }
    }

    fn node(&self, step: &str, kind: EventKind) -> Result<Node, Error> {
        if let Some(v) = self.graph.node(step) {
            return Ok(v);
        }
        let flow = self.graph.flow();
        let reason = if let Some((_, s)) = flow.step(step) {
            RefusalReason::NotInProject { condition: s.when().as_ref().map(ToString::to_string) }
        } else {
            let ids = self.graph.nodes().map(|v| self.graph.step(v).id());
            RefusalReason::UnknownStep {
                suggestion: suggest(step, ids).map(str::to_string),
                flow: flow.id().to_string(),
            }
        };
        Err(Error::refused(Refusal { step: step.to_string(), event: kind, reason }))
    }
}

#[cfg(test)]
mod reform;
#[cfg(test)]
mod scenarios;
#[cfg(test)]
mod tests;
