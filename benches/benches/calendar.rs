//! Working-day arithmetic: the prefix-count fast paths against the day-by-day
//! loop a first implementation would write, in the same run.

use std::hint::black_box;

use chrono::{Days, NaiveDate};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use shenpi::calendar::{Calendar, ClockStops};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

/// The n-th working day after `d`, one day at a time.
fn add_day_by_day(cal: &Calendar, d: NaiveDate, n: u32, stops: &ClockStops) -> NaiveDate {
    let mut x = d;
    let mut left = n;
    while left > 0 {
        x = x.succ_opt().expect("in range");
        if cal.is_working_day(x).expect("in range") && !stops.contains(x) {
            left -= 1;
        }
    }
    x
}

/// Working days in (a, b], one day at a time.
fn between_day_by_day(cal: &Calendar, a: NaiveDate, b: NaiveDate) -> i64 {
    a.iter_days()
        .skip(1)
        .take_while(|x| *x <= b)
        .filter(|x| cal.is_working_day(*x).expect("in range"))
        .count() as i64
}

fn bench(c: &mut Criterion) {
    let cal = Calendar::cn();
    let start = date(2015, 3, 2);
    let none = ClockStops::new();
    // Ten stops of a week, one every two months: a long-running item with many pauses.
    let stops = ClockStops::from_spans((0..10).map(|i| {
        let s = start + Days::new(60 * i + 10);
        (s, s + Days::new(6))
    }))
    .expect("disjoint");

    let mut g = c.benchmark_group("add_working_days");
    for n in [20u32, 250, 2000] {
        g.bench_with_input(BenchmarkId::new("fast", n), &n, |b, &n| {
            b.iter(|| cal.add_working_days(black_box(start), black_box(n)))
        });
        g.bench_with_input(BenchmarkId::new("day_by_day", n), &n, |b, &n| {
            b.iter(|| add_day_by_day(&cal, black_box(start), black_box(n), &none))
        });
    }
    g.finish();

    let mut g = c.benchmark_group("add_working_days_with_10_stops");
    for n in [20u32, 250, 2000] {
        g.bench_with_input(BenchmarkId::new("fast", n), &n, |b, &n| {
            b.iter(|| cal.add_working_days_with_stops(black_box(start), black_box(n), &stops))
        });
        g.bench_with_input(BenchmarkId::new("day_by_day", n), &n, |b, &n| {
            b.iter(|| add_day_by_day(&cal, black_box(start), black_box(n), &stops))
        });
    }
    g.finish();

    let mut g = c.benchmark_group("working_days_between");
    for years in [1u64, 10] {
        let end = start + Days::new(365 * years);
        g.bench_with_input(BenchmarkId::new("fast", format!("{years}y")), &end, |b, &end| {
            b.iter(|| cal.working_days_between(black_box(start), black_box(end)))
        });
        g.bench_with_input(BenchmarkId::new("day_by_day", format!("{years}y")), &end, |b, &end| {
            b.iter(|| between_day_by_day(&cal, black_box(start), black_box(end)))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
