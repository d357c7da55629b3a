"""The registry of constraint classes: the lists it derives are the contract names scripts
already use, and the split of the word *crews* keeps the old row's total."""

from __future__ import annotations

import pytest

from dcsim import constraints
from dcsim.api import simulate
from dcsim.constraints.builtin import BUILTIN
from dcsim.sweeps.experiment import KNOWN_KPIS
from tests.conftest import tiny


def test_the_derived_lists_keep_the_contract_names_and_their_order():
    assert constraints.relaxable() == (
        "grid",
        "generation",
        "equipment",
        "construction",
        "chips",
        "crews",
        "installation",
        "commissioning",
        "air_permit",
        "fuel_limit",
        "project_risk",
    )
    assert constraints.stranded_rows() == (
        "grid",
        "equipment",
        "construction",
        "chips",
        "crews",
        "air_permit",
        "fuel_limit",
        "project_risk",
    )
    assert constraints.kpi_rows()[8:] == ("installation_crews", "construction_crews")
    assert constraints.constraint_kinds() == (
        "grid",
        "generation",
        "equipment",
        "construction",
        "chips",
        "crews",
        "air_permit",
        "fuel_limit",
        "project_risk",
    )
    assert constraints.own_step_kinds() == ("installation", "commissioning")
    assert KNOWN_KPIS[-10:] == constraints.kpi_columns(BUILTIN)


def test_every_class_is_declared_in_a_module_of_its_own():
    import importlib
    import pkgutil

    import dcsim.constraints.builtin as package

    declared = []
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        found = [v for v in vars(module).values() if isinstance(v, constraints.ConstraintClass)]
        assert len(found) == 1, f"{info.name} declares {len(found)} classes"
        assert found[0].name == info.name
        declared += found
    assert sorted(c.name for c in declared) == sorted(c.name for c in BUILTIN)


def test_the_crews_row_is_the_sum_of_its_two_parts():
    # Two halls, one construction crew: h2 waits 20 days for it (its 100 planned GPUs);
    # one installation crew serves three stages.
    halls = [tiny().halls[0].model_dump(mode="json")]
    halls.append(
        {**halls[0], "name": "h2", "stages": {"count": 1, "gpus": 100, "chip": "test-gpu"}}
    )
    waits = simulate(tiny(halls=halls, construction={"crews": 1})).kpis["constraint_gpu_days"]
    assert waits["construction_crews"] == 100 * 20
    assert waits["installation_crews"] > 0
    assert waits["crews"] == waits["installation_crews"] + waits["construction_crews"]


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("name", "Permit", "expected"),
        ("relax_as", "x-y", "expected"),
        ("relaxing", "", "say what relaxing it means"),
        ("attribution", "", "say which waits it is charged"),
    ],
)
def test_a_declaration_missing_its_words_is_refused(field, value, message):
    words = {
        "name": "permit",
        "meaning": "m",
        "relaxing": "r",
        "attribution": "a",
        "gates": "g",
        "links": "l",
        "wire": lambda run: None,
    }
    with pytest.raises(ValueError, match=message):
        constraints.plugin(**(words | {field: value}))
