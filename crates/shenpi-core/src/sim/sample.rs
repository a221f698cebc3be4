//! Duration models compiled for fast sampling, and the per-step draw.

use rand::{Rng, RngExt};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Beta, Distribution};
use serde::Serialize;

use super::engine::{base_rng, run_rng};
use crate::graph::{FlowGraph, Node};
use crate::model::{Delay, DurationModel, Silence, Step, TimeoutPolicy};

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
        start: usize,
        len: usize,
    },
}

impl Dist {
    /// Compiles a model; empirical values go to `pool`. A [`Flow`](crate::Flow)'s
    /// models are valid by construction (finite days from 0, three-point models
    /// in order, at least one observed value), so this cannot fail.
    pub(crate) fn compile(model: &DurationModel, pool: &mut Vec<f64>) -> Dist {
        match model {
            DurationModel::Fixed(x) => Dist::Fixed(*x),
            DurationModel::Triangular { min, mode, max } => {
                let (min, mode, max) = (*min, *mode, *max);
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
                let (min, mode, max) = (*min, *mode, *max);
                let range = max - min;
                let a = 1.0 + 4.0 * (mode - min) / range;
                let b = 1.0 + 4.0 * (max - mode) / range;
                match Beta::new(a, b) {
                    // a and b are finite and at least 1 when min ≤ mode ≤ max and range > 0.
                    Ok(beta) if range > 0.0 => Dist::Pert { min, range, beta },
                    _ => Dist::Fixed(min),
                }
            }
            DurationModel::Empirical(xs) => {
                let start = pool.len();
                pool.extend_from_slice(xs);
                Dist::Empirical { start, len: xs.len() }
            }
        }
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
                pool[*start + i]
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
    /// A joint step's members (their opinion's model and the longest it may
    /// take: its promised days under `silence: agree`, else unlimited) and
    /// the lead's consolidation days after the last opinion.
    joint: Option<(Vec<(Dist, u32)>, u32)>,
}

impl StepModel {
    fn compile(step: &Step, pool: &mut Vec<f64>) -> StepModel {
        let base = match step.duration() {
            Some(m) => Dist::compile(m, pool),
            None => Dist::Fixed(f64::from(step.promised())),
        };
        let pause = |d: Option<&Delay>, pool: &mut Vec<f64>| {
            let d = d.filter(|d| d.p > 0.0)?;
            Some(Pause { p: d.p, days: Dist::compile(&d.days, pool) })
        };
        let cap = match step.on_timeout() {
            TimeoutPolicy::DeemApproved => step.promised(),
            TimeoutPolicy::None => u32::MAX,
        };
        let joint = step.joint().map(|j| {
            let members = j
                .members()
                .iter()
                .map(|m| {
                    let dist = match m.duration() {
                        Some(d) => Dist::compile(d, pool),
                        None => Dist::Fixed(f64::from(m.promised())),
                    };
                    let cap = match j.silence() {
                        Silence::Agree => m.promised(),
                        Silence::Block => u32::MAX,
                    };
                    (dist, cap)
                })
                .collect();
            (members, step.promised().saturating_sub(j.longest()))
        });
        StepModel {
            base,
            cap,
            supplement: pause(step.supplement(), pool),
            special: pause(step.special(), pool),
            joint,
        }
    }

    /// Draws the step once. Random numbers are taken in a fixed order (base,
    /// then a joint step's members in file order, then supplement, then
    /// special), so a run is a pure function of its generator.
    ///
    /// A joint step's work is the larger of its own draw and the slowest
    /// member's opinion plus the lead's consolidation: members work in
    /// parallel from acceptance, and under `silence: agree` a member silent
    /// past its limit is deemed to agree when the limit passes.
    #[inline]
    pub(crate) fn draw<R: Rng + ?Sized>(&self, rng: &mut R, pool: &[f64]) -> StepDraw {
        let mut raw = whole_days(self.base.sample(rng, pool));
        if let Some((members, consolidation)) = &self.joint {
            let mut slowest = 0u32;
            for (dist, cap) in members {
                slowest = slowest.max(whole_days(dist.sample(rng, pool)).min(*cap));
            }
            raw = raw.max(slowest.saturating_add(*consolidation));
        }
        let mut pause = |p: &Option<Pause>| {
            let p = p.as_ref()?;
            (rng.random::<f64>() < p.p).then(|| whole_days(p.days.sample(rng, pool)))
        };
        let supplement = pause(&self.supplement);
        let special = pause(&self.special);
        StepDraw { work: raw.min(self.cap), deemed: raw > self.cap, supplement, special }
    }
}

/// Every step's recipe, in node order, with the empirical values they point into.
#[derive(Clone, Debug)]
pub(crate) struct Models {
    pub(crate) steps: Vec<StepModel>,
    pub(crate) pool: Vec<f64>,
}

impl Models {
    /// Compiles the models of every node of `graph`. A step approved on the
    /// applicant's pledge ([`FlowGraph::is_pledged`]) takes 0 days and never pauses.
    pub(crate) fn compile(graph: &FlowGraph) -> Models {
        let mut pool = Vec::new();
        let steps = graph
            .nodes()
            .map(|v| {
                if graph.is_pledged(v) {
                    StepModel {
                        base: Dist::Fixed(0.0),
                        cap: u32::MAX,
                        supplement: None,
                        special: None,
                        joint: None,
                    }
                } else {
                    StepModel::compile(graph.step(v), &mut pool)
                }
            })
            .collect();
        Models { steps, pool }
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

impl StepDraw {
    /// Working days the clock stands still: 补正 and special procedures.
    #[inline]
    pub fn paused(&self) -> u32 {
        self.supplement.unwrap_or(0).saturating_add(self.special.unwrap_or(0))
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
/// let graph = FlowGraph::new(flow.clone(), flow.defaults());
/// let mut sampler = Sampler::new(&graph, 2019, 0);
/// let a = sampler.draw(graph.node("a").unwrap());
/// assert!((2..=12).contains(&a.work));
/// assert!(a.supplement.is_none_or(|d| d == 4));
/// ```
#[derive(Clone, Debug)]
pub struct Sampler {
    models: Models,
    rng: ChaCha8Rng,
}

impl Sampler {
    /// A sampler for `graph`'s models on the generator of run `run` with `seed`.
    pub fn new(graph: &FlowGraph, seed: u64, run: u64) -> Sampler {
        Sampler { models: Models::compile(graph), rng: run_rng(&base_rng(seed), run) }
    }

    /// Draws node `v`'s work and pauses, advancing the generator.
    ///
    /// # Panics
    /// When `v` is not a node of the graph the sampler was made for.
    pub fn draw(&mut self, v: Node) -> StepDraw {
        self.models.steps[v.index()].draw(&mut self.rng, &self.models.pool)
    }
}
