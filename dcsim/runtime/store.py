"""The results directory: finished runs survive a kill, a resume duplicates nothing.

Layout::

    OUT/manifest.json      what was run (experiment, config hash, versions, counts)
    OUT/parts/*.parquet    finished runs, one small file per finished batch
    OUT/runs.parquet       every run, one row each (parts consolidated at the end)
    OUT/summary.parquet    KPI quantiles per point
    OUT/criticality.parquet  share of runs in which each constraint sets the date
    OUT/timeseries/point=P/replication=R.parquet   with --timeseries
    OUT/quarantine/        stored files a resume found unreadable or foreign
    OUT/.lock              held (``flock``) by the one sweep writing here

Guarantees:

- **Whole files.** Every file is written to a unique temporary name and renamed
  (:func:`dcsim.files.atomic`), so a reader, or a resume after SIGKILL, sees whole files or
  none; the runs of a batch become visible only when its part file lands, which is why a
  kill loses at most the runs in flight.
- **One writer.** A sweep holds an exclusive lock on ``OUT/.lock`` from before it reads the
  store until its last write. The kernel releases it when the process ends, however it
  ends, so a lock left by a dead sweep never blocks; a live holder is named by its pid.
- **Only its own files.** A directory holding anything else is never written into, with
  or without ``--force``; links inside the store are never followed, read or cleaned. A
  report ``dcsim report`` wrote into the store is its own (:func:`dcsim.files.report_file`).
- **Checked on resume.** Every stored run file is read and checked (columns, types, keys
  of this plan); a file that fails is moved to ``quarantine/`` with a warning, and its
  runs run again.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from dcsim.errors import UserInputError
from dcsim.files import (
    LOCK_NAME,
    atomic,
    exclusive_lock,
    output_dir,
    remove_partials,
    report_file,
    temporary_file,
)
from dcsim.jsonsafe import json_safe

KEY = ["point", "replication"]
LOCK = LOCK_NAME
OWNED = (
    "manifest.json",
    "runs.parquet",
    "summary.parquet",
    "criticality.parquet",
    "sobol.json",
    "tornado.json",
    LOCK,
)
OWNED_DIRS = ("parts", "timeseries", "quarantine")
STATUSES = {"ok", "error"}
#: How sweeps that did not yet retry lost workers recorded them: not the run's own failure.
LOST_PREFIX = "task failed: BrokenProcessPool"


@dataclass(frozen=True)
class Layout:
    """What one kind of store holds: its consolidated rows, its files, and the words its
    messages use for what it is a store of."""

    runs_file: str
    files: tuple[str, ...]
    results_of: str  # "holds results of a different ..."
    directory: str  # "is not a dcsim ... directory"


SWEEP = Layout("runs.parquet", OWNED, "experiment", "sweep")


class Store:
    """A sweep's store; the same layout, lock and checks keep a fleet Monte Carlo study
    (another :class:`Layout`)."""

    def __init__(self, out: str | Path, layout: Layout = SWEEP):
        self.out = Path(out)
        self.layout = layout
        #: The rows of each part this object wrote, kept so that :meth:`finished` does not
        #: read back what it wrote a moment ago (a serial tail of a parallel sweep). Rows,
        #: not tables: a one-row Arrow table of two dozen columns takes 21 kB, its row 1-2 kB.
        self._written: dict[Path, list[dict[str, Any]]] = {}

    @property
    def manifest_path(self) -> Path:
        return self.out / "manifest.json"

    @contextmanager
    def opened(self, manifest: dict[str, Any], force: bool) -> Iterator[Store]:
        """Start or resume under the store's lock: refuse a directory that is not a sweep
        store, and refuse to mix the results of two different experiments."""
        self.check(manifest, force)
        output_dir(self.out)
        with exclusive_lock(self.out, "sweep"):
            if self.check(manifest, force):
                self.clear()
            remove_partials(self.out)
            self.write_json("manifest.json", manifest)
            yield self

    def check(self, manifest: dict[str, Any], force: bool) -> bool:
        """Whether opening the store for ``manifest`` discards other results (only with
        ``force``); reads, never writes, so it can run before anything is started."""
        self._check_owned()
        previous = self._manifest()
        if previous is None or previous["config_hash"] == manifest["config_hash"]:
            return False
        if not force:
            raise UserInputError(
                f"{self.out}: holds results of a different {self.layout.results_of} (config hash "
                f"{previous['config_hash'][:12]}, now {manifest['config_hash'][:12]}); use "
                "another --out, or --force to discard them"
            )
        return True

    def _check_owned(self) -> None:
        """A directory is a store if everything in it is a store's; links never are."""
        if not self.out.is_dir():
            return
        entries = sorted(os.scandir(self.out), key=lambda entry: entry.name)
        kind, owned = self.layout.directory, self.layout.files + OWNED_DIRS
        for entry in entries:
            if entry.is_symlink():
                raise UserInputError(
                    f"{entry.path}: is a symbolic link; a {kind} store holds only its own files; "
                    "use another --out"
                )
        foreign = [
            entry.name
            for entry in entries
            if entry.name not in owned
            and not temporary_file(entry.name)
            and not (report_file(entry.name) and entry.is_file())
        ]
        if foreign:
            raise UserInputError(
                f"{self.out}: is not a dcsim {kind} directory (it holds {foreign[0]!r}"
                f"{f' and {len(foreign) - 1} more' if len(foreign) > 1 else ''}); use another "
                f"--out (--force never discards what a {kind} did not write)"
            )

    def _manifest(self) -> dict[str, Any] | None:
        if not self.manifest_path.exists():
            return None
        try:
            previous = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as error:
            previous = error
        if not isinstance(previous, dict) or not isinstance(previous.get("config_hash"), str):
            raise UserInputError(
                f"{self.manifest_path}: not a dcsim sweep manifest; move it away or use "
                "another --out"
            )
        return previous

    def clear(self) -> None:
        """Remove the store's own files, reports on the results it discards included; links
        are removed, never followed."""
        reports = [e.name for e in os.scandir(self.out) if report_file(e.name) and e.is_file()]
        for name in (*self.layout.files, *reports):
            if name != LOCK:
                (self.out / name).unlink(missing_ok=True)
        for name in OWNED_DIRS:
            path = self.out / name
            if path.is_symlink():
                path.unlink()
            elif path.is_dir():
                shutil.rmtree(path)

    def finished(
        self, sizes: Mapping[str, int], expected: Mapping[str, Any] | None = None
    ) -> pd.DataFrame:
        """Every run recorded so far (consolidated and in parts), one row per key in key
        order: ``sizes`` names the key columns and how many values each takes (``{"point":
        3, "replication": 100}``); ``expected`` names columns every row must hold with one
        value (``{"seed": 0, ...}``). A file that cannot be read, or holds a row that is not
        of this plan, is quarantined: its runs run again."""
        key = list(sizes)
        tables: list[pa.Table] = []
        for path in [self.out / self.layout.runs_file, *self._parts()]:
            if path in self._written:
                tables.append(runs_table(self._written[path]))
                continue
            if not path.exists() and not path.is_symlink():
                continue
            problem, frame = _read_runs(path, sizes, self.layout.results_of, expected or {})
            if problem:
                self._quarantine(path, problem)
            elif not frame.empty:
                tables.append(pa.Table.from_pandas(frame, preserve_index=False))
        if not tables:
            return pd.DataFrame(columns=key)
        runs = _joined(tables)
        lost = runs["error"].astype(str).str.startswith(LOST_PREFIX)
        kept = runs[~lost].drop_duplicates(key)  # the first: the consolidated file, then parts
        return _empty_as_none(kept.sort_values(key, kind="stable").reset_index(drop=True))

    def _parts(self) -> list[Path]:
        parts = self.out / "parts"
        if parts.is_symlink() or not parts.is_dir():
            return []
        return sorted(
            Path(entry.path) for entry in os.scandir(parts) if entry.name.endswith(".parquet")
        )

    def _quarantine(self, path: Path, problem: str) -> None:
        target = self.out / "quarantine" / f"{path.name}.{uuid.uuid4().hex[:8]}"
        target.parent.mkdir(exist_ok=True)
        os.replace(path, target)
        print(
            f"warning: {path}: {problem}; moved to {target.parent}/, its runs will run again",
            file=sys.stderr,
        )

    def add_part(self, rows: list[dict[str, Any]]) -> None:
        path = self.out / "parts" / f"part-{uuid.uuid4().hex}.parquet"
        table = runs_table(rows)
        atomic(path, lambda p: pq.write_table(table, p))
        self._written[path] = rows

    def add_timeseries(self, point: int, replication: int, frame: pd.DataFrame) -> None:
        path = self.out / "timeseries" / f"point={point}" / f"replication={replication}.parquet"
        atomic(path, lambda p: frame.to_parquet(p, index=False))

    def consolidate(self, runs: pd.DataFrame) -> None:
        """Write the runs file, then drop the parts it now contains."""
        parts = self._parts()
        self.write_frame(self.layout.runs_file, runs)
        for part in parts:
            part.unlink(missing_ok=True)
            self._written.pop(part, None)
        if (self.out / "parts").is_dir() and not any((self.out / "parts").iterdir()):
            (self.out / "parts").rmdir()

    def write_frame(self, name: str, frame: pd.DataFrame) -> None:
        atomic(self.out / name, lambda p: frame.to_parquet(p, index=False))

    def write_json(self, name: str, data: Any) -> None:
        text = json.dumps(json_safe(data), indent=2, default=str, allow_nan=False)
        atomic(self.out / name, lambda p: p.write_text(text + "\n", encoding="utf-8"))


def _joined(tables: list[pa.Table]) -> pd.DataFrame:
    """Runs recorded in several tables as one DataFrame, converted once with their schemas
    unified (a column null throughout one part takes the other parts' type): the frame, its
    dtypes and its NaNs are the same however the runs were split into parts, so a sweep's
    results do not depend on the batch sizes its timing chose, or on the executor."""
    try:
        return pa.concat_tables(tables, promote_options="permissive").to_pandas()
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # one column of two kinds: pandas' object
        return pd.concat([t.to_pandas() for t in tables], ignore_index=True)


def _empty_as_none(runs: pd.DataFrame) -> pd.DataFrame:
    """A column with no value at all (``error`` when no run failed) holds None, whatever
    type a row since dropped (a run lost to a dead worker, then mended) once gave it."""
    for name in runs.columns[runs.isna().all().to_numpy()]:
        runs[name] = pd.Series([None] * len(runs), index=runs.index, dtype=object)
    return runs


def runs_table(rows: list[dict[str, Any]]) -> pa.Table:
    """Runs as an Arrow table, built column by column (a third of the cost of a DataFrame
    and its conversion, paid in the process that records every task). A failed run has no
    KPIs: its cells are null, as are NaNs, as pandas would write them."""
    names = dict.fromkeys(name for row in rows for name in row)
    return pa.table(
        {name: pa.array([row.get(name) for row in rows], from_pandas=True) for name in names}
    )


def _read_runs(
    path: Path, sizes: Mapping[str, int], what: str, expected: Mapping[str, Any]
) -> tuple[str, pd.DataFrame]:
    """(problem, rows): rows of a run file, or why it cannot be trusted."""
    if path.is_symlink() or not path.is_file():
        return "not a regular file", pd.DataFrame()
    try:
        frame = pd.read_parquet(path)
    except Exception as error:  # pyarrow raises many types for a damaged file
        return f"unreadable ({type(error).__name__})", pd.DataFrame()
    missing = [c for c in (*sizes, "status", "error") if c not in frame.columns]
    if missing:
        return f"not a file of runs (no column {missing[0]!r})", frame
    if not all(pd.api.types.is_integer_dtype(frame[c]) for c in sizes):
        return f"{' and '.join(sizes)} are not integers", frame
    inside = pd.Series(True, index=frame.index)
    for column, size in sizes.items():
        inside &= frame[column].between(0, size - 1)
    if not inside.all() or not frame["status"].isin(STATUSES).all():
        return f"holds runs that are not of this {what}", frame
    for column, value in expected.items():
        if column not in frame.columns:
            return f"holds runs without {column!r} (not of this {what})", frame
        foreign = frame[column][frame[column] != value]
        if len(foreign):
            found = foreign.iloc[0]
            found = found.item() if hasattr(found, "item") else found
            return f"holds runs of {column} {_short(found)}, not {_short(value)}", frame
    return "", frame


def _short(value: Any) -> str:
    """A value as a message shows it: a hash by its first 12 characters."""
    return repr(value[:12]) if isinstance(value, str) else repr(value)
