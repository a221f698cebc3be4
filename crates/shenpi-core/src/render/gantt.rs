//! The Gantt chart as SVG: one bar per step on a calendar axis with rest
//! days and holidays shaded, stages as bands, the critical path in red,
//! floats as thin tails, and the budget (and each stage's and group's) as vertical lines.
//!
//! [`Gantt`] holds what to draw; build it from a plan ([`Gantt::from_plan`])
//! or from a live project's status ([`Gantt::from_status`]).

use std::fmt::Write;

use chrono::{Datelike, Duration, NaiveDate};

use super::svg::{FONT_STACK, esc, fit, text_width};
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

/// A vertical line: the budget, a stage's or a group of stages' budget, or the day of a status.
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
                markers.push(Marker { date: d, label: format!("总控 {b} 个工作日"), class: "budget" });
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
                markers.push(Marker {
                    date: d,
                    label: format!("{name} {b} 个工作日"),
                    class: "stage-budget",
                });
            }
        }
        for gt in plan.groups() {
            let group = &g.flow().budgets()[gt.group];
            let ends = g.nodes().filter(|&v| group.contains(g.step(v).stage())).map(|v| plan.step(v).ef);
            let Some(end) = ends.max() else { continue };
            // The group's last stage may end this much later and keep within the group's limit.
            let last = i64::from(end) + i64::from(gt.days) - i64::from(gt.total_days);
            if let Some(d) = day(last)? {
                let label = format!("{} {} 个工作日", group.name(), gt.days);
                markers.push(Marker { date: d, label, class: "stage-budget" });
            }
        }
        let flow = g.flow();
        let budget = plan.budget().map_or(String::new(), |b| format!(" / 总控 {b} 个工作日"));
        Ok(Gantt {
            title: flow.name().to_string(),
            subtitle: format!(
                "计时 {} 个工作日{budget} · 全程 {} 个工作日 ({} 个自然日) · {} 开始, {} 完成 · 日历 {}",
                plan.total_days(),
                plan.elapsed_days(),
                (dates.finish - dates.start).num_days() + 1,
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
                StepState::Received
                | StepState::Accepted
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
                Some(b) => format!("环节 {b} 未通过, 项目无法完成"),
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
///
/// The chart is drawn in layers, each by its own function: the header, the
/// calendar's rest days, the month axis, one row per stage and step, the
/// vertical markers on top, and the legend.
pub fn gantt_svg(graph: &FlowGraph, gantt: &Gantt, calendar: &Calendar) -> String {
    let Some(axis) = Axis::spanning(gantt) else {
        return empty_svg(&gantt.title);
    };
    let rows = rows(graph, gantt);
    let frame = Frame::new(&axis, rows.len(), gantt);
    // Days past the published data are drawn, and the chart says what that means.
    let note = calendar.is_provisional(axis.to).then(|| calendar.provisional_note()).flatten();
    let frame = frame.with_note(note.as_deref());
    let mut out = String::new();
    header(&mut out, gantt, &frame);
    if let Some(note) = &note {
        provisional_note(&mut out, note);
    }
    rest_days(&mut out, calendar, &axis, &frame);
    month_axis(&mut out, &axis, &frame);
    for (i, row) in rows.iter().enumerate() {
        let y = TOP + i as f64 * ROW_H;
        match row {
            Row::Stage(name, limits) => stage_row(&mut out, name, limits.as_deref(), y, frame.width),
            Row::Step(bar) => step_row(&mut out, graph, bar, y, &axis),
        }
    }
    markers(&mut out, &gantt.markers, &axis, &frame);
    legend(&mut out, frame.height, note.is_some());
    out.push_str("</svg>\n");
    out
}

/// The time axis: whole months from the first day drawn to the last, so the
/// axis reads like a wall calendar, at `px` pixels a day.
struct Axis {
    from: NaiveDate,
    to: NaiveDate,
    px: f64,
}

impl Axis {
    /// The months that hold every bar, tail and marker; `None` for an empty chart.
    fn spanning(gantt: &Gantt) -> Option<Axis> {
        let first = gantt.bars.iter().map(|b| b.start).chain(gantt.markers.iter().map(|m| m.date)).min()?;
        let last = gantt
            .bars
            .iter()
            .map(|b| b.latest.unwrap_or(b.end).max(b.end))
            .chain(gantt.markers.iter().map(|m| m.date))
            .max()?;
        let from = first.with_day(1).unwrap_or(first);
        let to = (last + Duration::days(31)).with_day(1).unwrap_or(last) - Duration::days(1);
        let px = (1400.0 / Axis::day_count(from, to) as f64).clamp(2.0, 22.0);
        Some(Axis { from, to, px })
    }

    fn day_count(from: NaiveDate, to: NaiveDate) -> i64 {
        (to - from).num_days().max(1) + 1
    }

    /// Left edge of a day's column.
    fn x(&self, d: NaiveDate) -> f64 {
        LABEL_W + MARGIN + (d - self.from).num_days() as f64 * self.px
    }

    /// Width of the whole axis.
    fn width(&self) -> f64 {
        Axis::day_count(self.from, self.to) as f64 * self.px
    }
}

/// The picture's size and the band the rows take.
struct Frame {
    width: f64,
    height: f64,
    /// Top of the row band (where rest days are shaded).
    body_top: f64,
    /// Height of the row band.
    body_h: f64,
}

impl Frame {
    /// Wide enough for the axis and for every line of text that does not
    /// move with it: the title, the subtitle and the legend.
    fn new(axis: &Axis, rows: usize, gantt: &Gantt) -> Frame {
        let texts = [text_width(&gantt.title, 20.0), text_width(&gantt.subtitle, 13.0), legend_width(false)];
        let widest = texts.into_iter().fold(0.0, f64::max);
        Frame {
            width: (LABEL_W + MARGIN * 2.0 + axis.width() + 90.0).max(widest + MARGIN * 2.0).ceil(),
            height: TOP + rows as f64 * ROW_H + 56.0,
            body_top: TOP - 8.0,
            body_h: rows as f64 * ROW_H + 8.0,
        }
    }

    fn bottom(&self) -> f64 {
        self.body_top + self.body_h
    }

    /// Wide enough for the provisional note too, and for the legend's
    /// swatch of projected holidays that comes with it.
    fn with_note(mut self, note: Option<&str>) -> Frame {
        if let Some(note) = note {
            let widest = text_width(&provisional_text(note), 12.0).max(legend_width(true));
            self.width = self.width.max((widest + MARGIN * 2.0).ceil());
        }
        self
    }
}

/// The line under the subtitle of a chart that shows provisional days.
fn provisional_text(note: &str) -> String {
    format!("暂定 (provisional): {note}")
}

fn provisional_note(out: &mut String, note: &str) {
    let text = esc(&provisional_text(note));
    let _ = writeln!(
        out,
        r##"<text class="provisional-note" x="{MARGIN}" y="70" font-size="12" fill="#b9770e">{text}</text>"##
    );
}

/// The fill of a holiday the law projects: hatched, apart from published ones.
const PROJECTED_FILL: &str = "url(#projected-holiday)";

/// The hatching of projected holidays, defined once per chart.
const PROJECTED_PATTERN: &str = r##"<defs><pattern id="projected-holiday" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fdf2e9"/><line x1="0" y1="0" x2="0" y2="6" stroke="#f0b27a" stroke-width="3"/></pattern></defs>"##;

/// Steps grouped under their stages, in stage order then topological order;
/// a stage without bars gets no row.
fn rows<'a>(graph: &'a FlowGraph, gantt: &'a Gantt) -> Vec<Row<'a>> {
    let mut rows = Vec::new();
    for (k, stage) in graph.flow().stages().iter().enumerate() {
        let bars: Vec<&Bar> = gantt.bars.iter().filter(|b| graph.step(b.node).stage() == k).collect();
        if bars.is_empty() {
            continue;
        }
        rows.push(Row::Stage(stage.name(), super::stage_limits(graph.flow(), k)));
        rows.extend(bars.into_iter().map(Row::Step));
    }
    rows
}

/// The `<svg>` element, the background, the title and the subtitle.
fn header(out: &mut String, gantt: &Gantt, frame: &Frame) {
    let (width, height) = (frame.width, frame.height);
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="{FONT_STACK}">"#
    );
    let title = esc(&gantt.title);
    let _ = writeln!(out, "<title>{title}</title>");
    let _ = writeln!(out, r##"<rect width="100%" height="100%" fill="#ffffff"/>"##);
    let _ = writeln!(
        out,
        r##"<text x="{MARGIN}" y="30" font-size="20" font-weight="bold" fill="#1f2d3d">{title}</text>"##
    );
    let subtitle = esc(&gantt.subtitle);
    let _ = writeln!(out, r##"<text x="{MARGIN}" y="52" font-size="13" fill="#566573">{subtitle}</text>"##);
}

/// Rest days: weekends light, holidays stronger with their name (hatched
/// when the holiday law projects them), make-up working days (调休) marked
/// above the band.
fn rest_days(out: &mut String, calendar: &Calendar, axis: &Axis, frame: &Frame) {
    let (top, h, px) = (frame.body_top, frame.body_h, axis.px);
    out.push_str("<g class=\"calendar\">\n");
    if calendar.is_provisional(axis.to) {
        out.push_str(PROJECTED_PATTERN);
        out.push('\n');
    }
    let mut d = axis.from;
    while d <= axis.to {
        let x = axis.x(d);
        let entry = calendar
            .entries_in_year(d.year())
            .find(|e| e.first <= d && d <= e.last)
            .map(|e| (e.kind, esc(e.name.as_deref().unwrap_or("")), e.projected));
        let _ = match (calendar.is_working_day(d), entry) {
            (Ok(false), Some((DayKind::Holiday, name, true))) => writeln!(
                out,
                r##"<rect class="holiday projected" x="{x:.1}" y="{top:.1}" width="{px:.1}" height="{h:.1}" fill="{PROJECTED_FILL}"><title>{d} {name} (按放假办法推算, 待公布)</title></rect>"##
            ),
            (Ok(false), Some((DayKind::Holiday, name, false))) => writeln!(
                out,
                r##"<rect class="holiday" x="{x:.1}" y="{top:.1}" width="{px:.1}" height="{h:.1}" fill="#fadbd8"><title>{d} {name}</title></rect>"##
            ),
            (Ok(false), _) => writeln!(
                out,
                r##"<rect class="rest" x="{x:.1}" y="{top:.1}" width="{px:.1}" height="{h:.1}" fill="#f2f3f4"/>"##
            ),
            (Ok(true), Some((DayKind::Workday, name, _))) => {
                let y = top - 6.0;
                writeln!(
                    out,
                    r##"<rect class="workday" x="{x:.1}" y="{y:.1}" width="{px:.1}" height="6" fill="#27ae60"><title>{d} 调休上班 ({name})</title></rect>"##
                )
            }
            _ => Ok(()),
        };
        d += Duration::days(1);
    }
    out.push_str("</g>\n");
}

/// A line and a label at the start of every month; the year where it changes.
fn month_axis(out: &mut String, axis: &Axis, frame: &Frame) {
    let (top, bottom, label_y) = (TOP - 30.0, frame.bottom(), TOP - 18.0);
    let mut m = axis.from;
    while m <= axis.to {
        let x = axis.x(m);
        let label_x = x + 3.0;
        let label = if m.month() == 1 || m == axis.from {
            format!("{}年{}月", m.year(), m.month())
        } else {
            format!("{}月", m.month())
        };
        let _ = writeln!(
            out,
            r##"<line x1="{x:.1}" y1="{top:.1}" x2="{x:.1}" y2="{bottom:.1}" stroke="#d5d8dc"/><text x="{label_x:.1}" y="{label_y:.1}" font-size="11" fill="#566573">{label}</text>"##
        );
        m = (m + Duration::days(32)).with_day(1).unwrap_or(axis.to + Duration::days(1));
    }
}

/// A stage's band across the chart, with its limits (its budget and the groups of stages it closes).
fn stage_row(out: &mut String, name: &str, limits: Option<&str>, y: f64, width: f64) {
    let label = match limits {
        Some(l) => format!("{name} · {l}"),
        None => name.to_string(),
    };
    let (band_y, band_w, band_h) = (y + 2.0, width - 2.0 * MARGIN, ROW_H - 4.0);
    let (text_x, text_y) = (MARGIN + 6.0, y + 18.0);
    let label = esc(&label);
    let _ = writeln!(
        out,
        r##"<g class="stage"><rect x="{MARGIN}" y="{band_y:.1}" width="{band_w:.1}" height="{band_h:.1}" fill="#eaf2f8" opacity="0.6"/><text x="{text_x:.1}" y="{text_y:.1}" font-size="13" font-weight="bold" fill="#1b4f72">{label}</text></g>"##
    );
}

/// One step's row: its label on the left, its bar (a diamond for a 即办
/// milestone), its float as a thin tail, and its promised days after it.
fn step_row(out: &mut String, graph: &FlowGraph, bar: &Bar, y: f64, axis: &Axis) {
    let step = graph.step(bar.node);
    let counted = step.counted();
    let colors = bar_colors(bar, counted);
    let (x0, x1) = (axis.x(bar.start), axis.x(bar.end) + axis.px);
    let _ = write!(
        out,
        r#"<g id="bar-{}" class="{}"><title>{} {} · {} → {}</title>"#,
        esc(step.id()),
        class_of(bar, counted),
        esc(step.name()),
        esc(&super::limits_label(step)),
        bar.start,
        bar.end
    );
    step_label(out, step, y);
    let tail_end = bar.latest.map(|l| axis.x(l) + axis.px);
    if let Some(xl) = tail_end {
        float_tail(out, x1, xl, y, colors.1);
    }
    if bar.start == bar.end && step.promised() == 0 {
        milestone(out, x0 + axis.px / 2.0, y + ROW_H / 2.0, colors);
    } else {
        let dash = if counted { "" } else { r#" stroke-dasharray="4 2""# };
        let (top, w, h) = (y + 6.0, (x1 - x0).max(2.0), ROW_H - 12.0);
        let (fill, stroke) = colors;
        let _ = write!(
            out,
            r#"<rect x="{x0:.1}" y="{top:.1}" width="{w:.1}" height="{h:.1}" rx="3" fill="{fill}" stroke="{stroke}"{dash}/>"#
        );
    }
    let days = if counted {
        format!("{}个工作日", step.promised())
    } else {
        format!("({}个工作日)", step.promised())
    };
    let (days_x, days_y) = (x1.max(tail_end.unwrap_or(0.0)) + 4.0, y + 17.0);
    let days = esc(&days);
    let _ = writeln!(
        out,
        r##"<text x="{days_x:.1}" y="{days_y:.1}" font-size="11" fill="#566573">{days}</text></g>"##
    );
}

/// The step's name and departments, cut to fit the label column.
fn step_label(out: &mut String, step: &crate::model::Step, y: f64) {
    let dept = super::depts_text(step);
    let label = if dept.is_empty() { step.name().to_string() } else { format!("{} · {dept}", step.name()) };
    let label = esc(&fit(&label, 12.0, LABEL_W - 20.0));
    let (x, y) = (MARGIN + 16.0, y + 17.0);
    let _ = write!(out, r##"<text x="{x:.1}" y="{y:.1}" font-size="12" fill="#2c3e50">{label}</text>"##);
}

/// The float: a thin line from the bar's end to the latest it may end, with a tick there.
fn float_tail(out: &mut String, x1: f64, xl: f64, y: f64, stroke: &str) {
    let (mid, tick_top, tick_bottom) = (y + ROW_H / 2.0, y + ROW_H / 2.0 - 4.0, y + ROW_H / 2.0 + 4.0);
    let _ = write!(
        out,
        r##"<line class="float" x1="{x1:.1}" y1="{mid:.1}" x2="{xl:.1}" y2="{mid:.1}" stroke="{stroke}" stroke-width="1.5" opacity="0.7"/><line x1="{xl:.1}" y1="{tick_top:.1}" x2="{xl:.1}" y2="{tick_bottom:.1}" stroke="{stroke}" stroke-width="1.5" opacity="0.7"/>"##
    );
}

/// A diamond centred on `(cx, cy)`: a step decided on the spot (即办).
fn milestone(out: &mut String, cx: f64, cy: f64, (fill, stroke): (&str, &str)) {
    let (top, right, bottom, left) = (cy - 7.0, cx + 7.0, cy + 7.0, cx - 7.0);
    let _ = write!(
        out,
        r#"<path d="M{cx:.1},{top:.1} L{right:.1},{cy:.1} L{cx:.1},{bottom:.1} L{left:.1},{cy:.1} z" fill="{fill}" stroke="{stroke}"/>"#
    );
}

/// Vertical lines on top of the rows: the budget, stages' budgets, the status
/// day; labels below the band, staggered over three lines so neighbours do not
/// overlap. A label that would run past the right edge (a stage ending near
/// the end of the last month) is written leftwards from its line instead.
fn markers(out: &mut String, markers: &[Marker], axis: &Axis, frame: &Frame) {
    let (top, bottom) = (TOP - 12.0, frame.bottom());
    for (i, m) in markers.iter().enumerate() {
        let color = match m.class {
            "budget" => CRITICAL,
            "today" => "#1f618d",
            _ => "#b9770e",
        };
        let dash = if m.class == "stage-budget" { r#" stroke-dasharray="6 3""# } else { "" };
        let xm = axis.x(m.date) + axis.px;
        let label = format!("{} {}", m.label, m.date);
        let fits = xm + 3.0 + text_width(&label, 11.0) <= frame.width - MARGIN / 2.0;
        let (label_x, anchor) = if fits { (xm + 3.0, "") } else { (xm - 3.0, r#" text-anchor="end""#) };
        let label_y = bottom + 14.0 + (i % 3) as f64 * 13.0;
        let (class, label) = (m.class, esc(&label));
        let _ = writeln!(
            out,
            r#"<g class="marker {class}"><line x1="{xm:.1}" y1="{top:.1}" x2="{xm:.1}" y2="{bottom:.1}" stroke="{color}" stroke-width="2"{dash}/><text x="{label_x:.1}" y="{label_y:.1}"{anchor} font-size="11" fill="{color}">{label}</text></g>"#
        );
    }
}

/// A swatch of the legend: where it starts, its look, and where its label starts.
struct Swatch {
    x: f64,
    style: &'static str,
    label_x: f64,
    label: &'static str,
}

/// What the colours mean, in one line at the bottom.
const LEGEND: [Swatch; 6] = [
    Swatch {
        x: MARGIN,
        style: r##"fill="#e6766a" stroke="#c0392b""##,
        label_x: MARGIN + 20.0,
        label: "关键路径",
    },
    Swatch {
        x: MARGIN + 90.0,
        style: r##"fill="#7fb3d5" stroke="#2e86c1""##,
        label_x: MARGIN + 110.0,
        label: "计入总控",
    },
    Swatch {
        x: MARGIN + 180.0,
        style: r##"fill="#eaeded" stroke="#aab7b8" stroke-dasharray="4 2""##,
        label_x: MARGIN + 200.0,
        label: "不计入总控",
    },
    Swatch {
        x: MARGIN + 260.0, style: r##"fill="#fadbd8""##, label_x: MARGIN + 280.0, label: "法定节假日"
    },
    Swatch { x: MARGIN + 360.0, style: r##"fill="#f2f3f4""##, label_x: MARGIN + 380.0, label: "周末" },
    Swatch {
        x: MARGIN + 420.0, style: r##"fill="#27ae60""##, label_x: MARGIN + 440.0, label: "调休上班"
    },
];

/// Where the legend's closing note starts, after the last swatch's label.
const LEGEND_NOTE_X: f64 = MARGIN + 510.0;
/// The legend's closing note: what the thin line after a bar means.
const LEGEND_NOTE: &str = "细线: 可延后至 (总控余量)";

/// Where the swatch of projected holidays starts, after the closing note.
fn projected_swatch_x() -> f64 {
    LEGEND_NOTE_X + text_width(LEGEND_NOTE, 11.0) + 20.0
}

/// What the swatch of projected holidays says.
const PROJECTED_LABEL: &str = "推算节假日 (待公布)";

/// How far right of the left margin the legend reaches, with or without
/// the swatch of projected holidays.
fn legend_width(projected: bool) -> f64 {
    if projected {
        projected_swatch_x() + 20.0 - MARGIN + text_width(PROJECTED_LABEL, 11.0)
    } else {
        LEGEND_NOTE_X - MARGIN + text_width(LEGEND_NOTE, 11.0)
    }
}

fn legend(out: &mut String, height: f64, projected: bool) {
    let ly = height - 10.0;
    let swatch_y = ly - 9.0;
    out.push_str(r##"<g class="legend" font-size="11" fill="#566573">"##);
    for s in &LEGEND {
        let (x, style, label_x, label) = (s.x, s.style, s.label_x, s.label);
        let _ = write!(
            out,
            r#"<rect x="{x:.1}" y="{swatch_y:.1}" width="16" height="9" {style}/><text x="{label_x:.1}" y="{ly:.1}">{label}</text>"#
        );
    }
    let _ = write!(out, r#"<text x="{LEGEND_NOTE_X:.1}" y="{ly:.1}">{LEGEND_NOTE}</text>"#);
    if projected {
        let x = projected_swatch_x();
        let label_x = x + 20.0;
        let _ = write!(
            out,
            r#"<rect x="{x:.1}" y="{swatch_y:.1}" width="16" height="9" fill="{PROJECTED_FILL}"/><text x="{label_x:.1}" y="{ly:.1}">{PROJECTED_LABEL}</text>"#
        );
    }
    out.push_str("</g>\n");
}

enum Row<'a> {
    Stage(&'a str, Option<String>),
    Step(&'a Bar),
}

fn empty_svg(title: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"400\" height=\"60\"><text x=\"10\" y=\"30\" font-family=\"{FONT_STACK}\">{} (no steps)</text></svg>\n",
        esc(title)
    )
}
