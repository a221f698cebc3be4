//! The one public error type of `shenpi-core`.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::calendar::{CalendarError, LoadError};
use crate::diag::Report;

/// Anything that can go wrong in shenpi-core. Ask what it is with the `is_*` methods.
#[derive(Debug)]
pub struct Error {
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    Io { path: PathBuf, source: std::io::Error },
    Invalid(Box<Report>),
    Param(String),
    Cycle(String),
    Calendar(CalendarError),
    CalendarFile(LoadError),
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

    pub(crate) fn cycle(steps: String) -> Error {
        Error { kind: Kind::Cycle(steps) }
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
        matches!(self.kind, Kind::Calendar(_) | Kind::CalendarFile(_))
    }

    /// A flow changed after loading has steps that wait for each other in a circle.
    pub fn is_cycle(&self) -> bool {
        matches!(self.kind, Kind::Cycle(_))
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
            Kind::Cycle(s) => write!(f, "steps wait for each other in a circle: {s}"),
            Kind::Calendar(e) => write!(f, "{e}"),
            Kind::CalendarFile(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            Kind::Io { source, .. } => Some(source),
            Kind::Calendar(e) => Some(e),
            Kind::CalendarFile(e) => Some(e),
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
