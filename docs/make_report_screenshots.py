"""Screenshots of the reports as a browser shows them: ``docs/make_report_screenshots.py``
(``--planner``: only those of docs/planner.md).

Builds the reports of docs/planner.md (compare, named sweep points, fleet, fleet Monte
Carlo, optimize: ``docs/figures/report-{compare,named,fleet,fleet-mc,optimize}.png``), a
run report of the default scenario, a grid sweep report of
``experiments/grid-delay-x-bridging.yaml`` (3 replications, time series kept) and a Sobol
report of ``experiments/sobol-time-to-power.yaml`` (1 replication), then photographs each
HTML file with headless Chromium (Debian's ``chromium``) into
``docs/figures/report-{run,grid,sobol}.png``, cropped to the page and reduced to a
256-colour palette so the files stay small.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageChops

ROOT = Path(__file__).resolve().parents[1]
FIGURES = ROOT / "docs" / "figures"
WIDTH, TALLEST = 1280, 16000
CHROMIUM = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars",
)  # fmt: skip


def dcsim(*args: str | Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "dcsim", *map(str, args)], check=True, stdout=subprocess.DEVNULL
    )


def screenshot(html: Path, png: Path, scratch: Path) -> None:
    """Photograph ``html`` at the page width, then crop the blank space below the page."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        sys.exit("needs Chromium: apt-get install -y chromium")
    profile = tempfile.mkdtemp(dir=scratch)
    subprocess.run(
        [browser, *CHROMIUM, f"--user-data-dir={profile}", f"--screenshot={png}",
         f"--window-size={WIDTH},{TALLEST}", html.as_uri()],
        check=True, capture_output=True,
    )  # fmt: skip
    image = Image.open(png).convert("RGB")
    blank = Image.new("RGB", image.size, "white")
    box = ImageChops.difference(image, blank).getbbox()
    image = image.crop((0, 0, WIDTH, min(image.height, box[3] + 24)))
    image.quantize(colors=256, method=Image.Quantize.FASTOCTREE).save(png, optimize=True)


def planner_reports(tmp: Path) -> list[str]:
    """The reports of docs/planner.md: compare, a sweep with named points, a fleet, a fleet
    Monte Carlo and an optimization."""
    planner = ROOT / "docs" / "planner"
    campus = ROOT / "configs" / "campus-n1-gb200.yaml"
    dcsim("compare", campus, planner / "campus-slip-9mo.yaml", "--name", "on-time",
          "--name", "slip-9mo", "--replications", "20", "--out", tmp / "compare")  # fmt: skip
    dcsim("sweep", planner / "campus-slip-points.yaml", "--out", tmp / "named", "--quiet")
    dcsim("report", tmp / "named")
    portfolio = planner / "portfolio.yaml"
    dcsim("fleet", portfolio, "--out", tmp / "fleet")
    dcsim("report", tmp / "fleet", "--config", portfolio)
    dcsim("fleet", portfolio, "--replications", "20", "--by", "2030-12-31",
          "--out", tmp / "fleet-mc")  # fmt: skip
    dcsim("report", tmp / "fleet-mc", "--config", portfolio)
    decisions = ROOT / "experiments" / "campus-transformer-decisions.yaml"
    dcsim("optimize", decisions, "--trials", "16", "--out", tmp / "optimize", "--quiet")
    dcsim("report", tmp / "optimize")
    return ["compare", "named", "fleet", "fleet-mc", "optimize"]


def main() -> None:
    """All the report screenshots, or ``--planner`` for docs/planner.md's alone."""
    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(scratch)
        names = planner_reports(tmp)
        if "--planner" not in sys.argv:
            names += base_reports(tmp)
        for name in names:
            target = FIGURES / f"report-{name}.png"
            screenshot(tmp / name / "report.html", target, tmp)
            print(f"docs/figures/{target.name} ({target.stat().st_size // 1024} kB)")


def base_reports(tmp: Path) -> list[str]:
    """A run of the default campus, a grid sweep and a Sobol analysis."""
    dcsim("run", ROOT / "configs" / "meta-100k-h100.yaml", "--out", tmp / "run", "--json")
    dcsim("report", tmp / "run")
    common = ("--executor", "serial", "--quiet", "--json")
    grid = ROOT / "experiments" / "grid-delay-x-bridging.yaml"
    dcsim("sweep", grid, "--out", tmp / "grid", "--replications", "3", "--timeseries", *common)
    dcsim("report", tmp / "grid")
    sobol = ROOT / "experiments" / "sobol-time-to-power.yaml"
    dcsim("sensitivity", sobol, "--out", tmp / "sobol", "--replications", "1", *common)
    dcsim("report", tmp / "sobol")
    return ["run", "grid", "sobol"]


if __name__ == "__main__":
    main()
