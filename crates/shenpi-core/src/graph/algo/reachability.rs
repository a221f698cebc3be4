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
/// O(V + E) time at most and O(V) memory; nodes numbered after `to` are
/// never visited, since in topological numbering no path comes back from them.
pub fn reaches(dag: &Dag, from: Node, to: Node) -> bool {
    reaches_each(dag, &[(from, to)])[0]
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

/// For each pair `(from, to)`, whether `to` can be reached from `from`:
/// [`reaches`] for many pairs at once, sharing one visited mark (stamped
/// with the pair's number, so nothing is cleared between pairs).
///
/// ```
/// use shenpi_core::graph::{Dag, Node, algo};
///
/// let dag = Dag::from_topological(4, [(0, 1), (1, 3), (0, 2)].into_iter());
/// let pairs = [(Node(0), Node(3)), (Node(2), Node(3)), (Node(3), Node(0))];
/// assert_eq!(algo::reaches_each(&dag, &pairs), [true, false, false]);
/// ```
///
/// # Complexity
/// O(V) memory; per pair O(V + E) time at most, visiting only nodes
/// reachable from `from` and numbered up to `to`.
pub fn reaches_each(dag: &Dag, pairs: &[(Node, Node)]) -> Vec<bool> {
    let mut mark = vec![0u32; dag.len()];
    let mut stack = Vec::new();
    pairs
        .iter()
        .zip(1u32..)
        .map(|(&(from, to), stamp)| {
            if from > to {
                return false;
            }
            stack.clear();
            stack.push(from);
            while let Some(v) = stack.pop() {
                if v == to {
                    return true;
                }
                for &s in dag.succs(v) {
                    if s <= to && mark[s.index()] != stamp {
                        mark[s.index()] = stamp;
                        stack.push(s);
                    }
                }
            }
            false
        })
        .collect()
}
