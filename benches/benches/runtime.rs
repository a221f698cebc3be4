//! Runtime throughput: events applied per second in memory and with SQLite
//! (one event per transaction, and batched), and loading and folding a
//! project of 10,000 events.
//!
//! `cargo bench --bench runtime`

use std::hint::black_box;
use std::sync::Arc;

use chrono::NaiveDate;
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use shenpi::Flow;
use shenpi::runtime::{EventKind, MemoryStore, NewEvent, Project, Store};
use shenpi::sqlite::SqliteStore;
use shenpi_benches::{parallel_flow, parse_flow};

/// 20 parallel steps, so logs can grow long: each step is accepted, then
/// paused and resumed over and over (补正 requested and received).
fn flow() -> Arc<Flow> {
    parse_flow(&parallel_flow(20))
}

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 3, 3).expect("valid day")
}

/// The `i`-th event of the endless valid history.
fn event(i: usize) -> NewEvent {
    let step = format!("s{}", i % 20);
    let kind = match i / 20 {
        0 => EventKind::Accepted,
        r if r % 2 == 1 => EventKind::SupplementRequested,
        _ => EventKind::SupplementReceived,
    };
    NewEvent::new(step, kind, day())
}

fn bench(c: &mut Criterion) {
    let flow = flow();
    let mut g = c.benchmark_group("runtime");
    g.sample_size(10);

    const N: usize = 1000;
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function("memory/record 1000 events", |b| {
        b.iter_batched(
            || {
                let store = MemoryStore::new();
                let p = Project::create(&store, flow.clone(), "P", day(), &[]).expect("created");
                (store, p)
            },
            |(store, mut p)| {
                for i in 0..N {
                    p.record(&store, event(i), day()).expect("records");
                }
                black_box(p.events().len())
            },
            BatchSize::LargeInput,
        )
    });

    let dir = tempfile::tempdir().expect("temp dir");
    const M: usize = 100;
    g.throughput(Throughput::Elements(M as u64));
    let mut run = 0;
    g.bench_function("sqlite/record 100 events, one per transaction", |b| {
        b.iter_batched(
            || {
                run += 1;
                let store = SqliteStore::open(dir.path().join(format!("one-{run}.db"))).expect("opens");
                let p = Project::create(&store, flow.clone(), "P", day(), &[]).expect("created");
                (store, p)
            },
            |(store, mut p)| {
                for i in 0..M {
                    p.record(&store, event(i), day()).expect("records");
                }
                black_box(p.events().len())
            },
            BatchSize::PerIteration,
        )
    });

    g.throughput(Throughput::Elements(N as u64));
    g.bench_function("sqlite/append 1000 events in batches of 100", |b| {
        b.iter_batched(
            || {
                run += 1;
                let store = SqliteStore::open(dir.path().join(format!("batch-{run}.db"))).expect("opens");
                let p = Project::create(&store, flow.clone(), "P", day(), &[]).expect("created");
                (store, p)
            },
            |(store, mut p)| {
                for chunk in 0..N / 100 {
                    let batch = (chunk * 100..(chunk + 1) * 100).map(event).collect();
                    p.record_all(&store, batch, day()).expect("records");
                }
                black_box(p.events().len())
            },
            BatchSize::PerIteration,
        )
    });

    // A project of 10,000 events, stored once, then loaded and folded.
    let big = SqliteStore::open(dir.path().join("big.db")).expect("opens");
    let mut p = Project::create(&big, flow.clone(), "P", day(), &[]).expect("created");
    for chunk in 0..100 {
        p.record_all(&big, (chunk * 100..(chunk + 1) * 100).map(event).collect(), day()).expect("records");
    }
    g.throughput(Throughput::Elements(10_000));
    g.bench_function("sqlite/load and fold 10000 events", |b| {
        b.iter(|| black_box(Project::open(&big, "P").expect("loads").events().len()))
    });
    let (record, events) = big.load("P").expect("loads");
    g.bench_function("memory/fold 10000 events", |b| {
        b.iter(|| black_box(Project::replay(record.clone(), events.clone()).expect("folds").events().len()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
