"""The Markdown variant: the same report with its figures as PNG files beside it."""

from __future__ import annotations

from pathlib import Path

from dcsim.report.document import Report
from dcsim.report.figures import Picture


def write_markdown(report: Report, path: Path) -> Path:
    """Write ``path`` and ``<stem>-<figure>.png`` next to it; image links are relative so
    the directory can be moved as a whole."""
    lines = [f"# {report.title}", "", f"**{report.headline}**", ""]
    lines += [f"> {note}\n" for note in report.notes]
    lines += ["## Scenario", "", *_table(["", ""], [list(r) for r in report.summary]), ""]
    if report.why is not None:
        why = report.why
        lines += ["## What sets the date", "", why.sentence, ""]
        lines += [*_table(why.chain_header, why.chain_rows), ""]
        lines += _figure(why.gains, path) if why.gains is not None else []
    lines += ["## Key performance indicators", "", *_table(report.kpi_header, report.kpi_rows), ""]
    lines += ["## Figures", ""]
    for picture in report.figures:
        lines += _figure(picture, path)
    for table in report.tables:
        lines += [f"## {table.title}", "", *_table(table.header, table.rows), ""]
    lines += ["## Assumptions and sources", ""]
    rows = [[a.what, a.value, a.source, a.check] for a in report.assumptions]
    header = ["what", "value", "source", "check"]
    lines += [*_table(header, rows), ""] if rows else ["None recorded.", ""]
    lines += ["---", "", report.footer, ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _figure(picture: Picture, path: Path) -> list[str]:
    image = path.with_name(f"{path.stem}-{picture.name}.png")
    image.write_bytes(picture.png)
    return [f"![{picture.name}]({image.name})", "", f"*{picture.caption}*", ""]


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    def line(cells: list[str]) -> str:
        if len(cells) == 1:  # a group heading
            cells = [f"**{cells[0]}**", *[""] * (len(header) - 1)]
        return "| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |"

    return [line(header), line(["---"] * len(header)), *(line(row) for row in rows)]
