//! Deadlines handed to departments: where each chain's slack goes.
//!
//! A deadline is a counted-clock finish offset per step. Every policy keeps
//! two promises, which the tests check on random graphs:
//! 1. **it guarantees the total**: no step's deadline is later than the
//!    budget, so if every step finishes by its deadline the flow finishes
//!    within budget;
//! 2. **it is consistent**: for every edge `u -> v`, `deadline(u) + days(v) <=
//!    deadline(v)`, so a step whose inputs arrive by their deadlines and that
//!    takes its promised days meets its own; and, when the flow is feasible,
//!    `deadline(v) >= ef(v)`: the plan itself meets every deadline.
//!
//! - [`DeadlinePolicy::Latest`]: the latest finish `lf`. All slack is left to
//!   the end of each chain: an early step may overrun and eat everyone's buffer.
//! - [`DeadlinePolicy::Proportional`]: each step's counted earliest finish
//!   scaled by `budget / total_days`, rounded down. The flow's slack is shared
//!   along every chain in proportion to the promised days before it, so each
//!   department gets its share of buffer. This is the simplest member of the
//!   slack-sharing family (Eder, Panagos & Rabinovich, "Time Constraints in
//!   Workflow Systems", CAiSE 1999; Shragowitz, Youssef & Lu, J. Comb. Optim.
//!   2003, who share slack in proportion to durations in linear time). Chains
//!   shorter than the critical one get the same scaling, not all of their own
//!   extra float: a safe, simple choice that never hands out a deadline later
//!   than `lf`.
//!
//! Why the properties hold for `Proportional` (with `r = budget / total >= 1`):
//! `floor(ef_v·r) >= floor(ef_u·r + w_v·r) >= floor(ef_u·r) + w_v`; `ef_v·r
//! <= (total − tail_v)·r <= budget − tail_v = lf_v`.
//!
//! When the flow is over budget both policies still give deadlines no later
//! than the budget: `Latest` may give negative ones (the step is already
//! late on paper), `Proportional` compresses every chain by the same factor,
//! which says how much faster each step would have to be.

use super::cpm::Cpm;
use crate::model::DeadlinePolicy;

/// Counted-clock deadline of every node under `policy`, against `budget`.
///
/// # Complexity
/// O(V) time and memory.
pub fn deadlines(cpm: &Cpm, budget: u32, policy: DeadlinePolicy) -> Vec<i64> {
    let mut out = Vec::new();
    deadlines_into(cpm, budget, policy, &mut out);
    out
}

/// [`deadlines`] into a reused buffer.
pub fn deadlines_into(cpm: &Cpm, budget: u32, policy: DeadlinePolicy, out: &mut Vec<i64>) {
    let total = u64::from(cpm.total_days());
    out.clear();
    match policy {
        DeadlinePolicy::Proportional if total > 0 => {
            let scale = Scale::new(budget, cpm.total_days());
            out.extend(cpm.counted_efs().map(|ef| scale.of(ef) as i64))
        }
        _ => out.extend(cpm.tails().map(|t| i64::from(budget) - i64::from(t))),
    }
}

/// `⌊x · budget / total⌋` for `x <= total`, by a multiplication with the
/// reciprocal of `total` and one correction instead of a 64-bit division
/// per step (a division costs more than the rest of the deadline pass).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Scale {
    budget: u64,
    total: u64,
    /// `⌊(2⁶⁴ − 1) / total⌋`.
    inverse: u64,
}

impl Scale {
    /// # Panics
    /// When `total` is 0.
    pub(crate) fn new(budget: u32, total: u32) -> Scale {
        let total = u64::from(total);
        Scale { budget: u64::from(budget), total, inverse: u64::MAX / total }
    }

    /// `⌊x · budget / total⌋`, exact for `x <= total`.
    ///
    /// With `y = x · budget < total · 2³²`, `y · inverse / 2⁶⁴` lies in
    /// `(y / total − 1, y / total]`, so the estimate is the quotient or one
    /// less, and `(q + 1) · total <= y + total < 2⁶⁴` tells which.
    pub(crate) fn of(&self, x: u32) -> u64 {
        let y = u64::from(x) * self.budget;
        let q = ((u128::from(y) * u128::from(self.inverse)) >> 64) as u64;
        q + u64::from((q + 1) * self.total <= y)
    }
}
