//! `shenpi project import FILE.jsonl`: moves a centre's existing projects
//! into a store, one JSON object per line — a project to start
//! (`{"project", "flow", "start", "params"?, "region"?}`) or an event
//! (`{"project", "step", "kind", "date", "key"?, "reason"?, "days"?, …}`, the
//! fields of `project event --format json`).
//!
//! All or nothing per project: its lines are checked in order against a copy
//! in memory, and only a project whose every line passes is written, in one
//! transaction (a new project together with its events, `Store::create_with`;
//! an existing one's events in one append). Every refusal names its line. A flow path is read relative to the
//! current directory, as for `project new`.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use shenpi_core::runtime::{Event, MemoryStore, NewEvent, Project, Store, region_code};
use shenpi_core::{ErrorKind, Flow};
use shenpi_sqlite::SqliteStore;

use crate::Format;
use crate::common::{Cause, Failure, ReachArg};

/// A line that starts a project.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Start {
    project: String,
    flow: PathBuf,
    start: NaiveDate,
    #[serde(default)]
    params: BTreeMap<String, String>,
    #[serde(default)]
    region: Option<String>,
}

enum Item {
    Start(Start),
    Event(NewEvent),
}

/// One refused line.
#[derive(Serialize)]
struct Refused {
    line: usize,
    project: Option<String>,
    message: String,
}

/// What `project import --format json` prints.
#[derive(Serialize)]
struct ImportOut {
    /// The projects written (started or added to), in file order.
    imported: Vec<String>,
    /// Events written.
    events: usize,
}

fn recorded_as_new(e: &Event) -> NewEvent {
    NewEvent {
        step: e.step.clone(),
        kind: e.kind,
        date: e.date,
        key: e.key.clone(),
        detail: e.detail.clone(),
    }
}

/// Reads the lines of `text`: each project's items with their line numbers,
/// in the order projects first appear, and the lines that are not items.
#[allow(clippy::type_complexity)]
fn parse(text: &str) -> (Vec<(String, Vec<(usize, Item)>)>, Vec<Refused>) {
    let mut order: Vec<(String, Vec<(usize, Item)>)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut refused = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let value: serde_json::Value = match serde_json::from_str(raw) {
            Ok(v) => v,
            Err(e) => {
                refused.push(Refused { line, project: None, message: format!("not JSON: {e}") });
                continue;
            }
        };
        let project = value.get("project").and_then(|p| p.as_str()).map(str::to_string);
        let item = if value.get("flow").is_some() {
            serde_json::from_value::<Start>(value).map(Item::Start)
        } else {
            serde_json::from_value::<NewEvent>(value).map(Item::Event)
        };
        match (project, item) {
            (Some(p), Ok(item)) => {
                let k = *index.entry(p.clone()).or_insert_with(|| {
                    order.push((p.clone(), Vec::new()));
                    order.len() - 1
                });
                order[k].1.push((line, item));
            }
            (project, Err(e)) => refused.push(Refused {
                line,
                project,
                message: format!("neither a project to start nor an event: {e}"),
            }),
            (None, Ok(_)) => unreachable!("a line without `project` does not deserialize"),
        }
    }
    (order, refused)
}

/// A project whose every line passed: the project to create (when the file
/// starts it), the log length to append after, and the events to append.
struct Checked {
    fresh: Option<Project>,
    expected: u64,
    events: Vec<NewEvent>,
}

/// Checks one project's lines against a copy in memory; the project as
/// checked and the events to append, or the line refused and why.
fn check(
    store: &SqliteStore,
    id: &str,
    items: Vec<(usize, Item)>,
    flows: &mut HashMap<PathBuf, Arc<Flow>>,
    reach: ReachArg,
) -> Result<Checked, (usize, String)> {
    let memory = MemoryStore::new();
    let mut items = items.into_iter().peekable();
    let first = items.peek().map_or(0, |(l, _)| *l);
    let (mut p, fresh) = match items.next_if(|(_, i)| matches!(i, Item::Start(_))) {
        Some((line, Item::Start(s))) => {
            let fail = |e: &dyn std::fmt::Display| (line, e.to_string());
            let flow = match flows.get(&s.flow) {
                Some(f) => f.clone(),
                None => {
                    let f = Arc::new(Flow::load(&s.flow).map_err(|e| fail(&e))?);
                    flows.insert(s.flow.clone(), f.clone());
                    f
                }
            };
            let calendar =
                crate::common::project_calendar(&flow, &s.flow, reach).map_err(|e| (line, e.message))?;
            let params: Vec<(String, String)> = s.params.into_iter().collect();
            let mut p =
                Project::start_on(calendar, flow, &s.project, s.start, &params).map_err(|e| fail(&e))?;
            if let Some(r) = s.region {
                region_code(&r).map_err(|e| fail(&e))?;
                p = p.in_region(r);
            }
            if store.load(id).is_ok() {
                return Err((line, format!("project `{id}` already exists in the store")));
            }
            memory.create(p.info()).map_err(|e| fail(&e))?;
            (Project::open(&memory, id).map_err(|e| fail(&e))?, true)
        }
        _ => {
            let (record, events) = store.load(id).map_err(|e| (first, e.to_string()))?;
            memory.create(&record).map_err(|e| (first, e.to_string()))?;
            let old: Vec<NewEvent> = events.iter().map(recorded_as_new).collect();
            memory.append(id, 0, &old).map_err(|e| (first, e.to_string()))?;
            (Project::open(&memory, id).map_err(|e| (first, e.to_string()))?, false)
        }
    };
    let before = p.events().len();
    let today = p.calendar().today();
    for (line, item) in items {
        match item {
            Item::Start(_) => {
                return Err((line, format!("project `{id}` is started again after its first line")));
            }
            Item::Event(e) => {
                p.record(&memory, e, today).map_err(|e| (line, e.to_string()))?;
            }
        }
    }
    let new = p.events()[before..].iter().map(recorded_as_new).collect();
    Ok(Checked { fresh: fresh.then_some(p), expected: before as u64, events: new })
}

/// Runs `project import`.
pub fn import(
    db: &Path,
    file: &Path,
    format: Format,
    reach: ReachArg,
    out: &mut Vec<u8>,
) -> Result<(), Failure> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| Failure::new(Cause::Usage, format!("cannot read `{}`: {e}", file.display())))?;
    let (projects, mut refused) = parse(&text);
    let store = SqliteStore::open(db)?;
    let mut flows = HashMap::new();
    let mut done = ImportOut { imported: Vec::new(), events: 0 };
    for (id, items) in projects {
        match check(&store, &id, items, &mut flows, reach) {
            Err((line, message)) => refused.push(Refused { line, project: Some(id), message }),
            Ok(Checked { fresh, expected, events }) => {
                // One transaction per project: a new one with its events, or the events on an old one.
                match fresh {
                    Some(p) => {
                        store.create_with(p.info(), &events)?;
                    }
                    None if !events.is_empty() => {
                        store.append(&id, expected, &events)?;
                    }
                    None => {}
                }
                done.events += events.len();
                done.imported.push(id);
            }
        }
    }
    if !refused.is_empty() {
        refused.sort_by_key(|r| r.line);
        let mut message = format!(
            "imported {} project(s) with {} event(s); refused {} line(s), their projects written not at all:",
            done.imported.len(),
            done.events,
            refused.len()
        );
        for r in &refused {
            let who = r.project.as_deref().map_or(String::new(), |p| format!(" project `{p}`:"));
            message.push_str(&format!("\n  line {}:{who} {}", r.line, r.message));
        }
        return Err(Failure::new(Cause::Error(ErrorKind::Refused), message));
    }
    if format == Format::Json {
        serde_json::to_writer_pretty(&mut *out, &done).map_err(std::io::Error::other)?;
        writeln!(out)?;
        return Ok(());
    }
    writeln!(out, "imported {} project(s) with {} event(s)", done.imported.len(), done.events)?;
    Ok(())
}
