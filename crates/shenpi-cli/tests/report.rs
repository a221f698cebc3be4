//! `shenpi project reindex`, `shenpi report`, `shenpi project import`: the
//! store's projections and what is read from them.

use std::path::Path;

const FLOW: &str = "
id: t
name: 测试
calendar: cn
stages:
  - id: s
    name: 一
    steps:
      - { id: filing, name: 备案, dept: 发改局, promised: 1, legal: 5 }
      - { id: land, name: 用地规划, dept: 自然资源局, promised: 5, legal: 20 }
";

mod common;

use common::run_db as shenpi;

fn ok(db: &Path, args: &[&str]) -> String {
    let (code, out, err) = shenpi(db, args);
    assert_eq!(code, 0, "{args:?}: {err}");
    out
}

/// A store with two projects: one decided on time, one overdue at 自然资源局.
fn store(dir: &Path) -> std::path::PathBuf {
    let flow = dir.join("t.yaml");
    std::fs::write(&flow, FLOW).expect("writes");
    let db = dir.join("s.db");
    let f = flow.to_str().expect("utf-8 path");
    for (id, start) in [("A", "2025-01-06"), ("B", "2025-02-03")] {
        ok(&db, &["project", "new", f, "--id", id, "--start", start]);
        ok(&db, &["project", "event", id, "filing", "accepted", "--date", start]);
        ok(&db, &["project", "event", id, "filing", "approved", "--date", start]);
        ok(&db, &["project", "event", id, "land", "accepted", "--date", start]);
    }
    ok(&db, &["project", "event", "A", "land", "approved", "--date", "2025-01-08"]);
    db
}

#[test]
fn reindex_rebuilds_what_the_board_reads() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = store(dir.path());
    let board = ["project", "board", "--date", "2025-02-20", "--format", "json"];
    let before = ok(&db, &board);
    assert!(before.contains("\"project\": \"B\"") && before.contains("\"alert\": \"red\""), "{before}");
    assert!(!before.contains("\"project\": \"A\""), "{before}");
    let out = ok(&db, &["project", "reindex"]);
    assert!(out.contains("rebuilt the projections of 2 project(s)"), "{out}");
    assert_eq!(ok(&db, &board), before);
    let one = ok(&db, &["project", "board", "--date", "2025-02-20", "--dept", "发改局"]);
    assert!(one.contains("0 step(s) due, overdue or flagged"), "{one}");
}

#[test]
fn report_counts_by_department_month_and_flow_in_every_format() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = store(dir.path());
    let period = ["report", "--from", "2025-01-01", "--to", "2025-03-31"];
    let json = ok(&db, &[&period[..], &["--format", "json"]].concat());
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(
        (v["from"].as_str(), v["to"].as_str(), v["by"].as_str()),
        (Some("2025-01-01"), Some("2025-03-31"), Some("dept"))
    );
    let rows = v["rows"].as_array().expect("rows");
    let land = rows.iter().find(|r| r["key"] == "自然资源局").expect("a row for 自然资源局");
    // A decided on time; B accepted and overdue on the last day.
    assert_eq!(
        (land["received"].as_i64(), land["decided"].as_i64(), land["on_time"].as_i64()),
        (Some(2), Some(1), Some(1))
    );
    assert_eq!((land["on_time_rate"].as_f64(), land["overdue_now"].as_i64()), (Some(1.0), Some(1)));
    // 2 working days used of 20 legal: 提速率 0.9.
    assert_eq!(land["speed_up"].as_f64(), Some(0.9));
    let months = ok(&db, &[&period[..], &["--by", "month", "--format", "csv"]].concat());
    let mut lines = months.lines();
    assert!(
        lines.next().is_some_and(|h| h.starts_with("key,received,accepted,decided,on_time,on_time_rate")),
        "{months}"
    );
    assert!(lines.next().is_some_and(|l| l.starts_with("2025-01,2,2,2,2,1.0000")), "{months}");
    // Every figure of a JSON row is a CSV column, and nothing else is.
    let mut columns: Vec<&str> = months.lines().next().unwrap_or_default().split(',').collect();
    let mut keys: Vec<&str> =
        land.as_object().expect("a row is an object").keys().map(String::as_str).collect();
    columns.sort_unstable();
    keys.sort_unstable();
    assert_eq!(columns, keys);
    let table = ok(&db, &[&period[..], &["--by", "flow"]].concat());
    assert!(table.contains("按时办结率") && table.contains("t "), "{table}");
    let (code, _, err) = shenpi(&db, &["report", "--from", "2025-03-31", "--to", "2025-01-01"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("before it starts"), "{err}");
}

#[test]
fn import_writes_each_project_whole_or_not_at_all_and_names_the_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let flow = dir.path().join("t.yaml");
    std::fs::write(&flow, FLOW).expect("writes");
    let f = flow.to_str().expect("utf-8 path");
    let db = dir.path().join("s.db");
    let lines = [
        format!(r#"{{"project": "A", "flow": "{f}", "start": "2025-01-06"}}"#),
        r#"{"project": "A", "step": "filing", "kind": "accepted", "date": "2025-01-06"}"#.to_string(),
        format!(r#"{{"project": "B", "flow": "{f}", "start": "2025-01-06"}}"#),
        r#"{"project": "A", "step": "filing", "kind": "approved", "date": "2025-01-07"}"#.to_string(),
        r#"{"project": "B", "step": "land", "kind": "approved", "date": "2025-01-07"}"#.to_string(),
        "not json".to_string(),
        r#"{"project": "C", "step": "filing", "kind": "accepted", "date": "2025-01-06"}"#.to_string(),
    ];
    let file = dir.path().join("in.jsonl");
    std::fs::write(&file, lines.join("\n")).expect("writes");
    let (code, out, err) = shenpi(&db, &["project", "import", file.to_str().expect("utf-8")]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("imported 1 project(s) with 2 event(s)"), "{err}");
    assert!(err.contains("line 5: project `B`:"), "B's event is refused where it stands: {err}");
    assert!(err.contains("line 6: not JSON"), "{err}");
    assert!(err.contains("line 7: project `C`: no project `C`"), "{err}");
    let status = ok(&db, &["project", "status", "A", "--date", "2025-01-08", "--format", "json"]);
    assert!(status.contains("\"state\": \"approved\""), "{status}");
    let (code, _, err) = shenpi(&db, &["project", "status", "B"]);
    assert_eq!(code, 1, "B was written not at all: {err}");
    // Events for a project already in the store are added in one append.
    std::fs::write(&file, r#"{"project": "A", "step": "land", "kind": "accepted", "date": "2025-01-08"}"#)
        .expect("writes");
    let out = ok(&db, &["project", "import", file.to_str().expect("utf-8"), "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!((v["imported"][0].as_str(), v["events"].as_i64()), (Some("A"), Some(1)));
}

/// The escalation ladder on the command line: the board's rung column and
/// the 问责 list, read from the store's projections, across 国庆 2025.
#[test]
fn the_board_shows_each_rung_and_accountability_lists_unanswered_notices() {
    let dir = tempfile::tempdir().expect("temp dir");
    let flow = dir.path().join("ladder.yaml");
    let text =
        FLOW.replace("calendar: cn", "calendar: cn\nalerts: { red: 1, supervise: 3, answer_within: 2 }");
    std::fs::write(&flow, text).expect("writes");
    let db = dir.path().join("s.db");
    let f = flow.to_str().expect("utf-8 path");
    ok(&db, &["project", "new", f, "--id", "P", "--start", "2025-09-22"]);
    ok(&db, &["project", "event", "P", "filing", "accepted", "--date", "2025-09-22"]);
    ok(&db, &["project", "event", "P", "filing", "approved", "--date", "2025-09-23"]);
    ok(&db, &["project", "event", "P", "land", "accepted", "--date", "2025-09-24"]);
    let rung = |date: &str| {
        let out = ok(&db, &["project", "board", "--date", date, "--dept", "自然资源局", "--format", "json"]);
        let v: serde_json::Value = serde_json::from_str(&out).expect("json");
        v.as_array().and_then(|a| a.first()).map(|r| r["rung"].as_str().unwrap_or("").to_string())
    };
    assert_eq!(rung("2025-09-30").as_deref(), Some("warning"));
    assert_eq!(rung("2025-10-09").as_deref(), Some("overdue"));
    assert_eq!(rung("2025-10-11").as_deref(), Some("supervised"));
    assert_eq!(rung("2025-10-15").as_deref(), Some("accountable"));
    let table = ok(&db, &["project", "board", "--date", "2025-10-15"]);
    assert!(table.contains("问责"), "{table}");
    let list = ok(&db, &["project", "accountability", "--date", "2025-10-15"]);
    assert!(list.contains("1 supervision notice(s)") && list.contains("督办 2025-10-11"), "{list}");
    ok(&db, &["project", "advance", "P", "--to", "2025-10-15"]);
    let args = ["project", "event", "P", "land", "answered", "--dept", "自然资源局", "--date", "2025-10-16"];
    ok(&db, &args);
    assert_eq!(rung("2025-10-16").as_deref(), Some("overdue"));
    let list = ok(&db, &["project", "accountability", "--date", "2025-10-16", "--format", "json"]);
    assert_eq!(list.trim(), "[]");
}

/// `report --format svg`: one picture, by department and by month, that parses.
#[test]
fn report_draws_the_period_as_svg() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = store(dir.path());
    let svg = ok(&db, &["report", "--from", "2025-01-01", "--to", "2025-03-31", "--format", "svg"]);
    let doc = roxmltree::Document::parse(&svg).expect("well-formed SVG");
    let text: Vec<&str> = doc.descendants().filter_map(|n| n.text()).collect();
    for label in ["自然资源局", "发改局", "2025-01", "2025-02"] {
        assert!(text.contains(&label), "`{label}` in {text:?}");
    }
}

#[test]
fn report_counts_only_the_region_asked_for() {
    let dir = tempfile::tempdir().expect("temp dir");
    let flow = dir.path().join("t.yaml");
    std::fs::write(&flow, FLOW).expect("writes");
    let f = flow.to_str().expect("utf-8 path");
    let db = dir.path().join("s.db");
    // One project in a county of 嘉兴 (3304), one in a county of 湖州 (3305).
    for (id, region) in [("J", "330421"), ("H", "330521")] {
        ok(&db, &["project", "new", f, "--id", id, "--start", "2025-01-06", "--region", region]);
        ok(&db, &["project", "event", id, "filing", "accepted", "--date", "2025-01-06"]);
        ok(&db, &["project", "event", id, "filing", "approved", "--date", "2025-01-07"]);
        ok(&db, &["project", "event", id, "land", "accepted", "--date", "2025-01-08"]);
    }
    let period = ["report", "--from", "2025-01-01", "--to", "2025-01-31", "--format", "json"];
    let decided = |out: &str| -> (String, Option<i64>) {
        let v: serde_json::Value = serde_json::from_str(out).expect("JSON");
        let filing = v["rows"].as_array().and_then(|r| r.iter().find(|r| r["key"] == "发改局").cloned());
        (v["region"].as_str().unwrap_or("?").to_string(), filing.and_then(|r| r["decided"].as_i64()))
    };
    assert_eq!(decided(&ok(&db, &period)), (String::new(), Some(2)));
    assert_eq!(decided(&ok(&db, &[&period[..], &["--region", "3304"]].concat())), ("3304".into(), Some(1)));
    assert_eq!(decided(&ok(&db, &[&period[..], &["--region", "3306"]].concat())), ("3306".into(), None));
    let table = ok(&db, &["report", "--from", "2025-01-01", "--to", "2025-01-31", "--region", "3305"]);
    assert!(table.contains("in region 3305: 2 row(s)"), "{table}");
    let board = ["project", "board", "--date", "2025-01-31", "--format", "json"];
    let projects = |region: &str| {
        let out = ok(&db, &[&board[..], &["--region", region]].concat());
        let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
        v.as_array().into_iter().flatten().map(|r| r["project"].to_string()).collect::<Vec<_>>().join(" ")
    };
    assert_eq!((projects("").as_str(), projects("3305").as_str()), ("\"H\" \"J\"", "\"H\""));
    let (code, _, err) = shenpi(&db, &[&board[..], &["--region", "3304x"]].concat());
    assert_eq!(code, 2, "{err}");
    let list = ["project", "accountability", "--date", "2025-01-31", "--region", "330421"];
    assert!(ok(&db, &list).contains("0 supervision notice(s)"));
    // A region is digits: refused before anything is written or read.
    let (code, _, err) =
        shenpi(&db, &["project", "new", f, "--id", "X", "--start", "2025-01-06", "--region", "33-04"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("1 to 12 digits"), "{err}");
    assert_eq!(shenpi(&db, &["project", "status", "X"]).0, 1, "X was not created");
    let (code, _, err) =
        shenpi(&db, &["report", "--from", "2025-01-01", "--to", "2025-01-31", "--region", "嘉兴"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("region code"), "{err}");
}
