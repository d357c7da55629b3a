"""The assumptions behind a run, each with where it comes from.

Three places carry sources: the scenario file's ``#`` comments (next to the figures they
justify), the schema's ``source`` metadata (defaults such as PUE or electricity price) and
the chip catalog's ``source`` column. A report lists all three so a reader can check
every number without opening the code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from dcsim.config.catalog import catalog_with
from dcsim.config.schema import Scenario

#: Words in a source that say the figure was not read in the source itself.
UNVERIFIED = re.compile(r"\brecalled\b|\bunverified\b", re.IGNORECASE)


@dataclass(frozen=True)
class Assumption:
    what: str
    value: str
    source: str

    @property
    def check(self) -> str:
        """``recalled, unverified`` when the source says the figure was not confirmed, so a
        reader knows which numbers to check before relying on them."""
        return "recalled, unverified" if UNVERIFIED.search(self.source) else ""


def schema_sources(scenario: Scenario) -> list[Assumption]:
    """Every field that keeps a default with a cited source, with its value. A value the
    scenario file sets is not the default the schema cites (a substation's lead time is no
    transformer's), so it is attributed by the file's own comments instead. Identical
    values of repeated items, such as the PUE of every hall, are listed once."""
    items: dict[tuple[str, str, str], list[str]] = {}
    for path, value, source in _cited(scenario, ""):
        generic = re.sub(r"\[[^\]]*\]", "[]", path)
        items.setdefault((generic, value, source), []).extend(re.findall(r"\[([^\]]*)\]", path))
    rows = [
        Assumption(generic.replace("[]", f"[{', '.join(names)}]", 1), value, source)
        for (generic, value, source), names in items.items()
    ]
    return [_resolved(row, scenario) for row in rows]


def _resolved(row: Assumption, scenario: Scenario) -> Assumption:
    """An empty ``value_per_gpu_hour`` shows the value the chips give it (GPU-weighted)."""
    if row.what != "economics.value_per_gpu_hour" or row.value != "None":
        return row
    value = f"{scenario.gpu_hour_value():.4g} USD per GPU-hour (chip catalog, GPU-weighted)"
    return Assumption(row.what, value, row.source)


def _cited(model: BaseModel, prefix: str) -> Iterator[tuple[str, str, str]]:
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        path = f"{prefix}{name}"
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        if extra.get("source") and name not in model.model_fields_set:
            yield path, _format(value, extra.get("unit")), str(extra["source"])
        children = value.values() if isinstance(value, dict) else value
        if isinstance(value, BaseModel) and not _is_distribution(value):
            yield from _cited(value, f"{path}.")
        elif isinstance(value, list | dict):
            for child in children:
                if isinstance(child, BaseModel):
                    yield from _cited(child, f"{path}[{getattr(child, 'name', '')}].")


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


#: How the catalog's source text labels each figure, and the figure's value and unit.
CHIP_FIGURES = {
    "TDP": ("tdp", "W", 1e6),  # powers are stored in MW
    "System power": ("system_power_per_gpu", "W per GPU", 1e6),
    "Overhead": ("overhead", "of server power", 1.0),
    "FLOP/s": ("bf16_dense_tflops", "TFLOP/s BF16 dense", 1.0),
    "Price": ("price", "USD per GPU", 1.0),
    "Value per GPU-hour": ("value_per_gpu_hour", "USD per GPU-hour", 1.0),
}
_FIGURE = re.compile(r"(?:^|(?<=\. ))(" + "|".join(map(re.escape, CHIP_FIGURES)) + r"):\s*")


def chip_sources(chips: Iterable[str], scenario: Scenario | None = None) -> list[Assumption]:
    """One row per figure of each chip used, each with its own source (the catalog cites
    TDP, system power, FLOP/s and price separately); the scenario's entries override."""
    catalog = catalog_with(scenario.chips if scenario else {})
    rows = []
    for name in sorted(set(chips)):
        if name not in catalog:
            continue
        chip = catalog[name]
        for label, text in split_source(chip.source).items():
            field, unit, scale = CHIP_FIGURES.get(label, ("", "", 1.0))
            value = getattr(chip, field, None) if field else None
            shown = f"{_number(value * scale)} {unit}" if isinstance(value, float) else ""
            rows.append(Assumption(f"chip {name}: {label}", shown, text))
        derived = "derived: system power x (1 + overhead)"
        rows.append(Assumption(f"chip {name}: IT power", f"{chip.it_kw:.3f} kW per GPU", derived))
    return rows


def split_source(source: str) -> dict[str, str]:
    """``"TDP: a. Price: b."`` as ``{"TDP": "a.", "Price": "b."}``; text without labels is
    one entry, ``sources``."""
    parts = _FIGURE.split(source.strip())
    if len(parts) < 3:
        return {"sources": source.strip()} if source.strip() else {}
    labelled = dict(zip(parts[1::2], (p.strip() for p in parts[2::2]), strict=True))
    return {k: v for k, v in labelled.items() if v}


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
            # a comment above a list item's first key is about the item as a whole
            whole = naming or bool(match["dash"])
            where = _path(stack) if whole else _path([*stack, (indent, key)])
            rows.append(Assumption(where or "scenario", "" if whole else value, " ".join(pending)))
            pending = []
        if not naming:
            stack.append((indent, key))
    return rows


def _path(stack: list[tuple[int, str]]) -> str:
    return "".join(k if k.startswith("[") or i == 0 else f".{k}" for i, (_, k) in enumerate(stack))


def named_path(data: Mapping[str, Any], dotted: str) -> str:
    """An override path in the form the assumption rows use: ``equipment.1.lead_time``
    becomes ``equipment[xfmr-1].lead_time`` (``[]`` for an item without a name)."""
    out, node = "", data
    for part in dotted.split("."):
        if isinstance(node, list) and part.isdigit():
            item = node[int(part)] if int(part) < len(node) else {}
            out += f"[{item.get('name', '')}]" if isinstance(item, dict) else "[]"
            node = item
        else:
            out += f".{part}" if out else part
            node = node.get(part, {}) if isinstance(node, Mapping) else {}
    return out


def with_experiment(
    rows: list[Assumption],
    data: Mapping[str, Any],
    fixed: Mapping[str, Any],
    swept: Mapping[str, list[Any]],
) -> list[Assumption]:
    """The base scenario's assumptions as a sweep ran them: a value the experiment sets
    (``set``) or sweeps replaces the base file's, which is kept only as a note; overrides
    with no base row get a row of their own. ``data`` is the scenario after ``set``."""
    changes = {
        named_path(data, path): (_text(value), "set by the experiment")
        for path, value in fixed.items()
    }
    changes |= {
        named_path(data, path): (", ".join(map(_text, values)), "swept by the experiment")
        for path, values in swept.items()
    }
    out, used = [], set()
    for row in rows:
        hit = next(
            (p for p in changes if row.what == p or row.what.startswith((f"{p}.", f"{p}["))), None
        )
        if hit is None:
            out.append(row)
            continue
        used.add(hit)
        value, how = changes[hit]
        base = f"; the base file's {row.value} cited " if row.value else "; base file: "
        out.append(Assumption(hit, value, f"{how}{base}{row.source}"))
    out += [Assumption(p, value, how) for p, (value, how) in changes.items() if p not in used]
    return out


def _text(value: Any) -> str:
    if isinstance(value, Mapping):
        return ", ".join(f"{k} {_text(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "; ".join(_text(v) for v in value)
    return str(value)
