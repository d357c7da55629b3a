"""A stage (pod): a count of GPUs in one hall that is installed and energized as one unit.

A stage owns its state and its transitions; processes and the controller ask it to move
(``begin_install``, ``ask_for_power``, ``grant_power``, ``energize``, ``shed``) instead of
setting fields, so an impossible move (energizing a stage never granted power) fails loudly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from dcsim.config.catalog import ChipSpec
from dcsim.config.schema import Hall, Scenario
from dcsim.sim.trace import NO_CAUSE
from dcsim.units import to_kw

#: A stage's life, in order; a shed stage goes back to ``waiting-power``.
STAGE_STATUSES = ("planned", "installing", "burn-in", "waiting-power", "commissioning", "energized")


@dataclass(eq=False)
class Stage:
    name: str
    index: int  # definition order: the FIFO tie-breaker
    hall: str
    priority: int
    chip: str
    gpus: int
    facility_kw: int  # reserved facility load at full server power, whole kW
    it_mw: float
    bf16_tflops: float
    price_usd: float
    install_days: float
    burn_in_days: float
    commissioning_days: float
    status: str = "planned"  # one of STAGE_STATUSES
    ready_day: float = float("inf")  # when it first asked for power
    commissioned: bool = False
    failed: int = 0  # GPUs of this stage out for repair
    ever_shed: bool = False  # shed at least once (a re-energized stage ends a shed spell)
    power_epoch: int = 0  # bumped on every grant and shed: a stale commissioning is ignored
    blocked: tuple[str, float] | None = None  # what holds it from power, and since when
    ready_link: int = NO_CAUSE  # trace link of the step after which it asked for power

    @property
    def facility_mw(self) -> float:
        return self.facility_kw / 1000

    @property
    def healthy(self) -> int:
        return self.gpus - self.failed

    def _move(self, expected: tuple[str, ...], status: str) -> None:
        if self.status not in expected:
            raise RuntimeError(f"stage {self.name}: cannot go from {self.status} to {status}")
        self.status = status

    def begin_install(self) -> None:
        self._move(("planned",), "installing")

    def begin_burn_in(self) -> None:
        self._move(("installing",), "burn-in")

    def ask_for_power(self, day: float, link: int) -> None:
        self._move(("burn-in",), "waiting-power")
        self.ready_day = day
        self.ready_link = link

    def grant_power(self) -> int:
        """Power is granted; returns the epoch a commissioning must still hold to finish."""
        self.power_epoch += 1
        return self.power_epoch

    def begin_commissioning(self) -> None:
        self._move(("waiting-power",), "commissioning")

    def still_granted(self, epoch: int) -> bool:
        return self.power_epoch == epoch

    def energize(self) -> bool:
        """Carry load; True the first time (when the stage's failure process starts)."""
        self._move(("waiting-power", "commissioning"), "energized")
        first_time = not self.commissioned
        self.commissioned = True
        return first_time

    def shed(self) -> bool:
        """Lose power and wait again; True if the stage was carrying load."""
        self.power_epoch += 1
        was_energized = self.status == "energized"
        self.status = "waiting-power"
        return was_energized

    def lose_gpus(self, count: int) -> None:
        self.failed += count

    def regain_gpu(self) -> None:
        self.failed -= 1


def plan_stages(
    scenario: Scenario,
    chips: dict[str, ChipSpec],
    streams_for: Callable[[list[str]], list[np.random.Generator]],
    relaxed: frozenset[str] = frozenset(),
) -> list[Stage]:
    """Every hall's stages in definition order, with their durations drawn up front from
    each stage's own random stream (asked for all at once, so they are seeded together).
    A relaxed ``installation`` (installation and burn-in) or ``commissioning`` is drawn all
    the same and then zeroed, so the stage's other draws keep their values (common random
    numbers)."""
    places = []  # (name, hall, what the hall's stages share)
    for hall in scenario.halls:
        alike = _alike(hall, chips[hall.stages.chip])
        places += [(f"{hall.name}/{n}", hall, alike) for n in range(1, hall.stages.count + 1)]
    streams = streams_for([name for name, _, _ in places])
    stages = [
        Stage(name=name, index=index, **alike, **_durations(scenario, hall, rng))
        for index, ((name, hall, alike), rng) in enumerate(zip(places, streams, strict=True))
    ]
    for stage in stages:
        if "installation" in relaxed:
            stage.install_days = stage.burn_in_days = 0.0
        if "commissioning" in relaxed:
            stage.commissioning_days = 0.0
    return stages


def _alike(hall: Hall, chip: ChipSpec) -> dict[str, Any]:
    """What every stage of a hall shares (its size, load, compute and price), worked out
    once per hall."""
    gpus = hall.stages.gpus
    it_mw = gpus * chip.it_kw / 1000
    return {
        "hall": hall.name,
        "priority": hall.priority,
        "chip": hall.stages.chip,
        "gpus": gpus,
        "facility_kw": to_kw(it_mw * hall.pue),
        "it_mw": it_mw,
        "bf16_tflops": gpus * chip.bf16_dense_tflops,
        "price_usd": gpus * chip.price,
    }


def _durations(scenario: Scenario, hall: Hall, rng: np.random.Generator) -> dict[str, float]:
    """A stage's own durations, drawn in this order from its stream; commissioning is the
    hall's own when it writes one, the scenario's otherwise (one draw either way)."""
    crew_days = scenario.installation.time_per_1000_gpus.sample(rng) * hall.stages.gpus / 1000
    commissioning = hall.commissioning_time
    if commissioning is None:
        commissioning = scenario.energization.commissioning_time
    return {
        "install_days": crew_days,
        "burn_in_days": scenario.installation.burn_in.sample(rng),
        "commissioning_days": commissioning.sample(rng),
    }
