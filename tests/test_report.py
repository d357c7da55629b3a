"""``dcsim report`` on a run directory: one self-contained HTML file, Markdown, bad input."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dcsim.api import simulate, write_run
from dcsim.errors import UserInputError
from dcsim.report import write_report, write_run_plots
from dcsim.report.assumptions import comment_sources
from dcsim.report.figures import RUN_FIGURES

CONFIG = Path(__file__).parents[1] / "configs" / "meta-100k-h100.yaml"
IMG = '<img src="data:image/png;base64,'


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    return write_run(simulate(CONFIG, seed=2), tmp_path_factory.mktemp("run"))


def test_html_report_is_self_contained(run_dir, tmp_path):
    path = write_report(run_dir, out=tmp_path / "r.html", config=CONFIG)
    html = path.read_text()
    assert html.count(IMG) == len(RUN_FIGURES) + 2  # and the power network, the gains
    assert 'id="run-network"' in html
    assert html.index('class="headline">First power on') < html.index("<th>KPI</th>")
    assert not re.search(r"(src|href)=\"https?://", html)
    assert "http://" not in html and "https://" not in html
    assert "<th>KPI</th>" in html and "full_cluster_date" in html
    assert "Wood Mackenzie" in html  # a scenario comment
    assert "EIA Electric Power Monthly" in html  # a schema default's source
    assert "NVIDIA DGX H100 datasheet" in html  # the chip catalog
    assert "seed 2" in html and "dcsim 0." in html


def test_scenario_beside_the_run_is_used_without_config(run_dir, tmp_path, monkeypatch):
    monkeypatch.setattr("dcsim.report.document.run_figures", lambda run, scenario: [])
    shutil.copytree(run_dir, tmp_path / "run")
    shutil.copy(CONFIG, tmp_path / "run" / "scenario.yaml")
    html = write_report(tmp_path / "run").read_text()
    assert "Wood Mackenzie" in html and "No scenario file" not in html


def test_markdown_report_writes_pngs_beside_it(run_dir, tmp_path):
    path = write_report(run_dir, out=tmp_path / "md" / "report.md", markdown=True)
    text = path.read_text()
    links = re.findall(r"!\[[^]]*\]\(([^)]+)\)", text)
    assert len(links) == len(RUN_FIGURES) + 2  # the network and the gains, from scenario.yaml
    assert all((path.parent / link).read_bytes()[:4] == b"\x89PNG" for link in links)
    # write_run leaves the resolved scenario beside the results: the report finds it
    assert "| KPI | value | unit |" in text and "No scenario file" not in text


def test_write_run_plots(run_dir, tmp_path):
    paths = write_run_plots(run_dir, tmp_path)
    expected = [f"{name}.png" for name, _, _ in RUN_FIGURES] + ["run-network.png"]
    assert sorted(p.name for p in paths) == sorted(expected)


def test_comment_sources_name_the_field_they_justify():
    rows = {a.what: a for a in comment_sources(CONFIG)}
    assert "Wood Mackenzie" in rows["equipment[xfmr-1].lead_time"].source
    # The halls write no durations: the comment on their build mode cites the calibration.
    assert "calibration.json" in rows["build_mode"].source
    assert "scenario" in rows


def test_each_value_is_cited_to_its_own_source():
    """A schema default's source is not attributed to a value the file sets: the
    substation's lead time is cited by its own comment, not by a transformer source."""
    from dcsim.config import load_scenario
    from dcsim.report.assumptions import chip_sources, schema_sources

    rows = [*comment_sources(CONFIG), *schema_sources(load_scenario(CONFIG))]
    substation = [a for a in rows if "hv-substation" in a.what and "lead_time" in a.what]
    assert [a.source for a in substation] == [
        "Switchgear 46-48 weeks (Cushman & Wakefield Data Center Development Cost Guide 2025)."
    ]
    assert not any("Wood Mackenzie" in a.source for a in rows if "hv-substation" in a.what)
    price = {a.what: a for a in chip_sources(["b200", "h100-sxm"])}
    assert price["chip b200: Price"].check == "recalled, unverified"
    assert price["chip h100-sxm: Price"].check == ""
    assert price["chip h100-sxm: TDP"].value == "700 W"


def test_neither_run_nor_sweep_is_a_clear_error(tmp_path):
    with pytest.raises(UserInputError, match="neither a run directory"):
        write_report(tmp_path)


def dcsim(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dcsim", *args], capture_output=True, text=True, timeout=120
    )


def test_cli_report_on_a_run_dir(run_dir, tmp_path):
    out = tmp_path / "cli.html"
    done = dcsim("report", str(run_dir), "--out", str(out), "--config", str(CONFIG))
    assert done.returncode == 0, done.stderr
    assert out.read_text().count(IMG) == len(RUN_FIGURES) + 2  # the network, the gains


@pytest.mark.parametrize("case", ["missing", "neither", "bad-config"])
def test_cli_bad_input_exits_2_without_traceback(case, run_dir, tmp_path):
    args = {
        "missing": [str(tmp_path / "nope")],
        "neither": [str(tmp_path)],
        "bad-config": [str(run_dir), "--config", str(tmp_path / "nope.yaml")],
    }[case]
    done = dcsim("report", *args)
    assert done.returncode == 2
    assert done.stderr.startswith("error: ")
    assert "Traceback" not in done.stderr


def test_an_optimize_headline_counts_the_decisions_besides_the_best():
    """``near_optimal`` holds the best itself; the headline says how many others."""
    from dcsim.report.study import _others

    assert _others(["c1"], "c1") == "no other decision"
    assert _others(["c1", "c4"], "c1") == "1 other decision"
    assert _others(["c4", "c1", "c7"], "c1") == "2 other decisions"
