"""Does bridging power pay? The same campus with and without its on-site generation.

Both variants run with the same seeds and replication indices, so they share every random
draw they have in common (common random numbers) and the difference is the generators' doing.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from dcsim.api import simulate
from dcsim.config import Scenario, scenario_from_dict
from dcsim.errors import UserInputError
from dcsim.units import HOURS_PER_DAY


def without_generators(scenario: Scenario) -> Scenario:
    """The scenario with its generators removed, and with equipment that only they fed."""
    if not scenario.grid.generators:
        raise UserInputError(f"{scenario.name}: has no generators to compare against")
    data = scenario.model_dump(mode="json")
    gone = {g["name"] for g in data["grid"]["generators"]}
    data["grid"]["generators"] = []
    while True:  # drop equipment left without a feed, then anything it alone fed
        stranded = {e["name"] for e in data["equipment"] if set(e["fed_by"]) <= gone}
        if not stranded:
            break
        gone |= stranded
        data["equipment"] = [e for e in data["equipment"] if e["name"] not in stranded]
        for item in data["equipment"]:
            item["fed_by"] = [up for up in item["fed_by"] if up not in gone]
    for hall in data["halls"]:
        hall["fed_by"] = [up for up in hall["fed_by"] if up not in gone]
    data["name"] = f"{scenario.name}-no-bridging"
    return scenario_from_dict(data, f"{scenario.name} without generators")


def gpu_day_value(scenario: Scenario) -> tuple[float, str]:
    """What a GPU-day is worth in this scenario, and where that comes from: its own
    ``economics.value_per_gpu_hour``, or its chips' catalog values (cited in
    ``dcsim/data/chips.csv``), x 24 h."""
    per_hour = scenario.gpu_hour_value()
    where = (
        "economics.value_per_gpu_hour"
        if scenario.economics.value_per_gpu_hour is not None
        else "the chips' value per GPU-hour (chip catalog)"
    )
    return per_hour * HOURS_PER_DAY, f"{where} {per_hour:g} USD x 24 h"


def verdict(cost_per_gpu_day: float | None, gpu_day_value: float) -> str:
    """Whether bridging pays: its cost per GPU-day gained against what a GPU-day is worth."""
    if cost_per_gpu_day is None or cost_per_gpu_day != cost_per_gpu_day:
        return "bridging gains no GPU-days here, so it does not pay"
    if cost_per_gpu_day <= gpu_day_value:
        return (
            f"bridging pays: {cost_per_gpu_day:,.2f} USD per GPU-day gained, below the "
            f"{gpu_day_value:,.2f} USD a GPU-day is worth"
        )
    return (
        f"bridging does not pay: {cost_per_gpu_day:,.2f} USD per GPU-day gained, above the "
        f"{gpu_day_value:,.2f} USD a GPU-day is worth"
    )


COMPARED = (
    "full_cluster_date",
    "days_to_full_cluster",
    "compute_gpu_days",
    "compute_flop",
    "bridging_mwh",
    "bridging_fuel_cost_usd",
    "capex_generation_usd",
    "electricity_cost_usd",
    "emissions_t_co2",
    "stranded_capex_usd_years",
)


def compare(
    scenario: Scenario, seed: int = 0, replications: Iterable[int] = range(10)
) -> pd.DataFrame:
    """One row per replication: KPIs with and without bridging and what bridging bought.

    ``cost_per_gpu_day_gained_usd`` = (fuel + generation capex + change in grid electricity
    cost) / compute GPU-days gained.
    """
    bare = without_generators(scenario)
    rows = []
    for replication in replications:
        with_gen = simulate(scenario, seed=seed, replication=replication).kpis
        without = simulate(bare, seed=seed, replication=replication).kpis
        row = {"replication": replication}
        row |= {f"{key}_with": with_gen[key] for key in COMPARED}
        row |= {f"{key}_without": without[key] for key in COMPARED}
        gained = with_gen["compute_gpu_days"] - without["compute_gpu_days"]
        cost = (
            with_gen["bridging_fuel_cost_usd"]
            + with_gen["capex_generation_usd"]
            + with_gen["electricity_cost_usd"]
            - without["electricity_cost_usd"]
        )
        row |= {
            "gpu_days_gained": gained,
            "bridging_cost_usd": cost,
            "cost_per_gpu_day_gained_usd": cost / gained if gained > 0 else None,
        }
        rows.append(row)
    return pd.DataFrame(rows)
