"""``dcsim sweep`` and ``dcsim sensitivity``: run an experiment file, store and summarize."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from dcsim.cli.options import add_executor_options, check_executor_options
from dcsim.runtime.limits import TIME_LIMIT_S

EXIT_RUNS_FAILED = 1
#: Most seconds one run may be given.
MAX_TIME_LIMIT_S = 7 * 24 * 3600.0


def register(subparsers: argparse._SubParsersAction) -> None:
    sweep = subparsers.add_parser(
        "sweep", help="run an experiment (Monte Carlo, grid, LHS, Sobol) and store every run"
    )
    _add_common(sweep)
    sweep.add_argument(
        "--timeseries",
        action="store_true",
        help="also store each run's time series under OUT/timeseries/",
    )
    sweep.set_defaults(handler=sweep_command)

    sensitivity = subparsers.add_parser(
        "sensitivity",
        help="Sobol indices (design sobol) or a tornado (design tornado) of the KPIs",
    )
    _add_common(sensitivity)
    sensitivity.set_defaults(handler=sensitivity_command, timeseries=False)


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("experiment", help="experiment YAML file (see docs/experiments.md)")
    add_executor_options(parser, "local", "runs")
    parser.add_argument(
        "--out", metavar="DIR", help="results directory (default: out/<experiment name>)"
    )
    parser.add_argument(
        "--replications", type=int, metavar="N", help="override the experiment's replications"
    )
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object on stdout and nothing else"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument(
        "--time-limit",
        type=float,
        default=TIME_LIMIT_S,
        metavar="SECONDS",
        help=f"wall-clock limit of one run, recorded as a failed run ({TIME_LIMIT_S:g})",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="discard the results of a different experiment found in the sweep store",
    )


def _run(args: argparse.Namespace, analyses=None):
    from dcsim.errors import UserInputError
    from dcsim.sweeps.experiment import load_experiment
    from dcsim.sweeps.runner import run_sweep

    if not 0 < args.time_limit <= MAX_TIME_LIMIT_S:
        raise UserInputError(
            f"--time-limit {args.time_limit:g}: expected seconds above 0, at most "
            f"{MAX_TIME_LIMIT_S:g}"
        )
    if args.replications is not None and args.replications < 1:
        raise UserInputError(f"--replications {args.replications}: expected at least 1")
    check_executor_options(args)
    experiment = load_experiment(args.experiment, args.replications)
    out = args.out or str(Path("out") / Path(args.experiment).stem)
    return run_sweep(
        experiment,
        out,
        origin=args.experiment,
        executor=args.executor,
        workers=args.workers,
        address=args.address,
        scheduler_file=args.scheduler_file,
        timeseries=args.timeseries,
        force=args.force,
        quiet=args.quiet or args.json,
        time_limit=args.time_limit,
        analyses=analyses,
    )


def sweep_command(args: argparse.Namespace) -> int:
    from rich.console import Console

    from dcsim.jsonsafe import json_safe
    from dcsim.sweeps.criticality import criticality, print_criticality
    from dcsim.sweeps.summary import print_table

    result = _run(args)
    critical = criticality(result.runs, result.plan.parameters)
    if args.json:
        print(
            json.dumps(
                json_safe(
                    {
                        "out": str(result.out),
                        "runs": len(result.runs),
                        "ok": result.ok,
                        "failed": result.failed,
                        "summary": result.summary.to_dict(orient="records"),
                        "criticality": critical.to_dict(orient="records"),
                    }
                )
            )
        )
    else:
        console = Console()
        print_table(result.summary, result.plan.parameters, console)
        print_criticality(critical, console)
        _report(console, result, "criticality.parquet")
    return EXIT_RUNS_FAILED if result.failed else 0


def sensitivity_command(args: argparse.Namespace) -> int:
    from rich.console import Console

    from dcsim.errors import UserInputError
    from dcsim.jsonsafe import json_safe
    from dcsim.sweeps.experiment import load_experiment
    from dcsim.sweeps.sensitivity import print_sobol, print_tornado, sobol, tornado

    design = load_experiment(args.experiment).design.type
    if design not in ("sobol", "tornado"):
        raise UserInputError(
            f"{args.experiment}: design.type: sensitivity needs sobol or tornado, not {design}"
        )
    name = f"{design}.json"
    result = _run(args, {name: sobol if design == "sobol" else tornado})
    analysis = result.analyses[name]
    if args.json:
        print(
            json.dumps(
                json_safe(
                    {
                        "out": str(result.out),
                        "ok": result.ok,
                        "failed": result.failed,
                        design: analysis,
                    }
                )
            )
        )
    else:
        console = Console()
        (print_sobol if design == "sobol" else print_tornado)(analysis, console)
        _report(console, result, name)
    return EXIT_RUNS_FAILED if result.failed else 0


def _report(console, result, *extra: str) -> None:
    files = ", ".join(("runs.parquet", "summary.parquet", *extra))
    console.print(f"{result.ok} runs ok, {result.failed} failed; {files} in {result.out}/")
    if result.failed:
        first = result.runs.loc[result.runs["status"] != "ok", "error"].iloc[0]
        console.print(f"first error: {first}", markup=False, highlight=False)
