"""Regenerate the constraint tables of docs/model.md from the constraint registry.

Usage (from the repository root)::

    .venv/bin/python docs/make_constraint_reference.py           # print the tables
    .venv/bin/python docs/make_constraint_reference.py --write   # rewrite them in model.md

Each table sits between ``<!-- constraints:NAME -->`` and ``<!-- /constraints:NAME -->``
in docs/model.md; ``tests/test_docs.py`` fails if one differs from the registry's
declarations (:mod:`dcsim.constraints`), so a class's docs row is written once, in its
module. Only the built-in classes are listed: a plug-in documents itself.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from dcsim.constraints.builtin import BUILTIN

MODEL = Path(__file__).resolve().parent / "model.md"


def attribution() -> list[str]:
    rows = ["| row | class | GPU-days counted |", "|---|---|---|"]
    for c in BUILTIN:
        if c.kpi_row is not None:
            rows.append(f"| `{c.kpi_row}` | `{c.name}` | {c.attribution} |")
    return rows


def kinds() -> list[str]:
    rows = ["| kind | class | links: start → end |", "|---|---|---|"]
    for c in BUILTIN:
        if c.trace_kind is not None:
            rows.append(f"| `{c.trace_kind}` | `{c.name}` | {c.links} |")
    return rows


def relaxations() -> list[str]:
    rows = ["| class | relaxed to |", "|---|---|"]
    rows += [f"| `{c.relax_as}` | {c.relaxing} |" for c in BUILTIN if c.relax_as is not None]
    return rows


def classes() -> list[str]:
    rows = ["| class | meaning | gates |", "|---|---|---|"]
    rows += [f"| `{c.name}` | {c.meaning} | {c.gates} |" for c in BUILTIN]
    return rows


TABLES = {
    "classes": classes,
    "attribution": attribution,
    "kinds": kinds,
    "relaxations": relaxations,
}


def render(text: str) -> str:
    """``text`` (docs/model.md) with every marked table replaced by the registry's."""
    for name, table in TABLES.items():
        block = re.compile(
            rf"(<!-- constraints:{name} -->\n).*?(\n<!-- /constraints:{name} -->)", re.S
        )
        if not block.search(text):
            raise SystemExit(f"docs/model.md has no <!-- constraints:{name} --> block")
        body = "\n".join(table())
        text = block.sub(lambda m, body=body: m.group(1) + body + m.group(2), text)
    return text


if __name__ == "__main__":
    rendered = render(MODEL.read_text(encoding="utf-8"))
    if "--write" in sys.argv[1:]:
        MODEL.write_text(rendered, encoding="utf-8")
        print(f"wrote {MODEL}")
    else:
        sys.stdout.write(rendered)
