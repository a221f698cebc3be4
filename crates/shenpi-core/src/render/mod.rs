//! Pictures of a flow: the whole-process chart (全流程图) and the Gantt chart
//! as self-contained SVG, plus Mermaid and Graphviz DOT exports.
//!
//! Rendering is pure: it takes a compiled flow and the numbers to show (from
//! a plan or a live project's status) and returns text; it reads and writes
//! no files.

mod flowchart;
mod gantt;
mod layout;
mod stats;
mod svg;
mod text;

pub use flowchart::{MAX_COLUMNS, MAX_DETAILED_SIZE, MAX_DETAILED_STEPS, flowchart_svg};
pub use gantt::{Bar, BarKind, Gantt, Marker, gantt_svg};
pub use layout::{Layout, Route, layered, layered_size, transitive_reduction};
pub use stats::statistics_svg;
pub use text::{dot, mermaid, mermaid_id};

use crate::graph::{FlowGraph, Node};
use crate::model::{Flow, Step};

/// What a chart shows besides the flow itself: which steps are critical and
/// the totals for the title. Usually built from a plan.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facts {
    /// For each node of the graph, whether it lies on the critical path.
    pub critical: Vec<bool>,
    /// The edges of the critical path: both ends critical and no gap between them.
    pub critical_edges: Vec<(Node, Node)>,
    /// Counted working days on the critical path.
    pub total_days: Option<u32>,
    /// The budget those days are measured against.
    pub budget: Option<u32>,
}

impl Facts {
    /// The critical steps and edges and the totals of a plan.
    pub fn from_plan(plan: &crate::schedule::Plan) -> Facts {
        let g = plan.graph();
        let critical: Vec<bool> = g.nodes().map(|v| plan.step(v).critical).collect();
        let path = plan.critical_path();
        Facts {
            critical,
            critical_edges: path.windows(2).map(|w| (w[0], w[1])).collect(),
            total_days: Some(plan.total_days()),
            budget: plan.budget(),
        }
    }

    /// Whether node `v` is marked critical.
    pub fn is_critical(&self, v: Node) -> bool {
        self.critical.get(v.index()).copied().unwrap_or(false)
    }

    /// Whether the edge `u -> v` is drawn as part of the critical path.
    pub fn is_critical_edge(&self, u: Node, v: Node) -> bool {
        self.critical_edges.contains(&(u, v))
    }

    /// The chart title: the flow's name with its total and budget.
    pub fn title(&self, graph: &FlowGraph) -> String {
        let name = &graph.flow().name();
        match (self.total_days, self.budget) {
            (Some(t), Some(b)) => format!("{name} — 关键路径 {t} 个工作日 / 总控 {b} 个工作日"),
            (Some(t), None) => format!("{name} — 关键路径 {t} 个工作日"),
            (None, Some(b)) => format!("{name} — 总控 {b} 个工作日"),
            (None, None) => name.to_string(),
        }
    }
}

/// The departments a chart shows for a step: a countersign's joined by `+`
/// (`住建局+人防办`), a joint step's lead and then its members
/// (`住建局牵头+人防办+水利局`).
pub(crate) fn depts_text(s: &Step) -> String {
    match s.joint() {
        Some(j) => {
            let mut text = format!("{}牵头", s.dept_label());
            for m in j.members() {
                text.push('+');
                text.push_str(m.dept());
            }
            text
        }
        None => s.dept_label(),
    }
}

/// The limits a stage's label names, or `None`: its own budget (阶段总控)
/// and each group of stages (`budgets:`) that ends with it. A group of that
/// stage alone is its 阶段总控; a longer group is named with its total
/// (`立项到施工许可 合计 60 个工作日`), on its last stage.
pub(crate) fn stage_limits(flow: &Flow, stage: usize) -> Option<String> {
    let mut parts = Vec::new();
    let own = flow.stages().get(stage).and_then(|s| s.budget());
    if let Some(b) = own {
        parts.push(format!("阶段总控 {b} 个工作日"));
    }
    for g in flow.budgets() {
        if g.stages().iter().max() != Some(&stage) {
            continue;
        }
        if g.stages().len() == 1 {
            if own != Some(g.days()) {
                parts.push(format!("阶段总控 {} 个工作日", g.days()));
            }
        } else {
            parts.push(format!("{} 合计 {} 个工作日", g.name(), g.days()));
        }
    }
    (!parts.is_empty()).then(|| parts.join(" · "))
}

/// `发改局 · 承诺 5 个工作日 / 法定 20 个工作日`, marked `不计入总控` for
/// uncounted work.
pub(crate) fn limits_label(s: &Step) -> String {
    let dept = depts_text(s);
    let days = match s.legal() {
        Some(l) => format!("承诺 {} 个工作日 / 法定 {l} 个工作日", s.promised()),
        None => format!("{} 个工作日", s.promised()),
    };
    let counted = if s.counted() { "" } else { " · 不计入总控" };
    if dept.is_empty() { format!("{days}{counted}") } else { format!("{dept} · {days}{counted}") }
}
