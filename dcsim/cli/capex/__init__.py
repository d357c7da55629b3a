"""``dcsim capex``: fit growth curves to a capex series, forecast, and backtest.

This module builds the parser; :mod:`.checks` refuses bad flags, :mod:`.inputs` loads
the series, :mod:`.fit` and :mod:`.backtest` run the two actions and :mod:`.tables`
prints them.

``fit --json`` prints one JSON object with ``company``, ``models`` (each with ``name``,
``params``, ``aicc``, ``rmse``), ``best`` and ``forecast`` (``{year, value, lower,
upper}`` at ``level``); other keys are extras. ``fit --from-run DIR`` fits the annual capex
of a ``dcsim run --out DIR`` run, so a simulated build-out can be compared with the curves
that drive budgets.
"""

from __future__ import annotations

import argparse

from dcsim.cli.capex.backtest import run_backtest
from dcsim.cli.capex.fit import run_fit

MODEL_CHOICES = (
    "auto (all but quadexp), all, or a comma-separated list of: exponential, quadexp, "
    "logistic, gompertz, richards"
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "capex", help="Fit growth curves to capex series, forecast and backtest."
    )
    actions = parser.add_subparsers(dest="capex_command", required=True, metavar="ACTION")
    fit = actions.add_parser("fit", help="Fit and rank models by AICc; forecast with intervals.")
    _series_args(fit, n_boot=500)
    fit.add_argument(
        "--from-run",
        metavar="DIR",
        help="fit the annual capex of a `dcsim run --out DIR` run (whole calendar years)",
    )
    fit.add_argument("--until", type=int, metavar="YEAR", help="fit only data up to YEAR")
    fit.add_argument("--forecast", type=int, default=5, metavar="N", help="years ahead (5)")
    fit.add_argument("--plot", metavar="FILE.png", help="save a figure of the fit and forecast")
    fit.add_argument(
        "--method",
        default="track_record",
        help="forecast method: track_record (default: the method with the best backtest "
        "record so far, conformal interval), auto (the AICc curve, bootstrap interval), or "
        "any method of `dcsim capex backtest`",
    )
    fit.add_argument(
        "--guidance",
        action="store_true",
        help="condition next year on the company's guidance (shipped companies), its error "
        "learned from past guidance-vs-actual pairs",
    )
    fit.add_argument(
        "--to-gpus",
        metavar="CHIP",
        help="also tabulate the GPUs of catalog CHIP each forecast year buys (P10/P50/P90)",
    )
    fit.add_argument(
        "--ai-share",
        type=float,
        help="share of capex that buys GPU servers, with --to-gpus "
        "(0.6: servers' share of Alphabet's capex)",
    )
    fit.set_defaults(handler=run_fit)
    back = actions.add_parser("backtest", help="Rolling-origin backtest: MAPE and coverage.")
    _series_args(back, n_boot=200)
    back.add_argument("--horizon", type=int, default=3, help="years forecast per origin (3)")
    back.add_argument("--min-train", type=int, default=8, help="points in the first fit (8)")
    back.add_argument(
        "--all-intervals", action="store_true", help="bootstrap every model, not just the best"
    )
    back.add_argument(
        "--pooled",
        action="store_true",
        help="backtest every shipped company of --measure at once (errors pooled)",
    )
    back.set_defaults(handler=run_backtest)


def _series_args(parser: argparse.ArgumentParser, n_boot: int) -> None:
    parser.add_argument("csv", nargs="?", help="CSV with year and value columns")
    parser.add_argument("--company", help="company in the shipped data (or a CSV's company column)")
    parser.add_argument(
        "--measure",
        default="purchases",
        choices=("purchases", "incl-finance-leases"),
        help="shipped measure (purchases)",
    )
    parser.add_argument(
        "--kind", default="actual", choices=("actual", "guidance", "all"), help="rows (actual)"
    )
    parser.add_argument("--year-col", default="year", help="CSV year column (year)")
    parser.add_argument("--value-col", default="value", help="CSV value column (value)")
    parser.add_argument("--company-col", default="company", help="CSV company column (company)")
    parser.add_argument("--model", default="auto", help=MODEL_CHOICES)
    parser.add_argument("--level", type=float, default=0.9, help="interval level (0.9)")
    parser.add_argument("--seed", type=int, default=0, help="bootstrap seed (0)")
    parser.add_argument("--n-boot", type=int, default=n_boot, help=f"bootstrap refits ({n_boot})")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
