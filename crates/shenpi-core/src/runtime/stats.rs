//! Efficiency statistics (效能统计) over a store: the figures a centre's
//! monthly 考核 and 通报 report, by department, flow or month, added up from
//! the store's tallies ([`Store::tallies`]) and its open steps.
//! docs/statistics.md defines every figure and gives its source.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::Serialize;

use super::projection::{Counts, Dim, month_of};
use super::status::Alert;
use super::store::Store;
use crate::error::Error;

/// What the rows of [`Statistics`] are grouped by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum By {
    /// Per department (a countersigned item counts for each of its departments).
    Dept,
    /// Per flow.
    Flow,
    /// Per calendar month, `YYYY-MM`.
    Month,
}

impl By {
    /// Its kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            By::Dept => "dept",
            By::Flow => "flow",
            By::Month => "month",
        }
    }
}

impl fmt::Display for By {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for By {
    type Err = String;

    fn from_str(s: &str) -> Result<By, String> {
        match s {
            "dept" => Ok(By::Dept),
            "flow" => Ok(By::Flow),
            "month" => Ok(By::Month),
            _ => Err(format!("cannot group statistics by `{s}`; expected one of: dept, flow, month")),
        }
    }
}

/// One row of [`Statistics`]: the counters of its key over the period and
/// the figures made from them. Rates are fractions from 0 to 1; `None` when
/// there is nothing to divide by.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StatsRow {
    /// The department, flow id or month.
    pub key: String,
    /// Applications started (收件).
    pub received: i64,
    /// Acceptances (受理), deemed ones included.
    pub accepted: i64,
    /// Decisions (办结).
    pub decided: i64,
    /// Decided within the item's own limit.
    pub on_time: i64,
    /// 按时办结率: on time / decided.
    pub on_time_rate: Option<f64>,
    /// Average working days a decided item used.
    pub avg_used: Option<f64>,
    /// Average working days it was promised.
    pub avg_promised: Option<f64>,
    /// Average legal limit of the decided items that have one.
    pub avg_legal: Option<f64>,
    /// 提速率: Σ(法定 − 实际) / Σ法定 over decided items with a legal limit,
    /// the reports' averaging (as `Status::speed_up` for one project).
    pub speed_up: Option<f64>,
    /// The mean of the items' own (法定 − 实际) / 法定.
    pub speed_up_mean: Option<f64>,
    /// Open items red on the last day of the period (超期).
    pub overdue_now: i64,
    /// 容缺受理.
    pub incomplete: i64,
    /// 容缺 applications terminated when the material never came.
    pub incomplete_failed: i64,
    /// Requests for material (补正).
    pub supplements: i64,
    /// Second and later requests in one application.
    pub repeat_supplements: i64,
    /// Extensions (延期).
    pub extensions: i64,
    /// Deemed acceptances.
    pub deemed_accepted: i64,
    /// Deemed approvals.
    pub deemed_approved: i64,
}

impl StatsRow {
    /// The row of `key` made from its counters and its overdue items.
    pub fn new(key: String, c: &Counts, overdue_now: i64) -> StatsRow {
        let ratio = |a: i64, b: i64| (b > 0).then(|| a as f64 / b as f64);
        StatsRow {
            key,
            received: c.received,
            accepted: c.accepted,
            decided: c.decided,
            on_time: c.on_time,
            on_time_rate: ratio(c.on_time, c.decided),
            avg_used: ratio(c.used, c.decided),
            avg_promised: ratio(c.promised, c.decided),
            avg_legal: ratio(c.legal, c.legal_items),
            speed_up: ratio(c.legal - c.legal_used, c.legal),
            speed_up_mean: ratio(c.speed_up_ppm, c.legal_items * 1_000_000),
            overdue_now,
            incomplete: c.incomplete,
            incomplete_failed: c.incomplete_failed,
            supplements: c.supplements,
            repeat_supplements: c.repeat_supplements,
            extensions: c.extensions,
            deemed_accepted: c.deemed_accepted,
            deemed_approved: c.deemed_approved,
        }
    }
}

/// Statistics of a period: `{"from", "to", "by", "rows"}` in JSON.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Statistics {
    /// The first day counted.
    pub from: NaiveDate,
    /// The last day counted; `overdue_now` is as of it.
    pub to: NaiveDate,
    /// What the rows are grouped by.
    pub by: By,
    /// One row per key with something to count, sorted by key.
    pub rows: Vec<StatsRow>,
}

/// The statistics of `store` from `from` to `to` (inclusive), grouped `by`,
/// of the projects whose region (区划代码) starts with `region`: `""` counts
/// every project, `"3304"` a city's counties and nothing of `"3305"`'s (see
/// [`ProjectRecord::within`](super::ProjectRecord::within)).
///
/// # Errors
/// [`Error::is_param`] when `to` is before `from`; what the store fails with.
///
/// # Complexity
/// Reads the store's tallies of the period (regions × keys × days: a store
/// with projections keeps its running sums per region) and its open steps
/// that may be red on `to`; with projections, nothing grows with the number
/// of closed projects.
///
/// # Example
/// ```
/// use std::sync::Arc;
/// use chrono::NaiveDate;
/// use shenpi_core::Flow;
/// use shenpi_core::runtime::{By, EventKind, MemoryStore, NewEvent, Project, statistics};
///
/// let flow = Flow::parse("f.yaml", "
/// id: f
/// name: 示例
/// stages: [{ id: s, name: 阶段, steps: [{ id: permit, name: 许可, dept: 住建局, promised: 5, legal: 20 }] }]
/// ").map_err(|r| r.render())?;
/// let day = |d| NaiveDate::from_ymd_opt(2025, 3, d).unwrap();
/// let store = MemoryStore::new();
/// let mut p = Project::create(&store, Arc::new(flow), "P-1", day(3), &[])?;
/// p.record(&store, NewEvent::new("permit", EventKind::Accepted, day(3)), day(31))?;
/// p.record(&store, NewEvent::new("permit", EventKind::Approved, day(7)), day(31))?;
/// let s = statistics(&store, day(1), day(31), By::Dept, "")?;
/// let row = &s.rows[0];
/// assert_eq!((row.key.as_str(), row.decided, row.on_time_rate), ("住建局", 1, Some(1.0)));
/// assert_eq!(row.speed_up, Some(0.8)); // 4 working days used of 20
/// // P-1 has no region: only `""` reaches it.
/// assert!(statistics(&store, day(1), day(31), By::Dept, "3304")?.rows.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn statistics<S: Store + ?Sized>(
    store: &S,
    from: NaiveDate,
    to: NaiveDate,
    by: By,
    region: &str,
) -> Result<Statistics, Error> {
    if to < from {
        return Err(Error::param(format!("the period ends on {to}, before it starts on {from}")));
    }
    let dim = match by {
        By::Dept => Dim::Dept,
        By::Flow => Dim::Flow,
        By::Month => Dim::All,
    };
    let mut sums: BTreeMap<String, Counts> = BTreeMap::new();
    for t in store.tallies(dim, from, to, region)? {
        let key = if by == By::Month { month_of(t.day) } else { t.key };
        sums.entry(key).or_default().add(&t.counts, 1);
    }
    let mut overdue: BTreeMap<String, i64> = BTreeMap::new();
    let mut seen = std::collections::BTreeSet::new();
    for r in store.open_steps(None, to, region)? {
        if r.alert_on(to).0 != Alert::Red || !r.plan_clock {
            continue;
        }
        let key = match by {
            By::Dept => r.dept.clone(),
            By::Flow if seen.insert((r.project.clone(), r.step.clone())) => r.flow.clone(),
            By::Month if seen.insert((r.project.clone(), r.step.clone())) => month_of(to),
            _ => continue,
        };
        *overdue.entry(key).or_default() += 1;
    }
    for k in overdue.keys() {
        sums.entry(k.clone()).or_default();
    }
    let rows = sums
        .into_iter()
        .map(|(key, c)| {
            let late = overdue.get(&key).copied().unwrap_or(0);
            StatsRow::new(key, &c, late)
        })
        .collect();
    Ok(Statistics { from, to, by, rows })
}
