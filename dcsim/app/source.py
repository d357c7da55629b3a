"""The scenario a page starts from: the file ``dcsim app`` was given (a campus scenario or
a fleet file), or the default campus.

Read with the command line's loader (includes resolved, bounded YAML) and validated, so a
bad file fails on the command line in one line before any server starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dcsim.app.fleet_runs import FleetSource, fleet_source, is_fleet
from dcsim.config import Scenario, scenario_from_dict
from dcsim.config.loader import read_yaml

DEFAULT_SCENARIO = Path(__file__).resolve().parents[2] / "configs" / "meta-100k-h100.yaml"


@dataclass(frozen=True)
class Source:
    """A scenario as the levers see it: its raw mapping, validated form and name."""

    raw: dict[str, Any]
    scenario: Scenario
    name: str


def load_source(path: str | Path) -> Source | FleetSource:
    """A campus scenario, or a fleet file (top-level ``fleet:``) for the fleet page."""
    raw = read_yaml(Path(path))
    if is_fleet(raw):
        return fleet_source(raw, str(path))
    return Source(raw, scenario_from_dict(raw, str(path)), str(path))
