"""Terminal tables that never cut a number: as drawn when they fit, else one block per row.

rich wraps a cell at spaces when a table is wider than the terminal, but a word longer than
its column (a date, ``349,152``) is cut to ``349,15…``. At 80 columns, which is what any
piped or logged output gets, that loses the answer. :func:`print_fitted` measures the table
first: if its narrowest rendering (every column as wide as its longest word) fits, rich
draws it; otherwise each row becomes a small two-column block, header and value, under
the row's first cell, which fits any width a word fits.
"""

from __future__ import annotations

from rich.console import Console
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

#: Narrowest a column marked ``overflow="fold"`` (a long dotted KPI name) may become: its
#: words then continue on the next line, whole, rather than being cut.
FOLD_WIDTH = 16


def column_widths(table: Table, console: Console) -> list[tuple[int, int]]:
    """Each column's (narrowest, widest): the narrowest it can be without cutting a word
    (a ``fold`` column: :data:`FOLD_WIDTH`, its long words continuing on the next line),
    and the width at which nothing wraps; headers included."""
    wide = console.options.update_width(10_000)
    widths = []
    for column in table.columns:
        sizes = [Measurement.get(console, wide, cell) for cell in [column.header, *column.cells]]
        least = max(m.minimum for m in sizes)
        if column.overflow == "fold":
            least = min(least, FOLD_WIDTH)
        widths.append((least, max(m.maximum for m in sizes)))
    return widths


def overhead(table: Table) -> int:
    """Width a table adds to its cells: padding and borders."""
    left, right = table.padding[3], table.padding[1]
    extra = (left + right) * len(table.columns)
    if not table.pad_edge:
        extra -= left + right
    if table.box:
        extra += len(table.columns) - 1 + (2 if table.show_edge else 0)
    return extra


def fitted_widths(table: Table, console: Console) -> list[int] | None:
    """Column widths that fit ``console`` with no word cut: every column its longest word,
    and the room left shared in proportion to how much each would still wrap; ``None``
    if the longest words alone do not fit."""
    widths = column_widths(table, console)
    room = console.width - overhead(table)
    least = sum(low for low, _ in widths)
    if least > room:
        return None
    # Water-filling: a column that would break inside a word (``fold``) first, then the
    # columns that want least get all they want, so as many as possible stay on one
    # line; the last ones share what is left and wrap between words.
    sizes = [low for low, _ in widths]
    spare = room - least
    folds = [column.overflow == "fold" for column in table.columns]
    order = sorted(range(len(widths)), key=lambda i: (not folds[i], widths[i][1] - widths[i][0]))
    for rank, i in enumerate(order):
        fair = spare if folds[i] else spare // (len(order) - rank)
        share = min(widths[i][1] - widths[i][0], fair)
        sizes[i] += share
        spare -= share
    return sizes


def fits(table: Table, console: Console) -> bool:
    """Whether ``table`` renders at ``console``'s width without cutting a word."""
    return fitted_widths(table, console) is not None


def narrow(table: Table) -> list[Table]:
    """``table`` as one two-column table (field, value) per row, titled by the row's first
    cell; the original title and caption go on the first and last block."""
    headers = [Text.from_markup(str(c.header)).plain.replace("\n", " ") for c in table.columns]
    columns = [list(c.cells) for c in table.columns]
    blocks = []
    for row in range(table.row_count):
        block = Table(show_header=False, title=_plain(columns[0][row]), title_justify="left")
        block.add_column(style="bold")
        block.add_column(justify="right", overflow="fold")
        for header, cells in zip(headers[1:], columns[1:], strict=True):
            block.add_row(header, cells[row])
        blocks.append(block)
    if blocks:
        first = _plain(columns[0][0])
        blocks[0].title = f"{table.title}\n{first}" if table.title else first
        blocks[-1].caption = table.caption
    return blocks


def print_fitted(table: Table, console: Console | None = None) -> None:
    """Print ``table`` with widths that cut no word (rich narrows the widest columns first
    and can cut a word in them even when every word fits), or as :func:`narrow` blocks
    when its longest words alone are wider than the console."""
    console = console or Console()
    widths = fitted_widths(table, console)
    if widths is None:
        for block in narrow(table):
            console.print(block)
        return
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    console.print(table)


def _plain(cell: object) -> str:
    return cell.plain if isinstance(cell, Text) else str(cell)
