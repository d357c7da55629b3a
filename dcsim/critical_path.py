"""What sets the date: the critical chain of a run, read from its trace.

A target (the full cluster, half the GPUs) is reached when some stage energizes. That
energization names the link it waited for last (its commissioning, which waited for power
or for its own burn-in, which waited for a crew, chips or its hall, ...). Following those
causes back gives the chain of last-ending waits; shortening any link on it moves the
target, and shortening a link off it does not (until another chain becomes the longest).

``date_set_by`` is the kind of the last link on the chain that is a wait on a constraint
(:func:`dcsim.constraints.constraint_kinds`: grid, generation, equipment, construction,
chips, crews, and any plug-in's). Every chain ends in a stage's own
installation, burn-in and commissioning, which follow whatever came before; they set the
date only when nothing else is on the chain.

A hall's build stopped by a project-wide shock (a redesign, a permit challenge: any class
that pauses construction) is one run of links on its entity: shell, the stop, the rest of
the shell, fit-out. The work after the stop would have been done anyway; it is the stop that
moved the date, so a build that ends the chain and was stopped names the latest stop's
kind, not ``construction``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from dcsim.constraints import constraint_kinds
from dcsim.sim.trace import Link

if TYPE_CHECKING:
    from dcsim.sim.model import BuildOut

#: The kind of a hall's own build links (shell and fit-out pieces).
CONSTRUCTION = "construction"

COLUMNS = (
    "target",
    "step",
    "kind",
    "entity",
    "what",
    "start_date",
    "end_date",
    "days",
    "draw",
)


def chain_to(model: BuildOut, day: float | None) -> list[Link]:
    """The critical chain of the last energization at or before ``day``."""
    if day is None:
        return []
    ends = [link for when, link in model.controller.energized if when <= day]
    return model.trace.chain(ends[-1]) if ends else []


def set_by(chain: list[Link]) -> str | None:
    """The kind of the last constraint wait on the chain, or of the latest stop of the
    hall build it ends (see the module docstring)."""
    kinds = constraint_kinds()
    for index in range(len(chain) - 1, -1, -1):
        link = chain[index]
        if link.kind == CONSTRUCTION:
            return _stop_of_build(chain[: index + 1], kinds) or CONSTRUCTION
        if link.kind in kinds:
            return link.kind
    return chain[-1].kind if chain else None


def _stop_of_build(chain: list[Link], kinds: tuple[str, ...]) -> str | None:
    """The kind of the latest stop in the run of links on one hall that ends ``chain`` (a
    construction link), or None if its build was not stopped."""
    hall = chain[-1].entity
    for link in reversed(chain):
        if link.entity != hall or link.kind not in kinds:
            return None
        if link.kind != CONSTRUCTION:
            return link.kind
    return None


def constraint_entities(chain: list[Link]) -> set[str]:
    """The entities of the chain's constraint links, as a criticality index counts them:
    an interconnect step is its own entity (``utility step 3``), anything else its name
    (``xfmr-2``, ``hall-d``, ``installation crews``)."""
    names, kinds = set(), constraint_kinds()
    for link in chain:
        if link.kind in kinds:
            step = link.what.split(" to ")[0] if link.what.startswith("step ") else ""
            names.add(f"{link.entity} {step}".strip())
    return names


def table(model: BuildOut, target_days: dict[str, float | None]) -> pd.DataFrame:
    """One row per link of each target's chain, earliest first."""
    start = pd.Timestamp(model.scenario.start)
    rows: list[dict[str, Any]] = []
    for target, day in target_days.items():
        for step, link in enumerate(chain_to(model, day), start=1):
            rows.append(
                {
                    "target": target,
                    "step": step,
                    "kind": link.kind,
                    "entity": link.entity,
                    "what": link.what,
                    "start_date": start + pd.Timedelta(days=link.start),
                    "end_date": start + pd.Timedelta(days=link.end),
                    "days": link.end - link.start,
                    "draw": link.draw,
                }
            )
    return pd.DataFrame(rows, columns=COLUMNS)


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The table as JSON-ready rows, dates as ISO calendar dates like the KPIs'."""
    out = []
    for row in frame.to_dict("records"):
        for key in ("start_date", "end_date"):
            row[key] = row[key].date().isoformat()
        out.append(row)
    return out
