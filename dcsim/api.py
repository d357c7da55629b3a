"""The Python API: load a scenario, run it, get KPIs and tables back."""

from __future__ import annotations

import json
from pathlib import Path

from dcsim.config import Scenario, load_scenario
from dcsim.results import RunResult, summarize
from dcsim.sim.model import BuildOut


def simulate(scenario: Scenario | str | Path, seed: int = 0, replication: int = 0) -> RunResult:
    """Run one replication of a scenario (an object or a YAML path)."""
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    return summarize(BuildOut(scenario, seed=seed, replication=replication).run())


def write_run(result: RunResult, out_dir: str | Path) -> Path:
    """``summary.json``, ``timeseries.parquet``, ``events.parquet`` and ``stages.parquet``,
    each written to a temporary name and renamed, so a reader never sees half a file."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    _atomic(out / "summary.json", lambda p: p.write_text(json.dumps(result.kpis, indent=2)))
    for name, frame in (
        ("timeseries", result.timeseries),
        ("events", result.events),
        ("stages", result.stages),
    ):
        _atomic(out / f"{name}.parquet", lambda p, f=frame: f.to_parquet(p, index=False))
    return out


def _atomic(path: Path, write) -> None:
    partial = path.with_name(f".{path.name}.partial")
    write(partial)
    partial.replace(path)
