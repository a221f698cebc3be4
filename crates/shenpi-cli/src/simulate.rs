//! `shenpi simulate FLOW`: how likely a project is to meet the budget.

use std::io::{self, IsTerminal, Write};

use chrono::NaiveDate;
use shenpi_core::graph::Mode;
use shenpi_core::model::TotalRule;
use shenpi_core::sim::{self, SimOptions, SimReport};
use shenpi_core::{Error, Flow};

use crate::Format;
use crate::common::{self, Failure, FlowArgs, Loaded, OptionArgs};

/// Runs from which a progress bar is shown (when stderr is a terminal).
const PROGRESS_FROM: u32 = 200_000;

/// Arguments of `shenpi simulate`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    flow: FlowArgs,
    /// Number of simulated projects.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..=i64::from(sim::MAX_RUNS)))]
    runs: u32,
    /// Seed: the same seed gives the same output, whatever the number of cores.
    #[arg(long, default_value_t = 2019)]
    seed: u64,
    /// Start date (YYYY-MM-DD), for finish dates on the flow's calendar; without it there are none.
    #[arg(long, value_name = "DATE", value_parser = common::date)]
    start: Option<NaiveDate>,
    /// `table` for a person, `json` for other tools.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    #[command(flatten)]
    options: OptionArgs,
}

impl Args {
    /// The output format asked for.
    pub fn format(&self) -> Format {
        self.format
    }
}

pub fn run(args: Args) -> Result<(), Failure> {
    let Loaded { graph, calendar } = args.flow.load_with(args.options.options())?;
    let options = SimOptions { runs: args.runs, seed: args.seed };
    let bar = (args.runs >= PROGRESS_FROM && io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new(u64::from(args.runs));
        if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} runs, {eta} left") {
            bar.set_style(style);
        }
        bar
    });
    let result = sim::simulate_with_progress(&graph, &options, &|k| {
        if let Some(bar) = &bar {
            bar.inc(k);
        }
    });
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let mut report = result?;
    if let Some(start) = args.start {
        report = match report.clone().with_dates(start, &calendar) {
            Ok(r) => r,
            // The figures stand on their own; dates need the calendar to cover them.
            Err(e) if e.is_out_of_range() => {
                writeln!(
                    io::stderr(),
                    "warning: the report has no finish dates: {e}\nhelp: `--beyond law` projects the holiday law (to 2100) and `--beyond weekends` counts only weekends past the calendar's data; or pick another `--start`"
                )?;
                report
            }
            Err(e) => return Err(Error::from(e).into()),
        };
    }
    let stdout = io::stdout();
    let mut out = stdout.lock();
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &report).map_err(io::Error::from)?;
            writeln!(out)?;
        }
        Format::Table => table(&mut out, graph.flow(), &report)?,
    }
    Ok(())
}

/// A share as a percentage; never rounds a share below 1 up to 100% or above 0 down to 0%.
fn percent(p: f64) -> String {
    let text = format!("{:.1}%", 100.0 * p);
    match text.as_str() {
        "100.0%" | "0.0%" if p > 0.0 && p < 1.0 => format!("{:.2}%", 100.0 * p),
        _ => text,
    }
}

fn table(out: &mut impl Write, flow: &Flow, r: &SimReport) -> io::Result<()> {
    writeln!(out, "{} ({}): {} simulated projects, seed {}", flow.name(), r.flow, r.runs, r.seed)?;
    if let (Some(b), Some(p)) = (r.budget, r.p_within_budget) {
        let rule = match r.total {
            TotalRule::CriticalPath => "on the critical path",
            TotalRule::StageSum => "summed by stage",
        };
        writeln!(out, "within the budget of {b} counted working days ({rule}): {}", percent(p))?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "{:<22} {:>7} {:>6} {:>6} {:>6} {:>6} {:>6}",
        "working days", "mean", "P50", "P80", "P95", "min", "max"
    )?;
    let rows = [
        ("counted (budget clock)", &r.total_days),
        ("summed by stage", &r.stage_sum_days),
        ("elapsed", &r.elapsed_days),
    ];
    for (name, s) in rows {
        writeln!(
            out,
            "{name:<22} {:>7.1} {:>6} {:>6} {:>6} {:>6} {:>6}",
            s.mean, s.p50, s.p80, s.p95, s.min, s.max
        )?;
    }
    if let (Some(start), Some(f)) = (r.start_date, r.finish_date) {
        writeln!(out, "finish, from {start}: P50 {}, P80 {}, P95 {}", f.p50, f.p80, f.p95)?;
    }
    writeln!(
        out,
        "plan at promised days: {} counted, {} elapsed; simulated mean {:+.1} counted days against it",
        r.plan.total_days, r.plan.elapsed_days, r.plan.difference
    )?;
    if let Some(g) = &r.gain {
        writeln!(
            out,
            "{}{}: saves {:.1} counted days and ends {:.1} days earlier on average (without: mean {:.1} counted, {:.1} elapsed{})",
            if g.options.mode == Mode::Simulated { "simulated approval" } else { "" },
            match (g.options.mode, g.options.commitment) {
                (Mode::Simulated, true) => " and commitment",
                (_, true) => "commitment",
                _ => "",
            },
            g.total_days_saved,
            g.elapsed_days_saved,
            g.baseline_total_days.mean,
            g.baseline_elapsed_days.mean,
            g.baseline_p_within_budget.map_or(String::new(), |p| format!(", {} within budget", percent(p)))
        )?;
    }
    budgets(out, r)?;
    steps(out, r)?;
    histogram(out, r)
}

/// Each stage and each group of stages against its budget.
fn budgets(out: &mut impl Write, r: &SimReport) -> io::Result<()> {
    if !r.stages.is_empty() {
        writeln!(out, "\n{:<22} {:>6} {:>6} {:>9}", "stage", "budget", "plan", "within")?;
        for s in &r.stages {
            let budget = s.budget.map_or("-".to_string(), |b| b.to_string());
            let p = s.p_within_budget.map_or("-".to_string(), percent);
            writeln!(out, "{:<22} {budget:>6} {:>6} {p:>9}", s.id, s.plan_total_days)?;
        }
    }
    if !r.groups.is_empty() {
        writeln!(out, "\n{:<22} {:>6} {:>6} {:>9}  stages", "budget group", "days", "plan", "within")?;
        for g in &r.groups {
            let name = crate::common::printable(&g.name);
            let pad = 22usize.saturating_sub(unicode_width::UnicodeWidthStr::width(name.as_ref()));
            writeln!(
                out,
                "{name}{:pad$} {:>6} {:>6} {:>9}  {}",
                "",
                g.days,
                g.plan_total_days,
                percent(g.p_within_budget),
                g.stages.join(", ")
            )?;
        }
    }
    Ok(())
}

/// Each step's figures, and what moves the total from the plan.
fn steps(out: &mut impl Write, r: &SimReport) -> io::Result<()> {
    writeln!(
        out,
        "\n{:<22} {:>8} {:>8} {:>7} {:>7} {:>8} {:>7} {:>10}",
        "step", "promised", "critical", "delay", "paused", "contrib", "crucial", "when over"
    )?;
    for s in &r.steps {
        let over = s.criticality_over_budget.map_or("-".to_string(), percent);
        writeln!(
            out,
            "{:<22} {:>8} {:>8} {:>+7.2} {:>7.2} {:>+8.2} {:>7.2} {over:>10}{}",
            s.id,
            s.promised,
            percent(s.criticality),
            s.mean_delay,
            s.mean_paused,
            s.delay_contribution,
            s.cruciality,
            if s.counted { "" } else { "  (not counted)" }
        )?;
    }
    if !r.plan.drivers.is_empty() {
        let list: Vec<String> =
            r.plan.drivers.iter().map(|d| format!("{} {:+.2}", d.id, d.delay_contribution)).collect();
        writeln!(out, "\nwhat moves the total from the plan: {}", list.join(", "))?;
    }
    Ok(())
}

/// The counted totals' histogram and what the columns mean.
fn histogram(out: &mut impl Write, r: &SimReport) -> io::Result<()> {
    writeln!(out, "\ncounted days   runs")?;
    let most = r.histogram.iter().map(|b| b.count).max().unwrap_or(1).max(1);
    for b in &r.histogram {
        let label = if b.from == b.to { b.from.to_string() } else { format!("{}-{}", b.from, b.to) };
        let bar = "#".repeat((b.count as usize * 50).div_ceil(most as usize));
        let mark = if r.budget.is_some_and(|budget| b.to > budget) { " over" } else { "" };
        writeln!(out, "{label:>12} {:>6} {bar}{mark}", b.count)?;
    }
    writeln!(
        out,
        "\ncritical: share of runs on a longest counted path; delay: mean days over promised \
         (pauses excluded);\ncontrib: mean days it added to the counted total; crucial: correlation of its days with the \
         total;\nwhen over: share of over-budget runs it was critical in"
    )?;
    Ok(())
}
