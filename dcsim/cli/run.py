"""``dcsim run``, ``dcsim validate`` and ``dcsim schema``."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

#: Every file ``--out`` writes, for ``dcsim run --help``.
OUT_FILES = (
    "summary.json (KPIs, flat keys)",
    "timeseries.parquet",
    "events.parquet",
    "stages.parquet",
    "critical_path.parquet",
    "stage_waits.parquet (days each stage waited on each constraint)",
    "scenario.yaml (the scenario as run)",
)
#: What ``--plot`` adds to the ``--out`` directory.
PLOT_FILES = (
    "run-power.png",
    "run-gpus.png",
    "run-capex.png",
    "run-schedule.png",
    "run-network.png",
)


def register(subparsers: argparse._SubParsersAction) -> None:
    run = subparsers.add_parser("run", help="simulate one scenario and report its KPIs")
    run.add_argument("config", help="scenario YAML file")
    run.add_argument("--seed", type=int, default=0, help="root random seed (default 0)")
    run.add_argument(
        "--out",
        metavar="DIR",
        help="write these files into DIR: " + ", ".join(OUT_FILES),
    )
    run.add_argument(
        "--force", action="store_true", help="replace the results of an earlier run in --out"
    )
    run.add_argument(
        "--plot",
        action="store_true",
        help="also draw the run figures into the --out directory: " + ", ".join(PLOT_FILES),
    )
    run.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object of KPIs (with the critical_path) on stdout and nothing else",
    )
    add_set_option(run)
    run.set_defaults(handler=run_command)

    validate = subparsers.add_parser(
        "validate",
        help="check a scenario, experiment, decision or fleet file (detected); print 'ok'",
    )
    validate.add_argument("config")
    add_set_option(validate)
    validate.set_defaults(handler=validate_command)

    schema = subparsers.add_parser("schema", help="print the scenario (or fleet) JSON schema")
    schema.add_argument(
        "kind", nargs="?", choices=("scenario", "fleet"), default="scenario", help="which file"
    )
    schema.set_defaults(handler=schema_command)


def add_set_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="override a field by dotted path, e.g. halls.0.pue=1.2 (repeatable)",
    )


def _load(args: argparse.Namespace):
    from dcsim.config import load_scenario
    from dcsim.config.loader import parse_set_options

    return load_scenario(args.config, parse_set_options(args.overrides))


def run_command(args: argparse.Namespace) -> int:
    from dcsim import critical_path
    from dcsim.api import check_run_dir, simulate, write_run
    from dcsim.errors import UserInputError

    if args.plot and not args.out:
        raise UserInputError("--plot needs --out DIR to write the figures into")
    scenario = _load(args)
    if args.out:
        check_run_dir(args.out, args.force)
    result = simulate(scenario, seed=args.seed)
    if args.out:
        write_run(result, args.out, source=args.config)
    if args.plot:
        from dcsim.report import write_run_plots

        write_run_plots(args.out)
    if args.json:
        chain = critical_path.records(result.critical_path)
        print(json.dumps({**result.kpis, "critical_path": chain}))
    else:
        from dcsim.kpis import unmodelled

        print_summary(result.kpis, args.out, unmodelled(result.scenario))
        print_critical_path(result.critical_path)
    return 0


def validate_command(args: argparse.Namespace) -> int:
    """A file with a ``base:`` key is an experiment: it is checked as a sweep would check
    it before writing anything (its base scenario, overrides, design and size). One with
    a ``fleet:`` key is a fleet: it is checked with every site's scenario built. One with a
    ``decisions:`` key is a decision file, checked as ``dcsim optimize`` checks it; one
    with a ``levers:`` key is a lever file (``dcsim levers``)."""
    from pathlib import Path

    from dcsim.config.loader import read_yaml
    from dcsim.errors import UserInputError

    data = read_yaml(Path(args.config))
    if args.overrides and {"fleet", "decisions", "base", "levers"} & set(data):
        raise UserInputError(
            f"{args.config}: --set applies to scenarios; use the file's own `set:` keys"
        )
    if "fleet" in data:
        return _validate_fleet(args)
    if "decisions" in data:
        return _validate_decisions(args)
    if "levers" in data:  # a lever file: its overrides are checked against a scenario by
        from dcsim.levers import load_levers  # `dcsim levers`, which knows the scenario

        print(f"ok: {len(load_levers(args.config))} levers")
        return 0
    if "base" not in data:
        _load(args)
        print("ok")
        return 0
    from dcsim.sweeps.experiment import load_experiment
    from dcsim.sweeps.plan import make_plan

    plan = make_plan(load_experiment(args.config), args.config)
    print(f"ok: experiment of {len(plan.points)} points x {plan.experiment.replications} runs")
    return 0


def _validate_fleet(args: argparse.Namespace) -> int:
    from dcsim.fleet.loader import load_fleet, site_plans

    fleet = load_fleet(args.config)
    plans = site_plans(fleet, args.config)
    print(f"ok: fleet of {len(plans)} sites in {len(fleet.regions)} regions")
    return 0


def _validate_decisions(args: argparse.Namespace) -> int:
    from dcsim.optimization.check import prepare
    from dcsim.optimization.decisions import load_decisions

    decisions = load_decisions(args.config)
    prepare(decisions, args.config)
    print(f"ok: decision file of {len(decisions.decisions)} decisions")
    return 0


def schema_command(args: argparse.Namespace) -> int:
    from dcsim.config.loader import file_schema

    if args.kind == "fleet":
        from dcsim.fleet.schema import Fleet

        print(json.dumps(Fleet.model_json_schema(), indent=2))
    else:
        print(json.dumps(file_schema(), indent=2))
    return 0


def print_summary(kpis: dict, out_dir: str | None, reasons: dict[str, str] | None = None) -> None:
    """The headline sentence, then the KPIs grouped with a unit column; internal rows in
    a footer. ``reasons`` replaces the value of KPIs the scenario does not model."""
    from rich.console import Console
    from rich.table import Table

    from dcsim.kpis import display, grouped, headline
    from dcsim.tables import print_fitted

    reasons = reasons or {}
    console = Console()
    console.print(headline(kpis))
    table = Table(title=f"dcsim run: {kpis.get('scenario')} (seed {kpis.get('seed')})")
    table.add_column("KPI")
    table.add_column("value", justify="right")
    table.add_column("unit")
    footer = []
    for group, keys in grouped(kpis):
        if group == "run":
            footer = [f"{key} {display(key, kpis[key])[0]}" for key in keys]
            continue
        table.add_row(f"[bold]{group}[/bold]", "", "")
        for key in keys:
            value, unit = display(key, kpis[key])
            if key in reasons:
                value, unit = f"[dim]{reasons[key]}[/dim]", ""
            table.add_row(f"  {key}", value, unit)
    print_fitted(table, console)
    console.print("[dim]" + "; ".join(footer) + "[/dim]")
    if out_dir:
        console.print(f"results written to {out_dir}/")


def print_critical_path(frame: pd.DataFrame, target: str = "full_cluster") -> None:
    """The chain of last-ending waits behind a target, as a short table."""
    from rich import box
    from rich.table import Table

    from dcsim.tables import print_fitted

    chain = frame[frame["target"] == target]
    if chain.empty:
        return
    # Columns one space apart and no outer frame: the chain fits 80 columns whole.
    table = Table(
        title="What sets the full-cluster date: the critical chain, earliest first",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        padding=(0, 0),
    )
    for column, justify in (
        ("kind", "left"),
        ("entity", "left"),
        ("what", "left"),
        ("from", "right"),
        ("to", "right"),
        ("days", "right"),
        ("draw", "left"),
    ):
        table.add_column(column, justify=justify)
    for row in chain.to_dict("records"):
        table.add_row(
            row["kind"],
            row["entity"],
            row["what"],
            row["start_date"].date().isoformat(),
            row["end_date"].date().isoformat(),
            f"{row['days']:,.1f}",
            row["draw"],
        )
    print_fitted(table)
