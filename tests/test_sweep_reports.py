"""Reports of real small sweeps, a grid and a Sobol design: every design point is shown,
named by its values; legend and table counts agree with the runs; the title names the
experiment and the assumptions show the experiment's own values."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from dcsim.plots import sweep as plots
from dcsim.report import load
from dcsim.report.document import build
from dcsim.report.html import to_html
from dcsim.runtime.store import Store
from dcsim.sweeps.experiment import MAIN_KPIS, experiment_from_dict
from dcsim.sweeps.runner import run_sweep
from dcsim.sweeps.sensitivity import sobol
from tests.conftest import DEFAULT_CONFIG

DELAYS = ["0 months", "6 months", "12 months"]
CREWS = [2, 4, 6]
GRID = {
    "base": str(DEFAULT_CONFIG),
    "description": "Grid slip against installation crews",
    "set": {"economics": {"electricity_price": "90 USD/MWh"}},
    "design": {
        "type": "grid",
        "parameters": {
            "grid.interconnects.0.schedule.2.delay": DELAYS,
            "installation.crews": CREWS,
        },
    },
    "replications": 2,
}
SOBOL = {
    "base": str(DEFAULT_CONFIG),
    "description": "What drives the date: a late shell or a hall PUE",
    "set": {
        "halls.3.shell_time": {
            "dist": "triangular",
            "low": "6 months",
            "mode": "10 months",
            "high": "20 months",
        }
    },
    "design": {
        "type": "sobol",
        "samples": 4,
        "parameters": {
            "halls.3.shell_time.mode": {"low": 8, "high": 16, "unit": "months"},
            "halls.0.pue": {"low": 1.05, "high": 1.3},
        },
    },
    "replications": 1,
}
REACHED = re.compile(r"^(?P<label>.*) \((?P<k>\d+)/(?P<n>\d+) reached\)$")


@pytest.fixture(scope="module")
def grid(tmp_path_factory):
    out = tmp_path_factory.mktemp("grid")
    run_sweep(experiment_from_dict(GRID, "grid"), out, executor="serial", timeseries=True)
    return load(out)


@pytest.fixture(scope="module")
def sobol_sweep(tmp_path_factory):
    out = tmp_path_factory.mktemp("sobol")
    result = run_sweep(experiment_from_dict(SOBOL, "sobol"), out, executor="serial")
    Store(out).write_json("sobol.json", sobol(result))
    return load(out)


@pytest.fixture(scope="module")
def grid_report(grid):
    return build(grid, DEFAULT_CONFIG)


def legend_counts(ax) -> dict[str, tuple[int, int]]:
    found = {}
    for text in ax.get_legend().get_texts():
        match = REACHED.match(text.get_text())
        assert match, text.get_text()
        found[match["label"]] = (int(match["k"]), int(match["n"]))
    return found


def test_grid_report_shows_every_point_by_its_values(grid, grid_report):
    report = grid_report
    runs = grid.runs
    assert report.title == "dcsim sweep report: Grid slip against installation crews"
    assert len(report.kpi_rows) == runs["point"].nunique() == len(DELAYS) * len(CREWS)
    labels = [row[0] for row in report.kpi_rows]
    assert labels == [f"delay={d}, crews={c}" for d in DELAYS for c in CREWS]
    for row, (_, group) in zip(report.kpi_rows, runs.groupby("point"), strict=True):
        ok = (group["status"] == "ok").sum()
        assert row[1] == f"{ok}/{len(group)}"
    header = report.kpi_header
    assert "capex_usd (B USD)" in header and "days_to_full_cluster (days)" in header


def test_cdf_legend_counts_the_runs_that_reached_it(grid):
    ok = grid.ok.copy()
    ok.loc[ok.index[0], "full_cluster_date"] = None  # one run of point 0 never gets there
    labels = plots.point_labels(grid.runs, grid.parameters)
    counts = legend_counts(plots.plot_date_cdf(ok, labels=labels))
    assert len(counts) == len(labels)
    for point, group in ok.groupby("point"):
        reached = int(group["full_cluster_date"].notna().sum())
        assert counts[labels[point]] == (reached, len(group))
    assert counts[labels[0]][0] == counts[labels[0]][1] - 1


def test_scatter_medians_follow_the_values_not_their_text(grid):
    parameter = "grid.interconnects.0.schedule.2.delay"
    ax = plots.plot_kpi_scatter(grid.ok, "days_to_full_cluster", parameter)
    assert [t.get_text() for t in ax.get_xticklabels()] == DELAYS
    medians = ax.get_lines()[0]
    assert list(medians.get_xdata()) == [0, 1, 2]
    expected = grid.ok.groupby(parameter)["days_to_full_cluster"].median()
    assert list(medians.get_ydata()) == pytest.approx([expected[d] for d in DELAYS])


def test_box_plot_has_a_labelled_box_per_point(grid):
    labels = plots.point_labels(grid.runs, grid.parameters)
    ax = plots.plot_kpi_distribution(grid.ok, "capex_usd", labels=labels)
    assert [t.get_text() for t in ax.get_yticklabels()] == list(labels.values())
    assert ax.get_xlabel() == "capex_usd (B USD)"


def test_assumptions_show_the_experiments_values(grid_report):
    rows = {a.what: a for a in grid_report.assumptions}
    price = rows["economics"]
    assert price.value == "electricity_price 90 USD/MWh"
    assert price.source == "set by the experiment"
    assert "economics.electricity_price" not in rows  # the default's source no longer applies
    assert "EIA" in rows["economics.grid_emissions"].source  # still the default
    delay = rows["grid.interconnects[utility].schedule[].delay"]
    assert delay.value == ", ".join(DELAYS) and "swept" in delay.source


def test_grid_html_names_points_and_fits(grid_report):
    html = to_html(grid_report)
    assert "delay=12 months, crews=6" in html
    assert 'class="wide"' in html  # the KPI table scrolls inside the page, never past it
    # one box per KPI the experiment computes (its default list, every one numeric)
    assert html.count('id="sweep-box-') == len(MAIN_KPIS)


def test_sobol_report_pools_a_large_design(sobol_sweep):
    report = build(sobol_sweep, DEFAULT_CONFIG)
    ok, runs = sobol_sweep.ok, sobol_sweep.runs
    assert runs["point"].nunique() > plots.MAX_POINTS
    assert report.title == "dcsim sweep report: What drives the date: a late shell or a hall PUE"
    assert report.kpi_header[0] == "KPI"
    for kpi, _, _, count in report.kpi_rows:
        assert count == f"{ok[kpi].notna().sum()}/{len(ok)}"
    names = [p.name for p in report.figures]
    assert "sweep-sobol-days_to_full_cluster" in names
    assert not any(n.startswith(("sweep-box-", "sweep-fan-")) for n in names)
    counts = legend_counts(plots.plot_date_cdf(ok, pooled=True))
    assert counts == {"all runs": (int(ok["full_cluster_date"].notna().sum()), len(ok))}


def test_point_labels_fall_back_to_indices_and_keep_names_apart():
    runs = pd.DataFrame({"point": [0, 1]})
    assert plots.point_labels(runs, []) == {0: "point 0", 1: "point 1"}
    assert plots.short_names(["halls.0.pue", "halls.1.pue", "installation.crews"]) == {
        "halls.0.pue": "0.pue",
        "halls.1.pue": "1.pue",
        "installation.crews": "crews",
    }


def test_scatter_over_a_sampled_range_shows_a_trend_not_a_zigzag(sobol_sweep):
    ok = sobol_sweep.ok
    parameter = "halls.3.shell_time.mode"
    ax = plots.plot_kpi_scatter(ok, "days_to_full_cluster", parameter, unit="months", sampled=True)
    trend = ax.get_lines()[0]
    assert trend.get_label() == "median per eighth of the runs"
    assert len(trend.get_xdata()) <= 8 and list(trend.get_xdata()) == sorted(trend.get_xdata())
    assert ax.get_xlabel() == "halls.3.shell_time.mode (months)"


def test_grid_report_gives_the_criticality_index_of_every_point(grid, grid_report):
    """One row per design point, its runs, and shares that each add up to 100%: every run
    that reached the full cluster has exactly one kind that set its date."""
    why = grid_report.why
    assert why is not None
    labels = [row[0] for row in why.chain_rows]
    assert labels == [f"delay={d}, crews={c}" for d in DELAYS for c in CREWS]
    reached = grid.ok.groupby("point")["date_set_by"].count()
    for row, count in zip(why.chain_rows, reached, strict=True):
        assert row[1] == str(count)
        shares = [int(part.rsplit(" ", 1)[1].rstrip("%")) for part in row[2].split(", ")]
        assert abs(sum(shares) - 100) <= len(shares)  # rounding of each share


def test_boxes_and_scatters_show_the_kpis_the_experiment_names(tmp_path):
    """An experiment that asks for energy and a date gets a box and a scatter of energy, not
    the three defaults it did not ask for; the date is drawn by the CDF, not as a box."""
    named = {
        **GRID,
        "design": {"type": "grid", "parameters": {"installation.crews": [2, 6]}},
        "kpis": ["energy_mwh", "full_cluster_date"],
        "replications": 1,
    }
    run_sweep(experiment_from_dict(named, "named"), tmp_path, executor="serial")
    figures = build(load(tmp_path), DEFAULT_CONFIG).figures
    names = [p.name for p in figures]
    assert [n for n in names if n.startswith("sweep-box-")] == ["sweep-box-energy_mwh"]
    assert "sweep-cdf-full-cluster" in names
    scatters = [p.caption for p in figures if p.name.startswith("sweep-scatter-")]
    assert scatters == [
        "energy_mwh against installation.crews, every run; the line joins the medians."
    ]
