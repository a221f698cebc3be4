//! The log and its fold: the order events apply in, late entry, and real
//! events superseding what the engine recorded.
//!
//! The state is a fold over the log's *effective* events (those no later
//! event superseded) in fold order: by date, then by sequence number. So an
//! event entered late — dated before events already recorded for other steps
//! — takes its place in time, and a past day reads as the events dated up to
//! it. A step's own history never goes back: an event dated before a real
//! event of its step is refused.
//!
//! The engine records what the law or the flow decides when people do not
//! (deemed approval on timeout, 容缺 termination, …). A real event dated on
//! or before such an engine event, that contradicts it, is accepted: it
//! names the engine events it supersedes (`EventDetail::supersedes`), the log
//! keeps them, and every fold leaves them out. An engine event is never
//! superseded by a real event dated after it.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use super::event::{Event, EventKind, NewEvent};
use super::refusal::{Detail, Refusal, RefusalReason};
use super::state::ProjectState;
use super::{Project, Store, resolve_keys};
use crate::error::Error;
use crate::graph::Node;

/// A new event checked against the log: ready to append, with the engine
/// events it supersedes, and the state after it when the fold was redone.
pub(crate) struct Admitted {
    pub(crate) event: NewEvent,
    state: Option<ProjectState>,
}

impl Project {
    /// The log's events no later event superseded, in sequence order.
    pub fn effective_events(&self) -> impl Iterator<Item = &Event> {
        self.events.iter().zip(&self.superseded).filter(|(_, s)| s.is_none()).map(|(e, _)| e)
    }

    /// The event that superseded event `seq`, if one did.
    pub fn superseded_by(&self, seq: u64) -> Option<u64> {
        let i = usize::try_from(seq).ok()?.checked_sub(1)?;
        self.superseded.get(i).copied().flatten()
    }

    /// Folds the effective events and `extra` (a candidate not yet in the
    /// log), leaving out what `extra` supersedes, those dated after `until`.
    /// On refusal, the sequence number of the event the fold refused.
    ///
    /// # Complexity
    /// O(n log n) for n events: a sort, then one step per event.
    fn fold(&self, extra: Option<&Event>, until: Option<NaiveDate>) -> Result<ProjectState, (u64, Error)> {
        let skip: BTreeSet<u64> =
            extra.map(|e| e.detail.supersedes.iter().copied().collect()).unwrap_or_default();
        let mut list: Vec<&Event> = self
            .effective_events()
            .chain(extra)
            .filter(|e| !skip.contains(&e.seq) && until.is_none_or(|u| e.date <= u))
            .collect();
        list.sort_by_cached_key(|e| self.fold_key(e));
        let rules = self.rules();
        let mut state = ProjectState::new(self.graph.len());
        for e in list {
            if e.kind.is_project_level() {
                state.apply_project(e.into());
                continue;
            }
            let v = self.node(&e.step, e.kind).map_err(|err| (e.seq, err))?;
            state.apply(&rules, v, e.into()).map_err(|err| (e.seq, err))?;
        }
        Ok(state)
    }

    /// Where an event applies in the fold: by date, then by sequence number.
    /// An event that supersedes engine events of its own step takes the
    /// place of the earliest of them on its day, so what waited for that
    /// step on that day still comes after it.
    fn fold_key(&self, e: &Event) -> (NaiveDate, u64) {
        let own =
            e.detail.supersedes.iter().copied().filter(|&s| self.event(s).is_some_and(|o| o.step == e.step));
        (e.date, own.chain([e.seq]).min().unwrap_or(e.seq))
    }

    /// Event `seq` of the log.
    fn event(&self, seq: u64) -> Option<&Event> {
        self.events.get(usize::try_from(seq).ok()?.checked_sub(1)?)
    }

    /// The last day on which an engine event of a step could still be
    /// superseded: a real event dated on or before it may take its place.
    /// A deemed acceptance is dated the day of receipt but stands for the
    /// department's silence through the acceptance window: an answer dated
    /// within the window supersedes it.
    fn cutoff(&self, e: &Event) -> NaiveDate {
        if e.kind != EventKind::DeemedAccepted {
            return e.date;
        }
        let window = self.graph.node(&e.step).and_then(|v| self.rules().acceptance_due(v, e.date).ok());
        window.unwrap_or(e.date).max(e.date)
    }

    /// The engine events a real `event` contradicts even where the fold
    /// would take both: a deemed acceptance of its step when the
    /// department answered within the acceptance window (accepted, refused
    /// to accept, or asked for 补正).
    fn contradicted(&self, event: &NewEvent) -> BTreeSet<u64> {
        use EventKind as K;
        let answer = matches!(
            event.kind,
            K::Accepted | K::AcceptedIncomplete | K::NotAccepted | K::SupplementRequested
        );
        if event.kind == K::Opinion && !event.detail.engine {
            // A member's real opinion takes the place of its deemed agreement dated on or after it.
            return self
                .effective_events()
                .filter(|e| {
                    e.kind == K::DeemedAgreed && e.step == event.step && e.detail.dept == event.detail.dept
                })
                .filter(|e| event.date <= e.date)
                .map(|e| e.seq)
                .collect();
        }
        if event.detail.engine || !answer {
            return BTreeSet::new();
        }
        self.effective_events()
            .filter(|e| e.kind == K::DeemedAccepted && e.step == event.step)
            .filter(|e| e.date <= event.date && event.date <= self.cutoff(e))
            .map(|e| e.seq)
            .collect()
    }

    /// What `event` must say beyond its kind and date, and, for a deemed
    /// acceptance, that the acceptance window closed before `today`.
    fn check_detail(&self, event: &NewEvent, v: Node, today: Option<NaiveDate>) -> Result<(), RefusalReason> {
        Project::required_details(event)?;
        if let (EventKind::DeemedAccepted, Some(today)) = (event.kind, today) {
            let received = self.state.run(v).received.unwrap_or(event.date);
            if let Ok(due) = self.rules().acceptance_due(v, received) {
                if today <= due {
                    return Err(RefusalReason::AcceptanceWindowOpen { due, today });
                }
            }
        }
        Ok(())
    }

    /// What `event` must say beyond its kind and date, by its kind.
    fn required_details(event: &NewEvent) -> Result<(), RefusalReason> {
        let d = &event.detail;
        let blank = |t: &Option<String>| t.as_deref().is_none_or(|r| r.trim().is_empty());
        for &need in Detail::required(event.kind) {
            let missing = match need {
                Detail::Reason => blank(&d.reason),
                Detail::Days => d.days.is_none_or(|n| n == 0),
                Detail::By => blank(&d.by),
                Detail::Kind => d.procedure.is_none(),
                Detail::AnswerWithin => d.answer_within.is_none_or(|n| n == 0),
                Detail::Dept => blank(&d.dept),
                Detail::Verdict => d.verdict.is_none(),
                Detail::Agent => blank(&d.agent),
                Detail::Mode => d.mode.is_none(),
            };
            if missing {
                return Err(RefusalReason::MissingDetail { detail: need });
            }
        }
        Ok(())
    }

    /// [`Project::admit`] for an event about the whole project (`agent-assigned`, `mode-set`).
    fn admit_project(&self, event: NewEvent, today: Option<NaiveDate>) -> Result<Admitted, Error> {
        let refuse = |reason| Error::refused(Refusal { step: event.step.clone(), event: event.kind, reason });
        if !event.step.is_empty() {
            return Err(refuse(RefusalReason::ProjectLevel { project_level: true }));
        }
        if let Some(today) = today.filter(|&t| event.date > t) {
            return Err(refuse(RefusalReason::InFuture { date: event.date, today }));
        }
        Project::required_details(&event).map_err(refuse)?;
        if event.kind == EventKind::ModeSet && self.effective_events().any(|e| !e.kind.is_project_level()) {
            return Err(refuse(RefusalReason::ModeAfterStart));
        }
        Ok(Admitted { event, state: None })
    }

    /// Checks `event` against the log as if appended now: the engine events
    /// it supersedes, or why it is refused. `today`, when given, refuses
    /// events dated after it.
    pub(crate) fn admit(&self, mut event: NewEvent, today: Option<NaiveDate>) -> Result<Admitted, Error> {
        event.detail.supersedes.clear();
        event.detail.calendar_data = Some(self.calendar.data_version().to_string());
        if event.kind.is_project_level() {
            return self.admit_project(event, today);
        }
        if event.step.is_empty() {
            let reason = RefusalReason::ProjectLevel { project_level: false };
            return Err(Error::refused(Refusal { step: String::new(), event: event.kind, reason }));
        }
        let v = self.node(&event.step, event.kind)?;
        let refuse = |reason| Error::refused(Refusal { step: event.step.clone(), event: event.kind, reason });
        if let Some(today) = today.filter(|&t| event.date > t) {
            return Err(refuse(RefusalReason::InFuture { date: event.date, today }));
        }
        self.check_detail(&event, v, today).map_err(refuse)?;
        // A step's history never goes back past what people recorded.
        let own_later = self.effective_events().filter(|e| e.step == event.step && e.date > event.date);
        if let Some(last) = own_later.filter(|e| !e.is_engine()).map(|e| e.date).max() {
            return Err(refuse(RefusalReason::BeforeLastEvent { date: event.date, last }));
        }
        let forced = self.contradicted(&event);
        // The common case: in date order, nothing to supersede, one check against the state.
        if forced.is_empty() && self.last_date.is_none_or(|l| event.date >= l) {
            match self.state.check(&self.rules(), v, (&event).into()) {
                Ok(_) => return Ok(Admitted { event, state: None }),
                Err(e) if !e.is_refused() => return Err(e),
                Err(_) => {}
            }
        }
        self.admit_late(event, forced)
    }

    /// [`Project::admit`] by redoing the fold with the event in its place,
    /// superseding engine events (first those in `skip`) until the fold
    /// holds or a real event (the new one, or one already recorded) refuses.
    ///
    /// # Complexity
    /// O(k n log n) for n events, k of them superseded.
    fn admit_late(&self, mut event: NewEvent, mut skip: BTreeSet<u64>) -> Result<Admitted, Error> {
        let seq = self.events.len() as u64 + 1;
        loop {
            event.detail.supersedes = skip.iter().copied().collect();
            let candidate = Event::recorded(&self.record.id, seq, &event);
            let (at, err) = match self.fold(Some(&candidate), None) {
                Ok(state) => return Ok(Admitted { event, state: Some(state) }),
                Err(failed) => failed,
            };
            if !err.is_refused() {
                return Err(err);
            }
            let supersedable =
                |e: &Event| e.is_engine() && self.cutoff(e) >= event.date && !skip.contains(&e.seq);
            let grow: Vec<u64> = if at == seq {
                // The new event itself is refused: the engine events of its step it may take the place of.
                self.effective_events()
                    .filter(|e| e.step == event.step && supersedable(e))
                    .map(|e| e.seq)
                    .collect()
            } else {
                self.event(at).filter(|e| supersedable(e)).map(|e| e.seq).into_iter().collect()
            };
            if grow.is_empty() {
                if at == seq {
                    return Err(self.clearer_refusal(&event, err));
                }
                return Err(self.contradiction(&event, at, err));
            }
            skip.extend(grow);
        }
    }

    /// The new event's refusal, put plainly: an event dated before its
    /// prerequisites were done reads "still waits for" in its place in time;
    /// the dates say more.
    fn clearer_refusal(&self, event: &NewEvent, err: Error) -> Error {
        let waiting = err.refusal().is_some_and(|r| matches!(r.reason, RefusalReason::WaitingFor { .. }));
        if let (true, Ok(v)) = (waiting, self.node(&event.step, event.kind)) {
            if let Err(now) = self.state.check(&self.rules(), v, event.into()) {
                if now
                    .refusal()
                    .is_some_and(|r| matches!(r.reason, RefusalReason::BeforePrerequisites { .. }))
                {
                    return now;
                }
            }
        }
        err
    }

    /// The refusal when the fold refused event `at`: the new event's own
    /// reason, or the recorded event it would contradict.
    fn contradiction(&self, event: &NewEvent, at: u64, err: Error) -> Error {
        let Some(recorded) = self.event(at) else { return err };
        let Some(why) = err.refusal().map(|r| r.reason.clone()) else { return err };
        Error::refused(Refusal {
            step: event.step.clone(),
            event: event.kind,
            reason: RefusalReason::Contradicts {
                seq: recorded.seq,
                step: recorded.step.clone(),
                kind: recorded.kind,
                date: recorded.date,
                why: Box::new(why),
            },
        })
    }

    /// Adds a recorded event to the log and the state.
    ///
    /// # Errors
    /// [`Error::is_refused`] when the state does not allow it; nothing changes.
    pub(crate) fn apply(&mut self, event: Event, state: Option<ProjectState>) -> Result<(), Error> {
        let late = !event.detail.supersedes.is_empty() || self.last_date.is_some_and(|l| event.date < l);
        let state = match state {
            Some(s) => s,
            None if event.kind.is_project_level() => {
                let mut s = self.state.clone();
                s.apply_project((&event).into());
                s
            }
            None if late => self.fold(Some(&event), None).map_err(|(_, e)| e)?,
            None => {
                let v = self.node(&event.step, event.kind)?;
                let mut s = self.state.clone();
                s.apply(&self.rules(), v, (&event).into())?;
                s
            }
        };
        for &s in &event.detail.supersedes {
            if let Some(slot) = usize::try_from(s)
                .ok()
                .and_then(|s| s.checked_sub(1))
                .and_then(|i| self.superseded.get_mut(i))
            {
                *slot = Some(event.seq);
            }
        }
        self.state = state;
        let supersedes = !event.detail.supersedes.is_empty();
        self.last_date = self.last_date.max(Some(event.date));
        self.events.push(event);
        self.superseded.push(None);
        if supersedes {
            // As a replay counts it: the engine's events this one supersedes no longer date the project.
            self.last_date = self.effective_events().map(|e| e.date).max();
        }
        Ok(())
    }

    /// The project as it stood at the end of `date`: the effective events
    /// dated on or before it (an event entered late counts from its date;
    /// one superseded counts never).
    ///
    /// # Errors
    /// Only what a calendar question may fail with: the log folds.
    ///
    /// # Complexity
    /// O(n log n) for n events.
    pub fn as_of(&self, date: NaiveDate) -> Result<Project, Error> {
        let state = self.fold(None, Some(date)).map_err(|(_, e)| e)?;
        let mut p = self.clone();
        p.state = state;
        p.last_date = self.effective_events().map(|e| e.date).filter(|&d| d <= date).max();
        Ok(p)
    }

    /// Checks that the state allows `event` on or before `today`, without recording it.
    ///
    /// # Errors
    /// [`Error::is_refused`] with the reason.
    pub fn check(&self, event: &NewEvent, today: NaiveDate) -> Result<(), Error> {
        self.admit(event.clone(), Some(today)).map(|_| ())
    }

    /// Records one event dated on or before `today`: checks it against the
    /// log, appends it to the store (expecting the log this project has
    /// seen) and applies it. An event entered late takes its place in time;
    /// one that contradicts what the engine recorded on or after its date
    /// supersedes it.
    ///
    /// A retry with an idempotency key already recorded returns the recorded
    /// event and appends nothing.
    ///
    /// # Errors
    /// [`Error::is_refused`] (nothing written), [`Error::is_conflict`] when
    /// someone else appended first (reload with [`Project::open`] and retry),
    /// or a store failure.
    ///
    /// # Example
    /// ```
    /// use shenpi_core::runtime::{EventKind, MemoryStore, NewEvent, Project, RefusalReason};
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
    /// let today = day(20);
    /// let mut p = Project::create(&store, flow, "P-1", day(3), &[])?;
    /// let accepted = NewEvent::new("land", EventKind::Accepted, day(3)).with_key("window-7/1");
    /// let e = p.record(&store, accepted.clone(), today)?;
    /// assert_eq!(e.seq, 1);
    /// // A retry with the same key returns the recorded event and appends nothing.
    /// assert_eq!(p.record(&store, accepted, today)?, e);
    /// // A mistyped year: refused, with a reason to branch on.
    /// let typo = NewEvent::new("land", EventKind::Approved, NaiveDate::from_ymd_opt(2052, 3, 5).unwrap());
    /// let err = p.record(&store, typo, today).unwrap_err();
    /// assert!(matches!(err.refusal().map(|r| &r.reason), Some(RefusalReason::InFuture { .. })));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn record(&mut self, store: &dyn Store, event: NewEvent, today: NaiveDate) -> Result<Event, Error> {
        if let Some(old) = self.recorded_key(&event)? {
            return Ok(old);
        }
        let admitted = self.admit(event, Some(today))?;
        // The projection a store keeps: this state with the event applied, not a replay of the log.
        let projection = |recorded: &[Event]| {
            let mut after = self.clone();
            let applied = recorded.iter().try_for_each(|e| after.apply(e.clone(), admitted.state.clone()));
            applied.and_then(|()| after.projection()).unwrap_or_default()
        };
        let expected = self.events.len() as u64;
        let event = std::slice::from_ref(&admitted.event);
        let mut recorded = store.append_projected(&self.record.id, expected, event, &projection)?;
        let e =
            recorded.pop().ok_or_else(|| Error::store("the store returned no event for an append", None))?;
        if e.seq == self.events.len() as u64 + 1 {
            self.apply(e.clone(), admitted.state)?;
        } else if e.seq > self.events.len() as u64 {
            return Err(Error::store(
                format!("the store recorded event {} after {}", e.seq, self.events.len()),
                None,
            ));
        }
        Ok(e)
    }

    /// The recorded event a retry with `event`'s key repeats, if any.
    fn recorded_key(&self, event: &NewEvent) -> Result<Option<Event>, Error> {
        let Some(key) = &event.key else { return Ok(None) };
        let Some(old) = self.events.iter().rev().find(|e| e.key.as_ref() == Some(key)) else {
            return Ok(None);
        };
        resolve_keys(&self.record.id, std::slice::from_ref(event), |_| Ok(Some(old.clone())))?;
        Ok(Some(old.clone()))
    }

    /// Records several events dated on or before `today` in one append: all or none.
    ///
    /// # Errors
    /// As [`Project::record`]; when one is refused, nothing is written.
    pub fn record_all(
        &mut self,
        store: &dyn Store,
        events: Vec<NewEvent>,
        today: NaiveDate,
    ) -> Result<Vec<Event>, Error> {
        self.record_batch(store, events, Some(today), false)
    }

    /// Records `events` in one append; with `skip_refused`, leaves out those
    /// the log refuses (and writes nothing when all are) instead of failing.
    pub(crate) fn record_batch(
        &mut self,
        store: &dyn Store,
        events: Vec<NewEvent>,
        today: Option<NaiveDate>,
        skip_refused: bool,
    ) -> Result<Vec<Event>, Error> {
        let local = |key: &str| Ok(self.events.iter().find(|e| e.key.as_deref() == Some(key)).cloned());
        let known = resolve_keys(&self.record.id, &events, local)?;
        if known.iter().all(Option::is_some) {
            return Ok(known.into_iter().flatten().collect());
        }
        let (admitted, scratch) = self.admit_batch(events, &known, today, skip_refused)?;
        if admitted.is_empty() {
            return Ok(Vec::new());
        }
        // With no retry among them, the scratch project is the state after the append.
        let projection = |_: &[Event]| scratch.projection().unwrap_or_default();
        let expected = self.events.len() as u64;
        let recorded = if known.iter().all(Option::is_none) {
            store.append_projected(&self.record.id, expected, &admitted, &projection)?
        } else {
            store.append(&self.record.id, expected, &admitted)?
        };
        self.apply_recorded(&recorded)?;
        Ok(recorded)
    }

    /// `events` checked in order against the log with the batch's earlier
    /// events in it: what to append, and this project with them applied. An
    /// event `known` marks as recorded under its key goes as it is (the store
    /// returns the recorded one); with `skip_refused`, a refused event is left
    /// out instead of failing the batch.
    fn admit_batch(
        &self,
        events: Vec<NewEvent>,
        known: &[Option<Event>],
        today: Option<NaiveDate>,
        skip_refused: bool,
    ) -> Result<(Vec<NewEvent>, Project), Error> {
        let mut scratch = self.clone();
        let mut admitted = Vec::with_capacity(events.len());
        for (e, k) in events.into_iter().zip(known) {
            if k.is_some() {
                admitted.push(e);
                continue;
            }
            let a = match scratch.admit(e, today) {
                Ok(a) => a,
                Err(err) if skip_refused && err.is_refused() => continue,
                Err(err) => return Err(err),
            };
            let seq = scratch.events.len() as u64 + 1;
            scratch.apply(Event::recorded(&self.record.id, seq, &a.event), a.state)?;
            admitted.push(a.event);
        }
        Ok((admitted, scratch))
    }

    /// Folds in what the store recorded past this copy's log.
    fn apply_recorded(&mut self, recorded: &[Event]) -> Result<(), Error> {
        for e in recorded {
            if e.seq > self.events.len() as u64 {
                self.apply(e.clone(), None)?;
            }
        }
        Ok(())
    }

    /// Stores this project, started with [`Project::start`] or
    /// [`Project::start_on`] and not stored yet, together with its first
    /// events dated on or before `today`, in one step of the store
    /// ([`Store::create_with`]): all or nothing. An event about the whole
    /// project (`mode-set`, `agent-assigned`) is the usual first event;
    /// `project new --agent --mode`, `POST /v1/projects` and `project
    /// import` store their projects this way.
    ///
    /// # Errors
    /// As [`Project::record_all`] (an event refused, nothing is stored) and
    /// [`Store::create`] ([`Error::is_exists`] when the id is taken);
    /// [`Error::is_conflict`] when this copy already has a log (it came
    /// from a store).
    ///
    /// # Example
    /// ```
    /// use std::sync::Arc;
    /// use chrono::NaiveDate;
    /// use shenpi_core::Flow;
    /// use shenpi_core::runtime::{EventKind, MemoryStore, Mode, NewEvent, Project, Store};
    ///
    /// let flow = Arc::new(Flow::parse("f.yaml", "
    /// id: f
    /// name: 示例
    /// stages: [{ id: s, name: 阶段, steps: [{ id: land, name: 用地, dept: 自然资源局, promised: 5 }] }]
    /// ").map_err(|r| r.render())?);
    /// let day = NaiveDate::from_ymd_opt(2025, 3, 3).unwrap();
    /// let store = MemoryStore::new();
    /// let mut p = Project::start(flow.clone(), "P-1", day, &[])?;
    /// let first = vec![
    ///     NewEvent::project(EventKind::ModeSet, day).mode(Mode::Simulated),
    ///     NewEvent::project(EventKind::AgentAssigned, day).agent("王芳"),
    /// ];
    /// assert_eq!(p.create_with(&store, first, day)?.len(), 2);
    /// assert_eq!(Project::open(&store, "P-1")?.agent(), Some("王芳"));
    /// // A refused first event stores nothing.
    /// let mut q = Project::start(flow, "P-2", day, &[])?;
    /// assert!(q.create_with(&store, vec![NewEvent::new("land", EventKind::Approved, day)], day).is_err());
    /// assert!(store.load("P-2").unwrap_err().is_not_found());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn create_with(
        &mut self,
        store: &dyn Store,
        events: Vec<NewEvent>,
        today: NaiveDate,
    ) -> Result<Vec<Event>, Error> {
        if !self.events.is_empty() {
            return Err(Error::conflict(&self.record.id, 0, self.events.len() as u64));
        }
        let known = resolve_keys(&self.record.id, &events, |_| Ok(None))?;
        let (admitted, _) = self.admit_batch(events, &known, Some(today), false)?;
        let recorded = store.create_with(&self.record, &admitted)?;
        self.apply_recorded(&recorded)?;
        Ok(recorded)
    }

    /// Rebuilds the state from the log: the replay's fold, checking what
    /// stored logs must satisfy.
    pub(crate) fn refold(&mut self, events: Vec<Event>) -> Result<(), String> {
        for e in &events {
            if e.seq != self.events.len() as u64 + 1 {
                return Err(format!("event {} follows event {}", e.seq, self.events.len()));
            }
            for &s in &e.detail.supersedes {
                let slot = usize::try_from(s).ok().and_then(|s| s.checked_sub(1));
                match slot.filter(|&i| self.events.get(i).is_some_and(Event::is_engine)) {
                    Some(i) => self.superseded[i] = Some(e.seq),
                    None => {
                        return Err(format!(
                            "event {} supersedes event {s}, which is not an earlier engine event",
                            e.seq
                        ));
                    }
                }
            }
            self.events.push(e.clone());
            self.superseded.push(None);
        }
        self.last_date = self.effective_events().map(|e| e.date).max();
        self.state =
            self.fold(None, None).map_err(|(seq, err)| format!("event {seq} does not replay: {err}"))?;
        Ok(())
    }
}
