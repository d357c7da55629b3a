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

from dcsim import critical_path
from dcsim.config.schema import Scenario
from dcsim.constraints import stranded_rows
from dcsim.sim.events import CARRIES, QUANTITIES, EventName
from dcsim.sim.ledger import CAPEX_COUNTERS, COLUMN, COUNTERS, GPU_STATES
from dcsim.sim.model import BuildOut
from dcsim.units import DAYS_PER_YEAR
from dcsim.version import __version__

SECONDS_PER_DAY = 86_400
#: The unit of each event's quantity: the typed column of events.parquet it goes to.
UNIT_OF = {name: quantity for name, (quantity, _) in CARRIES.items()}
#: Columns of ``stage_waits.parquet``: days each stage waited on each constraint class.
STAGE_WAIT_COLUMNS = {
    "stage": "the stage (hall/number)",
    "constraint": "the constraint class it waited on (docs/model.md, Constraint classes)",
    "days": "days it waited on it, summed over its waits",
}

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
    critical_path: pd.DataFrame  # see dcsim.critical_path
    stage_waits: pd.DataFrame  # see stage_waits()


def levels(model: BuildOut) -> dict[str, np.ndarray]:
    """The time series as arrays: the state after the last event at each distinct time, and
    a closing row at the horizon. Each column is a contiguous array (a row of one table)."""
    horizon = model.scenario.horizon
    table = model.ledger.snapshots(closing=horizon)
    times = table[0]
    last_at_time = np.append(times[1:] != times[:-1], True)  # times never decrease
    table = table[:, last_at_time & (times <= horizon)]
    columns = {"day": table[0], **dict(zip(COUNTERS, table[1:], strict=True))}
    counts = ("gpus_ordered", *GPU_STATES)
    whole = table[[1 + COLUMN[name] for name in counts]].round().astype("int64")
    columns |= dict(zip(counts, whole, strict=True))
    columns["capex_usd_cumulative"] = sum(columns[name] for name in CAPEX_COUNTERS)
    return columns


def timeseries(model: BuildOut, columns: dict[str, np.ndarray]) -> pd.DataFrame:
    frame = pd.DataFrame(columns)
    frame.insert(0, "date", to_dates(model.scenario.start, frame["day"]))
    extra = [c for c in frame.columns if c not in TIMESERIES_COLUMNS]
    return frame[[*TIMESERIES_COLUMNS, *extra]]


def to_dates(start: dt.date, days: pd.Series) -> pd.Series:
    return pd.Timestamp(start) + pd.to_timedelta(days, unit="D")


def events(model: BuildOut) -> pd.DataFrame:
    """One row per event: when, what (:class:`~dcsim.sim.events.EventName`), which entity,
    and its quantity in the typed column of its unit (``gpus``, ``usd``, ``mw``, ``days``;
    null in the others). ``amount`` repeats that quantity, whatever its unit, for scripts
    written before the typed columns."""
    frame = pd.DataFrame(model.ledger.events, columns=("day", "event", "entity", "amount"))
    frame.insert(0, "date", to_dates(model.scenario.start, frame["day"]))
    amount = frame["amount"].to_numpy(dtype="float64")
    unit = np.array([UNIT_OF[event[1]] for event in model.ledger.events], dtype=object)
    for quantity in QUANTITIES:
        absent = unit != quantity
        values = np.where(absent, 0.0, amount)
        frame[quantity] = (
            pd.arrays.IntegerArray(values.round().astype("int64"), absent)
            if quantity == "gpus"
            else pd.arrays.FloatingArray(values, absent)
        )
    return frame


def stage_waits(model: BuildOut) -> pd.DataFrame:
    """What each stage waited on and for how long: one row per stage and constraint class
    with a wait, in plan order (see :meth:`dcsim.sim.stranded.StrandedAccount.waited`)."""
    order = {stage.name: stage.index for stage in model.stages}
    waits = sorted(model.stranded.stage_days.items(), key=lambda item: order[item[0][0]])
    rows = [
        {"stage": stage, "constraint": constraint, "days": days}
        for (stage, constraint), days in waits
        if days > 0
    ]
    return pd.DataFrame(rows, columns=list(STAGE_WAIT_COLUMNS))


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


def kpis(model: BuildOut, ts: dict[str, np.ndarray]) -> dict[str, Any]:
    scenario = model.scenario
    days = ts["day"]
    durations = np.diff(days)

    def integral(values: str | np.ndarray) -> float:
        """Integral over time (in days) of a step function given at the row times."""
        values = ts[values] if isinstance(values, str) else values
        return float((values[:-1] * durations).sum())

    def date_of(day: float | None) -> str | None:
        return None if day is None else (scenario.start + dt.timedelta(days=day)).isoformat()

    energized = ts["gpus_energized"]
    planned = model.planned_gpus
    first_power, half_day, ninety_day, full_day = first_days(  # GPU counts are whole
        days, energized, [1, 0.5 * planned, 0.9 * planned, planned]
    )
    economics = scenario.economics
    energy_mwh = integral("facility_mw") * 24
    bridging_mwh = integral("bridging_mw") * 24
    grid_mwh = energy_mwh - bridging_mwh
    compute_gpu_days = integral("gpus_energized")
    failed_gpu_days = integral("gpus_failed")
    waits = {k: round(v, 3) for k, v in model.waits.items()}
    ranked = {row: waits[row] for row in stranded_rows()}  # not the split-out parts
    binding = max(ranked, key=ranked.get) if max(ranked.values()) > 0 else "none"
    return {
        "scenario": scenario.name,
        "seed": model.seed,
        "dcsim_version": __version__,
        "start_date": scenario.start.isoformat(),
        "horizon_days": scenario.horizon,
        "gpus_planned": planned,
        "first_power_date": date_of(first_power),
        "date_50pct_gpus": date_of(half_day),
        "date_90pct_gpus": date_of(ninety_day),
        "full_cluster_date": date_of(full_day),
        "days_to_full_cluster": full_day,
        "peak_facility_mw": float(ts["facility_mw"].max()),
        "peak_it_mw": float(ts["it_mw"].max()),
        "peak_deliverable_mw": float(ts["deliverable_mw"].max()),
        "gpus_ordered": int(ts["gpus_ordered"][-1]),
        "gpus_energized_final": int(energized[-1]),
        "stranded_gpu_days": integral(ts["gpus_warehouse"] + ts["gpus_installed"]),
        "stranded_capex_usd_years": integral("dark_chip_value_usd") / DAYS_PER_YEAR,
        "energy_mwh": energy_mwh,
        "grid_energy_mwh": grid_mwh,
        "electricity_cost_usd": grid_mwh * economics.electricity_price,
        "bridging_mwh": bridging_mwh,
        "bridging_fuel_cost_usd": integral("bridging_fuel_usd_per_h") * 24,
        "emissions_t_co2": grid_mwh * economics.grid_emissions
        + integral("bridging_t_co2_per_h") * 24,
        "gpu_failures": sum(1 for event in model.ledger.events if event[1] == EventName.GPU_FAILED),
        "gpu_availability": (
            compute_gpu_days / (compute_gpu_days + failed_gpu_days)
            if compute_gpu_days + failed_gpu_days > 0
            else None
        ),
        "stage_hours_shed": integral("stages_shed") * 24,
        "shed_mwh": integral("shed_mw") * 24,
        "curtailed_mwh": integral(ts["shed_mw"] * ts["curtailment_active"]) * 24,
        "capex_usd": float(ts["capex_usd_cumulative"][-1]),
        **{column: float(ts[column][-1]) for column in CAPEX_COUNTERS},
        "compute_gpu_days": compute_gpu_days,
        "compute_flop": integral("compute_tflops") * 1e12 * SECONDS_PER_DAY,
        "binding_constraint": binding,
        "constraint_gpu_days": waits,
        "date_set_by": critical_path.set_by(critical_path.chain_to(model, full_day)),
    }


def first_days(days: np.ndarray, values: np.ndarray, levels: list[float]) -> list[float | None]:
    """The first row time at which ``values`` reach each level, or None: where their running
    maximum first does, found for every level by one binary search."""
    peak = np.maximum.accumulate(values)
    rows = np.searchsorted(peak, levels).tolist()
    return [float(days[row]) if row < len(days) else None for row in rows]


def target_days(ts: dict[str, np.ndarray], planned: int) -> dict[str, float | None]:
    """The day each critical-path target (the full cluster, half the GPUs) is first
    reached."""
    full, half = first_days(ts["day"], ts["gpus_energized"], [planned, 0.5 * planned])
    return {"full_cluster": full, "50pct_gpus": half}


def summarize(model: BuildOut) -> RunResult:
    columns = levels(model)
    return RunResult(
        scenario=model.scenario,
        seed=model.seed,
        kpis=kpis(model, columns),
        timeseries=timeseries(model, columns),
        events=events(model),
        stages=stage_table(model),
        critical_path=critical_path.table(model, target_days(columns, model.planned_gpus)),
        stage_waits=stage_waits(model),
    )
