"""``dcsim calibrate``: fit the build modes' construction times to a real-site dataset."""

from __future__ import annotations

import argparse

from dcsim.cli.options import add_executor_options, check_executor_options


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "calibrate",
        help="fit build-mode durations to a real-site dataset and write a calibration file",
    )
    parser.add_argument("data", metavar="DATA", help="real-site dataset (CSV, docs/sites-data.md)")
    parser.add_argument("--out", metavar="FILE", required=True, help="calibration file to write")
    parser.add_argument("--seed", type=int, default=0, help="root seed of the simulations")
    add_executor_options(parser, "local", "the site simulations")
    parser.set_defaults(handler=calibrate_command)


def calibrate_command(args: argparse.Namespace) -> int:
    import math
    import shutil
    from pathlib import Path

    from dcsim.calibration.cache import cached
    from dcsim.calibration.dataset import load_sites
    from dcsim.calibration.fit import calibrate
    from dcsim.calibration.store import write_json
    from dcsim.errors import UserInputError
    from dcsim.rng import check_seed
    from dcsim.runtime.executors import open_executor

    check_seed("--seed", args.seed)
    check_executor_options(args)
    dataset = load_sites(args.data)
    out = Path(args.out)
    if out.is_dir():
        raise UserInputError(f"--out {out}: is a directory; expected a file name")
    # Finished site simulations are kept beside the file until it is written, so a killed
    # run resumes where it stopped.
    runs = out.parent / f".{out.name}.runs"
    with (
        open_executor(args.executor, args.workers, args.address, args.scheduler_file) as pool,
        cached(pool, runs, "calibrate") as runner,
    ):
        document = calibrate(dataset, args.seed, runner)
        write_json(out, document)
    shutil.rmtree(runs, ignore_errors=True)
    fit = document["parameters"]
    print(f"calibration of {document['n_sites_used']} sites written to {args.out}")
    trend = fit["trend"]
    print(f"  medians for construction begun on {trend['reference']}:")
    for mode, entry in fit["modes"].items():
        print(
            f"  {mode:<11} median construction {entry['median_days']:6.0f} days "
            f"(90% {entry['median_days_p05']:.0f}-{entry['median_days_p95']:.0f}; "
            f"{entry['n_sites']} sites)"
        )
    print(f"  spread (lognormal sigma) {fit['sigma']:.2f}")
    print(
        f"  trend: x{math.exp(trend['per_year']):.2f} per year of later start (90% "
        f"x{math.exp(trend['per_year_p05']):.2f}-x{math.exp(trend['per_year_p95']):.2f}), "
        f"held outside the starts fitted, {trend['first_start']} to {trend['last_start']}"
    )
    stop = fit["project_pause"]
    print(
        f"  project-wide stop: probability {stop['probability']:.2f} "
        f"(90% {stop['probability_p05']:.2f}-{stop['probability_p95']:.2f}), median "
        f"{stop['median_days']:.0f} days (90% {stop['median_days_p05']:.0f}-"
        f"{stop['median_days_p95']:.0f})"
    )
    check = document["posterior_predictive"]
    if check["n_observations"]:
        print(
            f"  in sample, P10-P90 held {check['coverage_p10_p90']:.0%} of "
            f"{check['n_observations']} observed milestones (out of sample: dcsim backtest)"
        )
    return 0
