"""``dcsim compare``: named scenarios on common random numbers, deltas worked out by hand."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest
import yaml

from dcsim.compare import deltas, paired_runs, scenario_labels, wide
from tests.conftest import REPO, tiny, tiny_dict


def _runs(label: str, dates: list[str | None], dark: list[float]) -> list[dict]:
    return [
        {
            "scenario": label,
            "replication": r,
            "first_power_date": "2026-01-01",
            "full_cluster_date": date,
            "stranded_gpu_days": gpu_days,
            "stranded_capex_usd_years": 0.0,
            "capex_usd": 1.0,
            "spend_usd": 2.0,
        }
        for r, (date, gpu_days) in enumerate(zip(dates, dark, strict=True))
    ]


def test_deltas_by_hand() -> None:
    """Five replications: P50 is the third date of each; the paired dark GPU-days differ
    by 10, 10, 10, 40, -5, so their median change is 10 (not the 15 between medians)."""
    ref = _runs(
        "on-time",
        ["2027-01-01", "2027-01-11", "2027-01-21", "2027-01-31", "2027-02-10"],
        [100, 200, 300, 400, 500],
    )
    slip = _runs(
        "slip",
        ["2027-03-01", "2027-04-01", "2027-05-01", "2027-06-01", None],
        [110, 210, 310, 440, 495],
    )
    table = deltas(pd.DataFrame(ref + slip)).set_index(["kpi", "statistic", "scenario"])
    p50 = table.loc[("full_cluster_date", "P50", "slip")]
    assert p50["value"] == "2027-05-01"
    assert p50["delta"] == (pd.Timestamp("2027-05-01") - pd.Timestamp("2027-01-21")).days
    # P90 of five runs lands on the fifth, which never reached the full cluster.
    assert table.loc[("full_cluster_date", "P90", "slip"), "value"] is None
    assert table.loc[("full_cluster_date", "P90", "slip"), "delta"] == math.inf
    assert table.loc[("stranded_gpu_days", "median", "slip"), "delta"] == 10
    assert table.loc[("stranded_gpu_days", "median", "slip"), "value"] == 310
    assert pd.isna(table.loc[("stranded_gpu_days", "median", "on-time"), "delta"])


def test_a_fixed_slip_moves_every_quantile_by_exactly_the_slip() -> None:
    """The tiny campus energizes nothing before its 30 MW step (a stage needs 12.5 MW);
    every duration is fixed, so a 30-day slip of that step moves every quantile of both
    dates by exactly 30 days."""
    slipped = tiny(**{"grid.interconnects.0.schedule.1.delay": "30 days"})
    runs = paired_runs({"on-time": tiny(), "slip": slipped}, seed=0, replications=3)
    table = deltas(runs)
    dates = table[(table["scenario"] == "slip") & table["kpi"].str.endswith("_date")]
    assert list(dates["delta"]) == [30.0] * 6


def test_a_scenario_against_itself_changes_nothing() -> None:
    """Common random numbers: the same scenario twice gives the same draws, so every delta
    is zero even with random durations (the campus config has many)."""
    from dcsim.config import load_scenario

    scenario = load_scenario(REPO / "configs" / "campus-n1-gb200.yaml")
    table = deltas(paired_runs({"a": scenario, "b": scenario}, seed=3, replications=4))
    assert (table[table["scenario"] == "b"]["delta"] == 0).all()


def test_the_wide_table_has_a_delta_column_per_compared_scenario() -> None:
    ref = _runs("a", ["2027-01-01"], [1e6])
    other = _runs("b", ["2027-01-31"], [3e6])
    header, rows = wide(deltas(pd.DataFrame(ref + other)))
    assert header == ["measure", "statistic", "a", "b", "Δ b"]
    by_measure = {(row[0], row[1]): row for row in rows}
    assert by_measure[("full cluster", "P50")][2:] == ["2027-01-01", "2027-01-31", "+30 days"]
    assert by_measure[("dark GPU-days", "median")][4] == "+2.00 M GPU-days"


def test_labels_default_to_names_and_stay_distinct() -> None:
    assert scenario_labels(["x", "y", "x"]) == ["x", "y", "x-2"]
    assert scenario_labels(["x", "x"], ["on-time", "slip"]) == ["on-time", "slip"]


def test_compare_through_the_cli(cli, tmp_path: Path) -> None:
    base = tmp_path / "tiny.yaml"
    base.write_text(yaml.safe_dump(tiny_dict()), encoding="utf-8")
    slip = tmp_path / "slip.yaml"
    late = tiny_dict(**{"grid.interconnects.0.schedule.1.delay": "30 days", "name": "slip"})
    slip.write_text(yaml.safe_dump(late), encoding="utf-8")
    out = tmp_path / "cmp"
    done = cli("compare", base, slip, "--replications", "2", "--out", out)
    assert done.returncode == 0, done.stderr
    assert "slip: full cluster 30 days later at P50" in " ".join(done.stdout.split())
    for name in ("compare.parquet", "compare.json", "report.html"):
        assert (out / name).is_file()
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Δ slip" in html and "compare-full-cluster-cdf" in html
    (out / "report.html").unlink()
    reopened = cli("report", out)  # the directory reopens: the same report again
    assert reopened.returncode == 0, reopened.stderr
    assert "Δ slip" in (out / "report.html").read_text(encoding="utf-8")
    again = cli("compare", base, slip, "--out", out)
    assert again.returncode == 2 and "--force" in again.stderr
    as_json = cli("compare", base, slip, "--name", "A", "--name", "B", "--replications", "1",
                  "--json")  # fmt: skip
    assert as_json.returncode == 0, as_json.stderr
    records = json.loads(as_json.stdout)["table"]
    assert {r["scenario"] for r in records} == {"A", "B"}


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        (["--name", "only-one"], "--name: 1 label(s) for 2"),
        (["--replications", "0"], "--replications 0"),
        (["--name", "x", "--name", "x"], "labels must differ"),
    ],
)
def test_compare_refuses_in_one_line(cli, tmp_path: Path, extra: list[str], says: str) -> None:
    base = tmp_path / "tiny.yaml"
    base.write_text(yaml.safe_dump(tiny_dict()), encoding="utf-8")
    done = cli("compare", base, base, *extra)
    assert done.returncode == 2
    assert says in done.stderr and len(done.stderr.strip().splitlines()) == 1


@pytest.mark.filterwarnings("error")
def test_the_paired_delay_box_leaves_out_runs_that_never_reached_without_a_warning() -> None:
    """A replication where neither scenario reached the full cluster has no delay (inf -
    inf): it is left out of the box, and the user sees no numpy warning about it."""
    from dcsim.report.compare import plot_paired_delay

    ref = _runs("on-time", ["2027-01-01", "2027-01-11", None], [1, 2, 3])
    slip = _runs("slip", ["2027-01-31", "2027-02-10", None], [1, 2, 3])
    ax = plot_paired_delay(pd.DataFrame(ref + slip), ["on-time", "slip"])
    assert ax.get_yticklabels()[0].get_text() == "slip"
    medians = [line.get_xdata()[0] for line in ax.lines if len(set(line.get_xdata())) == 1]
    assert 30.0 in medians  # both reached runs slipped 30 days; the third is left out
