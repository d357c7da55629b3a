"""The censored mixture likelihood of a project-wide stop, worked out by hand.

C is lognormal with median 100 days and sigma 0.5, so P(C <= 100) = P(C >= 100) = 1/2. A
stop of (almost exactly) 100 days strikes half the projects (p = 0.5):

- "ready by day 100": unstopped, 1/2; stopped, the build must take at most 0 days, 0:
  (1/2)(1/2) + (1/2)(0) = 1/4.
- "not ready by day 100": unstopped, 1/2; stopped, any build at all, 1:
  (1/2)(1/2) + (1/2)(1) = 3/4.
- "ready between days 150 and 250": unstopped, P(150 <= C <= 250); stopped, the build takes
  50 to 150 days, P(50 <= C <= 150): both read from the lognormal's CDF.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import lognorm

from dcsim.calibration.shocks import log_interval, log_likelihood, shock_entry

MU, SIGMA = math.log(100.0), 0.5
NEAR_FIXED = 1e-6  # the stop's log-spread: 100 days, all but exactly


def mixture(p: float, low: float, high: float) -> float:
    value = log_likelihood(
        np.array([MU]), SIGMA, p, math.log(100.0), NEAR_FIXED, np.array([low]), np.array([high])
    )
    return float(np.exp(value[0]))


def test_the_mixture_by_hand():
    assert mixture(0.5, 0.0, 100.0) == pytest.approx(0.25, abs=1e-6)
    assert mixture(0.5, 100.0, math.inf) == pytest.approx(0.75, abs=1e-6)
    c = lognorm(SIGMA, scale=100.0)
    expected = 0.5 * (c.cdf(250) - c.cdf(150)) + 0.5 * (c.cdf(150) - c.cdf(50))
    assert mixture(0.5, 150.0, 250.0) == pytest.approx(expected, rel=1e-6)
    # p = 0: no stop; p = 1: always stopped
    assert mixture(0.0, 0.0, 100.0) == pytest.approx(0.5)
    assert mixture(1.0, 100.0, math.inf) == pytest.approx(1.0)


def test_an_interval_at_or_below_zero_has_no_probability():
    assert log_interval(MU, SIGMA, np.array([0.0]), np.array([-5.0]))[0] == -math.inf


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    p=st.floats(0, 1),
    low=st.floats(0, 2000),
    width=st.floats(1, 2000) | st.just(math.inf),
    stop=st.floats(math.log(14), math.log(2000)),
)
def test_the_mixture_lies_between_its_two_parts(p, low, width, stop):
    """A mixture's probability lies between the unstopped and the stopped probability."""
    high = low + width
    plain = float(np.exp(log_interval(MU, SIGMA, np.array([low]), np.array([high]))[0]))
    value = float(
        np.exp(
            log_likelihood(np.array([MU]), SIGMA, p, stop, 0.4, np.array([low]), np.array([high]))[
                0
            ]
        )
    )
    always = float(
        np.exp(
            log_likelihood(
                np.array([MU]), SIGMA, 1.0, stop, 0.4, np.array([low]), np.array([high])
            )[0]
        )
    )
    assert min(plain, always) - 1e-9 <= value <= max(plain, always) + 1e-9
    assert 0.0 <= value <= 1.0 + 1e-9


def test_the_fitted_stop_is_written_as_a_scenario_writes_it():
    from dcsim.config.schema import ProjectShock

    entry = shock_entry(0.2553627573, 266.3331299, 0.5044661)
    assert entry == {
        "kind": "project_pause",
        "probability": 0.255363,
        "duration": {"dist": "lognormal", "median": "266.333 days", "sigma": 0.504466},
        "window": "0 days",
    }
    shock = ProjectShock.model_validate(entry)
    assert shock.duration.median == pytest.approx(266.333)
