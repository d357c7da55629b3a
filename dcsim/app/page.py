"""The campus page of ``dcsim app``: levers of one scenario, its fan chart and dates.

The shared machinery (widgets, address, progressive Monte Carlo) is
:class:`~dcsim.app.session.Session`'s; this page runs the edited scenario with the sweep's
worker and draws the fan chart, the dates, what sets them and the cost of the wait.
"""

from __future__ import annotations

import html
import io
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pandas as pd
import panel as pn
from bokeh.models import ColumnDataSource, NumeralTickFormatter
from bokeh.plotting import figure

from dcsim.app import exports
from dcsim.app.levers import levers_for
from dcsim.app.montecarlo import Tally, chunks, interleave, run_chunk
from dcsim.app.session import Session, Work, download
from dcsim.app.source import Source
from dcsim.app.tables import cost_table, criticality_table, headline_table
from dcsim.app.upload import load_upload, safe_name
from dcsim.app.upload_widget import ScenarioInput, received
from dcsim.config import Scenario, scenario_from_dict
from dcsim.config.loader import apply_overrides
from dcsim.config.safe_yaml import MAX_BYTES
from dcsim.errors import UserInputError

#: Per-session limit on the replications of one case.
MAX_REPLICATIONS = 1000
#: The address's key naming an uploaded scenario, which a link cannot carry.
UPLOADED = "upload"


class WhatIf(Session):
    """The campus page of one session."""

    def __init__(self, source: Source, pool, scratch: Path):
        super().__init__(pool, 200, MAX_REPLICATIONS)
        self.scratch = scratch
        self.source = source
        self.upload = ScenarioInput()
        self.headline = pn.pane.HTML("", css_classes=["app-headline"])
        self.costs = pn.pane.HTML("", css_classes=["app-costs"])
        self.critical = pn.pane.HTML("", css_classes=["app-critical"])
        self.title = pn.pane.HTML("")
        self.sources = {case: ColumnDataSource(empty_band()) for case in ("base", "edited")}
        self.fan = pn.pane.Bokeh(fan_figure(self.sources), sizing_mode="stretch_width")
        self.downloads = pn.Row(
            download("scenario.yaml", self.scenario_file, "edited scenario (YAML)"),
            download("runs.parquet", self.parquet_file, "runs (Parquet)"),
            download("runs.csv", self.csv_file, "runs (CSV)"),
            download("fan-chart.png", self.png_file, "fan chart (PNG)"),
        )
        self.upload.param.watch(self.uploaded, "upload")
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
            pn.pane.Markdown(f"upload a scenario (YAML, at most {MAX_BYTES // 2**20} MiB)"),
            self.upload,
            width=360,
        )
        main = pn.Column(
            self.title,
            self.note,
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
        self.show_levers(levers_for(source.scenario), "grid")
        self.title.object = (
            f"<h2>dcsim what-if: {html.escape(source.scenario.name)}</h2>"
            f"<p>{html.escape(source.scenario.description)}</p>"
        )
        self.reset_base()

    def uploaded(self, event: Any) -> None:
        if not event.new:
            return
        try:
            data = received(event.new)
            raw, scenario = load_upload(data, event.new.get("name"), self.scratch)
        except UserInputError as error:
            self.show_error(error.problems)
            return
        self.show_error([])
        self.show_source(Source(raw, scenario, scenario.name))
        if self.location is not None:
            self.sync_levers()
            self.location.update_query(**{UPLOADED: safe_name(event.new.get("name"))})

    def sync_url(self) -> None:
        """As every page does, but a link made after an upload names the uploaded file
        (``upload=``), which this server does not have: its lever values would move the
        server's scenario instead, so once the page has loaded they leave the address,
        and the page says so in one line."""
        location = pn.state.location
        if location is None or UPLOADED not in location.query_params:
            super().sync_url()
            return
        self.location = location
        self.sync_widgets(self.address_widgets())
        name = location.query_params[UPLOADED]
        self.note.object = (
            f'<p class="note-line">this link was made on an uploaded scenario, '
            f"{html.escape(str(name))}: upload it to see that view (this page opened on "
            f"{html.escape(self.source.name)})</p>"
        )
        pn.state.onload(self.forget_link)

    def forget_link(self) -> None:
        """Drop the uploaded scenario's lever values from the address; from now on it
        follows this page's levers."""
        query = self.location.query_params
        kept = {key: query[key] for key in self.address_widgets() if key in query}
        self.location.search = f"?{urlencode(kept)}" if kept else ""
        self.sync_levers()

    # -- the Monte Carlo -------------------------------------------------------------------
    def edited_case(self) -> tuple[dict[str, Any], Scenario | None]:
        """The overrides of the levers moved, and the edited scenario (None: none moved)."""
        moved = self.moved()
        if not moved:
            return moved, None
        raw = apply_overrides(self.source.raw, moved)
        return moved, scenario_from_dict(raw, self.source.name)

    def plan(self, seed: int, wanted: range) -> Work:
        _, scenario = self.edited_case()
        self.edited = Tally() if scenario is not None else None
        work = [
            ("base", c) for c in chunks(self.source.scenario, seed, wanted, set(self.base.rows))
        ]
        if scenario is not None:
            edited = chunks(scenario, seed, wanted, set())
            work = interleave(work, [("edited", c) for c in edited])
        return work, run_chunk

    # -- drawing ---------------------------------------------------------------------------
    def redraw(self, wanted: int, state: str) -> None:
        self.show_status(wanted, state)
        if not len(self.base):
            return
        start = pd.Timestamp(self.source.scenario.start)
        for name, tally in {"base": self.base, "edited": self.edited}.items():
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

    def png_file(self) -> io.BytesIO:
        bands = {"base": self.base.band()}
        if self.edited is not None and len(self.edited):
            bands["edited"] = self.edited.band()
        start = pd.Timestamp(self.source.scenario.start)
        title = f"{self.source.scenario.name}: GPUs energized"
        return io.BytesIO(exports.fan_png(start, bands, title))


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
