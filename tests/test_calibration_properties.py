"""Properties of the dataset reader and the observation model over generated input."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dcsim.calibration.dataset import COLUMNS, load_sites
from dcsim.calibration.observations import durations
from dcsim.errors import UserInputError

SETTINGS = settings(
    derandomize=True,
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@SETTINGS
@given(st.binary(max_size=2000))
def test_any_bytes_load_or_are_refused_in_lines(tmp_path, data):
    path = tmp_path / "sites.csv"
    path.write_bytes(",".join(COLUMNS).encode() + b"\n" + data)
    try:
        load_sites(path)
    except UserInputError as error:
        assert error.problems and all("\n" not in line for line in error.problems)


def row(milestone: str, date: dt.date, precision: str, censoring: str) -> dict[str, str]:
    return {
        "site_id": "s",
        "site_name": "S",
        "owner": "O",
        "country": "US",
        "build_mode": "standard",
        "chip": "h100-sxm",
        "milestone": milestone,
        "date": date.isoformat(),
        "date_precision": precision,
        "censoring": censoring,
        "source_title": "t",
        "source_url": "https://example.org",
        "confidence": "secondary",
    }


def written(date: dt.date, precision: str) -> dt.date:
    """The date as the schema writes it at that precision."""
    if precision == "month":
        return date.replace(day=15)
    if precision == "quarter":
        return dt.date(date.year, 3 * ((date.month - 1) // 3) + 2, 15)
    if precision == "year":
        return dt.date(date.year, 7, 1)
    return date


PRECISION = st.sampled_from(["day", "month", "quarter", "year"])
DATES = st.dates(dt.date(2015, 1, 1), dt.date(2030, 12, 31))


@SETTINGS
@given(
    DATES,
    PRECISION,
    st.integers(0, 2000),
    PRECISION,
    st.sampled_from(["exact", "reached_by", "not_reached_as_of"]),
)
def test_an_observed_interval_is_ordered_and_holds_the_truth(
    tmp_path, start, p0, days, p1, censoring
):
    """Whatever the precisions, the interval is ordered, starts at 0 or later, and holds
    the true duration of an exact row (the true days between the two true dates)."""
    end = start + dt.timedelta(days=days)
    rows = [row("construction_start", written(start, p0), p0, "exact")]
    rows.append(row("first_power", written(end, p1), p1, censoring))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, restval="", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / "sites.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    try:
        (site,) = load_sites(path).sites
    except UserInputError as error:
        # Only a milestone that cannot follow its start is refused.
        assert any("out of order" in line for line in error.problems), error.problems
        return
    (observed,) = durations(site)
    assert 0 <= observed.lower <= observed.upper
    if censoring == "exact":
        assert observed.lower <= days <= observed.upper
    elif censoring == "reached_by":
        assert observed.lower == 0 and days <= observed.upper
    else:
        assert math.isinf(observed.upper)


@settings(derandomize=True, max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 400), min_size=1, max_size=40),
    st.integers(-50, 450),
    st.one_of(st.integers(0, 200), st.just(-1)),
)
def test_expected_coverage_is_a_probability_nested_in_the_lenient_rule(draws, lower, width):
    """Any forecast (ties included) and any observed interval (``width`` -1: right-censored):
    each band's credit is a probability, a wider band never holds less, and a band the
    credit counts at all is one the lenient rule counts as held."""
    import numpy as np

    from dcsim.calibration.observations import Duration
    from dcsim.calibration.scoring import LEVELS, band_credit, meets

    ordered = np.sort(np.array(draws, dtype=float))
    upper = math.inf if width < 0 else float(lower + width)
    seen = Duration("s", "first_power", None, None, float(lower), upper, "interval", 0.0, "")
    credits = [band_credit(ordered, seen, level) for level in LEVELS]
    assert all(0.0 <= c <= 1.0 for c in credits)
    assert all(a <= b + 1e-12 for a, b in itertools.pairwise(credits))
    for level, credit in zip(LEVELS, credits, strict=True):
        band = np.quantile(ordered, [(1 - level) / 2, (1 + level) / 2])
        assert credit == 0.0 or meets(*band, seen)
