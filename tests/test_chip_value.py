"""Value per GPU-hour per chip: each chip's catalog rental price (cited in chips.csv),
weighted by a scenario's planned GPUs, unless the scenario sets its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from dcsim.bridging import gpu_day_value
from dcsim.config import load_scenario
from dcsim.config.catalog import builtin_catalog, chip_hour_value

CONFIGS = Path(__file__).resolve().parent.parent / "configs"


def test_every_priced_chip_cites_its_value():
    for name, chip in builtin_catalog().items():
        assert "Value per GPU-hour" in chip.source, name
        if chip.value_per_gpu_hour is None:
            assert "priced at H100-equivalents" in chip.source


def test_the_h100_campus_keeps_the_cited_2_49():
    assert load_scenario(CONFIGS / "meta-100k-h100.yaml").gpu_hour_value() == 2.49


def test_a_gb200_campus_is_priced_at_the_gb200_rental():
    scenario = load_scenario(CONFIGS / "campus-n1-gb200.yaml")
    assert {hall.stages.chip for hall in scenario.halls} == {"gb200"}
    assert scenario.gpu_hour_value() == 10.50
    value, source = gpu_day_value(scenario)
    assert value == pytest.approx(10.50 * 24)
    assert "chip catalog" in source


def test_a_mixed_campus_weighs_chips_by_planned_gpus():
    overrides = {"halls.0.stages.chip": "a100"}  # hall-a on A100 (1.30), three on H100
    scenario = load_scenario(CONFIGS / "meta-100k-h100.yaml", overrides)
    assert scenario.gpu_hour_value() == pytest.approx((1.30 + 3 * 2.49) / 4)


def test_a_chip_without_a_rental_price_is_priced_by_dense_bf16():
    catalog = builtin_catalog()
    assert catalog["mi300x"].value_per_gpu_hour is None
    assert chip_hour_value("mi300x", catalog) == pytest.approx(2.49 * 1307.4 / 989.4)


def test_the_scenario_own_value_wins():
    overrides = {"economics": {"value_per_gpu_hour": 3.0}}
    scenario = load_scenario(CONFIGS / "campus-n1-gb200.yaml", overrides)
    assert scenario.gpu_hour_value() == 3.0


def test_the_report_assumptions_show_the_value_the_chips_give():
    from dcsim.report.assumptions import schema_sources

    rows = schema_sources(load_scenario(CONFIGS / "campus-n1-gb200.yaml"))
    (row,) = [r for r in rows if r.what == "economics.value_per_gpu_hour"]
    assert row.value.startswith("10.5 USD per GPU-hour")
