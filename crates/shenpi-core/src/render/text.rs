//! Mermaid and Graphviz DOT: the flow as text others render.

use std::fmt::Write;

use super::Facts;
use crate::graph::FlowGraph;

/// A Mermaid node id for a step id: Mermaid ids may not hold `-`, and `end`
/// is a keyword, so ids are prefixed and `-` becomes `_`. (Two step ids that
/// differ only in `-` versus `_` would meet; flows in practice use one style.)
pub fn mermaid_id(step_id: &str) -> String {
    format!("s_{}", step_id.replace('-', "_"))
}

fn mermaid_label(s: &str) -> String {
    s.replace('"', "#quot;")
}

/// The flow as a Mermaid `flowchart LR`: one subgraph per stage, critical
/// steps in the `critical` class, uncounted ones in `uncounted`.
pub fn mermaid(graph: &FlowGraph, facts: &Facts) -> String {
    let flow = graph.flow();
    let mut out = String::new();
    let _ = writeln!(out, "---\ntitle: {}\n---", mermaid_label(&facts.title(graph)));
    out.push_str("flowchart LR\n");
    for (k, stage) in flow.stages().iter().enumerate() {
        let _ = writeln!(
            out,
            "  subgraph {}[\"{}\"]",
            mermaid_id(stage.id()),
            mermaid_label(&stage_label(stage))
        );
        out.push_str("    direction LR\n");
        for v in graph.nodes().filter(|&v| graph.step(v).stage() == k) {
            let s = graph.step(v);
            let _ = writeln!(
                out,
                "    {}[\"{}<br/>{}\"]",
                mermaid_id(s.id()),
                mermaid_label(s.name()),
                mermaid_label(&super::limits_label(s))
            );
        }
        out.push_str("  end\n");
    }
    for (u, v) in graph.dag().edges() {
        let _ = writeln!(out, "  {} --> {}", mermaid_id(graph.step(u).id()), mermaid_id(graph.step(v).id()));
    }
    out.push_str("  classDef critical fill:#fde2e1,stroke:#c0392b,stroke-width:2px\n");
    out.push_str("  classDef uncounted fill:#f4f4f4,stroke:#999,stroke-dasharray:4 3\n");
    let critical: Vec<String> =
        graph.nodes().filter(|&v| facts.is_critical(v)).map(|v| mermaid_id(graph.step(v).id())).collect();
    if !critical.is_empty() {
        let _ = writeln!(out, "  class {} critical", critical.join(","));
    }
    let uncounted: Vec<String> =
        graph.nodes().filter(|&v| !graph.step(v).counted()).map(|v| mermaid_id(graph.step(v).id())).collect();
    if !uncounted.is_empty() {
        let _ = writeln!(out, "  class {} uncounted", uncounted.join(","));
    }
    out
}

fn dot_str(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn stage_label(stage: &crate::model::Stage) -> String {
    match stage.budget() {
        Some(b) => format!("{} (≤{b}天)", stage.name()),
        None => stage.name().to_string(),
    }
}

/// The flow as a Graphviz digraph, left to right, one cluster per stage.
pub fn dot(graph: &FlowGraph, facts: &Facts) -> String {
    let flow = graph.flow();
    let mut out = String::new();
    let _ = writeln!(out, "digraph {} {{", dot_str(flow.id()));
    let _ = writeln!(out, "  label={};\n  labelloc=t;\n  rankdir=LR;", dot_str(&facts.title(graph)));
    out.push_str("  fontname=\"Noto Sans CJK SC,Microsoft YaHei,sans-serif\";\n");
    out.push_str("  node [shape=box, style=\"rounded,filled\", fillcolor=\"#eef4fb\", fontname=\"Noto Sans CJK SC,Microsoft YaHei,sans-serif\"];\n");
    for (k, stage) in flow.stages().iter().enumerate() {
        let _ = writeln!(out, "  subgraph {} {{", dot_str(&format!("cluster_{}", stage.id())));
        let _ = writeln!(out, "    label={};", dot_str(&stage_label(stage)));
        for v in graph.nodes().filter(|&v| graph.step(v).stage() == k) {
            let s = graph.step(v);
            let mut attrs =
                vec![format!("label={}", dot_str(&format!("{}\n{}", s.name(), super::limits_label(s))))];
            if facts.is_critical(v) {
                attrs.push("color=\"#c0392b\", penwidth=2, fillcolor=\"#fde2e1\", class=\"critical\"".into());
            }
            if !s.counted() {
                attrs.push("style=\"rounded,dashed\"".into());
            }
            let _ = writeln!(out, "    {} [{}];", dot_str(s.id()), attrs.join(", "));
        }
        out.push_str("  }\n");
    }
    for (u, v) in graph.dag().edges() {
        let crit = facts.is_critical_edge(u, v);
        let _ = writeln!(
            out,
            "  {} -> {}{};",
            dot_str(graph.step(u).id()),
            dot_str(graph.step(v).id()),
            if crit { " [color=\"#c0392b\", penwidth=2]" } else { "" }
        );
    }
    out.push_str("}\n");
    out
}
