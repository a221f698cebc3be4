//! Errors as `application/problem+json` (RFC 9457), each with a stable `code`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use shenpi_core::diag::Report;
use shenpi_core::{Error, ErrorKind};
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
    /// The stable code. For anything the library's error kinds describe (a bad
    /// flow, date, param or option, a refused event, a missing project), the
    /// library's own code: `invalid`, `param`, `invalid-option`, `out-of-range`,
    /// `calendar`, `calendar-needed`, `refused`, `in-future`, `conflict`,
    /// `not-found`, `exists`, `store`, `corrupt`, `io`. For what is about HTTP
    /// itself, the service's: `bad-request`, `unauthorized`, `forbidden`,
    /// `method-not-allowed`, `stale`, `too-large`, `unsupported-media-type`,
    /// `timeout`, `internal`.
    #[schema(example = "refused")]
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

/// The service's own codes: for what is about HTTP itself, which no kind of
/// the library's errors describes. Everything else carries the library's
/// [`ErrorKind::code`], so a client branches on one list of codes whichever
/// way in (library, command line, service) it uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServiceCode {
    /// 400: malformed JSON, query or header, or an unknown field (`bad-request`).
    BadRequest,
    /// 401: no token, or one the service does not know (`unauthorized`).
    Unauthorized,
    /// 403: a role or region the token lacks (`forbidden`).
    Forbidden,
    /// 405: a method the path does not take (`method-not-allowed`).
    MethodNotAllowed,
    /// 412: the log has moved past the caller's `If-Match` (`stale`).
    Stale,
    /// 413: a body over the limit (`too-large`).
    TooLarge,
    /// 415: a body that is not JSON (`unsupported-media-type`).
    UnsupportedMediaType,
    /// 503: the request took longer than the limit; its outcome is unknown (`timeout`).
    Timeout,
    /// 500: a bug, never bad input (`internal`).
    Internal,
}

impl ServiceCode {
    /// Every service code, in the order of their declaration.
    pub const ALL: [ServiceCode; 9] = [
        ServiceCode::BadRequest,
        ServiceCode::Unauthorized,
        ServiceCode::Forbidden,
        ServiceCode::MethodNotAllowed,
        ServiceCode::Stale,
        ServiceCode::TooLarge,
        ServiceCode::UnsupportedMediaType,
        ServiceCode::Timeout,
        ServiceCode::Internal,
    ];

    /// The stable kebab-case code, e.g. `stale`.
    ///
    /// ```
    /// assert_eq!(shenpi_server::ServiceCode::Stale.code(), "stale");
    /// ```
    pub const fn code(self) -> &'static str {
        match self {
            ServiceCode::BadRequest => "bad-request",
            ServiceCode::Unauthorized => "unauthorized",
            ServiceCode::Forbidden => "forbidden",
            ServiceCode::MethodNotAllowed => "method-not-allowed",
            ServiceCode::Stale => "stale",
            ServiceCode::TooLarge => "too-large",
            ServiceCode::UnsupportedMediaType => "unsupported-media-type",
            ServiceCode::Timeout => "timeout",
            ServiceCode::Internal => "internal",
        }
    }

    /// The HTTP status that goes with the code.
    ///
    /// ```
    /// assert_eq!(shenpi_server::ServiceCode::Stale.status(), 412);
    /// ```
    pub const fn status(self) -> u16 {
        match self {
            ServiceCode::BadRequest => 400,
            ServiceCode::Unauthorized => 401,
            ServiceCode::Forbidden => 403,
            ServiceCode::MethodNotAllowed => 405,
            ServiceCode::Stale => 412,
            ServiceCode::TooLarge => 413,
            ServiceCode::UnsupportedMediaType => 415,
            ServiceCode::Timeout => 503,
            ServiceCode::Internal => 500,
        }
    }
}

/// The HTTP status of a library error of `kind`.
///
/// The caller's mistakes are 422 (404, 409 for a missing or taken project,
/// 409 for a writer that lost a race); a store that is down is 503; damaged
/// data, and a kind this service does not know yet, 500.
///
/// ```
/// use shenpi_core::ErrorKind;
///
/// assert_eq!(shenpi_server::status_of(ErrorKind::Refused), 422);
/// assert_eq!(shenpi_server::status_of(ErrorKind::NotFound), 404);
/// ```
pub fn status_of(kind: ErrorKind) -> u16 {
    match kind {
        ErrorKind::Invalid
        | ErrorKind::Param
        | ErrorKind::InvalidOption
        | ErrorKind::OutOfRange
        | ErrorKind::Calendar
        | ErrorKind::CalendarNeeded
        | ErrorKind::Refused
        | ErrorKind::InFuture => 422,
        ErrorKind::NotFound => 404,
        ErrorKind::Conflict | ErrorKind::Exists => 409,
        ErrorKind::Store => 503,
        // `io` (the service reads no files, so never the caller's doing),
        // `corrupt`, and kinds added to the library after this service.
        _ => 500,
    }
}

impl Problem {
    fn with(status: u16, code: &str, detail: String) -> Problem {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        Problem {
            kind: format!("urn:shenpi:problem:{code}"),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail,
            code: code.to_string(),
            diagnostics: None,
            refusal: None,
            sequence: None,
            index: None,
        }
    }

    /// A problem about HTTP itself, with one of the service's own codes.
    pub fn service(code: ServiceCode, detail: impl Into<String>) -> Problem {
        Problem::with(code.status(), code.code(), detail.into())
    }

    /// A problem the library's error kinds describe, found by the service
    /// before the library was asked: the kind's code and status.
    pub fn library(kind: ErrorKind, detail: impl Into<String>) -> Problem {
        Problem::with(status_of(kind), kind.code(), detail.into())
    }

    /// 400: the request itself is malformed (JSON, query, header).
    pub fn bad_request(detail: impl Into<String>) -> Problem {
        Problem::service(ServiceCode::BadRequest, detail)
    }

    /// 404 for a path, a calendar or a project the caller cannot see.
    pub fn not_found(detail: impl Into<String>) -> Problem {
        Problem::library(ErrorKind::NotFound, detail)
    }

    /// 503: the server gave up on the request; its outcome is unknown.
    pub fn timeout(limit: std::time::Duration) -> Problem {
        Problem::service(
            ServiceCode::Timeout,
            format!(
                "the request took longer than {} s and was abandoned; its outcome is unknown: \
                 retry it with the same Idempotency-Key",
                limit.as_secs_f64()
            ),
        )
    }

    /// 500 for what should never happen (a task that panicked); says so plainly.
    pub fn internal(detail: impl Into<String>) -> Problem {
        Problem::service(ServiceCode::Internal, detail)
    }

    /// The same problem at the `index`th item of a list.
    pub fn at_index(mut self, index: usize) -> Problem {
        self.index = Some(index);
        self.detail = format!("event {index}: {}", self.detail);
        self
    }

    /// The same problem, its detail prefixed with the request field it is about.
    pub fn in_field(mut self, field: &str) -> Problem {
        self.detail = format!("`{field}`: {}", self.detail);
        self
    }
}

impl From<Error> for Problem {
    fn from(e: Error) -> Problem {
        let mut p = Problem::library(e.kind(), e.to_string());
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_library_kind_has_a_deliberate_status() {
        let want = [
            (ErrorKind::Io, 500),
            (ErrorKind::Invalid, 422),
            (ErrorKind::Param, 422),
            (ErrorKind::InvalidOption, 422),
            (ErrorKind::OutOfRange, 422),
            (ErrorKind::Calendar, 422),
            (ErrorKind::CalendarNeeded, 422),
            (ErrorKind::Refused, 422),
            (ErrorKind::InFuture, 422),
            (ErrorKind::Conflict, 409),
            (ErrorKind::NotFound, 404),
            (ErrorKind::Exists, 409),
            (ErrorKind::Store, 503),
            (ErrorKind::Corrupt, 500),
        ];
        // A kind added to the library needs a line here, and a status above.
        assert_eq!(want.len(), ErrorKind::ALL.len());
        for (kind, status) in want {
            assert_eq!(status_of(kind), status, "{kind}");
        }
    }

    #[test]
    fn the_service_codes_are_not_library_codes() {
        for code in ServiceCode::ALL {
            assert!(ErrorKind::from_code(code.code()).is_none(), "`{}` is the library's", code.code());
        }
    }

    #[test]
    fn docs_serve_md_lists_every_code() {
        let docs = include_str!("../../../docs/serve.md");
        let codes = ErrorKind::ALL.iter().map(|k| k.code()).chain(ServiceCode::ALL.iter().map(|c| c.code()));
        for code in codes {
            assert!(docs.contains(&format!("`{code}`")), "docs/serve.md lists `{code}`");
        }
    }

    #[test]
    fn a_library_error_keeps_its_code() {
        let p = Problem::from(shenpi_core::Error::conflict("P", 3, 4));
        assert_eq!(
            (p.status, p.code.as_str(), p.kind.as_str()),
            (409, "conflict", "urn:shenpi:problem:conflict")
        );
    }
}
