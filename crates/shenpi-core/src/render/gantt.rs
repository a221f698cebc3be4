//! The Gantt chart as SVG: one bar per step on a calendar axis with rest
//! days and holidays shaded, stages as bands, the critical path in red,
//! floats as thin tails, and the budget (and each stage's) as vertical lines.
//!
//! [`Gantt`] holds what to draw; build it from a plan ([`Gantt::from_plan`])
//! or from a live project's status ([`Gantt::from_status`]).

use std::fmt::Write;

use chrono::{Datelike, Duration, NaiveDate};

use super::svg::{FONT_STACK, esc, fit};
use crate::calendar::{Calendar, CalendarError, DayKind};
use crate::graph::{FlowGraph, Node};
use crate::runtime::{Alert, Status, StepState};
use crate::schedule::{Plan, PlanDates};

/// How a bar is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BarKind {
    /// Planned work (critical or not: see [`Bar::critical`]).
    Planned,
    /// Finished: approved or deemed approved.
    Done,
    /// Under way, with its alert.
    Active(Alert),
    /// Rejected, withdrawn, revoked, or blocked by such a step.
    Failed,
}

/// One step's bar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bar {
    /// The step.
    pub node: Node,
    /// First day of its work.
    pub start: NaiveDate,
    /// Last day of its work (the day it is due or done); equal to `start` for a milestone.
    pub end: NaiveDate,
    /// The latest it may end with the budget still met: drawn as a thin tail.
    pub latest: Option<NaiveDate>,
    /// On the critical path.
    pub critical: bool,
    /// How to draw it.
    pub kind: BarKind,
}

/// A vertical line: the budget, a stage's budget, or the day of a status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Marker {
    /// Where.
    pub date: NaiveDate,
    /// What it says.
    pub label: String,
    /// `budget`, `stage-budget` or `today`: the SVG class and colour.
    pub class: &'static str,
}

/// Everything a Gantt chart shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gantt {
    /// Title line.
    pub title: String,
    /// The line under it.
    pub subtitle: String,
    /// One bar per step, in topological order.
    pub bars: Vec<Bar>,
    /// Vertical lines.
    pub markers: Vec<Marker>,
}

impl Gantt {
    /// The chart of a plan with its dates on `calendar`.
    pub fn from_plan(plan: &Plan, dates: &PlanDates, calendar: &Calendar) -> Result<Gantt, CalendarError> {
        let g = plan.graph();
        let day = |n: i64| -> Result<Option<NaiveDate>, CalendarError> {
            u32::try_from(n).ok().map(|n| calendar.add_working_days(dates.start, n)).transpose()
        };
        let mut bars = Vec::with_capacity(g.len());
        for s in plan.steps() {
            let end = day(i64::from(s.ef))?.unwrap_or(dates.start);
            bars.push(Bar {
                node: s.node,
                start: dates.step_start[s.node.index()],
                end,
                latest: day(s.lf)?.filter(|&l| l > end),
                critical: s.critical,
                kind: BarKind::Planned,
            });
        }
        let mut markers = Vec::new();
        if let Some(b) = plan.budget() {
            // Where the budget runs out on the calendar: the finish plus the slack.
            let last = i64::from(plan.elapsed_days()) + plan.slack().unwrap_or(0);
            if let Some(d) = day(last)? {
                markers.push(Marker { date: d, label: format!("总控 {b} 天"), class: "budget" });
            }
        }
        for st in plan.stages() {
            let Some(b) = st.budget else { continue };
            let nodes: Vec<Node> = g.nodes().filter(|&v| g.step(v).stage() == st.stage).collect();
            let Some(end) = nodes.iter().map(|&v| plan.step(v).ef).max() else { continue };
            // The stage may end this much later and keep within its own budget.
            let last = i64::from(end) + i64::from(b) - i64::from(st.total_days);
            if let Some(d) = day(last)? {
                let name = &g.flow().stages()[st.stage].name();
                markers.push(Marker { date: d, label: format!("{name} {b} 天"), class: "stage-budget" });
            }
        }
        let flow = g.flow();
        let budget = plan.budget().map_or(String::new(), |b| format!(" / 总控 {b} 天"));
        Ok(Gantt {
            title: flow.name().to_string(),
            subtitle: format!(
                "计时 {} 个工作日{budget} · 全程 {} 个工作日 · {} 开始, {} 完成 · 日历 {}",
                plan.total_days(),
                plan.elapsed_days(),
                dates.start,
                dates.finish,
                calendar.id()
            ),
            bars,
            markers,
        })
    }

    /// The chart of a live project on the day of `status`: done steps in
    /// grey with their actual dates, steps under way in their alert colour,
    /// the rest as re-planned from that day.
    pub fn from_status(graph: &FlowGraph, status: &Status) -> Gantt {
        let mut bars = Vec::with_capacity(graph.len());
        for (v, s) in graph.nodes().zip(&status.steps) {
            let kind = match s.state {
                StepState::Approved | StepState::DeemedApproved => BarKind::Done,
                StepState::Accepted
                | StepState::AcceptedIncomplete
                | StepState::Paused
                | StepState::ProvisionalApproved => BarKind::Active(s.alert),
                StepState::Waiting | StepState::Ready | StepState::Returned => BarKind::Planned,
                _ => BarKind::Failed,
            };
            let start = s.expected_start.or(s.accepted).unwrap_or(status.date);
            let end = s.decided.or(s.expected_finish).or(s.due).unwrap_or(start).max(start);
            bars.push(Bar {
                node: v,
                start,
                end,
                latest: (kind != BarKind::Done).then_some(s.plan_deadline).filter(|&d| d > end),
                critical: false,
                kind,
            });
        }
        let mut markers = vec![Marker { date: status.date, label: "状态日".to_string(), class: "today" }];
        markers.push(Marker { date: status.deadline, label: "总控期限".to_string(), class: "budget" });
        let outlook = match (status.projected_finish, status.slack) {
            (Some(f), Some(s)) if s >= 0 => format!("预计 {f} 完成, 余量 {s} 个工作日"),
            (Some(f), Some(s)) => format!("预计 {f} 完成, 超出 {} 个工作日", -s),
            _ => match &status.blocked_by {
                Some(b) => format!("事项 {b} 未通过, 项目无法完成"),
                None => "无法预计完成日期".to_string(),
            },
        };
        Gantt {
            title: format!("{} · {}", graph.flow().name(), status.project),
            subtitle: format!("{} 状态 · {outlook} · 总控期限 {}", status.date, status.deadline),
            bars,
            markers,
        }
    }
}

const LABEL_W: f64 = 330.0;
const ROW_H: f64 = 26.0;
const TOP: f64 = 104.0;
const MARGIN: f64 = 20.0;
const CRITICAL: &str = "#c0392b";

fn bar_colors(bar: &Bar, counted: bool) -> (&'static str, &'static str) {
    match bar.kind {
        BarKind::Done => ("#bdc3c7", "#95a5a6"),
        BarKind::Failed => ("#2c3e50", "#2c3e50"),
        BarKind::Active(Alert::Red) => ("#e74c3c", "#c0392b"),
        BarKind::Active(Alert::Yellow) => ("#f1c40f", "#d4ac0d"),
        BarKind::Active(Alert::Reminder) => ("#85c1e9", "#2e86c1"),
        BarKind::Active(Alert::None) => ("#58d68d", "#239b56"),
        BarKind::Planned if bar.critical => ("#e6766a", CRITICAL),
        BarKind::Planned if counted => ("#7fb3d5", "#2e86c1"),
        BarKind::Planned => ("#eaeded", "#aab7b8"),
    }
}

fn class_of(bar: &Bar, counted: bool) -> String {
    let mut c = String::from("bar");
    if bar.critical {
        c.push_str(" critical");
    }
    if !counted {
        c.push_str(" uncounted");
    }
    c.push_str(match bar.kind {
        BarKind::Planned => " planned",
        BarKind::Done => " done",
        BarKind::Active(Alert::None) => " active",
        BarKind::Active(Alert::Reminder) => " active reminder",
        BarKind::Active(Alert::Yellow) => " active yellow",
        BarKind::Active(Alert::Red) => " active red",
        BarKind::Failed => " failed",
    });
    c
}

/// Draws the chart. Each step is a `<g>` with id `bar-<id>` and class `bar`,
/// plus `critical`, `uncounted` and its state where they apply.
pub fn gantt_svg(graph: &FlowGraph, gantt: &Gantt, calendar: &Calendar) -> String {
    let first = gantt.bars.iter().map(|b| b.start).chain(gantt.markers.iter().map(|m| m.date)).min();
    let last = gantt
        .bars
        .iter()
        .map(|b| b.latest.unwrap_or(b.end).max(b.end))
        .chain(gantt.markers.iter().map(|m| m.date))
        .max();
    let (Some(first), Some(last)) = (first, last) else {
        return empty_svg(&gantt.title);
    };
    // Whole months, so the axis reads like a wall calendar.
    let from = first.with_day(1).unwrap_or(first);
    let to = (last + Duration::days(31)).with_day(1).unwrap_or(last) - Duration::days(1);
    let days = (to - from).num_days().max(1) + 1;
    let px = (1400.0 / days as f64).clamp(2.0, 22.0);
    let x = |d: NaiveDate| LABEL_W + MARGIN + (d - from).num_days() as f64 * px;
    let chart_w = days as f64 * px;
    let width = LABEL_W + MARGIN * 2.0 + chart_w + 90.0;

    // Rows: steps grouped under their stages, in stage order then topological order.
    let flow = graph.flow();
    let mut rows: Vec<Row> = Vec::new();
    for (k, stage) in flow.stages().iter().enumerate() {
        let bars: Vec<&Bar> = gantt.bars.iter().filter(|b| graph.step(b.node).stage() == k).collect();
        if bars.is_empty() {
            continue;
        }
        rows.push(Row::Stage(stage.name(), stage.budget()));
        rows.extend(bars.into_iter().map(Row::Step));
    }
    let height = TOP + rows.len() as f64 * ROW_H + 56.0;

    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="{FONT_STACK}">"#
    );
    let _ = writeln!(out, "<title>{}</title>", esc(&gantt.title));
    let _ = writeln!(out, r##"<rect width="100%" height="100%" fill="#ffffff"/>"##);
    let _ = writeln!(
        out,
        r##"<text x="{MARGIN}" y="30" font-size="20" font-weight="bold" fill="#1f2d3d">{}</text>"##,
        esc(&gantt.title)
    );
    let _ = writeln!(
        out,
        r##"<text x="{MARGIN}" y="52" font-size="13" fill="#566573">{}</text>"##,
        esc(&gantt.subtitle)
    );

    // Rest days: weekends light, holidays stronger, make-up working days marked.
    let body_top = TOP - 8.0;
    let body_h = rows.len() as f64 * ROW_H + 8.0;
    out.push_str("<g class=\"calendar\">\n");
    let mut d = from;
    while d <= to {
        let kind = calendar
            .entries_in_year(d.year())
            .find(|e| e.first <= d && d <= e.last)
            .map(|e| (e.kind, e.name.as_deref().unwrap_or("")));
        match (calendar.is_working_day(d), kind) {
            (Ok(false), Some((DayKind::Holiday, name))) => {
                let _ = writeln!(
                    out,
                    r##"<rect class="holiday" x="{:.1}" y="{body_top:.1}" width="{px:.1}" height="{body_h:.1}" fill="#fadbd8"><title>{d} {}</title></rect>"##,
                    x(d),
                    esc(name)
                );
            }
            (Ok(false), _) => {
                let _ = writeln!(
                    out,
                    r##"<rect class="rest" x="{:.1}" y="{body_top:.1}" width="{px:.1}" height="{body_h:.1}" fill="#f2f3f4"/>"##,
                    x(d)
                );
            }
            (Ok(true), Some((DayKind::Workday, name))) => {
                let _ = writeln!(
                    out,
                    r##"<rect class="workday" x="{:.1}" y="{:.1}" width="{px:.1}" height="6" fill="#27ae60"><title>{d} 调休上班 ({})</title></rect>"##,
                    x(d),
                    body_top - 6.0,
                    esc(name)
                );
            }
            _ => {}
        }
        d += Duration::days(1);
    }
    out.push_str("</g>\n");

    // Month axis.
    let mut m = from;
    while m <= to {
        let _ = writeln!(
            out,
            r##"<line x1="{0:.1}" y1="{1:.1}" x2="{0:.1}" y2="{2:.1}" stroke="#d5d8dc"/><text x="{3:.1}" y="{4:.1}" font-size="11" fill="#566573">{5}</text>"##,
            x(m),
            TOP - 30.0,
            body_top + body_h,
            x(m) + 3.0,
            TOP - 18.0,
            if m.month() == 1 || m == from {
                format!("{}年{}月", m.year(), m.month())
            } else {
                format!("{}月", m.month())
            }
        );
        m = (m + Duration::days(32)).with_day(1).unwrap_or(to + Duration::days(1));
    }

    // Rows.
    for (i, row) in rows.iter().enumerate() {
        let y = TOP + i as f64 * ROW_H;
        match row {
            Row::Stage(name, budget) => {
                let label = match budget {
                    Some(b) => format!("{name} · 阶段总控 {b} 天"),
                    None => (*name).to_string(),
                };
                let _ = writeln!(
                    out,
                    r##"<g class="stage"><rect x="{MARGIN}" y="{:.1}" width="{:.1}" height="{:.1}" fill="#eaf2f8" opacity="0.6"/><text x="{:.1}" y="{:.1}" font-size="13" font-weight="bold" fill="#1b4f72">{}</text></g>"##,
                    y + 2.0,
                    width - 2.0 * MARGIN,
                    ROW_H - 4.0,
                    MARGIN + 6.0,
                    y + 18.0,
                    esc(&label)
                );
            }
            Row::Step(bar) => {
                let step = graph.step(bar.node);
                let (fill, stroke) = bar_colors(bar, step.counted());
                let (x0, x1) = (x(bar.start), x(bar.end) + px);
                let dash = if step.counted() { "" } else { r#" stroke-dasharray="4 2""# };
                let mut g = format!(
                    r#"<g id="bar-{}" class="{}"><title>{} {} · {} → {}</title>"#,
                    esc(step.id()),
                    class_of(bar, step.counted()),
                    esc(step.name()),
                    esc(&super::limits_label(step)),
                    bar.start,
                    bar.end
                );
                let dept = step.dept_label();
                let label = if dept.is_empty() {
                    step.name().to_string()
                } else {
                    format!("{} · {dept}", step.name())
                };
                let label = fit(&label, 12.0, LABEL_W - 20.0);
                let _ = write!(
                    g,
                    r##"<text x="{:.1}" y="{:.1}" font-size="12" fill="#2c3e50">{}</text>"##,
                    MARGIN + 16.0,
                    y + 17.0,
                    esc(&label)
                );
                if let Some(l) = bar.latest {
                    let _ = write!(
                        g,
                        r##"<line class="float" x1="{x1:.1}" y1="{0:.1}" x2="{1:.1}" y2="{0:.1}" stroke="{stroke}" stroke-width="1.5" opacity="0.7"/><line x1="{1:.1}" y1="{2:.1}" x2="{1:.1}" y2="{3:.1}" stroke="{stroke}" stroke-width="1.5" opacity="0.7"/>"##,
                        y + ROW_H / 2.0,
                        x(l) + px,
                        y + ROW_H / 2.0 - 4.0,
                        y + ROW_H / 2.0 + 4.0
                    );
                }
                if bar.start == bar.end && step.promised() == 0 {
                    let (cx, cy) = (x0 + px / 2.0, y + ROW_H / 2.0);
                    let _ = write!(
                        g,
                        r#"<path d="M{cx:.1},{:.1} L{:.1},{cy:.1} L{cx:.1},{:.1} L{:.1},{cy:.1} z" fill="{fill}" stroke="{stroke}"/>"#,
                        cy - 7.0,
                        cx + 7.0,
                        cy + 7.0,
                        cx - 7.0
                    );
                } else {
                    let _ = write!(
                        g,
                        r#"<rect x="{x0:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="3" fill="{fill}" stroke="{stroke}"{dash}/>"#,
                        y + 6.0,
                        (x1 - x0).max(2.0),
                        ROW_H - 12.0
                    );
                }
                let days = if step.counted() {
                    format!("{}天", step.promised())
                } else {
                    format!("({}天)", step.promised())
                };
                let _ = write!(
                    g,
                    r##"<text x="{:.1}" y="{:.1}" font-size="11" fill="#566573">{}</text></g>"##,
                    x1.max(bar.latest.map_or(0.0, |l| x(l) + px)) + 4.0,
                    y + 17.0,
                    esc(&days)
                );
                out.push_str(&g);
                out.push('\n');
            }
        }
    }

    // Vertical markers on top.
    for (i, m) in gantt.markers.iter().enumerate() {
        let color = match m.class {
            "budget" => CRITICAL,
            "today" => "#1f618d",
            _ => "#b9770e",
        };
        let dash = if m.class == "stage-budget" { r#" stroke-dasharray="6 3""# } else { "" };
        let xm = x(m.date) + px;
        let _ = writeln!(
            out,
            r#"<g class="marker {}"><line x1="{xm:.1}" y1="{:.1}" x2="{xm:.1}" y2="{:.1}" stroke="{color}" stroke-width="2"{dash}/><text x="{:.1}" y="{:.1}" font-size="11" fill="{color}">{}</text></g>"#,
            m.class,
            TOP - 12.0,
            body_top + body_h,
            xm + 3.0,
            body_top + body_h + 14.0 + (i % 3) as f64 * 13.0,
            esc(&format!("{} {}", m.label, m.date))
        );
    }

    // Legend.
    let ly = height - 10.0;
    let _ = writeln!(
        out,
        r##"<g class="legend" font-size="11" fill="#566573"><rect x="{MARGIN}" y="{:.1}" width="16" height="9" fill="#e6766a" stroke="{CRITICAL}"/><text x="{:.1}" y="{ly:.1}">关键路径</text><rect x="{:.1}" y="{:.1}" width="16" height="9" fill="#7fb3d5" stroke="#2e86c1"/><text x="{:.1}" y="{ly:.1}">计时事项</text><rect x="{:.1}" y="{:.1}" width="16" height="9" fill="#eaeded" stroke="#aab7b8" stroke-dasharray="4 2"/><text x="{:.1}" y="{ly:.1}">不计时</text><rect x="{:.1}" y="{:.1}" width="16" height="9" fill="#fadbd8"/><text x="{:.1}" y="{ly:.1}">法定节假日</text><rect x="{:.1}" y="{:.1}" width="16" height="9" fill="#f2f3f4"/><text x="{:.1}" y="{ly:.1}">周末</text><text x="{:.1}" y="{ly:.1}">细线: 可延后至 (总控余量)</text></g>"##,
        ly - 9.0,
        MARGIN + 20.0,
        MARGIN + 90.0,
        ly - 9.0,
        MARGIN + 110.0,
        MARGIN + 180.0,
        ly - 9.0,
        MARGIN + 200.0,
        MARGIN + 260.0,
        ly - 9.0,
        MARGIN + 280.0,
        MARGIN + 360.0,
        ly - 9.0,
        MARGIN + 380.0,
        MARGIN + 430.0,
    );
    out.push_str("</svg>\n");
    out
}

enum Row<'a> {
    Stage(&'a str, Option<u32>),
    Step(&'a Bar),
}

fn empty_svg(title: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"400\" height=\"60\"><text x=\"10\" y=\"30\" font-family=\"{FONT_STACK}\">{} (no steps)</text></svg>\n",
        esc(title)
    )
}
