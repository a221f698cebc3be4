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
//! - [`DeadlinePolicy::Proportional`]: the slack of each chain is shared
//!   among its steps in proportion to their promised days. A step whose
//!   longest counted chain is `P = ef + tail` days long gets
//!   `⌊budget · ef / P⌋`: the same share of the budget as the share of its
//!   chain done when it finishes. A step on a short chain thus gets that
//!   chain's own extra float, spread along it, and every department gets its
//!   fair share of buffer (the slack-sharing of Eder, Panagos & Rabinovich,
//!   "Time Constraints in Workflow Systems", CAiSE 1999; Shragowitz, Youssef
//!   & Lu, J. Comb. Optim. 2003, share slack in proportion to durations in
//!   linear time). On the critical chain `P = total`, so its steps get
//!   `⌊ef · budget / total⌋`.
//!
//! Why the promises hold for `Proportional` when the flow is feasible
//! (`budget = B >= total >= P` for every step). For an edge `u -> v` with
//! `a = ef_u`, `w = days(v)`, `t = tail_v`: `tail_u >= w + t`, so
//! `deadline(u) <= ⌊B·a / (a + w + t)⌋`; and `B·x / (x + t)` grows with `x`,
//! with `ef_v >= a + w`, so `deadline(v) >= ⌊B·(a + w) / (a + w + t)⌋`. The
//! two differ by at least `⌊B·w / (a + w + t)⌋ >= w`, since `a + w + t <= B`.
//! A sink gets `⌊B·ef / ef⌋ = B`. And `B·ef / P <= B − tail` is
//! `tail·(B − P) >= 0`, so no deadline is later than `lf`; `B·ef / P >= ef`,
//! so the plan itself meets every deadline.
//!
//! When the flow is over budget both policies still give deadlines no later
//! than the budget: `Latest` may give negative ones (the step is already
//! late on paper), `Proportional` compresses every chain by the same factor
//! `budget / total`, which says how much faster each step would have to be.

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
        DeadlinePolicy::Proportional if total > 0 && u64::from(budget) >= total => {
            // Each chain shares its own slack; the critical one (the most
            // common case on a long chain) by the reciprocal, without a division.
            let scale = Scale::new(budget, cpm.total_days());
            out.extend(cpm.counted_efs().zip(cpm.tails()).map(|(ef, tail)| {
                let through = u64::from(ef) + u64::from(tail);
                if through == total {
                    scale.of(ef) as i64
                } else {
                    // A chain of no counted days (through = 0) has nothing to share.
                    (u64::from(budget) * u64::from(ef)).checked_div(through).unwrap_or(0) as i64
                }
            }))
        }
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
