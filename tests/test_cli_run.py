"""``dcsim run`` / ``validate`` / ``schema`` through the real entry point."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from dcsim.cli.run import PLOT_FILES
from dcsim.results import TIMESERIES_COLUMNS
from tests.conftest import DEFAULT_CONFIG, REPO, TINY

CONTRACT_KPIS = {
    "scenario",
    "seed",
    "first_power_date",
    "full_cluster_date",
    "days_to_full_cluster",
    "peak_facility_mw",
    "peak_it_mw",
    "gpus_ordered",
    "gpus_energized_final",
    "stranded_gpu_days",
    "stranded_capex_usd_years",
    "energy_mwh",
    "electricity_cost_usd",
    "capex_usd",
    "compute_gpu_days",
    "binding_constraint",
}


def test_default_scenario_json_reproduces_the_150_mw_case(cli):
    done = cli("run", DEFAULT_CONFIG, "--json")
    assert done.returncode == 0, done.stderr
    kpis = json.loads(done.stdout)  # stdout holds exactly one JSON object
    assert set(kpis) >= CONTRACT_KPIS
    assert 140 <= kpis["peak_facility_mw"] <= 160
    assert kpis["gpus_ordered"] == kpis["gpus_energized_final"] == 100_000
    assert kpis["full_cluster_date"] is not None
    assert kpis["binding_constraint"] in {
        "grid",
        "equipment",
        "construction",
        "chips",
        "crews",
        "none",
    }


def test_out_dir_files_and_timeseries_contract(cli, tmp_path):
    done = cli("run", DEFAULT_CONFIG, "--seed", "5", "--out", tmp_path / "run")
    assert done.returncode == 0, done.stderr
    assert "full_cluster_date" in done.stdout  # the readable table
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["seed"] == 5
    ts = pd.read_parquet(tmp_path / "run" / "timeseries.parquet")
    assert list(ts.columns[: len(TIMESERIES_COLUMNS)]) == list(TIMESERIES_COLUMNS)
    events = pd.read_parquet(tmp_path / "run" / "events.parquet")
    assert {"date", "day", "event", "entity", "amount"} <= set(events.columns)
    assert not list((tmp_path / "run").glob(".*partial"))


def test_same_seed_same_bits_and_other_seeds_differ(cli):
    first, again, other = (
        cli("run", DEFAULT_CONFIG, "--json", "--seed", s) for s in ("11", "11", "12")
    )
    assert first.stdout == again.stdout
    assert (
        json.loads(first.stdout)["full_cluster_date"]
        != json.loads(other.stdout)["full_cluster_date"]
    )


def test_set_override_changes_the_run(cli):
    done = cli("run", DEFAULT_CONFIG, "--json", "--set", "halls.0.pue=1.2")
    assert done.returncode == 0, done.stderr
    # hall-a: 25,000 GPUs x 1.4025 kW x 1.2 instead of x 1.08
    delta = 25_000 * 1.4025 * (1.2 - 1.08) / 1000
    assert json.loads(done.stdout)["peak_facility_mw"] == pytest.approx(151.48 + delta, abs=0.01)


def test_the_graph_decides_power(cli):
    """At PUE 1.5 hall-a needs 5 x 10.52 MW; with hall-b's 5 x 7.574 MW that is 90.47 MW
    behind the 90 MW xfmr-1, so one hall-b stage can never be energized."""
    done = cli("run", DEFAULT_CONFIG, "--json", "--set", "halls.0.pue=1.5")
    kpis = json.loads(done.stdout)
    assert kpis["gpus_energized_final"] == 95_000
    assert kpis["full_cluster_date"] is None


def test_validate_and_schema(cli):
    done = cli("validate", DEFAULT_CONFIG)
    assert (done.returncode, done.stdout.strip()) == (0, "ok")
    schema = json.loads(cli("schema").stdout)
    assert schema["additionalProperties"] is False
    assert "halls" in schema["properties"]


def test_schema_accepts_every_key_of_the_shipped_files(cli):
    """Editors validating against `dcsim schema` must accept what `dcsim validate` accepts,
    `include:` and `budget:` among it, and every reference must resolve."""
    import yaml

    schema = json.loads(cli("schema").stdout)
    for path in sorted(REPO.glob("configs/*.yaml")) + sorted(REPO.glob("docs/tutorial/*.yaml")):
        data = yaml.safe_load(path.read_text())
        assert set(data) <= set(schema["properties"]), path.name
        if "budget" in data:
            budget = schema["$defs"]["Budget"]
            assert set(data["budget"]) <= set(budget["properties"]), path.name
    text = json.dumps(schema)
    for ref in re.findall(r'"\$ref": "#/\$defs/([^"]+)"', text):
        assert ref in schema["$defs"], ref


def _write(tmp_path, text: str):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    return path


def _dump(data) -> str:
    import yaml

    return yaml.safe_dump(data)


def _with(**changes) -> dict:
    import copy

    data = copy.deepcopy(TINY)
    for path, value in changes.items():
        node = data
        *parents, last = path.split(".")
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        node[int(last) if isinstance(node, list) else last] = value
    return data


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (_with(**{"halls.0.pue": "high"}), "halls.0.pue: Input should be a valid number"),
        (
            _with(**{"equipment.0.capacity": "-5 MW"}),
            "equipment.0.capacity: Input should be greater",
        ),
        (_with(**{"halls.0.colour": "blue"}), "halls.0.colour: unknown field"),
        (_with(**{"halls.0.it_capacity": "150 months"}), "halls.0.it_capacity: expected a power"),
        (_with(**{"start": "2025-13-45"}), "start: Input should be a valid date"),
        (_with(**{"equipment.0.fed_by": ["h1"]}), "halls are sinks"),
        (_with(**{"halls.0.stages.count": 9}), "need 90.00 MW of IT capacity"),
        (_with(**{"chip_orders.0.chip": "tpu-v9"}), "unknown chip"),
    ],
)
def test_bad_config_gives_one_clear_line_and_exit_2(cli, tmp_path, data, expected):
    path = _write(tmp_path, _dump(data))
    done = cli("run", path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert expected in done.stderr
    assert str(path) in done.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["run", "does/not/exist.yaml"], "file not found"),
        (["validate", DEFAULT_CONFIG, "--set", "halls.7.pue=1.2"], "no item '7'"),
        (["validate", DEFAULT_CONFIG, "--set", "halls.0.pue=1e9x"], "halls.0.pue"),
        (["validate", DEFAULT_CONFIG, "--set", "nonsense"], "expected dotted.path=value"),
    ],
)
def test_bad_arguments_exit_2(cli, args, expected):
    done = cli(*args)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert expected in done.stderr


def test_invalid_yaml_names_the_line(cli, tmp_path):
    done = cli("validate", _write(tmp_path, "name: x\nhalls: [\n  - a: 1\n"))
    assert done.returncode == 2
    assert "invalid YAML" in done.stderr and "line" in done.stderr
    assert "Traceback" not in done.stderr


def test_include_extends_a_base_file(cli, tmp_path):
    (tmp_path / "variant.yaml").write_text(
        f"include: {DEFAULT_CONFIG}\nname: variant\nhorizon: 3 years\n"
    )
    done = cli("run", tmp_path / "variant.yaml", "--json")
    assert done.returncode == 0, done.stderr
    kpis = json.loads(done.stdout)
    assert kpis["scenario"] == "variant" and kpis["horizon_days"] == pytest.approx(3 * 365.25)


def test_plot_and_report_from_a_run(cli, tmp_path):
    done = cli("run", DEFAULT_CONFIG, "--out", tmp_path / "run", "--plot")
    assert done.returncode == 0, done.stderr
    written = sorted(p.name for p in (tmp_path / "run").iterdir())
    assert [name for name in written if name.startswith("run-")] == sorted(PLOT_FILES)
    assert "run-network.png" in written
    # --help names every file --out and --plot write
    usage = "".join(cli("run", "--help").stdout.split())  # wrapped lines, rejoined
    assert all(name in usage for name in written), (written, usage)
    # the scenario beside the results is the commented source, and it loads on its own
    assert (tmp_path / "run" / "scenario.yaml").read_text() == DEFAULT_CONFIG.read_text()
    assert cli("validate", tmp_path / "run" / "scenario.yaml").returncode == 0
    refused = cli("run", DEFAULT_CONFIG, "--plot")
    assert refused.returncode == 2 and "--plot needs --out" in refused.stderr


def test_set_on_an_anchored_hall_changes_that_hall_only(cli):
    """The default halls share their stages mapping through a YAML anchor; an override of
    hall-b's stages must leave hall-a, -c and -d as they are (5 x 5,000 GPUs each)."""
    done = cli("run", DEFAULT_CONFIG, "--json", "--set", "halls.1.stages.gpus=4000")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["gpus_planned"] == 3 * 25_000 + 5 * 4_000


def test_out_keeps_the_scenario_that_ran_with_its_overrides(cli, tmp_path):
    """scenario.yaml is what ran: with --set it is the resolved scenario, not the file."""
    from dcsim.config import load_scenario

    out = tmp_path / "run"
    done = cli("run", "configs/meta-100k-h100.yaml", "--set", "halls.0.pue=1.3", "--out", out)
    assert done.returncode == 0, done.stderr
    assert load_scenario(out / "scenario.yaml").halls[0].pue == 1.3


def test_validate_refuses_set_on_files_that_are_not_scenarios(cli):
    for path in ("experiments/transformer-lead-time-mc.yaml", "configs/fleet/meta-2024.yaml"):
        done = cli("validate", path, "--set", "halls.0.pue=1.2")
        assert done.returncode == 2, path
        assert "--set applies to scenarios" in done.stderr and "Traceback" not in done.stderr
