"""Hall construction: ground-breaking, shell, fit-out, optionally waiting for a crew, and
stopped by any project-wide pause that strikes while it is under way."""

from __future__ import annotations

from collections.abc import Generator, Sequence
from dataclasses import dataclass

import numpy as np
import simpy

from dcsim.config.schema import Hall
from dcsim.sim.clock import until
from dcsim.sim.events import EventName
from dcsim.sim.holds import Pause
from dcsim.sim.ledger import Ledger
from dcsim.sim.stranded import StrandedAccount
from dcsim.sim.trace import NO_CAUSE, Trace, span


@dataclass(frozen=True)
class Piece:
    """A stretch of a hall's timeline: work (``pause`` None) or a stop."""

    start: float
    end: float
    days: float  # work done in it (0 for a stop)
    pause: Pause | None = None


def run_through(start: float, work: float, pauses: Sequence[Pause]) -> list[Piece]:
    """``work`` days begun on ``start``, stopped by every pause that strikes before the work
    is done: each stop adds its length (less any part already spent under an earlier stop).
    A pause that ends before the work begins, or strikes once it is done, changes nothing."""
    pieces: list[Piece] = []
    t, remaining = start, work
    for pause in sorted(pauses, key=lambda p: p.start):
        if pause.end <= t:
            continue
        if pause.start >= t + remaining:
            break
        if pause.start > t:
            pieces.append(Piece(t, pause.start, pause.start - t))
            remaining -= pause.start - t
        pieces.append(Piece(max(t, pause.start), pause.end, 0.0, pause))
        t = pause.end
    pieces.append(Piece(t, t + remaining, remaining))
    return pieces


def hall_construction(
    env: simpy.Environment,
    hall: Hall,
    *,
    planned_day: float,
    rng: np.random.Generator,
    crews: simpy.Resource,
    ledger: Ledger,
    stranded: StrandedAccount,
    ready: simpy.Event,
    trace: Trace,
    pauses: Sequence[Pause] = (),
    relaxed: bool = False,
) -> Generator:
    """A hall breaks ground on its date (or when a crew frees up), builds its shell, is
    fitted out, and is then ready for racks; ``ready`` fires with the trace link of the
    fit-out. Half its cost is booked at ground-breaking and half at the start of fit-out.
    Work begun before day 0 keeps its head start. Relaxed, the hall is ready on day 0.
    ``pauses`` (read at ground-breaking, so a plug-in may add to it after the process is
    created) stop the work; each stop is a link of its own class on the hall's chain."""
    if relaxed:
        shell_days = fitout_days = 0.0
        planned_day = min(planned_day, 0.0)
    else:
        shell_days, fitout_days = hall.shell_time.sample(rng), hall.fitout_time.sample(rng)
    cost = hall.cost_per_mw * hall.it_capacity
    yield until(env, planned_day)
    with crews.request() as crew:
        asked = env.now
        yield crew
        began = planned_day if env.now <= max(planned_day, 0.0) else env.now
        stranded.charge("construction_crews", hall.planned_gpus, env.now - max(planned_day, 0.0))
        link = NO_CAUSE
        if env.now > asked:
            what = "waited for a construction crew"
            link = trace.add("construction", "construction crews", what, asked, env.now)
        ledger.record(
            EventName.CONSTRUCTION_START, hall.name, cost / 2, add={"capex_facility_usd": cost / 2}
        )
        shell = run_through(began, shell_days, pauses)
        yield from _work(env, hall.name, shell, ledger)
        ledger.record(
            EventName.FITOUT_START, hall.name, cost / 2, add={"capex_facility_usd": cost / 2}
        )
        fitout = run_through(shell[-1].end, fitout_days, pauses)
        yield from _work(env, hall.name, fitout, ledger)
    for pause in pauses:  # stops that never reached the work let the stages through
        for gate in (pause.struck, pause.over):
            if not gate.triggered:
                gate.succeed(NO_CAUSE)
    ledger.record(EventName.HALL_READY, hall.name)
    ready.succeed(_chain(trace, hall.name, shell, fitout, link))


def _chain(
    trace: Trace, hall: str, shell: Sequence[Piece], fitout: Sequence[Piece], link: int
) -> int:
    """The hall's work and stops as trace links, each caused by the one before (after
    ``link``, a crew wait or none); returns the last, which the hall's readiness names."""
    for what, pieces in (("shell", shell), ("fit-out", fitout)):
        for piece in pieces:
            if piece.pause is not None:
                p = piece.pause
                link = trace.add(p.kind, hall, p.what, piece.start, piece.end, p.draw, link)
            else:
                draw = span(piece.days)
                link = trace.add("construction", hall, what, piece.start, piece.end, draw, link)
    return link


def _work(env: simpy.Environment, hall: str, pieces: Sequence[Piece], ledger: Ledger) -> Generator:
    """Live through ``pieces``, opening and closing each stop's gates as it happens and
    logging it (the schedule figure draws the stop from these two events)."""
    for piece in pieces:
        stop = piece.end - piece.start
        if piece.pause is not None:
            piece.pause.struck.succeed(NO_CAUSE)
            ledger.record(EventName.CONSTRUCTION_STOPPED, hall, stop)
        yield until(env, piece.end)
        if piece.pause is not None:
            ledger.record(EventName.CONSTRUCTION_RESUMED, hall, stop)
            piece.pause.over.succeed(NO_CAUSE)
