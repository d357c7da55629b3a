"""Fleets: many campuses in one environment, sharing regional interconnection queues and
vendors' chip output (docs/fleet.md)."""

from __future__ import annotations

from pathlib import Path

from dcsim.fleet.loader import load_fleet, site_plans
from dcsim.fleet.model import FleetRun
from dcsim.fleet.results import FleetResult, summarize_fleet


def run_fleet(path: str | Path, seed: int = 0, replication: int = 0) -> FleetResult:
    """Load a fleet file, run one replication and summarize it."""
    fleet = load_fleet(path)
    plans = site_plans(fleet, path, seed, replication)
    return summarize_fleet(FleetRun(fleet, plans, seed, replication).run())


__all__ = ["FleetResult", "run_fleet"]
