//! Crash safety: a process appending in a loop is killed (SIGKILL) at
//! moments drawn from a fixed seed; every append it acknowledged must be
//! there after reopening, and nothing half-written.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use chrono::NaiveDate;
use shenpi_core::Flow;
use shenpi_core::runtime::{EventKind, NewEvent, Project, Store};
use shenpi_sqlite::SqliteStore;

const CHILD_ENV: &str = "SHENPI_CRASH_CHILD_DB";
const FLOW: &str = "
id: f
name: 示例
stages: [{ id: s, name: 阶段, steps: [{ id: a, name: 备案, promised: 1 }] }]
";

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 3, 3).expect("valid day")
}

/// The child: appends forever, printing `committed SEQ` after each acknowledged append.
#[test]
fn child_appender() {
    let Ok(db) = std::env::var(CHILD_ENV) else { return };
    let store = SqliteStore::open(&db).expect("child opens");
    if store.list().expect("lists").is_empty() {
        let flow = Flow::parse("f.yaml", FLOW).unwrap_or_else(|r| panic!("{}", r.render()));
        Project::create(&store, Arc::new(flow), "P", day(), &[]).expect("creates");
    }
    let mut out = std::io::stdout().lock();
    let mut len = store.load("P").expect("loads").1.len() as u64;
    loop {
        let batch: Vec<NewEvent> = (0..1 + len % 3)
            .map(|i| NewEvent::new("a", EventKind::Accepted, day()).with_key(format!("k{}", len + i + 1)))
            .collect();
        let recorded = store.append("P", len, &batch).expect("appends");
        len = recorded.last().map_or(len, |e| e.seq);
        writeln!(out, "committed {len}").and_then(|()| out.flush()).expect("parent listens");
    }
}

/// A small deterministic generator (SplitMix64), so the kill moments are the same every run.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn check_store(db: &Path, acknowledged: u64) -> u64 {
    let store = SqliteStore::open(db).expect("the store opens cleanly after a kill");
    store.verify().expect("no damage");
    let (_, events) = store.load("P").expect("loads");
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e.seq, i as u64 + 1, "no gaps");
        assert_eq!(e.key.as_deref(), Some(format!("k{}", e.seq).as_str()), "each event whole");
    }
    let n = events.len() as u64;
    assert!(n >= acknowledged, "acknowledged {acknowledged} events, found {n}");
    n
}

#[test]
fn killed_writer_loses_nothing_acknowledged() {
    if std::env::var(CHILD_ENV).is_ok() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("crash.db");
    let exe = std::env::current_exe().expect("test binary");
    let mut seed = 0x5eed_u64;
    let mut acknowledged = 0;
    for round in 0..6 {
        let mut child = Command::new(&exe)
            .args(["--exact", "child_appender", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, &db)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("child starts");
        let stdout = child.stdout.take().expect("piped");
        let (tx, rx) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(n) = line.strip_prefix("committed ").and_then(|n| n.parse::<u64>().ok()) {
                    let _ = tx.send(n);
                }
            }
        });
        // Wait for some progress, then kill at a moment drawn from the seed.
        let first = rx.recv_timeout(Duration::from_secs(30)).expect("child makes progress");
        acknowledged = acknowledged.max(first);
        std::thread::sleep(Duration::from_millis(5 + next(&mut seed) % 60));
        child.kill().expect("SIGKILL");
        child.wait().expect("reaped");
        reader.join().expect("reader ends");
        acknowledged = rx.try_iter().fold(acknowledged, u64::max);
        let found = check_store(&db, acknowledged);
        eprintln!("round {round}: acknowledged {acknowledged}, found {found}");
        acknowledged = found;
    }
}
