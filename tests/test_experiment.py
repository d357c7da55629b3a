"""Experiment files: schema errors, design points, and the up-front checks of a plan."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from dcsim.errors import UserInputError
from dcsim.sweeps.design import points
from dcsim.sweeps.experiment import Experiment, experiment_from_dict, load_experiment
from dcsim.sweeps.plan import make_plan

BASE = str(Path(__file__).resolve().parent.parent / "configs" / "meta-100k-h100.yaml")
LEAD = "equipment.1.lead_time.mode"


def experiment(**fields) -> Experiment:
    return experiment_from_dict({"base": BASE, **fields}, "exp.yaml")


def problems(**fields) -> list[str]:
    with pytest.raises(UserInputError) as caught:
        experiment(**fields)
    return caught.value.problems


def test_errors_name_the_file_and_the_field():
    assert problems(
        design={"type": "lhs", "samples": 4, "parameters": {LEAD: {"low": 3, "high": 2}}}
    ) == [f"exp.yaml: design.parameters.{LEAD}: low (3) must be below high (2)"]
    assert problems(replicatoins=3) == [
        "exp.yaml: replicatoins: unknown field (check the spelling; see docs/experiments.md)"
    ]
    assert "expected one of" in problems(design={"type": "factorial"})[0]
    assert (
        "either values or low/high"
        in problems(
            design={
                "type": "random",
                "samples": 2,
                "parameters": {LEAD: {"low": 1, "high": 2, "values": [1]}},
            }
        )[0]
    )
    assert (
        "need low and high"
        in problems(design={"type": "tornado", "parameters": {LEAD: {"values": [1, 2]}}})[0]
    )


def test_base_is_relative_to_the_experiment_file(tmp_path):
    (tmp_path / "sub").mkdir()
    path = tmp_path / "sub" / "e.yaml"
    path.write_text(yaml.safe_dump({"base": "../scenario.yaml", "replications": 2}))
    loaded = load_experiment(path, replications=5)
    assert loaded.base == str((tmp_path / "scenario.yaml").resolve())
    assert loaded.replications == 5


def test_grid_is_the_cartesian_product():
    exp = experiment(design={"parameters": {"a": [1, 2, 3], "b": ["x", "y"]}})
    assert [p.overrides for p in points(exp)][:3] == [
        {"a": 1, "b": "x"},
        {"a": 1, "b": "y"},
        {"a": 2, "b": "x"},
    ]
    assert len(points(exp)) == 6
    assert [p.overrides for p in points(experiment())] == [{}]


def test_sampled_designs_are_reproducible_and_carry_units():
    design = {
        "type": "lhs",
        "samples": 10,
        "parameters": {
            LEAD: {"low": 100, "high": 150, "unit": "weeks"},
            "x": {"values": ["a", "b"]},
        },
    }
    first, again = (
        points(experiment(design=design, seed=3)),
        points(experiment(design=design, seed=3)),
    )
    assert first == again
    numbers = np.array([p.columns[LEAD] for p in first])
    # Latin hypercube: exactly one sample in each of the ten strata.
    assert sorted(((numbers - 100) / 5).astype(int)) == list(range(10))
    assert first[0].overrides[LEAD] == f"{float(first[0].columns[LEAD])} weeks"
    assert type(first[0].columns[LEAD]) is float
    assert {p.overrides["x"] for p in first} == {"a", "b"}
    other = points(experiment(design={**design, "type": "random"}, seed=4))
    assert all(100 <= p.columns[LEAD] < 150 for p in other)


def test_sobol_rounds_samples_up_to_a_power_of_two(capsys):
    design = {
        "type": "sobol",
        "samples": 5,
        "parameters": {"a": {"low": 0, "high": 1}, "b": {"low": 0, "high": 1}},
    }
    assert len(points(experiment(design=design))) == 8 * (2 + 2)
    assert "not a power of two; using 8" in capsys.readouterr().err


def test_tornado_is_base_then_low_and_high_per_parameter():
    exp = experiment(
        design={
            "type": "tornado",
            "parameters": {"a": {"low": 1, "high": 2, "unit": "weeks"}, "b": {"low": 5, "high": 6}},
        }
    )
    assert [p.overrides for p in points(exp)] == [
        {},
        {"a": "1.0 weeks"},
        {"a": "2.0 weeks"},
        {"b": 5.0},
        {"b": 6.0},
    ]


def test_plan_rejects_paths_that_do_not_exist():
    with pytest.raises(UserInputError) as caught:
        make_plan(experiment(design={"parameters": {"halls.9.pue": [1.1]}}), "exp.yaml")
    assert caught.value.problems[0].startswith("exp.yaml: design.parameters: halls.9.pue")
    with pytest.raises(UserInputError) as caught:
        make_plan(experiment(set={"halls.0.peu": 1.1}), "exp.yaml")
    assert "halls.0.peu: unknown field" in caught.value.problems[0]
    # A value the scenario rejects is the point's problem, found when it runs.
    plan = make_plan(experiment(design={"parameters": {"halls.0.pue": [1.1, 0.5]}}))
    assert plan.columns == {"halls.0.pue": [1.1, 0.5]}
    assert plan.runs == [(0, 0), (1, 0)]


def test_config_hash_follows_what_is_run():
    one = make_plan(experiment(replications=2)).config_hash
    assert make_plan(experiment(replications=2)).config_hash == one
    assert make_plan(experiment(replications=3)).config_hash != one
    assert make_plan(experiment(replications=2, set={"halls.0.pue": 1.2})).config_hash != one
