"""Regenerate the figures shown in docs/figures.md: ``python docs/make_figures.py``.

Runs the default scenario (seed 0) for the run figures, and a small one-at-a-time sweep of
it (installation crews, hall-a PUE; 5 replications) through ``dcsim sweep`` and
``dcsim sensitivity`` for the sweep figures. Writes ``docs/figures/run-*.png`` and
``docs/figures/sweep-*.png``; nothing else is kept.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIGURES = ROOT / "docs" / "figures"
SCENARIO = ROOT / "configs" / "meta-100k-h100.yaml"
#: The sweep figures the docs show (a report shows every KPI's tornado and every scatter).
SWEEP_SHOWN = (
    "sweep-fan-mw",
    "sweep-fan-gpus",
    "sweep-cdf-full-cluster",
    "sweep-box-days_to_full_cluster",
    "sweep-tornado-days_to_full_cluster",
    "sweep-scatter-installation.crews",
)
EXPERIMENT = f"""\
base: {SCENARIO}
replications: 5
design:
  type: tornado
  parameters:
    installation.crews: {{low: 2, high: 6}}
    halls.0.pue: {{low: 1.05, high: 1.2}}
"""


def dcsim(*args: str | Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "dcsim", *map(str, args)], check=True, stdout=subprocess.DEVNULL
    )


def main() -> None:
    from dcsim.report import load, write_run_plots
    from dcsim.report.figures import sweep_figures

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        dcsim("run", SCENARIO, "--out", tmp / "run", "--json")
        pngs = {path.name: path.read_bytes() for path in write_run_plots(tmp / "run")}
        (tmp / "experiment.yaml").write_text(EXPERIMENT)
        common = ("--executor", "serial", "--quiet", "--json")
        dcsim("sweep", tmp / "experiment.yaml", "--out", tmp / "sweep", "--timeseries", *common)
        dcsim("sensitivity", tmp / "experiment.yaml", "--out", tmp / "tornado", *common)
        shutil.copy(tmp / "tornado" / "tornado.json", tmp / "sweep" / "tornado.json")
        for picture in sweep_figures(load(tmp / "sweep")):
            if picture.name in SWEEP_SHOWN:
                pngs[f"{picture.name}.png"] = picture.png
    # replace the old figures only once every new one exists
    for old in [*FIGURES.glob("run-*.png"), *FIGURES.glob("sweep-*.png")]:
        old.unlink()
    for name, png in pngs.items():
        (FIGURES / name).write_bytes(png)
        print(f"docs/figures/{name}")


if __name__ == "__main__":
    main()
