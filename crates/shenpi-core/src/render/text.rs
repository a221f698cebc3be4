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

/// Text for a quoted Mermaid label (`["…"]`): Mermaid decodes its entity
/// codes (`#quot;`, `#35;`) into HTML entities and draws labels as HTML, so
/// everything that could end the quote, open a tag or an entity, or break the
/// line is written as an entity code. The result holds no `"`, `<`, `>`, `&`,
/// backtick, or control character, and every `#` begins an entity code.
fn mermaid_label(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            c if matches!(c, '#' | '`' | '\u{2028}' | '\u{2029}') || c.is_control() => {
                let _ = write!(out, "#{};", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

/// A YAML double-quoted scalar holding `s` exactly: no newline or `#` can end
/// it early or add lines to the front matter.
fn yaml_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            // YAML folds line breaks (also U+0085, U+2028, U+2029) and refuses other controls.
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}') => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The flow as a Mermaid `flowchart LR`: one subgraph per stage, critical
/// steps in the `critical` class, uncounted ones in `uncounted`.
///
/// Whatever the names hold, the output is one front matter (the title as a
/// YAML double-quoted string, read back exactly) and one diagram: labels
/// write `"`, `<`, `>`, `&`, `#`, backticks and control characters as Mermaid
/// entity codes (`#quot;`, `#lt;`, `#35;`, …), so no name can close a label,
/// inject HTML or a directive, or add a line.
pub fn mermaid(graph: &FlowGraph, facts: &Facts) -> String {
    let flow = graph.flow();
    let mut out = String::new();
    let _ = writeln!(out, "---\ntitle: {}\n---", yaml_quoted(&facts.title(graph)));
    out.push_str("flowchart LR\n");
    for (k, stage) in flow.stages().iter().enumerate() {
        let _ = writeln!(
            out,
            "  subgraph {}[\"{}\"]",
            mermaid_id(stage.id()),
            mermaid_label(&stage_label(flow, k))
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

fn stage_label(flow: &crate::model::Flow, k: usize) -> String {
    let name = flow.stages().get(k).map_or("", |s| s.name());
    match super::stage_limits(flow, k) {
        Some(limits) => format!("{name} ({limits})"),
        None => name.to_string(),
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
        let _ = writeln!(out, "    label={};", dot_str(&stage_label(flow, k)));
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

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use saphyr::{LoadableYamlNode, Yaml};

    use super::{mermaid_label, yaml_quoted};

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        // Any text, controls and line separators included, reads back exactly from the front matter.
        #[test]
        fn a_quoted_title_reads_back_exactly(s in "(\\PC|[\\x00-\\x1f\\x7f\\u{85}\\u{2028}\\u{2029}\\u{feff}\"'#:%\\\\-])*") {
            let line = format!("title: {}", yaml_quoted(&s));
            prop_assert!(!line.contains('\n'));
            let docs = Yaml::load_from_str(&line).unwrap();
            prop_assert_eq!(docs.len(), 1);
            prop_assert_eq!(docs[0]["title"].as_str(), Some(s.as_str()));
        }

        #[test]
        fn a_label_holds_nothing_that_ends_it_or_opens_a_tag(s in "(\\PC|[\\x00-\\x1f\\x7f\\u{2028}\"<>&`#\\]\\[])*") {
            let label = mermaid_label(&s);
            prop_assert!(!label.chars().any(|c| "\"<>&`\n\r".contains(c) || c.is_control()), "{:?}", label);
            // Every `#` begins a complete entity code.
            for (at, _) in label.match_indices('#') {
                let code = &label[at + 1..];
                let end = code.find(';').unwrap();
                prop_assert!(code[..end].chars().all(|c| c.is_ascii_alphanumeric()), "{:?}", label);
            }
        }
    }
}
