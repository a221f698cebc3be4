//! Live projects in the service's store: start them, record events, read
//! their log and status, record what the engine owes, the supervision board.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use shenpi_core::runtime::{
    Event, EventKind, Mode, NewEvent, ProcedureKind, Project, Store, Verdict, accountability as accountable,
    board_of, region_code,
};
use shenpi_core::{Error, ErrorKind};
use utoipa::{IntoParams, ToSchema};

use super::flows::blocking;
use crate::AppState;
use crate::auth::{Caller, Need};
use crate::input::{self, FlowText, Json, ParamValue, Path, Query};
use crate::problem::{Problem, ServiceCode};

/// How often a write without `If-Match` re-reads the log after another writer got in first.
const ATTEMPTS: usize = 64;

/// Most characters of a project id.
const MAX_ID: usize = 128;

/// A project to start.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateRequest {
    /// The project's id, unique in the service (1 to 128 characters, no control characters).
    #[schema(example = "330482-2025-0001")]
    id: String,
    /// The flow's YAML text; the project pins it.
    #[schema(example = json!(crate::EXAMPLE_FLOW))]
    flow: String,
    /// The name the flow goes by in messages (default `flow.yaml`).
    name: Option<String>,
    /// The text of the calendar file the flow names, when it names one; the project pins it.
    calendar: Option<String>,
    /// The day the project started, YYYY-MM-DD.
    #[schema(example = "2025-03-03")]
    start: String,
    /// Project attributes, e.g. `{"energy_tce": 2000}`; defaults fill the rest.
    #[serde(default)]
    params: BTreeMap<String, ParamValue>,
    /// The region it belongs to (区划代码, digits, e.g. `330421`); default: the token's region.
    #[schema(example = "330482")]
    region: Option<String>,
    /// The agent (代办员) who looks after it: records `agent-assigned` with the project (`project new --agent`).
    #[schema(example = "王芳")]
    agent: Option<String>,
    /// `simulated` (模拟审批): records `mode-set` with the project (`project new --mode`); normal or simulated.
    #[schema(example = "simulated")]
    mode: Option<String>,
}

/// A stored project.
#[derive(Serialize, ToSchema)]
pub(crate) struct ProjectInfo {
    /// Its id.
    id: String,
    /// The pinned flow's id.
    flow: String,
    /// SHA-256 of the pinned flow text.
    flow_hash: String,
    /// The day it started.
    start: NaiveDate,
    /// Its params as given.
    params: BTreeMap<String, String>,
    /// Its region, when it has one.
    region: Option<String>,
    /// The agent (代办员) looking after it, if one was assigned.
    agent: Option<String>,
    /// The mode it runs in: normal or simulated.
    #[schema(example = "normal")]
    mode: String,
    /// When it was stored.
    created_at: DateTime<Utc>,
    /// How many events its log holds: send it as `If-Match` to record only on top of them.
    sequence: u64,
}

impl ProjectInfo {
    fn of(project: &Project) -> ProjectInfo {
        let r = project.info();
        ProjectInfo {
            id: r.id.clone(),
            flow: r.flow_id.clone(),
            flow_hash: r.flow_hash.clone(),
            start: r.start,
            params: r.params.iter().cloned().collect(),
            region: r.region.clone(),
            agent: project.agent().map(str::to_string),
            mode: project.state().mode().to_string(),
            created_at: r.created_at,
            sequence: project.events().len() as u64,
        }
    }
}

/// An event to record: the command line's `project event` as JSON, its
/// flags as fields (`--kind` of a procedure is `procedure`, since `kind` is
/// the event's).
#[derive(Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct EventRequest {
    /// The step's id in the flow; empty (or left out) for an event about the
    /// whole project (`agent-assigned`, `mode-set`).
    #[serde(default)]
    #[schema(example = "filing")]
    step: String,
    /// What happened (the command line's event names, kebab-case): accepted,
    /// accepted-incomplete, supplement-requested, supplement-received,
    /// procedure-started, procedure-ended, approved, rejected, returned,
    /// withdrawn, provisional-approved, confirmed, revoked, deemed-approved,
    /// opinion, deemed-agreed, verified, commitment-breached, supervised, answered,
    /// agent-assigned, mode-set.
    #[schema(example = "accepted")]
    kind: String,
    /// The day it happened, YYYY-MM-DD.
    #[schema(example = "2025-03-03")]
    date: String,
    /// Why (`--reason`): for a refusal to accept or a termination.
    #[serde(default)]
    reason: Option<String>,
    /// Working days (`--days`): for an extension, how many the legal limit grows by.
    #[serde(default)]
    days: Option<u32>,
    /// Who decided (`--by`): for an extension, the head who approved it.
    #[serde(default)]
    by: Option<String>,
    /// For `procedure-started` (`--kind` on the command line): hearing, tender,
    /// inspection, expert-review, public-notice, site-survey.
    #[serde(default)]
    #[schema(example = "expert-review")]
    procedure: Option<String>,
    /// For `procedure-started` (`--notified`): the day the applicant was told, YYYY-MM-DD (Art. 45).
    #[serde(default)]
    notified: Option<String>,
    /// For `opinion` (`--dept`): the member department of the joint step; for
    /// `supervised` and `answered`: the department supervised.
    #[serde(default)]
    dept: Option<String>,
    /// For `supervised` (`--answer-within`, 督办): the working days the department has to answer.
    #[serde(default)]
    answer_within: Option<u32>,
    /// For `opinion` (`--verdict`): agree, disagree or conditions.
    #[serde(default)]
    #[schema(example = "agree")]
    verdict: Option<String>,
    /// For `opinion` (`--note`): conditions or remarks.
    #[serde(default)]
    note: Option<String>,
    /// For `approved` (`--commitment`): on the applicant's written pledge (告知承诺制), at acceptance.
    #[serde(default)]
    commitment: bool,
    /// For `agent-assigned` (`--agent`): the agent (代办员).
    #[serde(default)]
    agent: Option<String>,
    /// For `mode-set` (`--mode`): normal or simulated.
    #[serde(default)]
    #[schema(example = "simulated")]
    mode: Option<String>,
}

/// Longest free text of an event (`reason`, `by`), in characters.
const MAX_TEXT: usize = 1000;

fn event_text(field: &str, text: &str) -> Result<(), Problem> {
    input::plain_text(field, text)?;
    if text.chars().count() > MAX_TEXT {
        return Err(Problem::library(
            ErrorKind::InvalidOption,
            format!("`{field}` has more than {MAX_TEXT} characters"),
        ));
    }
    Ok(())
}

/// A project's mode by its name (`mode`), refused with the names there are.
fn mode_field(name: &str) -> Result<Mode, Problem> {
    name.parse().map_err(|err: String| Problem::library(ErrorKind::InvalidOption, format!("`mode`: {err}")))
}

/// The event a request describes, with the idempotency key from its header.
pub(crate) fn event_request(e: &EventRequest, key: Option<String>) -> Result<NewEvent, Problem> {
    input::plain_text("step", &e.step)?;
    let kind: EventKind = e.kind.parse().map_err(|err: shenpi_core::runtime::UnknownKind| {
        Problem::library(ErrorKind::InvalidOption, format!("`kind`: {err}"))
    })?;
    let date = input::date("date", &e.date)?;
    let mut event = NewEvent::new(e.step.clone(), kind, date);
    event.key = key;
    if let Some(reason) = &e.reason {
        event_text("reason", reason)?;
        event = event.reason(reason.clone());
    }
    if let Some(days) = e.days {
        event = event.days(days);
    }
    if let Some(by) = &e.by {
        event_text("by", by)?;
        event = event.by(by.clone());
    }
    if let Some(procedure) = &e.procedure {
        let procedure: ProcedureKind = procedure.parse().map_err(|err: String| {
            Problem::library(ErrorKind::InvalidOption, format!("`procedure`: {err}"))
        })?;
        event = event.procedure(procedure);
    }
    if let Some(notified) = &e.notified {
        event = event.notified(input::date("notified", notified)?);
    }
    if let Some(dept) = &e.dept {
        event_text("dept", dept)?;
        event = event.dept(dept.clone());
    }
    if let Some(days) = e.answer_within {
        event = event.answer_within(days);
    }
    if let Some(verdict) = &e.verdict {
        let verdict: Verdict = verdict
            .parse()
            .map_err(|err: String| Problem::library(ErrorKind::InvalidOption, format!("`verdict`: {err}")))?;
        event = event.verdict(verdict);
    }
    if let Some(note) = &e.note {
        event_text("note", note)?;
        event = event.note(note.clone());
    }
    if e.commitment {
        event = event.commitment();
    }
    if let Some(agent) = &e.agent {
        event_text("agent", agent)?;
        event = event.agent(agent.clone());
    }
    if let Some(mode) = &e.mode {
        event = event.mode(mode_field(mode)?);
    }
    Ok(event)
}

/// A recorded event.
#[derive(Serialize, ToSchema)]
pub(crate) struct EventOut {
    /// Its place in the project's log: 1, 2, 3, … without gaps.
    seq: u64,
    /// The step's id.
    step: String,
    /// What happened (kebab-case).
    kind: String,
    /// The day it happened.
    date: NaiveDate,
    /// The idempotency key it was recorded with, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    key: Option<String>,
    /// Why, when the event says.
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    /// Working days, when the event says (an extension).
    #[serde(skip_serializing_if = "Option::is_none")]
    days: Option<u32>,
    /// Who decided, when the event says.
    #[serde(skip_serializing_if = "Option::is_none")]
    by: Option<String>,
    /// The kind of special procedure (`procedure-started`).
    #[serde(skip_serializing_if = "Option::is_none")]
    procedure: Option<String>,
    /// The day the applicant was told of the procedure.
    #[serde(skip_serializing_if = "Option::is_none")]
    notified: Option<NaiveDate>,
    /// The member department (`opinion`, `deemed-agreed`); the department
    /// supervised (`supervised`, `answered`).
    #[serde(skip_serializing_if = "Option::is_none")]
    dept: Option<String>,
    /// Working days to answer a supervision notice (`supervised`).
    #[serde(skip_serializing_if = "Option::is_none")]
    answer_within: Option<u32>,
    /// A member's verdict (`opinion`).
    #[serde(skip_serializing_if = "Option::is_none")]
    verdict: Option<String>,
    /// Conditions or remarks (`opinion`).
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
    /// Approved on the applicant's pledge (告知承诺制).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    commitment: bool,
    /// The window (一窗受理) that accepted the step with the rest of its stage.
    #[serde(skip_serializing_if = "Option::is_none")]
    window: Option<String>,
    /// The agent (`agent-assigned`).
    #[serde(skip_serializing_if = "Option::is_none")]
    agent: Option<String>,
    /// The project's mode (`mode-set`).
    #[serde(skip_serializing_if = "Option::is_none")]
    mode: Option<String>,
    /// The engine's events this one supersedes, by sequence number.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    supersedes: Vec<u64>,
    /// True when the engine recorded it (`advance`), not a person.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    engine: bool,
    /// When the store wrote it.
    recorded_at: DateTime<Utc>,
}

impl From<&Event> for EventOut {
    fn from(e: &Event) -> EventOut {
        let d = &e.detail;
        EventOut {
            seq: e.seq,
            step: e.step.clone(),
            kind: e.kind.as_str().to_string(),
            date: e.date,
            key: e.key.clone(),
            reason: d.reason.clone(),
            days: d.days,
            by: d.by.clone(),
            procedure: d.procedure.map(|p| p.as_str().to_string()),
            notified: d.notified,
            dept: d.dept.clone(),
            answer_within: d.answer_within,
            verdict: d.verdict.map(|v| v.as_str().to_string()),
            note: d.note.clone(),
            commitment: d.commitment,
            window: d.window.clone(),
            agent: d.agent.clone(),
            mode: d.mode.map(|m| m.as_str().to_string()),
            supersedes: d.supersedes.clone(),
            engine: d.engine,
            recorded_at: e.recorded_at,
        }
    }
}

/// An event not recorded yet (one the engine owes).
#[derive(Serialize, ToSchema)]
pub(crate) struct NewEventOut {
    /// The step's id.
    step: String,
    /// What happens (kebab-case).
    kind: String,
    /// The day it is dated.
    date: NaiveDate,
}

impl From<&NewEvent> for NewEventOut {
    fn from(e: &NewEvent) -> NewEventOut {
        NewEventOut { step: e.step.clone(), kind: e.kind.as_str().to_string(), date: e.date }
    }
}

/// The project `id`, when the caller's region reaches it; 404 otherwise, so
/// that another region's projects are not even known to exist.
fn open_for(store: &dyn Store, caller: &Caller, id: &str) -> Result<Project, Problem> {
    let (record, events) = store.load(id)?;
    if !caller.reaches(record.region.as_deref()) {
        return Err(Error::not_found(id).into());
    }
    Ok(Project::replay(record, events)?)
}

fn stale(id: &str, expected: u64, actual: u64) -> Problem {
    let mut p = Problem::service(
        ServiceCode::Stale,
        format!(
            "project `{id}` has {actual} events, not the {expected} of `If-Match`: someone else recorded \
             first; read the project again and decide anew"
        ),
    );
    p.sequence = Some(actual);
    p
}

fn busy(id: &str) -> Problem {
    Problem::library(
        ErrorKind::Conflict,
        format!(
            "project `{id}` is being written by many others at once; retry with the same Idempotency-Key"
        ),
    )
}

fn etag(sequence: u64) -> (header::HeaderName, HeaderValue) {
    // OK because digits in quotes are a valid header value.
    (header::ETAG, HeaderValue::from_str(&format!("\"{sequence}\"")).expect("digits are a valid header"))
}

/// Starts a project of a flow in the service's store; the flow text (and its calendar file's) is pinned.
#[utoipa::path(post, path = "/v1/projects", tag = "projects", request_body = CreateRequest,
    responses(
        (status = 201, description = "Started", body = ProjectInfo, headers(("Location" = String, description = "The project's status"))),
        (status = 409, description = "The id is taken", body = Problem, content_type = "application/problem+json"),
        (status = "4XX", description = "An invalid flow, params, date or region; no token (401); a role or region the token lacks (403)", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn create(
    caller: Caller,
    State(state): State<AppState>,
    Json(body): Json<CreateRequest>,
) -> Result<Response, Problem> {
    caller.require(Need::Write)?;
    if body.id.chars().count() > MAX_ID {
        return Err(Problem::library(ErrorKind::Param, format!("`id` has more than {MAX_ID} characters")));
    }
    input::plain_text("id", &body.id)?;
    let start = input::date("start", &body.start)?;
    let region = region_for(&caller, body.region.as_deref())?;
    let mode = body.mode.as_deref().map(mode_field).transpose()?;
    if let Some(agent) = &body.agent {
        event_text("agent", agent)?;
    }
    let store = state.store.clone();
    let info = blocking(move || {
        let text =
            FlowText { flow: &body.flow, name: body.name.as_deref(), calendar: body.calendar.as_deref() };
        let loaded = text.load()?;
        let params = input::param_pairs(&body.params);
        let mut project = Project::start_on(loaded.calendar, loaded.flow, &body.id, start, &params)?;
        if let Some(region) = region {
            project = project.in_region(region);
        }
        // Dated the start, or today for a project that starts later; stored with the project, all or nothing.
        let today = input::today();
        let day = start.min(today);
        let mut first = Vec::new();
        if let Some(mode) = mode {
            first.push(NewEvent::project(EventKind::ModeSet, day).mode(mode));
        }
        if let Some(agent) = body.agent {
            first.push(NewEvent::project(EventKind::AgentAssigned, day).agent(agent));
        }
        project.create_with(&*store, first, today)?;
        Ok(ProjectInfo::of(&project))
    })
    .await?;
    let location = format!("/v1/projects/{}/status", info.id);
    let mut response = (StatusCode::CREATED, axum::Json(info)).into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response)
}

/// The region of a new project: the one asked for, within the caller's reach.
fn region_for(caller: &Caller, asked: Option<&str>) -> Result<Option<String>, Problem> {
    let region = match asked {
        Some(r) => r.to_string(),
        None if caller.region.is_empty() => return Ok(None),
        None => caller.region.clone(),
    };
    region_code(&region)?;
    if !caller.reaches(Some(&region)) {
        return Err(Problem::service(
            ServiceCode::Forbidden,
            format!("the token reaches regions starting with `{}`, not `{region}`", caller.region),
        ));
    }
    Ok(Some(region))
}

/// What `POST /v1/projects/{id}/events` answers: the event recorded, or, for
/// `stage:ID accepted` at a stage's window, every `accepted` it recorded.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub(crate) enum Recorded {
    /// The event (a step's, or the project's).
    One(Box<EventOut>),
    /// `stage:ID accepted`: one `accepted` for each step of the stage the window took, in order.
    Stage(Vec<EventOut>),
}

/// Records one event. With `Idempotency-Key`, a retry with the same key and
/// body returns the first answer and records nothing; the same key with
/// another event is refused (422, code `refused`, reason `key-reused`).
/// With `If-Match: N`, the event is recorded only if the log still holds N
/// events (412 otherwise); without it, a concurrent writer makes the service
/// re-read the log and check the event again. `step: "stage:ID"` with `kind:
/// accepted` accepts, at the stage's window (一窗受理), every step of the stage
/// that is ready on the date, and answers with the array of them (a key `K`
/// becomes `K/step` on each), as `shenpi project event P stage:ID accepted` does.
#[utoipa::path(post, path = "/v1/projects/{id}/events", tag = "projects", request_body = EventRequest,
    params(
        ("id" = String, Path, description = "The project's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "A key the caller makes per event (a UUID): a retry records it once"),
        ("If-Match" = Option<String>, Header, description = "The number of events the caller has seen, e.g. `3`"),
    ),
    responses(
        (status = 201, description = "Recorded (or, for a retry, recorded before: header Idempotent-Replayed): the event, or for `stage:ID` the array of events", body = Recorded,
            headers(("ETag" = String, description = "The log's length after the call, quoted"))),
        (status = 404, description = "No such project within the token's reach", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The log has moved past `If-Match`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The event is refused (the project's state, the date, a reused key); nothing was written", body = Problem, content_type = "application/problem+json"),
        (status = "4XX", description = "A malformed request; no token (401); a role the token lacks (403); too many concurrent writers (409)", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn record(
    caller: Caller,
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(body): Json<EventRequest>,
) -> Result<Response, Problem> {
    caller.require(Need::Write)?;
    let event = event_request(&body, input::idempotency_key(&headers)?)?;
    let expected = input::if_match(&headers)?;
    let store = state.store.clone();
    let (recorded, replayed, sequence) =
        blocking(move || record_event(&*store, &caller, &id, expected, event)).await?;
    let body = match recorded {
        Ok(one) => Recorded::One(Box::new(EventOut::from(&one))),
        Err(stage) => Recorded::Stage(stage.iter().map(EventOut::from).collect()),
    };
    let mut response = (StatusCode::CREATED, axum::Json(body)).into_response();
    let (name, value) = etag(sequence);
    response.headers_mut().insert(name, value);
    if replayed {
        response.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(response)
}

/// The recorded event (`Err` with the events a stage's window recorded, for
/// `stage:ID`), whether it was recorded before (a retry), and the log's length after.
#[allow(clippy::type_complexity)]
fn record_event(
    store: &dyn Store,
    caller: &Caller,
    id: &str,
    expected: Option<u64>,
    event: NewEvent,
) -> Result<(Result<Event, Vec<Event>>, bool, u64), Problem> {
    for _ in 0..ATTEMPTS {
        let mut project = open_for(store, caller, id)?;
        let len = project.events().len() as u64;
        let stage = project.stage_target(&event.step);
        // A stage's events carry the key as `K/step`.
        let retry = event.key.as_ref().is_some_and(|k| {
            let prefix = format!("{k}/");
            project
                .events()
                .iter()
                .filter_map(|e| e.key.as_ref())
                .any(|e| if stage.is_some() { e.starts_with(&prefix) } else { e == k })
        });
        match expected {
            Some(n) if n != len && !retry => return Err(stale(id, n, len)),
            _ => {}
        }
        let today = input::today();
        let recorded = match &stage {
            Some(stage) => project.record_stage(store, stage, event.clone(), today).map(Err),
            None => project.record(store, event.clone(), today).map(Ok),
        };
        match recorded {
            Ok(r) => {
                let replayed = match &r {
                    Ok(e) => e.seq <= len,
                    Err(all) => all.iter().all(|e| e.seq <= len),
                };
                return Ok((r, replayed, len.max(project.events().len() as u64)));
            }
            // Someone else got in first: read again, and check the event against what they recorded.
            Err(err) if err.is_conflict() => continue,
            Err(err) => return Err(err.into()),
        }
    }
    Err(busy(id))
}

/// A project's log.
#[derive(Serialize, ToSchema)]
pub(crate) struct EventsResponse {
    /// The project's id.
    project: String,
    /// How many events the log holds.
    sequence: u64,
    /// Every event, in order.
    events: Vec<EventOut>,
}

/// A project's whole event log, in order.
#[utoipa::path(get, path = "/v1/projects/{id}/events", tag = "projects",
    params(("id" = String, Path, description = "The project's id")),
    responses(
        (status = 200, description = "The log", body = EventsResponse, headers(("ETag" = String, description = "The log's length, quoted"))),
        (status = 404, description = "No such project within the token's reach", body = Problem, content_type = "application/problem+json"),
        (status = "4XX", description = "No token (401)", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn events(
    caller: Caller,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let store = state.store.clone();
    let log = blocking(move || {
        let (record, events) = store.load(&id)?;
        if !caller.reaches(record.region.as_deref()) {
            return Err(Error::not_found(&id).into());
        }
        let events: Vec<EventOut> = events.iter().map(EventOut::from).collect();
        Ok(EventsResponse { project: id, sequence: events.len() as u64, events })
    })
    .await?;
    let tag = etag(log.sequence);
    Ok(([tag], axum::Json(log)).into_response())
}

/// A day to look at.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct DateQuery {
    /// The day, YYYY-MM-DD (default today in China).
    #[param(example = "2025-03-20")]
    date: Option<String>,
}

/// Both clocks of every step on a day, the project's outlook and alerts. Reading never writes.
#[utoipa::path(get, path = "/v1/projects/{id}/status", tag = "projects",
    params(("id" = String, Path, description = "The project's id"), DateQuery),
    responses(
        (status = 200, description = "The status (the library's Status, `schema`: `shenpi.status/1`)", body = Object),
        (status = 404, description = "No such project within the token's reach", body = Problem, content_type = "application/problem+json"),
        (status = "4XX", description = "A bad date; no token (401); a role the token lacks (403)", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn status(
    caller: Caller,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<DateQuery>,
) -> Result<Response, Problem> {
    caller.require(Need::Read)?;
    let date = input::date_or_today("date", q.date.as_deref())?;
    let store = state.store.clone();
    let status = blocking(move || Ok(open_for(&*store, &caller, &id)?.status(date)?)).await?;
    Ok(axum::Json(status).into_response())
}

/// Up to which day to record owed events.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct AdvanceQuery {
    /// The day, YYYY-MM-DD, not after today (default today in China).
    #[param(example = "2025-03-20")]
    to: Option<String>,
}

/// What `advance` recorded.
#[derive(Serialize, ToSchema)]
pub(crate) struct AdvanceResponse {
    /// The events recorded, in order; empty when nothing was owed.
    recorded: Vec<EventOut>,
    /// How many events the log holds now.
    sequence: u64,
}

/// Records the events the engine owes up to a day: deemed approvals, 容缺 failures, confirmations.
#[utoipa::path(post, path = "/v1/projects/{id}/advance", tag = "projects",
    params(("id" = String, Path, description = "The project's id"), AdvanceQuery),
    responses(
        (status = 200, description = "What was recorded", body = AdvanceResponse),
        (status = 404, description = "No such project within the token's reach", body = Problem, content_type = "application/problem+json"),
        (status = "4XX", description = "A bad or future date; no token (401); a role the token lacks (403)", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn advance(
    caller: Caller,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<AdvanceQuery>,
) -> Result<axum::Json<AdvanceResponse>, Problem> {
    caller.require(Need::Write)?;
    let today = input::today();
    let to = input::date_or_today("to", q.to.as_deref())?;
    if to > today {
        return Err(Problem::library(
            ErrorKind::InFuture,
            format!("`to` is {to}, after today ({today}): the engine records only what is owed by today"),
        ));
    }
    let store = state.store.clone();
    blocking(move || {
        for _ in 0..ATTEMPTS {
            let mut project = open_for(&*store, &caller, &id)?;
            match project.advance(&*store, to, today) {
                Ok(recorded) => {
                    let recorded = recorded.iter().map(EventOut::from).collect();
                    return Ok(AdvanceResponse { recorded, sequence: project.events().len() as u64 });
                }
                Err(err) if err.is_conflict() => continue,
                Err(err) => return Err(err.into()),
            }
        }
        Err(busy(&id))
    })
    .await
    .map(axum::Json)
}

/// A day, and optionally one department.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct BoardQuery {
    /// The day, YYYY-MM-DD (default today in China).
    #[param(example = "2025-03-20")]
    date: Option<String>,
    /// Only this department's steps.
    dept: Option<String>,
}

/// The supervision board.
#[derive(Serialize, ToSchema)]
pub(crate) struct BoardResponse {
    /// The day.
    date: NaiveDate,
    /// The department asked for, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    dept: Option<String>,
    /// Every step due or overdue on the day within the token's regions, by department (the library's BoardRow).
    #[schema(value_type = Vec<Object>)]
    rows: Vec<shenpi_core::runtime::BoardRow>,
}

/// The supervision board (电子监察): every open step due, overdue or flagged on a day, by department, within the token's regions.
///
/// Read from the store's projections, as `shenpi project board` reads them: one department's rows, whatever
/// the number of projects. A decided step leaves the board; the report counts its flags.
#[utoipa::path(get, path = "/v1/board", tag = "projects", params(BoardQuery),
    responses(
        (status = 200, description = "The board", body = BoardResponse),
        (status = "4XX", description = "A bad date; no token (401); a role the token lacks (403)", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn board(
    caller: Caller,
    State(state): State<AppState>,
    Query(q): Query<BoardQuery>,
) -> Result<axum::Json<BoardResponse>, Problem> {
    caller.require(Need::Read)?;
    let date = input::date_or_today("date", q.date.as_deref())?;
    let store = state.store.clone();
    blocking(move || {
        // The store's projections: one department's open steps in the caller's regions, no replay.
        let rows = board_of(&store.open_steps(q.dept.as_deref(), date, &caller.region)?, date);
        Ok(BoardResponse { date, dept: q.dept, rows })
    })
    .await
    .map(axum::Json)
}

/// The 问责 list.
#[derive(Serialize, ToSchema)]
pub(crate) struct AccountabilityResponse {
    /// The day.
    date: NaiveDate,
    /// The department asked for, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    dept: Option<String>,
    /// Every supervision notice (督办) unanswered past its days to answer, within the token's regions, by
    /// department, then by the day of the notice (the library's AccountabilityRow).
    #[schema(value_type = Vec<Object>)]
    rows: Vec<shenpi_core::runtime::AccountabilityRow>,
}

/// The 问责 list: every supervision notice (督办) still unanswered after its last day to answer, within the
/// token's regions, as `shenpi project accountability` lists it.
///
/// Read from the same projections as the board: a notice the engine owes by the day counts as sent. Needs a
/// flow whose `alerts:` name `supervise` and `answer_within`; other flows send no notices.
#[utoipa::path(get, path = "/v1/accountability", tag = "projects", params(BoardQuery),
    responses(
        (status = 200, description = "The 问责 list", body = AccountabilityResponse),
        (status = "4XX", description = "A bad date; no token (401); a role the token lacks (403)", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn accountability(
    caller: Caller,
    State(state): State<AppState>,
    Query(q): Query<BoardQuery>,
) -> Result<axum::Json<AccountabilityResponse>, Problem> {
    caller.require(Need::Read)?;
    let date = input::date_or_today("date", q.date.as_deref())?;
    let store = state.store.clone();
    blocking(move || {
        let rows = accountable(&*store, date, q.dept.as_deref(), &caller.region)?;
        Ok(AccountabilityResponse { date, dept: q.dept, rows })
    })
    .await
    .map(axum::Json)
}
