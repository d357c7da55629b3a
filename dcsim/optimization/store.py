"""The study directory: Optuna's trials in SQLite, so a killed study resumes.

Layout::

    OUT/study.db        every trial, its parameters, value, constraints and state
    OUT/manifest.json   which decision file (hash) the study belongs to
    OUT/trials.csv      the history, one row per finished trial (rewritten at the end)
    OUT/result.json     the re-evaluated incumbents with confidence intervals
    OUT/best.yaml       the base scenario with the best decision applied: run and explain it
    OUT/.lock           held (``flock``) by the one study writing here

A trial is committed to SQLite when it is told its value, in one transaction, so a kill
loses at most the trials in flight; on resume those (left ``RUNNING``) are marked failed and
asked again, and every finished trial counts once. The other files are written whole
(:func:`dcsim.files.atomic`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dcsim.errors import UserInputError
from dcsim.files import LOCK_NAME, atomic, exclusive_lock, output_dir

DATABASE = "study.db"
OWNED = (DATABASE, "manifest.json", "trials.csv", "result.json", "best.yaml", LOCK_NAME)
#: SQLite's own companions of the database (journal, write-ahead log).
SQLITE_SUFFIXES = ("-journal", "-wal", "-shm")


@contextmanager
def opened(out: str | Path, config_hash: str, force: bool) -> Iterator[Path]:
    """The study directory, locked against a second writer, checked to hold this decision
    file's study (or none); ``force`` discards another one's."""
    out = output_dir(out)
    _check_owned(out)
    with exclusive_lock(out, "dcsim optimize"):
        manifest = out / "manifest.json"
        previous = json.loads(manifest.read_text(encoding="utf-8")) if manifest.exists() else None
        if previous is not None and previous.get("config_hash") != config_hash:
            if not force:
                raise UserInputError(
                    f"{out}: holds a study of a different decision file; use another --out, "
                    "or --force to discard it"
                )
            for name in OWNED[:-1]:
                for suffix in ("", *SQLITE_SUFFIXES):
                    (out / f"{name}{suffix}").unlink(missing_ok=True)
        write_text(out / "manifest.json", json.dumps({"config_hash": config_hash}) + "\n")
        yield out


def _check_owned(out: Path) -> None:
    owned = set(OWNED) | {f"{DATABASE}{suffix}" for suffix in SQLITE_SUFFIXES}
    for entry in sorted(os.scandir(out), key=lambda entry: entry.name):
        if entry.is_symlink() or (entry.name not in owned and not entry.name.endswith(".partial")):
            raise UserInputError(
                f"{out}: is not a dcsim study directory (it holds {entry.name!r}); use "
                "another --out"
            )


def storage_url(out: Path) -> str:
    return f"sqlite:///{(out / DATABASE).resolve()}"


def write_text(path: Path, text: str) -> None:
    atomic(path, lambda p: p.write_text(text, encoding="utf-8"))


def write_json(path: Path, data: Any) -> None:
    from dcsim.jsonsafe import json_safe

    write_text(path, json.dumps(json_safe(data), indent=2, default=str, allow_nan=False) + "\n")
