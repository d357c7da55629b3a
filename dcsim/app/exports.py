"""What a planner takes away from the page: the edited scenario, the runs, the figure.

The YAML is the scenario the page ran, includes resolved and levers applied, so
``dcsim validate`` accepts it and an experiment on it with the page's seed and
replications reproduces the page's numbers. The runs are the sweep's rows (one per base
or edited replication); the figure is the sweep report's fan chart.
"""

from __future__ import annotations

import io
from typing import Any

import pandas as pd
import yaml


def scenario_yaml(raw: dict[str, Any], note: str) -> str:
    """The edited scenario as YAML, with a comment saying how it was made."""
    body = yaml.safe_dump(raw, sort_keys=False, allow_unicode=True)
    return "".join(f"# {line}\n" for line in note.splitlines()) + body


def runs_table(base: pd.DataFrame, edited: pd.DataFrame | None) -> pd.DataFrame:
    """Base and edited runs in one table, told apart by a ``case`` column."""
    frames = [base.assign(case="base")]
    if edited is not None:
        frames.append(edited.assign(case="edited"))
    table = pd.concat(frames, ignore_index=True)
    return table[["case", *[c for c in table.columns if c != "case"]]]


def parquet_bytes(table: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    table.to_parquet(buffer, index=False)
    return buffer.getvalue()


def csv_bytes(table: pd.DataFrame) -> bytes:
    return table.to_csv(index=False).encode("utf-8")


def fan_png(start: pd.Timestamp, bands: dict[str, Any], title: str) -> bytes:
    """The fan chart (P10–P90 band, P50 line per case) as a PNG, through matplotlib."""
    from matplotlib.figure import Figure

    from dcsim.plots.style import date_axis, finish, legend_outside

    figure = Figure(figsize=(9.0, 5.0), layout="constrained")
    ax = figure.add_subplot()
    for (name, band), color in zip(bands.items(), ("#7f7f7f", "#1f77b4"), strict=False):
        dates = start + pd.to_timedelta(range(band.shape[1]), unit="D")
        ax.fill_between(dates, band[0], band[2], color=color, alpha=0.25, step="post")
        ax.plot(dates, band[1], color=color, drawstyle="steps-post", label=f"{name}: P50")
    ax.yaxis.set_major_formatter("{x:,.0f}")
    date_axis(ax)
    legend_outside(ax, ncols=2, fontsize="small")
    finish(ax, title, "GPUs energized (P10–P90 band, P50 line)")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=120)
    return buffer.getvalue()
