"""Backtest figures: is a forecast's 80% band right 80% of the time?

Both take ``{forecast name: [Scored, ...]}`` (see :mod:`dcsim.calibration.scoring`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes

from dcsim.plots.style import finish, legend_outside, new_axes

#: How each forecast is drawn, in the legend's order.
STYLES = {
    "calibrated": {"color": "black", "lw": 2.2},
    "defaults": {"color": "tab:red", "lw": 1.4},
    "reference_class": {"color": "tab:blue", "lw": 1.4, "ls": "--"},
}
LABELS = {
    "calibrated": "dcsim calibrated",
    "defaults": "dcsim defaults",
    "reference_class": "reference class",
}


def plot_pit(scored: Mapping[str, Sequence[Any]], ax: Axes | None = None, bins: int = 10) -> Axes:
    """PIT histograms as step lines: a calibrated forecast is flat at 1; a U shape means
    bands too narrow, a hump bands too wide, a slope a forecast early or late. A censored
    outcome's weight is spread over the PIT values it allows
    (:func:`dcsim.calibration.scoring.pit_histogram`)."""
    from dcsim.calibration.scoring import pit_histogram

    ax = new_axes(ax, figsize=(7.0, 4.2))
    edges = np.linspace(0, 1, bins + 1)
    for name, rows in scored.items():
        if not rows:
            continue
        ax.stairs(
            pit_histogram([s.pit_range for s in rows], bins),
            edges,
            label=f"{LABELS.get(name, name)} ({len(rows)} observations)",
            **STYLES.get(name, {}),
        )
    ax.axhline(1.0, color="grey", lw=0.8, ls=":")
    ax.set_xlim(0, 1)
    ax.set_ylim(bottom=0)
    legend_outside(ax)
    return finish(
        ax,
        "Where outcomes fell in the forecast distribution (PIT)",
        "density (1 = calibrated)",
        xlabel="PIT: forecast probability of finishing earlier than the outcome",
    )


def plot_reliability(scored: Mapping[str, Sequence[Any]], ax: Axes | None = None) -> Axes:
    """Share of outcomes inside each central band against the band's nominal level; a
    calibrated forecast lies on the diagonal. A censored outcome counts as the forecast's
    own probability that it lies in the band (expected coverage,
    :func:`dcsim.calibration.scoring.band_credit`), so censoring pulls no curve up or down."""
    from dcsim.calibration.scoring import LEVELS

    ax = new_axes(ax, figsize=(5.5, 5.0))
    ax.plot([0, 1], [0, 1], color="grey", lw=0.8, ls=":", label="perfectly calibrated")
    for name, rows in scored.items():
        if not rows:
            continue
        observed = np.mean([s.inside_levels for s in rows], axis=0)
        ax.plot(LEVELS, observed, marker="o", label=LABELS.get(name, name), **STYLES.get(name, {}))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_aspect("equal")
    legend_outside(ax)
    return finish(
        ax,
        "Reliability of central bands",
        "share of outcomes inside the band (expected)",
        xlabel="nominal band (0.8 = P10-P90)",
    )
