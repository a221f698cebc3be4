//! Which nodes can be reached from which.

use crate::graph::{Dag, Node};

/// Whether `to` can be reached from `from` along edges (a node reaches itself).
///
/// ```
/// use shenpi_core::graph::{Dag, Node, algo};
///
/// let dag = Dag::from_topological(4, [(0, 1), (1, 3), (0, 2)].into_iter());
/// assert!(algo::reaches(&dag, Node(0), Node(3)));
/// assert!(!algo::reaches(&dag, Node(2), Node(3)));
/// ```
///
/// # Complexity
/// O(V + E) time and O(V) memory at most; nodes numbered after `to` are never
/// visited, since in topological numbering no path comes back from them.
pub fn reaches(dag: &Dag, from: Node, to: Node) -> bool {
    if from > to {
        return false;
    }
    let mut seen = vec![false; to.index() + 1];
    let mut stack = vec![from];
    while let Some(v) = stack.pop() {
        if v == to {
            return true;
        }
        for &s in dag.succs(v) {
            if s <= to && !seen[s.index()] {
                seen[s.index()] = true;
                stack.push(s);
            }
        }
    }
    false
}

/// Every node reachable from `from` along edges, `from` included, in node order.
///
/// ```
/// use shenpi_core::graph::{Dag, Node, algo};
///
/// let dag = Dag::from_topological(4, [(0, 1), (1, 3), (0, 2)].into_iter());
/// assert_eq!(algo::reachable_from(&dag, Node(1)), [Node(1), Node(3)]);
/// ```
///
/// # Complexity
/// O(V + E) time, O(V) memory.
pub fn reachable_from(dag: &Dag, from: Node) -> Vec<Node> {
    let mut seen = vec![false; dag.len()];
    seen[from.index()] = true;
    // In topological numbering one sweep upwards from `from` suffices.
    for v in dag.nodes().skip(from.index()) {
        if seen[v.index()] {
            for &s in dag.succs(v) {
                seen[s.index()] = true;
            }
        }
    }
    dag.nodes().filter(|v| seen[v.index()]).collect()
}
