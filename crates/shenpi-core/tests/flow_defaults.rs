//! Flow-wide rules: `on_timeout` as every step's default (Huaibei's 超时默认 for
//! every item) and `promise_ratio` (Weinan's limits halved), on load and on edit.

use proptest::prelude::*;
use shenpi_core::Flow;
use shenpi_core::diag::Code;
use shenpi_core::model::TimeoutPolicy;

fn codes(report: &shenpi_core::diag::Report) -> Vec<Code> {
    report.diagnostics().iter().map(|d| d.code).collect()
}

#[test]
fn a_flow_wide_on_timeout_applies_to_every_step_that_does_not_say_otherwise() {
    let flow = Flow::parse(
        "f.yaml",
        "
id: f
name: 5日办结
on_timeout: deem-approved
stages:
  - id: s
    name: stage
    steps:
      - { id: a, name: A, legal: 20, promised: 5 }
      - { id: fee, name: 规费收取, promised: 1, on_timeout: none }
",
    )
    .expect("valid");
    assert_eq!(flow.on_timeout(), TimeoutPolicy::DeemApproved);
    let policy = |id: &str| flow.step(id).map(|(_, s)| s.on_timeout());
    assert_eq!(policy("a"), Some(TimeoutPolicy::DeemApproved));
    assert_eq!(policy("fee"), Some(TimeoutPolicy::None), "a step's own policy wins");
}

#[test]
fn without_a_flow_wide_on_timeout_steps_are_overdue_not_deemed() {
    let flow = Flow::parse(
        "f.yaml",
        "id: f\nname: n\nstages:\n  - id: s\n    name: s\n    steps:\n      - { id: a, name: A, promised: 5 }\n",
    )
    .expect("valid");
    assert_eq!(flow.on_timeout(), TimeoutPolicy::None);
    assert_eq!(flow.step("a").map(|(_, s)| s.on_timeout()), Some(TimeoutPolicy::None));
}

const HALVED: &str = "
id: f
name: 时限减半
promise_ratio: 0.5
stages:
  - id: s
    name: stage
    steps:
      - { id: fire, name: 消防设计审查, legal: 15, promised: 7 }
      - { id: eia, name: 环评审批, legal: 30, promised: 15 }
      - { id: filing, name: 备案, promised: 0 }
";

#[test]
fn a_flow_within_its_promise_ratio_loads_and_keeps_it() {
    let flow = Flow::parse("f.yaml", HALVED).expect("every promise is at most half its legal limit");
    assert_eq!(flow.promise_ratio(), Some(0.5));
}

#[test]
fn an_edit_past_the_promise_ratio_is_refused_at_the_step() {
    let flow = Flow::parse("f.yaml", HALVED).expect("valid");
    let report = flow.edit(|d| {
        d.step("fire").promised(8);
    });
    let report = report.expect_err("8 of 15 is more than half");
    assert_eq!(codes(&report), [Code::PromiseOverRatio]);
    assert!(report.diagnostics()[0].message.contains("`fire`"), "{}", report.render());

    let stricter = flow.edit(|d| {
        d.promise_ratio(Some(0.3));
    });
    let report = stricter.expect_err("7 of 15 and 15 of 30 are more than 0.3");
    assert_eq!(codes(&report), [Code::PromiseOverRatio, Code::PromiseOverRatio]);
    assert!(
        flow.edit(|d| {
            d.promise_ratio(None).step("fire").promised(15);
        })
        .is_ok()
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// With a ratio of k/100, a step loads exactly when promised ≤ ⌊k·legal/100⌋,
    /// counted in integers: a decimal ratio never refuses a promise by rounding.
    #[test]
    fn the_ratio_allows_the_floor_of_its_share_of_the_legal_limit(
        k in 1u32..=100, legal in 0u32..400, promised in 0u32..400,
    ) {
        prop_assume!(promised <= legal);
        let ratio = f64::from(k) / 100.0;
        let text = format!(
            "id: f\nname: n\npromise_ratio: {ratio}\nstages:\n  - id: s\n    name: s\n    steps:\n      \
             - {{ id: a, name: A, legal: {legal}, promised: {promised} }}\n"
        );
        let allowed = k * legal / 100;
        match Flow::parse("f.yaml", &text) {
            Ok(_) => prop_assert!(promised <= allowed, "{promised} of {legal} loaded under {ratio}"),
            Err(r) => {
                prop_assert!(promised > allowed, "{promised} of {legal} refused under {ratio}: {}", r.render());
                prop_assert_eq!(codes(&r), vec![Code::PromiseOverRatio]);
            }
        }
    }
}
