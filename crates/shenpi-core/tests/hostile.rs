//! Hostile input at the documented limits (`shenpi_core::limits`): refused
//! with a diagnostic or accepted, never a crash, whatever the thread's stack.

use std::fmt::Write;
use std::sync::Arc;

use shenpi_core::limits::{MAX_BLOCK_DEPTH, MAX_CONDITION_DEPTH};
use shenpi_core::{Flow, FlowGraph, Plan};

/// Runs `f` on a thread with a 256 KiB stack, as an embedder's worker might have.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new().stack_size(256 << 10).spawn(f).unwrap().join().unwrap()
}

const HEAD: &str = "id: hostile\nname: 压力\nparams:\n  x: { type: bool, default: true }\nstages:\n  - id: s\n    name: 阶段\n    steps:\n";

/// `n` steps one after another; the first waits for the last when `circle`.
fn serial(n: usize, circle: bool) -> String {
    let mut y = HEAD.to_string();
    for i in 0..n {
        let after = if circle && i == 0 { format!(", after: [s{}]", n - 1) } else { String::new() };
        writeln!(y, "      - {{ id: s{i}, name: 事项, promised: 1{after} }}").unwrap();
    }
    y
}

/// Blocks nested `depth` deep around one step.
fn nested_blocks(depth: usize) -> String {
    let mut y = HEAD.to_string();
    for d in 0..depth {
        let kind = if d % 2 == 0 { "parallel" } else { "serial" };
        writeln!(y, "{}- {kind}:", " ".repeat(6 + 4 * d)).unwrap();
    }
    writeln!(y, "{}- {{ id: deep, name: 事项, promised: 1 }}", " ".repeat(6 + 4 * depth)).unwrap();
    y
}

fn with_condition(when: &str) -> String {
    format!("{HEAD}      - {{ id: a, name: 事项, promised: 1, when: \"{when}\" }}\n")
}

/// Loads, compiles and plans `yaml`; the codes of its diagnostics when it is refused.
fn load_and_plan(yaml: String) -> Result<u32, Vec<String>> {
    let flow = Flow::parse("hostile.yaml", &yaml)
        .map_err(|r| r.diagnostics().iter().map(|d| d.code.as_str().to_string()).collect::<Vec<_>>())?;
    let flow = Arc::new(flow);
    let plan = Plan::new(FlowGraph::new(flow.clone(), flow.defaults()));
    Ok(plan.total_days())
}

// A step whose `name` did not read kept its id registered at an index no step had: a step waiting
// for it crashed the cycle check (an index out of bounds), and one waiting for it further on closed a
// circle on itself.
#[test]
fn a_step_read_in_part_is_no_step_to_wait_for() {
    let step = |id: &str, name: &str, after: &str| {
        format!("      - {{ id: {id}, name: {name}, promised: 1{after} }}\n")
    };
    let earlier = format!("{HEAD}{}{}", step("a", "事项", ", after: b"), step("b", "~", ""));
    assert_eq!(load_and_plan(earlier), Err(vec!["E004".to_string()]));
    let later = format!(
        "{HEAD}{}{}{}",
        step("a", "事项", ""),
        step("b", "~", ", after: a"),
        step("c", "事项", ", after: b")
    );
    assert_eq!(load_and_plan(later), Err(vec!["E004".to_string()]));
}

// A flow of 90,000 serial steps overflowed the stack in the cycle check, a `when` of 50,000 terms
// in the condition parser; threads with small stacks crashed at a fraction of those sizes.
#[test]
fn the_loader_runs_on_a_256_kib_stack_over_the_largest_inputs() {
    let accepted = [
        ("20,000 serial steps", serial(20_000, false), 20_000),
        ("blocks nested to the limit", nested_blocks(MAX_BLOCK_DEPTH), 1),
        ("a condition of 50,000 terms", with_condition(&vec!["x"; 50_000].join(" and ")), 1),
        (
            "a condition nested to the limit",
            with_condition(&format!(
                "{}x{}",
                "(".repeat(MAX_CONDITION_DEPTH - 1),
                ")".repeat(MAX_CONDITION_DEPTH - 1)
            )),
            1,
        ),
    ];
    for (what, yaml, days) in accepted {
        assert_eq!(on_small_stack(move || load_and_plan(yaml)), Ok(days), "{what}");
    }
    let refused = [
        ("20,000 steps in a circle", serial(20_000, true), "E003"),
        ("blocks nested past the limit", nested_blocks(MAX_BLOCK_DEPTH + 2), "E014"),
        ("a condition nested past the limit", with_condition(&"not ".repeat(10_000)), "E016"),
        (
            "YAML nested 100,000 deep on one line",
            format!("{HEAD}      - {}x\n", "- ".repeat(100_000)),
            "E016",
        ),
        (
            "YAML nested 200 deep in brackets",
            format!("{HEAD}      - {}{}\n", "[".repeat(200), "]".repeat(200)),
            "E004",
        ),
    ];
    for (what, yaml, code) in refused {
        let codes = on_small_stack(move || load_and_plan(yaml)).unwrap_err();
        assert!(codes.iter().any(|c| c == code), "{what}: {codes:?}");
    }
}

// `dept: 0571` became "571", `id: 007` became "7" (and collided with `id: 7`), `0x10` became "16".
#[test]
fn text_that_looks_like_a_number_keeps_its_source_text() {
    let flow = Flow::parse(
        "codes.yaml",
        "id: 0571\nname: 0x10\nstages:\n  - id: s\n    name: 1e3\n    steps:\n      \
         - { id: 007, name: true, dept: 0571, promised: 0x10 }\n      \
         - { id: 7, name: 1_000, dept: [0571, 00], legal: 010, promised: 3 }\n",
    )
    .unwrap_or_else(|r| panic!("{}", r.render()));
    assert_eq!((flow.id(), flow.name(), flow.stages()[0].name()), ("0571", "0x10", "1e3"));
    let (_, a) = flow.step("007").unwrap();
    let (_, b) = flow.step("7").unwrap();
    assert_eq!((a.name(), a.depts()), ("true", ["0571".to_string()].as_slice()));
    assert_eq!((b.name(), b.depts()), ("1_000", ["0571".to_string(), "00".to_string()].as_slice()));
    // Numeric fields stay numbers.
    assert_eq!((a.promised(), b.legal()), (16, Some(10)));
}

// 20,000 unknown `after` references took over two minutes: each compared with every id.
#[test]
fn many_unknown_references_are_each_reported_with_bounded_suggestions() {
    let mut y = HEAD.to_string();
    for i in 0..20_000 {
        writeln!(y, "      - {{ id: step-{i}, name: 事项, promised: 1, after: [stepx-{i}] }}").unwrap();
    }
    let report = Flow::parse("refs.yaml", &y).unwrap_err();
    let unknown: Vec<_> = report.diagnostics().iter().filter(|d| d.code.as_str() == "E007").collect();
    assert_eq!(unknown.len(), 20_000);
    assert_eq!(unknown[0].help.as_deref(), Some("did you mean `step-0`?"));
    // Past the suggester's budget the help still says what `after` takes.
    assert!(unknown.iter().all(|d| d.help.is_some()));
}

// The duplicate-param check compared every param with every other: 100,000 took 21 s.
#[test]
fn a_duplicate_among_many_params_is_reported_once() {
    let mut y = "id: p\nname: 参数\nparams:\n".to_string();
    for i in 0..50_000 {
        writeln!(y, "  p{i}: {{ type: number }}").unwrap();
    }
    // The same name once as a number and once as text: two keys to YAML, one param to shenpi.
    y.push_str("  7: { type: number }\n  '7': { type: bool }\nstages:\n  - id: s\n    name: 阶段\n    steps:\n      - { id: a, name: 事项, promised: 1, when: p49999 > 1 and p8 > 0 }\n");
    let report = Flow::parse("params.yaml", &y).unwrap_err();
    let codes: Vec<&str> = report.diagnostics().iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["E006"], "{}", report.render());
}
