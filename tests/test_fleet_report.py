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


def test_a_fleet_changing_on_more_dates_than_a_figure_shows_is_read_on_fewer(tmp_path):
    """Beyond MAX_DATES change dates, the levels are read on that many evenly spaced dates
    from the first change to the last, each the level after the region's last change at
    or before it (worked out here with pandas' as-of merge), and the fleet total agrees."""
    import numpy as np
    import pandas as pd

    from dcsim.plots.fleet import MAX_DATES, fleet_total

    rng = np.random.default_rng(7)
    frames = []
    for region in ("a", "b", "c"):
        seconds = np.sort(rng.choice(10 * 365 * 86400, size=MAX_DATES, replace=False))
        dates = pd.Timestamp("2023-01-01") + pd.to_timedelta(seconds, unit="s")
        frames.append(
            pd.DataFrame({"date": dates, "region": region, "facility_gw": rng.random(MAX_DATES)})
        )
    timeseries = pd.concat(frames, ignore_index=True)
    levels = fleet_levels(timeseries, "facility_gw")
    assert len(levels) == MAX_DATES
    assert levels.index[0] == timeseries.date.min() and levels.index[-1] == timeseries.date.max()
    grid = pd.DataFrame({"date": levels.index})
    for frame in frames:
        region = frame.region.iloc[0]
        expected = pd.merge_asof(grid, frame, on="date").facility_gw.fillna(0.0)
        assert levels[region].to_numpy() == pytest.approx(expected.to_numpy())
    total = fleet_total(timeseries, "facility_gw")
    assert levels.iloc[-1].sum() == pytest.approx(total.iloc[-1])


def test_the_report_reads_the_columns_and_rows_it_shows(fleet_dir, tmp_path):
    """The site table's first rows, a row group at a time, and only the columns a figure or
    table of the report uses; the count of sites comes from the file's footer."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    from dcsim.report.detect import FLEET_READS, MAX_SITE_ROWS, _parquet

    fleet = load_fleet(fleet_dir)
    assert fleet.site_count == len(pd.read_parquet(fleet_dir / "sites.parquet"))
    assert "queue_gw" not in fleet.timeseries and "type" not in fleet.requests
    assert "gpus_energized_h100-sxm" in fleet.timeseries
    sites = pd.DataFrame(
        {"site": [f"s{n:03d}" for n in range(150)], "region": "r", "capex_usd": 1.0}
    )
    path = tmp_path / "sites.parquet"
    pq.write_table(pa.Table.from_pandas(sites), path, row_group_size=7)
    read = _parquet(path, FLEET_READS["sites"])
    assert list(read.columns) == ["site", "region"]
    assert read.site.tolist() == sites.site.head(MAX_SITE_ROWS).tolist()


def test_a_fleet_table_without_a_column_the_report_needs_is_one_line(fleet_dir, tmp_path, cli):
    import shutil

    import pandas as pd

    out = tmp_path / "fleet"
    shutil.copytree(fleet_dir, out)
    table = pd.read_parquet(out / "timeseries.parquet").drop(columns=["region"])
    table.to_parquet(out / "timeseries.parquet")
    done = cli("report", out)
    assert done.returncode == 2, done.stderr
    assert done.stderr == (
        f"error: {out / 'timeseries.parquet'}: no column 'region'; not what dcsim wrote\n"
    )
