"""Build modes: how a hall is built sets how long its shell and fit-out take.

A factory conversion, a prefab fast-track build, a tent and a standard hyperscale hall
differ by months. A scenario states the mode (a fact about the site) and gets the mode's
shell and fit-out distributions unless it writes them itself. The durations come from a
calibration file fitted to the real-site dataset (``dcsim calibrate``) when the scenario
names one (``calibration:``), and otherwise from the cited fallbacks below.

From version 3 a calibration file states each mode's construction time as a law of when
construction starts (:class:`ConstructionLaw`): campuses begun in 2021-22 took about twice
as long as those begun in 2024-25, and one duration for both eras put half the real
outcomes outside its quartiles.

``standard`` falls back to exactly the durations every shipped configuration writes, so a
scenario that states its durations (all shipped ones do) runs as before.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal

BuildMode = Literal["conversion", "fast_track", "temporary", "standard"]
BUILD_MODES: tuple[str, ...] = ("conversion", "fast_track", "temporary", "standard")

#: What a calibration file calls itself, and the format version this code writes.
CALIBRATION_FORMAT = "dcsim-calibration"
CALIBRATION_VERSION = 3
#: Versions this code reads: 1 fitted build-mode durations only (no project risk, read as
#: none); 2 adds the fitted ``project_risk`` list; 3 states each mode's construction time as
#: a law of its start date (``construction``) instead of fixed shell and fit-out times.
READABLE_VERSIONS = (1, 2, 3)
#: The date a version-3 file's mode medians are stated at.
TREND_REFERENCE = dt.date(2024, 1, 1)
#: Bounds a version-3 law must keep at every start it is read at: a median of at most a
#: century and a log spread of at most 3 (a factor of 20 at one standard deviation; the
#: shipped fit's is under 1).
MAX_CONSTRUCTION_DAYS = 36_500.0
MAX_SPREAD = 3.0
#: ``calibration: dcsim`` names the file the package ships, fitted on its own dataset.
SHIPPED = "dcsim"
SHIPPED_FILE = "calibration.json"


def _tri(low: str, mode: str, high: str) -> dict[str, str]:
    return {"dist": "triangular", "low": low, "mode": mode, "high": high}


#: Each mode's fallback shell and fit-out durations and where they come from.
FALLBACKS: dict[str, dict[str, Any]] = {
    "standard": {
        "shell_time": _tri("8 months", "10 months", "14 months"),
        "fitout_time": _tri("4 months", "5 months", "8 months"),
        "source": "Cortex Construct 2026: hyperscale building 14-22 months in all; the split "
        "is the one every shipped config writes (e.g. configs/meta-100k-h100.yaml)",
    },
    "conversion": {
        "shell_time": "0 days",
        "fitout_time": _tri("2 months", "3 months", "4 months"),
        "source": "xAI Colossus, Memphis: an existing factory building, 100k H100 racked and "
        "running 122 days after work began (xAI / Elon Musk, Sep 2024); as in "
        "configs/xai-memphis-bridging.yaml",
    },
    "fast_track": {
        "shell_time": _tri("4 months", "6 months", "8 months"),
        "fitout_time": _tri("4 months", "5 months", "6 months"),
        "source": "recalled, approximate: a prefab GB200 campus energized its first buildings "
        "about a year after ground-breaking (Crusoe/OpenAI Abilene, 2024-25); fit-out after "
        "roof from Epoch AI's Frontier Data Centers Hub rule 'first operational = roof "
        "completion + about 150 days'",
    },
    "temporary": {
        "shell_time": _tri("1 month", "2 months", "3 months"),
        "fitout_time": _tri("2 months", "3 months", "4 months"),
        "source": "recalled, approximate: tent and sprung-structure halls (reported for Meta "
        "in 2025) go up in weeks; fit-out as for a conversion",
    },
}


def mode_durations(mode: str, calibration: str | None, start: dt.date) -> dict[str, Any]:
    """The shell and fit-out distributions (as a config writes them) of ``mode`` for a hall
    whose construction starts on ``start``, from the named calibration file when there is
    one, from :data:`FALLBACKS` otherwise."""
    if calibration is not None:
        document = calibration_document(calibration)
        if mode in document["modes"]:
            return durations_of(document, mode, start)
    fallback = FALLBACKS[mode]
    return {"shell_time": fallback["shell_time"], "fitout_time": fallback["fitout_time"]}


def durations_of(document: dict[str, Any], mode: str, start: dt.date) -> dict[str, Any]:
    """A calibration document's shell and fit-out times of ``mode`` (which it fits) for a
    construction start: fixed in versions 1 and 2, from the mode's law in version 3."""
    entry = document["modes"][mode]
    if document["construction"] is None:
        return {"shell_time": entry["shell_time"], "fitout_time": entry["fitout_time"]}
    return ConstructionLaw.of(document["construction"], entry).durations(start)


def years_from_reference(date: dt.date) -> float:
    """Years (of 365.25 days) from :data:`TREND_REFERENCE` to ``date``."""
    return (date.toordinal() - TREND_REFERENCE.toordinal()) / 365.25


@dataclass(frozen=True)
class ConstructionLaw:
    """A build mode's fitted construction time (shell plus fit-out) by start date.

    Lognormal, with log median ``log(median_days) + per_year * x``, where ``x`` is the years
    from :data:`TREND_REFERENCE` to the start, held within the starts the fit saw
    (``first_year`` to ``last_year``): dcsim does not extrapolate a trend past its data. Its
    log spread is ``sqrt(sigma^2 + v(x))``, ``v(x)`` the posterior variance of that log
    median (``log_median_var + 2 x trend_cov + x^2 per_year_var``, Laplace), so a start the
    data knows little about gets a wider band.
    """

    median_days: float
    log_median_var: float
    trend_cov: float
    shell_share: float
    sigma: float
    per_year: float
    per_year_var: float
    first_year: float
    last_year: float

    @classmethod
    def of(cls, construction: dict[str, Any], entry: dict[str, Any]) -> ConstructionLaw:
        trend = construction["trend"]
        return cls(
            median_days=entry["median_days"],
            log_median_var=entry["log_median_var"],
            trend_cov=entry["trend_cov"],
            shell_share=entry["shell_share"],
            sigma=construction["sigma"],
            per_year=trend["per_year"],
            per_year_var=trend["per_year_var"],
            first_year=years_from_reference(dt.date.fromisoformat(trend["first_start"])),
            last_year=years_from_reference(dt.date.fromisoformat(trend["last_start"])),
        )

    def log_at(self, start: dt.date) -> tuple[float, float]:
        """The log median (log days) and log spread of the construction time of a start."""
        x = min(max(years_from_reference(start), self.first_year), self.last_year)
        mu = math.log(self.median_days) + self.per_year * x
        variance = self.log_median_var + 2 * x * self.trend_cov + x * x * self.per_year_var
        return mu, math.sqrt(self.sigma**2 + max(variance, 0.0))

    def at(self, start: dt.date) -> tuple[float, float]:
        """The median (days) and log spread of the construction time of a start."""
        mu, spread = self.log_at(start)
        return math.exp(mu), spread

    def durations(self, start: dt.date) -> dict[str, Any]:
        median, spread = self.at(start)
        return split_construction(median, spread, self.shell_share)


def split_construction(median: float, sigma: float, share: float) -> dict[str, Any]:
    """Shell and fit-out lognormals (independent, same sigma) whose sum has about the
    given median and log-spread (Fenton-Wilkinson): a hall draws the two separately."""

    def lognormal(days: float, spread: float) -> dict[str, Any] | str:
        if days <= 0:
            return "0 days"
        return {"dist": "lognormal", "median": f"{days:.6g} days", "sigma": float(f"{spread:.6g}")}

    weight = share**2 + (1 - share) ** 2
    part_sigma = math.sqrt(math.log1p(math.expm1(sigma**2) / weight))
    total = median * math.exp((sigma**2 - part_sigma**2) / 2)
    return {
        "shell_time": lognormal(share * total, part_sigma),
        "fitout_time": lognormal((1 - share) * total, part_sigma),
    }


def calibration_path(name: str) -> Path:
    """The file a ``calibration:`` value names (``dcsim``: the one the package ships)."""
    if name == SHIPPED:
        return Path(str(files("dcsim.data").joinpath(SHIPPED_FILE)))
    return Path(name)


@cache
def calibration_document(name: str) -> dict[str, Any]:
    """A calibration file's document, checked: its format, a readable version, and its
    ``modes`` (fixed shell and fit-out times before version 3, whose ``construction`` is
    then None; construction laws from version 3). Raises ``ValueError`` (reported by the
    schema with the field path) for a file that is missing, not JSON or not one dcsim
    reads."""
    from dcsim.config.safe_yaml import read_text
    from dcsim.errors import UserInputError

    path = calibration_path(name)
    try:
        data = json.loads(read_text(path, "JSON"))
    except UserInputError as error:
        raise ValueError(str(error)) from None
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}: not JSON ({error.msg} at line {error.lineno})") from None
    if not isinstance(data, dict) or data.get("format") != CALIBRATION_FORMAT:
        raise ValueError(
            f"{path}: not a dcsim calibration file (no 'format: {CALIBRATION_FORMAT}')"
        )
    if data.get("version") not in READABLE_VERSIONS:
        raise ValueError(
            f"{path}: calibration format version {data.get('version')!r}; this dcsim reads "
            f"versions {', '.join(map(str, READABLE_VERSIONS))}"
        )
    modes = data.get("modes")
    if data["version"] < 3:
        if not isinstance(modes, dict) or not all(
            mode in BUILD_MODES
            and isinstance(entry, dict)
            and {"shell_time", "fitout_time"} <= set(entry)
            for mode, entry in modes.items()
        ):
            raise ValueError(f"{path}: 'modes' must map build modes to shell_time and fitout_time")
        data["construction"] = None  # fixed durations: no law of the start date
    else:
        _check_laws(path, modes, data.get("construction"))
    risk = data.get("project_risk", []) if data["version"] >= 2 else []
    if not isinstance(risk, list) or not all(isinstance(shock, dict) for shock in risk):
        raise ValueError(f"{path}: 'project_risk' must be a list of shocks")
    return data


def _check_laws(path: Path, modes: object, construction: object) -> None:
    """A version-3 file's construction laws: every number finite and in its domain, the
    trend's start range two ISO dates in order; else ``ValueError`` naming the key."""

    def number(where: str, value: object, low: float, high: float) -> None:
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not low <= value <= high
        ):
            raise ValueError(f"{path}: {where}: expected a number from {low} to {high}")

    if not isinstance(modes, dict) or not modes or not set(modes) <= set(BUILD_MODES):
        raise ValueError(f"{path}: 'modes' must map build modes to construction laws")
    for mode, entry in modes.items():
        if not isinstance(entry, dict):
            raise ValueError(f"{path}: modes.{mode}: expected a table")
        number(f"modes.{mode}.median_days", entry.get("median_days"), 1e-3, 36_500.0)
        number(f"modes.{mode}.log_median_var", entry.get("log_median_var"), 0.0, 100.0)
        number(f"modes.{mode}.trend_cov", entry.get("trend_cov"), -100.0, 100.0)
        number(f"modes.{mode}.shell_share", entry.get("shell_share"), 0.0, 1.0)
    if not isinstance(construction, dict) or not isinstance(construction.get("trend"), dict):
        raise ValueError(f"{path}: 'construction' must hold sigma and a trend table")
    trend = construction["trend"]
    number("construction.sigma", construction.get("sigma"), 1e-3, 5.0)
    number("construction.trend.per_year", trend.get("per_year"), -5.0, 5.0)
    number("construction.trend.per_year_var", trend.get("per_year_var"), 0.0, 100.0)
    try:
        first = dt.date.fromisoformat(str(trend.get("first_start")))
        last = dt.date.fromisoformat(str(trend.get("last_start")))
    except ValueError:
        raise ValueError(
            f"{path}: construction.trend: first_start and last_start must be ISO dates"
        ) from None
    if first > last:
        raise ValueError(f"{path}: construction.trend: first_start is after last_start")
    # The law is held between the two starts, where its log median (linear in the start)
    # and its spread (convex) are most extreme: both must give a duration a hall can take.
    for mode, entry in modes.items():
        law = ConstructionLaw.of(construction, entry)
        for edge in (first, last):
            mu, spread = law.log_at(edge)
            if not (0.0 <= mu <= math.log(MAX_CONSTRUCTION_DAYS) and spread <= MAX_SPREAD):
                raise ValueError(
                    f"{path}: modes.{mode}: a start on {edge} gets a median construction time "
                    f"of exp({mu:.4g}) days and a log spread of {spread:.4g}; expected 1 to "
                    f"{MAX_CONSTRUCTION_DAYS:,.0f} days and at most {MAX_SPREAD}"
                )


def calibrated_project_risk(name: str) -> list[dict[str, Any]]:
    """The project-wide shocks a calibration file fitted, as a scenario writes them under
    ``project_risk`` (a version-1 file fitted none: an empty list)."""
    document = calibration_document(name)
    if document["version"] < 2:
        return []
    return [dict(shock) for shock in document.get("project_risk", [])]
