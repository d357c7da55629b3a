"""The observation model: what a site's rows say about durations from its start.

A forecast speaks of days from construction start to a milestone, so each milestone of a
site becomes an interval of durations the data allows: ``exact`` rows bound it on both
sides by the date's precision (a month-precision date is any day of that month, interval
censoring); ``reached_by`` bounds it above only (left-censored: the true date is earlier
or equal); ``not_reached_as_of`` bounds it below only (right-censored). The start's own
precision widens the interval too. Several rows of one milestone are intersected (the
loader has checked they overlap).

A site with no ``construction_start`` row is measured from its ``announced`` row, and says
so in :attr:`Duration.origin`.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from dcsim.calibration.dataset import CENSORINGS, Observation, Site, milestone_window

#: Milestones a forecast predicts, in their order.
PREDICTED = ("shell_complete", "first_power", "capacity", "full_build")


@dataclass(frozen=True)
class Duration:
    """Days from the site's origin to one milestone: the true value lies in
    ``[lower, upper]`` (``upper`` may be infinite)."""

    site_id: str
    milestone: str
    value: float | None
    value_unit: str | None
    lower: float
    upper: float
    censored: str  # "exact", "interval", "left" or "right"
    stated: float  # days to the date the row states (what a reader calls "the actual")
    origin: str

    @property
    def label(self) -> str:
        """``capacity 100 MW`` for a capacity milestone, the milestone's name otherwise."""
        if self.value is None:
            return self.milestone
        return f"{self.milestone} {self.value:g} {self.value_unit}"


def durations(site: Site) -> list[Duration]:
    """The site's observed durations, one per predicted milestone (and capacity level)."""
    origin_rows = [o for o in site.observations if o.milestone == "construction_start"] or [
        o for o in site.observations if o.milestone == "announced"
    ]
    if not origin_rows:
        return []
    start_low, start_high = _days(milestone_window(origin_rows))
    groups: dict[tuple[str, float | None, str | None], list[Observation]] = {}
    for o in site.observations:
        if o.milestone in PREDICTED:
            groups.setdefault((o.milestone, o.value, o.value_unit), []).append(o)
    found = []
    for (milestone, value, unit), rows in groups.items():
        low, high = _days(milestone_window(rows))
        lower = max(0.0, low - start_high)
        upper = max(lower, high - start_low)
        # "The actual" a reader sees: a dated event before a "reached by" bound, before a
        # "not reached as of" check (the order of CENSORINGS).
        shown = min(rows, key=lambda o: CENSORINGS.index(o.censoring))
        stated = max(0.0, float((shown.date - origin_rows[0].date).days))
        found.append(
            Duration(
                site_id=site.site_id,
                milestone=milestone,
                value=value,
                value_unit=unit,
                lower=lower,
                upper=upper,
                censored=_censoring(lower, upper, rows),
                stated=stated,
                origin=origin_rows[0].milestone,
            )
        )
    order = {name: i for i, name in enumerate(PREDICTED)}
    return sorted(found, key=lambda d: (order[d.milestone], d.value or 0.0))


def _days(window: tuple[dt.date, dt.date] | None) -> tuple[float, float]:
    """A window of days as ordinals, its end exclusive (unbounded ends infinite)."""
    assert window is not None  # the loader refuses a milestone whose rows contradict
    low, high = window
    return (
        -math.inf if low == dt.date.min else float(low.toordinal()),
        math.inf if high == dt.date.max else float(high.toordinal() + 1),
    )


def _censoring(lower: float, upper: float, rows: list[Observation]) -> str:
    if math.isinf(upper):
        return "right"
    if all(row.censoring == "reached_by" for row in rows):
        return "left"
    return "exact" if upper - lower <= 2 else "interval"
