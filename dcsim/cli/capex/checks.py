"""Checks on ``dcsim capex`` flags before any work: one line per problem, exit 2."""

from __future__ import annotations

import argparse

from dcsim.errors import UserInputError
from dcsim.rng import MAX_SEED

MAX_FORECAST_YEARS = 100
MAX_N_BOOT = 100_000


def check_args(args: argparse.Namespace) -> None:
    problems = []
    if not 0.0 < args.level < 1.0:
        problems.append(f"--level must be between 0 and 1, got {args.level}")
    if not 10 <= args.n_boot <= MAX_N_BOOT:
        problems.append(f"--n-boot must be from 10 to {MAX_N_BOOT:,}, got {args.n_boot}")
    if not 0 <= getattr(args, "forecast", 1) <= MAX_FORECAST_YEARS:
        problems.append(f"--forecast must be from 0 to {MAX_FORECAST_YEARS}, got {args.forecast}")
    if getattr(args, "horizon", 1) < 1 or getattr(args, "horizon", 1) > MAX_FORECAST_YEARS:
        problems.append(f"--horizon must be from 1 to {MAX_FORECAST_YEARS}, got {args.horizon}")
    if not 0 <= args.seed <= MAX_SEED:
        problems.append(f"--seed must be from 0 to {MAX_SEED}, got {args.seed}")
    method = getattr(args, "method", None)
    if method is not None:
        from dcsim.growth.backtest import TRACK_RECORD
        from dcsim.growth.methods import methods

        known = [TRACK_RECORD, *methods("all")]
        if method not in known:
            problems.append(
                f"--method: unknown method {method!r}; choose one of: {', '.join(known)}"
            )
        elif method == "auto" and args.guidance:
            problems.append("--guidance needs a backtested method (its errors), not auto")
    if getattr(args, "to_gpus", None):
        from dcsim.config.catalog import builtin_catalog

        chips = sorted(builtin_catalog())
        if args.to_gpus not in chips:
            problems.append(f"--to-gpus: unknown chip {args.to_gpus!r}; known: {', '.join(chips)}")
    ai_share = getattr(args, "ai_share", None)
    if ai_share is not None and not 0 < ai_share <= 1:
        problems.append(f"--ai-share must be above 0 and at most 1, got {ai_share}")
    if ai_share is not None and not getattr(args, "to_gpus", None):
        problems.append("--ai-share goes with --to-gpus CHIP")
    from_run = getattr(args, "from_run", None)
    if getattr(args, "pooled", False) and (args.csv or args.company):
        problems.append("--pooled backtests every shipped company: drop the CSV or --company")
    elif args.csv and from_run:
        problems.append("give either a CSV file or --from-run DIR, not both")
    elif not (args.csv or from_run or args.company or getattr(args, "pooled", False)):
        also = ", or --from-run DIR" if "from_run" in args else ""  # only `fit` has it
        problems.append(f"give a CSV file or --company NAME{also}")
    if problems:
        raise UserInputError(problems)
