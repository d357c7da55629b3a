"""Each process and decision on its own: small cases with answers worked out by hand."""

from __future__ import annotations

import itertools

import pytest

from dcsim.api import simulate
from dcsim.sim.admission import Dispatcher
from dcsim.sim.model import BuildOut
from dcsim.sim.stage import Stage
from dcsim.sim.supply import VendorCap, batch_sizes
from dcsim.topology import PowerNetwork
from tests.conftest import tiny


def _day_of(result, event: str, entity: str) -> list[float]:
    events = result.events
    return list(events[(events.event == event) & (events.entity == entity)].day)


def test_batch_sizes_split_exactly():
    assert batch_sizes(10, 3) == [4, 3, 3]
    assert sum(batch_sizes(100_003, 7)) == 100_003


def test_vendor_cap_ships_in_arrival_order_at_its_rate():
    cap = VendorCap(rate_per_day=100)
    assert cap.ship_day(0, 500) == 0  # line idle: ships on arrival, busy 5 days
    assert cap.ship_day(2, 500) == 5  # waits for the allocation to catch up
    assert cap.ship_day(30, 100) == 30  # idle again


def test_vendor_cap_throttles_deliveries_in_a_run():
    # Both batches land on days 5 and 15; 4,000 GPUs at 100/day keep the line 40 days.
    result = simulate(tiny(chip_supply={"test-gpu": "100 / day"}))
    assert _day_of(result, "chips_delivered", "test-gpu") == [5, 45]


def test_interconnect_steps_keep_their_order_when_slipping():
    # Step 1 slips 70 days (to day 80); step 2 (day 60, no slip) cannot come before it.
    result = simulate(tiny(**{"grid.interconnects.0.schedule.0.delay": "70 days"}))
    assert _day_of(result, "interconnect_step", "grid") == [80, 80]


def test_equipment_ordered_before_start_is_in_service_from_day_0():
    result = simulate(tiny(**{"equipment.0.order_date": "2024-06-01"}))
    assert _day_of(result, "equipment_in_service", "xfmr") == [0]


def test_hall_waits_for_a_construction_crew():
    halls = [tiny().halls[0].model_dump(mode="json")]
    halls.append(
        {**halls[0], "name": "h2", "stages": {"count": 1, "gpus": 100, "chip": "test-gpu"}}
    )
    result = simulate(tiny(halls=halls, construction={"crews": 1}))
    assert _day_of(result, "hall_ready", "h1") == [20]
    assert _day_of(result, "construction_start", "h2") == [20]  # crew frees up on day 20
    assert _day_of(result, "hall_ready", "h2") == [40]


def test_construction_begun_before_day_0_keeps_its_head_start():
    result = simulate(tiny(**{"halls.0.construction_start": "2024-12-22"}))  # day -10
    assert _day_of(result, "hall_ready", "h1") == [10]


def test_unlimited_crews_install_in_parallel():
    result = simulate(tiny(**{"installation.crews": None}))
    # both stages install on days 20-24, burn in to day 26: no crew waiting
    assert result.kpis["constraint_gpu_days"]["crews"] == 0
    assert sorted(
        _day_of(result, "ready_for_power", "h1/1") + _day_of(result, "ready_for_power", "h1/2")
    ) == [26, 26]


def _stage(name: str, hall: str, kw: int, ready: float, priority: int = 0, index: int = 0):
    return Stage(
        name=name,
        index=index,
        hall=hall,
        priority=priority,
        chip="x",
        gpus=1,
        facility_kw=kw,
        it_mw=kw / 1000,
        bf16_tflops=0,
        price_usd=0,
        install_days=0,
        burn_in_days=0,
        commissioning_days=0,
        ready_day=ready,
    )


@pytest.fixture
def network():
    network = PowerNetwork(tiny().power_graph(), {"h1": 25_000})
    network.set_source("grid", 20_000)
    network.set_in_service("xfmr", True)
    return network


@pytest.mark.parametrize(
    ("policy", "admitted"),
    [
        ("fifo", ["early-small", "mid"]),  # 5 + 8 = 13 MW; + 15 would be 28 > 20
        ("largest-first", ["late-big", "early-small"]),  # 15; mid (+8) refused, small backfills
        ("hall-priority", ["mid", "early-small"]),  # mid has priority 1; big no longer fits
    ],
)
def test_policies_order_admission_and_backfill(network, policy, admitted):
    dispatcher = Dispatcher(network, policy, n_minus_1=False)
    dispatcher.waiting |= {
        _stage("early-small", "h1", 5_000, ready=1, index=0),
        _stage("mid", "h1", 8_000, ready=2, priority=1, index=1),
        _stage("late-big", "h1", 15_000, ready=3, index=2),
    }
    assert [s.name for s in dispatcher.admit()] == admitted


def test_shedding_releases_lowest_priority_until_carried(network):
    dispatcher = Dispatcher(network, "fifo", n_minus_1=False)
    stages = [_stage(f"s{i}", "h1", 6_000, ready=i, index=i) for i in range(3)]
    dispatcher.waiting |= set(stages)
    assert len(dispatcher.admit()) == 3
    network.set_source("grid", 10_000)
    assert [s.name for s in dispatcher.shed()] == ["s2", "s1"]
    assert dispatcher.demand_kw["h1"] == 6_000


def test_waiting_for_power_is_blamed_on_equipment_or_grid(network):
    dispatcher = Dispatcher(network, "fifo", n_minus_1=False)
    stage = _stage("s", "h1", 15_000, ready=0)
    dispatcher.waiting.add(stage)
    network.set_in_service("xfmr", False)
    assert dispatcher.holds() == [(stage, "equipment")]  # the grid has 20 MW, no transformer
    network.set_source("grid", 10_000)
    assert dispatcher.holds() == [(stage, "grid")]


def test_controller_sleeps_between_changes():
    """The controller wakes only for power changes and stages asking for power: the tiny
    run has 2 interconnect steps, 1 transformer and 2 stages, so at most 5 wake-ups."""
    model = BuildOut(tiny())
    wakeups = []
    original = model.dispatcher.admit
    model.dispatcher.admit = lambda: wakeups.append(model.env.now) or original()
    model.run()
    assert wakeups == [10, 26, 30, 60]  # same-day wake-ups (day 30: step + stage) coalesce


def test_batch_intervals_accumulate_draws():
    """Batches leave one drawn interval after another, so they never swap order."""
    result = simulate(
        tiny(
            **{
                "chip_orders.0.batches": 4,
                "chip_orders.0.count": 8000,
                "chip_orders.0.batch_interval": {
                    "dist": "uniform",
                    "low": "5 days",
                    "high": "15 days",
                },
            }
        ),
        seed=4,
    )
    days = _day_of(result, "chips_delivered", "test-gpu")
    gaps = [b - a for a, b in itertools.pairwise(days)]
    assert len(days) == 4 and all(5 <= gap <= 15 for gap in gaps)


def test_dated_curtailment_windows_draw_their_own_durations():
    windows = [
        {
            "date": f"2025-0{m}-01",
            "duration": {"dist": "uniform", "low": "1 day", "high": "30 days"},
            "limit": "20 MW",
        }
        for m in (4, 6, 8)
    ]
    result = simulate(tiny(**{"grid.interconnects.0.curtailments": windows}), seed=2)
    starts = _day_of(result, "curtailment_start", "grid")
    ends = _day_of(result, "curtailment_end", "grid")
    assert len(set(round(e - s, 9) for s, e in zip(starts, ends, strict=True))) == 3


def test_a_deadline_changes_nothing_until_it_stops_the_run():
    """Stepping with a deadline processes the same events as env.run; a deadline already
    past stops a run with many events (GPU failures over years) at the first check."""
    import time

    from dcsim.sim.clock import RunTimeout

    plain = BuildOut(tiny(), seed=3).run()
    limited = BuildOut(tiny(), seed=3).run(deadline=time.perf_counter() + 60)
    assert plain.ledger.events == limited.ledger.events
    assert plain.env.now == limited.env.now == tiny().horizon
    busy = BuildOut(tiny(**{"gpu_failures": {}, "horizon": "3 years"}), seed=3)
    with pytest.raises(RunTimeout):
        busy.run(deadline=time.perf_counter() - 1)
