"""The ``dcsim`` command line: one sub-command module per job.

Every sub-command module exposes ``register(subparsers)``, which adds its parser and sets
``handler``. Heavy imports happen inside handlers so that ``dcsim --help`` stays quick.
Bad input of any kind surfaces as :class:`~dcsim.errors.UserInputError`: one line per
problem on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from dcsim.cli import bridging, capex, explain, report, run, sweep
from dcsim.errors import UserInputError
from dcsim.version import __version__

EXIT_BAD_INPUT = 2

SUBCOMMANDS = (run, explain, capex, report, sweep, bridging)


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


if __name__ == "__main__":
    sys.exit(main())
