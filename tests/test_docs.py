"""The documentation stays true to the code: the generated config reference matches the
schema, and every scenario the tutorial uses loads."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from dcsim.config import load_scenario

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
TUTORIAL_YAMLS = sorted((DOCS / "tutorial").glob("*.yaml"))


def load_generator():
    spec = importlib.util.spec_from_file_location(
        "make_config_reference", DOCS / "make_config_reference.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_config_reference_is_current():
    expected = load_generator().render()
    actual = (DOCS / "config.md").read_text(encoding="utf-8")
    assert actual == expected, (
        "docs/config.md is out of date with the schema; regenerate it with "
        "`.venv/bin/python docs/make_config_reference.py --write`"
    )


def test_config_reference_covers_every_field():
    from dcsim.config.schema import Scenario

    text = (DOCS / "config.md").read_text(encoding="utf-8")
    for name in Scenario.model_fields:
        assert f"| `{name}` |" in text


def test_there_are_tutorial_scenarios():
    assert TUTORIAL_YAMLS, "docs/tutorial/ holds the scenarios the tutorial uses"


@pytest.mark.parametrize("path", TUTORIAL_YAMLS, ids=lambda p: p.name)
def test_tutorial_scenario_validates(path):
    scenario = load_scenario(path)
    assert scenario.name == path.stem


def test_constraint_tables_of_the_model_page_match_the_registry():
    spec = importlib.util.spec_from_file_location(
        "make_constraint_reference", DOCS / "make_constraint_reference.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    actual = (DOCS / "model.md").read_text(encoding="utf-8")
    assert module.render(actual) == actual, (
        "docs/model.md's constraint tables are out of date with dcsim/constraints/; "
        "regenerate them with `.venv/bin/python docs/make_constraint_reference.py --write`"
    )
