"""``dcsim capex backtest``: every method's rolling-origin record on one series or
pooled over the shipped companies."""

from __future__ import annotations

import argparse

from dcsim.cli.capex.checks import check_args
from dcsim.cli.capex.inputs import load_series
from dcsim.cli.capex.tables import print_backtest, print_json


def run_backtest(args: argparse.Namespace) -> int:
    """Backtest one series (or every shipped company with ``--pooled``) and print it."""
    import dcsim.growth as growth
    from dcsim.growth.guided import guidance_report

    check_args(args)
    if args.pooled:
        names = growth.companies(args.measure)
        series = [growth.load_company(c, measure=args.measure) for c in names]
    else:
        series = [load_series(args)[0]]
    result = growth.backtest(
        series,
        args.model,
        horizon=args.horizon,
        min_train=args.min_train,
        level=args.level,
        seed=args.seed,
        n_boot=args.n_boot,
        intervals="all" if args.all_intervals else "best",
        name="pooled" if args.pooled else series[0].name,
    )
    payload = {
        "company": result.name,
        "companies": [s.name for s in series],
        "level": args.level,
        "horizon": args.horizon,
        "min_train": args.min_train,
        "default": growth.DEFAULT_METHOD,
        "default_now": result.default_now,
        "summary": result.summary.reset_index().to_dict(orient="records"),
        "by_horizon": result.by_horizon.reset_index().to_dict(orient="records"),
        "failed_bootstrap_refits": result.n_failed_boot,
        "guidance": guidance_report(result, growth.DEFAULT_METHOD),
        "rows": result.rows.to_dict(orient="records"),
    }
    if args.json:
        print_json(payload)
    else:
        print_backtest(payload)
    return 0
