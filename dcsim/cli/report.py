"""``dcsim report``: one HTML (or Markdown) report of a run or sweep directory."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report", help="write a self-contained HTML (or Markdown) report of a run or sweep"
    )
    parser.add_argument(
        "dir", help="run (summary.json), sweep (runs.parquet) or fleet (fleet.json) directory"
    )
    parser.add_argument(
        "--out", metavar="FILE", help="report file (default DIR/report.html or DIR/report.md)"
    )
    parser.add_argument(
        "--markdown", action="store_true", help="write Markdown with the PNGs beside it"
    )
    parser.add_argument(
        "--config",
        metavar="SCENARIO.yaml",
        help="scenario file whose sources to list (default DIR/scenario.yaml if present)",
    )
    parser.set_defaults(handler=report_command)


def report_command(args: argparse.Namespace) -> int:
    from dcsim.report import write_report

    path = write_report(args.dir, out=args.out, markdown=args.markdown, config=args.config)
    print(f"report written to {path}")
    return 0
