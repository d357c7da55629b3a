"""``dcsim optimize``: search decisions under uncertainty, re-evaluate the best."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from dcsim.cli.options import add_executor_options, check_executor_options


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "optimize", help="choose decisions (a decision file) that minimize expected cost"
    )
    parser.add_argument("decisions", help="decision YAML file (see docs/optimize.md)")
    parser.add_argument("--trials", type=int, metavar="N", help="override the file's trials")
    parser.add_argument(
        "--replications", type=int, metavar="R", help="runs per trial (common random numbers)"
    )
    add_executor_options(parser, "serial", "a trial's runs")
    parser.add_argument(
        "--out", metavar="DIR", help="study directory (default: out/<decision file name>)"
    )
    parser.add_argument(
        "--force", action="store_true", help="discard a study of another decision file in --out"
    )
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object on stdout and nothing else"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(handler=optimize_command)


def optimize_command(args: argparse.Namespace) -> int:
    from rich.console import Console

    from dcsim.jsonsafe import json_safe
    from dcsim.optimization import optimize
    from dcsim.optimization.report import print_result

    check_executor_options(args)
    result = optimize(
        args.decisions,
        trials=args.trials,
        replications=args.replications,
        executor=args.executor,
        workers=args.workers,
        address=args.address,
        scheduler_file=args.scheduler_file,
        out=args.out or str(Path("out") / Path(args.decisions).stem),
        force=args.force,
        quiet=args.quiet or args.json,
    )
    if args.json:
        print(json.dumps(json_safe(result), default=str))
    else:
        print_result(result, Console())
    return 0
