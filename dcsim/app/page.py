"""One browser session of ``dcsim app``: levers, a progressive Monte Carlo, the figures.

Everything a session holds lives on its :class:`WhatIf` (built afresh for every page
load), so two browsers never see each other's scenario, levers or runs; only the worker
pool is shared. A lever change runs the edited scenario on the base case's replications
(common random numbers) in chunks: the page answers after the first chunk, refines as the
others arrive, and a newer change cancels the chunks still waiting.
"""

from __future__ import annotations

import asyncio
import html
import io
import time
from collections.abc import Callable
from concurrent.futures import Executor
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
import panel as pn
from bokeh.models import ColumnDataSource, NumeralTickFormatter
from bokeh.plotting import figure

from dcsim.app import exports
from dcsim.app.levers import Lever, levers_for, overrides
from dcsim.app.montecarlo import Tally, arrivals, chunks, interleave
from dcsim.app.source import Source
from dcsim.app.tables import cost_table, criticality_table, headline_table
from dcsim.app.upload import load_upload
from dcsim.config import Scenario, scenario_from_dict
from dcsim.config.loader import apply_overrides
from dcsim.errors import UserInputError

#: Per-session limits: replications of one case, and seconds one update may take.
MAX_REPLICATIONS = 1000
TIME_LIMIT_S = 120.0
#: Fewest seconds between two redraws while chunks arrive (the last one always redraws).
REDRAW_EVERY_S = 0.15


class WhatIf:
    """The page of one session."""

    def __init__(self, source: Source, pool: Executor, scratch: Path):
        self.pool, self.scratch = pool, scratch
        self.token = 0
        self.doc = pn.state.curdoc  # the session's document: redraws go through its lock
        self.base = Tally()
        self.edited: Tally | None = None
        self.source = source
        self.seed = pn.widgets.IntInput(name="seed", value=0, start=0, end=2**32 - 1)
        self.replications = pn.widgets.IntInput(
            name=f"replications (at most {MAX_REPLICATIONS})",
            value=200,
            start=1,
            end=MAX_REPLICATIONS,
        )
        self.upload = pn.widgets.FileInput(accept=".yaml,.yml", name="upload a scenario")
        self.error = pn.pane.HTML("", css_classes=["app-error"], sizing_mode="stretch_width")
        self.status = pn.pane.HTML("", css_classes=["app-status"])
        self.headline = pn.pane.HTML("", css_classes=["app-headline"])
        self.costs = pn.pane.HTML("", css_classes=["app-costs"])
        self.critical = pn.pane.HTML("", css_classes=["app-critical"])
        self.title = pn.pane.HTML("")
        self.sources = {case: ColumnDataSource(empty_band()) for case in ("base", "edited")}
        self.fan = pn.pane.Bokeh(fan_figure(self.sources), sizing_mode="stretch_width")
        self.lever_box = pn.Column(sizing_mode="stretch_width")
        self.widgets: dict[str, pn.widgets.Widget] = {}
        self.levers: list[Lever] = []
        self.downloads = pn.Row(
            download("scenario.yaml", self.scenario_file, "edited scenario (YAML)"),
            download("runs.parquet", self.parquet_file, "runs (Parquet)"),
            download("runs.csv", self.csv_file, "runs (CSV)"),
            download("fan-chart.png", self.png_file, "fan chart (PNG)"),
        )
        self.upload.param.watch(self.uploaded, "value")
        for widget in (self.seed, self.replications):
            widget.param.watch(self.reset_base, "value")
        self.show_source(source)

    # -- layout ----------------------------------------------------------------------------
    def view(self) -> pn.viewable.Viewable:
        sidebar = pn.Column(
            pn.pane.Markdown("### Levers"),
            self.lever_box,
            pn.pane.Markdown("### Monte Carlo"),
            self.seed,
            self.replications,
            pn.pane.Markdown("### Scenario"),
            self.upload,
            width=360,
        )
        main = pn.Column(
            self.title,
            self.error,
            self.status,
            self.headline,
            self.fan,
            pn.Row(self.critical, self.costs),
            pn.pane.Markdown("### Keep and share"),
            self.downloads,
            sizing_mode="stretch_width",
        )
        return pn.Row(sidebar, main, sizing_mode="stretch_width")

    def show_source(self, source: Source) -> None:
        """Levers for ``source``, then its base case; the URL keeps the lever values."""
        self.source = source
        self.levers = levers_for(source.scenario)
        self.widgets = {lever.key: widget_for(lever) for lever in self.levers}
        for widget in self.widgets.values():
            widget.param.watch(self.changed, "value")
        groups: dict[str, list] = {}
        for lever in self.levers:
            groups.setdefault(lever.group, []).append(self.widgets[lever.key])
        self.lever_box.objects = [
            pn.Card(*items, title=group, collapsed=group not in ("grid",), width=340)
            for group, items in groups.items()
        ]
        self.title.object = (
            f"<h2>dcsim what-if: {html.escape(source.scenario.name)}</h2>"
            f"<p>{html.escape(source.scenario.description)}</p>"
        )
        self.reset_base()

    def sync_url(self) -> None:
        """Lever values, seed and replications in the page's query string."""
        location = pn.state.location
        if location is None:
            return
        location.sync(self.seed, {"value": "seed"})
        location.sync(self.replications, {"value": "reps"})
        for key, widget in self.widgets.items():
            location.sync(widget, {"value": key})

    # -- events ----------------------------------------------------------------------------
    def changed(self, *_: Any) -> None:
        self.schedule()

    def reset_base(self, *_: Any) -> None:
        self.base = Tally()
        self.schedule()

    def uploaded(self, event: Any) -> None:
        if not event.new:
            return
        try:
            raw, scenario = load_upload(event.new, self.upload.filename, self.scratch)
        except UserInputError as error:
            self.show_error(error.problems)
            return
        self.show_error([])
        self.show_source(Source(raw, scenario, scenario.name))

    def stop(self, *_: Any) -> None:
        """The browser went away: the update in flight stops at its next result."""
        self.token += 1

    def schedule(self) -> None:
        self.token += 1
        self.task = asyncio.ensure_future(self.update(self.token))  # held, so it is not lost

    def locked(self, change: Callable[..., None], *args: Any) -> None:
        """Make ``change`` to the page's models under the document lock: an awaiting
        coroutine no longer holds it."""
        if self.doc is None:
            change(*args)
        else:
            self.doc.add_next_tick_callback(partial(change, *args))

    def show_error(self, problems: list[str]) -> None:
        self.error.object = "".join(
            f'<p class="error-line" style="color:#b00020">error: {html.escape(line)}</p>'
            for line in problems
        )

    # -- the Monte Carlo -------------------------------------------------------------------
    def edited_case(self) -> tuple[dict[str, Any], Scenario | None]:
        """The overrides of the levers moved, and the edited scenario (None: none moved)."""
        values = {key: widget.value for key, widget in self.widgets.items()}
        moved = overrides(self.levers, values)
        if not moved:
            return moved, None
        raw = apply_overrides(self.source.raw, moved)
        return moved, scenario_from_dict(raw, self.source.name)

    async def update(self, token: int) -> None:
        """Run what the page lacks for the current levers, redrawing as chunks arrive.
        ``token`` numbers the change that asked; a later change makes this one stop (the
        URL sets several levers at once, and only the last update runs)."""
        if token != self.token:
            return
        try:
            _, scenario = self.edited_case()
        except UserInputError as error:
            self.locked(self.show_error, error.problems)
            return
        self.locked(self.show_error, [])
        seed, wanted = self.seed.value, range(min(self.replications.value, MAX_REPLICATIONS))
        self.edited = Tally() if scenario is not None else None
        work = [
            ("base", c) for c in chunks(self.source.scenario, seed, wanted, set(self.base.rows))
        ]
        if scenario is not None:
            edited = chunks(scenario, seed, wanted, set())
            work = interleave(work, [("edited", c) for c in edited])
        started = last = time.perf_counter()
        self.locked(self.redraw, len(wanted), "running")
        stream = arrivals(self.pool, work)
        try:
            async for case, result in stream:
                if token != self.token:
                    return
                (self.base if case == "base" else self.edited).add(result)
                now = time.perf_counter()
                if now - started > TIME_LIMIT_S:
                    limit = f"stopped at the session's limit of {TIME_LIMIT_S:g} s"
                    self.locked(self.redraw, len(wanted), limit)
                    return
                if now - last >= REDRAW_EVERY_S:
                    self.locked(self.redraw, len(wanted), "running")
                    last = now
            self.locked(self.redraw, len(wanted), "done")
        except Exception as error:  # a worker that died: say so in the page
            self.locked(self.show_error, [f"the runs stopped: {type(error).__name__}: {error}"])
        finally:
            await stream.aclose()

    # -- drawing ---------------------------------------------------------------------------
    def redraw(self, wanted: int, state: str) -> None:
        cases = {"base": self.base, "edited": self.edited}
        counts = " · ".join(
            f"{name}: {len(tally)}/{wanted} runs"
            for name, tally in cases.items()
            if tally is not None
        )
        self.status.object = f'<p class="status" data-state="{state}">{state} — {counts}</p>'
        if not len(self.base):
            return
        start = pd.Timestamp(self.source.scenario.start)
        for name, tally in cases.items():
            self.sources[name].data = (
                band_data(start, tally) if tally and len(tally) else empty_band()
            )
        self.headline.object = headline_table(self.base, self.edited, start)
        self.costs.object = cost_table(self.base, self.edited)
        self.critical.object = criticality_table(self.base, self.edited)

    # -- downloads -------------------------------------------------------------------------
    def scenario_file(self) -> io.BytesIO:
        moved, _ = self.edited_case()
        raw = apply_overrides(self.source.raw, moved)
        note = (
            f"{self.source.scenario.name}, edited in dcsim app; "
            f"levers moved: {', '.join(moved) or 'none'}\n"
            f"the page ran seed {self.seed.value}, {self.replications.value} replications"
        )
        return io.BytesIO(exports.scenario_yaml(raw, note).encode("utf-8"))

    def runs(self) -> pd.DataFrame:
        edited = self.edited.runs() if self.edited is not None and len(self.edited) else None
        return exports.runs_table(self.base.runs(), edited)

    def parquet_file(self) -> io.BytesIO:
        return io.BytesIO(exports.parquet_bytes(self.runs()))

    def csv_file(self) -> io.BytesIO:
        return io.BytesIO(exports.csv_bytes(self.runs()))

    def png_file(self) -> io.BytesIO:
        bands = {"base": self.base.band()}
        if self.edited is not None and len(self.edited):
            bands["edited"] = self.edited.band()
        start = pd.Timestamp(self.source.scenario.start)
        title = f"{self.source.scenario.name}: GPUs energized"
        return io.BytesIO(exports.fan_png(start, bands, title))


def widget_for(lever: Lever) -> pn.widgets.Widget:
    classes = [f"lever-{lever.key}"]
    if lever.kind == "date":
        return pn.widgets.DatePicker(
            name=lever.label, value=lever.base, start=lever.low, end=lever.high, css_classes=classes
        )
    if lever.kind == "choice":
        return pn.widgets.Select(
            name=lever.label, value=lever.base, options=list(lever.options), css_classes=classes
        )
    if lever.kind in ("power", "rent"):
        return pn.widgets.FloatSlider(
            name=lever.label,
            value=lever.base,
            start=lever.low,
            end=lever.high,
            step=5.0,
            css_classes=classes,
        )
    return pn.widgets.IntSlider(
        name=lever.label, value=lever.base, start=lever.low, end=lever.high, css_classes=classes
    )


def download(filename: str, callback, label: str) -> pn.widgets.FileDownload:
    return pn.widgets.FileDownload(
        callback=callback,
        filename=filename,
        label=label,
        embed=False,
        button_type="default",
        css_classes=[f"download-{filename.replace('.', '-')}"],
    )


def empty_band() -> dict[str, list]:
    return {"date": [], "p10": [], "p50": [], "p90": []}


def band_data(start: pd.Timestamp, tally: Tally) -> dict[str, Any]:
    band = tally.band()
    dates = start + pd.to_timedelta(range(band.shape[1]), unit="D")
    return {"date": dates, "p10": band[0], "p50": band[1], "p90": band[2]}


def fan_figure(sources: dict[str, ColumnDataSource]):
    plot = figure(
        x_axis_type="datetime",
        height=380,
        sizing_mode="stretch_width",
        title="GPUs energized: P10–P90 band and P50 line across replications",
        y_axis_label="GPUs energized",
        x_axis_label="date",
        tools="pan,wheel_zoom,reset,save",
    )
    for case, color in (("base", "#7f7f7f"), ("edited", "#1f77b4")):
        source = sources[case]
        plot.varea(
            x="date",
            y1="p10",
            y2="p90",
            source=source,
            fill_color=color,
            fill_alpha=0.25,
            legend_label=f"{case}: P10–P90",
        )
        plot.step(
            x="date",
            y="p50",
            source=source,
            line_color=color,
            line_width=2,
            mode="after",
            legend_label=f"{case}: P50",
        )
    plot.yaxis.formatter = NumeralTickFormatter(format="0,0")
    plot.legend.location = "top_left"
    return plot
