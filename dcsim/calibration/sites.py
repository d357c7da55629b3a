"""A dataset site as a dcsim scenario, and its milestones predicted by Monte Carlo.

The scenario holds only the site's facts (chip, count, build mode, grid and on-site
generation, start date); everything else is left at dcsim's defaults, so a backtest
measures dcsim, not hand-tuning. What the schema has no default for is set here, once,
with its source:

- the chips are ordered at the start with the 8-12 week lead time of 2024
  (:data:`CHIP_LEAD_TIME`), which a build of months never waits on;
- the campus is one hall of pods of at most :data:`POD_GPUS` GPUs (the pod of
  ``configs/meta-100k-h100.yaml``);
- its utility feed is in place from the start at the site's grid plus on-site MW, and at
  least one pod's load and the load of every capacity the site is stated to have reached
  (a site that energized more than its stated power had a power path the dataset does not
  describe, and a forecast must not call a date that happened "never"); with no grid fact,
  the whole campus's load.

A site whose chip the catalog lacks is simulated with the H100 SXM's figures scaled to the
site's planned MW per chip when both are known (its dates, not its FLOP, are scored).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from dcsim.calibration.dataset import Site
from dcsim.calibration.observations import Duration
from dcsim.config import Scenario, scenario_from_dict
from dcsim.config.catalog import builtin_catalog

POD_GPUS = 5_000
MAX_PODS = 200
CHIP_LEAD_TIME = {"dist": "triangular", "low": "8 weeks", "mode": "10 weeks", "high": "12 weeks"}
CHIP_LEAD_TIME_SOURCE = "Omdia (Apr 2024): H100 server lead times 8-12 weeks"
#: Simulated years after the start: the slowest real start-to-first-power runs ~27 months.
HORIZON_YEARS = 8
PROXY_CHIP = "h100-sxm"
#: Hall and feed are sized 1% above the load: loads are reserved in whole kW, rounded up.
HEADROOM = 1.01
#: A site that states no size is the design notes' reference campus: 100,000 GPUs.
DEFAULT_GPUS = 100_000


def site_origin(site: Site) -> dt.date:
    """The day a site's durations count from and its scenario starts: its construction
    start, else its announcement (the first such row, as
    :func:`~dcsim.calibration.observations.durations` reads it)."""
    origin = site.first("construction_start") or site.first("announced")
    assert origin is not None  # the loader refuses a site with neither
    return origin.date


def chip_of(site: Site) -> str:
    """The chip the scenario uses: the site's, or the proxy when the dataset has none."""
    return site.chip or PROXY_CHIP


def gpu_count(site: Site) -> int:
    """The site's planned accelerators: stated; else its planned MW, or the largest
    capacity it states, over the chip's IT power; else :data:`DEFAULT_GPUS`."""
    if site.chip_count:
        return site.chip_count
    stated_gpus = [o.value for o in site.observations if o.value_unit == "GPUs" and o.value]
    if stated_gpus:
        return round(max(stated_gpus))
    stated_mw = [o.value for o in site.observations if o.value_unit == "MW" and o.value]
    mw = site.planned_it_mw or max(stated_mw, default=None)
    if mw:
        return max(1, round(mw * 1000 / chip_spec(site).it_kw))
    return DEFAULT_GPUS


def chip_spec(site: Site) -> Any:
    """The catalog entry of the site's chip, or the proxy's scaled to its planned MW."""
    from dcsim.config.catalog import ChipSpec

    chip = chip_of(site)
    if chip in builtin_catalog():
        return builtin_catalog()[chip]
    return ChipSpec.model_validate(_proxy_chip(site))


def site_scenario(
    site: Site,
    calibration: str | None = None,
    durations: dict[str, Any] | None = None,
    project_risk: list[dict[str, Any]] | None = None,
) -> Scenario:
    """The dcsim scenario of ``site`` (every site has one: see :func:`gpu_count`). Its
    hall's shell and fit-out times are ``durations`` when given (a fit in progress), else
    its build mode's, from ``calibration`` or, when that is None, the uncalibrated
    fallbacks: the scenario writes ``calibration: null`` rather than leaving it out, which
    would give the shipped calibration (the schema's default), so the fit's prior offsets
    and the backtest's "defaults" baseline stay uncalibrated. Its project-wide shocks are
    ``project_risk`` when given, else ``calibration``'s (none without one)."""
    count = gpu_count(site)
    start = site_origin(site).isoformat()
    pods = min(MAX_PODS, math.ceil(count / POD_GPUS))
    per_pod = math.ceil(count / pods)
    chip = chip_of(site)
    chips = {} if chip in builtin_catalog() else {chip: _proxy_chip(site)}
    it_kw = chip_spec(site).it_kw
    it_mw = pods * per_pod * it_kw / 1000
    pue = 1.08  # the schema's default, stated so the grid can be sized below
    stated_supply = (site.grid_mw or 0.0) + (site.onsite_generation_mw or 0.0)
    pod_load = per_pod * it_kw / 1000 * pue
    reached_load = reached_it_mw(site, it_kw, it_mw) * pue
    supply = max(stated_supply, pod_load, reached_load) if stated_supply else it_mw * pue
    data = {
        "name": site.site_id,
        "description": f"{site.site_name} ({site.owner}), built from the real-site dataset",
        "start": start,
        "horizon": f"{HORIZON_YEARS} years",
        "chips": chips,
        "build_mode": site.build_mode,
        "calibration": calibration,
        **({} if project_risk is None else {"project_risk": project_risk}),
        "grid": {
            "interconnects": [
                {
                    "name": "grid",
                    "schedule": [{"date": start, "capacity": f"{supply * HEADROOM} MW"}],
                }
            ]
        },
        "halls": [
            {
                "name": "campus",
                "it_capacity": f"{it_mw * HEADROOM} MW",
                "pue": pue,
                "fed_by": ["grid"],
                "construction_start": start,
                "stages": {"count": pods, "gpus": per_pod, "chip": chip},
                **(durations or {}),
            }
        ],
        "chip_orders": [
            {
                "chip": chip,
                "count": pods * per_pod,
                "order_date": start,
                "lead_time": CHIP_LEAD_TIME,
            }
        ],
    }
    return scenario_from_dict(data, f"site {site.site_id}")


def reached_it_mw(site: Site, it_kw: float, planned_it_mw: float) -> float:
    """The most IT MW the site is stated to have energized (a capacity in MW, or in GPUs at
    ``it_kw`` each, or the full build): 0 if it states none reached."""
    reached = 0.0
    for o in site.observations:
        if o.censoring == "not_reached_as_of":
            continue
        if o.milestone == "full_build":
            reached = max(reached, planned_it_mw)
        elif o.milestone == "capacity" and o.value:
            mw = o.value if o.value_unit == "MW" else o.value * it_kw / 1000
            reached = max(reached, min(mw, planned_it_mw))
    return reached


def _proxy_chip(site: Site) -> dict[str, Any]:
    """A catalog entry for a chip dcsim lacks: the proxy's figures, with the power per chip
    from the site's planned MW and chip count when both are stated."""
    base = builtin_catalog()[PROXY_CHIP]
    system_w = base.system_power_per_gpu * 1e6
    if site.planned_it_mw and site.chip_count:
        system_w = site.planned_it_mw * 1e6 / site.chip_count / (1 + base.overhead)
    return {
        "tdp": f"{base.tdp * 1e6} W",
        "system_power_per_gpu": f"{system_w} W",
        "overhead": base.overhead,
        "bf16_dense_tflops": base.bf16_dense_tflops,
        "price": f"{base.price} USD",
        "source": f"proxy: {PROXY_CHIP} figures, power from the site's planned MW per chip",
    }


def milestone_days(scenario: Scenario, model: Any, wanted: Sequence[Duration]) -> list[float]:
    """Days from the start at which one run reached each wanted milestone; the horizon
    plus a day for one it never reached."""
    from dcsim.results import levels

    columns = levels(model)
    day = columns["day"]
    energized = columns["gpus_energized"]
    it_mw = columns["it_mw"]
    planned = sum(hall.planned_gpus for hall in scenario.halls)
    planned_mw = sum(hall.it_capacity for hall in scenario.halls) / HEADROOM * 0.999
    never = scenario.horizon + 1.0
    shell = min(
        (t for t, event, _, _ in model.ledger.events if event == "fitout_start"), default=never
    )

    def first(reached: np.ndarray) -> float:
        index = int(np.argmax(reached))
        return float(day[index]) if reached[index] else never

    found = []
    for d in wanted:
        if d.milestone == "shell_complete":
            found.append(shell)
        elif d.milestone == "first_power":
            found.append(first(energized > 0))
        elif d.milestone == "full_build":
            found.append(first(energized >= planned))
        elif d.value_unit == "GPUs":
            found.append(first(energized >= min(d.value or 0.0, planned)))
        else:
            found.append(first(it_mw >= min(d.value or 0.0, planned_mw)))
    return found


def simulate_site(
    scenario: Scenario, wanted: Sequence[Duration], replications: int, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Simulated days to each wanted milestone (``replications`` x milestones) and each
    replication's construction time (ground-breaking to hall ready); replication ``r`` is
    drawn from ``(seed, r)`` like every dcsim run."""
    from dcsim.sim.model import BuildOut

    days = np.empty((replications, len(wanted)))
    construction = np.empty(replications)
    for r in range(replications):
        model = BuildOut(scenario, seed=seed, replication=r).run()
        days[r] = milestone_days(scenario, model, wanted)
        events = model.ledger.events
        began = min((t for t, e, _, _ in events if e == "construction_start"), default=0.0)
        ready = min((t for t, e, _, _ in events if e == "hall_ready"), default=scenario.horizon)
        construction[r] = ready - began
    return days, construction


def predict(
    scenario: Scenario, wanted: Sequence[Duration], replications: int, seed: int = 0
) -> np.ndarray:
    """Simulated days to each wanted milestone: ``replications`` x milestones."""
    return simulate_site(scenario, wanted, replications, seed)[0]
