"""The results directory: finished runs survive a kill, a resume duplicates nothing.

Layout::

    OUT/manifest.json      what was run (experiment, config hash, versions, counts)
    OUT/parts/*.parquet    finished runs, one small file per finished batch
    OUT/runs.parquet       every run, one row each (parts consolidated at the end)
    OUT/summary.parquet    KPI quantiles per point
    OUT/timeseries/point=P/replication=R.parquet   with --timeseries

Every file is written to a hidden temporary name and renamed, so a reader (or a resume
after SIGKILL) sees whole files or none; the runs of a batch become visible only when its
part file lands, which is why a kill loses at most the runs in flight.
"""

from __future__ import annotations

import contextlib
import json
import math
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from dcsim.errors import UserInputError

KEY = ["point", "replication"]
OWNED = ("manifest.json", "runs.parquet", "summary.parquet", "sobol.json", "tornado.json")
OWNED_DIRS = ("parts", "timeseries")


def atomic(path: Path, write: Callable[[Path], Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.partial")
    try:
        write(partial)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


class Store:
    def __init__(self, out: str | Path):
        self.out = Path(out)

    @property
    def manifest_path(self) -> Path:
        return self.out / "manifest.json"

    def open(self, manifest: dict[str, Any], force: bool) -> None:
        """Start or resume: refuse to mix the results of two different experiments."""
        if self.manifest_path.exists():
            previous = json.loads(self.manifest_path.read_text(encoding="utf-8"))
            if previous.get("config_hash") != manifest["config_hash"]:
                if not force:
                    raise UserInputError(
                        f"{self.out}: holds results of a different experiment (config hash "
                        f"{str(previous.get('config_hash'))[:12]}, now "
                        f"{manifest['config_hash'][:12]}); use another --out, or --force to "
                        "discard them"
                    )
                self.clear()
        elif self.out.exists() and any(self.out.iterdir()) and not force:
            raise UserInputError(
                f"{self.out}: exists and is not a dcsim sweep directory; use another --out"
            )
        for stale in self.out.glob("**/.*.partial"):  # left by a killed run
            stale.unlink(missing_ok=True)
        self.write_json("manifest.json", manifest)

    def clear(self) -> None:
        for name in OWNED:
            (self.out / name).unlink(missing_ok=True)
        for name in OWNED_DIRS:
            shutil.rmtree(self.out / name, ignore_errors=True)

    def finished(self) -> pd.DataFrame:
        """Every run recorded so far (consolidated and in parts), one row per key."""
        files = [self.out / "runs.parquet", *sorted((self.out / "parts").glob("*.parquet"))]
        frames = [pd.read_parquet(f) for f in files if f.exists()]
        frames = [f for f in frames if not f.empty]
        if not frames:
            return pd.DataFrame(columns=KEY)
        runs = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        return runs.drop_duplicates(KEY).reset_index(drop=True)

    def add_part(self, rows: pd.DataFrame) -> None:
        name = f"part-{uuid.uuid4().hex}.parquet"
        atomic(self.out / "parts" / name, lambda p: rows.to_parquet(p, index=False))

    def add_timeseries(self, point: int, replication: int, frame: pd.DataFrame) -> None:
        path = self.out / "timeseries" / f"point={point}" / f"replication={replication}.parquet"
        atomic(path, lambda p: frame.to_parquet(p, index=False))

    def consolidate(self, runs: pd.DataFrame) -> None:
        """Write runs.parquet, then drop the parts it now contains."""
        parts = list((self.out / "parts").glob("*.parquet"))
        self.write_frame("runs.parquet", runs)
        for part in parts:
            part.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            (self.out / "parts").rmdir()

    def write_frame(self, name: str, frame: pd.DataFrame) -> None:
        atomic(self.out / name, lambda p: frame.to_parquet(p, index=False))

    def write_json(self, name: str, data: Any) -> None:
        text = json.dumps(finite(data), indent=2, default=str, allow_nan=False)
        atomic(self.out / name, lambda p: p.write_text(text + "\n", encoding="utf-8"))


def finite(data: Any) -> Any:
    """NaN and infinities become null: JSON has no spelling for them. NumPy values
    become plain Python ones."""
    if hasattr(data, "tolist"):
        data = data.tolist()
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {k: finite(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [finite(v) for v in data]
    return data
