"""Fingerprints of what every shipped config and experiment produces, so that a refactor
can show its outputs are bit-identical to those before it.

``python tests/output_identity.py --write`` stores the fingerprints of the current code in
``tests/data/output_fingerprints.json``; ``tests/test_output_identity.py`` recomputes them
and compares. A fingerprint covers only the columns and KPIs present when it was written,
so adding a KPI or a column does not disturb it; changing a number does.

When they may be regenerated (docs/fingerprints.md): never for a refactor, which must keep
them; only for a model change (or a dependency upgrade in ``constraints.txt``) named in its
own section of CHANGELOG.md, committed together with the regenerated file. Never to turn a
red test green.
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from dcsim.config.loader import read_yaml

ROOT = Path(__file__).resolve().parents[1]
STORED = ROOT / "tests" / "data" / "output_fingerprints.json"
SEEDS = (0, 7)
#: KPIs that describe the program, not the scenario's outcome.
NOT_OUTCOMES = {"dcsim_version"}


def column_digest(values: pd.Series) -> str:
    """sha256 of a column's exact values: float bits for numbers, text otherwise."""
    digest = hashlib.sha256()
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values):
        digest.update(np.ascontiguousarray(values.to_numpy(dtype="float64")).tobytes())
    else:
        digest.update("\x1f".join(map(str, values.tolist())).encode())
    return digest.hexdigest()[:16]


def frame_digests(frame: pd.DataFrame) -> dict[str, str]:
    return {column: column_digest(frame[column]) for column in frame.columns}


def run_fingerprint(config: Path, seed: int) -> dict:
    from dcsim.api import simulate

    result = simulate(config, seed=seed)
    kpis = {k: v for k, v in result.kpis.items() if k not in NOT_OUTCOMES}
    return {
        "kpis": json.loads(json.dumps(kpis, default=str)),
        "timeseries": frame_digests(result.timeseries),
        "events": frame_digests(result.events),
        "stages": frame_digests(result.stages),
    }


def experiment_fingerprint(path: Path) -> dict:
    from dcsim.sweeps.experiment import load_experiment
    from dcsim.sweeps.runner import run_sweep

    with tempfile.TemporaryDirectory() as out:
        runs = run_sweep(load_experiment(path), out, executor="serial").runs
    runs = runs.sort_values(["point", "replication"]).reset_index(drop=True)
    runs = runs.drop(columns=[c for c in runs.columns if c == "wall_seconds"])
    runs = runs.drop(columns=[c for c in runs.columns if c in NOT_OUTCOMES])
    return {"rows": len(runs), "runs": frame_digests(runs)}


def fingerprints() -> dict:
    configs = sorted((ROOT / "configs").glob("*.yaml"))
    # Decision files (`dcsim optimize`, top-level `decisions:`) are not sweeps.
    experiments = [
        path
        for path in sorted((ROOT / "experiments").glob("*.yaml"))
        if "decisions" not in read_yaml(path)
    ]
    return {
        "runs": {
            f"{config.name}@{seed}": run_fingerprint(config, seed)
            for config in configs
            for seed in SEEDS
        },
        "experiments": {path.name: experiment_fingerprint(path) for path in experiments},
    }


def differences(stored: dict, now: dict, where: str = "") -> list[str]:
    """Every stored entry that is missing or differs now (new entries are allowed)."""
    if not isinstance(stored, dict):
        return [] if stored == now else [f"{where}: {stored!r} -> {now!r}"]
    if not isinstance(now, dict):
        return [f"{where}: now {now!r}"]
    found = []
    for key, value in stored.items():
        if key not in now:
            found.append(f"{where}.{key}: missing")
        else:
            found.extend(differences(value, now[key], f"{where}.{key}"))
    return found


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python tests/output_identity.py --write")
    STORED.write_text(json.dumps(fingerprints(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {STORED.relative_to(ROOT)}")
