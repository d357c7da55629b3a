"""Horizon-1 backtest with and without company guidance (see :mod:`dcsim.growth.guidance`).

On every scored origin ``T`` where the company had given usable guidance for ``T+1`` and
at least ``MIN_PAIRS`` guidance-vs-actual pairs were resolved by ``T`` (over every company
in the backtest), three forecasts of ``T+1`` are compared on the same rows: the method
alone (with its conformal interval), the bias-corrected guidance alone, and the two
precision-weighted. Everything a forecast uses is known at its origin.
"""

from __future__ import annotations

import math

import numpy as np

from dcsim.growth.conformal import interval_score
from dcsim.growth.guidance import (
    Guidance,
    learned_error,
    load_guidance,
    pairs,
    precision_weighted,
    t_half_width,
    usable,
)


def _method_spread(forecasts, method: str, origin: int) -> tuple[float, int]:
    """RMS of the method's horizon-1 log errors resolved by ``origin`` (all companies)."""
    known = forecasts[
        (forecasts.model == method) & (forecasts.horizon == 1) & (forecasts.year <= origin)
    ]
    e = (known.log_actual - known.log_forecast).to_numpy()
    return (float(np.sqrt(np.mean(e**2))) if len(e) else float("nan")), len(e)


def _band(centre: float, half: float) -> tuple[float, float, float]:
    return math.exp(centre), math.exp(centre - half), math.exp(centre + half)


def guided_rows(backtest, method: str, guidance: list[Guidance] | None = None):
    """One row per (origin, forecast kind) where guidance could be used; and the pairs."""
    import pandas as pd

    guidance = load_guidance() if guidance is None else guidance
    given = usable(guidance)
    pair_frame = pairs(guidance, backtest.actuals)
    level = backtest.level
    scored = backtest.rows[(backtest.rows.model == method) & (backtest.rows.horizon == 1)]
    out = []
    for r in scored.itertuples():
        g = given.get((r.company, r.year))
        bias, s_guide, n_pairs = learned_error(pair_frame, r.origin)
        s_model, n_model = _method_spread(backtest.forecasts, method, r.origin)
        if g is None or not (np.isfinite(bias) and np.isfinite(s_model) and n_model >= 2):
            continue
        x_guide = math.log(g.value) + bias
        x_both, s_both = precision_weighted(r.log_forecast, s_model, x_guide, s_guide)
        dof = min(n_pairs, n_model) - 1
        spread_guide = s_guide * math.sqrt(1 + 1 / n_pairs)
        bands = {
            method: (r.forecast, r.lower, r.upper),
            "guidance": _band(x_guide, t_half_width(spread_guide, n_pairs - 1, level)),
            f"{method}+guidance": _band(x_both, t_half_width(s_both, dof, level)),
        }
        for label, (value, lower, upper) in bands.items():
            out.append(
                {
                    "company": r.company,
                    "origin": r.origin,
                    "year": r.year,
                    "model": label,
                    "actual": r.actual,
                    "guidance": g.value,
                    "forecast": value,
                    "lower": lower,
                    "upper": upper,
                    "ape": abs(value - r.actual) / r.actual,
                    "covered": float(lower <= r.actual <= upper),
                    "interval_score": float(
                        interval_score(math.log(lower), math.log(upper), math.log(r.actual), level)
                    ),
                    "n_pairs": n_pairs,
                }
            )
    return pd.DataFrame(out), pair_frame


def guidance_report(backtest, method: str, guidance: list[Guidance] | None = None) -> dict:
    """JSON-ready: the pairs, the horizon-1 scores with and without guidance on the same
    rows, and the MAPE gain (percentage points; positive: guidance helped)."""
    rows, pair_frame = guided_rows(backtest, method, guidance)
    summary = []
    if not rows.empty:
        grouped = rows.groupby("model", sort=False).agg(
            mape=("ape", "mean"),
            coverage=("covered", "mean"),
            interval_score=("interval_score", "mean"),
            n_forecasts=("ape", "size"),
        )
        grouped["mape"] *= 100
        summary = grouped.reset_index().to_dict(orient="records")
    by_model = {s["model"]: s["mape"] for s in summary}
    with_label = f"{method}+guidance"
    gain = by_model[method] - by_model[with_label] if with_label in by_model else None
    return {
        "method": method,
        "pairs": pair_frame.to_dict(orient="records"),
        "horizon_1": summary,
        "mape_gain_points": gain,
        "rows": rows.to_dict(orient="records"),
    }


def condition_on_guidance(
    forecast, first_year_errors: np.ndarray, g: Guidance, pair_frame, origin: int
):
    """``forecast`` with its first year replaced by the precision-weighted mix of the
    method and the bias-corrected guidance ``g`` (the rest unchanged), or ``None`` when
    the guidance's error cannot be learned yet (fewer than two resolved pairs)."""
    from dataclasses import replace

    bias, s_guide, n_pairs = learned_error(pair_frame, origin)
    e = np.asarray(first_year_errors, dtype=float)
    if not np.isfinite(bias) or len(e) < 2 or forecast.years[0] != g.year:
        return None
    s_model = float(np.sqrt(np.mean(e**2)))
    centre, sd = precision_weighted(
        math.log(forecast.value[0]), s_model, math.log(g.value) + bias, s_guide
    )
    value, lower, upper = _band(centre, t_half_width(sd, min(n_pairs, len(e)) - 1, forecast.level))
    return replace(
        forecast,
        model=f"{forecast.model}+guidance",
        value=np.r_[value, forecast.value[1:]],
        lower=np.r_[lower, forecast.lower[1:]],
        upper=np.r_[upper, forecast.upper[1:]],
    )
