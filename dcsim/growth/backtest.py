"""Rolling-origin backtest: fit through year T, forecast T+1..T+k, move T forward.

Every method of :mod:`dcsim.growth.methods` (single curves, ``auto``, combinations,
baselines, and with several companies the pooled curve) forecasts from every origin that
leaves at least ``CALIBRATION_MIN_TRAIN`` points. Origins with at least ``min_train``
points are scored; all of them feed the track record from which conformal intervals are
built (:mod:`dcsim.growth.conformal`): at origin ``T`` only errors of forecasts whose year
is at most ``T`` are used, from the company itself when it has enough of them at that
horizon, else pooled over every company in the backtest. ``auto`` (or every curve, with
``intervals="all"``; none with ``"none"``) also gets the studentized bootstrap interval of
:mod:`dcsim.growth.forecast` as ``boot_lower``/``boot_upper``.

The default method is chosen the same way, never on the years it is scored on: at each
origin, the method with the lowest mean absolute log error on its forecasts at horizons
1..``RECORD_HORIZONS`` already resolved (``track_record``). The window is fixed, not the
horizon asked for, so a year's forecast depends on the data and on its distance from the
last year only. :func:`track_record_choice` is the rule; ``Backtest.default_now`` is what
it settles on after the last year.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from dcsim.errors import UserInputError
from dcsim.growth.conformal import half_width, interval_score
from dcsim.growth.data import Series, validate
from dcsim.growth.methods import AUTO, Method, Origin, methods
from dcsim.growth.models import Model
from dcsim.growth.selection import fit

CALIBRATION_MIN_TRAIN = 5
"""Smallest training series whose forecasts join the track record (the exponential's
minimum); only origins with ``min_train`` points are scored."""
RECORD_HORIZONS = 3
"""Horizons whose resolved errors rank the methods for ``track_record``: the backtest's
default horizon. Fixed, so that the choice (and a year's forecast) does not change with
the number of years forecast (issue 23: ``--forecast 1`` and ``--forecast 3`` picked
different methods for the same year when the window was the horizon asked for)."""
OWN_ERRORS_NEEDED = 9
"""Errors a company needs at a horizon to calibrate on its own (the 90% conformal rank
exists from 9 errors on); with fewer, the backtest pools every company's errors."""


@dataclass(frozen=True)
class Backtest:
    """``rows``: one per (company, origin, model, year) scored; ``summary``: per model."""

    name: str
    level: float
    rows: object  # pandas.DataFrame
    n_failed_boot: int
    kinds: dict[str, str]
    default_now: str | None = None
    """What the default (``track_record``) would forecast with after the last year."""
    forecasts: object = None  # pandas.DataFrame: every origin's log forecasts, unscored too
    actuals: dict[tuple[str, int], float] = field(default_factory=dict)

    @property
    def summary(self):
        """Per model: kind, MAPE (%), coverage and interval score of the conformal
        interval, forecasts scored and origins used; best MAPE first."""
        return _summarise(self.rows, ["model"], self.kinds).sort_values("mape")

    @property
    def by_horizon(self):
        """The summary per (model, horizon)."""
        return _summarise(self.rows, ["model", "horizon"], self.kinds)


def _summarise(rows, keys: list[str], kinds: dict[str, str]):
    grouped = rows.groupby(keys, sort=False)
    out = grouped.agg(
        mape=("ape", "mean"),
        coverage=("covered", "mean"),
        interval_score=("interval_score", "mean"),
        n_forecasts=("ape", "size"),
        n_intervals=("covered", "count"),
        n_origins=("origin", "nunique"),
        bootstrap_coverage=("boot_covered", "mean"),
    )
    out["mape"] *= 100
    out.insert(0, "kind", [kinds[k[0] if isinstance(k, tuple) else k] for k in out.index])
    return out


def tracks_of(series: Sequence[Series]) -> list[Series]:
    out = []
    for s in series:
        y, v = validate(list(s.years), list(s.values), s.name)
        out.append(Series(s.name, y, v))
    return out


FORECAST_COLUMNS = [
    "company",
    "origin",
    "n_train",
    "model",
    "year",
    "horizon",
    "log_actual",
    "log_forecast",
]


def _forecasts(
    tracks: list[Series], catalog: dict[str, Method], horizon: int, models
) -> list[dict]:
    """Every method's log forecasts from every origin of every company."""
    rows = []
    last = {tr.name: dict(zip(tr.years.tolist(), tr.logv.tolist(), strict=True)) for tr in tracks}
    for tr in tracks:
        for end in range(CALIBRATION_MIN_TRAIN, len(tr.years)):
            year = int(tr.years[end - 1])
            panel = tuple(o.until(year) for o in tracks if o is not tr and o.years[0] <= year)
            origin = Origin(tr.until(year), panel, models)
            for method in catalog.values():
                if method.name == "pooled_exponential" and not panel:
                    continue
                logs = method.forecast(origin, horizon)
                for h in range(1, horizon + 1):
                    if year + h in last[tr.name] and np.isfinite(logs[h - 1]):
                        rows.append(
                            {
                                "company": tr.name,
                                "origin": year,
                                "n_train": end,
                                "model": method.name,
                                "year": year + h,
                                "horizon": h,
                                "log_actual": last[tr.name][year + h],
                                "log_forecast": float(logs[h - 1]),
                            }
                        )
    return rows


def resolved_errors(frame, company: str, model: str, h: int, origin: int | None = None):
    """Absolute log errors at horizon ``h`` known at ``origin`` (default: all of them):
    the company's own if it has enough, else every company's."""
    known = frame[(frame.model == model) & (frame.horizon == h)]
    if origin is not None:
        known = known[known.year <= origin]
    own = known[known.company == company]
    pick = own if len(own) >= OWN_ERRORS_NEEDED else known
    return (pick.log_actual - pick.log_forecast).abs().to_numpy()


def _with_intervals(frame, level: float, min_train: int):
    """Scored rows with conformal intervals, APE, coverage and interval score."""
    scored = frame[frame.n_train >= min_train].copy()
    widths = [
        half_width(resolved_errors(frame, r.company, r.model, r.horizon, r.origin), level)
        for r in scored.itertuples()
    ]
    scored["half_width"] = [w for w, _ in widths]
    scored["interval_from"] = [how for _, how in widths]
    lo = scored.log_forecast - scored.half_width
    hi = scored.log_forecast + scored.half_width
    actual, forecast = np.exp(scored.log_actual), np.exp(scored.log_forecast)
    scored["actual"], scored["forecast"] = actual, forecast
    scored["lower"], scored["upper"] = np.exp(lo), np.exp(hi)
    scored["ape"] = (forecast - actual).abs() / actual
    has = scored.half_width.notna()
    inside = (lo <= scored.log_actual) & (scored.log_actual <= hi)
    scored["covered"] = inside.astype(float).where(has)
    scored["interval_score"] = interval_score(lo, hi, scored.log_actual, level)
    scored.loc[~has, "interval_score"] = np.nan
    return scored


def track_record_choice(frame, origin: int, candidates: Iterable[str]):
    """The candidate with the lowest mean absolute log error over its forecasts at
    horizons up to ``RECORD_HORIZONS`` resolved by ``origin`` (ties: the first candidate),
    or None when none has any."""
    window = (frame.year <= origin) & (frame.horizon <= RECORD_HORIZONS)
    known = frame[window & frame.model.isin(list(candidates))]
    if known.empty:
        return None
    scores = (known.log_actual - known.log_forecast).abs().groupby(known.model).mean()
    return min((c for c in candidates if c in scores.index), key=lambda c: scores[c])


TRACK_RECORD = "track_record"
DEFAULT_METHOD = TRACK_RECORD
"""The default forecast: chosen by its record at each origin, so its backtest is nested."""


def _track_record_rows(frame, candidates: list[str]):
    """The nested default: at each origin, the forecast of the method with the best
    record so far (over every company in the backtest); ``chosen`` names it."""
    import pandas as pd

    chosen = []
    for origin in sorted(frame.origin.unique()):
        pick = track_record_choice(frame, origin, candidates)
        if pick is not None:
            rows = frame[(frame.origin == origin) & (frame.model == pick)]
            chosen.append(rows.assign(chosen=pick, model=TRACK_RECORD))
    return pd.concat(chosen) if chosen else frame.iloc[:0].assign(chosen=None)


def forecast_frame(tracks: list[Series], models, horizon: int):
    """Every method's log forecasts from every origin (``n_train`` ≥
    ``CALIBRATION_MIN_TRAIN``), the nested default's included, and the method catalog.
    Forecasts reach ``RECORD_HORIZONS`` years even when ``horizon`` is shorter: the
    default's choice needs them, whatever the horizon asked for."""
    import pandas as pd

    catalog = methods(models)
    reach = max(horizon, RECORD_HORIZONS)
    frame = pd.DataFrame(_forecasts(tracks, catalog, reach, models), columns=FORECAST_COLUMNS)
    nested = _track_record_rows(frame, list(catalog))
    return pd.concat([frame, nested], ignore_index=True), catalog


def _bootstrap_origin(track: Series, origin: int, targets: list[int], models, which: str, **kw):
    """``{(label, year): (lower, upper)}`` for one origin, and the refits that failed."""
    own = track.until(origin)
    result = fit(own.years, own.values, models, name=track.name)
    bounds, failed = {}, 0
    for f in result.ranked:
        labels = ([AUTO] if f is result.best else []) + ([f.name] if which == "all" else [])
        if labels:
            fc = result.forecast(targets, model=f.name, **kw)
            failed += fc.n_failed
            for label in labels:
                for year, lo, hi in zip(targets, fc.lower, fc.upper, strict=True):
                    bounds[label, year] = (lo, hi)
    return bounds, failed


def _bootstrap(tracks: list[Series], scored, models, level, seed, n_boot: int, which: str):
    """Studentized bootstrap bounds for ``auto`` (or every curve) on the scored rows."""
    lower = np.full(len(scored), np.nan)
    upper = np.full(len(scored), np.nan)
    failed = 0
    if which == "none":
        return lower, upper, failed
    rng = np.random.default_rng(seed)
    for tr in tracks:
        mine = scored[scored.company == tr.name]
        for origin, rows in mine.groupby("origin", sort=True):
            bounds, n_failed = _bootstrap_origin(
                tr,
                int(origin),
                sorted(rows.year.unique()),
                models,
                which,
                level=level,
                seed=int(rng.integers(2**32)),
                n_boot=n_boot,
            )
            failed += n_failed
            for i, label, year in zip(rows.index, rows.model, rows.year, strict=True):
                if (label, year) in bounds:
                    lower[i], upper[i] = bounds[label, year]
    return lower, upper, failed


def check_backtest_args(horizon: int, level: float, min_train: int) -> None:
    """One line per problem with the backtest's settings."""
    problems = []
    if horizon < 1:
        problems.append(f"horizon must be at least 1, got {horizon}")
    if not 0.0 < level < 1.0:
        problems.append(f"level must be between 0 and 1, got {level}")
    if min_train < CALIBRATION_MIN_TRAIN:
        problems.append(
            f"min_train must be at least {CALIBRATION_MIN_TRAIN} (the exponential's minimum),"
            f" got {min_train}"
        )
    if problems:
        raise UserInputError(problems)


def backtest(
    series: Series | Sequence[Series],
    models: str | Sequence[str] | Sequence[Model] | None = None,
    horizon: int = 3,
    min_train: int = 8,
    level: float = 0.9,
    seed: int | None = 0,
    n_boot: int = 200,
    intervals: str = "best",
    name: str | None = None,
) -> Backtest:
    """Backtest every method on one series or, pooled, on several at once, from every
    origin that leaves ``min_train`` points to fit and one to score. ``name`` labels the
    result (default: the series' name, or ``pooled``)."""
    if intervals not in ("best", "all", "none"):
        raise UserInputError(f"intervals must be 'best', 'all' or 'none', got {intervals!r}")
    check_backtest_args(horizon, level, min_train)
    tracks = tracks_of([series] if isinstance(series, Series) else series)
    short = [f"{t.name}: {len(t.years)} points" for t in tracks if len(t.years) < min_train + 1]
    if len(short) == len(tracks):
        raise UserInputError(f"{'; '.join(short)}; a backtest needs min_train ({min_train}) + 1")
    model_names = [m.name for m in models] if models and isinstance(models[0], Model) else models
    frame, catalog = forecast_frame(tracks, model_names, horizon)
    default_now = track_record_choice(frame, int(frame.year.max()), list(catalog))
    kinds = {m.name: m.kind for m in catalog.values()} | {TRACK_RECORD: "combination"}
    asked = frame[frame.horizon <= horizon]
    scored = _with_intervals(asked, level, min_train).reset_index(drop=True)
    lower, upper, failed = _bootstrap(tracks, scored, model_names, level, seed, n_boot, intervals)
    scored["boot_lower"], scored["boot_upper"] = lower, upper
    inside = (scored.boot_lower <= scored.actual) & (scored.actual <= scored.boot_upper)
    scored["boot_covered"] = inside.astype(float).where(scored.boot_lower.notna())
    scored["kind"] = scored.model.map(kinds)
    label = name or (tracks[0].name if len(tracks) == 1 else "pooled")
    actuals = {
        (t.name, int(y)): float(v) for t in tracks for y, v in zip(t.years, t.values, strict=True)
    }
    return Backtest(label, level, scored, failed, kinds, default_now, frame, actuals)
