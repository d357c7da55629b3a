"""What a study leaves for people: the trial history, the cost / P90-date trade-off, the
best decision as a scenario file, and the printed summary."""

from __future__ import annotations

from typing import Any

import pandas as pd

from dcsim.optimization.decisions import DecisionFile
from dcsim.optimization.space import chosen
from dcsim.optimization.study import finished, violations


def history(study: Any, decisions: DecisionFile) -> pd.DataFrame:
    """One row per finished trial: its decisions, value, feasibility and mean costs."""
    rows = []
    for trial in finished(study):
        means = trial.user_attrs.get("means", {})
        rows.append(
            {
                "trial": trial.number,
                "state": trial.state.name.lower(),
                **{k: str(v) for k, v in chosen(decisions.decisions, trial.params).items()},
                "objective": trial.value,
                "feasible": all(v <= 0 for v in violations(trial)),
                "p90_days_to_full_cluster": trial.user_attrs.get("p90_days_to_full_cluster"),
                **means,
                "error": trial.user_attrs.get("error"),
            }
        )
    return pd.DataFrame(rows)


def pareto(trials: pd.DataFrame) -> list[dict[str, Any]]:
    """Completed trials that no other beats on both the objective and the P90 full-cluster
    day (lower is better on both; a cluster never completed counts as latest)."""
    if trials.empty:
        return []
    done = trials[trials["state"] == "complete"].copy()
    done["day"] = done["p90_days_to_full_cluster"].astype(float).fillna(float("inf"))
    done = done.sort_values(["objective", "day"], kind="stable")
    front, latest = [], float("inf")
    for _, row in done.iterrows():
        if row["day"] < latest:
            front.append(
                {
                    "trial": int(row["trial"]),
                    "objective": row["objective"],
                    "p90_days_to_full_cluster": row["p90_days_to_full_cluster"],
                }
            )
            latest = row["day"]
    return front


def best_scenario(base: dict[str, Any], best: dict[str, Any]) -> str:
    """The base scenario (includes resolved) with the best decision written in, as YAML
    that ``dcsim run`` and ``dcsim explain`` take."""
    import yaml

    from dcsim.config.loader import apply_overrides

    scenario = apply_overrides(base, best["overrides"])
    scenario["name"] = f"{scenario.get('name', 'scenario')}-optimized"
    header = "".join(f"# {path}: {value}\n" for path, value in best["decisions"].items())
    return (
        f"# Best decision found by dcsim optimize ({best['candidate']}):\n{header}"
        + yaml.safe_dump(scenario, sort_keys=False)
    )


def print_result(result: dict[str, Any], console: Any) -> None:
    """The best decision, base versus best with intervals, and the cost breakdown."""
    from rich.table import Table

    from dcsim.tables import print_fitted

    best, base = result["best"], result["base"]
    stat = f"{result['statistic']} {result['kpi']}"
    console.print(f"best decision ({best['candidate']}, {result['trials']} trials):")
    for name, value in best["decisions"].items():
        console.print(f"  {name} = {value}", markup=False)
    if len(result.get("tied_best", [])) > 1:
        console.print(f"  tied with it, equally good: {', '.join(result['tied_best'][1:])}")
    low, high = result["replications"]
    table = Table(title=f"re-evaluated on replications {low}..{high} (95% intervals)")
    for column in ("", "base", "best"):
        table.add_column(column, justify="right" if column else "left")
    table.add_row(stat, _interval(base["objective"]), _interval(best["objective"]))
    table.add_row("best - base (paired)", "", _interval(best["versus_base"]))
    for part in (*result["cost_parts"], "total_cost_usd"):
        table.add_row(f"mean {part}", _money(base["costs"][part]), _money(best["costs"][part]))
    table.add_row(
        "P90 full_cluster_date",
        str(base["p90_full_cluster_date"]),
        str(best["p90_full_cluster_date"]),
    )
    table.add_row("constraints met", str(base["feasible"]), str(best["feasible"]))
    print_fitted(table, console)
    print_near_optimal(result, console)
    console.print(f"study, trials.csv, result.json and best.yaml in {result['out']}/")


def print_near_optimal(result: dict[str, Any], console: Any) -> None:
    """The decisions within the noise of the best: the ones whose paired 95% interval of
    the difference to the best reaches zero. A planner picks among them on what the
    objective leaves out; which of them the search calls "best" is luck."""
    from rich.table import Table

    from dcsim.tables import print_fitted

    near = set(result.get("near_optimal", []))
    rows = [c for c in result["candidates"] if c["candidate"] in near]
    if len(rows) < 2:
        console.print("no other re-evaluated decision is within the noise of the best")
        return
    table = Table(
        title=f"{len(rows)} decisions within the noise of the best",
        caption="candidate minus best, paired run by run (95% interval reaches 0)",
    )
    table.add_column("candidate")
    table.add_column("decisions", overflow="fold")
    table.add_column("minus best", justify="right")
    for row in rows:
        chosen_text = ", ".join(f"{k.rsplit('.', 1)[-1]}={v}" for k, v in row["decisions"].items())
        table.add_row(row["candidate"], chosen_text, _interval(row["versus_best"]))
    print_fitted(table, console)


def _interval(values: dict[str, float]) -> str:
    return f"{_money(values['estimate'])} [{_money(values['low'])}, {_money(values['high'])}]"


def _money(value: float | None) -> str:
    import math

    if value is None or not math.isfinite(value):
        return "n/a"
    return f"{value / 1e6:,.1f} M" if abs(value) >= 1e6 else f"{value:,.4g}"
