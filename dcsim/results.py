"""From the event log to what users read: the time series and the KPIs of one run.

The time series has one row per distinct time at which something changed (the state
after the last change at that time) plus a closing row at the horizon, so every level is a
step function and integrals are exact sums of value x duration.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from dcsim import __version__
from dcsim.config.schema import Scenario
from dcsim.sim.ledger import CAPEX_COUNTERS, COUNTERS, GPU_STATES
from dcsim.sim.model import BuildOut

DAYS_PER_YEAR = 365.25
SECONDS_PER_DAY = 86_400

#: Time-series columns users and scripts rely on (the contract), then the extra ones.
TIMESERIES_COLUMNS = (
    "date",
    "day",
    "interconnect_mw",
    "deliverable_mw",
    "facility_mw",
    "it_mw",
    "gpus_ordered",
    "gpus_in_transit",
    "gpus_warehouse",
    "gpus_installed",
    "gpus_energized",
    "gpus_failed",
    "capex_usd_cumulative",
)
@dataclass
class RunResult:
    scenario: Scenario
    seed: int
    kpis: dict[str, Any]
    timeseries: pd.DataFrame
    events: pd.DataFrame
    stages: pd.DataFrame


def timeseries(model: BuildOut) -> pd.DataFrame:
    frame = pd.DataFrame(model.ledger.snapshots(), columns=("day", *COUNTERS))
    closing = frame.iloc[[-1]].assign(day=model.scenario.horizon)
    frame = pd.concat([frame, closing], ignore_index=True)
    frame = frame.groupby("day", sort=True).last().reset_index()
    frame = frame[frame["day"] <= model.scenario.horizon]
    frame["capex_usd_cumulative"] = frame[list(CAPEX_COUNTERS)].sum(axis=1)
    for column in ("gpus_ordered", *GPU_STATES):
        frame[column] = frame[column].round().astype("int64")
    frame.insert(0, "date", to_dates(model.scenario.start, frame["day"]))
    extra = [c for c in frame.columns if c not in TIMESERIES_COLUMNS]
    return frame[[*TIMESERIES_COLUMNS, *extra]].reset_index(drop=True)


def to_dates(start: dt.date, days: pd.Series) -> pd.Series:
    return pd.Timestamp(start) + pd.to_timedelta(days, unit="D")


def events(model: BuildOut) -> pd.DataFrame:
    frame = pd.DataFrame(model.ledger.events, columns=("day", "event", "entity", "amount"))
    frame.insert(0, "date", to_dates(model.scenario.start, frame["day"]))
    return frame


def stage_table(model: BuildOut) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "stage": s.name,
                "hall": s.hall,
                "chip": s.chip,
                "gpus": s.gpus,
                "facility_mw": s.facility_mw,
                "status": s.status,
                "ready_for_power_day": s.ready_day if np.isfinite(s.ready_day) else None,
            }
            for s in model.stages
        ]
    )


def integral(frame: pd.DataFrame, column: str | pd.Series) -> float:
    """Integral over time (in days) of a step function given at the row times."""
    values = frame[column] if isinstance(column, str) else column
    return float((values.to_numpy()[:-1] * np.diff(frame["day"].to_numpy())).sum())


def first_day(frame: pd.DataFrame, reached: pd.Series) -> float | None:
    days = frame.loc[reached, "day"]
    return float(days.iloc[0]) if len(days) else None


def kpis(model: BuildOut, ts: pd.DataFrame) -> dict[str, Any]:
    scenario = model.scenario

    def date_of(day: float | None) -> str | None:
        return None if day is None else (scenario.start + dt.timedelta(days=day)).isoformat()

    energized = ts["gpus_energized"]
    planned = model.planned_gpus
    full_day = first_day(ts, energized >= planned)
    economics = scenario.economics
    energy_mwh = integral(ts, "facility_mw") * 24
    bridging_mwh = integral(ts, "bridging_mw") * 24
    grid_mwh = energy_mwh - bridging_mwh
    compute_gpu_days = integral(ts, "gpus_energized")
    failed_gpu_days = integral(ts, "gpus_failed")
    waits = {k: round(v, 3) for k, v in model.waits.items()}
    binding = max(waits, key=waits.get) if max(waits.values()) > 0 else "none"
    return {
        "scenario": scenario.name,
        "seed": model.seed,
        "dcsim_version": __version__,
        "start_date": scenario.start.isoformat(),
        "horizon_days": scenario.horizon,
        "gpus_planned": planned,
        "first_power_date": date_of(first_day(ts, energized > 0)),
        "date_50pct_gpus": date_of(first_day(ts, energized >= 0.5 * planned)),
        "date_90pct_gpus": date_of(first_day(ts, energized >= 0.9 * planned)),
        "full_cluster_date": date_of(full_day),
        "days_to_full_cluster": full_day,
        "peak_facility_mw": float(ts["facility_mw"].max()),
        "peak_it_mw": float(ts["it_mw"].max()),
        "peak_deliverable_mw": float(ts["deliverable_mw"].max()),
        "gpus_ordered": int(ts["gpus_ordered"].iloc[-1]),
        "gpus_energized_final": int(energized.iloc[-1]),
        "stranded_gpu_days": integral(ts, ts["gpus_warehouse"] + ts["gpus_installed"]),
        "stranded_capex_usd_years": integral(ts, "dark_chip_value_usd") / DAYS_PER_YEAR,
        "energy_mwh": energy_mwh,
        "grid_energy_mwh": grid_mwh,
        "electricity_cost_usd": grid_mwh * economics.electricity_price,
        "bridging_mwh": bridging_mwh,
        "bridging_fuel_cost_usd": integral(ts, "bridging_fuel_usd_per_h") * 24,
        "emissions_t_co2": grid_mwh * economics.grid_emissions
        + integral(ts, "bridging_t_co2_per_h") * 24,
        "gpu_failures": sum(1 for event in model.ledger.events if event[1] == "gpu_failed"),
        "gpu_availability": (
            compute_gpu_days / (compute_gpu_days + failed_gpu_days)
            if compute_gpu_days + failed_gpu_days > 0
            else None
        ),
        "stage_hours_shed": integral(ts, "stages_shed") * 24,
        "shed_mwh": integral(ts, "shed_mw") * 24,
        "curtailed_mwh": integral(ts, ts["shed_mw"] * ts["curtailment_active"]) * 24,
        "capex_usd": float(ts["capex_usd_cumulative"].iloc[-1]),
        **{column: float(ts[column].iloc[-1]) for column in CAPEX_COUNTERS},
        "compute_gpu_days": compute_gpu_days,
        "compute_flop": integral(ts, "compute_tflops") * 1e12 * SECONDS_PER_DAY,
        "binding_constraint": binding,
        "constraint_gpu_days": waits,
    }


def summarize(model: BuildOut) -> RunResult:
    ts = timeseries(model)
    return RunResult(
        scenario=model.scenario,
        seed=model.seed,
        kpis=kpis(model, ts),
        timeseries=ts,
        events=events(model),
        stages=stage_table(model),
    )
