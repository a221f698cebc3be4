//! The one public error type of `shenpi-core`, and its kinds with stable codes.

use std::fmt;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Serialize;

use crate::calendar::{CalendarError, LoadError};
use crate::diag::Report;
use crate::runtime::Refusal;

/// Anything that can go wrong in shenpi-core.
///
/// Branch on [`Error::kind`]; its [`ErrorKind::code`] is a stable text for
/// other programs (the HTTP service sends it). The message ([`fmt::Display`])
/// is for a person and may be reworded.
///
/// ```
/// use shenpi_core::{ErrorKind, Params};
///
/// let err = Params::bind(&[], [("energy_tce", "1500")]).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::Param);
/// assert_eq!(err.kind().code(), "param");
/// ```
#[derive(Debug)]
pub struct Error {
    kind: Kind,
}

/// What kind of failure an [`Error`] is: what callers branch on.
///
/// Each kind has a stable kebab-case [`code`](ErrorKind::code), the same in
/// every release; new kinds may be added (the enum is `#[non_exhaustive]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// A file could not be read or written (`io`).
    Io,
    /// An input file (a flow or a calendar file) has errors; [`Error::report`] has them all (`invalid`).
    Invalid,
    /// A project param is unknown, given twice or of the wrong type, or a project id is empty (`param`).
    Param,
    /// An option out of its range, such as a simulation of zero runs (`invalid-option`).
    InvalidOption,
    /// A date, or the result of counting, outside the years the calendar covers (`out-of-range`).
    OutOfRange,
    /// Any other working-day question the calendar could not answer: a bad
    /// date, clock stops that overlap, a calendar that cannot be built (`calendar`).
    Calendar,
    /// The flow counts its days on a calendar file, which the caller must read
    /// and hand in: the runtime reads no files (`calendar-needed`).
    CalendarNeeded,
    /// An event the project's state does not allow; [`Error::refusal`] says why (`refused`).
    Refused,
    /// A date after today, where only today or earlier makes sense (`in-future`).
    InFuture,
    /// A stale writer: someone else appended first; reload and retry (`conflict`).
    Conflict,
    /// No project with this id is stored (`not-found`).
    NotFound,
    /// A project with this id is already stored (`exists`).
    Exists,
    /// A store's backend failed: disk full, locked too long, unreachable (`store`).
    Store,
    /// Stored data is damaged or belongs to another program (`corrupt`).
    Corrupt,
}

impl ErrorKind {
    /// Every kind, in the order of their declaration.
    pub const ALL: [ErrorKind; 14] = [
        ErrorKind::Io,
        ErrorKind::Invalid,
        ErrorKind::Param,
        ErrorKind::InvalidOption,
        ErrorKind::OutOfRange,
        ErrorKind::Calendar,
        ErrorKind::CalendarNeeded,
        ErrorKind::Refused,
        ErrorKind::InFuture,
        ErrorKind::Conflict,
        ErrorKind::NotFound,
        ErrorKind::Exists,
        ErrorKind::Store,
        ErrorKind::Corrupt,
    ];

    /// The stable kebab-case code of the kind, e.g. `not-found`.
    ///
    /// ```
    /// assert_eq!(shenpi_core::ErrorKind::OutOfRange.code(), "out-of-range");
    /// ```
    pub const fn code(self) -> &'static str {
        match self {
            ErrorKind::Io => "io",
            ErrorKind::Invalid => "invalid",
            ErrorKind::Param => "param",
            ErrorKind::InvalidOption => "invalid-option",
            ErrorKind::OutOfRange => "out-of-range",
            ErrorKind::Calendar => "calendar",
            ErrorKind::CalendarNeeded => "calendar-needed",
            ErrorKind::Refused => "refused",
            ErrorKind::InFuture => "in-future",
            ErrorKind::Conflict => "conflict",
            ErrorKind::NotFound => "not-found",
            ErrorKind::Exists => "exists",
            ErrorKind::Store => "store",
            ErrorKind::Corrupt => "corrupt",
        }
    }

    /// The kind whose [`code`](ErrorKind::code) is `code`, if any.
    pub fn from_code(code: &str) -> Option<ErrorKind> {
        ErrorKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Debug)]
enum Kind {
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    Invalid(Box<Report>),
    Param(String),
    Calendar(CalendarError),
    CalendarFile(LoadError),
    Refused(Box<Refusal>),
    InFuture {
        date: NaiveDate,
        today: NaiveDate,
    },
    Conflict {
        project: String,
        expected: u64,
        actual: u64,
    },
    NotFound(String),
    Exists(String),
    Store {
        message: String,
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    Corrupt(String),
    /// The flow counts on the calendar file `calendar`; the caller must read it
    /// and call `then` (for `project`, when one is stored already).
    CalendarNeeded {
        flow: String,
        calendar: String,
        project: Option<String>,
        then: &'static str,
    },
    /// An option out of its range: `name` is `value`, `allowed` says what may be.
    InvalidOption {
        name: &'static str,
        value: String,
        allowed: String,
    },
}

impl Error {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Error {
        Error { kind: Kind::Io { path: path.to_path_buf(), source } }
    }

    pub(crate) fn invalid(report: Report) -> Error {
        Error { kind: Kind::Invalid(Box::new(report)) }
    }

    pub(crate) fn param(message: String) -> Error {
        Error { kind: Kind::Param(message) }
    }

    /// An event the project's state does not allow; [`Error::refusal`] says why. Nothing was written.
    pub fn refused(refusal: Refusal) -> Error {
        Error { kind: Kind::Refused(Box::new(refusal)) }
    }

    /// A date after today where only today or earlier makes sense (the engine
    /// records what it owes up to today, never ahead).
    pub(crate) fn future(date: NaiveDate, today: NaiveDate) -> Error {
        Error { kind: Kind::InFuture { date, today } }
    }

    /// A date after today, where only today or earlier makes sense.
    pub fn is_in_future(&self) -> bool {
        matches!(self.kind, Kind::InFuture { .. })
            || self
                .refusal()
                .is_some_and(|r| matches!(r.reason, crate::runtime::RefusalReason::InFuture { .. }))
    }

    /// A stale writer: the log of `project` holds `actual` events, the append expected `expected`.
    pub fn conflict(project: &str, expected: u64, actual: u64) -> Error {
        Error { kind: Kind::Conflict { project: project.to_string(), expected, actual } }
    }

    /// No project with this id is stored.
    pub fn not_found(project: &str) -> Error {
        Error { kind: Kind::NotFound(project.to_string()) }
    }

    /// A project with this id is already stored.
    pub fn exists(project: &str) -> Error {
        Error { kind: Kind::Exists(project.to_string()) }
    }

    /// A store's backend failed (disk full, locked too long, …); for `Store` implementations.
    pub fn store(
        message: impl Into<String>,
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Error {
        Error { kind: Kind::Store { message: message.into(), source } }
    }

    /// A store file is damaged or belongs to another program; for `Store` implementations.
    pub fn corrupt(message: impl Into<String>) -> Error {
        Error { kind: Kind::Corrupt(message.into()) }
    }

    /// Flow `flow` counts on the calendar file `calendar`, which the caller
    /// must read and hand to `then`; `project` when one is stored already.
    pub(crate) fn calendar_needed(
        flow: &str,
        calendar: &str,
        project: Option<&str>,
        then: &'static str,
    ) -> Error {
        Error {
            kind: Kind::CalendarNeeded {
                flow: flow.to_string(),
                calendar: calendar.to_string(),
                project: project.map(str::to_string),
                then,
            },
        }
    }

    /// What kind of failure this is: branch on it rather than on the message.
    ///
    /// An unreadable calendar file is [`ErrorKind::Io`] and one with errors
    /// [`ErrorKind::Invalid`], as for a flow file.
    pub fn kind(&self) -> ErrorKind {
        match &self.kind {
            Kind::Io { .. } => ErrorKind::Io,
            Kind::Invalid(_) => ErrorKind::Invalid,
            Kind::Param(_) => ErrorKind::Param,
            Kind::InvalidOption { .. } => ErrorKind::InvalidOption,
            Kind::Calendar(e) if e.is_out_of_range() => ErrorKind::OutOfRange,
            Kind::Calendar(_) => ErrorKind::Calendar,
            Kind::CalendarFile(e) if e.is_io() => ErrorKind::Io,
            Kind::CalendarFile(_) => ErrorKind::Invalid,
            Kind::CalendarNeeded { .. } => ErrorKind::CalendarNeeded,
            Kind::Refused(_) => ErrorKind::Refused,
            Kind::InFuture { .. } => ErrorKind::InFuture,
            Kind::Conflict { .. } => ErrorKind::Conflict,
            Kind::NotFound(_) => ErrorKind::NotFound,
            Kind::Exists(_) => ErrorKind::Exists,
            Kind::Store { .. } => ErrorKind::Store,
            Kind::Corrupt(_) => ErrorKind::Corrupt,
        }
    }

    /// The stable code of [`Error::kind`], e.g. `refused`.
    pub fn code(&self) -> &'static str {
        self.kind().code()
    }

    /// An event was refused because the state does not allow it.
    pub fn is_refused(&self) -> bool {
        matches!(self.kind, Kind::Refused(_))
    }

    /// An append expected another sequence number: someone else wrote first. Reload and retry.
    pub fn is_conflict(&self) -> bool {
        matches!(self.kind, Kind::Conflict { .. })
    }

    /// The project does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(self.kind, Kind::NotFound(_))
    }

    /// The project already exists.
    pub fn is_exists(&self) -> bool {
        matches!(self.kind, Kind::Exists(_))
    }

    /// A store backend failed.
    pub fn is_store(&self) -> bool {
        matches!(self.kind, Kind::Store { .. })
    }

    /// A store file is damaged or not a shenpi store.
    pub fn is_corrupt(&self) -> bool {
        matches!(self.kind, Kind::Corrupt(_))
    }

    pub(crate) fn invalid_option(name: &'static str, value: String, allowed: String) -> Error {
        Error { kind: Kind::InvalidOption { name, value, allowed } }
    }

    /// A file could not be read or written: [`ErrorKind::Io`].
    pub fn is_io(&self) -> bool {
        self.kind() == ErrorKind::Io
    }

    /// An input file (flow, calendar) has errors; [`Error::report`] has them all: [`ErrorKind::Invalid`].
    pub fn is_invalid(&self) -> bool {
        self.kind() == ErrorKind::Invalid
    }

    /// A project param is unknown or of the wrong type.
    pub fn is_param(&self) -> bool {
        matches!(self.kind, Kind::Param(_))
    }

    /// A date outside the years a calendar has data for.
    pub fn is_out_of_range(&self) -> bool {
        matches!(&self.kind, Kind::Calendar(e) if e.is_out_of_range())
    }

    /// Anything about calendars: a working-day question the calendar could not
    /// answer, a calendar file that could not be loaded, or one the caller must hand in.
    pub fn is_calendar(&self) -> bool {
        matches!(self.kind, Kind::Calendar(_) | Kind::CalendarFile(_) | Kind::CalendarNeeded { .. })
    }

    /// An option is out of its range, such as a simulation of zero runs.
    pub fn is_invalid_option(&self) -> bool {
        matches!(self.kind, Kind::InvalidOption { .. })
    }

    /// Why an event was refused, when it was.
    pub fn refusal(&self) -> Option<&Refusal> {
        match &self.kind {
            Kind::Refused(r) => Some(r),
            _ => None,
        }
    }

    /// The diagnostics, when an input file is invalid.
    pub fn report(&self) -> Option<&Report> {
        match &self.kind {
            Kind::Invalid(r) => Some(r),
            Kind::CalendarFile(e) => e.report(),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Io { path, source } => write!(f, "cannot read `{}`: {source}", path.display()),
            Kind::Invalid(r) => {
                let n = r.diagnostics().iter().filter(|d| d.is_error()).count();
                write!(f, "`{}` is invalid ({n} error{})", r.source().name(), if n == 1 { "" } else { "s" })
            }
            Kind::Param(m) => f.write_str(m),
            Kind::Calendar(e) => write!(f, "{e}"),
            Kind::CalendarFile(e) => write!(f, "{e}"),
            Kind::Refused(r) => write!(f, "{r}"),
            Kind::Corrupt(m) => f.write_str(m),
            Kind::CalendarNeeded { flow, calendar, project: None, then } => write!(
                f,
                "flow `{flow}` counts its days on the calendar file `{calendar}`, and the runtime reads no \
                 files: read the file and pass it to `{then}`"
            ),
            Kind::CalendarNeeded { flow, calendar, project: Some(p), then } => write!(
                f,
                "project `{p}` was stored before calendar files were pinned, and its flow `{flow}` names \
                 the calendar file `{calendar}`: read that file and pass it to `{then}`"
            ),
            Kind::InFuture { date, today } => {
                write!(
                    f,
                    "{date} is after today ({today}): the engine records what it owes up to today, never ahead"
                )
            }
            Kind::Conflict { project, expected, actual } => write!(
                f,
                "project `{project}` has {actual} events but the append expected {expected}: \
                 someone else wrote first; reload the project and try again"
            ),
            Kind::NotFound(p) => write!(f, "no project `{p}` in the store"),
            Kind::Exists(p) => write!(f, "project `{p}` already exists"),
            Kind::Store { message, .. } => f.write_str(message),
            Kind::InvalidOption { name, value, allowed } => {
                write!(f, "`{name}` is {value}; allowed: {allowed}")
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            Kind::Io { source, .. } => Some(source),
            Kind::Calendar(e) => Some(e),
            Kind::CalendarFile(e) => Some(e),
            Kind::Store { source: Some(s), .. } => Some(s.as_ref()),
            _ => None,
        }
    }
}

impl From<CalendarError> for Error {
    fn from(e: CalendarError) -> Error {
        Error { kind: Kind::Calendar(e) }
    }
}

impl From<LoadError> for Error {
    fn from(e: LoadError) -> Error {
        Error { kind: Kind::CalendarFile(e) }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::calendar::{Calendar, parse_date};
    use crate::model::Params;

    #[test]
    fn codes_are_unique_kebab_case_and_read_back() {
        let codes: BTreeSet<&str> = ErrorKind::ALL.iter().map(|k| k.code()).collect();
        assert_eq!(codes.len(), ErrorKind::ALL.len());
        for kind in ErrorKind::ALL {
            let code = kind.code();
            assert!(code.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'), "{code}");
            assert_eq!(ErrorKind::from_code(code), Some(kind));
            assert_eq!(kind.to_string(), code);
            assert_eq!(serde_json::to_value(kind).expect("serializes"), serde_json::json!(code));
        }
        assert_eq!(ErrorKind::from_code("nope"), None);
    }

    #[test]
    fn each_failure_has_its_kind() {
        let param = Params::bind(&[], [("x", "1")]).expect_err("unknown param");
        assert_eq!((param.kind(), param.code()), (ErrorKind::Param, "param"));

        let far = parse_date("1900-01-02").expect("a date");
        let out = Error::from(Calendar::cn().add_working_days(far, 1).expect_err("before the data"));
        assert_eq!(out.kind(), ErrorKind::OutOfRange);
        assert!(out.is_out_of_range() && out.is_calendar());

        let missing = std::env::temp_dir().join("shenpi-no-such-calendar.yaml");
        let io = Error::from(Calendar::load(&missing).expect_err("missing"));
        assert_eq!(io.kind(), ErrorKind::Io);
        assert!(io.is_io() && io.is_calendar() && io.report().is_none());

        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("bad.yaml");
        std::fs::write(&path, "base: mars\n").expect("writes");
        let invalid = Error::from(Calendar::load(&path).expect_err("invalid"));
        assert_eq!(invalid.kind(), ErrorKind::Invalid);
        assert!(invalid.report().is_some_and(|r| r.diagnostics().iter().any(|d| d.is_error())));

        assert_eq!(Error::conflict("P", 1, 2).kind(), ErrorKind::Conflict);
        assert_eq!(Error::not_found("P").kind(), ErrorKind::NotFound);
        assert_eq!(Error::exists("P").kind(), ErrorKind::Exists);
        assert_eq!(Error::store("disk full", None).kind(), ErrorKind::Store);
        assert_eq!(Error::corrupt("damaged").kind(), ErrorKind::Corrupt);
        let needed = Error::calendar_needed("f", "county.yaml", None, "Project::start_on");
        assert_eq!(needed.kind(), ErrorKind::CalendarNeeded);
        assert!(needed.to_string().contains("`county.yaml`") && needed.is_calendar());
        let today = parse_date("2025-03-03").expect("a date");
        let future = Error::future(parse_date("2025-03-04").expect("a date"), today);
        assert_eq!(future.kind(), ErrorKind::InFuture);
        let option = Error::invalid_option("runs", "0".into(), "1 to 10".into());
        assert_eq!(option.kind(), ErrorKind::InvalidOption);
    }
}
