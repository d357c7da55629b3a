"""The KPI table: every KPI a run reports has a group and a unit, the docs follow the table,
and numbers print in human magnitudes."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dcsim.api import simulate
from dcsim.config import load_scenario, scenario_from_dict
from dcsim.formatting import human, human_text
from dcsim.kpis import GROUPS, KPIS, display, grouped, headline, unmodelled
from dcsim.results import first_days
from tests.conftest import DEFAULT_CONFIG, REPO, TINY


@pytest.fixture(scope="module")
def kpis():
    return simulate(scenario_from_dict(TINY)).kpis


def test_every_kpi_a_run_reports_is_in_the_table(kpis):
    missing = sorted(set(kpis) - set(KPIS))
    assert not missing, f"add {missing} to dcsim/kpis.py (group, unit, meaning)"
    assert {k.group for k in KPIS.values()} <= set(GROUPS)


def test_grouped_keeps_every_key_once(kpis):
    shown = [key for _, keys in grouped(kpis) for key in keys]
    assert sorted(shown) == sorted(kpis)
    assert [g for g, _ in grouped({"x_unknown": 1, "capex_usd": 1.0})] == ["money", "other"]


def test_kpi_reference_is_current():
    spec = importlib.util.spec_from_file_location(
        "make_kpi_reference", REPO / "docs" / "make_kpi_reference.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    actual = (REPO / "docs" / "kpis.md").read_text(encoding="utf-8")
    assert actual == module.render(), (
        "docs/kpis.md is out of date; run `.venv/bin/python docs/make_kpi_reference.py --write`"
    )
    for key, kpi in KPIS.items():
        assert f"| `{key}` | {kpi.unit or '—'} |" in actual


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (5.0598e9, "USD", "5.06 B USD"),
        (151.48, "MW", "151.5 MW"),
        (3.72e6, "MWh", "3.72 TWh"),
        (2.78e7, "GPU-days", "27.8 M GPU-days"),
        (0.5, "MW", "500.0 kW"),
        (8.7e27, "FLOP", "8.70e27 FLOP"),
        (0.0, "USD", "0 USD"),
    ],
)
def test_human_magnitudes(value, unit, expected):
    assert human_text(value, unit) == expected


def test_display_of_dates_fractions_and_counts():
    assert display("full_cluster_date", None) == ("not reached", "")
    assert display("gpu_availability", 0.987) == ("98.7", "%")
    assert display("gpus_planned", 100000) == ("100,000", "GPUs")
    assert human(-2.5e6, "USD") == ("-2.50", "M USD")


def test_unmodelled_names_what_the_scenario_leaves_out():
    default = unmodelled(load_scenario(DEFAULT_CONFIG))
    assert "capex_electrical_usd" in default and "bridging_mwh" in default
    tiny = unmodelled(scenario_from_dict(TINY))
    assert "capex_electrical_usd" not in tiny  # TINY's transformer has a cost


def test_headline_says_what_set_the_date_only_when_known(kpis):
    without = {k: v for k, v in kpis.items() if k != "date_set_by"}
    sentence = headline(without)
    assert sentence.startswith(f"First power on {kpis['first_power_date']}")
    assert "set by" not in sentence
    assert "set by crews" in headline({**without, "date_set_by": "crews"})
    assert f"set by {kpis['date_set_by']};" in headline(kpis)  # the run records it
    unreached = headline({**kpis, "full_cluster_date": None, "gpus_energized_final": 8000})
    assert "not reached (8,000 of" in unreached


@settings(max_examples=200, derandomize=True)
@given(
    values=st.lists(st.integers(0, 12), min_size=1, max_size=40),
    levels=st.lists(st.sampled_from([0, 0.5, 1, 2.5, 6, 10, 13]), min_size=1, max_size=4),
)
def test_first_days_are_the_first_rows_reaching_each_level(values, levels):
    """Counts fall as well as rise (failures, shedding); the running maximum answers the
    same as looking for the first row at or above each level."""
    days = np.arange(len(values)) * 1.5
    counts = np.array(values, dtype="int64")
    expected = [
        float(days[np.flatnonzero(counts >= level)[0]]) if (counts >= level).any() else None
        for level in levels
    ]
    assert first_days(days, counts, levels) == expected
