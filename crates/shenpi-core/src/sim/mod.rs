//! Monte Carlo simulation: how likely is a real project to meet the budget?
//!
//! [`simulate`] runs a compiled flow ([`FlowGraph`]) many times. In each run every
//! step draws, from the models in its flow file (`duration`, `supplement`,
//! `special`, `on_timeout`; see `docs/flow-format.md`):
//!
//! - its **work**: the `duration` model, or its `promised` days when it has none.
//!   Triangular draws by inverse CDF; PERT is `min + (max − min)·Beta(α, β)` with
//!   α = 1 + 4(mode − min)/(max − min), β = 1 + 4(max − mode)/(max − min);
//!   empirical picks one observed value uniformly. The draw is **rounded up** to
//!   whole working days (2.1 days finishes on the third working day).
//!   Under `on_timeout: deem-approved` the work is capped at the step's
//!   **promised** limit: the promised limit is the one the department is held to
//!   (限时办结), and an undecided item counts as approved when it passes.
//! - with probability `supplement.p`, a **补正** pause of `supplement.days`, and
//!   with probability `special.p` a **special procedure** (hearing, expert
//!   review) of `special.days`, each rounded up. Both stop the step's clock: they
//!   add elapsed days but no counted days (the applicant's time; Art. 45).
//!
//! - a **joint** step's members draw their opinions in parallel from
//!   acceptance; the step takes the larger of its own draw and the slowest
//!   opinion plus the lead's consolidation (its promised days less the
//!   longest member's); under `silence: agree` an opinion is cut at the
//!   member's limit (deemed agreed).
//! - a step approved on the applicant's pledge (compiled with
//!   [`Options::commitment`](crate::graph::Options)) takes 0 days.
//!
//! Per run, the **counted total** is the longest path where each step weighs its
//! work if `counted`, 0 if not (pauses never count); the **elapsed total** is the
//! longest path where each step weighs work + pauses; a **stage's total** is the
//! longest counted path through that stage's own steps. These are the plan's
//! `total_days` and `elapsed_days` with drawn durations instead of promised ones,
//! so with fixed models and no pauses the simulation equals the plan exactly.
//! The **stage sum** adds the stages' totals; the flow's `total` rule says
//! which of the two the budget is checked against, and each group of stages
//! (`budgets:`) is checked against its own measure the same way.
//!
//! A graph compiled with [`Options`] other than the default (simulated mode,
//! commitment) is simulated a second time without them, with the same seed
//! and runs, and [`SimReport::gain`] says what they save.
//!
//! # Reproducibility
//! Run `k` draws from ChaCha8 keyed by the seed, on stream `k` (counter-based),
//! and everything summed over runs is an integer, so the same seed gives the
//! same report whatever the number of threads. Runs are spread over rayon's
//! current thread pool.
//!
//! ```
//! use std::sync::Arc;
//! use shenpi_core::{Flow, FlowGraph, sim};
//!
//! let flow = Flow::parse("f.yaml", r#"
//! id: f
//! name: two reviews
//! budget: 10
//! stages:
//!   - id: s
//!     name: stage
//!     steps:
//!       - parallel:
//!           - { id: a, name: A, promised: 5, duration: { triangular: [2, 4, 9] } }
//!           - { id: b, name: B, promised: 5, supplement: { p: 0.3, days: 5 } }
//! "#).unwrap();
//! let flow = Arc::new(flow);
//! let graph = FlowGraph::new(flow.clone(), flow.defaults());
//! let report = sim::simulate(&graph, &sim::SimOptions { runs: 2_000, seed: 7 })?;
//! assert_eq!(report.runs, 2_000);
//! assert_eq!(report.plan.total_days, 5);
//! assert!(report.p_within_budget.unwrap() > 0.99);
//! # Ok::<(), shenpi_core::Error>(())
//! ```

mod engine;
mod sample;
#[cfg(test)]
mod tests;

use chrono::NaiveDate;
use rayon::prelude::*;
use serde::Serialize;

use crate::calendar::{Calendar, CalendarError};
use crate::error::Error;
use crate::graph::{FlowGraph, Options};
use crate::model::TotalRule;
use engine::{Net, RunTotals, Scratch, Tally};
use sample::Models;
pub use sample::{Sampler, StepDraw};

/// Runs handled together by one task: fixed, so the split never depends on the thread count.
const CHUNK: usize = 256;

/// Most runs one call accepts (each run keeps 8 bytes until the report is built).
pub const MAX_RUNS: u32 = 50_000_000;

/// Most bins in [`SimReport::histogram`]; wider ranges get wider bins.
const MAX_BINS: u32 = 100;

/// How many drivers [`PlanComparison::drivers`] lists at most.
const DRIVERS: usize = 5;

/// How many runs, and from which seed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SimOptions {
    /// Number of simulated projects, 1 to [`MAX_RUNS`].
    pub runs: u32,
    /// Seed: the same seed gives the same report.
    pub seed: u64,
}

impl Default for SimOptions {
    /// 10,000 runs from seed 2019 (the year of Zhejiang's 最多90天).
    fn default() -> SimOptions {
        SimOptions { runs: 10_000, seed: 2019 }
    }
}

/// Mean and percentiles of working days over runs.
///
/// Percentiles are nearest-rank: `p80` is the smallest value that at least 80% of
/// runs do not exceed.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Summary {
    /// Mean over runs.
    pub mean: f64,
    /// Median.
    pub p50: u32,
    /// 80th percentile.
    pub p80: u32,
    /// 95th percentile.
    pub p95: u32,
    /// Smallest.
    pub min: u32,
    /// Largest.
    pub max: u32,
}

/// One bar of the histogram of counted totals: runs whose total is in `from..=to`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Bin {
    /// Lowest total in the bin, in counted working days.
    pub from: u32,
    /// Highest total in the bin.
    pub to: u32,
    /// Number of runs.
    pub count: u32,
}

/// Finish dates at the percentiles of elapsed days.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct FinishDates {
    /// Half the runs finish by this date.
    pub p50: NaiveDate,
    /// 80% of runs finish by this date.
    pub p80: NaiveDate,
    /// 95% of runs finish by this date.
    pub p95: NaiveDate,
}

/// A stage against its budget.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct StageStats {
    /// Stage id.
    pub id: String,
    /// Stage budget, if any.
    pub budget: Option<u32>,
    /// The stage's counted critical path at promised days.
    pub plan_total_days: u32,
    /// Share of runs in which the stage's counted critical path was within its budget; `None` without one.
    pub p_within_budget: Option<f64>,
}

/// A group of stages (`budgets:` in the flow) against its limit.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct GroupStats {
    /// The group's name.
    pub name: String,
    /// Its stages' ids, as written.
    pub stages: Vec<String>,
    /// Its limit on counted working days.
    pub days: u32,
    /// Its measured total at promised days (as [`GroupTotal::total_days`](crate::schedule::GroupTotal::total_days)).
    pub plan_total_days: u32,
    /// Share of runs in which its measured total was within its limit.
    pub p_within_budget: f64,
}

/// What a project's options (simulated mode, commitment) save, from the same
/// runs of the flow compiled without them (same seed and number of runs).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct SimGain {
    /// The options compared against the default.
    pub options: Options,
    /// Counted working days without the options.
    pub baseline_total_days: Summary,
    /// Elapsed working days without the options.
    pub baseline_elapsed_days: Summary,
    /// Share of runs within the budget without the options; `None` without a budget.
    pub baseline_p_within_budget: Option<f64>,
    /// Mean counted working days saved.
    pub total_days_saved: f64,
    /// Mean elapsed working days gained: how much earlier projects end.
    pub elapsed_days_saved: f64,
}

/// What the runs say about one step.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct StepStats {
    /// Step id.
    pub id: String,
    /// Step name.
    pub name: String,
    /// Whether its work counts against the budget.
    pub counted: bool,
    /// Promised days.
    pub promised: u32,
    /// Share of runs in which it lay on a longest counted path (with ties, every
    /// step on some longest path counts; uncounted steps lie on it with weight 0).
    pub criticality: f64,
    /// Share of runs in which it lay on a longest elapsed path: it decided the finish date.
    pub elapsed_criticality: f64,
    /// Mean of (work days − promised days): its own lateness, pauses excluded.
    pub mean_delay: f64,
    /// Mean paused days (补正 and special procedures).
    pub mean_paused: f64,
    /// Mean over runs of (work − promised) in the runs where it was counted and on a
    /// longest counted path: how much it moved the counted total against the plan.
    pub delay_contribution: f64,
    /// Correlation (Pearson) between its work days and the counted total over the
    /// runs: how strongly its lateness moves the total (the "cruciality index");
    /// 0 when either does not vary.
    pub cruciality: f64,
    /// Share of the over-budget runs in which it lay on a longest counted path;
    /// `None` without a budget or when no run was over.
    pub criticality_over_budget: Option<f64>,
}

/// A step that moves the simulated total away from the plan.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Driver {
    /// Step id.
    pub id: String,
    /// Its [`StepStats::delay_contribution`]: positive pushes the total later.
    pub delay_contribution: f64,
    /// Its [`StepStats::criticality`].
    pub criticality: f64,
}

/// The deterministic plan (every step at its promised days, no pauses) against the runs.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct PlanComparison {
    /// Longest counted path at promised days.
    pub total_days: u32,
    /// Longest elapsed path at promised days.
    pub elapsed_days: u32,
    /// Mean simulated counted total minus the plan's.
    pub difference: f64,
    /// Steps with the largest |delay contribution|, largest first.
    pub drivers: Vec<Driver>,
}

/// The outcome of [`simulate`]: the JSON of `shenpi simulate --format json`
/// and of the HTTP service's `/v1/simulate`, versioned by `schema`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct SimReport {
    /// The version of this shape: [`SimReport::SCHEMA`]. A field may be added
    /// under the same schema; one renamed, removed or given another meaning takes a new one.
    pub schema: &'static str,
    /// Flow id.
    pub flow: String,
    /// Number of runs.
    pub runs: u32,
    /// The seed used.
    pub seed: u64,
    /// The flow's budget on counted working days, if any.
    pub budget: Option<u32>,
    /// What the budgets are checked against (the flow's `total`): `critical-path` or `stage-sum`.
    pub total: TotalRule,
    /// Share of runs whose measured total (under `total`) was within the budget; `None` without a budget.
    pub p_within_budget: Option<f64>,
    /// Counted working days on the critical path.
    pub total_days: Summary,
    /// The sum of the stages' own counted critical paths (the other 统计口径).
    pub stage_sum_days: Summary,
    /// Elapsed working days (when the project really ends).
    pub elapsed_days: Summary,
    /// Day 0, when dates were asked for: the start date, or the next working day.
    pub start_date: Option<NaiveDate>,
    /// When the project really ends, when dates were asked for ([`SimReport::with_dates`]).
    pub finish_date: Option<FinishDates>,
    /// Each stage against its budget, in file order.
    pub stages: Vec<StageStats>,
    /// Each group of stages against its limit, in file order.
    pub groups: Vec<GroupStats>,
    /// Each step, in topological order.
    pub steps: Vec<StepStats>,
    /// Counted totals: bins of one working day, wider when the range exceeds 100 days.
    pub histogram: Vec<Bin>,
    /// The plan, and the steps that explain where the runs differ from it.
    pub plan: PlanComparison,
    /// The options the flow was compiled with (mode, commitment).
    pub options: Options,
    /// What those options save, when they are not the default.
    pub gain: Option<SimGain>,
}

impl SimReport {
    /// The value of [`SimReport::schema`] for this shape.
    pub const SCHEMA: &'static str = "shenpi.simulation/1";

    /// Adds `start_date` and `finish_date`: the working day `elapsed_days.p50` (p80,
    /// p95) after day 0, where day 0 is `start` or the next working day, as in
    /// [`Plan::dates`](crate::schedule::Plan::dates). Dates are monotone in
    /// days, so these are the percentiles of the finish date.
    ///
    /// # Errors
    /// Out of range when a date falls where `calendar` refuses to count.
    pub fn with_dates(mut self, start: NaiveDate, calendar: &Calendar) -> Result<SimReport, CalendarError> {
        let day0 = calendar.add_working_days(start, 0)?;
        let e = self.elapsed_days;
        let at = |n| calendar.add_working_days(day0, n);
        self.finish_date = Some(FinishDates { p50: at(e.p50)?, p80: at(e.p80)?, p95: at(e.p95)? });
        self.start_date = Some(day0);
        Ok(self)
    }

    /// The counted steps that most threaten the budget, most threatening first:
    /// by how strongly they drive the late runs, the share of over-budget runs
    /// in which they were critical times their cruciality (how strongly their
    /// days move the total); without late runs, by cruciality alone. Ties go
    /// by that share, then cruciality, then delay contribution. The product
    /// keeps a step that is always critical but never varies (a fixed step on a
    /// serial chain) behind one that varies widely and decides most late runs.
    pub fn threats(&self, k: usize) -> Vec<&StepStats> {
        let mut steps: Vec<&StepStats> = self.steps.iter().filter(|s| s.counted).collect();
        let key = |s: &StepStats| {
            let over = s.criticality_over_budget.unwrap_or(1.0);
            (over * s.cruciality, over, s.cruciality, s.delay_contribution)
        };
        steps.sort_by(|a, b| key(b).partial_cmp(&key(a)).unwrap_or(std::cmp::Ordering::Equal));
        steps.truncate(k);
        steps
    }
}

/// Simulates `options.runs` projects of `graph`. See the [module docs](self) for the model.
///
/// # Errors
/// [`Error::is_invalid_option`] when `runs` is 0 or above [`MAX_RUNS`]. A
/// flow's models are valid by construction, so nothing else can fail.
///
/// # Complexity
/// O(runs · (G + 1) · (V + E)) time for G groups of stages, spread over
/// rayon's threads, twice that with non-default [`Options`]; O(runs +
/// threads · V) extra memory.
pub fn simulate(graph: &FlowGraph, options: &SimOptions) -> Result<SimReport, Error> {
    simulate_with_progress(graph, options, &|_| {})
}

/// [`simulate`], calling `progress(k)` each time `k` more runs are done (from any thread).
pub fn simulate_with_progress(
    graph: &FlowGraph,
    options: &SimOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<SimReport, Error> {
    if options.runs == 0 || options.runs > MAX_RUNS {
        return Err(Error::invalid_option("runs", options.runs.to_string(), format!("1 to {MAX_RUNS}")));
    }
    let mut report = simulate_graph(graph, options, progress);
    if graph.options() != Options::default() {
        let base = FlowGraph::new(graph.flow().clone(), graph.params().clone());
        let b = simulate_graph(&base, options, &|_| {});
        report.gain = Some(SimGain {
            options: graph.options(),
            total_days_saved: b.total_days.mean - report.total_days.mean,
            elapsed_days_saved: b.elapsed_days.mean - report.elapsed_days.mean,
            baseline_total_days: b.total_days,
            baseline_elapsed_days: b.elapsed_days,
            baseline_p_within_budget: b.p_within_budget,
        });
    }
    Ok(report)
}

/// The runs of one compiled graph, without a comparison.
fn simulate_graph(graph: &FlowGraph, options: &SimOptions, progress: &(dyn Fn(u64) + Sync)) -> SimReport {
    let models = Models::compile(graph);
    let net = Net::new(graph, models);
    let (n, stages, groups) = (net.len(), net.stage_budget.len(), net.groups.len());
    let base = engine::base_rng(options.seed);
    let mut totals = vec![RunTotals::default(); options.runs as usize];
    let tally = totals
        .par_chunks_mut(CHUNK)
        .enumerate()
        .fold(
            || (Scratch::new(n, stages), Tally::new(n, stages, groups)),
            |(mut scratch, mut tally), (chunk, out)| {
                let first = chunk * CHUNK;
                for (k, slot) in out.iter_mut().enumerate() {
                    let mut rng = engine::run_rng(&base, (first + k) as u64);
                    *slot = engine::run_once(&net, &mut rng, &mut scratch, &mut tally);
                }
                progress(out.len() as u64);
                (scratch, tally)
            },
        )
        .map(|(_, tally)| tally)
        .reduce(|| Tally::new(n, stages, groups), Tally::merge);
    build_report(graph, &net, options, &totals, &tally)
}

fn build_report(
    graph: &FlowGraph,
    net: &Net<'_>,
    options: &SimOptions,
    totals: &[RunTotals],
    tally: &Tally,
) -> SimReport {
    let flow = graph.flow();
    let runs = f64::from(options.runs);
    let share = |k: u32| f64::from(k) / runs;
    let mut counted: Vec<u32> = totals.iter().map(|t| t.counted).collect();
    let mut elapsed: Vec<u32> = totals.iter().map(|t| t.elapsed).collect();
    let mut stage_sum: Vec<u32> = totals.iter().map(|t| t.stage_sum).collect();
    counted.sort_unstable();
    elapsed.sort_unstable();
    stage_sum.sort_unstable();
    let (plan, plan_stages, plan_groups) = engine::promised_totals(net);
    let over = tally.over;
    let steps = step_stats(graph, net, options, totals, tally);
    let total_days = summarize(&counted);
    let drivers = drivers(&steps);
    SimReport {
        schema: SimReport::SCHEMA,
        flow: flow.id().to_string(),
        runs: options.runs,
        seed: options.seed,
        budget: flow.budget(),
        total: flow.total(),
        p_within_budget: flow.budget().map(|_| share(options.runs - over)),
        total_days,
        stage_sum_days: summarize(&stage_sum),
        elapsed_days: summarize(&elapsed),
        start_date: None,
        finish_date: None,
        stages: flow
            .stages()
            .iter()
            .enumerate()
            .map(|(k, s)| StageStats {
                id: s.id().to_string(),
                budget: s.budget(),
                plan_total_days: plan_stages[k],
                p_within_budget: s.budget().map(|_| share(tally.stage_ok[k])),
            })
            .collect(),
        groups: flow
            .budgets()
            .iter()
            .enumerate()
            .map(|(k, g)| GroupStats {
                name: g.name().to_string(),
                stages: g.stages().iter().map(|&s| flow.stages()[s].id().to_string()).collect(),
                days: g.days(),
                plan_total_days: plan_groups[k],
                p_within_budget: share(tally.group_ok[k]),
            })
            .collect(),
        steps,
        histogram: histogram(&counted),
        plan: PlanComparison {
            total_days: plan.counted,
            elapsed_days: plan.elapsed,
            difference: total_days.mean - f64::from(plan.counted),
            drivers,
        },
        options: graph.options(),
        gain: None,
    }
}

/// Each step's figures over the runs, in node order.
fn step_stats(
    graph: &FlowGraph,
    net: &Net<'_>,
    options: &SimOptions,
    totals: &[RunTotals],
    tally: &Tally,
) -> Vec<StepStats> {
    let runs = f64::from(options.runs);
    let share = |k: u32| f64::from(k) / runs;
    let mean = |sum: i64| sum as f64 / runs;
    let over = tally.over;
    let total_sum: u128 = totals.iter().map(|t| u128::from(t.counted)).sum();
    let total_sq: u128 = totals.iter().map(|t| u128::from(t.counted) * u128::from(t.counted)).sum();
    graph
        .nodes()
        .map(|v| {
            let i = v.index();
            let step = graph.step(v);
            StepStats {
                id: step.id().to_string(),
                name: step.name().to_string(),
                counted: net.counted[i],
                promised: net.promised[i],
                criticality: share(tally.critical[i]),
                elapsed_criticality: share(tally.critical_elapsed[i]),
                mean_delay: mean(tally.delay[i]),
                mean_paused: tally.paused[i] as f64 / runs,
                delay_contribution: mean(tally.contribution[i]),
                cruciality: correlation(
                    u128::from(options.runs),
                    (u128::from(tally.work[i]), tally.work_sq[i]),
                    (total_sum, total_sq),
                    tally.work_total[i],
                ),
                criticality_over_budget: (over > 0)
                    .then(|| f64::from(tally.critical_over[i]) / f64::from(over)),
            }
        })
        .collect()
}

/// The steps that move the counted total most from the plan, largest first.
fn drivers(steps: &[StepStats]) -> Vec<Driver> {
    let mut drivers: Vec<Driver> = steps
        .iter()
        .filter(|s| s.delay_contribution != 0.0)
        .map(|s| Driver {
            id: s.id.clone(),
            delay_contribution: s.delay_contribution,
            criticality: s.criticality,
        })
        .collect();
    drivers.sort_by(|a, b| b.delay_contribution.abs().total_cmp(&a.delay_contribution.abs()));
    drivers.truncate(DRIVERS);
    drivers
}

/// Pearson correlation from exact sums: `n`, (Σx, Σx²), (Σy, Σy²), Σxy.
/// Integer numerators keep it independent of the order runs were added in.
fn correlation(n: u128, (sx, sxx): (u128, u128), (sy, syy): (u128, u128), sxy: u128) -> f64 {
    let exact = || -> Option<(i128, i128, i128)> {
        let i = |x: u128| i128::try_from(x).ok();
        let (n, sx, sxx, sy, syy, sxy) = (i(n)?, i(sx)?, i(sxx)?, i(sy)?, i(syy)?, i(sxy)?);
        let var_x = n.checked_mul(sxx)?.checked_sub(sx.checked_mul(sx)?)?;
        let var_y = n.checked_mul(syy)?.checked_sub(sy.checked_mul(sy)?)?;
        let cov = n.checked_mul(sxy)?.checked_sub(sx.checked_mul(sy)?)?;
        Some((var_x, var_y, cov))
    };
    let (var_x, var_y, cov) = match exact() {
        Some((vx, vy, c)) => (vx as f64, vy as f64, c as f64),
        None => {
            let (n, sx, sy) = (n as f64, sx as f64, sy as f64);
            (n * sxx as f64 - sx * sx, n * syy as f64 - sy * sy, n * sxy as f64 - sx * sy)
        }
    };
    if var_x <= 0.0 || var_y <= 0.0 { 0.0 } else { (cov / (var_x.sqrt() * var_y.sqrt())).clamp(-1.0, 1.0) }
}

/// Mean and nearest-rank percentiles of sorted, non-empty values.
fn summarize(sorted: &[u32]) -> Summary {
    let n = sorted.len();
    let rank = |p: u32| {
        // Smallest k with k/n >= p/100, as a 0-based index.
        let k = (n * p as usize).div_ceil(100).max(1);
        sorted[k - 1]
    };
    let sum: u64 = sorted.iter().map(|&x| u64::from(x)).sum();
    Summary {
        mean: sum as f64 / n as f64,
        p50: rank(50),
        p80: rank(80),
        p95: rank(95),
        min: sorted[0],
        max: sorted[n - 1],
    }
}

/// Bins of one working day from the smallest total to the largest, or of
/// ⌈range / 100⌉ days when that would make more than 100 bins.
fn histogram(sorted: &[u32]) -> Vec<Bin> {
    let (lo, hi) = (u64::from(sorted[0]), u64::from(sorted[sorted.len() - 1]));
    let width = (hi - lo + 1).div_ceil(u64::from(MAX_BINS)).max(1);
    let bins = (hi - lo) / width + 1;
    let to_u32 = |x: u64| u32::try_from(x).unwrap_or(u32::MAX);
    let mut out: Vec<Bin> = (0..bins)
        .map(|b| Bin { from: to_u32(lo + b * width), to: to_u32(lo + b * width + width - 1), count: 0 })
        .collect();
    for &x in sorted {
        out[((u64::from(x) - lo) / width) as usize].count += 1;
    }
    out
}
