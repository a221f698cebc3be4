//! One window (一窗受理) in a live project: one `accepted` recorded on a stage
//! that names a `window` accepts, on that date, every step of the stage the
//! window takes that is ready (or received) then.

use chrono::NaiveDate;

use super::event::{Event, EventKind, NewEvent};
use super::refusal::{Refusal, RefusalReason};
use super::state::StepState;
use super::{Project, Store};
use crate::error::Error;

/// How an event names a stage instead of a step: `stage:ID`.
pub const STAGE_PREFIX: &str = "stage:";

impl Project {
    /// The stage id an event's target names (`stage:ID`), when it names no step
    /// of the flow: such an event goes to [`Project::record_stage`].
    pub fn stage_target(&self, target: &str) -> Option<String> {
        if self.graph.flow().step(target).is_some() {
            return None;
        }
        target.strip_prefix(STAGE_PREFIX).map(str::to_string)
    }

    /// The events one acceptance at a stage's window stands for: an
    /// `accepted`, marked with the window, for each step of the stage the
    /// window takes (a department's decision or a utility hook-up) that is
    /// ready or received on the event's date. An idempotency key `K` becomes
    /// `K/step` on each.
    ///
    /// # Errors
    /// [`Error::is_refused`]: an unknown stage, a stage without `window`, a
    /// kind other than `accepted` ([`RefusalReason::NoWindow`]), no step
    /// ready ([`RefusalReason::NothingReady`]).
    pub fn window_events(&self, stage: &str, event: &NewEvent) -> Result<Vec<NewEvent>, Error> {
        let refuse = |reason| Error::refused(Refusal { step: event.step.clone(), event: event.kind, reason });
        let flow = self.graph.flow();
        let Some(k) = flow.stages().iter().position(|s| s.id() == stage) else {
            let ids = flow.stages().iter().map(|s| s.id());
            return Err(refuse(RefusalReason::UnknownStep {
                suggestion: crate::diag::suggest(stage, ids).map(|s| format!("{STAGE_PREFIX}{s}")),
                flow: flow.id().to_string(),
            }));
        };
        let Some(window) = flow.stages()[k].window().filter(|_| event.kind == EventKind::Accepted) else {
            return Err(refuse(RefusalReason::NoWindow));
        };
        let as_of = self.as_of(event.date)?;
        let mut out = Vec::new();
        for v in self.graph.nodes() {
            let step = self.graph.step(v);
            if step.stage() != k || !step.kind().takes_applications() {
                continue;
            }
            let state = as_of.state.state(&self.graph, v);
            let ready_then =
                as_of.state.ready_on(&self.graph, v).is_some_and(|d| d.is_none_or(|d| d <= event.date));
            if (state == StepState::Ready && ready_then) || state == StepState::Received {
                let mut e = NewEvent::new(step.id(), EventKind::Accepted, event.date);
                e.detail = event.detail.clone();
                e.detail.window = Some(window.to_string());
                e.key = event.key.as_ref().map(|key| format!("{key}/{}", step.id()));
                out.push(e);
            }
        }
        if out.is_empty() {
            return Err(refuse(RefusalReason::NothingReady));
        }
        Ok(out)
    }

    /// Records one acceptance at a stage's window (`stage:ID accepted`): every
    /// step of the stage the window takes that is ready on that date, in one
    /// append (see [`Project::window_events`]). Steps of the stage that
    /// become ready later are accepted one by one.
    ///
    /// # Errors
    /// As [`Project::window_events`] and [`Project::record_all`].
    ///
    /// # Example
    /// ```
    /// use std::sync::Arc;
    /// use chrono::NaiveDate;
    /// use shenpi_core::Flow;
    /// use shenpi_core::runtime::{EventKind, MemoryStore, NewEvent, Project};
    ///
    /// let flow = Arc::new(Flow::parse("f.yaml", "
    /// id: f
    /// name: 示例
    /// stages:
    ///   - id: s
    ///     name: 阶段
    ///     window: 政务服务中心
    ///     steps:
    ///       - parallel:
    ///           - { id: land, name: 用地, dept: 自然资源局, promised: 5 }
    ///           - { id: eia, name: 环评, dept: 生态环境局, promised: 7 }
    /// ").map_err(|r| r.render())?);
    /// let day = NaiveDate::from_ymd_opt(2025, 3, 3).unwrap();
    /// let store = MemoryStore::new();
    /// let mut p = Project::create(&store, flow, "P-1", day, &[])?;
    /// let all = p.record_stage(&store, "s", NewEvent::new("stage:s", EventKind::Accepted, day), day)?;
    /// assert_eq!(all.len(), 2);
    /// assert_eq!(p.status(day)?.steps[0].window.as_deref(), Some("政务服务中心"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn record_stage(
        &mut self,
        store: &dyn Store,
        stage: &str,
        event: NewEvent,
        today: NaiveDate,
    ) -> Result<Vec<Event>, Error> {
        // A retry with the same key returns what the first call recorded.
        if let Some(prefix) = event.key.as_ref().map(|k| format!("{k}/")) {
            let old: Vec<Event> = self
                .events
                .iter()
                .filter(|e| e.key.as_deref().is_some_and(|k| k.starts_with(&prefix)))
                .cloned()
                .collect();
            if !old.is_empty() {
                return Ok(old);
            }
        }
        let events = self.window_events(stage, &event)?;
        self.record_all(store, events, today)
    }
}
