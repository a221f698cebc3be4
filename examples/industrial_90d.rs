//! Will a Zhejiang industrial project make the 90-day promise (批时总控90天), and
//! if not, why?
//!
//! Loads `flows/zhejiang-industrial.yaml`, plans it (every step at its promised
//! days), then simulates 10,000 projects with the duration, 补正 and
//! special-procedure models written in the flow, and prints the chance of
//! meeting 90 counted working days with the steps that most threaten it.
//!
//! ```text
//! cargo run --release --example industrial_90d
//! ```

use std::error::Error;
use std::sync::Arc;
use std::time::Instant;

use chrono::NaiveDate;
use shenpi::calendar::Calendar;
use shenpi::schedule::Plan;
use shenpi::sim::{self, SimOptions};
use shenpi::{Flow, FlowGraph};

fn main() -> Result<(), Box<dyn Error>> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/flows/zhejiang-industrial.yaml");
    let flow = Arc::new(Flow::load(path)?);
    let graph = FlowGraph::new(flow.clone(), flow.defaults())?;
    let calendar = Calendar::resolve(&flow.calendar, None)?;
    let add = |d, n| calendar.add_working_days(d, n);
    let start = NaiveDate::from_ymd_opt(2025, 3, 3).ok_or("a valid start date")?;
    let budget = flow.budget.ok_or("the flow has a budget")?;

    // 1. The plan: every step at its promised days.
    println!("{} ({} steps)\n", flow.name, graph.len());
    let plan = Plan::new(graph.clone());
    let dates = plan.dates(start, &calendar)?;
    println!(
        "Plan at promised days: {} counted working days of {budget} ({}), {} elapsed; started {}, done {}.",
        plan.total_days(),
        match plan.slack() {
            Some(s) if s >= 0 => format!("{s} to spare"),
            Some(s) => format!("{} over", -s),
            None => "no budget".into(),
        },
        plan.elapsed_days(),
        dates.start,
        dates.finish,
    );
    println!("  decided by: {}", plan.chain_ids(plan.critical_path()).join(" → "));
    for st in plan.stages() {
        if let Some(b) = st.budget {
            println!("  stage {:<14} {:>3} of {b} days", flow.stages[st.stage].id, st.total_days);
        }
    }

    // 2. The simulation: 10,000 projects with the flow's own models.
    let options = SimOptions { runs: 10_000, seed: 2019 };
    let clock = Instant::now();
    let report = sim::simulate(&graph, &options)?.with_dates(start, &add)?;
    let took = clock.elapsed();
    let p = report.p_within_budget.ok_or("the flow has a budget")?;
    let (t, e) = (report.total_days, report.elapsed_days);
    println!(
        "\nSimulated {} projects (seed {}) in {:.0} ms:",
        report.runs,
        report.seed,
        took.as_secs_f64() * 1e3
    );
    println!("  chance of meeting {budget} counted working days: {:.1}%", 100.0 * p);
    println!(
        "  counted days: mean {:.1}, P50 {}, P80 {}, P95 {}, worst {}",
        t.mean, t.p50, t.p80, t.p95, t.max
    );
    if let Some(f) = report.finish_date {
        println!(
            "  elapsed days: P50 {} ({}), P95 {} ({}): owner and intermediary time is not counted",
            e.p50, f.p50, e.p95, f.p95
        );
    }
    for st in &report.stages {
        if let (Some(b), Some(p)) = (st.budget, st.p_within_budget) {
            if p < 1.0 {
                println!("  stage {} keeps its {b}-day budget in {:.1}% of projects", st.id, 100.0 * p);
            }
        }
    }

    // 3. Why: the steps that threaten the budget, and where reality departs from the plan.
    if report.plan.total_days <= budget && p == 1.0 {
        println!("\nNo simulated project missed {budget} days. What would move the total most:");
    } else {
        println!("\nSteps that most threaten the {budget} days:");
    }
    for s in report.threats(5) {
        let over = s
            .criticality_over_budget
            .map_or(String::new(), |c| format!(", critical in {:.0}% of the late projects", 100.0 * c));
        println!("  {:<20} {}", s.id, s.name);
        println!(
            "  {:<20} critical in {:.1}% of projects, correlation with the total {:.2}, \
             {:+.1} days against its promise, {:.1} days paused (补正, special procedures){over}",
            "",
            100.0 * s.criticality,
            s.cruciality,
            s.mean_delay,
            s.mean_paused,
        );
    }
    println!(
        "\nThe simulated mean is {:+.1} counted days against the plan's {}; the steps that explain it:",
        report.plan.difference, report.plan.total_days
    );
    for d in &report.plan.drivers {
        println!("  {:<20} {:+.2} days", d.id, d.delay_contribution);
    }
    Ok(())
}
