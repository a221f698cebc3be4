//! Realistic project histories for the supervision benches and tests: a
//! county centre's flow of twelve approval items in eight departments, and
//! a seeded walk through it per project — acceptance, 补正 and 容缺, an
//! extension now and then, decisions mostly within the promised days, some
//! late — that stops at "today" for the projects still under way.
//!
//! Projects start at a fixed rate ([`PER_DAY`] a calendar day) up to
//! [`TODAY`], so a larger store holds more history, not more open work: the
//! board of one department on one day and a month's statistics should not
//! grow with it.

use chrono::{Days, NaiveDate};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use shenpi::calendar::Calendar;
use shenpi::runtime::{EventKind, NewEvent};

/// The flow every generated project follows.
pub const FLOW: &str = "id: county
name: 县级工业项目审批
calendar: cn
stages:
  - id: s1
    name: 立项用地规划许可
    steps:
      - { id: filing, name: 企业投资项目备案, dept: 发改局, promised: 1, legal: 5 }
      - parallel:
          - { id: land, name: 建设用地规划许可, dept: 自然资源局, promised: 5, legal: 20 }
          - { id: eia, name: 环评审批, dept: 生态环境局, promised: 7, legal: 30 }
          - { id: energy, name: 节能审查, dept: 发改局, promised: 7, legal: 20, on_timeout: deem-approved }
          - { id: water, name: 水土保持方案, dept: 水利局, promised: 7, legal: 20 }
  - id: s2
    name: 工程建设许可
    steps:
      - { id: scheme, name: 设计方案审查, dept: 自然资源局, promised: 7, legal: 20 }
      - { id: planning, name: 建设工程规划许可, dept: 自然资源局, promised: 7, legal: 20 }
  - id: s3
    name: 施工许可
    steps:
      - parallel:
          - { id: drawings, name: 施工图联合审查, dept: [住建局, 消防, 人防办], promised: 5, legal: 20 }
          - { id: safety, name: 质量安全监督, dept: 住建局, promised: 5, legal: 20 }
      - { id: permit, name: 建筑工程施工许可, dept: 住建局, promised: 5, legal: 7 }
  - id: s4
    name: 竣工验收
    steps:
      - { id: acceptance, name: 联合验收, dept: [住建局, 消防, 人防办, 自然资源局], promised: 3, legal: 20 }
      - { id: registry, name: 不动产首次登记, dept: 不动产登记中心, promised: 5, legal: 30 }
";

/// The steps of [`FLOW`] in an order that respects what each waits for,
/// with the steps it waits for.
const STEPS: &[(&str, &[&str])] = &[
    ("filing", &[]),
    ("land", &["filing"]),
    ("eia", &["filing"]),
    ("energy", &["filing"]),
    ("water", &["filing"]),
    ("scheme", &["land", "eia", "energy", "water"]),
    ("planning", &["scheme"]),
    ("drawings", &["planning"]),
    ("safety", &["planning"]),
    ("permit", &["drawings", "safety"]),
    ("acceptance", &["permit"]),
    ("registry", &["acceptance"]),
];

/// Promised working days of each step, in [`STEPS`] order.
const PROMISED: [u32; 12] = [1, 5, 7, 7, 7, 7, 7, 5, 5, 5, 3, 5];

/// Projects started per calendar day.
pub const PER_DAY: u64 = 100;

/// The last day of every generated history.
pub fn today() -> NaiveDate {
    // OK because the date is a valid constant.
    NaiveDate::from_ymd_opt(2025, 12, 31).expect("a valid date")
}

/// Alias of [`today`] for docs.
pub const TODAY: &str = "2025-12-31";

/// One generated project: its id, its start and its events in date order.
pub struct History {
    /// `P000000`, `P000001`, …
    pub id: String,
    /// The day it started.
    pub start: NaiveDate,
    /// Its events, to record in one batch.
    pub events: Vec<NewEvent>,
}

/// The `n`-th of `total` projects, drawn from `seed`: projects start
/// [`PER_DAY`] a day up to [`today`], the last ones still under way.
///
/// # Panics
/// Only past the calendar's range (years after 2100).
pub fn history(n: u64, total: u64, seed: u64) -> History {
    let mut rng = StdRng::seed_from_u64(seed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let cal = Calendar::cn();
    let back = (total - n) / PER_DAY + 1;
    let start = today() - Days::new(back);
    let add = |d: NaiveDate, n: u32| cal.add_working_days(d, n).expect("a date the calendar counts");
    let mut done: Vec<Option<NaiveDate>> = vec![None; STEPS.len()];
    let mut events = Vec::new();
    let push = |events: &mut Vec<NewEvent>, step: &str, kind, date: NaiveDate| {
        if date <= today() {
            events.push(NewEvent::new(step, kind, date));
            true
        } else {
            false
        }
    };
    'steps: for (i, (step, after)) in STEPS.iter().enumerate() {
        let mut ready = start;
        for a in *after {
            match STEPS.iter().position(|(s, _)| s == a).and_then(|j| done[j]) {
                Some(d) => ready = ready.max(d),
                None => continue 'steps,
            }
        }
        // The owner prepares the application: a few days, longer before construction.
        let gap = if *step == "acceptance" { 20 + rng.random_range(0..40) } else { rng.random_range(0..5) };
        let filed = add(ready, gap);
        let incomplete = rng.random_bool(0.08);
        let kind = if incomplete { EventKind::AcceptedIncomplete } else { EventKind::Accepted };
        if !push(&mut events, step, kind, filed) {
            continue;
        }
        let promised = PROMISED[i];
        let mut clock = filed;
        let mut stopped = 0;
        if incomplete {
            let day = add(filed, rng.random_range(0..=promised.saturating_sub(1)));
            if !push(&mut events, step, EventKind::SupplementReceived, day) {
                continue;
            }
            clock = day;
        }
        let asks = if rng.random_bool(0.2) { 1 + u32::from(rng.random_bool(0.15)) } else { 0 };
        for _ in 0..asks {
            let asked = add(clock, rng.random_range(0..=1));
            if !push(&mut events, step, EventKind::SupplementRequested, asked) {
                continue 'steps;
            }
            let back = rng.random_range(1..6);
            stopped += back;
            clock = add(asked, back);
            if !push(&mut events, step, EventKind::SupplementReceived, clock) {
                continue 'steps;
            }
        }
        if rng.random_bool(0.03) {
            let day = add(clock, 1);
            let e = NewEvent::new(*step, EventKind::Extended, day).days(5).by("局长");
            if day > today() {
                continue;
            }
            events.push(e);
            clock = day;
        }
        // Most decide within the promise, some overrun; the deemed-approval item never does.
        let late = if *step != "energy" && rng.random_bool(0.12) { rng.random_range(1..6) } else { 0 };
        let used = rng.random_range(0..=promised) + late;
        let decided = add(filed, used + stopped).max(clock);
        if !push(&mut events, step, EventKind::Approved, decided) {
            continue;
        }
        done[i] = Some(decided);
    }
    // Parallel steps interleave: record in date order (stable, so a step's own order holds).
    events.sort_by_key(|e| e.date);
    History { id: format!("P{n:06}"), start, events }
}
