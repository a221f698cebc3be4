//! Layered drawing of a DAG (Sugiyama): longest-path layering, dummy nodes
//! on long edges, then crossing reduction by the barycentre heuristic.

use crate::graph::{Dag, Node};

/// An edge `(u, v)` with the `(layer, row)` points it bends through.
pub type Route = ((Node, Node), Vec<(u32, u32)>);

/// Where each node goes: its layer (column) and its rank (row) in the layer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    /// Layer of each real node.
    pub layer: Vec<u32>,
    /// Row of each real node within its layer.
    pub row: Vec<u32>,
    /// For each edge `(u, v)` of the DAG, the rows its bends pass through in
    /// the layers strictly between `u` and `v`.
    pub bends: Vec<Route>,
    /// Number of layers.
    pub layers: u32,
    /// Largest number of rows in any layer (dummy nodes included).
    pub rows: u32,
}

/// Lays out `dag`, whose nodes are in topological order.
///
/// # Complexity
/// O((V + D + E') · sweeps · log) where D counts dummy nodes (one per layer
/// an edge skips) and E' the resulting short edges; `sweeps` is fixed.
pub fn layered(dag: &Dag) -> Layout {
    let n = dag.len();
    // Longest-path layering: a node sits one layer right of its latest predecessor.
    let mut layer = vec![0u32; n];
    for v in dag.nodes() {
        layer[v.index()] = dag.preds(v).iter().map(|&p| layer[p.index()] + 1).max().unwrap_or(0);
    }
    let layers = layer.iter().max().map_or(0, |m| m + 1);

    // Nodes of the layered graph: real ones first, then dummies; edges only between adjacent layers.
    let mut node_layer: Vec<u32> = layer.clone();
    let mut up: Vec<Vec<usize>> = vec![Vec::new(); n]; // neighbours in the layer to the left
    let mut down: Vec<Vec<usize>> = vec![Vec::new(); n]; // neighbours in the layer to the right
    let mut chains: Vec<((Node, Node), Vec<usize>)> = Vec::new();
    for (u, v) in dag.edges() {
        let mut prev = u.index();
        let mut chain = Vec::new();
        for l in layer[u.index()] + 1..layer[v.index()] {
            let d = node_layer.len();
            node_layer.push(l);
            up.push(vec![prev]);
            down.push(Vec::new());
            down[prev].push(d);
            chain.push(d);
            prev = d;
        }
        down[prev].push(v.index());
        up[v.index()].push(prev);
        chains.push(((u, v), chain));
    }

    // Initial order: by node number within each layer (file order, roughly).
    let mut by_layer: Vec<Vec<usize>> = vec![Vec::new(); layers as usize];
    for (x, &l) in node_layer.iter().enumerate() {
        by_layer[l as usize].push(x);
    }
    let mut pos = vec![0f64; node_layer.len()];
    let set_pos = |by_layer: &Vec<Vec<usize>>, pos: &mut Vec<f64>| {
        for nodes in by_layer {
            for (i, &x) in nodes.iter().enumerate() {
                pos[x] = i as f64;
            }
        }
    };
    set_pos(&by_layer, &mut pos);
    let mut best = (crossings(&by_layer, &down, &pos), by_layer.clone());
    for sweep in 0..8 {
        let downward = sweep % 2 == 0;
        let order: Vec<usize> = if downward {
            (1..layers as usize).collect()
        } else {
            (0..(layers as usize).saturating_sub(1)).rev().collect()
        };
        for l in order {
            let neighbours = if downward { &up } else { &down };
            let mut keyed: Vec<(f64, f64, usize)> = by_layer[l]
                .iter()
                .map(|&x| {
                    let ns = &neighbours[x];
                    let bary = if ns.is_empty() {
                        pos[x]
                    } else {
                        ns.iter().map(|&y| pos[y]).sum::<f64>() / ns.len() as f64
                    };
                    (bary, pos[x], x)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
            by_layer[l] = keyed.into_iter().map(|k| k.2).collect();
            for (i, &x) in by_layer[l].iter().enumerate() {
                pos[x] = i as f64;
            }
        }
        let c = crossings(&by_layer, &down, &pos);
        if c < best.0 {
            best = (c, by_layer.clone());
        }
    }
    let by_layer = best.1;
    set_pos(&by_layer, &mut pos);
    let rows = by_layer.iter().map(Vec::len).max().unwrap_or(0) as u32;
    Layout {
        layer,
        row: (0..n).map(|v| pos[v] as u32).collect(),
        bends: chains
            .into_iter()
            .map(|(e, chain)| (e, chain.into_iter().map(|d| (node_layer[d], pos[d] as u32)).collect()))
            .collect(),
        layers,
        rows,
    }
}

/// Number of edge crossings between adjacent layers.
///
/// # Complexity
/// O(E²) per layer pair in the worst case; flows are small.
fn crossings(by_layer: &[Vec<usize>], down: &[Vec<usize>], pos: &[f64]) -> usize {
    let mut total = 0;
    for nodes in by_layer {
        let mut edges: Vec<(f64, f64)> = Vec::new();
        for &x in nodes {
            for &y in &down[x] {
                edges.push((pos[x], pos[y]));
            }
        }
        for i in 0..edges.len() {
            for j in i + 1..edges.len() {
                let (a, b) = (edges[i], edges[j]);
                if (a.0 - b.0) * (a.1 - b.1) < 0.0 {
                    total += 1;
                }
            }
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_diamond_takes_three_layers_and_two_rows() {
        let dag = Dag::from_topological(4, [(0, 1), (0, 2), (1, 3), (2, 3)].into_iter());
        let l = layered(&dag);
        assert_eq!(l.layer, vec![0, 1, 1, 2]);
        assert_eq!(l.layers, 3);
        assert_eq!(l.rows, 2);
        assert_ne!(l.row[1], l.row[2]);
    }

    #[test]
    fn barycentre_untangles_a_crossing() {
        // 0 -> 3 and 1 -> 2 cross when layer 1 is in node order [2, 3].
        let dag = Dag::from_topological(4, [(0, 3), (1, 2)].into_iter());
        let l = layered(&dag);
        assert_eq!(l.row[0] < l.row[1], l.row[3] < l.row[2]);
    }

    #[test]
    fn long_edges_bend_through_every_skipped_layer() {
        let dag = Dag::from_topological(4, [(0, 1), (1, 2), (2, 3), (0, 3)].into_iter());
        let l = layered(&dag);
        let bends = &l.bends.iter().find(|(e, _)| *e == (Node(0), Node(3))).unwrap().1;
        assert_eq!(bends.iter().map(|b| b.0).collect::<Vec<_>>(), vec![1, 2]);
    }
}
