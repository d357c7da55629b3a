"""Fitting build modes: known parameters recovered from a dataset the simulator made."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import numpy as np
import pytest
from synthetic_sites import write_synthetic
from tests_helpers_tiny import unwritten_tiny

from dcsim.calibration.dataset import load_sites
from dcsim.calibration.fit import Bound, _log_probability, calibrate, fit_bounds
from dcsim.calibration.store import dumps
from dcsim.config import scenario_from_dict
from dcsim.config.build_modes import split_construction
from dcsim.runtime.executors import Serial

TINY = Path(__file__).parent / "data" / "sites" / "tiny.csv"
TRUTH = {"conversion": 150.0, "standard": 450.0}
SIGMA = 0.35


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    path = tmp_path_factory.mktemp("synthetic") / "sites.csv"
    write_synthetic(path, TRUTH, SIGMA, per_mode=12)
    return path


def _time_to_ready_median(fit: dict, mode: str) -> float:
    """The median of construction plus the fitted project-wide stop (200,000 draws)."""
    rng = np.random.default_rng(0)
    stop, n = fit["project_pause"], 200_000
    build = rng.lognormal(math.log(fit["modes"][mode]["median_days"]), fit["sigma"], n)
    struck = rng.random(n) < stop["probability"]
    length = rng.lognormal(math.log(stop["median_days"]), stop["sigma"], n)
    return float(np.median(build + struck * length))


def test_known_construction_times_are_recovered_within_their_posterior_interval(synthetic):
    """The data has no project-wide stops. What 12 sites a mode identify is the time to a
    ready hall, construction plus any stop: the fit reads this sample's slowest standard
    site (922+ days, two sigmas out) as a stop with probability about 0.1 and puts the
    standard construction median about 15% low (377 days, 90% 324-439), so the recovered
    quantity is the median time to a ready hall, within two sampling standard errors of a
    12-site median (1.25 x 0.35 / sqrt(12) in log: 13%) of the truth."""
    document = calibrate(load_sites(synthetic), seed=0, executor=Serial())
    fit = document["parameters"]
    for mode, median in TRUTH.items():
        entry = fit["modes"][mode]
        assert entry["n_sites"] == 12
        assert abs(math.log(_time_to_ready_median(fit, mode) / median)) < 2 * 0.126, (mode, fit)
    conversion = fit["modes"]["conversion"]
    assert conversion["median_days_p05"] <= TRUTH["conversion"] <= conversion["median_days_p95"]
    assert fit["sigma_p05"] * 0.9 <= SIGMA <= fit["sigma_p95"] * 1.1, fit
    # No stops in the data: the fitted probability falls below the prior's mean (0.25).
    assert fit["project_pause"]["probability"] < 0.25
    # Modes without data keep their prior: median near the fallback, wide interval.
    assert fit["modes"]["temporary"]["n_sites"] == 0
    assert fit["modes"]["temporary"]["log_median_sd"] == pytest.approx(0.75, rel=0.05)


SHOCK_TRUTH = {"probability": 0.4, "median_days": 300.0}


def test_a_known_shock_probability_is_recovered_within_its_posterior_interval(tmp_path):
    """48 standard sites simulated from known parameters: construction median 300 days
    (sigma 0.2) and, with probability 0.4, a project-wide stop of median 300 days (sigma
    0.2), striking at ground-breaking; every first power observed (started 2016 on, as of
    2030). The fit recovers the stop's probability and median length inside their 90%
    intervals."""
    shock = {
        "kind": "project_pause",
        "probability": SHOCK_TRUTH["probability"],
        "duration": {"dist": "lognormal", "median": "300 days", "sigma": 0.2},
    }
    path = tmp_path / "sites.csv"
    rows = write_synthetic(
        path,
        {"standard": 300.0},
        0.2,
        per_mode=48,
        as_of=dt.date(2030, 1, 1),
        shock=shock,
        spacing_days=7,
    )
    assert all(r["censoring"] == "exact" for r in rows)
    fit = calibrate(load_sites(path), seed=0, executor=Serial())["parameters"]
    stop = fit["project_pause"]
    assert stop["probability_p05"] <= SHOCK_TRUTH["probability"] <= stop["probability_p95"], stop
    assert stop["median_days_p05"] <= SHOCK_TRUTH["median_days"] <= stop["median_days_p95"], stop
    # The construction median within 10%: the generator's shell + fit-out split matches
    # the median only approximately (Fenton-Wilkinson, a few percent), and 48 sites pin it
    # to +-5%.
    assert fit["modes"]["standard"]["median_days"] == pytest.approx(300.0, rel=0.1)
    # and the interval says something: narrower than the prior's Beta(2, 6) 5-95% (0.05-0.58)
    assert stop["probability_p95"] - stop["probability_p05"] < 0.5


def test_a_known_trend_with_the_start_date_is_recovered_within_its_posterior_interval(
    tmp_path,
):
    """24 standard sites begun 2022 to 2025 (one every 61 days) whose construction median
    falls by a factor exp(-0.3) = 0.74 per year of later start (450 days for a start on
    2024-01-01, sigma 0.2), all observed: the fitted trend per year lies inside its 90%
    interval, the interval excludes no trend, and a later start gets a shorter build."""
    from dcsim.config.build_modes import mode_durations

    path = tmp_path / "sites.csv"
    write_synthetic(
        path,
        {"standard": 450.0},
        0.2,
        per_mode=24,
        as_of=dt.date(2030, 1, 1),
        spacing_days=61,
        trend=-0.3,
    )
    document = calibrate(load_sites(path), seed=0, executor=Serial())
    trend = document["parameters"]["trend"]
    assert trend["per_year_p05"] <= -0.3 <= trend["per_year_p95"], trend
    assert trend["per_year_p95"] < 0
    assert (trend["first_start"], trend["last_start"]) == ("2022-01-01", "2025-11-04")
    out = tmp_path / "cal.json"
    out.write_text(dumps(document), encoding="utf-8")

    def median(start: dt.date) -> float:
        return float(mode_durations("standard", str(out), start)["shell_time"]["median"].split()[0])

    assert median(dt.date(2025, 1, 1)) < median(dt.date(2023, 1, 1))
    # Held outside the starts fitted: no extrapolation past the data.
    assert median(dt.date(2030, 1, 1)) == median(dt.date(2025, 11, 4))
    assert median(dt.date(2010, 1, 1)) == median(dt.date(2022, 1, 1))


def test_a_calibration_is_a_file_scenarios_can_name(tmp_path, cli):
    out = tmp_path / "cal.json"
    done = cli("calibrate", TINY, "--out", out, "--executor", "serial", "--seed", "3")
    assert done.returncode == 0, done.stderr
    assert "conversion  median construction" in done.stdout
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["format"] == "dcsim-calibration" and document["seed"] == 3
    assert len(document["data_sha256"]) == 64 and document["dcsim_version"]
    data = unwritten_tiny(build_mode="standard", calibration=str(out))
    hall = scenario_from_dict(data).halls[0]
    assert hall.shell_time.dist == "lognormal"
    # Same data and seed: the same bytes (here computed in this process); nothing but the
    # file is left behind.
    again = dumps(calibrate(load_sites(TINY), seed=3, executor=Serial()))
    assert again == out.read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir()] == ["cal.json"]


def test_bad_data_is_one_line_and_exit_2_with_nothing_written(tmp_path, cli):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"site_id\n\xff\n")
    out = tmp_path / "cal.json"
    done = cli("calibrate", bad, "--out", out, "--executor", "serial")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "not UTF-8" in done.stderr
    assert not out.exists()


def test_the_censored_likelihood_by_hand():
    # C lognormal(mu = log 100, sigma = 0.5): P(C <= 100) = 0.5; P(C >= 100 e^0.5) = Phi(-1).
    mu = math.log(100)
    assert _log_probability(mu, 0.5, 0.0, 100.0) == pytest.approx(math.log(0.5))
    assert _log_probability(mu, 0.5, 100 * math.exp(0.5), math.inf) == pytest.approx(
        math.log(0.15865525393145707)
    )
    # Far in the upper tail the survival form stays finite (Phi(-10) ~ 7.6e-24).
    assert math.isfinite(_log_probability(mu, 0.5, 100 * math.exp(5), 100 * math.exp(5.5)))


def test_a_fit_follows_its_data_and_is_pulled_to_the_prior_when_data_is_thin():
    bounds = [Bound(f"s{i}", "conversion", 199.0, 201.0) for i in range(30)]
    fit = fit_bounds(bounds)
    assert fit["modes"]["conversion"]["median_days"] == pytest.approx(200, rel=0.05)
    one = fit_bounds(bounds[:1])["modes"]["conversion"]["median_days"]
    assert 91 < one < 200  # between the prior median (91 days) and the lone site


def test_shell_and_fitout_sum_to_the_fitted_construction_time():
    parts = split_construction(300.0, 0.5, 0.6)
    rng = np.random.default_rng(1)
    shell = rng.lognormal(
        math.log(float(parts["shell_time"]["median"].split()[0])),
        parts["shell_time"]["sigma"],
        200_000,
    )
    fitout = rng.lognormal(
        math.log(float(parts["fitout_time"]["median"].split()[0])),
        parts["fitout_time"]["sigma"],
        200_000,
    )
    total = shell + fitout
    # Fenton-Wilkinson matches the mean and variance exactly; median and log-spread closely.
    assert np.mean(total) == pytest.approx(300 * math.exp(0.5**2 / 2), rel=0.01)
    assert np.median(total) == pytest.approx(300, rel=0.05)
    assert np.std(np.log(total)) == pytest.approx(0.5, rel=0.1)
    assert split_construction(100.0, 0.4, 0.0)["shell_time"] == "0 days"


def test_the_shipped_calibration_was_fitted_on_the_shipped_dataset():
    """Refit after changing the dataset: dcsim calibrate dcsim/data/sites.csv --out
    dcsim/data/calibration.json (skipped while the package ships no dataset)."""
    import hashlib

    from dcsim.config.build_modes import calibration_path

    shipped = calibration_path("dcsim")
    sites = shipped.parent / "sites.csv"
    if not sites.exists():
        pytest.skip("no dcsim/data/sites.csv in this checkout")
    document = json.loads(shipped.read_text(encoding="utf-8"))
    text = sites.read_bytes().decode("utf-8-sig")
    assert document["data_sha256"] == hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_the_same_seed_gives_the_same_file_on_any_executor():
    from dcsim.runtime.executors import open_executor

    dataset = load_sites(TINY)
    serial = dumps(calibrate(dataset, seed=5, executor=Serial()))
    with open_executor("local", 2) as pool:
        assert dumps(calibrate(dataset, seed=5, executor=pool)) == serial


class Stopping(Serial):
    """Runs tasks in this process, counting them; dies after ``limit`` (as if killed)."""

    def __init__(self, limit: int | None = None):
        self.limit, self.ran = limit, 0

    def map_unordered(self, fn, tasks):
        for index, task in enumerate(tasks):
            if self.limit is not None and self.ran == self.limit:
                raise SystemExit("killed")
            self.ran += 1
            yield index, fn(task)


def test_a_killed_calibration_resumes_with_what_it_finished(tmp_path):
    from dcsim.calibration.cache import cached

    dataset = load_sites(TINY)  # three sites: three offset tasks, three checks
    clean = dumps(calibrate(dataset, seed=0, executor=Serial()))
    with cached(Stopping(limit=2), tmp_path / "runs", "test") as runner, pytest.raises(SystemExit):
        calibrate(dataset, seed=0, executor=runner)
    assert len(list((tmp_path / "runs").glob("*.npz"))) == 2
    resumed = Stopping()
    with cached(resumed, tmp_path / "runs", "test") as runner:
        assert dumps(calibrate(dataset, seed=0, executor=runner)) == clean
    assert resumed.ran == 4  # the third site's offsets and the three checks


def test_calibrate_leaves_no_cache_and_refuses_a_directory(tmp_path, capsys):
    from dcsim.cli import main

    out = tmp_path / "cal.json"
    assert main(["calibrate", str(TINY), "--out", str(out), "--executor", "serial"]) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["cal.json"]
    assert main(["calibrate", str(TINY), "--out", str(tmp_path), "--executor", "serial"]) == 2
    assert "is a directory" in capsys.readouterr().err
