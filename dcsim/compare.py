"""Named scenarios side by side: ``on-time`` against ``slip-9mo``, on common random numbers.

Every scenario runs the same seeds and replication indices, so draws they share in
structure (the same hall's shell time, the same order's lead time) are the same numbers
and the differences are the scenarios' doing, not noise (the same pairing as
:mod:`dcsim.bridging` and ``dcsim explain``). The first scenario is the reference; each
other one gets a delta against it: for dates, the difference of the P10/P50/P90 dates in
days (later is positive); for amounts, the median over replications of the paired
difference.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from dcsim.api import simulate
from dcsim.config import Scenario
from dcsim.dates import as_date, day_numbers, quantile

#: Date KPIs compared, each at P10, P50 and P90.
DATES = ("first_power_date", "full_cluster_date")
#: Amounts compared by their median and the median paired difference; ``spend_usd`` is
#: capex plus grid electricity plus bridging fuel over the horizon.
AMOUNTS = ("stranded_gpu_days", "stranded_capex_usd_years", "capex_usd", "spend_usd")
QUANTILES = (("P10", 0.10), ("P50", 0.50), ("P90", 0.90))
#: What each measure is called in a table, and its unit.
MEASURES = {
    "first_power_date": ("first power", "date"),
    "full_cluster_date": ("full cluster", "date"),
    "stranded_gpu_days": ("dark GPU-days", "GPU-days"),
    "stranded_capex_usd_years": ("stranded capex", "USD·years"),
    "capex_usd": ("capex", "USD"),
    "spend_usd": ("capex + electricity + fuel", "USD"),
}


def spend(kpis: Mapping[str, Any]) -> float:
    """What the horizon costs in money out: capex, grid electricity and bridging fuel."""
    return float(kpis["capex_usd"] + kpis["electricity_cost_usd"] + kpis["bridging_fuel_cost_usd"])


def paired_runs(scenarios: Mapping[str, Scenario], seed: int, replications: int) -> pd.DataFrame:
    """One row per (scenario label, replication): the compared KPIs, each scenario run on
    the same seed and replication indices."""
    rows = []
    for label, scenario in scenarios.items():
        for replication in range(replications):
            kpis = simulate(scenario, seed=seed, replication=replication).kpis
            row = {"scenario": label, "replication": replication}
            row |= {key: kpis[key] for key in DATES}
            row |= {key: float(kpis[key]) for key in AMOUNTS if key in kpis}
            row["spend_usd"] = spend(kpis)
            rows.append(row)
    return pd.DataFrame(rows)


def deltas(runs: pd.DataFrame) -> pd.DataFrame:
    """The comparison, long form: one row per (measure, statistic, scenario) with the
    scenario's ``value`` and its ``delta`` against the first scenario (``None`` for the
    reference itself; ``inf``/``-inf`` when only one of the two reached a date)."""
    labels = list(dict.fromkeys(runs["scenario"]))
    by_label = {
        label: group.sort_values("replication") for label, group in runs.groupby("scenario")
    }
    reference = by_label[labels[0]]
    rows = []
    for key in DATES:
        for statistic, level in QUANTILES:
            base = quantile(day_numbers(reference[key]), level)
            for label in labels:
                day = quantile(day_numbers(by_label[label][key]), level)
                delta = None if label == labels[0] else _difference(day, base)
                rows.append(_row(key, statistic, label, as_date(day), delta))
    for key in AMOUNTS:
        for label in labels:
            values = by_label[label][key].to_numpy(dtype=float)
            paired = values - reference[key].to_numpy(dtype=float)
            delta = None if label == labels[0] else float(np.median(paired))
            rows.append(_row(key, "median", label, float(np.median(values)), delta))
    return pd.DataFrame(rows)


def _difference(day: float, base: float) -> float:
    if np.isinf(day) and np.isinf(base):
        return 0.0
    return day - base


def _row(key: str, statistic: str, label: str, value: Any, delta: float | None) -> dict:
    measure, unit = MEASURES[key]
    return {
        "kpi": key,
        "measure": measure,
        "statistic": statistic,
        "unit": unit,
        "scenario": label,
        "value": value,
        "delta": delta,
    }


def headline(table: pd.DataFrame) -> str:
    """One sentence per compared scenario: how much later (or earlier) the full cluster
    comes at P50 and P90 than in the reference, and what that does to dark GPU-days and
    stranded capex."""
    labels = list(dict.fromkeys(table["scenario"]))
    sentences = []
    for label in labels[1:]:
        mine = table[table["scenario"] == label].set_index(["kpi", "statistic"])
        p50 = mine.loc[("full_cluster_date", "P50"), "delta"]
        p90 = mine.loc[("full_cluster_date", "P90"), "delta"]
        dark = mine.loc[("stranded_gpu_days", "median"), "delta"]
        stranded = mine.loc[("stranded_capex_usd_years", "median"), "delta"]
        sentences.append(
            f"{label}: full cluster {days_text(p50)} at P50 and {days_text(p90)} at P90 "
            f"than {labels[0]}; {signed_amount(dark, 'dark GPU-days')} and "
            f"{signed_amount(stranded, 'USD·years')} of stranded capex (median paired change)."
        )
    return " ".join(sentences) or f"{labels[0]} alone: nothing to compare it with."


def days_text(delta: float) -> str:
    """``270 days later``, ``12 days earlier``, ``the same day``, or ``not reached``."""
    if delta is None or np.isnan(delta):
        return "n/a"
    if np.isinf(delta):
        return "reached only in the reference" if delta > 0 else "reached only here"
    if round(delta) == 0:
        return "on the same day"
    return f"{abs(delta):,.0f} days {'later' if delta > 0 else 'earlier'}"


def signed_amount(value: float | None, unit: str) -> str:
    """``+2.10 M GPU-days``: a change with its sign, in human units."""
    from dcsim.formatting import human_text

    if value is None or not np.isfinite(value):
        return "n/a"
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    return f"{sign}{human_text(abs(value), unit)}"


def wide(table: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    """The table a planner pastes: one row per measure and statistic, one column per
    scenario and one ``Δ label`` column per compared scenario."""
    from dcsim.formatting import human_text

    labels = list(dict.fromkeys(table["scenario"]))
    header = ["measure", "statistic"]
    for i, label in enumerate(labels):
        header += [label] if i == 0 else [label, f"Δ {label}"]
    rows = []
    for (_, statistic), group in table.groupby(["kpi", "statistic"], sort=False):
        first = group.iloc[0]
        unit = first["unit"]
        row = [first["measure"], statistic]
        for i, label in enumerate(labels):
            entry = group[group["scenario"] == label].iloc[0]
            if unit == "date":
                row.append(entry["value"] or "not reached")
            else:
                row.append(human_text(entry["value"], unit))
            if i:
                delta = entry["delta"]
                row.append(_signed_days(delta) if unit == "date" else signed_amount(delta, unit))
        rows.append(row)
    return header, rows


def _signed_days(delta: float) -> str:
    if np.isinf(delta):
        return "not reached" if delta > 0 else "reached"
    return f"{delta:+,.0f} days"


def scenario_labels(names: Sequence[str], given: Sequence[str] | None = None) -> list[str]:
    """The label of each scenario: ``given`` (one per scenario), else its ``name``, with
    a ``-2``, ``-3``... suffix where two names are the same."""
    if given:
        return list(given)
    seen: dict[str, int] = {}
    labels = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        labels.append(name if seen[name] == 1 else f"{name}-{seen[name]}")
    return labels
