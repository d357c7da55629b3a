"""Counterfactuals: how much each constraint class moves the dates, on the same draws.

Each class is taken away in turn (:func:`dcsim.constraints.relaxable`): the grid (the largest
scheduled level of every interconnect on day 0, no slip), on-site generation and electrical
equipment (in service on day 0), construction (halls ready on day 0, no crew limit), chips
(every batch on site on day 0, no vendor cap), crews (unlimited installation crews),
installation (installation and burn-in take no time) and commissioning (none). A relaxed run
uses the same seed and replication as its base run, and every entity draws from its own
named stream, so the difference between the two is the effect of that class alone: a paired
comparison, not two noisy samples. The two classes that gain most are also relaxed together,
because constraints interact (relaxing the grid alone may gain nothing when a transformer is
next in line).

A date never reached within the horizon counts as the horizon (and is counted as censored),
so a gain is then a lower bound.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from dcsim import constraints
from dcsim.config.schema import Scenario
from dcsim.errors import UserInputError
from dcsim.results import kpis, levels, target_days
from dcsim.rng import check_seed
from dcsim.sim.model import BuildOut

#: Quantiles reported beside the mean.
LOW, HIGH = 0.1, 0.9


@dataclass(frozen=True)
class Outcome:
    full_cluster_day: float | None
    half_gpus_day: float | None
    stranded_capex_usd_years: float


def run_outcome(
    scenario: Scenario, seed: int, replication: int, relaxed: frozenset[str]
) -> Outcome:
    model = BuildOut(scenario, seed=seed, replication=replication, relaxed=relaxed).run()
    columns = levels(model)
    days = target_days(columns, model.planned_gpus)
    return Outcome(
        days["full_cluster"],
        days["50pct_gpus"],
        kpis(model, columns)["stranded_capex_usd_years"],
    )


def relaxable_classes(scenario: Scenario) -> list[str]:
    """The relaxable classes this scenario has something of (no generators: no
    ``generation``), as each class's ``present`` says."""
    found = constraints.classes()
    return [c.relax_as for c in found if c.relax_as is not None and c.present(scenario)]


def explain(
    scenario: Scenario | str | Path,
    seed: int = 0,
    replications: int = 1,
    classes: list[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """Days gained on the full cluster and on half the GPUs, and the change in stranded
    capex, with each class relaxed (and the two largest together), over ``replications``
    paired runs. One row per relaxation, largest full-cluster gain first. ``scenario`` is
    an object or a YAML path, as for :func:`dcsim.simulate`. ``progress(n, total)`` is
    called before the first run (``n`` 0) and after each (``n`` 1), ``total`` being the
    runs of the whole explanation."""
    from dcsim.config.loader import as_scenario

    scenario = as_scenario(scenario)
    check_seed("seed", seed)
    if isinstance(replications, bool) or not isinstance(replications, int) or replications < 1:
        raise UserInputError(f"replications {replications!r}: expected a whole number from 1")
    classes = classes or relaxable_classes(scenario)
    if unknown := set(classes) - set(known := constraints.relaxable()):
        raise UserInputError(f"classes {sorted(unknown)}: known are {list(known)}")
    relaxations = 1 + len(classes) + (len(classes) >= 2)  # none, each, the two largest
    total = relaxations * replications
    if progress is not None:
        progress(0, total)

    def runs(relaxed: set[str]) -> list[Outcome]:
        outcomes = []
        for r in range(replications):
            outcomes.append(run_outcome(scenario, seed, r, frozenset(relaxed)))
            if progress is not None:
                progress(1, total)
        return outcomes

    base = runs(set())
    horizon = scenario.horizon
    rows = [_row((name,), base, runs({name}), horizon) for name in classes]
    rows.sort(key=lambda row: -row["full_cluster_gain_days_mean"])
    if len(rows) >= 2:
        pair = tuple(sorted(rows[0]["relaxed"].split(" + ") + rows[1]["relaxed"].split(" + ")))
        rows.append(_row(pair, base, runs(set(pair)), horizon))
    frame = pd.DataFrame(rows)
    reached = [o.full_cluster_day for o in base if o.full_cluster_day is not None]
    frame.attrs["base_full_cluster_day_mean"] = float(np.mean(reached)) if reached else None
    frame.attrs["base_full_cluster_reached"] = len(reached)
    return frame


def _row(
    relaxed: tuple[str, ...], base: list[Outcome], runs: list[Outcome], horizon: float
) -> dict:
    row: dict = {"relaxed": " + ".join(relaxed), "replications": len(runs)}
    for name, attribute in (("full_cluster", "full_cluster_day"), ("50pct", "half_gpus_day")):
        before = [getattr(outcome, attribute) for outcome in base]
        after = [getattr(outcome, attribute) for outcome in runs]
        gains = np.array(
            [_day(b, horizon) - _day(a, horizon) for b, a in zip(before, after, strict=True)]
        )
        row |= _stats(f"{name}_gain_days", gains)
        row[f"{name}_censored"] = sum(
            b is None or a is None for b, a in zip(before, after, strict=True)
        )
    change = [
        r.stranded_capex_usd_years - b.stranded_capex_usd_years
        for b, r in zip(base, runs, strict=True)
    ]
    return row | _stats("stranded_capex_usd_years_change", np.array(change))


def _day(day: float | None, horizon: float) -> float:
    """A date not reached within the horizon counts as the horizon."""
    return horizon if day is None else day


def _stats(name: str, values: np.ndarray) -> dict[str, float]:
    return {
        f"{name}_mean": float(values.mean()),
        f"{name}_p10": float(np.quantile(values, LOW)),
        f"{name}_p90": float(np.quantile(values, HIGH)),
    }
