"""The region queue: its arithmetic, its ordering, withdrawal, and the shipped regional
scenario checked against the completion share and median worked out in closed form."""

import math
from pathlib import Path

import numpy as np
import pytest
import simpy
import yaml
from scipy import integrate, optimize, stats
from test_fleet_cli import CAMPUS

from dcsim.fleet import run_fleet
from dcsim.fleet.loader import load_fleet
from dcsim.fleet.queue import RegionQueue, cluster_close, serve, size_ratio, stay_probability
from dcsim.fleet.schema import Background, Queue, Withdrawal
from dcsim.units import DAYS_PER_YEAR

REGION = Path(__file__).resolve().parent.parent / "configs" / "fleet" / "region-queue.yaml"


def queue(**fields) -> Queue:
    return Queue.model_validate({"upgrade_time": "100 days", **fields})


def run_queue(spec: Queue, requests: list[tuple[float, float]], days: float = 5000):
    env = simpy.Environment()
    region = RegionQueue(env, "r", spec, np.random.default_rng(1), days)
    events = [region.submit(f"s{i}", arrival, mw) for i, (arrival, mw) in enumerate(requests)]
    region.start()
    env.run(until=days)
    return region, events


def test_serve_by_hand():
    assert serve(10.0, 0.0, 5.0, math.inf) == (15.0, 15.0)  # idle team: starts on arrival
    assert serve(10.0, 20.0, 5.0, math.inf) == (25.0, 25.0)  # waits for the team
    end, free = serve(10.0, 20.0, 5.0, 18.0)  # leaves while waiting: costs nothing
    assert math.isnan(end) and free == 20.0
    end, free = serve(10.0, 20.0, 5.0, 22.0)  # leaves mid-study: frees the team then
    assert math.isnan(end) and free == 22.0


def test_cluster_windows():
    assert cluster_close(0.5, 365.0) == 365.0
    assert cluster_close(365.0, 365.0) == 365.0
    assert cluster_close(365.5, 365.0) == 730.0
    assert cluster_close(-100.0, 365.0) == 365.0  # filed before day 0: the first window


def test_fcfs_studies_in_order_of_request_at_capacity():
    spec = queue(ordering="fcfs", studies_per_year=DAYS_PER_YEAR / 10)  # 10 days a study
    region, events = run_queue(spec, [(5.0, 100), (0.0, 100), (1.0, 100)])
    assert list(region.study_end) == [30.0, 10.0, 20.0]  # by arrival, not by submission
    assert [e.value for e in events] == [130.0, 110.0, 120.0]


def test_fcfs_by_mw_takes_longer_for_larger_requests():
    spec = queue(ordering="fcfs", mw_per_year=DAYS_PER_YEAR)  # 1 MW a day
    region, _ = run_queue(spec, [(0.0, 30), (1.0, 5)])
    assert list(region.study_end) == [30.0, 35.0]


def test_cluster_requests_of_a_window_finish_together_and_clusters_queue():
    spec = queue(cadence="100 days", study_time="150 days")
    region, _ = run_queue(spec, [(10.0, 1), (90.0, 1), (150.0, 1)])
    # window 1 closes on day 100, studied to 250; window 2 closes on 200, waits, to 400
    assert list(region.study_end) == [250.0, 250.0, 400.0]


def test_sites_do_not_withdraw_but_background_does():
    spec = queue(
        withdraw_in_study={"probability": 1.0},
        background={"per_year": 50, "mw": "100 MW"},
    )
    region, events = run_queue(spec, [(0.0, 10)])
    site = region.site.index("s0")
    studied = [r for r, s in enumerate(region.site) if s is None and region.study_end[r] > 0]
    assert events[0].triggered and not math.isnan(region.operation[site])
    assert len(studied) > 100
    assert all(region.withdrawn[r] == region.study_end[r] for r in studied)
    assert np.isnan(region.operation[studied]).all()


def test_a_site_that_is_not_committed_withdraws_as_background_requests_do():
    spec = queue(withdraw_in_study={"probability": 1.0}, studies_per_year=10, ordering="fcfs")
    env = simpy.Environment()
    region = RegionQueue(env, "r", spec, np.random.default_rng(1), 5000)
    stays = region.submit("committed", 0.0, 10)
    leaves = region.submit("speculative", 0.0, 10, committed=False)
    region.start()
    env.run(until=5000)
    first, second = region.site.index("committed"), region.site.index("speculative")
    assert stays.triggered and region.operation[first] == 36.525 + 100
    # Studied second (day 73.05), then withdrawn at the study's end: never in operation.
    assert not leaves.triggered and region.withdrawn[second] == region.study_end[second]
    assert region.study_end[second] == pytest.approx(2 * 36.525)
    assert math.isnan(region.operation[second])


def test_an_uncommitted_fleet_site_never_gets_the_grid_power_it_withdrew_from(tmp_path):
    """Two copies of one campus in a region whose studies always end in withdrawal: the
    committed one is energized, the other never gets grid power and energizes nothing."""

    site = {"region": "east", "scenario": str(CAMPUS)}
    fleet = {
        "fleet": "two",
        "start": "2024-01-01",
        "horizon": "3 years",
        "regions": [
            {
                "name": "east",
                "queue": {
                    "ordering": "fcfs",
                    "studies_per_year": 12,
                    "upgrade_time": "30 days",
                    "withdraw_in_study": {"probability": 1.0},
                },
            }
        ],
        "sites": [{"name": "builder", **site}, {"name": "speculator", **site, "committed": False}],
    }
    path = tmp_path / "fleet.yaml"
    path.write_text(yaml.safe_dump(fleet))
    result = run_fleet(path)
    sites = result.sites.set_index("site")
    assert sites.loc["builder", "gpus_energized_final"] > 0
    assert sites.loc["speculator", "gpus_energized_final"] == 0
    requests = result.requests.set_index("site")
    assert requests.loc["speculator", "withdrawn_day"] >= 0
    assert math.isnan(requests.loc["speculator", "operation_day"])


def test_hazard_withdrawal_matches_its_survival_probability():
    """Hazard h over a fixed upgrade time D survives with probability exp(-h D)."""
    spec = queue(
        upgrade_time="1 year",
        withdraw_in_upgrade={"hazard_per_year": 0.5},
        background={"per_year": 4000, "mw": "1 MW"},
    )
    region, _ = run_queue(spec, [], days=3 * DAYS_PER_YEAR)
    studied = ~np.isnan(region.study_end)
    survived = (~np.isnan(region.operation[studied])).mean()
    assert survived == pytest.approx(math.exp(-0.5), abs=0.02)
    gone = region.withdrawn[studied] - region.study_end[studied]
    assert np.nanmax(gone) < DAYS_PER_YEAR  # hazard withdrawals fall inside the stage


def closed_form(p_study: float, p_upgrade: float, low, mode, high, cadence=1.0, study=1.0):
    """Completion share and median years to operation of a cluster queue without backlog:
    a request waits W ~ U(0, cadence) for its window, then the study, then upgrades L."""
    weeks = 7 / DAYS_PER_YEAR
    upgrades = stats.triang(
        c=(mode - low) / (high - low), loc=low * weeks, scale=(high - low) * weeks
    )

    def cdf(t: float) -> float:
        return integrate.quad(lambda w: upgrades.cdf(t - study - w), 0, cadence)[0] / cadence

    median = optimize.brentq(lambda t: cdf(t) - 0.5, study, study + cadence + high * weeks)
    return (1 - p_study) * (1 - p_upgrade), median


def lognormal_stay(p_ref: float, exponent: float, sigma: float) -> tuple[float, float]:
    """Chance of staying through a stage for requests of lognormal size whose median is the
    reference, ``(1 - p_ref)(m / ref) ** -e``: over requests, and weighted by MW.
    With m = ref e^(sigma Z): E[(m/ref)^-e] = exp(e^2 s^2 / 2), and by MW
    E[m^(1-e)] ref^e / E[m] = exp((e^2 - 2e) s^2 / 2)."""
    count = (1 - p_ref) * math.exp(exponent**2 * sigma**2 / 2)
    capacity = (1 - p_ref) * math.exp((exponent**2 - 2 * exponent) * sigma**2 / 2)
    return count, capacity


def test_regional_scenario_reproduces_lbnl_within_tolerance():
    """LBNL "Queued Up" (2024 edition): ~1 in 5 requests reach operation (19%), 14% of
    their capacity; the median took 5 years. The scenario's closed form gives 0.190, 0.140
    and 4.84 years; the simulated cohort (~2,250 requests) must be within 0.03 (about 3.5
    binomial standard deviations) and 0.25 years of it, and by capacity (heavier-tailed)
    within 0.04."""
    fleet = load_fleet(REGION)
    spec = fleet.regions[0].queue
    study = spec.withdraw_in_study
    count, capacity = lognormal_stay(study.probability, study.by_size.exponent, sigma=1)
    p_upgrade = spec.withdraw_in_upgrade.probability
    share, median = closed_form(1 - count, p_upgrade, 128, 173, 222)
    by_capacity = capacity * (1 - p_upgrade)
    assert share == pytest.approx(0.19, abs=0.005)
    assert by_capacity == pytest.approx(0.14, abs=0.005)
    assert median == pytest.approx(4.84, abs=0.01)
    stats_ = run_fleet(REGION).regions.iloc[0]
    assert stats_["pending"] == 0  # every fate in the cohort is known
    assert stats_["completion_rate"] == pytest.approx(share, abs=0.03)
    assert stats_["completion_rate_by_capacity"] == pytest.approx(by_capacity, abs=0.04)
    assert stats_["median_years_to_operation"] == pytest.approx(median, abs=0.25)


def test_size_scaling_by_hand():
    withdrawal = Withdrawal(probability=0.5, by_size={"reference": "100 MW", "exponent": 1})
    assert stay_probability(withdrawal, 100) == 0.5
    assert stay_probability(withdrawal, 200) == 0.25  # twice the size: half the chance
    assert stay_probability(withdrawal, 25) == 1.0  # 2.0, capped
    assert stay_probability(Withdrawal(probability=0.5), 1e6) == 0.5
    assert size_ratio(Withdrawal(hazard_per_year=1, by_size=withdrawal.by_size), 300) == 3


def test_withdrawal_by_type_and_size_in_a_queue():
    """Two types: small gas requests that rarely withdraw, large solar ones that often do.
    Completion by count and by capacity follow from the shares, sizes and probabilities."""
    spec = queue(
        ordering="cluster",
        cadence="30 days",
        study_time="10 days",
        upgrade_time="100 days",
        withdraw_in_study={"probability": 0.5},
        background={
            "per_year": 3000,
            "mw": "100 MW",
            "types": [
                {"name": "gas", "share": 0.25, "withdraw_in_study": {"probability": 0.2}},
                {"name": "solar", "share": 0.75, "mw": "300 MW"},
            ],
        },
    )
    region, _ = run_queue(spec, [], days=2 * DAYS_PER_YEAR)
    table = region.table()
    resolved = table[table.operation_day.notna() | table.withdrawn_day.notna()]
    operating = resolved.operation_day.notna()
    for kind, stay in (("gas", 0.8), ("solar", 0.5)):
        assert operating[resolved.type == kind].mean() == pytest.approx(stay, abs=0.04)
    count = 0.25 * 0.8 + 0.75 * 0.5
    capacity = (0.25 * 0.8 * 100 + 0.75 * 0.5 * 300) / (0.25 * 100 + 0.75 * 300)
    assert operating.mean() == pytest.approx(count, abs=0.03)
    assert resolved.mw[operating].sum() / resolved.mw.sum() == pytest.approx(capacity, abs=0.03)
    assert capacity < count


def test_type_shares_must_add_up():
    with pytest.raises(ValueError, match=r"type shares add up to 0\.9, not 1"):
        Background(per_year=1, mw="1 MW", types=[{"name": "a", "share": 0.9}])
    with pytest.raises(ValueError, match="by_size scales a probability"):
        Withdrawal(by_size={"reference": "1 MW", "exponent": 1})


def test_fleet_benchmark_runs_small():
    import sys

    sys.path.insert(0, str(REGION.parents[2] / "benchmarks"))
    from fleet import measure

    figures = measure(sites=20)
    assert figures["fleet_sites"] == 20 and figures["fleet_queue_requests"] > 1000
    assert figures["fleet_20_seconds"] > 0
