//! `shenpi project reindex`, `shenpi report`, `shenpi project import`: the
//! store's projections and what is read from them.

use std::path::Path;
use std::process::Command;

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

/// Runs `shenpi ARGS` with `SHENPI_DB=db`; returns exit code, stdout, stderr.
fn shenpi(db: &Path, args: &[&str]) -> (i32, String, String) {
    let out =
        Command::new(env!("CARGO_BIN_EXE_shenpi")).args(args).env("SHENPI_DB", db).output().expect("runs");
    let text = |b: Vec<u8>| String::from_utf8(b).expect("utf-8");
    (out.status.code().unwrap_or(-1), text(out.stdout), text(out.stderr))
}

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
