"""Named sweep points (``design: {type: points}``): every table and figure calls a point by
its label, not by its values (issue 23, defect 3: a whole utility schedule as raw JSON)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from dcsim.plots.sweep import point_labels
from dcsim.sweeps.experiment import experiment_from_dict
from dcsim.sweeps.plan import make_plan
from tests.conftest import tiny_dict

SCHEDULE = [
    {"date": "2025-01-11", "capacity": "10 MW"},
    {"date": "2025-04-01", "capacity": "30 MW"},
]


def _experiment(tmp_path: Path, points: list[dict]) -> Path:
    base = tmp_path / "tiny.yaml"
    base.write_text(yaml.safe_dump(tiny_dict()), encoding="utf-8")
    path = tmp_path / "named.yaml"
    data = {"base": str(base), "design": {"type": "points", "points": points}}
    path.write_text(yaml.safe_dump({**data, "replications": 2}), encoding="utf-8")
    return path


POINTS = [
    {"label": "on-time"},
    {"label": "slip-4wk", "set": {"grid.interconnects.0.schedule": SCHEDULE}},
]


def test_points_plan_their_overrides_and_label_column(tmp_path: Path) -> None:
    raw = yaml.safe_load(_experiment(tmp_path, POINTS).read_text())
    plan = make_plan(experiment_from_dict(raw, "named.yaml"))
    assert plan.parameters == ["label"]
    assert plan.columns == {"label": ["on-time", "slip-4wk"]}
    assert plan.scenarios[1]["grid"]["interconnects"][0]["schedule"] == SCHEDULE
    assert plan.scenarios[0]["grid"] == tiny_dict()["grid"]


def test_labels_name_the_points() -> None:
    runs = pd.DataFrame({"point": [0, 0, 1], "label": ["on-time", "on-time", "slip-4wk"]})
    assert point_labels(runs, ["label"]) == {0: "on-time", 1: "slip-4wk"}


def test_a_named_sweep_through_the_cli(cli, tmp_path: Path) -> None:
    experiment = _experiment(tmp_path, POINTS)
    out = tmp_path / "out"
    done = cli("sweep", experiment, "--out", out)
    assert done.returncode == 0, done.stderr
    assert "slip-4wk" in done.stdout and "{" not in done.stdout
    runs = pd.read_parquet(out / "runs.parquet")
    assert set(runs["label"]) == {"on-time", "slip-4wk"}
    # the slip moves the 30 MW step from 2025-03-02 to 2025-04-01: 30 days later
    days = runs.groupby("label")["days_to_full_cluster"].first()
    assert days["slip-4wk"] - days["on-time"] == 30
    report = cli("report", out)
    assert report.returncode == 0, report.stderr
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "slip-4wk" in html and "2025-04-01" not in html.split("Assumptions")[0]


def test_duplicate_labels_are_refused_in_one_line(cli, tmp_path: Path) -> None:
    experiment = _experiment(tmp_path, [{"label": "a"}, {"label": "a"}])
    done = cli("validate", experiment)
    assert done.returncode == 2
    assert "point labels must differ" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
