use std::path::PathBuf;
use std::sync::Arc;

use proptest::prelude::*;

use super::*;
use crate::graph::Node;
use crate::model::{DurationModel, Flow};

fn flow(yaml: &str) -> Arc<Flow> {
    match Flow::parse("test.yaml", yaml) {
        Ok(f) => Arc::new(f),
        Err(r) => panic!("test flow is invalid:\n{}", r.render()),
    }
}

fn graph(flow: &Arc<Flow>) -> FlowGraph {
    FlowGraph::new(flow.clone(), flow.defaults())
}

fn run(flow: &Arc<Flow>, runs: u32, seed: u64) -> SimReport {
    simulate(&graph(flow), &SimOptions { runs, seed }).expect("valid options")
}

fn repo_flow(name: &str) -> Arc<Flow> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../flows").join(name);
    Arc::new(Flow::load(&path).expect("repository flows are valid"))
}

/// One stage of parallel steps, each written as a YAML mapping body.
fn parallel(budget: u32, steps: &[&str]) -> Arc<Flow> {
    let mut y = format!("id: t\nname: t\nbudget: {budget}\nstages:\n  - id: s\n    name: s\n    steps:\n");
    y.push_str("      - parallel:\n");
    for s in steps {
        y.push_str(&format!("          - {{ {s} }}\n"));
    }
    flow(&y)
}

/// The share of runs with a counted total of at most `t`, read off the histogram.
fn cdf(report: &SimReport, t: u32) -> f64 {
    let k: u32 = report.histogram.iter().filter(|b| b.to <= t).map(|b| b.count).sum();
    assert!(report.histogram.iter().all(|b| b.to <= t || b.from > t), "bins of one day");
    f64::from(k) / f64::from(report.runs)
}

/// Asserts `got` is within 5 standard errors of a share `p` estimated from `n` runs.
fn check_share(what: &str, got: f64, p: f64, n: u32) {
    let se = (p * (1.0 - p) / f64::from(n)).sqrt();
    let tol = 5.0 * se + 1e-12;
    assert!((got - p).abs() <= tol, "{what}: got {got}, expected {p} ± {tol}");
}

fn strip_models(flow: &Flow) -> Arc<Flow> {
    let f = flow.edit(|d| {
        for mut s in d.steps() {
            s.duration(None).supplement(None).special(None);
        }
    });
    Arc::new(f.expect("removing models keeps a flow valid"))
}

/// Longest path by enumerating every path from every source (exponential; small graphs only).
fn brute_longest(g: &FlowGraph, weight: &dyn Fn(Node) -> u32) -> u32 {
    fn from(g: &FlowGraph, v: Node, weight: &dyn Fn(Node) -> u32) -> u32 {
        weight(v) + g.dag().succs(v).iter().map(|&w| from(g, w, weight)).max().unwrap_or(0)
    }
    g.nodes().filter(|&v| g.dag().preds(v).is_empty()).map(|v| from(g, v, weight)).max().unwrap_or(0)
}

#[test]
fn fixed_durations_equal_the_plan_on_every_repository_flow() {
    for name in [
        "zhejiang-industrial.yaml",
        "government-investment.yaml",
        "jiaxing-before.yaml",
        "jiaxing-after.yaml",
        "national-four-stage.yaml",
        "standard-land.yaml",
        "weinan-industrial.yaml",
        "huaibei-construction.yaml",
    ] {
        let f = strip_models(&repo_flow(name));
        let g = graph(&f);
        let r = simulate(&g, &SimOptions { runs: 50, seed: 1 }).expect("valid");
        let counted =
            brute_longest(&g, &|v| if g.counted()[v.index()] { g.promised()[v.index()] } else { 0 });
        let elapsed = brute_longest(&g, &|v| g.promised()[v.index()]);
        assert_eq!((r.plan.total_days, r.plan.elapsed_days), (counted, elapsed), "{name}");
        assert_eq!((r.total_days.min, r.total_days.max), (counted, counted), "{name}");
        assert_eq!((r.elapsed_days.min, r.elapsed_days.max), (elapsed, elapsed), "{name}");
        assert_eq!(r.plan.difference, 0.0, "{name}");
        assert!(r.plan.drivers.is_empty(), "{name}");
        assert_eq!(r.p_within_budget, r.budget.map(|b| if counted <= b { 1.0 } else { 0.0 }), "{name}");
        for (st, stage) in r.stages.iter().enumerate() {
            let p = stage.budget.map(|b| if stage.plan_total_days <= b { 1.0 } else { 0.0 });
            assert_eq!(stage.p_within_budget, p, "{name} stage {st}");
        }
    }
}

#[test]
fn fixed_durations_equal_the_schedule_s_plan_with_dates() {
    let cal = crate::calendar::Calendar::cn();
    let start = chrono::NaiveDate::from_ymd_opt(2024, 2, 4).expect("a date"); // a make-up working Sunday
    for name in ["zhejiang-industrial.yaml", "jiaxing-before.yaml", "national-four-stage.yaml"] {
        let f = strip_models(&repo_flow(name));
        let plan = crate::schedule::Plan::new(graph(&f));
        let dates = plan.dates(start, &cal).expect("in the calendar's years");
        let r = run(&f, 20, 3).with_dates(start, &cal).expect("in the calendar's years");
        assert_eq!(
            (r.plan.total_days, r.plan.elapsed_days),
            (plan.total_days(), plan.elapsed_days()),
            "{name}"
        );
        assert_eq!(r.total_days.p95, plan.total_days(), "{name}");
        let stages: Vec<u32> = plan.stages().iter().map(|s| s.total_days).collect();
        assert_eq!(r.stages.iter().map(|s| s.plan_total_days).collect::<Vec<_>>(), stages, "{name}");
        let finish = r.finish_date.expect("dates asked for");
        assert_eq!(
            (r.start_date, finish.p50, finish.p95),
            (Some(dates.start), dates.finish, dates.finish),
            "{name}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Random DAGs with fixed models (not the promised days) and zero-chance pauses:
    /// every run is the longest path on the fixed values.
    #[test]
    fn fixed_models_give_the_longest_path(
        spec in prop::collection::vec((0u32..12, 0u32..12, any::<bool>(), any::<u8>()), 1..9)
    ) {
        let mut steps = Vec::new();
        for (i, (promised, fixed, counted, after)) in spec.iter().enumerate() {
            let preds: Vec<String> = (0..i).filter(|j| after >> (j % 8) & 1 == 1).map(|j| format!("s{j}")).collect();
            steps.push(format!(
                "id: s{i}, name: S, promised: {promised}, counted: {counted}, duration: {{ fixed: {fixed} }}, \
                 after: [{}], supplement: {{ p: 0, days: 9 }}",
                preds.join(", ")
            ));
        }
        let refs: Vec<&str> = steps.iter().map(String::as_str).collect();
        let f = parallel(20, &refs);
        let g = graph(&f);
        let fixed = |v: Node| spec[g.step_idx(v).index()].1;
        let counted = brute_longest(&g, &|v| if g.counted()[v.index()] { fixed(v) } else { 0 });
        let elapsed = brute_longest(&g, &fixed);
        let r = simulate(&g, &SimOptions { runs: 3, seed: 9 }).expect("valid");
        prop_assert_eq!((r.total_days.min, r.total_days.max), (counted, counted));
        prop_assert_eq!((r.elapsed_days.min, r.elapsed_days.max), (elapsed, elapsed));
        prop_assert_eq!(r.p_within_budget, Some(if counted <= 20 { 1.0 } else { 0.0 }));
    }
}

#[test]
fn the_same_seed_gives_the_same_json_across_calls_and_thread_counts() {
    let f = repo_flow("zhejiang-industrial.yaml");
    let g = graph(&f);
    let options = SimOptions { runs: 3_000, seed: 2019 };
    let json = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("a thread pool");
        let r = pool.install(|| simulate(&g, &options)).expect("valid");
        serde_json::to_string(&r).expect("serializable")
    };
    let one = json(1);
    assert_eq!(one, json(1));
    assert_eq!(one, json(2));
    assert_eq!(one, json(3));
    let other = simulate(&g, &SimOptions { seed: 2020, ..options }).expect("valid");
    assert_ne!(one, serde_json::to_string(&other).expect("serializable"), "another seed, other draws");
}

#[test]
fn shifting_a_step_later_never_raises_the_chance() {
    let f = repo_flow("zhejiang-industrial.yaml");
    let mut last = (f64::INFINITY, 0u32, 0u32);
    // The flow's counted total runs about 25 days against 90, so the last shifts push it past the budget.
    for shift in [0.0, 1.0, 3.0, 6.0, 10.0, 20.0, 35.0] {
        let shifted = f.edit(|d| {
            for id in ["drawing-review", "joint-acceptance"] {
                let (_, step) = f.step(id).expect("the flow has it");
                let model = match step.duration() {
                    Some(&DurationModel::Pert { min, mode, max }) => {
                        DurationModel::Pert { min: min + shift, mode: mode + shift, max: max + shift }
                    }
                    Some(&DurationModel::Triangular { min, mode, max }) => {
                        DurationModel::Triangular { min: min + shift, mode: mode + shift, max: max + shift }
                    }
                    _ => panic!("`{id}` has a pert or triangular model"),
                };
                d.step(id).duration(Some(model));
            }
        });
        let r = run(&Arc::new(shifted.expect("shifted models stay valid")), 2_000, 5);
        let p = r.p_within_budget.expect("the flow has a budget");
        assert!(p <= last.0, "shift {shift}: p {p} rose above {}", last.0);
        assert!(r.total_days.p50 >= last.1 && r.total_days.p95 >= last.2, "shift {shift}");
        last = (p, r.total_days.p50, r.total_days.p95);
    }
    assert!(last.0 < 1.0, "a 35-day shift on two critical steps must cost something");
}

#[test]
fn two_uniform_parallel_steps_match_the_closed_form() {
    // max of two independent uniform picks from 1..=10: P(max <= t) = (t/10)^2.
    let model = "duration: { empirical: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] }";
    let f = parallel(
        6,
        &[&format!("id: a, name: A, promised: 5, {model}"), &format!("id: b, name: B, promised: 5, {model}")],
    );
    let n = 20_000;
    let r = run(&f, n, 11);
    for t in 1..=10 {
        let p = (f64::from(t) / 10.0).powi(2);
        check_share(&format!("P(max <= {t})"), cdf(&r, t), p, n);
    }
    check_share("p_within_budget", r.p_within_budget.expect("budget"), 0.36, n);
    // Each step is critical when it is the larger one, ties included: P = 0.55.
    // corr(X, max(X, Y)) for X, Y uniform on 1..=10: cov 4.125, var X 8.25, var max 5.5275;
    // its standard error is about (1 − ρ²)/√N.
    let rho = 4.125 / (8.25f64.sqrt() * 5.5275f64.sqrt());
    let tol = 5.0 * (1.0 - rho * rho) / f64::from(n).sqrt();
    for s in &r.steps {
        check_share(&format!("criticality of {}", s.id), s.criticality, 0.55, n);
        assert!((s.cruciality - rho).abs() <= tol, "cruciality {} against {rho} ± {tol}", s.cruciality);
    }
}

#[test]
fn triangular_and_pert_match_their_distribution_functions() {
    let n = 20_000;
    // Triangular [0, 3, 10]: F(t) = t²/30 for t <= 3, 1 − (10 − t)²/70 above.
    let tri = |t: f64| if t <= 3.0 { t * t / 30.0 } else { 1.0 - (10.0 - t).powi(2) / 70.0 };
    // PERT [0, 5, 10] is 10·Beta(3, 3): F(t) = 10x³ − 15x⁴ + 6x⁵ with x = t/10.
    let pert = |t: f64| {
        let x = t / 10.0;
        10.0 * x.powi(3) - 15.0 * x.powi(4) + 6.0 * x.powi(5)
    };
    let cases: [(&str, &dyn Fn(f64) -> f64); 2] =
        [("{ triangular: [0, 3, 10] }", &tri), ("{ pert: [0, 5, 10] }", &pert)];
    for (model, f_of) in cases {
        let f = parallel(5, &[&format!("id: a, name: A, promised: 5, duration: {model}")]);
        let r = run(&f, n, 3);
        for t in 0..=10 {
            // Rounding up: a total of at most t days is a draw of at most t.
            check_share(&format!("{model} at {t}"), cdf(&r, t), f_of(f64::from(t)), n);
        }
    }
}

#[test]
fn pauses_add_elapsed_days_but_no_counted_days() {
    let f = parallel(
        10,
        &[
            "id: a, name: A, promised: 4, supplement: { p: 1, days: 3 }, special: { p: 1, days: { empirical: [2.5] } }",
        ],
    );
    let r = run(&f, 10, 1);
    assert_eq!((r.total_days.min, r.total_days.max), (4, 4));
    assert_eq!((r.elapsed_days.min, r.elapsed_days.max), (10, 10), "4 + 3 + ⌈2.5⌉");
    assert_eq!(r.steps[0].mean_paused, 6.0);
    assert_eq!(r.steps[0].mean_delay, 0.0);
}

#[test]
fn deemed_approval_caps_work_at_the_promised_limit() {
    let check = |policy: &str, expected: u32| {
        let f = parallel(
            10,
            &[&format!("id: a, name: A, legal: 20, promised: 5, duration: 9, on_timeout: {policy}")],
        );
        let r = run(&f, 5, 1);
        assert_eq!(r.total_days.max, expected, "{policy}");
        assert_eq!(r.steps[0].mean_delay, f64::from(expected) - 5.0, "{policy}");
    };
    check("deem-approved", 5);
    check("none", 9);
}

#[test]
fn uncounted_steps_weigh_nothing_on_the_counted_total() {
    let f = flow(
        "id: t\nname: t\nbudget: 10\nstages:\n  - id: s\n    name: s\n    steps:\n\
         \x20     - { id: doc, name: D, kind: intermediary, counted: false, promised: 30 }\n\
         \x20     - { id: a, name: A, promised: 5, duration: { triangular: [4, 5, 8] } }\n",
    );
    let r = run(&f, 500, 2);
    assert_eq!((r.plan.total_days, r.plan.elapsed_days), (5, 35));
    assert_eq!(r.p_within_budget, Some(1.0));
    assert!(r.elapsed_days.min >= 34);
    let doc = &r.steps[0];
    assert_eq!((doc.id.as_str(), doc.delay_contribution), ("doc", 0.0));
}

#[test]
fn stage_budgets_are_checked_on_the_stage_s_own_steps() {
    let f = flow(
        "id: t\nname: t\nbudget: 100\nstages:\n\
         \x20 - { id: one, name: one, budget: 5, steps: [ { id: a, name: A, promised: 5, duration: { empirical: [4, 6] } } ] }\n\
         \x20 - { id: two, name: two, budget: 9, steps: [ { id: b, name: B, promised: 8 } ] }\n",
    );
    let n = 4_000;
    let r = run(&f, n, 8);
    assert_eq!(r.stages[1].p_within_budget, Some(1.0), "stage two alone takes 8, whatever stage one took");
    check_share("stage one", r.stages[0].p_within_budget.expect("budget"), 0.5, n);
    assert_eq!(r.stages.iter().map(|s| s.plan_total_days).collect::<Vec<_>>(), [5, 8]);
}

#[test]
fn drivers_explain_the_gap_to_the_plan() {
    // `slow` runs 3 days over its promise and is always critical; `fast` is never critical.
    let f = parallel(
        20,
        &["id: slow, name: S, promised: 5, duration: 8", "id: fast, name: F, promised: 5, duration: 1"],
    );
    let r = run(&f, 100, 4);
    assert_eq!(r.plan.difference, 3.0);
    assert_eq!(r.plan.drivers.len(), 1);
    assert_eq!((r.plan.drivers[0].id.as_str(), r.plan.drivers[0].delay_contribution), ("slow", 3.0));
    assert_eq!(r.threats(1)[0].id, "slow");
}

#[test]
fn over_budget_runs_name_the_steps_that_were_critical() {
    let f = parallel(
        5,
        &["id: a, name: A, promised: 5, duration: { empirical: [4, 6] }", "id: b, name: B, promised: 3"],
    );
    let r = run(&f, 1_000, 6);
    let a = &r.steps.iter().find(|s| s.id == "a").expect("a");
    let b = &r.steps.iter().find(|s| s.id == "b").expect("b");
    assert_eq!(a.criticality_over_budget, Some(1.0));
    assert_eq!(b.criticality_over_budget, Some(0.0));
    assert_eq!(r.threats(2).iter().map(|s| s.id.as_str()).collect::<Vec<_>>(), ["a", "b"]);
}

#[test]
fn without_late_runs_threats_follow_cruciality() {
    // Nothing is over budget; `wide` varies most and decides the total most often.
    let f = parallel(
        100,
        &[
            "id: narrow, name: N, promised: 5, duration: { empirical: [5, 6] }",
            "id: wide, name: W, promised: 5, duration: { empirical: [1, 3, 5, 7, 9] }",
            "id: fixed, name: F, promised: 6",
        ],
    );
    let r = run(&f, 2_000, 12);
    assert_eq!(r.p_within_budget, Some(1.0));
    assert!(r.steps.iter().all(|s| s.criticality_over_budget.is_none()));
    let ids: Vec<&str> = r.threats(3).iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["wide", "narrow", "fixed"]);
}

#[test]
fn bad_options_and_models_are_errors_not_panics() {
    let f = parallel(5, &["id: a, name: A, promised: 5"]);
    let g = graph(&f);
    for runs in [0, MAX_RUNS + 1] {
        let e = simulate(&g, &SimOptions { runs, seed: 1 }).expect_err("out of range");
        assert!(e.is_invalid_option(), "{e}");
        assert!(e.to_string().contains(&runs.to_string()), "{e}");
    }
    // A model that cannot be sampled never reaches the simulation: the edit that makes it is refused.
    type Change = fn(&mut crate::model::StepDraft<'_>);
    let bad: [(&str, Change); 4] = [
        ("probability 1.5", |s| {
            s.supplement(Some(crate::model::Delay { p: 1.5, days: DurationModel::Fixed(1.0) }));
        }),
        ("needs min ≤ mode ≤ max", |s| {
            s.duration(Some(DurationModel::Pert { min: 5.0, mode: 1.0, max: 9.0 }));
        }),
        ("NaN days", |s| {
            s.duration(Some(DurationModel::Fixed(f64::NAN)));
        }),
        ("at least one", |s| {
            s.duration(Some(DurationModel::Empirical(Vec::new())));
        }),
    ];
    for (message, change) in bad {
        let report = f.edit(|d| change(&mut d.step("a"))).expect_err(message);
        let d = &report.diagnostics()[0];
        assert_eq!(d.code, crate::diag::Code::InvalidValue, "{message}");
        assert!(d.message.contains(message), "{}", d.message);
    }
}

#[test]
fn histogram_bins_widen_past_one_hundred_days() {
    let check = |values: &[u32], expected: &[(u32, u32, u32)]| {
        let got: Vec<(u32, u32, u32)> = histogram(values).iter().map(|b| (b.from, b.to, b.count)).collect();
        assert_eq!(got, expected, "{values:?}");
    };
    check(&[3, 3, 5], &[(3, 3, 2), (4, 4, 0), (5, 5, 1)]);
    let wide: Vec<(u32, u32, u32)> =
        (0..84).map(|b| (b * 3, b * 3 + 2, u32::from(b == 0 || b == 83))).collect();
    check(&[0, 250], &wide);
    check(&[u32::MAX - 1, u32::MAX], &[(u32::MAX - 1, u32::MAX - 1, 1), (u32::MAX, u32::MAX, 1)]);
}

#[test]
fn percentiles_are_nearest_rank() {
    let s = summarize(&(1..=10).collect::<Vec<u32>>());
    assert_eq!((s.p50, s.p80, s.p95, s.min, s.max, s.mean), (5, 8, 10, 1, 10, 5.5));
    let s = summarize(&[7]);
    assert_eq!((s.p50, s.p95), (7, 7));
}

#[test]
fn a_sampler_on_run_k_draws_exactly_run_k() {
    let f = repo_flow("zhejiang-industrial.yaml");
    let g = graph(&f);
    let seed = 42;
    let full = run(&f, 300, seed);
    let mut counted_totals = Vec::new();
    for k in [0u64, 1, 17, 299] {
        let mut sampler = Sampler::new(&g, seed, k);
        let draws: Vec<StepDraw> = g.nodes().map(|v| sampler.draw(v)).collect();
        let counted = brute_longest(&g, &|v| if g.counted()[v.index()] { draws[v.index()].work } else { 0 });
        let elapsed = brute_longest(&g, &|v| {
            let d = draws[v.index()];
            d.work + d.supplement.unwrap_or(0) + d.special.unwrap_or(0)
        });
        if k == 0 {
            let one = run(&f, 1, seed);
            assert_eq!((one.total_days.max, one.elapsed_days.max), (counted, elapsed));
        }
        counted_totals.push(counted);
    }
    // Every sampled run's total is one the full simulation saw.
    let seen = |t: u32| full.histogram.iter().any(|b| b.from <= t && t <= b.to && b.count > 0);
    assert!(counted_totals.iter().all(|&t| seen(t)), "{counted_totals:?}");
}

#[test]
fn a_sampler_marks_deemed_approvals_and_keeps_pauses_apart() {
    let f = parallel(
        10,
        &[
            "id: a, name: A, promised: 5, duration: 9, on_timeout: deem-approved, supplement: { p: 1, days: 3 }, special: { p: 1, days: 4 }",
            "id: b, name: B, promised: 5, duration: 4, on_timeout: deem-approved, supplement: { p: 0, days: 3 }",
        ],
    );
    let g = graph(&f);
    let mut s = Sampler::new(&g, 1, 0);
    let a = s.draw(g.node("a").expect("a"));
    let b = s.draw(g.node("b").expect("b"));
    assert_eq!(a, StepDraw { work: 5, deemed: true, supplement: Some(3), special: Some(4) });
    assert_eq!(b, StepDraw { work: 4, deemed: false, supplement: None, special: None });
}

#[test]
fn threats_put_a_widely_varying_step_before_a_steady_one_on_the_chain() {
    // `chain` is critical in every late run but barely varies; `wide` decides most late runs.
    let f = flow(
        "id: t\nname: t\nbudget: 20\nstages:\n  - id: s\n    name: s\n    steps:\n\
         \x20     - { id: chain, name: C, promised: 5, duration: { empirical: [5, 6] } }\n\
         \x20     - parallel:\n\
         \x20         - { id: wide, name: W, promised: 10, duration: { empirical: [2, 6, 10, 16, 20] } }\n\
         \x20         - { id: steady, name: S, promised: 12, duration: { empirical: [12, 15] } }\n",
    );
    let r = run(&f, 4_000, 3);
    let chain = r.steps.iter().find(|s| s.id == "chain").expect("chain");
    let wide = r.steps.iter().find(|s| s.id == "wide").expect("wide");
    assert_eq!(chain.criticality_over_budget, Some(1.0));
    assert!(wide.criticality_over_budget.is_some_and(|c| c < 1.0), "{wide:?}");
    assert_eq!(r.threats(1)[0].id, "wide");
}
