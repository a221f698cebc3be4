//! What-if edits: a changed copy of a flow comes back only when it is valid,
//! and the original never changes.

use std::sync::Arc;

use chrono::NaiveDate;
use shenpi_core::diag::Code;
use shenpi_core::model::{Delay, DurationModel};
use shenpi_core::runtime::Project;
use shenpi_core::{Flow, FlowGraph, Plan};

const FLOW: &str = "
id: f
name: three reviews
budget: 12
stages:
  - id: s
    name: stage
    budget: 12
    steps:
      - { id: a, name: A, legal: 20, promised: 5 }
      - parallel:
          - { id: b, name: B, legal: 20, promised: 7 }
          - { id: c, name: C, legal: 10, promised: 3 }
";

fn flow() -> Flow {
    Flow::parse("f.yaml", FLOW).expect("valid")
}

fn codes(report: &shenpi_core::diag::Report) -> Vec<Code> {
    report.diagnostics().iter().map(|d| d.code).collect()
}

#[test]
fn an_edit_changes_the_copy_and_the_plan_follows() {
    let f = flow();
    let edited = f
        .edit(|d| {
            d.step("b").promised(2);
            d.budget(Some(8)).stage("s").budget(Some(8));
        })
        .expect("valid edit");
    assert_eq!(edited.step("b").map(|(_, s)| s.promised()), Some(2));
    assert_eq!((edited.budget(), edited.stages()[0].budget()), (Some(8), Some(8)));
    assert!(edited.is_edited() && !f.is_edited());
    assert_eq!(f.step("b").map(|(_, s)| s.promised()), Some(7), "the original is untouched");
    let edited = Arc::new(edited);
    let plan = Plan::new(FlowGraph::new(edited.clone(), edited.defaults()));
    assert_eq!((plan.total_days(), plan.slack()), (8, Some(0)));
}

#[test]
fn an_edit_that_breaks_a_rule_returns_every_diagnostic() {
    let f = flow();
    let report = f
        .edit(|d| {
            d.step("c").promised(11).min(12);
            d.step("a").supplement(Some(Delay { p: -0.1, days: DurationModel::Fixed(1.0) }));
            d.step("b").duration(Some(DurationModel::Triangular { min: 3.0, mode: 2.0, max: 1.0 }));
        })
        .expect_err("invalid");
    assert_eq!(
        codes(&report),
        [Code::InvalidValue, Code::InvalidValue, Code::PromisedOverLegal, Code::InvalidValue],
        "in file order: a, b, then c twice"
    );
}

#[test]
fn an_after_edge_that_closes_a_circle_is_a_cycle_diagnostic() {
    let report = flow()
        .edit(|d| {
            d.step("a").after(["c"]);
        })
        .expect_err("a cycle");
    assert_eq!(codes(&report), [Code::Cycle]);
    assert_eq!(report.diagnostics()[0].notes, ["a -> c -> a"]);
}

#[test]
fn unknown_ids_in_an_edit_are_reported_with_the_nearest() {
    let report = flow()
        .edit(|d| {
            d.step("bb").promised(1);
            d.stage("t").budget(None);
            d.step("a").after(["cc"]);
        })
        .expect_err("unknown ids");
    assert_eq!(codes(&report), [Code::UnknownReference; 3]);
    let help: Vec<_> = report.diagnostics().iter().map(|d| d.help.as_deref()).collect();
    assert_eq!(help[0], Some("did you mean `b`?"));
    assert_eq!(help[2], Some("did you mean `c`?"));
}

#[test]
fn a_project_cannot_start_on_an_edited_flow_whose_text_it_would_pin() {
    let edited = Arc::new(
        flow()
            .edit(|d| {
                d.step("b").promised(2);
            })
            .expect("valid"),
    );
    let start = NaiveDate::from_ymd_opt(2025, 3, 3).expect("a date");
    let e = Project::start(edited, "P-1", start, &[]).expect_err("edited");
    assert!(e.is_invalid(), "{e}");
}
