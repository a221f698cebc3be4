//! What the engine owes: the events the law or the flow decides when people
//! do not. Reads fold them in without writing; [`Project::advance`] records them.

use chrono::NaiveDate;

use super::event::{Event, EventKind, NewEvent};
use super::state::{ProjectState, StepState};
use super::{Project, Store};
use crate::error::Error;
use crate::graph::Node;
use crate::model::TimeoutPolicy;

/// The most events one step may owe at once (deemed accepted, then deemed
/// approved or terminated): a bound, so a rule that kept owing could not loop.
const MAX_OWED_PER_STEP: usize = 4;

/// The reason the engine gives when it terminates a 容缺 application.
pub(crate) const TERMINATED_REASON: &str = "容缺 material not supplied within the promised limit";

impl Project {
    /// The events the engine owes as of `date`, in the order they must be
    /// recorded: `deemed-accepted` for a received step the department did not
    /// answer within its acceptance window (dated the day of receipt, Art.
    /// 32), `deemed-approved` for a step whose limit passed undecided under
    /// `on_timeout: deem-approved` (dated the day after its due date, or
    /// after the extended legal due date), `terminated` (终止办理) for a 容缺
    /// step whose owed material did not arrive within its limit (dated the
    /// day after), `deemed-agreed` for a member of a joint step silent past
    /// its limit under `silence: agree` (dated the day after), `supervised`
    /// (督办) for each department of an approval item still under way
    /// `supervise` working days past due under the flow's escalation ladder
    /// (dated that day), `revoked` for
    /// a provisional approval whose prerequisite failed and for an approval
    /// on a pledge found broken (`commitment-breached`). Each is dated no
    /// earlier than the last event of its step and of the steps that wait
    /// for it, so recording it never reorders what people recorded.
    ///
    /// # Errors
    /// Only what a calendar question may fail with.
    ///
    /// # Complexity
    /// O(n log n) for n events to read the project as of `date`, then
    /// O(V + E) per step owing an event.
    pub fn owed(&self, date: NaiveDate) -> Result<Vec<NewEvent>, Error> {
        Ok(self.view(date)?.1)
    }

    /// The project as of `date` with what the engine owes by then folded in
    /// (nothing stored), and those owed events.
    pub(crate) fn view(&self, date: NaiveDate) -> Result<(Project, Vec<NewEvent>), Error> {
        let mut p = if self.last_date.is_none_or(|l| l <= date) { self.clone() } else { self.as_of(date)? };
        let (state, owed) = p.owed_on(date)?;
        p.state = state;
        Ok((p, owed))
    }

    /// What the engine owes on `date`, the state being as of `date`: the
    /// state with the owed events applied, and the events.
    fn owed_on(&self, date: NaiveDate) -> Result<(ProjectState, Vec<NewEvent>), Error> {
        let mut scratch = self.state.clone();
        let rules = self.rules();
        let mut out = Vec::new();
        for v in self.graph.nodes() {
            // A joint step's silent members first: the lead's decision waits for them.
            for e in self.owed_opinions(&scratch, v, date)? {
                if scratch.apply(&rules, v, (&e).into()).is_ok() {
                    out.push(e);
                }
            }
            // A step may owe more than one: deemed accepted, then deemed approved.
            for _ in 0..MAX_OWED_PER_STEP {
                let Some((kind, natural)) = self.owed_by(&scratch, v, date)? else { break };
                // A deemed acceptance takes effect from the day of receipt, whatever came since:
                // it leaves the step undecided, so nothing recorded after it depends on it.
                let day = if kind == EventKind::DeemedAccepted {
                    natural
                } else {
                    natural.max(self.latest_around(&scratch, v).unwrap_or(natural))
                };
                if day > date {
                    break;
                }
                let mut owed = NewEvent::engine(self.graph.step(v).id().to_string(), kind, day);
                if kind == EventKind::Terminated {
                    owed = owed.reason(TERMINATED_REASON);
                }
                scratch.apply(&rules, v, (&owed).into())?;
                out.push(owed);
            }
            // Past due and still under way: a supervision notice to each department (督办).
            for e in self.owed_notices(&scratch, v, date)? {
                if scratch.apply(&rules, v, (&e).into()).is_ok() {
                    out.push(e);
                }
            }
        }
        Ok((scratch, out))
    }

    /// What the engine owes for node `v` on `date`, and the day the law or flow dates it.
    fn owed_by(
        &self,
        scratch: &ProjectState,
        v: Node,
        date: NaiveDate,
    ) -> Result<Option<(EventKind, NaiveDate)>, Error> {
        let rules = self.rules();
        let state = scratch.state(&self.graph, v);
        let after = |due: NaiveDate| due.succ_opt().unwrap_or(due);
        Ok(match state {
            StepState::Received => match (scratch.acceptance_due(&rules, v)?, scratch.run(v).received) {
                (Some(due), Some(received)) if due < date => Some((EventKind::DeemedAccepted, received)),
                _ => None,
            },
            StepState::AcceptedIncomplete => match scratch.due(&rules, v, date)? {
                Some(due) if due < date => Some((EventKind::Terminated, after(due))),
                _ => None,
            },
            StepState::Accepted => match scratch.timeout_due(&rules, v, date)? {
                Some(due)
                    if due < date
                        && self.graph.step(v).on_timeout() == TimeoutPolicy::DeemApproved
                        && scratch.ready_on(&self.graph, v).is_some() =>
                {
                    Some((EventKind::DeemedApproved, after(due)))
                }
                _ => None,
            },
            // The department confirms (within `confirm_within`); the engine revokes when a prerequisite failed.
            StepState::ProvisionalApproved => {
                scratch.blocked(&self.graph)[v.index()].map(|since| (EventKind::Revoked, since))
            }
            // An approval on a pledge found broken is revoked (告知承诺制).
            StepState::Approved => scratch.run(v).breached.map(|day| (EventKind::Revoked, day)),
            _ => None,
        })
    }

    /// The latest event of node `v` and of the steps that wait for it.
    fn latest_around(&self, scratch: &ProjectState, v: Node) -> Option<NaiveDate> {
        let succs = self.graph.dag().succs(v).iter().map(|&s| scratch.run(s).last);
        succs.chain([scratch.run(v).last]).flatten().max()
    }

    /// Records the events the engine owes as of `to` (see [`Project::owed`])
    /// in one append. `to` may not be after `today`: what the engine owes is
    /// recorded when it is due, never ahead.
    ///
    /// # Errors
    /// [`Error::is_in_future`] when `to` is after `today`; a store failure, or
    /// [`Error::is_conflict`] when someone else appended first.
    ///
    /// # Example
    /// ```
    /// use shenpi_core::runtime::{EventKind, MemoryStore, NewEvent, Project, StepState};
    /// # use std::sync::Arc;
    /// # use chrono::NaiveDate;
    /// # use shenpi_core::Flow;
    /// # let flow = Arc::new(Flow::parse("f.yaml", "
    /// # id: f
    /// # name: 示例
    /// # stages: [{ id: s, name: 阶段, steps: [
    /// #   { id: land, name: 用地规划许可, dept: 自然资源局, promised: 5, legal: 20, on_timeout: deem-approved }] }]
    /// # ").map_err(|r| r.render())?);
    /// # let day = |d| NaiveDate::from_ymd_opt(2025, 3, d).unwrap();
    /// let store = MemoryStore::new();
    /// let today = day(14);
    /// let mut p = Project::create(&store, flow, "P-1", day(3), &[])?;
    /// p.record(&store, NewEvent::new("land", EventKind::Accepted, day(3)), today)?;
    /// // Reads show what the engine owes and write nothing.
    /// assert_eq!(p.status(today)?.owed.len(), 1);
    /// assert_eq!(p.step_state("land"), Some(StepState::Accepted));
    /// // Five working days from Monday 3 March: due Monday 10 March, deemed approved the day after.
    /// let recorded = p.advance(&store, today, today)?;
    /// assert_eq!((recorded[0].kind, recorded[0].date), (EventKind::DeemedApproved, day(11)));
    /// assert_eq!(p.step_state("land"), Some(StepState::DeemedApproved));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn advance(
        &mut self,
        store: &dyn Store,
        to: NaiveDate,
        today: NaiveDate,
    ) -> Result<Vec<Event>, Error> {
        if to > today {
            return Err(Error::future(to, today));
        }
        let owed = self.owed(to)?;
        if owed.is_empty() {
            return Ok(Vec::new());
        }
        // Owed as of `to`, but people may since have recorded what happened after it: those win.
        self.record_batch(store, owed, Some(today), true)
    }
}
