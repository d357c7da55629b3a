"""How many events a scenario's random processes can be expected to generate in one run.

A rate that is plausible in one unit and absurd in another (``mtbf_per_gpu: 1 second``,
``per_year: 1000`` on a century) would make a run take hours and fill memory. The
expectation is cheap to compute from the validated fields, so such a scenario is refused
at load, naming the field, instead of being left to run away.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dcsim.units import DAYS_PER_YEAR

if TYPE_CHECKING:
    from dcsim.config.schema import Scenario


def expected_events(scenario: Scenario) -> dict[str, float]:
    """Expected events per random process over the horizon, keyed by the field that sets
    the rate (two events per failure or window: its start and its end)."""
    horizon = scenario.horizon
    counts: dict[str, float] = {}
    if scenario.gpu_failures is not None:
        gpus = sum(hall.planned_gpus for hall in scenario.halls)
        counts["gpu_failures.mtbf_per_gpu"] = (
            2 * gpus * horizon / scenario.gpu_failures.mtbf_per_gpu
        )
    for i, equipment in enumerate(scenario.equipment):
        if equipment.outages is not None:
            counts[f"equipment.{i}.outages.mtbf"] = 2 * horizon / equipment.outages.mtbf
    for i, interconnect in enumerate(scenario.grid.interconnects):
        if interconnect.random_curtailments is not None:
            per_year = interconnect.random_curtailments.per_year
            counts[f"grid.interconnects.{i}.random_curtailments.per_year"] = (
                2 * per_year * horizon / DAYS_PER_YEAR
            )
    return counts


def runaway_processes(scenario: Scenario, limit: int) -> list[str]:
    """One message per process expected to generate more than ``limit`` events."""
    return [
        f"{field}: about {count:.3g} events expected over the horizon, more than the "
        f"{limit:,} a run allows; lower the rate or shorten the horizon"
        for field, count in expected_events(scenario).items()
        if count > limit
    ]
