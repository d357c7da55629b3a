"""Design points: what each point overrides, and the value recorded in its column.

Every point is a mapping ``dotted.path -> value written into the scenario``; the value
recorded in the results is the number behind it (``123.4``, not ``"123.4 weeks"``) so that
columns stay numeric. The sampled designs depend on the root seed only, so re-running an
experiment reproduces its points exactly.
"""

from __future__ import annotations

import itertools
import json
import sys
from dataclasses import dataclass
from typing import Any

import numpy as np

from dcsim.sweeps.experiment import (
    Experiment,
    GridDesign,
    PointsDesign,
    SampledDesign,
    TornadoDesign,
    sobol_base,
)


@dataclass(frozen=True)
class Point:
    overrides: dict[str, Any]
    columns: dict[str, Any]


def points(experiment: Experiment) -> list[Point]:
    design = experiment.design
    if isinstance(design, PointsDesign):
        return [Point(dict(p.set), {"label": p.label}) for p in design.points]
    if isinstance(design, GridDesign):
        names = list(design.parameters)
        return [
            Point(dict(zip(names, combo, strict=True)), dict(zip(names, combo, strict=True)))
            for combo in itertools.product(*design.parameters.values())
        ]
    if isinstance(design, TornadoDesign):
        out = [Point({}, {})]
        for name, parameter in design.parameters.items():
            for bound in (parameter.low, parameter.high):
                value, column = parameter.at(bound)
                out.append(Point({name: value}, {name: column}))
        return out
    out = []
    for row in unit_cube(design, experiment.seed):
        overrides, columns = {}, {}
        for (name, parameter), u in zip(design.parameters.items(), row, strict=True):
            overrides[name], columns[name] = parameter.pick(u)
        out.append(Point(overrides, columns))
    return out


def unit_cube(design: SampledDesign, seed: int) -> np.ndarray:
    """Samples in [0, 1)^d, one row per point."""
    d = len(design.parameters)
    if design.type == "random":
        return np.random.default_rng(seed).random((design.samples, d))
    if design.type == "lhs":
        from scipy.stats import qmc

        return qmc.LatinHypercube(d, rng=seed).random(design.samples)
    return sobol_problem(design, seed).samples


def sobol_base_samples(design: SampledDesign, warn: bool = True) -> int:
    """Saltelli's estimators assume N = 2^m; round up (and say so) rather than refuse."""
    n = design.samples
    rounded = sobol_base(n)
    if rounded != n and warn:
        print(f"warning: sobol samples {n} is not a power of two; using {rounded}", file=sys.stderr)
    return rounded


def sobol_problem(design: SampledDesign, seed: int, warn: bool = True):
    """A SALib ProblemSpec over the unit cube, sampled: ``N * (d + 2)`` points (first-order
    and total indices; no second order, which would double the cost)."""
    try:
        from SALib import ProblemSpec
    except ImportError:
        from dcsim.errors import UserInputError

        raise UserInputError("design sobol needs SALib: pip install 'dcsim[sensitivity]'") from None
    names = list(design.parameters)
    problem = ProblemSpec({"names": names, "bounds": [[0.0, 1.0]] * len(names)})
    problem.sample_sobol(sobol_base_samples(design, warn), calc_second_order=False, seed=seed)
    return problem


def column_values(values: list[Any]) -> list[Any]:
    """Values for one parquet column: numbers stay numbers; anything mixed or nested becomes
    text (JSON for lists and mappings) because a parquet column has a single type."""
    present = [v for v in values if v is not None]
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return values
    if all(isinstance(v, str) for v in present) or all(isinstance(v, bool) for v in present):
        return values
    return [
        None
        if v is None
        else json.dumps(v, sort_keys=True, default=str)
        if isinstance(v, list | dict)
        else str(v)
        for v in values
    ]
