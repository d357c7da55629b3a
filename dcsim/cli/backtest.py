"""``dcsim backtest``: score calibrated forecasts on real sites the fit did not see."""

from __future__ import annotations

import argparse

from dcsim.cli.options import add_executor_options, check_executor_options


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "backtest",
        help="leave-one-site-out and time-split backtest of the calibrated forecasts",
    )
    parser.add_argument(
        "--data", metavar="FILE", help="real-site dataset (default: the one dcsim ships)"
    )
    parser.add_argument(
        "--calibration",
        metavar="FILE",
        help="score this calibration file's durations as they are instead of refitting "
        "without each site (in sample if it was fitted on the same data)",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--out", metavar="DIR", help="write the report (HTML, figures, CSV) here")
    parser.add_argument("--seed", type=int, default=0, help="root seed of the simulations")
    parser.add_argument(
        "--replications",
        type=int,
        default=200,
        metavar="N",
        help="Monte Carlo replications per site forecast (default 200)",
    )
    parser.add_argument(
        "--split-year",
        type=int,
        metavar="YEAR",
        help="time split: fit on sites begun before 1 January YEAR (default: about 2/3 before)",
    )
    add_executor_options(parser, "local", "the site simulations")
    parser.set_defaults(handler=backtest_command)


def backtest_command(args: argparse.Namespace) -> int:
    import contextlib
    import datetime as dt
    import shutil
    import sys

    from dcsim.calibration.backtest import backtest
    from dcsim.calibration.cache import cached
    from dcsim.calibration.dataset import load_sites, shipped_sites
    from dcsim.calibration.fit import Calibrated
    from dcsim.calibration.report import headline, write_report
    from dcsim.calibration.store import dumps
    from dcsim.config.build_modes import calibration_document
    from dcsim.errors import UserInputError
    from dcsim.files import output_dir
    from dcsim.rng import check_seed
    from dcsim.runtime.executors import open_executor

    check_seed("--seed", args.seed)
    check_executor_options(args)
    if not 10 <= args.replications <= 100_000:
        raise UserInputError(f"--replications {args.replications}: expected 10 to 100000")
    out = output_dir(args.out) if args.out else None
    cut = None
    if args.split_year is not None:
        if not 1990 < args.split_year <= 2100:
            raise UserInputError(f"--split-year {args.split_year}: expected 1991 to 2100")
        cut = dt.date(args.split_year, 1, 1)
    dataset = load_sites(args.data or shipped_sites())
    fixed = None
    if args.calibration:
        try:
            fixed = Calibrated.of_document(calibration_document(args.calibration))
        except ValueError as error:
            raise UserInputError(f"--calibration {error}") from None
    with contextlib.ExitStack() as stack:
        pool = stack.enter_context(
            open_executor(args.executor, args.workers, args.address, args.scheduler_file)
        )
        if out is not None:  # finished simulations kept in DIR/.runs: a killed run resumes
            pool = stack.enter_context(cached(pool, out / ".runs", "backtest"))
        result, scored = backtest(
            dataset, args.seed, pool, fixed=fixed, cut=cut, replications=args.replications
        )
    if out is not None:
        page = write_report(out, result, scored)
        shutil.rmtree(out / ".runs", ignore_errors=True)  # kept only to resume a killed run
        print(f"report written to {page}", file=sys.stderr if args.json else sys.stdout)
    if args.json:
        sys.stdout.write(dumps(result))
    else:
        print(headline(result))
        methods = (("calibrated", result), *result["baselines"].items())
        width = max(len(name) for name, _ in methods)
        for name, scores in methods:
            print(f"  {name:<{width}}  {score_line(scores)}")
    return 0


def score_line(scores: dict) -> str:
    """One method's scores; '-' for a score it has none of (a reference class with fewer
    than three other outcomes to draw on forecasts nothing)."""

    def shown(key: str, fmt: str, unit: str = "") -> str:
        return "-" if scores.get(key) is None else format(scores[key], fmt) + unit

    return (
        f"P10-P90 {shown('coverage_p10_p90', '.0%')}  P25-P75 "
        f"{shown('coverage_p25_p75', '.0%')}  CRPS {shown('crps_mean', '.0f', ' d')}  "
        f"interval score {shown('interval_score_mean', '.0f', ' d')}"
    )
