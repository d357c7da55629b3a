"""A stage (pod): a count of GPUs in one hall that is installed and energized as one unit."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from dcsim.config.schema import ChipSpec, Hall, Scenario
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
    # Mutable state, owned by the processes and the energization controller.
    status: str = "planned"  # one of STAGE_STATUSES
    ready_day: float = float("inf")  # when it first asked for power
    commissioned: bool = False
    failed: int = 0  # GPUs of this stage out for repair
    ever_shed: bool = False  # shed at least once (a re-energized stage ends a shed spell)
    grant: int = 0  # bumped on every grant and shed, so a stale commissioning is ignored
    blocked: tuple[str, float] | None = None  # (constraint, since)
    milestones: dict[str, float] = field(default_factory=dict)

    @property
    def facility_mw(self) -> float:
        return self.facility_kw / 1000

    @property
    def healthy(self) -> int:
        return self.gpus - self.failed


def plan_stages(
    scenario: Scenario, chips: dict[str, ChipSpec], stream_for: callable
) -> list[Stage]:
    """Every hall's stages in definition order, with their durations drawn up front from
    each stage's own random stream."""
    stages = []
    for hall in scenario.halls:
        for number in range(1, hall.stages.count + 1):
            stages.append(
                _stage(
                    scenario,
                    hall,
                    chips[hall.stages.chip],
                    number,
                    len(stages),
                    stream_for(f"{hall.name}/{number}"),
                )
            )
    return stages


def _stage(
    scenario: Scenario,
    hall: Hall,
    chip: ChipSpec,
    number: int,
    index: int,
    rng: np.random.Generator,
) -> Stage:
    gpus = hall.stages.gpus
    it_mw = gpus * chip.it_kw / 1000
    crew_days = scenario.installation.time_per_1000_gpus.sample(rng) * gpus / 1000
    return Stage(
        name=f"{hall.name}/{number}",
        index=index,
        hall=hall.name,
        priority=hall.priority,
        chip=hall.stages.chip,
        gpus=gpus,
        facility_kw=to_kw(it_mw * hall.pue),
        it_mw=it_mw,
        bf16_tflops=gpus * chip.bf16_dense_tflops,
        price_usd=gpus * chip.price,
        install_days=crew_days,
        burn_in_days=scenario.installation.burn_in.sample(rng),
        commissioning_days=scenario.energization.commissioning_time.sample(rng),
    )
