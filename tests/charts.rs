//! The charts the README shows are what `shenpi render` draws today.
//! After a deliberate change to the pictures, refresh them with
//! `SHENPI_UPDATE_CHARTS=1 cargo test --test charts` and review the diff.

use std::path::Path;
use std::sync::Arc;

use shenpi::render::{self, Facts, Gantt};
use shenpi::{Calendar, Flow, FlowGraph, Plan};

fn check(name: &str, drawn: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/charts").join(name);
    if std::env::var_os("SHENPI_UPDATE_CHARTS").is_some() {
        std::fs::write(&path, drawn).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap();
    assert!(
        committed == drawn,
        "docs/charts/{name} is out of date: run `SHENPI_UPDATE_CHARTS=1 cargo test --test charts` and review the diff"
    );
}

#[test]
fn readme_charts_are_current() {
    let flow =
        Arc::new(Flow::load(concat!(env!("CARGO_MANIFEST_DIR"), "/flows/zhejiang-industrial.yaml")).unwrap());
    let plan = Plan::new(FlowGraph::new(flow.clone(), flow.defaults()));
    check("zhejiang-industrial.svg", &render::flowchart_svg(plan.graph(), &Facts::from_plan(&plan)));
    let calendar = Calendar::cn();
    let start = chrono::NaiveDate::from_ymd_opt(2025, 3, 3).unwrap();
    let dates = plan.dates(start, &calendar).unwrap();
    let gantt = Gantt::from_plan(&plan, &dates, &calendar).unwrap();
    check("zhejiang-industrial-gantt.svg", &render::gantt_svg(plan.graph(), &gantt, &calendar));
}
