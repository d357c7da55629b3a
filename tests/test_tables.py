"""Terminal tables at any width: every word whole (no ``349,15…``), no line past the
width (issue 23, defect 6)."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.table import Table

from dcsim.tables import fits, print_fitted

WORDS = st.sampled_from(
    ["2027-04-29", "349,152", "1.61", "B USD", "construction crews", "not reached", "—", "h"]
)


def render(table: Table, width: int) -> str:
    console = Console(width=width, file=io.StringIO(), color_system=None)
    print_fitted(table, console)
    return console.file.getvalue()


def table_of(rows: list[list[str]], headers: list[str]) -> Table:
    table = Table(title="t")
    for header in headers:
        table.add_column(header, justify="right")
    for row in rows:
        table.add_row(*row)
    return table


@settings(max_examples=80, deadline=None, database=None, derandomize=True)
@given(
    data=st.data(),
    columns=st.integers(1, 9),
    width=st.integers(40, 140),
)
def test_no_word_is_cut_at_any_width(data, columns: int, width: int) -> None:
    headers = [f"column {i}" for i in range(columns)]
    rows = data.draw(st.lists(st.lists(WORDS, min_size=columns, max_size=columns), max_size=4))
    text = render(table_of(rows, headers), width)
    assert "…" not in text
    assert max((len(line) for line in text.splitlines()), default=0) <= width
    for row in rows:
        for cell in row:
            for word in cell.split():
                assert word in text


def test_a_wide_table_becomes_one_block_per_row_at_80_columns() -> None:
    """Nine columns of dates need 9 x 13 characters: a block per row instead, each value
    whole, labelled by its header."""
    headers = ["site", *(f"date {i}" for i in range(8))]
    table = table_of([["campus", *["2030-06-01"] * 8]], headers)
    assert not fits(table, Console(width=80))
    text = render(table, 80)
    assert text.count("2030-06-01") == 8 and "date 7" in text and "campus" in text


def test_a_table_that_fits_is_drawn_as_a_table() -> None:
    text = render(table_of([["a", "349,152"]], ["name", "GPUs"]), 80)
    assert "349,152" in text and "┃ name" in text
