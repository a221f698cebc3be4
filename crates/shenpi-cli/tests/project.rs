//! `shenpi project`: new, event, status, board over a store file.

use unicode_width::UnicodeWidthStr;

const FLOW: &str = "
id: t
name: 测试
calendar: cn
budget: 30
stages:
  - id: s
    name: 一
    steps:
      - { id: filing, name: 备案, dept: 发改局, promised: 1, legal: 5 }
      - { id: land, name: 用地规划, dept: 自然资源局, promised: 5, legal: 20, on_timeout: deem-approved }
";

mod common;

use common::project as shenpi;

#[test]
fn drive_a_project() {
    let dir = tempfile::tempdir().expect("temp dir");
    let flow = dir.path().join("t.yaml");
    std::fs::write(&flow, FLOW).expect("writes");
    let db = dir.path().join("s.db");
    let f = flow.to_str().expect("utf-8 path");
    let ok = |args: &[&str], want: &str| {
        let (code, out, err) = shenpi(&db, args);
        assert_eq!(code, 0, "{args:?}: {err}");
        assert!(out.contains(want), "{args:?}: `{out}` should contain `{want}`");
        out
    };
    let fails = |args: &[&str], code: i32, want: &str| {
        let (c, _, err) = shenpi(&db, args);
        assert_eq!(c, code, "{args:?}: {err}");
        assert!(err.contains(want), "{args:?}: `{err}` should contain `{want}`");
    };
    ok(&["new", f, "--id", "P", "--start", "2025-01-24"], "project `P` started 2025-01-24 on flow `t`");
    // The running project keeps its flow when the file changes.
    std::fs::write(&flow, FLOW.replace("promised: 5", "promised: 15")).expect("writes");
    fails(&["new", f, "--id", "P", "--start", "2025-01-24"], 1, "project `P` already exists");
    ok(
        &["event", "P", "filing", "accepted", "--date", "2025-01-24", "--key", "r1"],
        "event 1: `filing` accepted",
    );
    ok(
        &["event", "P", "filing", "accepted", "--date", "2025-01-24", "--key", "r1"],
        "event 1: `filing` accepted",
    );
    ok(&["event", "P", "filing", "approved", "--date", "2025-01-26"], "event 2");
    fails(
        &["event", "P", "land", "approved", "--date", "2025-01-27"],
        1,
        "the step is ready; `approved` needs it accepted",
    );
    fails(&["event", "P", "land", "approve"], 2, "unknown event kind `approve`");
    fails(&["event", "P", "land", "accepted", "--date", "2025-02-30"], 2, "2025-02-30");
    fails(&["event", "Q", "land", "accepted", "--date", "2025-01-27"], 1, "no project `Q`");
    ok(&["event", "P", "land", "accepted", "--date", "2025-01-27"], "event 3");
    let out = ok(&["status", "P", "--date", "2025-02-10", "--format", "json"], "\"due\": \"2025-02-10\"");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["steps"][1]["alert"], "yellow");
    assert_eq!(v["owed"].as_array().map(Vec::len), Some(0));
    ok(&["board", "--date", "2025-02-10", "--dept", "自然资源局"], "黄灯预警");
    // After the due date status shows the deemed approval the engine owes, and records nothing.
    ok(&["status", "P", "--date", "2025-02-12"], "owed: `land` deemed-approved on 2025-02-11");
    ok(&["board", "--date", "2025-02-12"], "0 step(s) due, overdue or flagged");
    ok(&["status", "P", "--date", "2025-02-12"], "owed: `land` deemed-approved on 2025-02-11");
    // `advance` records it.
    ok(&["advance", "P", "--to", "2025-02-12"], "recorded event 4: `land` deemed-approved on 2025-02-11");
    ok(&["advance", "P", "--to", "2025-02-12"], "nothing owed by 2025-02-12");
    fails(&["advance", "P", "--to", "2099-01-01"], 1, "after today");
    // A foreign file is refused with a clear message.
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, "not a database, just text ".repeat(100)).expect("writes");
    let (c, _, err) = shenpi(&junk, &["board"]);
    assert_eq!(c, 2, "{err}");
    assert!(err.contains("is not a shenpi store or is damaged"), "{err}");
}

/// Regression: the status table padded by characters, so a Chinese department name
/// (two columns a character) pushed the rest of its row to the right.
#[test]
fn status_table_lines_up_chinese_departments() {
    let dir = tempfile::tempdir().expect("temp dir");
    let flow = dir.path().join("t.yaml");
    std::fs::write(&flow, FLOW).expect("writes");
    let db = dir.path().join("s.db");
    let f = flow.to_str().expect("utf-8 path");
    assert_eq!(shenpi(&db, &["new", f, "--id", "P", "--start", "2025-01-24"]).0, 0);
    let (code, out, err) = shenpi(&db, &["status", "P", "--date", "2025-01-24"]);
    assert_eq!(code, 0, "{err}");
    // Each row's plan date starts at the same display column as the header's `plan`.
    let column = |line: &str, what: &str| line.find(what).map(|at| line[..at].width());
    let lines: Vec<&str> = out.lines().collect();
    let head = lines.iter().find(|l| l.starts_with("step")).expect("a header");
    let at = column(head, "plan").expect("a plan column");
    for id in ["filing", "land"] {
        let row = lines.iter().find(|l| l.starts_with(id)).expect("a row per step");
        assert!(row.contains("局"), "{row}");
        assert_eq!(column(row, "2025-0"), Some(at), "`{row}` under `{head}`");
    }
}

// Officials read 补充材料(暂停计时) for a stop during review (补正 precedes 受理), and a
// filing completed on timeout is 视为备案完成, not an approval. The flow says which steps are
// filings (`filing: true`); a title ending in 备案 decides nothing.
#[test]
fn status_speaks_the_words_officials_use() {
    let dir = tempfile::tempdir().expect("temp dir");
    let flow = dir.path().join("w.yaml");
    std::fs::write(
        &flow,
        "id: w\nname: 用语\ncalendar: cn\nbudget: 30\nstages:\n  - id: s\n    name: 一\n    steps:\n      \
         - parallel:\n          \
         - { id: filing, name: 企业投资项目备案(赋码), dept: 发改局, promised: 2, on_timeout: deem-approved, filing: true }\n          \
         - { id: titled, name: 看似备案, dept: 发改局, promised: 2, on_timeout: deem-approved }\n          \
         - { id: land, name: 用地规划, dept: 自然资源局, promised: 5, legal: 20 }\n",
    )
    .expect("writes");
    let db = dir.path().join("w.db");
    let run = |args: &[&str]| {
        let (code, out, err) = shenpi(&db, args);
        assert_eq!(code, 0, "{args:?}: {err}");
        out
    };
    run(&["new", flow.to_str().expect("utf-8 path"), "--id", "W", "--start", "2025-03-03"]);
    run(&["event", "W", "filing", "accepted", "--date", "2025-03-03"]);
    run(&["event", "W", "titled", "accepted", "--date", "2025-03-03"]);
    run(&["event", "W", "land", "accepted", "--date", "2025-03-03"]);
    run(&["event", "W", "land", "supplement-requested", "--date", "2025-03-04"]);
    let before = run(&["status", "W", "--date", "2025-03-10"]);
    assert!(before.contains("owed: `filing` deemed-approved (视为备案完成)"), "{before}");
    assert!(before.contains("owed: `titled` deemed-approved on"), "{before}");
    assert!(before.contains("补充材料(暂停计时)"), "{before}");
    assert!(!before.contains("补正"), "{before}");
    run(&["advance", "W", "--to", "2025-03-10"]);
    let after = run(&["status", "W", "--date", "2025-03-10"]);
    let filing = after.lines().find(|l| l.starts_with("filing")).expect("a row for the filing");
    assert!(filing.contains("视为备案完成") && !filing.contains("deemed"), "{after}");
    let titled = after.lines().find(|l| l.starts_with("titled")).expect("a row for the other step");
    assert!(titled.contains("deemed-approved") && !titled.contains("视为备案完成"), "{after}");
    assert!(after.contains("按时办结率"), "{after}");
}
