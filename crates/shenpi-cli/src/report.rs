//! `shenpi report`: efficiency statistics (效能统计) of a store over a period,
//! read from its projections. docs/statistics.md defines every figure.
//!
//! Exit codes: 0 ok; 2 usage (a period that ends before it starts), I/O or
//! store error.

use std::io::{self, Write};
use std::path::PathBuf;

use shenpi_core::calendar::parse_date;
use shenpi_core::runtime::{By, Statistics, StatsRow, statistics};

use crate::common::{Failure, RegionArg, printable};
use crate::project_table::columns;

/// Arguments of `shenpi report`.
#[derive(clap::Args)]
pub struct Args {
    /// The store file (SQLite), as for `shenpi project`
    #[arg(long, value_name = "PATH", env = "SHENPI_DB", default_value = "shenpi.db")]
    db: PathBuf,
    /// The first day counted, YYYY-MM-DD
    #[arg(long)]
    from: String,
    /// The last day counted, YYYY-MM-DD; items overdue are counted as of it
    #[arg(long)]
    to: String,
    /// One row per department, window (一窗受理), agent (代办员), flow or month
    #[arg(long, value_enum, default_value_t)]
    by: ByArg,
    #[command(flatten)]
    region: RegionArg,
    /// `table` for a person, `json` for tools, `csv` for a spreadsheet, `svg` for a picture:
    /// on-time rate and average days against promise by department, and a line by month
    /// (`--by` is not used)
    #[arg(long, value_enum, default_value_t)]
    format: ReportFormat,
}

/// What the rows are grouped by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ByArg {
    /// Per department.
    #[default]
    Dept,
    /// Per window (一窗受理) that accepted the item.
    Window,
    /// Per agent (代办员) of the project.
    Agent,
    /// Per flow.
    Flow,
    /// Per calendar month.
    Month,
}

/// How the statistics are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// For a person.
    #[default]
    Table,
    /// For other tools: `{"from", "to", "by", "region", "rows"}`.
    Json,
    /// One line per row, a header first.
    Csv,
    /// A self-contained SVG picture.
    Svg,
}

impl Args {
    /// The format failures are reported in: JSON when asked for, else for a person.
    pub fn format(&self) -> crate::Format {
        match self.format {
            ReportFormat::Json => crate::Format::Json,
            ReportFormat::Table | ReportFormat::Csv | ReportFormat::Svg => crate::Format::Table,
        }
    }
}

/// Runs `shenpi report`.
pub fn run(args: Args) -> Result<(), Failure> {
    let date = |t: &str| parse_date(t).map_err(|e| Failure::usage(e.to_string()));
    let (from, to) = (date(&args.from)?, date(&args.to)?);
    let by = match args.by {
        ByArg::Dept => By::Dept,
        ByArg::Window => By::Window,
        ByArg::Agent => By::Agent,
        ByArg::Flow => By::Flow,
        ByArg::Month => By::Month,
    };
    let region = args.region.prefix()?;
    let store = crate::project::reader(&args.db)?;
    let stats =
        statistics(&store, from, to, if args.format == ReportFormat::Svg { By::Dept } else { by }, region)?;
    let mut out = Vec::new();
    match args.format {
        ReportFormat::Svg => {
            let months = statistics(&store, from, to, By::Month, region)?;
            out.extend_from_slice(shenpi_core::render::statistics_svg(&stats, &months).as_bytes());
        }
        ReportFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &stats).map_err(io::Error::other)?;
            writeln!(out)?;
        }
        ReportFormat::Csv => csv(&mut out, &stats)?,
        ReportFormat::Table => table(&mut out, &stats)?,
    }
    io::stdout().lock().write_all(&out)?;
    Ok(())
}

/// The columns: header, then how a row fills it.
const HEADER: [&str; 24] = [
    "key",
    "received",
    "accepted",
    "decided",
    "on_time",
    "on_time_rate",
    "avg_used",
    "avg_promised",
    "avg_legal",
    "speed_up",
    "speed_up_mean",
    "overdue_now",
    "incomplete",
    "incomplete_failed",
    "supplements",
    "repeat_supplements",
    "extensions",
    "deemed_approved",
    "member_opinions",
    "members_late",
    "members_late_rate",
    "supervised",
    "answered_late",
    "deemed_accepted",
];

fn cells(
    r: &StatsRow,
    rate: impl Fn(Option<f64>) -> String,
    avg: impl Fn(Option<f64>) -> String,
) -> [String; 24] {
    let c = &r.counts;
    [
        r.key.clone(),
        c.received.to_string(),
        c.accepted.to_string(),
        c.decided.to_string(),
        c.on_time.to_string(),
        rate(r.on_time_rate),
        avg(r.avg_used),
        avg(r.avg_promised),
        avg(r.avg_legal),
        rate(r.speed_up),
        rate(r.speed_up_mean),
        r.overdue_now.to_string(),
        c.incomplete.to_string(),
        c.incomplete_failed.to_string(),
        c.supplements.to_string(),
        c.repeat_supplements.to_string(),
        c.extensions.to_string(),
        c.deemed_approved.to_string(),
        c.member_opinions.to_string(),
        c.members_late.to_string(),
        rate(r.members_late_rate),
        c.supervised.to_string(),
        c.answered_late.to_string(),
        c.deemed_accepted.to_string(),
    ]
}

/// A CSV field: quoted when it holds a comma, a quote or a line break.
fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

fn csv(out: &mut Vec<u8>, s: &Statistics) -> io::Result<()> {
    writeln!(out, "{}", HEADER.join(","))?;
    let blank = |x: Option<f64>| x.map_or(String::new(), |x| format!("{x:.4}"));
    for r in &s.rows {
        let line: Vec<String> = cells(r, blank, blank).iter().map(|c| field(c)).collect();
        writeln!(out, "{}", line.join(","))?;
    }
    Ok(())
}

fn table(out: &mut Vec<u8>, s: &Statistics) -> io::Result<()> {
    let within =
        if s.region.is_empty() { String::new() } else { format!(" in region {}", printable(&s.region)) };
    writeln!(out, "statistics from {} to {} by {}{within}: {} row(s)", s.from, s.to, s.by, s.rows.len())?;
    let pct = |x: Option<f64>| x.map_or("-".to_string(), |x| format!("{:.1}%", x * 100.0));
    let avg = |x: Option<f64>| x.map_or("-".to_string(), |x| format!("{x:.1}"));
    let head: [String; 24] = [
        s.by.as_str(),
        "收件",
        "受理",
        "办结",
        "按时",
        "按时办结率",
        "平均用时",
        "平均承诺",
        "平均法定",
        "提速率",
        "逐件提速率",
        "超期",
        "容缺",
        "容缺未补",
        "补正",
        "重复补正",
        "延期",
        "视为批准",
        "会审意见",
        "会审超时",
        "会审超时率",
        "督办",
        "逾期答复",
        "视为受理",
    ]
    .map(str::to_string);
    let mut rows = vec![head];
    rows.extend(s.rows.iter().map(|r| {
        let mut c = cells(r, pct, avg);
        c[0] = printable(&c[0]).into_owned();
        c
    }));
    for line in columns(&rows, |i| i > 0) {
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}
