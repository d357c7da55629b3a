"""``dcsim compare``: named scenarios side by side on common random numbers."""

from __future__ import annotations

import argparse
import json

#: What ``--out`` writes.
OUT_FILES = (
    "compare.parquet (one row per scenario and replication)",
    "compare.json (the table, long form)",
    "report.html",
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "compare",
        help="scenarios side by side on the same draws: deltas in dates, dark GPU-days, money",
        description="Run every scenario on the same seeds and replication indices (common "
        "random numbers) and tabulate, against the first, the P10/P50/P90 full-cluster and "
        "first-power dates, dark GPU-days, stranded capex, capex and spend.",
    )
    parser.add_argument("configs", nargs="+", metavar="SCENARIO", help="scenario YAML files")
    parser.add_argument(
        "--name",
        action="append",
        dest="names",
        metavar="LABEL",
        help="label of each scenario, in order (default: each scenario's name)",
    )
    parser.add_argument("--seed", type=int, default=0, help="root random seed (default 0)")
    parser.add_argument(
        "--replications",
        type=int,
        default=20,
        metavar="N",
        help="paired runs per scenario (default 20)",
    )
    parser.add_argument("--out", metavar="DIR", help="write " + ", ".join(OUT_FILES))
    parser.add_argument("--force", action="store_true", help="replace an earlier comparison")
    parser.add_argument("--json", action="store_true", help="print the table as JSON records")
    parser.set_defaults(handler=compare_command)


def compare_command(args: argparse.Namespace) -> int:
    from dcsim.cli.options import check_replications
    from dcsim.compare import deltas, paired_runs, scenario_labels
    from dcsim.config import load_scenario
    from dcsim.errors import UserInputError
    from dcsim.jsonsafe import json_safe
    from dcsim.rng import check_seed

    if len(args.configs) < 2:
        raise UserInputError("compare: give at least two scenario files")
    if args.names and len(args.names) != len(args.configs):
        raise UserInputError(
            f"--name: {len(args.names)} label(s) for {len(args.configs)} scenario files"
        )
    check_replications(args.replications)
    check_seed("--seed", args.seed)
    scenarios = [load_scenario(path) for path in args.configs]
    labels = scenario_labels([s.name for s in scenarios], args.names)
    if len(set(labels)) != len(labels):
        raise UserInputError(f"--name: labels must differ, got {labels}")
    if args.out:
        _check_out(args.out, args.force)
    runs = paired_runs(dict(zip(labels, scenarios, strict=True)), args.seed, args.replications)
    table = deltas(runs)
    meta = {
        "seed": args.seed,
        "replications": args.replications,
        "files": dict(zip(labels, map(str, args.configs), strict=True)),
    }
    if args.out:
        _write(args.out, runs, table, meta)
    if args.json:
        print(json.dumps(json_safe({**meta, "table": table.to_dict("records")})))
        return 0
    _print(table, meta)
    if args.out:
        print(f"comparison written to {args.out}/")
    return 0


def _check_out(out: str, force: bool) -> None:
    from pathlib import Path

    from dcsim.errors import UserInputError

    if (Path(out) / "compare.parquet").exists() and not force:
        raise UserInputError(
            f"{out}: holds an earlier comparison (compare.parquet); use another --out, or "
            "--force to replace it"
        )


def _write(out: str, runs, table, meta: dict) -> None:
    from dcsim.files import atomic, output_dir
    from dcsim.jsonsafe import json_safe
    from dcsim.report.compare import compare_report
    from dcsim.report.html import to_html

    directory = output_dir(out)
    atomic(directory / "compare.parquet", lambda p: runs.to_parquet(p, index=False))
    text = json.dumps(json_safe({**meta, "table": table.to_dict("records")}), indent=2)
    atomic(directory / "compare.json", lambda p: p.write_text(text, encoding="utf-8"))
    html = to_html(compare_report(runs, table, meta))
    atomic(directory / "report.html", lambda p: p.write_text(html, encoding="utf-8"))


def _print(table, meta: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    from dcsim.compare import headline, wide
    from dcsim.tables import print_fitted

    header, rows = wide(table)
    out = Table(
        title=f"dcsim compare (seed {meta['seed']}, {meta['replications']} paired runs each)",
        caption="Δ against the first scenario: dates, difference of the quantile dates; "
        "amounts, median of the paired differences",
    )
    for i, name in enumerate(header):
        out.add_column(name, justify="left" if i < 2 else "right", overflow="fold")
    for row in rows:
        out.add_row(*row)
    console = Console()
    console.print(headline(table))
    print_fitted(out, console)
