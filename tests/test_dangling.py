"""A source or piece of equipment that feeds no hall is refused at load time, by name."""

from __future__ import annotations

import pytest

from dcsim.config import scenario_from_dict
from dcsim.config.network import dangling_nodes
from dcsim.errors import UserInputError
from tests.conftest import DEFAULT_CONFIG, TINY, tiny, tiny_dict

GENERATOR = {"name": "bridge", "capacity": "10 MW", "lead_time": "1 week"}
SPARE = {
    "name": "spare",
    "kind": "transformer",
    "capacity": "5 MW",
    "fed_by": ["grid"],
    "lead_time": "1 week",
}


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"grid.generators": [GENERATOR]}, "generator 'bridge' feeds no hall"),
        ({"equipment": [*TINY["equipment"], SPARE]}, "transformer 'spare' feeds no hall"),
    ],
)
def test_dangling_node_is_one_line_naming_it(overrides, named):
    with pytest.raises(UserInputError) as caught:
        scenario_from_dict(tiny_dict(**overrides))
    assert len(caught.value.problems) == 1
    assert named in caught.value.problems[0]


def test_fed_generator_is_not_dangling():
    fed = {"grid.generators": [GENERATOR], "halls.0.fed_by": ["xfmr", "bridge"]}
    assert dangling_nodes(tiny(**fed).power_graph()) == []


def test_cli_validate_exits_2_naming_the_generator(cli):
    done = cli(
        "validate",
        DEFAULT_CONFIG,
        "--set",
        "grid.generators=[{name: turbines, capacity: 10 MW, lead_time: 8 weeks}]",
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "generator 'turbines' feeds no hall" in lines[0]
