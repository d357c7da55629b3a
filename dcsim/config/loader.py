"""Read scenario YAML: includes, ``--set`` overrides, validation, and readable errors.

Every problem becomes one line naming the file, the field path and what was expected,
raised as :class:`~dcsim.errors.UserInputError` (the CLI prints it and exits with 2).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from dcsim.config import safe_yaml
from dcsim.config.messages import format_validation_error
from dcsim.config.schema import Scenario
from dcsim.errors import UserInputError

#: Most files one scenario may pull in through ``include:`` (diamonds counted each time).
MAX_INCLUDES = 64


def read_yaml(
    path: Path, _chain: tuple[Path, ...] = (), _read: list[Path] | None = None
) -> dict[str, Any]:
    """The file's mapping with any ``include:`` (a path or list of paths, relative to the
    file) merged underneath it: the including file wins, mappings merge, lists replace.
    Each file is read within the bounds of :mod:`dcsim.config.safe_yaml`."""
    path = Path(path)
    read = [] if _read is None else _read
    if path.resolve() in _chain:
        raise UserInputError(f"{path}: include cycle through {path}")
    read.append(path)
    if len(read) > MAX_INCLUDES:
        raise UserInputError(f"{path}: more than {MAX_INCLUDES} files included")
    data = unshared(safe_yaml.parse(safe_yaml.read_text(path), str(path)))
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise UserInputError(f"{path}: expected a mapping of fields at the top level")
    _resolve_calibration(data, path)
    includes = data.pop("include", [])
    includes = [includes] if isinstance(includes, str) else includes
    if not isinstance(includes, list) or not all(isinstance(i, str) for i in includes):
        raise UserInputError(f"{path}: include: expected a file path or a list of paths")
    merged: dict[str, Any] = {}
    for include in includes:
        merged = deep_merge(
            merged, read_yaml(path.parent / include, (*_chain, path.resolve()), read)
        )
    return deep_merge(merged, data)


def _resolve_calibration(data: dict[str, Any], path: Path) -> None:
    """A ``calibration:`` file named relative to the scenario file, made relative to the
    working directory (as every path after loading is)."""
    from dcsim.config.build_modes import SHIPPED

    name = data.get("calibration")
    if isinstance(name, str) and name != SHIPPED and not Path(name).is_absolute():
        data["calibration"] = str(path.parent / name)


def unshared(node: Any) -> Any:
    """A copy in which no mapping or list appears twice. YAML anchors (``<<: *hall``) make
    the nodes that use them share nested mappings, and ``--set halls.1.stages.gpus`` must
    change hall 1 alone."""
    if isinstance(node, dict):
        return {key: unshared(value) for key, value in node.items()}
    if isinstance(node, list):
        return [unshared(value) for value in node]
    return node


def deep_merge(base: Mapping[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(copy.deepcopy(base))
    for key, value in top.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def apply_overrides(data: dict[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Set values by dotted path (``halls.0.pue``); list items by index.

    Every segment but the last must exist; the last may add a new key to a mapping (the
    schema then rejects unknown keys).
    """
    data = copy.deepcopy(data)
    for path, value in overrides.items():
        *parents, last = path.split(".")
        node: Any = data
        for depth, key in enumerate([*parents, last]):
            where = ".".join([*parents, last][: depth + 1])
            is_last = depth == len(parents)
            if isinstance(node, list):
                if not key.isdigit() or int(key) >= len(node):
                    raise UserInputError(
                        f"--set {path}: {where}: no item {key!r} in a list of {len(node)}"
                    )
                key = int(key)
            elif not isinstance(node, dict):
                raise UserInputError(f"--set {path}: {where}: cannot index into a value")
            elif not is_last and key not in node:
                raise UserInputError(f"--set {path}: {where}: no such field")
            if is_last:
                node[key] = value
            else:
                node = node[key]
    return data


def parse_set_options(pairs: Iterable[str]) -> dict[str, Any]:
    """``path=value`` strings from the command line; values are read as YAML scalars."""
    overrides: dict[str, Any] = {}
    for pair in pairs:
        path, sep, raw = pair.partition("=")
        if not sep or not path:
            raise UserInputError(f"--set {pair}: expected dotted.path=value")
        try:
            overrides[path] = unshared(safe_yaml.parse(raw, f"--set {path}")) if raw else ""
        except UserInputError:
            overrides[path] = raw
    return overrides


def scenario_from_dict(data: Mapping[str, Any], origin: str = "<scenario>") -> Scenario:
    if "budget" in data:  # compiled to chip orders first; imported lazily (scipy)
        from dcsim.config.budget import expand_budget

        data = expand_budget(data, origin)
    try:
        return Scenario.model_validate(data)
    except ValidationError as error:
        raise UserInputError(format_validation_error(error, origin)) from None


def load_scenario(path: str | Path, overrides: Mapping[str, Any] | None = None) -> Scenario:
    data = apply_overrides(read_yaml(Path(path)), overrides or {})
    return scenario_from_dict(data, str(path))


def file_schema() -> dict[str, Any]:
    """The JSON Schema of a scenario *file*: the scenario, plus the keys the loader resolves
    before validation (``include`` and ``budget``), so that editors accept every file
    ``dcsim validate`` accepts."""
    from dcsim.config.budget import Budget

    schema = Scenario.model_json_schema()
    budget = Budget.model_json_schema()
    schema["$defs"] |= budget.pop("$defs", {}) | {"Budget": budget}
    schema["properties"] = {
        "include": {
            "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
            "description": "scenario file(s) this one extends, relative to it; "
            "this file's keys win (deep merge)",
        },
        **schema["properties"],
        "budget": {
            "anyOf": [{"$ref": "#/$defs/Budget"}, {"type": "null"}],
            "default": None,
            "description": "buy chips (and start halls) month by month out of a capex "
            "curve instead of writing chip_orders (docs/capex.md)",
        },
    }
    return schema
