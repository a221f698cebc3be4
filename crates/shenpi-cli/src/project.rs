//! `shenpi project`: live projects in a store file.
//!
//! Reads (`status`, `board`, `render`) open the store read-only and never
//! write: what the engine owes by the day asked about is shown and folded
//! in; `advance` records it. Writes (`new`, `event`, `advance`) open it to
//! write; `event` re-reads and retries when another writer got there first.
//!
//! Exit codes: 0 ok; 1 invalid input (a flow with errors, a bad param, an
//! event the project's state refuses, a date after today, an unknown
//! project); 2 usage, I/O or store error (a missing, damaged or foreign
//! store file).

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use shenpi_core::Flow;
use shenpi_core::calendar::{Zone, parse_date};
use shenpi_core::render::{self, Gantt};
use shenpi_core::runtime::{
    Alert, BoardQuery, Event, EventKind, Mode, NewEvent, PauseReason, ProcedureKind, Project, STAGE_PREFIX,
    StepState, Store, Verdict, accountability, agent_view, board_of_by, region_code,
};
use shenpi_sqlite::SqliteStore;

use crate::Format;
use crate::common::Failure;
use crate::project_table::{accountability_table, agent_table, board_table, status_table};

/// Arguments of `shenpi project`.
#[derive(clap::Args)]
pub struct Args {
    /// The store file (SQLite). `new` creates it when missing; reads never do
    #[arg(long, global = true, value_name = "PATH", env = "SHENPI_DB", default_value = "shenpi.db")]
    db: PathBuf,
    #[command(subcommand)]
    command: Cmd,
}

#[derive(clap::Subcommand)]
enum Cmd {
    /// Start a project of a flow; the flow's text (and its calendar file's) is pinned in the store
    New {
        /// The flow file
        flow: PathBuf,
        /// The project's id, unique in the store
        #[arg(long)]
        id: String,
        /// The start date, YYYY-MM-DD
        #[arg(long)]
        start: String,
        /// A project param, K=V (repeatable)
        #[arg(long = "param", value_name = "K=V")]
        params: Vec<String>,
        /// The agent (代办员) who looks after it: records `agent-assigned`
        #[arg(long)]
        agent: Option<String>,
        /// `simulated` (模拟审批): steps with `provisional` may be accepted ahead of
        /// the prerequisites their `before` names; records `mode-set`
        #[arg(long, value_name = "MODE")]
        mode: Option<String>,
        /// The region it belongs to (区划代码, 1 to 12 digits, e.g. `330421`), which
        /// `shenpi report --region` and a service's tokens select by
        #[arg(long, value_name = "CODE")]
        region: Option<String>,
        /// `table` for a person, `json` for tools: the stored project, as `shenpi serve` returns it
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        #[command(flatten)]
        reach: crate::common::ReachArg,
    },
    /// Record an event that happened (never one dated after today): received, accepted,
    /// accepted-incomplete, not-accepted, supplement-requested, supplement-received,
    /// procedure-started, procedure-ended, extended, approved, rejected, returned, withdrawn,
    /// terminated, provisional-approved, confirmed, revoked, deemed-approved, deemed-accepted,
    /// opinion, deemed-agreed, verified, commitment-breached, supervised, answered; on a stage with a window,
    /// `stage:ID accepted`; about the whole project (no step), agent-assigned, mode-set
    Event(Box<EventArgs>),
    /// Both clocks of every step on a day, and the project's outlook; shows what the
    /// engine owes by then (deemed acceptance and approval, 容缺 termination,
    /// confirmations) without recording it
    Status {
        /// The project's id (or give `--agent` for an agent's projects)
        #[arg(required_unless_present = "agent", conflicts_with = "agent")]
        id: Option<String>,
        /// An agent's view: each of their projects with the step due next
        #[arg(long)]
        agent: Option<String>,
        /// The day, YYYY-MM-DD (default: today)
        #[arg(long)]
        date: Option<String>,
        /// `table` for a person, `json` for tools
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Record what the engine owes up to a day, never after today
    Advance {
        /// The project's id
        id: String,
        /// The day, YYYY-MM-DD (default: today)
        #[arg(long)]
        to: Option<String>,
        /// `table` for a person, `json` for tools: the events recorded and the log's length
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// The project's Gantt chart on a day, SVG: done steps in grey with their
    /// dates, steps under way in their alert colour, the rest re-planned
    Render {
        /// The project's id
        id: String,
        /// The day, YYYY-MM-DD (default: today)
        #[arg(long)]
        date: Option<String>,
        /// Write to this file instead of standard output
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Supervision board (电子监察): every open step due, overdue or flagged (a repeated 补正, a
    /// procedure past its cap) on a day, by department, with its rung of the escalation ladder
    /// (预警, 超期, 督办, 问责); read from the store's projections
    Board {
        /// The day, YYYY-MM-DD (default: today)
        #[arg(long)]
        date: Option<String>,
        /// Only this department
        #[arg(long)]
        dept: Option<String>,
        /// Only the projects of this agent (代办员)
        #[arg(long)]
        agent: Option<String>,
        #[command(flatten)]
        region: crate::common::RegionArg,
        /// `table` for a person, `json` for tools
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// The 问责 list: supervision notices (督办) left unanswered past their days to answer on a
    /// day, by department; read from the store's projections
    Accountability {
        /// The day, YYYY-MM-DD (default: today)
        #[arg(long)]
        date: Option<String>,
        /// Only this department
        #[arg(long)]
        dept: Option<String>,
        #[command(flatten)]
        region: crate::common::RegionArg,
        /// `table` for a person, `json` for tools
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Move existing projects in from a file of JSON lines, each a project to start
    /// (`{"project", "flow", "start", "params"}`) or an event (`{"project", "step", "kind",
    /// "date", …}`); all or nothing per project, every refusal with its line number
    Import {
        /// The file, one JSON object per line
        file: PathBuf,
        /// `table` for a person, `json` for tools: the projects written and the events
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        #[command(flatten)]
        reach: crate::common::ReachArg,
    },
    /// Rebuild the board's and the statistics' projections from every project's log
    Reindex {
        /// `table` for a person, `json` for tools: how many projects were read
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
}

/// `shenpi project event`.
#[derive(clap::Args)]
struct EventArgs {
    /// The project's id
    id: String,
    /// The step's id in the flow; `stage:ID` for an acceptance at a stage's window;
    /// left out for an event about the whole project (`agent-assigned`, `mode-set`)
    #[arg(value_name = "STEP")]
    step: String,
    /// What happened (kebab-case)
    #[arg(value_name = "KIND")]
    what: Option<String>,
    /// The day it happened, YYYY-MM-DD (default: today)
    #[arg(long)]
    date: Option<String>,
    /// An idempotency key: recording the same key again records the event once
    #[arg(long, value_parser = crate::common::key)]
    key: Option<String>,
    /// Why: for `not-accepted` (不予受理) and `terminated` (终止办理)
    #[arg(long)]
    reason: Option<String>,
    /// Working days: for `extended`, how many the legal limit grows by
    #[arg(long)]
    days: Option<u32>,
    /// Who decided: for `extended`, the head who approved it
    #[arg(long)]
    by: Option<String>,
    /// For `procedure-started`: hearing, tender, inspection, expert-review, public-notice, site-survey
    #[arg(long = "kind", value_name = "PROCEDURE")]
    procedure: Option<String>,
    /// For `procedure-started`: the day the applicant was told of it, YYYY-MM-DD (Art. 45)
    #[arg(long, value_name = "DATE")]
    notified: Option<String>,
    /// For `opinion`: the member department of the joint step; for `supervised` and `answered`:
    /// the department supervised
    #[arg(long)]
    dept: Option<String>,
    /// For `supervised` (督办): the working days the department has to answer
    #[arg(long, value_name = "DAYS")]
    answer_within: Option<u32>,
    /// For `opinion`: agree, disagree or conditions
    #[arg(long)]
    verdict: Option<String>,
    /// For `opinion`: conditions or remarks
    #[arg(long)]
    note: Option<String>,
    /// For `approved`: on the applicant's written pledge (告知承诺制), at acceptance
    #[arg(long)]
    commitment: bool,
    /// For `agent-assigned`: the agent (代办员)
    #[arg(long)]
    agent: Option<String>,
    /// For `mode-set`: normal or simulated
    #[arg(long, value_name = "MODE")]
    mode: Option<String>,
    /// `table` for a person, `json` for tools: the recorded event with its sequence number
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

/// Today before a project is open: Beijing time, the zone of `cn`, not the
/// machine's. Once a project is open its calendar's zone decides
/// ([`Calendar::today`](shenpi_core::calendar::Calendar::today)).
fn today() -> NaiveDate {
    Zone::shanghai().today()
}

fn date_arg(text: Option<&str>) -> Result<NaiveDate, Failure> {
    match text {
        None => Ok(today()),
        Some(t) => parse_date(t).map_err(|e| Failure::usage(e.to_string())),
    }
}

/// A project command's date: the one given, or today in the project's calendar's zone.
fn date_on(text: Option<&str>, p: &Project) -> Result<NaiveDate, Failure> {
    match text {
        None => Ok(p.calendar().today()),
        Some(t) => date_arg(Some(t)),
    }
}

impl Args {
    /// The output format asked for; `table` for `render`, which draws SVG.
    pub fn format(&self) -> Format {
        match &self.command {
            Cmd::New { format, .. }
            | Cmd::Status { format, .. }
            | Cmd::Advance { format, .. }
            | Cmd::Board { format, .. }
            | Cmd::Accountability { format, .. }
            | Cmd::Reindex { format }
            | Cmd::Import { format, .. } => *format,
            Cmd::Event(a) => a.format,
            Cmd::Render { .. } => Format::Table,
        }
    }
}

/// Runs a `project` subcommand; prints nothing on stdout when it fails.
pub fn run(args: Args) -> Result<(), Failure> {
    let mut out = Vec::new();
    exec(args, &mut out)?;
    io::stdout().lock().write_all(&out)?;
    Ok(())
}

/// The event a command line describes, checked before any store is opened.
fn new_event(a: &EventArgs) -> Result<NewEvent, Failure> {
    // `event P agent-assigned …`: an event about the whole project names no step.
    let (step, what) = match &a.what {
        Some(what) => (a.step.clone(), what.as_str()),
        None => (String::new(), a.step.as_str()),
    };
    let kind = what.parse::<EventKind>().map_err(|e| Failure::usage(e.to_string()))?;
    if a.what.is_none() && !kind.is_project_level() {
        return Err(Failure::usage(format!("`{kind}` needs a step: shenpi project event ID STEP {kind}")));
    }
    let mut e = NewEvent::new(step, kind, date_arg(a.date.as_deref())?);
    e.key = a.key.clone();
    if let Some(r) = &a.reason {
        e = e.reason(r.clone());
    }
    if let Some(d) = a.days {
        e = e.days(d);
    }
    if let Some(b) = &a.by {
        e = e.by(b.clone());
    }
    if let Some(k) = &a.procedure {
        e = e.procedure(k.parse::<ProcedureKind>().map_err(Failure::usage)?);
    }
    if let Some(n) = &a.notified {
        e = e.notified(date_arg(Some(n))?);
    }
    if let Some(d) = &a.dept {
        e = e.dept(d.clone());
    }
    if let Some(k) = a.answer_within {
        e = e.answer_within(k);
    }
    if let Some(v) = &a.verdict {
        e = e.verdict(v.parse::<Verdict>().map_err(Failure::usage)?);
    }
    if let Some(n) = &a.note {
        e = e.note(n.clone());
    }
    if a.commitment {
        e = e.commitment();
    }
    if let Some(g) = &a.agent {
        e = e.agent(g.clone());
    }
    if let Some(m) = &a.mode {
        e = e.mode(mode_arg(m)?);
    }
    Ok(e)
}

fn mode_arg(text: &str) -> Result<Mode, Failure> {
    text.parse::<Mode>().map_err(Failure::usage)
}

/// Opens the store to read: never creates, migrates or writes it.
pub(crate) fn reader(db: &Path) -> Result<SqliteStore, Failure> {
    SqliteStore::open_read_only(db).map_err(|e| {
        let f = Failure::from(e);
        if db.exists() {
            return f;
        }
        f.help("`shenpi project new` creates a store; pass its path with `--db` or SHENPI_DB")
    })
}

fn exec(args: Args, out: &mut Vec<u8>) -> Result<(), Failure> {
    // Arguments first: a typo should not touch a store file.
    match &args.command {
        Cmd::New { start, params, mode, .. } => {
            date_arg(Some(start))?;
            if let Some(m) = mode {
                mode_arg(m)?;
            }
            if let Some(p) = params.iter().find(|p| !p.contains('=')) {
                return Err(Failure::usage(format!("param `{p}` is not of the form K=V")));
            }
        }
        Cmd::Event(a) => {
            new_event(a)?;
        }
        Cmd::Status { date, .. }
        | Cmd::Board { date, .. }
        | Cmd::Accountability { date, .. }
        | Cmd::Render { date, .. } => {
            date_arg(date.as_deref())?;
        }
        Cmd::Advance { to, .. } => {
            date_arg(to.as_deref())?;
        }
        Cmd::Reindex { .. } | Cmd::Import { .. } => {}
    }
    match args.command {
        Cmd::New { flow, id, start, params, agent, mode, region, format, reach } => {
            let region = region.as_deref().map(|r| region_code(r).map(str::to_string)).transpose()?;
            let opts = NewOpts { agent, mode: mode.as_deref().map(mode_arg).transpose()?, region };
            new(&args.db, &flow, &id, &start, &params, &opts, format, reach, out)
        }
        Cmd::Event(a) => event(&args.db, &a, out),
        Cmd::Advance { id, to, format } => advance(&args.db, &id, to.as_deref(), format, out),
        Cmd::Status { id: None, agent: Some(agent), date, format } => {
            let date = date_arg(date.as_deref())?;
            let store = reader(&args.db)?;
            let projects: Vec<Project> =
                store.list()?.iter().map(|id| Project::open(&store, id)).collect::<Result<_, _>>()?;
            let rows = agent_view(&projects, date, &agent)?;
            match format {
                Format::Json => json(out, &rows),
                Format::Table => Ok(agent_table(out, date, &agent, &rows)?),
            }
        }
        Cmd::Status { id, date, format, .. } => {
            let id = id.ok_or_else(|| Failure::usage("give a project's id, or `--agent`"))?;
            let store = reader(&args.db)?;
            let p = Project::open(&store, &id)?;
            let status = p.status(date_on(date.as_deref(), &p)?)?;
            match format {
                Format::Json => json(out, &status),
                Format::Table => Ok(status_table(out, &status, p.graph().flow())?),
            }
        }
        Cmd::Render { id, date, output } => {
            let store = reader(&args.db)?;
            let p = Project::open(&store, &id)?;
            let status = p.status(date_on(date.as_deref(), &p)?)?;
            let gantt = Gantt::from_status(p.graph(), &status);
            let svg = render::gantt_svg(p.graph(), &gantt, p.calendar());
            match output {
                Some(path) => crate::render::write_out(Some(&path), &svg)?,
                None => out.extend_from_slice(svg.as_bytes()),
            }
            Ok(())
        }
        Cmd::Board { date, dept, agent, region, format } => {
            let (date, region) = (date_arg(date.as_deref())?, region.prefix()?);
            let store = reader(&args.db)?;
            // The projections carry joint members, providers and agents: no project is replayed.
            let query = BoardQuery { dept: dept.as_deref(), agent: agent.as_deref() };
            let rows = board_of_by(&store.open_steps(dept.as_deref(), date, region)?, date, &query);
            match format {
                Format::Json => json(out, &rows),
                Format::Table => Ok(board_table(out, date, &rows)?),
            }
        }
        Cmd::Accountability { date, dept, region, format } => {
            let (date, region) = (date_arg(date.as_deref())?, region.prefix()?);
            let store = reader(&args.db)?;
            let rows = accountability(&store, date, dept.as_deref(), region)?;
            match format {
                Format::Json => json(out, &rows),
                Format::Table => Ok(accountability_table(out, date, &rows)?),
            }
        }
        Cmd::Import { file, format, reach } => crate::import::import(&args.db, &file, format, reach, out),
        Cmd::Reindex { format } => {
            // A missing store is an error, not a new empty one.
            drop(reader(&args.db)?);
            let store = SqliteStore::open(&args.db)?;
            let projects = store.reindex()?;
            if format == Format::Json {
                return json(out, &serde_json::json!({ "projects": projects }));
            }
            writeln!(out, "rebuilt the projections of {projects} project(s) in `{}`", args.db.display())?;
            Ok(())
        }
    }
}

fn json(out: &mut Vec<u8>, value: &impl Serialize) -> Result<(), Failure> {
    serde_json::to_writer_pretty(&mut *out, value).map_err(io::Error::other)?;
    writeln!(out)?;
    Ok(())
}

/// A stored project, as `project new --format json` prints it: the fields
/// `shenpi serve` answers `POST /v1/projects` with (the pinned texts left out).
#[derive(Serialize)]
struct ProjectOut<'a> {
    id: &'a str,
    flow: &'a str,
    flow_hash: &'a str,
    start: NaiveDate,
    params: BTreeMap<&'a str, &'a str>,
    region: Option<&'a str>,
    agent: Option<&'a str>,
    mode: Mode,
    created_at: DateTime<Utc>,
    /// How many events its log holds.
    sequence: u64,
}

impl<'a> ProjectOut<'a> {
    fn of(p: &'a Project) -> ProjectOut<'a> {
        let r = p.info();
        ProjectOut {
            id: &r.id,
            flow: &r.flow_id,
            flow_hash: &r.flow_hash,
            start: r.start,
            params: r.params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect(),
            region: r.region.as_deref(),
            agent: p.agent(),
            mode: p.state().mode(),
            created_at: r.created_at,
            sequence: p.events().len() as u64,
        }
    }
}

/// What `project advance --format json` prints: the events recorded, in
/// order (empty when nothing was owed), and how many the log holds now.
#[derive(Serialize)]
struct AdvanceOut<'a> {
    project: &'a str,
    to: NaiveDate,
    recorded: &'a [Event],
    sequence: u64,
}

/// What `project new` records with the project, in the same transaction.
struct NewOpts {
    agent: Option<String>,
    mode: Option<Mode>,
    region: Option<String>,
}

// The arguments of `project new`, one for one.
#[allow(clippy::too_many_arguments)]
fn new(
    db: &Path,
    flow_path: &Path,
    id: &str,
    start: &str,
    params: &[String],
    opts: &NewOpts,
    format: Format,
    reach: crate::common::ReachArg,
    out: &mut Vec<u8>,
) -> Result<(), Failure> {
    let flow = Flow::load(flow_path)?;
    let calendar = crate::common::project_calendar(&flow, flow_path, reach)?;
    let pairs: Vec<(String, String)> = params
        .iter()
        .filter_map(|p| p.split_once('=').map(|(k, v)| (k.trim().to_string(), v.trim().to_string())))
        .collect();
    let mut p = Project::start_on(calendar, Arc::new(flow), id, date_arg(Some(start))?, &pairs)?;
    if let Some(r) = &opts.region {
        p = p.in_region(r.clone());
    }
    // Dated the start, or today for a project that starts later: nothing is recorded ahead.
    let today = p.calendar().today();
    let day = p.info().start.min(today);
    let mut first = Vec::new();
    if let Some(m) = opts.mode {
        first.push(NewEvent::project(EventKind::ModeSet, day).mode(m));
    }
    if let Some(a) = &opts.agent {
        first.push(NewEvent::project(EventKind::AgentAssigned, day).agent(a.clone()));
    }
    // The project and its first events in one transaction: all or nothing.
    let store = SqliteStore::open(db)?;
    p.create_with(&store, first, today)?;
    if format == Format::Json {
        return json(out, &ProjectOut::of(&p));
    }
    let info = p.info();
    writeln!(
        out,
        "project `{}` started {} on flow `{}` (sha256 {}), {} steps",
        info.id,
        info.start,
        info.flow_id,
        &info.flow_hash[..12],
        p.graph().len()
    )?;
    Ok(())
}

/// How many times `event` re-reads the log when other writers keep getting there first.
const RETRIES: usize = 64;

/// Records an event; when another writer appended first, re-reads the log
/// and tries again, so only an event the new log refuses fails.
fn event(db: &Path, a: &EventArgs, out: &mut Vec<u8>) -> Result<(), Failure> {
    let mut event = new_event(a)?;
    let store = SqliteStore::open(db)?;
    let mut attempt = 0;
    let recorded = loop {
        let mut p = Project::open(&store, &a.id)?;
        let today = p.calendar().today();
        event.date = date_on(a.date.as_deref(), &p)?;
        // `stage:ID accepted`: one acceptance at the stage's window, one event per step it accepts.
        let r = match p.stage_target(&event.step) {
            Some(stage) => p.record_stage(&store, &stage, event.clone(), today),
            None => p.record(&store, event.clone(), today).map(|e| vec![e]),
        };
        match r {
            Err(e) if e.is_conflict() && attempt < RETRIES => attempt += 1,
            r => break r?,
        }
    };
    if a.format == Format::Json {
        return match recorded.as_slice() {
            [e] if !event.step.starts_with(STAGE_PREFIX) => json(out, e),
            all => json(out, &all),
        };
    }
    for e in &recorded {
        if e.step.is_empty() {
            write!(out, "event {}: {} on {}", e.seq, e.kind, e.date)?;
        } else {
            write!(out, "event {}: `{}` {} on {}", e.seq, e.step, e.kind, e.date)?;
        }
        if let Some(w) = &e.detail.window {
            write!(out, " at {w}")?;
        }
        if !e.detail.supersedes.is_empty() {
            let seqs: Vec<String> = e.detail.supersedes.iter().map(u64::to_string).collect();
            write!(out, " (supersedes engine event {})", seqs.join(", "))?;
        }
        writeln!(out)?;
    }
    Ok(())
}

/// Records what the engine owes up to `--to` (today by default).
fn advance(
    db: &Path,
    id: &str,
    to_arg: Option<&str>,
    format: Format,
    out: &mut Vec<u8>,
) -> Result<(), Failure> {
    let store = SqliteStore::open(db)?;
    let mut attempt = 0;
    let (to, recorded, sequence): (NaiveDate, Vec<Event>, u64) = loop {
        let mut p = Project::open(&store, id)?;
        let to = date_on(to_arg, &p)?;
        match p.advance(&store, to, p.calendar().today()) {
            Err(e) if e.is_conflict() && attempt < RETRIES => attempt += 1,
            r => break (to, r?, p.events().len() as u64),
        }
    };
    if format == Format::Json {
        return json(out, &AdvanceOut { project: id, to, recorded: &recorded, sequence });
    }
    if recorded.is_empty() {
        writeln!(out, "project `{id}`: nothing owed by {to}")?;
    }
    for e in &recorded {
        writeln!(out, "recorded event {}: `{}` {} on {}", e.seq, e.step, e.kind, e.date)?;
    }
    Ok(())
}

/// How an alert reads in a table, in electronic supervision's words: a yellow
/// light (黄灯预警) when due, a red light (红灯超期) when overdue. (黄牌 and 红牌
/// are the disciplinary follow-ups, not the alerts.)
pub(crate) fn card(a: Alert) -> &'static str {
    match a {
        Alert::Red => "红灯超期",
        Alert::Yellow => "黄灯预警",
        Alert::Reminder => "提醒",
        Alert::None => "",
    }
}

/// How a paused step reads in a table: a stop during review is 补充材料
/// (补正 in the strict sense precedes 受理, Art. 32).
pub(crate) fn paused(r: PauseReason) -> &'static str {
    match r {
        PauseReason::Supplement => "补充材料(暂停计时)",
        PauseReason::Procedure => "特别程序(暂停计时)",
    }
}

/// How a step's state reads in a table: a filing (备案, `filing: true` in
/// the flow) completed on timeout is 视为备案完成, not deemed approved.
pub(crate) fn state_label(state: StepState, filing: bool) -> &'static str {
    if state == StepState::DeemedApproved && filing { "视为备案完成" } else { state.as_str() }
}
