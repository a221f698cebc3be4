//! Total time control: the planning passes against a bare longest-path pass
//! over a flat adjacency array, on a synthetic 1,000,000-step graph with
//! about 4,000,000 edges, in the same run; plus a 100-step flow and a
//! 10,000-step chain planned with dates.
//!
//! `cargo bench --bench schedule` prints, besides criterion's figures, one
//! line with both medians and their ratio. The plan reads every edge twice
//! (forward on two clocks; back for the tails and the free floats, pushing
//! to the predecessors) where the bare pass reads it once on one clock, so
//! the ratio cannot fall below 2 and sits near 3.7 on a shared 2-core EPYC.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use shenpi::Plan;
use shenpi::calendar::{Beyond, Calendar};
use shenpi::model::DeadlinePolicy;
use shenpi::schedule::Cpm;
use shenpi::schedule::deadlines::{deadlines, deadlines_into};
use shenpi_benches::{RandomDag, compile, layered_flow, median, parse_flow, random_dag};

const STEPS: usize = 1_000_000;
const PREDS: usize = 4;
const WINDOW: u32 = 64;

/// The baseline: one forward pass computing the longest path, nothing else.
fn bare_longest_path(pred_start: &[u32], preds: &[u32], days: &[u32], ef: &mut [u32]) -> u32 {
    let mut best = 0;
    for v in 0..days.len() {
        let mut start = 0;
        for &u in &preds[pred_start[v] as usize..pred_start[v + 1] as usize] {
            start = start.max(ef[u as usize]);
        }
        ef[v] = start + days[v];
        best = best.max(ef[v]);
    }
    best
}

/// What `Plan` does without dates: both passes, the critical path, the
/// deadlines; into reused buffers, as the bare pass reuses its `ef`.
fn plan_passes(s: &RandomDag, cpm: &mut Cpm, d: &mut Vec<i64>) -> (u32, usize, i64) {
    cpm.rerun(&s.dag, &s.promised, &s.counted);
    let budget = cpm.total_days() + 10;
    deadlines_into(cpm, budget, DeadlinePolicy::Proportional, d);
    (cpm.total_days(), cpm.critical_path().len(), d[d.len() - 1])
}

/// The same with fresh allocations, as `Plan::new` does.
fn plan_passes_fresh(s: &RandomDag) -> (u32, usize, i64) {
    let cpm = Cpm::run(&s.dag, &s.promised, &s.counted);
    let d = deadlines(&cpm, cpm.total_days() + 10, DeadlinePolicy::Proportional);
    (cpm.total_days(), cpm.critical_path().len(), d[d.len() - 1])
}

fn large(c: &mut Criterion) {
    let s = random_dag(STEPS, PREDS, WINDOW, 2025);
    println!("synthetic graph: {} steps, {} edges", s.dag.len(), s.dag.edge_count());
    let mut ef = vec![0u32; STEPS];
    let mut g = c.benchmark_group("schedule-1m");
    g.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(8));
    g.bench_function("bare longest path", |b| {
        b.iter(|| bare_longest_path(&s.pred_start, &s.preds, black_box(&s.promised), &mut ef))
    });
    let (mut cpm, mut d) = (Cpm::default(), Vec::new());
    g.bench_function("plan passes", |b| b.iter(|| plan_passes(black_box(&s), &mut cpm, &mut d)));
    g.bench_function("plan passes, fresh memory", |b| b.iter(|| plan_passes_fresh(black_box(&s))));
    g.finish();
    let bare = median(
        || {
            black_box(bare_longest_path(&s.pred_start, &s.preds, &s.promised, &mut ef));
        },
        11,
    );
    let plan = median(
        || {
            black_box(plan_passes(&s, &mut cpm, &mut d));
        },
        11,
    );
    let fresh = median(
        || {
            black_box(plan_passes_fresh(&s));
        },
        11,
    );
    println!(
        "1M steps: bare longest path {:.1} ms, plan passes {:.1} ms (ratio {:.2}), with fresh memory {:.1} ms (ratio {:.2})",
        bare.as_secs_f64() * 1e3,
        plan.as_secs_f64() * 1e3,
        plan.as_secs_f64() / bare.as_secs_f64(),
        fresh.as_secs_f64() * 1e3,
        fresh.as_secs_f64() / bare.as_secs_f64()
    );
}

fn small(c: &mut Criterion) {
    let start = NaiveDate::from_ymd_opt(2025, 3, 3).expect("valid date");
    let cn = Calendar::cn().with_beyond(Beyond::Weekends);
    let mut g = c.benchmark_group("schedule-flows");
    g.sample_size(50).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(3));
    for (name, yaml) in
        [("100-step flow", layered_flow(4, 25, 5)), ("10,000-step chain", layered_flow(1, 10_000, 1))]
    {
        let graph = Arc::new(compile(&parse_flow(&yaml)));
        g.bench_function(format!("{name}, plan and dates"), |b| {
            b.iter(|| {
                let plan = Plan::new(graph.clone());
                let dates = plan.dates(start, &cn).expect("in range");
                black_box((plan.total_days(), dates.finish))
            })
        });
    }
    g.finish();
}

criterion_group!(benches, large, small);
criterion_main!(benches);
