//! What only the PostgreSQL store must do: refuse foreign and newer schemas,
//! migrate once under concurrent connections, say clearly when the server or
//! the URL is wrong, refuse text PostgreSQL cannot hold.

mod common;

use std::sync::{Arc, Barrier};
use std::time::Duration;

use chrono::NaiveDate;
use common::Schema;
use shenpi_core::Flow;
use shenpi_core::runtime::{EventKind, NewEvent, PROJECTION_VERSION, Project, ProjectRecord, Store};
use shenpi_postgres::{Options, PostgresStore, SCHEMA_VERSION};
use shenpi_store_tests::{keyed, record};

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 3, d).expect("valid day")
}

fn assert_corrupt(schema: &Schema, expect: &str) {
    let err = schema.connect().expect_err("refused");
    assert!(err.is_corrupt(), "{err}");
    assert!(err.to_string().contains(expect), "`{err}` should say `{expect}`");
}

#[test]
fn a_project_round_trips_through_the_runtime() {
    let Some(schema) = Schema::new() else { return };
    let store = schema.connect().expect("connects");
    let flow = Flow::parse(
        "f.yaml",
        "id: f\nname: 示例\nstages: [{ id: s, name: 阶段, steps: [{ id: a, name: 备案, promised: 1 }] }]\n",
    )
    .unwrap_or_else(|r| panic!("{}", r.render()));
    let mut p = Project::create(&store, Arc::new(flow), "P-1", day(3), &[]).expect("created");
    p.record(&store, NewEvent::new("a", EventKind::Accepted, day(3)).with_key("k1"), day(31))
        .expect("records");
    p.record(&store, NewEvent::new("a", EventKind::Approved, day(4)), day(31)).expect("records");
    let again = schema.connect().expect("connects again");
    let q = Project::open(&again, "P-1").expect("loads");
    assert_eq!(q.events(), p.events());
    assert_eq!(q.state(), p.state());
}

#[test]
fn a_schema_of_another_program_is_refused() {
    let Some(schema) = Schema::new() else { return };
    schema.sql(&format!("CREATE SCHEMA {0}; CREATE TABLE {0}.photos (id INTEGER)", schema.name));
    assert_corrupt(&schema, "belongs to another program (it holds tables photos)");
    schema.sql(&format!(
        "CREATE TABLE {0}.schema_version (application TEXT, version INTEGER); \
         INSERT INTO {0}.schema_version VALUES ('billing', 3)",
        schema.name
    ));
    assert_corrupt(&schema, "its version table names `billing`");
    // Nothing was added to it.
    let err = schema.connect().expect_err("still refused");
    assert!(!err.to_string().contains("projects"), "{err}");
}

#[test]
fn a_newer_schema_is_refused() {
    let Some(schema) = Schema::new() else { return };
    drop(schema.connect().expect("creates"));
    schema.sql(&format!("UPDATE {}.schema_version SET version = 99", schema.name));
    assert_corrupt(&schema, &format!("schema version 99, newer than this shenpi knows ({SCHEMA_VERSION})"));
}

#[test]
fn a_version_1_schema_migrates_and_keeps_its_projects() {
    let Some(schema) = Schema::new() else { return };
    let store = schema.connect().expect("creates");
    // Without the fixture's param, which its flow does not declare, so that the project replays.
    let old = ProjectRecord { params: Vec::new(), ..record("OLD") };
    store.create(&old).expect("created");
    let before = store.append("OLD", 0, &[keyed(EventKind::Accepted, 3, "k1")]).expect("appends");
    drop(store);
    // Version 1: projects without a region, events without their detail.
    schema.sql(&format!(
        "ALTER TABLE {0}.projects DROP COLUMN region; ALTER TABLE {0}.events DROP COLUMN detail; \
         DROP TABLE {0}.open_steps, {0}.project_tallies, {0}.tallies, {0}.settings; \
         UPDATE {0}.schema_version SET version = 1",
        schema.name
    ));
    let store = schema.connect().expect("migrates");
    assert_eq!(store.load("OLD").expect("loads").0.region, None);
    assert_eq!(store.load("OLD").expect("loads").1, before);
    // The migration projected the projects already there.
    let late = NaiveDate::from_ymd_opt(2025, 12, 31).expect("a date");
    assert_eq!(store.open_steps(None, late, "").expect("reads the board").len(), 1);
    let withdrawn = NewEvent::new("a", EventKind::Withdrawn, day(4)).reason("申请人撤回");
    store.append("OLD", 1, &[withdrawn]).expect("appends with a detail");
    let events = schema.connect().expect("connects").load("OLD").expect("loads").1;
    assert_eq!(events[1].detail.reason.as_deref(), Some("申请人撤回"));
    let mut new = record("NEW");
    new.region = Some("330421".into());
    store.create(&new).expect("created");
    assert_eq!(store.load("NEW").expect("loads").0.region.as_deref(), Some("330421"));
}

#[test]
fn projections_of_an_older_build_are_rebuilt_and_a_newer_build_s_refused() {
    let Some(schema) = Schema::new() else { return };
    let store = schema.connect().expect("creates");
    let old = ProjectRecord { params: Vec::new(), ..record("P") };
    store.create(&old).expect("created");
    store.append("P", 0, &[keyed(EventKind::Accepted, 3, "k1")]).expect("appends");
    drop(store);
    let late = NaiveDate::from_ymd_opt(2025, 12, 31).expect("a date");
    let current = i64::from(PROJECTION_VERSION);
    // Built by an older shenpi (its rows gone, to tell): rebuilt when a service connects.
    let built_by = |v: i64| {
        schema.sql(&format!(
            "UPDATE {0}.settings SET value = {v} WHERE name = 'projections'; DELETE FROM {0}.open_steps",
            schema.name
        ))
    };
    built_by(current - 1);
    let store = schema.connect().expect("rebuilds");
    assert_eq!(store.open_steps(None, late, "").expect("reads the board").len(), 1);
    drop(store);
    built_by(current + 1);
    assert_corrupt(&schema, "projections of a newer shenpi");
}

#[test]
fn concurrent_connections_migrate_once() {
    let Some(schema) = Schema::new() else { return };
    const N: usize = 6;
    let barrier = Barrier::new(N);
    std::thread::scope(|s| {
        for _ in 0..N {
            s.spawn(|| {
                barrier.wait();
                schema.connect().expect("each connection sees one migrated schema")
            });
        }
    });
    let store = schema.connect().expect("connects");
    store.create(&record("P")).expect("the tables work");
    let mut client = postgres::Client::connect(&schema.url, postgres::NoTls).expect("connects");
    let rows =
        client.query(&format!("SELECT version FROM {}.schema_version", schema.name), &[]).expect("reads");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].get::<_, i32>(0), SCHEMA_VERSION);
}

#[test]
fn text_with_nul_is_an_error_and_nothing_is_written() {
    let Some(schema) = Schema::new() else { return };
    let store = schema.connect().expect("connects");
    let mut rec = record("P");
    rec.flow_text.push('\0');
    let err = store.create(&rec).expect_err("refused");
    assert!(err.is_store() && err.to_string().contains("flow text"), "{err}");
    store.create(&record("P")).expect("created");
    let err = store.append("P", 0, &[keyed(EventKind::Accepted, 3, "a\0b")]).expect_err("refused");
    assert!(err.is_store() && err.to_string().contains("NUL"), "{err}");
    assert!(store.load("P\0").expect_err("no such id").is_not_found());
    assert!(store.load("P").expect("loads").1.is_empty());
}

#[test]
fn bad_urls_and_schema_names_are_clear() {
    let cases = [
        ("postgres://[::1", Options::new(), "is not a PostgreSQL connection URL"),
        ("postgres://u@127.0.0.1/db", Options::new().schema("Bad-Name"), "is not a plain identifier"),
        ("postgres://u@127.0.0.1/db", Options::new().schema("pg_catalog"), "is not a plain identifier"),
    ];
    for (url, options, expect) in cases {
        let err = PostgresStore::connect_with(url, &options).expect_err("refused");
        assert!(err.is_store() && err.to_string().contains(expect), "{url}: `{err}` should say `{expect}`");
    }
}

#[test]
fn an_unreachable_server_is_a_clear_store_error() {
    // Port 1 on loopback: nothing listens there, the connection is refused at once.
    let options = Options::new().connect_timeout(Duration::from_secs(2));
    let err = PostgresStore::connect_with("postgres://shenpi:secret@127.0.0.1:1/db", &options)
        .expect_err("no server");
    let text = err.to_string();
    assert!(err.is_store(), "{text}");
    assert!(text.contains("cannot connect to PostgreSQL at postgres://shenpi@127.0.0.1:1/db"), "{text}");
    assert!(!text.contains("secret"), "the password stays out of messages: {text}");
}
