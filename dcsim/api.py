"""The Python API: load a scenario, run it, get KPIs and tables back.

Bad input raises :class:`~dcsim.errors.UserInputError` here as on the command line (a
path, a seed, a results directory), never a raw ``ValueError`` or ``OverflowError``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from dcsim.config import Scenario, load_scenario
from dcsim.config.loader import as_scenario
from dcsim.config.safe_yaml import parse, read_text
from dcsim.errors import UserInputError
from dcsim.files import atomic, output_dir
from dcsim.results import RunResult, summarize
from dcsim.rng import check_seed
from dcsim.sim.model import BuildOut

#: What ``write_run`` writes; finding one of them means an earlier run is there.
RUN_FILES = (
    "summary.json",
    "scenario.yaml",
    "timeseries.parquet",
    "events.parquet",
    "stages.parquet",
    "critical_path.parquet",
    "stage_waits.parquet",
)


def simulate(
    scenario: Scenario | str | Path,
    seed: int = 0,
    replication: int = 0,
    overrides: Mapping[str, Any] | None = None,
) -> RunResult:
    """Run one replication of a scenario (an object or a YAML path).

    ``overrides`` sets fields by dotted path before validation, exactly as ``--set`` does
    on the command line: ``simulate("campus.yaml", overrides={"halls.0.pue": 1.3})``.
    Values may be what the file would hold (``"6 months"``, ``1.3``)."""
    check_seed("seed", seed)
    check_seed("replication", replication)
    scenario = as_scenario(scenario, overrides)
    return summarize(BuildOut(scenario, seed=seed, replication=replication).run())


def check_run_dir(out_dir: str | Path, force: bool) -> None:
    """Refuse to replace an earlier run's results in ``out_dir`` unless ``force``."""
    earlier = [name for name in RUN_FILES if (Path(out_dir) / name).exists()]
    if earlier and not force:
        raise UserInputError(
            f"{out_dir}: holds the results of an earlier run ({earlier[0]}); use another "
            "--out, or --force to replace them"
        )


def write_run(result: RunResult, out_dir: str | Path, source: str | Path | None = None) -> Path:
    """``summary.json``, ``timeseries.parquet``, ``events.parquet``, ``stages.parquet``,
    ``critical_path.parquet``, ``stage_waits.parquet`` and ``scenario.yaml``, each written whole
    (:func:`dcsim.files.atomic`), so a reader never sees half a file.

    ``scenario.yaml`` is the source file itself when it stands alone (its comments cite the
    figures behind the numbers), else the resolved scenario, which loads on its own.
    """
    out = output_dir(out_dir)
    summary = json.dumps(result.kpis, indent=2)
    atomic(out / "summary.json", lambda p: p.write_text(summary, encoding="utf-8"))
    scenario = scenario_text(result.scenario, source)
    atomic(out / "scenario.yaml", lambda p: p.write_text(scenario, encoding="utf-8"))
    for name, frame in (
        ("timeseries", result.timeseries),
        ("events", result.events),
        ("stages", result.stages),
        ("critical_path", result.critical_path),
        ("stage_waits", result.stage_waits),
    ):
        atomic(out / f"{name}.parquet", lambda p, f=frame: f.to_parquet(p, index=False))
    return out


def scenario_text(scenario: Scenario, source: str | Path | None = None) -> str:
    """The source file's own text (with the comments that cite its figures) when it
    stands alone and is what ran; else the resolved scenario, which is what ran even when
    ``--set`` overrides or an ``include:`` changed it, and which loads back to the same
    scenario (``tests/test_round_trip.py``)."""
    if source is not None:
        text = read_text(Path(source))
        stands_alone = "include" not in (parse(text, str(source)) or {})
        if stands_alone and load_scenario(source) == scenario:
            return text
    return yaml.safe_dump(scenario.model_dump(mode="json", by_alias=True), sort_keys=False)
