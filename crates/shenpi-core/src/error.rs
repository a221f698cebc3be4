//! The one public error type of `shenpi-core`.

use std::fmt;
use std::path::{Path, PathBuf};

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
    Simulation(String),
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

    pub(crate) fn simulation(message: String) -> Error {
        Error { kind: Kind::Simulation(message) }
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

    /// A flow changed after loading has steps that wait for each other in a circle.
    pub fn is_cycle(&self) -> bool {
        matches!(self.kind, Kind::Cycle(_))
    }

    /// Simulation options or a step's duration model cannot be used (zero runs, a
    /// probability outside 0 to 1, a model out of order, changed after loading).
    pub fn is_simulation(&self) -> bool {
        matches!(self.kind, Kind::Simulation(_))
    }

    /// The diagnostics, when an input file is invalid.
    pub fn report(&self) -> Option<&Report> {
        match &self.kind {
            Kind::Invalid(r) => Some(r),
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
            Kind::Simulation(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            Kind::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}
