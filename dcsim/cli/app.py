"""``dcsim app``: the live what-if page in a browser (HoloViz Panel; ``pip install dcsim[app]``)."""

from __future__ import annotations

import argparse
import os

from dcsim.errors import UserInputError

MAX_WORKERS = 64


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "app", help="serve a live what-if page: levers, fan chart and dates in the browser"
    )
    parser.add_argument(
        "scenario",
        nargs="?",
        help="scenario YAML, or a fleet file for the fleet page (default: "
        "configs/meta-100k-h100.yaml)",
    )
    parser.add_argument("--port", type=int, default=5006, help="port to listen on (5006)")
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to bind (127.0.0.1: this machine only; 0.0.0.0 exposes the app)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=min(2, os.cpu_count() or 1),
        help="worker processes shared by all sessions (default: 2, or fewer cores)",
    )
    parser.add_argument("--show", action="store_true", help="open a browser tab")
    parser.set_defaults(handler=app_command)


def app_command(args: argparse.Namespace) -> int:
    if not 0 <= args.port <= 65535:
        raise UserInputError(f"--port {args.port}: expected 0 to 65535")
    if not 1 <= args.workers <= MAX_WORKERS:
        raise UserInputError(f"--workers {args.workers}: expected 1 to {MAX_WORKERS}")
    from dcsim.app.source import DEFAULT_SCENARIO, load_source

    source = load_source(args.scenario or DEFAULT_SCENARIO)  # a bad file fails before Panel
    try:
        import panel  # noqa: F401
    except ImportError:
        raise UserInputError("dcsim app needs HoloViz Panel: pip install 'dcsim[app]'") from None
    from dcsim.app.server import serve

    serve(source, args.host, args.port, args.workers, show=args.show)
    return 0
