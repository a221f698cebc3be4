//! The tables `shenpi project status` and `board` print for a person,
//! columns padded by display width (a CJK character takes two columns).

use std::io::{self, Write};

use chrono::NaiveDate;
use shenpi_core::Flow;
use shenpi_core::runtime::{AccountabilityRow, AgentRow, Alert, BoardRow, EventKind, Mode, Status};
use unicode_width::UnicodeWidthStr;

use crate::common::{self, printable};
use crate::project::{card, paused, state_label};

/// Lays `rows` out in columns padded to their display width, two spaces
/// apart; `right(i)` aligns column `i` right.
pub(crate) fn columns<const N: usize>(rows: &[[String; N]], right: impl Fn(usize) -> bool) -> Vec<String> {
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

fn opt(d: Option<NaiveDate>) -> String {
    d.map_or("-".to_string(), |d| d.to_string())
}

fn num(n: Option<i64>) -> String {
    n.map_or("-".to_string(), |n| n.to_string())
}

/// `project status` as a table; `flow` says which steps are filings (备案).
pub(crate) fn status_table(out: &mut Vec<u8>, s: &Status, flow: &Flow) -> io::Result<()> {
    let filing = |id: &str| flow.step(id).is_some_and(|(_, st)| st.is_filing());
    writeln!(
        out,
        "project `{}` on {} (flow `{}`, sha256 {}, started {})",
        printable(&s.project),
        s.date,
        printable(&s.flow),
        &s.flow_hash[..12],
        s.start
    )?;
    if let Some(a) = &s.agent {
        writeln!(out, "agent (代办员): {}", printable(a))?;
    }
    if s.mode == Mode::Simulated {
        writeln!(out, "mode: simulated (模拟审批)")?;
    }
    if !s.started {
        return writeln!(out, "not started: the project starts on {}", s.start);
    }
    let mut rows = vec![
        ["step", "state", "dept", "accepted", "due", "legal due", "plan", "used", "left", "alert"]
            .map(String::from),
    ];
    for st in &s.steps {
        let mut state = match (st.paused_for, st.procedure) {
            (_, Some(k)) => format!("paused ({k})"),
            (Some(r), None) => paused(r).to_string(),
            (None, None) => state_label(st.state, filing(&st.id)).to_string(),
        };
        if st.attempt > 1 {
            state.push_str(&format!(" #{}", st.attempt));
        }
        let alert = match st.clock {
            Some(c) => format!("{} ({})", card(st.alert), c.as_str()),
            None => String::new(),
        };
        let legal = match (st.legal_due, st.extended) {
            (Some(d), 0) => d.to_string(),
            (Some(d), n) => format!("{d} (+{n})"),
            (None, _) => "-".to_string(),
        };
        rows.push([
            printable(&st.id).into_owned(),
            state,
            printable(&st.dept).into_owned(),
            st.accepted.map_or_else(
                || st.received.map_or("-".to_string(), |r| format!("({r} received)")),
                |a| a.to_string(),
            ),
            opt(st.due),
            legal,
            st.plan_deadline.to_string(),
            num(st.used),
            num(st.left),
            alert,
        ]);
    }
    for line in columns(&rows, |i| i == 7 || i == 8) {
        writeln!(out, "{line}")?;
    }
    windows(out, s)?;
    notes(out, s)?;
    outlook(out, s, &filing)
}

/// Under the table: the steps each window (一窗受理) accepted, grouped under it.
fn windows(out: &mut Vec<u8>, s: &Status) -> io::Result<()> {
    let mut seen: Vec<&str> = Vec::new();
    for w in s.steps.iter().filter_map(|st| st.window.as_deref()) {
        if seen.contains(&w) {
            continue;
        }
        seen.push(w);
        let steps: Vec<String> = s
            .steps
            .iter()
            .filter(|st| st.window.as_deref() == Some(w))
            .map(|st| format!("`{}`", printable(&st.id)))
            .collect();
        writeln!(out, "window {}: accepted {}", printable(w), steps.join(", "))?;
    }
    Ok(())
}

/// Under the table: acceptance windows still open, earlier applications,
/// joint members, providers, follow-ups, flags.
fn notes(out: &mut Vec<u8>, s: &Status) -> io::Result<()> {
    for st in &s.steps {
        if let Some(p) = &st.provider {
            writeln!(out, "`{}`: provider {}", st.id, printable(p))?;
        }
        for m in st.members.iter().filter(|_| st.accepted.is_some()) {
            let opinion = match &m.opinion {
                Some(o) if o.deemed => format!("deemed to agree on {}", o.date),
                Some(o) => format!("{} on {}", o.verdict, o.date),
                None => "no opinion yet".to_string(),
            };
            let alert = if m.alert == Alert::None { String::new() } else { format!(" [{}]", card(m.alert)) };
            writeln!(
                out,
                "`{}`: member {}: due {}, used {}, left {}; {opinion}{alert}",
                st.id,
                printable(&m.dept),
                opt(m.due),
                num(m.used),
                num(m.left)
            )?;
        }
        if let Some(due) = st.verify_due {
            writeln!(out, "`{}`: approved on the applicant's pledge; verify by {due} (告知承诺制)", st.id)?;
        }
        if let Some(due) = st.confirm_due {
            writeln!(out, "`{}`: provisional; confirm by {due} (模拟审批)", st.id)?;
        }
        if let (Some(r), Some(due)) = (st.received, st.acceptance_due) {
            writeln!(
                out,
                "`{}`: received {r}; accepted from that day unless answered by {due} (Art. 32)",
                st.id
            )?;
        }
        if st.attempt > 1 {
            writeln!(
                out,
                "`{}`: application {} (earlier applications used {} working days)",
                st.id, st.attempt, st.earlier_used
            )?;
        }
        for flag in &st.flags {
            writeln!(out, "flag: `{}` {flag}", st.id)?;
        }
    }
    Ok(())
}

/// What the engine owes, the outlook, the rates and the calendar's notes under the table.
fn outlook(out: &mut Vec<u8>, s: &Status, is_filing: &dyn Fn(&str) -> bool) -> io::Result<()> {
    for e in &s.owed {
        let filing = e.kind == EventKind::DeemedApproved && is_filing(&e.step);
        writeln!(
            out,
            "owed: `{}` {}{} on {} (not recorded; `project advance` records it)",
            e.step,
            e.kind,
            if filing { " (视为备案完成)" } else { "" },
            e.date
        )?;
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
    for g in &s.groups {
        let alert = if g.alert == Alert::None { String::new() } else { format!(" [{}]", card(g.alert)) };
        writeln!(
            out,
            "budget group {} ({}): {} of {} counted working days used, {} projected, slack {}{alert}",
            common::printable(&g.name),
            g.stages.join(", "),
            g.used,
            g.days,
            g.projected,
            g.slack
        )?;
    }
    let pct = |x: Option<f64>| x.map_or("-".to_string(), |x| format!("{:.0}%", x * 100.0));
    writeln!(out, "按时办结率 (on time) {}, 提速率 (speed-up) {}", pct(s.on_time_rate), pct(s.speed_up))?;
    if let Some(first) = s.estimated_before {
        writeln!(
            out,
            "note: dates before {first} count weekends only: the calendar has no holidays before it"
        )?;
    }
    writeln!(out, "calendar `{}`, data {}", printable(&s.calendar), s.calendar_data)?;
    if let Some(note) = &s.provisional_note {
        writeln!(out, "note: provisional: {}", printable(note))?;
    } else if let Some(last) = s.estimated_after {
        writeln!(
            out,
            "note: dates after {last} are provisional: the calendar has no arrangement past it yet"
        )?;
    }
    Ok(())
}

/// `project board` as a table: one set of column widths for the whole
/// board, so departments line up too.
pub(crate) fn board_table(out: &mut Vec<u8>, date: NaiveDate, rows: &[BoardRow]) -> io::Result<()> {
    writeln!(out, "supervision board on {date}: {} step(s) due, overdue or flagged", rows.len())?;
    let cells: Vec<[String; 9]> = rows
        .iter()
        .map(|r| {
            let flags: Vec<&str> = r.flags.iter().map(|f| f.code()).collect();
            let mut step = printable(&r.step).into_owned();
            if r.member {
                step.push_str(" (member)");
            }
            if let Some(p) = &r.provider {
                step = format!("{step} ({})", printable(p));
            }
            [
                card(r.alert).to_string(),
                r.rung.label().to_string(),
                printable(&r.project).into_owned(),
                step,
                r.state.as_str().to_string(),
                format!("due {}", opt(r.due)),
                format!("plan {}", r.plan_deadline),
                r.clock.map_or_else(String::new, |c| format!("({} clock)", c.as_str())),
                flags.join(", "),
            ]
        })
        .collect();
    by_dept(out, rows.iter().map(|r| r.dept.as_str()), columns(&cells, |_| false))
}

/// Table lines under a heading for each department, in row order (the rows
/// come sorted by department).
fn by_dept<'a>(
    out: &mut Vec<u8>,
    depts: impl Iterator<Item = &'a str>,
    lines: Vec<String>,
) -> io::Result<()> {
    let mut last = None;
    for (dept, line) in depts.zip(lines) {
        if last != Some(dept) {
            writeln!(out, "\n{}", printable(dept))?;
            last = Some(dept);
        }
        writeln!(out, "  {line}")?;
    }
    Ok(())
}

/// `project accountability` as a table: the 问责 list, by department.
pub(crate) fn accountability_table(
    out: &mut Vec<u8>,
    date: NaiveDate,
    rows: &[AccountabilityRow],
) -> io::Result<()> {
    writeln!(
        out,
        "问责 list on {date}: {} supervision notice(s) unanswered past their days to answer",
        rows.len()
    )?;
    let cells: Vec<[String; 6]> = rows
        .iter()
        .map(|r| {
            [
                printable(&r.project).into_owned(),
                printable(&r.step).into_owned(),
                r.state.as_str().to_string(),
                format!("due {}", opt(r.due)),
                format!("督办 {}", r.supervised),
                format!("answer by {}", r.answer_by),
            ]
        })
        .collect();
    by_dept(out, rows.iter().map(|r| r.dept.as_str()), columns(&cells, |_| false))
}

/// `project status --agent` as a table: each of the agent's projects with the step due next.
pub(crate) fn agent_table(
    out: &mut Vec<u8>,
    date: NaiveDate,
    agent: &str,
    rows: &[AgentRow],
) -> io::Result<()> {
    writeln!(out, "agent (代办员) {} on {date}: {} project(s)", printable(agent), rows.len())?;
    let cells: Vec<[String; 6]> = rows
        .iter()
        .map(|r| match (&r.next, &r.blocked_by) {
            (_, Some(b)) => [
                printable(&r.project).into_owned(),
                format!("stopped: `{}` failed", printable(b)),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ],
            (Some(n), None) => [
                printable(&r.project).into_owned(),
                printable(&n.step).into_owned(),
                n.state.as_str().to_string(),
                printable(&n.dept).into_owned(),
                format!("due {}", n.due),
                card(n.alert).to_string(),
            ],
            (None, None) => [
                printable(&r.project).into_owned(),
                "nothing due".to_string(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ],
        })
        .collect();
    for line in columns(&cells, |_| false) {
        writeln!(out, "  {line}")?;
    }
    Ok(())
}
