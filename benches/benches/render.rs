//! The whole-process chart: `flowchart_svg` against the longest-path
//! layering pass alone (what any layered drawing must do first), in the same
//! run, on the bundled industrial flow, two parallel blocks of 300 steps one
//! after the other (90,000 edges), and complete DAGs of 200, 300 and 1,000
//! steps (up to 499,500 edges, reduced to a chain).
//!
//! `cargo bench --bench render -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use shenpi::FlowGraph;
use shenpi::render::{self, Facts};
use shenpi::schedule::Plan;
use shenpi_benches::{compile, complete_flow, parse_flow, repository_flow_path, two_parallel_blocks};

fn case(c: &mut Criterion, name: &str, graph: FlowGraph) {
    let plan = Plan::new(graph);
    let facts = Facts::from_plan(&plan);
    let svg = render::flowchart_svg(plan.graph(), &facts);
    println!(
        "{name}: {} steps, {} edges, chart of {} bytes",
        plan.graph().len(),
        plan.graph().dag().edge_count(),
        svg.len()
    );
    let mut g = c.benchmark_group(format!("render-{name}"));
    g.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    g.bench_function("layering alone (baseline)", |b| {
        b.iter(|| render::layered_size(black_box(plan.graph().dag())))
    });
    g.bench_function("flowchart_svg", |b| {
        b.iter(|| render::flowchart_svg(black_box(plan.graph()), &facts).len())
    });
    g.finish();
}

fn bench(c: &mut Criterion) {
    let text = std::fs::read_to_string(repository_flow_path("zhejiang-industrial")).expect("bundled flow");
    case(c, "industrial", compile(&parse_flow(&text)));
    case(c, "parallel-300x2", compile(&parse_flow(&two_parallel_blocks(300))));
    for n in [200, 300, 1000] {
        case(c, &format!("complete-{n}"), compile(&parse_flow(&complete_flow(n))));
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
