//! The reform's mechanisms on `tests/data/mechanisms.yaml`: joint review, one
//! window, intermediaries, budgets over groups of stages, the counting rule,
//! commitment and simulated approval — as the model reads them.

use std::path::Path;

use shenpi::graph::{Mode, Options};
use shenpi::model::{CommissionedBy, Silence, StepKind, TotalRule};
use shenpi::{Flow, FlowGraph, Plan, sim};

fn fixture() -> Flow {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/mechanisms.yaml");
    Flow::load(&path).unwrap_or_else(|e| panic!("{}", e.report().map_or(e.to_string(), |r| r.render())))
}

fn codes(report: &shenpi::diag::Report) -> Vec<&'static str> {
    report.diagnostics().iter().map(|d| d.code.as_str()).collect()
}

#[test]
fn joint_steps_read_their_lead_members_and_silence() {
    let flow = fixture();
    let (_, review) = flow.step("drawing-review").unwrap();
    assert_eq!(review.kind(), StepKind::Joint);
    assert_eq!(review.depts(), ["住建局"]);
    let joint = review.joint().unwrap();
    let members: Vec<(&str, u32)> = joint.members().iter().map(|m| (m.dept(), m.promised())).collect();
    assert_eq!(members, [("消防救援大队", 3), ("人防办", 2)]);
    assert_eq!(joint.silence(), Silence::Agree, "agree is the default");
    assert_eq!(joint.longest(), 3);
    let (_, acceptance) = flow.step("joint-acceptance").unwrap();
    assert_eq!(acceptance.joint().unwrap().silence(), Silence::Block);
    assert_eq!(acceptance.joint().unwrap().member("人防办").map(|(i, m)| (i, m.promised())), Some((2, 2)));
    assert!(flow.step("filing").unwrap().1.joint().is_none());
}

#[test]
fn a_stage_names_its_window() {
    let flow = fixture();
    let windows: Vec<Option<&str>> = flow.stages().iter().map(|s| s.window()).collect();
    assert_eq!(windows, [Some("政务服务中心"), None, None, Some("政务服务中心")]);
}

#[test]
fn an_intermediary_counts_only_when_the_government_commissions_it() {
    let flow = fixture();
    let report = flow.step("eia-report").unwrap().1;
    assert_eq!(report.commissioned_by(), Some(CommissionedBy::Applicant));
    assert!(!report.counted(), "an intermediary the applicant hires is not counted");
    assert_eq!(report.provider(), Some("某环评公司"));
    let energy = flow.step("energy-report").unwrap().1;
    assert_eq!(energy.commissioned_by(), Some(CommissionedBy::Government));
    assert!(energy.counted());
    assert_eq!(flow.step("eia").unwrap().1.commissioned_by(), None, "only intermediaries are commissioned");
}

// Regression: before `commissioned_by`, an intermediary counted by default and
// every bundled one said `counted: false`; under the new default they mean the same.
#[test]
fn bundled_intermediaries_keep_their_counting() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("flows");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "yaml") {
            continue;
        }
        let flow = Flow::load(&path).unwrap();
        for s in flow.steps().iter().filter(|s| s.kind() == StepKind::Intermediary) {
            assert!(!s.counted(), "{}: {} is counted", path.display(), s.id());
            seen += 1;
        }
    }
    assert!(seen > 10, "only {seen} intermediaries in the bundled flows");
}

#[test]
fn budgets_group_stages_and_total_chooses_the_measure() {
    let flow = fixture();
    let groups: Vec<(&str, Vec<&str>, u32)> = flow
        .budgets()
        .iter()
        .map(|g| (g.name(), g.stages().iter().map(|&k| flow.stages()[k].id()).collect(), g.days()))
        .collect();
    assert_eq!(
        groups,
        [("开工前", vec!["initiation", "works", "permit"], 40), ("竣工验收", vec!["acceptance"], 10)]
    );
    assert_eq!(flow.total(), TotalRule::CriticalPath);
    let sum =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/mechanisms.yaml"))
            .unwrap()
            .replace("total: critical-path", "total: stage-sum");
    assert_eq!(Flow::parse("sum.yaml", &sum).unwrap().total(), TotalRule::StageSum);
}

#[test]
fn commitment_and_provisional_are_read() {
    let flow = fixture();
    let permit = flow.step("construction-permit").unwrap().1;
    assert_eq!(permit.commitment().map(|c| c.verify_within()), Some(20));
    let planning = flow.step("planning-permit").unwrap().1;
    let p = planning.provisional().unwrap();
    assert_eq!(p.before().iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["land-title"]);
    assert_eq!(p.confirm_within(), 5);
    assert!(p.is_before("land-title") && !p.is_before("filing"));
}

#[test]
fn provisional_false_reads_as_absent() {
    let text = "id: f\nname: n\nstages:\n  - id: s\n    name: s\n    steps:\n      - { id: a, name: A, promised: 1, provisional: false }\n";
    assert!(Flow::parse("f.yaml", text).unwrap().step("a").unwrap().1.provisional().is_none());
}

#[test]
fn an_edit_may_not_lower_a_joint_step_below_a_member() {
    let flow = fixture();
    let report = flow.edit(|d| {
        d.step("drawing-review").promised(2);
    });
    let report = report.unwrap_err();
    assert_eq!(codes(&report), ["E018"]);
    assert!(report.render().contains(
        "member `消防救援大队` of joint step `drawing-review` promises 3 days, more than the step's 2"
    ));
    assert!(
        flow.edit(|d| {
            d.step("drawing-review").promised(3);
        })
        .is_ok()
    );
}

#[test]
fn an_edit_keeps_provisional_prerequisites_among_what_the_step_waits_for() {
    let flow = fixture();
    // Without `after: [land-title]`, the planning permit no longer waits for the title.
    let report = flow
        .edit(|d| {
            d.step("planning-permit").after(std::iter::empty());
        })
        .unwrap_err();
    assert_eq!(codes(&report), ["E024"]);
    let edited = flow
        .edit(|d| {
            d.step("design-scheme").provisional(["land-planning"], 3);
            d.step("planning-permit").not_provisional();
        })
        .unwrap();
    assert_eq!(edited.step("design-scheme").unwrap().1.provisional().unwrap().confirm_within(), 3);
    assert!(edited.step("planning-permit").unwrap().1.provisional().is_none());
    let unknown = flow.edit(|d| {
        d.step("design-scheme").provisional(["land-titel"], 3);
    });
    assert_eq!(codes(&unknown.unwrap_err()), ["E007"]);
}

/// A flow of `n` parallel steps, step `i` waiting for those in `after[i]`,
/// step `k` allowed to run ahead of step `j`.
fn provisional_flow(after: &[Vec<usize>], k: usize, j: usize) -> String {
    let mut yaml =
        String::from("id: p\nname: p\nstages:\n  - id: s\n    name: s\n    steps:\n      - parallel:\n");
    for (i, a) in after.iter().enumerate() {
        let list: Vec<String> = a.iter().map(|x| format!("s{x}")).collect();
        let prov = if i == k {
            format!(", provisional: {{ before: [s{j}], confirm_within: 3 }}")
        } else {
            String::new()
        };
        yaml.push_str(&format!(
            "          - {{ id: s{i}, name: S, promised: 1, after: [{}]{prov} }}\n",
            list.join(", ")
        ));
    }
    yaml
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(128))]
    /// `before` is accepted exactly when it names a step the step waits for,
    /// directly or through others (checked against a transitive closure).
    #[test]
    fn before_is_accepted_exactly_for_prerequisites(
        edges in proptest::collection::vec(proptest::collection::vec(0usize..12, 0..3), 2..12),
        pick in (0usize..12, 0usize..12),
    ) {
        let n = edges.len();
        let after: Vec<Vec<usize>> = edges.iter().enumerate()
            .map(|(i, a)| { let mut a: Vec<usize> = a.iter().copied().filter(|&x| x < i).collect(); a.sort_unstable(); a.dedup(); a })
            .collect();
        let (k, j) = (pick.0 % n, pick.1 % n);
        let mut reach = vec![vec![false; n]; n];
        for i in 0..n {
            for &a in &after[i] {
                let via = reach[a].clone();
                reach[i][a] = true;
                for (r, v) in reach[i].iter_mut().zip(via) {
                    *r |= v;
                }
            }
        }
        let result = Flow::parse("p.yaml", &provisional_flow(&after, k, j));
        proptest::prop_assert_eq!(result.is_ok(), reach[k][j], "{:?}", result.err().map(|r| r.render()));
    }
}

// Hostile input: every step of a long chain may run ahead of the first, so
// the searches would visit about n²/2 steps; the check stops at its limit
// with a clear error instead of taking quadratic time.
#[test]
fn too_many_prerequisite_searches_are_refused() {
    let n = 5_000;
    let mut yaml = String::from("id: p\nname: p\nstages:\n  - id: s\n    name: s\n    steps:\n");
    yaml.push_str("      - { id: s0, name: S, promised: 1 }\n");
    for i in 1..n {
        yaml.push_str(&format!(
            "      - {{ id: s{i}, name: S, promised: 1, provisional: {{ before: [s0], confirm_within: 1 }} }}\n"
        ));
    }
    let report = Flow::parse("long.yaml", &yaml).unwrap_err();
    assert_eq!(codes(&report), ["E016"]);
    assert!(report.render().contains("too many `provisional` prerequisites to check"));
    // Within the limit, the same shape loads.
    let short: String = yaml.lines().take(6 + 1_000).map(|l| format!("{l}\n")).collect();
    assert!(Flow::parse("short.yaml", &short).is_ok());
}

// Plan and simulation. Figures of tests/data/mechanisms.yaml, by hand:
// filing 1; then land-planning 5 -> land-title 10 (day 16), the applicant's EIA
// report 10 (uncounted) -> eia 7, the government's energy report 8 -> energy 5;
// works after land-planning: design-scheme 7 -> planning-permit 7 after
// land-title (day 23); permit: drawing-review 5 -> construction-permit 5 (33);
// acceptance: joint-acceptance 5 -> property 5 (43).

fn plan_with(flow: &std::sync::Arc<Flow>, options: Options) -> Plan {
    Plan::new(FlowGraph::with_options(flow.clone(), flow.defaults(), options))
}

#[test]
fn plan_reports_groups_and_both_counting_rules() {
    let flow = std::sync::Arc::new(fixture());
    let plan = plan_with(&flow, Options::default());
    assert_eq!((plan.total_days(), plan.elapsed_days(), plan.stage_sum_days()), (43, 43, 50));
    assert_eq!(plan.measured_days(), 43, "the flow says total: critical-path");
    assert_eq!(plan.slack(), Some(17));
    let groups: Vec<(u32, u32, u32, i64)> = plan
        .groups()
        .iter()
        .map(|g| (g.critical_path_days, g.stage_sum_days, g.total_days, g.slack()))
        .collect();
    assert_eq!(groups, [(33, 40, 33, 7), (10, 10, 10, 0)]);
    assert_eq!(
        plan.chain_ids(&plan.groups()[0].chain),
        ["filing", "land-planning", "land-title", "planning-permit", "drawing-review", "construction-permit"]
    );
    assert!(plan.budget_diagnostics().is_empty());
    // Under stage-sum, the budget and the groups are checked against the sums.
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/mechanisms.yaml"))
            .unwrap()
            .replace("total: critical-path", "total: stage-sum")
            .replace("days: 40 }", "days: 38 }");
    let sum = std::sync::Arc::new(Flow::parse("sum.yaml", &text).unwrap());
    let plan = plan_with(&sum, Options::default());
    assert_eq!((plan.measured_days(), plan.slack()), (50, Some(10)));
    assert_eq!(plan.groups()[0].total_days, 40);
    let diags = plan.budget_diagnostics();
    assert_eq!(codes_of(&diags), ["E013"]);
    assert_eq!(
        diags[0].message,
        "budget group `开工前` takes 40 counted working days summed by stage, 2 over its budget of 38"
    );
    // The critical path's float is the measured slack: the 7 days of overlap are taken off the budget.
    assert_eq!(plan.step_by_id("property").unwrap().total_float, 10);
}

fn codes_of(diags: &[shenpi::diag::Diagnostic]) -> Vec<&'static str> {
    diags.iter().map(|d| d.code.as_str()).collect()
}

// The industrial example: its stages overlap (the owner's design and works run
// beside approvals), so the stage sum exceeds the critical path.
#[test]
fn the_industrial_flow_reports_both_figures() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("flows/zhejiang-industrial.yaml");
    let flow = std::sync::Arc::new(Flow::load(&path).unwrap());
    let plan = plan_with(&flow, Options::default());
    let sum: u32 = plan.stages().iter().map(|s| s.total_days).sum();
    assert_eq!(plan.stage_sum_days(), sum);
    assert!(plan.stage_sum_days() > plan.total_days(), "{} {}", plan.stage_sum_days(), plan.total_days());
}

#[test]
fn commitment_saves_the_pledged_steps_days() {
    let flow = std::sync::Arc::new(fixture());
    let plan = plan_with(&flow, Options { commitment: true, ..Options::default() });
    assert!(plan.graph().is_pledged(plan.graph().node("construction-permit").unwrap()));
    assert!(!plan.graph().is_pledged(plan.graph().node("drawing-review").unwrap()));
    assert_eq!(plan.step_by_id("eia").map(|s| s.ef - s.es), Some(0));
    let gain = plan.gain().unwrap();
    assert_eq!((gain.baseline_total_days, plan.total_days(), gain.total_days_saved), (43, 38, 5));
    assert_eq!(gain.elapsed_days_saved, 5);
}

#[test]
fn simulated_mode_runs_ahead_of_the_named_prerequisites_only() {
    let flow = std::sync::Arc::new(fixture());
    let plan = plan_with(&flow, Options { mode: Mode::Simulated, ..Options::default() });
    let permit = plan.step_by_id("planning-permit").unwrap();
    // It no longer waits for land-title (day 16), still for design-scheme (13) and so land-planning.
    assert_eq!((permit.es, permit.ef), (13, 20));
    let g = plan.graph();
    let preds: Vec<&str> =
        g.dag().preds(g.node("planning-permit").unwrap()).iter().map(|&u| g.step(u).id()).collect();
    assert!(preds.contains(&"design-scheme") && preds.contains(&"land-planning"), "{preds:?}");
    assert!(!preds.contains(&"land-title"), "{preds:?}");
    let gain = plan.gain().unwrap();
    assert_eq!((gain.baseline_elapsed_days, plan.elapsed_days(), gain.elapsed_days_saved), (43, 40, 3));
    assert_eq!(gain.total_days_saved, 3);
    assert!(plan_with(&flow, Options::default()).gain().is_none());
}

#[test]
fn simulation_reports_groups_rules_members_and_gains() {
    let flow = std::sync::Arc::new(fixture());
    let run = |flow: &std::sync::Arc<Flow>, options| {
        let graph = FlowGraph::with_options(flow.clone(), flow.defaults(), options);
        sim::simulate(&graph, &sim::SimOptions { runs: 3_000, seed: 11 }).unwrap()
    };
    let r = run(&flow, Options::default());
    assert_eq!((r.plan.total_days, r.total), (43, TotalRule::CriticalPath));
    assert_eq!((r.stage_sum_days.min, r.groups.len()), (50, 2));
    assert_eq!(r.p_within_budget, Some(1.0));
    // Joint acceptance waits for every opinion (silence: block): the fire brigade's
    // triangular [2, 3, 8] plus 2 days to consolidate keeps it within 5 days only
    // when the brigade takes at most 3, a sixth of the runs.
    let acceptance = &r.groups[1];
    assert_eq!((acceptance.name.as_str(), acceptance.days, acceptance.plan_total_days), ("竣工验收", 10, 10));
    assert!((acceptance.p_within_budget - 1.0 / 6.0).abs() < 0.03, "{}", acceptance.p_within_budget);
    let joint = r.steps.iter().find(|s| s.id == "joint-acceptance").unwrap();
    assert!(joint.mean_delay > 1.0, "{}", joint.mean_delay);
    // Deemed agreement caps a silent member at its limit: the step keeps its 5 days.
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/mechanisms.yaml"))
            .unwrap()
            .replace("silence: block", "silence: agree");
    let agree = std::sync::Arc::new(Flow::parse("agree.yaml", &text).unwrap());
    let r = run(&agree, Options::default());
    assert_eq!(r.groups[1].p_within_budget, 1.0);
    assert_eq!(r.steps.iter().find(|s| s.id == "joint-acceptance").unwrap().mean_delay, 0.0);
    assert!(r.gain.is_none());
    // Commitment and simulated approval, against the same runs without them.
    let r = run(&agree, Options { mode: Mode::Simulated, commitment: true });
    let gain = r.gain.as_ref().unwrap();
    assert_eq!((gain.total_days_saved, gain.elapsed_days_saved), (8.0, 8.0));
    assert_eq!(r.total_days.max, 35);
}

#[test]
fn a_live_project_measures_each_group_of_stages() {
    use shenpi::runtime::{Alert, EventKind, MemoryStore, NewEvent, Project};
    let flow = std::sync::Arc::new(fixture());
    let day = |d| chrono::NaiveDate::from_ymd_opt(2025, 3, d).unwrap();
    let store = MemoryStore::new();
    let mut p = Project::create(&store, flow, "P-1", day(3), &[]).unwrap();
    let s = p.status(day(3)).unwrap();
    let groups: Vec<(&str, u32, u32, i64, Alert)> =
        s.groups.iter().map(|g| (g.name.as_str(), g.used, g.projected, g.slack, g.alert)).collect();
    // As planned: 33 of 40 before construction starts, 10 of 10 for acceptance (no day to spare).
    assert_eq!(groups, [("开工前", 0, 33, 7, Alert::None), ("竣工验收", 0, 10, 0, Alert::Yellow)]);
    // Filing takes 3 working days instead of 1: two days of the group's slack are gone.
    p.record(&store, NewEvent::new("filing", EventKind::Accepted, day(3)), day(6)).unwrap();
    p.record(&store, NewEvent::new("filing", EventKind::Approved, day(6)), day(6)).unwrap();
    let g = &p.status(day(6)).unwrap().groups[0];
    assert_eq!((g.used, g.projected, g.slack, g.alert), (3, 35, 5, Alert::None));
}
