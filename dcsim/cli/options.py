"""Command-line options that several sub-commands share, defined once."""

from __future__ import annotations

import argparse

from dcsim.errors import UserInputError


def add_executor_options(parser: argparse.ArgumentParser, default: str, runs: str) -> None:
    """``--executor``, ``--workers``, ``--address`` and ``--scheduler-file``, as
    :func:`dcsim.runtime.executors.open_executor` takes them; ``runs`` names what runs."""
    where = "a local process pool over all cores" if default == "local" else "this process"
    parser.add_argument(
        "--executor",
        choices=("serial", "local", "dask"),
        default=default,
        help=f"where {runs} execute (default: {where})",
    )
    parser.add_argument("--workers", type=int, metavar="N", help="worker processes")
    parser.add_argument(
        "--address", metavar="ADDR", help="Dask scheduler, e.g. tcp://host:8786 (with dask)"
    )
    parser.add_argument("--scheduler-file", metavar="FILE", help="Dask scheduler file (with dask)")


def check_executor_options(args: argparse.Namespace) -> None:
    """A scheduler is only for Dask: saying one with another executor is a mistake."""
    if (args.address or args.scheduler_file) and args.executor != "dask":
        raise UserInputError("--address and --scheduler-file need --executor dask")


#: Most paired replications a comparison command (explain, compare, levers) runs.
MAX_PAIRED = 10_000


def check_replications(replications: int) -> None:
    """``--replications`` of a paired comparison: 1 to :data:`MAX_PAIRED`, in one line."""
    if not 1 <= replications <= MAX_PAIRED:
        raise UserInputError(f"--replications {replications}: expected 1 to {MAX_PAIRED:,}")
