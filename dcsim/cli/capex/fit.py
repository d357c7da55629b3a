"""``dcsim capex fit``: rank the curves, forecast with the chosen method, and turn the
forecast into GPUs (``--to-gpus``)."""

from __future__ import annotations

import argparse

from dcsim.cli.capex.checks import check_args
from dcsim.cli.capex.inputs import known_values, load_series, panel_of, usable_guidance
from dcsim.cli.capex.tables import print_fit, print_json
from dcsim.errors import UserInputError


def run_fit(args: argparse.Namespace) -> int:
    """Fit, forecast and print (or write ``--plot``); bad flags or data exit 2."""
    import dcsim.growth as growth

    check_args(args)
    full, dropped = load_series(args)
    series = full.until(args.until)
    try:
        result = growth.fit(series.years, series.values, args.model, name=series.name)
    except UserInputError as error:  # say which run years were left out, if any
        left_out = [f"left out {year}: {why}" for year, why in dropped.items()]
        raise UserInputError([*error.problems, *left_out]) from None
    forecast, p10_p90, used = _forecasts(args, result, series)
    truth, guidance = known_values(args, full)
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
        print_json(payload)
    else:
        print_fit(result, forecast, payload)
    return 0


def _forecasts(args: argparse.Namespace, result, series):
    """The forecast at ``--level``, the P10–P90 band (for --to-gpus) and the method used."""
    quantiles = 0.8  # P10 to P90
    if args.method == "auto":
        kw = {"seed": args.seed, "n_boot": args.n_boot}
        forecast = result.forecast(args.forecast, level=args.level, **kw)
        band = result.forecast(args.forecast, level=quantiles, **kw) if args.to_gpus else None
        return forecast, band, result.best.name
    from dcsim.growth.calibrated import calibrated_forecast

    panel = panel_of(args, series)
    known = usable_guidance([series, *panel]) if args.guidance else None
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


def _gpu_table(args: argparse.Namespace, forecast, band) -> dict:
    """GPUs of ``--to-gpus`` each forecast year buys at P10, P50 and P90 of its capex."""
    from dcsim.config.budget import DEFAULT_AI_SHARE, gpus_bought
    from dcsim.config.catalog import builtin_catalog
    from dcsim.report.assumptions import split_source

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
        "price_source": split_source(chip.source).get("Price", chip.source),
        "ai_share": share,
        "ai_share_source": "given (--ai-share)"
        if args.ai_share is not None
        else "servers' share of Alphabet's capex, about 60% (Q4 2025 call; recalled)",
        "rows": rows,
    }


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
