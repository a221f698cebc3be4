//! `--format json` as a vendor's script uses it: every command that answers
//! with data prints exactly one JSON value on stdout.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

const FLOW: &str = "flows/zhejiang-industrial.yaml";

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

/// Runs `shenpi ARGS` from the repository root; returns the exit code and
/// stdout parsed as exactly one JSON value (trailing text fails the parse).
fn run(args: &[&str]) -> (i32, Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_shenpi")).current_dir(root()).args(args).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "{args:?}: stdout is not one JSON value ({e}):\n{stdout}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), value)
}

/// `args` succeed with a JSON value.
fn good(args: &[&str]) -> Value {
    let (code, value) = run(args);
    assert_eq!(code, 0, "{args:?}: {value}");
    assert!(value.get("error").is_none(), "{args:?}: {value}");
    value
}

#[test]
fn check_keeps_its_array_for_good_and_bad_files() {
    let v = good(&["check", FLOW, "--format", "json"]);
    assert_eq!(v[0]["valid"], true);
    let (code, v) = run(&["check", FLOW, "tests/data/bad/bad-when.yaml", "--format", "json"]);
    assert_eq!(code, 1);
    assert_eq!((v[0]["valid"].clone(), v[1]["valid"].clone()), (Value::Bool(true), Value::Bool(false)));
    assert!(!v[1]["diagnostics"].as_array().unwrap().is_empty());
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
