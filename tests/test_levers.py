"""The lever table: days gained, outlay and cost per day, worked out by hand on the tiny
campus, the default levers derived from a scenario, and ``dcsim levers`` end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from dcsim.levers import Lever, default_levers, lever_runs, lever_table
from tests.conftest import REPO, tiny, tiny_dict

EARLIER_GRID = {"grid.interconnects.0.schedule.1.date": "2025-02-20"}


def test_an_earlier_grid_step_by_hand() -> None:
    """Nothing energizes before the 30 MW step (a stage needs 12.5 MW) and everything else
    is ready weeks before it, so moving the step from 2025-03-02 to 2025-02-20 brings both
    stages 10 days earlier. The outlay is 10 more days of 25 MW at 77.9 USD/MWh
    (25 x 24 x 10 x 77.9 = 467,400 USD) plus the 1 MUSD the lever declares. The total cost
    also gains 8,000 GPUs x 10 days x 24 h of compute at the test chip's value (it has no
    catalog value, so the H100's 2.49 USD scaled by dense BF16 FLOP/s, 1,000 / 989.4) and 10
    fewer days of carrying 80 MUSD of dark chips at 8% a year (80e6 x 10 / 365.25 x 0.08)."""
    lever = Lever(name="grid earlier", set=EARLIER_GRID, cost="1 MUSD")
    row = lever_table(lever_runs(tiny_dict(), [lever], 0, 2), [lever]).iloc[0]
    assert row["days_gained_p50"] == row["days_gained_p90"] == 10
    assert row["first_power_days_gained_p50"] == 10
    assert row["outlay_usd"] == pytest.approx(467_400 + 1e6)
    assert row["usd_per_day_gained_p50"] == pytest.approx((467_400 + 1e6) / 10)
    carrying = 80e6 * 10 / 365.25 * 0.08
    compute = 8_000 * 10 * 24 * 2.49 * 1000 / 989.4
    assert row["total_cost_change_usd"] == pytest.approx(467_400 - compute - carrying)


def test_a_lever_that_gains_nothing_has_no_cost_per_day() -> None:
    lever = Lever(name="same", set={"halls.0.priority": 1})
    row = lever_table(lever_runs(tiny_dict(), [lever], 0, 1), [lever]).iloc[0]
    assert row["days_gained_p50"] == 0
    assert row["usd_per_day_gained_p50"] is None


def test_default_levers_follow_the_scenario() -> None:
    """Orders a quarter earlier, crews only where they are counted, and turbines sized to
    the largest hall (20 MW IT x PUE 1.25 = 25 MW, rounded up to 30 MW) in every hall."""
    levers = {lever.name: lever for lever in default_levers(tiny(), tiny_dict())}
    assert list(levers) == [
        "chips 13 weeks earlier",
        "equipment 13 weeks earlier",
        "+2 installation crews",
        "30 MW bridging turbines",
    ]
    assert levers["chips 13 weeks earlier"].set == {"chip_orders.0.order_date": "2024-10-02"}
    assert levers["+2 installation crews"].set == {"installation.crews": 3}
    turbines = levers["30 MW bridging turbines"].set
    assert turbines["grid.generators"][0]["capacity"] == "30 MW"
    assert turbines["grid.generators"][0]["cost"] == "42000000 USD"
    assert turbines["halls.0.fed_by"] == ["xfmr", "lever-turbines"]
    unlimited = {
        lever.name for lever in default_levers(tiny(**{"installation.crews": None}), tiny_dict())
    }
    assert "+2 installation crews" not in unlimited
    built = {lever.name for lever in default_levers(tiny(construction={"crews": 1}), tiny_dict())}
    assert "+1 construction crew" in built


def test_every_default_lever_runs_on_every_shipped_config() -> None:
    """Whatever scenario it is derived from, a default lever is a valid scenario."""
    from dcsim.config import scenario_from_dict
    from dcsim.config.loader import apply_overrides, read_yaml

    for path in sorted((REPO / "configs").glob("*.yaml")):
        raw = read_yaml(path)
        for lever in default_levers(scenario_from_dict(raw, str(path)), raw):
            scenario_from_dict(apply_overrides(raw, lever.set), f"{path.name}: {lever.name}")


def test_levers_through_the_cli(cli, tmp_path: Path) -> None:
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(yaml.safe_dump(tiny_dict()), encoding="utf-8")
    levers = tmp_path / "levers.yaml"
    levers.write_text(
        yaml.safe_dump({"levers": [{"name": "grid earlier", "set": EARLIER_GRID}]}),
        encoding="utf-8",
    )
    done = cli("levers", scenario, "--levers", levers, "--replications", "2", "--json")
    assert done.returncode == 0, done.stderr
    (row,) = json.loads(done.stdout)["levers"]
    assert row["lever"] == "grid earlier" and row["days_gained_p50"] == 10
    table = cli("levers", scenario, "--replications", "1")
    assert table.returncode == 0, table.stderr
    assert "30 MW bridging" in table.stdout and "turbines" in table.stdout
    assert max(len(line) for line in table.stdout.splitlines()) <= 80
    assert "…" not in table.stdout


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ({"levers": [{"name": "x", "set": {}}]}, "levers.0.set"),
        ({"levers": [{"name": "x", "set": {"halls.0.pue": 1.1}, "cots": 1}]}, "unknown field"),
        ({"levers": [{"name": "x", "set": {"halls.9.pue": 1.1}}]}, "lever 'x'"),
    ],
)
def test_a_bad_lever_file_is_one_line(cli, tmp_path: Path, content: dict, says: str) -> None:
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(yaml.safe_dump(tiny_dict()), encoding="utf-8")
    levers = tmp_path / "levers.yaml"
    levers.write_text(yaml.safe_dump(content), encoding="utf-8")
    done = cli("levers", scenario, "--levers", levers, "--replications", "1")
    assert done.returncode == 2, done.stderr
    assert says in done.stderr and len(done.stderr.strip().splitlines()) == 1
