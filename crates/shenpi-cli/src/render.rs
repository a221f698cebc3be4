//! `shenpi render FLOW`: the whole-process chart (全流程图), the Gantt chart,
//! Mermaid or DOT.

use std::io::{self, Write};
use std::path::PathBuf;

use chrono::NaiveDate;
use shenpi_core::Error;
use shenpi_core::render::{self, Facts, Gantt};
use shenpi_core::schedule::Plan;

use crate::common::{self, Failure, FlowArgs, Loaded};

/// Arguments of `shenpi render`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    flow: FlowArgs,
    /// What to draw.
    #[arg(long, value_enum)]
    format: Kind,
    /// First day of the project, for the Gantt chart's dates (YYYY-MM-DD); today in the calendar's zone when absent.
    #[arg(long, value_name = "DATE", value_parser = common::date)]
    start: Option<NaiveDate>,
    /// Write to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

/// `--format` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Kind {
    /// The whole-process flow chart, SVG.
    Svg,
    /// The Gantt chart on the calendar, SVG.
    GanttSvg,
    /// Mermaid `flowchart LR`, for Markdown.
    Mermaid,
    /// Graphviz DOT.
    Dot,
}

pub fn run(args: Args) -> Result<(), Failure> {
    let text = draw(&args)?;
    write_out(args.output.as_ref(), &text)
}

fn draw(args: &Args) -> Result<String, Failure> {
    let Loaded { graph, calendar } = args.flow.load()?;
    let plan = Plan::new(graph);
    let facts = Facts::from_plan(&plan);
    Ok(match args.format {
        Kind::Svg => render::flowchart_svg(plan.graph(), &facts),
        Kind::Mermaid => render::mermaid(plan.graph(), &facts),
        Kind::Dot => render::dot(plan.graph(), &facts),
        Kind::GanttSvg => {
            let start = args.start.unwrap_or_else(|| calendar.today());
            let dates = plan.dates(start, &calendar).map_err(Error::from)?;
            let gantt = Gantt::from_plan(&plan, &dates, &calendar).map_err(Error::from)?;
            render::gantt_svg(plan.graph(), &gantt, &calendar)
        }
    })
}

/// Writes `text` to `path` (see [`crate::output`]: a regular file is replaced
/// atomically, a link is followed, a device or FIFO is written in place), or
/// to standard output.
pub fn write_out(path: Option<&PathBuf>, text: &str) -> Result<(), Failure> {
    let Some(path) = path else {
        io::stdout().lock().write_all(text.as_bytes())?;
        return Ok(());
    };
    crate::output::write_file(path, text.as_bytes())
        .map_err(|e| Failure::usage(format!("cannot write `{}`: {e}", path.display())))
}
