"""The real-site dataset loader and the observation model, on small synthetic files."""

from __future__ import annotations

import datetime as dt
import math
import os
from pathlib import Path

import pytest

from dcsim.calibration.dataset import COLUMNS, load_sites
from dcsim.calibration.observations import durations
from dcsim.errors import UserInputError

TINY = Path(__file__).parent / "data" / "sites" / "tiny.csv"


def days(a: str, b: str) -> float:
    return float((dt.date.fromisoformat(b) - dt.date.fromisoformat(a)).days)


def test_tiny_dataset_loads_with_its_sites_and_normalised_chips():
    data = load_sites(TINY)
    assert [s.site_id for s in data.sites] == ["alpha-conversion", "beta-standard", "gamma-tents"]
    alpha = data.sites[0]
    assert (alpha.build_mode, alpha.chip, alpha.chip_count, alpha.planned_it_mw) == (
        "conversion",
        "h100-sxm",
        20000,
        30.0,
    )
    assert data.sites[1].chip_count is None
    assert data.n_observations == 8
    assert len(data.sha256) == 64


def test_durations_carry_precision_and_censoring_as_intervals():
    alpha, beta, gamma = load_sites(TINY).sites
    first, capacity = durations(alpha)
    # Start 2024-03-01 (a day), first power "July 2024": any day of July.
    assert (first.lower, first.upper) == (
        days("2024-03-02", "2024-07-01"),
        days("2024-03-01", "2024-08-01"),
    )
    assert first.censored == "interval"
    assert first.stated == days("2024-03-01", "2024-07-15")
    # 20,000 GPUs reached by 2024-10-01: left-censored.
    assert capacity.label == "capacity 20000 GPUs"
    assert (capacity.lower, capacity.censored) == (0.0, "left")
    assert capacity.upper == days("2024-03-01", "2024-10-02")
    shell, not_yet = durations(beta)
    # Start "August 2023", shell "Q2 2024" (April to June).
    assert (shell.lower, shell.upper) == (
        days("2023-09-01", "2024-04-01"),
        days("2023-08-01", "2024-07-01"),
    )
    # First power not reached as of 2025-01-10: right-censored.
    assert not_yet.censored == "right" and math.isinf(not_yet.upper)
    assert not_yet.lower == days("2023-09-01", "2025-01-10")
    (reached,) = durations(gamma)
    assert reached.origin == "announced" and reached.censored == "left"
    assert reached.upper == days("2025-02-01", "2026-01-01")


def write(
    tmp_path: Path, edits: dict[tuple[int, str], str], extra: list[str] | None = None
) -> Path:
    """The tiny dataset with cells replaced: ``(data row index, column) -> text``."""
    lines = TINY.read_text(encoding="utf-8").splitlines()
    import csv
    import io

    rows = list(csv.reader(io.StringIO("\n".join(lines))))
    for (index, column), text in edits.items():
        rows[index + 1][COLUMNS.index(column)] = text
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path = tmp_path / "sites.csv"
    path.write_text(out.getvalue() + "".join(line + "\n" for line in extra or []), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("edits", "expected"),
    [
        (
            {(1, "date"): ""},
            "row 3, column date: expected an ISO date YYYY-MM-DD, found a blank cell",
        ),
        (
            {(1, "date"): "2024-02-30"},
            "row 3, column date: '2024-02-30' is not a day of the calendar",
        ),
        ({(1, "date"): "3024-07-15"}, "row 3, column date: expected a date from 1990-01-01"),
        ({(1, "build_mode"): "igloo"}, "row 3, column build_mode: expected one of conversion"),
        ({(1, "chip"): "h900"}, "row 3, column chip: unknown chip 'h900'"),
        ({(1, "censoring"): "maybe"}, "row 3, column censoring: expected one of exact"),
        (
            {(1, "chip_count"): "20001"},
            "row 3, column chip_count: site 'alpha-conversion' has '20001' here but '20000'",
        ),
        (
            {(0, "planned_it_mw"): "nan", (1, "planned_it_mw"): "nan", (2, "planned_it_mw"): "nan"},
            "row 2, column planned_it_mw: expected a finite number above 0",
        ),
        (
            {(1, "date"): "2024-01-15"},
            "milestones out of order: construction_start no earlier than 2024-03-01 but "
            "first_power (row 3) no later than 2024-01-31",
        ),
        ({(2, "value"): ""}, "row 4, column value: expected a number, found a blank cell"),
        ({(0, "value"): "5"}, "row 2, column value: expected a blank cell"),
        (
            {(1, "date_precision"): "year"},
            "row 3, column date: a year-precision date is written as 07-01",
        ),
        (
            {(3, "site_name"): "Alpha", (4, "site_name"): "Alpha", (5, "site_name"): "Alpha"},
            "duplicate site: 'Alpha' is also site 'alpha-conversion'",
        ),
        ({(1, "source_url"): ""}, "row 3, column source_url: expected the source's address"),
        (
            {
                **{(i, "grid_mw"): "20" for i in range(3)},
                (2, "value"): "25",
                (2, "value_unit"): "MW",
            },
            "row 4, column value: 25 MW energized, but site 'alpha-conversion' states 20 MW "
            "of grid_mw plus onsite_generation_mw: a power source is missing",
        ),
    ],
)
def test_a_bad_cell_is_refused_in_one_line_naming_file_row_and_column(tmp_path, edits, expected):
    path = write(tmp_path, edits)
    with pytest.raises(UserInputError) as caught:
        load_sites(path)
    assert any(expected in line and line.startswith(str(path)) for line in caught.value.problems), (
        caught.value.problems
    )
    assert all("\n" not in line for line in caught.value.problems)


def test_a_duplicate_row_and_contradictory_censoring_are_refused(tmp_path):
    lines = TINY.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "dup.csv"
    path.write_text("\n".join([*lines, lines[2]]) + "\n", encoding="utf-8")
    with pytest.raises(UserInputError, match="row 10, column milestone: duplicate of row 3"):
        load_sites(path)
    # First power "not reached as of" a day after the month it is said to have happened in.
    later = lines[2].replace("2024-07-15,month,exact", "2024-09-01,day,not_reached_as_of")
    path.write_text("\n".join([*lines, later]) + "\n", encoding="utf-8")
    with pytest.raises(UserInputError, match="row 10, column censoring: contradicts row 3"):
        load_sites(path)


def test_header_encoding_symlink_size_and_special_files_are_refused(tmp_path):
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("site_id,name\n", encoding="utf-8")
    with pytest.raises(UserInputError, match=r"row 1: expected the columns .*missing"):
        load_sites(wrong)
    latin = tmp_path / "latin.csv"
    latin.write_bytes(TINY.read_bytes().replace(b"Alpha", "Alph\u00e4".encode("latin-1")))
    with pytest.raises(UserInputError, match="not UTF-8 text"):
        load_sites(latin)
    link = tmp_path / "link.csv"
    link.symlink_to(TINY)
    with pytest.raises(UserInputError, match="is a symbolic link"):
        load_sites(link)
    with pytest.raises(UserInputError, match="expected a CSV file, found a directory"):
        load_sites(tmp_path)
    big = tmp_path / "big.csv"
    with big.open("wb") as handle:
        handle.truncate(5 * 1024 * 1024)
    with pytest.raises(UserInputError, match="larger than 4 MiB"):
        load_sites(big)
    fifo = tmp_path / "fifo.csv"
    os.mkfifo(fifo)
    with pytest.raises(UserInputError, match="not a regular file"):
        load_sites(fifo)
    header_only = tmp_path / "empty.csv"
    header_only.write_text(",".join(COLUMNS) + "\n", encoding="utf-8")
    with pytest.raises(UserInputError, match="no rows after the header"):
        load_sites(header_only)
