//! The one public error type of `shenpi-core`.

use std::fmt;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::calendar::{CalendarError, LoadError};
use crate::diag::Report;
use crate::runtime::Refusal;

/// Anything that can go wrong in shenpi-core. Ask what it is with the `is_*` methods.
#[derive(Debug)]
pub struct Error {
    kind: Kind,
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
    /// A calendar question about a running project, already worded.
    CalendarUse(String),
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

    pub(crate) fn calendar(message: impl Into<String>) -> Error {
        Error { kind: Kind::CalendarUse(message.into()) }
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

    /// A file could not be read or written.
    pub fn is_io(&self) -> bool {
        matches!(self.kind, Kind::Io { .. })
    }

    /// An input file (flow, calendar) has errors; [`Error::report`] has them all.
    pub fn is_invalid(&self) -> bool {
        matches!(self.kind, Kind::Invalid(_))
    }

    /// A project param is unknown or of the wrong type.
    pub fn is_param(&self) -> bool {
        matches!(self.kind, Kind::Param(_))
    }

    /// A date outside the years a calendar has data for.
    pub fn is_out_of_range(&self) -> bool {
        matches!(&self.kind, Kind::Calendar(e) if e.is_out_of_range())
    }

    /// A working-day question the calendar could not answer, or a calendar file that could not be loaded.
    pub fn is_calendar(&self) -> bool {
        matches!(self.kind, Kind::Calendar(_) | Kind::CalendarFile(_) | Kind::CalendarUse(_))
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
            Kind::Corrupt(m) | Kind::CalendarUse(m) => f.write_str(m),
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
