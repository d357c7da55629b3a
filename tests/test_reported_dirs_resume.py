"""A results directory that `dcsim report` has written into stays a store: the documented
sequence `sweep; report; sweep` (and the same for an optimize study or a fleet study)
resumes instead of refusing the directory for holding `report.html`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dcsim.cli import main
from dcsim.errors import UserInputError
from dcsim.files import report_file
from dcsim.optimization import store as study_store

BASE = str(Path(__file__).resolve().parent.parent / "configs" / "meta-100k-h100.yaml")


def test_a_reported_sweep_resumes(tmp_path, capsys):
    experiment = tmp_path / "e.yaml"
    experiment.write_text(json.dumps({"base": BASE}))
    out = str(tmp_path / "out")
    sweep = ["sweep", str(experiment), "--executor", "serial", "--quiet", "--out", out]
    assert main(sweep) == 0
    assert main(["report", out]) == 0
    assert (Path(out) / "report.html").exists()
    assert main(sweep) == 0, capsys.readouterr().err


@pytest.mark.parametrize("name", ["report.html", "report.md", "report-fan-mw.png"])
def test_an_optimize_study_keeps_what_report_wrote(tmp_path, name):
    (tmp_path / name).write_text("x")
    study_store._check_owned(tmp_path)  # no error: the report is the study's own
    assert report_file(name)


def test_a_foreign_file_is_still_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(UserInputError, match=r"notes\.txt"):
        study_store._check_owned(tmp_path)
    assert not report_file("report.png.bak")
