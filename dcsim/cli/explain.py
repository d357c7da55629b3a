"""``dcsim explain``: what sets the date, and what each constraint class is worth.

Also home of the critical-path table that ``dcsim run`` prints after its KPIs.
"""

from __future__ import annotations

import argparse
import json
import sys

import pandas as pd


def register(subparsers: argparse._SubParsersAction) -> None:
    from dcsim.cli.run import add_set_option
    from dcsim.constraints.builtin import BUILTIN

    names = ", ".join(c.relax_as for c in BUILTIN if c.relax_as is not None)
    explain = subparsers.add_parser(
        "explain",
        help="days each constraint class costs: re-run with it relaxed, on the same draws",
        description="Re-run the scenario with each constraint class relaxed in turn "
        f"({names}, and any plug-in class the scenario has) and with the two largest "
        "together, on the same random draws, and report the "
        "days gained on the full cluster and on half the GPUs and the change in stranded "
        "capex: mean and P10/P90 over the replications.",
    )
    explain.add_argument("config", help="scenario YAML file")
    explain.add_argument("--seed", type=int, default=0, help="root random seed (default 0)")
    explain.add_argument(
        "--replications",
        type=int,
        default=1,
        metavar="N",
        help="paired runs per relaxation (default 1)",
    )
    explain.add_argument("--json", action="store_true", help="print the table as JSON records")
    add_set_option(explain)
    explain.set_defaults(handler=explain_command)


def explain_command(args: argparse.Namespace) -> int:
    from dcsim.cli.options import check_replications
    from dcsim.cli.run import _load
    from dcsim.counterfactuals import explain
    from dcsim.jsonsafe import json_safe
    from dcsim.progress import progress_bar

    check_replications(args.replications)
    scenario = _load(args)
    # On a terminal only, and on stderr: stdout (the table, --json) is the same without it.
    with progress_bar("explain", quiet=not sys.stderr.isatty(), transient=True) as advance:
        frame = explain(scenario, seed=args.seed, replications=args.replications, progress=advance)
    if args.json:
        records = frame.to_dict("records")
        print(json.dumps(json_safe({"base": dict(frame.attrs), "relaxations": records})))
        return 0
    print_explanation(frame, scenario.name, args.seed)
    return 0


def print_explanation(frame: pd.DataFrame, name: str, seed: int) -> None:
    from rich.table import Table

    from dcsim.tables import print_fitted

    runs = int(frame["replications"].iloc[0])
    table = Table(
        title=f"dcsim explain: {name} (seed {seed}, {runs} paired run{'s' * (runs > 1)} each)",
        caption="days gained: base date minus relaxed date (mean, P10 to P90); "
        "a date not reached counts as the horizon",
    )
    table.add_column("relaxed")
    table.add_column("full cluster (days)", justify="right")
    table.add_column("half the GPUs (days)", justify="right")
    table.add_column("stranded capex (M USD-years)", justify="right")
    for row in frame.to_dict("records"):
        table.add_row(
            row["relaxed"],
            _spread(row, "full_cluster_gain_days"),
            _spread(row, "50pct_gain_days"),
            _spread(row, "stranded_capex_usd_years_change", scale=1e-6),
        )
    print_fitted(table)


def _spread(row: dict, name: str, scale: float = 1.0) -> str:
    mean, low, high = (row[f"{name}_{s}"] * scale for s in ("mean", "p10", "p90"))
    if low == high:
        return f"{mean:,.1f}"
    return f"{mean:,.1f}  ({low:,.1f} to {high:,.1f})"
