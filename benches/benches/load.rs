//! Loading a large flow file: `Flow::parse` against reading the file's bytes
//! (and checking they are UTF-8), in the same run, on the 100,000-step
//! synthetic flow of the performance comparison (about 11 MB).
//!
//! `cargo bench --bench load` prints one line with both medians and the
//! parser's speed in MB/s.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use shenpi::Flow;
use shenpi_benches::{median, synthetic_flow};

fn load(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("synthetic-100k.yaml");
    std::fs::write(&path, synthetic_flow(100_000, Some(100), 1)).expect("written");
    let bytes = std::fs::metadata(&path).expect("written").len();
    let read = || {
        let raw = std::fs::read(&path).expect("readable");
        String::from_utf8(raw).expect("UTF-8").len()
    };
    let parse = || Flow::load(&path).expect("a valid flow").steps().len();
    let mut g = c.benchmark_group("load-100k");
    g.throughput(Throughput::Bytes(bytes));
    g.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    g.bench_function("read the bytes", |b| b.iter(|| black_box(read())));
    g.bench_function("Flow::load", |b| b.iter(|| black_box(parse())));
    g.finish();
    let r = median(|| _ = black_box(read()), 11);
    let p = median(|| _ = black_box(parse()), 5);
    println!(
        "{:.1} MB: reading {:.1} ms, Flow::load {:.0} ms ({:.0} MB/s, ratio {:.0})",
        bytes as f64 / 1e6,
        r.as_secs_f64() * 1e3,
        p.as_secs_f64() * 1e3,
        bytes as f64 / 1e6 / p.as_secs_f64(),
        p.as_secs_f64() / r.as_secs_f64()
    );
}

criterion_group!(benches, load);
criterion_main!(benches);
