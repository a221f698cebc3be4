//! `shenpi check FLOW...`: validate flow files.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;
use shenpi_core::diag::{Located, Report};
use shenpi_core::{Calendar, ErrorKind, Flow, FlowGraph, Plan};

use crate::common::{Cause, Failure, OUTSIDE_HELP, ReachArg, printable_lines};
use crate::{Format, exit_code};

/// Arguments of `shenpi check`.
#[derive(clap::Args)]
pub struct Args {
    /// Flow files to check.
    #[arg(required = true, value_name = "FLOW")]
    flows: Vec<PathBuf>,
    /// `table` prints diagnostics like rustc on stderr; `json` prints them on stdout.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    #[command(flatten)]
    reach: ReachArg,
}

/// What checking one file found.
enum Verdict {
    /// Valid, perhaps with warnings (a flow or stage over its budget).
    Valid(Arc<Flow>, Option<Report>),
    Invalid(Report),
    /// The flow is valid but its `calendar:` cannot be used: a file with
    /// errors, or one that cannot be read.
    BadCalendar(String),
    Unreadable(String),
}

impl Verdict {
    /// What failed, if anything.
    fn failure(&self) -> Option<ErrorKind> {
        match self {
            Verdict::Valid(..) => None,
            Verdict::Invalid(_) => Some(ErrorKind::Invalid),
            Verdict::BadCalendar(_) => Some(ErrorKind::Invalid),
            Verdict::Unreadable(_) => Some(ErrorKind::Io),
        }
    }
}

fn check(path: &Path, reach: ReachArg) -> Verdict {
    let name = path.display().to_string();
    let bytes = match shenpi_core::limits::read_file(path) {
        Ok(b) => b,
        Err(e) => return Verdict::Unreadable(format!("cannot read `{name}`: {e}")),
    };
    // The flow takes over the bytes, and the budget check shares the flow: neither is copied.
    match Flow::from_bytes(&name, bytes) {
        Err(report) => Verdict::Invalid(report),
        Ok(flow) => match Calendar::resolve_reaching(flow.calendar(), path.parent(), reach.reach()) {
            Ok(_) => {
                let flow = Arc::new(flow);
                let warnings = budget_warnings(&flow);
                Verdict::Valid(flow, warnings)
            }
            // A calendar the flow names that cannot be used makes the flow invalid, as in `common::flow_calendar`.
            Err(e) => {
                let help = if e.is_outside() { format!("\n{OUTSIDE_HELP}") } else { String::new() };
                Verdict::BadCalendar(format!("calendar `{}`: {e}{help}", flow.calendar().escape_debug()))
            }
        },
    }
}

#[derive(Serialize)]
struct FileResult<'a> {
    file: String,
    valid: bool,
    diagnostics: Vec<Located<'a>>,
}

impl Args {
    /// The output format asked for.
    pub fn format(&self) -> Format {
        self.format
    }
}

/// Checks every file, prints what it found, and fails with the worst file's
/// failure (by exit code) once all are printed.
///
/// With `--format json`, valid files give the array of per-file results; when
/// some file fails, stdout has the one `{"error": …}` object instead, with
/// every file's diagnostics (each names its file) and a message line per
/// failed file.
pub fn run(args: Args) -> Result<(), Failure> {
    let verdicts: Vec<(String, Verdict)> =
        args.flows.iter().map(|p| (p.display().to_string(), check(p, args.reach))).collect();
    let worst = verdicts.iter().filter_map(|(_, v)| v.failure()).max_by_key(|&k| exit_code(Cause::Error(k)));
    let result = match (worst, args.format) {
        (Some(kind), Format::Json) => Err(json_failure(kind, &verdicts)),
        (Some(kind), Format::Table) => {
            print(&args, &verdicts).map_err(Failure::from).and(Err(Failure::printed(kind)))
        }
        (None, _) => print(&args, &verdicts).map_err(Failure::from),
    };
    // The process ends next: freeing a large flow's steps one by one would
    // cost a tenth of the check, and the system takes the memory back anyway.
    std::mem::forget(verdicts);
    result
}

/// The failure `--format json` reports when some file fails: code `kind`,
/// one message line per failed file, every file's diagnostics.
fn json_failure(kind: ErrorKind, verdicts: &[(String, Verdict)]) -> Failure {
    let mut lines = Vec::new();
    let mut failure = Failure::new(Cause::Error(kind), "");
    for (name, v) in verdicts {
        match v {
            Verdict::Valid(_, warnings) => {
                if let Some(w) = warnings {
                    failure.reports.push(w.clone());
                }
            }
            Verdict::Invalid(r) => {
                let n = r.diagnostics().iter().filter(|d| d.is_error()).count();
                lines.push(format!("`{name}` is invalid ({n} error{})", if n == 1 { "" } else { "s" }));
                failure.reports.push(r.clone());
            }
            Verdict::BadCalendar(e) => lines.push(format!("{name}: {e}")),
            Verdict::Unreadable(e) => lines.push(e.clone()),
        }
    }
    failure.message = lines.join("\n");
    failure
}

fn print(args: &Args, verdicts: &[(String, Verdict)]) -> io::Result<()> {
    let mut out = io::stdout().lock();
    let mut err = io::stderr().lock();
    if args.format == Format::Json {
        let json: Vec<FileResult> = verdicts
            .iter()
            .map(|(name, v)| {
                // Only valid files reach here: when one fails, `run` reports the error object instead.
                let diagnostics = match v {
                    Verdict::Valid(_, Some(warnings)) => warnings.located(),
                    _ => Vec::new(),
                };
                FileResult { file: name.clone(), valid: v.failure().is_none(), diagnostics }
            })
            .collect();
        serde_json::to_writer_pretty(&mut out, &json)?;
        writeln!(out)?;
        return Ok(());
    }
    for (name, v) in verdicts {
        match v {
            Verdict::Valid(flow, warnings) => {
                if let Some(w) = warnings {
                    write!(err, "{}", printable_lines(w.render()))?;
                }
                writeln!(
                    out,
                    "{name}: ok ({} steps in {} stages{}{})",
                    flow.steps().len(),
                    flow.stages().len(),
                    flow.budget().map_or(String::new(), |b| format!(", budget {b} working days")),
                    warnings.as_ref().map_or(String::new(), |w| {
                        let n = w.diagnostics().len();
                        format!(", {n} warning{}", if n == 1 { "" } else { "s" })
                    })
                )?
            }
            Verdict::Invalid(report) => {
                write!(err, "{}", printable_lines(report.render()))?;
                let n = report.diagnostics().iter().filter(|d| d.is_error()).count();
                writeln!(err, "{name}: {n} error{}\n", if n == 1 { "" } else { "s" })?;
            }
            Verdict::BadCalendar(e) => writeln!(err, "error: {name}: {e}\n")?,
            Verdict::Unreadable(e) => writeln!(err, "error: {e}")?,
        }
    }
    Ok(())
}

/// `E013` warnings for a flow or stage whose counted critical path, with
/// default params, exceeds its budget; `None` when everything fits.
fn budget_warnings(flow: &Arc<Flow>) -> Option<Report> {
    // Only a budget is warned about: without one there is no plan to build.
    let budgeted = flow.budget().is_some()
        || !flow.budgets().is_empty()
        || flow.stages().iter().any(|s| s.budget().is_some());
    if !budgeted {
        return None;
    }
    let graph = FlowGraph::new(Arc::clone(flow), flow.defaults());
    let diags = Plan::new(graph).budget_diagnostics();
    (!diags.is_empty()).then(|| Report::new(flow.source().clone(), diags))
}
