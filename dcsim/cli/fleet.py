"""``dcsim fleet``: run a fleet file (many campuses sharing queues and chip supply)."""

from __future__ import annotations

import argparse
import json

from dcsim.cli.options import add_executor_options, check_executor_options

#: What ``--out`` receives (:data:`dcsim.fleet.rundir.FILES`; named here so that ``--help``
#: does not import the simulator).
FLEET_FILES = ("fleet.json", "sites.parquet", "timeseries.parquet", "requests.parquet")

#: What ``--out`` receives with ``--replications``.
MONTE_CARLO_FILES = (
    "replications.parquet",
    "quantiles.parquet",
    "site_risk.parquet",
    "region_risk.parquet",
)


def register(subparsers: argparse._SubParsersAction) -> None:
    fleet = subparsers.add_parser(
        "fleet", help="simulate a fleet file: campuses sharing queues and chip supply"
    )
    fleet.add_argument("config", help="fleet YAML file (top-level key `fleet:`)")
    fleet.add_argument("--seed", type=int, default=0, help="root random seed (default 0)")
    fleet.add_argument(
        "--json", action="store_true", help="print one JSON object (fleet, regions, sites)"
    )
    fleet.add_argument("--out", metavar="DIR", help="write " + ", ".join(FLEET_FILES) + " here")
    fleet.add_argument(
        "--force",
        action="store_true",
        help="replace the results of an earlier run, or of another study, in --out",
    )
    fleet.add_argument(
        "--replications",
        type=int,
        metavar="N",
        help="Monte Carlo: replications 0..N-1 (common random numbers); --out receives "
        + " and ".join(MONTE_CARLO_FILES)
        + " (the same command resumes a killed study)",
    )
    fleet.add_argument(
        "--by",
        action="append",
        type=_date,
        metavar="DATE",
        help="with --replications: the probability each site (and all sites of each region) "
        "has first power, and its full cluster, by DATE (repeatable; default: the fleet's "
        "end date)",
    )
    add_executor_options(fleet, "serial", "replications")
    fleet.set_defaults(handler=fleet_command)


def _date(text: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date like 2027-12-31, got {text!r}") from None


def fleet_command(args: argparse.Namespace) -> int:
    from dcsim.errors import UserInputError
    from dcsim.fleet import run_fleet, rundir
    from dcsim.rng import MAX_SEED

    if not 0 <= args.seed <= MAX_SEED:
        raise UserInputError(f"--seed {args.seed}: expected a whole number from 0 to {MAX_SEED}")
    check_executor_options(args)
    if args.replications is not None:
        return _monte_carlo(args)
    if args.by:
        raise UserInputError("--by needs --replications (a Monte Carlo of the fleet)")
    if args.out:
        rundir.check(args.out, args.force)
    result = run_fleet(args.config, seed=args.seed)
    summary = {
        "fleet": result.kpis,
        "regions": _records(result.regions),
        "sites": _records(result.sites),
    }
    if args.out:
        tables = {name: getattr(result, name) for name in rundir.TABLES}
        rundir.write(args.out, summary, tables, args.force)
    if args.json:
        print(json.dumps(summary))
    else:
        _print(result, args.out)
    return 0


def _monte_carlo(args: argparse.Namespace) -> int:
    """Replications of the fleet on the chosen executor: a row each, and quantiles per KPI;
    with ``--out``, kept as they finish, so the same command resumes a killed study. Exit
    status 1 if any replication failed, as for a sweep."""
    from dcsim.fleet.montecarlo import monte_carlo

    study = monte_carlo(
        args.config,
        args.replications,
        seed=args.seed,
        executor=args.executor,
        workers=args.workers,
        address=args.address,
        scheduler_file=args.scheduler_file,
        out=args.out,
        force=args.force,
        by=args.by,
    )
    risk = study.site_risk
    if args.json:
        print(
            json.dumps(
                {
                    "replications": _records(study.runs),
                    "quantiles": _records(study.quantiles),
                    "site_risk": _records(risk),
                    "region_risk": _records(study.region_risk),
                }
            )
        )
    else:
        _print_quantiles(study, args.out)
        print_site_risk(risk)
        print_region_risk(study.region_risk)
    return 1 if study.failed else 0


def print_site_risk(risk) -> None:
    """Per-site dates (P50 and P90) and probabilities, with headers on two lines so that
    the table fits 80 columns for a handful of dates."""
    from rich.table import Table

    from dcsim.tables import print_fitted

    if risk.empty:
        return
    shares = [c for c in risk.columns if c.startswith("p_")]
    table = Table(
        title=f"risk per site over {int(risk['replications'].iloc[0])} replications",
        caption="dates: P50 and P90 over replications; P(...): share of replications",
    )
    table.add_column("site")
    for name in ("interconnect", "first power", "full cluster"):
        table.add_column(f"{name}\nP50", justify="right")
        table.add_column(f"{name}\nP90", justify="right")
    for column in shares:
        what, date = column.removeprefix("p_").split("_by_")
        table.add_column(f"P({what.replace('_', ' ')}\nby {date})", justify="right")
    for row in risk.to_dict("records"):
        cells = [row["site"]]
        for key in ("interconnect", "first_power", "full_cluster"):
            cells += [_date_cell(row[f"{key}_p50"]), _date_cell(row[f"{key}_p90"])]
        cells += [f"{row[c]:.0%}" for c in shares]
        table.add_row(*cells)
    print_fitted(table)


def print_region_risk(risk) -> None:
    """Per region: the GPUs its sites energized by the end (P10/P50/P90) and the share of
    replications in which all its sites have first power, and their full cluster, by each
    date (a region is at risk when any of its sites is)."""
    from rich.table import Table

    from dcsim.tables import print_fitted

    if risk.empty:
        return
    shares = [c for c in risk.columns if c.startswith("p_all_")]
    table = Table(
        title=f"risk per region over {int(risk['replications'].iloc[0])} replications",
        caption="GPUs energized at the end, summed over the region's sites; P(all ...): "
        "share of replications in which every site of the region got there",
    )
    table.add_column("region")
    table.add_column("sites", justify="right")
    for name in ("P10", "P50", "P90"):
        table.add_column(f"GPUs\n{name}", justify="right")
    for column in shares:
        what, date = column.removeprefix("p_all_").split("_by_")
        table.add_column(f"P(all {what.replace('_', ' ')}\nby {date})", justify="right")
    for row in risk.to_dict("records"):
        cells = [row["region"], str(row["sites"])]
        cells += [f"{row[f'gpus_energized_{q}']:,.0f}" for q in ("p10", "p50", "p90")]
        cells += [f"{row[c]:.0%}" for c in shares]
        table.add_row(*cells)
    print_fitted(table)


def _print_quantiles(study, out_dir: str | None) -> None:
    from rich.console import Console

    from dcsim.sweeps.summary import print_table

    console = Console()
    print_table(study.quantiles.assign(point=0), [], console)
    ok = len(study.runs) - study.failed
    console.print(f"{ok} replications ok, {study.failed} failed")
    if study.failed:
        first = study.runs.loc[study.runs["status"] != "ok", "error"].iloc[0]
        console.print(f"first error: {first}", markup=False, highlight=False)
    if out_dir:
        console.print(f"{' and '.join(MONTE_CARLO_FILES)} written to {out_dir}/")


def _records(frame) -> list[dict]:
    """Rows as JSON-safe mappings (NaN becomes null)."""
    return json.loads(frame.to_json(orient="records"))


def _print(result, out_dir: str | None) -> None:
    from rich.console import Console
    from rich.table import Table

    from dcsim.formatting import format_value
    from dcsim.kpis import fleet_display
    from dcsim.tables import print_fitted

    console = Console()
    table = Table(title=f"dcsim fleet: {result.kpis['fleet']} (seed {result.kpis['seed']})")
    table.add_column("KPI")
    table.add_column("value", justify="right")
    table.add_column("unit")
    for key, value in result.kpis.items():
        if key not in ("fleet", "seed"):
            table.add_row(key, *fleet_display(key, value))
    print_fitted(table, console)
    if len(result.regions):
        queues = Table(title="interconnection queues")
        for column in result.regions.columns:
            queues.add_column(column, justify="left" if column == "region" else "right")
        for row in _records(result.regions):
            queues.add_row(*(format_value(v) for v in row.values()))
        print_fitted(queues, console)
    if out_dir:
        console.print(f"results written to {out_dir}/")


def _date_cell(value) -> str:
    """A quantile date, or ``not reached`` where it falls on a run that never got there."""
    return value if isinstance(value, str) else "not reached"
