//! What requests carry: JSON bodies, queries and paths whose rejections are
//! problems, flows with their calendars and params, dates and headers.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::{HeaderMap, StatusCode};
use chrono::{FixedOffset, NaiveDate, Utc};
use serde::Deserialize;
use shenpi_core::calendar::parse_date;
use shenpi_core::graph::Options as GraphOptions;
use shenpi_core::runtime::ProjectCalendar;
use shenpi_core::{Error, ErrorKind, Flow, FlowGraph};
use utoipa::ToSchema;

use crate::problem::{Problem, ServiceCode, diagnostics};

/// A JSON body; a malformed one is a 400, a wrong media type a 415, too large a 413.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(Problem))]
pub struct Json<T>(pub T);

/// A query string; a malformed one is a 400.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(Problem))]
pub struct Query<T>(pub T);

/// Path parameters; a malformed one is a 400.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(Problem))]
pub struct Path<T>(pub T);

impl From<JsonRejection> for Problem {
    fn from(r: JsonRejection) -> Problem {
        let code = match r.status() {
            StatusCode::PAYLOAD_TOO_LARGE => ServiceCode::TooLarge,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => ServiceCode::UnsupportedMediaType,
            _ => ServiceCode::BadRequest,
        };
        let detail = match &r {
            JsonRejection::MissingJsonContentType(_) => {
                "send the body as JSON with `Content-Type: application/json`".to_string()
            }
            _ => r.body_text(),
        };
        Problem::service(code, detail)
    }
}

impl From<QueryRejection> for Problem {
    fn from(r: QueryRejection) -> Problem {
        Problem::bad_request(r.body_text())
    }
}

impl From<PathRejection> for Problem {
    fn from(r: PathRejection) -> Problem {
        Problem::bad_request(r.body_text())
    }
}

/// A project attribute's value: text, a number or a truth value, as the flow declares it.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum ParamValue {
    /// Text (or any value written as text).
    Text(String),
    /// A number.
    #[schema(value_type = f64)]
    Number(serde_json::Number),
    /// A truth value.
    Bool(bool),
}

impl ParamValue {
    fn as_text(&self) -> String {
        match self {
            ParamValue::Text(t) => t.clone(),
            ParamValue::Number(n) => n.to_string(),
            ParamValue::Bool(b) => b.to_string(),
        }
    }
}

/// Params as the runtime keeps them: `K=V` pairs in key order.
pub fn param_pairs(params: &BTreeMap<String, ParamValue>) -> Vec<(String, String)> {
    params.iter().map(|(k, v)| (k.clone(), v.as_text())).collect()
}

/// The parts of a request that describe a flow: its text, the name used in
/// messages, the text of the calendar file it names (if it names one).
pub struct FlowText<'a> {
    pub flow: &'a str,
    pub name: Option<&'a str>,
    pub calendar: Option<&'a str>,
}

/// A parsed flow and the calendar it counts on.
pub struct Loaded {
    pub flow: Arc<Flow>,
    pub calendar: ProjectCalendar,
}

impl FlowText<'_> {
    /// The name the flow goes by in messages and diagnostics.
    pub fn name(&self) -> &str {
        self.name.filter(|n| !n.trim().is_empty()).unwrap_or("flow.yaml")
    }

    /// Parses the flow; an invalid one is a 422 with every diagnostic.
    pub fn parse(&self) -> Result<Flow, Problem> {
        Flow::parse(self.name(), self.flow).map_err(|report| {
            let mut p = Problem::library(
                ErrorKind::Invalid,
                format!(
                    "flow `{}` is invalid: {} problem(s), listed in `diagnostics`",
                    self.name(),
                    report.diagnostics().len()
                ),
            );
            p.diagnostics = Some(diagnostics(&report));
            p
        })
    }

    /// Parses the flow and resolves its calendar: a built-in one by name, or
    /// the calendar file's text sent as `calendar`. The service reads no files.
    pub fn load(&self) -> Result<Loaded, Problem> {
        let flow = self.parse()?;
        let calendar = match (ProjectCalendar::builtin(flow.calendar()), self.calendar) {
            (Some(builtin), None) => builtin,
            (Some(_), Some(_)) => {
                return Err(Problem::library(
                    ErrorKind::InvalidOption,
                    format!(
                        "flow `{}` counts on the built-in calendar `{}`: send no `calendar` text",
                        flow.id(),
                        flow.calendar()
                    ),
                ));
            }
            (None, Some(text)) => ProjectCalendar::from_yaml(flow.calendar(), text)?,
            (None, None) => {
                return Err(Problem::library(
                    ErrorKind::CalendarNeeded,
                    format!(
                        "flow `{}` names the calendar file `{}`, and the service reads no files: \
                         send the file's text as `calendar`",
                        flow.id(),
                        flow.calendar()
                    ),
                ));
            }
        };
        Ok(Loaded { flow: Arc::new(flow), calendar })
    }
}

impl Loaded {
    /// The flow compiled for a project with these params and the reform's options.
    pub fn graph_with(
        &self,
        params: &BTreeMap<String, ParamValue>,
        options: GraphOptions,
    ) -> Result<FlowGraph, Problem> {
        let pairs = param_pairs(params);
        let bound = self.flow.bind(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
        Ok(FlowGraph::with_options(self.flow.clone(), bound, options))
    }
}

/// Parses a `YYYY-MM-DD` field; a bad one is the library's error (422,
/// `calendar`) naming the field.
pub fn date(field: &str, text: &str) -> Result<NaiveDate, Problem> {
    parse_date(text).map_err(|e| Problem::from(Error::from(e)).in_field(field))
}

/// Today in China (UTC+8), where approval centres count their days.
pub fn today() -> NaiveDate {
    // OK because 8 hours is a valid offset.
    let china = FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    Utc::now().with_timezone(&china).date_naive()
}

/// An optional date field, today when absent.
pub fn date_or_today(field: &str, text: Option<&str>) -> Result<NaiveDate, Problem> {
    text.map_or_else(|| Ok(today()), |t| date(field, t))
}

/// The `If-Match` header as a sequence number: `3`, `"3"` or `W/"3"`.
pub fn if_match(headers: &HeaderMap) -> Result<Option<u64>, Problem> {
    let Some(value) = headers.get(axum::http::header::IF_MATCH) else { return Ok(None) };
    let text = value.to_str().unwrap_or("").trim();
    let bare = text.strip_prefix("W/").unwrap_or(text).trim_matches('"');
    bare.parse::<u64>().map(Some).map_err(|_| {
        Problem::bad_request(format!(
            "`If-Match: {}` is not a sequence number; send the number of events you have seen, e.g. `If-Match: 3`",
            text.escape_debug()
        ))
    })
}

/// Most bytes of an idempotency key.
pub const MAX_KEY: usize = 255;

/// The `Idempotency-Key` header: printable text of at most 255 bytes.
pub fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, Problem> {
    let Some(value) = headers.get("idempotency-key") else { return Ok(None) };
    let key = value.to_str().ok().map(|s| s.trim().trim_matches('"')).unwrap_or("");
    if key.is_empty() || key.len() > MAX_KEY || key.chars().any(char::is_control) {
        return Err(Problem::bad_request(format!(
            "`Idempotency-Key` must be visible ASCII text of 1 to {MAX_KEY} bytes, e.g. a UUID"
        )));
    }
    Ok(Some(key.to_string()))
}

/// Refuses text with a NUL or other control character where no store could keep it.
pub fn plain_text(field: &str, text: &str) -> Result<(), Problem> {
    if text.contains('\0') {
        return Err(Problem::library(
            ErrorKind::InvalidOption,
            format!("`{field}` contains a NUL character"),
        ));
    }
    Ok(())
}
