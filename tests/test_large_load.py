"""The large-load interconnection process: tranches and headroom worked by hand, duplicate
requests withdrawing when a sibling connects, the shipped ERCOT-like region against the
share of requested GW that ERCOT energized, and bad input refused in one line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
import simpy
import yaml
from pydantic import TypeAdapter
from test_fleet_cli import FLEET

from dcsim.config.loader import apply_overrides
from dcsim.distributions import Duration
from dcsim.fleet import run_fleet
from dcsim.fleet.large_load import LargeLoadRegion, first_tranche
from dcsim.fleet.loader import load_fleet
from dcsim.fleet.queue import Entered
from dcsim.fleet.schema import LargeLoad

REGION = Path(__file__).resolve().parent.parent / "configs" / "fleet" / "large-load.yaml"
START = dt.date(2025, 1, 1)


def run_region(spec: LargeLoad, requests: list[tuple[float, float]], days: float = 3000):
    env = simpy.Environment()
    region = LargeLoadRegion(
        env, "r", spec, np.random.default_rng(1), days, lambda d: float((d - START).days)
    )
    stores = [region.submit(f"s{i}", arrival, mw) for i, (arrival, mw) in enumerate(requests)]
    got: list[list[tuple[float, float]]] = [[] for _ in stores]

    def listen(i, store):
        while True:
            mw = yield store.get()
            got[i].append((env.now, mw))

    for i, store in enumerate(stores):
        env.process(listen(i, store))
    region.start()
    env.run(until=days)
    return region, got


def test_first_tranche_by_hand():
    assert first_tranche(100, 0.5, 60) == 50  # half, headroom to spare
    assert first_tranche(100, 0.5, 10) == 10  # headroom runs out
    assert first_tranche(100, 1.0, 0) == 0  # none: all waits for upgrades
    assert first_tranche(100, 0.0, 500) == 0


def test_tranches_headroom_and_growth_worked_by_hand():
    # Studies take 90 days, upgrades 365. Headroom 60 MW; 100 MW more on day 200.
    spec = LargeLoad.model_validate(
        {
            "study_time": "90 days",
            "upgrade_time": "365 days",
            "headroom": "60 MW",
            "first_tranche": 0.5,
            "headroom_growth": [{"date": START + dt.timedelta(days=200), "added": "100 MW"}],
        }
    )
    region, got = run_region(spec, [(0.0, 100), (0.0, 100), (150.0, 100)])
    # Day 90: the first takes half (50), the second the 10 MW left; both get the rest on
    # day 455. Day 240: the third finds 100 MW added on day 200 and takes its half.
    assert got == [
        [(90.0, 50.0), (455.0, 100.0)],
        [(90.0, 10.0), (455.0, 100.0)],
        [(240.0, 50.0), (605.0, 100.0)],
    ]
    assert list(region.first_power) == [90.0, 90.0, 240.0]
    assert list(region.operation) == [455.0, 455.0, 605.0]
    assert region.headroom == 50.0  # 60 - 50 - 10 + 100 - 50


def test_a_request_within_headroom_is_energized_whole_at_its_study():
    spec = LargeLoad.model_validate({"study_time": "60 days", "headroom": "1 GW"})
    region, got = run_region(spec, [(10.0, 300)])
    assert got == [[(70.0, 300.0)]] and list(region.operation) == [70.0]


def test_duplicates_withdraw_when_a_sibling_connects():
    # Every background project files three requests; headroom for all, so each project's
    # first request connects at its study's end and its two siblings withdraw then.
    spec = LargeLoad.model_validate(
        {
            "headroom": "100 GW",
            "duplicates": {"share": 1.0, "copies": 3},
            "background": {"per_year": 50, "mw": "100 MW"},
        }
    )
    region, _ = run_region(spec, [], days=3 * 365.25)
    table = region.table()
    connected = table.first_power_day.notna()
    studied = table.study_end_day.notna()
    for _, group in table.groupby(np.asarray(region.group)):
        assert len(group) == 3
        if connected[group.index].any():
            first = group.first_power_day.min()
            assert connected[group.index].sum() == 1
            assert (group.withdrawn_day.dropna() == first).all()
    resolved = table[connected | table.withdrawn_day.notna()]
    # Of the resolved requests, one in three connected: by count and by capacity alike.
    assert connected[resolved.index].mean() == pytest.approx(1 / 3)
    assert studied.sum() >= connected.sum()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ercot_like_region_energizes_a_share_of_the_order_of_ercots(seed):
    fleet = load_fleet(REGION)
    spec = fleet.regions[0].large_load
    result = run_fleet(REGION, seed=seed)
    stats = result.regions.iloc[0]
    # First-tranche demand far exceeds the headroom and no upgrade ends within the horizon
    # (the shortest study plus the shortest upgrade is past three years), so what is
    # energized is exactly the headroom: at the start plus what the new lines add.
    shortest = spec.study_time.low + spec.upgrade_time.low
    assert shortest > fleet.horizon
    headroom_gw = (spec.headroom + sum(s.added for s in spec.headroom_growth)) / 1000
    demand_gw = (result.requests.mw * spec.first_tranche).sum() / 1000
    assert demand_gw > 2 * headroom_gw
    assert stats.energized_gw == pytest.approx(headroom_gw)
    # Requested: about 22 projects a year x 1.3 requests x 725 MW (lognormal mean) x 3 years.
    years = fleet.horizon / 365.25
    mean_mw = 440 * np.exp(0.5)
    per_project = 1 + spec.duplicates.share * (spec.duplicates.copies - 1)
    expected_gw = spec.background.per_year * years * per_project * mean_mw / 1000
    assert stats.requested_gw == pytest.approx(expected_gw, rel=0.35)
    share = stats.energized_gw / stats.requested_gw
    # ERCOT: ~7 GW connected (S&P Global, Aug 2025) of 63 GW requested (end-2024): 11%.
    assert 7 / 63 / 2 < share < 7 / 63 * 2


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ("regions.1.large_load.headroom", "-5 MW", "regions.1.large_load.headroom: Input"),
        ("regions.1.large_load.first_tranche", 1.5, "first_tranche: Input should be less"),
        ("regions.1.large_load.first_tranche", -0.1, "first_tranche: Input should be greater"),
        ("regions.1.large_load.duplicates", {"share": 2, "copies": 2}, "duplicates.share"),
        ("regions.1.large_load.duplicates", {"share": 0.5, "copies": 1}, "duplicates.copies"),
        (
            "regions.1.large_load.headroom_growth",
            [{"date": "2026-01-01", "added": "1 GW"}, {"date": "2025-06-01", "added": "1 GW"}],
            "headroom_growth dates must be in ascending order",
        ),
        ("regions.1.queue", {"upgrade_time": "1 year"}, "give queue or large_load, not both"),
        (
            "regions.1.large_load.background",
            {
                "per_year": 50,
                "mw": "100 MW",
                "types": [{"name": "dc", "share": 1, "withdraw_in_upgrade": {"probability": 1}}],
            },
            "large-load requests withdraw only in study",
        ),
        (
            "regions.1.large_load",
            {
                "duplicates": {"share": 1, "copies": 100},
                "background": {"per_year": 50_000, "mw": "1 MW"},
            },
            "background requests, more than 1,000,000",
        ),
    ],
)
def test_bad_large_load_input_gives_one_line_and_exit_2(cli, tmp_path, path, value, expected):
    data = apply_overrides(FLEET, {"regions.1.large_load": {"headroom": "1 GW"}})
    path_ = tmp_path / "fleet.yaml"
    path_.write_text(yaml.safe_dump(apply_overrides(data, {path: value}), sort_keys=False))
    done = cli("validate", path_)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and expected in lines[0], lines


def test_report_funnel_shows_what_tranches_energized():
    from dcsim.plots.fleet import ENERGIZED, funnel

    result = run_fleet(REGION)
    table = funnel(result.requests, load_fleet(REGION).horizon)
    assert table.loc["region", ENERGIZED] == pytest.approx(result.regions.energized_gw.iloc[0])
    assert table.loc["region", "in operation"] < table.loc["region", ENERGIZED]


def test_entered_in_upgrades_takes_its_first_tranche_at_the_start():
    # Studied before day 0: its half comes from the headroom on day 0, the rest on its
    # in-service day plus a 10-day slip; a second, without a date, 365 days of upgrades
    # later. A fresh request studied on day 90 finds no headroom left (60 - 50 - 10): all
    # of it waits for its upgrades.
    spec = LargeLoad.model_validate(
        {
            "study_time": "90 days",
            "upgrade_time": "365 days",
            "headroom": "60 MW",
            "first_tranche": 0.5,
        }
    )
    env = simpy.Environment()
    region = LargeLoadRegion(env, "r", spec, np.random.default_rng(1), 1000, lambda d: 0.0)
    slip = TypeAdapter(Duration).validate_python("10 days")
    stores = [
        region.submit("a", -300, 100, entered=Entered(-50.0, 200.0, slip)),
        region.submit("b", -300, 20, entered=Entered(-20.0, None, slip)),
        region.submit("c", 0, 100),
    ]
    got: list[list[tuple[float, float]]] = [[] for _ in stores]

    def listen(i, store):
        while True:
            mw = yield store.get()
            got[i].append((env.now, mw))

    for i, store in enumerate(stores):
        env.process(listen(i, store))
    region.start()
    env.run(until=1000)
    assert got[0] == [(0.0, 50.0), (210.0, 100.0)]
    assert got[1] == [(0.0, 10.0), (365.0, 20.0)]
    assert got[2] == [(455.0, 100.0)]
    assert list(region.study_end) == [-50.0, -20.0, 90.0]
