//! Events: the only way a project's state changes.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

pub use super::joint::Verdict;
pub use crate::graph::Mode;
pub use crate::model::ProcedureKind;

/// What happened to a step. Written in kebab-case on the command line and in
/// JSON. docs/events.md tables who records each and what it does to each clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EventKind {
    /// 收件: the application is filed; the department's acceptance window
    /// (`acceptance_limit`, Art. 32) starts.
    Received,
    /// 受理: the department accepts the application; the step's clock starts.
    /// Without `received` before it: accepted on the spot (当场受理).
    Accepted,
    /// 容缺受理: accepted with a non-essential document missing; it must arrive within the limit.
    AcceptedIncomplete,
    /// 不予受理: the department refuses to accept (with a reason); the attempt ends.
    NotAccepted,
    /// Recorded by the engine: no answer within the acceptance window, so the
    /// application counts as accepted from the day of receipt (Art. 32).
    DeemedAccepted,
    /// 补正 (before 受理) or 补充材料(暂停计时) (during review): the department asks for
    /// more material; the clock stops. A second one in an attempt is flagged.
    SupplementRequested,
    /// The material arrived: the clock runs again (or a 容缺 gap is closed).
    SupplementReceived,
    /// A special procedure (Art. 45: hearing, tender, inspection, expert
    /// review, public notice, site survey) starts; the clock stops.
    ProcedureStarted,
    /// The special procedure ended; the clock runs again.
    ProcedureEnded,
    /// 延期 (Art. 42): the head extends the legal limit by some working days.
    Extended,
    /// The department approves.
    Approved,
    /// 不予许可: the department refuses; the attempt ends and what waits for
    /// the step cannot start until the applicant applies again.
    Rejected,
    /// 退回: the application goes back to the applicant, who may file it again.
    Returned,
    /// The applicant withdraws.
    Withdrawn,
    /// 终止办理: the application ends without a decision, not counting against
    /// the department (the engine records it when 容缺 material never came).
    Terminated,
    /// 模拟审批: approved ahead of its prerequisites, where the flow allows it.
    ProvisionalApproved,
    /// A provisional approval becomes final once its prerequisites are done.
    Confirmed,
    /// A provisional approval falls because a prerequisite failed.
    Revoked,
    /// 超时默认: undecided past its due date under `on_timeout: deem-approved`.
    DeemedApproved,
    /// A member department of a joint step (`kind: joint`) gives its opinion
    /// (`--dept`, `--verdict agree|disagree|conditions`, `--note`).
    Opinion,
    /// Recorded by the engine: a member of a joint step silent past its own
    /// limit is deemed to agree (超时视为同意, `silence: agree`).
    DeemedAgreed,
    /// 告知承诺制: the pledge behind an approval `--commitment` was checked and holds.
    Verified,
    /// 告知承诺制: the pledge behind an approval `--commitment` was found broken;
    /// the approval is owed `revoked`.
    CommitmentBreached,
    /// 督办: a supervision notice to a department of an approval item still
    /// undecided `supervise` working days past due (`--dept`, `--answer-within`),
    /// owed by the engine under the flow's escalation ladder (`alerts:`).
    Supervised,
    /// The department answers its supervision notice (`--dept`), closing it.
    Answered,
    /// 代办制: an agent (代办员) takes the project on (`--agent`); about the whole project, not a step.
    AgentAssigned,
    /// The project runs in a mode (`--mode simulated`, 模拟审批); about the
    /// whole project, recorded by `project new --mode` before any step's event.
    ModeSet,
}

impl EventKind {
    /// Every kind, in the order the documentation lists them.
    pub const ALL: [EventKind; 27] = [
        EventKind::Received,
        EventKind::Accepted,
        EventKind::AcceptedIncomplete,
        EventKind::NotAccepted,
        EventKind::DeemedAccepted,
        EventKind::SupplementRequested,
        EventKind::SupplementReceived,
        EventKind::ProcedureStarted,
        EventKind::ProcedureEnded,
        EventKind::Extended,
        EventKind::Approved,
        EventKind::Rejected,
        EventKind::Returned,
        EventKind::Withdrawn,
        EventKind::Terminated,
        EventKind::ProvisionalApproved,
        EventKind::Confirmed,
        EventKind::Revoked,
        EventKind::DeemedApproved,
        EventKind::Opinion,
        EventKind::DeemedAgreed,
        EventKind::Verified,
        EventKind::CommitmentBreached,
        EventKind::Supervised,
        EventKind::Answered,
        EventKind::AgentAssigned,
        EventKind::ModeSet,
    ];

    /// Its kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Received => "received",
            EventKind::Accepted => "accepted",
            EventKind::AcceptedIncomplete => "accepted-incomplete",
            EventKind::NotAccepted => "not-accepted",
            EventKind::DeemedAccepted => "deemed-accepted",
            EventKind::SupplementRequested => "supplement-requested",
            EventKind::SupplementReceived => "supplement-received",
            EventKind::ProcedureStarted => "procedure-started",
            EventKind::ProcedureEnded => "procedure-ended",
            EventKind::Extended => "extended",
            EventKind::Approved => "approved",
            EventKind::Rejected => "rejected",
            EventKind::Returned => "returned",
            EventKind::Withdrawn => "withdrawn",
            EventKind::Terminated => "terminated",
            EventKind::ProvisionalApproved => "provisional-approved",
            EventKind::Confirmed => "confirmed",
            EventKind::Revoked => "revoked",
            EventKind::DeemedApproved => "deemed-approved",
            EventKind::Opinion => "opinion",
            EventKind::DeemedAgreed => "deemed-agreed",
            EventKind::Verified => "verified",
            EventKind::CommitmentBreached => "commitment-breached",
            EventKind::Supervised => "supervised",
            EventKind::Answered => "answered",
            EventKind::AgentAssigned => "agent-assigned",
            EventKind::ModeSet => "mode-set",
        }
    }

    /// What the engine owes when people do not act (`deemed-approved`,
    /// `deemed-accepted`, `deemed-agreed`, `supervised`): a real event dated
    /// on or before it may supersede it, whoever recorded it.
    pub fn is_engine_only(self) -> bool {
        matches!(
            self,
            EventKind::DeemedApproved
                | EventKind::DeemedAccepted
                | EventKind::DeemedAgreed
                | EventKind::Supervised
        )
    }

    /// About the whole project, not a step (`agent-assigned`, `mode-set`):
    /// such an event names no step (its `step` is empty).
    pub fn is_project_level(self) -> bool {
        matches!(self, EventKind::AgentAssigned | EventKind::ModeSet)
    }

    /// Starts an application (收件 or 受理): after one that ended without
    /// approval, it starts the next attempt.
    pub fn is_filing(self) -> bool {
        matches!(self, EventKind::Received | EventKind::Accepted | EventKind::AcceptedIncomplete)
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

fn is_false(b: &bool) -> bool {
    !*b
}

/// What an event says beyond its step, kind and date: the reason of a
/// refusal to accept or a termination, an extension's days and who granted
/// it, a special procedure's kind and the day the applicant was told, and,
/// for the log's own bookkeeping, who recorded it and which engine events it
/// supersedes.
///
/// A [`Store`](super::Store) keeps it as one opaque value (its JSON
/// serialization, `{}` or absent when empty), so new details never need a
/// new column.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EventDetail {
    /// Why (`not-accepted`, `terminated`, and optionally any other kind).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Working days (`extended`: how many the limit grows by).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<u32>,
    /// Who decided (`extended`: the head who approved the extension).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// The kind of special procedure (`procedure-started`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub procedure: Option<ProcedureKind>,
    /// The day the applicant was told of the procedure and its time (Art. 45).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notified: Option<NaiveDate>,
    /// The member department giving its opinion (`opinion`, `deemed-agreed`);
    /// the department supervised (`supervised`) or answering (`answered`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dept: Option<String>,
    /// Working days the department has to answer a supervision notice (`supervised`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer_within: Option<u32>,
    /// A member's verdict (`opinion`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
    /// Free text: a member's conditions or remarks (`opinion`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Approved on the applicant's written pledge (`approved --commitment`, 告知承诺制).
    #[serde(default, skip_serializing_if = "is_false")]
    pub commitment: bool,
    /// The window (一窗受理) that accepted the step with the rest of its stage (`accepted`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<String>,
    /// The agent (代办员) who takes the project on (`agent-assigned`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
    /// The project's mode (`mode-set`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<Mode>,
    /// Engine events this event supersedes, by sequence number: a real event
    /// dated on or before what the engine recorded, contradicting it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub supersedes: Vec<u64>,
    /// Recorded by the engine ([`Project::advance`](super::Project::advance)), not by a person.
    #[serde(default, skip_serializing_if = "is_false")]
    pub engine: bool,
    /// The calendar data the project counted on when the event was recorded
    /// ([`Calendar::data_version`](crate::calendar::Calendar::data_version)):
    /// set by [`Project::record`](super::Project::record) and
    /// [`Project::advance`](super::Project::advance), whatever the caller
    /// gave, so a log shows when a new year's arrangement reached the project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar_data: Option<String>,
}

impl EventDetail {
    /// True when it says nothing beyond the step, kind and date.
    pub fn is_empty(&self) -> bool {
        *self == EventDetail::default()
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
    /// What else it says; set with the builder methods.
    #[serde(flatten)]
    pub detail: EventDetail,
}

impl NewEvent {
    /// An event without an idempotency key.
    pub fn new(step: impl Into<String>, kind: EventKind, date: NaiveDate) -> NewEvent {
        NewEvent { step: step.into(), kind, date, key: None, detail: EventDetail::default() }
    }

    /// The same event carrying an idempotency key.
    pub fn with_key(mut self, key: impl Into<String>) -> NewEvent {
        self.key = Some(key.into());
        self
    }

    /// The same event with a reason (`not-accepted`, `terminated`).
    pub fn reason(mut self, reason: impl Into<String>) -> NewEvent {
        self.detail.reason = Some(reason.into());
        self
    }

    /// The same event with a number of working days (`extended`).
    pub fn days(mut self, days: u32) -> NewEvent {
        self.detail.days = Some(days);
        self
    }

    /// The same event naming who decided (`extended`: the head who approved).
    pub fn by(mut self, by: impl Into<String>) -> NewEvent {
        self.detail.by = Some(by.into());
        self
    }

    /// The same event with a special procedure's kind (`procedure-started`).
    pub fn procedure(mut self, kind: ProcedureKind) -> NewEvent {
        self.detail.procedure = Some(kind);
        self
    }

    /// The same event with the day the applicant was told (`procedure-started`).
    pub fn notified(mut self, day: NaiveDate) -> NewEvent {
        self.detail.notified = Some(day);
        self
    }

    /// The same event from a member department of a joint step (`opinion`).
    pub fn dept(mut self, dept: impl Into<String>) -> NewEvent {
        self.detail.dept = Some(dept.into());
        self
    }

    /// The same notice with the working days to answer it (`supervised`).
    pub fn answer_within(mut self, days: u32) -> NewEvent {
        self.detail.answer_within = Some(days);
        self
    }

    /// The same event with a member's verdict (`opinion`).
    pub fn verdict(mut self, verdict: Verdict) -> NewEvent {
        self.detail.verdict = Some(verdict);
        self
    }

    /// The same event with a note (`opinion`: conditions or remarks).
    pub fn note(mut self, note: impl Into<String>) -> NewEvent {
        self.detail.note = Some(note.into());
        self
    }

    /// The same approval on the applicant's written pledge (`approved --commitment`).
    pub fn commitment(mut self) -> NewEvent {
        self.detail.commitment = true;
        self
    }

    /// The same event naming an agent (`agent-assigned`).
    pub fn agent(mut self, agent: impl Into<String>) -> NewEvent {
        self.detail.agent = Some(agent.into());
        self
    }

    /// The same event setting the project's mode (`mode-set`).
    pub fn mode(mut self, mode: Mode) -> NewEvent {
        self.detail.mode = Some(mode);
        self
    }

    /// An event about the whole project (`agent-assigned`, `mode-set`): it names no step.
    pub fn project(kind: EventKind, date: NaiveDate) -> NewEvent {
        NewEvent::new(String::new(), kind, date)
    }

    /// An event the engine owes, marked as recorded by it.
    pub(crate) fn engine(step: impl Into<String>, kind: EventKind, date: NaiveDate) -> NewEvent {
        let mut e = NewEvent::new(step, kind, date);
        e.detail.engine = true;
        e
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
    /// What else it says.
    #[serde(flatten)]
    pub detail: EventDetail,
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
            detail: new.detail.clone(),
            recorded_at: Utc::now(),
        }
    }

    /// Recorded by the engine, or of a kind only the engine decides
    /// (`deemed-approved`, `deemed-accepted`): a real event dated on or
    /// before it may supersede it.
    pub fn is_engine(&self) -> bool {
        self.detail.engine || self.kind.is_engine_only()
    }
}
