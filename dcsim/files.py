"""Writing results safely: whole files or none, never through a planted link.

A file is written to a fresh temporary file created in its own directory
(``tempfile.mkstemp``: unpredictable name, created exclusively, so a symlink planted there
cannot redirect the write) and renamed over the target, so a reader, or a resume after
``SIGKILL``, sees the old file or the new one, never half of one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dcsim.errors import UserInputError

#: The lock file a store's one writer holds.
LOCK_NAME = ".lock"

PARTIAL_SUFFIX = ".partial"


def report_file(name: str) -> bool:
    """What ``dcsim report DIR`` writes into a result directory by default
    (``report.html``, or ``report.md`` with its ``report-*.png`` figures): a store counts
    it as its own file, so reporting on a store never stops it from being resumed."""
    return name in ("report.html", "report.md") or (
        name.startswith("report-") and name.endswith(".png")
    )


def atomic(path: Path, write: Callable[[Path], Any]) -> None:
    """``write(temporary path)``, then rename it to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=PARTIAL_SUFFIX, dir=path.parent)
    partial = Path(name)
    try:  # from here on, an interrupt (Ctrl-C) anywhere leaves no partial file behind
        try:
            os.fchmod(fd, 0o666 & ~umask())  # mkstemp makes 0600; a result file is the user's
        finally:
            os.close(fd)
        write(partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def umask() -> int:
    """The process's umask, read without changing it where Linux says it
    (``/proc/self/status``); elsewhere set and restored at once."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    old = os.umask(0o022)
    os.umask(old)
    return old


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


@contextmanager
def exclusive_lock(directory: Path, holder: str) -> Iterator[None]:
    """Hold ``directory/.lock`` exclusively (``flock``) for the block, with this process's
    pid inside. The kernel releases it however the process ends, so a lock left by a killed
    run never blocks the next; a second writer gets one line naming the pid that holds it
    (``holder`` says what kind of run, e.g. "sweep")."""
    import fcntl

    fd = os.open(directory / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = os.read(fd, 64).decode("ascii", "replace").strip() or "unknown"
            raise UserInputError(
                f"{directory}: in use by another {holder} (pid {pid}); wait for it to end "
                "or use another --out"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        try:
            yield
        finally:  # Ctrl-C can land inside ``mkstemp``, before :func:`atomic` can clean up
            remove_partials(directory)
    finally:
        os.close(fd)


def remove_partials(directory: Path) -> None:
    """The temporary files of :func:`atomic` under ``directory``: ones a killed writer left,
    or one an interrupt left as it landed between the file's creation and its cleanup.
    Only the lock's holder may call it (``os.walk`` does not follow links)."""
    for root, _, names in os.walk(directory):
        for name in names:
            if temporary_file(name):
                Path(root, name).unlink(missing_ok=True)


def temporary_file(name: str) -> bool:
    """Whether ``name`` is one of :func:`atomic`'s temporary files: one its writer is
    writing right now, or one a killed writer left (removed on the next open)."""
    return name.startswith(".") and name.endswith(PARTIAL_SUFFIX)
