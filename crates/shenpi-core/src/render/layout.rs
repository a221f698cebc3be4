//! Layered drawing of a DAG (Sugiyama): longest-path layering, dummy nodes
//! on long edges, then crossing reduction by the barycentre heuristic within
//! a budget of work proportional to the graph, and the transitive reduction
//! that keeps a chart from drawing edges a longer path already implies.

use crate::graph::{Dag, Node, algo};

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

/// Work the crossing reduction may spend, in visits of a node or edge of the
/// layered graph: sweeps stop when the next one would pass it (at least one
/// sweep is always made, at most [`MAX_SWEEPS`]).
const SWEEP_BUDGET: usize = 8_000_000;

/// Sweeps of barycentre ordering for a small graph: alternating down and up.
const MAX_SWEEPS: usize = 8;

/// The longest-path layer of every node: one right of its latest predecessor.
fn layers_of(dag: &Dag) -> Vec<u32> {
    // Every node weighing 1, a node's longest path counts the nodes on it: its layer plus one.
    algo::finishes(dag, |_| 1, |_, _| true).into_iter().map(|f| f - 1).collect()
}

/// The size of the layered graph [`layered`] would build: nodes, plus one
/// short edge for every layer each edge spans (the dummy nodes on long edges
/// come with them). A caller checks it before asking for a layout.
///
/// # Complexity
/// O(V + E) time, O(V) extra memory.
pub fn layered_size(dag: &Dag) -> usize {
    let layer = layers_of(dag);
    dag.len() + dag.edges().map(|(u, v)| (layer[v.index()] - layer[u.index()]) as usize).sum::<usize>()
}

/// Lays out `dag`, whose nodes are in topological order.
///
/// # Complexity
/// O(S log S) time and O(S) memory for S = [`layered_size`]: building the
/// layered graph is O(S); each barycentre sweep sorts every layer and each
/// crossing count is O(E' log V') (Barth, Jünger and Mutzel's accumulator
/// tree); the number of sweeps shrinks as S grows, so the whole stays within
/// a fixed budget of visits beyond the first sweep.
pub fn layered(dag: &Dag) -> Layout {
    let layer = layers_of(dag);
    let layers = layer.iter().max().map_or(0, |m| m + 1);
    let mut g = Layered::build(dag, &layer, layers);
    g.reduce_crossings();
    let rows = g.by_layer.iter().map(Vec::len).max().unwrap_or(0) as u32;
    let n = dag.len();
    Layout {
        row: g.pos[..n].to_vec(),
        bends: g
            .chains
            .iter()
            .map(|(e, chain)| {
                (*e, chain.iter().map(|&d| (g.node_layer[d as usize], g.pos[d as usize])).collect())
            })
            .collect(),
        layer,
        layers,
        rows,
    }
}

/// The graph of the drawing: real nodes first, then one dummy node for every
/// layer a long edge passes; edges join adjacent layers only.
struct Layered {
    node_layer: Vec<u32>,
    /// Neighbours in the layer to the left.
    up: Vec<Vec<u32>>,
    /// Neighbours in the layer to the right.
    down: Vec<Vec<u32>>,
    /// Each edge of the DAG with the dummy nodes it bends through.
    chains: Vec<((Node, Node), Vec<u32>)>,
    /// The nodes of each layer, in drawing order.
    by_layer: Vec<Vec<u32>>,
    /// Each node's rank in its layer.
    pos: Vec<u32>,
}

impl Layered {
    fn build(dag: &Dag, layer: &[u32], layers: u32) -> Layered {
        let n = dag.len();
        let mut node_layer: Vec<u32> = layer.to_vec();
        let mut up: Vec<Vec<u32>> = vec![Vec::new(); n];
        let mut down: Vec<Vec<u32>> = vec![Vec::new(); n];
        let mut chains = Vec::with_capacity(dag.edge_count());
        for (u, v) in dag.edges() {
            let mut prev = u.0;
            let mut chain = Vec::new();
            for l in layer[u.index()] + 1..layer[v.index()] {
                let d = node_layer.len() as u32;
                node_layer.push(l);
                up.push(vec![prev]);
                down.push(Vec::new());
                down[prev as usize].push(d);
                chain.push(d);
                prev = d;
            }
            down[prev as usize].push(v.0);
            up[v.index()].push(prev);
            chains.push(((u, v), chain));
        }
        // Initial order: by node number within each layer (file order, roughly).
        let mut by_layer: Vec<Vec<u32>> = vec![Vec::new(); layers as usize];
        for (x, &l) in node_layer.iter().enumerate() {
            by_layer[l as usize].push(x as u32);
        }
        let mut g = Layered { pos: vec![0; node_layer.len()], node_layer, up, down, chains, by_layer };
        g.rank_all();
        g
    }

    /// Sets every node's rank from the layers' order.
    fn rank_all(&mut self) {
        for l in 0..self.by_layer.len() {
            self.rank(l);
        }
    }

    fn rank(&mut self, l: usize) {
        for (i, &x) in self.by_layer[l].iter().enumerate() {
            self.pos[x as usize] = i as u32;
        }
    }

    /// Nodes plus short edges: what one sweep or one crossing count visits.
    fn size(&self) -> usize {
        self.node_layer.len() + self.down.iter().map(Vec::len).sum::<usize>()
    }

    /// Barycentre sweeps, down then up, keeping the order with the fewest
    /// crossings; as many sweeps as [`SWEEP_BUDGET`] allows for this size.
    fn reduce_crossings(&mut self) {
        let sweeps = (SWEEP_BUDGET / self.size().max(1)).clamp(1, MAX_SWEEPS);
        let mut best = (self.crossings(), self.by_layer.clone());
        for sweep in 0..sweeps {
            if best.0 == 0 {
                break;
            }
            self.sweep(sweep % 2 == 0);
            let c = self.crossings();
            if c < best.0 {
                best = (c, self.by_layer.clone());
            }
        }
        self.by_layer = best.1;
        self.rank_all();
    }

    /// Orders each layer by the mean rank of its neighbours in the layer
    /// before it (`downward`) or after it; a node without such neighbours
    /// keeps its rank as its key.
    fn sweep(&mut self, downward: bool) {
        let layers = self.by_layer.len();
        let order: Vec<usize> =
            if downward { (1..layers).collect() } else { (0..layers.saturating_sub(1)).rev().collect() };
        for l in order {
            let neighbours = if downward { &self.up } else { &self.down };
            let mut keyed: Vec<(f64, u32, u32)> = self.by_layer[l]
                .iter()
                .map(|&x| {
                    let ns = &neighbours[x as usize];
                    let own = self.pos[x as usize];
                    let bary = if ns.is_empty() {
                        f64::from(own)
                    } else {
                        ns.iter().map(|&y| f64::from(self.pos[y as usize])).sum::<f64>() / ns.len() as f64
                    };
                    (bary, own, x)
                })
                .collect();
            keyed.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            self.by_layer[l] = keyed.into_iter().map(|k| k.2).collect();
            self.rank(l);
        }
    }

    /// Edge crossings between every pair of adjacent layers.
    ///
    /// # Complexity
    /// O(E' log V'): per layer pair, the edges in order of their upper end
    /// (then lower end) are an inversion count on their lower ends, taken
    /// with a Fenwick tree over the lower layer's ranks.
    fn crossings(&self) -> u64 {
        let mut total = 0u64;
        let mut lower: Vec<u32> = Vec::new();
        for l in 0..self.by_layer.len().saturating_sub(1) {
            lower.clear();
            for &x in &self.by_layer[l] {
                let start = lower.len();
                lower.extend(self.down[x as usize].iter().map(|&y| self.pos[y as usize]));
                lower[start..].sort_unstable();
            }
            total += inversions(&lower, self.by_layer[l + 1].len());
        }
        total
    }
}

/// Pairs i < j with `ranks[i] > ranks[j]`, for ranks below `width`.
fn inversions(ranks: &[u32], width: usize) -> u64 {
    // Fenwick tree of how many ranks seen so far fall at or below each rank.
    let mut tree = vec![0u32; width + 1];
    let mut count = 0u64;
    for (seen, &r) in ranks.iter().enumerate() {
        // Seen ranks <= r.
        let mut at_most = 0u64;
        let mut i = r as usize + 1;
        while i > 0 {
            at_most += u64::from(tree[i]);
            i &= i - 1;
        }
        count += seen as u64 - at_most;
        let mut i = r as usize + 1;
        while i <= width {
            tree[i] += 1;
            i += i & i.wrapping_neg();
        }
    }
    count
}

/// The edges of `dag` that no longer path implies: `u -> w` is dropped when
/// `w` can be reached from another successor of `u`. Nodes keep their numbers.
///
/// # Complexity
/// O(V · E / 64) time and O(V² / 64) words of memory: each node's set of
/// reachable nodes is a bitset, filled from its successors' in reverse
/// topological order. Callers bound V (a chart draws every step only up to
/// [`MAX_DETAILED_STEPS`](super::MAX_DETAILED_STEPS)).
pub fn transitive_reduction(dag: &Dag) -> Dag {
    let n = dag.len();
    let words = n.div_ceil(64);
    let mut reach = vec![0u64; n * words];
    let mut kept = Vec::with_capacity(n);
    let mut acc = vec![0u64; words];
    for v in dag.nodes().rev() {
        acc.fill(0);
        // Successors in topological order: whatever reaches `w` comes before it.
        for &w in dag.succs(v) {
            let (wi, bit) = (w.index() / 64, 1u64 << (w.index() % 64));
            if acc[wi] & bit == 0 {
                kept.push((v.0, w.0));
            }
            acc[wi] |= bit;
            let row = &reach[w.index() * words..(w.index() + 1) * words];
            for (a, r) in acc.iter_mut().zip(row) {
                *a |= r;
            }
        }
        reach[v.index() * words..(v.index() + 1) * words].copy_from_slice(&acc);
    }
    kept.sort_unstable();
    Dag::from_topological(n, kept.into_iter())
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
        assert_eq!(layered_size(&dag), 4 + 4);
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
        assert_eq!(layered_size(&dag), 4 + 3 + 3);
    }

    #[test]
    fn inversions_count_crossing_pairs() {
        assert_eq!(inversions(&[0, 1, 2], 3), 0);
        assert_eq!(inversions(&[2, 1, 0], 3), 3);
        assert_eq!(inversions(&[1, 1, 0, 2], 3), 2);
        // Against the definition, on every arrangement of a small multiset.
        let ranks = [3u32, 0, 2, 2, 1, 4, 0, 3];
        let brute = (0..ranks.len())
            .flat_map(|i| (i + 1..ranks.len()).map(move |j| (i, j)))
            .filter(|&(i, j)| ranks[i] > ranks[j])
            .count() as u64;
        assert_eq!(inversions(&ranks, 5), brute);
    }

    #[test]
    fn the_transitive_reduction_keeps_only_edges_no_longer_path_implies() {
        // A complete DAG on 5 nodes reduces to its chain.
        let all: Vec<(u32, u32)> = (0..5).flat_map(|u| (u + 1..5).map(move |v| (u, v))).collect();
        let r = transitive_reduction(&Dag::from_topological(5, all.into_iter()));
        assert_eq!(r.edges().map(|(u, v)| (u.0, v.0)).collect::<Vec<_>>(), [(0, 1), (1, 2), (2, 3), (3, 4)]);
        // Two parallel blocks one after the other: nothing is implied.
        let bipartite: Vec<(u32, u32)> = (0..3).flat_map(|u| (3..6).map(move |v| (u, v))).collect();
        let dag = Dag::from_topological(6, bipartite.into_iter());
        assert_eq!(transitive_reduction(&dag), dag);
    }

    fn closure(n: usize, edges: &[(u32, u32)]) -> Vec<Vec<bool>> {
        let mut r = vec![vec![false; n]; n];
        for &(u, v) in edges {
            r[u as usize][v as usize] = true;
        }
        for k in 0..n {
            for i in 0..n {
                for j in 0..n {
                    r[i][j] |= r[i][k] && r[k][j];
                }
            }
        }
        r
    }

    fn small_dag() -> impl Strategy<Value = Dag> {
        prop::collection::vec((0u32..10, 0u32..10), 0..40).prop_map(|pairs| {
            Dag::from_topological(
                10,
                pairs.into_iter().filter(|(u, v)| u < v).collect::<Vec<_>>().into_iter(),
            )
        })
    }

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn the_reduction_keeps_reachability_and_no_implied_edge(dag in small_dag()) {
            let all: Vec<(u32, u32)> = dag.edges().map(|(u, v)| (u.0, v.0)).collect();
            let kept: Vec<(u32, u32)> = transitive_reduction(&dag).edges().map(|(u, v)| (u.0, v.0)).collect();
            prop_assert_eq!(closure(10, &all), closure(10, &kept));
            for (i, &(u, v)) in kept.iter().enumerate() {
                let others: Vec<(u32, u32)> = kept.iter().enumerate().filter(|&(j, _)| j != i).map(|(_, &e)| e).collect();
                prop_assert!(!closure(10, &others)[u as usize][v as usize], "{u} -> {v} is implied");
            }
        }

        #[test]
        fn crossings_match_a_pairwise_count(dag in small_dag()) {
            let layer = layers_of(&dag);
            let layers = layer.iter().max().map_or(0, |m| m + 1);
            let mut g = Layered::build(&dag, &layer, layers);
            for downward in [true, false, true] {
                let mut pairwise = 0u64;
                for nodes in &g.by_layer {
                    let e: Vec<(u32, u32)> = nodes
                        .iter()
                        .flat_map(|&x| g.down[x as usize].iter().map(move |&y| (x, y)))
                        .map(|(x, y)| (g.pos[x as usize], g.pos[y as usize]))
                        .collect();
                    for i in 0..e.len() {
                        for j in i + 1..e.len() {
                            let (a, b) = (e[i], e[j]);
                            pairwise += u64::from((a.0 < b.0 && a.1 > b.1) || (a.0 > b.0 && a.1 < b.1));
                        }
                    }
                }
                prop_assert_eq!(g.crossings(), pairwise);
                g.sweep(downward);
            }
        }
    }
}
