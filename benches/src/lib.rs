//! Builders shared by shenpi's benchmarks: synthetic graphs and flow files
//! of any size, and the bundled flows.
//!
//! Every builder takes its size and, where it draws at random, a fixed seed,
//! so a benchmark measures the same input on every machine.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod history;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use shenpi::{Dag, Flow, FlowGraph};

/// A bundled flow file, by name (`"zhejiang-industrial"`).
pub fn repository_flow_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../flows").join(format!("{name}.yaml"))
}

/// A flow from its text; the benches build only valid ones.
///
/// # Panics
/// With the rendered diagnostics, when the text is not a valid flow.
pub fn parse_flow(text: &str) -> Arc<Flow> {
    Arc::new(Flow::parse("bench.yaml", text).unwrap_or_else(|report| panic!("{}", report.render())))
}

/// A flow compiled with its parameters' defaults.
pub fn compile(flow: &Arc<Flow>) -> FlowGraph {
    FlowGraph::new(flow.clone(), flow.defaults())
}

/// The median time of `runs` calls of `f`: the figure a bench prints beside
/// its baseline's, taken in the same run.
///
/// # Panics
/// When `runs` is 0.
pub fn median(mut f: impl FnMut(), runs: usize) -> Duration {
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

/// A random DAG with its durations, for the planning passes without a flow file.
pub struct RandomDag {
    /// The graph, nodes in topological order.
    pub dag: Dag,
    /// Promised days per node, 0..10.
    pub promised: Vec<u32>,
    /// One node in ten does not count against the budget.
    pub counted: Vec<bool>,
    /// The same predecessors as plain arrays, for a bare pass: node `v`'s are
    /// `preds[pred_start[v]..pred_start[v + 1]]`.
    pub pred_start: Vec<u32>,
    /// See `pred_start`.
    pub preds: Vec<u32>,
}

/// A random DAG of `steps` nodes: every node after the first few waits for
/// `preds` nodes drawn among the `window` before it.
pub fn random_dag(steps: usize, preds: usize, window: u32, seed: u64) -> RandomDag {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut edges = Vec::with_capacity(steps * preds);
    for v in 1..steps as u32 {
        for _ in 0..preds.min(v as usize) {
            let back = rng.random_range(1..=window.min(v));
            edges.push((v - back, v));
        }
    }
    let promised: Vec<u32> = (0..steps).map(|_| rng.random_range(0..10)).collect();
    let counted: Vec<bool> = (0..steps).map(|_| rng.random_bool(0.9)).collect();
    let dag = Dag::from_topological(steps, edges.iter().copied());
    let mut pred_start = vec![0u32];
    let mut flat = Vec::with_capacity(dag.edge_count());
    for v in dag.nodes() {
        flat.extend(dag.preds(v).iter().map(|p| p.0));
        pred_start.push(flat.len() as u32);
    }
    RandomDag { dag, promised, counted, pred_start, preds: flat }
}

/// A flow of `stages` stages, each `per_stage` steps in groups of
/// `parallel` that run side by side, the groups one after another.
pub fn layered_flow(stages: usize, per_stage: usize, parallel: usize) -> String {
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

/// One stage of `steps` parallel steps `s0`, `s1`, …, in four departments:
/// a project whose event log can grow long.
pub fn parallel_flow(steps: usize) -> String {
    let mut text = String::from(
        "id: bench\nname: 基准\ncalendar: cn\nstages:\n  - id: s\n    name: 阶段\n    steps:\n      - parallel:\n",
    );
    for i in 0..steps {
        text.push_str(&format!(
            "          - {{ id: s{i}, name: 事项{i}, dept: 局{}, promised: 5 }}\n",
            i % 4
        ));
    }
    text
}

/// Two `parallel` blocks of `width` steps one after the other: every step of
/// the second waits for every step of the first (`width`² edges).
pub fn two_parallel_blocks(width: usize) -> String {
    let mut y = String::from("id: bench\nname: 基准\nstages:\n  - id: s\n    name: 阶段\n    steps:\n");
    for block in ["a", "b"] {
        y.push_str("      - parallel:\n");
        for i in 0..width {
            y.push_str(&format!("          - {{ id: {block}{i}, name: 事项{i}, dept: 局, promised: 3 }}\n"));
        }
    }
    y
}

/// `steps` steps where each waits for every step before it: the complete DAG
/// (`steps` · (`steps` − 1) / 2 edges).
pub fn complete_flow(steps: usize) -> String {
    let mut y = String::from("id: bench\nname: 基准\nstages:\n  - id: s\n    name: 阶段\n    steps:\n");
    for i in 0..steps {
        let after: Vec<String> = (0..i).map(|j| format!("s{j}")).collect();
        y.push_str(&format!(
            "      - {{ id: s{i}, name: 事项{i}, promised: 1, after: [{}] }}\n",
            after.join(", ")
        ));
    }
    y
}

/// A flow of the shape the performance comparison uses: stages of about 500
/// steps, each a serial list of steps and nested `serial`/`parallel` blocks
/// (at most three deep); one step in five also waits (`after`) for one or
/// two of the 50 steps written before it; one step in ten is not counted
/// (`counted: false`). Every step has a legal limit, a promised limit, a
/// `min` and a `cost`, so the flow can be planned, cut and simulated.
///
/// `budget` is written as the flow's `budget`; without one the flow is
/// feasible (nothing to cut). The same `steps` and `seed` give the same
/// text; about 125 bytes a step.
pub fn synthetic_flow(steps: usize, budget: Option<u32>, seed: u64) -> String {
    let mut g = Synth { rng: StdRng::seed_from_u64(seed), text: String::with_capacity(steps * 130), next: 0 };
    g.text.push_str("id: synthetic\nname: 合成流程\n");
    if let Some(budget) = budget {
        g.text.push_str(&format!("budget: {budget}\n"));
    }
    g.text.push_str("stages:\n");
    let stages = steps.div_ceil(500).max(1);
    for s in 0..stages {
        let end = (steps * (s + 1)) / stages;
        g.text.push_str(&format!("  - id: stage{s}\n    name: 阶段{s}\n    steps:\n"));
        while g.next < end {
            g.block(3, 6, end);
        }
    }
    g.text
}

struct Synth {
    rng: StdRng,
    text: String,
    /// The number of the next step.
    next: usize,
}

impl Synth {
    /// One item of a block list, indented `indent` spaces, with at most `depth` more levels below it.
    fn block(&mut self, depth: u32, indent: usize, end: usize) {
        let pad = " ".repeat(indent);
        let roll = self.rng.random_range(0..10);
        if depth == 0 || roll < 6 || end - self.next < 4 {
            self.text.push_str(&pad);
            self.text.push_str("- ");
            self.step();
            return;
        }
        let kind = if roll < 8 { "parallel" } else { "serial" };
        self.text.push_str(&format!("{pad}- {kind}:\n"));
        let items = self.rng.random_range(2..=4);
        for _ in 0..items {
            if self.next >= end {
                break;
            }
            self.block(depth - 1, indent + 4, end);
        }
    }

    fn step(&mut self) {
        let i = self.next;
        self.next += 1;
        let r = &mut self.rng;
        let promised = r.random_range(1..=20u32);
        let legal = promised + r.random_range(0..=10u32);
        let min = promised / 2;
        let cost = r.random_range(1..=9u32);
        let dept = r.random_range(0..40u32);
        let mut line = format!(
            "{{ id: s{i}, name: 审批事项{i}, dept: 部门{dept}, legal: {legal}, promised: {promised}, min: {min}, cost: {cost}"
        );
        if r.random_bool(0.1) {
            line.push_str(", counted: false");
        }
        if i > 0 && r.random_bool(0.2) {
            let k = r.random_range(1..=2usize);
            let refs: Vec<String> =
                (0..k).map(|_| format!("s{}", i - r.random_range(1..=i.min(50)))).collect();
            line.push_str(&format!(", after: [{}]", refs.join(", ")));
        }
        line.push_str(" }\n");
        self.text.push_str(&line);
    }
}
