//! Electronic supervision on a store of generated projects
//! (`shenpi_benches::history`): the board of one department on one day, the
//! 问责 list and a month's statistics, read from the projections, at 1,000
//! and 10,000 projects, beside the baseline of replaying every project (at
//! 1,000). `SHENPI_SUPERVISION_STORES=a.db,b.db` measures stores written by
//! `generate-store` instead (100,000 projects take a while to write: write
//! them once and reuse the files).
//!
//! `cargo bench --bench supervision -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;
use std::path::Path;

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use shenpi::runtime::{By, Project, Store, accountability, board, board_of, statistics};
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
    let given: Vec<String> = std::env::var("SHENPI_SUPERVISION_STORES")
        .map(|v| v.split(',').filter(|p| !p.is_empty()).map(str::to_string).collect())
        .unwrap_or_default();
    let stores: Vec<(u64, SqliteStore)> = if given.is_empty() {
        [1_000u64, 10_000].into_iter().map(|n| (n, build(&dir.path().join(format!("{n}.db")), n))).collect()
    } else {
        given
            .iter()
            .map(|p| {
                let store = SqliteStore::open_read_only(Path::new(p)).expect("opens a generated store");
                (store.list().expect("lists").len() as u64, store)
            })
            .collect()
    };
    for (total, store) in stores {
        g.bench_function(format!("board of 住建局 on one day, {total} projects"), |b| {
            b.iter(|| {
                black_box(board_of(&store.open_steps(Some("住建局"), day, "").expect("reads"), day).len())
            })
        });
        g.bench_function(format!("问责 list of 住建局 on one day, {total} projects"), |b| {
            b.iter(|| black_box(accountability(&store, day, Some("住建局"), "").expect("reads").len()))
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
