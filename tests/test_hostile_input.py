"""Each class of hostile input, through the command line: refused in one line per problem
(file, field path, what was expected) with exit 2, in bounded time, never a traceback;
never accepted to give a silently wrong answer. (Stores and workers: test_hostile_store.)"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from conftest import TINY

from dcsim.api import simulate
from dcsim.cli import main
from dcsim.config import load_scenario
from dcsim.errors import RunawayError, UserInputError
from dcsim.sim import ledger

REPO = Path(__file__).resolve().parent.parent


def scenario(tmp_path: Path, changes: dict | None = None, text: str | bytes | None = None) -> str:
    """TINY with ``changes`` (dotted path -> value) written to a file, or the raw ``text``."""
    path = tmp_path / "scenario.yaml"
    if text is None:
        data = copy.deepcopy(TINY)
        for dotted, value in (changes or {}).items():
            *parents, last = dotted.split(".")
            node = data
            for key in parents:
                node = node[int(key)] if isinstance(node, list) else node[key]
            node[int(last) if isinstance(node, list) else last] = value
        text = yaml.safe_dump(data, sort_keys=False)
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return str(path)


def refused(capsys, *args: str) -> list[str]:
    """Run the CLI in-process; it must exit 2 and say why in ``error:`` lines."""
    assert main(list(args)) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines and all(line.startswith("error: ") for line in lines), lines
    return lines


TINY_TEXT = yaml.safe_dump(TINY, sort_keys=False)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        # 1. validation that raised instead of reporting
        ({"start": "2024-02-30"}, "start: Input should be a valid date"),
        ({"start": "2023-02-29"}, "start: Input should be a valid date"),
        ({"chip_orders.0.order_date": "2025-13-01"}, "chip_orders.0.order_date: Input should"),
        # 2. accepted by validate, then the run crashed
        ({"equipment.0.capacity": "inf MW"}, "equipment.0.capacity: expected a number and a unit"),
        ({"equipment.0.capacity": "1e400 MW"}, "equipment.0.capacity: expected a finite power"),
        ({"halls.0.pue": float("inf")}, "halls.0.pue: Input should be a finite number"),
        ({"horizon": "250 years"}, "horizon: Input should be less than or equal to 36525"),
        ({"start": "9999-01-01"}, "start: expected a date from 1900-01-01 to 2150-12-31"),
        ({"start": "0001-01-01"}, "start: expected a date from 1900-01-01"),
        (
            {"halls.0.shell_time": {"dist": "normal", "mean": "15 days", "sd": "-2 days"}},
            "halls.0.shell_time.sd: Input should be greater than or equal to 0",
        ),
        (
            {"halls.0.shell_time": {"dist": "uniform", "low": "nan days", "high": "9 days"}},
            "halls.0.shell_time.low: expected a number and a unit",
        ),
        (
            {"halls.0.shell_time": {"dist": "lognormal", "median": "9 days", "sigma": 1e6}},
            "halls.0.shell_time.sigma: Input should be less than or equal to 5",
        ),
        (
            {"chip_supply": {"test-gpu": "0 / month"}},
            "chip_supply.test-gpu: Input should be greater",
        ),
        # 3. accepted and silently wrong
        ({"halls.0.shell_time": "-100 days"}, "halls.0.shell_time: Input should be greater than"),
        ({"halls.0.cost_per_mw": "nan MUSD/MW"}, "halls.0.cost_per_mw: expected a number"),
        ({"equipment.0.cost": "-2 MUSD"}, "equipment.0.cost: Input should be greater than"),
        (
            {"economics": {"electricity_price": "-50 USD/MWh"}},
            "economics.electricity_price: Input should be greater than",
        ),
        ({"chip_orders.0.batch_interval": "-10 days"}, "chip_orders.0.batch_interval: Input"),
        ({"chip_supply": {"test-gpu": "-5 / month"}}, "chip_supply.test-gpu: Input should be"),
        ({"chip_orders.0.count": 1e30}, "chip_orders.0.count: Unable to parse input"),
        ({"halls.0.stages.gpus": 2**70}, "halls.0.stages.gpus: Input should be less than"),
        # 4. rates that generate millions of events, pint expressions
        ({"gpu_failures": {"mtbf_per_gpu": "1 second"}}, "gpu_failures.mtbf_per_gpu: about"),
        (
            {
                "grid.interconnects.0.random_curtailments": {
                    "per_year": 1e9,
                    "duration": "1 day",
                    "limit": "0 MW",
                }
            },
            "random_curtailments.per_year: Input should be less than or equal to 1000",
        ),
        ({"equipment.0.capacity": "10**10**10 MW"}, "equipment.0.capacity: expected a number"),
    ],
)
def test_bad_values_are_refused_with_their_field_path(tmp_path, capsys, changes, expected):
    path = scenario(tmp_path, changes)
    for command in ("validate", "run"):
        lines = refused(capsys, command, path)
        assert any(line.startswith(f"error: {path}: ") and expected in line for line in lines), (
            lines
        )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (TINY_TEXT.encode("utf-16"), "not UTF-8 text (byte 0xff at offset 0)"),
        (("description: caf\u00e9\n" + TINY_TEXT).encode("latin-1"), "not UTF-8 text"),
        (bytes(range(256)), "not UTF-8 text"),
        ("a: &a [*a]\n" + TINY_TEXT, "an anchor refers to itself"),
        ("a: " + "[" * 3000 + "]" * 3000 + "\n" + TINY_TEXT, "nested deeper than 64 levels"),
        (TINY_TEXT + "name: other\n", "duplicate key 'name'"),
    ],
)
def test_unreadable_files_are_refused(tmp_path, capsys, text, expected):
    path = scenario(tmp_path, text=text)
    (line,) = refused(capsys, "validate", path)
    assert line.startswith(f"error: {path}") and expected in line


def test_impossible_dates_in_set_and_experiment_set(tmp_path, capsys):
    path = scenario(tmp_path)
    (line,) = refused(capsys, "validate", path, "--set", "start=2024-02-30")
    assert "start: Input should be a valid date" in line
    experiment = tmp_path / "e.yaml"
    experiment.write_text(json.dumps({"base": path, "set": {"start": "2023-02-29"}}))
    out = tmp_path / "out"
    lines = refused(capsys, "sweep", str(experiment), "--executor", "serial", "--out", str(out))
    assert any("start: Input should be a valid date" in line for line in lines)
    assert not out.exists()


def hostile_cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dcsim", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "".join(
                [f"x0: &x0 [{', '.join(['lol'] * 10)}]\n"]
                + [f"x{i}: &x{i} [{', '.join([f'*x{i - 1}'] * 10)}]\n" for i in range(1, 10)]
            )
            + TINY_TEXT,
            "expands to more than 500,000 values",
        ),
        ("include: /dev/zero\n" + TINY_TEXT, "/dev/zero: expected a YAML file"),
    ],
)
def test_what_would_hang_is_refused_quickly(tmp_path, text, expected):
    path = scenario(tmp_path, text=text)
    started = time.monotonic()
    done = hostile_cli("validate", path)
    assert done.returncode == 2 and expected in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert time.monotonic() - started < 30


def test_a_run_that_runs_away_stops_naming_the_process(monkeypatch):
    """The runtime backstop behind the load-time estimate: a cap on events per run."""
    from conftest import tiny

    monkeypatch.setattr(ledger, "MAX_EVENTS", 10)
    with pytest.raises(RunawayError, match=r"run stopped after 10 events.*of '"):
        simulate(tiny())


def test_capex_forecast_is_bounded(capsys):
    (line,) = refused(capsys, "capex", "fit", "--company", "meta", "--forecast", "1000000")
    assert "--forecast must be from 0 to 100" in line


def test_experiment_mistakes_are_found_before_anything_is_written(tmp_path, capsys):
    base = scenario(tmp_path)
    out = tmp_path / "out"
    lhs = {"type": "lhs", "samples": 3}
    cases = [
        (
            "dimension",
            {
                "design": {
                    **lhs,
                    "parameters": {"halls.0.it_capacity": {"low": 1, "high": 2, "unit": "weeks"}},
                }
            },
            "halls.0.it_capacity: expected a power like '150 MW', got '1.0 weeks'",
        ),
        (
            "unit",
            {
                "design": {
                    **lhs,
                    "parameters": {"halls.0.shell_time": {"low": 1, "high": 2, "unit": "sin(3)"}},
                }
            },
            "unit: expected unit names",
        ),
        ("kpi", {"kpis": ["days_to_full_clster"]}, "kpis.0: unknown KPI 'days_to_full_clster'"),
        (
            "grid",
            {
                "design": {"parameters": {f"halls.0.p{i}": list(range(10)) for i in range(6)}},
                "replications": 1000,
            },
            "design: 1,000,000 points, more than the 10,000 allowed",
        ),
        ("seed", {"seed": 2**64}, "seed: Input should be less than or equal to"),
        (
            "nan",
            {"design": {**lhs, "parameters": {"halls.0.pue": {"low": float("nan"), "high": 2}}}},
            "low: Input should be a finite number",
        ),
    ]
    for name, fields, expected in cases:
        experiment = tmp_path / f"{name}.yaml"
        experiment.write_text(yaml.safe_dump({"base": base, **fields}))
        for command in (["validate"], ["sweep", "--executor", "serial", "--out", str(out)]):
            lines = refused(capsys, command[0], str(experiment), *command[1:])
            assert any(expected in line for line in lines), (name, lines)
            assert all(str(experiment) in line for line in lines), lines
            assert not out.exists()


def test_validate_detects_and_checks_experiment_files(capsys):
    assert main(["validate", str(REPO / "experiments" / "transformer-lead-time-mc.yaml")]) == 0
    assert capsys.readouterr().out.startswith("ok: experiment of ")


def test_seed_out_of_range(tmp_path, capsys):
    (line,) = refused(capsys, "run", scenario(tmp_path), "--seed", "-1")
    assert line == "error: seed -1: expected a whole number from 0 to 9223372036854775807"


def test_broken_pipe_ends_quietly(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-m", "dcsim", "run", scenario(tmp_path), "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    process.stdout.close()  # the reader is gone before the first byte: `| head -c 0`
    with process.stderr:
        stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == 141
    assert stderr == ""


def test_run_out_over_an_earlier_run_needs_force(tmp_path, capsys):
    path, out = scenario(tmp_path), tmp_path / "run"
    assert main(["run", path, "--json", "--out", str(out)]) == 0
    first = (out / "summary.json").read_text()
    (line,) = refused(capsys, "run", path, "--seed", "3", "--out", str(out))
    assert "holds the results of an earlier run" in line and "--force" in line
    assert (out / "summary.json").read_text() == first
    assert main(["run", path, "--json", "--seed", "3", "--out", str(out), "--force"]) == 0
    assert json.loads((out / "summary.json").read_text())["seed"] == 3


def test_run_out_that_cannot_be_a_directory(tmp_path, capsys):
    path = scenario(tmp_path)
    (line,) = refused(capsys, "run", path, "--out", path)
    assert "exists and is not a directory" in line
    (line,) = refused(capsys, "run", path, "--out", "/proc/self/no/such")
    assert "cannot create" in line


def test_run_out_never_writes_through_a_planted_link(tmp_path, capsys):
    """The temporary names are unpredictable: links at the old fixed names are inert."""
    path, out, victim = scenario(tmp_path), tmp_path / "run", tmp_path / "victim.txt"
    victim.write_text("precious")
    out.mkdir()
    for name in ("summary.json", "scenario.yaml", "events.parquet"):
        (out / f".{name}.partial").symlink_to(victim)
    assert main(["run", path, "--json", "--out", str(out)]) == 0
    assert victim.read_text() == "precious"


def test_the_api_raises_user_input_error(tmp_path):
    import dcsim

    with pytest.raises(UserInputError, match="seed -1"):
        simulate(load_scenario(scenario(tmp_path)), seed=-1)
    with pytest.raises(UserInputError, match="replications: Input should be greater"):
        dcsim.sweep(scenario(tmp_path), replications=0, executor="serial")
    with pytest.raises(UserInputError, match="anchor refers to itself"):
        load_scenario(scenario(tmp_path, text="a: &a [*a]\n"))
    with pytest.raises(UserInputError, match="--workers 0"):
        dcsim.sweep(scenario(tmp_path), workers=0)


def test_known_kpis_are_the_numbers_a_run_reports():
    """``kpis:`` in an experiment is checked against KNOWN_KPIS: it must match a real run."""
    from conftest import tiny

    from dcsim.runtime.worker import flatten
    from dcsim.sweeps.experiment import KNOWN_KPIS

    kpis = flatten(simulate(tiny(gpu_failures={})).kpis)
    assert all(value is not None for value in kpis.values()), kpis
    assert set(KNOWN_KPIS) == {key for key, value in kpis.items() if not isinstance(value, str)}
