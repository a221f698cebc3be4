//! `--format json` as a vendor's script uses it: every command prints
//! exactly one JSON value on stdout, its answer or, when it fails, the one
//! object `{"error": {"code", "message", "diagnostics"}}`.

use std::collections::BTreeSet;
use std::fs;

use serde_json::Value;

mod common;

use common::{json_err, json_ok as good, root};

const FLOW: &str = "flows/zhejiang-industrial.yaml";
const BAD: &str = "tests/data/bad/cycle.yaml";

/// A small flow whose first step is deemed approved five working days after acceptance.
const SMALL: &str = "
id: t
name: 测试
budget: 30
stages:
  - id: s
    name: 一
    steps:
      - { id: filing, name: 备案, dept: 发改局, promised: 1, legal: 5 }
      - { id: land, name: 用地规划, dept: 自然资源局, promised: 5, legal: 20, on_timeout: deem-approved }
";

/// Commands that answer with drawings, scripts or pages, not data: `--format
/// json` is a usage error there, reported as JSON all the same.
const NO_JSON: [&str; 5] = ["render", "project-render", "serve", "completions", "man"];

// The issue's "Done when": every command, with `--format json`, on a good and
// a bad input; stdout is one JSON value each time, the error's code checked.
#[test]
fn every_command_prints_one_json_value_on_good_and_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let small = dir.path().join("t.yaml");
    fs::write(&small, SMALL).unwrap();
    let bad_calendar = dir.path().join("cal.yaml");
    fs::write(&bad_calendar, "base: mars\n").unwrap();
    let db = dir.path().join("s.db");
    let missing = dir.path().join("missing.db");
    let (small, bad_calendar) = (small.to_str().unwrap(), bad_calendar.to_str().unwrap());
    let (db, missing) = (db.to_str().unwrap(), missing.to_str().unwrap());
    let mut covered = BTreeSet::new();
    let mut cover = |page: &str| assert!(covered.insert(page.to_string()), "{page} twice");
    let j = |args: &[&str]| -> Vec<String> {
        args.iter().chain(&["--format", "json"]).map(|s| s.to_string()).collect()
    };
    let run_good = |args: &[&str]| good(&j(args).iter().map(String::as_str).collect::<Vec<_>>());
    let run_bad =
        |args: &[&str], code: &str| json_err(&j(args).iter().map(String::as_str).collect::<Vec<_>>(), code);

    cover("check");
    run_good(&["check", FLOW]);
    let check = run_bad(&["check", BAD], "invalid");
    cover("plan");
    run_good(&["plan", FLOW, "--start", "2025-03-03"]);
    let plan = run_bad(&["plan", BAD, "--start", "2025-03-03"], "invalid");
    cover("simulate");
    run_good(&["simulate", FLOW, "--runs", "50"]);
    let simulate = run_bad(&["simulate", BAD, "--runs", "50"], "invalid");
    run_bad(&["simulate", FLOW, "--param", "no_such=1"], "param");
    cover("calendar-add-days");
    run_good(&["calendar", "add-days", "cn", "2025-01-24", "3"]);
    run_bad(&["calendar", "add-days", "cn", "1990-01-02", "3"], "out-of-range");
    cover("calendar-between");
    run_good(&["calendar", "between", "cn", "2025-01-24", "2025-02-05"]);
    let calendar = run_bad(&["calendar", "between", bad_calendar, "2025-01-24", "2025-02-05"], "invalid");
    assert!(!calendar["diagnostics"].as_array().unwrap().is_empty(), "{calendar}");
    cover("calendar-show");
    run_good(&["calendar", "show", "cn", "2025"]);
    run_bad(&["calendar", "show", "cn", "1990"], "out-of-range");

    cover("project-new");
    run_good(&["project", "--db", db, "new", small, "--id", "P", "--start", "2025-03-03"]);
    let new = run_bad(&["project", "--db", db, "new", BAD, "--id", "Q", "--start", "2025-03-03"], "invalid");
    run_bad(&["project", "--db", db, "new", small, "--id", "P", "--start", "2025-03-03"], "exists");
    cover("project-event");
    let e = run_good(&["project", "--db", db, "event", "P", "filing", "accepted", "--date", "2025-03-03"]);
    assert_eq!(e["seq"], 1, "{e}");
    run_bad(&["project", "--db", db, "event", "P", "land", "approved", "--date", "2025-03-03"], "refused");
    run_bad(&["project", "--db", db, "event", "P", "filing", "no-such-kind"], "usage");
    cover("project-advance");
    run_good(&["project", "--db", db, "advance", "P", "--to", "2025-03-20"]);
    run_bad(&["project", "--db", db, "advance", "nobody", "--to", "2025-03-20"], "not-found");
    cover("project-status");
    run_good(&["project", "--db", db, "status", "P", "--date", "2025-03-20"]);
    run_bad(&["project", "--db", db, "status", "nobody", "--date", "2025-03-20"], "not-found");
    cover("project-board");
    run_good(&["project", "--db", db, "board", "--date", "2025-03-20"]);
    run_bad(&["project", "--db", missing, "board", "--date", "2025-03-20"], "store");
    cover("project-accountability");
    run_good(&["project", "--db", db, "accountability", "--date", "2025-03-20"]);
    run_bad(&["project", "--db", missing, "accountability", "--date", "2025-03-20"], "store");
    cover("project-reindex");
    let reindex = run_good(&["project", "--db", db, "reindex"]);
    assert_eq!(reindex["projects"], 1, "{reindex}");
    run_bad(&["project", "--db", missing, "reindex"], "store");
    cover("project-import");
    let lines = dir.path().join("in.jsonl");
    fs::write(&lines, r#"{"project": "P", "step": "filing", "kind": "approved", "date": "2025-03-04"}"#)
        .unwrap();
    let imported = run_good(&["project", "--db", db, "import", lines.to_str().unwrap()]);
    assert_eq!(imported["events"], 1, "{imported}");
    run_bad(&["project", "--db", db, "import", lines.to_str().unwrap()], "refused");
    cover("report");
    run_good(&["report", "--db", db, "--from", "2025-03-01", "--to", "2025-03-31"]);
    run_bad(&["report", "--db", missing, "--from", "2025-03-01", "--to", "2025-03-31"], "store");

    // A usage error clap finds, before any command runs, is JSON too.
    run_bad(&["plan", FLOW, "--start", "someday"], "usage");
    run_bad(&["check"], "usage");
    for page in NO_JSON {
        cover(page);
    }
    run_bad(&["render", FLOW], "usage");
    run_bad(&["project", "--db", db, "render", "P"], "usage");
    run_bad(&["serve"], "usage");
    run_bad(&["completions", "bash"], "usage");
    run_bad(&["man"], "usage");

    // A flow's diagnostics are the same, and as `check` gives them, from every command that reads it.
    assert!(!check["diagnostics"].as_array().unwrap().is_empty(), "{check}");
    for other in [&plan, &simulate, &new] {
        assert_eq!(other["diagnostics"], check["diagnostics"], "{other}");
    }
    // Every leaf command is covered: the pages in docs/man, which a test keeps current.
    let pages: BTreeSet<String> = fs::read_dir(root().join("docs/man"))
        .unwrap()
        .filter_map(|e| {
            e.ok()?.file_name().to_str()?.strip_prefix("shenpi-")?.strip_suffix(".1").map(String::from)
        })
        .collect();
    let leaves: BTreeSet<String> =
        pages.iter().filter(|p| !pages.iter().any(|q| q.starts_with(&format!("{p}-")))).cloned().collect();
    assert_eq!(leaves, covered, "cover each command with a good and a bad input above");
}

#[test]
fn check_keeps_its_array_for_good_files_and_fails_as_one_error() {
    let v = good(&["check", FLOW, "flows/jiaxing-after.yaml", "--format", "json"]);
    assert_eq!((v[0]["valid"].clone(), v[1]["valid"].clone()), (Value::Bool(true), Value::Bool(true)));
    let e =
        json_err(&["check", FLOW, "tests/data/bad/bad-when.yaml", "no/such.yaml", "--format", "json"], "io");
    let message = e["message"].as_str().unwrap();
    assert!(message.contains("`tests/data/bad/bad-when.yaml` is invalid"), "{message}");
    assert!(message.contains("cannot read `no/such.yaml`"), "{message}");
    let files: BTreeSet<&str> =
        e["diagnostics"].as_array().unwrap().iter().filter_map(|d| d["file"].as_str()).collect();
    assert!(files.contains("tests/data/bad/bad-when.yaml"), "{e}");
}

#[test]
fn plan_and_simulate() {
    let v = good(&["plan", FLOW, "--start", "2025-03-03", "--format", "json"]);
    assert_eq!(v["flow"], "zhejiang-industrial");
    let v = good(&["simulate", FLOW, "--runs", "200", "--format", "json"]);
    assert_eq!(v["runs"], 200);
}

#[test]
fn calendar_answers_and_refusals() {
    let v = good(&["calendar", "add-days", "cn", "2025-01-24", "3", "--format", "json"]);
    assert_eq!((v["due"].as_str(), v["provisional"].as_bool()), (Some("2025-02-05"), Some(false)));
    let v = good(&["calendar", "between", "cn", "2025-01-24", "2025-02-05", "--format", "json"]);
    assert_eq!(v["working_days"], 3);
    let v = good(&["calendar", "show", "cn", "2025", "--format", "json"]);
    let spring =
        v["entries"].as_array().unwrap().iter().find(|e| e["first"] == "2025-01-28").unwrap().clone();
    assert_eq!((spring["kind"].as_str(), spring["name"].as_str()), (Some("holiday"), Some("春节")));
    let notice = spring["notice"].as_u64().unwrap() as usize;
    assert!(v["notices"][notice]["title"].as_str().unwrap().contains("2025年部分节假日安排"));
}

#[test]
fn a_project_from_start_to_board() {
    let dir = tempfile::tempdir().unwrap();
    let flow = dir.path().join("t.yaml");
    std::fs::write(&flow, SMALL).unwrap();
    let db = dir.path().join("s.db");
    let (f, db) = (flow.to_str().unwrap(), db.to_str().unwrap());
    let p = |args: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = ["project", "--db", db].iter().map(|s| s.to_string()).collect();
        v.extend(args.iter().map(|s| s.to_string()));
        v.extend(["--format", "json"].map(String::from));
        v
    };
    let call = |args: &[&str]| good(&p(args).iter().map(String::as_str).collect::<Vec<_>>());

    let v = call(&["new", f, "--id", "P-1", "--start", "2025-03-03"]);
    assert_eq!(
        (v["id"].as_str(), v["flow"].as_str(), v["sequence"].as_u64()),
        (Some("P-1"), Some("t"), Some(0))
    );
    let v = call(&["event", "P-1", "filing", "accepted", "--date", "2025-03-03", "--key", "w/1"]);
    assert_eq!(
        (v["seq"].as_u64(), v["kind"].as_str(), v["key"].as_str()),
        (Some(1), Some("accepted"), Some("w/1"))
    );
    call(&["event", "P-1", "filing", "approved", "--date", "2025-03-03"]);
    call(&["event", "P-1", "land", "accepted", "--date", "2025-03-04"]);
    let v = call(&["status", "P-1", "--date", "2025-03-20"]);
    assert!(v["steps"].is_array(), "{v}");
    let v = call(&["board", "--date", "2025-03-20"]);
    assert!(v.is_array(), "{v}");
    let v = call(&["advance", "P-1", "--to", "2025-03-20"]);
    assert_eq!(v["recorded"][0]["kind"], "deemed-approved", "{v}");
    assert_eq!(v["sequence"], 4);
    let v = call(&["advance", "P-1", "--to", "2025-03-20"]);
    assert_eq!((v["recorded"].as_array().map(Vec::len), v["sequence"].as_u64()), (Some(0), Some(4)));
}
