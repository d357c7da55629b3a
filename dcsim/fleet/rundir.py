"""The directory of one fleet run (``dcsim fleet --out``): a set of files, whole or absent.

Layout::

    OUT/sites.parquet        one row per site
    OUT/timeseries.parquet   per region and day
    OUT/requests.parquet     every interconnection request
    OUT/fleet.json           the summary; written last, it marks the set complete
    OUT/.lock                held (``flock``) by the one run writing here

Guarantees, as for a sweep's store (:mod:`dcsim.runtime.store`):

- **One writer.** The run holds ``OUT/.lock`` while it writes; a second one is refused in
  one line naming the holder's pid.
- **A whole set.** ``fleet.json`` is removed first and written last, each file through
  :func:`dcsim.files.atomic`; so a directory with ``fleet.json`` holds one run's files,
  and one without it (a kill, a full disk) holds an unfinished set that the next run
  replaces without ``--force``.
- **Only its own files.** A directory holding anything else (a sweep, a fleet study, a
  user's files) is never written into, with or without ``--force``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from dcsim.errors import UserInputError
from dcsim.files import (
    LOCK_NAME,
    atomic,
    exclusive_lock,
    output_dir,
    report_file,
    temporary_file,
)

#: The summary, written last: its presence says the set is complete.
SUMMARY = "fleet.json"
#: The tables, written before the summary.
TABLES = ("sites", "timeseries", "requests")
#: Every file a run writes (what ``--out`` receives).
FILES = (SUMMARY, *(f"{name}.parquet" for name in TABLES))


def check(out: str | Path, force: bool) -> None:
    """Refuse, before anything runs, a directory that is not a fleet run's, or that holds
    a finished run (unless ``force``). Reads only."""
    out = Path(out)
    if not out.is_dir() or out.is_symlink():
        if out.exists() or out.is_symlink():
            raise UserInputError(f"--out {out}: exists and is not a directory")
        return
    for entry in sorted(os.scandir(out), key=lambda entry: entry.name):
        if entry.is_symlink() or not _owned(entry.name):
            raise UserInputError(
                f"{out}: is not a dcsim fleet run directory (it holds {entry.name!r}); use "
                "another --out (--force never discards what a fleet run did not write)"
            )
    if (out / SUMMARY).exists() and not force:
        raise UserInputError(
            f"{out}: holds the results of an earlier run ({SUMMARY}); use another --out, "
            "or --force to replace them"
        )


def write(
    out: str | Path, summary: Mapping[str, Any], tables: Mapping[str, pd.DataFrame], force: bool
) -> None:
    """Write one run's set under the lock: the directory is checked again once locked
    (another run may have finished meanwhile), the old summary removed, the tables
    written, the summary last. A write that fails (a full disk) is one line; what was
    written stays marked unfinished."""
    directory = output_dir(out)
    text = json.dumps(summary, indent=2)
    with exclusive_lock(directory, "fleet run"):
        check(directory, force)
        try:
            (directory / SUMMARY).unlink(missing_ok=True)
            for name in TABLES:
                frame = tables[name]
                atomic(
                    directory / f"{name}.parquet", lambda p, f=frame: f.to_parquet(p, index=False)
                )
            atomic(directory / SUMMARY, lambda p: p.write_text(text, encoding="utf-8"))
        except OSError as error:
            raise UserInputError(
                f"{directory}: could not write the run's files ({error.strerror or error}); "
                f"nothing there is marked complete (no {SUMMARY}): free space and run again"
            ) from None


def _owned(name: str) -> bool:
    """The run's files, its temporary files, and what ``dcsim report DIR`` writes beside
    them by default (:func:`~dcsim.files.report_file`)."""
    return name in (*FILES, LOCK_NAME) or temporary_file(name) or report_file(name)
