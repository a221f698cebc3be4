//! Monte Carlo simulation of the Zhejiang industrial flow: runs per second and
//! step-samples per second, on all cores and on one, against the same loop
//! with every model removed (fixed durations: no sampling) in the same run.
//!
//! `cargo bench --bench sim`

use std::hint::black_box;
use std::sync::Arc;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use shenpi::sim::{self, SimOptions};
use shenpi::{Flow, FlowGraph};
use shenpi_benches::{compile, repository_flow_path};

fn industrial(models: bool) -> FlowGraph {
    let mut flow =
        Flow::load(repository_flow_path("zhejiang-industrial")).expect("the repository flow is valid");
    if !models {
        flow = flow
            .edit(|d| {
                for mut s in d.steps() {
                    s.duration(None).supplement(None).special(None);
                }
            })
            .expect("removing models keeps the flow valid");
    }
    compile(&Arc::new(flow))
}

fn bench(c: &mut Criterion) {
    const RUNS: u32 = 10_000;
    let options = SimOptions { runs: RUNS, seed: 2019 };
    let cores = rayon::current_num_threads();
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("a thread pool");
    for (unit, per_run) in [("step-samples", None), ("runs", Some(1u64))] {
        let mut g = c.benchmark_group(format!("sim/industrial/{unit}"));
        g.sample_size(20);
        for (name, models) in [("models", true), ("fixed-baseline", false)] {
            let graph = industrial(models);
            g.throughput(Throughput::Elements(u64::from(RUNS) * per_run.unwrap_or(graph.len() as u64)));
            g.bench_with_input(BenchmarkId::new(name, "1-thread"), &graph, |b, graph| {
                b.iter(|| one.install(|| sim::simulate(black_box(graph), &options).expect("valid")))
            });
            g.bench_with_input(BenchmarkId::new(name, format!("{cores}-threads")), &graph, |b, graph| {
                b.iter(|| sim::simulate(black_box(graph), &options).expect("valid"))
            });
        }
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
