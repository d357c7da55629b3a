"""Sweep figures and the sweep report, on a small sweep directory built from real runs in
the layout ``dcsim sweep`` writes (runs.parquet, manifest.json, timeseries/, tornado.json,
sobol.json)."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import pytest

from dcsim.api import simulate
from dcsim.config import load_scenario
from dcsim.plots import sweep as plots
from dcsim.report import load, write_report
from dcsim.runtime.worker import flatten

CONFIG = Path(__file__).parents[1] / "configs" / "meta-100k-h100.yaml"
CREWS = {0: 2, 1: 6}  # point -> installation.crews
REPLICATIONS = 3


def make_sweep_dir(out: Path) -> Path:
    base = load_scenario(CONFIG)
    rows = []
    for point, crews in CREWS.items():
        scenario = base.model_copy(
            update={"installation": base.installation.model_copy(update={"crews": crews})}
        )
        for replication in range(REPLICATIONS):
            result = simulate(scenario, seed=7, replication=replication)
            rows.append(
                {
                    "point": point,
                    "replication": replication,
                    "seed": 7,
                    "installation.crews": crews,
                    **flatten(result.kpis),
                    "status": "ok",
                    "error": None,
                    "wall_seconds": 0.03,
                }
            )
            part = out / "timeseries" / f"point={point}" / f"replication={replication}.parquet"
            part.parent.mkdir(parents=True, exist_ok=True)
            result.timeseries.to_parquet(part, index=False)
    rows.append(
        {
            "point": 1,
            "replication": REPLICATIONS,
            "seed": 7,
            "installation.crews": 6,
            "status": "error",
            "error": "ValueError: boom",
            "wall_seconds": 0.0,
        }
    )
    pd.DataFrame(rows).to_parquet(out / "runs.parquet", index=False)
    manifest = {
        "root_seed": 7,
        "design": {"type": "grid", "parameters": ["installation.crews"]},
        "experiment": {"base": str(CONFIG)},
        "versions": {"dcsim": "0.1.0"},
    }
    (out / "manifest.json").write_text(json.dumps(manifest))
    bar = {
        "parameter": "installation.crews",
        "low": 2,
        "high": 6,
        "unit": None,
        "kpi_low": 640.0,
        "kpi_high": 600.0,
        "swing": 40.0,
    }
    tornado = {
        "replications": 3,
        "kpis": {
            "days_to_full_cluster": {"base": 617.0, "parameters": [bar]},
            "capex_usd": {
                "base": 5e9,
                "parameters": [{**bar, "swing": 0.0, "kpi_low": 5e9, "kpi_high": 5e9}],
            },
        },
    }
    (out / "tornado.json").write_text(json.dumps(tornado))
    indices = {"S1": 0.6, "S1_conf": 0.1, "ST": 0.8, "ST_conf": 0.12}
    sobol = {
        "base_samples": 8,
        "points": 32,
        "replications": 2,
        "kpis": {
            "days_to_full_cluster": {
                "parameters": {
                    "installation.crews": indices,
                    "halls.0.pue": {k: v / 4 for k, v in indices.items()},
                }
            },
            "energy_mwh": {"error": "constant over the design: nothing to apportion"},
        },
    }
    (out / "sobol.json").write_text(json.dumps(sobol))
    return out


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    return load(make_sweep_dir(tmp_path_factory.mktemp("sweep")))


def test_sweep_dir_is_detected_with_its_parts(sweep):
    assert sweep.parameters == ["installation.crews"]
    assert len(sweep.ok) == len(CREWS) * REPLICATIONS
    assert set(sweep.timeseries["point"]) == set(CREWS)
    assert "days_to_full_cluster" in sweep.kpis and "seed" not in sweep.kpis


def test_daily_quantiles_read_steps_on_a_daily_grid(sweep):
    bands = plots.daily_quantiles(sweep.timeseries, "gpus_energized")
    assert (np.diff(bands.index.to_numpy()) == np.timedelta64(1, "D")).all()
    for point in CREWS:
        low, mid, high = (bands[point, q].to_numpy() for q in plots.BAND)
        assert (low <= mid).all() and (mid <= high).all()
        assert mid[0] == 0 and mid[-1] == 100_000
    # a step function read on the grid: the value in force at each midnight
    run = sweep.timeseries.query("point == 0 and replication == 0").sort_values("date")
    day = bands.index[400]
    expected = run.loc[run["date"] <= day, "gpus_energized"].iloc[-1]
    one = plots.daily_quantiles(
        sweep.timeseries.query("point == 0 and replication == 0"), "gpus_energized"
    )
    assert one.loc[day, (0, 0.5)] == expected


def test_fan_chart_has_a_band_and_a_median_per_point(sweep):
    ax = plots.plot_fan(sweep.timeseries, "facility_mw", ylabel="energized facility load (MW)")
    assert len(ax.collections) == len(CREWS)
    assert len(ax.get_lines()) == len(CREWS)
    assert "(MW)" in ax.get_ylabel()
    assert isinstance(ax.xaxis.get_major_formatter(), mdates.ConciseDateFormatter)
    assert ax.get_legend() is not None


def test_cdf_counts_runs_that_did_not_finish(sweep):
    runs = sweep.ok.copy()
    runs.loc[runs.index[0], "full_cluster_date"] = None
    ax = plots.plot_date_cdf(runs)
    tops = sorted(line.get_ydata()[-1] for line in ax.get_lines())
    assert tops == pytest.approx([2 / 3, 1.0])
    assert isinstance(ax.xaxis.get_major_formatter(), mdates.ConciseDateFormatter)
    assert "share of runs" in ax.get_ylabel()


def test_kpi_distribution_has_one_box_per_point(sweep):
    ax = plots.plot_kpi_distribution(sweep.ok, "days_to_full_cluster")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["point 0", "point 1"]
    assert ax.get_xlabel() == "days_to_full_cluster (days)"


def test_tornado_and_sobol_bars(sweep):
    entry = sweep.tornado["kpis"]["days_to_full_cluster"]
    ax = plots.plot_tornado(entry, "days_to_full_cluster")
    assert len(ax.patches) == 2  # low and high bar of the one parameter
    assert any("base" in t.get_text() for t in ax.get_legend().get_texts())
    ax = plots.plot_sobol(sweep.sobol["kpis"]["days_to_full_cluster"], "days_to_full_cluster")
    assert len(ax.patches) == 4  # S1 and ST for two parameters
    assert "index" in ax.get_xlabel()


def test_a_date_tornado_is_drawn_on_dates():
    entry = {
        "base": 100.0,
        "unit": "days since the scenario start",
        "start": "2025-01-01",
        "base_date": "2025-04-11",
        "parameters": [
            {"parameter": "p", "low": 1, "high": 2, "unit": "", "kpi_low": 40.0,
             "kpi_high": 300.0, "swing": 260.0},
        ],
    }  # fmt: skip
    ax = plots.plot_tornado(entry, "full_cluster_date")
    ax.figure.canvas.draw()
    assert ax.get_xlabel() == "full_cluster_date (date)"
    # Day 100 after the start is on the axis as 2025-04-11, and every tick is the first of
    # a month (the swing spans 2025-02-10 to 2025-10-28).
    import matplotlib.dates as mdates

    assert mdates.num2date(ax.lines[0].get_xdata()[0]).date().isoformat() == "2025-04-11"
    low, high = ax.get_xlim()
    inside = [mdates.num2date(x).date() for x in ax.get_xticks() if low <= x <= high]
    assert inside and all(t.day == 1 for t in inside), inside
    assert any(t.get_text() == "base 2025-04-11" for t in ax.get_legend().get_texts())
    sobol = {"unit": "days since the scenario start", "parameters": {"p": dict.fromkeys(
        ("S1", "S1_conf", "ST", "ST_conf"), 0.5)}}  # fmt: skip
    assert "days since the scenario start" in plots.plot_sobol(sobol, "x").get_title()


def test_scatter_against_a_parameter(sweep):
    ax = plots.plot_kpi_scatter(sweep.ok, "days_to_full_cluster", "installation.crews")
    assert len(ax.collections[0].get_offsets()) == len(sweep.ok)
    assert ax.get_xlabel() == "installation.crews"
    assert ax.get_legend() is not None


def test_sweep_report(sweep, tmp_path):
    html = write_report(sweep.path, out=tmp_path / "sweep.html").read_text()
    # 2 fans, CDF, 3 boxes, 2 tornados, 1 sobol (the other KPI has an error), 1 scatter
    assert html.count('<img src="data:image/png;base64,') == 10
    assert "constant over the design" in html
    assert "crews=6" in html and "(1 failed)" in html and "3/4" in html
    assert "Wood Mackenzie" in html  # the base scenario's sources, found via the manifest
    assert "root seed 7" in html
    assert "http://" not in html and "https://" not in html
