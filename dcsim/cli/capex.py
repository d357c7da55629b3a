"""``dcsim capex``: fit growth curves to a capex series, forecast, and backtest.

``fit --json`` prints one JSON object with ``company``, ``models`` (each with ``name``,
``params``, ``aicc``, ``rmse``), ``best`` and ``forecast`` (``{year, value, lower,
upper}`` at ``level``); other keys are extras. ``fit --from-run DIR`` fits the annual capex
of a ``dcsim run --out DIR`` run, so a simulated build-out can be compared with the curves
that drive budgets.
"""

from __future__ import annotations

import argparse
import json

from dcsim.errors import UserInputError
from dcsim.formatting import axis_scale
from dcsim.jsonsafe import json_safe
from dcsim.rng import MAX_SEED

#: Bounds on the work one command may ask for: a forecast is refitted ``--n-boot`` times.
MAX_FORECAST_YEARS = 100
MAX_N_BOOT = 100_000

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
    fit.set_defaults(handler=_fit)
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
    back.set_defaults(handler=_backtest)


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


def _check_args(args: argparse.Namespace) -> None:
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


def _load(args: argparse.Namespace):
    """The series to fit, and ``{year: reason}`` for run years left out (partial, no spend)."""
    import dcsim.growth as growth

    if getattr(args, "from_run", None):
        from dcsim.growth.data import series_from_run

        return series_from_run(args.from_run)
    if args.csv:
        series = growth.load_csv(
            args.csv, args.year_col, args.value_col, args.company, args.company_col
        )
    else:
        series = growth.load_company(args.company, measure=args.measure, kind=args.kind)
    return series, {}


def _print_json(payload: dict) -> None:
    print(json.dumps(json_safe(payload), indent=2, allow_nan=False))


def _fit(args: argparse.Namespace) -> int:
    import dcsim.growth as growth

    _check_args(args)
    full, dropped = _load(args)
    series = full.until(args.until)
    try:
        result = growth.fit(series.years, series.values, args.model, name=series.name)
    except UserInputError as error:  # say which run years were left out, if any
        left_out = [f"left out {year}: {why}" for year, why in dropped.items()]
        raise UserInputError([*error.problems, *left_out]) from None
    forecast, p10_p90, used = _forecasts(args, result, series)
    truth, guidance = _known_values(args, full)
    records = [_with_known(r, truth, guidance) for r in forecast.records()]
    payload = {
        **result.to_dict(args.level),
        "unit": series.unit,
        "level": args.level,
        "forecast_model": forecast.model,
        "method": args.method,
        "method_used": used,
        "interval": "bootstrap" if args.method == "auto" else "conformal",
        "forecast": records,
        "n_boot": forecast.n_boot,
        "failed_bootstrap_refits": forecast.n_failed,
        "warnings": [f"{f.name}: {w}" for f in result.ranked for w in f.warnings],
        "sources": sorted(set(series.sources)),
    }
    if args.to_gpus:
        payload["gpus"] = _gpu_table(args, forecast, p10_p90)
    if args.from_run:
        payload["dropped_years"] = [{"year": y, "reason": why} for y, why in dropped.items()]
    if args.plot:
        _save_plot(
            result, forecast, args.plot, f"capex ({series.unit})" if series.unit else "value"
        )
    if args.json:
        _print_json(payload)
    else:
        _print_fit(result, forecast, payload)
    return 0


def _panel(args: argparse.Namespace, series) -> list:
    """For a shipped company, the other shipped companies cut at the same last year (the
    pooled methods and the pooled track record use them); none for a CSV or a run."""
    from dcsim.growth.data import other_companies

    if not args.company or args.csv or getattr(args, "from_run", None):
        return []
    return other_companies(args.company, args.measure, int(series.years[-1]))


def _forecasts(args: argparse.Namespace, result, series):
    """The forecast at ``--level``, the P10–P90 band (for --to-gpus) and the method used."""
    quantiles = 0.8  # P10 to P90
    if args.method == "auto":
        kw = {"seed": args.seed, "n_boot": args.n_boot}
        forecast = result.forecast(args.forecast, level=args.level, **kw)
        band = result.forecast(args.forecast, level=quantiles, **kw) if args.to_gpus else None
        return forecast, band, result.best.name
    from dcsim.growth.calibrated import calibrated_forecast

    panel = _panel(args, series)
    known = _usable_guidance([series, *panel]) if args.guidance else None
    calibrated = calibrated_forecast(series, panel, args.method, args.forecast, args.model)
    forecast, band = calibrated.at(args.level), calibrated.at(quantiles)
    if known is not None and forecast.years.size:
        from dcsim.growth.guided import condition_on_guidance

        errors = calibrated.errors[0]
        guided = [condition_on_guidance(f, errors, *known) for f in (forecast, band)]
        if None in guided:
            raise UserInputError("--guidance: fewer than two backtest errors at horizon 1")
        forecast, band = guided
    return forecast, band, calibrated.used


def _usable_guidance(series: list):
    """Next year's guidance for ``series[0]`` and the pairs to learn its error from, or a
    one-line error saying why it cannot be used (checked before any forecasting)."""
    from dcsim.growth.guidance import learned_error, load_guidance, pairs, usable

    guidance = load_guidance()
    origin = int(series[0].years[-1])
    given = usable(guidance).get((series[0].name, origin + 1))
    actuals = {
        (s.name, int(y)): float(v) for s in series for y, v in zip(s.years, s.values, strict=True)
    }
    pair_frame = pairs(guidance, actuals)
    if given is None or learned_error(pair_frame, origin)[2] < 2:
        raise UserInputError(
            f"--guidance: no usable guidance for {series[0].name} {origin + 1}, or fewer "
            "than two guidance-vs-actual pairs resolved by then"
        )
    return given, pair_frame, origin


def _gpu_table(args: argparse.Namespace, forecast, band) -> dict:
    """GPUs of ``--to-gpus`` each forecast year buys at P10, P50 and P90 of its capex."""
    from dcsim.config.budget import DEFAULT_AI_SHARE, gpus_bought
    from dcsim.config.catalog import builtin_catalog

    chip = builtin_catalog()[args.to_gpus]  # known: checked with the other flags
    share = DEFAULT_AI_SHARE if args.ai_share is None else args.ai_share
    rows = []
    for year, p10, p50, p90 in zip(
        forecast.years, band.lower, forecast.value, band.upper, strict=True
    ):
        capex = {"p10": float(p10), "p50": float(p50), "p90": float(p90)}
        row = {"year": int(year), **{f"capex_{k}": v for k, v in capex.items()}}
        for k, v in capex.items():
            row[f"gpus_{k}"] = gpus_bought(v, share, chip.price) if v == v else None
        rows.append(row)
    return {
        "chip": args.to_gpus,
        "price_usd": chip.price,
        "price_source": chip.source,
        "ai_share": share,
        "ai_share_source": "given (--ai-share)"
        if args.ai_share is not None
        else "servers' share of Alphabet's capex, about 60% (Q4 2025 call; recalled)",
        "rows": rows,
    }


def _known_values(args: argparse.Namespace, full) -> tuple[dict[int, float], dict[int, float]]:
    """What the data says about forecast years: reported actuals and, for a shipped
    company, its latest guidance. Actuals come from the reported rows whatever ``--kind``
    the fit used, so a forecast is never scored against guidance."""
    from dcsim import growth

    series = {"actual": full, "guidance": None}
    if args.company and not args.csv and not getattr(args, "from_run", None):
        for kind in series:
            try:
                series[kind] = growth.load_company(args.company, measure=args.measure, kind=kind)
            except UserInputError:
                series[kind] = None  # the company has no rows of this kind
    return tuple(
        {} if s is None else dict(zip(s.years.tolist(), s.values.tolist(), strict=True))
        for s in series.values()
    )


def _with_known(record: dict, truth: dict[int, float], guidance: dict[int, float]) -> dict:
    """A forecast row with the actual and the guidance for its year, if known, and whether
    the guidance lies outside the forecast interval (the curve missing a regime change)."""
    year, out = record["year"], dict(record)
    if year in truth:
        out["actual"] = truth[year]
    if year in guidance:
        out["guidance"] = guidance[year]
        out["guidance_outside_interval"] = not (
            record["lower"] <= guidance[year] <= record["upper"]
        )
    return out


def _save_plot(result, forecast, path: str, ylabel: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from dcsim.growth import plot_fit

    ax = plot_fit(result, forecast, ylabel=ylabel)
    try:
        ax.figure.savefig(path, dpi=90, bbox_inches="tight")
    except OSError as error:
        raise UserInputError(f"{path}: cannot write figure ({error.strerror})") from None
    finally:
        plt.close(ax.figure)


def _money(value: float, divisor: float) -> str:
    return f"{value / divisor:,.1f}"


def _print_fit(result, forecast, payload: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    models = Table(
        title=f"{result.name}: {payload['n_points']} points, "
        f"{payload['first_year']}–{payload['last_year']} (t = year − {result.origin})"
    )
    for column in ("model", "AICc", "ΔAICc", "weight", "RMSE (log)", "parameters ± SE"):
        models.add_column(
            column, justify="left" if column in ("model", "parameters ± SE") else "right"
        )
    for m in payload["models"]:
        params = ", ".join(f"{k}={v:.3g}±{m['se'][k]:.2g}" for k, v in m["params"].items())
        name = f"[bold]{m['name']}[/bold]" if m["name"] == payload["best"] else m["name"]
        models.add_row(
            name,
            f"{m['aicc']:.2f}",
            f"{m['delta_aicc']:.2f}",
            f"{m['weight']:.2f}",
            f"{m['rmse']:.3f}",
            params,
        )
    console.print(models)
    rows = payload["forecast"]
    largest = max((r["upper"] for r in rows), default=0.0)
    divisor, unit = axis_scale(largest, payload.get("unit", "USD"))
    how = (
        f"{forecast.n_boot} bootstrap refits, {forecast.n_failed} failed"
        if payload["interval"] == "bootstrap"
        else "conformal, from its backtest errors"
    )
    band = Table(
        title=f"forecast ({forecast.model}, {forecast.level:.0%} interval {how}), in {unit}"
    )
    for column in ("year", "forecast", "lower", "upper", "actual", "guidance"):
        band.add_column(column, justify="right")
    flagged = []
    for r in rows:
        actual = _money(r["actual"], divisor) if "actual" in r else ""
        guide = _money(r["guidance"], divisor) if "guidance" in r else ""
        if r.get("guidance_outside_interval"):
            guide = f"[bold red]{guide} ⚠[/bold red]"
            flagged.append(r)
        band.add_row(
            str(r["year"]),
            _money(r["value"], divisor),
            _money(r["lower"], divisor),
            _money(r["upper"], divisor),
            actual,
            guide,
        )
    if forecast.years.size:
        console.print(band)
    for r in flagged:
        console.print(
            f"[yellow]{r['year']} guidance {_money(r['guidance'], divisor)} {unit} lies outside "
            f"the {forecast.level:.0%} interval ({_money(r['lower'], divisor)}–"
            f"{_money(r['upper'], divisor)} {unit}):[/yellow] the curve fitted to the past "
            "misses the change in regime the company has announced."
        )
    if any(r["lower"] != r["lower"] for r in rows):  # NaN: no errors at that horizon
        console.print(
            "[yellow]no interval where the method has fewer than two backtest errors at that "
            "horizon (a short series); --method auto gives a bootstrap interval[/yellow]"
        )
    if "gpus" in payload:
        _print_gpus(console, payload["gpus"], divisor, unit)
    for f in payload["failed"]:
        console.print(f"[yellow]{f['name']} {f['status']}:[/yellow] {f['reason']}")
    for w in payload["warnings"]:
        console.print(f"[yellow]warning:[/yellow] {w}")
    for d in payload.get("dropped_years", []):
        console.print(f"[yellow]left out {d['year']}:[/yellow] {d['reason']}")


def _print_gpus(console, table_data: dict, divisor: float, unit: str) -> None:
    from rich.table import Table

    table = Table(
        title=f"{table_data['chip']} GPUs a year's capex buys: {table_data['ai_share']:.0%} "
        f"of capex at {table_data['price_usd']:,.0f} USD per GPU (server share included)"
    )
    columns = ("year", f"capex P10 ({unit})", "P50", "P90", "GPUs P10", "P50", "P90")
    for column in columns:
        table.add_column(column, justify="right")
    for r in table_data["rows"]:
        money = [_money(r[f"capex_{k}"], divisor) for k in ("p10", "p50", "p90")]
        gpus = [
            "" if r[f"gpus_{k}"] is None else f"{r[f'gpus_{k}']:,}" for k in ("p10", "p50", "p90")
        ]
        table.add_row(str(r["year"]), *money, *gpus)
    console.print(table)
    console.print(f"AI share: {table_data['ai_share_source']}. Price: {table_data['price_source']}")


def _backtest(args: argparse.Namespace) -> int:
    import dcsim.growth as growth
    from dcsim.growth.guided import guidance_report

    _check_args(args)
    if args.pooled:
        names = growth.companies(args.measure)
        series = [growth.load_company(c, measure=args.measure) for c in names]
    else:
        series = [_load(args)[0]]
    result = growth.backtest_series(
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
        _print_json(payload)
    else:
        _print_backtest(payload)
    return 0


def _cell(value: float, fmt: str) -> str:
    return "" if value is None or value != value else format(value, fmt)


def _print_backtest(payload: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    level, default = payload["level"], payload["default"]
    table = Table(
        title=f"{payload['company']}: backtest, horizons 1–{payload['horizon']}, "
        f"{level:.0%} conformal intervals; default: {default}"
    )
    columns = ("model", "kind", "MAPE %", "coverage", "interval score", "forecasts", "origins")
    for column in columns:
        left = column in ("model", "kind")
        table.add_column(column, justify="left" if left else "right", no_wrap=left)
    for r in payload["summary"]:
        name = f"[bold]{r['model']}[/bold]" if r["model"] == default else r["model"]
        table.add_row(
            name,
            r["kind"],
            _cell(r["mape"], ".1f"),
            _cell(r["coverage"], ".2f"),
            _cell(r["interval_score"], ".2f"),
            str(r["n_forecasts"]),
            str(r["n_origins"]),
        )
    console.print(table)
    console.print(
        f"{default}: at each origin, the method with the lowest mean absolute log error on "
        f"forecasts already resolved; now {payload['default_now']}."
    )
    _print_guidance(console, payload["guidance"], level)


def _print_guidance(console, report: dict, level: float) -> None:
    from rich.table import Table

    if not report["horizon_1"]:
        console.print("guidance: no origin had usable guidance and two resolved pairs")
        return
    table = Table(title=f"next year (horizon 1) with and without company guidance, {level:.0%}")
    for column in ("forecast", "MAPE %", "coverage", "interval score", "forecasts"):
        table.add_column(column, justify="left" if column == "forecast" else "right", no_wrap=True)
    for r in report["horizon_1"]:
        table.add_row(
            r["model"],
            _cell(r["mape"], ".1f"),
            _cell(r["coverage"], ".2f"),
            _cell(r["interval_score"], ".2f"),
            str(r["n_forecasts"]),
        )
    console.print(table)
    gain = report["mape_gain_points"]
    console.print(
        f"guidance {'lowers' if gain > 0 else 'raises'} the horizon-1 MAPE by "
        f"{abs(gain):.1f} points ({len(report['pairs'])} guidance-vs-actual pairs)."
    )
