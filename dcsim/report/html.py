"""One self-contained HTML file: inline CSS, figures as base64 PNG, no external links,
so it can be mailed or archived and still renders without a network."""

from __future__ import annotations

import base64
import re
from html import escape

from dcsim.report.document import Report
from dcsim.report.figures import Picture

CSS = """
body { font-family: system-ui, sans-serif; max-width: 75rem; margin: 2rem auto; padding: 0 1rem;
       color: #222; line-height: 1.45; }
h1 { font-size: 1.6rem; }
h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 0.5rem 0; font-size: 0.9rem; }
th, td { border: 1px solid #ddd; padding: 0.25rem 0.6rem; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1.5rem 0; } figure img { max-width: 100%; height: auto; }
figcaption { color: #555; font-size: 0.9rem; } .note { color: #8a5a00; } footer { color: #777;
       margin-top: 2rem; font-size: 0.85rem; }
.headline { font-size: 1.15rem; font-weight: 600; } .wide { overflow-x: auto; }
th.group { background: #e8eef6; text-align: left; } small { color: #666; white-space: nowrap; }
td.check { color: #a33; white-space: nowrap; }
"""


def to_html(report: Report) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(report.title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{escape(report.title)}</h1>",
        f'<p class="headline">{escape(report.headline)}</p>',
        *(f'<p class="note">{escape(note)}</p>' for note in report.notes),
        "<h2>Scenario</h2>",
        _table(["", ""], [list(row) for row in report.summary], header=False),
        *_why(report),
        "<h2>Key performance indicators</h2>",
        _table(report.kpi_header, report.kpi_rows),
        "<h2>Figures</h2>",
        *(_figure(p) for p in report.figures),
        *(f"<h2>{escape(t.title)}</h2>{_table(t.header, t.rows)}" for t in report.tables),
        "<h2>Assumptions and sources</h2>",
        _table(
            ["what", "value", "source", "check"],
            [[a.what, a.value, a.source, a.check] for a in report.assumptions],
        )
        if report.assumptions
        else "<p>None recorded.</p>",
        f"<footer>{escape(report.footer)}</footer>",
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _why(report: Report) -> list[str]:
    """What sets the date: the sentence, the chain, the gains of each relaxed class."""
    why = report.why
    if why is None:
        return []
    parts = [
        "<h2>What sets the date</h2>",
        f"<p>{escape(why.sentence)}</p>",
        _table(why.chain_header, why.chain_rows),
    ]
    if why.gains is not None:
        parts.append(_figure(why.gains))
    return parts


def _figure(picture: Picture) -> str:
    return (
        f'<figure id="{escape(picture.name)}"><img '
        f'src="data:image/png;base64,{base64.b64encode(picture.png).decode("ascii")}">'
        f"<figcaption>{escape(picture.caption)}</figcaption></figure>"
    )


def _table(columns: list[str], rows: list[list[str]], header: bool = True) -> str:
    """A table in a scrolling box, so a wide one never runs off the page; a one-cell row
    is a group heading across the table; a line break in a cell starts a smaller line."""
    head = "".join(f"<th>{_lines(h).replace('_', '_<wbr>')}</th>" for h in columns)
    head = f"<tr>{head}</tr>" if header else ""
    body = "".join(
        f'<tr><th class="group" colspan="{len(columns)}">{escape(row[0])}</th></tr>'
        if len(row) == 1
        else "<tr>"
        + "".join(_cell(cell, i == 3 and columns[-1] == "check") for i, cell in enumerate(row))
        + "</tr>"
        for row in rows
    )
    return f'<div class="wide"><table>{head}{body}</table></div>'


def _cell(text: str, check: bool = False) -> str:
    css = "check" if check else "num" if NUMBER.match(text.split("\n", 1)[0]) else ""
    return f'<td class="{css}">{_lines(text)}</td>' if css else f"<td>{_lines(text)}</td>"


def _lines(text: str) -> str:
    first, *rest = text.split("\n")
    return escape(first) + "".join(f"<br><small>{escape(line)}</small>" for line in rest)


NUMBER = re.compile(r"^-?[\d,]+(\.\d+)?(e[+-]?\d+)?$")
