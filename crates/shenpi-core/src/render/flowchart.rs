//! The whole-process flow chart (全流程图) as SVG: stages left to right,
//! parallel steps stacked, arrows for dependencies, the critical path in red.

use std::fmt::Write;

use super::Facts;
use super::layout::layered;
use super::svg::{FONT_STACK, esc, fit};
use crate::graph::FlowGraph;

const BOX_W: f64 = 210.0;
const BOX_H: f64 = 72.0;
const COL_GAP: f64 = 56.0;
const ROW_GAP: f64 = 22.0;
const MARGIN: f64 = 24.0;
const TOP: f64 = 96.0;
const CRITICAL: &str = "#c0392b";
const BAND_FILLS: [&str; 2] = ["#f3f7fc", "#fbf8f1"];

fn col_x(layer: u32) -> f64 {
    MARGIN + f64::from(layer) * (BOX_W + COL_GAP)
}

fn row_y(row: u32) -> f64 {
    TOP + f64::from(row) * (BOX_H + ROW_GAP)
}

/// Draws the flow chart. Each step is a `<g>` with id `step-<id>` and class
/// `step`, plus `critical` and `uncounted` where they apply.
pub fn flowchart_svg(graph: &FlowGraph, facts: &Facts) -> String {
    let layout = layered(graph.dag());
    let width = (col_x(layout.layers.max(1)) - COL_GAP + MARGIN).max(640.0);
    let height = row_y(layout.rows.max(1)) - ROW_GAP + 64.0;
    let mut out = String::new();
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

    // Stage bands behind the boxes.
    let flow = graph.flow();
    let mut band = 0;
    for (k, stage) in flow.stages().iter().enumerate() {
        let layers: Vec<u32> =
            graph.nodes().filter(|&v| graph.step(v).stage() == k).map(|v| layout.layer[v.index()]).collect();
        let (Some(&lo), Some(&hi)) = (layers.iter().min(), layers.iter().max()) else { continue };
        let x = col_x(lo) - COL_GAP / 2.0 + 4.0;
        let w = col_x(hi) + BOX_W + COL_GAP / 2.0 - 4.0 - x;
        let label = match stage.budget() {
            Some(b) => format!("{} · 阶段总控 {b} 天", stage.name()),
            None => stage.name().to_string(),
        };
        let _ = writeln!(
            out,
            r##"<g class="stage" id="stage-{}"><rect x="{x:.1}" y="{:.1}" width="{w:.1}" height="{:.1}" rx="8" fill="{}"/><text x="{:.1}" y="{:.1}" font-size="13" font-weight="bold" fill="#34495e">{}</text></g>"##,
            esc(stage.id()),
            TOP - 30.0,
            height - TOP + 14.0,
            BAND_FILLS[band % 2],
            x + 10.0,
            TOP - 12.0,
            esc(&fit(&label, 13.0, w - 20.0))
        );
        band += 1;
    }

    // Edges under the boxes.
    for ((u, v), bends) in &layout.bends {
        let crit = facts.is_critical_edge(*u, *v);
        let (ux, uy) = (col_x(layout.layer[u.index()]) + BOX_W, row_y(layout.row[u.index()]) + BOX_H / 2.0);
        let (vx, vy) = (col_x(layout.layer[v.index()]), row_y(layout.row[v.index()]) + BOX_H / 2.0);
        let mut d = format!("M{ux:.1},{uy:.1}");
        for &(l, r) in bends {
            let (bx, by) = (col_x(l), row_y(r) + BOX_H / 2.0);
            let _ =
                write!(d, " L{:.1},{by:.1} L{:.1},{by:.1}", bx - COL_GAP / 4.0, bx + BOX_W + COL_GAP / 4.0);
        }
        let _ = write!(d, " L{vx:.1},{vy:.1}");
        let (color, marker, w) =
            if crit { (CRITICAL, "arrow-critical", 2.4) } else { ("#95a5a6", "arrow", 1.3) };
        let _ = writeln!(
            out,
            r#"<path class="edge{}" data-from="{}" data-to="{}" d="{d}" fill="none" stroke="{color}" stroke-width="{w}" marker-end="url(#{marker})"/>"#,
            if crit { " critical" } else { "" },
            esc(graph.step(*u).id()),
            esc(graph.step(*v).id())
        );
    }

    // Step boxes.
    for v in graph.nodes() {
        let s = graph.step(v);
        let (x, y) = (col_x(layout.layer[v.index()]), row_y(layout.row[v.index()]));
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
        let dept = s.dept_label();
        let days = match s.legal() {
            Some(l) => format!("承诺 {} 天 / 法定 {l} 天", s.promised()),
            None => format!("{} 天", s.promised()),
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

    // Legend.
    let ly = height - 22.0;
    let _ = writeln!(
        out,
        r##"<g class="legend" font-size="12" fill="#566573"><rect x="{MARGIN}" y="{:.1}" width="18" height="12" fill="#fdecea" stroke="{CRITICAL}" stroke-width="2"/><text x="{:.1}" y="{ly:.1}">关键路径</text><rect x="{:.1}" y="{:.1}" width="18" height="12" fill="#f4f6f6" stroke="#aab7b8" stroke-dasharray="5 3"/><text x="{:.1}" y="{ly:.1}">不计入总控 (中介服务、公示、专家评审、业主自行办理)</text></g>"##,
        ly - 10.0,
        MARGIN + 24.0,
        MARGIN + 110.0,
        ly - 10.0,
        MARGIN + 134.0,
    );
    out.push_str("</svg>\n");
    out
}

fn subtitle(graph: &FlowGraph, facts: &Facts) -> String {
    let mut parts = vec![format!("{} 个事项", graph.len())];
    if let Some(t) = facts.total_days {
        parts.push(format!("关键路径 {t} 个工作日"));
    }
    if let Some(b) = facts.budget {
        parts.push(format!("批时总控 {b} 个工作日"));
        if let Some(t) = facts.total_days {
            parts.push(if t <= b {
                format!("余量 {} 天", b - t)
            } else {
                format!("超出 {} 天", t - b)
            });
        }
    }
    parts.join(" · ")
}
