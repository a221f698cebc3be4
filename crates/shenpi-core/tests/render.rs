//! Pictures parse as what they claim to be and show every step and edge.

use std::collections::BTreeSet;
use std::sync::Arc;

use shenpi_core::render::{self, Facts};
use shenpi_core::{Flow, FlowGraph};

fn bundled() -> Vec<FlowGraph> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../flows");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let flow = Arc::new(Flow::load(entry.unwrap().path()).unwrap());
        out.push(FlowGraph::new(flow.clone(), flow.defaults()));
    }
    assert!(out.len() >= 5);
    out
}

/// Marks every third step critical, and the edges between two marked steps.
fn facts(g: &FlowGraph) -> Facts {
    let critical: Vec<bool> = g.nodes().map(|v| v.0 % 3 == 0).collect();
    let critical_edges =
        g.dag().edges().filter(|&(u, v)| critical[u.index()] && critical[v.index()]).collect();
    Facts { critical, critical_edges, total_days: Some(42), budget: g.flow().budget() }
}

fn edges(g: &FlowGraph) -> BTreeSet<(String, String)> {
    g.dag().edges().map(|(u, v)| (g.step(u).id().to_string(), g.step(v).id().to_string())).collect()
}

#[test]
fn flowchart_svg_is_xml_with_one_group_per_step_and_critical_classes() {
    for g in bundled() {
        let f = facts(&g);
        let svg = render::flowchart_svg(&g, &f);
        let doc = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{}: {e}", g.flow().id()));
        assert_eq!(doc.root_element().tag_name().name(), "svg");
        for v in g.nodes() {
            let id = format!("step-{}", g.step(v).id());
            let nodes: Vec<_> =
                doc.descendants().filter(|n| n.attribute("id") == Some(id.as_str())).collect();
            assert_eq!(nodes.len(), 1, "{id} in {}", g.flow().id());
            let class = nodes[0].attribute("class").unwrap_or("");
            assert_eq!(class.split(' ').any(|c| c == "critical"), f.is_critical(v), "{id}: {class}");
            assert_eq!(class.split(' ').any(|c| c == "uncounted"), !g.step(v).counted(), "{id}: {class}");
        }
        let drawn: BTreeSet<(String, String)> = doc
            .descendants()
            .filter(|n| n.attribute("class").is_some_and(|c| c.starts_with("edge")))
            .map(|n| {
                (n.attribute("data-from").unwrap().to_string(), n.attribute("data-to").unwrap().to_string())
            })
            .collect();
        assert_eq!(drawn, edges(&g));
        // Self-contained: no scripts, no external references.
        assert!(!svg.contains("<script") && !svg.contains("href=\"http"), "{}", g.flow().id());
    }
}

#[test]
fn mermaid_parses_back_into_the_same_edges() {
    for g in bundled() {
        let text = render::mermaid(&g, &facts(&g));
        assert!(text.contains("flowchart LR"));
        let back: BTreeSet<(String, String)> = text
            .lines()
            .filter_map(|l| l.trim().split_once(" --> "))
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        let expected: BTreeSet<(String, String)> =
            edges(&g).into_iter().map(|(a, b)| (render::mermaid_id(&a), render::mermaid_id(&b))).collect();
        assert_eq!(back, expected, "{}", g.flow().id());
        for v in g.nodes() {
            assert!(text.contains(&format!("{}[\"", render::mermaid_id(g.step(v).id()))));
        }
    }
}

#[test]
fn dot_parses_back_into_the_same_edges() {
    for g in bundled() {
        let text = render::dot(&g, &facts(&g));
        assert!(text.starts_with("digraph "));
        let back: BTreeSet<(String, String)> = text
            .lines()
            .filter_map(|l| l.trim().split_once(" -> "))
            .map(|(a, b)| {
                let b = b.split(['[', ';']).next().unwrap().trim();
                (a.trim_matches('"').to_string(), b.trim_matches('"').to_string())
            })
            .collect();
        assert_eq!(back, edges(&g), "{}", g.flow().id());
    }
}

#[test]
fn hostile_names_are_escaped() {
    let flow = Flow::parse(
        "x.yaml",
        "id: x\nname: '<b>&\"'\nstages:\n  - id: s\n    name: '</text><script>'\n    steps:\n      - { id: a, name: 'a<\"&>', promised: 1, dept: '\"]; x' }\n",
    )
    .unwrap();
    let flow = Arc::new(flow);
    let g = FlowGraph::new(flow.clone(), flow.defaults());
    let f = facts(&g);
    roxmltree::Document::parse(&render::flowchart_svg(&g, &f)).unwrap();
    assert!(!render::flowchart_svg(&g, &f).contains("<script>"));
    assert!(render::dot(&g, &f).contains(r#"label="a<\"&>"#));
}

#[test]
fn gantt_svg_has_one_bar_per_step_with_plan_classes_and_budget_lines() {
    use shenpi_core::Calendar;
    use shenpi_core::schedule::Plan;
    let calendar = Calendar::cn();
    let start = chrono::NaiveDate::from_ymd_opt(2025, 3, 3).unwrap();
    for g in bundled() {
        let plan = Plan::new(g);
        let dates = plan.dates(start, &calendar).unwrap();
        let gantt = render::Gantt::from_plan(&plan, &dates, &calendar).unwrap();
        let svg = render::gantt_svg(plan.graph(), &gantt, &calendar);
        let doc = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{}: {e}", plan.flow().id()));
        for s in plan.steps() {
            let step = plan.graph().step(s.node);
            let id = format!("bar-{}", step.id());
            let nodes: Vec<_> =
                doc.descendants().filter(|n| n.attribute("id") == Some(id.as_str())).collect();
            assert_eq!(nodes.len(), 1, "{id}");
            let class = nodes[0].attribute("class").unwrap();
            assert_eq!(class.split(' ').any(|c| c == "critical"), s.critical, "{id}: {class}");
            assert_eq!(class.split(' ').any(|c| c == "uncounted"), !step.counted(), "{id}: {class}");
        }
        let has = |class: &str| doc.descendants().any(|n| n.attribute("class") == Some(class));
        assert_eq!(has("marker budget"), plan.budget().is_some(), "{}", plan.flow().id());
        // The 2025 Spring Festival and National Day fall inside every bundled flow's span.
        assert!(doc.descendants().any(|n| n.attribute("class") == Some("holiday")), "{}", plan.flow().id());
    }
}
