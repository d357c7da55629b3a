"""An exact maximum flow that is kept up to date as capacities change, instead of solved again.

Admission asks, thousands of times a run, whether the network still carries the committed
load plus one more stage. Solving the max flow from scratch costs time in proportion to the
whole campus; but between two questions almost nothing changes (one hall's demand grows by
one stage, one transformer enters service). :class:`IncrementalFlow` keeps a maximum flow and
its residual graph, and answers each change by searching augmenting paths only where the
change can matter:

- **a capacity grows** on edge ``a -> b``: if the flow was maximal, every new augmenting path
  must cross ``a -> b`` (the old minimum cut is saturated everywhere else), so a search
  backward from ``a`` to the source and forward from ``b`` to the sink, repeated until it
  fails, restores a maximum flow. A hall's demand is the capacity of its edge to the sink,
  so "does one more stage fit at hall h" is a search backward from h alone;
- **a capacity shrinks** below the flow it carries (an outage, a curtailment, a shed stage):
  the flow is solved from scratch with ``scipy.sparse.csgraph.maximum_flow``. Those changes are
  few, and rare next to admissions.

Searches are breadth-first in the residual graph; on a campus they stop within the few
vertices between a hall and its sources unless power really has to be routed far. Every
answer is exact: the max-flow value is unique, so it is the value any solver gives.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from scipy.sparse import csr_array
from scipy.sparse.csgraph import maximum_flow

#: Augmenting paths tried for one raised capacity before solving from scratch instead.
LOCAL_PATHS = 8


class IncrementalFlow:
    """A maximum flow from vertex ``source`` to vertex ``sink`` of a directed graph with
    integer edge capacities, kept maximal as capacities change.

    Edges are numbered as given; there must be at most one edge per ordered vertex pair
    (scipy's flow result is read back per pair).
    """

    def __init__(
        self,
        vertices: int,
        tails: Sequence[int],
        heads: Sequence[int],
        capacities: Sequence[int],
        source: int,
        sink: int,
    ):
        self.n, self.source, self.sink = vertices, source, sink
        self.tails, self.heads = tuple(tails), tuple(heads)
        self.cap = [0] * len(self.tails)
        self.flow = [0] * len(self.tails)
        self.into, self.out = _adjacency(vertices, self.tails, self.heads)
        self._source_edges = [edge for edge, _ in self.out[source]]
        self._stale = False  # the flow may exceed a capacity: solve from scratch
        # edge -> raised capacity not yet augmented through; the zero flow is maximal for
        # zero capacities, and raising them one by one keeps it so
        self._grown: dict[int, int] = {e: int(c) for e, c in enumerate(capacities) if c > 0}

    # -- changes -----------------------------------------------------------------------------
    def set_capacity(self, edge: int, capacity: int) -> None:
        """Change one edge's capacity; the flow is brought up to date when next asked."""
        if capacity < self.flow[edge]:
            self._stale = True
        if self._stale or capacity <= self.cap[edge]:
            self.cap[edge] = capacity
            self._grown.pop(edge, None)
        else:  # raised: augmented through in order, so each step starts from a max flow
            self._grown.pop(edge, None)
            self._grown[edge] = capacity

    def try_raise(self, edge: int, extra: int) -> list[tuple[int, int]] | None:
        """Raise a saturated ``edge``'s capacity by ``extra`` if the maximum flow then grows
        by all of it (the edge stays saturated), and return the pushes made, for
        :meth:`undo_raise`; otherwise leave everything as it was and return ``None``. On the
        edge from a hall to the sink: does one more stage fit at this hall?"""
        self.settle()
        if self.flow[edge] < self.cap[edge]:
            return None  # the edge is not saturated: raising it adds no flow
        self.cap[edge] += extra
        pushes: list[tuple[int, int]] = []
        if self._augment_through(edge, extra, pushes)[0] < extra:
            self.undo_raise(edge, extra, pushes)
            return None
        return pushes

    def undo_raise(self, edge: int, extra: int, pushes: list[tuple[int, int]]) -> None:
        """Take back a :meth:`try_raise` (or a probe) that was the last change."""
        for changed, amount in reversed(pushes):
            self.flow[changed] -= amount
        self.cap[edge] -= extra

    def probe(self, edge: int, upto: int, paths: int = LOCAL_PATHS) -> int:
        """How much more a saturated ``edge`` could carry, up to ``upto``, as found along at
        most ``paths`` augmenting paths: a lower bound of the true amount. Nothing changes."""
        self.settle()
        if self.flow[edge] < self.cap[edge]:
            return 0
        self.cap[edge] += upto
        pushes: list[tuple[int, int]] = []
        pushed, _ = self._augment_through(edge, upto, pushes, paths)
        self.undo_raise(edge, upto, pushes)
        return pushed

    # -- questions ---------------------------------------------------------------------------
    def value(self) -> int:
        """The maximum flow for the present capacities."""
        self.settle()
        return sum(self.flow[edge] for edge in self._source_edges)

    # -- the machinery -----------------------------------------------------------------------
    def settle(self) -> None:
        """Make the flow maximal again after capacity changes."""
        if self._stale:
            for edge, capacity in self._grown.items():
                self.cap[edge] = capacity
            self._grown.clear()
            self._solve()
            self._stale = False
            return
        while self._grown:
            edge = next(iter(self._grown))
            capacity = self._grown.pop(edge)
            extra = capacity - self.cap[edge]
            saturated = self.flow[edge] == self.cap[edge]
            self.cap[edge] = capacity
            # Only a saturated edge can open augmenting paths. A raise that needs many
            # (a grid step feeding every hall) is cheaper solved from scratch.
            if saturated and not self._augment_through(edge, extra, [], LOCAL_PATHS)[1]:
                for other, raised in self._grown.items():
                    self.cap[other] = raised
                self._grown.clear()
                self._solve()

    def _solve(self) -> None:
        """A maximum flow from scratch (scipy's, read back per edge)."""
        matrix = csr_array(
            (np.array(self.cap, dtype=np.int32), (self.tails, self.heads)),
            shape=(self.n, self.n),
        )
        solved = maximum_flow(matrix, self.source, self.sink).flow.tocoo()
        found = {
            (int(t), int(h)): int(f)
            for t, h, f in zip(solved.row, solved.col, solved.data, strict=True)
            if f > 0
        }
        self.flow = [found.get(pair, 0) for pair in zip(self.tails, self.heads, strict=True)]

    def _augment_through(
        self, edge: int, amount: int, log: list[tuple[int, int]], paths: float = math.inf
    ) -> tuple[int, bool]:
        """Push up to ``amount`` more along augmenting paths that cross ``edge`` forward,
        at most ``paths`` of them. Returns what was pushed, and whether that is all that
        could be (``False`` if the path limit stopped it). Every push is appended to
        ``log`` as (edge, signed amount)."""
        pushed = 0
        tail, head = self.tails[edge], self.heads[edge]
        while pushed < amount and self.flow[edge] < self.cap[edge]:
            if paths == 0:
                return pushed, False
            paths -= 1
            back = self._path(tail, self.source, backward=True)
            if back is None:
                break
            ahead = self._path(head, self.sink, backward=False)
            if ahead is None:
                break
            steps = [*back, (edge, 1), *ahead]
            room = min(
                self.cap[e] - self.flow[e] if sign > 0 else self.flow[e] for e, sign in steps
            )
            room = min(room, amount - pushed)
            for e, sign in steps:
                self.flow[e] += sign * room
                log.append((e, sign * room))
            pushed += room
        return pushed, True

    def _path(self, start: int, goal: int, backward: bool) -> list[tuple[int, int]] | None:
        """A shortest residual path between ``start`` and ``goal`` (from ``goal`` to
        ``start`` if ``backward``), as (edge, +1 along / -1 against its direction) steps in
        the order flow takes them; ``None`` if there is none. The other terminal is never
        passed through."""
        if start == goal:
            return []
        avoid = self.sink if backward else self.source
        cap, flow = self.cap, self.flow
        # Searching forward, leave u along out-edges with room or back along in-edges that
        # carry flow; searching backward, the reverse.
        along, against = (self.into, self.out) if backward else (self.out, self.into)
        came: dict[int, tuple[int, int, int]] = {start: (-1, 0, -1)}  # vertex: edge, sign, from
        queue = deque([start])
        while queue:
            u = queue.popleft()
            for e, v in along[u]:
                if v not in came and v != avoid and cap[e] > flow[e]:
                    came[v] = (e, 1, u)
                    if v == goal:
                        return self._steps(came, goal, backward)
                    queue.append(v)
            for e, v in against[u]:
                if v not in came and v != avoid and flow[e] > 0:
                    came[v] = (e, -1, u)
                    if v == goal:
                        return self._steps(came, goal, backward)
                    queue.append(v)
        return None

    @staticmethod
    def _steps(
        came: dict[int, tuple[int, int, int]], goal: int, backward: bool
    ) -> list[tuple[int, int]]:
        """The path a search recorded, from its goal back to its start, in flow order."""
        steps = []
        e, sign, before = came[goal]
        while e >= 0:
            steps.append((e, sign))
            e, sign, before = came[before]
        return steps if backward else steps[::-1]


#: Per vertex, the (edge, vertex at its other end) of each edge into it or out of it.
Adjacency = tuple[tuple[tuple[int, int], ...], ...]


@lru_cache(maxsize=128)
def _adjacency(
    vertices: int, tails: tuple[int, ...], heads: tuple[int, ...]
) -> tuple[Adjacency, Adjacency]:
    """The edges into and out of each vertex. The graph alone fixes them, so every flow on
    one graph shares them, read only: a run keeps three flows on its network, and building
    their lists anew made about a third of the objects a model is built from."""
    into: list[list[tuple[int, int]]] = [[] for _ in range(vertices)]
    out: list[list[tuple[int, int]]] = [[] for _ in range(vertices)]
    for edge, (tail, head) in enumerate(zip(tails, heads, strict=True)):
        out[tail].append((edge, head))
        into[head].append((edge, tail))
    return tuple(map(tuple, into)), tuple(map(tuple, out))
