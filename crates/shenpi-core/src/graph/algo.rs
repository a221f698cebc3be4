//! Graph algorithms over [`Dag`](super::Dag), one per file in the manner of
//! petgraph's `algo`: the general, plainly written versions that the rest of
//! the crate calls, and that the fast specialised passes (the two-clock
//! critical path of [`Cpm`](crate::schedule::Cpm), the simulation's
//! three-clock pass) are tested against.
//!
//! Every algorithm relies on the [`Dag`](super::Dag) invariant: nodes are
//! numbered in topological order (every edge `u → v` has `u < v`), so one
//! loop over the nodes in order is a topological sweep.

mod longest_path;
mod reachability;

pub use longest_path::{finishes, longest_path};
pub use reachability::{reachable_from, reaches, reaches_each};

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::graph::{Dag, Node};

    /// A random DAG of up to 9 nodes (any subset of the forward pairs) with node weights.
    pub(crate) fn weighted_dag() -> impl Strategy<Value = (Dag, Vec<u32>)> {
        (1usize..10).prop_flat_map(|n| {
            let pairs: Vec<(u32, u32)> =
                (0..n as u32).flat_map(|u| (u + 1..n as u32).map(move |v| (u, v))).collect();
            let m = pairs.len();
            (proptest::collection::vec(any::<bool>(), m), proptest::collection::vec(0u32..9, n)).prop_map(
                move |(keep, w)| {
                    let edges: Vec<(u32, u32)> =
                        pairs.iter().zip(&keep).filter(|(_, k)| **k).map(|(e, _)| *e).collect();
                    (Dag::from_topological(n, edges.into_iter()), w)
                },
            )
        })
    }

    /// Every path from `v` on, by enumeration: the longest ending at each node.
    fn brute_finish(dag: &Dag, w: &[u32], v: Node) -> u32 {
        dag.preds(v).iter().map(|&u| brute_finish(dag, w, u)).max().unwrap_or(0) + w[v.index()]
    }

    /// Reachability by the definition: `u` reaches `v` when they are equal or a successor of `u` does.
    fn brute_reaches(dag: &Dag, u: Node, v: Node) -> bool {
        u == v || dag.succs(u).iter().any(|&s| brute_reaches(dag, s, v))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn longest_path_matches_path_enumeration((dag, w) in weighted_dag()) {
            let ef = finishes(&dag, |v| w[v.index()], |_, _| true);
            for v in dag.nodes() {
                prop_assert_eq!(ef[v.index()], brute_finish(&dag, &w, v));
            }
            prop_assert_eq!(longest_path(&dag, &w), dag.nodes().map(|v| brute_finish(&dag, &w, v)).max().unwrap_or(0));
        }

        #[test]
        fn reachability_matches_the_definition((dag, _) in weighted_dag()) {
            let pairs: Vec<(Node, Node)> = dag.nodes().flat_map(|u| dag.nodes().map(move |v| (u, v))).collect();
            let each = reaches_each(&dag, &pairs);
            for u in dag.nodes() {
                let from = reachable_from(&dag, u);
                for v in dag.nodes() {
                    let want = brute_reaches(&dag, u, v);
                    prop_assert_eq!(reaches(&dag, u, v), want, "{} -> {}", u, v);
                    prop_assert_eq!(from.contains(&v), want);
                    prop_assert_eq!(each[u.index() * dag.len() + v.index()], want, "{} -> {} of many", u, v);
                }
            }
        }
    }
}
