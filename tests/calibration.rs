//! Every bundled flow's simulation models agree with what the reform reports
//! measured of government items (审批事项):
//!
//! - Pinghu's town and village centres closed 100% of their items on time
//!   (平湖市"三个紧扣"深化政府管理改革, 2014: "事项按时办结率和办理准确率均达到100%"), so
//!   few simulated items may pass their promised limit: at most [`LATE`] of all
//!   draws, and at most [`LATE_ITEM`] of any one item's (the heavy industrial
//!   items keep a small tail);
//! - Jiaxing's joint handling ran at least 30% faster than its promises
//!   (嘉兴关于继续深化我市行政审批制度改革的调研报告: "联审联办的实际平均办理时间分别比法定
//!   时间和承诺时间提速6 %和3 %以上"), and its centre's items took 3.15 working days
//!   on average against promises of 10 ("承诺期限1 个工作日……实际办理仅需3.15个工作日"),
//!   so actual over promised days averages within [`RATIO`];
//! - Pinghu's items ran 86.33% faster than their legal limits ("进驻事项实际办理
//!   时间比法定时间提速达86.33%"), Jiaxing's joint handling at least 60%, so
//!   提速率 against the legal limit, (法定 − 实际) / 法定 per item, averaged as
//!   the Jiaxing report averages it (Σ(法定 − 实际) / Σ法定, the formula of
//!   `Status::speed_up` and `Reform::promised_speed_up`), lies within
//!   [`SPEED_UP`].
//!
//! A government item is a counted decision (approval, joint review,
//! acceptance or registration) with a department and a promised limit above 0
//! (即办 items take 0).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use shenpi::model::Value;
use shenpi::sim::Sampler;
use shenpi::{Flow, FlowGraph, Node};

/// Most of all government-item draws that may run past the promise.
const LATE: f64 = 0.02;
/// Most of one item's draws that may run past its promise.
const LATE_ITEM: f64 = 0.05;
/// Band of the mean of actual / promised days.
const RATIO: (f64, f64) = (0.25, 0.75);
/// Band of 提速率 against the legal limit, Σ(legal − actual) / Σ legal.
const SPEED_UP: (f64, f64) = (0.60, 0.95);

const RUNS: u64 = 2_000;
const SEED: u64 = 2019;

/// What the draws say about a flow's government items.
#[derive(Debug)]
struct Figures {
    items: usize,
    late: f64,
    worst_item: (String, f64),
    ratio: f64,
    speed_up: f64,
}

fn bundled_flows() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("flows");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("flows/ is readable")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    paths.sort();
    paths
}

fn is_government_item(g: &FlowGraph, v: Node) -> bool {
    let step = g.step(v);
    g.counted()[v.index()] && !step.depts().is_empty() && step.kind().is_decision() && step.promised() > 0
}

fn figures(graph: &FlowGraph) -> Figures {
    let items: Vec<Node> = graph.nodes().filter(|&v| is_government_item(graph, v)).collect();
    let mut late = vec![0u64; items.len()];
    let (mut ratio, mut saved, mut legal_sum) = (0.0, 0.0, 0.0);
    for run in 0..RUNS {
        let mut sampler = Sampler::new(graph, SEED, run);
        let draws: Vec<_> = graph.nodes().map(|v| sampler.draw(v)).collect();
        for (k, &v) in items.iter().enumerate() {
            let (d, step) = (draws[v.index()], graph.step(v));
            if d.deemed || d.work > step.promised() {
                late[k] += 1;
            }
            ratio += f64::from(d.work) / f64::from(step.promised());
            if let Some(legal) = step.legal().filter(|&l| l > 0) {
                saved += f64::from(legal) - f64::from(d.work);
                legal_sum += f64::from(legal);
            }
        }
    }
    let draws = (RUNS * items.len() as u64).max(1) as f64;
    let (k, worst) = late.iter().enumerate().max_by_key(|&(_, n)| *n).map_or((0, 0), |(k, &n)| (k, n));
    Figures {
        items: items.len(),
        late: late.iter().sum::<u64>() as f64 / draws,
        worst_item: (
            items.get(k).map_or(String::new(), |&v| graph.step(v).id().to_string()),
            worst as f64 / RUNS as f64,
        ),
        ratio: ratio / draws,
        speed_up: if legal_sum > 0.0 { saved / legal_sum } else { 0.0 },
    }
}

/// Projects other than a flow's default one whose steps the defaults leave
/// out: the 零审批 project of standard-land.yaml, one joint step for all the
/// approvals up to the construction permit.
const VARIANTS: &[(&str, &str, bool)] = &[("standard-land.yaml", "zero_approval", true)];

/// Holds one project of a flow to the bands.
fn check(name: &str, graph: &FlowGraph) {
    let f = figures(graph);
    // `cargo test --test calibration -- --nocapture` shows each flow's figures.
    println!("{name}: {f:?}");
    assert!(f.items > 0, "{name}: no government items");
    assert!(f.late <= LATE, "{name}: {:.1}% of government items past their promise: {f:?}", 100.0 * f.late);
    assert!(f.worst_item.1 <= LATE_ITEM, "{name}: one item too often late: {f:?}");
    assert!((RATIO.0..=RATIO.1).contains(&f.ratio), "{name}: actual / promised {:.2}: {f:?}", f.ratio);
    assert!(
        (SPEED_UP.0..=SPEED_UP.1).contains(&f.speed_up),
        "{name}: speed-up against legal {:.2}: {f:?}",
        f.speed_up
    );
}

#[test]
fn government_items_finish_well_inside_their_promise_as_the_reports_measured() {
    let flows = bundled_flows();
    assert!(flows.len() >= 6, "the bundled flows are found: {flows:?}");
    for path in flows {
        let flow = Arc::new(Flow::load(&path).expect("bundled flows are valid"));
        let name = path.file_name().map_or(String::new(), |n| n.to_string_lossy().into_owned());
        check(&name, &FlowGraph::new(flow.clone(), flow.defaults()));
        for &(file, param, value) in VARIANTS.iter().filter(|(file, ..)| *file == name) {
            let mut params = flow.defaults();
            params.set(param, Value::Bool(value));
            check(&format!("{file} with {param}={value}"), &FlowGraph::new(flow.clone(), params));
        }
    }
}
