"""The event log: every state change, with the state of the campus right after it.

One flat row per event (time, event, entity, amount) and, beside it, a snapshot of the
level counters; time series and KPIs are built from these at the end, never by sampling
on a clock. Counters are plain numbers, changed only through :meth:`Ledger.record`.
"""

from __future__ import annotations

from collections.abc import Callable

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


class Ledger:
    def __init__(self, clock: Callable[[], float]):
        self._clock = clock
        self.state: dict[str, float] = dict.fromkeys(COUNTERS, 0.0)
        self.events: list[tuple[float, str, str, float]] = []
        self.snapshots: list[tuple[float, ...]] = []

    def record(
        self,
        event: str,
        entity: str,
        amount: float = 0.0,
        add: dict[str, float] | None = None,
        set: dict[str, float] | None = None,
    ) -> None:
        """Log ``event`` for ``entity`` after adding ``add`` to and setting ``set`` on the
        counters."""
        state = self.state
        for key, delta in (add or {}).items():
            state[key] += delta
        for key, value in (set or {}).items():
            state[key] = value
        now = self._clock()
        self.events.append((now, event, entity, amount))
        self.snapshots.append((now, *state.values()))
