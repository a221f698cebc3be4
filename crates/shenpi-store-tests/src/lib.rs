//! The behaviour every shenpi [`Store`] must show, written once and run by
//! each store on itself: `MemoryStore` here, `SqliteStore` in `shenpi-sqlite`,
//! `PostgresStore` in `shenpi-postgres`.
//!
//! A store's test file hands a [`Fixture`] (one fresh, empty store that can be
//! opened several times, as separate connections where the backend has them)
//! to the [`conformance!`] macro, which writes one `#[test]` per check:
//!
//! ```
//! use std::sync::Arc;
//! use shenpi_core::runtime::{MemoryStore, Store};
//! use shenpi_store_tests::Fixture;
//!
//! struct Memory(Arc<MemoryStore>);
//! impl Fixture for Memory {
//!     fn open(&self) -> Arc<dyn Store + Send + Sync> {
//!         self.0.clone()
//!     }
//! }
//! shenpi_store_tests::create_then_load_returns_the_record(&Memory(Arc::default()));
//! ```
//!
//! The checks are public functions, so a store may also run one of them on
//! its own terms. Each says in its name what it guards.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::collections::BTreeMap;
use std::sync::{Arc, Barrier};

mod mechanisms;
pub use mechanisms::{projected_board_matches_the_folded_board, random_mechanism_histories};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use shenpi_core::Flow;
use shenpi_core::runtime::{
    By, Dim, Event, EventKind, NewEvent, OpenStep, Project, ProjectRecord, StepState, Store, Tally, Verdict,
    flow_hash, scan_open_steps, scan_tallies, statistics,
};

/// One fresh, empty store under test.
pub trait Fixture: Send + Sync {
    /// Opens a handle on the fixture's store: a new connection where the
    /// backend has them, so that concurrency checks meet the real locking.
    ///
    /// # Panics
    /// When the store cannot be opened: the check cannot run.
    fn open(&self) -> Arc<dyn Store + Send + Sync>;
}

/// Writes one `#[test]` per conformance check. The argument is an expression
/// of type `Option<F>` with `F: Fixture`, evaluated afresh by each test;
/// `None` skips the test (say why when returning it).
#[macro_export]
macro_rules! conformance {
    ($fixture:expr) => {
        $crate::conformance!(@each $fixture;
            create_then_load_returns_the_record,
            create_refuses_a_taken_id,
            unknown_project_is_not_found,
            append_numbers_events_from_one,
            stale_sequence_conflicts_and_writes_nothing,
            retry_with_a_key_returns_the_recorded_event,
            key_reused_for_another_event_is_refused,
            key_twice_in_one_append_is_refused,
            keys_belong_to_one_project,
            append_is_all_or_nothing,
            create_with_is_all_or_nothing,
            list_is_sorted_by_bytes,
            text_round_trips_exactly,
            event_detail_round_trips,
            random_histories_match_the_memory_store,
            concurrent_writers_lose_and_duplicate_nothing,
            concurrent_creates_one_wins,
            projections_match_a_replay_and_a_rebuild,
            projected_board_matches_the_folded_board,
            statistics_match_a_brute_force_fold
        );
    };
    (@each $fixture:expr; $($check:ident),+) => {
        $(
            #[test]
            fn $check() {
                if let Some(fixture) = $fixture {
                    $crate::$check(&fixture);
                }
            }
        )+
    };
}

const FLOW: &str = "id: f
name: 示例
stages: [{ id: s, name: 阶段, steps: [{ id: a, name: 备案, promised: 1 }, { id: b, name: 许可, promised: 5 }] }]
";

/// A project record as `Project::create` would store it, fixed in time.
pub fn record(id: &str) -> ProjectRecord {
    ProjectRecord {
        id: id.to_string(),
        flow_id: "f".to_string(),
        flow_hash: flow_hash(FLOW),
        flow_name: "flows/f.yaml".to_string(),
        flow_text: FLOW.to_string(),
        calendar_text: None,
        start: day(3),
        params: vec![("energy_tce".to_string(), "2000".to_string())],
        region: None,
        // OK because the date and time are valid constants.
        created_at: Utc.with_ymd_and_hms(2025, 3, 3, 9, 30, 0).single().expect("valid time"),
    }
}

/// 2025-03-`d`.
pub fn day(d: u32) -> NaiveDate {
    // OK because the checks pass days of March.
    NaiveDate::from_ymd_opt(2025, 3, d).expect("a day of March 2025")
}

/// An event of step `a` with an idempotency key.
pub fn keyed(kind: EventKind, d: u32, key: &str) -> NewEvent {
    NewEvent::new("a", kind, day(d)).with_key(key)
}

/// Stores keep timestamps to the microsecond at least (PostgreSQL's precision).
fn micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

fn assert_same_record(got: &ProjectRecord, want: &ProjectRecord) {
    let strip = |r: &ProjectRecord| ProjectRecord { created_at: DateTime::<Utc>::MIN_UTC, ..r.clone() };
    assert_eq!(strip(got), strip(want));
    assert_eq!(micros(got.created_at), micros(want.created_at), "creation time kept to the microsecond");
}

fn events_of(store: &dyn Store, project: &str) -> Vec<Event> {
    store.load(project).unwrap_or_else(|e| panic!("project `{project}` loads: {e}")).1
}

fn create(store: &dyn Store, id: &str) {
    store.create(&record(id)).unwrap_or_else(|e| panic!("project `{id}` is created: {e}"));
}

/// The record comes back as created, on another handle too, with an empty log.
pub fn create_then_load_returns_the_record(f: &dyn Fixture) {
    let store = f.open();
    let mut rec = record("P-1");
    rec.calendar_text = Some("base: cn\nholidays: [2025-03-11]\n".to_string());
    rec.params = vec![("b".into(), "2".into()), ("a".into(), "1".into())];
    rec.region = Some("330421".into());
    store.create(&rec).expect("created");
    for handle in [store, f.open()] {
        let (got, events) = handle.load("P-1").expect("loads");
        assert_same_record(&got, &rec);
        assert!(events.is_empty(), "a new project has no events");
        assert_eq!(handle.list().expect("lists"), ["P-1"]);
    }
}

/// A second `create` with the same id is `is_exists`, and leaves the first alone.
pub fn create_refuses_a_taken_id(f: &dyn Fixture) {
    let store = f.open();
    create(&*store, "P");
    store.append("P", 0, &[keyed(EventKind::Accepted, 3, "k")]).expect("appends");
    let mut other = record("P");
    other.flow_name = "other.yaml".into();
    let err = store.create(&other).expect_err("the id is taken");
    assert!(err.is_exists(), "{err}");
    let (got, events) = f.open().load("P").expect("loads");
    assert_eq!(got.flow_name, "flows/f.yaml");
    assert_eq!(events.len(), 1);
}

/// `load` and `append` of an unknown project are `is_not_found`; nothing is created.
pub fn unknown_project_is_not_found(f: &dyn Fixture) {
    let store = f.open();
    assert!(store.load("nope").expect_err("unknown").is_not_found());
    let err = store.append("nope", 0, &[keyed(EventKind::Accepted, 3, "k")]).expect_err("unknown");
    assert!(err.is_not_found(), "{err}");
    assert!(store.append("nope", 0, &[]).expect_err("unknown").is_not_found());
    assert!(store.list().expect("lists").is_empty());
}

/// Sequence numbers run 1, 2, 3, … without gaps, across calls and batches,
/// and what `append` returns is what `load` reads.
pub fn append_numbers_events_from_one(f: &dyn Fixture) {
    let store = f.open();
    create(&*store, "P");
    assert!(store.append("P", 0, &[]).expect("nothing to append").is_empty());
    let mut returned = store.append("P", 0, &[NewEvent::new("a", EventKind::Accepted, day(3))]).expect("one");
    let batch =
        [keyed(EventKind::SupplementRequested, 4, "k2"), keyed(EventKind::SupplementReceived, 5, "k3")];
    returned.extend(store.append("P", 1, &batch).expect("two"));
    returned.extend(store.append("P", 3, &[NewEvent::new("a", EventKind::Approved, day(6))]).expect("one"));
    let seqs: Vec<u64> = returned.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, [1, 2, 3, 4]);
    assert!(returned.iter().all(|e| e.project == "P"));
    assert_eq!(returned[1].key.as_deref(), Some("k2"));
    assert_eq!(returned[0].key, None);
    assert_eq!(events_of(&*f.open(), "P"), returned);
}

/// An append expecting another length than the log's is `is_conflict` and writes nothing.
pub fn stale_sequence_conflicts_and_writes_nothing(f: &dyn Fixture) {
    let store = f.open();
    create(&*store, "P");
    store.append("P", 0, &[keyed(EventKind::Accepted, 3, "k1")]).expect("appends");
    for expected in [0, 2, u64::MAX] {
        let err = store
            .append("P", expected, &[keyed(EventKind::Approved, 4, &format!("x{expected}"))])
            .expect_err("stale");
        assert!(err.is_conflict(), "expected {expected}: {err}");
    }
    let events = events_of(&*store, "P");
    assert_eq!(events.len(), 1, "a refused append writes nothing");
    // The refused keys were not taken either.
    store.append("P", 1, &[keyed(EventKind::Approved, 4, "x0")]).expect("the key is free");
}

/// A retry with a recorded key returns the recorded event, whatever it expects, and appends nothing.
pub fn retry_with_a_key_returns_the_recorded_event(f: &dyn Fixture) {
    let store = f.open();
    create(&*store, "P");
    let first = store.append("P", 0, &[keyed(EventKind::Accepted, 3, "window-7/1")]).expect("appends");
    store.append("P", 1, &[NewEvent::new("a", EventKind::Approved, day(4))]).expect("appends");
    for (handle, expected) in [(store.clone(), 0), (f.open(), 1), (f.open(), 7)] {
        let again =
            handle.append("P", expected, &[keyed(EventKind::Accepted, 3, "window-7/1")]).expect("retry");
        assert_eq!(again, first, "the recorded event, not a new one");
    }
    assert_eq!(events_of(&*store, "P").len(), 2);
}

/// A key recorded for one event and sent with another (step, kind or date) is refused.
pub fn key_reused_for_another_event_is_refused(f: &dyn Fixture) {
    let store = f.open();
    create(&*store, "P");
    store.append("P", 0, &[keyed(EventKind::Accepted, 3, "k")]).expect("appends");
    let others = [
        keyed(EventKind::Approved, 3, "k"),
        keyed(EventKind::Accepted, 4, "k"),
        NewEvent::new("b", EventKind::Accepted, day(3)).with_key("k"),
    ];
    for other in others {
        for expected in [0, 1] {
            let err = store.append("P", expected, std::slice::from_ref(&other)).expect_err("refused");
            assert!(err.is_refused(), "{other:?}: {err}");
            assert!(err.to_string().contains("`k`"), "the message names the key: {err}");
        }
    }
    assert_eq!(events_of(&*store, "P").len(), 1);
}

/// One key twice in one append is refused, and nothing of the call is written.
pub fn key_twice_in_one_append_is_refused(f: &dyn Fixture) {
    let store = f.open();
    create(&*store, "P");
    let batch = [keyed(EventKind::Accepted, 3, "k"), keyed(EventKind::Accepted, 3, "k")];
    let err = store.append("P", 0, &batch).expect_err("refused");
    assert!(err.is_refused(), "{err}");
    assert!(events_of(&*store, "P").is_empty());
}

/// The same key in two projects names two events.
pub fn keys_belong_to_one_project(f: &dyn Fixture) {
    let store = f.open();
    create(&*store, "P");
    create(&*store, "Q");
    let p = store.append("P", 0, &[keyed(EventKind::Accepted, 3, "k")]).expect("appends");
    let q = store.append("Q", 0, &[keyed(EventKind::Approved, 5, "k")]).expect("appends");
    assert_eq!((p[0].project.as_str(), q[0].project.as_str()), ("P", "Q"));
    assert_eq!(q[0].kind, EventKind::Approved);
    assert_eq!(events_of(&*store, "P").len(), 1);
    assert_eq!(events_of(&*store, "Q").len(), 1);
}

/// A batch is written whole or not at all; its retried part is returned, its new part appended.
pub fn append_is_all_or_nothing(f: &dyn Fixture) {
    let store = f.open();
    create(&*store, "P");
    let k1 = store.append("P", 0, &[keyed(EventKind::Accepted, 3, "k1")]).expect("appends").remove(0);
    // The second event's key was used for another event: the first is not written either.
    let bad = [keyed(EventKind::SupplementRequested, 4, "k2"), keyed(EventKind::Approved, 3, "k1")];
    assert!(store.append("P", 1, &bad).expect_err("refused").is_refused());
    // A retry mixed with a new event and a stale sequence: a conflict, nothing written.
    let mixed = [keyed(EventKind::Accepted, 3, "k1"), keyed(EventKind::SupplementRequested, 4, "k2")];
    assert!(store.append("P", 0, &mixed).expect_err("stale").is_conflict());
    assert_eq!(events_of(&*store, "P").len(), 1);
    // The same with the right sequence: the retry comes back, only the new event is appended.
    let got = store.append("P", 1, &mixed).expect("appends");
    assert_eq!(got[0], k1);
    assert_eq!((got[1].seq, got[1].key.as_deref()), (2, Some("k2")));
    assert_eq!(events_of(&*f.open(), "P"), [k1, got[1].clone()]);
}

/// A project created with its first events is there with all of them,
/// numbered from 1, on another handle too; when one of them is refused (a
/// key twice in the call) or the id is taken, nothing is written: no
/// project, no event, the taken project's log unchanged.
pub fn create_with_is_all_or_nothing(f: &dyn Fixture) {
    let store = f.open();
    let twice =
        [keyed(EventKind::Accepted, 3, "k"), NewEvent::new("b", EventKind::Accepted, day(3)).with_key("k")];
    let err = store.create_with(&record("P"), &twice).expect_err("a key twice");
    assert!(err.is_refused(), "{err}");
    assert!(f.open().load("P").expect_err("no project").is_not_found());
    assert!(f.open().list().expect("lists").is_empty(), "nothing written");
    let first = [keyed(EventKind::Accepted, 3, "k"), NewEvent::new("a", EventKind::Approved, day(4))];
    let recorded = store.create_with(&record("P"), &first).expect("created with its events");
    assert_eq!(recorded.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2]);
    let (got, events) = f.open().load("P").expect("loads");
    assert_same_record(&got, &record("P"));
    assert_eq!(events, recorded);
    let err = f.open().create_with(&record("P"), &[NewEvent::new("b", EventKind::Accepted, day(5))]);
    assert!(err.expect_err("taken").is_exists());
    assert_eq!(events_of(&*f.open(), "P"), recorded, "the taken project's log is unchanged");
    assert_eq!(store.create_with(&record("Q"), &[]).expect("no events").len(), 0);
    assert!(events_of(&*f.open(), "Q").is_empty());
    // The log goes on from the events it was created with.
    let next = store.append("P", 2, &[NewEvent::new("b", EventKind::Accepted, day(5))]).expect("appends");
    assert_eq!(next[0].seq, 3);
}

/// `list` gives every id once, sorted by their bytes (as Rust sorts `str`), whatever the database's collation.
pub fn list_is_sorted_by_bytes(f: &dyn Fixture) {
    let store = f.open();
    assert!(store.list().expect("lists").is_empty());
    let ids = ["b", "B", "a-1", "a_1", "a.1", "Z", "项目-2", "项目-10", "éa", "ea", "330421-01"];
    for id in ids {
        create(&*store, id);
    }
    let mut want: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(f.open().list().expect("lists"), want);
}

/// Texts with Chinese, quotes, backslashes, newlines and SQL-like content come
/// back byte for byte; a large flow text too.
pub fn text_round_trips_exactly(f: &dyn Fixture) {
    let store = f.open();
    let mut rec = record("项目 'x' \"y\" \\ ; DROP TABLE events; --");
    rec.flow_text = format!("{FLOW}# {}\n", "注释 ' \" \\ \t".repeat(20_000));
    rec.flow_hash = flow_hash(&rec.flow_text);
    rec.flow_name = "流程/浙江 工业.yaml".into();
    rec.params = vec![("名称".into(), "a'b\"c\\d\ne".into())];
    store.create(&rec).expect("created");
    let key = "键/1 'quoted' \"double\" \\ %_";
    let step = "步骤-甲";
    let e = store.append(&rec.id, 0, &[NewEvent::new(step, EventKind::Accepted, day(3)).with_key(key)]);
    let e = e.expect("appends");
    let (got, events) = f.open().load(&rec.id).expect("loads");
    assert_same_record(&got, &rec);
    assert_eq!(events, e);
    assert_eq!((events[0].step.as_str(), events[0].key.as_deref()), (step, Some(key)));
    assert_eq!(f.open().list().expect("lists"), [rec.id.clone()]);
}

/// What an event says beyond step, kind and date (a reason with a NUL and
/// quotes, days, who, a procedure kind, a notice date, a joint member's
/// opinion, a pledge, a window, an agent and a mode on events about the
/// whole project, which name no step) comes back as it was appended, also
/// through a key lookup; an event that says nothing comes back saying nothing.
pub fn event_detail_round_trips(f: &dyn Fixture) {
    use shenpi_core::runtime::{Mode, ProcedureKind, Verdict};
    let store = f.open();
    create(&*store, "P");
    let mut at_window = NewEvent::new("b", EventKind::Accepted, day(7));
    at_window.detail.window = Some("政务服务中心".into());
    let events = [
        NewEvent::new("a", EventKind::Accepted, day(3)),
        NewEvent::new("a", EventKind::ProcedureStarted, day(4))
            .procedure(ProcedureKind::ExpertReview)
            .notified(day(5))
            .with_key("k1"),
        NewEvent::new("a", EventKind::Withdrawn, day(6))
            .reason("申请人 'withdrew' \"x\" \\ \0 end")
            .by("局长")
            .days(10),
        NewEvent::new("j", EventKind::Opinion, day(7)).dept("消防").verdict(Verdict::Conditions).note("整改"),
        NewEvent::new("c", EventKind::Approved, day(7)).commitment(),
        at_window,
        NewEvent::project(EventKind::AgentAssigned, day(7)).agent("王芳"),
        NewEvent::project(EventKind::ModeSet, day(7)).mode(Mode::Simulated),
    ];
    let appended = store.append("P", 0, &events).expect("appends");
    let loaded = events_of(&*f.open(), "P");
    assert_eq!(loaded, appended);
    for (got, sent) in loaded.iter().zip(&events) {
        assert_eq!(got.detail, sent.detail);
    }
    assert!(loaded[0].detail.is_empty());
    let retry = f.open().append("P", 0, &events[1..2]).expect("a retry by key");
    assert_eq!(retry[0].detail, events[1].detail);
}

/// A small deterministic generator (SplitMix64), so a failing history is the same every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn random_event(rng: &mut Rng) -> NewEvent {
    let kind = EventKind::ALL[rng.below(EventKind::ALL.len() as u64) as usize];
    let step = ["a", "b"][rng.below(2) as usize];
    let e = NewEvent::new(step, kind, day(3 + rng.below(3) as u32));
    if rng.below(3) == 0 { e } else { e.with_key(format!("k{}", rng.below(12))) }
}

/// Random creates and appends (stale and fresh sequences, repeated and
/// clashing keys, batches) give the same answers and the same logs as the
/// in-memory store, the reference.
pub fn random_histories_match_the_memory_store(f: &dyn Fixture) {
    let store = f.open();
    let model = shenpi_core::runtime::MemoryStore::new();
    let mut rng = Rng(0x5eed_2019);
    let projects = ["P", "Q", "R"];
    for step in 0..300 {
        let project = projects[rng.below(3) as usize];
        if rng.below(10) == 0 {
            let (a, b) = (store.create(&record(project)), model.create(&record(project)));
            assert_eq!(a.is_ok(), b.is_ok(), "step {step}: create `{project}`: {a:?} vs {b:?}");
            continue;
        }
        let len = model.load(project).map_or(0, |(_, e)| e.len() as u64);
        let expected = match rng.below(4) {
            0 => len.saturating_sub(1),
            1 => len + 1,
            _ => len,
        };
        let batch: Vec<NewEvent> = (0..1 + rng.below(3)).map(|_| random_event(&mut rng)).collect();
        let got = store.append(project, expected, &batch);
        let want = model.append(project, expected, &batch);
        match (&got, &want) {
            (Ok(g), Ok(w)) => {
                let strip = |es: &[Event]| -> Vec<(u64, String, EventKind, NaiveDate, Option<String>)> {
                    es.iter().map(|e| (e.seq, e.step.clone(), e.kind, e.date, e.key.clone())).collect()
                };
                assert_eq!(strip(g), strip(w), "step {step}: append to `{project}`");
            }
            (Err(g), Err(w)) => {
                let kinds = |e: &shenpi_core::Error| (e.is_conflict(), e.is_refused(), e.is_not_found());
                assert_eq!(kinds(g), kinds(w), "step {step}: `{g}` vs `{w}`");
            }
            _ => panic!("step {step}: append to `{project}`: {got:?} vs {want:?}"),
        }
    }
    let reopened = f.open();
    assert_eq!(reopened.list().expect("lists"), model.list().expect("lists"));
    for id in model.list().expect("lists") {
        let strip = |es: Vec<Event>| -> Vec<(u64, String, EventKind, Option<String>)> {
            es.into_iter().map(|e| (e.seq, e.step, e.kind, e.key)).collect()
        };
        assert_eq!(strip(events_of(&*reopened, &id)), strip(events_of(&model, &id)), "log of `{id}`");
    }
}

/// Eight writers, each on its own handle, append to one project, reloading on
/// conflict and retrying acknowledged events: every event is there once, in
/// one gapless sequence, and exactly one of the writers that all expected an
/// empty log won the first place.
pub fn concurrent_writers_lose_and_duplicate_nothing(f: &dyn Fixture) {
    const WRITERS: usize = 8;
    const EACH: usize = 12;
    create(&*f.open(), "P");
    let barrier = Barrier::new(WRITERS);
    let firsts: Vec<bool> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..WRITERS)
            .map(|w| {
                let (store, barrier) = (f.open(), &barrier);
                s.spawn(move || write_concurrently(&*store, barrier, w, EACH))
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("a writer ends")).collect()
    });
    assert_eq!(firsts.iter().filter(|&&won| won).count(), 1, "exactly one first append wins");
    let events = events_of(&*f.open(), "P");
    assert_eq!(events.len(), WRITERS * EACH, "no event lost or duplicated");
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e.seq, i as u64 + 1, "no gap");
    }
    let mut keys: Vec<_> = events.iter().filter_map(|e| e.key.clone()).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), WRITERS * EACH, "every key once");
}

/// One writer's part: returns whether its first append, expecting an empty log, won.
fn write_concurrently(store: &dyn Store, barrier: &Barrier, w: usize, each: usize) -> bool {
    let event = |i: usize| keyed(EventKind::Accepted, 3, &format!("w{w}-{i}"));
    barrier.wait();
    let won = match store.append("P", 0, &[event(0)]) {
        Ok(_) => true,
        Err(e) if e.is_conflict() => false,
        Err(e) => panic!("writer {w}: {e}"),
    };
    for i in usize::from(won)..each {
        loop {
            let len = events_of(store, "P").len() as u64;
            match store.append("P", len, &[event(i)]) {
                Ok(_) => break,
                Err(e) if e.is_conflict() => continue,
                Err(e) => panic!("writer {w}: {e}"),
            }
        }
        // A vendor's retry of the acknowledged event, as after a lost answer.
        let again = store.append("P", 0, &[event(i)]).unwrap_or_else(|e| panic!("writer {w}: retry: {e}"));
        assert_eq!(again[0].key, event(i).key);
    }
    won
}

/// Eight handles create one id at once: one succeeds, the others are `is_exists`.
pub fn concurrent_creates_one_wins(f: &dyn Fixture) {
    const CREATORS: usize = 8;
    let barrier = Barrier::new(CREATORS);
    let results: Vec<Result<(), shenpi_core::Error>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..CREATORS)
            .map(|i| {
                let (store, barrier) = (f.open(), &barrier);
                s.spawn(move || {
                    let mut rec = record("P");
                    rec.flow_name = format!("creator-{i}.yaml");
                    barrier.wait();
                    store.create(&rec)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("a creator ends")).collect()
    });
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{results:?}");
    for r in &results {
        if let Err(e) = r {
            assert!(e.is_exists(), "{e}");
        }
    }
    assert_eq!(f.open().list().expect("lists"), ["P"]);
}

/// A flow with what supervision watches: two departments on one step, legal
/// limits, a deemed approval, a step that waits for another.
const WATCHED: &str = "id: watched
name: 监察
alerts: { red: 1, supervise: 2, answer_within: 3 }
stages:
  - id: s
    name: 阶段
    window: 综合窗口
    steps:
      - { id: a, name: 立项, dept: 发改局, promised: 3, legal: 20 }
      - parallel:
          - { id: b, name: 规划许可, dept: 自然资源局, promised: 5, legal: 20, on_timeout: deem-approved }
          - { id: c, name: 联合审查, dept: [住建局, 消防], promised: 4, legal: 15 }
          - id: d
            name: 联合图审
            kind: joint
            dept: 住建局
            promised: 6
            legal: 20
            members: [{ dept: 消防, promised: 3 }, { dept: 人防办, promised: 4 }]
";

/// The regions [`random_watched_histories`] gives its projects in turn: none,
/// two counties of one city (3304) and a county of another (3305).
pub const REGIONS: [Option<&str>; 4] = [None, Some("330421"), Some("330482"), Some("330503")];

/// Region prefixes to read by: everything, a city, a county, the other city, nothing.
const PREFIXES: [&str; 5] = ["", "3304", "330421", "3305", "9"];

/// Random valid histories (up to `events` tries each) of `projects` projects of the flow `WATCHED` (ids `{prefix}-0`, …), recorded
/// through [`Project::record`] and [`Project::advance`] (refusals skipped),
/// from a seed: the same seed gives the same histories. Project `n` is in
/// region `REGIONS[n % 4]`.
pub fn random_watched_histories(store: &dyn Store, prefix: &str, seed: u64, projects: usize, events: usize) {
    let flow = Arc::new(Flow::parse("watched.yaml", WATCHED).unwrap_or_else(|r| panic!("{}", r.render())));
    let mut rng = Rng(seed);
    let start = NaiveDate::from_ymd_opt(2025, 1, 2).unwrap_or(NaiveDate::MIN);
    let today = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap_or(NaiveDate::MAX);
    for n in 0..projects {
        let begin = start + chrono::Days::new(rng.below(60));
        let mut p = Project::start(flow.clone(), &format!("{prefix}-{n}"), begin, &[])
            .unwrap_or_else(|e| panic!("project W-{n} starts: {e}"));
        if let Some(region) = REGIONS[n % REGIONS.len()] {
            p = p.in_region(region);
        }
        store.create(p.info()).unwrap_or_else(|e| panic!("project W-{n} is created: {e}"));
        let mut date = begin;
        if rng.below(2) == 0 {
            let agent = ["王芳", "李明"][rng.below(2) as usize];
            p.record(store, NewEvent::project(EventKind::AgentAssigned, begin).agent(agent), today)
                .unwrap_or_else(|e| panic!("W-{n} gets an agent: {e}"));
        }
        // Some projects stop early, so that some steps are still open at the end.
        for _ in 0..2 + rng.below(events as u64) {
            date = date + chrono::Days::new(rng.below(3));
            if rng.below(8) == 0 {
                p.advance(store, date, today).unwrap_or_else(|e| panic!("W-{n} advances to {date}: {e}"));
                continue;
            }
            let step = ["a", "b", "c", "d"][rng.below(4) as usize];
            let roll = rng.below(100);
            let Some(state) = p.step_state(step) else { continue };
            // A department answers its supervision notice, now and then.
            let open = p.graph().node(step).and_then(|v| {
                p.state().run(v).notices.iter().find(|x| x.answered.is_none()).map(|x| x.dept.clone())
            });
            let r = match (open, state) {
                (Some(dept), _) if roll < 30 => p
                    .record(store, NewEvent::new(step, EventKind::Answered, date).dept(dept), today)
                    .map(|_| ()),
                // The window accepts what of its stage is ready, now and then.
                (_, StepState::Ready) if roll < 25 => p
                    .record_stage(store, "s", NewEvent::new("stage:s", EventKind::Accepted, date), today)
                    .map(|_| ()),
                (_, StepState::Accepted) if step == "d" && roll < 40 => {
                    let dept = ["消防", "人防办"][rng.below(2) as usize];
                    let e = NewEvent::new(step, EventKind::Opinion, date).dept(dept).verdict(Verdict::Agree);
                    p.record(store, e, today).map(|_| ())
                }
                _ => {
                    let Some(kind) = next_kind(state, roll) else { continue };
                    let mut e = NewEvent::new(step, kind, date);
                    if kind == EventKind::Extended {
                        e = e.days(1 + rng.below(5) as u32).by("局长");
                    }
                    p.record(store, e, today).map(|_| ())
                }
            };
            match r {
                Ok(_) => {}
                Err(err) if err.is_refused() => {}
                Err(err) => panic!("W-{n}: {err}"),
            }
        }
    }
}

/// A plausible next event for a step in `state`, picked by `roll` (0..100).
fn next_kind(state: StepState, roll: u64) -> Option<EventKind> {
    use EventKind as K;
    Some(match state {
        StepState::Ready | StepState::Returned => match roll {
            0..30 => K::Received,
            30..85 => K::Accepted,
            _ => K::AcceptedIncomplete,
        },
        StepState::Received => match roll {
            0..70 => K::Accepted,
            70..90 => K::SupplementRequested,
            _ => K::NotAccepted,
        },
        StepState::Accepted => match roll {
            0..45 => K::Approved,
            45..70 => K::SupplementRequested,
            70..80 => K::Extended,
            80..90 => K::Rejected,
            _ => return None,
        },
        StepState::AcceptedIncomplete => match roll {
            0..50 => K::SupplementReceived,
            _ => return None,
        },
        StepState::Paused => match roll {
            0..60 => K::SupplementReceived,
            _ => return None,
        },
        StepState::Rejected | StepState::NotAccepted => match roll {
            0..30 => K::Accepted,
            _ => return None,
        },
        _ => return None,
    })
}

fn sorted_open(mut rows: Vec<OpenStep>) -> Vec<OpenStep> {
    rows.sort_by(|a, b| (&a.dept, &a.project, &a.step).cmp(&(&b.dept, &b.project, &b.step)));
    rows
}

/// What the board and the statistics read from `store`, on a few days and
/// periods, in a few regions, by what was asked (date, department, region;
/// dimension, period, region).
type Reads = (BTreeMap<String, Vec<OpenStep>>, BTreeMap<String, Vec<Tally>>);

/// What the board and the statistics read from `store`, on a few days and periods, in a few regions.
fn projected(store: &dyn Store) -> Reads {
    let d = |m, day| NaiveDate::from_ymd_opt(2025, m, day).unwrap_or(NaiveDate::MIN);
    let mut open = BTreeMap::new();
    for date in [d(1, 20), d(3, 3), d(5, 30), d(12, 31)] {
        for dept in [None, Some("发改局"), Some("消防"), Some("无此局")] {
            for region in PREFIXES {
                let rows =
                    store.open_steps(dept, date, region).unwrap_or_else(|e| panic!("board reads: {e}"));
                open.insert(format!("{date} {dept:?} {region:?}"), sorted_open(rows));
            }
        }
    }
    let mut tallies = BTreeMap::new();
    for dim in Dim::ALL {
        for (from, to) in [(d(1, 1), d(12, 31)), (d(2, 1), d(2, 28)), (d(3, 15), d(4, 2))] {
            for region in PREFIXES {
                let t = store.tallies(dim, from, to, region).unwrap_or_else(|e| panic!("tallies read: {e}"));
                tallies.insert(format!("{} {from}..{to} {region:?}", dim.as_str()), t);
            }
        }
    }
    (open, tallies)
}

/// Rebuilt equals incremental: after random valid histories, what the board
/// and the statistics read, of the whole store and of a region, equals a
/// replay of every project (the reference, [`scan_open_steps`] and
/// [`scan_tallies`]), and equals it again after [`Store::reindex`] rebuilt
/// the projections from the logs.
pub fn projections_match_a_replay_and_a_rebuild(f: &dyn Fixture) {
    let store = f.open();
    for seed in 0..3 {
        random_watched_histories(&*store, &format!("W{seed}"), 0x5eed_0017 + seed, 6, 40);
        let incremental = projected(&*store);
        assert!(incremental.0.values().any(|rows| !rows.is_empty()), "seed {seed}: some step is on a board");
        let d = |m, day| NaiveDate::from_ymd_opt(2025, m, day).unwrap_or(NaiveDate::MIN);
        let year = format!("{}..{}", d(1, 1), d(12, 31));
        for region in PREFIXES {
            let scan_open =
                sorted_open(scan_open_steps(&*store, Some("发改局"), d(5, 30), region).expect("scans"));
            let key = format!("{} {:?} {region:?}", d(5, 30), Some("发改局"));
            assert_eq!(
                incremental.0[&key], scan_open,
                "seed {seed}: the board of 发改局 on 2025-05-30 in {region:?}"
            );
            for dim in Dim::ALL {
                let scan = scan_tallies(&*store, dim, d(1, 1), d(12, 31), region).expect("scans");
                let key = format!("{} {year} {region:?}", dim.as_str());
                assert_eq!(
                    incremental.1[&key],
                    scan,
                    "seed {seed}: tallies by {} in {region:?}",
                    dim.as_str()
                );
                // Not every region has a project with an agent or an item a window accepted.
                if matches!(dim, Dim::Dept | Dim::Flow | Dim::All) {
                    assert_eq!(
                        scan.is_empty(),
                        region == "9",
                        "seed {seed}: the year in {region:?} counts something"
                    );
                }
            }
        }
        store.reindex().unwrap_or_else(|e| panic!("reindexes: {e}"));
        // The next seed's histories go on from the rebuilt projections.
        assert_eq!(projected(&*f.open()), incremental, "seed {seed}: rebuilt differs from incremental");
    }
}

/// The statistics agree with a brute-force fold over every project: each
/// project replayed, its events counted by kind and its items' decisions,
/// members' opinions and supervision notices read from its status, per
/// department, per window, per agent, summed for the year.
pub fn statistics_match_a_brute_force_fold(f: &dyn Fixture) {
    let store = f.open();
    random_watched_histories(&*store, "S", 0x5eed_5747, 12, 50);
    for region in PREFIXES {
        statistics_match_a_fold_in(&*store, region);
    }
}

/// The statistics of the projects whose region starts with `region` against
/// a fold of those projects alone.
fn statistics_match_a_fold_in(store: &dyn Store, region: &str) {
    // (received, accepted, decided, on_time, used, supplements, extensions, incomplete,
    //  member_opinions, members_late, supervised, answered_late) per (grouping, key).
    type Row = [i64; 12];
    let d = |m, day| NaiveDate::from_ymd_opt(2025, m, day).unwrap_or(NaiveDate::MIN);
    let (from, to) = (d(1, 1), d(12, 31));
    let mut want: BTreeMap<(&'static str, String), Row> = BTreeMap::new();
    for id in store.list().expect("lists") {
        let p = Project::open(store, &id).expect("replays");
        if !p.info().within(region) {
            continue;
        }
        let latest = p.events().iter().map(|e| e.date).max().unwrap_or(p.info().start);
        let status = p.status(latest).expect("status");
        let agent = status.agent.clone();
        // The keys a count of `step` goes to: its departments (or `dept` alone), its window, the agent.
        let keys = |step: &str, dept: Option<&str>| -> Vec<(&'static str, String)> {
            let depts = match dept {
                Some(d) => vec![d.to_string()],
                None => p.graph().node(step).map(|v| p.graph().step(v).depts().to_vec()).unwrap_or_default(),
            };
            let window = status.steps.iter().find(|s| s.id == step).and_then(|s| s.window.clone());
            let mut out: Vec<(&'static str, String)> = depts.into_iter().map(|d| ("dept", d)).collect();
            out.extend(window.map(|w| ("window", w)));
            out.extend(agent.clone().map(|a| ("agent", a)));
            out
        };
        let mut add = |step: &str, dept: Option<&str>, k: usize, n: i64| {
            for key in keys(step, dept) {
                want.entry(key).or_default()[k] += n;
            }
        };
        let mut open: BTreeMap<String, bool> = BTreeMap::new();
        let events =
            p.effective_events().filter(|e| !e.kind.is_project_level()).map(|e| (e.step.clone(), e.kind));
        for (step, kind) in events.chain(status.owed.iter().map(|e| (e.step.clone(), e.kind))) {
            let was_open = open.get(&step).copied().unwrap_or(false);
            if kind.is_filing() && !was_open {
                add(&step, None, 0, 1);
                open.insert(step.clone(), true);
            }
            match kind {
                EventKind::Accepted | EventKind::DeemedAccepted => add(&step, None, 1, 1),
                EventKind::AcceptedIncomplete => {
                    add(&step, None, 1, 1);
                    add(&step, None, 7, 1);
                }
                EventKind::SupplementRequested => add(&step, None, 5, 1),
                EventKind::Extended => add(&step, None, 6, 1),
                EventKind::NotAccepted
                | EventKind::Rejected
                | EventKind::Returned
                | EventKind::Withdrawn
                | EventKind::Terminated
                | EventKind::Revoked => {
                    open.insert(step.clone(), false);
                }
                _ => {}
            }
        }
        for s in &status.steps {
            for m in &s.members {
                if let Some(o) = &m.opinion {
                    add(&s.id, Some(&m.dept), 8, 1);
                    add(
                        &s.id,
                        Some(&m.dept),
                        9,
                        i64::from(o.deemed || m.due.is_some_and(|due| o.date > due)),
                    );
                }
            }
            for n in &s.notices {
                add(&s.id, Some(&n.dept), 10, 1);
                add(&s.id, Some(&n.dept), 11, i64::from(n.answered.is_some_and(|a| a > n.answer_by)));
            }
            let decided = matches!(
                s.state,
                StepState::Approved
                    | StepState::DeemedApproved
                    | StepState::Rejected
                    | StepState::ProvisionalApproved
            );
            let (Some(day), Some(used), true) = (s.decided, s.used, decided) else { continue };
            let on_time = s.due.is_some_and(|due| day <= due) && s.state != StepState::DeemedApproved;
            add(&s.id, None, 2, 1);
            add(&s.id, None, 3, i64::from(on_time));
            add(&s.id, None, 4, used);
        }
    }
    let mut got: BTreeMap<(&'static str, String), Row> = BTreeMap::new();
    for by in [By::Dept, By::Window, By::Agent] {
        let stats = statistics(store, from, to, by, region).unwrap_or_else(|e| panic!("statistics: {e}"));
        for r in &stats.rows {
            let c = &r.counts;
            let used = r.avg_used.map_or(0, |a| (a * c.decided as f64).round() as i64);
            let row = [
                c.received,
                c.accepted,
                c.decided,
                c.on_time,
                used,
                c.supplements,
                c.extensions,
                c.incomplete,
                c.member_opinions,
                c.members_late,
                c.supervised,
                c.answered_late,
            ];
            got.insert((by.as_str(), r.key.clone()), row);
        }
    }
    got.retain(|_, w| w.iter().any(|&x| x != 0));
    want.retain(|_, w| w.iter().any(|&x| x != 0));
    assert_eq!(want.is_empty(), region == "9", "the histories in {region:?} count something");
    if region.is_empty() {
        for (k, what) in [(8, "members' opinions"), (10, "supervision notices"), (11, "late answers")] {
            assert!(want.values().any(|w| w[k] > 0), "the histories hold {what}");
        }
        assert!(want.keys().any(|(b, _)| *b == "window") && want.keys().any(|(b, _)| *b == "agent"));
    }
    assert_eq!(
        got, want,
        "statistics by department, window and agent in {region:?} against a fold of its projects"
    );
}
