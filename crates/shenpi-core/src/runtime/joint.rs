//! Joint review (联合审批) in a live project: each member department's
//! opinion against its own limit, deemed agreement on silence, and the lead's
//! decision waiting for every opinion.
//!
//! A joint step (`kind: joint`) is accepted once, by its lead department
//! (`dept`). From that day each member has its own `promised` working days
//! (pushed back by the step's clock stops) to record `opinion --dept D
//! --verdict V`. Under `silence: agree` (the default) a member silent past
//! its limit is owed `deemed-agreed`, dated the day after; under `block` the
//! lead waits. `approved` and `rejected` are refused while a member has
//! neither an opinion nor a deemed one ([`RefusalReason::OpinionsPending`]).

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::Project;
use super::event::{EventKind, NewEvent};
use super::refusal::RefusalReason;
use super::state::{ProjectState, Rules, StepRun};
use super::status::Alert;
use crate::error::Error;
use crate::graph::Node;
use crate::model::Silence;

/// A member department's opinion on a joint step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// 同意.
    Agree,
    /// 不同意.
    Disagree,
    /// 有条件同意: agrees on conditions (written in the note).
    Conditions,
}

impl Verdict {
    /// Every verdict with its name on the command line and in JSON.
    pub const ALL: [(&'static str, Verdict); 3] =
        [("agree", Verdict::Agree), ("disagree", Verdict::Disagree), ("conditions", Verdict::Conditions)];

    /// Its kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Agree => "agree",
            Verdict::Disagree => "disagree",
            Verdict::Conditions => "conditions",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Verdict {
    type Err = String;

    /// ```
    /// use shenpi_core::runtime::Verdict;
    /// assert_eq!("conditions".parse::<Verdict>(), Ok(Verdict::Conditions));
    /// assert!("maybe".parse::<Verdict>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<Verdict, String> {
        Verdict::ALL
            .iter()
            .find(|(n, _)| *n == s)
            .map(|&(_, v)| v)
            .ok_or_else(|| format!("unknown verdict `{s}`; expected one of: agree, disagree, conditions"))
    }
}

/// What one member said, and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Opinion {
    /// Its verdict (a deemed one is `agree`).
    pub verdict: Verdict,
    /// The day it was given (for a deemed one: the day after the member's limit).
    pub date: NaiveDate,
    /// Deemed by the engine (`deemed-agreed`), not given.
    pub deemed: bool,
    /// Conditions or remarks, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One member of a joint step on a given day: its clock and its opinion.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MemberStatus {
    /// The member department.
    pub dept: String,
    /// Its limit in working days from the step's acceptance.
    pub promised: u32,
    /// The last day of its limit, pushed back by the step's clock stops; `None` until accepted.
    pub due: Option<NaiveDate>,
    /// Working days of its limit used (to its opinion, or to the day).
    pub used: Option<i64>,
    /// Working days of its limit left; negative when late.
    pub left: Option<i64>,
    /// Its opinion, once given or deemed.
    pub opinion: Option<Opinion>,
    /// Its alert while its opinion is outstanding (on its own limit).
    pub alert: Alert,
}

impl StepRun {
    /// The opinion of member `i` in the current attempt.
    pub fn opinion(&self, i: usize) -> Option<&Opinion> {
        self.opinions.get(i).and_then(Option::as_ref)
    }
}

impl ProjectState {
    /// The last day of member `i`'s limit on joint node `v`; `None` until accepted.
    pub(crate) fn member_due(
        &self,
        rules: &Rules<'_>,
        v: Node,
        i: usize,
        as_of: NaiveDate,
    ) -> Result<Option<NaiveDate>, Error> {
        let Some(m) = rules.graph.step(v).joint().and_then(|j| j.members().get(i)) else { return Ok(None) };
        let r = self.run(v);
        let Some(acc) = r.accepted else { return Ok(None) };
        rules.add(acc, m.promised(), &r.stops(as_of)).map(Some)
    }

    /// Why an `opinion` (or the engine's `deemed-agreed`) from `dept` may not
    /// be recorded for node `v` on `date`, or `None` when it may.
    pub(crate) fn opinion_refusal(
        &self,
        rules: &Rules<'_>,
        v: Node,
        kind: EventKind,
        dept: Option<&str>,
        date: NaiveDate,
    ) -> Result<Option<RefusalReason>, Error> {
        let Some(joint) = rules.graph.step(v).joint() else { return Ok(Some(RefusalReason::NotJoint)) };
        let Some(dept) = dept else { return Ok(None) };
        let Some((i, _)) = joint.member(dept) else {
            return Ok(Some(RefusalReason::NotAMember {
                dept: dept.to_string(),
                members: joint.members().iter().map(|m| m.dept().to_string()).collect(),
            }));
        };
        if let Some(o) = self.run(v).opinion(i) {
            return Ok(Some(RefusalReason::OpinionGiven { dept: dept.to_string(), date: o.date }));
        }
        if kind == EventKind::DeemedAgreed {
            if joint.silence() == Silence::Block {
                return Ok(Some(RefusalReason::SilenceBlocks));
            }
            if let Some(due) = self.member_due(rules, v, i, date)? {
                if date <= due {
                    return Ok(Some(RefusalReason::LimitNotPassed { due, date }));
                }
            }
        }
        Ok(None)
    }

    /// The member departments of joint node `v` without an opinion, given or
    /// deemed; empty for any other step.
    pub(crate) fn opinions_pending(&self, rules: &Rules<'_>, v: Node) -> Vec<String> {
        let Some(joint) = rules.graph.step(v).joint() else { return Vec::new() };
        let run = self.run(v);
        joint
            .members()
            .iter()
            .enumerate()
            .filter(|(i, _)| run.opinion(*i).is_none())
            .map(|(_, m)| m.dept().to_string())
            .collect()
    }
}

impl Project {
    /// The `deemed-agreed` events joint node `v` owes on `date` in `scratch`:
    /// one per member silent past its limit under `silence: agree`, dated the
    /// day after its limit (no earlier than the step's last event).
    pub(crate) fn owed_opinions(
        &self,
        scratch: &ProjectState,
        v: Node,
        date: NaiveDate,
    ) -> Result<Vec<NewEvent>, Error> {
        let step = self.graph.step(v);
        let Some(joint) = step.joint().filter(|j| j.silence() == Silence::Agree) else {
            return Ok(Vec::new());
        };
        if !scratch.state(&self.graph, v).is_active() {
            return Ok(Vec::new());
        }
        let rules = self.rules();
        let run = scratch.run(v);
        let mut out = Vec::new();
        for (i, m) in joint.members().iter().enumerate() {
            if run.opinion(i).is_some() {
                continue;
            }
            let Some(due) = scratch.member_due(&rules, v, i, date)? else { continue };
            let day = due.succ_opt().unwrap_or(due).max(run.last.unwrap_or(due));
            if due < date && day <= date {
                let mut e = NewEvent::engine(step.id().to_string(), EventKind::DeemedAgreed, day);
                e.detail.dept = Some(m.dept().to_string());
                out.push(e);
            }
        }
        Ok(out)
    }

    /// Each member of joint node `v` on `date`: its clock, its opinion and its alert.
    pub(crate) fn member_status(&self, v: Node, date: NaiveDate) -> Result<Vec<MemberStatus>, Error> {
        let Some(joint) = self.graph.step(v).joint() else { return Ok(Vec::new()) };
        let rules = self.rules();
        let run = self.state.run(v);
        let active = self.state.state(&self.graph, v).is_active();
        let mut out = Vec::with_capacity(joint.members().len());
        for (i, m) in joint.members().iter().enumerate() {
            let due = self.state.member_due(&rules, v, i, date)?;
            let opinion = run.opinion(i).cloned();
            let (mut used, mut left, mut alert) = (None, None, Alert::None);
            if let Some(acc) = run.accepted {
                let until = opinion.as_ref().map_or(date, |o| o.date).max(acc);
                let u = rules.between(acc, until, &run.stops(until))?;
                used = Some(u);
                left = Some(i64::from(m.promised()) - u);
                if opinion.is_none() && active {
                    alert = self.limit_alert(i64::from(m.promised()) - u, m.promised());
                }
            }
            out.push(MemberStatus {
                dept: m.dept().to_string(),
                promised: m.promised(),
                due,
                used,
                left,
                opinion,
                alert,
            });
        }
        Ok(out)
    }
}
