"""Capex series: the shipped company data, user CSVs, and validation of any series.

Every path into the fitter goes through :func:`validate`, so the API and the CLI reject
the same bad input (duplicate or non-integer years, non-positive values) with the same
message, raised as :class:`~dcsim.errors.UserInputError`.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

from dcsim.errors import UserInputError

MEASURES = {
    "purchases": "capex.csv",
    "incl-finance-leases": "capex_alt_incl_finance_leases.csv",
}
"""Measure name -> shipped file. ``purchases``: purchases of property and equipment
(cash-flow statement); ``incl-finance-leases``: the same plus finance-lease principal."""
KINDS = ("actual", "guidance", "all")


@dataclass(frozen=True)
class Series:
    """One annual series, sorted by year; ``sources`` cites each row kept."""

    name: str
    years: np.ndarray
    values: np.ndarray
    sources: tuple[str, ...] = field(default=())
    unit: str = "USD"

    @property
    def logv(self) -> np.ndarray:
        """``ln`` of the values: what the models and forecast methods work on."""
        return np.log(self.values)

    def until(self, year: int | None) -> Series:
        """The series truncated after ``year`` (inclusive), for fitting on the past only."""
        if year is None:
            return self
        keep = self.years <= year
        if not keep.any():
            raise UserInputError(f"{self.name}: no data in or before {year}")
        return Series(
            self.name,
            self.years[keep],
            self.values[keep],
            tuple(s for s, k in zip(self.sources, keep, strict=True) if k) if self.sources else (),
            self.unit,
        )


def validate(years: object, values: object, name: str = "series") -> tuple[np.ndarray, np.ndarray]:
    """Integer years (unique) and positive finite values as sorted arrays, or a clear error."""
    try:
        y = np.asarray(years, dtype=float).ravel()
        v = np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError) as error:
        raise UserInputError(f"{name}: years and values must be numeric ({error})") from None
    problems = []
    if y.size != v.size:
        problems.append(f"{name}: {y.size} years but {v.size} values")
    elif not np.all(np.isfinite(y)) or np.any(y != np.round(y)):
        problems.append(f"{name}: years must be whole numbers")
    else:
        uniq, counts = np.unique(y, return_counts=True)
        if (counts > 1).any():
            dup = ", ".join(str(int(d)) for d in uniq[counts > 1])
            problems.append(f"{name}: duplicate years {dup}; give one value per year")
    if y.size == v.size and not np.all(np.isfinite(v) & (v > 0)):
        bad = ", ".join(
            f"{a:g}={b:g}" for a, b in zip(y, v, strict=True) if not (np.isfinite(b) and b > 0)
        )
        problems.append(
            f"{name}: values must be positive and finite (fitted on a log scale): {bad}"
        )
    if problems:
        raise UserInputError(problems)
    order = np.argsort(y)
    return y[order].astype(int), v[order]


def read_rows(path: Path, source_name: str) -> tuple[list[str], list[dict[str, str]]]:
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            rows = list(reader)
            return list(reader.fieldnames or []), rows
    except FileNotFoundError:
        raise UserInputError(f"{source_name}: file not found") from None
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise UserInputError(f"{source_name}: cannot read CSV ({error})") from None


def _require_columns(columns: list[str], needed: list[str], source_name: str) -> None:
    missing = [c for c in needed if c not in columns]
    if missing:
        raise UserInputError(
            f"{source_name}: missing column(s) {', '.join(missing)}; "
            f"found {', '.join(columns) or 'no header'}"
        )


def _parse_number(text: str, what: str, line: int, source_name: str) -> float:
    try:
        return float(text)
    except (TypeError, ValueError):
        raise UserInputError(
            f"{source_name}, line {line}: {what} {text!r} is not a number"
        ) from None


def load_csv(
    path: str | Path,
    year_col: str = "year",
    value_col: str = "value",
    company: str | None = None,
    company_col: str = "company",
) -> Series:
    """A user's CSV with at least a year and a value column (names configurable).

    With ``company``, only rows whose ``company_col`` matches (case-insensitively) are kept,
    so one file may hold several series.
    """
    path = Path(path)
    columns, rows = read_rows(path, str(path))
    _require_columns(columns, [year_col, value_col] + ([company_col] if company else []), str(path))
    lines = range(2, len(rows) + 2)
    picked = [
        (line, row)
        for line, row in zip(lines, rows, strict=True)
        if company is None or (row[company_col] or "").strip().lower() == company.lower()
    ]
    if not picked:
        raise UserInputError(f"{path}: no rows" + (f" for company {company!r}" if company else ""))
    years = [_parse_number(r[year_col], "year", ln, str(path)) for ln, r in picked]
    values = [_parse_number(r[value_col], "value", ln, str(path)) for ln, r in picked]
    name = company or path.stem
    y, v = validate(years, values, name)
    return Series(name, y, v, (str(path),) * len(y), unit="")


def _shipped(measure: str) -> tuple[list[str], list[dict[str, str]]]:
    if measure not in MEASURES:
        raise UserInputError(f"unknown measure {measure!r}; choose one of: {', '.join(MEASURES)}")
    with resources.as_file(resources.files("dcsim") / "data" / MEASURES[measure]) as path:
        return read_rows(path, MEASURES[measure])


def companies(measure: str = "purchases") -> list[str]:
    """Company names in the shipped data for ``measure``."""
    return list(dict.fromkeys(row["company"] for row in _shipped(measure)[1]))


def _latest_per_year(rows: list[dict[str, str]]) -> dict[int, dict[str, str]]:
    """One row per fiscal year; later rows win (guidance is listed oldest first)."""
    return {int(row["fiscal_year"]): row for row in rows}


def load_company(name: str, measure: str = "purchases", kind: str = "actual") -> Series:
    """A company's annual capex from the shipped data.

    ``kind``: ``actual`` (reported figures), ``guidance`` (the latest guidance midpoint for
    each year), or ``all`` (actuals, with the latest guidance filling years not yet
    reported, e.g. next year's plan).
    """
    if kind not in KINDS:
        raise UserInputError(f"unknown kind {kind!r}; choose one of: {', '.join(KINDS)}")
    _, rows = _shipped(measure)
    known = companies(measure)
    match = [c for c in known if c.lower() == name.strip().lower()]
    if not match:
        raise UserInputError(
            f"unknown company {name!r} for measure {measure}; known: {', '.join(known)}"
        )
    mine = [r for r in rows if r["company"] == match[0]]
    actual = _latest_per_year([r for r in mine if r["kind"] == "actual"])
    guidance = _latest_per_year([r for r in mine if r["kind"] == "guidance"])
    chosen = {"actual": actual, "guidance": guidance, "all": {**guidance, **actual}}[kind]
    if not chosen:
        raise UserInputError(f"{match[0]}: no {kind} rows for measure {measure}")
    years = sorted(chosen)
    label = match[0] if kind == "actual" else f"{match[0]} ({kind})"
    return Series(
        label,
        np.array(years, dtype=int),
        np.array([float(chosen[y]["capex_usd"]) for y in years]),
        tuple(chosen[y]["source"] for y in years),
    )


def other_companies(
    name: str, measure: str = "purchases", until: int | None = None
) -> list[Series]:
    """The shipped companies other than ``name`` (actuals), each cut at ``until``; those
    without data by then are left out. The panel pooled methods borrow strength from."""
    others = []
    for company in companies(measure):
        if company.lower() != name.strip().lower():
            try:
                others.append(load_company(company, measure).until(until))
            except UserInputError:
                continue  # no data by then
    return others


def series_from_run(run_dir: str | Path) -> tuple[Series, dict[int, str]]:
    """A run's capex as an annual series: spend in calendar year Y is the cumulative capex
    at the end of Y minus that at the end of Y−1 (zero before the run starts).

    Only whole years can be compared with annual figures, so a first year the run does not
    start on 1 January, and a last year it does not run through to 31 December, are
    dropped, as are years without spend (the fit is on a log scale). Returns the series and
    ``{year: why it was dropped}``.
    """
    import pandas as pd

    path = Path(run_dir) / "timeseries.parquet"
    try:
        frame = pd.read_parquet(path, columns=["date", "day", "capex_usd_cumulative"])
    except FileNotFoundError:
        raise UserInputError(
            f"{path}: not found; give a directory written by `dcsim run --out`"
        ) from None
    except (OSError, ValueError, KeyError) as error:
        raise UserInputError(f"{path}: cannot read the capex time series ({error})") from None
    if frame.empty:
        raise UserInputError(f"{path}: the time series is empty")
    dates = pd.to_datetime(frame["date"])
    # Rows start at the first change, not necessarily at the run's start (day 0).
    first = dates.iloc[0] - pd.to_timedelta(frame["day"].iloc[0], unit="D")
    last = dates.iloc[-1]
    last_year = last.year if last > pd.Timestamp(last.year, 1, 1) else last.year - 1
    spend: dict[int, float] = {}
    before = 0.0
    for year in range(first.year, last_year + 1):
        upto = frame.loc[dates < pd.Timestamp(year + 1, 1, 1), "capex_usd_cumulative"]
        spend[year] = float(upto.iloc[-1]) - before
        before = float(upto.iloc[-1])
    dropped = {}
    if first != pd.Timestamp(first.year, 1, 1):
        dropped[first.year] = f"partial year: the run starts on {first.date()}"
    if last < pd.Timestamp(last_year + 1, 1, 1):
        dropped[last_year] = f"partial year: the run ends on {last.date()}"
    for year, usd in spend.items():
        if year not in dropped and usd <= 0:
            dropped[year] = "no capex booked"
    kept = [y for y in spend if y not in dropped]
    if not kept:
        why = "; ".join(f"{year}: {reason}" for year, reason in dropped.items())
        raise UserInputError(f"{path}: no whole calendar year with capex ({why})")
    name = Path(run_dir).resolve().name
    series = Series(
        name,
        np.array(kept, dtype=int),
        np.array([spend[y] for y in kept], dtype=float),
        (str(path),) * len(kept),
    )
    return series, dropped
