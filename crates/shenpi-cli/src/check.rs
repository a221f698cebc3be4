//! `shenpi check FLOW...`: validate flow files.

use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;
use shenpi_core::diag::{Located, Report};
use shenpi_core::{Flow, FlowGraph, Plan};

use crate::{Format, Outcome};

/// Arguments of `shenpi check`.
#[derive(clap::Args)]
pub struct Args {
    /// Flow files to check.
    #[arg(required = true, value_name = "FLOW")]
    flows: Vec<PathBuf>,
    /// `table` prints diagnostics like rustc on stderr; `json` prints them on stdout.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

#[derive(Serialize)]
struct FileResult<'a> {
    file: String,
    valid: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    io_error: Option<String>,
    diagnostics: Vec<Located<'a>>,
}

pub fn run(args: Args) -> io::Result<Outcome> {
    let mut worst = Outcome::Ok;
    let mut loaded = Vec::new();
    for path in &args.flows {
        let name = path.display().to_string();
        let result = match std::fs::read(path) {
            Ok(bytes) => Ok(Flow::parse_bytes(&name, &bytes)),
            Err(e) => Err(format!("cannot read `{name}`: {e}")),
        };
        loaded.push((name, result));
    }
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let mut err = io::stderr().lock();
    let mut reports: Vec<Option<Report>> = Vec::new();
    let mut json = Vec::new();
    for (name, result) in &loaded {
        match result {
            Err(e) => {
                worst = worst.max(Outcome::Failed);
                match args.format {
                    Format::Table => writeln!(err, "error: {e}")?,
                    Format::Json => json.push(FileResult {
                        file: name.clone(),
                        valid: false,
                        io_error: Some(e.clone()),
                        diagnostics: Vec::new(),
                    }),
                }
            }
            Ok(Ok(flow)) => {
                let warnings = budget_warnings(flow);
                match args.format {
                    Format::Table => {
                        if let Some(w) = &warnings {
                            write!(err, "{}", w.render())?;
                        }
                        writeln!(
                            out,
                            "{name}: ok ({} steps in {} stages{}{})",
                            flow.steps.len(),
                            flow.stages.len(),
                            flow.budget.map_or(String::new(), |b| format!(", budget {b} working days")),
                            warnings.as_ref().map_or(String::new(), |w| {
                                let n = w.diagnostics().len();
                                format!(", {n} warning{}", if n == 1 { "" } else { "s" })
                            })
                        )?
                    }
                    Format::Json => {
                        reports.push(warnings);
                        json.push(FileResult {
                            file: name.clone(),
                            valid: true,
                            io_error: None,
                            diagnostics: Vec::new(),
                        })
                    }
                }
            }
            Ok(Err(report)) => {
                worst = worst.max(Outcome::Invalid);
                match args.format {
                    Format::Table => {
                        write!(err, "{}", report.render())?;
                        let n = report.diagnostics().iter().filter(|d| d.is_error()).count();
                        writeln!(err, "{name}: {n} error{}\n", if n == 1 { "" } else { "s" })?;
                    }
                    Format::Json => json.push(FileResult {
                        file: name.clone(),
                        valid: false,
                        io_error: None,
                        diagnostics: report.located(),
                    }),
                }
            }
        }
    }
    if args.format == Format::Json {
        // Warnings are attached once every report is built: `Located` borrows them.
        let mut valid = json.iter_mut().filter(|r| r.valid);
        for (result, report) in valid.by_ref().zip(&reports) {
            if let Some(r) = report {
                result.diagnostics = r.located();
            }
        }
        serde_json::to_writer_pretty(&mut out, &json)?;
        writeln!(out)?;
    }
    Ok(worst)
}

/// `E013` warnings for a flow or stage whose counted critical path, with
/// default params, exceeds its budget; `None` when everything fits.
fn budget_warnings(flow: &Flow) -> Option<Report> {
    let graph = FlowGraph::new(Arc::new(flow.clone()), flow.defaults()).ok()?;
    let diags = Plan::new(graph).budget_diagnostics();
    (!diags.is_empty()).then(|| Report::new(flow.source().clone(), diags))
}
