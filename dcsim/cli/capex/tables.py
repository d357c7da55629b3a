"""What ``dcsim capex`` prints: rich tables of fits, forecasts, GPUs and backtests, or
one JSON object."""

from __future__ import annotations

import json

from dcsim.formatting import axis_scale
from dcsim.jsonsafe import json_safe


def print_json(payload: dict) -> None:
    print(json.dumps(json_safe(payload), indent=2, allow_nan=False))


def _money(value: float, divisor: float) -> str:
    return f"{value / divisor:,.1f}"


def print_fit(result, forecast, payload: dict) -> None:
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


def _cell(value: float, fmt: str) -> str:
    return "" if value is None or value != value else format(value, fmt)


def print_backtest(payload: dict) -> None:
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
