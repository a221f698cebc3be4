//! Reform figures: the "before and after" a reform office reports.
//!
//! All figures are on counted days, like the budget: Jiaxing's "35 steps,
//! 236 working days" before the reform is government time done one step
//! after another. A step without a legal limit (intermediary work, a
//! hook-up) counts its promised days on both sides.
//!
//! Two kinds of figure, kept apart because officials report both:
//! - 提速率, the per-item figure of the reports: for one item
//!   (法定 − 承诺) / 法定, over several items the way the Jiaxing report
//!   averages it, (平均法定 − 平均承诺) / 平均法定, which is
//!   Σ(法定 − 承诺) / Σ法定 ("法定期限平均办理时间2 个工作日,承诺期限1 个工作日,比法定
//!   期限提速5 %以上": 20 and 10 days, 50%, with the report's lost zeros):
//!   [`Reform::promised_speed_up`]. The runtime's `Status::speed_up` is the
//!   same formula on the days actually used;
//! - the cut in the whole flow's time, serial legal days against the promised
//!   critical path (Jiaxing's 236 → 109): [`Reform::speed_up`] and
//!   [`Reform::critical_speed_up`].

use serde::Serialize;

use crate::graph::Dag;
use crate::graph::algo::longest_path;

/// Before and after figures of one compiled flow.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Reform {
    /// Steps in the compiled flow.
    pub steps: usize,
    /// Counted legal days, all steps one after another: the fully serial "before".
    pub legal_serial_days: u64,
    /// Counted promised days, all steps one after another.
    pub promised_serial_days: u64,
    /// Counted critical path with every step at its legal limit.
    pub legal_critical_days: u32,
    /// Counted critical path with every step at its promised limit (`total_days`).
    pub promised_critical_days: u32,
    /// The cut in the whole flow's time: (legal serial − promised critical) /
    /// legal serial, what parallel steps and shorter promises together saved;
    /// 0 when there are no legal days.
    pub speed_up: f64,
    /// The same on critical paths alone: (legal critical − promised critical) / legal critical.
    pub critical_speed_up: f64,
    /// Counted steps with a legal limit above 0: the items 提速率 is taken over.
    pub items_with_legal: usize,
    /// 提速率 of the promises, the reports' per-item figure: Σ(法定 − 承诺) /
    /// Σ法定 over [`items_with_legal`](Reform::items_with_legal); 0 when there
    /// are none.
    pub promised_speed_up: f64,
}

/// Computes the reform figures from promised and legal days per node.
///
/// # Complexity
/// O(V + E) time, O(V) memory.
pub fn reform(dag: &Dag, promised: &[u32], legal: &[Option<u32>], counted: &[bool]) -> Reform {
    let w = |days: u32, c: bool| if c { days } else { 0 };
    let legal_w: Vec<u32> = (0..dag.len()).map(|v| w(legal[v].unwrap_or(promised[v]), counted[v])).collect();
    let promised_w: Vec<u32> = (0..dag.len()).map(|v| w(promised[v], counted[v])).collect();
    let legal_serial_days = legal_w.iter().map(|&d| u64::from(d)).sum();
    let promised_serial_days = promised_w.iter().map(|&d| u64::from(d)).sum();
    let legal_critical_days = longest_path(dag, &legal_w);
    let promised_critical_days = longest_path(dag, &promised_w);
    let ratio = |before: f64, after: f64| if before > 0.0 { (before - after) / before } else { 0.0 };
    let (mut items_with_legal, mut legal_sum, mut promised_sum) = (0usize, 0u64, 0u64);
    for v in (0..dag.len()).filter(|&v| counted[v]) {
        if let Some(l) = legal[v].filter(|&l| l > 0) {
            items_with_legal += 1;
            legal_sum += u64::from(l);
            promised_sum += u64::from(promised[v]);
        }
    }
    Reform {
        steps: dag.len(),
        legal_serial_days,
        promised_serial_days,
        legal_critical_days,
        promised_critical_days,
        speed_up: ratio(legal_serial_days as f64, f64::from(promised_critical_days)),
        critical_speed_up: ratio(f64::from(legal_critical_days), f64::from(promised_critical_days)),
        items_with_legal,
        promised_speed_up: ratio(legal_sum as f64, promised_sum as f64),
    }
}
