//! Efficiency statistics (效能统计) over a store: the figures a centre's
//! monthly 考核 and 通报 report, by department, flow or month, added up from
//! the store's tallies ([`Store::tallies`]) and its open steps.
//! docs/statistics.md defines every figure and gives its source.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::Serialize;

use super::projection::{Counts, Dim, Totals, month_of};
use super::status::Alert;
use super::store::Store;
use crate::error::Error;

/// What the rows of [`Statistics`] are grouped by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum By {
    /// Per department (a countersigned item counts for each of its departments).
    Dept,
    /// Per window (一窗受理) that accepted the item's latest application.
    Window,
    /// Per agent (代办员) of the project.
    Agent,
    /// Per flow.
    Flow,
    /// Per calendar month, `YYYY-MM`.
    Month,
}

impl By {
    /// Every grouping, with its name.
    pub const ALL: [By; 5] = [By::Dept, By::Window, By::Agent, By::Flow, By::Month];

    /// Its kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            By::Dept => "dept",
            By::Window => "window",
            By::Agent => "agent",
            By::Flow => "flow",
            By::Month => "month",
        }
    }

    /// The tallies it adds up.
    fn dim(self) -> Dim {
        match self {
            By::Dept => Dim::Dept,
            By::Window => Dim::Window,
            By::Agent => Dim::Agent,
            By::Flow => Dim::Flow,
            By::Month => Dim::All,
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
        By::ALL.into_iter().find(|b| b.as_str() == s).ok_or_else(|| {
            format!("cannot group statistics by `{s}`; expected one of: dept, window, agent, flow, month")
        })
    }
}

/// One row of [`Statistics`]: the counters of its key over the period and
/// the figures made from them. Rates are fractions from 0 to 1; `None` when
/// there is nothing to divide by. In JSON the counters stand beside the
/// figures, one flat object.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct StatsRow {
    /// The department, window, agent, flow id or month.
    pub key: String,
    /// The counters (received, accepted, decided, on time, …).
    #[serde(flatten)]
    pub counts: Counts,
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
    /// Of the joint-review members' opinions, the share late (given after
    /// the member's limit, or deemed).
    pub members_late_rate: Option<f64>,
}

impl StatsRow {
    /// The row of `key` made from its counters and sums and its overdue items.
    pub fn new(key: String, t: &Totals, overdue_now: i64) -> StatsRow {
        let ratio = |a: i64, b: i64| (b > 0).then(|| a as f64 / b as f64);
        let (c, s) = (&t.counts, &t.sums);
        StatsRow {
            key,
            counts: *c,
            on_time_rate: ratio(c.on_time, c.decided),
            avg_used: ratio(s.used, c.decided),
            avg_promised: ratio(s.promised, c.decided),
            avg_legal: ratio(s.legal, s.legal_items),
            speed_up: ratio(s.legal - s.legal_used, s.legal),
            speed_up_mean: ratio(s.speed_up_ppm, s.legal_items * 1_000_000),
            overdue_now,
            members_late_rate: ratio(c.members_late, c.member_opinions),
        }
    }
}

/// Statistics of a period: `{"from", "to", "by", "region", "rows"}` in JSON.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Statistics {
    /// The first day counted.
    pub from: NaiveDate,
    /// The last day counted; `overdue_now` is as of it.
    pub to: NaiveDate,
    /// What the rows are grouped by.
    pub by: By,
    /// The region (区划代码) prefix counted: `""` for every project.
    pub region: String,
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
/// assert_eq!((row.key.as_str(), row.counts.decided, row.on_time_rate), ("住建局", 1, Some(1.0)));
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
    let mut sums: BTreeMap<String, Totals> = BTreeMap::new();
    for t in store.tallies(by.dim(), from, to, region)? {
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
            By::Window if seen.insert((r.project.clone(), r.step.clone())) => match &r.window {
                Some(w) => w.clone(),
                None => continue,
            },
            By::Agent if seen.insert((r.project.clone(), r.step.clone())) => match &r.agent {
                Some(a) => a.clone(),
                None => continue,
            },
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
    Ok(Statistics { from, to, by, region: region.to_string(), rows })
}

#[cfg(test)]
mod tests {
    use super::StatsRow;
    use crate::runtime::{Counts, Sums, Totals};

    /// A row's JSON keeps the keys it had when its counters were declared
    /// twice (before `StatsRow` embedded `Counts`), plus the figures added since.
    #[test]
    fn a_row_in_json_has_exactly_its_documented_keys() {
        let t =
            Totals { counts: Counts { decided: 2, on_time: 1, ..Counts::default() }, sums: Sums::default() };
        let row = serde_json::to_value(StatsRow::new("甲局".into(), &t, 1)).expect("serialises");
        let mut keys: Vec<&str> = row.as_object().expect("an object").keys().map(String::as_str).collect();
        keys.sort_unstable();
        let mut want = vec![
            // Before: every key of the report as first published.
            "key",
            "received",
            "accepted",
            "decided",
            "on_time",
            "on_time_rate",
            "avg_used",
            "avg_promised",
            "avg_legal",
            "speed_up",
            "speed_up_mean",
            "overdue_now",
            "incomplete",
            "incomplete_failed",
            "supplements",
            "repeat_supplements",
            "extensions",
            "deemed_accepted",
            "deemed_approved",
            // Added: joint-review members and supervision notices.
            "member_opinions",
            "members_late",
            "members_late_rate",
            "supervised",
            "answered_late",
        ];
        want.sort_unstable();
        assert_eq!(keys, want);
        assert_eq!((row["decided"].as_i64(), row["on_time_rate"].as_f64()), (Some(2), Some(0.5)));
        // The sums the averages are made from stay out of the report.
        assert!(row.get("used").is_none() && row.get("speed_up_ppm").is_none());
    }
}
