//! Projections: what the supervision board and the statistics read, kept by
//! a durable store beside the event log and written in the same transaction
//! as each append, so that a look at one department's board or a month's
//! figures reads a few rows instead of replaying every project.
//!
//! A [`Projection`] is a function of a project's record and log alone
//! ([`projection_of`]): a store that rebuilds it from the log
//! ([`Store::reindex`]) gets exactly what the appends wrote. It holds
//! - the project's **open steps** ([`OpenStep`]: received, accepted, paused),
//!   one row per department, with the days from which each clock's alert is
//!   yellow and red, so the board on any later day is a filter on dates; a
//!   joint step under way has a row more for each member whose opinion is
//!   pending, under the member's own department and on its own clock; each
//!   row carries the intermediary's provider, the project's agent and the
//!   stage's window, so the board needs nothing else;
//! - its **tallies** ([`Tally`]): per department, per flow and in total,
//!   per day, the [`Counts`] the statistics add up.
//!
//! The projection reads the project as it stands after its latest event
//! (with what the engine owes by then folded in). On a day after that the
//! limit clock's alerts are exact; the plan clock's deadline is the one that
//! day gave, and a step the engine will close (a deemed approval, a 容缺
//! termination) leaves the board on the day it is owed. A decided step leaves
//! the board with its flags: the tallies count them (`repeat_supplements`),
//! so that the board reads what is open, however long the history.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate};
use serde::{Deserialize, Serialize};

use super::event::{Event, EventKind};
use super::ladder::{Rung, notice_rung};
use super::state::StepState;
use super::status::{Alert, BoardQuery, BoardRow, Clock, Flag};
use super::store::{ProjectRecord, Store};
use super::{Project, Rules};
use crate::error::Error;
use crate::graph::Node;

/// The version of what [`projection_of`] computes. A store notes the version
/// its projections were built by and rebuilds them from the logs
/// ([`Store::reindex`]) when it opens with an older one, so that a new
/// counter or a corrected rule reaches the projects already stored; until
/// then, a store opened read-only reads by replaying the logs instead.
///
/// Bump it with every change to a projection's fields or to what they hold
/// for some log: `crates/shenpi-store-tests/tests/projection_version.rs`
/// holds a fingerprint of the projections of random histories against it.
pub const PROJECTION_VERSION: u32 = 1;

/// How far ahead of its latest event a project's thresholds are searched:
/// ten years, far past any limit.
const HORIZON_DAYS: u64 = 3660;

/// One open step of one department, as the board reads it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenStep {
    /// The department this row is for (a countersigned step has a row for each).
    pub dept: String,
    /// The project.
    pub project: String,
    /// The project's flow id.
    pub flow: String,
    /// The step's id.
    pub step: String,
    /// Its title.
    pub name: String,
    /// All its departments, joined with `+`.
    pub dept_label: String,
    /// Where it stands after the project's latest event.
    pub state: StepState,
    /// Which application.
    pub attempt: u32,
    /// Due under its own limit.
    pub due: Option<NaiveDate>,
    /// Its deadline in the total, as of the project's latest event.
    pub plan_deadline: NaiveDate,
    /// True when the plan clock (批时总控) raises alerts for it (an approval item).
    pub plan_clock: bool,
    /// The first day its own limit's alert is yellow (or worse).
    pub yellow: Option<NaiveDate>,
    /// The first day its own limit's alert is red.
    pub red: Option<NaiveDate>,
    /// What supervision should see even when no clock is late.
    pub flags: Vec<Flag>,
    /// The day of the project's latest event: flags show from it.
    pub as_of: NaiveDate,
    /// The day the engine closes it (deemed approval, 容缺 termination; for a
    /// member, its deemed agreement), if it will.
    pub until: Option<NaiveDate>,
    /// True on the row of a joint step's member whose opinion is pending: `dept`
    /// and `dept_label` are the member's, `due`, `yellow` and `red` its own limit's.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub member: bool,
    /// The last day it may finish for every group of stages (`budgets:`) it
    /// belongs to, as of the project's latest event: the group clock's
    /// alerts, as `plan_deadline` gives the plan clock's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_deadline: Option<NaiveDate>,
    /// Who does an intermediary's work (`provider`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// The project's agent (代办员), as of its latest event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
    /// The window (一窗受理) of the step's stage, when the stage has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<String>,
    /// The day of this department's supervision notice (督办) about the
    /// step: sent (or owed by the latest event), or the day it will be owed
    /// if the step stays undecided (the flow's `alerts: { supervise }`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supervised: Option<NaiveDate>,
    /// The last day to answer that notice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer_by: Option<NaiveDate>,
    /// The day the department answered it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered: Option<NaiveDate>,
}

impl OpenStep {
    /// The alert on `date` and the clock that raised it (the limit clock wins a
    /// tie, then the plan clock, then the group clock), `None` from the day the
    /// engine closes the step.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use shenpi_core::runtime::{Alert, Clock, OpenStep, StepState};
    ///
    /// let day = |d| NaiveDate::from_ymd_opt(2025, 3, d).unwrap();
    /// let row = OpenStep {
    ///     dept: "住建局".into(), project: "P".into(), flow: "f".into(), step: "permit".into(),
    ///     name: "许可".into(), dept_label: "住建局".into(), state: StepState::Accepted, attempt: 1,
    ///     due: Some(day(10)), plan_deadline: day(20), plan_clock: true,
    ///     yellow: Some(day(10)), red: Some(day(11)), flags: vec![], as_of: day(3), until: None,
    ///     member: false, group_deadline: None, provider: None, agent: None, window: None,
    ///     supervised: None, answer_by: None, answered: None,
    /// };
    /// assert_eq!(row.alert_on(day(7)), (Alert::None, None));
    /// assert_eq!(row.alert_on(day(10)), (Alert::Yellow, Some(Clock::Limit)));
    /// assert_eq!(row.alert_on(day(21)), (Alert::Red, Some(Clock::Limit)));
    /// ```
    pub fn alert_on(&self, date: NaiveDate) -> (Alert, Option<Clock>) {
        if self.until.is_some_and(|u| date >= u) {
            return (Alert::None, None);
        }
        let limit = if self.red.is_some_and(|d| d <= date) {
            Alert::Red
        } else if self.yellow.is_some_and(|d| d <= date) {
            Alert::Yellow
        } else {
            Alert::None
        };
        // While a step is paused its deadlines in the total recede with the pause: they stand
        // where they stood on the day of the latest event.
        let day = if self.state == StepState::Paused { date.min(self.as_of) } else { date };
        let on = |deadline: Option<NaiveDate>| match deadline.map(|d| day.cmp(&d)) {
            Some(std::cmp::Ordering::Greater) => Alert::Red,
            Some(std::cmp::Ordering::Equal) => Alert::Yellow,
            _ => Alert::None,
        };
        let plan = on(self.plan_clock.then_some(self.plan_deadline));
        let mut out = (Alert::None, None);
        for (alert, clock) in
            [(limit, Clock::Limit), (plan, Clock::Plan), (on(self.group_deadline), Clock::Group)]
        {
            if alert > out.0 {
                out = (alert, Some(clock));
            }
        }
        out
    }

    /// The first day it may stand on the board: the earliest of its yellow
    /// days on either clock and, when flagged, the day of the latest event.
    pub fn board_from(&self) -> Option<NaiveDate> {
        let plan = self.plan_clock.then_some(self.plan_deadline);
        let flagged = (!self.flags.is_empty()).then_some(self.as_of);
        [self.yellow, self.red, plan, self.group_deadline, flagged, self.supervised]
            .into_iter()
            .flatten()
            .min()
    }

    /// True when it stands on the board on `date`: yellow or red on a clock, or flagged.
    pub fn on_board(&self, date: NaiveDate) -> bool {
        if self.until.is_some_and(|u| date >= u) {
            return false;
        }
        self.alert_on(date).0 >= Alert::Yellow
            || (!self.flags.is_empty() && date >= self.as_of)
            || self.notice_rung(date) > Rung::None
    }

    /// Its own limit's card on `date` (yellow or red), `None` from the day the engine closes it.
    pub fn limit_alert_on(&self, date: NaiveDate) -> Alert {
        if self.until.is_some_and(|u| date >= u) {
            Alert::None
        } else if self.red.is_some_and(|d| d <= date) {
            Alert::Red
        } else if self.yellow.is_some_and(|d| d <= date) {
            Alert::Yellow
        } else {
            Alert::None
        }
    }

    /// The rung its department's supervision notice stands on, on `date`
    /// ([`Notice::rung_on`](super::Notice::rung_on)): none without one.
    pub fn notice_rung(&self, date: NaiveDate) -> Rung {
        match (self.supervised, self.answer_by) {
            // A notice the engine would owe after it closes the step never comes.
            (Some(sent), Some(by)) if self.until.is_none_or(|u| sent < u) => {
                notice_rung(sent, by, self.answered, date)
            }
            _ => Rung::None,
        }
    }

    /// The rung of the escalation ladder it stands on for its department on
    /// `date` (a joint member's row: none, members get no notices).
    pub fn rung_on(&self, date: NaiveDate) -> Rung {
        if self.member {
            return Rung::None;
        }
        Rung::of(self.limit_alert_on(date), self.notice_rung(date))
    }

    /// The row of a decided step whose department still owes an answer to notice `n`.
    fn answering(
        p: &Project,
        s: &super::status::StepStatus,
        n: &super::Notice,
        latest: NaiveDate,
    ) -> OpenStep {
        OpenStep {
            dept: n.dept.clone(),
            project: p.record.id.clone(),
            flow: p.record.flow_id.clone(),
            step: s.id.clone(),
            name: s.name.clone(),
            dept_label: s.dept.clone(),
            state: s.state,
            attempt: s.attempt,
            due: s.due,
            plan_deadline: s.plan_deadline,
            plan_clock: false,
            yellow: None,
            red: None,
            flags: Vec::new(),
            as_of: latest,
            until: None,
            member: false,
            group_deadline: None,
            provider: s.provider.clone(),
            agent: p.state.agent().map(str::to_string),
            window: None,
            supervised: Some(n.date),
            answer_by: Some(n.answer_by),
            answered: None,
        }
    }
}

/// What a tally is kept by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Dim {
    /// By department: a countersigned step counts for each of its departments.
    Dept,
    /// By flow id.
    Flow,
    /// One total (the key is empty): the statistics by month add it up.
    All,
    /// By the window (一窗受理) that accepted the item's latest application;
    /// an item no window accepted is not kept by it.
    Window,
    /// By the project's agent (代办员) as of its latest event; a project
    /// without one is not kept by it.
    Agent,
}

impl Dim {
    /// Every dimension.
    pub const ALL: [Dim; 5] = [Dim::Dept, Dim::Flow, Dim::All, Dim::Window, Dim::Agent];

    /// Its kebab-case name, as stores keep it.
    pub fn as_str(self) -> &'static str {
        match self {
            Dim::Dept => "dept",
            Dim::Flow => "flow",
            Dim::All => "all",
            Dim::Window => "window",
            Dim::Agent => "agent",
        }
    }

    /// The dimension a name stands for.
    pub fn parse(text: &str) -> Option<Dim> {
        Dim::ALL.into_iter().find(|d| d.as_str() == text)
    }
}

/// Integer counters of approval items (steps the budget counts) on one day:
/// the counts [`StatsRow`](super::StatsRow) shows. docs/statistics.md
/// defines each and the figure made from it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Counts {
    /// Applications started (收件, or 受理 on the spot), by the day of filing.
    pub received: i64,
    /// Acceptances (受理, 容缺受理, deemed), by the day of acceptance.
    pub accepted: i64,
    /// Decisions of an item's latest application (approved, deemed approved,
    /// rejected, approved provisionally), by the day decided.
    pub decided: i64,
    /// Of those, decided within the item's own limit, not by deemed approval.
    pub on_time: i64,
    /// 容缺受理: applications accepted with material missing.
    pub incomplete: i64,
    /// Of those, terminated by the engine when the material never came.
    pub incomplete_failed: i64,
    /// Requests for material (补正).
    pub supplements: i64,
    /// Second and later requests in one application (一次性告知 broken).
    pub repeat_supplements: i64,
    /// Extensions of the legal limit (延期).
    pub extensions: i64,
    /// Deemed acceptances (Art. 32).
    pub deemed_accepted: i64,
    /// Deemed approvals (超时默认).
    pub deemed_approved: i64,
    /// Opinions of joint-review members (given or deemed) in an item's
    /// latest application, by the day of the opinion, under the member's department.
    pub member_opinions: i64,
    /// Of those, given after the member's own limit, or deemed (silent past it).
    pub members_late: i64,
    /// Supervision notices (督办) sent, by the day sent, under the department supervised.
    pub supervised: i64,
    /// Notices answered after their last day to answer, by the day answered.
    pub answered_late: i64,
}

impl Counts {
    fn fields(&mut self) -> [&mut i64; 15] {
        [
            &mut self.received,
            &mut self.accepted,
            &mut self.decided,
            &mut self.on_time,
            &mut self.incomplete,
            &mut self.incomplete_failed,
            &mut self.supplements,
            &mut self.repeat_supplements,
            &mut self.extensions,
            &mut self.deemed_accepted,
            &mut self.deemed_approved,
            &mut self.member_opinions,
            &mut self.members_late,
            &mut self.supervised,
            &mut self.answered_late,
        ]
    }

    /// Adds `other` times `sign` (1 to add, −1 to take away) to each counter.
    ///
    /// ```
    /// use shenpi_core::runtime::Counts;
    ///
    /// let mut a = Counts { decided: 3, on_time: 2, ..Counts::default() };
    /// let b = Counts { decided: 1, ..Counts::default() };
    /// a.add(&b, 1);
    /// assert_eq!(a.decided, 4);
    /// a.add(&a.clone(), -1);
    /// assert!(a.is_zero());
    /// ```
    pub fn add(&mut self, other: &Counts, sign: i64) {
        let mut o = *other;
        for (a, b) in self.fields().into_iter().zip(o.fields()) {
            *a += sign * *b;
        }
    }

    /// True when every counter is zero.
    pub fn is_zero(&self) -> bool {
        *self == Counts::default()
    }
}

/// Sums of working days over the items decided on one day: what the
/// averages and 提速率 of [`StatsRow`](super::StatsRow) are made from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Sums {
    /// Working days the decided items used of their own limits.
    pub used: i64,
    /// Working days those items were promised (their own limits).
    pub promised: i64,
    /// Decided items with a legal limit.
    pub legal_items: i64,
    /// Their legal limits, in working days.
    pub legal: i64,
    /// The working days they used.
    pub legal_used: i64,
    /// Σ (legal − used) / legal over them, in millionths.
    pub speed_up_ppm: i64,
}

impl Sums {
    /// Adds `other` times `sign` to each sum.
    pub fn add(&mut self, o: &Sums, sign: i64) {
        self.used += sign * o.used;
        self.promised += sign * o.promised;
        self.legal_items += sign * o.legal_items;
        self.legal += sign * o.legal;
        self.legal_used += sign * o.legal_used;
        self.speed_up_ppm += sign * o.speed_up_ppm;
    }
}

/// What a tally keeps of one key on one day: its [`Counts`] and [`Sums`],
/// written as one flat JSON object (as stores keep it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// The counters.
    #[serde(flatten)]
    pub counts: Counts,
    /// The sums of working days.
    #[serde(flatten)]
    pub sums: Sums,
}

impl Totals {
    /// Adds `other` times `sign` (1 to add, −1 to take away) to each counter and sum.
    pub fn add(&mut self, other: &Totals, sign: i64) {
        self.counts.add(&other.counts, sign);
        self.sums.add(&other.sums, sign);
    }

    /// True when every counter and sum is zero.
    pub fn is_zero(&self) -> bool {
        *self == Totals::default()
    }
}

/// Counters of one key of one dimension on one day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// What it is kept by.
    pub dim: Dim,
    /// The department or flow id; empty for [`Dim::All`].
    pub key: String,
    /// The day.
    pub day: NaiveDate,
    /// The counters and sums.
    pub counts: Totals,
}

/// What a store keeps for one project beside its log: see the module docs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Projection {
    /// Its open steps, one row per department, sorted by department and step.
    pub open: Vec<OpenStep>,
    /// Its tallies, sorted by dimension, key and day, none all zero.
    pub tallies: Vec<Tally>,
}

/// The projection of a stored project: [`Project::projection`] of its
/// replay. A log that does not replay (or a project whose calendar file is
/// not pinned) projects to nothing: what cannot be read cannot be counted,
/// and `shenpi project status` says why.
///
/// # Complexity
/// A replay, O(n log n) for n events, and O(V) searches of O(log D) calendar steps.
pub fn projection_of(record: &ProjectRecord, events: &[Event]) -> Projection {
    Project::replay(record.clone(), events.to_vec()).and_then(|p| p.projection()).unwrap_or_default()
}

/// The first day in `[from, from + HORIZON_DAYS]` on which a monotone
/// condition holds, by bisection; `None` when it holds on none.
fn first_day(
    from: NaiveDate,
    mut holds: impl FnMut(NaiveDate) -> Result<bool, Error>,
) -> Result<Option<NaiveDate>, Error> {
    let at = |n: u64| from.checked_add_days(Days::new(n));
    let (mut lo, mut hi) = (0u64, HORIZON_DAYS);
    match at(hi) {
        Some(d) if holds(d)? => {}
        _ => return Ok(None),
    }
    if holds(from)? {
        return Ok(Some(from));
    }
    // holds(lo) is false, holds(hi) true.
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        match at(mid) {
            Some(d) if holds(d)? => hi = mid,
            _ => lo = mid,
        }
    }
    Ok(at(hi))
}

impl Project {
    /// This project's [`Projection`], as of its latest event.
    ///
    /// # Errors
    /// Only what a calendar question may fail with.
    ///
    /// # Example
    /// ```
    /// use std::sync::Arc;
    /// use chrono::NaiveDate;
    /// use shenpi_core::Flow;
    /// use shenpi_core::runtime::{Alert, EventKind, MemoryStore, NewEvent, Project};
    ///
    /// let flow = Flow::parse("f.yaml", "
    /// id: f
    /// name: 示例
    /// stages: [{ id: s, name: 阶段, steps: [{ id: permit, name: 许可, dept: 住建局, promised: 5 }] }]
    /// ").map_err(|r| r.render())?;
    /// let day = |d| NaiveDate::from_ymd_opt(2025, 3, d).unwrap();
    /// let store = MemoryStore::new();
    /// let mut p = Project::create(&store, Arc::new(flow), "P-1", day(3), &[])?;
    /// p.record(&store, NewEvent::new("permit", EventKind::Accepted, day(3)), day(3))?;
    /// let open = &p.projection()?.open[0];
    /// // Five working days from Monday 3 March: due Monday 10, red from Tuesday 11.
    /// assert_eq!((open.due, open.yellow, open.red), (Some(day(10)), Some(day(10)), Some(day(11))));
    /// assert_eq!(open.alert_on(day(11)).0, Alert::Red);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn projection(&self) -> Result<Projection, Error> {
        let latest = self.last_date.unwrap_or(self.record.start).max(self.record.start);
        let (view, owed) = self.view(latest)?;
        let status = view.status(latest)?;
        let rules = view.rules();
        // What the engine will owe: the day each step (and each joint member) is closed without a person.
        let mut closes: BTreeMap<(&str, &str), NaiveDate> = BTreeMap::new();
        if let Some(h) = latest.checked_add_days(Days::new(HORIZON_DAYS / 5)) {
            for e in self.owed(h).unwrap_or_default() {
                let Some(v) = self.graph.node(&e.step) else { continue };
                let id = self.graph.step(v).id();
                match (e.kind, e.detail.dept.as_deref()) {
                    (EventKind::DeemedApproved | EventKind::Terminated, _) => {
                        closes.entry((id, "")).or_insert(e.date);
                    }
                    (EventKind::DeemedAgreed, Some(d)) => {
                        if let Some((_, m)) = self.graph.step(v).joint().and_then(|j| j.member(d)) {
                            closes.entry((id, m.dept())).or_insert(e.date);
                        }
                    }
                    _ => {}
                }
            }
        }
        let flow = self.graph.flow();
        let agent = self.state.agent().map(str::to_string);
        let mut open = Vec::new();
        let ladder = flow.alerts().supervision;
        for (v, s) in self.graph.nodes().zip(&status.steps) {
            let run = view.state.run(v);
            let step = self.graph.step(v);
            if !(s.state.is_active() || s.state == StepState::Received) {
                // A decided step stays for each department that owes an answer to a notice.
                for n in step.depts().iter().filter_map(|d| run.board_notice(d)) {
                    if n.answered.is_none() {
                        open.push(OpenStep::answering(self, s, n, latest));
                    }
                }
                continue;
            }
            let accepted = s.accepted.filter(|_| s.state.is_active());
            let (yellow, red) = match accepted {
                Some(acc) => view.alert_days(&rules, v, acc, rules.limit(v))?,
                None => (None, None),
            };
            // The day a notice is owed if nothing changes: `supervise` working days past due.
            let notice_day = match (accepted, ladder) {
                (Some(acc), Some(l)) if self.graph.counted()[v.index()] => view
                    .first_past(&rules, v, acc, rules.limit(v), l.supervise)?
                    .map(|d| d.max(run.last.unwrap_or(d))),
                _ => None,
            };
            let until = closes.get(&(step.id(), "")).copied();
            let row = OpenStep {
                dept: String::new(),
                project: self.record.id.clone(),
                flow: self.record.flow_id.clone(),
                step: s.id.clone(),
                name: s.name.clone(),
                dept_label: s.dept.clone(),
                state: s.state,
                attempt: s.attempt,
                due: s.due,
                plan_deadline: s.plan_deadline,
                plan_clock: self.graph.counted()[v.index()],
                yellow,
                red,
                flags: s.flags.clone(),
                as_of: latest,
                until,
                member: false,
                group_deadline: s.group_deadline,
                provider: s.provider.clone(),
                agent: agent.clone(),
                window: flow.stages()[step.stage()].window().map(str::to_string),
                supervised: None,
                answer_by: None,
                answered: None,
            };
            // A joint step's members whose opinions are pending, each on its own limit.
            if let Some(acc) = accepted {
                for m in s.members.iter().filter(|m| m.opinion.is_none() && !step.depts().contains(&m.dept)) {
                    let (yellow, red) = view.alert_days(&rules, v, acc, m.promised)?;
                    let deemed = closes.get(&(step.id(), m.dept.as_str())).copied();
                    open.push(OpenStep {
                        dept: m.dept.clone(),
                        dept_label: m.dept.clone(),
                        due: m.due,
                        plan_clock: false,
                        group_deadline: None,
                        yellow,
                        red,
                        flags: Vec::new(),
                        until: until.into_iter().chain(deemed).min(),
                        member: true,
                        ..row.clone()
                    });
                }
            }
            let depts: Vec<String> =
                if step.depts().is_empty() { vec![String::new()] } else { step.depts().to_vec() };
            for dept in depts {
                // The department's notice, or the day one will be owed if nothing changes.
                let (supervised, answer_by, answered) = match (run.board_notice(&dept), notice_day) {
                    (Some(n), _) => (Some(n.date), Some(n.answer_by), n.answered),
                    (None, Some(day)) if !dept.is_empty() => {
                        let within = ladder.map_or(0, |l| l.answer_within);
                        (Some(day), Some(self.calendar.add_working_days(day, within)?), None)
                    }
                    (None, _) => (None, None, None),
                };
                open.push(OpenStep { dept, supervised, answer_by, answered, ..row.clone() });
            }
        }
        open.sort_by(|a, b| (&a.dept, &a.step).cmp(&(&b.dept, &b.step)));
        let tallies = self.tallies(&status.steps, &owed)?;
        Ok(Projection { open, tallies })
    }

    /// The first days on which a limit of `limit` working days, counted for
    /// step `v` from its acceptance on `acc` in this project's state (its
    /// clock stops pushing it back), raises a yellow and a red alert.
    fn alert_days(
        &self,
        rules: &Rules<'_>,
        v: Node,
        acc: NaiveDate,
        limit: u32,
    ) -> Result<(Option<NaiveDate>, Option<NaiveDate>), Error> {
        let alerts = self.graph.flow().alerts();
        let left = |date: NaiveDate| -> Result<i64, Error> {
            let until = date.max(acc);
            let used = rules.between(acc, until, &self.state.run(v).stops(until))?;
            Ok(i64::from(limit) - used)
        };
        let yellow = first_day(acc, |d| Ok(left(d)? <= i64::from(alerts.yellow)))?;
        let red = first_day(acc, |d| Ok(left(d)? <= -i64::from(alerts.red)))?;
        Ok((yellow, red))
    }

    /// The first day on which step `v`, accepted on `acc`, is `past` counted
    /// working days past a limit of `limit` in this project's state (its clock
    /// stops pushing it back; an open one never ends).
    fn first_past(
        &self,
        rules: &Rules<'_>,
        v: Node,
        acc: NaiveDate,
        limit: u32,
        past: u32,
    ) -> Result<Option<NaiveDate>, Error> {
        first_day(acc, |date| {
            let until = date.max(acc);
            let used = rules.between(acc, until, &self.state.run(v).stops(until))?;
            Ok(used - i64::from(limit) >= i64::from(past))
        })
    }

    /// The counters of this project's approval items by day: events from the
    /// log (with `owed` after them), decisions, members' opinions and
    /// supervision notices from `steps`.
    fn tallies(
        &self,
        steps: &[super::status::StepStatus],
        owed: &[super::event::NewEvent],
    ) -> Result<Vec<Tally>, Error> {
        let mut out: BTreeMap<(Dim, String, NaiveDate), Totals> = BTreeMap::new();
        let flow = self.record.flow_id.clone();
        let agent = self.state.agent().map(str::to_string);
        // `dept`: one department's count (a member's opinion, a notice), else every department of the step.
        let mut bump = |v: Node, dept: Option<&str>, day: NaiveDate, f: &dyn Fn(&mut Totals)| {
            let step = self.graph.step(v);
            let depts: Vec<String> = match dept {
                Some(d) => vec![d.to_string()],
                None => step.depts().to_vec(),
            };
            let window = self.state.run(v).window.clone();
            let keys = depts
                .into_iter()
                .map(|d| (Dim::Dept, d))
                .chain([(Dim::Flow, flow.clone()), (Dim::All, String::new())])
                .chain(window.map(|w| (Dim::Window, w)))
                .chain(agent.clone().map(|a| (Dim::Agent, a)));
            for (dim, key) in keys {
                f(out.entry((dim, key, day)).or_default());
            }
        };
        let mut events: Vec<(NaiveDate, u64, &str, EventKind, bool)> = self
            .effective_events()
            .map(|e| (e.date, e.seq, e.step.as_str(), e.kind, e.is_engine()))
            .collect();
        events.sort_by_key(|e| (e.0, e.1));
        let after = events.len() as u64 + 1;
        events.extend(owed.iter().map(|e| (e.date, after, e.step.as_str(), e.kind, true)));
        let n = self.graph.len();
        let (mut filed, mut asked) = (vec![false; n], vec![0u32; n]);
        for (day, _, step, kind, engine) in events {
            let Some(v) = self.graph.node(step) else { continue };
            if !self.graph.counted()[v.index()] {
                continue;
            }
            let i = v.index();
            if kind.is_filing() && !filed[i] {
                (filed[i], asked[i]) = (true, 0);
                bump(v, None, day, &|c| c.counts.received += 1);
            }
            match kind {
                EventKind::Accepted | EventKind::DeemedAccepted => {
                    bump(v, None, day, &|c| c.counts.accepted += 1)
                }
                EventKind::AcceptedIncomplete => bump(v, None, day, &|c| {
                    c.counts.accepted += 1;
                    c.counts.incomplete += 1;
                }),
                EventKind::SupplementRequested => {
                    asked[i] += 1;
                    let repeat = i64::from(asked[i] > 1);
                    bump(v, None, day, &|c| {
                        c.counts.supplements += 1;
                        c.counts.repeat_supplements += repeat;
                    });
                }
                EventKind::Extended => bump(v, None, day, &|c| c.counts.extensions += 1),
                EventKind::Terminated if engine => bump(v, None, day, &|c| c.counts.incomplete_failed += 1),
                _ => {}
            }
            match kind {
                EventKind::DeemedAccepted => bump(v, None, day, &|c| c.counts.deemed_accepted += 1),
                EventKind::DeemedApproved => bump(v, None, day, &|c| c.counts.deemed_approved += 1),
                _ => {}
            }
            if matches!(
                kind,
                EventKind::NotAccepted
                    | EventKind::Rejected
                    | EventKind::Returned
                    | EventKind::Withdrawn
                    | EventKind::Terminated
                    | EventKind::Revoked
            ) {
                filed[i] = false;
            }
        }
        for (v, s) in self.graph.nodes().zip(steps) {
            if !self.graph.counted()[v.index()] {
                continue;
            }
            for m in &s.members {
                let Some(o) = &m.opinion else { continue };
                let late = i64::from(o.deemed || m.due.is_some_and(|due| o.date > due));
                bump(v, Some(&m.dept), o.date, &|c| {
                    c.counts.member_opinions += 1;
                    c.counts.members_late += late;
                });
            }
            for n in &s.notices {
                bump(v, Some(&n.dept), n.date, &|c| c.counts.supervised += 1);
                if let Some(day) = n.answered.filter(|_| n.answered_late()) {
                    bump(v, Some(&n.dept), day, &|c| c.counts.answered_late += 1);
                }
            }
            let (Some(_), Some(used), Some(decided)) = (s.accepted, s.used, s.decided) else { continue };
            let decision = s.state.is_done()
                || s.state == StepState::Rejected
                || s.state == StepState::ProvisionalApproved;
            if !decision {
                continue;
            }
            let on_time =
                i64::from(s.due.is_some_and(|due| decided <= due) && s.state != StepState::DeemedApproved);
            let legal = self.graph.step(v).legal().filter(|&l| l > 0).map(i64::from);
            let limit = i64::from(s.limit);
            bump(v, None, decided, &|c| {
                c.counts.decided += 1;
                c.counts.on_time += on_time;
                c.sums.used += used;
                c.sums.promised += limit;
                if let Some(l) = legal {
                    c.sums.legal_items += 1;
                    c.sums.legal += l;
                    c.sums.legal_used += used;
                    c.sums.speed_up_ppm += ((l - used) as f64 / l as f64 * 1e6).round() as i64;
                }
            });
        }
        Ok(out
            .into_iter()
            .filter(|(_, c)| !c.is_zero())
            .map(|((dim, key, day), counts)| Tally { dim, key, day, counts })
            .collect())
    }
}

/// The board on `date` from projected rows: every row on the board that day
/// (see [`OpenStep::on_board`]), one per step (the first department's row of
/// a countersigned step) and one per late joint member (under its own
/// department), in the order of [`board`](super::board).
pub fn board_of(rows: &[OpenStep], date: NaiveDate) -> Vec<BoardRow> {
    board_of_by(rows, date, &BoardQuery::default())
}

/// [`board_of`] with the rows of the query's department and agent only: what
/// [`board_by`](super::board_by) gives from the projects whole, read from
/// their projections.
///
/// # Example
/// ```
/// use std::sync::Arc;
/// use chrono::NaiveDate;
/// use shenpi_core::Flow;
/// use shenpi_core::runtime::{BoardQuery, EventKind, MemoryStore, NewEvent, Project, board_by, board_of_by};
///
/// let flow = Arc::new(Flow::parse("f.yaml", "
/// id: f
/// name: 示例
/// stages: [{ id: s, name: 阶段, steps: [{ id: review, name: 联合审查, kind: joint, dept: 住建局, promised: 5,
///   members: [{ dept: 消防救援大队, promised: 2 }] }] }]
/// ").map_err(|r| r.render())?);
/// let day = |d| NaiveDate::from_ymd_opt(2025, 3, d).unwrap();
/// let store = MemoryStore::new();
/// let mut p = Project::create(&store, flow, "P-1", day(3), &[])?;
/// p.record(&store, NewEvent::project(EventKind::AgentAssigned, day(3)).agent("王芳"), day(3))?;
/// p.record(&store, NewEvent::new("review", EventKind::Accepted, day(3)), day(3))?;
/// // 消防's opinion is due Wednesday 5 March: yellow that day, under its own department.
/// let rows = p.projection()?.open;
/// let query = BoardQuery { dept: Some("消防救援大队"), agent: Some("王芳") };
/// let board = board_of_by(&rows, day(5), &query);
/// assert_eq!((board[0].dept.as_str(), board[0].member), ("消防救援大队", true));
/// assert_eq!(board, board_by([&p], day(5), &query)?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn board_of_by(rows: &[OpenStep], date: NaiveDate, query: &BoardQuery<'_>) -> Vec<BoardRow> {
    let asked = |r: &&OpenStep| {
        query.dept.is_none_or(|d| r.dept == d) && query.agent.is_none_or(|a| r.agent.as_deref() == Some(a))
    };
    // A step's rung: the highest of its departments' rows asked for.
    let mut rungs: BTreeMap<(&str, &str), Rung> = BTreeMap::new();
    for r in rows.iter().filter(asked).filter(|r| !r.member) {
        let rung = rungs.entry((r.project.as_str(), r.step.as_str())).or_default();
        *rung = (*rung).max(r.rung_on(date));
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut out: Vec<BoardRow> = rows
        .iter()
        .filter(|r| query.dept.is_none_or(|d| r.dept == d))
        .filter(|r| query.agent.is_none_or(|a| r.agent.as_deref() == Some(a)))
        .filter(|r| {
            // A countersigned step once; each member of a joint step on its own.
            let member = r.member.then_some(r.dept.as_str());
            r.on_board(date) && seen.insert((r.project.as_str(), r.step.as_str(), member))
        })
        .map(|r| {
            let (alert, clock) = r.alert_on(date);
            BoardRow {
                dept: r.dept_label.clone(),
                project: r.project.clone(),
                step: r.step.clone(),
                name: r.name.clone(),
                state: r.state,
                attempt: r.attempt,
                due: r.due,
                plan_deadline: r.plan_deadline,
                alert,
                clock,
                flags: r.flags.clone(),
                member: r.member,
                provider: r.provider.clone(),
                agent: r.agent.clone(),
                rung: if r.member {
                    Rung::None
                } else {
                    rungs.get(&(r.project.as_str(), r.step.as_str())).copied().unwrap_or_default()
                },
            }
        })
        .collect();
    super::status::sort_board(&mut out);
    out
}

/// The open steps of `dept` (every department with `None`) that may stand on
/// the board on `date`, of the projects whose region starts with `region`
/// ([`ProjectRecord::within`](super::ProjectRecord::within)), by replaying
/// every such project in `store`: what a store without projections answers,
/// and the reference the others are tested against.
///
/// # Errors
/// What loading and replaying a project may fail with.
///
/// # Complexity
/// O(P) replays for P projects.
pub fn scan_open_steps<S: Store + ?Sized>(
    store: &S,
    dept: Option<&str>,
    date: NaiveDate,
    region: &str,
) -> Result<Vec<OpenStep>, Error> {
    let mut out = Vec::new();
    for id in store.list()? {
        let (record, events) = store.load(&id)?;
        if !record.within(region) {
            continue;
        }
        let p = projection_of(&record, &events);
        out.extend(
            p.open
                .into_iter()
                .filter(|r| dept.is_none_or(|d| r.dept == d) && r.board_from().is_some_and(|f| f <= date)),
        );
    }
    Ok(out)
}

/// The tallies of `dim` from `from` to `to` (inclusive) over every project in
/// `store` whose region starts with `region`, summed per key and day, sorted:
/// by replaying every such project (see [`scan_open_steps`]).
///
/// # Errors
/// What loading and replaying a project may fail with.
pub fn scan_tallies<S: Store + ?Sized>(
    store: &S,
    dim: Dim,
    from: NaiveDate,
    to: NaiveDate,
    region: &str,
) -> Result<Vec<Tally>, Error> {
    let mut sum: BTreeMap<(String, NaiveDate), Totals> = BTreeMap::new();
    for id in store.list()? {
        let (record, events) = store.load(&id)?;
        if !record.within(region) {
            continue;
        }
        for t in projection_of(&record, &events).tallies {
            if t.dim == dim && (from..=to).contains(&t.day) {
                sum.entry((t.key, t.day)).or_default().add(&t.counts, 1);
            }
        }
    }
    Ok(sum
        .into_iter()
        .filter(|(_, c)| !c.is_zero())
        .map(|((key, day), counts)| Tally { dim, key, day, counts })
        .collect())
}

/// The month of a day, `YYYY-MM`.
pub fn month_of(day: NaiveDate) -> String {
    format!("{:04}-{:02}", day.year(), day.month())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::{Days, NaiveDate};

    use super::board_of;
    use crate::Flow;
    use crate::runtime::{Alert, EventKind, MemoryStore, NewEvent, Project, StepState, board};

    const FLOW: &str = "id: w
name: 监察
stages:
  - id: s
    name: 阶段
    steps:
      - { id: a, name: 立项, dept: 发改局, promised: 3, legal: 20 }
      - parallel:
          - { id: b, name: 规划许可, dept: 自然资源局, promised: 5, legal: 20, on_timeout: deem-approved }
          - { id: c, name: 联合审查, dept: [住建局, 消防], promised: 4, legal: 15 }
";

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, m, d).expect("a date")
    }

    /// The board read from projections equals the board of a replay on every
    /// day after the latest event, across the Qingming holiday (4–6 April 2025).
    #[test]
    fn projected_board_equals_the_replayed_board_after_the_latest_event() {
        let flow = Arc::new(Flow::parse("w.yaml", FLOW).expect("parses"));
        let store = MemoryStore::new();
        let today = day(12, 31);
        let mut p = Project::create(&store, flow, "P", day(3, 31), &[]).expect("created");
        let events = [
            ("a", EventKind::Accepted, day(3, 31)),
            ("a", EventKind::SupplementRequested, day(4, 1)),
            ("a", EventKind::SupplementReceived, day(4, 2)),
            ("a", EventKind::SupplementRequested, day(4, 3)),
            ("a", EventKind::SupplementReceived, day(4, 3)),
            ("a", EventKind::Approved, day(4, 3)),
            ("b", EventKind::Received, day(4, 3)),
            ("c", EventKind::Accepted, day(4, 3)),
        ];
        for (step, kind, date) in events {
            p.record(&store, NewEvent::new(step, kind, date), today).expect("recorded");
        }
        let rows = p.projection().expect("projects").open;
        assert_eq!(rows.len(), 3, "b, and c once for each department");
        let mut red = false;
        for n in 0..40 {
            let date = day(4, 3) + Days::new(n);
            let mut want = board(std::slice::from_ref(&p), date, None).expect("board");
            // Decided steps stay on the replayed board for their flags; the projection counts them instead.
            want.retain(|r| r.state.is_active() || r.state == StepState::Received);
            red |= want.iter().any(|r| r.alert == Alert::Red);
            assert_eq!(board_of(&rows, date), want, "on {date}");
        }
        assert!(red, "the board went red");
    }
}
