//! The SQLite store: round trips through `Project`, bad files, migrations.
//! What every store must do (keys, conflicts, many writers) is in `conformance.rs`.

use std::sync::Arc;

use chrono::NaiveDate;
use shenpi_core::Flow;
use shenpi_core::runtime::{EventKind, NewEvent, Project, ProjectCalendar, Store};
use shenpi_sqlite::SqliteStore;

const FLOW: &str = "
id: f
name: 示例
calendar: cn
stages: [{ id: s, name: 阶段, steps: [{ id: a, name: 备案, promised: 1 }, { id: b, name: 许可, promised: 5 }] }]
";

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 3, d).expect("valid day")
}

/// The day the tests run on, for the runtime: after every date they record.
fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, 30).expect("valid day")
}

fn new_project(store: &SqliteStore, id: &str) -> Project {
    let flow = Flow::parse("f.yaml", FLOW).unwrap_or_else(|r| panic!("{}", r.render()));
    Project::create(store, Arc::new(flow), id, day(3), &[]).expect("created")
}

#[test]
fn round_trip_keys_and_conflicts() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("s.db");
    let store = SqliteStore::open(&path).expect("opens");
    let mut p = new_project(&store, "P");
    assert!(
        Project::create(&store, p.graph().flow().clone(), "P", day(3), &[]).expect_err("taken").is_exists()
    );
    let e1 = p
        .record(&store, NewEvent::new("a", EventKind::Accepted, day(3)).with_key("k1"), today())
        .expect("records");
    p.record(&store, NewEvent::new("a", EventKind::Approved, day(4)), today()).expect("records");
    // A retry through the store with a stale expected sequence returns the recorded event.
    let again = store
        .append("P", 0, &[NewEvent::new("a", EventKind::Accepted, day(3)).with_key("k1")])
        .expect("retry");
    assert_eq!(again, vec![e1.clone()]);
    let err = store.append("P", 0, &[NewEvent::new("b", EventKind::Accepted, day(4))]).expect_err("stale");
    assert!(err.is_conflict(), "{err}");
    assert!(store.append("Q", 0, &[]).expect_err("unknown").is_not_found());
    drop(store);
    let store = SqliteStore::open(&path).expect("reopens");
    store.verify().expect("intact");
    let q = Project::open(&store, "P").expect("loads");
    assert_eq!(q.events(), p.events());
    assert_eq!(q.state(), p.state());
    assert_eq!(q.info(), p.info());
    assert_eq!(store.list().expect("lists"), vec!["P".to_string()]);
}

#[test]
fn bad_files_give_clear_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let check = |name: &str, bytes: Option<&[u8]>, setup: &dyn Fn(&std::path::Path), expect: &str| {
        let path = dir.path().join(name);
        if let Some(b) = bytes {
            std::fs::write(&path, b).expect("writes");
        }
        setup(&path);
        let err = SqliteStore::open(&path).expect_err("refused");
        assert!(err.is_corrupt(), "{name}: {err}");
        assert!(err.to_string().contains(expect), "{name}: `{err}` should say `{expect}`");
    };
    let none = |_: &std::path::Path| {};
    check(
        "text.db",
        Some(b"id: not a database at all, just some text that is long enough".repeat(50).as_slice()),
        &none,
        "is not a shenpi store or is damaged",
    );
    let foreign = |p: &std::path::Path| {
        let c = rusqlite::Connection::open(p).expect("opens");
        c.execute_batch("CREATE TABLE photos (id INTEGER)").expect("creates");
    };
    check("foreign.db", None, &foreign, "a SQLite file of another program");
    let newer = |p: &std::path::Path| {
        drop(SqliteStore::open(p).expect("creates"));
        let c = rusqlite::Connection::open(p).expect("opens");
        c.pragma_update(None, "user_version", 99).expect("sets");
    };
    check("newer.db", None, &newer, "schema version 99, newer than this shenpi knows");
    // A store whose middle pages were overwritten.
    let damaged = |p: &std::path::Path| {
        let store = SqliteStore::open(p).expect("creates");
        for i in 0..200 {
            new_project(&store, &format!("P{i:03}"));
        }
        drop(store);
        let mut bytes = std::fs::read(p).expect("reads");
        let len = bytes.len();
        for b in &mut bytes[len / 4..len / 2] {
            *b = 0xA5;
        }
        bytes[..16].copy_from_slice(b"garbage header!!");
        std::fs::write(p, bytes).expect("writes");
    };
    check("damaged.db", None, &damaged, "is not a shenpi store or is damaged");
}

#[test]
fn a_version_1_store_migrates_and_keeps_its_projects() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("v1.db");
    // Make a version-1 store: the current schema without the pinned calendar and the event detail.
    {
        let store = SqliteStore::open(&path).expect("creates");
        let mut p = new_project(&store, "OLD");
        p.record(&store, NewEvent::new("a", EventKind::Accepted, day(3)), today()).expect("recorded");
    }
    {
        let c = rusqlite::Connection::open(&path).expect("opens");
        c.execute_batch(
            "ALTER TABLE projects DROP COLUMN region; ALTER TABLE projects DROP COLUMN calendar_text; \
             ALTER TABLE events DROP COLUMN detail;
             DROP TABLE open_steps; DROP TABLE project_tallies; DROP TABLE tallies; DROP TABLE settings;
             PRAGMA user_version = 1;",
        )
        .expect("downgrades");
    }
    let store = SqliteStore::open(&path).expect("migrates");
    store.verify().expect("intact");
    let old = Project::open(&store, "OLD").expect("old project loads");
    assert_eq!((&old.info().calendar_text, &old.info().region), (&None, &None));
    // The migration projected the projects already there.
    assert_eq!(store.open_steps(None, today(), "").expect("reads the board").len(), 1);
    // A project of a flow with a calendar file keeps that file's text.
    let cal = dir.path().join("county.yaml");
    std::fs::write(&cal, "base: cn\nholidays:\n  - 2025-03-11\n").expect("writes");
    let flow_path = dir.path().join("f.yaml");
    std::fs::write(&flow_path, FLOW.replace("calendar: cn", "calendar: county.yaml")).expect("writes");
    let flow = Arc::new(Flow::load(&flow_path).expect("loads"));
    let text = std::fs::read_to_string(&cal).expect("reads");
    let county = ProjectCalendar::from_yaml("county.yaml", text).expect("parses");
    Project::create_on(&store, county, flow, "NEW", day(3), &[]).expect("created");
    let new = Project::open(&store, "NEW").expect("loads");
    assert!(new.info().calendar_text.as_deref().is_some_and(|t| t.contains("2025-03-11")));
}
