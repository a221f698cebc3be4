//! The whole-process flow chart (全流程图) as SVG: stages left to right,
//! parallel steps stacked, arrows for dependencies, the critical path in red.
//!
//! The chart draws the transitive reduction of the flow (an edge that a
//! longer path already implies is left out), and joins each set of steps
//! that all wait for the same set of steps in the column before through one
//! bus, as hand-drawn approval charts do. A flow longer than
//! [`MAX_COLUMNS`] columns wraps into rows, like lines of text, so a long
//! serial flow stays a chart a wall can hold. A flow too large to draw step by
//! step ([`MAX_DETAILED_STEPS`], [`MAX_DETAILED_SIZE`]) is drawn as its
//! stages, each box with its count of steps.

use std::collections::{HashMap, HashSet};
use std::fmt::Write;

use super::Facts;
use super::layout::{Layout, layered, layered_size, transitive_reduction};
use super::svg::{FONT_STACK, esc, fit};
use crate::graph::{Dag, FlowGraph, Node};

/// The most steps a chart draws one by one; a larger flow is drawn by stage.
pub const MAX_DETAILED_STEPS: usize = 2_000;

/// The largest layered graph a chart draws one by one (steps, plus one per
/// column each drawn edge crosses): past it a flow is drawn by stage.
pub const MAX_DETAILED_SIZE: usize = 200_000;

/// The most columns one row of a chart holds. A flow with more wraps into
/// rows of equal length (Jiaxing's 35 serial steps: 4 rows of 9), the arrow
/// out of a row's last column running down to the next row's first.
pub const MAX_COLUMNS: u32 = 10;

const BOX_W: f64 = 250.0;
const BOX_H: f64 = 72.0;
const COL_GAP: f64 = 56.0;
const ROW_GAP: f64 = 22.0;
const MARGIN: f64 = 24.0;
const TOP: f64 = 96.0;
const CRITICAL: &str = "#c0392b";
const EDGE: &str = "#95a5a6";
const BAND_FILLS: [&str; 2] = ["#f3f7fc", "#fbf8f1"];
/// From the top of one wrapped row's boxes to the next row's, past the
/// tallest column: the stage band's margin below (48), a gap, the next
/// row's stage labels (30).
const WRAP_GAP: f64 = 110.0;

/// A layout placed on the page: columns wrapped into rows of at most
/// [`MAX_COLUMNS`], every row as tall as the layout's tallest column.
struct Sheet<'a> {
    layout: &'a Layout,
    /// Columns per wrapped row.
    per_row: u32,
    /// Wrapped rows.
    lines: u32,
}

impl<'a> Sheet<'a> {
    fn new(layout: &'a Layout) -> Sheet<'a> {
        let layers = layout.layers.max(1);
        let lines = layers.div_ceil(MAX_COLUMNS);
        Sheet { layout, per_row: layers.div_ceil(lines), lines }
    }

    /// The wrapped row column `layer` falls in.
    fn line(&self, layer: u32) -> u32 {
        layer / self.per_row
    }

    /// Left edge of column `layer`.
    fn x(&self, layer: u32) -> f64 {
        MARGIN + f64::from(layer % self.per_row) * (BOX_W + COL_GAP)
    }

    /// Height of one wrapped row's boxes.
    fn block(&self) -> f64 {
        f64::from(self.layout.rows.max(1)) * (BOX_H + ROW_GAP) - ROW_GAP
    }

    /// Top of wrapped row `line`'s boxes.
    fn top(&self, line: u32) -> f64 {
        TOP + f64::from(line) * (self.block() + WRAP_GAP)
    }

    /// Top edge of the box in column `layer`, row `row`.
    fn y(&self, layer: u32, row: u32) -> f64 {
        self.top(self.line(layer)) + f64::from(row) * (BOX_H + ROW_GAP)
    }

    fn width(&self) -> f64 {
        (self.x(self.per_row - 1) + BOX_W + MARGIN).max(640.0)
    }

    fn height(&self) -> f64 {
        self.top(self.lines - 1) + self.block() + 64.0
    }

    /// Top-left corner of node `v`'s box.
    fn corner(&self, v: Node) -> (f64, f64) {
        let (l, r) = (self.layout.layer[v.index()], self.layout.row[v.index()]);
        (self.x(l), self.y(l, r))
    }

    /// Where an edge leaves node `v` (its right side, halfway down).
    fn exit(&self, v: Node) -> (f64, f64) {
        let (x, y) = self.corner(v);
        (x + BOX_W, y + BOX_H / 2.0)
    }

    /// Where an edge enters node `v` (its left side, halfway down).
    fn entry(&self, v: Node) -> (f64, f64) {
        let (x, y) = self.corner(v);
        (x, y + BOX_H / 2.0)
    }

    /// The path `d` of edge `(u, v)` bending through `bends`: straight within a
    /// wrapped row; from one row to the next it leaves past the row's right
    /// edge, runs left under the row's stage bands and enters from the left.
    fn route(&self, (u, v): (Node, Node), bends: &[(u32, u32)]) -> String {
        let line = |v: Node| self.line(self.layout.layer[v.index()]);
        let mut points = vec![(line(u), self.exit(u))];
        for &(l, r) in bends {
            let y = self.y(l, r) + BOX_H / 2.0;
            points.push((self.line(l), (self.x(l) - COL_GAP / 4.0, y)));
            points.push((self.line(l), (self.x(l) + BOX_W + COL_GAP / 4.0, y)));
        }
        points.push((line(v), self.entry(v)));
        let (right, left) = (self.x(self.per_row - 1) + BOX_W + MARGIN / 2.0, MARGIN / 2.0);
        let mut d = String::new();
        let mut last: Option<(u32, f64)> = None;
        for (k, (x, y)) in points {
            match last {
                None => {
                    let _ = write!(d, "M{x:.1},{y:.1}");
                }
                Some((from, y0)) if from < k => {
                    let under = self.top(from) + self.block() + 64.0;
                    let _ = write!(
                        d,
                        " L{right:.1},{y0:.1} L{right:.1},{under:.1} L{left:.1},{under:.1} L{left:.1},{y:.1} L{x:.1},{y:.1}"
                    );
                }
                Some(_) => {
                    let _ = write!(d, " L{x:.1},{y:.1}");
                }
            }
            last = Some((k, y));
        }
        d
    }
}

/// Draws the flow chart. Each step is a `<g>` with id `step-<id>` and class
/// `step`, plus `critical` and `uncounted` where they apply; each drawn edge
/// is a `path.edge` with `data-from` and `data-to`, or one `g.edge.bus` whose
/// `data-from` and `data-to` list the steps it joins (every one of the first
/// waits for every one of the second). A flow past the detailed limits is
/// drawn as `g.stage-summary` boxes, one per stage.
///
/// # Complexity
/// Up to [`MAX_DETAILED_STEPS`] steps: O(V · E / 64) for the transitive
/// reduction, then O(S log S) for the layout of a layered graph of size S ≤
/// [`MAX_DETAILED_SIZE`]. Past them, O(V + E) to count steps and edges by
/// stage, and the same bounds for the stages' graph.
pub fn flowchart_svg(graph: &FlowGraph, facts: &Facts) -> String {
    match drawable(graph.dag(), &critical_edges(facts)) {
        Some(dag) => detailed(graph, facts, &dag),
        None => by_stage(graph, facts),
    }
}

/// The edges of the critical path, for quick lookup.
fn critical_edges(facts: &Facts) -> HashSet<(Node, Node)> {
    facts.critical_edges.iter().copied().collect()
}

/// What a chart draws of `dag` step by step: its transitive reduction, plus
/// `keep` (the critical path's edges, even where a longer path implies them);
/// `None` when the flow is past the detailed limits.
fn drawable(dag: &Dag, keep: &HashSet<(Node, Node)>) -> Option<Dag> {
    if dag.len() > MAX_DETAILED_STEPS {
        return None;
    }
    let reduced = transitive_reduction(dag);
    let mut edges: Vec<(u32, u32)> = reduced.edges().map(|(u, v)| (u.0, v.0)).collect();
    let before = edges.len();
    edges.extend(keep.iter().filter(|(u, v)| u < v && v.index() < dag.len()).map(|(u, v)| (u.0, v.0)));
    let drawn =
        if edges.len() == before { reduced } else { Dag::from_topological(dag.len(), edges.into_iter()) };
    (layered_size(&drawn) <= MAX_DETAILED_SIZE).then_some(drawn)
}

/// Every step in its box, every drawn edge.
fn detailed(graph: &FlowGraph, facts: &Facts, drawn: &Dag) -> String {
    let layout = layered(drawn);
    let sheet = Sheet::new(&layout);
    let height = sheet.height();
    let mut out = String::new();
    open(&mut out, graph, facts, sheet.width(), height);
    stage_bands(&mut out, graph, &sheet);
    edges(&mut out, graph, &sheet, &critical_edges(facts));
    step_boxes(&mut out, graph, facts, &sheet);
    legend(&mut out, height);
    out.push_str("</svg>\n");
    out
}

/// The `<svg>` element, its title, arrow markers, background and heading.
fn open(out: &mut String, graph: &FlowGraph, facts: &Facts, width: f64, height: f64) {
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="{FONT_STACK}">"#
    );
    let _ = writeln!(out, "<title>{}</title>", esc(&facts.title(graph)));
    out.push_str(concat!(
        "<defs>",
        r##"<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#7f8c8d"/></marker>"##,
        r##"<marker id="arrow-critical" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#c0392b"/></marker>"##,
        "</defs>\n"
    ));
    let _ = writeln!(out, r##"<rect width="100%" height="100%" fill="#ffffff"/>"##);
    let _ = writeln!(
        out,
        r##"<text x="{MARGIN}" y="34" font-size="20" font-weight="bold" fill="#1f2d3d">{}</text>"##,
        esc(graph.flow().name())
    );
    let _ = writeln!(
        out,
        r##"<text x="{MARGIN}" y="58" font-size="13" fill="#566573">{}</text>"##,
        esc(&subtitle(graph, facts))
    );
}

/// A band behind each stage's columns, with its name and budget; a stage
/// whose columns wrap has a band in each row it reaches, marked 续 after the
/// first.
fn stage_bands(out: &mut String, graph: &FlowGraph, sheet: &Sheet<'_>) {
    let stages = graph.flow().stages();
    // The first and last column of each stage's steps, in one pass over the steps.
    let mut span: Vec<Option<(u32, u32)>> = vec![None; stages.len()];
    for v in graph.nodes() {
        let l = sheet.layout.layer[v.index()];
        let s = &mut span[graph.step(v).stage()];
        *s = Some(s.map_or((l, l), |(lo, hi)| (lo.min(l), hi.max(l))));
    }
    let mut band = 0;
    for (k, (stage, span)) in stages.iter().zip(span).enumerate() {
        let Some((lo, hi)) = span else { continue };
        let label = match super::stage_limits(graph.flow(), k) {
            Some(limits) => format!("{} · {limits}", stage.name()),
            None => stage.name().to_string(),
        };
        let _ = write!(out, r#"<g class="stage" id="stage-{}">"#, esc(stage.id()));
        for line in sheet.line(lo)..=sheet.line(hi) {
            let first = lo.max(line * sheet.per_row);
            let last = hi.min(line * sheet.per_row + sheet.per_row - 1);
            let x = sheet.x(first) - COL_GAP / 2.0 + 4.0;
            let w = sheet.x(last) + BOX_W + COL_GAP / 2.0 - 4.0 - x;
            let top = sheet.top(line);
            let label = if line == sheet.line(lo) { label.clone() } else { format!("{label} (续)") };
            let _ = write!(
                out,
                r##"<rect x="{x:.1}" y="{:.1}" width="{w:.1}" height="{:.1}" rx="8" fill="{}"/><text x="{:.1}" y="{:.1}" font-size="13" font-weight="bold" fill="#34495e">{}</text>"##,
                top - 30.0,
                sheet.block() + 78.0,
                BAND_FILLS[band % 2],
                x + 10.0,
                top - 12.0,
                esc(&fit(&label, 13.0, w - 20.0))
            );
        }
        out.push_str("</g>\n");
        band += 1;
    }
}

/// Steps that all wait for the same steps of the column before: drawn as one
/// bus instead of every pair. Only plain (not critical) edges between
/// adjacent columns of one wrapped row join a bus.
struct Bus {
    from: Vec<Node>,
    to: Vec<Node>,
}

/// Groups the plain adjacent-column edges of `sheet` into buses of at least
/// two sources and two targets; returns them and the edges they carry.
///
/// # Complexity
/// O(E) expected: each source's list of targets is hashed once.
fn buses(sheet: &Sheet<'_>, critical: &HashSet<(Node, Node)>) -> (Vec<Bus>, HashSet<(Node, Node)>) {
    let layout = sheet.layout;
    let line = |v: &Node| sheet.line(layout.layer[v.index()]);
    let mut targets: HashMap<Node, Vec<Node>> = HashMap::new();
    for ((u, v), bends) in &layout.bends {
        if bends.is_empty() && !critical.contains(&(*u, *v)) && line(u) == line(v) {
            targets.entry(*u).or_default().push(*v);
        }
    }
    let mut by_targets: HashMap<Vec<Node>, Vec<Node>> = HashMap::new();
    for (u, mut to) in targets {
        if to.len() >= 2 {
            to.sort_unstable();
            by_targets.entry(to).or_default().push(u);
        }
    }
    let mut out: Vec<Bus> = by_targets
        .into_iter()
        .filter(|(_, from)| from.len() >= 2)
        .map(|(to, mut from)| {
            from.sort_unstable();
            Bus { from, to }
        })
        .collect();
    out.sort_unstable_by_key(|b| b.from[0]);
    let carried =
        out.iter().flat_map(|b| b.from.iter().flat_map(|&u| b.to.iter().map(move |&v| (u, v)))).collect();
    (out, carried)
}

/// Every drawn edge, under the boxes: buses first, then single edges, the
/// critical ones last so they stay on top.
fn edges(out: &mut String, graph: &FlowGraph, sheet: &Sheet<'_>, critical: &HashSet<(Node, Node)>) {
    let (buses, carried) = buses(sheet, critical);
    for bus in &buses {
        bus_path(out, graph, sheet, bus);
    }
    let single = sheet.layout.bends.iter().filter(|((u, v), _)| !carried.contains(&(*u, *v)));
    let (crit, plain): (Vec<_>, Vec<_>) = single.partition(|((u, v), _)| critical.contains(&(*u, *v)));
    for ((u, v), bends) in plain.into_iter().chain(crit) {
        edge_path(out, graph, sheet, (*u, *v), bends, critical.contains(&(*u, *v)));
    }
}

/// One edge, bending through the columns it crosses.
fn edge_path(
    out: &mut String,
    graph: &FlowGraph,
    sheet: &Sheet<'_>,
    (u, v): (Node, Node),
    bends: &[(u32, u32)],
    crit: bool,
) {
    let d = sheet.route((u, v), bends);
    let (color, marker, w) = if crit { (CRITICAL, "arrow-critical", 2.4) } else { (EDGE, "arrow", 1.3) };
    let _ = writeln!(
        out,
        r#"<path class="edge{}" data-from="{}" data-to="{}" d="{d}" fill="none" stroke="{color}" stroke-width="{w}" marker-end="url(#{marker})"/>"#,
        if crit { " critical" } else { "" },
        esc(graph.step(u).id()),
        esc(graph.step(v).id())
    );
}

/// A bus: each source runs to a vertical bar halfway across the gap, the
/// bar spans them all, and an arrow runs from it to each target.
fn bus_path(out: &mut String, graph: &FlowGraph, sheet: &Sheet<'_>, bus: &Bus) {
    let ids = |nodes: &[Node]| nodes.iter().map(|&v| esc(graph.step(v).id())).collect::<Vec<_>>().join(" ");
    let bar_x = sheet.exit(bus.from[0]).0 + COL_GAP / 2.0;
    let ys = bus.from.iter().map(|&u| sheet.exit(u).1).chain(bus.to.iter().map(|&v| sheet.entry(v).1));
    let (top, bottom) = ys.fold((f64::MAX, f64::MIN), |(lo, hi), y| (lo.min(y), hi.max(y)));
    let mut trunk = format!("M{bar_x:.1},{top:.1} V{bottom:.1}");
    for &u in &bus.from {
        let (x, y) = sheet.exit(u);
        let _ = write!(trunk, " M{x:.1},{y:.1} H{bar_x:.1}");
    }
    let _ = write!(
        out,
        r#"<g class="edge bus" data-from="{}" data-to="{}" fill="none" stroke="{EDGE}" stroke-width="1.3"><path d="{trunk}"/>"#,
        ids(&bus.from),
        ids(&bus.to)
    );
    for &v in &bus.to {
        let (x, y) = sheet.entry(v);
        let _ = write!(out, r#"<path d="M{bar_x:.1},{y:.1} H{x:.1}" marker-end="url(#arrow)"/>"#);
    }
    out.push_str("</g>\n");
}

/// One box per step: name, department, days; red on the critical path,
/// dashed when its days are not counted.
fn step_boxes(out: &mut String, graph: &FlowGraph, facts: &Facts, sheet: &Sheet<'_>) {
    for v in graph.nodes() {
        let s = graph.step(v);
        let (x, y) = sheet.corner(v);
        let crit = facts.is_critical(v);
        let mut class = String::from("step");
        if crit {
            class.push_str(" critical");
        }
        if !s.counted() {
            class.push_str(" uncounted");
        }
        let (fill, stroke, sw) = match (crit, s.counted()) {
            (true, _) => ("#fdecea", CRITICAL, 2.4),
            (false, true) => ("#ffffff", "#5d6d7e", 1.2),
            (false, false) => ("#f4f6f6", "#aab7b8", 1.2),
        };
        let dash = if s.counted() { "" } else { r#" stroke-dasharray="5 3""# };
        let dept = super::depts_text(s);
        let days = match s.legal() {
            Some(l) => format!("承诺 {} 个工作日 / 法定 {l} 个工作日", s.promised()),
            None => format!("{} 个工作日", s.promised()),
        };
        let days = if s.counted() { days } else { format!("{days} · 不计入总控") };
        let _ = writeln!(
            out,
            r##"<g id="step-{}" class="{class}"><title>{} ({})</title><rect x="{x:.1}" y="{y:.1}" width="{BOX_W}" height="{BOX_H}" rx="6" fill="{fill}" stroke="{stroke}" stroke-width="{sw}"{dash}/><text x="{:.1}" y="{:.1}" font-size="14" font-weight="bold" fill="#1f2d3d">{}</text><text x="{:.1}" y="{:.1}" font-size="12" fill="#566573">{}</text><text x="{:.1}" y="{:.1}" font-size="12" fill="{}">{}</text></g>"##,
            esc(s.id()),
            esc(s.name()),
            esc(s.id()),
            x + 10.0,
            y + 22.0,
            esc(&fit(s.name(), 14.0, BOX_W - 20.0)),
            x + 10.0,
            y + 42.0,
            esc(&fit(if dept.is_empty() { "—" } else { &dept }, 12.0, BOX_W - 20.0)),
            x + 10.0,
            y + 61.0,
            if crit { CRITICAL } else { "#566573" },
            esc(&fit(&days, 12.0, BOX_W - 20.0)),
        );
    }
}

/// What the red and the dashed boxes mean.
fn legend(out: &mut String, height: f64) {
    let ly = height - 22.0;
    let _ = writeln!(
        out,
        r##"<g class="legend" font-size="12" fill="#566573"><rect x="{MARGIN}" y="{:.1}" width="18" height="12" fill="#fdecea" stroke="{CRITICAL}" stroke-width="2"/><text x="{:.1}" y="{ly:.1}">关键路径</text><rect x="{:.1}" y="{:.1}" width="18" height="12" fill="#f4f6f6" stroke="#aab7b8" stroke-dasharray="5 3"/><text x="{:.1}" y="{ly:.1}">不计入总控 (业主委托的中介服务、公示、专家评审、业主自行办理)</text></g>"##,
        ly - 10.0,
        MARGIN + 24.0,
        MARGIN + 110.0,
        ly - 10.0,
        MARGIN + 134.0,
    );
}

fn subtitle(graph: &FlowGraph, facts: &Facts) -> String {
    let items = graph.nodes().filter(|&v| graph.step(v).kind().is_decision()).count();
    let mut parts = vec![format!("{} 个环节, 其中审批事项 {items} 项", graph.len())];
    if let Some(t) = facts.total_days {
        parts.push(format!("关键路径 {t} 个工作日"));
    }
    if let Some(b) = facts.budget {
        parts.push(format!("批时总控 {b} 个工作日"));
        if let Some(t) = facts.total_days {
            parts.push(if t <= b {
                format!("余量 {} 个工作日", b - t)
            } else {
                format!("超出 {} 个工作日", t - b)
            });
        }
    }
    parts.join(" · ")
}

/// A flow too large to draw step by step: one box per stage with its counts,
/// and an arrow wherever a step of one stage waits for a step of another.
fn by_stage(graph: &FlowGraph, facts: &Facts) -> String {
    let stages = graph.flow().stages();
    let mut steps = vec![0usize; stages.len()];
    let mut critical = vec![0usize; stages.len()];
    for v in graph.nodes() {
        let k = graph.step(v).stage();
        steps[k] += 1;
        critical[k] += usize::from(facts.is_critical(v));
    }
    let (dag, stage_of) = stage_graph(graph);
    let layout = layered(&dag);
    let sheet = Sheet::new(&layout);
    let mut out = String::new();
    open(&mut out, graph, facts, sheet.width(), sheet.height());
    let _ = writeln!(
        out,
        r##"<text class="note" x="{MARGIN}" y="78" font-size="12" fill="#566573">{} 个环节，超过逐项绘制的上限，按阶段汇总</text>"##,
        graph.len()
    );
    for ((u, v), bends) in &layout.bends {
        let d = sheet.route((*u, *v), bends);
        let _ = writeln!(
            out,
            r#"<path class="edge" data-from="{}" data-to="{}" d="{d}" fill="none" stroke="{EDGE}" stroke-width="1.3" marker-end="url(#arrow)"/>"#,
            esc(stages[stage_of[u.index()]].id()),
            esc(stages[stage_of[v.index()]].id())
        );
    }
    for v in dag.nodes() {
        let k = stage_of[v.index()];
        let (x, y) = sheet.corner(v);
        let stroke = if critical[k] > 0 { CRITICAL } else { "#5d6d7e" };
        let budget = super::stage_limits(graph.flow(), k).map_or(String::new(), |l| format!(" · {l}"));
        let _ = writeln!(
            out,
            r##"<g id="stage-{}" class="stage-summary" data-steps="{}"><title>{}</title><rect x="{x:.1}" y="{y:.1}" width="{BOX_W}" height="{BOX_H}" rx="6" fill="#ffffff" stroke="{stroke}" stroke-width="1.6"/><text x="{:.1}" y="{:.1}" font-size="14" font-weight="bold" fill="#1f2d3d">{}</text><text x="{:.1}" y="{:.1}" font-size="12" fill="#566573">{} 个环节 · 关键 {} 个</text><text x="{:.1}" y="{:.1}" font-size="12" fill="#566573">{}</text></g>"##,
            esc(stages[k].id()),
            steps[k],
            esc(stages[k].name()),
            x + 10.0,
            y + 22.0,
            esc(&fit(stages[k].name(), 14.0, BOX_W - 20.0)),
            x + 10.0,
            y + 42.0,
            steps[k],
            critical[k],
            x + 10.0,
            y + 61.0,
            esc(&fit(budget.trim_start_matches(" · "), 12.0, BOX_W - 20.0)),
        );
    }
    out.push_str("</svg>\n");
    out
}

/// The stages as a graph: an edge where a step of one waits for a step of
/// another, reduced like a detailed chart; with each node's stage index.
/// Stages that wait for each other both ways (possible when `after` edges
/// cross) or too many to draw are shown without edges, in file order.
fn stage_graph(graph: &FlowGraph) -> (Dag, Vec<usize>) {
    let k = graph.flow().stages().len();
    let mut pairs: Vec<(u32, u32)> = graph
        .dag()
        .edges()
        .map(|(u, v)| (graph.step(u).stage() as u32, graph.step(v).stage() as u32))
        .filter(|(a, b)| a != b)
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    let edgeless = || (Dag::from_topological(k, std::iter::empty()), (0..k).collect());
    let Ok((dag, order)) = Dag::from_edges(k, &pairs) else { return edgeless() };
    match drawable(&dag, &HashSet::new()) {
        Some(drawn) => (drawn, order.into_iter().map(|s| s as usize).collect()),
        None => edgeless(),
    }
}
