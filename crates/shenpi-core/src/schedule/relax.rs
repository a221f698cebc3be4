//! What the `after` edges cost: the plan with every `after` of steps and
//! stages relaxed ([`Plan::relaxed_after`]).
//!
//! Relaxing them leaves the edges of the lists (serial order) and of stages
//! one after another. When the plan's graph kept every step and runs none
//! ahead, those edges are a part of its own, so the relaxed graph is built
//! in the same numbering from the flow's edges, without compiling the flow
//! again; otherwise the flow's steps are compiled once more on those edges
//! (conditions and simulated mode reshape them), still without a copy of the
//! flow.

use super::{Cpm, Plan, Relaxation};
use crate::graph::{Dag, FlowGraph, Mode, Node, algo};
use crate::model::{EdgeOrigin, StepIdx};

impl Plan {
    /// Which steps would run in parallel if every `after` edge (of steps and
    /// of stages) were relaxed, and what the totals would then be.
    ///
    /// # Complexity
    /// O(V + E) to build the graph without the `after` edges (the edges of
    /// the list and of stages one after another) and find its longest
    /// paths; then, per distinct `after` pair, a search from the step waited
    /// for through the nodes numbered up to the waiting one: O(A·(V + E))
    /// at worst for A pairs, far less when they join nearby steps.
    pub fn relaxed_after(&self) -> Relaxation {
        let g = &self.graph;
        let flow = g.flow();
        let edges = flow.edges();
        // The `after` pairs between steps their conditions kept, as nodes of this plan.
        let mut after: Vec<(Node, Node)> = edges
            .iter()
            .filter(|e| matches!(e.origin, EdgeOrigin::After(_)))
            .filter_map(|e| Some((g.node_of(e.from)?, g.node_of(e.to)?)))
            .collect();
        after.sort_unstable();
        after.dedup();
        let sequence = edges.iter().filter(|e| e.origin == EdgeOrigin::Sequence).map(|e| (e.from, e.to));
        let (cpm, apart) = if g.len() == flow.steps().len() && g.options().mode == Mode::Normal {
            // Nothing removed and nothing run ahead: the compiled edges are
            // the flow's own, so the relaxed graph is a part of this one,
            // in the same numbering.
            // Every step has a node here (the graph has as many as the flow has steps).
            let node = |s: StepIdx| g.node_of(s).map_or(0, |v| v.0);
            let dag = Dag::from_topological(g.len(), sequence.map(|(u, v)| (node(u), node(v))));
            let cpm = Cpm::run(&dag, g.promised(), g.counted());
            (cpm, algo::reaches_each(&dag, &after))
        } else {
            let sequence = sequence.map(|(u, v)| (u.0, v.0)).collect();
            let relaxed = FlowGraph::compile(flow.clone(), g.params().clone(), g.options(), sequence);
            let cpm = Cpm::run(relaxed.dag(), relaxed.promised(), relaxed.counted());
            // The conditions keep the same steps: every step of this plan has a node there.
            let node = |v: Node| relaxed.node_of(g.step_idx(v)).unwrap_or(v);
            let pairs: Vec<(Node, Node)> = after.iter().map(|&(a, b)| (node(a), node(b))).collect();
            (cpm, algo::reaches_each(relaxed.dag(), &pairs))
        };
        let parallel = after.into_iter().zip(apart).filter(|&(_, joined)| !joined).map(|(p, _)| p).collect();
        Relaxation { parallel, total_days: cpm.total_days(), elapsed_days: cpm.elapsed_days() }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::fmt::Write;
    use std::sync::Arc;

    use proptest::prelude::*;

    use super::*;
    use crate::graph::Options;
    use crate::model::Flow;

    /// [`Plan::relaxed_after`] as first written, the oracle: the flow copied
    /// without its `after` edges, compiled again, and one search per pair.
    fn relaxed_by_recompiling(plan: &Plan) -> Relaxation {
        let flow = plan.flow();
        let g = plan.graph();
        let relaxed =
            FlowGraph::with_options(Arc::new(flow.without_after()), g.params().clone(), g.options());
        let cpm = Cpm::run(relaxed.dag(), relaxed.promised(), relaxed.counted());
        let mut seen = HashSet::new();
        let mut parallel = Vec::new();
        for e in flow.edges() {
            if !matches!(e.origin, EdgeOrigin::After(_)) || !seen.insert((e.from, e.to)) {
                continue;
            }
            let (Some(a), Some(b)) = (g.node_of(e.from), g.node_of(e.to)) else { continue };
            let (Some(ra), Some(rb)) = (relaxed.node_of(e.from), relaxed.node_of(e.to)) else { continue };
            if !algo::reaches(relaxed.dag(), ra, rb) {
                parallel.push((a, b));
            }
        }
        parallel.sort_unstable();
        Relaxation { parallel, total_days: cpm.total_days(), elapsed_days: cpm.elapsed_days() }
    }

    /// A random block: leaves are steps.
    #[derive(Clone, Debug)]
    enum Tree {
        Step { after: Vec<usize>, when: bool, counted: bool, ahead: bool },
        Serial(Vec<Tree>),
        Parallel(Vec<Tree>),
    }

    fn tree() -> impl Strategy<Value = Tree> {
        let leaf = (
            prop::collection::vec(0usize..40, 0..3),
            prop::bool::weighted(0.2),
            prop::bool::weighted(0.8),
            prop::bool::weighted(0.3),
        )
            .prop_map(|(after, when, counted, ahead)| Tree::Step { after, when, counted, ahead });
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 1..4).prop_map(Tree::Serial),
                prop::collection::vec(inner, 1..4).prop_map(Tree::Parallel),
            ]
        })
    }

    /// Writes a block; `next` numbers the steps across the flow. Steps wait
    /// only for earlier steps, so the flow stays acyclic; a step that runs
    /// ahead does so of the first step it waits for.
    fn write(t: &Tree, indent: usize, next: &mut usize, out: &mut String) {
        let pad = " ".repeat(indent);
        match t {
            Tree::Step { after, when, counted, ahead } => {
                let id = *next;
                *next += 1;
                let mut after: Vec<usize> = after.iter().copied().filter(|&a| a < id).collect();
                after.sort_unstable();
                after.dedup();
                let list: Vec<String> = after.iter().map(|a| format!("s{a}")).collect();
                let mut extra = String::new();
                if *when {
                    extra.push_str(", when: not skip");
                }
                if let (true, Some(first)) = (*ahead, after.first()) {
                    let _ = write!(extra, ", provisional: {{ before: [s{first}], confirm_within: 1 }}");
                }
                let _ = writeln!(
                    out,
                    "{pad}- {{ id: s{id}, name: s{id}, promised: {}, counted: {counted}, after: [{}]{extra} }}",
                    id % 7,
                    list.join(", ")
                );
            }
            Tree::Serial(items) | Tree::Parallel(items) => {
                let serial = matches!(t, Tree::Serial(_));
                let _ = writeln!(out, "{pad}- {}:", if serial { "serial" } else { "parallel" });
                for item in items {
                    write(item, indent + 4, next, out);
                }
            }
        }
    }

    /// A flow of stages, each maybe `after` an earlier stage (or `after: []`).
    fn flow_text(stages: &[(Option<usize>, Tree)]) -> String {
        let mut out = String::from(
            "id: random\nname: random\nparams:\n  skip: { type: bool, default: false }\nstages:\n",
        );
        let mut next = 0;
        for (k, (after, t)) in stages.iter().enumerate() {
            let _ = writeln!(out, "  - id: st{k}\n    name: st{k}");
            match after {
                Some(a) if *a < k => {
                    let _ = writeln!(out, "    after: [st{a}]");
                }
                Some(_) => out.push_str("    after: []\n"),
                None => {}
            }
            out.push_str("    steps:\n");
            write(t, 6, &mut next, &mut out);
        }
        out
    }

    #[test]
    fn relaxing_a_stage_s_after_leaves_it_waiting_for_nothing() {
        let text = "id: f\nname: f\nstages:\n  - id: a\n    name: a\n    steps:\n      \
                    - { id: x, name: x, promised: 4 }\n  - id: b\n    name: b\n    steps:\n      \
                    - { id: y, name: y, promised: 3 }\n  - id: c\n    name: c\n    after: [a]\n    \
                    steps:\n      - { id: z, name: z, promised: 2, after: [y] }\n";
        let flow = Arc::new(Flow::parse("f.yaml", text).unwrap_or_else(|r| panic!("{}", r.render())));
        let plan = Plan::new(FlowGraph::new(flow.clone(), flow.defaults()));
        assert_eq!(plan.total_days(), 9);
        let r = plan.relaxed_after();
        let pairs: Vec<Vec<&str>> = r.parallel.iter().map(|&(a, b)| plan.chain_ids(&[a, b])).collect();
        assert_eq!(pairs, [["x", "z"], ["y", "z"]]);
        assert_eq!((r.total_days, r.elapsed_days), (7, 7)); // x then y: the stages are still in a row
        assert_eq!(r, relaxed_by_recompiling(&plan));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]

        #[test]
        fn relaxed_after_matches_compiling_the_flow_without_after(
            stages in prop::collection::vec((prop::option::of(0usize..3), tree()), 1..4),
            skip in any::<bool>(),
            simulated in any::<bool>(),
        ) {
            let text = flow_text(&stages);
            let flow = Arc::new(Flow::parse("random.yaml", &text).map_err(|r| TestCaseError::fail(r.render()))?);
            let params = flow.bind([("skip", if skip { "true" } else { "false" })]).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let mode = if simulated { Mode::Simulated } else { Mode::Normal };
            let options = Options { mode, ..Options::default() };
            let plan = Plan::new(FlowGraph::with_options(flow, params, options));
            prop_assert_eq!(plan.relaxed_after(), relaxed_by_recompiling(&plan), "{}", text);
        }
    }
}
