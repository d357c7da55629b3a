"""``dcsim levers``: days gained and money spent per lever, on common random numbers."""

from __future__ import annotations

import argparse
import json


def register(subparsers: argparse._SubParsersAction) -> None:
    from dcsim.cli.run import add_set_option

    parser = subparsers.add_parser(
        "levers",
        help="the lever table: days gained at P50/P90, outlay and cost per day of each lever",
        description="Run the scenario and each lever (a lever file, or levers derived from "
        "the scenario: orders a quarter earlier, more crews, bridging turbines) on the same "
        "draws, and tabulate the days each gains on the full cluster at P50 and P90, its "
        "outlay, the outlay per day gained and the change in the optimizer's total cost.",
    )
    parser.add_argument("config", help="scenario YAML file")
    parser.add_argument(
        "--levers", metavar="FILE", help="lever file (default: levers derived from the scenario)"
    )
    parser.add_argument("--seed", type=int, default=0, help="root random seed (default 0)")
    parser.add_argument(
        "--replications", type=int, default=20, metavar="N", help="paired runs (default 20)"
    )
    parser.add_argument("--json", action="store_true", help="print the table as JSON records")
    add_set_option(parser)
    parser.set_defaults(handler=levers_command)


def levers_command(args: argparse.Namespace) -> int:
    from pathlib import Path

    from dcsim.cli.options import check_replications
    from dcsim.config import scenario_from_dict
    from dcsim.config.loader import apply_overrides, parse_set_options, read_yaml
    from dcsim.jsonsafe import json_safe
    from dcsim.levers import default_levers, lever_runs, lever_table, load_levers
    from dcsim.rng import check_seed

    check_replications(args.replications)
    check_seed("--seed", args.seed)
    raw = apply_overrides(read_yaml(Path(args.config)), parse_set_options(args.overrides))
    scenario = scenario_from_dict(raw, args.config)
    levers = load_levers(args.levers) if args.levers else default_levers(scenario, raw)
    table = lever_table(lever_runs(raw, levers, args.seed, args.replications), levers)
    if args.json:
        print(
            json.dumps(json_safe({"scenario": scenario.name, "levers": table.to_dict("records")}))
        )
        return 0
    print_levers(table, scenario.name, args.seed, args.replications)
    return 0


def print_levers(table, name: str, seed: int, replications: int) -> None:
    """The lever table in fixed units (M USD, k USD per day), so that it stays narrow
    enough for 80 columns and pastes into a spreadsheet as numbers."""
    from rich.table import Table

    from dcsim.tables import print_fitted

    out = Table(
        title=f"dcsim levers: {name} (seed {seed}, {replications} paired runs each)",
        caption="days gained: base date minus the lever's; outlay: median paired "
        "change in capex + electricity + fuel + crews; total cost adds carrying cost and "
        "compute not delivered (negative: the lever pays)",
    )
    out.add_column("lever")
    for column in (
        "full\ncluster\nP50 days",
        "full\ncluster\nP90 days",
        "first\npower\nP50 days",
        "outlay\nM USD",
        "k USD\nper day",
        "Δ total\nM USD",
    ):
        out.add_column(column, justify="right")
    for row in table.to_dict("records"):
        out.add_row(
            row["lever"],
            _days(row["days_gained_p50"]),
            _days(row["days_gained_p90"]),
            _days(row["first_power_days_gained_p50"]),
            _scaled(row["outlay_usd"], 1e6, signed=True),
            _scaled(row["usd_per_day_gained_p50"], 1e3, signed=False),
            _scaled(row["total_cost_change_usd"], 1e6, signed=True),
        )
    print_fitted(out)


def _days(value: float) -> str:
    import math

    if math.isinf(value):
        return "only with it" if value > 0 else "not with it"
    return f"{value:+,.0f}"


def _scaled(value: float | None, unit: float, signed: bool) -> str:
    """``value / unit`` to one decimal; a dash where there is no number (no day gained)."""
    import math

    if value is None or not math.isfinite(value):
        return "—"
    return f"{value / unit:{'+' if signed else ''},.1f}"
