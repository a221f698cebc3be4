//! Duration models compiled for fast sampling, and the per-step draw.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Beta, Distribution};
use serde::Serialize;

use super::engine::{base_rng, run_rng};
use crate::error::Error;
use crate::graph::{FlowGraph, Node};
use crate::model::{Delay, DurationModel, Step, TimeoutPolicy};

/// A duration model with everything precomputed that does not depend on the draw.
#[derive(Clone, Debug)]
pub(crate) enum Dist {
    Fixed(f64),
    /// Inverse CDF of the triangular distribution: `split` is `(mode − min) / (max − min)`,
    /// `lo` is `(max − min)(mode − min)` and `hi` is `(max − min)(max − mode)`.
    Triangular {
        min: f64,
        max: f64,
        split: f64,
        lo: f64,
        hi: f64,
    },
    /// `min + (max − min) · Beta(α, β)`, α = 1 + 4(mode − min)/(max − min), β = 1 + 4(max − mode)/(max − min).
    Pert {
        min: f64,
        range: f64,
        beta: Beta<f64>,
    },
    /// A uniform pick among `pool[start..start + len]`.
    Empirical {
        start: u32,
        len: u32,
    },
}

impl Dist {
    /// Checks and compiles a model; empirical values go to `pool`. `what` names it in errors.
    pub(crate) fn compile(model: &DurationModel, pool: &mut Vec<f64>, what: &str) -> Result<Dist, String> {
        let days = |x: f64| -> Result<f64, String> {
            if x.is_finite() && x >= 0.0 {
                Ok(x)
            } else {
                Err(format!("{what} has {x} days; durations are finite and not negative"))
            }
        };
        let three = |name: &str, min: f64, mode: f64, max: f64| -> Result<(f64, f64, f64), String> {
            let (min, mode, max) = (days(min)?, days(mode)?, days(max)?);
            if min <= mode && mode <= max {
                Ok((min, mode, max))
            } else {
                Err(format!("{what}: `{name}` needs min ≤ mode ≤ max, found [{min}, {mode}, {max}]"))
            }
        };
        Ok(match model {
            DurationModel::Fixed(x) => Dist::Fixed(days(*x)?),
            DurationModel::Triangular { min, mode, max } => {
                let (min, mode, max) = three("triangular", *min, *mode, *max)?;
                let range = max - min;
                if range == 0.0 {
                    Dist::Fixed(min)
                } else {
                    Dist::Triangular {
                        min,
                        max,
                        split: (mode - min) / range,
                        lo: range * (mode - min),
                        hi: range * (max - mode),
                    }
                }
            }
            DurationModel::Pert { min, mode, max } => {
                let (min, mode, max) = three("pert", *min, *mode, *max)?;
                let range = max - min;
                if range == 0.0 {
                    Dist::Fixed(min)
                } else {
                    let a = 1.0 + 4.0 * (mode - min) / range;
                    let b = 1.0 + 4.0 * (max - mode) / range;
                    // OK because a and b are finite and at least 1.
                    let beta =
                        Beta::new(a, b).map_err(|e| format!("{what}: pert [{min}, {mode}, {max}]: {e}"))?;
                    Dist::Pert { min, range, beta }
                }
            }
            DurationModel::Empirical(xs) => {
                if xs.is_empty() {
                    return Err(format!("{what}: `empirical` needs at least one observed duration"));
                }
                let start = pool.len();
                for &x in xs {
                    pool.push(days(x)?);
                }
                match (u32::try_from(start), u32::try_from(xs.len())) {
                    (Ok(start), Ok(len)) => Dist::Empirical { start, len },
                    _ => return Err(format!("{what}: too many observed durations")),
                }
            }
        })
    }

    /// One draw, in (possibly fractional) working days.
    #[inline]
    pub(crate) fn sample<R: Rng + ?Sized>(&self, rng: &mut R, pool: &[f64]) -> f64 {
        match self {
            Dist::Fixed(x) => *x,
            Dist::Triangular { min, max, split, lo, hi } => {
                let u: f64 = rng.random();
                if u < *split { min + (u * lo).sqrt() } else { max - ((1.0 - u) * hi).sqrt() }
            }
            Dist::Pert { min, range, beta } => min + range * beta.sample(rng),
            Dist::Empirical { start, len } => {
                let i = if *len == 1 { 0 } else { rng.random_range(0..*len) };
                pool[(*start + i) as usize]
            }
        }
    }
}

/// Rounds a sampled duration up to whole working days: a step that takes 2.1 days
/// finishes on the third working day.
#[inline]
pub(crate) fn whole_days(x: f64) -> u32 {
    // `as` saturates: NaN gives 0, huge values u32::MAX; models are checked finite and >= 0.
    x.ceil() as u32
}

/// A chance of a pause and its length.
#[derive(Clone, Debug)]
pub(crate) struct Pause {
    p: f64,
    days: Dist,
}

/// One step's sampling recipe.
#[derive(Clone, Debug)]
pub(crate) struct StepModel {
    base: Dist,
    /// Longest processing time: the promised limit under `deem-approved`, else unlimited.
    cap: u32,
    supplement: Option<Pause>,
    special: Option<Pause>,
}

/// One draw for one step: its processing days and its paused days.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Draw {
    /// Working days the department (or intermediary, or owner) spends on it; capped under deemed approval.
    pub(crate) work: u32,
    /// Whether the drawn work passed the cap: the step was deemed approved at its limit.
    pub(crate) deemed: bool,
    /// Working days paused for 补正, when requested.
    pub(crate) supplement: Option<u32>,
    /// Working days paused for a special procedure, when one was held.
    pub(crate) special: Option<u32>,
}

impl Draw {
    /// Working days the clock stands still: 补正 and special procedures.
    #[inline]
    pub(crate) fn paused(&self) -> u32 {
        self.supplement.unwrap_or(0).saturating_add(self.special.unwrap_or(0))
    }
}

impl StepModel {
    fn compile(step: &Step, pool: &mut Vec<f64>) -> Result<StepModel, String> {
        let base = match &step.duration {
            Some(m) => Dist::compile(m, pool, &format!("step `{}`: `duration`", step.id))?,
            None => Dist::Fixed(f64::from(step.promised)),
        };
        let pause = |d: &Option<Delay>, key: &str, pool: &mut Vec<f64>| -> Result<Option<Pause>, String> {
            let Some(d) = d else { return Ok(None) };
            if !(0.0..=1.0).contains(&d.p) {
                return Err(format!("step `{}`: `{key}` has probability {}, outside 0 to 1", step.id, d.p));
            }
            if d.p == 0.0 {
                return Ok(None);
            }
            let days = Dist::compile(&d.days, pool, &format!("step `{}`: `{key}.days`", step.id))?;
            Ok(Some(Pause { p: d.p, days }))
        };
        let cap = match step.on_timeout {
            TimeoutPolicy::DeemApproved => step.promised,
            TimeoutPolicy::None => u32::MAX,
        };
        Ok(StepModel {
            base,
            cap,
            supplement: pause(&step.supplement, "supplement", pool)?,
            special: pause(&step.special, "special", pool)?,
        })
    }

    /// Draws the step once. Random numbers are taken in a fixed order (base, then
    /// supplement, then special), so a run is a pure function of its generator.
    #[inline]
    pub(crate) fn draw<R: Rng + ?Sized>(&self, rng: &mut R, pool: &[f64]) -> Draw {
        let raw = whole_days(self.base.sample(rng, pool));
        let mut pause = |p: &Option<Pause>| {
            let p = p.as_ref()?;
            (rng.random::<f64>() < p.p).then(|| whole_days(p.days.sample(rng, pool)))
        };
        let supplement = pause(&self.supplement);
        let special = pause(&self.special);
        Draw { work: raw.min(self.cap), deemed: raw > self.cap, supplement, special }
    }
}

/// Every step's recipe, in node order, with the empirical values they point into.
#[derive(Clone, Debug)]
pub(crate) struct Models {
    pub(crate) steps: Vec<StepModel>,
    pub(crate) pool: Vec<f64>,
}

impl Models {
    /// Compiles the models of every node of `graph`.
    pub(crate) fn compile(graph: &FlowGraph) -> Result<Models, String> {
        let mut pool = Vec::new();
        let steps =
            graph.nodes().map(|v| StepModel::compile(graph.step(v), &mut pool)).collect::<Result<_, _>>()?;
        Ok(Models { steps, pool })
    }
}

/// What one step drew in one simulated project: its work and its pauses, in
/// whole working days, exactly as [`simulate`](super::simulate) uses them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct StepDraw {
    /// Working days of processing (counted against the budget when the step is
    /// `counted`); capped at the promised limit under `on_timeout: deem-approved`.
    pub work: u32,
    /// The drawn work ran past the limit of a `deem-approved` step: it is
    /// deemed approved when its limit passes, after `work` days.
    pub deemed: bool,
    /// A 补正 request, and the working days the applicant takes to answer it.
    pub supplement: Option<u32>,
    /// A special procedure (hearing, expert review, public notice) and its working days.
    pub special: Option<u32>,
}

impl From<Draw> for StepDraw {
    fn from(d: Draw) -> StepDraw {
        StepDraw { work: d.work, deemed: d.deemed, supplement: d.supplement, special: d.special }
    }
}

/// Draws steps from a flow's models one at a time, with the simulation's own
/// generator: to drive a synthetic project through the runtime, or to inspect
/// single runs.
///
/// `Sampler::new(graph, seed, k)` uses the generator of run `k` of
/// [`simulate`](super::simulate) with that seed: drawing every node once, in
/// node order, gives exactly the draws of that run.
///
/// ```
/// use std::sync::Arc;
/// use shenpi_core::{Flow, FlowGraph, sim::Sampler};
///
/// let flow = Flow::parse("f.yaml", "
/// id: f
/// name: one review
/// stages:
///   - id: s
///     name: stage
///     steps:
///       - { id: a, name: A, promised: 5, duration: { pert: [2, 5, 12] }, supplement: { p: 0.3, days: 4 } }
/// ").unwrap();
/// let flow = Arc::new(flow);
/// let graph = FlowGraph::new(flow.clone(), flow.defaults())?;
/// let mut sampler = Sampler::new(&graph, 2019, 0)?;
/// let a = sampler.draw(graph.node("a").unwrap());
/// assert!((2..=12).contains(&a.work));
/// assert!(a.supplement.is_none_or(|d| d == 4));
/// # Ok::<(), shenpi_core::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Sampler {
    models: Models,
    rng: ChaCha8Rng,
}

impl Sampler {
    /// A sampler for `graph`'s models on the generator of run `run` with `seed`.
    ///
    /// # Errors
    /// [`Error::is_simulation`] when a model cannot be sampled, as for `simulate`.
    pub fn new(graph: &FlowGraph, seed: u64, run: u64) -> Result<Sampler, Error> {
        let models = Models::compile(graph).map_err(Error::simulation)?;
        Ok(Sampler { models, rng: run_rng(&base_rng(seed), run) })
    }

    /// Draws node `v`'s work and pauses, advancing the generator.
    ///
    /// # Panics
    /// When `v` is not a node of the graph the sampler was made for.
    pub fn draw(&mut self, v: Node) -> StepDraw {
        self.models.steps[v as usize].draw(&mut self.rng, &self.models.pool).into()
    }
}
