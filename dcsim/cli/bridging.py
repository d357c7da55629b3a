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
        "--json",
        action="store_true",
        help="print one JSON object (medians and per-replication rows)",
    )
    parser.set_defaults(handler=bridging_command)


def bridging_command(args: argparse.Namespace) -> int:
    from dcsim.bridging import compare
    from dcsim.config import load_scenario
    from dcsim.errors import UserInputError

    if args.replications < 1:
        raise UserInputError("--replications must be at least 1")
    table = compare(
        load_scenario(args.config), seed=args.seed, replications=range(args.replications)
    )
    medians = table.median(numeric_only=True).to_dict()
    if args.json:
        print(
            json.dumps(
                {
                    "scenario": args.config,
                    "seed": args.seed,
                    "replications": args.replications,
                    "median": medians,
                    "runs": table.to_dict(orient="records"),
                },
                default=str,
            )
        )
        return 0
    from rich.console import Console
    from rich.table import Table

    out = Table(title=f"bridging: {args.config} ({args.replications} replications, medians)")
    out.add_column("")
    out.add_column("with generators", justify="right")
    out.add_column("grid only", justify="right")
    for key in (
        "days_to_full_cluster",
        "compute_gpu_days",
        "bridging_mwh",
        "bridging_fuel_cost_usd",
        "emissions_t_co2",
        "electricity_cost_usd",
    ):
        out.add_row(
            key,
            *(f"{medians.get(f'{key}_{side}', float('nan')):,.0f}" for side in ("with", "without")),
        )
    console = Console()
    console.print(out)
    console.print(
        f"GPU-days gained: {medians['gpu_days_gained']:,.0f}; bridging cost: "
        f"{medians['bridging_cost_usd']:,.0f} USD; per GPU-day gained: "
        f"{medians.get('cost_per_gpu_day_gained_usd', float('nan')):,.2f} USD"
    )
    return 0
