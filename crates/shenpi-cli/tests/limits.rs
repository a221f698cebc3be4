//! Every command on flows, calendars and conditions generated at the limits
//! docs/flow-format.md lists (and one past them), each run in a child under a
//! memory limit (`ulimit -v`) and a time limit: it exits 0, 1 or 2, never
//! crashes or hangs, and touches no file but the output it was named.
//!
//! A failing case is kept in `limits.proptest-regressions` beside this file
//! and re-run first; commit it with the fix.

#![cfg(unix)]

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use proptest::prelude::*;

/// Virtual memory a command may map, in KiB (`ulimit -v`): 2 GiB, far above
/// what these small inputs need and far below what a runaway takes.
const MEMORY_KIB: u64 = 2 << 20;

/// How long a command may run before it counts as hung: generous, for a
/// loaded two-core machine running a debug build.
const TIME_LIMIT: Duration = Duration::from_secs(120);

/// The longest id the loader accepts (`shenpi_core::limits::MAX_ID_LEN`).
const MAX_ID_LEN: usize = 128;
/// The most days a field may hold (10,000 working days).
const MAX_DAYS: u32 = 10_000;
/// The deepest `serial`/`parallel` nesting.
const MAX_BLOCK_DEPTH: usize = 64;
/// The deepest nesting of parentheses and `not` in a condition.
const MAX_CONDITION_DEPTH: usize = 32;

/// One generated input: a flow, maybe a calendar file, a start date, and
/// whether some value lies past a documented limit (then `check` must refuse it).
#[derive(Clone, Debug)]
struct Case {
    flow: String,
    calendar: Option<String>,
    start: &'static str,
    past_a_limit: bool,
}

/// A value at a limit, or one past it.
#[derive(Clone, Copy, Debug)]
enum At {
    Small,
    Limit,
    Past,
}

fn at() -> impl Strategy<Value = At> {
    prop_oneof![6 => Just(At::Small), 2 => Just(At::Limit), 1 => Just(At::Past)]
}

/// A `when` condition nested `depth` deep in parentheses and `not`s (one
/// level each), joined to `terms` more terms.
fn condition(depth: usize, terms: usize) -> String {
    let mut c = "big".to_string();
    for i in 0..depth {
        c = if i % 2 == 0 { format!("({c} or n > {i})") } else { format!("not {c}") };
    }
    for i in 0..terms {
        c.push_str(if i % 2 == 0 { " and n >= 0" } else { " or big" });
    }
    c
}

/// A flow of `steps` steps in up to three stages; some steps at the limits.
fn flow() -> impl Strategy<Value = (String, bool, String)> {
    (
        1usize..=12,
        1usize..=3,
        at(),
        at(),
        at(),
        at(),
        0usize..=300,
        proptest::collection::vec((0u32..=30, proptest::option::of(0usize..12), any::<bool>()), 12),
        prop_oneof![Just("cn"), Just("weekends"), Just("cal.yaml")],
    )
        .prop_map(|(steps, stages, id_at, days_at, nest_at, cond_at, terms, shape, calendar)| {
            let mut past = false;
            let mut lines = vec![
                "id: gen".to_string(),
                "name: \"生成: 流程 #1\"".to_string(),
                format!("calendar: {calendar}"),
                "params:".to_string(),
                "  big: { type: bool, default: true }".to_string(),
                "  n: { type: number, default: 3 }".to_string(),
                "stages:".to_string(),
            ];
            let long_id = |at: At| match at {
                At::Small => "s0".to_string(),
                At::Limit => "s".repeat(MAX_ID_LEN),
                At::Past => "s".repeat(MAX_ID_LEN + 1),
            };
            let first_id = long_id(id_at);
            past |= matches!(id_at, At::Past);
            let id = |i: usize| if i == 0 { first_id.clone() } else { format!("s{i}") };
            let per_stage = steps.div_ceil(stages);
            for k in 0..stages {
                let range = (k * per_stage)..((k + 1) * per_stage).min(steps);
                if range.is_empty() {
                    continue;
                }
                lines.push(format!("  - id: st{k}"));
                lines.push(format!("    name: 阶段{k}"));
                lines.push("    steps:".to_string());
                for i in range {
                    let (days, after, parallel) = shape[i];
                    let promised = match (i, days_at) {
                        (0, At::Limit) => MAX_DAYS,
                        (0, At::Past) => MAX_DAYS + 1,
                        _ => days,
                    };
                    let mut fields =
                        format!("id: {}, name: 事项{i}, dept: 部门{}, promised: {promised}", id(i), i % 3);
                    if let Some(a) = after.filter(|&a| a < i) {
                        fields.push_str(&format!(", after: [{}]", id(a)));
                    }
                    if i == 1 {
                        let depth = match cond_at {
                            At::Small => 2,
                            At::Limit => MAX_CONDITION_DEPTH,
                            At::Past => MAX_CONDITION_DEPTH + 1,
                        };
                        fields.push_str(&format!(", when: \"{}\"", condition(depth, terms)));
                    }
                    let step = format!("{{ {fields} }}");
                    // The last step sits inside nested blocks; the others alternate parallel pairs.
                    if i + 1 == steps {
                        let depth = match nest_at {
                            At::Small => 2,
                            At::Limit => MAX_BLOCK_DEPTH,
                            At::Past => MAX_BLOCK_DEPTH + 1,
                        };
                        let mut block = format!("[{step}]");
                        for j in 0..depth {
                            let kind = if j % 2 == 0 { "serial" } else { "parallel" };
                            block = format!("[{{ {kind}: {block} }}]");
                        }
                        // The outermost list is the stage's own `steps`.
                        lines.push(format!("      - {}", &block[1..block.len() - 1]));
                    } else if parallel {
                        lines.push(format!("      - parallel: [{step}]"));
                    } else {
                        lines.push(format!("      - {step}"));
                    }
                }
            }
            past |= matches!(cond_at, At::Past) && steps > 1;
            past |= matches!(days_at, At::Past);
            past |= matches!(nest_at, At::Past);
            (lines.join("\n") + "\n", past, calendar.to_string())
        })
}

/// A calendar file: days added to `cn` (in published and projected years), or
/// a calendar of its own over as many years as a file may span.
fn calendar() -> impl Strategy<Value = String> {
    let on_cn = (
        proptest::collection::btree_set(0u32..700, 0..8),
        prop_oneof![Just(""), Just("beyond: weekends\n"), Just("beyond: error\n")],
    )
        .prop_map(|(days, beyond)| {
            // Days from 2025-12-01 on: published 2025 and 2026, and 2027, which only the law
            // projects; a calendar that does not count by it may not list days there.
            let base = chrono::NaiveDate::from_ymd_opt(2025, 12, 1).expect("a date");
            let published = if beyond.is_empty() { 700 } else { 396 };
            let days: std::collections::BTreeSet<u32> = days.iter().map(|d| d % published).collect();
            let list: Vec<String> = days
                .iter()
                .map(|&d| format!("  - {} 县庆", base + chrono::Days::new(u64::from(d))))
                .collect();
            let holidays =
                if list.is_empty() { String::new() } else { format!("holidays:\n{}\n", list.join("\n")) };
            format!("base: cn\n{beyond}workdays: [2025-03-08 防汛]\n{holidays}")
        });
    let own = (
        prop_oneof![Just("2020..2030"), Just("1900..2299"), Just("2025")],
        prop_oneof![Just("[sat, sun]"), Just("[fri]"), Just("[sun, mon, tue, wed, thu, fri]")],
        prop_oneof![Just("error"), Just("weekends")],
    )
        .prop_map(|(years, weekend, beyond)| {
            format!("base: none\nyears: {years}\nweekend: {weekend}\nbeyond: {beyond}\nzone: UTC+08:00\n")
        });
    prop_oneof![on_cn, own]
}

fn case() -> impl Strategy<Value = Case> {
    (
        flow(),
        calendar(),
        prop_oneof![Just("2025-03-03"), Just("2026-12-28"), Just("2015-01-01"), Just("2031-06-02")],
    )
        .prop_map(|((flow, past_a_limit, name), cal, start)| Case {
            flow,
            calendar: (name == "cal.yaml").then_some(cal),
            start,
            past_a_limit,
        })
}

/// Every file under `dir` with its length and modification time.
fn listing(dir: &Path) -> BTreeMap<String, (u64, SystemTime)> {
    let mut out = BTreeMap::new();
    for entry in fs::read_dir(dir).expect("the case's directory") {
        let entry = entry.expect("an entry");
        let meta = entry.metadata().expect("metadata");
        out.insert(
            entry.file_name().to_string_lossy().into_owned(),
            (meta.len(), meta.modified().expect("mtime")),
        );
    }
    out
}

/// Runs `shenpi args` in `dir` under the memory and time limits; its exit code and stderr.
fn run(dir: &Path, args: &[&str]) -> Result<(i32, String), TestCaseError> {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -v {MEMORY_KIB} && exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_shenpi"))
        .args(args)
        .current_dir(dir)
        .env_remove("SHENPI_CALENDAR_DATA")
        .env_remove("SHENPI_DB")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sh runs");
    let stderr = child.stderr.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut { stderr }, &mut text);
        text
    });
    let began = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("waits") {
            break status;
        }
        if began.elapsed() > TIME_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(TestCaseError::fail(format!("{args:?} still running after {TIME_LIMIT:?}")));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let err = reader.join().unwrap_or_default();
    match status.code() {
        Some(code @ 0..=2) if !err.contains("panicked") => Ok((code, err)),
        code => Err(TestCaseError::fail(format!("{args:?} ended with {code:?} ({status}):\n{err}"))),
    }
}

/// Runs every command on `case`: no crash, no hang, nothing written but the named outputs.
fn every_command(case: &Case) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().expect("a directory");
    let d = dir.path();
    fs::write(d.join("flow.yaml"), &case.flow).expect("writes");
    if let Some(cal) = &case.calendar {
        fs::write(d.join("cal.yaml"), cal).expect("writes");
    }
    let s = case.start;
    let commands: Vec<(Vec<&str>, &[&str])> = vec![
        (vec!["check", "flow.yaml"], &[]),
        (vec!["check", "flow.yaml", "--format", "json"], &[]),
        (vec!["plan", "flow.yaml", "--start", s], &[]),
        (vec!["plan", "flow.yaml", "--start", s, "--format", "json", "--policy", "proportional"], &[]),
        (vec!["simulate", "flow.yaml", "--start", s, "--runs", "50", "--seed", "7"], &[]),
        (vec!["render", "flow.yaml", "--format", "svg", "-o", "chart.svg"], &["chart.svg"]),
        (
            vec!["render", "flow.yaml", "--format", "gantt-svg", "--start", s, "-o", "gantt.svg"],
            &["gantt.svg"],
        ),
        (vec!["render", "flow.yaml", "--format", "mermaid", "-o", "chart.mmd"], &["chart.mmd"]),
        (vec!["render", "flow.yaml", "--format", "dot", "-o", "chart.dot"], &["chart.dot"]),
        (vec!["project", "--db", "p.db", "new", "flow.yaml", "--id", "P-1", "--start", s], &["p.db"]),
        (vec!["project", "--db", "p.db", "event", "P-1", "s1", "accepted", "--date", s], &["p.db"]),
        (vec!["project", "--db", "p.db", "status", "P-1", "--date", "2026-11-30"], &[]),
        (vec!["project", "--db", "p.db", "advance", "P-1", "--to", "2026-11-30"], &["p.db"]),
        (vec!["project", "--db", "p.db", "board", "--date", "2026-11-30"], &[]),
        (vec!["project", "--db", "p.db", "render", "P-1", "--date", "2026-11-30", "-o", "p.svg"], &["p.svg"]),
    ];
    for (args, outputs) in commands {
        let before = listing(d);
        let (code, err) = run(d, &args)?;
        if args[0] == "check" {
            let want = if case.past_a_limit { 1 } else { 0 };
            prop_assert_eq!(code, want, "{:?}:\n{}", args, err);
        }
        if code == 0 && !case.past_a_limit {
            for out in outputs {
                prop_assert!(d.join(out).is_file(), "{:?} exited 0 without writing {}", args, out);
            }
        }
        let after = listing(d);
        for (name, meta) in &after {
            // The store is named by `--db`: SQLite keeps its WAL and shared-memory files beside it,
            // and opens them to read too. What reads do to the log is checked by the runtime's tests.
            let allowed =
                outputs.contains(&name.as_str()) || (name.starts_with("p.db") && args[0] == "project");
            prop_assert!(
                before.get(name) == Some(meta) || allowed,
                "{:?} touched {} (allowed: {:?}); files now: {:?}",
                args,
                name,
                outputs,
                after.keys().collect::<Vec<_>>()
            );
        }
        for name in before.keys() {
            let store = name.starts_with("p.db") && args[0] == "project";
            prop_assert!(after.contains_key(name) || store, "{:?} removed {}", args, name);
        }
    }
    Ok(())
}

proptest! {
    // Each case runs fifteen commands as children; sixteen cases keep the test under a minute on two cores.
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn every_command_holds_at_the_limits(case in case()) {
        every_command(&case)?;
    }
}

/// The case generator's own check: a flow at every limit at once is valid.
#[test]
fn a_flow_at_every_limit_is_valid() {
    let case = Case {
        flow: format!(
            "id: lim\nname: 极限\nparams:\n  big: {{ type: bool, default: true }}\n  n: {{ type: number, default: 3 }}\n\
             stages:\n  - id: s\n    name: 阶段\n    steps:\n      - {{ id: {}, name: 甲, promised: {MAX_DAYS} }}\n      \
             - {{ id: s1, name: 乙, promised: 1, when: \"{}\" }}\n",
            "s".repeat(MAX_ID_LEN),
            condition(MAX_CONDITION_DEPTH, 300)
        ),
        calendar: None,
        start: "2025-03-03",
        past_a_limit: false,
    };
    every_command(&case).unwrap_or_else(|e| panic!("{e}\n{}", case.flow));
}
