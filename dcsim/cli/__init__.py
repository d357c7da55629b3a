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
import os
import sys
from collections.abc import Sequence

from dcsim.cli import (
    app,
    backtest,
    bridging,
    calibrate,
    capex,
    draw,
    explain,
    fleet,
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


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
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
    except OSError as error:
        where = f"{error.filename}: " if error.filename else ""
        print(f"error: {where}{error.strerror or error}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
