"""Writing results safely: whole files or none, never through a planted link.

A file is written to a fresh temporary file created in its own directory
(``tempfile.mkstemp``: unpredictable name, created exclusively, so a symlink planted there
cannot redirect the write) and renamed over the target, so a reader, or a resume after
``SIGKILL``, sees the old file or the new one, never half of one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dcsim.errors import UserInputError

PARTIAL_SUFFIX = ".partial"


def atomic(path: Path, write: Callable[[Path], Any]) -> None:
    """``write(temporary path)``, then rename it to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=PARTIAL_SUFFIX, dir=path.parent)
    os.close(fd)
    partial = Path(name)
    try:
        write(partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def output_dir(path: str | Path, option: str = "--out") -> Path:
    """``path`` as a directory this process can write, created if missing; anything else
    (a file, a read-only or virtual file system) is one clear line."""
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise UserInputError(f"{option} {out}: exists and is not a directory")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UserInputError(f"{option} {out}: cannot create ({error.strerror})") from None
    if not os.access(out, os.W_OK | os.X_OK):
        raise UserInputError(f"{option} {out}: not writable")
    return out
