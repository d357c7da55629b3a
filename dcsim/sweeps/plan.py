"""From an experiment to the runs to do: one raw scenario per point, checked up front.

Mistakes in the experiment itself (an override path that does not exist, an unknown
field, a unit of the wrong kind) stop the sweep before anything is written. A *value* that
a point's scenario rejects is not fatal: that point's runs are recorded as errors and the
rest of the sweep goes on.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from dcsim.config import Scenario
from dcsim.config.loader import apply_overrides, read_yaml
from dcsim.config.messages import DISTRIBUTION_TAGS, format_validation_error
from dcsim.errors import UserInputError
from dcsim.sweeps.design import Point, column_values, points
from dcsim.sweeps.experiment import Experiment, GridDesign, PointsDesign


@dataclass(frozen=True)
class Plan:
    experiment: Experiment
    points: list[Point]
    scenarios: list[dict[str, Any]]
    parameters: list[str]
    columns: dict[str, list[Any]]
    config_hash: str

    @property
    def runs(self) -> list[tuple[int, int]]:
        reps = range(self.experiment.replications)
        return [(p, r) for p in range(len(self.points)) for r in reps]


def make_plan(experiment: Experiment, origin: str = "<experiment>") -> Plan:
    base = read_yaml(experiment.base)
    with_set = _overrides(base, experiment.set, f"{origin}: set:")
    design_points = points(experiment)
    scenarios = [
        _overrides(with_set, p.overrides, f"{origin}: design.parameters:") for p in design_points
    ]
    _check_fields(with_set, experiment, origin)
    parameters = list(experiment.design.parameters)
    columns = {
        name: column_values([p.columns.get(name) for p in design_points]) for name in parameters
    }
    digest = hashlib.sha256(
        json.dumps(
            {
                "experiment": experiment.model_dump(mode="json", exclude={"base"}),
                "base": with_set,
                "points": [p.overrides for p in design_points],
            },
            sort_keys=True,
            default=str,
        ).encode()
    ).hexdigest()
    return Plan(experiment, design_points, scenarios, parameters, columns, digest)


def _overrides(raw: dict[str, Any], overrides: dict[str, Any], where: str) -> dict[str, Any]:
    try:
        return apply_overrides(raw, overrides)
    except UserInputError as error:
        raise UserInputError(
            [f"{where} {line.removeprefix('--set ')}" for line in error.problems]
        ) from None


#: Errors that no choice of values can mend: a misspelt field, a unit of the wrong kind.
FATAL = {"extra_forbidden", "quantity_dimension"}


def _check_fields(base: dict[str, Any], experiment: Experiment, origin: str) -> None:
    """Validate the base (with ``set``) and, one parameter at a time, the base carrying
    each value a parameter can write (both ends of a range). Fatal, as a mistake in the
    experiment that every point would repeat: an error of a kind in :data:`FATAL`, and an
    error of the base at a field that no parameter can change."""
    where = f"{origin} (applied to the base scenario)"
    probes = _probe_values(experiment)
    problems = fatal_problems(base, where, moved=list(probes))
    for path, values in probes.items():
        for value in values:
            problems += fatal_problems(apply_overrides(base, {path: value}), where)
    if problems:
        raise UserInputError(list(dict.fromkeys(problems))) from None


def _probe_values(experiment: Experiment) -> dict[str, list[Any]]:
    """Per parameter, the values worth validating: every listed value, a range's ends."""
    design = experiment.design
    if isinstance(design, PointsDesign):
        probes: dict[str, list[Any]] = {}
        for point in design.points:
            for path, value in point.set.items():
                probes.setdefault(path, []).append(value)
        return probes
    if isinstance(design, GridDesign):
        return dict(design.parameters)
    return {
        name: parameter.values
        if parameter.values is not None
        else [parameter.at(parameter.low)[0], parameter.at(parameter.high)[0]]
        for name, parameter in design.parameters.items()
    }


def fatal_problems(data: dict[str, Any], where: str, moved: list[str] | None = None) -> list[str]:
    """The lines of ``data``'s errors that are fatal; with ``moved`` (the design's paths),
    also those at a field that none of them reaches (a design may mend a field it moves,
    or one inside it, or a rule of a section that holds it; nothing else)."""
    try:
        Scenario.model_validate(data)
    except ValidationError as error:
        lines = format_validation_error(error, where)
        return [
            line
            for line, item in zip(lines, error.errors(include_url=False), strict=True)
            if item["type"] in FATAL
            or (moved is not None and item["loc"] and not _reaches(item["loc"], moved))
        ]
    return []


def _reaches(loc: tuple, paths: list[str]) -> bool:
    """Whether a design path and the error's location (distribution tags dropped) lie on
    one branch of the scenario: one is a prefix of the other."""
    where = [str(part) for part in loc if part not in DISTRIBUTION_TAGS]
    for path in paths:
        parts = path.split(".")
        common = min(len(parts), len(where))
        if parts[:common] == where[:common]:
            return True
    return False
