//! Checks on a flow's structure that hold for a loaded flow and an edited
//! one alike: every `after` resolves, no cycle, every value in range.
//!
//! The loader checks values where it reads them, with the exact span of the
//! value; [`values`] checks the same rules after a what-if edit, where no
//! text was written, at the span of the step or flow that changed.

use std::collections::{HashMap, HashSet};

use petgraph::algo::kosaraju_scc;
use petgraph::graph::{DiGraph, NodeIndex};

use super::{Alerts, Delay, DurationModel, EdgeOrigin, Flow, Stage, Step, Target};
use crate::diag::{Code, Diagnostic, Span, Suggester, clip};
use crate::limits;
use crate::yaml::MAX_DAYS;

/// Reports every `after` naming something that does not exist.
pub(super) fn unknown_refs(
    stages: &[Stage],
    steps: &[Step],
    ids: &HashMap<String, Target>,
) -> Vec<Diagnostic> {
    let refs = steps
        .iter()
        .map(|s| ("step", &s.id, s.after.as_slice()))
        .chain(stages.iter().filter_map(|s| s.after.as_ref().map(|a| ("stage", &s.id, a.as_slice()))));
    let mut out = Vec::new();
    // Built at the first unknown reference; its budget bounds the work of all suggestions.
    let mut suggester: Option<Suggester> = None;
    for (what, owner, list) in refs {
        for r in list.iter().filter(|r| !ids.contains_key(&r.id)) {
            let d = Diagnostic::error(
                Code::UnknownReference,
                format!("{what} `{owner}` waits for unknown step `{}`", clip(&r.id)),
            )
            .at(r.span, "no step or stage has this id");
            let suggester = suggester.get_or_insert_with(|| Suggester::new(ids.keys().map(String::as_str)));
            out.push(match suggester.suggest(&r.id) {
                Some(s) => d.help(format!("did you mean `{s}`?")),
                None => d.help("`after` takes ids of steps or stages in this file"),
            });
        }
    }
    out
}

/// Reports each cycle once, as `a -> b -> a`, at one of its `after` edges.
/// Expects every reference to resolve ([`unknown_refs`] empty).
///
/// # Complexity
/// O(V + E): a topological order (Kahn's) when there is no cycle; else
/// Kosaraju's strongly connected components (petgraph's, with an explicit
/// stack: no recursion, however long the flow), then one DFS inside each.
pub(super) fn cycles(stages: &[Stage], steps: &[Step], ids: &HashMap<String, Target>) -> Vec<Diagnostic> {
    let edges = super::structure::edges(stages, steps, &|id| ids.get(id).copied());
    let pairs: Vec<(u32, u32)> = edges.iter().map(|e| (e.from.0, e.to.0)).collect();
    if crate::graph::topological_order(steps.len(), &pairs).is_ok() {
        return Vec::new();
    }
    drop(pairs);
    let mut g: DiGraph<(), Option<Span>> = DiGraph::with_capacity(steps.len(), edges.len());
    for _ in steps {
        g.add_node(());
    }
    for e in &edges {
        let span = match e.origin {
            EdgeOrigin::Sequence => None,
            EdgeOrigin::After(s) => Some(s),
        };
        g.add_edge(NodeIndex::new(e.from.index()), NodeIndex::new(e.to.index()), span);
    }
    let mut out = Vec::new();
    for scc in kosaraju_scc(&g) {
        let self_loop = scc.len() == 1 && g.find_edge(scc[0], scc[0]).is_some();
        if scc.len() < 2 && !self_loop {
            continue;
        }
        let cycle = find_cycle(&g, &scc);
        let names: Vec<&str> = cycle.iter().map(|n| steps[n.index()].id.as_str()).collect();
        let mut path = names.join(" -> ");
        path.push_str(" -> ");
        path.push_str(names[0]);
        let after_edge = cycle.iter().enumerate().find_map(|(i, &a)| {
            let b = cycle[(i + 1) % cycle.len()];
            g.edges_connecting(a, b).find_map(|e| e.weight().map(|s| (s, a, b)))
        });
        let mut d = Diagnostic::error(Code::Cycle, "dependency cycle").note(path);
        if let Some((span, a, b)) = after_edge {
            let (a, b) = (&steps[a.index()].id, &steps[b.index()].id);
            d = d.at(span, format!("`{b}` waits for `{a}`, closing the circle"));
        }
        out.push(d.help("remove one of these `after` edges"));
    }
    out
}

/// A simple cycle inside a strongly connected component, by DFS from its first node.
fn find_cycle(g: &DiGraph<(), Option<Span>>, scc: &[NodeIndex]) -> Vec<NodeIndex> {
    let inside: HashSet<NodeIndex> = scc.iter().copied().collect();
    let start = *scc.iter().min().unwrap_or(&scc[0]);
    // Iterative DFS keeping the path; the first edge back to `start` closes a cycle.
    let mut path = vec![start];
    let mut seen = HashSet::from([start]);
    let mut iters = vec![g.neighbors(start).collect::<Vec<_>>()];
    while let Some(next) = iters.last_mut() {
        match next.pop() {
            Some(n) if n == start => return path,
            Some(n) if inside.contains(&n) && seen.insert(n) => {
                path.push(n);
                iters.push(g.neighbors(n).collect());
            }
            Some(_) => {}
            None => {
                iters.pop();
                path.pop();
            }
        }
    }
    scc.to_vec()
}

/// Every value rule the loader applies, on a flow built without text (a
/// what-if edit): days within range, `promised` within `legal`, `min`
/// within `promised`, a finite cost, probabilities in 0 to 1, duration
/// models in order. Each diagnostic stands at the span of what it is about.
pub(super) fn values(flow: &Flow) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let flow_at = flow.budget_span.unwrap_or_default();
    if let Some(b) = flow.budget {
        days_in_range(&mut out, "the flow", "budget", b, flow_at);
    }
    alerts(&mut out, &flow.alerts, flow_at);
    for stage in &flow.stages {
        if let Some(b) = stage.budget {
            days_in_range(&mut out, &format!("stage `{}`", stage.id), "budget", b, stage.span);
        }
    }
    if let Some(r) = flow.promise_ratio
        && !(r > 0.0 && r <= 1.0)
    {
        out.push(
            Diagnostic::error(Code::InvalidValue, format!("`promise_ratio` is {r}, outside 0 to 1")).at(
                flow.promise_ratio_span.unwrap_or(flow_at),
                "a share of each legal limit, above 0 and at most 1",
            ),
        );
    }
    for step in &flow.steps {
        step_values(&mut out, step, flow.promise_ratio);
    }
    out
}

/// The most days a step with legal limit `legal` may promise under `ratio`:
/// ⌊ratio × legal⌋ (half of 15 is 7), with room for the rounding of a decimal
/// ratio (0.29 × 100 is 29, not 28.999…).
pub(super) fn allowed_by_ratio(ratio: f64, legal: u32) -> u32 {
    // `as` saturates; ratio is in (0, 1], so the product is within 0..=legal.
    (ratio * f64::from(legal) + 1e-9).floor() as u32
}

/// The diagnostic for a step promising more of its legal limit than the flow's
/// `promise_ratio` allows, without its labels (the caller knows the spans).
pub(super) fn over_ratio(what: &str, promised: u32, legal: u32, ratio: f64) -> Diagnostic {
    let allowed = allowed_by_ratio(ratio, legal);
    Diagnostic::error(
        Code::PromiseOverRatio,
        format!(
            "{what} promises {promised} days, more than the {allowed} that `promise_ratio` {ratio} allows of its legal limit of {legal}"
        ),
    )
    .help(format!(
        "lower `promised` to {allowed} or less, or change the flow's `promise_ratio` (the share of each legal limit a step may promise)"
    ))
}

fn step_values(out: &mut Vec<Diagnostic>, step: &Step, ratio: Option<f64>) {
    let what = format!("step `{}`", step.id);
    let at = step.span;
    days_in_range(out, &what, "promised", step.promised, at);
    days_in_range(out, &what, "min", step.min, at);
    if let Some(l) = step.legal {
        days_in_range(out, &what, "legal", l, at);
        if step.promised > l {
            out.push(
                Diagnostic::error(
                    Code::PromisedOverLegal,
                    format!("{what} promises {} days, more than its legal limit of {l}", step.promised),
                )
                .at(at, format!("promised {}", step.promised))
                .help("a promised limit (承诺时限) must not exceed the statutory one (法定时限); lower `promised`"),
            );
        } else if let Some(r) = ratio.filter(|&r| step.promised > allowed_by_ratio(r, l)) {
            out.push(over_ratio(&what, step.promised, l, r).at(at, format!("promised {}", step.promised)));
        }
    }
    if step.min > step.promised {
        out.push(
            Diagnostic::error(
                Code::InvalidValue,
                format!("{what} has `min` {}, more than `promised` {}", step.min, step.promised),
            )
            .at(at, "cannot exceed the promised days")
            .help("`min` is the shortest the step can be cut to"),
        );
    }
    if !(step.cost.is_finite() && step.cost >= 0.0) {
        out.push(
            Diagnostic::error(
                Code::InvalidValue,
                format!("{what} has `cost` {}, not a number of 0 or more", step.cost),
            )
            .at(at, "cost per day cut must be 0 or more"),
        );
    }
    if let Some(m) = step.duration() {
        model(out, &format!("{what}: `duration`"), m, at);
    }
    for (key, delay) in [("supplement", step.supplement()), ("special", step.special())] {
        if let Some(d) = delay {
            self::delay(out, &format!("{what}: `{key}`"), d, at);
        }
    }
}

fn days_in_range(out: &mut Vec<Diagnostic>, what: &str, key: &str, days: u32, at: Span) {
    if days > MAX_DAYS {
        out.push(
            Diagnostic::error(
                Code::InvalidValue,
                format!("{what} has `{key}` {days} days, more than allowed"),
            )
            .at(at, format!("at most {MAX_DAYS} working days")),
        );
    }
}

fn alerts(out: &mut Vec<Diagnostic>, a: &Alerts, at: Span) {
    if !(0.0..=1.0).contains(&a.reminder) {
        out.push(
            Diagnostic::error(Code::InvalidValue, format!("`reminder` is {}, outside 0 to 1", a.reminder))
                .at(at, "a share of the time limit")
                .help("write 0.2 to remind when 20% of a step's limit is left"),
        );
    }
    if let Some(s) = a.supervision {
        if s.supervise == 0 || s.supervise < a.red {
            out.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    format!(
                        "`supervise` is {} days past due, before the red card (`red: {}`)",
                        s.supervise, a.red
                    ),
                )
                .at(at, "督办 follows 超期, at least 1 working day past due"),
            );
        }
        if s.answer_within == 0 {
            out.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    "`answer_within` is 0 days: a department needs a day to answer",
                )
                .at(at, "working days to answer a notice, at least 1"),
            );
        }
        days_in_range(out, "`alerts`", "supervise", s.supervise, at);
        days_in_range(out, "`alerts`", "answer_within", s.answer_within, at);
    }
}

fn delay(out: &mut Vec<Diagnostic>, what: &str, d: &Delay, at: Span) {
    if !(0.0..=1.0).contains(&d.p) {
        out.push(
            Diagnostic::error(Code::InvalidValue, format!("{what} has probability {}, outside 0 to 1", d.p))
                .at(at, "a probability"),
        );
    }
    model(out, &format!("{what}.days"), &d.days, at);
}

/// A duration model: finite days from 0 to the most allowed, three-point
/// models in order, at least one observed value.
fn model(out: &mut Vec<Diagnostic>, what: &str, m: &DurationModel, at: Span) {
    let mut bad = |message: String| out.push(Diagnostic::error(Code::InvalidValue, message).at(at, ""));
    let in_range = |x: f64| x.is_finite() && (0.0..=f64::from(MAX_DAYS)).contains(&x);
    let xs: Vec<f64> = match m {
        DurationModel::Fixed(x) => vec![*x],
        DurationModel::Triangular { min, mode, max } | DurationModel::Pert { min, mode, max } => {
            if !(min <= mode && mode <= max) {
                bad(format!("{what} needs min ≤ mode ≤ max, found [{min}, {mode}, {max}]"));
            }
            vec![*min, *mode, *max]
        }
        DurationModel::Empirical(xs) => {
            if xs.is_empty() {
                bad(format!("{what}: `empirical` needs at least one observed duration"));
            }
            xs.clone()
        }
    };
    if let Some(x) = xs.into_iter().find(|&x| !in_range(x)) {
        bad(format!("{what} has {x} days; durations are finite, from 0 to {MAX_DAYS}"));
    }
}

/// The mechanism rules a what-if edit can break as well as a file: a joint
/// step's members promise no more than the step (an edit may lower the
/// step's `promised`), and a provisional step's `before` names steps it
/// waits for (an edit may drop an `after`). `resolved` says every `after`
/// names something that exists, so the edges are complete enough to say
/// what a step waits for.
///
/// # Complexity
/// O(V + E + M) for M members, plus the backward searches from provisional
/// steps, which visit at most [`limits::MAX_PREREQUISITE_VISITS`] steps in
/// all (past that the flow is refused as too large, `E016`).
pub(super) fn mechanisms(
    stages: &[Stage],
    steps: &[Step],
    ids: &HashMap<String, Target>,
    resolved: bool,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for step in steps {
        if let Some(j) = step.joint() {
            members_within(&mut out, step, j);
            lead_not_member(&mut out, step, j);
        }
    }
    if steps.iter().all(|s| s.provisional().is_none()) {
        return out;
    }
    let preds = resolved.then(|| predecessors(stages, steps, ids));
    let mut search = Search {
        preds: preds.as_deref(),
        budget: limits::MAX_PREREQUISITE_VISITS,
        seen: Vec::new(),
        round: 0,
    };
    let mut suggester: Option<Suggester> = None;
    for (i, step) in steps.iter().enumerate() {
        let Some(p) = step.provisional() else { continue };
        for r in &p.before {
            let d = match ids.get(&r.id) {
                None => {
                    let s = suggester.get_or_insert_with(|| {
                        Suggester::new(ids.iter().filter(|(_, t)| matches!(t, Target::Step(_))).map(|(k, _)| k.as_str()))
                    });
                    Some(unknown_before(step, r, s))
                }
                Some(Target::Stage(_)) => Some(
                    Diagnostic::error(
                        Code::Provisional,
                        format!("step `{}` names stage `{}` in `before`", step.id, r.id),
                    )
                    .at(r.span, "a stage, not a step")
                    .help("`before` lists the steps it may run ahead of; name the stage's steps"),
                ),
                Some(Target::Step(b)) => match search.waits_for(i, b.index()) {
                    Some(false) => Some(
                        Diagnostic::error(
                            Code::Provisional,
                            format!("step `{}` does not wait for `{}`", step.id, r.id),
                        )
                        .at(r.span, "not among its prerequisites")
                        .help(format!(
                            "`before` names prerequisites the step may run ahead of; add `after: [{}]` or remove it from `before`",
                            r.id
                        )),
                    ),
                    Some(true) => None,
                    None if search.budget == 0 && search.preds.is_some() => {
                        search.preds = None; // report once, then stop searching
                        Some(
                            Diagnostic::error(
                                Code::TooLarge,
                                "too many `provisional` prerequisites to check",
                            )
                            .at(r.span, "the check stopped here")
                            .help(format!(
                                "checking that each `before` names a step it waits for may visit at most {} steps over the whole flow",
                                limits::MAX_PREREQUISITE_VISITS
                            )),
                        )
                    }
                    None => None,
                },
            };
            out.extend(d);
        }
    }
    out
}

fn members_within(out: &mut Vec<Diagnostic>, step: &Step, joint: &super::Joint) {
    for m in joint.members.iter().filter(|m| m.promised > step.promised) {
        out.push(
            Diagnostic::error(
                Code::JointReview,
                format!(
                    "member `{}` of joint step `{}` promises {} days, more than the step's {}",
                    clip(&m.dept),
                    step.id,
                    m.promised,
                    step.promised
                ),
            )
            .at(m.promised_span, format!("promised {}", m.promised))
            .help("the step's `promised` covers the whole review, consolidation included; lower the member's `promised` or raise the step's"),
        );
    }
}

/// The lead department (牵头部门) consolidates the members' opinions and decides;
/// it gives no opinion of its own, so it may not also be a member.
fn lead_not_member(out: &mut Vec<Diagnostic>, step: &Step, joint: &super::Joint) {
    for m in joint.members.iter().filter(|m| step.depts().contains(&m.dept)) {
        out.push(
            Diagnostic::error(
                Code::JointReview,
                format!(
                    "department `{}` leads joint step `{}` and is also one of its members",
                    clip(&m.dept),
                    step.id
                ),
            )
            .at(m.span, "the lead named again as a member")
            .help("the lead department consolidates and decides under `dept`; remove it from `members`"),
        );
    }
}

fn unknown_before(step: &Step, r: &super::Ref, suggester: &mut Suggester) -> Diagnostic {
    let d = Diagnostic::error(
        Code::UnknownReference,
        format!("step `{}` may run ahead of unknown step `{}`", step.id, clip(&r.id)),
    )
    .at(r.span, "no step has this id");
    match suggester.suggest(&r.id) {
        Some(s) => d.help(format!("did you mean `{s}`?")),
        None => d.help("`before` takes ids of steps this step waits for"),
    }
}

/// Each step's direct predecessors, in file order indices, with all conditions taken as true.
pub(super) fn predecessors(
    stages: &[Stage],
    steps: &[Step],
    ids: &HashMap<String, Target>,
) -> Vec<Vec<usize>> {
    let mut preds = vec![Vec::new(); steps.len()];
    for e in super::structure::edges(stages, steps, &|id| ids.get(id).copied()) {
        preds[e.to.index()].push(e.from.index());
    }
    for p in &mut preds {
        p.sort_unstable();
        p.dedup();
    }
    preds
}

/// Backward searches over the predecessor lists, sharing one budget of visits.
struct Search<'a> {
    /// `None` when the edges are incomplete (an unknown `after`) or the budget ran out.
    preds: Option<&'a [Vec<usize>]>,
    budget: u64,
    /// Per step: the search (numbered from 1) that last reached it.
    seen: Vec<u32>,
    /// The number of the current search.
    round: u32,
}

impl Search<'_> {
    /// Whether step `from` waits for step `target`, directly or through
    /// others; `None` when it cannot tell (incomplete edges, budget spent).
    fn waits_for(&mut self, from: usize, target: usize) -> Option<bool> {
        let preds = self.preds?;
        if self.seen.is_empty() {
            self.seen = vec![0; preds.len()];
        }
        // At most one search per `before` entry, far fewer than u32::MAX in a file of 64 MiB.
        self.round += 1;
        let mark = self.round;
        let mut stack = vec![from];
        while let Some(v) = stack.pop() {
            for &u in &preds[v] {
                if u == target {
                    return Some(true);
                }
                if self.seen[u] != mark {
                    if self.budget == 0 {
                        return None;
                    }
                    self.budget -= 1;
                    self.seen[u] = mark;
                    stack.push(u);
                }
            }
        }
        Some(false)
    }
}
