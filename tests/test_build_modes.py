"""Build modes: a hall's mode supplies its shell and fit-out times unless it writes them."""

from __future__ import annotations

import json

import pytest
import yaml
from conftest import DEFAULT_CONFIG, fit_days, shipped_fit, tiny_dict

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
    standard, conversion = fit["modes"]["standard"], fit["modes"]["conversion"]
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


def write_calibration(path, version=CALIBRATION_VERSION, project_risk=None, **modes):
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
