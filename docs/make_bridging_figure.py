"""Draw docs/figures/bridging.png: the xAI-style campus with and without its turbines.

python docs/make_bridging_figure.py
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates
import matplotlib.pyplot as plt

from dcsim.api import simulate
from dcsim.bridging import compare, without_generators
from dcsim.config import load_scenario

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "configs" / "xai-memphis-bridging.yaml"
OUT = ROOT / "docs" / "figures" / "bridging.png"


def main() -> None:
    scenario = load_scenario(CONFIG)
    figure, (timeline, costs) = plt.subplots(
        1, 2, figsize=(11, 4.2), dpi=100, gridspec_kw={"width_ratios": [1.6, 1]}
    )
    for label, variant, colour in (
        ("with gas turbines", scenario, "tab:orange"),
        ("grid only", without_generators(scenario), "tab:blue"),
    ):
        ts = simulate(variant, seed=0).timeseries
        timeline.step(
            ts["date"], ts["gpus_energized"] / 1000, where="post", label=label, color=colour
        )
    timeline.set(title="Energized GPUs, seed 0", xlabel="date", ylabel="GPUs energized (k)")
    timeline.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    timeline.legend(loc="lower right")
    timeline.grid(alpha=0.3)

    table = compare(scenario, replications=range(20))
    costs.scatter(
        table["gpu_days_gained"] / 1e6, table["bridging_cost_usd"] / 1e6, color="tab:orange"
    )
    costs.set(
        title="20 futures: what bridging buys",
        xlabel="GPU-days gained (millions)",
        ylabel="bridging cost (MUSD)",
    )
    median = table["cost_per_gpu_day_gained_usd"].median()
    costs.annotate(
        f"median {median:.2f} USD per GPU-day gained", xy=(0.03, 0.92), xycoords="axes fraction"
    )
    costs.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(OUT)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
