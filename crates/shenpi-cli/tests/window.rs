//! `shenpi project` at a service window: reads that never write or conflict,
//! odd store paths, dates ahead of today, and many clients at once.

mod common;

use std::path::Path;

const FLOW: &str = "
id: w
name: 窗口
calendar: cn
stages:
  - id: s
    name: 一
    steps:
      - parallel:
          - { id: s0, name: 事项0, dept: 发改局, promised: 5 }
          - { id: s1, name: 事项1, dept: 自然资源局, promised: 5 }
          - { id: s2, name: 事项2, dept: 生态环境局, promised: 5 }
          - { id: s3, name: 事项3, dept: 住建局, promised: 5 }
          - { id: s4, name: 事项4, dept: 水利局, promised: 5 }
          - { id: s5, name: 事项5, dept: 消防, promised: 5 }
          - { id: s6, name: 事项6, dept: 人防办, promised: 5 }
          - { id: s7, name: 事项7, dept: 气象局, promised: 5 }
";

/// Runs `shenpi project ARGS` with `envs`; returns exit code, stdout, stderr.
fn run(args: &[&str], envs: &[(&str, &Path)]) -> (i32, String, String) {
    let envs: Vec<(&str, &std::ffi::OsStr)> = envs.iter().map(|(k, v)| (*k, v.as_os_str())).collect();
    common::run_with(&[&["project"], args].concat(), &envs)
}

/// A store at `db` holding project `P` of the eight-step flow, started 24 January 2025.
fn store(dir: &Path, db: &Path) {
    let flow = dir.join("w.yaml");
    std::fs::write(&flow, FLOW).expect("writes");
    let f = flow.to_str().expect("utf-8 path");
    let db = db.to_str().expect("utf-8 path");
    let (code, _, err) = run(&["new", f, "--id", "P", "--start", "2025-01-24", "--db", db], &[]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn read_commands_never_create_a_store() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("mistyped.db");
    let m = missing.to_str().expect("utf-8 path");
    for args in [vec!["status", "P"], vec!["board"], vec!["render", "P"]] {
        let mut args = args.clone();
        args.extend(["--db", m]);
        let (code, out, err) = run(&args, &[]);
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(err.contains("mistyped.db") && err.contains("does not exist"), "{args:?}: {err}");
    }
    assert!(!missing.exists(), "a read created the store");
}

#[test]
fn shenpi_db_names_the_store() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("env.db");
    let flow = dir.path().join("w.yaml");
    std::fs::write(&flow, FLOW).expect("writes");
    let f = flow.to_str().expect("utf-8 path");
    let env = [("SHENPI_DB", db.as_path())];
    assert_eq!(run(&["new", f, "--id", "P", "--start", "2025-01-24"], &env).0, 0);
    assert!(db.exists());
    let (code, out, err) = run(&["status", "P", "--date", "2025-01-27"], &env);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("project `P` on 2025-01-27"), "{out}");
    // `--db` wins over the variable.
    let other = dir.path().join("other.db");
    let (code, _, err) = run(&["board", "--db", other.to_str().expect("utf-8")], &env);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn status_before_the_start_says_not_started() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("s.db");
    store(dir.path(), &db);
    let (code, out, err) =
        run(&["status", "P", "--date", "2025-01-23", "--db", db.to_str().expect("utf-8")], &[]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("not started: the project starts on 2025-01-24"), "{out}");
}

#[test]
fn an_event_after_today_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("s.db");
    store(dir.path(), &db);
    let d = db.to_str().expect("utf-8");
    let (code, _, err) = run(&["event", "P", "s0", "accepted", "--date", "9999-12-30", "--db", d], &[]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("9999-12-30 is after today") && err.contains("is the year right?"), "{err}");
    let (_, out, _) = run(&["status", "P", "--date", "2025-01-27", "--format", "json", "--db", d], &[]);
    assert!(!out.contains("\"accepted\": \"9999"), "nothing recorded: {out}");
}

#[test]
fn a_read_only_store_file_is_read_without_a_write() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("s.db");
    store(dir.path(), &db);
    let d = db.to_str().expect("utf-8");
    assert_eq!(run(&["event", "P", "s0", "accepted", "--date", "2025-01-24", "--db", d], &[]).0, 0);
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).expect("chmod");
    let (bytes, mtime) = (
        std::fs::read(&db).expect("reads"),
        std::fs::metadata(&db).and_then(|m| m.modified()).expect("mtime"),
    );
    for args in [vec!["status", "P", "--date", "2025-03-31"], vec!["board", "--date", "2025-03-31"]] {
        let mut args = args.clone();
        args.extend(["--db", d]);
        let (code, _, err) = run(&args, &[]);
        assert_eq!(code, 0, "{args:?}: {err}");
    }
    assert_eq!(std::fs::metadata(&db).and_then(|m| m.modified()).expect("mtime"), mtime);
    assert!(std::fs::read(&db).expect("reads") == bytes, "the file's bytes changed");
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).expect("chmod back");
}

/// Regression: `status` wrote what the engine owed, so readers collided with
/// writers ("someone else wrote first") and failed with exit 2.
#[test]
fn eight_status_calls_during_eight_writers_all_succeed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("s.db");
    store(dir.path(), &db);
    let d = db.to_str().expect("utf-8").to_string();
    let results: Vec<(String, (i32, String, String))> = std::thread::scope(|s| {
        let mut handles = Vec::new();
        for i in 0..8 {
            let (d, dr) = (d.clone(), d.clone());
            handles.push(s.spawn(move || {
                let step = format!("s{i}");
                let args =
                    ["event", "P", step.as_str(), "accepted", "--date", "2025-01-27", "--db", d.as_str()];
                (format!("writer {i}"), run(&args, &[]))
            }));
            handles.push(s.spawn(move || {
                (
                    format!("reader {i}"),
                    run(&["status", "P", "--date", "2025-02-10", "--db", dr.as_str()], &[]),
                )
            }));
        }
        handles.into_iter().map(|h| h.join().expect("joins")).collect()
    });
    for (who, (code, out, err)) in &results {
        assert_eq!(*code, 0, "{who}: {out}{err}");
    }
    let (_, out, _) = run(&["status", "P", "--date", "2025-02-10", "--format", "json", "--db", &d], &[]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let accepted = v["steps"].as_array().expect("steps").iter().filter(|s| s["state"] == "accepted").count();
    assert_eq!(accepted, 8, "every writer's event is there once");
}

/// 收件 with no answer: status shows the window and what the engine owes;
/// `advance` records the deemed acceptance, dated the day of receipt.
#[test]
fn received_then_deemed_accepted_by_advance() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("s.db");
    store(dir.path(), &db);
    let d = db.to_str().expect("utf-8");
    let (code, _, err) = run(&["event", "P", "s0", "received", "--date", "2025-01-27", "--db", d], &[]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run(&["status", "P", "--date", "2025-02-10", "--db", d], &[]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("`s0`: received 2025-01-27; accepted from that day unless answered by 2025-02-10"),
        "{out}"
    );
    let (_, out, _) = run(&["status", "P", "--date", "2025-02-11", "--db", d], &[]);
    assert!(out.contains("owed: `s0` deemed-accepted on 2025-01-27"), "{out}");
    let (code, out, err) = run(&["advance", "P", "--to", "2025-02-11", "--db", d], &[]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("recorded event 2: `s0` deemed-accepted on 2025-01-27"), "{out}");
    let (_, out, _) = run(&["status", "P", "--date", "2025-02-11", "--format", "json", "--db", d], &[]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let s0 = &v["steps"][0];
    assert_eq!((s0["state"].as_str(), s0["accepted"].as_str()), (Some("accepted"), Some("2025-01-27")));
}

/// The details an event needs come from flags, and a missing one is refused with exit 1.
#[test]
fn event_details_come_from_flags() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("s.db");
    store(dir.path(), &db);
    let d = db.to_str().expect("utf-8");
    let ev = |args: &[&str]| {
        let mut all = vec!["event", "P"];
        all.extend(args);
        all.extend(["--db", d]);
        run(&all, &[])
    };
    assert_eq!(ev(&["s0", "received", "--date", "2025-01-27"]).0, 0);
    let (code, _, err) = ev(&["s0", "not-accepted", "--date", "2025-02-05"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("`not-accepted` needs a reason"), "{err}");
    assert_eq!(ev(&["s0", "not-accepted", "--date", "2025-02-05", "--reason", "材料不全"]).0, 0);
    // A second application: attempt 2.
    assert_eq!(ev(&["s0", "accepted", "--date", "2025-02-06"]).0, 0);
    let (code, _, err) = ev(&["s0", "extended", "--days", "11", "--by", "局长", "--date", "2025-02-07"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("more than the 10 the step allows"), "{err}");
    assert_eq!(ev(&["s0", "extended", "--days", "10", "--by", "局长", "--date", "2025-02-07"]).0, 0);
    let (code, _, err) = ev(&["s0", "procedure-started", "--kind", "expert", "--date", "2025-02-10"]);
    assert_eq!(code, 2, "a mistyped kind is a usage error: {err}");
    assert!(err.contains("expert-review"), "{err}");
    let (code, _, err) = ev(&[
        "s0",
        "procedure-started",
        "--kind",
        "expert-review",
        "--notified",
        "2025-02-10",
        "--date",
        "2025-02-10",
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run(&["status", "P", "--date", "2025-02-11", "--db", d], &[]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("paused (expert-review) #2"), "{out}");
    assert!(out.contains("`s0`: application 2 (earlier applications used 0 working days)"), "{out}");
    assert!(out.contains("(+10)"), "the extended legal due date: {out}");
}
