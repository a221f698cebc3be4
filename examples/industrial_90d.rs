//! Will a Zhejiang industrial project make the 90-day promise (批时总控90天), and
//! if not, why?
//!
//! Loads `flows/zhejiang-industrial.yaml`, plans it (every step at its promised
//! days; beside it, Jiaxing's flow before and after its reform, 236 → 109
//! counted working days), then simulates 10,000 projects with the duration,
//! 补充材料 (clock stop) and special-procedure models written in the flow, and
//! prints the chance of
//! meeting 90 counted working days with the steps that most threaten it.
//!
//! Then it drives one of those simulated projects day by day through the
//! runtime engine, as a government service centre would: each working day it
//! accepts the steps that became ready, records 补充材料(暂停计时) and special procedures
//! and approvals on the days the draw says, lets the engine record deemed
//! approvals (超时默认), and asks for the day's status, printing each new
//! alert the way electronic supervision (电子监察) raises it.
//!
//! ```text
//! cargo run --release --example industrial_90d
//! ```

use std::collections::VecDeque;
use std::error::Error;
use std::sync::Arc;
use std::time::Instant;

use chrono::NaiveDate;
use shenpi::calendar::Calendar;
use shenpi::runtime::{
    Alert, Clock, EventKind, MemoryStore, NewEvent, ProcedureKind, Project, StepState, Verdict,
};
use shenpi::schedule::Plan;
use shenpi::sim::{self, Sampler, SimOptions, StepDraw};
use shenpi::{Flow, FlowGraph, Node};

/// The simulated run the synthetic project replays. Most runs show only reminders
/// and clock stops, as government items usually finish well inside their promise;
/// this is one of the few where a department lets its limit pass, so it
/// shows 补充材料(暂停计时), a yellow light (黄灯预警) and a deemed approval (超时默认) as well.
const RUN: u64 = 46;

fn main() -> Result<(), Box<dyn Error>> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/flows/zhejiang-industrial.yaml");
    let flow = Arc::new(Flow::load(path)?);
    let graph = FlowGraph::new(flow.clone(), flow.defaults());
    let calendar = Calendar::resolve(flow.calendar(), None)?;
    let start = NaiveDate::from_ymd_opt(2025, 3, 3).ok_or("a valid start date")?;
    let budget = flow.budget().ok_or("the flow has a budget")?;

    // 1. The plan: every step at its promised days.
    println!("{} ({} steps)\n", flow.name(), graph.len());
    let plan = Plan::new(graph.clone());
    let dates = plan.dates(start, &calendar)?;
    println!(
        "Plan at promised days: {} counted working days of {budget} ({}).",
        plan.total_days(),
        match plan.slack() {
            Some(s) if s >= 0 => format!("{s} to spare"),
            Some(s) => format!("{} over", -s),
            None => "no budget".into(),
        },
    );
    println!(
        "  {}",
        whole_duration(dates.start, dates.finish, calendar.working_days_between(dates.start, dates.finish)?)
    );
    println!("  decided by: {}", plan.chain_ids(plan.critical_path()).join(" → "));
    for st in plan.stages() {
        if let Some(b) = st.budget {
            println!("  stage {:<14} {:>3} of {b} days", flow.stages()[st.stage].id(), st.total_days);
        }
    }
    for g in plan.groups() {
        println!("  {}: {} of {} counted working days", flow.budgets()[g.group].name(), g.total_days, g.days);
    }
    // What such a reform achieved: Jiaxing's industrial flow before and after (flows/jiaxing-*.yaml).
    let ((steps_before, days_before), (steps_after, days_after)) =
        (steps_and_days("jiaxing-before")?, steps_and_days("jiaxing-after")?);
    println!(
        "  Jiaxing's reform of the same kind of project: {steps_before} steps in {days_before} counted working \
         days → {steps_after} steps in {days_after}"
    );

    // 2. The simulation: 10,000 projects with the flow's own models.
    let options = SimOptions { runs: 10_000, seed: 2019 };
    let clock = Instant::now();
    let report = sim::simulate(&graph, &options)?.with_dates(start, &calendar)?;
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
    for g in report.groups.iter().filter(|g| g.p_within_budget < 1.0) {
        println!(
            "  {} keeps its {}-day limit in {:.1}% of projects",
            g.name,
            g.days,
            100.0 * g.p_within_budget
        );
    }

    // 3. Why: the steps that threaten the budget, and where reality departs from the plan.
    if report.plan.total_days <= budget && p == 1.0 {
        println!("\nNo simulated project missed {budget} days. What would move the total most:");
    } else {
        println!("\nSteps that most threaten the {budget} days:");
    }
    for s in report.threats(5) {
        let late =
            s.criticality_over_budget.map_or(String::new(), |c| format!(" ({:.0}% of late ones)", 100.0 * c));
        println!("  {:<20} {}", s.id, s.name);
        println!(
            "  {:<20} critical in {:.0}% of runs{late}, correlation with the total {:.2}, \
             {:+.1} days against its promise, {:.1} paused",
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

    // 4. One of those projects through the runtime engine, day by day.
    supervise(flow, &calendar, options.seed, start, budget)
}

/// The number of steps and the counted critical path, at promised days, of
/// the bundled flow `flows/{name}.yaml` for its default project.
fn steps_and_days(name: &str) -> Result<(usize, u32), Box<dyn Error>> {
    let flow = Arc::new(Flow::load(format!("{}/flows/{name}.yaml", env!("CARGO_MANIFEST_DIR")))?);
    let plan = Plan::new(FlowGraph::new(flow.clone(), flow.defaults()));
    Ok((plan.graph().len(), plan.total_days()))
}

/// Drives run [`RUN`] of the simulation through a live [`Project`] from `start`,
/// printing each new alert, then the outcome against `budget`.
fn supervise(
    flow: Arc<Flow>,
    calendar: &Calendar,
    seed: u64,
    start: NaiveDate,
    budget: u32,
) -> Result<(), Box<dyn Error>> {
    let store = MemoryStore::new();
    let mut project = Project::create(&store, flow, "ZJ-2025-0001", start, &[])?;
    let g = project.graph().clone();
    // The same models and generator as run RUN of the simulation: its draws, step by step.
    let mut sampler = Sampler::new(&g, seed, RUN);
    let draws: Vec<StepDraw> = g.nodes().map(|v| sampler.draw(v)).collect();
    let counted = |v: Node| g.counted()[v.index()];
    println!(
        "\nOne of them (run {RUN}) through the runtime from {start}, as electronic supervision (电子监察) sees it:"
    );
    let mut agenda: Vec<VecDeque<(NaiveDate, EventKind)>> = vec![VecDeque::new(); g.len()];
    let mut raised = vec![Alert::None; g.len()];
    let mut day = start;
    loop {
        // What the engine owes today: 超时默认 for steps past their limit undecided.
        // (A joint member silent past its limit is deemed to agree too; the log leaves that out.)
        for e in
            project.advance(&store, day, day)?.into_iter().filter(|e| e.kind == EventKind::DeemedApproved)
        {
            let v = g.node(&e.step).ok_or("the engine names steps of the flow")?;
            let step = g.step(v);
            let outcome = if step.is_filing() { "视为备案完成" } else { "deemed approved" };
            let why = format!("{outcome}: its {} working-day limit passed", step.promised());
            line(e.date, "超时默认", &g, v, &why);
        }
        // In node (topological) order, so a step approved today lets the next be accepted today.
        for v in g.nodes() {
            let (id, d) = (g.step(v).id(), draws[v.index()]);
            if project.state().state(&g, v) == StepState::Ready {
                project.record(&store, NewEvent::new(id, EventKind::Accepted, day), day)?;
                agenda[v.index()] = step_agenda(d, day, calendar)?;
            }
            if project.state().state(&g, v).is_final() {
                agenda[v.index()].clear(); // decided by the engine first (超时默认)
            }
            while let Some(&(date, kind)) = agenda[v.index()].front().filter(|(d, _)| *d <= day) {
                // The lead of a joint review decides once every member gave its opinion.
                if let (EventKind::Approved, Some(joint)) = (kind, g.step(v).joint()) {
                    for (i, m) in joint.members().iter().enumerate() {
                        if project.state().run(v).opinion(i).is_none() {
                            let opinion = NewEvent::new(id, EventKind::Opinion, date).dept(m.dept());
                            project.record(&store, opinion.verdict(Verdict::Agree), day)?;
                        }
                    }
                }
                let mut event = NewEvent::new(id, kind, date);
                if kind == EventKind::ProcedureStarted {
                    event = event.procedure(ProcedureKind::ExpertReview); // Art. 45: 专家评审
                }
                project.record(&store, event, day)?;
                agenda[v.index()].pop_front();
                let stop = match kind {
                    EventKind::SupplementRequested => d.supplement.map(|n| ("补充材料", n)),
                    EventKind::ProcedureStarted => d.special.map(|n| ("特别程序", n)),
                    _ => None,
                };
                if let Some((what, n)) = stop.filter(|_| counted(v)) {
                    line(date, what, &g, v, &format!("暂停计时 for {n} working days"));
                }
            }
        }
        // Supervision watches government time (counted steps) and reports only what is new.
        let status = project.status(day)?;
        for (v, s) in g.nodes().zip(&status.steps) {
            if counted(v) && s.alert > raised[v.index()] {
                raised[v.index()] = s.alert;
                let why = if s.clock == Some(Clock::Plan) {
                    format!("its place in the {budget}-day total, due {}", s.plan_deadline)
                } else {
                    format!(
                        "own limit of {} working days, due {}",
                        s.limit,
                        s.due.map_or("-".into(), |d| d.to_string())
                    )
                };
                line(day, alert_label(s.alert), &g, v, &why);
            }
        }
        if status.steps.iter().all(|s| s.state.is_final()) {
            break;
        }
        day = calendar.add_working_days(day, 1)?;
    }

    // 5. The outcome against the budget.
    let status = project.status(day)?;
    let finish = status.steps.iter().filter_map(|s| s.decided).max().unwrap_or(day);
    // Counted days: the longest path through each counted step's used days (clock
    // stops left out; a deemed approval counts its limit).
    // The simulation computes the same from the draws: the two must agree.
    let (mut ends, mut drawn) = (vec![0i64; g.len()], vec![0i64; g.len()]);
    for (v, s) in g.nodes().zip(&status.steps) {
        let used = s.used.unwrap_or(0);
        let (own, draw) = if counted(v) { (used, i64::from(draws[v.index()].work)) } else { (0, 0) };
        let before = |x: &[i64]| g.dag().preds(v).iter().map(|&p| x[p.index()]).max().unwrap_or(0);
        (ends[v.index()], drawn[v.index()]) = (own + before(&ends), draw + before(&drawn));
    }
    let total = ends.iter().copied().max().unwrap_or(0);
    let simulated = drawn.iter().copied().max().unwrap_or(0);
    let slack = i64::from(budget) - total;
    let gov: Vec<_> = g.nodes().zip(&status.steps).filter(|&(v, _)| counted(v)).map(|(_, s)| s).collect();
    let on_time = gov
        .iter()
        .filter(|s| s.state == StepState::Approved && s.decided.zip(s.due).is_some_and(|(d, due)| d <= due))
        .count();
    let deemed = gov.iter().filter(|s| s.state == StepState::DeemedApproved).count();
    let pct = |x: Option<f64>| x.map_or("-".into(), |x| format!("{:.0}%", 100.0 * x));
    println!(
        "\nDone {finish}: {total} counted working days of {budget}, {} (the simulation's run {RUN}: {simulated}).",
        if slack >= 0 {
            format!("promise kept with {slack} to spare")
        } else {
            format!("promise broken by {}", -slack)
        },
    );
    println!(
        "  {}; {} events logged.",
        whole_duration(start, finish, calendar.working_days_between(start, finish)?),
        project.events().len()
    );
    println!(
        "  Government steps decided within their own limit (按时办结率): {on_time} of {} ({}), {deemed} deemed \
         approved; 提速率 against legal limits, (法定 − 实际) / 法定 over the items: {}.",
        gov.len(),
        pct(Some(on_time as f64 / gov.len().max(1) as f64)),
        pct(status.speed_up)
    );
    Ok(())
}

/// The project's whole duration as an official reads it: natural days and
/// months from start to finish, the owner's building and other own time
/// included, beside the working days the same span holds.
fn whole_duration(start: NaiveDate, finish: NaiveDate, working_days: i64) -> String {
    let natural = (finish - start).num_days() + 1;
    let months = (natural as f64 / 30.44).round();
    format!(
        "项目总历时约{months}个月，含业主施工等自主时间: {natural} natural days from {start} to {finish} \
         ({working_days} working days), of which only the counted days above are held to the budget"
    )
}

/// How an alert reads in the log: a yellow light (黄灯预警), a red light (红灯超期).
fn alert_label(a: Alert) -> &'static str {
    match a {
        Alert::Red => "红灯超期",
        Alert::Yellow => "黄灯预警",
        Alert::Reminder => "提醒",
        Alert::None => "",
    }
}

/// One line of the supervision log: date, what, step, department, why.
fn line(date: NaiveDate, what: &str, g: &FlowGraph, v: Node, why: &str) {
    // `{:<10}` counts characters; 补充材料 is four characters eight columns wide.
    let pad = 10usize.saturating_sub(what.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum());
    let step = g.step(v);
    println!("  {date}  {what}{:pad$} {:<20} {}: {why}", "", step.id(), step.dept_label());
}

/// The dates of a step's events once accepted on `accepted`, from its draw: 补正
/// after its first day of work, a special procedure halfway, approval when its
/// work is done; a step deemed approved (超时默认) gets no approval: the engine
/// records it the day after its limit passes. Pauses stop its clock, so it is
/// decided `work` counted days after acceptance.
fn step_agenda(
    d: StepDraw,
    accepted: NaiveDate,
    calendar: &Calendar,
) -> Result<VecDeque<(NaiveDate, EventKind)>, Box<dyn Error>> {
    let (first, half) = (d.work.min(1), (d.work / 2).max(d.work.min(1)));
    let mut out = VecDeque::new();
    let mut day = calendar.add_working_days(accepted, first)?;
    if let Some(n) = d.supplement {
        out.push_back((day, EventKind::SupplementRequested));
        day = calendar.add_working_days(day, n)?;
        out.push_back((day, EventKind::SupplementReceived));
    }
    day = calendar.add_working_days(day, half - first)?;
    if let Some(n) = d.special {
        out.push_back((day, EventKind::ProcedureStarted));
        day = calendar.add_working_days(day, n)?;
        out.push_back((day, EventKind::ProcedureEnded));
    }
    if !d.deemed {
        out.push_back((calendar.add_working_days(day, d.work - half)?, EventKind::Approved));
    }
    Ok(out)
}
