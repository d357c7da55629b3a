"""Date KPIs in a sweep: an experiment may list ``full_cluster_date``, and the summary and
the printed table give its P10/P50/P90 as dates, not as missing values."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
from rich.console import Console

from dcsim.cli import main
from dcsim.sweeps.summary import print_table, summarize

BASE = str(Path(__file__).resolve().parent.parent / "configs" / "meta-100k-h100.yaml")


def test_date_quantiles_worked_by_hand():
    # Five runs that started 2025-01-01; one never reached the full cluster.
    runs = pd.DataFrame(
        {
            "point": [0] * 5,
            "status": ["ok"] * 5,
            "start_date": ["2025-01-01"] * 5,
            "full_cluster_date": ["2025-01-11", "2025-01-21", "2025-01-31", "2025-02-10", None],
        }
    )
    row = summarize(runs, ["full_cluster_date"], []).iloc[0]
    # Reached on days 10, 20, 30, 40: P10 = 10 + 0.3 * 10 = 13, P50 = 25, P90 = 37.
    assert (row["n"], row["runs"]) == (4, 5)
    assert (row["p10"], row["p50"], row["p90"], row["mean"]) == (13.0, 25.0, 37.0, 25.0)
    assert (row["p10_date"], row["p50_date"], row["p90_date"]) == (
        "2025-01-14",
        "2025-01-26",
        "2025-02-07",
    )
    console = Console(file=io.StringIO(), width=80)
    print_table(summarize(runs, ["full_cluster_date"], []), [], console)
    text = console.file.getvalue()
    assert "2025-01-14" in text and "2025-02-07" in text


def test_sensitivity_scores_a_date_kpi_as_mean_days_since_start():
    from dcsim.sweeps.sensitivity import point_means

    # Point 0 reaches day 10 and day 20 (mean 15); point 1 starts a month later and
    # reaches day 31 once and never once (mean 31, over the run that got there); a failed
    # run of point 1 does not count; point 2 has no run that got there.
    runs = pd.DataFrame(
        {
            "point": [0, 0, 1, 1, 1, 2],
            "status": ["ok", "ok", "ok", "ok", "failed", "ok"],
            "start_date": ["2025-01-01"] * 2 + ["2025-02-01"] * 3 + ["2025-01-01"],
            "full_cluster_date": [
                "2025-01-11",
                "2025-01-21",
                "2025-03-04",
                None,
                "2025-02-02",
                None,
            ],
        }
    )
    means = point_means(runs, "full_cluster_date", 3)
    assert means[:2].tolist() == [15.0, 31.0] and pd.isna(means[2])


def test_a_sweep_prints_date_kpis_as_dates(tmp_path, capsys):
    experiment = tmp_path / "e.yaml"
    experiment.write_text(
        json.dumps({"base": BASE, "kpis": ["first_power_date", "full_cluster_date"]})
    )
    out = str(tmp_path / "out")
    assert main(["sweep", str(experiment), "--executor", "serial", "--quiet", "--out", out]) == 0
    printed = capsys.readouterr().out
    runs = pd.read_parquet(Path(out) / "runs.parquet")
    summary = pd.read_parquet(Path(out) / "summary.parquet").set_index("kpi")
    for kpi in ("first_power_date", "full_cluster_date"):
        assert summary.loc[kpi, "p50_date"] == runs[kpi].iloc[0]
        assert runs[kpi].iloc[0] in printed
    # the report shows the date KPIs the experiment names once, not again beside its own
    assert main(["report", out]) == 0
    html = (Path(out) / "report.html").read_text()
    assert html.count("<th>full_<wbr>cluster_<wbr>date (date)</th>") == 1


def test_h100_equivalents_weigh_energized_gpus_by_dense_bf16():
    """GB200 2,500 / H100 989.4 dense BF16 TFLOP/s (the chip catalog): 72 energized GB200s
    and 10 H100s are 72 x 2.5268 + 10 = 191.93 H100-eq; a stage not energized counts 0."""
    from types import SimpleNamespace

    from dcsim.runtime.worker import h100_equivalents_energized

    stages = [
        SimpleNamespace(status="energized", bf16_tflops=72 * 2500.0),
        SimpleNamespace(status="energized", bf16_tflops=10 * 989.4),
        SimpleNamespace(status="waiting-power", bf16_tflops=1000 * 2500.0),
    ]
    got = h100_equivalents_energized(SimpleNamespace(stages=stages))
    assert abs(got - (72 * 2500 / 989.4 + 10)) < 1e-9


def test_a_sweep_adds_h100_equivalents_and_summarizes_them(tmp_path, capsys):
    experiment = tmp_path / "e.yaml"
    experiment.write_text(json.dumps({"base": BASE, "kpis": ["h100_equivalents_energized"]}))
    out = tmp_path / "out"
    assert (
        main(["sweep", str(experiment), "--executor", "serial", "--quiet", "--out", str(out)]) == 0
    )
    run = pd.read_parquet(out / "runs.parquet").iloc[0]
    assert run["h100_equivalents_energized"] == run["gpus_energized_final"]  # all H100 SXM
    assert "H100-eq" in capsys.readouterr().out
