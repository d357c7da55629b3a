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
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dcsim.errors import UserInputError
from dcsim.files import LOCK_NAME, atomic, exclusive_lock, output_dir, report_file, temporary_file

DATABASE = "study.db"
OWNED = (DATABASE, "manifest.json", "trials.csv", "result.json", "best.yaml", LOCK_NAME)
#: SQLite's own companions of the database (journal, write-ahead log).
SQLITE_SUFFIXES = ("-journal", "-wal", "-shm")


@contextmanager
def opened(out: str | Path, config_hash: str, force: bool) -> Iterator[Path]:
    """The study directory, locked against a second writer, checked to hold this decision
    file's study (or none). A study of another decision file, a database whose manifest is
    missing (nothing says whose it is) and a damaged manifest are refused in one line;
    ``force`` discards them."""
    out = output_dir(out)
    _check_owned(out)
    with exclusive_lock(out, "dcsim optimize"):
        _check_writable(out / DATABASE)
        problem = _not_ours(out, config_hash)
        if problem and not force:
            raise UserInputError(f"{problem}; use another --out, or --force to discard it")
        if problem:
            discard(out)
        write_text(out / "manifest.json", json.dumps({"config_hash": config_hash}) + "\n")
        yield out


def _check_writable(database: Path) -> None:
    """A database this process may not write (its mode, or an immutable attribute, which
    holds even for root) is refused before SQLite fails on its first commit, and even
    with ``--force``: someone protected it, and an immutable file cannot be discarded."""
    if database.is_file() and not database.is_symlink() and not os.access(database, os.W_OK):
        raise UserInputError(
            f"{database}: read-only (its mode or an immutable attribute), and a study adds "
            "its trials to it; make it writable (chmod u+w, chattr -i) or use another --out"
        )


def _not_ours(out: Path, config_hash: str) -> str:
    """Why the directory's study is not this decision file's ("" if it is, or is empty)."""
    database = out / DATABASE
    if (database.exists() or database.is_symlink()) and not _readable(database):
        return f"{database}: not a readable study database"
    manifest = out / "manifest.json"
    if not manifest.exists() and not manifest.is_symlink():
        stored = [name for name in _database_files() if (out / name).exists()]
        return (
            f"{out / stored[0]}: a study with no manifest.json, of an unknown decision file"
            if stored
            else ""
        )
    try:
        previous = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        previous = None
    if not isinstance(previous, dict) or not isinstance(previous.get("config_hash"), str):
        return f"{manifest}: not a dcsim study manifest"
    if previous["config_hash"] != config_hash:
        return f"{out}: holds a study of a different decision file"
    return ""


def _readable(database: Path) -> bool:
    """Whether ``database`` is an SQLite file that passes its own quick check and holds
    Optuna's trials table (a directory, text or a truncated copy does not)."""
    import sqlite3

    if database.is_symlink() or not database.is_file():
        return False
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
            if db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                return False
            return bool(db.execute("SELECT 1 FROM sqlite_master WHERE name = 'trials'").fetchone())
    except sqlite3.Error:
        return False


def discard(out: Path) -> None:
    """Remove the study's own files (a directory planted where one should be included),
    reports on the trials it discards included."""
    reports = [e.name for e in os.scandir(out) if report_file(e.name) and e.is_file()]
    for name in (*OWNED[:-1], *_database_files()[1:], *reports):
        path = out / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)


def _database_files() -> tuple[str, ...]:
    return (DATABASE, *(f"{DATABASE}{suffix}" for suffix in SQLITE_SUFFIXES))


def _check_owned(out: Path) -> None:
    owned = set(OWNED) | set(_database_files())
    for entry in sorted(os.scandir(out), key=lambda entry: entry.name):
        if entry.is_symlink() or (
            entry.name not in owned
            and not temporary_file(entry.name)
            and not (report_file(entry.name) and entry.is_file())
        ):
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
