//! Property tests of loading and compiling flows.

use std::collections::BTreeSet;
use std::fmt::Write;
use std::sync::Arc;

use proptest::prelude::*;
use shenpi_core::{Flow, FlowGraph, Node};

/// A random block tree: leaves are steps.
#[derive(Clone, Debug)]
enum Tree {
    Step { after: Vec<usize>, conditional: bool },
    Serial(Vec<Tree>),
    Parallel(Vec<Tree>),
}

fn tree() -> impl Strategy<Value = Tree> {
    let leaf = (prop::collection::vec(0usize..64, 0..3), prop::bool::weighted(0.2))
        .prop_map(|(after, conditional)| Tree::Step { after, conditional });
    leaf.prop_recursive(4, 40, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..5).prop_map(Tree::Serial),
            prop::collection::vec(inner, 1..5).prop_map(Tree::Parallel),
        ]
    })
}

/// Writes the tree as a flow body and records which steps must come before
/// which (serial order and `after` targets).
struct Writer {
    yaml: String,
    steps: usize,
    before: Vec<(usize, usize)>,
    conditional: Vec<bool>,
}

impl Writer {
    /// Writes one block; returns its steps.
    fn block(&mut self, t: &Tree, indent: usize) -> Vec<usize> {
        let pad = " ".repeat(indent);
        match t {
            Tree::Step { after, conditional } => {
                let id = self.steps;
                self.steps += 1;
                self.conditional.push(*conditional);
                // `after` only names earlier steps, so the flow stays acyclic.
                let after: BTreeSet<usize> = after.iter().filter(|&&a| a < id).copied().collect();
                let list: Vec<String> = after.iter().map(|a| format!("s{a}")).collect();
                for &a in &after {
                    self.before.push((a, id));
                }
                let when = if *conditional { ", when: not skip" } else { "" };
                writeln!(
                    self.yaml,
                    "{pad}- {{ id: s{id}, name: 步骤{id}, promised: {}, after: [{}]{when} }}",
                    id % 7,
                    list.join(", ")
                )
                .unwrap();
                vec![id]
            }
            Tree::Serial(items) | Tree::Parallel(items) => {
                let serial = matches!(t, Tree::Serial(_));
                writeln!(self.yaml, "{pad}- {}:", if serial { "serial" } else { "parallel" }).unwrap();
                let mut all = Vec::new();
                let mut earlier: Vec<usize> = Vec::new();
                for item in items {
                    let steps = self.block(item, indent + 4);
                    if serial {
                        for &e in &earlier {
                            for &s in &steps {
                                self.before.push((e, s));
                            }
                        }
                        earlier.extend(&steps);
                    }
                    all.extend(steps);
                }
                all
            }
        }
    }
}

fn flow_text(t: &Tree) -> (String, Writer) {
    let mut w = Writer { yaml: String::new(), steps: 0, before: Vec::new(), conditional: Vec::new() };
    w.block(t, 6);
    let text = format!(
        "id: random\nname: 随机\nparams:\n  skip: {{ type: bool, default: false }}\nstages:\n  - id: only\n    name: 唯一\n    steps:\n{}",
        w.yaml
    );
    (text, w)
}

fn reachable(g: &FlowGraph, from: Node) -> Vec<bool> {
    let mut seen = vec![false; g.len()];
    let mut stack = vec![from];
    while let Some(v) = stack.pop() {
        for &w in g.dag().succs(v) {
            if !seen[w.index()] {
                seen[w.index()] = true;
                stack.push(w);
            }
        }
    }
    seen
}

fn node(g: &FlowGraph, i: usize) -> Option<Node> {
    g.node(&format!("s{i}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn random_trees_compile_to_a_dag_that_respects_every_serial_pair(t in tree()) {
        let (text, w) = flow_text(&t);
        let flow = Arc::new(Flow::parse("random.yaml", &text).map_err(|r| TestCaseError::fail(r.render()))?);
        let g = FlowGraph::new(flow.clone(), flow.defaults());
        prop_assert_eq!(g.len(), w.steps);
        for (u, v) in g.dag().edges() {
            prop_assert!(u < v, "edge {} -> {} is not topological", u, v);
        }
        for &(a, b) in &w.before {
            prop_assert!(node(&g, a).unwrap() < node(&g, b).unwrap(), "s{} must come before s{}", a, b);
            prop_assert!(reachable(&g, node(&g, a).unwrap())[node(&g, b).unwrap().index()], "s{} must wait for s{}", b, a);
        }
    }

    #[test]
    fn removing_steps_keeps_every_dependency_between_the_rest(t in tree()) {
        let (text, w) = flow_text(&t);
        let flow = Arc::new(Flow::parse("random.yaml", &text).map_err(|r| TestCaseError::fail(r.render()))?);
        let full = FlowGraph::new(flow.clone(), flow.defaults());
        let cut = FlowGraph::new(flow.clone(), flow.bind([("skip", "true")]).unwrap());
        prop_assert_eq!(cut.len(), w.conditional.iter().filter(|c| !**c).count());
        for a in 0..w.steps {
            let Some(ca) = node(&cut, a) else { continue };
            let full_reach = reachable(&full, node(&full, a).unwrap());
            let cut_reach = reachable(&cut, ca);
            for b in 0..w.steps {
                let Some(cb) = node(&cut, b) else { continue };
                let fb = node(&full, b).unwrap();
                prop_assert_eq!(full_reach[fb.index()], cut_reach[cb.index()], "s{} -> s{}", a, b);
            }
        }
    }

    #[test]
    fn random_bytes_never_panic_the_loader(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = Flow::parse_bytes("random.bin", &bytes);
    }

    #[test]
    fn random_edits_of_a_real_flow_never_panic_the_loader(
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0usize..40, "[ :\\-\\[\\]{},#a-z0-9'\"\n]{0,12}"), 1..6)
    ) {
        let mut text = include_str!("../../../flows/zhejiang-industrial.yaml").to_string();
        for (at, len, insert) in edits {
            let mut start = at.index(text.len());
            while !text.is_char_boundary(start) { start -= 1; }
            let mut end = (start + len).min(text.len());
            while !text.is_char_boundary(end) { end -= 1; }
            text.replace_range(start..end.max(start), &insert);
        }
        if let Err(report) = Flow::parse("edited.yaml", &text) {
            prop_assert!(report.has_errors());
            let _ = report.render();
        }
    }
}
