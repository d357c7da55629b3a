"""A fleet file as the fleet page sees it, and its Monte Carlo in chunks.

A chunk runs replications of a fleet exactly as ``dcsim fleet --replications`` does
(:func:`dcsim.fleet.montecarlo.plan_replication` then
:func:`~dcsim.fleet.montecarlo.run_replication`, with the study's root seed), so the page's
per-site risk is the command line's ``site_risk`` for the same file, seed and
replications; the base and the edited fleet run on common random numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dcsim.app.montecarlo import ChunkResult, chunk_ranges
from dcsim.config.loader import read_yaml
from dcsim.config.messages import format_validation_error
from dcsim.errors import UserInputError
from dcsim.fleet.montecarlo import plan_replication, run_replication
from dcsim.fleet.schema import Fleet

#: A fleet replication costs tens to hundreds of times a campus run (every site, the
#: queues): small chunks, so the first answer still comes at once.
FIRST_CHUNK = 8
CHUNK = 10


@dataclass(frozen=True)
class FleetSource:
    """A fleet file: its raw mapping (what the levers edit), the validated fleet, its path
    (the sites' scenarios are read relative to it) and each site's region, in file order."""

    raw: dict[str, Any]
    fleet: Fleet
    path: str
    regions: dict[str, str]


@dataclass(frozen=True)
class FleetChunk:
    fleet: Fleet
    path: str
    seed: int
    replications: range


def is_fleet(raw: Any) -> bool:
    """A fleet file marks itself with a top-level ``fleet:`` key."""
    return isinstance(raw, dict) and "fleet" in raw


def load_fleet_source(path: str | Path) -> FleetSource:
    """Read and check a fleet file as ``dcsim fleet`` does: a problem in it, or in a site's
    scenario, is refused in one line before any server starts."""
    return fleet_source(read_yaml(Path(path)), str(path))


def fleet_source(raw: dict[str, Any], path: str) -> FleetSource:
    """``raw`` (a fleet file's data, perhaps edited) validated, with its first replication
    planned so that a bad site scenario is said now, in one line."""
    fleet = validated(raw, path)
    plans = plan_replication(fleet, path, 0, 0).plans
    return FleetSource(raw, fleet, path, {plan.name: plan.region for plan in plans})


def validated(raw: dict[str, Any], path: str) -> Fleet:
    from pydantic import ValidationError

    try:
        return Fleet.model_validate(raw)
    except ValidationError as error:
        raise UserInputError(format_validation_error(error, path)) from None


def fleet_chunks(fleet: Fleet, path: str, seed: int, wanted: range, done: set[int]):
    """The replications of ``wanted`` not yet ``done``, a small first chunk then the rest."""
    parts = chunk_ranges(wanted, done, FIRST_CHUNK, CHUNK)
    return [FleetChunk(fleet, path, seed, part) for part in parts]


def run_fleet_chunk(chunk: FleetChunk) -> ChunkResult:
    """Run one chunk (in a worker process): a replication row each, as the CLI's."""
    rows = [
        run_replication(plan_replication(chunk.fleet, chunk.path, chunk.seed, r))
        for r in chunk.replications
    ]
    return ChunkResult(chunk.replications, rows)
