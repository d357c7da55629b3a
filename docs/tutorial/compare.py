"""Compare the default campus with the late-transformer variant over 20 seeds.

Run from the repository root: .venv/bin/python docs/tutorial/compare.py
"""

import pandas as pd

from dcsim.api import simulate

SCENARIOS = ["configs/meta-100k-h100.yaml", "docs/tutorial/late-transformers.yaml"]

rows = []
for path in SCENARIOS:
    for seed in range(20):
        kpis = simulate(path, seed=seed).kpis
        start = pd.Timestamp(kpis["start_date"])
        rows.append(
            {
                "scenario": kpis["scenario"],
                "seed": seed,
                "first_power": (pd.Timestamp(kpis["first_power_date"]) - start).days,
                "full_cluster": kpis["days_to_full_cluster"],
                "stranded_busd_years": kpis["stranded_capex_usd_years"] / 1e9,
                "binding": kpis["binding_constraint"],
            }
        )
runs = pd.DataFrame(rows)


def p90(values: pd.Series) -> float:
    return values.quantile(0.9)


columns = ["first_power", "full_cluster", "stranded_busd_years"]
print(runs.groupby("scenario")[columns].agg(["median", p90]).round(1).to_string())

# Same seed, same draws for everything the two scenarios share (common random numbers):
# the per-seed difference isolates the effect of the late transformers.
paired = runs.pivot(index="seed", columns="scenario", values=columns)
delay = paired.xs("late-transformers", axis=1, level=1) - paired.xs(
    "meta-100k-h100", axis=1, level=1
)
print(delay.describe().loc[["mean", "min", "max"]].round(1).to_string())
print(runs.groupby("scenario")["binding"].value_counts().to_string())
