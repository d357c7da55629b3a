"""``dcsim bridging``: what on-site generation buys, run for run against the grid alone."""

from __future__ import annotations

import argparse
import json


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "bridging", help="compare a scenario with and without its bridging generation"
    )
    parser.add_argument("config", help="scenario YAML file with grid.generators")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument(
        "--gpu-day-value",
        type=float,
        metavar="USD",
        help="what one GPU-day of compute is worth to you (default: the scenario's "
        "economics.value_per_gpu_hour x 24)",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object (medians and per-replication rows)",
    )
    parser.set_defaults(handler=bridging_command)


def bridging_command(args: argparse.Namespace) -> int:
    from dcsim.bridging import compare, gpu_day_value, verdict
    from dcsim.config import load_scenario
    from dcsim.errors import UserInputError
    from dcsim.tables import print_fitted

    if args.replications < 1:
        raise UserInputError("--replications must be at least 1")
    scenario = load_scenario(args.config)
    value, value_source = gpu_day_value(scenario)
    if args.gpu_day_value is not None:
        value, value_source = args.gpu_day_value, "--gpu-day-value"
    if not value > 0:
        raise UserInputError(
            f"{value_source}: a GPU-day's value must be a positive number of USD, got {value}"
        )
    table = compare(scenario, seed=args.seed, replications=range(args.replications))
    medians = {k: (None if v != v else v) for k, v in table.median(numeric_only=True).items()}
    cost = medians.get("cost_per_gpu_day_gained_usd")
    said = verdict(cost, value)
    if args.json:
        print(
            json.dumps(
                {
                    "scenario": args.config,
                    "seed": args.seed,
                    "replications": args.replications,
                    "median": medians,
                    "gpu_day_value_usd": value,
                    "gpu_day_value_source": value_source,
                    "verdict": said,
                    "runs": table.to_dict(orient="records"),
                },
                default=str,
            )
        )
        return 0
    from rich.console import Console
    from rich.table import Table

    from dcsim.kpis import display

    out = Table(title=f"bridging: {args.config} ({args.replications} replications, medians)")
    out.add_column("KPI")
    out.add_column("with generators", justify="right")
    out.add_column("grid only", justify="right")
    for key in (
        "full_cluster_date",
        "days_to_full_cluster",
        "compute_gpu_days",
        "bridging_mwh",
        "bridging_fuel_cost_usd",
        "emissions_t_co2",
        "electricity_cost_usd",
    ):
        out.add_row(key, *(_median_cell(table, key, side) for side in ("with", "without")))
    console = Console()
    print_fitted(out, console)
    gained = display("compute_gpu_days", medians["gpu_days_gained"])
    spent = display("capex_usd", medians["bridging_cost_usd"])
    console.print(f"GPU-days gained: {' '.join(gained)}; bridging cost: {' '.join(spent)}")
    console.print(f"Value of a GPU-day: {value:,.2f} USD ({value_source})")
    console.print(f"[bold]Verdict: {said}.[/bold]")
    return 0


def _median_cell(table, key: str, side: str) -> str:
    """The median of a KPI over replications with its unit; a date (or days to a date)
    over the runs that reached it, ``not reached`` if none did."""
    import pandas as pd

    from dcsim.kpis import display

    column = table[f"{key}_{side}"]
    if key.endswith("_date"):
        dates = pd.to_datetime(column, errors="coerce").dropna()
        return "not reached" if dates.empty else dates.median().date().isoformat()
    values = pd.to_numeric(column, errors="coerce").dropna()
    if values.empty:
        return "not reached"
    return " ".join(display(key, float(values.median()))).strip()
