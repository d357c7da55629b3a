"""Generate docs/config.md, the scenario reference, from the pydantic schema.

Usage (from the repository root)::

    .venv/bin/python docs/make_config_reference.py           # print the Markdown
    .venv/bin/python docs/make_config_reference.py --write   # rewrite docs/config.md

Everything a schema change can alter is read from the code: the field tables walk
``Scenario.model_json_schema()``, the unit table reads ``dcsim.units.CANONICAL``, the chip
table reads ``dcsim/data/chips.csv``, and the error example runs the real loader.
``tests/test_docs.py`` regenerates the page in memory and fails if docs/config.md differs.
"""

from __future__ import annotations

import csv
import sys
from importlib.resources import files
from pathlib import Path
from typing import Any

from dcsim.config.generation import CO2_T_PER_MMBTU, GAS_USD_PER_MMBTU, technology_table
from dcsim.config.loader import apply_overrides, read_yaml, scenario_from_dict
from dcsim.config.schema import MAX_EVENTS, Scenario
from dcsim.errors import UserInputError
from dcsim.units import CANONICAL, LARGEST, parse_quantity

REPO = Path(__file__).resolve().parent.parent
OUTPUT = REPO / "docs" / "config.md"
DEFAULT_CONFIG = "configs/meta-100k-h100.yaml"

#: Names of the $defs that are distributions, by the discriminator value.
DISTRIBUTIONS = ("fixed", "uniform", "triangular", "pert", "normal", "lognormal")


# -- schema walking ---------------------------------------------------------------------------
def ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def is_distribution(prop: dict[str, Any]) -> bool:
    return "discriminator" in prop and prop["discriminator"].get("propertyName") == "dist"


def distribution_kind(prop: dict[str, Any], defs: dict[str, Any]) -> tuple[str, str]:
    """('duration', 'day') for a Duration distribution field."""
    fixed = ref_name(prop["discriminator"]["mapping"]["fixed"])
    kind = fixed.removeprefix("Fixed").lower()
    return kind, defs[fixed]["properties"]["value"]["unit"]


def anchor(title: str) -> str:
    """The id GitHub gives a heading: lower case, punctuation dropped, spaces to '-'."""
    kept = "".join(c for c in title.lower() if c.isalnum() or c in " -_")
    return kept.replace(" ", "-")


def section_link(name: str, titles: dict[str, str]) -> str:
    return f"[{name}](#{anchor(titles[name])})"


def constraints(prop: dict[str, Any]) -> str:
    parts = []
    for key, symbol in (
        ("minimum", "≥"),
        ("ge", "≥"),
        ("exclusiveMinimum", ">"),
        ("gt", ">"),
        ("maximum", "≤"),
        ("le", "≤"),
        ("exclusiveMaximum", "<"),
        ("lt", "<"),
        ("minItems", "items ≥"),
    ):
        if key in prop:
            parts.append(f"{symbol} {prop[key]:g}")
    return f" ({', '.join(parts)})" if parts else ""


def describe_type(prop: dict[str, Any], defs: dict[str, Any], titles: dict[str, str]) -> str:
    if "$ref" in prop:
        return section_link(ref_name(prop["$ref"]), titles)
    if is_distribution(prop):
        kind, unit = distribution_kind(prop, defs)
        return f"{kind} [{unit}] or [distribution](#distributions)"
    if "anyOf" in prop:
        options = [o for o in prop["anyOf"] if o.get("type") != "null"]
        text = " or ".join(describe_type(o, defs, titles) for o in options)
        return text + (" or null" if len(options) < len(prop["anyOf"]) else "")
    if "enum" in prop:
        return "one of " + ", ".join(f"`{v}`" for v in prop["enum"])
    if "const" in prop:
        return f"`{prop['const']}`"
    kind = prop.get("type")
    if kind == "array":
        return "list of " + describe_type(prop["items"], defs, titles) + constraints(prop)
    if kind == "object" and "patternProperties" in prop:
        (value,) = prop["patternProperties"].values()
        return "map of [name](#names) → " + describe_type(value, defs, titles)
    if kind == "object":
        return "map of key → " + describe_type(prop.get("additionalProperties", {}), defs, titles)
    if "unit" in prop:
        return f"quantity [{prop['unit']}]" + constraints(prop)
    if kind == "string" and prop.get("format") == "date":
        return f"date (YYYY-MM-DD, {prop['domain']})" if "domain" in prop else "date (YYYY-MM-DD)"
    if kind == "string" and "pattern" in prop:
        return "[name](#names)"
    return {"number": "number", "integer": "integer", "boolean": "boolean", "string": "text"}.get(
        kind, str(kind)
    ) + constraints(prop)


def describe_default(prop: dict[str, Any], required: bool) -> str:
    if required:
        return "**required**"
    if "default_text" in prop:  # a default worked out from other fields
        return prop["default_text"]
    if "default" not in prop:
        return {"array": "`[]`", "object": "`{}`"}.get(prop.get("type"), "")
    value = prop["default"]
    if isinstance(value, dict):
        return "section defaults"
    if value is None:
        return "`null`"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, str) and value == "":
        return '`""`'
    return f"`{value}`"


def escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def sections(
    schema: dict[str, Any], root: str = "Scenario", root_path: str = ""
) -> list[tuple[str, str, dict[str, Any]]]:
    """(path, $def name, schema) for every section, depth first in field order."""
    defs = schema["$defs"]
    found: list[tuple[str, str, dict[str, Any]]] = [(root_path or "(top level)", root, schema)]
    seen = {root}

    def visit(path: str, node: dict[str, Any]) -> None:
        for field, prop in node.get("properties", {}).items():
            target, suffix = prop, ""
            if prop.get("type") == "array":
                target, suffix = prop["items"], "[]"
            elif prop.get("type") == "object" and "patternProperties" in prop:
                (target,) = prop["patternProperties"].values()
                suffix = ".<name>"
            elif "anyOf" in prop:
                target = next((o for o in prop["anyOf"] if "$ref" in o), prop)
            if "$ref" not in target:
                continue
            name = ref_name(target["$ref"])
            here = f"{path}.{field}{suffix}" if path else f"{field}{suffix}"
            if name not in seen:
                seen.add(name)
                found.append((here, name, defs[name]))
                visit(here, defs[name])

    visit(root_path, schema)
    return found


def field_table(node: dict[str, Any], defs: dict[str, Any], titles: dict[str, str]) -> list[str]:
    lines = [
        "| field | type [unit] | default | description | source |",
        "|---|---|---|---|---|",
    ]
    required = set(node.get("required", []))
    for field, prop in node.get("properties", {}).items():
        lines.append(
            "| `{}` | {} | {} | {} | {} |".format(
                field,
                describe_type(prop, defs, titles),
                describe_default(prop, field in required),
                escape(prop.get("description", "")),
                escape(prop.get("source") or ""),
            )
        )
    return lines


# -- the page ---------------------------------------------------------------------------------
INTRO = """\
# Scenario configuration reference

<!-- Generated by docs/make_config_reference.py from the pydantic schema; do not edit by hand.
     Regenerate with: .venv/bin/python docs/make_config_reference.py --write -->

A scenario is one YAML file (plus any files it [includes](#include-deep-merge)). dcsim
validates it against the schema below when it loads: every quantity is read with its unit
and converted to a canonical unit, uncertain durations may be
[distributions](#distributions), and cross-field rules (the
[topology](#cross-field-rules) among them) are checked before anything runs. The model
behind the fields is described in [model.md](model.md); a walk-through is in
[tutorial.md](tutorial.md).

This page is generated from the code, so it matches the installed version of dcsim.
`dcsim schema` prints the same schema as JSON Schema for editor completion
(`dcsim schema > scenario.schema.json`), `include` and `budget` included.

Contents: [units](#units) · [distributions](#distributions) · [names](#names) ·
[sections](#sections) · [cross-field rules](#cross-field-rules) ·
[chip catalog](#built-in-chip-catalog) · [composing files](#composing-scenario-files) ·
[errors](#errors)
"""

UNITS_INTRO = """\
## Units

Every physical quantity is written as text with a unit, e.g. `"150 MW"`, `"18 months"`,
`"11.7 MUSD/MW"`. Units are parsed by [pint](https://pint.readthedocs.io/), so any unit of
the right dimension works (`"0.15 GW"`, `"120 weeks"`, `"2.5 USD/W"`), and so do simple
expressions (`"115 weeks + 6 months"`). The value is converted once, at load time, to the
canonical unit of its kind; inside the simulator every number is a float in that unit.

| kind | canonical unit | example | largest accepted |
|---|---|---|---|
"""

UNITS_RULES = """\

Rules:

- Every quantity is finite and lies between 0 and the largest value of its kind (table
  above); a field may narrow that (`> 0`, `≤ 36525` days for the horizon, as its table
  says). A distribution's parameters obey the same domain. Plain numbers are finite too
  (`.nan` and `.inf` are refused), and counts are bounded (see each field).
- The text is a number and a unit, or a sum of such terms; nothing else is evaluated
  (`"10**3 MW"` is refused), and it is at most 64 characters.
- A bare number is an error (`capacity: 150` does not say MW or kW); only `0` may be
  written without a unit.
- Money is spelled `USD`, with the multiples `kUSD`, `MUSD` and `BUSD`. `$` is rejected,
  because pint would silently drop it (`"2.5 $/W"` would read as `2.5 / W`).
- Calendar units follow pint: {conversions}.
- Dates (`start`, `order_date`, schedule `date`, ...) are plain ISO dates, `YYYY-MM-DD`,
  real calendar days (`2023-02-29` is refused) within the range each date field states;
  the simulation clock counts days since `start`.
- Ratios (`pue`, `overhead`, `utilization`) and counts (`gpus`, `count`, `crews`) are plain
  numbers.
- Random processes are bounded too: a scenario whose GPU failures, equipment outages or
  random curtailments are expected to generate more than {max_events} events over the
  horizon (e.g. `mtbf_per_gpu: 1 second`) is refused at load, naming the field; a run
  that still logs five times that many events stops with an error naming the process.
- The file itself: a regular file of at most 4 MiB of UTF-8 text, nesting at most 64
  levels, at most 500,000 values once YAML aliases are expanded, no key written twice in
  one mapping, at most 64 files through `include:`.
"""

DIST_INTRO = """\
## Distributions

Fields typed "or distribution" below take either a fixed value (`"18 months"`) or a
mapping with a `dist` key naming a distribution. Each is defined by its `scipy.stats`
counterpart; draws come from the run's named random stream (see
[model.md](model.md#randomness)). A draw that would be negative (a normal's left tail) is
clipped to zero.

```yaml
shell_time: 10 months                                          # fixed
shell_time: {dist: uniform, low: 8 months, high: 14 months}
shell_time: {dist: triangular, low: 8 months, mode: 10 months, high: 14 months}
shell_time: {dist: pert, low: 8 months, mode: 10 months, high: 14 months}  # shape: 4
shell_time: {dist: normal, mean: 10 months, sd: 1 month}
shell_time: {dist: lognormal, median: 10 months, sigma: 0.2}
```

| `dist` | parameters | definition |
|---|---|---|
"""

DIST_DEFINITIONS = {
    "fixed": "always `value` (a plain value means this)",
    "uniform": "`scipy.stats.uniform(loc=low, scale=high-low)`; needs high ≥ low",
    "triangular": "`scipy.stats.triang`; needs low ≤ mode ≤ high and low < high",
    "pert": "Beta-PERT: low + (high-low)·Beta(1 + shape·(mode-low)/(high-low), "
    "1 + shape·(high-mode)/(high-low))",
    "normal": "`scipy.stats.norm(loc=mean, scale=sd)`, clipped at 0",
    "lognormal": "`scipy.stats.lognorm(s=sigma, scale=median)`: ln(X) ~ N(ln median, sigma²)",
}

NAMES = """\
## Names

Names of interconnects, generators, equipment, halls and chips share one pattern:
`{pattern}`, at most 64 characters (letters, digits, `_`, `.`, `-`; no spaces). Node names
(interconnects, generators, equipment, halls) must be unique across the whole topology,
because `fed_by` refers to them. Stages are named `<hall>/<number>` (`hall-a/1`).
"""

RULES = """\
## Cross-field rules

Checked at load time, after the per-field checks above. A failure is reported at the
section that holds the rule: `grid.interconnects.N` and `chip_orders.N` for the first two,
`(top level)` for the rest.

- `grid.interconnects[].schedule`: dates in ascending order. Each step's `capacity` is the
  firm capacity from that step on, not an increment; before the first step the
  interconnect delivers nothing.
- `chip_orders[]`: `batches` must not exceed `count`.
- Every chip named in `halls[].stages.chip` or `chip_orders[].chip` must be in the
  [built-in catalog](#built-in-chip-catalog) or in the scenario's `chips:` section (which
  adds entries or overrides built-in ones by name).
- Each hall must have room for its stages: `stages.count × stages.gpus × IT kW per GPU ≤
  it_capacity`, where IT kW per GPU = `system_power_per_gpu × (1 + overhead)`.
- Topology: node names unique; every `fed_by` names an interconnect, generator or piece of
  equipment (a hall cannot feed anything); no cycles; every hall has a path from at least
  one interconnect or generator.
- Not checked: that chip orders and stages match in number. Chips ordered beyond what the
  stages take stay in the warehouse; stages beyond the chips ordered never install.
"""

CATALOG_INTRO = """\
## Built-in chip catalog

`dcsim/data/chips.csv`, loaded by `dcsim.config.catalog`. A scenario refers to a chip by name
(`stages.chip`, `chip_orders[].chip`) and may add or override entries under `chips:` with
the fields of [ChipSpec](#{chipspec}). IT kW per GPU = system power per GPU × (1 + overhead)
is what a stage reserves per GPU before PUE (see [model.md](model.md#power-per-gpu)).

"""
CATALOG_HEADER = (
    "| name | TDP [W] | system power per GPU [W] | overhead | IT kW per GPU "
    "| BF16 dense [TFLOP/s] | FP8 dense [TFLOP/s] | price [USD] |\n"
    "|---|---|---|---|---|---|---|---|"
)

COMPOSING = """\
## Composing scenario files

### `include:` (deep merge)

A file may start from one or more others:

```yaml
include: ../../configs/meta-100k-h100.yaml     # or a list of paths
name: late-transformers
energization: {policy: largest-first}
```

Paths are relative to the including file. Included files are merged in order, then the
including file on top, recursively (an included file may include others; a cycle is an
error). The merge is deep for mappings and replaces everything else:

- **mappings merge** key by key: the `energization: {policy: ...}` above keeps the base
  file's `commissioning_time`;
- **lists replace**: a `halls:` or `equipment:` list in the including file replaces the
  whole list of the base file. To change one transformer, repeat the whole `equipment:`
  list (see [tutorial/late-transformers.yaml](tutorial/late-transformers.yaml)), or use
  `--set` for a one-off change;
- scalars replace.

### YAML anchors and merge keys

Anchors (`&name`), aliases (`*name`) and merge keys (`<<: *name`) work within one file; the
default scenario defines the first hall once and derives the others from it:

```yaml
halls:
  - &hall
    name: hall-a
    it_capacity: 36 MW
    fed_by: [xfmr-1]
    ...
  - <<: *hall
    name: hall-b
    construction_start: 2023-06-01
```

YAML resolves anchors before dcsim sees the data: `--set halls.1.pue=1.2` changes hall-b
only. Anchors do not reach across `include:`d files.{shared}

### `--set dotted.path=value`

`dcsim run`, `dcsim validate` (and the sweep tools) accept any number of
`--set PATH=VALUE`:

```bash
dcsim run configs/meta-100k-h100.yaml --set halls.0.pue=1.3
dcsim run configs/meta-100k-h100.yaml --set energization.policy=largest-first \\
    --set installation.crews=6
dcsim run configs/meta-100k-h100.yaml --set 'equipment.1.lead_time={dist: fixed, value: 3 years}'
```

- The path is dotted field names; list items are addressed by index from 0
  (`grid.interconnects.0.schedule.2.delay`).
- The value is read as a YAML scalar or flow collection: `1.3` is a number, `true` a
  boolean, `2024-06-01` a date, `18 months` text, `{dist: ...}` a mapping, `[a, b]` a
  list.
- Overrides apply after `include:` merging and before validation. Every segment but the
  last must exist; the last may add a key to a mapping (the schema then rejects unknown
  names).

From Python, `dcsim.config.load_scenario(path, {"halls.0.pue": 1.3})` does the same.
"""

ERRORS = """\
## Errors

Bad input never produces a traceback. Each problem is one line on stderr,

```
error: <file>: <field.path>: <message>
```

and the command exits with status 2 (`dcsim validate` prints `ok` and exits 0 when the file
is valid). Every problem with individual fields is reported at once; the
[cross-field rules](#cross-field-rules) are checked once the fields are valid, and report
the first rule broken. The field path uses list indices from 0 and skips the distribution
tag, so it can be pasted into `--set`. For example, `{command}` reports:

```
{example}
```

A cross-field rule reads, for example,
`error: campus.yaml: (top level): topology: 'hall-a' is fed by 'xfmr-9', which is not a
source, equipment or hall`. Other messages name the file and what went wrong:
`file not found`, `invalid YAML` with line and column, `include cycle`,
`--set halls.9.pue: halls.9: no item '9' in a list of 4`.
"""


def units_section() -> list[str]:
    lines = [UNITS_INTRO.rstrip("\n")]
    for kind, (unit, example) in CANONICAL.items():
        lines.append(
            f'| {kind.replace("_", " ")} | `{unit}` | `"{example}"` | {LARGEST[kind]:g} {unit} |'
        )
    conversions = ", ".join(
        f"1 {unit} = {parse_quantity(f'1 {unit}', 'duration'):g} days"
        for unit in ("week", "month", "year")
    )
    lines.append(
        UNITS_RULES.format(conversions=conversions, max_events=f"{MAX_EVENTS:,}").rstrip("\n")
    )
    return lines


def distributions_section(schema: dict[str, Any]) -> list[str]:
    defs = schema["$defs"]
    lines = [DIST_INTRO.rstrip("\n")]
    for dist in DISTRIBUTIONS:
        node = defs[f"{dist.title()}Duration"]
        params = []
        for field, prop in node["properties"].items():
            if field == "dist":
                continue
            unit = f" [{prop['unit']}]" if "unit" in prop else " (number)"
            default = f" = {prop['default']:g}" if "default" in prop else ""
            params.append(f"`{field}`{unit}{default}")
        lines.append(f"| `{dist}` | {', '.join(params)} | {DIST_DEFINITIONS[dist]} |")
    users = []
    for path, _, node in sections(schema):
        for field, prop in node.get("properties", {}).items():
            if is_distribution(prop):
                prefix = "" if path == "(top level)" else f"{path}."
                users.append(f"`{prefix}{field}`")
    lines += ["", "Fields that accept a distribution: " + ", ".join(users) + "."]
    return lines


def sections_part(schema: dict[str, Any]) -> list[str]:
    defs = schema["$defs"]
    found = sections(schema)
    titles = {name: f"{name}: {path}" for path, name, _ in found}
    lines = [
        "## Sections",
        "",
        "One table per section, in the order a scenario file nests them. *Path* is where the "
        "section sits (`[]`: an item of a list; `<name>`: a value of a mapping keyed by name). "
        "A field with a default may be left out. The *source* column names the public figure "
        "behind the default (or, for a required field, behind typical values); where it is "
        "empty, the default is a dcsim choice (mostly zero, empty or neutral) or, where the "
        "description says so, an assumption (see "
        "[model.md](model.md#assumptions-and-limitations)).",
    ]
    for _, name, node in found:
        lines += ["", f"### {titles[name]}", ""]
        if node.get("description"):
            lines += [escape(node["description"]), ""]
        lines += field_table(node, defs, titles)
    return lines


def catalog_section(chipspec_title: str) -> list[str]:
    intro = CATALOG_INTRO.replace("{chipspec}", anchor(chipspec_title)).rstrip("\n")
    lines = [intro, "", CATALOG_HEADER]
    text = files("dcsim.data").joinpath("chips.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    for row in rows:
        it_kw = float(row["system_power_per_gpu_w"]) * (1 + float(row["overhead"])) / 1000
        lines.append(
            "| `{name}` | {tdp_w} | {system_power_per_gpu_w} | {overhead} | {it:.4g} | "
            "{bf16_dense_tflops} | {fp8} | {price:,} |".format(
                **row,
                it=it_kw,
                fp8=row["fp8_dense_tflops"] or "—",
                price=int(float(row["price_usd"])),
            )
        )
    lines += ["", "Sources:", ""]
    lines += [f"- `{row['name']}`: {row['source']}" for row in rows]
    lines += [
        "",
        "FP8 figures are in the file for reference; the simulator counts compute in dense "
        "BF16 (`bf16_dense_tflops`). Prices include the GPU's share of the server where the "
        "source is a system price.",
    ]
    return lines


GENERATION_INTRO = """\
## On-site generation technologies

`dcsim/data/generation.csv`, loaded by `dcsim.config.generation`. A generator that names a
`technology` takes each of `lead_time`, `install_time`, `cost`, `fuel_cost` and `emissions`
it leaves out from its row: lead and installation times are triangular (low, mode, high),
the cost is per kW of the generator's capacity, and fuel cost and emissions follow from the
heat rate at {gas} USD/MMBtu of gas and {co2} t CO2 per MMBtu. Fields given in the file win.
As a bridge a generator retires once the grid alone carries the campus; with
`retire_when_grid_ready: false` it stays on as prime power.

| technology | lead time [weeks] | installation [weeks] | cost [USD/kW] | heat rate [Btu/kWh] |
|---|---|---|---|---|"""


def generation_section() -> list[str]:
    rows = technology_table().values()
    intro = GENERATION_INTRO.format(gas=GAS_USD_PER_MMBTU, co2=CO2_T_PER_MMBTU)
    lines = [intro]
    for row in rows:
        lead = "–".join(row[f"lead_{p}_weeks"] for p in ("low", "mode", "high"))
        install = "–".join(row[f"install_{p}_weeks"] for p in ("low", "mode", "high"))
        lines.append(
            f"| `{row['technology']}` | {lead} | {install} | {int(row['cost_usd_per_kw']):,} "
            f"| {int(row['heat_rate_btu_per_kwh']):,} |"
        )
    lines += ["", "Sources:", ""]
    lines += [f"- `{row['technology']}`: {row['source']}" for row in rows]
    return lines


def error_example() -> tuple[str, str]:
    """Run the real loader on the default scenario with three mistakes."""
    overrides = {
        "halls.0.it_capacity": 36,
        "energization.policy": "random",
        "installation.crew": 3,
    }
    command = "dcsim validate campus.yaml " + " ".join(
        f"--set {k}={v}" for k, v in overrides.items()
    )
    data = apply_overrides(read_yaml(REPO / DEFAULT_CONFIG), overrides)
    try:
        scenario_from_dict(data, "campus.yaml")
    except UserInputError as error:
        return command, "\n".join(f"error: {line}" for line in error.problems)
    raise AssertionError("the error example validated")


SHARED_CAVEAT = """

**Caveat (current behaviour).** A mapping nested inside a merged item is *shared* between
the items built from the same anchor: in the default scenario every hall's `stages` and
each distribution mapping (`shell_time`, `fitout_time`) is one object, so
`--set halls.1.stages.gpus=4000` changes all four halls. To change one hall, replace the
whole nested mapping, `--set 'halls.1.stages={count: 5, gpus: 4000, chip: h100-sxm}'`, or
write the hall out in full in the file."""


def shared_mapping_caveat() -> str:
    """The caveat above, printed only while ``--set`` still reaches shared nested mappings."""
    data = read_yaml(REPO / DEFAULT_CONFIG)
    changed = apply_overrides(data, {"halls.1.stages.gpus": -1})
    return SHARED_CAVEAT if changed["halls"][0]["stages"]["gpus"] == -1 else ""


BUDGET_INTRO = """\
## Budget-driven chip orders

Instead of listing `chip_orders`, a scenario may buy its GPUs (and optionally start its
halls) out of a `budget:` section: a share of a company's annual capex curve, spent month by
month. The loader compiles the section into plain `chip_orders` (and hall
`construction_start` dates) before validation, so the tables above still describe what the
simulator receives. The equations, and how the curve is fitted, are in
[capex.md](capex.md#budget-driven-build-out)."""


def budget_part() -> list[str]:
    """The ``budget:`` section's tables."""
    from dcsim.config.budget import Budget

    schema = Budget.model_json_schema(by_alias=True)
    schema.setdefault("$defs", {})
    found = sections(schema, "Budget", "budget")
    titles = {name: f"{name}: {path}" for path, name, _ in found}
    lines = [BUDGET_INTRO]
    for _, name, node in found:
        lines += ["", f"### {titles[name]}", ""]
        if node.get("description"):
            lines += [escape(node["description"]), ""]
        lines += field_table(node, schema["$defs"], titles)
    return lines


def render() -> str:
    schema = Scenario.model_json_schema()
    titles = {name: f"{name}: {path}" for path, name, _ in sections(schema)}
    command, example = error_example()
    parts = [
        INTRO.rstrip("\n"),
        "\n".join(units_section()),
        "\n".join(distributions_section(schema)),
        NAMES.format(pattern=schema["properties"]["name"]["pattern"]).rstrip("\n"),
        "\n".join(sections_part(schema)),
        RULES.rstrip("\n"),
        "\n".join(budget_part()),
        "\n".join(catalog_section(titles["ChipSpec"])),
        "\n".join(generation_section()),
        COMPOSING.replace("{shared}", shared_mapping_caveat()).rstrip("\n"),
        ERRORS.format(command=command, example=example).rstrip("\n"),
    ]
    return "\n\n".join(parts) + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if argv == ["--write"]:
        OUTPUT.write_text(text, encoding="utf-8")
        print(f"wrote {OUTPUT.relative_to(REPO)}")
    elif not argv:
        sys.stdout.write(text)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
