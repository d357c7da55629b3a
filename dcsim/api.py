"""The Python API: load a scenario, run it, get KPIs and tables back."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from dcsim.config import Scenario, load_scenario
from dcsim.results import RunResult, summarize
from dcsim.sim.model import BuildOut


def simulate(scenario: Scenario | str | Path, seed: int = 0, replication: int = 0) -> RunResult:
    """Run one replication of a scenario (an object or a YAML path)."""
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    return summarize(BuildOut(scenario, seed=seed, replication=replication).run())


def write_run(result: RunResult, out_dir: str | Path, source: str | Path | None = None) -> Path:
    """``summary.json``, ``timeseries.parquet``, ``events.parquet``, ``stages.parquet``,
    ``critical_path.parquet`` and ``scenario.yaml``, each written to a temporary name and
    renamed, so a reader never sees half a file.

    ``scenario.yaml`` is the source file itself when it stands alone (its comments cite the
    figures behind the numbers), else the resolved scenario, which loads on its own.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    _atomic(out / "summary.json", lambda p: p.write_text(json.dumps(result.kpis, indent=2)))
    _atomic(out / "scenario.yaml", lambda p: p.write_text(_scenario_text(result, source)))
    for name, frame in (
        ("timeseries", result.timeseries),
        ("events", result.events),
        ("stages", result.stages),
        ("critical_path", result.critical_path),
    ):
        _atomic(out / f"{name}.parquet", lambda p, f=frame: f.to_parquet(p, index=False))
    return out


def _scenario_text(result: RunResult, source: str | Path | None) -> str:
    if source is not None:
        text = Path(source).read_text(encoding="utf-8")
        if "include" not in (yaml.safe_load(text) or {}):
            return text
    return yaml.safe_dump(result.scenario.model_dump(mode="json", by_alias=True), sort_keys=False)


def _atomic(path: Path, write) -> None:
    partial = path.with_name(f".{path.name}.partial")
    write(partial)
    partial.replace(path)
