//! Events: the only way a project's state changes.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// What happened to a step. Written in kebab-case on the command line and in JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EventKind {
    /// 受理: the department accepts the application; the step's clock starts.
    Accepted,
    /// 容缺受理: accepted with a non-essential document missing; it must arrive within the limit.
    AcceptedIncomplete,
    /// 补正: the department asks for more material; the clock stops.
    SupplementRequested,
    /// The material arrived: the clock runs again (or a 容缺 gap is closed).
    SupplementReceived,
    /// A special procedure (hearing, expert review, public notice) starts; the clock stops.
    ProcedureStarted,
    /// The special procedure ended; the clock runs again.
    ProcedureEnded,
    /// The department approves.
    Approved,
    /// The department refuses; what waits for the step can never start.
    Rejected,
    /// 退回: the application goes back to the applicant, who may file it again.
    Returned,
    /// The applicant withdraws.
    Withdrawn,
    /// 模拟审批: approved ahead of its prerequisites, where the flow allows it.
    ProvisionalApproved,
    /// A provisional approval becomes final once its prerequisites are done.
    Confirmed,
    /// A provisional approval falls because a prerequisite failed.
    Revoked,
    /// 超时默认: undecided past its due date under `on_timeout: deem-approved`.
    DeemedApproved,
}

impl EventKind {
    /// Every kind, in the order the documentation lists them.
    pub const ALL: [EventKind; 14] = [
        EventKind::Accepted,
        EventKind::AcceptedIncomplete,
        EventKind::SupplementRequested,
        EventKind::SupplementReceived,
        EventKind::ProcedureStarted,
        EventKind::ProcedureEnded,
        EventKind::Approved,
        EventKind::Rejected,
        EventKind::Returned,
        EventKind::Withdrawn,
        EventKind::ProvisionalApproved,
        EventKind::Confirmed,
        EventKind::Revoked,
        EventKind::DeemedApproved,
    ];

    /// Its kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Accepted => "accepted",
            EventKind::AcceptedIncomplete => "accepted-incomplete",
            EventKind::SupplementRequested => "supplement-requested",
            EventKind::SupplementReceived => "supplement-received",
            EventKind::ProcedureStarted => "procedure-started",
            EventKind::ProcedureEnded => "procedure-ended",
            EventKind::Approved => "approved",
            EventKind::Rejected => "rejected",
            EventKind::Returned => "returned",
            EventKind::Withdrawn => "withdrawn",
            EventKind::ProvisionalApproved => "provisional-approved",
            EventKind::Confirmed => "confirmed",
            EventKind::Revoked => "revoked",
            EventKind::DeemedApproved => "deemed-approved",
        }
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text is not an event kind; the message lists the kinds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownKind(pub String);

impl fmt::Display for UnknownKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = EventKind::ALL.iter().map(|k| k.as_str()).collect();
        write!(f, "unknown event kind `{}`; expected one of: {}", self.0, names.join(", "))
    }
}

impl std::error::Error for UnknownKind {}

impl FromStr for EventKind {
    type Err = UnknownKind;

    fn from_str(s: &str) -> Result<EventKind, UnknownKind> {
        EventKind::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| UnknownKind(s.to_string()))
    }
}

/// An event to record: what a caller hands to [`Project::record`](super::Project::record).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewEvent {
    /// The step's id in the flow.
    pub step: String,
    /// What happened.
    pub kind: EventKind,
    /// The day it happened (working-day clocks count whole days).
    pub date: NaiveDate,
    /// A caller's key: recording the same key twice records the event once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

impl NewEvent {
    /// An event without an idempotency key.
    pub fn new(step: impl Into<String>, kind: EventKind, date: NaiveDate) -> NewEvent {
        NewEvent { step: step.into(), kind, date, key: None }
    }

    /// The same event carrying an idempotency key.
    pub fn with_key(mut self, key: impl Into<String>) -> NewEvent {
        self.key = Some(key.into());
        self
    }

    /// True when `recorded` is this event (same step, kind and date), as a retry must be.
    pub fn matches(&self, recorded: &Event) -> bool {
        self.step == recorded.step && self.kind == recorded.kind && self.date == recorded.date
    }
}

/// A recorded event: one entry of a project's append-only log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// The project it belongs to.
    pub project: String,
    /// Its place in the log: 1, 2, 3, … without gaps.
    pub seq: u64,
    /// The step's id in the flow.
    pub step: String,
    /// What happened.
    pub kind: EventKind,
    /// The day it happened.
    pub date: NaiveDate,
    /// The caller's idempotency key, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// When the store wrote it.
    pub recorded_at: DateTime<Utc>,
}

impl Event {
    /// Makes the recorded form of `new` at position `seq`, stamped now.
    pub fn recorded(project: &str, seq: u64, new: &NewEvent) -> Event {
        Event {
            project: project.to_string(),
            seq,
            step: new.step.clone(),
            kind: new.kind,
            date: new.date,
            key: new.key.clone(),
            recorded_at: Utc::now(),
        }
    }
}
