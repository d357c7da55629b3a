"""The typed event record and the per-stage wait table, checked against the tiny campus's
timeline worked out by hand (tests/conftest.py): the hall is ready on day 20, one crew
installs stage 1 on days 20-24 and stage 2 on days 24-28, the stages ask for power on days
26 and 30, and the grid's 30 MW step comes on day 60."""

from __future__ import annotations

import pandas as pd
import yaml

from dcsim.api import simulate
from dcsim.sim.events import CARRIES, QUANTITIES, EventName
from tests.conftest import tiny, tiny_dict


def test_every_event_carries_its_quantity_in_the_column_of_its_unit():
    events = simulate(tiny()).events
    assert set(events.event) <= {str(name) for name in EventName}
    for row in events.itertuples():
        unit = CARRIES[EventName(row.event)][0]
        for quantity in QUANTITIES:
            value = getattr(row, quantity)
            if quantity == unit:
                assert value == row.amount
            else:
                assert pd.isna(value), (row.event, quantity)


def test_typed_columns_hold_what_the_timeline_says():
    events = simulate(tiny()).events.set_index(["event", "entity"])
    assert events.loc[("chips_ordered", "test-gpu"), "gpus"] == 8_000
    assert events.loc[("construction_start", "h1"), "usd"] == 10_000_000  # 20 MW x 1 MUSD/2
    assert events.loc[("equipment_in_service", "xfmr"), "mw"] == 25
    assert pd.isna(events.loc[("hall_ready", "h1"), "gpus"])


def test_the_per_stage_wait_table_says_what_each_stage_waited_on():
    waits = simulate(tiny()).stage_waits
    table = {(row.stage, row.constraint): row.days for row in waits.itertuples()}
    assert table == {
        ("h1/1", "construction"): 20,  # day 0 to the hall on day 20
        ("h1/1", "grid"): 60 - 26,
        ("h1/2", "construction"): 20,
        ("h1/2", "installation_crews"): 24 - 20,
        ("h1/2", "grid"): 60 - 30,
    }
    assert waits.stage.tolist() == sorted(waits.stage.tolist())  # plan order


def test_run_out_writes_the_wait_table_and_help_lists_it(cli, tmp_path):
    done = cli("run", "--help")
    assert "stage_waits.parquet" in done.stdout
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(yaml.safe_dump(tiny_dict()))
    done = cli("run", scenario, "--out", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    waits = pd.read_parquet(tmp_path / "out" / "stage_waits.parquet")
    assert list(waits.columns) == ["stage", "constraint", "days"]
    events = pd.read_parquet(tmp_path / "out" / "events.parquet")
    assert {"gpus", "usd", "mw", "days"} <= set(events.columns)
    assert events.gpus.isna().sum() > 0  # nulls survive the file, not NaN or 0
