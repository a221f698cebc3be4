//! Stateless endpoints: questions about a flow sent in the body, and
//! working days on a built-in calendar.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use shenpi_core::calendar::Calendar;
use shenpi_core::diag::Report;
use shenpi_core::graph::{Mode, Options as GraphOptions};
use shenpi_core::model::DeadlinePolicy;
use shenpi_core::render::{self, Facts, Gantt};
use shenpi_core::runtime::{MemoryStore, NewEvent, Project};
use shenpi_core::sim::{self, SimOptions};
use shenpi_core::{Error, ErrorKind, FlowGraph, Plan, PlanReport};
use utoipa::{IntoParams, ToSchema};

use super::projects::{EventOut, NewEventOut, event_request};
use crate::AppState;
use crate::auth::Caller;
use crate::input::{self, FlowText, Json, Loaded, ParamValue, Path, Query};
use crate::problem::{Diagnostic, Problem, diagnostics};

/// Runs CPU-heavy or blocking work off the request threads.
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, Problem> + Send + 'static,
) -> Result<T, Problem> {
    tokio::task::spawn_blocking(work)
        .await
        .unwrap_or_else(|e| Err(Problem::internal(format!("the request's work stopped unexpectedly: {e}"))))
}

/// What the bodies of the flow questions (check, plan, simulate, render) share.
trait FlowBody {
    /// The flow's text, its name in messages, its calendar file's text.
    fn text(&self) -> FlowText<'_>;

    /// The project's attributes.
    fn params(&self) -> Option<&BTreeMap<String, ParamValue>> {
        None
    }

    /// The reform's options (`mode`, `commitment`).
    fn options(&self) -> GraphOptions {
        GraphOptions::default()
    }
}

/// A flow ready for a question: parsed, its calendar resolved, compiled for the body's params and options.
struct Prepared {
    loaded: Loaded,
    graph: FlowGraph,
}

/// The prologue every flow question shares, on a blocking thread: the flow parsed (an invalid flow is a 422
/// whose `diagnostics` list every problem), its calendar resolved from the body, the flow compiled for the
/// params and options (a bad param is a 422 naming it).
fn prepare(body: &impl FlowBody) -> Result<Prepared, Problem> {
    let loaded = body.text().load()?;
    let none = BTreeMap::new();
    let graph = loaded.graph_with(body.params().unwrap_or(&none), body.options())?;
    Ok(Prepared { loaded, graph })
}

/// The options `mode` and `commitment` ask for, as the command line's `--mode` and `--commitment`.
fn graph_options(mode: Option<Mode>, commitment: bool) -> GraphOptions {
    GraphOptions { mode: mode.unwrap_or_default(), commitment }
}

/// Implements [`FlowBody`] for a request with `flow`, `name` and `calendar`,
/// and `params`, `mode` and `commitment` when listed.
macro_rules! flow_body {
    ($t:ty $(, $part:ident)*) => {
        impl FlowBody for $t {
            fn text(&self) -> FlowText<'_> {
                FlowText { flow: &self.flow, name: self.name.as_deref(), calendar: self.calendar.as_deref() }
            }
            $(flow_body!(@$part);)*
        }
    };
    (@params) => {
        fn params(&self) -> Option<&BTreeMap<String, ParamValue>> {
            Some(&self.params)
        }
    };
    (@options) => {
        fn options(&self) -> GraphOptions {
            graph_options(self.mode, self.commitment)
        }
    };
}

flow_body!(CheckRequest);
flow_body!(PlanRequest, params, options);
flow_body!(SimulateRequest, params, options);
flow_body!(RenderRequest, params);

/// A flow to check.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CheckRequest {
    /// The flow's YAML text.
    #[schema(example = json!(crate::EXAMPLE_FLOW))]
    flow: String,
    /// The name the flow goes by in diagnostics (default `flow.yaml`).
    name: Option<String>,
    /// The text of the calendar file the flow names, when it names one (built-in `cn` and `weekends` need none).
    calendar: Option<String>,
}

/// The verdict on a flow, as `shenpi check --format json` gives it.
#[derive(Serialize, ToSchema)]
pub(crate) struct CheckResponse {
    /// True when the flow can be used (warnings allowed).
    valid: bool,
    /// What made it unusable apart from its diagnostics (its calendar).
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    /// Every error and warning, with line and column.
    diagnostics: Vec<Diagnostic>,
}

/// Checks a flow: every problem with its line and column, and budget warnings.
#[utoipa::path(post, path = "/v1/check", tag = "flows", request_body = CheckRequest,
    responses(
        (status = 200, description = "The verdict; `valid` is false for a flow with errors", body = CheckResponse),
        (status = "4XX", description = "A malformed request", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn check(
    _: Caller,
    Json(body): Json<CheckRequest>,
) -> Result<axum::Json<CheckResponse>, Problem> {
    let warnings = |graph: FlowGraph| {
        let source = graph.flow().source().clone();
        diagnostics(&Report::new(source, Plan::new(graph).budget_diagnostics()))
    };
    blocking(move || match prepare(&body) {
        Ok(Prepared { graph, .. }) => {
            Ok(CheckResponse { valid: true, error: None, diagnostics: warnings(graph) })
        }
        Err(problem) => match body.text().parse() {
            // The flow's own errors, each with its line and column.
            Err(invalid) => Ok(CheckResponse {
                valid: false,
                error: None,
                diagnostics: invalid.diagnostics.unwrap_or_default(),
            }),
            // A flow without errors whose calendar cannot be resolved: why, and its warnings.
            Ok(flow) => {
                let flow = Arc::new(flow);
                let graph = FlowGraph::new(flow.clone(), flow.defaults());
                Ok(CheckResponse { valid: false, error: Some(problem.detail), diagnostics: warnings(graph) })
            }
        },
    })
    .await
    .map(axum::Json)
}

/// How deadlines are handed out along the critical path.
#[derive(Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum PolicyName {
    /// Each step's deadline is its latest finish.
    Latest,
    /// Slack shared in proportion to promised days.
    Proportional,
}

// Requests deserialise the library's `Mode` directly; this enum only describes it in the document.
/// How a project runs.
#[derive(Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
#[allow(dead_code)]
pub(crate) enum ModeName {
    /// Every step waits for all its prerequisites.
    Normal,
    /// 模拟审批: steps with `provisional` run ahead of the prerequisites their `before` names.
    Simulated,
}

/// A flow to plan, as `shenpi plan` takes it.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PlanRequest {
    /// The flow's YAML text.
    #[schema(example = json!(crate::EXAMPLE_FLOW))]
    flow: String,
    /// The name the flow goes by in messages (default `flow.yaml`).
    name: Option<String>,
    /// The text of the calendar file the flow names, when it names one.
    calendar: Option<String>,
    /// Project attributes, e.g. `{"energy_tce": 2000}`; defaults fill the rest.
    #[serde(default)]
    params: BTreeMap<String, ParamValue>,
    /// Day 0, YYYY-MM-DD (default today in China): every step's dates on the flow's calendar.
    #[schema(example = "2025-03-03")]
    start: Option<String>,
    /// How deadlines are handed out (`--policy`; default the flow's `deadline_policy`).
    policy: Option<PolicyName>,
    /// `simulated` runs steps with `provisional` ahead of the prerequisites they name (`--mode`; default `normal`).
    #[schema(value_type = Option<ModeName>)]
    mode: Option<Mode>,
    /// Approve steps with `commitment` at acceptance on the applicant's pledge (告知承诺制, `--commitment`).
    #[serde(default)]
    commitment: bool,
}

/// Plans a flow: totals against the budget, every step's schedule, deadline and dates, what to cut.
/// The answer is the library's `PlanReport` (`schema: "shenpi.plan/1"`), as `shenpi plan --format json`
/// prints it; without dates (`start_date` null) when the calendar does not cover the plan.
#[utoipa::path(post, path = "/v1/plan", tag = "flows", request_body = PlanRequest,
    responses(
        (status = 200, description = "The plan (the library's PlanReport, schema shenpi.plan/1)", body = Object),
        (status = "4XX", description = "An invalid flow, params or date", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn plan(_: Caller, Json(body): Json<PlanRequest>) -> Result<Response, Problem> {
    let start = input::date_or_today("start", body.start.as_deref())?;
    let report = blocking(move || {
        let Prepared { loaded, graph } = prepare(&body)?;
        let policy = match body.policy {
            Some(PolicyName::Latest) => DeadlinePolicy::Latest,
            Some(PolicyName::Proportional) => DeadlinePolicy::Proportional,
            None => graph.flow().deadline_policy(),
        };
        let plan = Plan::with_policy(graph, policy);
        let calendar = loaded.calendar.calendar();
        // Days and deadlines stand on their own; dates need the calendar to cover the whole plan.
        let dates = match plan.dates(start, calendar) {
            Ok(dates) => Some(dates),
            Err(e) if e.is_out_of_range() => None,
            Err(e) => return Err(Error::from(e).into()),
        };
        Ok(PlanReport::new(&plan, dates.as_ref(), calendar))
    })
    .await?;
    Ok(axum::Json(report).into_response())
}

/// How many projects to simulate, from which seed.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SimulateRequest {
    /// The flow's YAML text.
    #[schema(example = json!(crate::EXAMPLE_FLOW))]
    flow: String,
    /// The name the flow goes by in messages (default `flow.yaml`).
    name: Option<String>,
    /// The text of the calendar file the flow names, when it names one.
    calendar: Option<String>,
    /// Project attributes, e.g. `{"energy_tce": 2000}`; defaults fill the rest.
    #[serde(default)]
    params: BTreeMap<String, ParamValue>,
    #[schema(example = 1000)]
    /// Number of simulated projects (default 10,000; at most the service's limit, 200,000 unless set otherwise).
    runs: Option<u32>,
    /// Seed: the same seed gives the same report (default 2019).
    seed: Option<u64>,
    /// Start date (YYYY-MM-DD), for finish dates on the flow's calendar.
    #[schema(example = "2025-03-03")]
    start: Option<String>,
    /// `simulated` runs steps with `provisional` ahead of the prerequisites they name (`--mode`; default `normal`).
    #[schema(value_type = Option<ModeName>)]
    mode: Option<Mode>,
    /// Approve steps with `commitment` at acceptance on the applicant's pledge (告知承诺制, `--commitment`).
    #[serde(default)]
    commitment: bool,
}

/// Simulates projects of a flow: the chance of meeting the budget, and which steps threaten it.
/// The answer is the library's `SimReport`.
#[utoipa::path(post, path = "/v1/simulate", tag = "flows", request_body = SimulateRequest,
    responses(
        (status = 200, description = "The simulation report (the library's SimReport, `schema`: `shenpi.simulation/1`)", body = Object),
        (status = "4XX", description = "An invalid flow, params or options", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Took longer than the service allows", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn simulate(
    _: Caller,
    State(state): State<AppState>,
    Json(body): Json<SimulateRequest>,
) -> Result<Response, Problem> {
    let runs = body.runs.unwrap_or(10_000);
    let most = state.limits.simulation_runs;
    if runs == 0 || runs > most {
        return Err(Problem::library(
            ErrorKind::InvalidOption,
            format!("`runs` must be 1 to {most}, not {runs}"),
        ));
    }
    let start = body.start.as_deref().map(|s| input::date("start", s)).transpose()?;
    let permit = state.simulations.clone().acquire_owned().await;
    let report = blocking(move || {
        let _permit = permit;
        let Prepared { loaded, graph } = prepare(&body)?;
        let options = SimOptions { runs, seed: body.seed.unwrap_or(2019) };
        let report = sim::simulate(&graph, &options)?;
        match start {
            None => Ok(report),
            Some(start) => Ok(report.with_dates(start, loaded.calendar.calendar()).map_err(Error::from)?),
        }
    })
    .await?;
    Ok(axum::Json(report).into_response())
}

/// What to draw.
#[derive(Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum RenderFormat {
    /// The whole-process chart (全流程图), SVG.
    Svg,
    /// The Gantt chart on the flow's calendar, SVG (from `start`, default today).
    GanttSvg,
    /// Mermaid flowchart text.
    Mermaid,
    /// Graphviz DOT text.
    Dot,
}

/// A flow to draw.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RenderRequest {
    /// The flow's YAML text.
    #[schema(example = json!(crate::EXAMPLE_FLOW))]
    flow: String,
    /// The name the flow goes by in messages (default `flow.yaml`).
    name: Option<String>,
    /// The text of the calendar file the flow names, when it names one.
    calendar: Option<String>,
    /// Project attributes; defaults fill the rest.
    #[serde(default)]
    params: BTreeMap<String, ParamValue>,
    /// What to draw.
    format: RenderFormat,
    /// Start date for the Gantt chart (YYYY-MM-DD, default today).
    #[schema(example = "2025-03-03")]
    start: Option<String>,
}

/// Draws a flow: the whole-process chart or the Gantt chart as SVG, or Mermaid or DOT text.
#[utoipa::path(post, path = "/v1/render", tag = "flows", request_body = RenderRequest,
    responses(
        (status = 200, description = "The drawing", content(
            (String = "image/svg+xml"),
            (String = "text/plain"),
        )),
        (status = "4XX", description = "An invalid flow or params", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn render(_: Caller, Json(body): Json<RenderRequest>) -> Result<Response, Problem> {
    let start = input::date_or_today("start", body.start.as_deref())?;
    let (text, media) = blocking(move || {
        let Prepared { loaded, graph } = prepare(&body)?;
        let plan = Plan::new(graph);
        let facts = Facts::from_plan(&plan);
        Ok(match body.format {
            RenderFormat::Svg => (render::flowchart_svg(plan.graph(), &facts), "image/svg+xml"),
            RenderFormat::Mermaid => (render::mermaid(plan.graph(), &facts), "text/plain; charset=utf-8"),
            RenderFormat::Dot => (render::dot(plan.graph(), &facts), "text/plain; charset=utf-8"),
            RenderFormat::GanttSvg => {
                let calendar = loaded.calendar.calendar();
                let dates = plan.dates(start, calendar).map_err(Error::from)?;
                let gantt = Gantt::from_plan(&plan, &dates, calendar).map_err(Error::from)?;
                (render::gantt_svg(plan.graph(), &gantt, calendar), "image/svg+xml")
            }
        })
    })
    .await?;
    Ok(([(header::CONTENT_TYPE, media)], text).into_response())
}

/// A built-in calendar by name: `cn` or `weekends`.
fn builtin(name: &str) -> Result<Calendar, Problem> {
    if Calendar::is_builtin(name) {
        if let Ok(calendar) = Calendar::resolve(name, None) {
            return Ok(calendar);
        }
    }
    Err(Problem::not_found(format!(
        "no built-in calendar `{}`; the service has `cn` (the mainland's statutory calendar) and `weekends`",
        name.escape_debug()
    )))
}

/// A day and a number of working days.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct AddDaysQuery {
    /// The start day, YYYY-MM-DD (not counted itself).
    #[param(example = "2025-01-24")]
    date: String,
    /// Working days to add.
    #[param(example = 5)]
    n: u32,
}

/// The answer of `add-days`.
#[derive(Serialize, ToSchema)]
pub(crate) struct AddDaysResponse {
    /// The calendar.
    calendar: String,
    /// The start day.
    date: NaiveDate,
    /// Working days added.
    n: u32,
    /// The `n`-th working day after `date` (`n` = 0: `date`, or the next working day).
    result: NaiveDate,
}

/// The `n`-th working day after a date, counted as the licensing law counts (the start day is not counted).
#[utoipa::path(get, path = "/v1/calendars/{name}/add-days", tag = "calendars",
    params(("name" = String, Path, description = "`cn` or `weekends`", example = "cn"), AddDaysQuery),
    responses(
        (status = 200, description = "The day", body = AddDaysResponse),
        (status = "4XX", description = "An unknown calendar, a bad date, a date outside the calendar's data", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn add_days(
    _: Caller,
    Path(name): Path<String>,
    Query(q): Query<AddDaysQuery>,
) -> Result<axum::Json<AddDaysResponse>, Problem> {
    let calendar = builtin(&name)?;
    let date = input::date("date", &q.date)?;
    let result = calendar.add_working_days(date, q.n).map_err(Error::from)?;
    Ok(axum::Json(AddDaysResponse { calendar: name, date, n: q.n, result }))
}

/// Two days.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct BetweenQuery {
    /// YYYY-MM-DD, not counted.
    #[param(example = "2025-01-24")]
    from: String,
    /// YYYY-MM-DD, counted.
    #[param(example = "2025-02-10")]
    to: String,
}

/// The answer of `between`.
#[derive(Serialize, ToSchema)]
pub(crate) struct BetweenResponse {
    /// The calendar.
    calendar: String,
    /// The first day (not counted).
    from: NaiveDate,
    /// The last day (counted).
    to: NaiveDate,
    /// Working days x with `from` < x ≤ `to`; negative when `from` is after `to`.
    days: i64,
}

/// Working days between two dates: x with from < x ≤ to, the inverse of add-days.
#[utoipa::path(get, path = "/v1/calendars/{name}/between", tag = "calendars",
    params(("name" = String, Path, description = "`cn` or `weekends`", example = "cn"), BetweenQuery),
    responses(
        (status = 200, description = "The count", body = BetweenResponse),
        (status = "4XX", description = "An unknown calendar, a bad date, a date outside the calendar's data", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn between(
    _: Caller,
    Path(name): Path<String>,
    Query(q): Query<BetweenQuery>,
) -> Result<axum::Json<BetweenResponse>, Problem> {
    let calendar = builtin(&name)?;
    let from = input::date("from", &q.from)?;
    let to = input::date("to", &q.to)?;
    let days = calendar.working_days_between(from, to).map_err(Error::from)?;
    Ok(axum::Json(BetweenResponse { calendar: name, from, to, days }))
}

/// A project whose events the caller keeps: the flow, the start, the events so far, a day.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct EvaluateRequest {
    /// The flow's YAML text.
    #[schema(example = json!(crate::EXAMPLE_FLOW))]
    flow: String,
    /// The name the flow goes by in messages (default `flow.yaml`).
    name: Option<String>,
    /// The text of the calendar file the flow names, when it names one.
    calendar: Option<String>,
    /// Project attributes; defaults fill the rest.
    #[serde(default)]
    params: BTreeMap<String, ParamValue>,
    /// The project's id, for the answer (default `project`).
    id: Option<String>,
    /// The day the project started, YYYY-MM-DD.
    #[schema(example = "2025-03-03")]
    start: String,
    /// The events so far, in the order they were recorded.
    #[serde(default)]
    events: Vec<super::projects::EventRequest>,
    /// The day to look at, YYYY-MM-DD (default today).
    #[schema(example = "2025-03-20")]
    date: Option<String>,
}

/// Status on a day and what the engine owes by then.
#[derive(Serialize, ToSchema)]
pub(crate) struct EvaluateResponse {
    /// The events as the engine numbers them.
    events: Vec<EventOut>,
    /// Both clocks of every step, and the project's outlook (the library's Status, `schema`: `shenpi.status/1`).
    #[schema(value_type = Object)]
    status: shenpi_core::runtime::Status,
    /// Events the engine owes as of the day (deemed approvals, 容缺 failures, confirmations), in order.
    owed: Vec<NewEventOut>,
}

/// Status, alerts and owed events of a project whose events the caller keeps in its own database.
#[utoipa::path(post, path = "/v1/evaluate", tag = "flows", request_body = EvaluateRequest,
    responses(
        (status = 200, description = "Status and owed events", body = EvaluateResponse),
        (status = "4XX", description = "An invalid flow or params, or an event refused (`index` says which)", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn evaluate(
    _: Caller,
    Json(body): Json<EvaluateRequest>,
) -> Result<axum::Json<EvaluateResponse>, Problem> {
    let start = input::date("start", &body.start)?;
    let date = input::date_or_today("date", body.date.as_deref())?;
    let events: Vec<NewEvent> = body
        .events
        .iter()
        .enumerate()
        .map(|(i, e)| event_request(e, None).map_err(|p| p.at_index(i)))
        .collect::<Result<_, _>>()?;
    blocking(move || {
        let text =
            FlowText { flow: &body.flow, name: body.name.as_deref(), calendar: body.calendar.as_deref() };
        let loaded = text.load()?;
        let id = body.id.as_deref().unwrap_or("project");
        let params = input::param_pairs(&body.params);
        let store = MemoryStore::new();
        let mut project = Project::create_on(&store, loaded.calendar, loaded.flow, id, start, &params)?;
        // A what-if in memory: events up to the day looked at count, even ahead of today.
        let today = date.max(input::today());
        for (i, e) in events.into_iter().enumerate() {
            project.record(&store, e, today).map_err(|err| Problem::from(err).at_index(i))?;
        }
        let status = project.status(date)?;
        let owed = project.owed(date)?.iter().map(NewEventOut::from).collect();
        let events = project.events().iter().map(EventOut::from).collect();
        Ok(EvaluateResponse { events, status, owed })
    })
    .await
    .map(axum::Json)
}
