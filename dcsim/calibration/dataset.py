"""The real-site dataset: one CSV row per dated milestone of a site, checked in full.

The table's schema (columns, vocabularies, what a row means) is documented in
``docs/sites-data.md``. A file is read within the same bounds as a scenario's YAML (a
regular file, not a link, of at most :data:`MAX_BYTES` of UTF-8) and every problem is one
line naming the file, the row (its line in the file) and the column, so a planner can fix
the cell. Nothing is half-loaded: a file with any problem is refused whole.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import hashlib
import io
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from dcsim.config.catalog import builtin_catalog
from dcsim.config.safe_yaml import read_text
from dcsim.errors import UserInputError

#: A dataset of a few hundred sites is tens of kB; anything near this is not one.
MAX_BYTES = 4 * 1024 * 1024
MAX_ROWS = 50_000
#: Most problems listed before the rest are summed up in one line.
MAX_PROBLEMS = 20

COLUMNS = (
    "site_id",
    "site_name",
    "owner",
    "country",
    "region",
    "build_mode",
    "chip",
    "chip_count",
    "planned_it_mw",
    "grid_mw",
    "onsite_generation_mw",
    "onsite_generation_kind",
    "milestone",
    "date",
    "date_precision",
    "censoring",
    "value",
    "value_unit",
    "source_title",
    "source_url",
    "source_date",
    "confidence",
    "note",
)
#: Columns that describe the site, repeated on each of its rows and required to agree.
SITE_COLUMNS = COLUMNS[1:12]

BUILD_MODES = ("conversion", "fast_track", "temporary", "standard")
GENERATION_KINDS = (
    "rental_mobile",
    "reciprocating",
    "aeroderivative",
    "frame",
    "fuel_cell",
    "battery",
)
MILESTONES = (
    "announced",
    "construction_start",
    "shell_complete",
    "first_power",
    "capacity",
    "full_build",
    "planned_first_power",
)
#: The order milestones happen in; ``planned_first_power`` (a plan, not an event) has none.
MILESTONE_RANK = {
    "announced": 0,  # ranked for the order of milestones; not checked (often after the start)
    "construction_start": 1,
    "shell_complete": 2,
    "first_power": 3,
    "capacity": 4,
    "full_build": 5,
}
PRECISIONS = ("day", "month", "quarter", "year")
CENSORINGS = ("exact", "reached_by", "not_reached_as_of")
CONFIDENCES = ("verified", "verified-secondary", "secondary", "derived", "recalled")
VALUE_UNITS = ("MW", "GPUs")

#: Accelerators a site may name that dcsim's chip catalog lacks (no sourced power and price
#: yet): the loader accepts them, and a site using one is simulated from its planned MW.
CHIPS_OUTSIDE_CATALOG = frozenset(
    {
        "trainium",
        "trainium3",
        "tpu-v4",
        "tpu-v5e",
        "tpu-v7",
        "mi250x",
        "mi325x",
        "gaudi3",
        "mtia",
        "maia100",
        "ascend-910b",
        "ascend-910c",
    }
)

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: The dates a milestone may carry: the AI build-out is recent, and pandas ends in 2262.
FIRST_DATE = dt.date(1990, 1, 1)
LAST_DATE = dt.date(2100, 12, 31)


@dataclass(frozen=True)
class Observation:
    """One dated milestone of a site, as the row states it."""

    row: int
    milestone: str
    date: dt.date
    precision: str
    censoring: str
    value: float | None
    value_unit: str | None
    confidence: str
    source_title: str
    source_url: str
    note: str

    def span(self) -> tuple[dt.date, dt.date]:
        """First and last calendar day the stated date may stand for, given its precision
        (a month-precision date is any day of that month)."""
        return precision_span(self.date, self.precision)

    def window(self) -> tuple[dt.date | None, dt.date | None]:
        """Earliest and latest day the milestone may have happened (None: unbounded):
        ``reached_by`` bounds it above only, ``not_reached_as_of`` below only."""
        first, last = self.span()
        if self.censoring == "reached_by":
            return None, last
        if self.censoring == "not_reached_as_of":
            return first, None
        return first, last


@dataclass(frozen=True)
class Site:
    site_id: str
    site_name: str
    owner: str
    country: str
    region: str
    build_mode: str
    chip: str
    chip_count: int | None
    planned_it_mw: float | None
    grid_mw: float | None
    onsite_generation_mw: float | None
    onsite_generation_kind: str
    observations: tuple[Observation, ...]

    def first(self, milestone: str) -> Observation | None:
        """The site's first row of ``milestone``, if any."""
        return next((o for o in self.observations if o.milestone == milestone), None)


@dataclass(frozen=True)
class Dataset:
    path: str
    sha256: str
    sites: tuple[Site, ...]

    def without(self, site_id: str) -> Dataset:
        """The dataset less one site (leave-one-out)."""
        return Dataset(self.path, self.sha256, tuple(s for s in self.sites if s.site_id != site_id))

    @property
    def n_observations(self) -> int:
        return sum(len(site.observations) for site in self.sites)


def precision_span(date: dt.date, precision: str) -> tuple[dt.date, dt.date]:
    if precision == "day":
        return date, date
    if precision == "month":
        last = calendar.monthrange(date.year, date.month)[1]
        return date.replace(day=1), date.replace(day=last)
    if precision == "quarter":
        first_month = 3 * ((date.month - 1) // 3) + 1
        last_day = calendar.monthrange(date.year, first_month + 2)[1]
        return dt.date(date.year, first_month, 1), dt.date(date.year, first_month + 2, last_day)
    return dt.date(date.year, 1, 1), dt.date(date.year, 12, 31)


def shipped_sites() -> Path:
    """The dataset dcsim ships (``dcsim/data/sites.csv``)."""
    from importlib.resources import files

    path = Path(str(files("dcsim.data").joinpath("sites.csv")))
    if not path.exists():
        raise UserInputError(f"{path}: this dcsim ships no real-site dataset; give --data FILE")
    return path


def known_chips() -> frozenset[str]:
    return frozenset(builtin_catalog()) | CHIPS_OUTSIDE_CATALOG


def chip_key(text: str) -> str:
    """The catalog spelling of a chip name (``h100_sxm`` is the catalog's ``h100-sxm``)."""
    return text.strip().lower().replace("_", "-")


def load_sites(path: str | Path) -> Dataset:
    """The dataset at ``path``, or :class:`UserInputError` listing every problem found."""
    path = Path(path)
    text = read_text(path, "CSV", max_bytes=MAX_BYTES, follow_symlinks=False)
    reader = _Rows(path, text)
    sites = reader.sites()
    if reader.problems:
        shown = reader.problems[:MAX_PROBLEMS]
        if len(reader.problems) > MAX_PROBLEMS:
            shown.append(f"{path}: {len(reader.problems) - MAX_PROBLEMS} more problems not shown")
        raise UserInputError(shown)
    if not sites:
        raise UserInputError(f"{path}: no rows after the header; expected one row per milestone")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Dataset(str(path), digest, tuple(sites))


class _Rows:
    """The checks of one file; each problem is kept as one line."""

    def __init__(self, path: Path, text: str):
        self.path = path
        self.text = text
        self.problems: list[str] = []
        self.chips = known_chips()

    def problem(self, row: int, column: str, message: str) -> None:
        self.problems.append(f"{self.path}: row {row}, column {column}: {message}")

    def sites(self) -> list[Site]:
        rows = list(self._records())
        if self.problems:
            return []
        by_site: dict[str, list[tuple[int, dict[str, str]]]] = {}
        for row, record in rows:
            by_site.setdefault(record["site_id"], []).append((row, record))
        names: dict[str, str] = {}
        sites = []
        for site_id, records in by_site.items():
            site = self._site(site_id, records)
            if site is None:
                continue
            earlier = names.setdefault(site.site_name.casefold(), site_id)
            if earlier != site_id:
                self.problem(
                    site.observations[0].row,
                    "site_name",
                    f"duplicate site: {site.site_name!r} is also site {earlier!r}",
                )
            sites.append(site)
        return sites

    def _records(self) -> Iterator[tuple[int, dict[str, str]]]:
        reader = csv.reader(io.StringIO(self.text, newline=""), strict=True)
        try:
            header = next(reader, None)
            if header is None:
                raise UserInputError(f"{self.path}: empty file; expected a header row")
            header = [name.strip() for name in header]
            if tuple(header) != COLUMNS:
                missing = [c for c in COLUMNS if c not in header]
                extra = [c for c in header if c not in COLUMNS]
                detail = (
                    f"missing {missing}" if missing else f"unknown {extra}" if extra else "order"
                )
                raise UserInputError(
                    f"{self.path}: row 1: expected the columns {', '.join(COLUMNS)} in this "
                    f"order ({detail})"
                )
            seen: dict[tuple[str, ...], int] = {}
            for cells in reader:
                row = reader.line_num
                if row > MAX_ROWS + 1:
                    raise UserInputError(f"{self.path}: more than {MAX_ROWS:,} rows")
                if not any(cell.strip() for cell in cells):
                    continue
                if len(cells) != len(COLUMNS):
                    self.problem(row, "*", f"expected {len(COLUMNS)} cells, found {len(cells)}")
                    continue
                record = {name: cell.strip() for name, cell in zip(COLUMNS, cells, strict=True)}
                key = tuple(
                    record[c] for c in ("site_id", "milestone", "date", "censoring", "value")
                )
                if key in seen:
                    self.problem(row, "milestone", f"duplicate of row {seen[key]}")
                    continue
                seen[key] = row
                if self._row_ok(row, record):
                    yield row, record
        except csv.Error as error:
            raise UserInputError(f"{self.path}: row {reader.line_num}: bad CSV ({error})") from None

    def _row_ok(self, row: int, r: dict[str, str]) -> bool:
        before = len(self.problems)
        if not _SLUG.match(r["site_id"]):
            self.problem(
                row, "site_id", f"expected a slug like 'xai-colossus-memphis', got {r['site_id']!r}"
            )
        for column in ("site_name", "owner", "source_title"):
            if not r[column]:
                self.problem(row, column, "expected text, found a blank cell")
        if not _COUNTRY.match(r["country"]):
            self.problem(
                row, "country", f"expected an ISO 3166 alpha-2 code like 'US', got {r['country']!r}"
            )
        self._one_of(row, r, "build_mode", BUILD_MODES)
        chip = chip_key(r["chip"])
        if chip and chip not in self.chips:
            self.problem(
                row,
                "chip",
                f"unknown chip {r['chip']!r}; expected a key of dcsim/data/chips.csv or one of "
                f"{', '.join(sorted(CHIPS_OUTSIDE_CATALOG))} (blank: not known)",
            )
        self._number(row, r, "chip_count", integer=True, positive=True)
        self._number(row, r, "planned_it_mw", positive=True)
        self._number(row, r, "grid_mw")
        self._number(row, r, "onsite_generation_mw")
        self._one_of(row, r, "onsite_generation_kind", GENERATION_KINDS, blank=True)
        self._one_of(row, r, "milestone", MILESTONES)
        date = self._date(row, r, "date")
        if date is not None and self._one_of(row, r, "date_precision", PRECISIONS):
            self._precision_matches(row, date, r["date_precision"])
        self._one_of(row, r, "censoring", CENSORINGS)
        if r["milestone"] == "capacity":
            self._number(row, r, "value", positive=True, required=True)
            self._one_of(row, r, "value_unit", VALUE_UNITS)
        else:
            for column in ("value", "value_unit"):
                if r[column]:
                    self.problem(
                        row,
                        column,
                        f"expected a blank cell on a {r['milestone']!r} row (only capacity rows "
                        "carry a value)",
                    )
        if r["source_date"]:
            self._date(row, r, "source_date")
        self._one_of(row, r, "confidence", CONFIDENCES)
        if not r["source_url"] and r["confidence"] != "recalled":
            self.problem(
                row, "source_url", "expected the source's address (or confidence 'recalled')"
            )
        return len(self.problems) == before

    def _one_of(
        self,
        row: int,
        r: dict[str, str],
        column: str,
        allowed: tuple[str, ...],
        blank: bool = False,
    ) -> bool:
        if r[column] in allowed or (blank and not r[column]):
            return True
        self.problem(
            row,
            column,
            f"expected one of {', '.join(allowed)}{' or blank' if blank else ''}, "
            f"got {r[column]!r}",
        )
        return False

    def _number(
        self,
        row: int,
        r: dict[str, str],
        column: str,
        *,
        integer: bool = False,
        positive: bool = False,
        required: bool = False,
    ) -> None:
        text = r[column]
        if not text:
            if required:
                self.problem(row, column, "expected a number, found a blank cell")
            return
        try:
            value = float(text.replace(",", "")) if not integer else int(text.replace(",", ""))
        except ValueError:
            kind = "a whole number" if integer else "a number"
            self.problem(row, column, f"expected {kind}, got {text!r}")
            return
        if not math.isfinite(value) or value < 0 or (positive and value == 0) or value > 1e9:
            bound = "above 0" if positive else "at least 0"
            self.problem(
                row, column, f"expected a finite number {bound} and at most 1e9, got {text!r}"
            )

    def _date(self, row: int, r: dict[str, str], column: str) -> dt.date | None:
        text = r[column]
        if not _ISO_DATE.match(text):
            found = "a blank cell" if not text else repr(text)
            self.problem(row, column, f"expected an ISO date YYYY-MM-DD, found {found}")
            return None
        try:
            date = dt.date.fromisoformat(text)
        except ValueError:
            self.problem(row, column, f"{text!r} is not a day of the calendar")
            return None
        if not FIRST_DATE <= date <= LAST_DATE:
            self.problem(
                row, column, f"expected a date from {FIRST_DATE} to {LAST_DATE}, got {text}"
            )
            return None
        return date

    def _precision_matches(self, row: int, date: dt.date, precision: str) -> None:
        expected = {
            "month": date.day == 15,
            "quarter": date.month in (2, 5, 8, 11) and 14 <= date.day <= 16,
            "year": (date.month, date.day) == (7, 1),
        }.get(precision, True)
        if not expected:
            rule = {
                "month": "the 15th",
                "quarter": "the quarter's middle (Feb/May/Aug/Nov 15)",
                "year": "07-01",
            }
            self.problem(
                row,
                "date",
                f"a {precision}-precision date is written as {rule[precision]}, got {date}",
            )

    def _site(self, site_id: str, records: list[tuple[int, dict[str, str]]]) -> Site | None:
        first_row, first = records[0]
        for row, record in records[1:]:
            for column in SITE_COLUMNS:
                if record[column] != first[column]:
                    self.problem(
                        row,
                        column,
                        f"site {site_id!r} has {record[column]!r} here but {first[column]!r} on "
                        f"row {first_row}; a site's columns must agree",
                    )
                    return None
        observations = tuple(
            Observation(
                row=row,
                milestone=r["milestone"],
                date=dt.date.fromisoformat(r["date"]),
                precision=r["date_precision"],
                censoring=r["censoring"],
                value=float(r["value"].replace(",", "")) if r["value"] else None,
                value_unit=r["value_unit"] or None,
                confidence=r["confidence"],
                source_title=r["source_title"],
                source_url=r["source_url"],
                note=r["note"],
            )
            for row, r in records
        )
        if not any(o.milestone in ("construction_start", "announced") for o in observations):
            self.problem(
                first_row,
                "milestone",
                f"site {site_id!r} has neither a construction_start nor an announced row",
            )
            return None
        if not self._consistent(site_id, observations):
            return None
        if not self._powered(site_id, first, observations):
            return None
        return Site(
            site_id=site_id,
            site_name=first["site_name"],
            owner=first["owner"],
            country=first["country"],
            region=first["region"],
            build_mode=first["build_mode"],
            chip=chip_key(first["chip"]),
            chip_count=int(first["chip_count"].replace(",", "")) if first["chip_count"] else None,
            planned_it_mw=_float(first["planned_it_mw"]),
            grid_mw=_float(first["grid_mw"]),
            onsite_generation_mw=_float(first["onsite_generation_mw"]),
            onsite_generation_kind=first["onsite_generation_kind"],
            observations=observations,
        )

    def _powered(
        self, site_id: str, first: dict[str, str], observations: tuple[Observation, ...]
    ) -> bool:
        """A site that states its power (grid plus on-site MW) cannot have energized more
        IT MW than that: the row that says so shows a power path the site's columns miss
        (a forecast would never reach it)."""
        stated = (_float(first["grid_mw"]) or 0.0) + (_float(first["onsite_generation_mw"]) or 0.0)
        if stated <= 0:
            return True
        for o in observations:
            reached = o.milestone == "capacity" and o.censoring != "not_reached_as_of"
            if reached and o.value_unit == "MW" and (o.value or 0.0) > stated:
                self.problem(
                    o.row,
                    "value",
                    f"{o.value:g} MW energized, but site {site_id!r} states {stated:g} MW of "
                    "grid_mw plus onsite_generation_mw: a power source is missing",
                )
                return False
        return True

    def _consistent(self, site_id: str, observations: tuple[Observation, ...]) -> bool:
        """The rows of one milestone must leave it a possible date, and milestones must be
        able to happen in their order (an earlier one's earliest day not after a later
        one's latest). Plans (``planned_first_power``) may differ between sources, and
        ``announced`` often follows the start of work, so neither is checked."""
        before = len(self.problems)
        groups: dict[tuple[str, float | None, str | None], list[Observation]] = {}
        for o in observations:
            if o.milestone in MILESTONE_RANK and o.milestone != "announced":
                groups.setdefault((o.milestone, o.value, o.value_unit), []).append(o)
        windows = {}
        for key, rows in groups.items():
            window = milestone_window(rows)
            if window is None:
                last = rows[-1]
                self.problem(
                    last.row,
                    "censoring",
                    f"contradicts row {rows[0].row}: no date of {site_id!r}'s {key[0]} fits "
                    "every row (a 'not_reached_as_of' after a 'reached_by' or exact date?)",
                )
                continue
            windows[key] = (*window, rows[0].row)
        for key_a, (low_a, _, row_a) in windows.items():
            for key_b, (_, high_b, row_b) in windows.items():
                if MILESTONE_RANK[key_a[0]] < MILESTONE_RANK[key_b[0]] and low_a > high_b:
                    self.problem(
                        row_a,
                        "date",
                        f"milestones out of order: {key_a[0]} no earlier than {low_a} but "
                        f"{key_b[0]} (row {row_b}) no later than {high_b}",
                    )
        return len(self.problems) == before


def milestone_window(rows: list[Observation]) -> tuple[dt.date, dt.date] | None:
    """The days one milestone may have happened on, given all of its rows (None if none).

    Exact rows from different sources often disagree by days or weeks: the window spans
    them all. ``reached_by`` rows cap it, ``not_reached_as_of`` rows floor it."""
    exact = [o.span() for o in rows if o.censoring == "exact"]
    low = min((span[0] for span in exact), default=dt.date.min)
    high = max((span[1] for span in exact), default=dt.date.max)
    for o in rows:
        first, last = o.window()
        if o.censoring == "reached_by" and last is not None:
            high = min(high, last)
        elif o.censoring == "not_reached_as_of" and first is not None:
            low = max(low, first)
    return (low, high) if low <= high else None


def _float(text: str) -> float | None:
    return float(text.replace(",", "")) if text else None
