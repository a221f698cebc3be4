//! Pictures parse as what they claim to be and show every step and edge.

use std::collections::BTreeSet;
use std::sync::Arc;

use saphyr::LoadableYamlNode;
use shenpi_core::render::{self, Facts};
use shenpi_core::{Flow, FlowGraph, Node};

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

/// The edges a chart draws: the transitive reduction, plus the critical path's edges.
fn drawn_edges(g: &FlowGraph, f: &Facts) -> BTreeSet<(String, String)> {
    let reduced = render::transitive_reduction(g.dag());
    let name = |(u, v): (Node, Node)| (g.step(u).id().to_string(), g.step(v).id().to_string());
    reduced.edges().chain(f.critical_edges.iter().copied()).map(name).collect()
}

/// Every edge an SVG flow chart draws, buses expanded into the pairs they join.
fn edges_in_svg(doc: &roxmltree::Document<'_>) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for n in doc.descendants().filter(|n| n.attribute("class").is_some_and(|c| c.starts_with("edge"))) {
        let (from, to) = (n.attribute("data-from").unwrap(), n.attribute("data-to").unwrap());
        for a in from.split(' ') {
            out.extend(to.split(' ').map(|b| (a.to_string(), b.to_string())));
        }
    }
    out
}

/// A flow of `body` (steps under one stage), compiled with its defaults.
// A chart into 2027 filled the law's projected holidays as if published, and did not say so.
#[test]
fn gantt_svg_hatches_projected_holidays_and_says_they_are_provisional() {
    use shenpi_core::Calendar;
    use shenpi_core::schedule::Plan;
    let calendar = Calendar::cn();
    let plan = Plan::new(compiled("      - { id: a, name: 许可, promised: 80 }\n"));
    let date = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let classes = |start| {
        let dates = plan.dates(start, &calendar).unwrap();
        let gantt = render::Gantt::from_plan(&plan, &dates, &calendar).unwrap();
        let svg = render::gantt_svg(plan.graph(), &gantt, &calendar);
        let doc = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{e}\n{svg}"));
        let titles = |class: &str| -> Vec<String> {
            doc.descendants()
                .filter(|n| n.attribute("class") == Some(class))
                .map(|n| n.descendants().filter(|t| t.is_text()).filter_map(|t| t.text()).collect())
                .collect()
        };
        (titles("holiday"), titles("holiday projected"), titles("provisional-note"))
    };
    // From November 2026 into 2027: New Year's Day 2026 is not on the axis; the 2027 Spring Festival is projected.
    let (published, projected, note) = classes(date(2026, 11, 30));
    assert!(published.is_empty(), "{published:?}");
    assert!(projected.iter().any(|t| t.starts_with("2027-02-05 春节")), "{projected:?}");
    assert!(projected.iter().any(|t| t.starts_with("2027-02-09 春节补假")), "{projected:?}");
    assert_eq!(
        note,
        [
            "暂定 (provisional): dates after 2026-12-31 follow the holiday law; the 2027 arrangement is not yet published"
        ]
    );
    // All published: no hatching, no note.
    let (published, projected, note) = classes(date(2025, 9, 1));
    assert!(published.iter().any(|t| t.starts_with("2025-10-01 国庆节")), "{published:?}");
    assert!(projected.is_empty() && note.is_empty(), "{projected:?} {note:?}");
}

fn compiled(body: &str) -> FlowGraph {
    let yaml = format!("id: big\nname: 压力\nstages:\n  - id: s\n    name: 阶段\n    steps:\n{body}");
    let flow = Arc::new(Flow::parse("big.yaml", &yaml).unwrap_or_else(|r| panic!("{}", r.render())));
    FlowGraph::new(flow.clone(), flow.defaults())
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
        let drawn = edges_in_svg(&doc);
        assert_eq!(drawn, drawn_edges(&g, &f), "{}", g.flow().id());
        // Nothing is lost: every dependency of the flow is a path of drawn edges.
        for (a, b) in edges(&g) {
            assert!(reaches(&drawn, &a, &b), "{a} -> {b} in {}", g.flow().id());
        }
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

fn reaches(edges: &BTreeSet<(String, String)>, from: &str, to: &str) -> bool {
    let mut stack = vec![from];
    let mut seen = BTreeSet::new();
    while let Some(a) = stack.pop() {
        if a == to {
            return true;
        }
        if seen.insert(a) {
            stack.extend(
                edges
                    .range((a.to_string(), String::new())..)
                    .take_while(|(x, _)| x == a)
                    .map(|(_, b)| b.as_str()),
            );
        }
    }
    false
}

// The bundled industrial chart drew six edges raking into 施工许可证, each implied by a longer path.
#[test]
fn the_chart_leaves_out_edges_a_longer_path_implies() {
    let flow = Arc::new(
        Flow::load(concat!(env!("CARGO_MANIFEST_DIR"), "/../../flows/zhejiang-industrial.yaml")).unwrap(),
    );
    let g = FlowGraph::new(flow.clone(), flow.defaults());
    let f = Facts { critical: vec![false; g.len()], ..Facts::default() };
    let doc_text = render::flowchart_svg(&g, &f);
    let drawn = edges_in_svg(&roxmltree::Document::parse(&doc_text).unwrap());
    assert!(drawn.len() < edges(&g).len(), "{} drawn of {}", drawn.len(), edges(&g).len());
    let into_permit = drawn.iter().filter(|(_, b)| b == "construction-permit-review").count();
    assert!(into_permit <= 2, "{into_permit} edges into construction-permit-review");
}

// Two `parallel` blocks of 300 steps one after the other took 23 s and wrote a 15 MB SVG.
#[test]
fn two_parallel_blocks_of_300_join_through_one_bus() {
    let block = |p: &str| {
        (0..300)
            .map(|i| format!("          - {{ id: {p}{i}, name: 事项{i}, promised: 1 }}\n"))
            .collect::<String>()
    };
    let g = compiled(&format!("      - parallel:\n{}      - parallel:\n{}", block("a"), block("b")));
    assert_eq!(g.dag().edge_count(), 90_000);
    let svg = render::flowchart_svg(&g, &Facts::default());
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let buses: Vec<_> = doc.descendants().filter(|n| n.attribute("class") == Some("edge bus")).collect();
    assert_eq!(buses.len(), 1);
    assert_eq!(edges_in_svg(&doc), edges(&g));
    assert!(svg.len() < 400_000, "{} bytes", svg.len());
}

// A complete DAG of 300 steps took over 120 s; 1,000 steps ran out of memory.
#[test]
fn a_complete_dag_is_drawn_as_its_chain() {
    let steps: String = (0..300)
        .map(|i| {
            let after: Vec<String> = (0..i).map(|j| format!("s{j}")).collect();
            format!("      - {{ id: s{i}, name: 事项, promised: 1, after: [{}] }}\n", after.join(", "))
        })
        .collect();
    let g = compiled(&steps);
    assert_eq!(g.dag().edge_count(), 300 * 299 / 2);
    let doc_text = render::flowchart_svg(&g, &Facts::default());
    let drawn = edges_in_svg(&roxmltree::Document::parse(&doc_text).unwrap());
    assert_eq!(drawn.len(), 299);
    assert!(drawn.contains(&("s0".to_string(), "s1".to_string())));
}

#[test]
fn a_flow_past_the_detailed_limit_is_drawn_by_stage_with_counts() {
    let n = render::MAX_DETAILED_STEPS + 1;
    let mut yaml = "id: big\nname: 压力\nstages:\n".to_string();
    for (k, size) in [(0, n / 2), (1, n - n / 2)] {
        yaml.push_str(&format!("  - id: st{k}\n    name: 阶段{k}\n    steps:\n"));
        for i in 0..size {
            yaml.push_str(&format!("      - {{ id: s{k}-{i}, name: 事项, promised: 1 }}\n"));
        }
    }
    let flow = Arc::new(Flow::parse("big.yaml", &yaml).unwrap());
    let g = FlowGraph::new(flow.clone(), flow.defaults());
    let svg = render::flowchart_svg(&g, &Facts::default());
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let boxes: Vec<(String, String)> = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("stage-summary"))
        .map(|n| (n.attribute("id").unwrap().to_string(), n.attribute("data-steps").unwrap().to_string()))
        .collect();
    assert_eq!(
        boxes,
        [("stage-st0".to_string(), (n / 2).to_string()), ("stage-st1".to_string(), (n - n / 2).to_string())]
    );
    assert_eq!(edges_in_svg(&doc), BTreeSet::from([("st0".to_string(), "st1".to_string())]));
    assert!(!svg.contains("id=\"step-"));
}

/// Mermaid's entity codes (`#quot;`, `#35;`) decoded back into text.
fn mermaid_decode(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(at) = rest.find('#') {
        out.push_str(&rest[..at]);
        let end = rest[at..].find(';').expect("an entity code ends with `;`") + at;
        let code = &rest[at + 1..end];
        out.push(match code {
            "quot" => '"',
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            n => char::from_u32(n.parse().expect("a decimal code")).unwrap(),
        });
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

// The flow's name went unquoted into the front matter: `Phase 2: 工业` made it invalid YAML, ` #`
// cut it short and a newline injected an `%%{init}%%` directive; labels escaped only `"`, so
// `<img src=x onerror=…>` passed through.
#[test]
fn mermaid_keeps_hostile_names_inside_their_quotes() {
    let yaml = r#"id: hostile
name: "Phase 2: 工业 #not a comment\n---\n%%{init: {'theme':'dark'}}%%\nflowchart TD\\"
stages:
  - id: s
    name: "<img src=x onerror=alert(1)> & #quot; `md`"
    steps:
      - { id: a, name: "a\"]; click s_a call evil()\n  s_b[\"fake", promised: 1 }
      - { id: b, name: "tab\tesc\e[2J cr\r nel\u0085 ls\u2028 #35; end", dept: "<b>住建局</b>", promised: 2, after: [a] }
"#;
    let flow = Arc::new(Flow::parse("hostile.yaml", yaml).unwrap_or_else(|r| panic!("{}", r.render())));
    let g = FlowGraph::new(flow.clone(), flow.defaults());
    let f = facts(&g);
    let text = render::mermaid(&g, &f);
    let lines: Vec<&str> = text.lines().collect();
    // One front matter of exactly one key, whose value reads back as the title.
    assert_eq!((lines[0], lines[2], lines[3]), ("---", "---", "flowchart LR"), "{text}");
    let front = saphyr::Yaml::load_from_str(lines[1]).unwrap();
    assert_eq!(front[0]["title"].as_str(), Some(f.title(&g).as_str()), "{}", lines[1]);
    assert!(f.title(&g).starts_with(g.flow().name()));
    // Every other line is one of the diagram's own, named by an id shenpi wrote.
    for line in &lines[4..] {
        let line = line.trim_start();
        assert!(
            ["subgraph s_", "direction LR", "s_a[", "s_b[", "end", "s_a --> s_b", "classDef ", "class "]
                .iter()
                .any(|p| line.starts_with(p)),
            "{line:?} in {text}"
        );
    }
    // Labels hold no quote, tag, ampersand, backtick or control, and decode to the names exactly.
    let label = |prefix: &str| -> String {
        let line = lines.iter().find(|l| l.trim_start().starts_with(prefix)).unwrap();
        let inner = &line[line.find("[\"").unwrap() + 2..line.rfind("\"]").unwrap()];
        inner.to_string()
    };
    let stage = label("subgraph s_s");
    assert!(!stage.chars().any(|c| "\"<>&`".contains(c) || c.is_control()), "{stage}");
    assert_eq!(mermaid_decode(&stage), flow.stages()[0].name());
    for id in ["a", "b"] {
        let inner = label(&format!("s_{id}["));
        let (name, limits) = inner.split_once("<br/>").unwrap();
        assert!(
            !inner.replace("<br/>", "").chars().any(|c| "\"<>&`".contains(c) || c.is_control()),
            "{inner}"
        );
        assert_eq!(mermaid_decode(name), flow.step(id).unwrap().1.name());
        assert!(!limits.contains('<'), "{limits}");
    }
    assert!(mermaid_decode(&label("s_b[")).contains("<b>住建局</b>"));
}

/// The `x`, `y`, `width` and `height` of an element, as numbers.
fn rect(n: roxmltree::Node<'_, '_>) -> (f64, f64, f64, f64) {
    let num = |a: &str| n.attribute(a).and_then(|s| s.parse::<f64>().ok()).unwrap_or(0.0);
    (num("x"), num("y"), num("width"), num("height"))
}

// Jiaxing's 35 serial steps drew as one row of 35 columns, over 10,000 pixels wide.
#[test]
fn a_long_serial_flow_wraps_into_rows_a_wall_can_hold() {
    let flow = Arc::new(
        Flow::load(concat!(env!("CARGO_MANIFEST_DIR"), "/../../flows/jiaxing-before.yaml")).unwrap(),
    );
    let g = FlowGraph::new(flow.clone(), flow.defaults());
    let f = facts(&g);
    let svg = render::flowchart_svg(&g, &f);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let root = doc.root_element();
    let (_, _, width, height) = rect(root);
    let most = f64::from(render::MAX_COLUMNS) * (250.0 + 56.0) - 56.0 + 2.0 * 24.0;
    assert!(width <= most, "{width} px wide");
    assert!(height > width / 4.0, "{width} x {height}: the rows stack");
    // Every box lies on the page, and no two overlap.
    let boxes: Vec<(f64, f64, f64, f64)> = doc
        .descendants()
        .filter(|n| n.attribute("id").is_some_and(|id| id.starts_with("step-")))
        .map(|n| rect(n.children().find(|c| c.has_tag_name("rect")).unwrap()))
        .collect();
    assert_eq!(boxes.len(), g.len());
    let rows: BTreeSet<i64> = boxes.iter().map(|b| b.1 as i64).collect();
    assert!(rows.len() >= 3, "{} rows of boxes", rows.len());
    for (i, a) in boxes.iter().enumerate() {
        assert!(a.0 >= 0.0 && a.1 >= 0.0 && a.0 + a.2 <= width && a.1 + a.3 <= height, "{a:?}");
        for b in &boxes[i + 1..] {
            let apart = a.0 + a.2 <= b.0 || b.0 + b.2 <= a.0 || a.1 + a.3 <= b.1 || b.1 + b.3 <= a.1;
            assert!(apart, "{a:?} overlaps {b:?}");
        }
    }
    // Still every edge, and the ones from a row's end to the next row's start go down.
    let drawn = edges_in_svg(&doc);
    assert_eq!(drawn, drawn_edges(&g, &f));
    let wrapped = doc
        .descendants()
        .filter(|n| n.attribute("class").is_some_and(|c| c.starts_with("edge")))
        .filter_map(|n| n.attribute("d"))
        .filter(|d| d.matches(" L").count() >= 5)
        .count();
    assert!(wrapped >= 2, "{wrapped} edges run from one row to the next");
    // A stage cut by a wrap says so in its next row.
    assert!(svg.contains("(续)"));
}

#[test]
fn a_short_flow_stays_on_one_row() {
    let g = compiled(
        &(0..render::MAX_COLUMNS)
            .map(|i| format!("      - {{ id: s{i}, name: 事项, promised: 1 }}\n"))
            .collect::<String>(),
    );
    let svg = render::flowchart_svg(&g, &Facts::default());
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let ys: BTreeSet<i64> = doc
        .descendants()
        .filter(|n| n.attribute("id").is_some_and(|id| id.starts_with("step-")))
        .map(|n| rect(n.children().find(|c| c.has_tag_name("rect")).unwrap()).1 as i64)
        .collect();
    assert_eq!(ys.len(), 1);
}

#[test]
fn charts_speak_in_working_days_and_count_steps_apart_from_items() {
    for g in bundled() {
        let f = Facts::from_plan(&shenpi_core::Plan::new(g.clone()));
        let svg = render::flowchart_svg(&g, &f);
        let id = g.flow().id();
        // 个工作日 everywhere: "承诺 5 个工作日 / 法定 20 个工作日", "余量 33 个工作日".
        assert!(!svg.contains(" 天"), "{id}: a bare 天 in the chart");
        assert!(svg.contains(" 个工作日 / 法定 "), "{id}");
        // 环节 are all the boxes; 审批事项 only the decisions among them.
        let items = g.nodes().filter(|&v| g.step(v).kind().is_decision()).count();
        assert!(svg.contains(&format!("{} 个环节, 其中审批事项 {items} 项", g.len())), "{id}");
        assert!(svg.contains("业主委托的中介服务"), "{id}");
        let mermaid = render::mermaid(&g, &f);
        assert!(!mermaid.contains(" 天"), "{id}: a bare 天 in the Mermaid chart");
    }
}

// The acceptance limit of 30 days lives only in the budget group: the charts name the groups
// of stages where they close, and a joint step shows its lead and its members.
#[test]
fn charts_name_groups_of_stages_and_joint_members() {
    let flow = Arc::new(
        Flow::load(concat!(env!("CARGO_MANIFEST_DIR"), "/../../flows/zhejiang-industrial.yaml")).unwrap(),
    );
    let g = FlowGraph::new(flow.clone(), flow.defaults());
    for text in [render::mermaid(&g, &Facts::default()), render::dot(&g, &Facts::default())] {
        assert!(text.contains("施工许可 (立项到施工许可 合计 60 个工作日)"), "{text}");
        assert!(text.contains("竣工验收 (阶段总控 30 个工作日)"), "{text}");
        assert!(text.contains("住建局牵头+施工图审查机构+人防办"), "{text}");
    }
}
