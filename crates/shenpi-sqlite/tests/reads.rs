//! Reads never write: a store read any number of times, in any order, is the
//! same file afterwards; a read-only store can be read; a missing one is not created.

use std::path::Path;
use std::sync::Arc;

use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use shenpi_core::Flow;
use shenpi_core::runtime::{EventKind, NewEvent, Project, Store, board};
use shenpi_sqlite::SqliteStore;

const FLOW: &str = "
id: f
name: 示例
calendar: cn
budget: 20
stages:
  - id: s
    name: 阶段
    steps:
      - { id: a, name: 备案, dept: 发改局, promised: 1 }
      - parallel:
          - { id: b, name: 用地, dept: 自然资源局, promised: 3, on_timeout: deem-approved }
          - { id: c, name: 环评, dept: 生态环境局, promised: 4 }
      - { id: d, name: 许可, dept: 住建局, promised: 2, provisional: { before: [b, c], confirm_within: 5 } }
";

fn flow() -> Arc<Flow> {
    Arc::new(Flow::parse("f.yaml", FLOW).unwrap_or_else(|r| panic!("{}", r.render())))
}

fn day(offset: u64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 1, 20).expect("valid day") + Days::new(offset)
}

/// Everything in the file as text: every row of every table, in order.
fn dump(path: &Path) -> Vec<String> {
    let c = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .expect("opens");
    let tables: Vec<String> = c
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .expect("lists tables");
    let mut out = Vec::new();
    for t in tables {
        let mut stmt = c.prepare(&format!("SELECT * FROM \"{t}\" ORDER BY 1, 2")).expect("selects");
        let n = stmt.column_count();
        let rows = stmt
            .query_map([], |r| {
                let cells: Vec<String> =
                    (0..n).map(|i| format!("{:?}", r.get_ref(i).map(|v| format!("{v:?}")))).collect();
                Ok(format!("{t}: {}", cells.join(" | ")))
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .expect("reads rows");
        out.extend(rows);
    }
    out
}

/// The file as it is: its bytes, its modification time and its tables.
fn snapshot(path: &Path) -> (Vec<u8>, std::time::SystemTime, Vec<String>) {
    let meta = std::fs::metadata(path).expect("stat");
    (std::fs::read(path).expect("reads"), meta.modified().expect("mtime"), dump(path))
}

/// Builds a store of `projects` projects with histories drawn from `picks`.
fn build(path: &Path, projects: usize, picks: &[(u8, u16)]) {
    let store = SqliteStore::open(path).expect("creates");
    for i in 0..projects {
        let id = format!("P{i}");
        let mut p = Project::create(&store, flow(), &id, day(0), &[]).expect("creates");
        let mut date = day(0);
        for &(gap, pick) in picks.iter().skip(i).step_by(projects) {
            date = date + Days::new(u64::from(gap));
            let ids: Vec<String> = p.graph().nodes().map(|v| p.graph().step(v).id().to_string()).collect();
            let options: Vec<NewEvent> = ids
                .iter()
                .flat_map(|s| EventKind::ALL.map(|k| NewEvent::new(s.clone(), k, date)))
                .filter(|e| p.check(e, date).is_ok())
                .collect();
            if pick % 5 == 0 {
                p.advance(&store, date, date).expect("advances");
            } else if !options.is_empty() {
                p.record(&store, options[pick as usize % options.len()].clone(), date).expect("records");
            }
        }
    }
}

/// One read, as the command line's read commands make them: open read-only, read, drop.
fn read(path: &Path, what: u8, offset: u64) {
    let store = SqliteStore::open_read_only(path).expect("opens read-only");
    let date = day(offset);
    let ids = store.list().expect("lists");
    let projects: Vec<Project> = ids.iter().map(|id| Project::open(&store, id).expect("opens")).collect();
    match what % 4 {
        0 => drop(board(&projects, date, None).expect("board")),
        1 => projects.iter().for_each(|p| drop(p.status(date).expect("status"))),
        2 => projects.iter().for_each(|p| drop(p.owed(date).expect("owed"))),
        _ => projects.iter().for_each(|p| drop(p.as_of(date).expect("as of"))),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    /// Any sequence of reads on any store leaves the file byte for byte as it was.
    #[test]
    fn any_reads_leave_every_table_unchanged(
        projects in 1usize..4,
        picks in prop::collection::vec((0u8..4, any::<u16>()), 0..60),
        reads in prop::collection::vec((any::<u8>(), 0u64..400), 1..8),
    ) {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("s.db");
        build(&path, projects, &picks);
        let before = snapshot(&path);
        for (what, offset) in reads {
            read(&path, what, offset);
        }
        let after = snapshot(&path);
        prop_assert!(before.2 == after.2, "a table changed");
        prop_assert!(before.1 == after.1, "the file's modification time changed");
        prop_assert!(before.0 == after.0, "the file's bytes changed");
    }
}

#[test]
fn a_read_only_store_can_be_read_and_refuses_writes() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("s.db");
    build(&path, 2, &[(1, 1), (1, 2), (2, 3), (1, 4), (3, 6), (1, 1)]);
    let set = |p: &Path, mode: u32| std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode));
    set(&path, 0o444).expect("chmod file");
    set(dir.path(), 0o555).expect("chmod dir");
    let before = snapshot(&path);
    let store = SqliteStore::open_read_only(&path).expect("a read-only file opens");
    let p = Project::open(&store, "P0").expect("reads");
    p.status(day(30)).expect("status");
    let err = store.append("P0", p.events().len() as u64, &[]).expect_err("read-only");
    assert!(err.is_store() && err.to_string().contains("opened read-only"), "{err}");
    drop(store);
    let after = snapshot(&path);
    set(dir.path(), 0o755).expect("chmod dir back");
    set(&path, 0o644).expect("chmod file back");
    assert_eq!((before.1, &before.2), (after.1, &after.2));
    assert!(before.0 == after.0, "bytes changed");
}

#[test]
fn reading_a_missing_store_is_an_error_and_creates_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("mistyped.db");
    let err = SqliteStore::open_read_only(&path).expect_err("missing");
    assert!(err.is_store() && err.to_string().contains("mistyped.db"), "{err}");
    assert_eq!(std::fs::read_dir(dir.path()).expect("lists").count(), 0, "nothing created");
}

#[test]
fn a_version_2_store_is_read_as_it_is_and_migrates_on_write() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("v2.db");
    build(&path, 1, &[(1, 1), (1, 1), (2, 2)]);
    {
        let c = rusqlite::Connection::open(&path).expect("opens");
        c.execute_batch(
            "ALTER TABLE events DROP COLUMN detail; ALTER TABLE projects DROP COLUMN region;
             DROP TABLE open_steps; DROP TABLE project_tallies; DROP TABLE tallies; DROP TABLE settings;
             PRAGMA user_version = 2;",
        )
        .expect("downgrades");
    }
    let version = |p: &Path| -> i64 {
        let c = rusqlite::Connection::open(p).expect("opens");
        c.query_row("PRAGMA user_version", [], |r| r.get(0)).expect("reads")
    };
    // Read as it is: nothing migrated.
    let old = Project::open(&SqliteStore::open_read_only(&path).expect("opens"), "P0").expect("reads");
    assert!(old.events().iter().all(|e| e.detail.is_empty()));
    // The board of a store without projections replays its projects.
    let reader = SqliteStore::open_read_only(&path).expect("opens");
    let sorted = |mut rows: Vec<shenpi_core::runtime::OpenStep>| {
        rows.sort_by(|a, b| (&a.dept, &a.project, &a.step).cmp(&(&b.dept, &b.project, &b.step)));
        rows
    };
    let scanned = sorted(reader.open_steps(None, day(400), "").expect("reads the board"));
    assert_eq!(version(&path), 2);
    // Opened to write, it migrates in place and keeps every event.
    let store = SqliteStore::open(&path).expect("migrates");
    assert_eq!(version(&path), shenpi_sqlite::SCHEMA_VERSION);
    let mut p = Project::open(&store, "P0").expect("reads");
    assert_eq!(p.events(), old.events());
    assert_eq!(
        sorted(store.open_steps(None, day(400), "").expect("reads")),
        scanned,
        "projected on migration"
    );
    let date = p.events().last().map_or(day(0), |e| e.date);
    p.record(&store, NewEvent::new("a", EventKind::Withdrawn, date).reason("申请人撤回"), date)
        .or_else(|_| {
            p.record(&store, NewEvent::new("d", EventKind::Withdrawn, date).reason("申请人撤回"), date)
        })
        .expect("records");
    let again = Project::open(&store, "P0").expect("reads");
    assert_eq!(again.events().last().and_then(|e| e.detail.reason.as_deref()), Some("申请人撤回"));
}

#[test]
fn projections_of_another_build_are_read_by_replay_and_rebuilt_on_write() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("stale.db");
    build(&path, 3, &[(1, 1), (0, 2), (1, 3), (2, 4), (1, 6), (0, 7)]);
    let board = |store: &SqliteStore| {
        let mut rows = store.open_steps(None, day(400), "").expect("reads the board");
        rows.sort_by(|a, b| (&a.dept, &a.project, &a.step).cmp(&(&b.dept, &b.project, &b.step)));
        rows
    };
    let want = board(&SqliteStore::open_read_only(&path).expect("opens"));
    assert!(!want.is_empty(), "the histories leave steps open");
    let built_by = |version: i64| {
        let c = rusqlite::Connection::open(&path).expect("opens");
        c.execute_batch(&format!(
            "UPDATE settings SET value = {version} WHERE name = 'projections'; DELETE FROM open_steps;"
        ))
        .expect("tampers");
    };
    let noted = || -> i64 {
        let c = rusqlite::Connection::open(&path).expect("opens");
        c.query_row("SELECT value FROM settings WHERE name = 'projections'", [], |r| r.get(0)).expect("reads")
    };
    let current = i64::from(shenpi_core::runtime::PROJECTION_VERSION);
    // Built by an older shenpi (its rows gone, to tell): read by replaying the logs, and not touched.
    built_by(current - 1);
    let before = dump(&path);
    assert_eq!(board(&SqliteStore::open_read_only(&path).expect("opens")), want);
    assert_eq!(dump(&path), before, "reads never write");
    // Opened to write, the projections are rebuilt and noted as this build's.
    assert_eq!(board(&SqliteStore::open(&path).expect("opens")), want);
    assert_eq!(noted(), current);
    assert_eq!(board(&SqliteStore::open_read_only(&path).expect("opens")), want);
    // Built by a newer shenpi: read by replay, but not written by this one.
    built_by(current + 1);
    assert_eq!(board(&SqliteStore::open_read_only(&path).expect("opens")), want);
    let err = SqliteStore::open(&path).expect_err("refused");
    assert!(err.is_corrupt() && err.to_string().contains("newer shenpi"), "{err}");
    assert_eq!(noted(), current + 1, "nothing rebuilt");
}
