"""The ``dcsim`` command line: one sub-command module per job.

Every sub-command module exposes ``register(subparsers)``, which adds its parser and sets
``handler``. Heavy imports happen inside handlers so that ``dcsim --help`` stays quick.
Bad input of any kind surfaces as :class:`~dcsim.errors.UserInputError`: one line per
problem on stderr and exit status 2, never a traceback. So does a file system that refuses
a write (full, read-only); a reader that goes away (``dcsim run --json | head``) ends the
command quietly.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress

from dcsim.cli import (
    app,
    backtest,
    bridging,
    calibrate,
    capex,
    compare,
    draw,
    explain,
    fleet,
    levers,
    optimize,
    report,
    run,
    sweep,
)
from dcsim.errors import UserInputError
from dcsim.version import __version__

EXIT_BAD_INPUT = 2
EXIT_BROKEN_PIPE = 128 + 13  # what a shell reports for a process ended by SIGPIPE

SUBCOMMANDS = (
    run,
    explain,
    compare,
    levers,
    draw,
    capex,
    report,
    sweep,
    optimize,
    bridging,
    fleet,
    calibrate,
    backtest,
    app,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dcsim",
        description="Discrete-event simulator of AI-datacenter build-out.",
    )
    parser.add_argument("--version", action="version", version=f"dcsim {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in SUBCOMMANDS:
        module.register(subparsers)
    return parser


class _OneLineWarning(logging.Formatter):
    """A captured warning as ``warning: Category: message``: without the file path and
    the source line that :mod:`warnings` prints, which mean nothing to a planner."""

    def format(self, record: logging.LogRecord) -> str:
        first = record.getMessage().splitlines()[0] if record.getMessage() else ""
        return "warning: " + first.split(": ", 1)[-1]


class _StderrHandler(logging.StreamHandler):
    """Writes to ``sys.stderr`` as it is at each warning, not as it was when the handler
    was made (a caller, or a test, may have replaced it since)."""

    @property
    def stream(self):  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def route_warnings() -> None:
    """Send Python warnings (matplotlib's, pandas') through :mod:`logging` as one line each
    on stderr; a caller that configures the ``py.warnings`` logger gets them there."""
    logging.captureWarnings(True)
    logger = logging.getLogger("py.warnings")
    if not logger.handlers:
        handler = _StderrHandler()
        handler.setFormatter(_OneLineWarning())
        logger.addHandler(handler)
        logger.propagate = False


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    for stream in (sys.stdout, sys.stderr):  # a path or a table an ASCII terminal cannot show
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    route_warnings()
    with _one_interrupt():
        return _handled(args)


@contextmanager
def _one_interrupt() -> Iterator[None]:
    """The first Ctrl-C interrupts; the ones after it (``timeout`` and impatient users send
    several) are ignored while the command cleans up and the interpreter ends (its pool's
    threads are joined then), so the user sees one line. Without an interrupt, the
    caller's handler comes back."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    interrupts = []

    def interrupted(signum: int, frame: object) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        logging.disable(logging.CRITICAL)  # nor what a Dask cluster logs as it closes
        _pass_to_workers(signum)
        interrupts.append(signum)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, interrupted)
    try:
        yield
    finally:
        if not interrupts:
            signal.signal(signal.SIGINT, previous)


def _pass_to_workers(signum: int) -> None:
    """Pass an interrupt sent to this process alone (``kill -INT PID``, not the terminal's
    Ctrl-C to the whole group) to its worker processes, as the group would have: a Dask
    worker then stops logging, so the tasks the closing cluster cancels do not follow the
    one line ``interrupted``; a pool worker ignores it (``bound_to_parent``)."""
    import multiprocessing

    for child in multiprocessing.active_children():
        with suppress(OSError):  # it ended meanwhile
            os.kill(child.pid, signum)


def _handled(args: argparse.Namespace) -> int:
    try:
        return int(args.handler(args) or 0)
    except UserInputError as error:
        for line in error.problems:
            print(f"error: {line}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # Point stdout at /dev/null so that flushing it at exit cannot fail a second time.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except SystemExit as exit_:
        # rich ends a broken pipe with exit status 1, which these commands use to mean "runs
        # failed"; it has already pointed stdout at /dev/null.
        if isinstance(exit_.__context__, BrokenPipeError):
            return EXIT_BROKEN_PIPE
        raise
    except OSError as error:
        where = f"{error.filename}: " if error.filename else ""
        print(f"error: {where}{error.strerror or error}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
