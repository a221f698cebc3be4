use std::sync::Arc;

use proptest::prelude::*;

use super::cuts::{self, Limits};
use super::deadlines::deadlines;
use super::*;
use crate::graph::{Dag, algo};

fn plan(yaml: &str) -> Plan {
    let flow = Flow::parse("t.yaml", yaml).unwrap_or_else(|r| panic!("{}", r.render()));
    let params = flow.defaults();
    Plan::new(FlowGraph::new(Arc::new(flow), params))
}

fn ids(plan: &Plan, nodes: &[Node]) -> Vec<String> {
    plan.chain_ids(nodes).into_iter().map(String::from).collect()
}

/// `(id, es, ef, lf, total_float, free_float, critical)` of every step.
fn check(plan: &Plan, expected: &[(&str, u32, u32, i64, i64, i64, bool)]) {
    for &(id, es, ef, lf, tf, ff, critical) in expected {
        let s = plan.step_by_id(id).unwrap();
        assert_eq!(
            (s.es, s.ef, s.lf, s.total_float, s.free_float, s.critical),
            (es, ef, lf, tf, ff, critical),
            "step {id}"
        );
        assert_eq!(s.ls, s.lf - i64::from(plan.graph().step(s.node).promised()), "ls of {id}");
    }
}

#[test]
fn serial_chain_totals_the_sum() {
    let p = plan(
        "id: f\nname: f\nbudget: 15\nstages:\n  - id: s\n    name: s\n    steps:\n      \
         - { id: a, name: a, promised: 3 }\n      - { id: b, name: b, promised: 4 }\n      \
         - { id: c, name: c, promised: 5 }\n",
    );
    assert_eq!((p.total_days(), p.elapsed_days(), p.slack()), (12, 12, Some(3)));
    assert_eq!(ids(&p, p.critical_path()), ["a", "b", "c"]);
    check(&p, &[("a", 0, 3, 6, 3, 0, true), ("b", 3, 7, 10, 3, 0, true), ("c", 7, 12, 15, 3, 3, true)]);
}

#[test]
fn diamond_has_one_critical_branch() {
    let p = plan(
        "id: f\nname: f\nbudget: 7\nstages:\n  - id: s\n    name: s\n    steps:\n      \
         - { id: a, name: a, promised: 1 }\n      - parallel:\n          \
         - { id: b, name: b, promised: 5 }\n          - { id: c, name: c, promised: 2 }\n      \
         - { id: d, name: d, promised: 1 }\n",
    );
    assert_eq!(p.total_days(), 7);
    assert_eq!(ids(&p, p.critical_path()), ["a", "b", "d"]);
    check(
        &p,
        &[
            ("a", 0, 1, 1, 0, 0, true),
            ("b", 1, 6, 6, 0, 0, true),
            ("c", 1, 3, 6, 3, 3, false),
            ("d", 6, 7, 7, 0, 0, true),
        ],
    );
}

#[test]
fn uncounted_intermediary_splits_the_clocks() {
    let p = plan(
        "id: f\nname: f\nbudget: 10\nstages:\n  - id: s\n    name: s\n    steps:\n      \
         - { id: filing, name: a, promised: 1 }\n      - parallel:\n          \
         - { id: land, name: b, promised: 5 }\n          - serial:\n              \
         - { id: report, name: r, kind: intermediary, counted: false, promised: 20 }\n              \
         - { id: eia, name: e, promised: 3 }\n",
    );
    assert_eq!((p.total_days(), p.elapsed_days()), (6, 24));
    assert_eq!(ids(&p, p.critical_path()), ["filing", "land"]);
    // The report's 20 days are real (es of eia) but not counted (its float is the budget's).
    check(
        &p,
        &[
            ("filing", 0, 1, 5, 4, 0, true),
            ("land", 1, 6, 10, 4, 4, true),
            ("report", 1, 21, 27, 6, 0, false),
            ("eia", 21, 24, 30, 6, 6, false),
        ],
    );
    assert!(p.is_feasible());
}

#[test]
fn uncounted_step_on_the_counted_chain_shows_in_it() {
    let p = plan(
        "id: f\nname: f\nstages:\n  - id: s\n    name: s\n    steps:\n      \
         - { id: a, name: a, promised: 2 }\n      - { id: notice, name: n, kind: notice, promised: 10 }\n      \
         - { id: b, name: b, promised: 3 }\n",
    );
    assert_eq!((p.total_days(), p.elapsed_days()), (5, 15));
    assert_eq!(ids(&p, p.critical_path()), ["a", "notice", "b"]);
}

const OVER: &str = "id: f\nname: f\nbudget: BUDGET\nstages:\n  - id: s\n    name: s\n    budget: 12\n    steps:\n      \
     - { id: a, name: a, promised: 10, min: AMIN, cost: 1 }\n      - parallel:\n          \
     - { id: b, name: b, promised: 10, min: 5, cost: 2 }\n          \
     - { id: c, name: c, promised: 10, min: 8, cost: 1 }\n";

fn over(budget: u32, a_min: u32) -> Plan {
    plan(&OVER.replace("BUDGET", &budget.to_string()).replace("AMIN", &a_min.to_string()))
}

#[test]
fn over_budget_flow_ranks_its_cuts() {
    let p = over(15, 2);
    assert_eq!((p.total_days(), p.slack(), p.is_feasible()), (20, Some(-5), false));
    let a = p.step_by_id("a").unwrap();
    assert_eq!((a.total_float, a.lf), (-5, 5));
    let report = p.cuts().unwrap();
    // Only `a` shortens the total alone, by its whole room of 8 days; b and c are parallel.
    let ranked: Vec<_> = report.candidates.iter().map(|c| (ids(&p, &[c.node])[0].clone(), c.saves)).collect();
    assert_eq!(ranked, [("a".to_string(), 8)]);
    let cuts: Vec<_> = report.plan.cuts.iter().map(|c| (ids(&p, &[c.node])[0].clone(), c.days)).collect();
    assert_eq!(cuts, [("a".to_string(), 5)]);
    assert_eq!((report.plan.total_days, report.plan.cost, report.plan.reaches_budget), (15, 5.0, true));
    let st = &p.stages()[0];
    assert_eq!((st.total_days, st.slack(), st.is_feasible()), (20, Some(-8), false));
    let diags = p.budget_diagnostics();
    assert_eq!(diags.len(), 2);
    assert!(diags.iter().all(|d| !d.is_error() && d.code == Code::OverBudget));
    assert_eq!(diags[0].message, "flow `f` takes 20 counted working days, 5 over its budget of 15");
    assert_eq!(diags[0].notes, ["critical path: a -> b"]);
    assert!(p.cuts().is_some() && over(20, 2).cuts().is_none());
}

#[test]
fn parallel_critical_chains_are_each_cut() {
    // `a` cannot move: both b and c must lose 2 days; c then sits at its min.
    let p = over(18, 10);
    let report = p.cuts().unwrap();
    assert!(report.candidates.is_empty());
    let cuts: Vec<_> = report.plan.cuts.iter().map(|c| (ids(&p, &[c.node])[0].clone(), c.days)).collect();
    assert_eq!(cuts, [("b".to_string(), 2), ("c".to_string(), 2)]);
    assert_eq!((report.plan.total_days, report.plan.cost, report.plan.reaches_budget), (18, 6.0, true));
    let stuck = over(17, 10).cuts().unwrap().plan;
    assert_eq!((stuck.total_days, stuck.reaches_budget), (18, false));
}

// A cost of 1e18 or more was taken for "cannot be cut", and the plan claimed every step was at its `min`.
#[test]
fn a_step_of_any_cost_can_be_cut() {
    for cost in ["1e18", "1e300", "5e17"] {
        let p = plan(
            &OVER
                .replace("BUDGET", "15")
                .replace("AMIN", "2")
                .replace("cost: 1 }\n      - parallel", &format!("cost: {cost} }}\n      - parallel")),
        );
        let report = p.cuts().unwrap();
        let cuts: Vec<_> = report.plan.cuts.iter().map(|c| (ids(&p, &[c.node])[0].clone(), c.days)).collect();
        // b and c first (3 a day together) until c reaches its `min`, then the costly `a`.
        assert_eq!(cuts, [("a".to_string(), 3), ("b".to_string(), 2), ("c".to_string(), 2)], "cost {cost}");
        assert!(report.plan.reaches_budget, "cost {cost}");
    }
    // With b and c unable to move, only the costly `a` is left: it is cut, not declared at its `min`.
    let only_a = OVER
        .replace("BUDGET", "15")
        .replace("AMIN", "2")
        .replace("cost: 1 }\n      - parallel", "cost: 1e18 }\n      - parallel");
    let only_a =
        only_a.replace("min: 5, cost: 2", "min: 10, cost: 2").replace("min: 8, cost: 1", "min: 10, cost: 1");
    let p = plan(&only_a);
    let report = p.cuts().unwrap().plan;
    assert_eq!((report.total_days, report.reaches_budget, report.cost), (15, true, 5e18));
}

#[test]
fn relaxing_after_edges_finds_parallel_steps() {
    let p = plan(
        "id: f\nname: f\nstages:\n  - id: s\n    name: s\n    steps:\n      - parallel:\n          \
         - { id: a, name: a, promised: 4 }\n          - { id: b, name: b, promised: 3, after: [a] }\n          \
         - { id: c, name: c, promised: 1 }\n      - { id: d, name: d, promised: 2, after: [c] }\n",
    );
    assert_eq!(p.total_days(), 9);
    let r = p.relaxed_after();
    let pairs: Vec<_> = r.parallel.iter().map(|&(x, y)| ids(&p, &[x, y])).collect();
    // d after c is implied by the list anyway; b after a is what serialises them.
    assert_eq!(pairs, [["a", "b"]]);
    assert_eq!(r.total_days, 6);
}

#[test]
fn reform_figures_count_legal_days() {
    let p = plan(
        "id: f\nname: f\nstages:\n  - id: s\n    name: s\n    steps:\n      - { id: a, name: a, legal: 20, promised: 5 }\n      \
         - parallel:\n          - { id: b, name: b, legal: 30, promised: 7 }\n          \
         - { id: c, name: c, legal: 20, promised: 3 }\n          \
         - { id: r, name: r, kind: intermediary, counted: false, promised: 30 }\n",
    );
    let r = p.reform();
    assert_eq!(
        (
            r.steps,
            r.legal_serial_days,
            r.promised_serial_days,
            r.legal_critical_days,
            r.promised_critical_days
        ),
        (4, 70, 15, 50, 12)
    );
    assert!((r.speed_up - 58.0 / 70.0).abs() < 1e-12 && (r.critical_speed_up - 38.0 / 50.0).abs() < 1e-12);
    // 提速率 per item, averaged as the Jiaxing report does: (20 + 30 + 20 − 5 − 7 − 3) / 70;
    // the uncounted intermediary has no legal limit and is no item.
    assert_eq!(r.items_with_legal, 3);
    assert!((r.promised_speed_up - 55.0 / 70.0).abs() < 1e-12);
}

#[test]
fn dates_follow_the_law_counting() {
    // Monday to Friday, no holidays: enough to pin the offsets.
    let add = crate::calendar::Calendar::weekends_only();
    let p = plan(
        "id: f\nname: f\nbudget: 6\nstages:\n  - id: s\n    name: s\n    steps:\n      \
         - { id: a, name: a, promised: 2 }\n      - { id: b, name: b, promised: 3 }\n",
    );
    let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    // A Saturday start: day 0 is Monday 2025-03-03.
    let d = p.dates(date("2025-03-01"), &add).unwrap();
    assert_eq!((d.start, d.finish), (date("2025-03-03"), date("2025-03-10")));
    assert_eq!(d.step_start, [date("2025-03-03"), date("2025-03-05")]);
    // a: lf 3 -> Thursday; b: lf 6 -> next Tuesday.
    assert_eq!(d.due, [Some(date("2025-03-06")), Some(date("2025-03-11"))]);
}

#[test]
fn proportional_policy_shares_the_slack() {
    let flow = "id: f\nname: f\nbudget: 20\ndeadline_policy: proportional\nstages:\n  - id: s\n    name: s\n    steps:\n      \
         - { id: a, name: a, promised: 4 }\n      - { id: b, name: b, promised: 6 }\n";
    let p = plan(flow);
    assert_eq!(p.counted_deadlines(), [8, 20]);
    assert_eq!(p.step_by_id("a").unwrap().deadline, 8);
    assert_eq!(p.step_by_id("a").unwrap().lf, 14);
}

#[test]
fn proportional_policy_gives_a_short_chain_its_own_slack() {
    // filing 2 -> (a 8 | b 2) -> permit 4; budget 20, total 14. The short branch b
    // lies on an 8-day chain, so it is due at 20·4/8 = 10, not at 20·4/14 = 5.
    let flow = "id: f\nname: f\nbudget: 20\ndeadline_policy: proportional\nstages:\n  - id: s\n    name: s\n    steps:\n      \
         - { id: filing, name: f, promised: 2 }\n      - parallel:\n          - { id: a, name: a, promised: 8 }\n          \
         - { id: b, name: b, promised: 2 }\n      - { id: permit, name: p, promised: 4 }\n";
    let p = plan(flow);
    let d = |id: &str| p.step_by_id(id).unwrap().deadline;
    assert_eq!((d("filing"), d("a"), d("b"), d("permit")), (2, 14, 10, 20));
    assert!(d("b") <= p.step_by_id("b").unwrap().lf);
}

// ---- properties on random small graphs, against brute force ----

#[derive(Clone, Debug)]
struct Case {
    n: usize,
    edges: Vec<(u32, u32)>,
    promised: Vec<u32>,
    counted: Vec<bool>,
    min: Vec<u32>,
    cost: Vec<f64>,
}

fn case() -> impl Strategy<Value = Case> {
    (1usize..9).prop_flat_map(|n| {
        let pairs: Vec<(u32, u32)> =
            (0..n as u32).flat_map(|u| (u + 1..n as u32).map(move |v| (u, v))).collect();
        let m = pairs.len();
        (
            proptest::collection::vec(any::<bool>(), m),
            proptest::collection::vec(0u32..7, n),
            proptest::collection::vec(prop::bool::weighted(0.8), n),
            proptest::collection::vec(0u32..7, n),
            proptest::collection::vec(0u32..4, n),
        )
            .prop_map(move |(keep, promised, counted, min, cost)| Case {
                n,
                edges: pairs.iter().zip(&keep).filter(|(_, k)| **k).map(|(e, _)| *e).collect(),
                min: min.iter().zip(&promised).map(|(&m, &p)| m.min(p)).collect(),
                promised,
                counted,
                cost: cost.into_iter().map(f64::from).collect(),
            })
    })
}

impl Case {
    fn dag(&self) -> Dag {
        Dag::from_topological(self.n, self.edges.iter().copied())
    }

    fn weights(&self) -> Vec<u32> {
        self.promised.iter().zip(&self.counted).map(|(&p, &c)| if c { p } else { 0 }).collect()
    }
}

/// The longest path through `via` (or anywhere), by enumerating every path.
fn brute(dag: &Dag, w: &[u32], via: Option<Node>) -> u32 {
    fn walk(dag: &Dag, w: &[u32], v: Node, len: u32, hit: bool, via: Option<Node>, best: &mut u32) {
        let len = len + w[v.index()];
        let hit = hit || via == Some(v);
        if hit || via.is_none() {
            *best = (*best).max(len);
        }
        for &s in dag.succs(v) {
            walk(dag, w, s, len, hit, via, best);
        }
    }
    let mut best = 0;
    for v in dag.nodes() {
        walk(dag, w, v, 0, false, via, &mut best);
    }
    best
}

/// The critical path by its definition, scanning every node and predecessor:
/// from the lowest sink with the largest (counted, elapsed) finish, back
/// through critical predecessors that finish when their successor starts,
/// the one ending last on the elapsed clock, then the lowest.
fn reference_chain(dag: &Dag, cpm: &Cpm) -> Vec<Node> {
    let sinks = (dag.nodes()).filter(|&v| dag.succs(v).is_empty());
    let mut at = sinks.rev().max_by_key(|&v| (cpm.counted_ef(v), cpm.ef(v)));
    let mut chain = Vec::new();
    while let Some(v) = at {
        chain.push(v);
        at = dag
            .preds(v)
            .iter()
            .copied()
            .filter(|&u| cpm.counted_ef(u) == cpm.counted_es(v) && cpm.is_critical(u))
            .max_by_key(|&u| (cpm.ef(u), std::cmp::Reverse(u)));
    }
    chain.reverse();
    chain
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(192))]

    #[test]
    fn passes_match_brute_force(c in case(), extra in 0u32..5) {
        let dag = c.dag();
        let cpm = Cpm::run(&dag, &c.promised, &c.counted);
        let w = c.weights();
        prop_assert_eq!(cpm.total_days(), brute(&dag, &w, None));
        prop_assert_eq!(cpm.elapsed_days(), brute(&dag, &c.promised, None));
        let chain = cpm.critical_path();
        prop_assert_eq!(chain, &reference_chain(&dag, &cpm)[..]);
        let mut again = Cpm::run(&Dag::from_topological(2, [(0, 1)].into_iter()), &[1, 2], &[true, false]);
        again.rerun(&dag, &c.promised, &c.counted);
        prop_assert_eq!(again.critical_path(), chain);
        prop_assert_eq!((again.total_days(), again.elapsed_days()), (cpm.total_days(), cpm.elapsed_days()));
        for v in dag.nodes() {
            prop_assert_eq!((again.through(v), again.free_float(v, 9)), (cpm.through(v), cpm.free_float(v, 9)));
        }
        prop_assert_eq!(chain.iter().map(|&v| w[v.index()]).sum::<u32>(), cpm.total_days());
        prop_assert!(chain.windows(2).all(|p| dag.preds(p[1]).contains(&p[0])));
        for v in dag.nodes() {
            prop_assert_eq!(cpm.through(v), brute(&dag, &w, Some(v)));
            for &u in dag.preds(v) {
                prop_assert!(cpm.es(v) >= cpm.ef(u));
                prop_assert!(cpm.counted_es(v) >= cpm.counted_ef(u));
            }
            let budget = cpm.total_days() + extra;
            prop_assert!(cpm.total_float(v, budget) >= 0);
            prop_assert!(cpm.free_float(v, budget) >= 0);
            prop_assert!(cpm.free_float(v, budget) <= cpm.total_float(v, budget));
            prop_assert_eq!(cpm.is_critical(v), cpm.total_float(v, cpm.total_days()) == 0);
        }
    }

    #[test]
    fn proportional_scaling_divides_exactly(total in 1u32.., budget: u32, x: u32, edge in 0u32..3) {
        // Near the extremes too: x = total, budget = u32::MAX.
        let x = if edge == 0 { total } else { x % total.saturating_add(1) };
        let budget = if edge == 1 { u32::MAX } else { budget };
        let want = u64::from(x) * u64::from(budget) / u64::from(total);
        prop_assert_eq!(super::deadlines::Scale::new(budget, total).of(x), want);
    }

    #[test]
    fn deadlines_guarantee_the_total(c in case(), extra in 0u32..20, late in proptest::collection::vec(0u32..3, 9)) {
        let dag = c.dag();
        let cpm = Cpm::run(&dag, &c.promised, &c.counted);
        let budget = cpm.total_days() + extra;
        let w = c.weights();
        for policy in [DeadlinePolicy::Latest, DeadlinePolicy::Proportional] {
            let d = deadlines(&cpm, budget, policy);
            let latest = deadlines(&cpm, budget, DeadlinePolicy::Latest);
            // Every step that starts when its inputs hit their deadlines and takes
            // its promised days meets its own; the plan meets every deadline.
            for v in 0..c.n {
                let start = dag.preds(Node(v as u32)).iter().map(|&u| d[u.index()]).max().unwrap_or(0);
                prop_assert!(start + i64::from(w[v]) <= d[v], "{:?} node {}", policy, v);
                prop_assert!(d[v] >= i64::from(cpm.counted_ef(Node(v as u32))));
                prop_assert!(d[v] <= latest[v]);
            }
            // Any execution (some steps late) in which every step finishes by its
            // deadline finishes within budget.
            let mut finish = vec![0i64; c.n];
            let mut met = true;
            for v in 0..c.n {
                let start = dag.preds(Node(v as u32)).iter().map(|&u| finish[u.index()]).max().unwrap_or(0);
                finish[v] = start + i64::from(w[v] + if c.counted[v] { late[v] } else { 0 });
                met &= finish[v] <= d[v];
            }
            if met {
                prop_assert!(finish.iter().all(|&f| f <= i64::from(budget)));
            }
        }
    }

    #[test]
    fn suggested_cuts_reach_the_budget(c in case(), short in 1u32..12) {
        let dag = c.dag();
        let cpm = Cpm::run(&dag, &c.promised, &c.counted);
        let budget = cpm.total_days().saturating_sub(short);
        let limits = Limits { promised: &c.promised, counted: &c.counted, min: &c.min, cost: &c.cost };
        let plan = cuts::crash(&dag, limits, budget);
        let mut cut = c.promised.clone();
        for x in &plan.cuts {
            prop_assert!(x.days > 0);
            cut[x.node.index()] -= x.days;
            prop_assert!(cut[x.node.index()] >= c.min[x.node.index()] && c.counted[x.node.index()]);
        }
        let after = Cpm::run(&dag, &cut, &c.counted).total_days();
        prop_assert_eq!(after, plan.total_days);
        if plan.reaches_budget {
            prop_assert!(after <= budget);
        } else {
            let floor: Vec<u32> = (0..c.n).map(|v| if c.counted[v] { c.min[v] } else { 0 }).collect();
            prop_assert!(algo::longest_path(&dag, &floor) > budget);
        }
        for x in cuts::candidates(&dag, &cpm, limits) {
            let mut one = c.weights();
            one[x.node.index()] -= x.room;
            prop_assert_eq!(cpm.total_days() - algo::longest_path(&dag, &one), x.saves);
            prop_assert!(x.saves > 0 && x.saves <= x.room);
        }
    }
}

#[test]
fn duplicate_edges_are_not_a_cycle() {
    // Regression: `after: [c]` on the step that follows c's parallel block repeats an edge;
    // ordering counted it twice and reported a cycle.
    let (dag, order) = Dag::from_edges(3, &[(0, 1), (1, 2), (1, 2)]).unwrap();
    assert_eq!((dag.edge_count(), order), (2, vec![0, 1, 2]));
}

#[test]
fn dates_are_the_working_days_of_the_offsets() {
    use crate::calendar::{Beyond, Calendar};
    let cn = Calendar::cn().with_beyond(Beyond::Weekends);
    let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    // Budgets that make the latest deadline near the plan (one walk over the
    // days) and far past it (one count per date); an over-budget flow has
    // deadlines before day 0. Starts on a working day, a Saturday, and
    // before the Spring Festival.
    for (budget, a_min) in [(20, 2), (25, 2), (15, 2), (9_000, 2)] {
        let p = over(budget, a_min);
        for start in ["2025-03-03", "2025-03-01", "2025-01-24", "2026-12-20"] {
            let start = date(start);
            let d = p.dates(start, &cn).unwrap();
            let day0 = cn.add_working_days(start, 0).unwrap();
            let at = |k: i64| u32::try_from(k).ok().map(|k| cn.add_working_days(day0, k).unwrap());
            assert_eq!((d.start, Some(d.finish)), (day0, at(i64::from(p.elapsed_days()))));
            for s in p.steps() {
                let v = s.node.index();
                assert_eq!(Some(d.step_start[v]), at(i64::from(s.es)), "start, budget {budget}");
                assert_eq!(d.due[v], at(s.deadline), "due, budget {budget}");
            }
        }
    }
    // Out of the calendar's years: the same error either way.
    let strict = Calendar::cn().with_beyond(Beyond::Error);
    let far = over(9_000, 2);
    let e = far.dates(date("2025-03-03"), &strict).unwrap_err();
    assert!(e.is_out_of_range());
    let near = over(25, 2);
    assert!(near.dates(date("2026-12-01"), &strict).unwrap_err().is_out_of_range());
}

// Regression: day 0 was found by counting one working day on from the day
// before the start, so a plan starting on the calendar's first day was refused.
#[test]
fn a_plan_may_start_on_the_calendar_s_first_day() {
    use crate::calendar::Calendar;
    let cn = Calendar::cn();
    let (first, _) = cn.covered().expect("cn has data");
    let d = over(20, 2).dates(first, &cn).unwrap();
    assert_eq!(d.start, cn.add_working_days(first, 0).unwrap());
    assert!(d.start >= first);
}

/// A random DAG of up to 40 steps, each waiting for a few of the ten before
/// it, with durations, floors and costs drawn from small ranges so that
/// chains tie, steps reach their floor and cuts cost the same: the cases
/// where cutting from breakpoint to breakpoint could part from cutting a
/// day at a time.
fn wide_case() -> impl Strategy<Value = Case> {
    (2usize..40).prop_flat_map(|n| {
        (
            proptest::collection::vec(proptest::collection::vec(1u32..11, 0..3), n),
            proptest::collection::vec(0u32..12, n),
            proptest::collection::vec(prop::bool::weighted(0.9), n),
            proptest::collection::vec(0u32..12, n),
            proptest::collection::vec(0u32..4, n),
        )
            .prop_map(move |(back, promised, counted, min, cost)| {
                let mut edges = Vec::new();
                for (v, distances) in back.iter().enumerate() {
                    let v = v as u32;
                    for &d in distances.iter().filter(|&&d| d <= v) {
                        if !edges.contains(&(v - d, v)) {
                            edges.push((v - d, v));
                        }
                    }
                }
                Case {
                    n,
                    edges,
                    min: min.iter().zip(&promised).map(|(&m, &p)| m.min(p)).collect(),
                    promised,
                    counted,
                    cost: cost.into_iter().map(f64::from).collect(),
                }
            })
    })
}

/// A 600-step flow in the shape of the benchmarks' synthetic one (mostly
/// serial, short parallel stretches, steps waiting for one up to 30 steps
/// back), from a fixed seed.
fn long_case() -> Case {
    let mut state: u64 = 16;
    let mut draw = |m: u32| -> u32 {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((state >> 33) % u64::from(m)) as u32
    };
    let n = 600u32;
    let mut edges = Vec::new();
    for v in 1..n {
        let back = if draw(4) > 0 { 1 } else { 2 + draw(3) };
        edges.push((v.saturating_sub(back), v));
        if draw(5) == 0 {
            let u = v.saturating_sub(1 + draw(30));
            if !edges.contains(&(u, v)) {
                edges.push((u, v));
            }
        }
    }
    let promised: Vec<u32> = (0..n).map(|_| 1 + draw(20)).collect();
    Case {
        n: n as usize,
        edges,
        min: promised.iter().map(|p| p / 2).collect(),
        counted: (0..n).map(|_| draw(10) > 0).collect(),
        cost: (0..n).map(|_| f64::from(1 + draw(9))).collect(),
        promised,
    }
}

#[test]
fn crash_matches_crash_by_day_on_a_long_flow() {
    let c = long_case();
    let dag = c.dag();
    let total = Cpm::run(&dag, &c.promised, &c.counted).total_days();
    let limits = Limits { promised: &c.promised, counted: &c.counted, min: &c.min, cost: &c.cost };
    for budget in [total - 1, total - 150, total - 700] {
        let by_day = cuts::crash_by_day(&dag, limits, budget);
        assert_eq!(cuts::crash(&dag, limits, budget), by_day, "budget {budget} of {total}");
        for (reach, inner) in [(5, 5), (40, 3), (256, 1)] {
            assert_eq!(
                cuts::crash_in_phases(&dag, limits, budget, reach, inner),
                by_day,
                "budget {budget} of {total}, phases of {reach}, splits every {inner}"
            );
        }
    }
}

/// Every step's saving by its definition: one longest path per critical step with room.
fn reference_candidates(dag: &Dag, cpm: &Cpm, c: &Case) -> Vec<(Node, u32, u32)> {
    let mut out = Vec::new();
    for v in dag.nodes() {
        let vu = v.index();
        let floor = if c.counted[vu] { c.min[vu] } else { 0 };
        let room = cpm.weight(v) - floor.min(cpm.weight(v));
        if room == 0 || !cpm.is_critical(v) {
            continue;
        }
        let mut w = c.weights();
        w[vu] -= room;
        let saves = cpm.total_days() - algo::longest_path(dag, &w).min(cpm.total_days());
        if saves > 0 {
            out.push((v, room, saves));
        }
    }
    out
}

/// A random DAG of up to 80 steps, mostly a chain (each step waits for the
/// one before it, often for one or two more of the six before) with short
/// parallel stretches and steps that start afresh: many blocks in series, the
/// shape `crash` cuts into blocks.
fn series_case() -> impl Strategy<Value = Case> {
    (2usize..80).prop_flat_map(|n| {
        (
            proptest::collection::vec(prop::bool::weighted(0.8), n),
            proptest::collection::vec(proptest::collection::vec(2u32..7, 0..2), n),
            proptest::collection::vec(0u32..12, n),
            proptest::collection::vec(prop::bool::weighted(0.9), n),
            proptest::collection::vec(0u32..12, n),
            proptest::collection::vec(0u32..4, n),
        )
            .prop_map(move |(chained, back, promised, counted, min, cost)| {
                let mut edges = Vec::new();
                for v in 1..n as u32 {
                    let distances =
                        chained[v as usize].then_some(1).into_iter().chain(back[v as usize].iter().copied());
                    for d in distances.filter(|&d| d <= v) {
                        if !edges.contains(&(v - d, v)) {
                            edges.push((v - d, v));
                        }
                    }
                }
                Case {
                    n,
                    edges,
                    min: min.iter().zip(&promised).map(|(&m, &p)| m.min(p)).collect(),
                    promised,
                    counted,
                    cost: cost.into_iter().map(f64::from).collect(),
                }
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    // `crash` jumps from breakpoint to breakpoint, a unit at a time, in
    // phases and splits of any length; `crash_by_day` is its oracle.
    #[test]
    fn crash_by_breakpoints_matches_crash_by_day(
        c in prop_oneof![case(), wide_case(), series_case()],
        share in 0u32..=100,
        reach in 1u32..12,
        inner in 1u32..8,
    ) {
        let dag = c.dag();
        let cpm = Cpm::run(&dag, &c.promised, &c.counted);
        let floor: Vec<u32> = (0..c.n).map(|v| if c.counted[v] { c.min[v] } else { 0 }).collect();
        let lowest = algo::longest_path(&dag, &floor);
        // From below the floor (cannot be reached) up to the total itself.
        let budget = lowest.saturating_sub(2) + (cpm.total_days() + 2 - lowest.saturating_sub(2)) * share / 100;
        let limits = Limits { promised: &c.promised, counted: &c.counted, min: &c.min, cost: &c.cost };
        let by_day = cuts::crash_by_day(&dag, limits, budget);
        prop_assert_eq!(
            &cuts::crash_in_phases(&dag, limits, budget, reach, inner),
            &by_day,
            "phases of {} days, splits every {}", reach, inner
        );
        prop_assert_eq!(cuts::crash(&dag, limits, budget), by_day);
    }

    #[test]
    fn candidates_match_one_longest_path_per_step(c in prop_oneof![case(), wide_case()]) {
        let dag = c.dag();
        let cpm = Cpm::run(&dag, &c.promised, &c.counted);
        let limits = Limits { promised: &c.promised, counted: &c.counted, min: &c.min, cost: &c.cost };
        let mut found: Vec<(Node, u32, u32)> =
            cuts::candidates(&dag, &cpm, limits).iter().map(|x| (x.node, x.room, x.saves)).collect();
        found.sort();
        prop_assert_eq!(found, reference_candidates(&dag, &cpm, &c));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The fast two-clock passes against the general longest path of `graph::algo`:
    /// finishes forward, and tails as finishes on the reversed graph.
    #[test]
    fn passes_match_the_general_longest_path(c in case()) {
        let dag = c.dag();
        let cpm = Cpm::run(&dag, &c.promised, &c.counted);
        let w = c.weights();
        let ef = algo::finishes(&dag, |v| c.promised[v.index()], |_, _| true);
        let counted_ef = algo::finishes(&dag, |v| w[v.index()], |_, _| true);
        let back = |v: Node| Node((c.n - 1 - v.index()) as u32);
        let reversed = Dag::from_topological(c.n, dag.edges().map(|(u, v)| (back(v).0, back(u).0)).collect::<Vec<_>>().into_iter());
        let from = algo::finishes(&reversed, |r| w[back(r).index()], |_, _| true);
        for v in dag.nodes() {
            prop_assert_eq!(cpm.ef(v), ef[v.index()]);
            prop_assert_eq!(cpm.counted_ef(v), counted_ef[v.index()]);
            prop_assert_eq!(cpm.tail(v), from[back(v).index()] - w[v.index()]);
        }
        prop_assert_eq!(cpm.total_days(), algo::longest_path(&dag, &w));
        prop_assert_eq!(cpm.elapsed_days(), algo::longest_path(&dag, &c.promised));
    }
}
