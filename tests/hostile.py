"""Hostile mutations of valid inputs, and the contract every outcome must meet.

Shared by the fuzz tests (through the command line and through the Python API): a valid
scenario or experiment is changed in one place (a type, a unit, a sign, NaN or infinity, a
date, the structure) and written out, sometimes in a hostile encoding or shape. Whatever
comes of it must be a clean refusal or a result that keeps the model's invariants.
"""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path
from typing import Any

import yaml

from dcsim.runtime.worker import flatten

#: Values put in place of a valid one: wrong types, units, signs, non-finite numbers,
#: impossible and out-of-range dates, overflowing counts, runaway rates, pint expressions.
VALUES: list[Any] = [
    -1,
    0,
    1.5,
    1e30,
    float("nan"),
    float("inf"),
    -float("inf"),
    2**70,
    True,
    None,
    "",
    "x" * 300,
    [],
    {},
    "nan MW",
    "inf days",
    "-100 days",
    "1e400 MW",
    "10**10**10 MW",
    "2 MW",
    "3 months",
    "1 second",
    "0 / month",
    "-5 / month",
    "1e9 USD",
    "nan USD",
    "5 $",
    "2024-02-30",
    "2023-02-29",
    "2024-13-01",
    "9999-12-31",
    "0001-01-01",
    "1e9",
    "NO",
    {"dist": "normal", "mean": "10 days", "sd": "-1 day"},
    {"dist": "normal", "mean": "10 days", "sd": "1e5 days"},
    {"dist": "uniform", "low": "nan days", "high": "1 day"},
    {"dist": "lognormal", "median": "1 day", "sigma": 1e6},
    {"dist": "pert", "low": "1 day", "mode": "2 days", "high": "3 days", "shape": -1},
    {"dist": "fixed", "value": "-3 days"},
    {"dist": "triangular", "low": "3 days", "mode": "2 days", "high": "1 day"},
    {"dist": "banana"},
]

#: Whole-structure changes, applied to the mapping.
STRUCTURE = ["delete", "unknown key", "wrap in list", "duplicate list item"]

#: How the text reaches the loader.
ENCODINGS = [
    "utf-8",
    "latin-1 text",
    "utf-16",
    "truncated",
    "binary",
    "duplicate key",
    "billion laughs",
    "recursive anchor",
    "deep nesting",
]


def leaf_paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path to a value (mappings by key, lists by index), inner nodes included."""
    paths = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            paths += leaf_paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            paths += leaf_paths(value, (*prefix, index))
    return paths


def mutate(data: dict, path: tuple, change: Any) -> dict:
    """A copy of ``data`` with the value at ``path`` replaced, or restructured."""
    data = copy.deepcopy(data)
    *parents, last = path
    node = data
    for key in parents:
        node = node[key]
    if change == "delete":
        del node[last]
    elif change == "unknown key":
        target = node[last]
        if isinstance(target, dict):
            target["colour"] = "blue"
        else:
            node[last] = {"colour": "blue"}
    elif change == "wrap in list":
        node[last] = [node[last]]
    elif change == "duplicate list item":
        if isinstance(node, list):
            node.append(copy.deepcopy(node[last]))
        else:
            node[last] = [node[last], node[last]]
    else:
        node[last] = copy.deepcopy(change)
    return data


def written(data: dict, encoding: str, directory: str) -> Path:
    """``data`` in ``encoding`` as ``directory/scenario.yaml``."""
    path = Path(directory) / "scenario.yaml"
    path.write_bytes(encode(data, encoding))
    return path


def encode(data: dict, encoding: str) -> bytes:
    """The file's bytes: YAML text, in a hostile encoding or with a hostile shape."""
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    if encoding == "utf-8":
        return text.encode()
    if encoding == "latin-1 text":
        return ("description: caf\u00e9\n" + text).encode("latin-1", "replace")
    if encoding == "utf-16":
        return text.encode("utf-16")
    if encoding == "truncated":
        return text.encode()[: len(text) // 2]
    if encoding == "binary":
        return bytes(range(256)) * 4
    if encoding == "duplicate key":
        first = text.splitlines()[0]
        return (text + first + "\n").encode()
    if encoding == "billion laughs":
        lines = ["x0: &x0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        lines += [f"x{i}: &x{i} [{', '.join([f'*x{i - 1}'] * 10)}]" for i in range(1, 10)]
        return ("\n".join(lines) + "\n" + text).encode()
    if encoding == "recursive anchor":
        return ("loop: &loop [*loop]\n" + text).encode()
    assert encoding == "deep nesting"
    return ("deep: " + "[" * 2000 + "]" * 2000 + "\n" + text).encode()


def check_refusal(stderr: str, origin: str) -> None:
    """Exit 2: one ``error:`` line per problem, each naming where, and no traceback."""
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert lines, "refused without saying why"
    for line in lines:
        assert line.startswith("error: "), stderr
        assert origin in line or line.startswith("error: --") or "seed" in line, stderr


def check_kpis(kpis: dict) -> None:
    """A result: every number finite, GPU counts consistent, money and energy not negative."""
    for key, value in flatten(kpis).items():
        if isinstance(value, float):
            assert math.isfinite(value), (key, value)
    assert 0 <= kpis["gpus_energized_final"] <= kpis["gpus_planned"]
    assert kpis["gpus_ordered"] >= 0
    for key in ("energy_mwh", "capex_usd", "stranded_gpu_days", "electricity_cost_usd"):
        assert kpis[key] >= -1e-6, (key, kpis[key])
    for key in ("first_power_date", "full_cluster_date"):
        assert kpis[key] is None or kpis[key] >= kpis["start_date"]


def dumps(data: Any) -> str:
    """For assertion messages."""
    return json.dumps(data, default=str)[:500]
