"""Project risk: shocks shared by a whole campus (a redesign, a permit or legal challenge, a
financing pause, a labour shortage) that stop construction on every hall at once.

Per-hall duration draws are independent and average out across a campus; a project-wide
stop does not, which is what widens a campus's band of dates (issue #20, item 3).
"""

from __future__ import annotations

from dataclasses import dataclass

from dcsim.config.schema import ProjectShock, Scenario
from dcsim.constraints.base import ConstraintClass, Wiring

#: How each kind reads on the critical path.
LABELS = {
    "redesign_pause": "redesign pause",
    "permit_challenge": "permit or legal challenge",
    "financing_pause": "financing pause",
    "labour_shortage": "labour shortage",
    "project_pause": "project pause (cause not stated)",
}


@dataclass(frozen=True)
class Strike:
    """One shock that struck: construction stops from ``start`` for ``days``."""

    shock: ProjectShock
    start: float
    days: float


def _has_shocks(scenario: Scenario) -> bool:
    return bool(scenario.project_risk)


def wire(run: Wiring) -> None:
    """Unless relaxed, draw each shock once for the project (always three draws from the
    shock's own stream: whether, when, how long, so a changed probability moves no other
    number) and stop every hall's construction while it lasts. It strikes ``window`` days
    after the campus's first ground-breaking, or on its ``strikes_on`` date."""
    if run.relaxed or not run.scenario.project_risk:
        return
    halls = run.scenario.halls
    project_start = min(run.day(hall.construction_start) for hall in halls)
    strikes = []
    for number, shock in enumerate(run.scenario.project_risk):
        rng = run.stream(f"{number}:{shock.kind}")
        u = float(rng.random())
        window, days = shock.window.sample(rng), shock.duration.sample(rng)
        if shock.strikes(u, days):
            dated = shock.strikes_on is not None
            start = run.day(shock.strikes_on) if dated else project_start + window
            strikes.append(Strike(shock, start, days))
    for struck in sorted(strikes, key=lambda s: s.start):
        for hall in halls:
            run.pause_construction(
                hall.name,
                struck.start,
                struck.start + struck.days,
                LABELS[struck.shock.kind],
                f"{struck.days:.0f} days",
            )


PROJECT_RISK = ConstraintClass(
    name="project_risk",
    meaning="A shock shared by the whole project (redesign, permit or legal challenge, "
    "financing pause, labour shortage) stops construction on every hall at once.",
    relaxing="no project-wide shock strikes",
    attribution="GPU-days that chips sat in a warehouse while the first stage (in plan "
    "order) yet to take chips waited for its hall during a project-wide stop",
    gates="every hall's construction progress (`sim/construction.py`), and through it each "
    "stage's start",
    links="the stop, on each hall's chain between the pieces of shell or fit-out it "
    "interrupts (strike → work resumes; the draw is its length)",
    relax_as="project_risk",
    trace_kind="project_risk",
    kpi_row="project_risk",
    present=_has_shocks,
    wire=wire,
)
