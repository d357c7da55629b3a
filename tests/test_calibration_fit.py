"""Fitting build modes: known parameters recovered from a dataset the simulator made."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from synthetic_sites import write_synthetic
from tests_helpers_tiny import unwritten_tiny

from dcsim.calibration.dataset import load_sites
from dcsim.calibration.fit import Bound, _log_probability, calibrate, fit_bounds, split_construction
from dcsim.calibration.store import dumps
from dcsim.config import scenario_from_dict
from dcsim.runtime.executors import Serial

TINY = Path(__file__).parent / "data" / "sites" / "tiny.csv"
TRUTH = {"conversion": 150.0, "standard": 450.0}
SIGMA = 0.35


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    path = tmp_path_factory.mktemp("synthetic") / "sites.csv"
    write_synthetic(path, TRUTH, SIGMA, per_mode=12)
    return path


def test_known_construction_times_are_recovered_within_their_posterior_interval(synthetic):
    document = calibrate(load_sites(synthetic), seed=0, executor=Serial())
    fit = document["parameters"]
    for mode, median in TRUTH.items():
        entry = fit["modes"][mode]
        assert entry["n_sites"] == 12
        assert entry["median_days_p05"] <= median <= entry["median_days_p95"], (mode, entry)
    assert fit["sigma_p05"] * 0.9 <= SIGMA <= fit["sigma_p95"] * 1.1, fit
    # Modes without data keep their prior: median near the fallback, wide interval.
    assert fit["modes"]["temporary"]["n_sites"] == 0
    assert fit["modes"]["temporary"]["log_median_sd"] == pytest.approx(0.75, rel=0.05)


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
