"""Backtest figures: is a forecast's 80% band right 80% of the time?

Both take what :mod:`dcsim.calibration.scoring` computed, per forecast name, so the figures
know nothing of how outcomes are scored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

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


def plot_pit(histograms: Mapping[str, tuple[np.ndarray, int]], ax: Axes | None = None) -> Axes:
    """PIT histograms (``{name: (density per bin, observations)}``) as step lines: a
    calibrated forecast is flat at 1; a U shape means bands too narrow, a hump bands too
    wide, a slope a forecast early or late. A censored outcome's weight is spread over the
    PIT values it allows (:func:`dcsim.calibration.scoring.pit_histogram`)."""
    ax = new_axes(ax, figsize=(7.0, 4.2))
    for name, (density, count) in histograms.items():
        if not count:
            continue
        ax.stairs(
            density,
            np.linspace(0, 1, len(density) + 1),
            label=f"{LABELS.get(name, name)} ({count} observations)",
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


def plot_reliability(
    levels: Sequence[float], curves: Mapping[str, np.ndarray], ax: Axes | None = None
) -> Axes:
    """Share of outcomes inside each central band (``{name: share per level}``) against the
    band's nominal level; a calibrated forecast lies on the diagonal. A censored outcome
    counts as the forecast's own probability that it lies in the band (expected coverage,
    :func:`dcsim.calibration.scoring.band_credit`), so censoring pulls no curve up or down."""
    ax = new_axes(ax, figsize=(5.5, 5.0))
    ax.plot([0, 1], [0, 1], color="grey", lw=0.8, ls=":", label="perfectly calibrated")
    for name, observed in curves.items():
        ax.plot(levels, observed, marker="o", label=LABELS.get(name, name), **STYLES.get(name, {}))
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
