"""The backtest: contract keys through the real entry point, leave-one-out without the
site's own data, and the reference-class forecast by hand."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from synthetic_sites import synthetic_site, write_synthetic

from dcsim.calibration.backtest import leave_one_out, reference_class, split_date
from dcsim.calibration.dataset import Dataset, Observation, load_sites
from dcsim.calibration.fit import Bound
from dcsim.calibration.report import headline, held
from dcsim.cli import main
from dcsim.runtime.executors import Serial

SCORES = {
    "coverage_p10_p90",
    "coverage_p25_p75",
    "crps_mean",
    "interval_score_mean",
    "n_sites",
    "n_observations",
}
ROW = [
    "site",
    "milestone",
    "actual",
    "censored",
    "p10",
    "p25",
    "p50",
    "p75",
    "p90",
    "inside_p10_p90",
    "inside_p10_p90_consistent",
]


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    path = tmp_path_factory.mktemp("small") / "sites.csv"
    write_synthetic(path, {"conversion": 120.0, "standard": 400.0}, 0.4, per_mode=2)
    return path


def test_backtest_json_has_the_contract_keys_and_the_report_is_written(small, tmp_path, cli):
    out = tmp_path / "report"
    done = cli(
        "backtest",
        "--data",
        small,
        "--json",
        "--out",
        out,
        "--executor",
        "serial",
        "--replications",
        "10",
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert SCORES | {"baselines", "time_split", "rows"} <= set(result)
    assert set(result["baselines"]) == {"defaults", "reference_class", "reference_class_by_start"}
    for scores in (*result["baselines"].values(), result["time_split"]):
        assert set(scores) >= SCORES
    assert (result["n_sites"], result["n_observations"]) == (4, 4)
    assert all(set(row) == set(ROW) for row in result["rows"])
    assert result["coverage_p10_p90"] == pytest.approx(
        sum(r["inside_p10_p90"] for r in result["rows"]) / 4
    )
    assert result["coverage_p10_p90_consistent"] == pytest.approx(
        sum(r["inside_p10_p90_consistent"] for r in result["rows"]) / 4
    )
    # Expected coverage never exceeds the lenient rule's: a band it credits at all, the
    # lenient rule counts as a full hit.
    assert all(0 <= r["inside_p10_p90"] <= r["inside_p10_p90_consistent"] for r in result["rows"])
    for name in ("index.html", "pit.png", "reliability.png", "forecasts.csv", "backtest.json"):
        assert (out / name).stat().st_size > 0
    assert not (out / ".runs").exists()  # the resume cache goes once the report is written
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "The P10-P90 band held" in page and "reference class (no simulator)" in page


def test_a_bad_calibration_or_option_is_one_line(tmp_path, small, capsys):
    bad = tmp_path / "cal.json"
    bad.write_text("{}", encoding="utf-8")
    args = ["backtest", "--data", str(small), "--executor", "serial"]
    assert main([*args, "--calibration", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a dcsim calibration file" in err
    assert main([*args, "--replications", "1"]) == 2
    assert "--replications 1: expected 10 to 100000" in capsys.readouterr().err


def test_leave_one_out_never_sees_the_site_it_forecasts(small):
    dataset = load_sites(small)
    target = dataset.sites[0].site_id
    bounds = {s.site_id: Bound(s.site_id, s.build_mode, 100.0, 110.0) for s in dataset.sites}
    moved = {**bounds, target: Bound(target, "conversion", 900.0, 910.0)}
    first = leave_one_out(dataset, bounds, 0, Serial(), replications=10)
    second = leave_one_out(dataset, moved, 0, Serial(), replications=10)
    by_site = lambda scored: {s.site: s.p50 for s in scored}  # noqa: E731
    assert by_site(first)[target] == by_site(second)[target]
    # Every other site's forecast moves with the target's data (which way depends on
    # whether the fit reads the outlier as a slower mode or as a project-wide stop).
    other = dataset.sites[1].site_id
    assert by_site(second)[other] != by_site(first)[other]


def exact_site(site_id: str, start: str, first_power_days: int, gpus: int = 1000):
    begin = dt.date.fromisoformat(start)
    site = synthetic_site(site_id, "standard", begin, gpus)
    reached = Observation(
        2,
        "first_power",
        begin + dt.timedelta(days=first_power_days),
        "day",
        "exact",
        None,
        None,
        "derived",
        "",
        "",
        "",
    )
    return type(site)(**{**site.__dict__, "observations": (*site.observations, reached)})


def test_the_reference_class_is_the_other_sites_durations_by_hand():
    sites = [exact_site(f"s{i}", "2023-01-01", days) for i, days in enumerate((100, 200, 300, 400))]
    dataset = Dataset("mem", "0" * 64, tuple(sites))
    scored = {s.site: s for s in reference_class(dataset)}
    # Site s0 (100 days) is forecast from 200, 300 and 400 (equal sizes: no scaling).
    assert (scored["s0"].p10, scored["s0"].p50, scored["s0"].p90) == pytest.approx((220, 300, 380))
    assert not scored["s0"].inside_p10_p90
    # Site s2 (300 days) from 100, 200 and 400: P10-P90 = 120-360 holds it.
    assert scored["s2"].inside_p10_p90


def test_the_reference_class_scales_by_size():
    # Days double with size: log-log slope 1 on the others, so a site of 4,000 GPUs is
    # forecast at 400 days exactly (residuals all zero).
    sites = [exact_site(f"s{g}", "2023-01-01", g // 10, gpus=g) for g in (1000, 2000, 8000, 4000)]
    scored = {s.site: s for s in reference_class(Dataset("mem", "0" * 64, tuple(sites)))}
    assert scored["s4000"].p50 == pytest.approx(400)


def test_the_reference_class_by_start_scales_by_size_and_era():
    """Days halve with each year of later start (log slope ln 0.5 on years) at equal
    sizes: the size-only class forecasts a 2025 site from the others' mean, the class by
    start at 100 days exactly (residuals all zero)."""
    sites = [
        exact_site(f"s{year}", f"{year}-01-01", days)
        for year, days in ((2022, 400), (2023, 200), (2024, 100), (2025, 50))
    ]
    dataset = Dataset("mem", "0" * 64, tuple(sites))
    by_start = {s.site: s for s in reference_class(dataset, by_start=True)}
    # The start years are 365 or 366 days apart, so the halving per 365.25 days is exact
    # only to within a day's share of a year: 50 days to 0.1%.
    assert by_start["s2025"].p50 == pytest.approx(50, rel=2e-3)
    assert by_start["s2025"].p90 - by_start["s2025"].p10 < 0.5
    plain = {s.site: s for s in reference_class(dataset)}
    assert plain["s2025"].p50 == pytest.approx(200)  # the others' middle, 400-200-100


def test_the_time_split_puts_about_two_thirds_of_sites_before_the_cut():
    sites = [exact_site(f"s{y}", f"{y}-06-01", 100) for y in (2020, 2021, 2022, 2023, 2024, 2025)]
    assert split_date(Dataset("mem", "0" * 64, tuple(sites))) == dt.date(2024, 1, 1)


def test_the_text_summary_shows_a_method_without_forecasts_as_dashes(cli):
    """The tiny dataset has too few outcomes for a reference class (fewer than three other
    sites' dates): its row reads '-', not a traceback."""
    from pathlib import Path

    tiny = Path(__file__).parent / "data" / "sites" / "tiny.csv"
    done = cli("backtest", "--data", tiny, "--executor", "serial", "--replications", "10")
    assert done.returncode == 0, done.stderr
    assert "reference_class           P10-P90 -  P25-P75 -  CRPS -  interval score -" in done.stdout


def test_the_headline_gives_both_coverage_verdicts_and_a_row_its_credit():
    base = {"crps_mean": 130.0, "interval_score_mean": 1200.0}
    result = {
        "coverage_p10_p90": 0.729,
        "coverage_p25_p75": 0.392,
        "crps_mean": 120.0,
        "interval_score_mean": 1300.0,
        "n_observations": 77,
        "n_sites": 43,
        "method": "leave-one-site-out refits",
        "baselines": {"defaults": base},
    }
    text = headline(result)
    assert "held 73% of 77 real outcomes at 43 sites" in text
    assert "within the 70-90% target" in text and "39%, outside the 40-60% target" in text
    assert text.endswith("it beats the defaults forecast on CRPS.")
    assert "No observed milestone" in headline({**result, "n_observations": 0})
    assert [held(c) for c in (1.0, 0.0, 0.8, 0.7)] == ["yes", "MISS", "0.80", "0.70"]
