"""The lever table: what each thing a planner can buy does to the date, and what it costs.

A lever is a set of overrides on the scenario (turbines wired into every hall, two more
installation crews, chips ordered a quarter earlier) with, optionally, an outlay the model
does not book itself. Every lever runs on the same seeds and replication indices as the
base (common random numbers), so its gain is the lever's doing, not noise. For each lever:

- days gained on the full cluster at P50 and P90 (base quantile date minus the lever's),
  and on first power at P50 (a lever that powers the first halls sooner, turbines, pays
  through compute delivered even when the last hall's date does not move);
- its outlay: the median paired change in capex + electricity + fuel + crews
  (:mod:`dcsim.optimization.objective`) plus the outlay the lever file declares;
- outlay per day gained at P50;
- the median paired change in the optimizer's total cost, which also prices the carrying
  cost of dark hardware and compute not delivered (negative: the lever pays for itself).

Without a lever file the levers come from the scenario itself (:func:`default_levers`).
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from dcsim.config import Scenario
from dcsim.distributions import quantity
from dcsim.errors import UserInputError

#: How much earlier an "order earlier" lever places orders: one quarter.
EARLIER_WEEKS = 13
#: Installation crews added by the crews lever.
MORE_CREWS = 2
#: Bridging turbines, as in experiments/xai-bridging-decisions.yaml and
#: experiments/grid-delay-x-bridging.yaml. Capex: EIA 'Capital Cost and Performance
#: Characteristic Estimates' (AEO2023), aeroderivative combustion turbine near 1,400 USD/kW
#: overnight (recalled, unverified). Lead time: Cushman & Wakefield 2025, generators 30-38
#: weeks. Fuel ~10 MMBtu/MWh at ~3 USD/MMBtu plus rental, ~0.55 t CO2/MWh (assumptions, as
#: in configs/xai-memphis-bridging.yaml).
TURBINE_USD_PER_MW = 1.4e6
TURBINE = {
    "lead_time": {"dist": "triangular", "low": "30 weeks", "mode": "34 weeks", "high": "38 weeks"},
    "install_time": "8 weeks",
    "fuel_cost": "60 USD/MWh",
    "emissions": "0.55 t/MWh",
}
#: The outlay parts of a run (what the lever spends), from the optimizer's cost parts.
OUTLAY = ("capex_usd", "electricity_cost_usd", "bridging_fuel_cost_usd", "crew_cost_usd")


class Lever(BaseModel):
    """One lever of a lever file."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    name: str = Field(min_length=1, max_length=64)
    description: str = ""
    set: dict[str, Any] = Field(min_length=1, description="overrides by dotted path")
    cost: quantity("money") = Field(
        "0 USD", description="outlay the model does not book (a fee for an earlier slot)"
    )


class LeverFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    levers: list[Lever] = Field(min_length=1, max_length=100)


def load_levers(path: str | Path) -> list[Lever]:
    """A lever file's levers; every mistake is one line naming the file and field."""
    from dcsim.config.loader import read_yaml
    from dcsim.sweeps.experiment import format_errors

    try:
        parsed = LeverFile.model_validate(read_yaml(Path(path)))
    except ValidationError as error:
        raise UserInputError(format_errors(error, str(path))) from None
    names = [lever.name for lever in parsed.levers]
    if len(set(names)) != len(names):
        raise UserInputError(f"{path}: levers: names must differ, got {names}")
    return list(parsed.levers)


def default_levers(scenario: Scenario, raw: dict[str, Any]) -> list[Lever]:
    """The levers a planner of this campus could pull: chips and equipment ordered a
    quarter earlier, more installation (and construction) crews, and bridging turbines
    sized for the largest hall, wired into every hall. ``raw`` is the scenario's mapping:
    chip orders a budget derives (``budget:``) are not in it, so they get no order lever."""
    levers = []
    if len(raw.get("chip_orders") or []) == len(scenario.chip_orders):
        levers.append(
            Lever(
                name=f"chips {EARLIER_WEEKS} weeks earlier",
                description="every chip order placed a quarter earlier",
                set={
                    f"chip_orders.{i}.order_date": _earlier(order.order_date)
                    for i, order in enumerate(scenario.chip_orders)
                },
            )
        )
    if scenario.equipment:
        levers.append(
            Lever(
                name=f"equipment {EARLIER_WEEKS} weeks earlier",
                description="every transformer, substation and switchgear order a quarter earlier",
                set={
                    f"equipment.{i}.order_date": _earlier(item.order_date or scenario.start)
                    for i, item in enumerate(scenario.equipment)
                },
            )
        )
    crews = scenario.installation.crews
    if crews is not None:
        levers.append(
            Lever(
                name=f"+{MORE_CREWS} installation crews",
                description=f"{crews + MORE_CREWS} installation crews instead of {crews}",
                set={"installation.crews": crews + MORE_CREWS},
            )
        )
    building = scenario.construction.crews
    if building is not None:
        levers.append(
            Lever(
                name="+1 construction crew",
                description=f"{building + 1} construction crews instead of {building}",
                set={"construction.crews": building + 1},
            )
        )
    levers.append(_turbines(scenario))
    return levers


def _earlier(date: dt.date) -> str:
    return (date - dt.timedelta(weeks=EARLIER_WEEKS)).isoformat()


def _turbines(scenario: Scenario) -> Lever:
    """Turbines as large as the largest hall's facility load (rounded up to 10 MW), ordered
    at the start and wired into every hall beside its own feeds."""
    largest = max(hall.facility_capacity_mw for hall in scenario.halls)
    mw = 10 * math.ceil(largest / 10)
    name = "lever-turbines"
    generator = {
        "name": name,
        "capacity": f"{mw} MW",
        "cost": f"{mw * TURBINE_USD_PER_MW:.0f} USD",
        **TURBINE,
    }
    generators = [g.model_dump(mode="json") for g in scenario.grid.generators]
    overrides: dict[str, Any] = {"grid.generators": [*generators, generator]}
    for i, hall in enumerate(scenario.halls):
        overrides[f"halls.{i}.fed_by"] = [*hall.fed_by, name]
    return Lever(
        name=f"{mw} MW bridging turbines",
        description=f"{mw} MW of gas turbines (1.4 MUSD/MW, 30-38 weeks) feeding every hall",
        set=overrides,
    )


def lever_runs(
    raw: dict[str, Any], levers: list[Lever], seed: int, replications: int
) -> dict[str, list[dict[str, float]]]:
    """Per-replication records (:func:`dcsim.optimization.evaluate.record`) of the base
    (key ``base``) and of each lever, all on the same seed and replication indices."""
    from dcsim.config.loader import apply_overrides
    from dcsim.optimization.evaluate import Job, evaluate

    reps = tuple(range(replications))
    out = {"base": evaluate(Job(0, raw, seed, reps))}
    for i, lever in enumerate(levers, start=1):
        try:
            changed = apply_overrides(raw, lever.set)
            out[lever.name] = evaluate(Job(i, changed, seed, reps))
        except UserInputError as error:
            raise UserInputError(
                [f"lever {lever.name!r}: {line}" for line in error.problems]
            ) from None
    return out


def lever_table(runs: dict[str, list[dict[str, float]]], levers: list[Lever]) -> pd.DataFrame:
    """One row per lever: days gained at P50 and P90, outlay, outlay per day gained at P50
    and the change in total cost (see the module docstring)."""
    base = pd.DataFrame(runs["base"])
    rows = []
    for lever in levers:
        mine = pd.DataFrame(runs[lever.name])
        outlay = float(np.median(_outlay(mine) - _outlay(base))) + lever.cost
        gained = {
            level: _quantile_day(base, q) - _quantile_day(mine, q)
            for level, q in (("p50", 0.5), ("p90", 0.9))
        }
        first = _quantile_day(base, 0.5, "first_power_date")
        first -= _quantile_day(mine, 0.5, "first_power_date")
        total = float(np.median(mine["total_cost_usd"] - base["total_cost_usd"]))
        rows.append(
            {
                "lever": lever.name,
                "description": lever.description,
                "days_gained_p50": gained["p50"],
                "days_gained_p90": gained["p90"],
                "first_power_days_gained_p50": first,
                "outlay_usd": outlay,
                "usd_per_day_gained_p50": per_day(outlay, gained["p50"]),
                "total_cost_change_usd": total,
            }
        )
    return pd.DataFrame(rows)


def _outlay(records: pd.DataFrame) -> np.ndarray:
    return records[list(OUTLAY)].sum(axis=1).to_numpy(dtype=float)


def _quantile_day(records: pd.DataFrame, level: float, kpi: str = "full_cluster_date") -> float:
    """The quantile of a date KPI's day (ordinal; never reached: inf), unsmoothed."""
    values = records[kpi].to_numpy(dtype=float)
    return float(np.quantile(values, level, method="inverted_cdf"))


def per_day(outlay: float, days: float) -> float | None:
    """Outlay per day gained; ``None`` (no ratio) when the lever gains no day, or when an
    infinite gain (the base never reaches the date) makes a ratio meaningless."""
    if not math.isfinite(days) or days <= 0:
        return None
    return outlay / days
