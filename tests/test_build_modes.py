"""Build modes: a hall's mode supplies its shell and fit-out times unless it writes them."""

from __future__ import annotations

import datetime as dt
import json
import math

import pytest
import yaml
from conftest import DEFAULT_CONFIG, fit_days, shipped_durations, shipped_fit, tiny_dict

from dcsim.config import load_scenario, scenario_from_dict
from dcsim.config.build_modes import CALIBRATION_FORMAT, CALIBRATION_VERSION
from dcsim.config.loader import read_yaml
from dcsim.errors import UserInputError
from dcsim.units import DAYS_PER_YEAR

MONTH = DAYS_PER_YEAR / 12  # pint: a month is 30.4375 days


def unwritten(**fields: object) -> dict:
    """The tiny scenario whose hall writes neither shell nor fit-out time, uncalibrated
    (``calibration: null``: the cited fallbacks) unless ``fields`` name a calibration."""
    data = tiny_dict(**{"calibration": None, **fields})
    for key in ("shell_time", "fitout_time"):
        data["halls"][0].pop(key)
    return data


def test_a_conversion_hall_has_no_shell_and_a_three_month_fitout():
    data = unwritten()
    data["halls"][0]["build_mode"] = "conversion"
    hall = scenario_from_dict(data).halls[0]
    assert hall.shell_time.mean() == 0
    assert (hall.fitout_time.low, hall.fitout_time.mode, hall.fitout_time.high) == pytest.approx(
        (2 * MONTH, 3 * MONTH, 4 * MONTH)
    )


def test_the_campus_mode_is_the_default_and_written_durations_win():
    data = unwritten(build_mode="temporary")
    data["halls"].append({**data["halls"][0], "name": "h2", "build_mode": "fast_track"})
    data["halls"].append(
        {**data["halls"][0], "name": "h3", "shell_time": "9 days", "fitout_time": "1 day"}
    )
    h1, h2, h3 = scenario_from_dict(data).halls
    assert h1.shell_time.mode == pytest.approx(2 * MONTH)  # temporary: 1-2-3 months
    assert h2.shell_time.mode == pytest.approx(6 * MONTH)  # fast_track: 4-6-8 months
    assert (h3.shell_time.mean(), h3.fitout_time.mean()) == (9, 1)


def test_uncalibrated_standard_is_the_generic_figure_the_default_campus_wrote():
    """``calibration: null`` gives the standard fallback, triangular 8-10-14 months of shell
    and 4-5-8 of fit-out (Cortex Construct 2026): what configs/meta-100k-h100.yaml wrote
    until its halls took the calibrated standard build; and no stop comes with it."""
    scenario = scenario_from_dict({**read_yaml(DEFAULT_CONFIG), "calibration": None})
    hall, month = scenario.halls[0], 30.4375
    shell, fitout = hall.shell_time, hall.fitout_time
    assert (shell.low, shell.mode, shell.high) == (8 * month, 10 * month, 14 * month)
    assert (fitout.low, fitout.mode, fitout.high) == (4 * month, 5 * month, 8 * month)
    assert hall.build_mode is None and scenario.build_mode == "standard"
    assert scenario.project_risk == []


def test_a_scenario_naming_no_calibration_gets_the_shipped_fit():
    # dcsim/data/calibration.json, fitted on dcsim/data/sites.csv: a standard hall's shell
    # and fit-out are lognormal, a conversion has no shell. Its halls take the file's
    # durations, so the campus takes the stop fitted with them too.
    fit = shipped_fit()
    start = dt.date.fromisoformat(str(tiny_dict()["halls"][0]["construction_start"]))
    standard, conversion = (shipped_durations(m, start) for m in ("standard", "conversion"))
    (fitted_stop,) = fit["project_risk"]
    assert scenario_from_dict(tiny_dict()).project_risk == []  # every duration written
    data = tiny_dict()
    for key in ("shell_time", "fitout_time"):
        data["halls"][0].pop(key)
    scenario = scenario_from_dict(data)
    hall = scenario.halls[0]
    assert scenario.calibration == "dcsim"
    assert (hall.shell_time.median, hall.fitout_time.median) == pytest.approx(
        (fit_days(standard["shell_time"]), fit_days(standard["fitout_time"]))
    )
    assert hall.shell_time.sigma == pytest.approx(standard["shell_time"]["sigma"])
    assert hall.fitout_time.sigma == pytest.approx(standard["fitout_time"]["sigma"])
    (stop,) = scenario.project_risk
    assert (stop.kind, stop.probability) == (
        "project_pause",
        pytest.approx(fitted_stop["probability"]),
    )
    assert stop.duration.median == pytest.approx(fit_days(fitted_stop["duration"]))
    data["project_risk"] = []
    assert scenario_from_dict(data).project_risk == []
    data["build_mode"] = "conversion"
    converted = scenario_from_dict(data).halls[0]
    assert conversion["shell_time"] == "0 days" and converted.shell_time.mean() == 0
    assert converted.fitout_time.median == pytest.approx(fit_days(conversion["fitout_time"]))


def write_calibration(path, version=2, project_risk=None, **modes):
    """A calibration file of fixed durations per mode (version 2, still read)."""
    document = {"format": CALIBRATION_FORMAT, "version": version, "modes": modes}
    if project_risk is not None:
        document["project_risk"] = project_risk
    path.write_text(json.dumps(document), encoding="utf-8")


STOP = {
    "kind": "project_pause",
    "probability": 0.25,
    "duration": {"dist": "lognormal", "median": "200 days", "sigma": 0.5},
    "window": "0 days",
}


def test_a_calibration_supplies_its_fitted_shocks_unless_the_scenario_writes_its_own(tmp_path):
    path = tmp_path / "cal.json"
    write_calibration(path, project_risk=[STOP])
    (shock,) = scenario_from_dict(unwritten(calibration=str(path))).project_risk
    assert (shock.kind, shock.probability, shock.duration.median) == ("project_pause", 0.25, 200)
    # written as null: unwritten; written as a list (even empty): the scenario's own
    assert (
        len(scenario_from_dict(unwritten(calibration=str(path), project_risk=None)).project_risk)
        == 1
    )
    assert scenario_from_dict(unwritten(calibration=str(path), project_risk=[])).project_risk == []
    own = {**STOP, "kind": "permit_challenge", "probability": 0.1}
    (mine,) = scenario_from_dict(unwritten(calibration=str(path), project_risk=[own])).project_risk
    assert mine.kind == "permit_challenge"
    # no calibration written: the shipped durations (the default), but no shocks
    assert scenario_from_dict(unwritten()).project_risk == []


def test_a_version_1_calibration_is_still_read_and_fitted_no_shocks(tmp_path):
    path = tmp_path / "old.json"
    fitout = {"dist": "lognormal", "median": "80 days", "sigma": 0.3}
    write_calibration(
        path,
        version=1,
        project_risk=[STOP],  # a version-1 file has none; anything there is not read
        conversion={"shell_time": "0 days", "fitout_time": fitout},
    )
    scenario = scenario_from_dict(unwritten(build_mode="conversion", calibration=str(path)))
    assert scenario.halls[0].fitout_time.median == pytest.approx(80)
    assert scenario.project_risk == []


def test_a_named_calibration_file_supplies_the_durations_relative_to_the_scenario(tmp_path):
    (tmp_path / "fits").mkdir()
    write_calibration(
        tmp_path / "fits" / "cal.json",
        conversion={
            "shell_time": "0 days",
            "fitout_time": {"dist": "lognormal", "median": "80 days", "sigma": 0.3},
        },
    )
    data = unwritten(build_mode="conversion", calibration="fits/cal.json")
    scenario_file = tmp_path / "site.yaml"
    scenario_file.write_text(yaml.safe_dump(data), encoding="utf-8")
    hall = load_scenario(scenario_file).halls[0]
    assert hall.fitout_time.median == pytest.approx(80)
    # A mode the file lacks falls back to the cited durations.
    data["build_mode"] = "standard"
    scenario_file.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert load_scenario(scenario_file).halls[0].shell_time.mode == pytest.approx(10 * MONTH)


LAW = {
    "median_days": 400.0,
    "log_median_var": 0.01,
    "trend_cov": 0.0,
    "shell_share": 0.5,
}
CONSTRUCTION = {
    "sigma": 0.3,
    "trend": {
        "per_year": -0.2,
        "per_year_var": 0.0025,
        "first_start": "2022-01-01",
        "last_start": "2025-01-01",
    },
}


def write_laws(path, **changes):
    document = {
        "format": CALIBRATION_FORMAT,
        "version": CALIBRATION_VERSION,
        "modes": {"standard": LAW},
        "construction": CONSTRUCTION,
        "project_risk": [],
        **changes,
    }
    path.write_text(json.dumps(document), encoding="utf-8")


def test_a_construction_law_worked_by_hand():
    """Median 400 days for a start on 2024-01-01, x exp(-0.2) per later year; log spread
    sqrt(0.3^2 + 0.01 + x^2 0.0025). A start on 2025-01-01 is x = 366 / 365.25 = 1.00205
    years on: median 400 exp(-0.20041) = 327.36 days, spread sqrt(0.1025103) = 0.32017.
    Starts outside the fitted ones (2022-01-01 to 2025-01-01) are held at the nearest."""
    from dcsim.config.build_modes import ConstructionLaw

    law = ConstructionLaw.of(CONSTRUCTION, LAW)
    assert law.at(dt.date(2024, 1, 1)) == pytest.approx((400.0, math.sqrt(0.1)))
    assert law.at(dt.date(2025, 1, 1)) == pytest.approx((327.36, 0.32017), abs=1e-2)
    assert law.at(dt.date(2031, 6, 1)) == law.at(dt.date(2025, 1, 1))
    # 2022-01-01 is 730 days before: x = -1.99863, median 400 exp(0.39973) = 596.57
    assert law.at(dt.date(2019, 1, 1))[0] == pytest.approx(596.57, abs=0.01)


def test_a_hall_takes_the_law_at_its_own_construction_start(tmp_path):
    path = tmp_path / "cal.json"
    write_laws(path)
    data = unwritten(calibration=str(path))
    data["halls"][0]["construction_start"] = "2025-01-01"
    late = scenario_from_dict(data).halls[0]
    data["halls"][0]["construction_start"] = "2023-01-01"
    early = scenario_from_dict(data).halls[0]
    # Equal shares: shell and fit-out medians equal, their sum's median the law's.
    assert late.shell_time.median == pytest.approx(late.fitout_time.median)
    assert late.shell_time.median < early.shell_time.median
    ratio = early.shell_time.median / late.shell_time.median
    assert ratio == pytest.approx(math.exp(0.2 * 731 / 365.25), rel=1e-4)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"construction": None}, "'construction' must hold sigma and a trend table"),
        ({"modes": {"standard": {**LAW, "median_days": -1}}}, "modes.standard.median_days"),
        ({"modes": {"standard": {**LAW, "shell_share": "half"}}}, "modes.standard.shell_share"),
        ({"modes": {"igloo": LAW}}, "'modes' must map build modes to construction laws"),
        (
            {
                "construction": {
                    **CONSTRUCTION,
                    "trend": {**CONSTRUCTION["trend"], "first_start": "soon"},
                }
            },
            "first_start and last_start must be ISO dates",
        ),
        (
            {
                "construction": {
                    **CONSTRUCTION,
                    "trend": {**CONSTRUCTION["trend"], "first_start": "2026-01-01"},
                }
            },
            "first_start is after last_start",
        ),
        ({"construction": {**CONSTRUCTION, "sigma": float("nan")}}, "construction.sigma"),
        (  # a spread that overflowed a float at a hall begun late (was a traceback)
            {
                "construction": {
                    **CONSTRUCTION,
                    "trend": {
                        **CONSTRUCTION["trend"],
                        "per_year_var": 100,
                        "last_start": "2150-01-01",
                    },
                }
            },
            "modes.standard: a start on 2022-01-01 gets",
        ),
        (  # 400 days x exp(-0.2 x 30 years) is about a day, but exp(-1 x 30) is not
            {
                "construction": {
                    **CONSTRUCTION,
                    "trend": {
                        **CONSTRUCTION["trend"],
                        "per_year": -1.0,
                        "last_start": "2054-01-01",
                    },
                }
            },
            "expected 1 to 36,500 days",
        ),
    ],
)
def test_a_bad_construction_law_is_one_line_naming_its_key(tmp_path, changes, expected):
    path = tmp_path / "cal.json"
    write_laws(path, **changes)
    with pytest.raises(UserInputError) as caught:
        scenario_from_dict(unwritten(calibration=str(path)), "site.yaml")
    (line,) = caught.value.problems
    assert line.startswith("site.yaml: calibration: ") and expected in line, line


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "file not found"),
        ("{not json", "not JSON"),
        ('{"format": "other"}', "not a dcsim calibration file"),
        ('{"format": "dcsim-calibration", "version": 99, "modes": {}}', "format version 99"),
        (
            '{"format": "dcsim-calibration", "version": 2, "modes": {}, "project_risk": 3}',
            "'project_risk' must be a list of shocks",
        ),
        (
            '{"format": "dcsim-calibration", "version": 1, "modes": {"igloo": {}}}',
            "'modes' must map",
        ),
    ],
)
def test_a_bad_calibration_file_is_one_line(tmp_path, content, expected):
    path = tmp_path / "cal.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(UserInputError) as caught:
        scenario_from_dict(unwritten(calibration=str(path)), "site.yaml")
    (line,) = caught.value.problems
    assert line.startswith("site.yaml: calibration: ") and expected in line, line


def test_an_unknown_mode_is_refused_with_its_field_path():
    data = unwritten()
    data["halls"][0]["build_mode"] = "igloo"
    with pytest.raises(UserInputError, match=r"halls\.0\.build_mode"):
        scenario_from_dict(data, "site.yaml")


def test_a_bad_shock_in_a_calibration_file_names_the_file_not_the_scenario(tmp_path):
    """The scenario did not write the shocks it takes from its calibration file: a bad one
    is reported at ``calibration``, naming the file and the shock's key."""
    path = tmp_path / "cal.json"
    write_laws(path, project_risk=[{**STOP, "probability": 1.5}])
    with pytest.raises(UserInputError) as caught:
        scenario_from_dict(unwritten(calibration=str(path)), "site.yaml")
    (line,) = caught.value.problems
    assert line.startswith(f"site.yaml: calibration: {path}: project_risk.0.probability: "), line
