"""``report``, ``draw`` and the executor options as a hostile user meets them, through the
command line: damaged, foreign and unfinished result directories, a summary of another
dcsim version, image names, a scheduler file that is not one, an ASCII terminal and a
reader that goes away. Each ends in a result or one line, never a traceback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import TINY
from hostile import VALUES, check_refusal, leaf_paths, mutate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_hostile_fleet import FLEET

from dcsim.cli import main
from dcsim.version import __version__


def one_line(capsys) -> str:
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("run")
    (folder / "tiny.yaml").write_text(yaml.safe_dump(TINY))
    assert main(["run", str(folder / "tiny.yaml"), "--out", str(folder / "run"), "--json"]) == 0
    return folder / "run"


def damaged_run(run_dir: Path, tmp_path: Path, damage) -> Path:
    copy = tmp_path / "damaged"
    shutil.copytree(run_dir, copy)
    damage(copy)
    return copy


def _summary(change):
    def damage(path: Path) -> None:
        kpis = json.loads((path / "summary.json").read_text())
        change(kpis)
        (path / "summary.json").write_text(json.dumps(kpis))

    return damage


def _older(kpis: dict) -> None:
    """A summary of an older dcsim: fewer KPIs."""
    kpis["dcsim_version"] = "0.1.0"
    del kpis["full_cluster_date"], kpis["date_set_by"]


def _frame(name: str, frame: pd.DataFrame):
    def damage(path: Path) -> None:
        frame.to_parquet(path / f"{name}.parquet")

    return damage


def _directory(name: str):
    def damage(path: Path) -> None:
        (path / name).unlink()
        (path / name).mkdir()

    return damage


RUN_DAMAGE = {
    "older version": (
        _summary(_older),
        f"no KPI 'full_cluster_date' and 1 more: written by dcsim 0.1.0, read by dcsim "
        f"{__version__}",
    ),
    "KPI as text": (
        _summary(lambda k: k.update(gpus_planned="8000")),
        "summary.json: gpus_planned: expected a count, got '8000'",
    ),
    "date not a date": (
        _summary(lambda k: k.update(full_cluster_date="soon")),
        "full_cluster_date: expected a date",
    ),
    "summary a list": (
        lambda p: (p / "summary.json").write_text("[1]"),
        "summary.json: expected a JSON object",
    ),
    "empty time series": (
        _frame("timeseries", pd.DataFrame({"day": pd.Series([], dtype=float)})),
        "timeseries.parquet: not a run's time series",
    ),
    "wrong time series": (
        _frame("timeseries", pd.DataFrame({"x": [1, 2]})),
        "timeseries.parquet: not a run's time series",
    ),
    "directory for a file": (_directory("events.parquet"), "events.parquet: not a file"),
}


@pytest.mark.parametrize("case", list(RUN_DAMAGE))
def test_report_refuses_a_damaged_run_in_one_line(run_dir, tmp_path, capsys, case):
    damage, expected = RUN_DAMAGE[case]
    path = damaged_run(run_dir, tmp_path, damage)
    assert main(["report", str(path), "--out", str(tmp_path / "r.html")]) == 2
    line = one_line(capsys)
    assert str(path) in line and expected in line, line


RUNS = pd.DataFrame(
    {
        "point": [0, 0],
        "replication": [0, 1],
        "seed": [0, 0],
        "status": ["error", "error"],
        "error": ["ValueError: boom", "ValueError: boom"],
    }
)


@pytest.mark.parametrize(
    ("runs", "expected"),
    [
        (RUNS.drop(columns="status"), "not a sweep's runs (no column 'status')"),
        (RUNS.iloc[:0], "holds no runs"),
        (RUNS, "every run failed (first error: ValueError: boom)"),
    ],
    ids=["no status", "no rows", "all failed"],
)
def test_report_refuses_a_sweep_with_nothing_to_report(tmp_path, capsys, runs, expected):
    out = tmp_path / "sweep"
    out.mkdir()
    runs.to_parquet(out / "runs.parquet")
    assert main(["report", str(out)]) == 2
    assert expected in one_line(capsys)


def test_report_reads_a_fleet_study_and_refuses_unfinished_directories(tmp_path, capsys):
    fleet = tmp_path / "fleet.yaml"
    fleet.write_text(yaml.safe_dump(FLEET))
    study, single = tmp_path / "study", tmp_path / "single"
    assert main(["fleet", str(fleet), "--replications", "1", "--out", str(study)]) == 0
    assert main(["fleet", str(fleet), "--out", str(single)]) == 0
    capsys.readouterr()
    assert main(["report", str(study)]) == 0  # a finished fleet Monte Carlo has its report
    assert (study / "report.html").stat().st_size > 0
    (study / "replications.parquet").unlink()  # as a kill before the study's end leaves it
    capsys.readouterr()
    assert main(["report", str(study)]) == 2
    assert f"{study}: a fleet Monte Carlo study that has not finished" in one_line(capsys)
    (single / "fleet.json").unlink()  # as a kill or a full disk leaves it
    assert main(["report", str(single)]) == 2
    assert f"{single}: an unfinished fleet run (no fleet.json" in one_line(capsys)
    optimize = tmp_path / "optimize"
    optimize.mkdir()
    (optimize / "study.db").write_bytes(b"")
    assert main(["report", str(optimize)]) == 2
    assert f"{optimize}: an optimize study that has not finished" in one_line(capsys)


@pytest.mark.parametrize(
    ("name", "written"), [("n.svg", "n.svg"), ("n.pdf", "n.pdf"), ("n", "n.png")]
)
def test_draw_writes_the_format_it_is_asked_and_says_which_file(tmp_path, capsys, name, written):
    config = tmp_path / "tiny.yaml"
    config.write_text(yaml.safe_dump(TINY))
    assert main(["draw", str(config), "--out", str(tmp_path / name)]) == 0
    assert capsys.readouterr().out.strip() == f"network drawn to {tmp_path / written}"
    assert (tmp_path / written).stat().st_size > 0


def test_draw_refuses_an_image_format_it_cannot_write(tmp_path, capsys):
    config = tmp_path / "tiny.yaml"
    config.write_text(yaml.safe_dump(TINY))
    assert main(["draw", str(config), "--out", str(tmp_path / "n.foo")]) == 2
    assert "--out" in one_line(capsys) and not (tmp_path / "n.foo").exists()


def test_a_scheduler_file_that_is_not_one(tmp_path, capsys):
    fleet = tmp_path / "fleet.yaml"
    fleet.write_text(yaml.safe_dump(FLEET))
    bogus = tmp_path / "scheduler.json"
    for text in ("not json", "[1]", '{"port": 1}'):
        bogus.write_text(text)
        args = ["--executor", "dask", "--scheduler-file", str(bogus)]
        assert main(["fleet", str(fleet), "--replications", "2", *args]) == 2
        assert f"--scheduler-file {bogus}: not a Dask scheduler file" in one_line(capsys)


def _dcsim(*args: str, **env: str) -> subprocess.CompletedProcess:
    import os

    return subprocess.run(
        [sys.executable, "-m", "dcsim", *args],
        capture_output=True,
        timeout=300,
        env={**os.environ, **env},
    )


def test_an_ascii_terminal_gets_its_output(tmp_path):
    fleet = tmp_path / "fleet.yaml"
    fleet.write_text(yaml.safe_dump(FLEET))
    done = _dcsim(
        "fleet", str(fleet), "--out", str(tmp_path / "caf\u00e9"), PYTHONIOENCODING="ascii"
    )
    assert done.returncode == 0, done.stderr.decode()
    assert b"results written to" in done.stdout and b"Traceback" not in done.stderr


def test_a_reader_that_goes_away_from_a_rich_table(tmp_path):
    """``dcsim fleet F | head -1``: exit status 141 (a broken pipe), not 1 (runs failed)."""
    fleet = tmp_path / "fleet.yaml"
    fleet.write_text(yaml.safe_dump(FLEET))
    process = subprocess.Popen(
        [sys.executable, "-m", "dcsim", "fleet", str(fleet)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    process.stdout.close()
    with process.stderr:
        stderr = process.stderr.read().decode()
    assert process.wait(timeout=300) == 141, stderr
    assert "Traceback" not in stderr


def test_the_report_of_a_many_region_fleet_draws_a_dozen_and_the_rest_as_one(tmp_path, capsys):
    """Fourteen regions: twelve drawn one by one and 'other (2 regions)', whose level is
    the sum of the two it stands for, in every figure; the fleet's total is unchanged."""
    from dcsim.plots.fleet import MAX_REGIONS, fleet_levels, fleet_total, funnel
    from dcsim.report.detect import load_fleet

    regions = MAX_REGIONS + 2
    fleet = {
        **FLEET,
        "vendors": [],
        "regions": [
            {"name": f"r{n:02d}", "queue": FLEET["regions"][0]["queue"]} for n in range(regions)
        ],
        "sites": [
            {**FLEET["sites"][0], "name": f"s{n:02d}", "region": f"r{n:02d}"}
            for n in range(regions)
        ],
    }
    path, out = tmp_path / "fleet.yaml", tmp_path / "out"
    path.write_text(yaml.safe_dump(fleet))
    assert main(["fleet", str(path), "--out", str(out)]) == 0
    assert main(["report", str(out)]) == 0
    html = (out / "report.html").read_text()
    assert 'id="fleet-energized-by-region"' in html
    assert "The queue table lists the 12 of 14 regions with the most GW requested." in html
    capsys.readouterr()
    stored = load_fleet(out)
    levels = fleet_levels(stored.timeseries, "facility_gw")
    assert len(levels.columns) == MAX_REGIONS + 1
    every = fleet_levels(stored.timeseries, "facility_gw", top=regions)
    assert levels.sum(axis=1).to_numpy() == pytest.approx(every.sum(axis=1).to_numpy())
    total = fleet_total(stored.timeseries, "facility_gw")
    assert total.iloc[-1] == pytest.approx(every.iloc[-1].sum())
    table = funnel(stored.requests, stored.horizon_day)
    assert len(table) == MAX_REGIONS + 1 and table.index[-1] == "other (2 regions)"
    assert table["requested"].sum() == pytest.approx(stored.requests.mw.sum() / 1000)


DECISIONS = Path(__file__).resolve().parent / "data" / "optimize" / "tiny-bridging-decisions.yaml"


def _decision_data() -> dict:
    data = yaml.safe_load(DECISIONS.read_text())
    data["base"] = str(DECISIONS.parent / data["base"])
    data["reevaluate"] = {"replications": 2, "top": 1}
    return data


@pytest.mark.parametrize("bound", [float("nan"), float("inf"), True, [1], {"a": 1}])
def test_a_bound_of_no_kind_is_one_line(tmp_path, capsys, bound):
    data = _decision_data()
    data["decisions"]["grid.generators.0.capacity"]["low"] = bound
    path = tmp_path / "decisions.yaml"
    path.write_text(yaml.safe_dump(data))
    assert main(["validate", str(path)]) == 2
    line = one_line(capsys)
    assert f"{path}: decisions.grid.generators.0.capacity.low: expected a" in line, line


def _fuzz_paths() -> list[tuple]:
    return [p for p in leaf_paths(_decision_data()) if p[0] != "base"]


@settings(
    max_examples=20,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    path=st.sampled_from(_fuzz_paths()),
    value=st.sampled_from(
        [
            *VALUES,
            "delete",
            "unknown key",
            {"options": {"a": {"installation.crews": 2}}},
            {"choices": []},
        ]
    ),
)
def test_fuzzed_decision_files_are_refused_in_one_line_or_run(
    tmp_path_factory, capsys, path, value
):
    """Whatever ``validate`` accepts, ``optimize`` runs (one trial); what it refuses is
    one line per problem naming the file."""
    directory = tmp_path_factory.mktemp("decisions")
    file = directory / "decisions.yaml"
    file.write_text(yaml.safe_dump(mutate(_decision_data(), path, value)))
    capsys.readouterr()
    status = main(["validate", str(file)])
    err = capsys.readouterr().err
    if status != 0:
        assert status == 2, err
        check_refusal(err, str(file))
        return
    out = directory / "study"
    status = main(["optimize", str(file), "--out", str(out), "--trials", "1", "--quiet"])
    err = capsys.readouterr().err
    assert status in (0, 2), err
    if status == 2:  # every trial failed on a value a scenario rejects: one line, no study
        check_refusal(err, "")


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("sweep")
    (folder / "tiny.yaml").write_text(yaml.safe_dump(TINY))
    (folder / "exp.yaml").write_text(json.dumps({"base": "tiny.yaml", "replications": 2}))
    out = folder / "sweep"
    command = ["sweep", str(folder / "exp.yaml"), "--out", str(out), "--executor", "serial"]
    assert main([*command, "--quiet"]) == 0
    return out


def _versioned(sweep_dir: Path, tmp_path: Path, version, drop: tuple[str, ...] = ()) -> Path:
    copy = tmp_path / "older-sweep"
    shutil.copytree(sweep_dir, copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["versions"]["dcsim"] = version
    (copy / "manifest.json").write_text(json.dumps(manifest))
    runs = pd.read_parquet(copy / "runs.parquet").drop(columns=list(drop))
    runs.to_parquet(copy / "runs.parquet", index=False)
    return copy


def test_report_refuses_a_sweep_of_another_version_that_lacks_kpis(sweep_dir, tmp_path, capsys):
    older = _versioned(sweep_dir, tmp_path, "0.0.1", ("full_cluster_date", "date_set_by"))
    assert main(["report", str(older), "--out", str(tmp_path / "r.html")]) == 2
    assert one_line(capsys) == (
        f"error: {older / 'runs.parquet'}: no KPI 'full_cluster_date' and 1 more: written by "
        f"dcsim 0.0.1 (manifest.json), read by dcsim {__version__}; run the sweep again with "
        "this version"
    )
    assert not (tmp_path / "r.html").exists()


def test_report_reads_a_sweep_of_another_version_that_holds_every_kpi(sweep_dir, tmp_path):
    older = _versioned(sweep_dir, tmp_path, "0.0.1")
    assert main(["report", str(older), "--out", str(tmp_path / "r.html")]) == 0
    assert (tmp_path / "r.html").stat().st_size > 0


def test_report_refuses_a_sweep_manifest_without_a_version(sweep_dir, tmp_path, capsys):
    broken = _versioned(sweep_dir, tmp_path, 3)
    assert main(["report", str(broken)]) == 2
    assert "manifest.json: versions.dcsim: expected the dcsim version" in one_line(capsys)


# -- explain arguments -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--replications", "0"], "--replications 0: expected 1 to"),
        (["--replications", "-3"], "--replications -3: expected 1 to"),
        (["--replications", str(10**20)], f"--replications {10**20}: expected 1 to"),
        (["--seed", "-1"], "seed -1: expected a whole number from 0"),
        (["--set", "halls.0.pue=nan"], "halls.0.pue: Input should be a finite number"),
        (["--set", "nonsense.path=1"], "--set nonsense.path: nonsense: no such field"),
    ],
    ids=["replications 0", "negative", "huge", "negative seed", "NaN set", "unknown path"],
)
def test_explain_refuses_hostile_arguments_in_one_line(tmp_path, capsys, args, expected):
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(TINY))
    assert main(["explain", str(path), *args]) == 2
    assert expected in one_line(capsys)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"name: x\n\xff\xfe", "not UTF-8 text"),
        (b"[1, 2", "invalid YAML"),
        (b"- 1\n", "expected a mapping of fields at the top level"),
        (None, "expected a YAML file, found a directory"),
    ],
    ids=["not UTF-8", "broken YAML", "a list", "a directory"],
)
def test_explain_refuses_a_bad_scenario_in_one_line(tmp_path, capsys, content, expected):
    path = tmp_path / "scenario.yaml"
    path.mkdir() if content is None else path.write_bytes(content)
    assert main(["explain", str(path)]) == 2
    line = one_line(capsys)
    assert str(path) in line and expected in line, line


def test_a_hall_time_written_as_null_is_its_build_modes(tmp_path, capsys):
    """``shell_time:`` (null) in a hall once passed validation and ended ``run`` and
    ``explain`` in an AttributeError; it is a time not written: the build mode's."""
    written, unwritten = tmp_path / "null.yaml", tmp_path / "unwritten.yaml"
    halls = [{**hall, "shell_time": None, "fitout_time": None} for hall in TINY["halls"]]
    written.write_text(yaml.safe_dump({**TINY, "halls": halls}))
    bare = [{k: v for k, v in h.items() if k not in ("shell_time", "fitout_time")} for h in halls]
    unwritten.write_text(yaml.safe_dump({**TINY, "halls": bare}))
    outputs = []
    for path in (written, unwritten):
        assert main(["explain", str(path), "--json"]) == 0
        outputs.append(json.loads(capsys.readouterr().out))
    assert outputs[0] == outputs[1]


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("no_such_module:PERMIT", "cannot be loaded (ModuleNotFoundError: No module named"),
        ("json:dumps", "is a function, not a ConstraintClass"),
    ],
    ids=["missing module", "not a class"],
)
def test_a_broken_constraint_plugin_is_named_in_one_line(tmp_path, cli, target, expected):
    """An installed package whose ``dcsim.constraints`` entry point is broken stops
    ``explain`` (and every command that reads the registry) in one line naming it."""
    info = tmp_path / "broken_permit-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-permit\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[dcsim.constraints]\npermit = {target}\n")
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(yaml.safe_dump(TINY))
    path = os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])
    done = cli("explain", scenario, env={**os.environ, "PYTHONPATH": path})
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert lines[0].startswith(f"error: constraint plug-in permit = {target} ")
    assert "of broken-permit" in lines[0] and expected in lines[0], lines[0]
