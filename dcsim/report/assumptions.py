"""The assumptions behind a run, each with where it comes from.

Three places carry sources: the scenario file's ``#`` comments (next to the figures they
justify), the schema's ``source`` metadata (defaults such as PUE or electricity price) and
the chip catalog's ``source`` column. A report lists all three so a reader can check
every number without opening the code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel

from dcsim.config.catalog import catalog_with
from dcsim.config.schema import Scenario


@dataclass(frozen=True)
class Assumption:
    what: str
    value: str
    source: str


def schema_sources(scenario: Scenario) -> list[Assumption]:
    """Every field with a cited source, with the value the scenario uses (identical values
    of repeated items, such as the PUE of every hall, are listed once)."""
    seen: dict[tuple[str, str], Assumption] = {}
    for path, value, source in _cited(scenario, ""):
        seen.setdefault((path, value), Assumption(path, value, source))
    return list(seen.values())


def _cited(model: BaseModel, prefix: str) -> Iterator[tuple[str, str, str]]:
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        path = f"{prefix}{name}"
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        if extra.get("source"):
            yield path, _format(value, extra.get("unit")), str(extra["source"])
        children = value.values() if isinstance(value, dict) else value
        if isinstance(value, BaseModel) and not _is_distribution(value):
            yield from _cited(value, f"{path}.")
        elif isinstance(value, list | dict):
            for child in children:
                if isinstance(child, BaseModel):
                    yield from _cited(child, f"{path}[].")


def _is_distribution(value: BaseModel) -> bool:
    return "dist" in type(value).model_fields


def _format(value: object, unit: str | None) -> str:
    if isinstance(value, BaseModel) and _is_distribution(value):
        fields = value.model_dump()
        kind = fields.pop("dist")
        inner = type(value).model_fields[next(iter(fields))].json_schema_extra or {}
        numbers = ", ".join(f"{k} {_number(v)}" for k, v in fields.items())
        return f"{kind} ({numbers}) {inner.get('unit', '')}".strip()
    if isinstance(value, float):
        return f"{_number(value)} {unit or ''}".strip()
    return str(value)


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1e4 else f"{value:.4g}"


def chip_sources(chips: Iterable[str], scenario: Scenario | None = None) -> list[Assumption]:
    """Catalog sources of the chips used (the scenario's own entries override)."""
    catalog = catalog_with(scenario.chips if scenario else {})
    return [
        Assumption(f"chip {name}", f"{catalog[name].it_kw:.3f} kW IT per GPU", catalog[name].source)
        for name in sorted(set(chips))
        if name in catalog
    ]


_LINE = re.compile(r"^(?P<indent>\s*)(?P<dash>-\s+)?(?:(?P<key>[A-Za-z_][\w.-]*):(?P<rest>.*))?$")


def comment_sources(path: str | Path) -> list[Assumption]:
    """The scenario file's comment blocks, each attached to the key that follows it; list
    items are named by their ``name:``, so a source reads ``equipment[xfmr-1].lead_time``."""
    rows: list[Assumption] = []
    stack: list[tuple[int, str]] = []  # (indent, key) or (indent, "[item]") for list items
    pending: list[str] = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip().startswith("#"):
            pending.append(line.strip().lstrip("#").strip())
            continue
        match = _LINE.match(line)
        if not line.strip() or not match:
            continue
        indent = len(match["indent"])
        if match["dash"]:
            stack = [entry for entry in stack if entry[0] < indent]
            stack.append((indent, "[]"))
            indent += len(match["dash"])
        if not match["key"]:
            continue
        stack = [entry for entry in stack if entry[0] < indent]
        key, value = match["key"], match["rest"].strip()
        naming = key == "name" and (not stack or stack[-1][1] == "[]")
        if naming and stack:
            stack[-1] = (stack[-1][0], f"[{value}]")
        if pending:
            where = _path(stack) if naming else _path([*stack, (indent, key)])
            rows.append(Assumption(where or "scenario", "" if naming else value, " ".join(pending)))
            pending = []
        if not naming:
            stack.append((indent, key))
    return rows


def _path(stack: list[tuple[int, str]]) -> str:
    return "".join(k if k.startswith("[") or i == 0 else f".{k}" for i, (_, k) in enumerate(stack))
