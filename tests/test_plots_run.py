"""Run figures render headless and show what they claim: curves, stacks, bars, dates."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import matplotlib.dates as mdates
import pytest
from matplotlib.collections import PolyCollection

from dcsim.api import simulate
from dcsim.plots import plot_capex, plot_gpu_pipeline, plot_power, plot_schedule
from dcsim.plots.run import PIPELINE, schedule_bars

matplotlib.use("Agg")
CONFIG = Path(__file__).parents[1] / "configs" / "meta-100k-h100.yaml"


@pytest.fixture(scope="module")
def result():
    return simulate(CONFIG, seed=1)


def is_date_axis(ax) -> bool:
    return isinstance(ax.xaxis.get_major_formatter(), mdates.ConciseDateFormatter)


def legend_texts(ax) -> list[str]:
    legend = ax.get_legend()
    assert legend is not None
    return [t.get_text() for t in legend.get_texts()]


def test_power_has_four_levels_and_three_milestones(result):
    ax = plot_power(result)
    steps = [line for line in ax.get_lines() if line.get_drawstyle() == "steps-post"]
    assert len(steps) == 4  # no on-site generation in this scenario
    milestones = [t for t in legend_texts(ax) if t[-10:-6] in ("2024", "2025", "2026")]
    assert len(milestones) == 3
    assert ax.get_ylabel() == "power (MW)"
    assert is_date_axis(ax)
    assert ax.get_title()


def test_power_from_a_bare_table_has_no_milestones(result):
    ax = plot_power(result.timeseries)
    assert len(ax.get_lines()) == 4


def test_pipeline_stacks_every_gpu_state(result):
    ax = plot_gpu_pipeline(result)
    assert len([c for c in ax.collections if isinstance(c, PolyCollection)]) == len(PIPELINE)
    assert "GPUs" in ax.get_ylabel()
    assert len(legend_texts(ax)) == len(PIPELINE)
    assert is_date_axis(ax)


def test_capex_shades_stranded_chip_value(result):
    ax = plot_capex(result)
    texts = legend_texts(ax)
    assert any("stranded" in t for t in texts)
    assert {"chips", "facility"} <= set(texts)
    assert "USD" in ax.get_ylabel()
    assert is_date_axis(ax)


def test_schedule_bars_follow_the_events(result):
    bars = schedule_bars(result.events)
    assert set(bars["group"]) == {"equipment", "hall", "stage"}
    assert (bars["end"] >= bars["start"]).all()
    stages = bars[bars["group"] == "stage"]["row"].nunique()
    assert stages == len(result.stages)
    ax = plot_schedule(result)
    assert len(ax.patches) == len(bars)
    assert len(ax.get_yticks()) == bars["row"].nunique()
    assert any("grid" in t for t in legend_texts(ax))
    assert is_date_axis(ax)


def test_plots_draw_on_a_given_axes(result):
    from matplotlib.figure import Figure

    axes = Figure().subplots(2, 2).ravel()
    for ax, plot in zip(
        axes, (plot_power, plot_gpu_pipeline, plot_capex, plot_schedule), strict=True
    ):
        assert plot(result, ax=ax) is ax


def test_schedule_labels_overlap_nothing(result):
    """Step sizes, the title, the row names and the legend each have their own space; an
    entity of the critical chain without a bar (the crews) gets a named row of its own."""
    from matplotlib.text import Annotation

    chain = result.critical_path[result.critical_path["target"] == "full_cluster"]
    ax = plot_schedule(result, critical=chain)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert set(chain["entity"]) <= set(labels)
    assert "installation crews" in labels  # this run's chain waits on the crews
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(ax.figure).get_renderer()
    ax.figure.draw(renderer)
    notes = [t for t in ax.texts if isinstance(t, Annotation)]
    assert notes, "the grid steps are labelled"
    boxes = [t.get_window_extent(renderer) for t in (*notes, ax.title)]
    boxes.append(ax.get_legend().get_window_extent(renderer))
    boxes += [t.get_window_extent(renderer) for t in ax.get_yticklabels()]
    for i, box in enumerate(boxes):
        for other in boxes[i + 1 :]:
            assert not box.overlaps(other), (box, other)
    inside = ax.get_window_extent(renderer)
    assert all(note.get_window_extent(renderer).y0 >= inside.y1 for note in notes)
