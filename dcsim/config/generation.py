"""On-site generation technologies: default lead time, cost, fuel cost and emissions per
technology, from ``dcsim/data/generation.csv`` (one row per technology with its sources).

A generator that names a ``technology`` takes each of these fields it leaves out from the
table; one without a technology keeps the scenario schema's own defaults. Fuel cost and
emissions follow from the heat rate: a gas price and the CO2 content of natural gas turn
MMBtu per MWh into USD and tonnes per MWh.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib.resources import files
from typing import Any, Literal

Technology = Literal[
    "rental_mobile", "reciprocating", "aeroderivative", "frame", "fuel_cell", "battery"
]

#: Henry Hub natural gas spot price, 2024 average, USD/MMBtu (EIA; recalled, unverified).
GAS_USD_PER_MMBTU = 2.19
#: CO2 from burning natural gas, t per MMBtu (EPA GHG Emission Factors Hub: 53.06 kg/MMBtu;
#: recalled).
CO2_T_PER_MMBTU = 0.05306


@cache
def technology_table() -> dict[str, dict[str, str]]:
    """The rows of ``dcsim/data/generation.csv`` by technology."""
    with files("dcsim.data").joinpath("generation.csv").open(encoding="utf-8") as handle:
        return {row["technology"]: row for row in csv.DictReader(handle)}


def _weeks(row: dict[str, str], stage: str) -> dict[str, str]:
    low, mode, high = (f"{row[f'{stage}_{p}_weeks']} weeks" for p in ("low", "mode", "high"))
    return {"dist": "triangular", "low": low, "mode": mode, "high": high}


def technology_defaults(technology: str, capacity_mw: float | None) -> dict[str, Any]:
    """The generator fields a technology supplies, as a scenario file would write them.
    The capex needs the capacity; without one (it failed to parse) it is left out, so the
    capacity's own error is the one reported."""
    row = technology_table()[technology]
    mmbtu_per_mwh = float(row["heat_rate_btu_per_kwh"]) / 1000
    defaults: dict[str, Any] = {
        "lead_time": _weeks(row, "lead"),
        "install_time": _weeks(row, "install"),
        "fuel_cost": f"{mmbtu_per_mwh * GAS_USD_PER_MMBTU!r} USD/MWh",
        "emissions": f"{mmbtu_per_mwh * CO2_T_PER_MMBTU!r} t/MWh",
    }
    if capacity_mw is not None:
        defaults["cost"] = f"{float(row['cost_usd_per_kw']) * capacity_mw * 1000!r} USD"
    return defaults
