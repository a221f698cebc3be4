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
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use shenpi::calendar::{Beyond, Calendar};
use shenpi::model::DeadlinePolicy;
use shenpi::schedule::Cpm;
use shenpi::schedule::deadlines::{deadlines, deadlines_into};
use shenpi::{Dag, Flow, FlowGraph, Plan};

const STEPS: usize = 1_000_000;
const PREDS: usize = 4;
const WINDOW: u32 = 64;

/// A random DAG: every node after the first few waits for up to 4 nodes in
/// the 64 before it; durations 0..10 days, one step in ten uncounted.
struct Synthetic {
    dag: Dag,
    promised: Vec<u32>,
    counted: Vec<bool>,
    /// The same predecessors as plain arrays, for the bare pass.
    pred_start: Vec<u32>,
    preds: Vec<u32>,
}

fn synthetic() -> Synthetic {
    let mut rng = StdRng::seed_from_u64(2025);
    let mut edges = Vec::with_capacity(STEPS * PREDS);
    for v in 1..STEPS as u32 {
        for _ in 0..PREDS.min(v as usize) {
            let back = rng.random_range(1..=WINDOW.min(v));
            edges.push((v - back, v));
        }
    }
    let promised: Vec<u32> = (0..STEPS).map(|_| rng.random_range(0..10)).collect();
    let counted: Vec<bool> = (0..STEPS).map(|_| rng.random_bool(0.9)).collect();
    let dag = Dag::from_topological(STEPS, edges.iter().copied());
    let mut pred_start = vec![0u32];
    let mut preds = Vec::with_capacity(dag.edge_count());
    for v in dag.nodes() {
        preds.extend(dag.preds(v).iter().map(|p| p.0));
        pred_start.push(preds.len() as u32);
    }
    Synthetic { dag, promised, counted, pred_start, preds }
}

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
fn plan_passes(s: &Synthetic, cpm: &mut Cpm, d: &mut Vec<i64>) -> (u32, usize, i64) {
    cpm.rerun(&s.dag, &s.promised, &s.counted);
    let budget = cpm.total_days() + 10;
    deadlines_into(cpm, budget, DeadlinePolicy::Proportional, d);
    (cpm.total_days(), cpm.critical_path().len(), d[d.len() - 1])
}

/// The same with fresh allocations, as `Plan::new` does.
fn plan_passes_fresh(s: &Synthetic) -> (u32, usize, i64) {
    let cpm = Cpm::run(&s.dag, &s.promised, &s.counted);
    let d = deadlines(&cpm, cpm.total_days() + 10, DeadlinePolicy::Proportional);
    (cpm.total_days(), cpm.critical_path().len(), d[d.len() - 1])
}

fn median(mut f: impl FnMut(), runs: usize) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

fn large(c: &mut Criterion) {
    let s = synthetic();
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

fn flow_yaml(stages: usize, per_stage: usize, parallel: usize) -> String {
    let mut y = String::from("id: bench\nname: bench\nbudget: 10000\nstages:\n");
    for s in 0..stages {
        y.push_str(&format!("  - id: stage{s}\n    name: 阶段{s}\n    steps:\n"));
        for i in 0..per_stage / parallel {
            y.push_str("      - parallel:\n");
            for j in 0..parallel {
                let k = (s * per_stage + i * parallel + j) % 7;
                y.push_str(&format!(
                    "          - {{ id: s{s}-{i}-{j}, name: 审批事项, dept: 局, legal: 20, promised: {k} }}\n"
                ));
            }
        }
    }
    y
}

fn small(c: &mut Criterion) {
    let start = NaiveDate::from_ymd_opt(2025, 3, 3).expect("valid date");
    let cn = Calendar::cn().with_beyond(Beyond::Weekends);
    let mut g = c.benchmark_group("schedule-flows");
    g.sample_size(50).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(3));
    for (name, yaml) in
        [("100-step flow", flow_yaml(4, 25, 5)), ("10,000-step chain", flow_yaml(1, 10_000, 1))]
    {
        let flow =
            Arc::new(Flow::parse("bench.yaml", &yaml).map_err(|r| r.render()).expect("bench flow is valid"));
        let graph = Arc::new(FlowGraph::new(flow.clone(), flow.defaults()));
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
