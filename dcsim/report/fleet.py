"""The report of a fleet directory (``dcsim fleet FILE --out DIR``): a headline, the fleet
KPIs, energized load by region, GPUs by chip, the queue funnel and the site table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from dcsim.report.detect import MAX_SITE_ROWS, SITE_TABLE, FleetDir


def headline(fleet: FleetDir) -> str:
    """One sentence: GPUs energized against plan by the end date, peak load, and what the
    queues did with the GW requested."""
    k = fleet.kpis
    share = k["gpus_energized_final"] / k["gpus_planned"] if k["gpus_planned"] else 0.0
    text = (
        f"By {k['end_date']}, {k['fleet']} has {k['gpus_energized_final']:,} of "
        f"{k['gpus_planned']:,} planned GPUs energized ({share:.0%}) across {k['sites']:,} "
        f"sites, with a peak facility load of {k['peak_facility_mw'] / 1000:,.2f} GW (sum of "
        "site peaks)"
    )
    if len(fleet.regions):
        r = fleet.regions
        text += (
            f"; of {r.requested_gw.sum():,.1f} GW requested in {len(r)} queue(s), "
            f"{r.operating_gw.sum():,.1f} GW reached operation and "
            f"{r.withdrawn_gw.sum():,.1f} GW withdrew"
        )
        if "energized_gw" in r and r.energized_gw.notna().any():
            text += (
                f"; large-load regions energized {r.energized_gw.sum():,.1f} GW, "
                "part-energized requests included"
            )
    return text + "."


def fleet_report(fleet: FleetDir, config: Path | None = None):
    """The :class:`~dcsim.report.document.Report` of a fleet directory; ``config`` is the
    fleet file, whose ``#`` comments (the sources of its figures) become the assumptions."""
    from dcsim.formatting import format_value
    from dcsim.kpis import fleet_display
    from dcsim.plots import fleet as plots
    from dcsim.plots.fleet import MAX_REGIONS
    from dcsim.report.assumptions import comment_sources
    from dcsim.report.document import Report
    from dcsim.report.figures import Picture, render
    from dcsim.version import __version__

    k = fleet.kpis
    figures = [
        Picture(
            "fleet-energized-by-region",
            "Energized facility load (GW), stacked by region.",
            render(plots.plot_energized_by_region(fleet.timeseries)),
        ),
        Picture(
            "fleet-gpus-by-chip",
            "Energized GPUs of the fleet by chip.",
            render(plots.plot_gpus_by_chip(fleet.timeseries)),
        ),
    ]
    if len(fleet.requests):
        figures.append(
            Picture(
                "fleet-queue-funnel",
                "Every request filed in the run (sites and background): GW filed, through "
                "study, withdrawn and in operation by the end date (and, in a large-load "
                "region, energized in tranches, part-energized requests included).",
                render(plots.plot_queue_funnel(fleet.requests, fleet.horizon_day)),
            )
        )
    tables = [_site_table(fleet.sites, format_value)]
    notes = []
    if len(fleet.regions):
        shown_regions = fleet.regions
        if len(shown_regions) > MAX_REGIONS:
            shown_regions = shown_regions.nlargest(MAX_REGIONS, "requested_gw", keep="first")
            notes.append(
                f"The queue table lists the {MAX_REGIONS} of {len(fleet.regions):,} regions "
                "with the most GW requested."
            )
        regions = shown_regions.set_index("region").astype(object)
        for share in ("completion_rate", "completion_rate_by_capacity"):  # percentages
            if share in regions:
                regions[share] = [f"{v:.1%}" if isinstance(v, float) else v for v in regions[share]]
        queues = regions.T.rename_axis("statistic").reset_index()
        tables.insert(0, _frame_table("Interconnection queues", queues, format_value))
    if fleet.site_count > MAX_SITE_ROWS:
        notes.append(f"Only the first {MAX_SITE_ROWS} of {fleet.site_count:,} sites are listed.")
    if config is None:
        notes.append("No fleet file was given (--config): its sources are not listed.")
    shown = {key: value for key, value in k.items() if key not in ("fleet", "seed")}
    return Report(
        title=f"dcsim fleet report: {k.get('fleet')}",
        headline=headline(fleet),
        summary=[("fleet", str(k.get("fleet"))), ("fleet directory", str(fleet.path))],
        kpi_header=["KPI", "value", "unit"],
        kpi_rows=[[key, *fleet_display(key, value)] for key, value in shown.items()],
        figures=figures,
        tables=tables,
        assumptions=comment_sources(config) if config is not None else [],
        footer=f"seed {k.get('seed', '?')}; report by dcsim {__version__}",
        notes=notes,
    )


def _site_table(sites: pd.DataFrame, format_value):
    columns = [c for c in SITE_TABLE if c in sites]
    return _frame_table("Sites", sites[columns].head(MAX_SITE_ROWS), format_value)


def _frame_table(title: str, frame: pd.DataFrame, format_value):
    from dcsim.report.document import Table

    rows = [
        ["—" if value is None or pd.isna(value) else format_value(value) for value in row]
        for row in frame.itertuples(index=False)
    ]
    return Table(title, list(frame.columns), rows)
