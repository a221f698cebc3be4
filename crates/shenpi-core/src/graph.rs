//! Flow + params → the compiled DAG that scheduling, runtime and simulation walk.
//!
//! Steps are renumbered once in topological order, so every edge runs from a
//! lower [`Node`] to a higher one: a forward pass is a loop over `0..n`, a
//! backward pass a loop over `(0..n).rev()`, and both read predecessor and
//! successor lists from flat arrays (compressed sparse rows). [`algo`] holds
//! the general algorithms over it (longest path, reachability).

pub mod algo;

use std::collections::VecDeque;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::model::{Flow, Params, Step, StepIdx};

/// How a project runs (`project new --mode`): as the flow is written, or in
/// simulated-approval mode (模拟审批), where a step with `provisional` need
/// not wait for the prerequisites its `before` names.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// Every step waits for all its prerequisites.
    #[default]
    Normal,
    /// Steps with `provisional: { before }` run ahead of those prerequisites (and only those).
    Simulated,
}

impl Mode {
    /// Every mode with its name on the command line and in JSON.
    pub const ALL: [(&'static str, Mode); 2] = [("normal", Mode::Normal), ("simulated", Mode::Simulated)];

    /// Its name on the command line and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Normal => "normal",
            Mode::Simulated => "simulated",
        }
    }
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Mode {
    type Err = String;

    /// A mode by its name, with an error that lists the names.
    ///
    /// ```
    /// use shenpi_core::graph::Mode;
    /// assert_eq!("simulated".parse::<Mode>(), Ok(Mode::Simulated));
    /// assert_eq!(Mode::Simulated.to_string(), "simulated");
    /// assert_eq!("fast".parse::<Mode>().unwrap_err(), "unknown mode `fast`; expected one of: normal, simulated");
    /// ```
    fn from_str(s: &str) -> Result<Mode, String> {
        Mode::ALL.iter().find(|(n, _)| *n == s).map(|&(_, m)| m).ok_or_else(|| {
            let names: Vec<&str> = Mode::ALL.iter().map(|(n, _)| *n).collect();
            format!("unknown mode `{s}`; expected one of: {}", names.join(", "))
        })
    }
}

/// What a project chooses when its flow is compiled: the reform's optional
/// mechanisms, which change the graph that plan, simulation and runtime walk.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Options {
    /// Normal or simulated approval.
    pub mode: Mode,
    /// Use commitment approval (告知承诺制) wherever a step allows it
    /// (`commitment:`): such a step is approved at acceptance on the
    /// applicant's pledge and weighs no days.
    pub commitment: bool,
}

/// A step's position in a compiled graph, in topological order: every edge
/// `u -> v` has `u < v`. The other index space, file order, is [`StepIdx`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[repr(transparent)]
pub struct Node(pub u32);

impl std::fmt::Display for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl Node {
    /// As a `usize`, for indexing arrays in node order.
    #[inline]
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A directed acyclic graph in topological numbering, stored as flat adjacency arrays.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dag {
    pred_start: Vec<u32>,
    preds: Vec<Node>,
    succ_start: Vec<u32>,
    succs: Vec<Node>,
}

/// The `n` nodes of `edges` in topological order (Kahn's algorithm, ties
/// broken by index), or the nodes left unordered when there is a cycle.
///
/// # Complexity
/// O(V + E) time, O(V + E) extra memory.
pub(crate) fn topological_order(n: usize, edges: &[(u32, u32)]) -> Result<Vec<u32>, CycleError> {
    let orig = Csr::build(n, edges.iter().copied());
    // Count the merged edges: a duplicate must not hold its target back forever.
    let mut indegree: Vec<u32> = vec![0; n];
    for &v in &orig.items {
        indegree[v as usize] += 1;
    }
    let mut order = Vec::with_capacity(n);
    let mut ready: VecDeque<u32> = (0..n as u32).filter(|&v| indegree[v as usize] == 0).collect();
    while let Some(v) = ready.pop_front() {
        order.push(v);
        for &w in orig.row(v) {
            indegree[w as usize] -= 1;
            if indegree[w as usize] == 0 {
                ready.push_back(w);
            }
        }
    }
    if order.len() < n {
        let stuck = (0..n as u32).filter(|&v| indegree[v as usize] > 0).collect();
        return Err(CycleError { stuck });
    }
    Ok(order)
}

/// The nodes that could not be ordered because they lie on (or behind) a cycle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CycleError {
    /// Original indices of the nodes left unordered.
    pub stuck: Vec<u32>,
}

impl Dag {
    /// Orders `n` nodes topologically (Kahn's algorithm, ties broken by index)
    /// and builds the graph in that numbering. Returns the graph and, for each
    /// new node, its original index. Duplicate edges are merged.
    ///
    /// # Complexity
    /// O(V + E) time, O(V + E) extra memory.
    pub fn from_edges(n: usize, edges: &[(u32, u32)]) -> Result<(Dag, Vec<u32>), CycleError> {
        let order = topological_order(n, edges)?;
        let mut rank = vec![0u32; n];
        for (new, &old) in order.iter().enumerate() {
            rank[old as usize] = new as u32;
        }
        let renamed = edges.iter().map(|&(u, v)| (rank[u as usize], rank[v as usize]));
        Ok((Dag::from_topological(n, renamed), order))
    }

    /// Builds a graph whose edges, given as node numbers, already go from lower to higher nodes.
    ///
    /// # Panics
    /// When an edge `u -> v` has `u >= v` or names a node `>= n`; use
    /// [`Dag::from_edges`] for arbitrary input.
    pub fn from_topological(n: usize, edges: impl Iterator<Item = (u32, u32)> + Clone) -> Dag {
        let succ = Csr::build(
            n,
            edges
                .clone()
                .inspect(|&(u, v)| assert!(u < v && (v as usize) < n, "edge {u} -> {v} is not topological")),
        );
        let pred = Csr::build(n, edges.map(|(u, v)| (v, u)));
        let nodes = |items: Vec<u32>| items.into_iter().map(Node).collect();
        Dag {
            pred_start: pred.start,
            preds: nodes(pred.items),
            succ_start: succ.start,
            succs: nodes(succ.items),
        }
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.pred_start.len().saturating_sub(1)
    }

    /// True when there are no nodes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of distinct edges.
    pub fn edge_count(&self) -> usize {
        self.succs.len()
    }

    /// The nodes `v` waits for, ascending.
    pub fn preds(&self, v: Node) -> &[Node] {
        let v = v.index();
        &self.preds[self.pred_start[v] as usize..self.pred_start[v + 1] as usize]
    }

    /// The nodes waiting for `v`, ascending.
    pub fn succs(&self, v: Node) -> &[Node] {
        let v = v.index();
        &self.succs[self.succ_start[v] as usize..self.succ_start[v + 1] as usize]
    }

    /// The predecessor lists as stored: node `v`'s are
    /// `preds[start[v]..start[v + 1]]`. For passes that walk every list in
    /// order and carry each list's end over as the next one's start.
    pub(crate) fn pred_lists(&self) -> (&[u32], &[Node]) {
        (&self.pred_start, &self.preds)
    }

    /// Where each node's successor list starts, and one past the last (a
    /// node without successors starts where the next one does).
    pub(crate) fn succ_starts(&self) -> &[u32] {
        &self.succ_start
    }

    /// Every edge `(u, v)`, by `u` then `v`.
    pub fn edges(&self) -> impl Iterator<Item = (Node, Node)> + '_ {
        self.nodes().flat_map(move |u| self.succs(u).iter().map(move |&v| (u, v)))
    }

    /// Every node, in topological order.
    pub fn nodes(&self) -> impl DoubleEndedIterator<Item = Node> + ExactSizeIterator + use<> {
        (0..self.len() as u32).map(Node)
    }
}

/// The edges of a flow in simulated mode: each step with `provisional:
/// { before }` loses its edges from the steps `before` names and waits
/// instead for what those wait for, passing through any that are named too.
///
/// # Complexity
/// O(V + E) to index the edges, then, per step with `provisional`, its
/// prerequisites and theirs through the steps it names (O(V + E) at worst).
fn run_ahead(flow: &Flow, edges: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    let steps = flow.steps();
    let n = steps.len();
    let ahead: Vec<(usize, Vec<u32>)> = steps
        .iter()
        .enumerate()
        .filter_map(|(i, st)| {
            let named = st.provisional()?.before().iter().filter_map(|r| flow.step(&r.id)).map(|(j, _)| j.0);
            Some((i, named.collect()))
        })
        .collect();
    if ahead.is_empty() {
        return edges;
    }
    let preds = Csr::build(n, edges.iter().map(|&(u, v)| (v, u)));
    let mut is_ahead = vec![false; n];
    ahead.iter().for_each(|(i, _)| is_ahead[*i] = true);
    let mut out: Vec<(u32, u32)> = edges.into_iter().filter(|&(_, v)| !is_ahead[v as usize]).collect();
    let mut seen = vec![false; n];
    let mut touched: Vec<u32> = Vec::new();
    for (s, named) in &ahead {
        // Reset only what the last walk marked, so many such steps stay linear in their walks.
        touched.drain(..).for_each(|p| seen[p as usize] = false);
        let mut stack: Vec<u32> = preds.row(*s as u32).to_vec();
        while let Some(p) = stack.pop() {
            if std::mem::replace(&mut seen[p as usize], true) {
                continue;
            }
            touched.push(p);
            if named.contains(&p) {
                stack.extend_from_slice(preds.row(p));
            } else {
                out.push((p, *s as u32));
            }
        }
    }
    out
}

/// The graph of the nodes of `full` that `keep` marks, renumbered densely
/// (the relative order stays topological), a removed node's kept
/// predecessors passed on to its successors; with, per new node, its step
/// (`order` gives the step of each node of `full`).
///
/// # Complexity
/// O(V + E) when few nodes are removed; each removed node holds the kept
/// nodes it stands for, so removing many may add edges from each kept
/// predecessor to each kept successor.
fn bridge(full: &Dag, keep: &[bool], order: &[u32]) -> (Dag, Vec<StepIdx>) {
    let n = full.len();
    // Per removed node, the kept predecessors it passes on; a kept node stands for itself.
    let mut stands_for: Vec<Vec<u32>> = vec![Vec::new(); n];
    let mut from: Vec<u32> = Vec::new();
    let mut edges = Vec::with_capacity(full.edge_count());
    for v in full.nodes() {
        from.clear();
        for &p in full.preds(v) {
            if keep[p.index()] {
                from.push(p.0);
            } else {
                from.extend_from_slice(&stands_for[p.index()]);
            }
        }
        from.sort_unstable();
        from.dedup();
        if keep[v.index()] {
            edges.extend(from.iter().map(|&p| (p, v.0)));
        } else {
            stands_for[v.index()] = from.clone();
        }
    }
    let mut new_id = vec![u32::MAX; n];
    let mut step_of = Vec::new();
    for v in 0..n {
        if keep[v] {
            new_id[v] = step_of.len() as u32;
            step_of.push(StepIdx(order[v]));
        }
    }
    let renamed = edges.iter().map(|&(u, v)| (new_id[u as usize], new_id[v as usize]));
    (Dag::from_topological(step_of.len(), renamed), step_of)
}

/// Compressed sparse rows: the targets of node `v` are `items[start[v]..start[v + 1]]`, sorted, unique.
struct Csr {
    start: Vec<u32>,
    items: Vec<u32>,
}

impl Csr {
    fn build(n: usize, edges: impl Iterator<Item = (u32, u32)> + Clone) -> Csr {
        let mut count = vec![0u32; n + 1];
        for (u, _) in edges.clone() {
            count[u as usize + 1] += 1;
        }
        for i in 0..n {
            count[i + 1] += count[i];
        }
        let mut fill = count.clone();
        let mut items = vec![0u32; count[n] as usize];
        for (u, v) in edges {
            items[fill[u as usize] as usize] = v;
            fill[u as usize] += 1;
        }
        // Sort and dedupe each row, compacting in place.
        let mut start = Vec::with_capacity(n + 1);
        start.push(0u32);
        let mut w = 0usize;
        for u in 0..n {
            let (a, b) = (count[u] as usize, count[u + 1] as usize);
            items[a..b].sort_unstable();
            let mut last = None;
            for r in a..b {
                if last != Some(items[r]) {
                    last = Some(items[r]);
                    items[w] = items[r];
                    w += 1;
                }
            }
            start.push(w as u32);
        }
        items.truncate(w);
        Csr { start, items }
    }

    fn row(&self, v: u32) -> &[u32] {
        &self.items[self.start[v as usize] as usize..self.start[v as usize + 1] as usize]
    }
}

/// A flow compiled for one project: conditions applied, steps in topological order.
#[derive(Clone, Debug)]
pub struct FlowGraph {
    flow: Arc<Flow>,
    params: Params,
    dag: Dag,
    step_of: Vec<StepIdx>,
    node_of: Vec<Option<Node>>,
    promised: Vec<u32>,
    counted: Vec<bool>,
    options: Options,
    pledged: Vec<bool>,
}

impl FlowGraph {
    /// Compiles `flow` for a project with `params`: steps whose `when` is false
    /// are removed and what waited for them waits for their predecessors.
    ///
    /// A [`Flow`] has no cycle by construction (the loader and
    /// [`Flow::edit`] refuse one), so this cannot fail; params bound by
    /// [`Flow::bind`] are checked before.
    ///
    /// # Complexity
    /// O(V + E) when no step is removed; removing steps may add edges from
    /// each kept predecessor to each kept successor.
    pub fn new(flow: Arc<Flow>, params: Params) -> FlowGraph {
        FlowGraph::with_options(flow, params, Options::default())
    }

    /// [`FlowGraph::new`] with the project's [`Options`]:
    /// - in [`Mode::Simulated`], a step with `provisional: { before }` no
    ///   longer waits for the steps `before` names: it waits instead for
    ///   what they wait for (unless that is named too), so it still waits for
    ///   every other prerequisite;
    /// - with `commitment`, a step with `commitment:` weighs 0 days (approved
    ///   at acceptance on the pledge) and [`FlowGraph::is_pledged`] says so.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use shenpi_core::{Flow, FlowGraph, Plan};
    /// use shenpi_core::graph::{Mode, Options};
    ///
    /// let flow = Arc::new(Flow::parse("f.yaml", "
    /// id: f
    /// name: f
    /// stages:
    ///   - id: s
    ///     name: s
    ///     steps:
    ///       - { id: title, name: 土地证, promised: 10 }
    ///       - id: permit
    ///         name: 规划许可
    ///         promised: 7
    ///         provisional: { before: [title], confirm_within: 5 }
    ///         commitment: { verify_within: 20 }
    /// ").map_err(|r| r.render())?);
    /// let normal = Plan::new(FlowGraph::new(flow.clone(), flow.defaults()));
    /// assert_eq!(normal.elapsed_days(), 17);
    /// let simulated = Options { mode: Mode::Simulated, ..Options::default() };
    /// let ahead = Plan::new(FlowGraph::with_options(flow.clone(), flow.defaults(), simulated));
    /// assert_eq!(ahead.elapsed_days(), 10); // the permit runs beside the title
    /// let pledged = Options { commitment: true, ..Options::default() };
    /// let pledge = Plan::new(FlowGraph::with_options(flow.clone(), flow.defaults(), pledged));
    /// assert_eq!(pledge.total_days(), 10); // the permit is approved at acceptance
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Complexity
    /// As [`FlowGraph::new`], plus O(V + E) per step that runs ahead in simulated mode.
    pub fn with_options(flow: Arc<Flow>, params: Params, options: Options) -> FlowGraph {
        let edges = flow.edges().iter().map(|e| (e.from.0, e.to.0)).collect();
        FlowGraph::compile(flow, params, options, edges)
    }

    /// [`FlowGraph::with_options`] on `edges` (pairs of [`StepIdx`] numbers,
    /// a part of the flow's own edges) instead of all the flow's edges: what
    /// the flow would compile to with the other edges dropped, without a
    /// changed copy of the flow.
    ///
    /// # Complexity
    /// As [`FlowGraph::with_options`].
    pub(crate) fn compile(
        flow: Arc<Flow>,
        params: Params,
        options: Options,
        edges: Vec<(u32, u32)>,
    ) -> FlowGraph {
        let steps = flow.steps();
        let n = steps.len();
        let all = if options.mode == Mode::Simulated { run_ahead(&flow, edges) } else { edges };
        // OK because a Flow is acyclic by construction (the loader and Flow::edit refuse cycles), and
        // so is any part of its edges; run_ahead only adds edges along its paths.
        let (full, order) = Dag::from_edges(n, &all).expect("a Flow has no cycle");
        drop(all);
        let keep: Vec<bool> =
            order.iter().map(|&i| steps[i as usize].when().is_none_or(|c| c.eval(&params))).collect();
        let (dag, step_of) = if keep.iter().all(|&k| k) {
            // Nothing removed: the ordered graph is the compiled one.
            (full, order.into_iter().map(StepIdx).collect())
        } else {
            bridge(&full, &keep, &order)
        };
        debug_assert_eq!(dag.len(), step_of.len());
        let mut node_of = vec![None; n];
        for (node, s) in step_of.iter().enumerate() {
            node_of[s.index()] = Some(Node(node as u32));
        }
        let pledged: Vec<bool> =
            step_of.iter().map(|s| options.commitment && steps[s.index()].commitment().is_some()).collect();
        let promised = step_of
            .iter()
            .zip(&pledged)
            .map(|(s, &p)| if p { 0 } else { steps[s.index()].promised() })
            .collect();
        let counted = step_of.iter().map(|s| steps[s.index()].counted()).collect();
        FlowGraph { flow, params, dag, step_of, node_of, promised, counted, options, pledged }
    }

    /// The options it was compiled with.
    pub fn options(&self) -> Options {
        self.options
    }

    /// Whether the step at a node is approved on the applicant's pledge
    /// (compiled with `commitment` and the step allows it): it weighs 0 days.
    pub fn is_pledged(&self, v: Node) -> bool {
        self.pledged[v.index()]
    }

    /// The flow this graph was compiled from.
    pub fn flow(&self) -> &Arc<Flow> {
        &self.flow
    }

    /// The project's params.
    pub fn params(&self) -> &Params {
        &self.params
    }

    /// The graph in topological numbering.
    pub fn dag(&self) -> &Dag {
        &self.dag
    }

    /// Number of steps that remain after conditions.
    pub fn len(&self) -> usize {
        self.step_of.len()
    }

    /// True when every step was removed by its condition.
    pub fn is_empty(&self) -> bool {
        self.step_of.is_empty()
    }

    /// Nodes in topological order.
    pub fn nodes(&self) -> impl DoubleEndedIterator<Item = Node> + ExactSizeIterator + use<> {
        self.dag.nodes()
    }

    /// The step at a node.
    pub fn step(&self, v: Node) -> &Step {
        self.flow.step_at(self.step_of[v.index()])
    }

    /// The flow's index of the step at a node.
    pub fn step_idx(&self, v: Node) -> StepIdx {
        self.step_of[v.index()]
    }

    /// The node of a step, or `None` when its condition removed it.
    pub fn node_of(&self, s: StepIdx) -> Option<Node> {
        self.node_of.get(s.index()).copied().flatten()
    }

    /// The node of the step with this id.
    pub fn node(&self, id: &str) -> Option<Node> {
        self.flow.step(id).and_then(|(i, _)| self.node_of(i))
    }

    /// Promised days of every node, in node order.
    pub fn promised(&self) -> &[u32] {
        &self.promised
    }

    /// Whether each node's days count against the budget, in node order.
    pub fn counted(&self) -> &[bool] {
        &self.counted
    }

    /// Steps removed by their `when`, in file order.
    pub fn removed(&self) -> impl Iterator<Item = &Step> {
        self.flow.steps().iter().zip(&self.node_of).filter(|(_, n)| n.is_none()).map(|(s, _)| s)
    }
}
