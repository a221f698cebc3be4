//! Errors as `application/problem+json` (RFC 9457), each with a stable `code`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use shenpi_core::Error;
use shenpi_core::diag::Report;
use utoipa::ToSchema;

/// The media type of every error answer.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An error answer (RFC 9457). `code` is stable: clients branch on it, never
/// on `detail`, whose wording may change.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem: `urn:shenpi:problem:` and the code.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong here, and what to do.
    pub detail: String,
    /// The stable code: the library's error code, or one of the service's own
    /// (`bad-request`, `unauthorized`, `forbidden`, `not-found`, …).
    pub code: String,
    /// For an invalid flow or calendar: every problem found, with line and column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diagnostics: Option<Vec<Diagnostic>>,
    /// For a refused event: why, as a stable reason code with its data.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub refusal: Option<serde_json::Value>,
    /// For a stale `If-Match` or a concurrent writer: the project's current sequence number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sequence: Option<u64>,
    /// For an event among several (`/v1/evaluate`): its index in the list, from 0.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
}

/// One diagnostic of a flow or calendar file, as `shenpi check --format json` prints it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Diagnostic {
    /// The name the text was given (`name` in the request).
    pub file: String,
    /// 1-based line, when the problem has a place.
    pub line: Option<usize>,
    /// 1-based column, when the problem has a place.
    pub column: Option<usize>,
    /// `error` or `warning`.
    pub severity: String,
    /// The stable diagnostic code, e.g. `E003`.
    pub code: String,
    /// What is wrong.
    pub message: String,
    /// What the marked text is.
    pub label: Option<String>,
    /// More context.
    pub notes: Vec<String>,
    /// How to fix it.
    pub help: Option<String>,
}

/// Every diagnostic of a report, for JSON.
pub fn diagnostics(report: &Report) -> Vec<Diagnostic> {
    report
        .located()
        .into_iter()
        .map(|d| Diagnostic {
            file: d.file.to_string(),
            line: d.line,
            column: d.column,
            severity: serde_json::to_value(d.severity)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            code: d.code.as_str().to_string(),
            message: d.message.to_string(),
            label: d.label.map(str::to_string),
            notes: d.notes.to_vec(),
            help: d.help.map(str::to_string),
        })
        .collect()
}

impl Problem {
    /// A problem with a status, a stable code and a detail.
    pub fn new(status: StatusCode, code: &str, detail: impl Into<String>) -> Problem {
        Problem {
            kind: format!("urn:shenpi:problem:{code}"),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail: detail.into(),
            code: code.to_string(),
            diagnostics: None,
            refusal: None,
            sequence: None,
            index: None,
        }
    }

    /// 400: the request itself is malformed (JSON, query, header).
    pub fn bad_request(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::BAD_REQUEST, "bad-request", detail)
    }

    /// 404 for a path or a project the caller cannot see.
    pub fn not_found(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::NOT_FOUND, "not-found", detail)
    }

    /// 422: well-formed, but not acceptable (a bad field value).
    pub fn unprocessable(code: &str, detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::UNPROCESSABLE_ENTITY, code, detail)
    }

    /// 503: the server gave up on the request; its outcome is unknown.
    pub fn timeout(limit: std::time::Duration) -> Problem {
        Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            format!(
                "the request took longer than {} s and was abandoned; its outcome is unknown: \
                 retry it with the same Idempotency-Key",
                limit.as_secs_f64()
            ),
        )
    }

    /// 500 for what should never happen (a task that panicked); says so plainly.
    pub fn internal(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", detail)
    }

    /// The same problem at the `index`th item of a list.
    pub fn at_index(mut self, index: usize) -> Problem {
        self.index = Some(index);
        self.detail = format!("event {index}: {}", self.detail);
        self
    }
}

/// The HTTP status and stable code of a library error.
fn classify(e: &Error) -> (StatusCode, &'static str) {
    if e.is_refused() {
        (StatusCode::UNPROCESSABLE_ENTITY, "refused")
    } else if e.is_conflict() {
        (StatusCode::CONFLICT, "conflict")
    } else if e.is_not_found() {
        (StatusCode::NOT_FOUND, "not-found")
    } else if e.is_exists() {
        (StatusCode::CONFLICT, "exists")
    } else if e.is_invalid() {
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid")
    } else if e.is_param() {
        (StatusCode::UNPROCESSABLE_ENTITY, "param")
    } else if e.is_out_of_range() {
        (StatusCode::UNPROCESSABLE_ENTITY, "out-of-range")
    } else if e.is_calendar() {
        (StatusCode::UNPROCESSABLE_ENTITY, "calendar")
    } else if e.is_corrupt() {
        (StatusCode::INTERNAL_SERVER_ERROR, "corrupt")
    } else if e.is_store() {
        (StatusCode::SERVICE_UNAVAILABLE, "store")
    } else {
        (StatusCode::INTERNAL_SERVER_ERROR, "io")
    }
}

impl From<Error> for Problem {
    fn from(e: Error) -> Problem {
        let (status, code) = classify(&e);
        let mut p = Problem::new(status, code, e.to_string());
        if let Some(report) = e.report() {
            p.diagnostics = Some(diagnostics(report));
        }
        if let Some(refusal) = e.refusal() {
            p.refusal = serde_json::to_value(refusal).ok();
        }
        p
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, axum::Json(&self)).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        response
    }
}
