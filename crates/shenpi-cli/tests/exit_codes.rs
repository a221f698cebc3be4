//! One exit-code table: the same failure exits the same way from every command.

use std::fs;
use std::path::Path;
use std::process::Output;

mod common;

use common::{shenpi, stderr};

/// A one-step flow in `dir` whose `calendar:` is `calendar`.
fn flow_with_calendar(dir: &Path, calendar: &str) -> String {
    let path = dir.join("flow.yaml");
    fs::write(
        &path,
        format!(
            "id: c\nname: 日历\ncalendar: {calendar}\nstages:\n  - {{ id: s, name: 阶段, steps: [{{ id: a, name: 事项, promised: 1 }}] }}\n"
        ),
    )
    .unwrap();
    path.to_str().unwrap().to_string()
}

/// Every command that reads a flow, with the flow at `flow`.
fn flow_commands(flow: &str, db: &str) -> Vec<Vec<String>> {
    let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    vec![
        args(&["check", flow]),
        args(&["plan", flow, "--start", "2025-03-03"]),
        args(&["simulate", flow, "--runs", "10"]),
        args(&["render", flow, "--format", "mermaid"]),
        args(&["project", "--db", db, "new", flow, "--id", "P", "--start", "2025-03-03"]),
    ]
}

fn run(args: &[String]) -> Output {
    shenpi(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

#[test]
fn a_calendar_file_a_flow_names_that_cannot_be_read_exits_1_from_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let flow = flow_with_calendar(dir.path(), "no-such-calendar.yaml");
    let db = dir.path().join("p.db");
    for args in flow_commands(&flow, db.to_str().unwrap()) {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("no-such-calendar.yaml"), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn a_calendar_file_with_errors_exits_1_from_every_command() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("county.yaml"), "base: mars\n").unwrap();
    let flow = flow_with_calendar(dir.path(), "county.yaml");
    let db = dir.path().join("p.db");
    for args in flow_commands(&flow, db.to_str().unwrap()) {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
    }
    let out = shenpi(&[
        "calendar",
        "add-days",
        dir.path().join("county.yaml").to_str().unwrap(),
        "2025-03-03",
        "1",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}

#[test]
fn a_file_named_on_the_command_line_that_cannot_be_read_exits_2_from_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    for args in flow_commands("no/such/flow.yaml", db.to_str().unwrap()) {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    }
    let out = shenpi(&["calendar", "add-days", "no-such-calendar.yaml", "2025-03-03", "1"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[test]
fn a_date_outside_the_calendar_exits_1_from_every_command_that_counts() {
    for args in [
        vec!["calendar", "add-days", "cn", "1900-01-02", "1"],
        vec!["calendar", "between", "cn", "1900-01-02", "2025-01-01"],
        vec!["render", "flows/zhejiang-industrial.yaml", "--format", "gantt-svg", "--start", "1900-01-02"],
    ] {
        let out = shenpi(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn the_help_lists_the_exit_codes() {
    let out = shenpi(&["--help"]);
    let text = String::from_utf8_lossy(&out.stdout);
    for line in ["0  success", "1  invalid input or refused", "2  usage or I/O error"] {
        assert!(text.contains(line), "{text}");
    }
}
