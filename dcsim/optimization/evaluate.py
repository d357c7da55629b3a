"""What runs on a worker: one candidate decision, simulated on a list of replications.

A job carries the raw scenario mapping (validated models do not pickle, see
:mod:`dcsim.runtime.worker`) and comes back as one flat record of numbers per run: the
numeric KPIs, the dates as ordinal days (never reached: infinity), and the cost parts of
:mod:`dcsim.optimization.objective`. Replication r of every candidate draws from the same
named random streams (common random numbers), so candidates differ only by their decisions.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from dataclasses import dataclass
from typing import Any

from dcsim.optimization.decisions import DATE_KPIS
from dcsim.runtime.limits import TIME_LIMIT_S
from dcsim.sweeps.experiment import KNOWN_KPIS


@dataclass(frozen=True)
class Job:
    key: int
    scenario: dict[str, Any]
    seed: int
    replications: tuple[int, ...]
    target_date: dt.date | None = None
    time_limit: float = TIME_LIMIT_S


def evaluate(job: Job) -> list[dict[str, float]]:
    """One record per replication; raises (UserInputError for a scenario the decisions
    made invalid, RunTimeout past the time limit) so that the trial fails as a whole."""
    from dcsim.config.loader import scenario_from_dict
    from dcsim.sim.model import BuildOut

    scenario = scenario_from_dict(job.scenario, "decision")
    target = scenario.day(job.target_date) if job.target_date else 0.0
    records = []
    for replication in job.replications:
        deadline = time.perf_counter() + job.time_limit
        model = BuildOut(scenario, seed=job.seed, replication=replication).run(deadline)
        records.append(record(model, target))
    return records


def record(model: Any, target_day: float) -> dict[str, float]:
    """The numbers of one finished run that objectives and constraints may name."""
    from dcsim.optimization.objective import costs, crew_months, shortfall_gpu_days
    from dcsim.results import kpis, levels
    from dcsim.runtime.worker import flatten

    series = levels(model)
    values = flatten(kpis(model, series))
    numbers = {name: _number(values.get(name), name) for name in KNOWN_KPIS if name != "seed"}
    for name in DATE_KPIS:
        date = values[name]
        numbers[name] = math.inf if date is None else float(dt.date.fromisoformat(date).toordinal())
    economics = model.scenario.economics
    shortfall = shortfall_gpu_days(
        series["day"], series["gpus_energized"], model.planned_gpus, target_day
    )
    installations = [
        (link.start, link.end)
        for link in model.trace.links
        if link.kind == "installation" and link.what == "installation"
    ]
    on_site = crew_months(installations, model.scenario.installation.crews)
    return numbers | costs(
        numbers,
        shortfall,
        economics.cost_of_capital,
        model.scenario.gpu_hour_value(),
        on_site,
        economics.crew_usd_per_month,
    )


def _number(value: Any, name: str) -> float:
    """A KPI as a float: a day never reached is infinitely late; another missing value
    (the availability of a run with no GPU energized) is NaN."""
    if value is None:
        return math.inf if name.startswith("days_to") else math.nan
    return float(value)
