//! What to cut on an over-budget flow: `cuts::crash`, which goes from
//! breakpoint to breakpoint a unit at a time, against `cuts::crash_by_day`,
//! the same greedy crashing one day at a time, in the same run and on the
//! same input.
//!
//! The input is the 10,000-step synthetic flow of the performance comparison
//! (`synthetic_flow`, the shape of benches/peer/plan.py's input), with the
//! budget of 100 days that the comparison uses (the crash stops at the floor
//! of `min` days, some 30,000 days under the total). The day-by-day crash is
//! measured on a budget 60 days under the total only: it takes a new longest
//! path and a minimum cut over the whole graph per day, so the budget of 100
//! would take many minutes an iteration. The breakpoints are measured on
//! both budgets. `cargo bench -p shenpi-benches --bench cuts` ends with one
//! line of medians and their ratio.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use shenpi::schedule::cuts::{self, Limits};
use shenpi::{FlowGraph, Plan};
use shenpi_benches::{compile, median, parse_flow, synthetic_flow};

struct Input {
    graph: FlowGraph,
    min: Vec<u32>,
    cost: Vec<f64>,
    total: u32,
}

impl Input {
    fn new(steps: usize) -> Input {
        let graph = compile(&parse_flow(&synthetic_flow(steps, Some(100), 1)));
        let min = graph.nodes().map(|v| graph.step(v).min()).collect();
        let cost = graph.nodes().map(|v| graph.step(v).cost()).collect();
        let total = shenpi::schedule::Cpm::run(graph.dag(), graph.promised(), graph.counted()).total_days();
        Input { graph, min, cost, total }
    }

    fn limits(&self) -> Limits<'_> {
        Limits {
            promised: self.graph.promised(),
            counted: self.graph.counted(),
            min: &self.min,
            cost: &self.cost,
        }
    }
}

fn over_budget(c: &mut Criterion) {
    let input = Input::new(10_000);
    let (dag, limits) = (input.graph.dag(), input.limits());
    let near = input.total - 60;
    let far = 100;
    println!(
        "10,000-step flow: {} edges, {} counted days, budgets {near} and {far}",
        dag.edge_count(),
        input.total
    );
    let mut g = c.benchmark_group("cuts-10k");
    g.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    g.bench_function("crash by day, 60 days over", |b| {
        b.iter(|| cuts::crash_by_day(dag, limits, black_box(near)))
    });
    g.bench_function("crash by breakpoints, 60 days over", |b| {
        b.iter(|| cuts::crash(dag, limits, black_box(near)))
    });
    g.bench_function("crash by breakpoints, budget 100", |b| {
        b.iter(|| cuts::crash(dag, limits, black_box(far)))
    });
    let graph = std::sync::Arc::new(input.graph.clone());
    g.bench_function("Plan::cuts (candidates and crash), budget 100", |b| {
        b.iter(|| black_box(Plan::new(graph.clone()).cuts()))
    });
    g.finish();
    let by_day = median(|| drop(black_box(cuts::crash_by_day(dag, limits, near))), 3);
    let jumps = median(|| drop(black_box(cuts::crash(dag, limits, near))), 11);
    let far_jumps = median(|| drop(black_box(cuts::crash(dag, limits, far))), 3);
    let plan = cuts::crash(dag, limits, far);
    println!(
        "60 days over: crash by day {:.1} ms, by breakpoints {:.3} ms (ratio {:.0}); budget {far} \
         ({} days cut, total {} → {}): by breakpoints {:.1} ms",
        by_day.as_secs_f64() * 1e3,
        jumps.as_secs_f64() * 1e3,
        by_day.as_secs_f64() / jumps.as_secs_f64(),
        plan.cuts.iter().map(|c| c.days).sum::<u32>(),
        input.total,
        plan.total_days,
        far_jumps.as_secs_f64() * 1e3,
    );
}

criterion_group!(benches, over_budget);
criterion_main!(benches);
