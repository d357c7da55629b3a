"""The report of ``dcsim compare``: the headline deltas, the table of dates and money per
scenario with its deltas, the full-cluster CDF per scenario and the paired delays."""

from __future__ import annotations

from typing import Any

import pandas as pd
from matplotlib.axes import Axes

from dcsim.compare import headline, wide
from dcsim.dates import day_numbers
from dcsim.report.document import Report
from dcsim.report.figures import Picture, render
from dcsim.version import __version__


def compare_figures(runs: pd.DataFrame) -> list[Picture]:
    """The CDF of the full-cluster date per scenario (legend by label) and, per compared
    scenario, the paired delay of its full cluster against the reference."""
    from dcsim.plots.sweep import plot_date_cdf

    labels = list(dict.fromkeys(runs["scenario"]))
    by_point = runs.assign(point=runs["scenario"].map(labels.index))
    named = dict(enumerate(labels))
    pictures = [
        Picture(
            "compare-full-cluster-cdf",
            "When the full cluster is energized, per scenario: share of replications "
            "(same seeds in every scenario).",
            render(plot_date_cdf(by_point, "full_cluster_date", labels=named)),
        )
    ]
    if len(labels) > 1:
        pictures.append(
            Picture(
                "compare-paired-delay",
                f"Full-cluster date of each scenario minus {labels[0]}'s, run for run on the "
                "same draws (box: quartiles; whiskers: P10–P90; runs that never reached "
                "the full cluster left out).",
                render(plot_paired_delay(runs, labels)),
            )
        )
    return pictures


def plot_paired_delay(runs: pd.DataFrame, labels: list[str], ax: Axes | None = None) -> Axes:
    """Horizontal box per compared scenario of its full-cluster date minus the
    reference's, replication by replication, in days."""
    import numpy as np

    from dcsim.plots.style import finish, new_axes

    reference = runs[runs["scenario"] == labels[0]].sort_values("replication")
    base = day_numbers(reference["full_cluster_date"])
    boxes = []
    for label in labels[1:]:
        mine = runs[runs["scenario"] == label].sort_values("replication")
        with np.errstate(invalid="ignore"):  # both never reached: inf - inf, left out below
            delay = day_numbers(mine["full_cluster_date"]) - base
        boxes.append(delay[np.isfinite(delay)])
    ax = new_axes(ax, figsize=(8.0, 1.6 + 0.45 * len(boxes)))
    ax.boxplot(boxes, whis=(10, 90), orientation="horizontal", tick_labels=labels[1:])
    ax.axvline(0, color="0.4", linewidth=0.8)
    ax.invert_yaxis()
    return finish(
        ax,
        f"Full cluster against {labels[0]}, run for run",
        "scenario",
        xlabel=f"days later than {labels[0]} (negative: earlier)",
    )


def compare_report(runs: pd.DataFrame, table: pd.DataFrame, meta: dict[str, Any]) -> Report:
    """The :class:`~dcsim.report.document.Report` of a comparison; ``meta`` holds the
    seed, the replications and each label's scenario file."""
    header, rows = wide(table)
    files = meta["files"]
    return Report(
        title="dcsim compare: " + " vs ".join(files),
        headline=headline(table),
        summary=[
            *((f"scenario {label}", path) for label, path in files.items()),
            ("replications", f"{meta['replications']} per scenario, seed {meta['seed']}"),
            ("pairing", "common random numbers: the same seed and replication indices"),
        ],
        kpi_header=header,
        kpi_rows=rows,
        figures=compare_figures(runs),
        assumptions=[],
        footer=(
            f"Δ: dates, the difference of the quantile dates in days; amounts, the median "
            f"of the paired differences. seed {meta['seed']}; report by dcsim {__version__}"
        ),
    )
