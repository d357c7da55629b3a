"""El Capitan reproduces its public power figure, and the comparison in docs/el-capitan.md
holds: a 100k-H100 campus draws about five times as much."""

from __future__ import annotations

import pytest

from dcsim.api import simulate
from tests.conftest import DEFAULT_CONFIG, REPO

EL_CAPITAN_MW = 1.742e18 / 58.89e9 / 1e6  # TOP500 Nov 2024: HPL FLOP/s over FLOP/s per W


def test_el_capitan_draws_what_top500_measured():
    kpis = simulate(REPO / "configs" / "el-capitan.yaml", seed=0).kpis
    assert kpis["gpus_energized_final"] == 44_544
    assert kpis["peak_it_mw"] == pytest.approx(EL_CAPITAN_MW, rel=1e-3)


def test_the_ai_campus_needs_about_five_el_capitans():
    capitan = simulate(REPO / "configs" / "el-capitan.yaml", seed=0).kpis
    campus = simulate(DEFAULT_CONFIG, seed=0).kpis
    assert 4.5 < campus["peak_facility_mw"] / capitan["peak_it_mw"] < 5.5
    text = (REPO / "docs" / "el-capitan.md").read_text(encoding="utf-8")
    shown = ("peak_it_mw", "peak_facility_mw")
    for value in [run[key] for run in (capitan, campus) for key in shown]:
        assert f"{value:.1f} MW" in text
