"""Company guidance as data: the shipped pairs, the learned error, and its horizon-1 use."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from dcsim import growth
from dcsim.growth.guidance import (
    Guidance,
    learned_error,
    load_guidance,
    pairs,
    precision_weighted,
    usable,
)
from dcsim.growth.guided import guidance_report


def guide(company: str, year: int, issued: str, low: float, high: float, end: str = "12-31"):
    return Guidance(company, year, dt.date.fromisoformat(issued), end, low, high, "test", "test")


def test_shipped_guidance_is_cited_and_only_start_of_year_figures_are_usable() -> None:
    rows = load_guidance()
    assert all(g.source and g.verification for g in rows)
    ok = usable(rows)
    assert ("Meta", 2022) in ok  # given in October 2021, before the 2021 close
    assert ("Amazon", 2025) in ok  # Feb 6 2025, with the Q4 2024 results
    assert ("Microsoft", 2025) not in ok  # January 2025 is half-way through FY2025


def test_pairs_and_learned_error_by_hand() -> None:
    rows = [guide("A", 2020, "2020-01-20", 90, 110), guide("A", 2021, "2021-01-20", 200, 200)]
    actuals = {("A", 2020): 110.0, ("A", 2021): 180.0, ("A", 2022): 1.0}
    frame = pairs(rows, actuals)
    assert frame.log_error.tolist() == pytest.approx([math.log(1.1), math.log(0.9)])
    bias, sd, n = learned_error(frame, 2021)
    e = [math.log(1.1), math.log(0.9)]
    assert n == 2 and bias == pytest.approx(sum(e) / 2)
    assert sd == pytest.approx(abs(e[0] - e[1]) / math.sqrt(2))  # sample SD of two values
    assert math.isnan(learned_error(frame, 2020)[0])  # one pair is not enough


def test_precision_weighting_by_hand() -> None:
    centre, sd = precision_weighted(0.0, 1.0, 1.0, 1.0)
    assert centre == pytest.approx(0.5) and sd == pytest.approx(math.sqrt(0.5))
    centre, _ = precision_weighted(0.0, 2.0, 1.0, 1.0)  # weights 1/4 and 1
    assert centre == pytest.approx(0.8)


def test_horizon_one_with_guidance_only_uses_pairs_resolved_by_the_origin() -> None:
    series = [growth.load_company(c) for c in growth.companies()]
    pooled = growth.backtest(series, horizon=1, intervals="none")
    report = guidance_report(pooled, "track_record")
    rows = report["rows"]
    assert rows, "the shipped data have usable guidance"
    for r in rows:
        resolved = [p for p in report["pairs"] if p["year"] <= r["origin"]]
        assert r["n_pairs"] == len(resolved) >= 2
    models = {s["model"] for s in report["horizon_1"]}
    assert models == {"track_record", "guidance", "track_record+guidance"}
    counts = {s["n_forecasts"] for s in report["horizon_1"]}
    assert len(counts) == 1  # the three are scored on the same rows
    by = {s["model"]: s["mape"] for s in report["horizon_1"]}
    assert report["mape_gain_points"] == pytest.approx(
        by["track_record"] - by["track_record+guidance"]
    )
