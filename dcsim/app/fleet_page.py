"""The fleet page of ``dcsim app FLEET.yaml``: levers per region, risk per site and region.

The shared machinery (widgets, address, progressive Monte Carlo) is
:class:`~dcsim.app.session.Session`'s. A change runs the edited fleet on the base case's
replications as ``dcsim fleet --replications`` runs them; the page shows each site's
dates and probability of first power and full cluster by a date (the ``by`` picker, the
fleet's end by default, as the command line's ``--by``), the same for each region's
sites together, and the fleet's totals.
"""

from __future__ import annotations

import html
import io
from typing import Any

import panel as pn
from bokeh.models import ColumnDataSource, FactorRange, NumeralTickFormatter
from bokeh.plotting import figure
from bokeh.transform import dodge

from dcsim.app import exports
from dcsim.app.fleet_levers import fleet_levers
from dcsim.app.fleet_runs import FleetSource, fleet_chunks, fleet_source, run_fleet_chunk
from dcsim.app.fleet_tables import region_table, site_risks, site_table, totals_table
from dcsim.app.montecarlo import Tally, interleave
from dcsim.app.session import Session, Work, download
from dcsim.config.loader import apply_overrides

#: Per-session limit on the replications of one case (a fleet replication runs every site).
MAX_REPLICATIONS = 500
#: Replications the page opens with.
REPLICATIONS = 100


class FleetWhatIf(Session):
    """The fleet page of one session."""

    def __init__(self, source: FleetSource, pool):
        super().__init__(pool, REPLICATIONS, MAX_REPLICATIONS)
        self.source = source
        self.edited_source: FleetSource | None = None
        fleet = source.fleet
        self.by = pn.widgets.DatePicker(
            name="risk by (date)", value=fleet.end, start=fleet.start, end=fleet.end
        )
        self.by.param.watch(self.redrawn, "value")
        self.sites = pn.pane.HTML("", css_classes=["app-sites"], sizing_mode="stretch_width")
        self.regions = pn.pane.HTML("", css_classes=["app-regions"])
        self.totals = pn.pane.HTML("", css_classes=["app-totals"])
        self.bars = ColumnDataSource(bar_data({}, fleet.end))
        self.charts = [risk_figure(self.bars, what) for what in ("first_power", "full_cluster")]
        self.downloads = pn.Row(
            download("fleet.yaml", self.fleet_file, "edited fleet (YAML)"),
            download("replications.parquet", self.parquet_file, "replications (Parquet)"),
            download("replications.csv", self.csv_file, "replications (CSV)"),
        )
        self.show_levers(fleet_levers(fleet, source.path), f"region {fleet.regions[0].name}")
        self.reset_base()

    def view(self) -> pn.viewable.Viewable:
        fleet = self.source.fleet
        sidebar = pn.Column(
            pn.pane.Markdown("### Levers per region"),
            self.lever_box,
            pn.pane.Markdown("### Risk"),
            self.by,
            pn.pane.Markdown("### Monte Carlo"),
            self.seed,
            self.replications,
            width=360,
        )
        title = pn.pane.HTML(
            f"<h2>dcsim fleet what-if: {html.escape(fleet.fleet)}</h2>"
            f"<p>{html.escape(fleet.description)}</p>"
        )
        main = pn.Column(
            title,
            self.note,
            self.error,
            self.status,
            pn.Row(*(pn.pane.Bokeh(chart) for chart in self.charts)),
            self.sites,
            pn.Row(self.regions, self.totals),
            pn.pane.Markdown("### Keep and share"),
            self.downloads,
            sizing_mode="stretch_width",
        )
        return pn.Row(sidebar, main, sizing_mode="stretch_width")

    def address_widgets(self) -> dict[str, pn.widgets.Widget]:
        return {**super().address_widgets(), "by": self.by}

    # -- the Monte Carlo -------------------------------------------------------------------
    def edited_raw(self) -> dict[str, Any]:
        return apply_overrides(self.source.raw, self.moved())

    def plan(self, seed: int, wanted: range) -> Work:
        moved = self.moved()
        self.edited_source = (
            fleet_source(apply_overrides(self.source.raw, moved), self.source.path)
            if moved
            else None
        )
        self.edited = Tally() if moved else None
        path = self.source.path
        work = [
            ("base", c)
            for c in fleet_chunks(self.source.fleet, path, seed, wanted, set(self.base.rows))
        ]
        if self.edited_source is not None:
            edited = fleet_chunks(self.edited_source.fleet, path, seed, wanted, set())
            work = interleave(work, [("edited", c) for c in edited])
        return work, run_fleet_chunk

    # -- drawing ---------------------------------------------------------------------------
    def redrawn(self, *_: Any) -> None:
        """A new ``by`` date: the same runs, read again."""
        if len(self.base):
            self.redraw(*self.last_status)

    def redraw(self, wanted: int, state: str) -> None:
        self.show_status(wanted, state)
        if not len(self.base):
            return
        base = self.base.runs()
        edited = self.edited.runs() if self.edited is not None and len(self.edited) else None
        by = self.by.value
        risks = site_risks(base, edited, by)
        self.sites.object = site_table(risks, len(self.source.regions), by)
        data = bar_data(risks, by)
        for chart, what in zip(self.charts, ("first power", "full cluster"), strict=True):
            chart.y_range.factors = data["site"][::-1]  # the first site on top
            chart.title.text = f"P({what} by {by.isoformat()}) per site"
            chart.height = 110 + 30 * len(data["site"])
        self.bars.data = data
        self.regions.object = region_table(base, edited, self.source.regions, by)
        self.totals.object = totals_table(base, edited)

    # -- downloads -------------------------------------------------------------------------
    def fleet_file(self) -> io.BytesIO:
        moved = self.moved()
        note = (
            f"{self.source.fleet.fleet}, edited in dcsim app; levers moved: "
            f"{', '.join(moved) or 'none'}\n"
            f"save it beside {self.source.path} (its sites' scenarios are read relative to "
            "it)\n"
            f"the page ran seed {self.seed.value}, {self.replications.value} replications: "
            f"dcsim fleet fleet.yaml --replications {self.replications.value} "
            f"--seed {self.seed.value} --by {self.by.value.isoformat()}"
        )
        return io.BytesIO(exports.scenario_yaml(self.edited_raw(), note).encode("utf-8"))


def bar_data(risks: dict, by) -> dict[str, list]:
    """The chart's columns: per site shown, each case's chance of first power and of the
    full cluster by ``by`` (an edited case absent: no bar)."""
    day = by.isoformat()
    base = risks.get("base")
    sites = [] if base is None else list(base.index)
    data: dict[str, list] = {"site": sites}
    for case in ("base", "edited"):
        for what in ("first_power", "full_cluster"):
            risk = risks.get(case)
            column = f"p_{what}_by_{day}"
            data[f"{case}_{what}"] = (
                [0.0] * len(sites) if risk is None else [float(risk.loc[s, column]) for s in sites]
            )
    return data


def risk_figure(source: ColumnDataSource, what: str):
    """A site's chance of ``what`` by the date: a grey bar for the base case above a blue
    one for the edited case (0 to 100%)."""
    plot = figure(
        y_range=FactorRange(),
        x_range=(0, 1),
        height=200,
        width=460,
        title="",
        x_axis_label="share of replications",
        tools="save",
        toolbar_location=None,
    )
    for case, color, offset in (("base", "#7f7f7f", 0.18), ("edited", "#1f77b4", -0.18)):
        plot.hbar(
            y=dodge("site", offset, range=plot.y_range),
            right=f"{case}_{what}",
            height=0.34,
            source=source,
            color=color,
            legend_label=case,
        )
    plot.xaxis.formatter = NumeralTickFormatter(format="0%")
    plot.legend.orientation = "horizontal"
    plot.add_layout(plot.legend[0], "below")  # beside the axis, over no bar
    return plot
