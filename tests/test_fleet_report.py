"""``dcsim report`` of a fleet directory: headline, figures with units, queue funnel and
site table, through the real command line."""

import pytest
from test_fleet_cli import FLEET, write

from dcsim.cli import main
from dcsim.plots.fleet import (
    fleet_levels,
    funnel,
    plot_energized_by_region,
    plot_gpus_by_chip,
    plot_queue_funnel,
)
from dcsim.report.detect import load_fleet


@pytest.fixture(scope="module")
def fleet_dir(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fleet-report")
    assert main(["fleet", str(write(tmp, FLEET)), "--out", str(tmp / "out")]) == 0
    return tmp / "out"


def test_report_of_a_fleet_directory(cli, fleet_dir):
    done = cli("report", fleet_dir)
    assert done.returncode == 0, done.stderr
    html = (fleet_dir / "report.html").read_text()
    for figure in ("fleet-energized-by-region", "fleet-gpus-by-chip", "fleet-queue-funnel"):
        assert f'id="{figure}"' in html
    kpis = load_fleet(fleet_dir).kpis
    energized, planned = kpis["gpus_energized_final"], kpis["gpus_planned"]
    assert f"has {energized:,} of {planned:,} planned GPUs energized" in html
    assert "GW requested in 1 queue(s)" in html
    for site in ("q", "t-1", "t-2", "t-3"):
        assert f"<td>{site}</td>" in html
    markdown = cli("report", fleet_dir, "--markdown")
    assert markdown.returncode == 0, markdown.stderr
    assert "## Sites" in (fleet_dir / "report.md").read_text()


def test_funnel_matches_the_queue_statistics(fleet_dir):
    fleet = load_fleet(fleet_dir)
    table = funnel(fleet.requests, fleet.horizon_day).loc["east"]
    east = fleet.regions.set_index("region").loc["east"]  # cohort_end: the horizon
    assert table["requested"] == pytest.approx(east.requested_gw)
    assert table["withdrawn"] == pytest.approx(east.withdrawn_gw)
    assert table["in operation"] == pytest.approx(east.operating_gw)
    assert table["requested"] >= table["studied"] >= table["in operation"] > 0


def test_every_axis_says_its_unit(fleet_dir):
    fleet = load_fleet(fleet_dir)
    for ax in (
        plot_energized_by_region(fleet.timeseries),
        plot_gpus_by_chip(fleet.timeseries),
        plot_queue_funnel(fleet.requests, fleet.horizon_day),
    ):
        labels = [ax.get_xlabel(), ax.get_ylabel()]
        assert any("(GW)" in label or "(count)" in label for label in labels), labels
        assert all(labels), labels


def test_regions_read_on_one_grid_add_up_to_the_fleet(fleet_dir):
    fleet = load_fleet(fleet_dir)
    last = fleet.timeseries.groupby("region").last()
    levels = fleet_levels(fleet.timeseries, "facility_gw")
    assert list(levels.columns) == list(last.index)
    assert levels.iloc[-1].to_dict() == pytest.approx(last.facility_gw.to_dict())
    assert levels.index.is_monotonic_increasing and levels.notna().all().all()
