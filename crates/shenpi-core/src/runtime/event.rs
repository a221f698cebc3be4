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

/// A kind of time Art. 45 of the licensing law leaves out of a limit: what a
/// `procedure-started` event stops the clock for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProcedureKind {
    /// 听证: a hearing.
    Hearing,
    /// 招标、拍卖: a tender or an auction.
    Tender,
    /// 检验、检测、检疫: testing, inspection, quarantine.
    Inspection,
    /// 专家评审: expert review.
    ExpertReview,
    /// 公示: a public notice.
    PublicNotice,
    /// 现场踏勘: a site survey.
    SiteSurvey,
}

impl ProcedureKind {
    /// Every kind, in the order the documentation lists them.
    pub const ALL: [ProcedureKind; 6] = [
        ProcedureKind::Hearing,
        ProcedureKind::Tender,
        ProcedureKind::Inspection,
        ProcedureKind::ExpertReview,
        ProcedureKind::PublicNotice,
        ProcedureKind::SiteSurvey,
    ];

    /// Its kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ProcedureKind::Hearing => "hearing",
            ProcedureKind::Tender => "tender",
            ProcedureKind::Inspection => "inspection",
            ProcedureKind::ExpertReview => "expert-review",
            ProcedureKind::PublicNotice => "public-notice",
            ProcedureKind::SiteSurvey => "site-survey",
        }
    }
}

impl fmt::Display for ProcedureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ProcedureKind {
    type Err = String;

    fn from_str(s: &str) -> Result<ProcedureKind, String> {
        ProcedureKind::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| {
            let names: Vec<&str> = ProcedureKind::ALL.iter().map(|k| k.as_str()).collect();
            format!("unknown procedure kind `{s}`; expected one of: {}", names.join(", "))
        })
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
    /// Engine events this event supersedes, by sequence number: a real event
    /// dated on or before what the engine recorded, contradicting it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub supersedes: Vec<u64>,
    /// Recorded by the engine ([`Project::advance`](super::Project::advance)), not by a person.
    #[serde(default, skip_serializing_if = "is_false")]
    pub engine: bool,
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
        self.detail.engine || self.kind == EventKind::DeemedApproved
    }
}
