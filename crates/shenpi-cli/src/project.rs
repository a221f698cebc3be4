//! `shenpi project`: live projects in a store file.
//!
//! Exit codes: 0 ok; 1 invalid input (a flow with errors, a bad param, an
//! event the project's state refuses, an unknown project); 2 usage, I/O or
//! store error (a damaged or foreign store file, a concurrent writer).

use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Arc;

use chrono::NaiveDate;
use serde::Serialize;
use shenpi_core::Flow;
use shenpi_core::calendar::parse_date;
use shenpi_core::render::{self, Gantt};
use shenpi_core::runtime::{Alert, Event, EventKind, NewEvent, Project, Status, Store, board};
use shenpi_sqlite::SqliteStore;
use unicode_width::UnicodeWidthStr;

use crate::common::Failure;
use crate::{Format, Outcome};

/// Arguments of `shenpi project`.
#[derive(clap::Args)]
pub struct Args {
    /// The store file (SQLite); created when missing.
    #[arg(long, global = true, value_name = "PATH", default_value = "shenpi.db")]
    db: PathBuf,
    #[command(subcommand)]
    command: Cmd,
}

#[derive(clap::Subcommand)]
enum Cmd {
    /// Start a project of a flow; the flow's text is pinned in the store
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
    },
    /// Record an event: accepted, accepted-incomplete, supplement-requested, supplement-received,
    /// procedure-started, procedure-ended, approved, rejected, returned, withdrawn,
    /// provisional-approved, confirmed, revoked, deemed-approved
    Event {
        /// The project's id
        id: String,
        /// The step's id in the flow
        step: String,
        /// What happened (kebab-case)
        kind: String,
        /// The day it happened, YYYY-MM-DD (default: today)
        #[arg(long)]
        date: Option<String>,
        /// An idempotency key: recording the same key again records the event once
        #[arg(long)]
        key: Option<String>,
    },
    /// Both clocks of every step on a day, and the project's outlook; records the
    /// events the engine owes by then (deemed approvals, 容缺 failures, confirmations)
    Status {
        /// The project's id
        id: String,
        /// The day, YYYY-MM-DD (default: today)
        #[arg(long)]
        date: Option<String>,
        /// `table` for a person, `json` for tools
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
    /// Supervision board (电子监察): every step due or overdue on a day, by department
    Board {
        /// The day, YYYY-MM-DD (default: today)
        #[arg(long)]
        date: Option<String>,
        /// Only this department
        #[arg(long)]
        dept: Option<String>,
        /// `table` for a person, `json` for tools
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
}

fn date_arg(text: Option<&str>) -> Result<NaiveDate, Failure> {
    match text {
        // Today in Beijing time, the zone of `cn`, not the machine's.
        None => Ok(shenpi_core::calendar::Zone::shanghai().today()),
        Some(t) => parse_date(t).map_err(|e| Failure::usage(e.to_string())),
    }
}

/// Runs a `project` subcommand.
pub fn run(args: Args) -> io::Result<Outcome> {
    let mut out = Vec::new();
    let result = exec(args, &mut out);
    io::stdout().lock().write_all(&out)?;
    match result {
        Ok(()) => Ok(Outcome::Ok),
        Err(Failure(code, msg)) => {
            writeln!(io::stderr(), "{msg}")?;
            Ok(code)
        }
    }
}

fn exec(args: Args, out: &mut Vec<u8>) -> Result<(), Failure> {
    // Arguments first: a typo should not create a store file.
    match &args.command {
        Cmd::New { start, params, .. } => {
            date_arg(Some(start))?;
            if let Some(p) = params.iter().find(|p| !p.contains('=')) {
                return Err(Failure::usage(format!("param `{p}` is not of the form K=V")));
            }
        }
        Cmd::Event { kind, date, .. } => {
            kind.parse::<EventKind>().map_err(|e| Failure::usage(e.to_string()))?;
            date_arg(date.as_deref())?;
        }
        Cmd::Status { date, .. } | Cmd::Board { date, .. } | Cmd::Render { date, .. } => {
            date_arg(date.as_deref())?;
        }
    }
    let store = SqliteStore::open(&args.db)?;
    match args.command {
        Cmd::New { flow, id, start, params } => {
            let flow_path = flow;
            let flow = Flow::load(&flow_path)?;
            let calendar = crate::common::project_calendar(&flow, &flow_path)?;
            let pairs: Vec<(String, String)> = params
                .iter()
                .filter_map(|p| p.split_once('=').map(|(k, v)| (k.trim().to_string(), v.trim().to_string())))
                .collect();
            let p =
                Project::create_on(&store, calendar, Arc::new(flow), &id, date_arg(Some(&start))?, &pairs)?;
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
        }
        Cmd::Event { id, step, kind, date, key } => {
            let mut p = Project::open(&store, &id)?;
            let kind = kind.parse::<EventKind>().map_err(|e| Failure::usage(e.to_string()))?;
            let mut event = NewEvent::new(step, kind, date_arg(date.as_deref())?);
            event.key = key;
            let e = p.record(&store, event)?;
            writeln!(out, "event {}: `{}` {} on {}", e.seq, e.step, e.kind, e.date)?;
        }
        Cmd::Status { id, date, format } => {
            let date = date_arg(date.as_deref())?;
            let mut p = Project::open(&store, &id)?;
            let recorded = p.advance(&store, date)?;
            let status = p.status(date)?;
            match format {
                Format::Json => {
                    #[derive(Serialize)]
                    struct Out<'a> {
                        #[serde(flatten)]
                        status: &'a Status,
                        recorded: &'a [Event],
                    }
                    serde_json::to_writer_pretty(&mut *out, &Out { status: &status, recorded: &recorded })
                        .map_err(io::Error::other)?;
                    writeln!(out)?;
                }
                Format::Table => status_table(out, &status, &recorded)?,
            }
        }
        Cmd::Render { id, date, output } => {
            // Reads only: `project status` records the events the engine owes.
            let date = date_arg(date.as_deref())?;
            let p = Project::open(&store, &id)?;
            let status = p.status(date)?;
            let gantt = Gantt::from_status(p.graph(), &status);
            let svg = render::gantt_svg(p.graph(), &gantt, p.calendar());
            match output {
                Some(path) => crate::render::write_out(Some(&path), &svg)?,
                None => out.extend_from_slice(svg.as_bytes()),
            }
        }
        Cmd::Board { date, dept, format } => {
            let date = date_arg(date.as_deref())?;
            let mut projects = Vec::new();
            for id in store.list()? {
                let mut p = Project::open(&store, &id)?;
                p.advance(&store, date)?;
                projects.push(p);
            }
            let rows = board(&projects, date, dept.as_deref())?;
            match format {
                Format::Json => {
                    serde_json::to_writer_pretty(&mut *out, &rows).map_err(io::Error::other)?;
                    writeln!(out)?;
                }
                Format::Table => {
                    writeln!(out, "supervision board on {date}: {} step(s) due or overdue", rows.len())?;
                    let cells: Vec<[String; 7]> = rows
                        .iter()
                        .map(|r| {
                            [
                                card(r.alert).to_string(),
                                r.project.clone(),
                                r.step.clone(),
                                r.state.as_str().to_string(),
                                format!("due {}", r.due.map_or("-".to_string(), |d| d.to_string())),
                                format!("plan {}", r.plan_deadline),
                                format!("({} clock)", r.clock.map_or("-", |c| c.as_str())),
                            ]
                        })
                        .collect();
                    // One set of column widths for the whole board, so departments line up too.
                    let lines = columns(&cells, |_| false);
                    let mut last = None;
                    for (r, line) in rows.iter().zip(lines) {
                        if last != Some(&r.dept) {
                            writeln!(out, "\n{}", r.dept)?;
                            last = Some(&r.dept);
                        }
                        writeln!(out, "  {line}")?;
                    }
                }
            }
        }
    }
    Ok(())
}

fn card(a: Alert) -> &'static str {
    match a {
        Alert::Red => "RED",
        Alert::Yellow => "YELLOW",
        Alert::Reminder => "remind",
        Alert::None => "",
    }
}

/// Lays `rows` out in columns padded to their display width (a CJK character
/// takes two columns), two spaces apart; `right(i)` aligns column `i` right.
fn columns<const N: usize>(rows: &[[String; N]], right: impl Fn(usize) -> bool) -> Vec<String> {
    let mut widths = [0usize; N];
    for r in rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.width());
        }
    }
    rows.iter()
        .map(|r| {
            let cells: Vec<String> = r
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let fill = " ".repeat(widths[i] - c.width());
                    if right(i) { format!("{fill}{c}") } else { format!("{c}{fill}") }
                })
                .collect();
            cells.join("  ").trim_end().to_string()
        })
        .collect()
}

fn status_table(out: &mut Vec<u8>, s: &Status, recorded: &[Event]) -> io::Result<()> {
    for e in recorded {
        writeln!(out, "recorded event {}: `{}` {} on {}", e.seq, e.step, e.kind, e.date)?;
    }
    writeln!(
        out,
        "project `{}` on {} (flow `{}`, sha256 {}, started {})",
        s.project,
        s.date,
        s.flow,
        &s.flow_hash[..12],
        s.start
    )?;
    let opt = |d: Option<NaiveDate>| d.map_or("-".to_string(), |d| d.to_string());
    let num = |n: Option<i64>| n.map_or("-".to_string(), |n| n.to_string());
    let mut rows =
        vec![["step", "state", "dept", "accepted", "due", "plan", "used", "left", "alert"].map(String::from)];
    for st in &s.steps {
        let state = match st.paused_for {
            Some(r) => format!(
                "paused ({})",
                if r == shenpi_core::runtime::PauseReason::Supplement { "补正" } else { "procedure" }
            ),
            None => st.state.as_str().to_string(),
        };
        let alert = match st.clock {
            Some(c) => format!("{} ({})", card(st.alert), c.as_str()),
            None => String::new(),
        };
        rows.push([
            st.id.clone(),
            state,
            st.dept.clone(),
            opt(st.accepted),
            opt(st.due),
            st.plan_deadline.to_string(),
            num(st.used),
            num(st.left),
            alert,
        ]);
    }
    for line in columns(&rows, |i| i == 6 || i == 7) {
        writeln!(out, "{line}")?;
    }
    match (s.projected_finish, &s.blocked_by) {
        (_, Some(b)) => writeln!(out, "cannot finish: step `{b}` failed")?,
        (Some(f), None) => writeln!(
            out,
            "projected finish {f}, deadline {}, slack {} working days",
            s.deadline,
            num(s.slack)
        )?,
        (None, None) => {}
    }
    let pct = |x: Option<f64>| x.map_or("-".to_string(), |x| format!("{:.0}%", x * 100.0));
    writeln!(out, "on time {}, speed-up {}", pct(s.on_time_rate), pct(s.speed_up))?;
    if let Some(last) = s.estimated_after {
        writeln!(
            out,
            "note: dates after {last} count weekends only: the calendar has no holidays past it yet"
        )?;
    }
    Ok(())
}
