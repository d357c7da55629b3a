"""Whatever ``run --out`` writes reads back: the ``scenario.yaml`` beside a run's results
loads to the scenario that ran, for every shipped config and every experiment's design
points, with and without overrides and ``include:`` (issue 23, defect 1: a ``chip_supply``
changed by ``--set`` was written ``'197.1... 1/day'``, which the loader refused)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from dcsim.api import scenario_text
from dcsim.config import Scenario, load_scenario, scenario_from_dict
from dcsim.config.loader import apply_overrides, read_yaml
from dcsim.optimization.decisions import load_decisions
from dcsim.sweeps.experiment import load_experiment
from dcsim.sweeps.plan import make_plan
from dcsim.units import CANONICAL, LARGEST, format_quantity, parse_quantity

REPO = Path(__file__).resolve().parent.parent
CONFIGS = sorted((REPO / "configs").glob("*.yaml"))
EXPERIMENTS = sorted((REPO / "experiments").glob("*.yaml"))

#: Other spellings of each kind's unit, with their size in the canonical unit.
SPELLINGS: dict[str, list[tuple[str, float]]] = {
    "power": [("kW", 1e-3), ("GW", 1e3)],
    "energy": [("GWh", 1e3), ("kWh", 1e-3)],
    "duration": [("weeks", 7.0), ("hours", 1 / 24)],
    "money": [("kUSD", 1e3), ("MUSD", 1e6)],
    "money_per_power": [("USD/kW", 1e3)],
    "money_per_energy": [("USD/kWh", 1e3)],
    "mass_per_energy": [("kg/MWh", 1e-3)],
    # pint's month is a twelfth of its 365.25-day year: 30.4375 days (docs/config.md).
    "count_per_duration": [("/ week", 1 / 7), ("/ month", 12 / 365.25), ("/ year", 1 / 365.25)],
}
_KIND_OF_UNIT = {format_quantity(1.0, kind).split(" ", 1)[1]: kind for kind in CANONICAL}
_WRITTEN = re.compile(r"^(\S+) (\S+)$")


def reloaded(scenario: Scenario) -> Scenario:
    """What ``dcsim run --out`` writes for ``scenario``, loaded again."""
    return scenario_from_dict(yaml.safe_load(scenario_text(scenario)), "scenario.yaml")


def quantity_leaves(node: object, path: str = "") -> list[tuple[str, str, float]]:
    """Every (dotted path, kind, value) of a quantity written in a scenario's JSON dump."""
    if isinstance(node, dict):
        return [
            leaf for key, value in node.items() for leaf in quantity_leaves(value, f"{path}{key}.")
        ]
    if isinstance(node, list):
        return [
            leaf for i, value in enumerate(node) for leaf in quantity_leaves(value, f"{path}{i}.")
        ]
    if isinstance(node, str) and (match := _WRITTEN.match(node)):
        kind = _KIND_OF_UNIT.get(match.group(2))
        if kind is not None:
            return [(path.rstrip("."), kind, float(match.group(1)))]
    return []


def shipped_scenarios() -> list[tuple[str, dict]]:
    """Every shipped config and the first design points of every experiment, raw."""
    found = [(path.name, read_yaml(path)) for path in CONFIGS]
    for path in EXPERIMENTS:
        if "decisions" in read_yaml(path):
            decisions = load_decisions(path)
            found.append((path.name, apply_overrides(read_yaml(decisions.base), decisions.set)))
            continue
        plan = make_plan(load_experiment(path), str(path))
        found += [(f"{path.name}#{i}", raw) for i, raw in enumerate(plan.scenarios[:3])]
    return found


SHIPPED = shipped_scenarios()


@pytest.mark.parametrize("kind", sorted(CANONICAL))
@settings(max_examples=60, deadline=None, database=None, derandomize=True)
@given(data=st.data())
def test_every_quantity_kind_reads_back_what_it_writes(kind: str, data) -> None:
    value = data.draw(st.floats(0, LARGEST[kind], allow_nan=False, allow_infinity=False))
    assert parse_quantity(format_quantity(value, kind), kind) == value


@pytest.mark.parametrize("name", [name for name, _ in SHIPPED])
def test_shipped_scenarios_read_back_as_run(name: str) -> None:
    raw = dict(SHIPPED)[name]
    scenario = scenario_from_dict(raw, name)
    assert reloaded(scenario) == scenario


@settings(max_examples=40, deadline=None, database=None, derandomize=True)
@given(data=st.data())
def test_overridden_scenarios_read_back_as_run(data) -> None:
    """Random overrides (a chip supply cap, any quantity rewritten in another unit and
    scaled) on any shipped scenario: what loads, reloads equal after the round trip."""
    name, raw = data.draw(st.sampled_from(SHIPPED), label="scenario")
    scenario = scenario_from_dict(raw, name)
    chip = scenario.chip_orders[0].chip
    unit, size = data.draw(st.sampled_from(SPELLINGS["count_per_duration"]))
    rate = data.draw(st.floats(1, 1e6, allow_nan=False))
    overrides: dict[str, object] = {f"chip_supply.{chip}": f"{rate!r} {unit}"}
    leaves = quantity_leaves(scenario.model_dump(mode="json", by_alias=True))
    for path, kind, value in data.draw(st.lists(st.sampled_from(leaves), max_size=4, unique=True)):
        spelling, size = data.draw(st.sampled_from(SPELLINGS[kind]))
        scale = data.draw(st.floats(0.5, 2.0))
        overrides[path] = f"{value * scale / size!r} {spelling}"
    try:
        changed = scenario_from_dict(apply_overrides(raw, overrides), name)
    except Exception:  # a scaled value the scenario refuses is not a round-trip question
        return
    assert changed.chip_supply[chip] == pytest.approx(rate * size)
    assert reloaded(changed) == changed


def test_a_run_with_a_changed_chip_supply_reopens(cli, tmp_path: Path) -> None:
    """The issue's own sequence: ``run --set ... --out``, then ``validate``, ``run`` and
    ``report`` on what was written."""
    out = tmp_path / "run"
    config = REPO / "configs" / "campus-n1-gb200.yaml"
    first = cli("run", config, "--set", "halls.0.pue=1.2", "--set",
                "chip_supply.gb200=6000 / month", "--out", out, "--json")  # fmt: skip
    assert first.returncode == 0, first.stderr
    written = out / "scenario.yaml"
    checked = cli("validate", written)
    assert checked.returncode == 0, checked.stderr
    again = cli("run", written, "--json")
    assert again.returncode == 0, again.stderr
    rerun = json.loads(again.stdout)
    rerun.pop("critical_path")
    assert rerun == json.loads((out / "summary.json").read_text())
    report = cli("report", out)
    assert report.returncode == 0, report.stderr
    assert (out / "report.html").is_file()


def test_a_run_of_an_including_config_reopens(cli, tmp_path: Path) -> None:
    """A config built by ``include:`` is written resolved, and reruns to the same KPIs."""
    out = tmp_path / "run"
    config = REPO / "configs" / "meta-budget-h100.yaml"
    first = cli("run", config, "--set", "chip_supply={h100-sxm: 2000 / week}", "--out", out)
    assert first.returncode == 0, first.stderr
    assert "include" not in yaml.safe_load((out / "scenario.yaml").read_text())
    assert load_scenario(out / "scenario.yaml") == load_scenario(
        config, {"chip_supply": {"h100-sxm": "2000 / week"}}
    )
