#!/usr/bin/env python3
"""The peer `shenpi plan` is compared with: what an analyst would write in an
afternoon with PyYAML (libyaml's C loader when present) and networkx.

    python3 benches/peer/plan.py FLOW.yaml

Reads a flow file, links its steps as shenpi does (serial lists one after the
other, parallel blocks side by side, each stage after the one before or after
its `after`, each step after its `after`), computes the critical path on the
counted clock (steps with `counted: false` weigh 0), each step's earliest
start and finish and total float, and, when the flow is over its `budget`,
cuts: greedily, the cheapest step with room on the current critical chain,
as far as its `min` or the budget allows, until the budget is met or the
chain cannot be cut. (shenpi cuts every critical chain at once through a
minimum cut; this greedy cuts one chain at a time, so its cuts may differ.)

Conditions (`when`) and params are not read: the synthetic flows of
`synthetic-flow` have none.  Prints a short summary; `--steps` prints a line
per step as `shenpi plan` does.

Requires: pip install pyyaml networkx
"""

import sys

import networkx as nx
import yaml

try:
    Loader = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    Loader = yaml.SafeLoader


def ends(block, graph, steps):
    """(entries, exits) of a block, adding its inner edges to the graph."""
    if "parallel" in block:
        entries, exits = [], []
        for item in block["parallel"]:
            e, x = ends(item, graph, steps)
            entries += e
            exits += x
        return entries, exits
    if "serial" in block:
        return serial(block["serial"], graph, steps)
    sid = str(block["id"])
    steps[sid] = block
    graph.add_node(sid)
    return [sid], [sid]


def serial(items, graph, steps):
    entries, exits = [], []
    for item in items:
        e, x = ends(item, graph, steps)
        if not e:
            continue
        if not entries:
            entries = e
        else:
            graph.add_edges_from((a, b) for a in exits for b in e)
        exits = x
    return entries, exits


def as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def build(flow):
    graph = nx.DiGraph()
    steps = {}
    stage_ends = []
    for stage in flow["stages"]:
        stage_ends.append(serial(stage["steps"], graph, steps))
    stage_index = {str(s["id"]): k for k, s in enumerate(flow["stages"])}

    def exits_of(ref):
        ref = str(ref)
        return [ref] if ref in steps else stage_ends[stage_index[ref]][1]

    for k, stage in enumerate(flow["stages"]):
        entries = stage_ends[k][0]
        if "after" in stage:
            for ref in as_list(stage["after"]):
                graph.add_edges_from((a, b) for a in exits_of(ref) for b in entries)
        else:
            previous = next((e for e in reversed(stage_ends[:k]) if e[1]), None)
            if previous:
                graph.add_edges_from((a, b) for a in previous[1] for b in entries)
    for sid, step in steps.items():
        for ref in as_list(step.get("after")):
            graph.add_edges_from((a, sid) for a in exits_of(ref))
    return graph, steps


def promised(step):
    return int(step.get("promised", step.get("legal", 0)))


def weight(step, days):
    return days if step.get("counted", True) else 0


def forward(graph, order, steps, days):
    """Earliest counted finish of every step, the total, and one critical chain."""
    ef = {}
    via = {}
    for v in order:
        best = None
        for u in graph.predecessors(v):
            if best is None or ef[u] > ef[best]:
                best = u
        start = ef[best] if best is not None else 0
        ef[v] = start + weight(steps[v], days[v])
        via[v] = best
    end = max(order, key=lambda v: ef[v]) if order else None
    chain = []
    while end is not None:
        chain.append(end)
        end = via[end]
    chain.reverse()
    total = max(ef.values(), default=0)
    return ef, total, chain


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 1:
        print("usage: plan.py FLOW.yaml [--steps]", file=sys.stderr)
        return 2
    with open(args[0], "rb") as f:
        flow = yaml.load(f, Loader=Loader)
    graph, steps = build(flow)
    order = list(nx.topological_sort(graph))
    days = {v: promised(steps[v]) for v in order}
    ef, total, chain = forward(graph, order, steps, days)
    budget = flow.get("budget")
    # Latest finishes and total floats against the budget (or the total).
    horizon = budget if budget is not None else total
    lf = {}
    for v in reversed(order):
        succ = [lf[s] - weight(steps[s], days[s]) for s in graph.successors(v)]
        lf[v] = min(succ) if succ else horizon
    floats = {v: lf[v] - ef[v] for v in order}
    print(f"steps {len(order)}, edges {graph.number_of_edges()}")
    print(f"total {total} counted days, budget {budget}, critical chain of {len(chain)} steps")
    if "--steps" in sys.argv:
        for v in order:
            print(f"{v}\t{ef[v] - weight(steps[v], days[v])}\t{ef[v]}\t{floats[v]}")
    if budget is None or total <= budget:
        return 0
    cuts, cost = {}, 0.0
    while total > budget:
        room = [
            (float(steps[v].get("cost", 1)), v)
            for v in chain
            if steps[v].get("counted", True) and days[v] > int(steps[v].get("min", 0))
        ]
        if not room:
            break
        price, v = min(room)
        cut = min(days[v] - int(steps[v].get("min", 0)), total - budget)
        days[v] -= cut
        cuts[v] = cuts.get(v, 0) + cut
        cost += cut * price
        ef, total, chain = forward(graph, order, steps, days)
    print(f"cuts: {len(cuts)} steps, {sum(cuts.values())} days, cost {cost:g}; total {total} "
          f"({'reaches' if total <= budget else 'does not reach'} the budget)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
