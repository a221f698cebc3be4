//! The escalation ladder of electronic supervision (电子监察): 预警 (the
//! yellow card), 超期 (the red card), 督办 (a supervision notice the engine
//! owes `supervise` working days past due) and 问责 (a notice not answered
//! within its `answer_within` working days).
//!
//! A flow defines the ladder under `alerts:` — `yellow` and `red` as for the
//! cards, `supervise: M` and `answer_within: K` for the notice. Each
//! department of an approval item (a step the budget counts) still undecided
//! M working days past its own due date — the red card's clock: the promised
//! limit, pushed back by clock stops — is owed `supervised --dept D
//! --answer-within K`, once per application, dated that day, as the engine
//! owes a deemed approval ([`Project::owed`]; [`Project::advance`] records
//! it). `answered --dept D` closes the notice, whether the item is decided
//! yet or not. A notice unanswered after the K-th working day from it puts
//! the department on the 问责 list ([`accountability`]).

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::event::{EventKind, NewEvent};
use super::projection::OpenStep;
use super::refusal::RefusalReason;
use super::state::{ProjectState, Rules, StepRun};
use super::status::Alert;
use super::{Project, Store};
use crate::error::Error;
use crate::graph::Node;

/// The rung of the ladder an item stands on, for one department on one day.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rung {
    /// Nothing to escalate.
    #[default]
    None,
    /// 预警: its own limit's yellow card.
    Warning,
    /// 超期: its own limit's red card.
    Overdue,
    /// 督办: a supervision notice is open and its days to answer run.
    Supervised,
    /// 问责: a supervision notice went unanswered past its days to answer.
    Accountable,
}

impl Rung {
    /// Its kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Rung::None => "none",
            Rung::Warning => "warning",
            Rung::Overdue => "overdue",
            Rung::Supervised => "supervised",
            Rung::Accountable => "accountable",
        }
    }

    /// How supervision words it: 预警, 超期, 督办, 问责 (empty for none).
    pub fn label(self) -> &'static str {
        match self {
            Rung::None => "",
            Rung::Warning => "预警",
            Rung::Overdue => "超期",
            Rung::Supervised => "督办",
            Rung::Accountable => "问责",
        }
    }

    /// The rung of an item whose own limit raises `limit` and whose
    /// department's notice stands on `notice`: a notice's rung when it has
    /// one, else the card's.
    pub fn of(limit: Alert, notice: Rung) -> Rung {
        let card = match limit {
            Alert::Red => Rung::Overdue,
            Alert::Yellow => Rung::Warning,
            Alert::None | Alert::Reminder => Rung::None,
        };
        card.max(notice)
    }
}

impl fmt::Display for Rung {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A supervision notice (督办) to one department about one step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// The department supervised.
    pub dept: String,
    /// The day of the notice.
    pub date: NaiveDate,
    /// Working days it has to answer.
    pub answer_within: u32,
    /// The last day to answer: the `answer_within`-th working day after the notice.
    pub answer_by: NaiveDate,
    /// The day it answered, once it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered: Option<NaiveDate>,
    /// The application (attempt) of the step it was sent about.
    pub attempt: u32,
}

impl Notice {
    /// The rung it puts its department on, on `date`: 督办 from its day
    /// until answered, 问责 from the day after `answer_by` while unanswered;
    /// none before its day and once answered.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use shenpi_core::runtime::{Notice, Rung};
    ///
    /// let day = |d| NaiveDate::from_ymd_opt(2025, 3, d).unwrap();
    /// let n = Notice { dept: "住建局".into(), date: day(3), answer_within: 3,
    ///                  answer_by: day(6), answered: None, attempt: 1 };
    /// assert_eq!(n.rung_on(day(2)), Rung::None);
    /// assert_eq!(n.rung_on(day(6)), Rung::Supervised);
    /// assert_eq!(n.rung_on(day(7)), Rung::Accountable);
    /// ```
    pub fn rung_on(&self, date: NaiveDate) -> Rung {
        notice_rung(self.date, self.answer_by, self.answered, date)
    }

    /// Answered after its last day to answer.
    pub fn answered_late(&self) -> bool {
        self.answered.is_some_and(|a| a > self.answer_by)
    }
}

/// The rung of a notice sent on `sent`, to answer by `answer_by`, answered on `answered`, on `date`.
pub(crate) fn notice_rung(
    sent: NaiveDate,
    answer_by: NaiveDate,
    answered: Option<NaiveDate>,
    date: NaiveDate,
) -> Rung {
    if date < sent || answered.is_some_and(|a| a <= date) {
        Rung::None
    } else if date > answer_by {
        Rung::Accountable
    } else {
        Rung::Supervised
    }
}

impl StepRun {
    /// The supervision notice to `dept` in application `attempt`, if one was sent.
    pub fn notice(&self, dept: &str, attempt: u32) -> Option<&Notice> {
        self.notices.iter().rev().find(|n| n.dept == dept && n.attempt == attempt)
    }

    /// The notice to `dept` the board follows: the one of the current
    /// application, else the latest left unanswered.
    pub fn board_notice(&self, dept: &str) -> Option<&Notice> {
        board_notice(&self.notices, self.attempt, dept)
    }
}

/// Of `notices`, the one to `dept` the board follows in application
/// `attempt`: that application's, else the latest left unanswered.
pub(crate) fn board_notice<'a>(notices: &'a [Notice], attempt: u32, dept: &str) -> Option<&'a Notice> {
    let mine = || notices.iter().rev().filter(move |n| n.dept == dept);
    mine().find(|n| n.attempt == attempt).or_else(|| mine().find(|n| n.answered.is_none()))
}

impl ProjectState {
    /// Why a `supervised` to `dept` may not be recorded for node `v` on
    /// `date`, or `None` when it may (see [`Guard::NoticeDue`](super::table::Guard)).
    pub(crate) fn notice_refusal(
        &self,
        rules: &Rules<'_>,
        v: Node,
        dept: Option<&str>,
        date: NaiveDate,
    ) -> Result<Option<RefusalReason>, Error> {
        let Some(ladder) = rules.graph.flow().alerts().supervision else {
            return Ok(Some(RefusalReason::NoSupervision));
        };
        // Without a department the event lacks a detail, which is reported first.
        let Some(dept) = dept else { return Ok(None) };
        let step = rules.graph.step(v);
        if !step.depts().iter().any(|d| d == dept) {
            return Ok(Some(RefusalReason::NotADept {
                dept: dept.to_string(),
                depts: step.depts().to_vec(),
            }));
        }
        let run = self.run(v);
        if let Some(n) = run.notice(dept, run.attempt) {
            return Ok(Some(RefusalReason::NoticeGiven { dept: dept.to_string(), date: n.date }));
        }
        Ok(match self.notice_day(rules, v, ladder.supervise, date)? {
            Some(day) if date >= day => None,
            day => Some(RefusalReason::NotSupervisedYet { day, date }),
        })
    }

    /// The day node `v` is owed a supervision notice under a ladder of
    /// `supervise` working days past due: the `limit + supervise`-th counted
    /// working day after its acceptance, clock stops (an open one ending on
    /// `as_of`) pushing it back; `None` until accepted.
    pub(crate) fn notice_day(
        &self,
        rules: &Rules<'_>,
        v: Node,
        supervise: u32,
        as_of: NaiveDate,
    ) -> Result<Option<NaiveDate>, Error> {
        self.days_after_acceptance(rules, v, rules.limit(v).saturating_add(supervise), as_of)
    }
}

impl Project {
    /// The `supervised` events node `v` owes on `date` in `scratch`: one per
    /// department of an approval item still under way on its notice day,
    /// without a notice in this application (no earlier than the step's last event).
    pub(crate) fn owed_notices(
        &self,
        scratch: &ProjectState,
        v: Node,
        date: NaiveDate,
    ) -> Result<Vec<NewEvent>, Error> {
        let Some(ladder) = self.graph.flow().alerts().supervision else { return Ok(Vec::new()) };
        let step = self.graph.step(v);
        if !self.graph.counted()[v.index()] || !scratch.state(&self.graph, v).is_active() {
            return Ok(Vec::new());
        }
        let run = scratch.run(v);
        let Some(due) = scratch.notice_day(&self.rules(), v, ladder.supervise, date)? else {
            return Ok(Vec::new());
        };
        let day = due.max(run.last.unwrap_or(due));
        if day > date {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        for dept in step.depts() {
            if run.notice(dept, run.attempt).is_some() {
                continue;
            }
            let mut e =
                NewEvent::engine(step.id().to_string(), EventKind::Supervised, day).dept(dept.clone());
            e.detail.answer_within = Some(ladder.answer_within);
            out.push(e);
        }
        Ok(out)
    }
}

/// One line of the 问责 list: a supervision notice its department left
/// unanswered past its days to answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct AccountabilityRow {
    /// The department that did not answer.
    pub dept: String,
    /// The project.
    pub project: String,
    /// The step the notice was about.
    pub step: String,
    /// Its title.
    pub name: String,
    /// Where the step stands after the project's latest event.
    pub state: super::state::StepState,
    /// The step's own due date.
    pub due: Option<NaiveDate>,
    /// The day of the notice (督办).
    pub supervised: NaiveDate,
    /// The last day it had to answer.
    pub answer_by: NaiveDate,
}

/// The 问责 list on `date`: every supervision notice to `dept` (every
/// department with `None`) sent on or before `date` and still unanswered
/// after its last day to answer, of the projects whose region starts with
/// `region` (`""`: all), by department, then by that day and project.
/// Read from the store's open steps, as the board is ([`Store::open_steps`]):
/// a notice the engine owes by then counts as sent.
///
/// # Errors
/// What the store fails with.
///
/// # Complexity
/// The rows of `dept` that may stand on the board on `date`; nothing grows
/// with the number of closed projects.
pub fn accountability<S: Store + ?Sized>(
    store: &S,
    date: NaiveDate,
    dept: Option<&str>,
    region: &str,
) -> Result<Vec<AccountabilityRow>, Error> {
    Ok(accountable_rows(&store.open_steps(dept, date, region)?, date))
}

/// The 问责 list on `date` from projected rows (see [`accountability`]).
pub fn accountable_rows(rows: &[OpenStep], date: NaiveDate) -> Vec<AccountabilityRow> {
    let mut out: Vec<AccountabilityRow> = rows
        .iter()
        .filter(|r| r.notice_rung(date) == Rung::Accountable)
        .filter_map(|r| {
            Some(AccountabilityRow {
                dept: r.dept.clone(),
                project: r.project.clone(),
                step: r.step.clone(),
                name: r.name.clone(),
                state: r.state,
                due: r.due,
                supervised: r.supervised?,
                answer_by: r.answer_by?,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        (&a.dept, a.answer_by, &a.project, &a.step).cmp(&(&b.dept, b.answer_by, &b.project, &b.step))
    });
    out
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::NaiveDate;

    use super::{Rung, accountability};
    use crate::Flow;
    use crate::runtime::{EventKind, MemoryStore, NewEvent, Project, Store, board, board_of};

    /// One approval item on the `cn` calendar: 预警 one working day before
    /// due, 超期 from the first day overdue, 督办 on the third working day past
    /// due, two working days to answer.
    const FLOW: &str = "id: ladder
name: 督办
calendar: cn
alerts: { yellow: 1, red: 1, supervise: 3, answer_within: 2 }
stages:
  - id: s
    name: 施工许可
    steps:
      - { id: permit, name: 施工许可, dept: 住建局, promised: 5, legal: 20 }
";

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, m, d).expect("a date")
    }

    fn started(store: &MemoryStore, id: &str) -> Project {
        let flow = Arc::new(Flow::parse("ladder.yaml", FLOW).unwrap_or_else(|r| panic!("{}", r.render())));
        let mut p = Project::create(store, flow, id, day(9, 22), &[]).expect("created");
        p.record(store, NewEvent::new("permit", EventKind::Accepted, day(9, 24)), day(12, 31))
            .expect("accepted");
        p
    }

    /// The rung of `permit` on `date` on the replayed board and on the board
    /// read from the store's projections, which must agree.
    fn rung(store: &MemoryStore, p: &Project, date: NaiveDate) -> Rung {
        let replayed = board(std::slice::from_ref(p), date, Some("住建局")).expect("board");
        let projected = board_of(&store.open_steps(Some("住建局"), date, "").expect("rows"), date);
        let of = |rows: &[crate::runtime::BoardRow]| rows.iter().map(|r| r.rung).max().unwrap_or_default();
        assert_eq!(
            of(&projected),
            of(&replayed),
            "on {date}: projected {projected:?}, replayed {replayed:?}"
        );
        of(&replayed)
    }

    /// Accepted Wednesday 24 September 2025 with 5 working days: the 25th,
    /// 26th, Sunday 28th (a make-up working day, 调休), 29th and 30th; due 30
    /// September. 国庆 and 中秋 rest from 1 to 8 October, so the first day
    /// overdue is Thursday 9 October, and the third working day past due is
    /// Saturday 11 October (another make-up day): the notice. Two working days
    /// to answer: Monday 13 and Tuesday 14; 问责 from Wednesday 15.
    #[test]
    fn an_item_climbs_every_rung_across_the_national_day_holiday() {
        let store = MemoryStore::new();
        let mut p = started(&store, "P-1");
        let walk = [
            (day(9, 26), Rung::None),
            (day(9, 29), Rung::Warning),
            (day(9, 30), Rung::Warning),
            (day(10, 3), Rung::Warning),
            (day(10, 8), Rung::Warning),
            (day(10, 9), Rung::Overdue),
            (day(10, 10), Rung::Overdue),
            (day(10, 11), Rung::Supervised),
            (day(10, 14), Rung::Supervised),
            (day(10, 15), Rung::Accountable),
        ];
        for (date, want) in walk {
            assert_eq!(rung(&store, &p, date), want, "on {date}");
        }
        // Reads show the notice owed; `advance` records it, dated the day it was owed.
        assert_eq!(p.status(day(10, 15)).expect("status").owed.len(), 1);
        let recorded = p.advance(&store, day(10, 15), day(10, 15)).expect("advances");
        assert_eq!(recorded.len(), 1);
        let e = &recorded[0];
        assert_eq!((e.kind, e.date), (EventKind::Supervised, day(10, 11)));
        assert_eq!((e.detail.dept.as_deref(), e.detail.answer_within), (Some("住建局"), Some(2)));
        assert_eq!(rung(&store, &p, day(10, 15)), Rung::Accountable);
        let list = accountability(&store, day(10, 15), Some("住建局"), "").expect("the list");
        assert_eq!(list.len(), 1);
        assert_eq!((list[0].supervised, list[0].answer_by), (day(10, 11), day(10, 14)));
        assert!(accountability(&store, day(10, 14), None, "").expect("the list").is_empty(), "still in time");
        // A late answer closes the notice: the item is back to 超期 until decided.
        let answer = NewEvent::new("permit", EventKind::Answered, day(10, 16)).dept("住建局");
        p.record(&store, answer, day(10, 16)).expect("answered");
        assert_eq!(rung(&store, &p, day(10, 16)), Rung::Overdue);
        assert!(accountability(&store, day(10, 16), None, "").expect("the list").is_empty());
        assert_eq!(p.status(day(10, 16)).expect("status").steps[0].notices[0].answered, Some(day(10, 16)));
        p.record(&store, NewEvent::new("permit", EventKind::Approved, day(10, 17)), day(10, 17))
            .expect("approved");
        assert_eq!(rung(&store, &p, day(10, 17)), Rung::None);
        // One notice per application: nothing more is owed.
        assert!(p.owed(day(12, 31)).expect("owed").is_empty());
    }

    /// A decided item stays on the board while its department owes an answer.
    #[test]
    fn a_notice_outlives_the_decision_until_answered() {
        let store = MemoryStore::new();
        let mut p = started(&store, "P-2");
        p.advance(&store, day(10, 13), day(10, 13)).expect("advances");
        p.record(&store, NewEvent::new("permit", EventKind::Approved, day(10, 13)), day(10, 13))
            .expect("approved");
        assert_eq!(rung(&store, &p, day(10, 14)), Rung::Supervised);
        assert_eq!(rung(&store, &p, day(10, 15)), Rung::Accountable);
        let answer = NewEvent::new("permit", EventKind::Answered, day(10, 14)).dept("住建局");
        p.record(&store, answer, day(10, 14)).expect("answered in time");
        assert_eq!(rung(&store, &p, day(10, 15)), Rung::None);
        let again = NewEvent::new("permit", EventKind::Answered, day(10, 15)).dept("住建局");
        let err = p.record(&store, again, day(10, 15)).expect_err("nothing left to answer");
        assert_eq!(err.refusal().map(|r| r.reason.code()), Some("no-notice"));
    }

    /// An approval entered late, dated before the notice, supersedes it.
    #[test]
    fn a_decision_entered_late_supersedes_the_notice() {
        let store = MemoryStore::new();
        let mut p = started(&store, "P-3");
        let notice = p.advance(&store, day(10, 20), day(10, 20)).expect("advances");
        let late = NewEvent::new("permit", EventKind::Approved, day(10, 10));
        let e = p.record(&store, late, day(10, 20)).expect("entered late");
        assert_eq!(e.detail.supersedes, vec![notice[0].seq]);
        assert_eq!(rung(&store, &p, day(10, 20)), Rung::None);
        // A person cannot send a notice before it is owed.
        let early =
            NewEvent::new("permit", EventKind::Supervised, day(10, 1)).dept("住建局").answer_within(2);
        assert!(p.check(&early, day(10, 20)).is_err());
    }
}
