//! Longest paths with node weights.

use crate::graph::{Dag, Node};

/// The longest path ending at every node, over the edges `keep` accepts:
/// `ef[v] = weight(v) + max { ef[u] : u → v, keep(u, v) }`, or `weight(v)`
/// when no edge into `v` is kept. Sums saturate at `u32::MAX` rather than wrap.
///
/// With every edge kept this is the earliest finish of the textbook forward
/// pass; a filter on edges gives the longest path inside a part of the graph
/// (a stage's own steps, a group of stages) without building it.
///
/// ```
/// use shenpi_core::graph::{Dag, algo};
///
/// // 0 → 1 → 3 and 0 → 2 → 3, weights 1, 5, 2, 1.
/// let dag = Dag::from_topological(4, [(0, 1), (0, 2), (1, 3), (2, 3)].into_iter());
/// let weight = [1, 5, 2, 1];
/// let ef = algo::finishes(&dag, |v| weight[v.index()], |_, _| true);
/// assert_eq!(ef, [1, 6, 3, 7]);
/// // Without the edge 1 → 3, node 3 finishes after 0 → 2 → 3.
/// let ef = algo::finishes(&dag, |v| weight[v.index()], |u, v| (u.index(), v.index()) != (1, 3));
/// assert_eq!(ef[3], 4);
/// ```
///
/// # Complexity
/// O(V + E) time, O(V) memory for the answer.
pub fn finishes(dag: &Dag, weight: impl Fn(Node) -> u32, keep: impl Fn(Node, Node) -> bool) -> Vec<u32> {
    let mut ef = vec![0u32; dag.len()];
    for v in dag.nodes() {
        let start = dag.preds(v).iter().filter(|&&u| keep(u, v)).map(|&u| ef[u.index()]).max();
        ef[v.index()] = start.unwrap_or(0).saturating_add(weight(v));
    }
    ef
}

/// The length of the longest path, each node weighing `weight[v]`; 0 for an empty graph.
///
/// ```
/// use shenpi_core::graph::{Dag, algo};
///
/// let dag = Dag::from_topological(4, [(0, 1), (0, 2), (1, 3), (2, 3)].into_iter());
/// assert_eq!(algo::longest_path(&dag, &[1, 5, 2, 1]), 7);
/// ```
///
/// # Panics
/// When `weight` is shorter than the graph has nodes.
///
/// # Complexity
/// O(V + E) time, O(V) extra memory.
pub fn longest_path(dag: &Dag, weight: &[u32]) -> u32 {
    finishes(dag, |v| weight[v.index()], |_, _| true).into_iter().max().unwrap_or(0)
}
