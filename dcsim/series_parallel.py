"""Exact maximum flow on series-parallel power networks, as a formula in node capacities.

Real campuses are mostly radial (a source feeds a substation, which feeds transformers,
which feed halls) or redundant in matched pairs (two transformers feeding the same two
halls). On such networks max flow needs no search. With every feeder unlimited and every
node capacitated, two rules reduce the graph exactly:

- **series**: a node whose only feeder feeds nothing else passes at most the smaller of the
  two capacities, ``min(c_u, c_v)``;
- **parallel**: nodes with the same feeders and the same loads are interchangeable (split
  any flow between them in proportion to capacity), so they act as one node of capacity
  ``c_u + c_v``.

Nodes that are fed by nothing or feed nothing carry no flow and drop out. If the rules
leave one node between the super-source and the super-sink, its formula *is* the max flow
for every assignment of capacities, so it is derived once per topology, compiled, and then
evaluated in about a microsecond whenever capacities change. Networks that do not reduce
(meshes, such as two transformers feeding overlapping sets of halls) get ``None`` and are
left to a general max-flow algorithm.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

#: A formula: a node name (its capacity), or ``("min" | "sum", parts)``.
Formula = str | tuple[str, tuple["Formula", ...]]

SOURCE, SINK = "\0source", "\0sink"


def _combine(op: str, parts: Iterable[Formula]) -> Formula:
    """``op`` over ``parts``, flattening nested uses of the same operator."""
    flat: list[Formula] = []
    for part in parts:
        if isinstance(part, tuple) and part[0] == op:
            flat.extend(part[1])
        else:
            flat.append(part)
    return (op, tuple(flat))


def reduce_to_formula(
    feeds: Iterable[tuple[str, str]], sources: Iterable[str], sinks: Iterable[str]
) -> Formula | None:
    """The max flow of a node-capacitated network as a formula, or ``None`` if the network
    is not series-parallel.

    ``feeds`` are (feeder, fed) pairs of node names; flow enters at ``sources`` and leaves
    at ``sinks``, each limited by its own capacity like every other node.
    """
    parents: dict[str, set[str]] = {}
    children: dict[str, set[str]] = {}
    for node in (*sources, *sinks):
        parents.setdefault(node, set())
        children.setdefault(node, set())
    for up, down in feeds:
        for node in (up, down):
            parents.setdefault(node, set())
            children.setdefault(node, set())
        children[up].add(down)
        parents[down].add(up)
    for source in sources:
        parents[source].add(SOURCE)
    for sink in sinks:
        children[sink].add(SINK)
    formula: dict[str, Formula] = {node: node for node in parents}

    def remove(node: str) -> None:
        for up in parents.pop(node):
            if up != SOURCE:
                children[up].discard(node)
        for down in children.pop(node):
            if down != SINK:
                parents[down].discard(node)
        del formula[node]

    changed = True
    while changed:
        changed = False
        for node in sorted(parents):
            if node in parents and (not parents[node] or not children[node]):
                remove(node)  # fed by nothing or feeding nothing: carries no flow
                changed = True
        for node in sorted(parents):
            if node not in parents or len(parents[node]) != 1:
                continue
            (up,) = parents[node]
            if up != SOURCE and children[up] == {node}:  # series: up -> node, nothing else
                merged = _combine("min", (formula[up], formula[node]))
                grand = set(parents[up])
                remove(up)
                parents[node] = grand
                formula[node] = merged
                for g in grand - {SOURCE}:
                    children[g].add(node)
                changed = True
        twins: dict[tuple[frozenset, frozenset], list[str]] = {}
        for node in sorted(parents):
            twins.setdefault((frozenset(parents[node]), frozenset(children[node])), []).append(node)
        for group in twins.values():
            if len(group) > 1:  # parallel: same feeders, same loads
                merged = _combine("sum", (formula[twin] for twin in group))
                for twin in group[1:]:
                    remove(twin)
                formula[group[0]] = merged
                changed = True
    if not formula:
        return ("sum", ())  # nothing connects a source to a sink
    if len(formula) == 1:
        ((node, result),) = formula.items()
        if parents[node] == {SOURCE} and children[node] == {SINK}:
            return result
    return None


def compile_formula(formula: Formula) -> Callable[[Mapping[str, int]], int]:
    """The formula as one Python function of the node capacities.

    Evaluated on every admission decision, so it is compiled to a single expression
    (``min(c['grid'], c['t1'] + c['t2'])``) instead of walked as a tree each time.
    """

    def source(part: Formula) -> str:
        if isinstance(part, str):
            return f"c[{part!r}]"
        op, parts = part
        if not parts:
            return "0"
        if op == "min":
            return f"min({', '.join(source(p) for p in parts)})"
        return f"({' + '.join(source(p) for p in parts)})"

    return eval(f"lambda c: {source(formula)}", {"__builtins__": {"min": min}})
