"""The event log: every state change, and the level counters it leaves behind.

One flat row per event (time, event, entity, amount) and, beside it, the change it made to
the level counters (amounts added, values set). The simulation only appends; the state of
the campus after each event is replayed from the log when results are built, so time
series and KPIs come from the log alone, never from sampling on a clock.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from dcsim.errors import RunawayError
from dcsim.sim.events import EventName

#: Most events one run may log: a backstop far above any scenario the load-time estimate
#: (``Scenario.expected_events``) lets through, for a process it does not foresee.
MAX_EVENTS = 5_000_000

#: GPU states: disjoint, and together always equal to ``gpus_ordered``.
GPU_STATES = (
    "gpus_in_transit",
    "gpus_warehouse",
    "gpus_installed",
    "gpus_energized",
    "gpus_failed",
)
#: Cumulative capex by category.
CAPEX_COUNTERS = (
    "capex_chips_usd",
    "capex_facility_usd",
    "capex_electrical_usd",
    "capex_generation_usd",
)
#: Level counters, in column order.
COUNTERS = (
    "interconnect_mw",
    "generation_mw",
    "deliverable_mw",
    "facility_mw",
    "it_mw",
    "gpus_ordered",
    *GPU_STATES,
    "bridging_mw",  # load carried by on-site generation (grid first, generators after)
    "bridging_fuel_usd_per_h",
    "bridging_t_co2_per_h",
    "stages_shed",  # energized stages currently shed for lack of power
    "shed_mw",  # facility load of those stages
    "curtailment_active",  # 1 while a curtailment window is open
    "compute_tflops",  # dense BF16 TFLOP/s of the energized GPUs
    "dark_chip_value_usd",  # purchase value of chips delivered but not energized
    *CAPEX_COUNTERS,
)
COLUMN = {name: index for index, name in enumerate(COUNTERS)}


class Ledger:
    def __init__(self, clock: Callable[[], float]):
        self._clock = clock
        self.events: list[tuple[float, EventName, str, float]] = []
        self._changes: list[tuple[dict[str, float] | None, dict[str, float] | None]] = []

    def record(
        self,
        event: EventName,
        entity: str,
        amount: float = 0.0,
        add: dict[str, float] | None = None,
        assign: dict[str, float] | None = None,
    ) -> None:
        """Log ``event`` for ``entity`` with its ``amount`` (in the unit
        :data:`dcsim.sim.events.CARRIES` gives it), which adds ``add`` to some counters and
        gives others the values in ``assign``."""
        if len(self.events) >= MAX_EVENTS:
            raise RunawayError.after(self.events, MAX_EVENTS)
        self.events.append((self._clock(), event, entity, amount))
        self._changes.append((add, assign))

    def snapshots(self, closing: float) -> np.ndarray:
        """The state right after each event, one column per event, then a column at
        ``closing`` holding the state after the last event: row 0 holds the times, row
        ``1 + i`` the counter ``COUNTERS[i]`` (so each is contiguous).

        A counter is either added to or assigned, never both (checked here), so the added
        ones are running sums of their changes (``cumsum`` adds in order, as the events
        did) and each assigned value holds until the counter's next assignment.
        """
        times = [*(event[0] for event in self.events), closing]
        span = len(times)
        row_at = {key: (1 + column) * span for key, column in COLUMN.items()}  # flat start
        added_at, deltas, added_names = [], [], set()  # flat positions: row * span + event
        assigned: dict[str, list[tuple[int, float]]] = {}
        for event, (add, assign) in enumerate(self._changes):
            if add:
                added_names.update(add)
                for key, delta in add.items():
                    added_at.append(row_at[key] + event)
                    deltas.append(delta)
            if assign:
                for key, value in assign.items():
                    assigned.setdefault(key, []).append((event, value))
        if both := added_names.intersection(assigned):
            raise ValueError(f"counters both added to and assigned: {sorted(both)}")
        changes = np.zeros((1 + len(COUNTERS)) * span)
        count = len(deltas)  # fromiter with a dtype skips guessing one for the mixed list
        changes[np.fromiter(added_at, np.intp, count)] = np.fromiter(deltas, float, count)
        state = changes.reshape(-1, span).cumsum(axis=1)
        if span > 1:  # the closing column repeats the last (a sum with zeros would drop -0.0)
            state[:, -1] = state[:, -2]
        for key, values in assigned.items():
            row = state[1 + COLUMN[key]]
            for (event, value), (until, _) in zip(values, [*values[1:], (span, 0.0)], strict=True):
                row[event:until] = value
        state[0] = times
        return state

    def additions(self, counter: str) -> list[tuple[float, str, float]]:
        """``(time, entity, amount)`` of each event that added to ``counter``, in order: the
        counter's changes told apart by entity (a fleet splits its energized GPUs by the
        chip of the stage each change belongs to)."""
        return [
            (time, entity, add[counter])
            for (time, _, entity, _), (add, _) in zip(self.events, self._changes, strict=True)
            if add and counter in add
        ]
