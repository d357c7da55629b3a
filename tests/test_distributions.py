"""Uncertain quantities: validation with units, and numpy samplers that match scipy."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import BaseModel, ValidationError
from scipy import stats

from dcsim.distributions import Duration
from dcsim.units import parse_quantity


class Holder(BaseModel):
    value: Duration


@pytest.mark.parametrize(
    "spec",
    [
        {"dist": "uniform", "low": "2 weeks", "high": "10 weeks"},
        {"dist": "triangular", "low": "100 weeks", "mode": "115 weeks", "high": "150 weeks"},
        {"dist": "pert", "low": "1 month", "mode": "2 months", "high": "8 months"},
        {"dist": "normal", "mean": "30 days", "sd": "3 days"},
        {"dist": "lognormal", "median": "90 days", "sigma": 0.4},
    ],
)
def test_sampler_matches_scipy_definition(spec):
    dist = Holder(value=spec).value
    rng = np.random.default_rng(12345)
    draws = np.array([dist.sample(rng) for _ in range(4000)])
    result = stats.kstest(draws, dist.frozen().cdf)
    assert result.pvalue > 0.001
    assert draws.mean() == pytest.approx(dist.mean(), rel=0.05)


def test_plain_text_is_a_fixed_value_in_days():
    dist = Holder(value="18 months").value
    assert dist.sample(np.random.default_rng(0)) == pytest.approx(18 * 365.25 / 12)


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        ("150 MW", "expected a duration"),
        (12, "bare number"),
        ({"dist": "triangular", "low": "3 days", "mode": "1 day", "high": "5 days"}, "low <= mode"),
        ({"dist": "uniform", "low": "3 days", "high": "1 day"}, "high must not be below low"),
        ({"dist": "gamma", "shape": 2}, "does not match any of the expected tags"),
        ({"dist": "uniform", "low": "1 day", "high": "3 days", "typo": 1}, "Extra inputs"),
    ],
)
def test_bad_distributions_are_rejected(spec, fragment):
    with pytest.raises(ValidationError, match=fragment):
        Holder(value=spec)


def test_units_reject_dollar_sign_and_wrong_dimension():
    assert parse_quantity("11.7 MUSD/MW", "money_per_power") == pytest.approx(11.7e6)
    assert parse_quantity("2 years", "duration") == pytest.approx(730.5)
    with pytest.raises(ValueError, match="USD"):
        parse_quantity("2.5 $/W", "money_per_power")
    with pytest.raises(ValueError, match="expected a power"):
        parse_quantity("150 months", "power")
