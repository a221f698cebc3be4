//! Where projects and their event logs live: the [`Store`] trait and an in-memory store.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::event::{Event, NewEvent};
use super::projection::{Dim, OpenStep, Projection, Tally, scan_open_steps, scan_tallies};
use super::refusal::{Refusal, RefusalReason};
use crate::error::Error;

/// What a store keeps about a project besides its events: enough to rebuild it exactly.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectRecord {
    /// The project's id, unique in the store.
    pub id: String,
    /// The flow's `id`.
    pub flow_id: String,
    /// SHA-256 of the flow text, lowercase hex: the pinned version.
    pub flow_hash: String,
    /// The name the flow was read under (a path, usually), for messages.
    pub flow_name: String,
    /// The flow text itself, so editing the file never changes a running project.
    pub flow_text: String,
    /// The text of the flow's calendar file, pinned the same way; `None` when
    /// the flow names a built-in calendar (`cn`), whose data updates reach
    /// running projects (next year's holidays, once published).
    pub calendar_text: Option<String>,
    /// The day the project started.
    pub start: NaiveDate,
    /// Its params as given (`K=V` pairs); defaults fill the rest.
    pub params: Vec<(String, String)>,
    /// The administrative region it belongs to (区划代码, e.g. `330421`), when
    /// a service keeps projects of several regions apart; `None` otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

impl ProjectRecord {
    /// True when its region starts with `prefix`, the way a region reaches the
    /// regions below it (`"3304"` reaches `"330421"`); `""` reaches every
    /// project, those without a region too, and only `""` reaches those.
    ///
    /// ```
    /// use chrono::{NaiveDate, Utc};
    /// use shenpi_core::runtime::ProjectRecord;
    ///
    /// let mut r = ProjectRecord {
    ///     id: "P".into(), flow_id: "f".into(), flow_hash: String::new(), flow_name: "f.yaml".into(),
    ///     flow_text: String::new(), calendar_text: None, start: NaiveDate::MIN, params: vec![],
    ///     region: Some("330421".into()), created_at: Utc::now(),
    /// };
    /// assert!(r.within("3304") && r.within("") && !r.within("3305"));
    /// r.region = None;
    /// assert!(r.within("") && !r.within("3304"));
    /// ```
    pub fn within(&self, prefix: &str) -> bool {
        self.region.as_deref().unwrap_or("").starts_with(prefix)
    }
}

/// Checks a region code (区划代码): 1 to 12 ASCII digits, as `33` a
/// province, `3304` a city, `330421` a county. A project's region is one;
/// [`ProjectRecord::within`] takes any prefix of one.
///
/// ```
/// use shenpi_core::runtime::region_code;
///
/// assert_eq!(region_code("330421")?, "330421");
/// let err = region_code("33-04").unwrap_err();
/// assert!(err.to_string().contains("1 to 12 digits"), "{err}");
/// # Ok::<(), shenpi_core::Error>(())
/// ```
///
/// # Errors
/// [`Error::is_param`] naming the text when it is empty, longer than 12 or
/// holds anything but digits.
pub fn region_code(text: &str) -> Result<&str, Error> {
    if text.is_empty() || text.len() > 12 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::param(format!(
            "`region` must be a region code of 1 to 12 digits (区划代码), not `{}`",
            text.escape_debug()
        )));
    }
    Ok(text)
}

/// Durable home of projects and their append-only event logs.
///
/// Narrow on purpose, so that a store on another database can follow. Every
/// method is one atomic step: a failed call writes nothing.
pub trait Store {
    /// Stores a new project with an empty log.
    ///
    /// # Errors
    /// [`Error::is_exists`] when the id is taken; [`Error::is_store`] when the backend fails.
    fn create(&self, project: &ProjectRecord) -> Result<(), Error>;

    /// Appends events to a project's log, all or none, and returns them as
    /// recorded, one for each input, in order.
    ///
    /// `expected` is the number of events the caller has seen: when the log
    /// holds another number the append fails with [`Error::is_conflict`]
    /// (optimistic concurrency). An event whose idempotency key is already
    /// recorded is not appended again: the recorded event is returned in its
    /// place, and when every event of the call is such a retry the call
    /// succeeds whatever `expected` says. A key recorded for a different
    /// event (step, kind or date) is refused.
    fn append(&self, project: &str, expected: u64, events: &[NewEvent]) -> Result<Vec<Event>, Error>;

    /// Stores a new project together with its first events, all or nothing,
    /// and returns them as recorded (numbered from 1), one for each input:
    /// a project started with an agent or a mode (`project new --agent
    /// --mode`), or moved in from another system (`project import`). When
    /// the id is taken, an event is refused (an idempotency key twice in the
    /// call) or the backend fails, neither the project nor any event is
    /// written. With no events it is [`Store::create`].
    ///
    /// # Errors
    /// As [`Store::create`] and [`Store::append`].
    fn create_with(&self, project: &ProjectRecord, events: &[NewEvent]) -> Result<Vec<Event>, Error>;

    /// [`Store::append`] by a caller that holds the project's state after the
    /// first `expected` events: `projection`, given the events as recorded
    /// (every one of `events`, numbered from `expected + 1`), returns the
    /// [`Projection`] of the log after the append, as [`projection_of`](super::projection_of)
    /// would. A store that keeps projections calls it inside its transaction,
    /// once the append is sure to go through, instead of reading the log back
    /// and replaying it; when some of `events` were recorded before (a retry
    /// in a batch) it does as [`Store::append`] does. The default never calls
    /// it. [`Project::record`](super::Project::record) appends this way.
    ///
    /// # Errors
    /// As [`Store::append`].
    fn append_projected(
        &self,
        project: &str,
        expected: u64,
        events: &[NewEvent],
        projection: &dyn Fn(&[Event]) -> Projection,
    ) -> Result<Vec<Event>, Error> {
        let _ = projection;
        self.append(project, expected, events)
    }

    /// The project and its whole log, in sequence order.
    ///
    /// # Errors
    /// [`Error::is_not_found`] for an unknown id.
    fn load(&self, project: &str) -> Result<(ProjectRecord, Vec<Event>), Error>;

    /// Every project id, sorted.
    fn list(&self) -> Result<Vec<String>, Error>;

    /// The open steps of `dept` (every department with `None`) that may stand
    /// on the supervision board on `date` ([`OpenStep::board_from`] on or
    /// before it), of the projects whose region starts with `region` (`""`:
    /// every project, see [`ProjectRecord::within`]), in any order;
    /// [`board_of`](super::board_of) makes the board.
    ///
    /// A store that keeps [`Projection`](super::Projection)s reads only those
    /// rows; the default replays every project ([`scan_open_steps`]).
    ///
    /// # Errors
    /// [`Error::is_store`] when the backend fails.
    fn open_steps(&self, dept: Option<&str>, date: NaiveDate, region: &str) -> Result<Vec<OpenStep>, Error> {
        scan_open_steps(self, dept, date, region)
    }

    /// The tallies of `dim` from `from` to `to`, inclusive, of the projects
    /// whose region starts with `region` (`""`: every project), summed per
    /// key and day, sorted by key and day, none all zero.
    ///
    /// A store that keeps projections reads its running sums, which it keeps
    /// per region as well, so the read grows with the regions under `region`
    /// and never with the projects; the default replays every project
    /// ([`scan_tallies`]).
    ///
    /// # Errors
    /// [`Error::is_store`] when the backend fails.
    fn tallies(&self, dim: Dim, from: NaiveDate, to: NaiveDate, region: &str) -> Result<Vec<Tally>, Error> {
        scan_tallies(self, dim, from, to, region)
    }

    /// Rebuilds every project's projection from its log, in one transaction,
    /// and returns how many projects it read. A store that keeps none has
    /// nothing to rebuild and returns 0.
    ///
    /// # Errors
    /// [`Error::is_store`] when the backend fails.
    fn reindex(&self) -> Result<u64, Error> {
        Ok(0)
    }
}

/// A [`Store`] in memory: for tests, examples and short-lived tools.
#[derive(Debug, Default)]
pub struct MemoryStore {
    projects: Mutex<BTreeMap<String, Log>>,
}

#[derive(Debug)]
struct Log {
    record: ProjectRecord,
    events: Vec<Event>,
    keys: HashMap<String, usize>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }
}

/// Resolves idempotency keys for an append: for each new event, the recorded
/// event it repeats, if any. Refuses a key used for a different event or twice in one call.
pub fn resolve_keys(
    project: &str,
    events: &[NewEvent],
    mut lookup: impl FnMut(&str) -> Result<Option<Event>, Error>,
) -> Result<Vec<Option<Event>>, Error> {
    let mut out = Vec::with_capacity(events.len());
    for (i, e) in events.iter().enumerate() {
        let Some(key) = &e.key else {
            out.push(None);
            continue;
        };
        if events[..i].iter().any(|o| o.key.as_deref() == Some(key)) {
            let reason = RefusalReason::KeyRepeated { key: key.clone() };
            return Err(Error::refused(Refusal { step: e.step.clone(), event: e.kind, reason }));
        }
        let found = lookup(key)?;
        if let Some(r) = &found {
            if !e.matches(r) {
                let reason = RefusalReason::KeyReused {
                    key: key.clone(),
                    project: project.to_string(),
                    seq: r.seq,
                    recorded_step: r.step.clone(),
                    recorded_kind: r.kind,
                    recorded_date: r.date,
                    date: e.date,
                };
                return Err(Error::refused(Refusal { step: e.step.clone(), event: e.kind, reason }));
            }
        }
        out.push(found);
    }
    Ok(out)
}

impl Log {
    /// [`Store::append`] on this log.
    fn append(&mut self, project: &str, expected: u64, events: &[NewEvent]) -> Result<Vec<Event>, Error> {
        let log = self;
        let known = resolve_keys(project, events, |k| Ok(log.keys.get(k).map(|&i| log.events[i].clone())))?;
        if known.iter().all(Option::is_some) {
            return Ok(known.into_iter().flatten().collect());
        }
        let len = log.events.len() as u64;
        if len != expected {
            return Err(Error::conflict(project, expected, len));
        }
        let mut out = Vec::with_capacity(events.len());
        for (new, old) in events.iter().zip(known) {
            match old {
                Some(e) => out.push(e),
                None => {
                    let e = Event::recorded(project, log.events.len() as u64 + 1, new);
                    if let Some(k) = &e.key {
                        log.keys.insert(k.clone(), log.events.len());
                    }
                    log.events.push(e.clone());
                    out.push(e);
                }
            }
        }
        Ok(out)
    }
}

impl Store for MemoryStore {
    fn create(&self, project: &ProjectRecord) -> Result<(), Error> {
        let mut map = self.projects.lock().unwrap_or_else(PoisonError::into_inner);
        if map.contains_key(&project.id) {
            return Err(Error::exists(&project.id));
        }
        let log = Log { record: project.clone(), events: Vec::new(), keys: HashMap::new() };
        map.insert(project.id.clone(), log);
        Ok(())
    }

    fn create_with(&self, project: &ProjectRecord, events: &[NewEvent]) -> Result<Vec<Event>, Error> {
        let mut map = self.projects.lock().unwrap_or_else(PoisonError::into_inner);
        if map.contains_key(&project.id) {
            return Err(Error::exists(&project.id));
        }
        let mut log = Log { record: project.clone(), events: Vec::new(), keys: HashMap::new() };
        let out = log.append(&project.id, 0, events)?;
        map.insert(project.id.clone(), log);
        Ok(out)
    }

    fn append(&self, project: &str, expected: u64, events: &[NewEvent]) -> Result<Vec<Event>, Error> {
        let mut map = self.projects.lock().unwrap_or_else(PoisonError::into_inner);
        let log = map.get_mut(project).ok_or_else(|| Error::not_found(project))?;
        log.append(project, expected, events)
    }

    fn load(&self, project: &str) -> Result<(ProjectRecord, Vec<Event>), Error> {
        let map = self.projects.lock().unwrap_or_else(PoisonError::into_inner);
        let log = map.get(project).ok_or_else(|| Error::not_found(project))?;
        Ok((log.record.clone(), log.events.clone()))
    }

    fn list(&self) -> Result<Vec<String>, Error> {
        let map = self.projects.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(map.keys().cloned().collect())
    }
}
