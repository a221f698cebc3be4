//! Electronic supervision on a store of generated projects
//! (`shenpi_benches::history`): the board of one department on one day and a
//! month's statistics, read from the projections, at 1,000 and 10,000
//! projects, beside the baseline of replaying every project (at 1,000).
//! Larger stores: `generate-store` and the whole-process figures in
//! docs/statistics.md.
//!
//! `cargo bench --bench supervision -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;
use std::path::Path;

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use shenpi::runtime::{By, Project, Store, board, board_of, statistics};
use shenpi::sqlite::SqliteStore;
use shenpi_benches::history::{FLOW, history, today};
use shenpi_benches::parse_flow;

fn build(path: &Path, total: u64) -> SqliteStore {
    let store = SqliteStore::open(path).expect("creates");
    let flow = parse_flow(FLOW);
    for n in 0..total {
        let h = history(n, total, 17);
        let mut p = Project::create(&store, flow.clone(), &h.id, h.start, &[]).expect("created");
        p.record_all(&store, h.events, today()).expect("records");
    }
    store
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let day = today();
    let (from, to) = (
        NaiveDate::from_ymd_opt(2025, 11, 1).expect("a date"),
        NaiveDate::from_ymd_opt(2025, 11, 30).expect("a date"),
    );
    let mut g = c.benchmark_group("supervision");
    g.sample_size(10);
    for total in [1_000u64, 10_000] {
        let store = build(&dir.path().join(format!("{total}.db")), total);
        g.bench_function(format!("board of 住建局 on one day, {total} projects"), |b| {
            b.iter(|| {
                black_box(board_of(&store.open_steps(Some("住建局"), day, "").expect("reads"), day).len())
            })
        });
        g.bench_function(format!("statistics of a month by dept, {total} projects"), |b| {
            b.iter(|| black_box(statistics(&store, from, to, By::Dept, "").expect("reads").rows.len()))
        });
        if total == 1_000 {
            g.bench_function("baseline: board by replaying 1000 projects", |b| {
                b.iter(|| {
                    let ids = store.list().expect("lists");
                    let projects: Vec<Project> =
                        ids.iter().map(|id| Project::open(&store, id).expect("opens")).collect();
                    black_box(board(&projects, day, Some("住建局")).expect("board").len())
                })
            });
        }
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
