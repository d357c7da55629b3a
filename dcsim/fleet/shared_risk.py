"""A fleet's project shocks shared by one owner: drawn once per run for the owner, then
handed to each of its sites as a dated shock, so all of them stop on the same day.

The draw (whether, when, how long) comes from the owner's own stream, ``("owner-risk",
"<owner>/<index>:<kind>")``, so it does not move when sites or other owners are added. A
site's own ``project_risk`` is untouched; the shared ones are appended to it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

from dcsim.config.schema import ProjectShock
from dcsim.fleet.loader import SitePlan
from dcsim.fleet.schema import SharedShock
from dcsim.rng import RandomStreams


def dated(shock: SharedShock, first_ground_breaking: dt.date, window: float, days: float):
    """The owner's shock, struck, as a site shock on a calendar day: ``window`` rounded to
    whole days after ``first_ground_breaking``, lasting ``days``."""
    return ProjectShock(
        kind=shock.kind,
        probability=1.0,
        duration=f"{days!r} days",
        strikes_on=first_ground_breaking + dt.timedelta(days=round(window)),
    )


def share_owner_shocks(
    shocks: Sequence[SharedShock], plans: Sequence[SitePlan], streams: RandomStreams
) -> list[SitePlan]:
    """``plans`` with each owner's struck shocks appended to every one of its sites."""
    struck: dict[str, list[ProjectShock]] = {}
    for number, shock in enumerate(shocks):
        owned = [plan for plan in plans if plan.owner == shock.owner]
        rng = streams.stream("owner-risk", f"{shock.owner}/{number}:{shock.kind}")
        u = float(rng.random())
        window, days = shock.window.sample(rng), shock.duration.sample(rng)
        if owned and shock.strikes(u, days):
            first = min(h.construction_start for plan in owned for h in plan.scenario.halls)
            struck.setdefault(shock.owner, []).append(dated(shock, first, window, days))
    return [
        replace(plan, scenario=_with(plan, struck[plan.owner])) if plan.owner in struck else plan
        for plan in plans
    ]


def _with(plan: SitePlan, shocks: list[ProjectShock]):
    risk = [*plan.scenario.project_risk, *shocks]
    return plan.scenario.model_copy(update={"project_risk": risk})
