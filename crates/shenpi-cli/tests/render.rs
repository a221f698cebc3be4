//! `shenpi render` and `shenpi project render`: every format, files, exit codes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn shenpi(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shenpi")).current_dir(root()).args(args).output().unwrap()
}

const FLOW: &str = "flows/zhejiang-industrial.yaml";

#[test]
fn every_format_draws_the_bundled_industrial_flow() {
    for (format, check) in [
        ("svg", "id=\"step-construction-permit\""),
        ("gantt-svg", "id=\"bar-construction-permit\""),
        ("mermaid", "flowchart LR"),
        ("dot", "digraph \"zhejiang-industrial\""),
    ] {
        let out = shenpi(&["render", FLOW, "--format", format, "--start", "2025-03-03"]);
        assert_eq!(out.status.code(), Some(0), "{format}: {}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains(check), "{format}");
        if format.ends_with("svg") {
            roxmltree::Document::parse(&text).unwrap();
        }
    }
}

#[test]
fn output_goes_to_a_file_whole() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("chart.svg");
    let out = shenpi(&["render", FLOW, "--format", "svg", "-o", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    roxmltree::Document::parse(&std::fs::read_to_string(&file).unwrap()).unwrap();
    // No temporary file is left behind.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn bad_input_exits_1_and_bad_usage_2() {
    let bad = shenpi(&["render", "tests/data/bad/cycle.yaml", "--format", "svg"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("error[E003]"));
    assert_eq!(shenpi(&["render", FLOW, "--format", "png"]).status.code(), Some(2));
    let unwritable = shenpi(&["render", FLOW, "--format", "svg", "-o", "/no/such/dir/chart.svg"]);
    assert_eq!(unwritable.status.code(), Some(2));
}

#[test]
fn a_live_project_renders_with_its_alerts() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let db = db.to_str().unwrap();
    let run = |args: &[&str]| {
        let mut all = vec!["project", "--db", db];
        all.extend_from_slice(args);
        let out = shenpi(&all);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    run(&["new", FLOW, "--id", "p1", "--start", "2025-03-03"]);
    run(&["event", "p1", "filing", "accepted", "--date", "2025-03-03"]);
    run(&["event", "p1", "filing", "approved", "--date", "2025-03-03"]);
    run(&["event", "p1", "land-transfer", "accepted", "--date", "2025-03-04"]);
    run(&["event", "p1", "land-transfer", "approved", "--date", "2025-04-01"]);
    run(&["event", "p1", "land-planning", "accepted", "--date", "2025-04-02"]);
    let svg = run(&["render", "p1", "--date", "2025-04-15"]);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let class = |id: &str| {
        doc.descendants()
            .find(|n| n.attribute("id") == Some(id))
            .and_then(|n| n.attribute("class"))
            .unwrap()
            .to_string()
    };
    assert!(class("bar-filing").contains("done"));
    // Accepted 2 April with 5 promised days: overdue on the 15th.
    assert!(class("bar-land-planning").contains("active red"), "{}", class("bar-land-planning"));
    assert!(class("bar-power").contains("planned"));
}
