"""Reports of runs and sweeps: one self-contained HTML file, or Markdown with PNGs.

Typical use::

    from dcsim.report import write_report, write_run_plots
    write_report("out/run1")              # out/run1/report.html
    write_run_plots("out/run1")           # out/run1/run-*.png
"""

from __future__ import annotations

from pathlib import Path

from dcsim.report.detect import (
    CompareDir,
    FleetDir,
    FleetStudyDir,
    OptimizeDir,
    RunDir,
    SweepDir,
    load,
    load_run,
    load_sweep,
)

__all__ = [
    "CompareDir",
    "FleetDir",
    "FleetStudyDir",
    "OptimizeDir",
    "RunDir",
    "SweepDir",
    "load",
    "load_run",
    "load_sweep",
    "write_report",
    "write_run_plots",
]


def write_run_plots(run_dir: str | Path, out_dir: str | Path | None = None) -> list[Path]:
    """Write the run figures of ``run_dir`` as ``run-*.png`` into ``out_dir`` (default: the
    run directory itself); what ``dcsim run --plot`` is meant to call."""
    from dcsim.report.figures import write_pngs

    return write_pngs(run_dir, out_dir)


def write_report(
    directory: str | Path,
    out: str | Path | None = None,
    markdown: bool = False,
    config: str | Path | None = None,
) -> Path:
    """Report on the run, sweep or fleet in ``directory``; returns the file written (default
    ``directory/report.html`` or ``report.md``). The scenario file for the assumptions
    section is ``config``, else ``scenario.yaml`` in the directory, else a sweep's base
    scenario, if there is one."""
    directory = Path(directory)
    loaded = load(directory)  # before the heavy imports, so bad input fails fast

    from dcsim.report.document import build
    from dcsim.report.html import to_html
    from dcsim.report.markdown import write_markdown

    if config is None and (directory / "scenario.yaml").is_file():
        config = directory / "scenario.yaml"
    if config is None and isinstance(loaded, SweepDir):
        config = loaded.scenario_file
    given = Path(config) if config is not None else None
    if isinstance(loaded, FleetDir):
        from dcsim.report.fleet import fleet_report

        report = fleet_report(loaded, given)
    elif isinstance(loaded, FleetStudyDir):
        from dcsim.report.study import fleet_study_report

        report = fleet_study_report(loaded, given)
    elif isinstance(loaded, CompareDir):
        from dcsim.compare import deltas
        from dcsim.report.compare import compare_report

        report = compare_report(loaded.runs, deltas(loaded.runs), loaded.meta)
    elif isinstance(loaded, OptimizeDir):
        from dcsim.report.study import optimize_report

        report = optimize_report(loaded)
    else:
        report = build(loaded, given)
    target = Path(out) if out else directory / ("report.md" if markdown else "report.html")
    target.parent.mkdir(parents=True, exist_ok=True)
    if markdown:
        return write_markdown(report, target)
    target.write_text(to_html(report), encoding="utf-8")
    return target
