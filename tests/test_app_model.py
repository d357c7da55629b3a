"""``dcsim app`` without a browser: levers, the chunked Monte Carlo, uploads and exports.

The page must be the same model as the command line: a lever is a ``--set`` override, the
chunks draw what a sweep draws, and the YAML a planner downloads reruns to the same
numbers under ``dcsim sweep``.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
import yaml

from dcsim.app.exports import scenario_yaml
from dcsim.app.levers import AS_WRITTEN, DAYS_PER_MONTH, UNCHANGED, levers_for, overrides, shifted
from dcsim.app.montecarlo import FIRST_CHUNK, Tally, chunks, run_chunk
from dcsim.app.upload import load_upload, safe_name
from dcsim.config import load_scenario, scenario_from_dict
from dcsim.config.loader import apply_overrides, read_yaml
from dcsim.errors import UserInputError
from tests.conftest import DEFAULT_CONFIG, tiny, tiny_dict


def test_levers_of_the_default_campus_cover_grid_equipment_crews_and_chips():
    keys = {lever.key for lever in levers_for(load_scenario(DEFAULT_CONFIG))}
    assert {"g0s0date", "g0s2delay", "eq1lead", "icrews", "ccrews", "c0date", "c0lead"} <= keys


def test_untouched_levers_change_nothing():
    scenario = load_scenario(DEFAULT_CONFIG)
    levers = levers_for(scenario)
    assert overrides(levers, {lever.key: lever.base for lever in levers}) == {}
    assert all(lever.override(lever.base) is UNCHANGED for lever in levers)


def test_a_delay_lever_moves_every_location_of_the_distribution_by_whole_months():
    levers = {lever.key: lever for lever in levers_for(load_scenario(DEFAULT_CONFIG))}
    moved = overrides(list(levers.values()), {"g0s2delay": 6})
    path = "grid.interconnects.0.schedule.2.delay"
    assert list(moved) == [path]
    edited = load_scenario(DEFAULT_CONFIG, moved)
    delay = edited.grid.interconnects[0].schedule[2].delay
    # the file: pert 0 / 3 / 12 months; six months later: 6 / 9 / 18 months
    assert (delay.low, delay.mode, delay.high) == pytest.approx(
        (6 * DAYS_PER_MONTH, 9 * DAYS_PER_MONTH, 18 * DAYS_PER_MONTH)
    )
    assert delay.shape == 4.0


def test_a_lead_time_lever_cannot_go_below_zero():
    lever = next(lv for lv in levers_for(load_scenario(DEFAULT_CONFIG)) if lv.key == "c0lead")
    # chip lead time: triangular 24 / 36 / 52 weeks; 24 weeks = 168 days = 5.5 months
    assert lever.low == -5
    assert load_scenario(DEFAULT_CONFIG, {lever.path: lever.override(lever.low)})


def test_shifted_keeps_a_fixed_value_a_fixed_value():
    assert shifted({"dist": "fixed", "value": "10.0 day"}, 5.0) == {
        "dist": "fixed",
        "value": "15.0 day",
    }


def test_crews_zero_means_unlimited_and_dates_are_iso_text():
    levers = levers_for(load_scenario(DEFAULT_CONFIG))
    moved = overrides(levers, {"icrews": 0, "ccrews": 4, "c0date": dt.date(2023, 8, 1)})
    assert moved["installation"]["crews"] is None
    assert moved["construction"] == {"crews": 4}  # the file has no construction section
    assert moved["chip_orders.0.order_date"] == "2023-08-01"
    edited = load_scenario(DEFAULT_CONFIG, moved)
    assert edited.installation.crews is None
    assert edited.construction.crews == 4


XAI_CONFIG = DEFAULT_CONFIG.parent / "xai-memphis-bridging.yaml"


def test_a_technology_lever_takes_the_plants_row_and_the_mw_lever_still_sets_capacity():
    """Frame turbines at 150 MW: the file's own lead time, install time, fuel cost and
    emissions give way to generation.csv's frame row; capex 809 USD/kW x 150 MW."""
    levers = levers_for(load_scenario(XAI_CONFIG))
    tech = next(lever for lever in levers if lever.key == "gen0tech")
    assert tech.base == AS_WRITTEN and "frame" in tech.options
    edited = load_scenario(XAI_CONFIG, overrides(levers, {"gen0tech": "frame", "gen0mw": 150}))
    generator = edited.grid.generators[0]
    assert (generator.technology, generator.capacity) == ("frame", 150.0)
    lead = generator.lead_time  # frame: 156 / 260 / 365 weeks
    assert (lead.low, lead.mode, lead.high) == (156 * 7, 260 * 7, 365 * 7)
    assert generator.cost == pytest.approx(809 * 150_000)
    assert generator.fuel_cost == pytest.approx(9.905 * 2.19)  # MMBtu/MWh x USD/MMBtu


def test_renting_turbines_adds_a_rental_generator_where_the_grid_comes_in():
    scenario = load_scenario(DEFAULT_CONFIG)
    levers = levers_for(scenario)
    assert overrides(levers, {"rentmw": 0.0}) == {}
    edited = load_scenario(DEFAULT_CONFIG, overrides(levers, {"rentmw": 100.0}))
    (rented,) = edited.grid.generators
    assert (rented.technology, rented.capacity, rented.cost) == ("rental_mobile", 100.0, 0.0)
    lead = rented.lead_time  # rental_mobile: 2 / 4 / 8 weeks
    assert (lead.low, lead.mode, lead.high) == (14, 28, 56)
    fed = {e.name for e in edited.equipment if rented.name in e.fed_by}
    assert fed == {e.name for e in scenario.equipment if "utility" in e.fed_by} != set()


def test_renting_turbines_never_powers_a_run_later():
    """An extra source can only add flow: on common random numbers each run's first power
    and full cluster come no later than the base case's."""
    scenario = tiny()
    raw = tiny_dict()
    moved = overrides(levers_for(scenario), {"rentmw": 50.0})
    rented = scenario_from_dict(apply_overrides(raw, moved), "tiny")
    base, edited = Tally(), Tally()
    base.add(run_chunk(chunks(scenario, 5, range(4), set())[0]))
    edited.add(run_chunk(chunks(rented, 5, range(4), set())[0]))
    for kpi in ("first_power_date", "days_to_full_cluster"):  # ISO dates sort as text
        assert (edited.runs()[kpi] <= base.runs()[kpi]).all()
    assert (edited.runs()["first_power_date"] < base.runs()["first_power_date"]).any()


def test_a_build_mode_lever_replaces_the_written_durations_by_the_modes():
    """The lever gives every hall its mode's durations from the scenario's calibration (the
    shipped fit when it names none); uncalibrated (``calibration: null``), ``standard``
    gives the cited fallback the default campus itself then takes (a triangle, not the
    fitted lognormal)."""
    from dcsim.config.build_modes import mode_durations

    def shell_of(durations: dict) -> object:
        data = apply_overrides(tiny_dict(), {"halls.0.shell_time": durations["shell_time"]})
        return scenario_from_dict(data, "t").halls[0].shell_time

    scenario = load_scenario(DEFAULT_CONFIG)
    levers = levers_for(scenario)
    fast = load_scenario(DEFAULT_CONFIG, overrides(levers, {"buildmode": "fast_track"}))
    assert all(h.build_mode == "fast_track" for h in fast.halls)
    start = scenario.halls[0].construction_start  # the law is read at the hall's start
    assert fast.halls[0].shell_time == shell_of(mode_durations("fast_track", "dcsim", start))
    standard = load_scenario(DEFAULT_CONFIG, overrides(levers, {"buildmode": "standard"}))
    assert standard.halls[0].shell_time == shell_of(mode_durations("standard", "dcsim", start))

    uncalibrated = load_scenario(DEFAULT_CONFIG, {"calibration": None})
    levers = levers_for(uncalibrated)
    standard = load_scenario(
        DEFAULT_CONFIG, {"calibration": None, **overrides(levers, {"buildmode": "standard"})}
    )
    assert [h.shell_time for h in standard.halls] == [h.shell_time for h in uncalibrated.halls]
    assert [h.fitout_time for h in standard.halls] == [h.fitout_time for h in uncalibrated.halls]
    assert standard.halls[0].shell_time.dist == "triangular"
    assert standard.halls[0].shell_time != scenario.halls[0].shell_time


def project_risk_runs(values: dict) -> list[float]:
    """Full-cluster days of six runs of the tiny campus under a 60-day redesign pause that
    strikes at ground-breaking with probability 0.5, its levers at ``values``."""
    raw = tiny_dict()
    raw["project_risk"] = [{"kind": "redesign_pause", "probability": 0.5, "duration": "60 days"}]
    moved = overrides(levers_for(scenario_from_dict(raw, "tiny")), values)
    tally = Tally()
    tally.add(
        run_chunk(
            chunks(scenario_from_dict(apply_overrides(raw, moved), "t"), 3, range(6), set())[0]
        )
    )
    return tally.runs()["days_to_full_cluster"].tolist()


def test_project_risk_levers_set_a_shocks_probability_and_move_its_duration():
    """Probability 0 is the campus without the shock (day 61: the 30 MW step on day 60
    plus a day of commissioning), on common random numbers. Probability 1 stops every
    run's construction; a stop two months longer (60 + 60.875 days) ends every run's
    construction, and so its full cluster, 60.875 days later, both being past the grid."""
    levers = {
        lever.key: lever
        for lever in levers_for(
            tiny(
                **{
                    "project_risk": [
                        {"kind": "redesign_pause", "probability": 0.5, "duration": "60 days"}
                    ]
                }
            )
        )
    }
    assert (levers["pr0p"].low, levers["pr0p"].high, levers["pr0dur"].low) == (0.0, 1.0, -1)
    assert "pr0p" not in {lever.key for lever in levers_for(tiny())}
    assert project_risk_runs({"pr0p": 0.0}) == [61.0] * 6
    certain = project_risk_runs({"pr0p": 1.0})
    longer = project_risk_runs({"pr0p": 1.0, "pr0dur": 2})
    assert min(certain) > 61.0
    assert [b - a for a, b in zip(certain, longer, strict=True)] == [2 * DAYS_PER_MONTH] * 6
    assert sorted(set(project_risk_runs({}))) == [61.0, max(certain)]  # some struck, some not


def test_chunks_answer_first_with_a_small_chunk_then_cover_each_replication_once():
    scenario = tiny()
    parts = chunks(scenario, 0, range(100), {0, 1, 2})
    assert len(parts[0].replications) + len(parts[1].replications) == FIRST_CHUNK
    covered = [r for part in parts for r in part.replications]
    assert covered == list(range(3, 100))


def test_chunked_runs_are_the_sweeps_runs_on_common_random_numbers():
    """A tally built chunk by chunk, in any order, equals ``dcsim.sweep`` on the scenario."""
    import dcsim

    raw = tiny_dict(**{"grid.interconnects.0.schedule.1.delay": "20 days"})
    raw["equipment"][0]["lead_time"] = {"dist": "uniform", "low": "10 days", "high": "40 days"}
    scenario = scenario_from_dict(raw, "tiny")
    tally = Tally()
    for part in reversed(chunks(scenario, 7, range(30), set())):
        tally.add(run_chunk(part))
    runs = dcsim.sweep(scenario_file(raw), {}, replications=30, seed=7, executor="serial")
    assert tally.runs()["days_to_full_cluster"].tolist() == runs["days_to_full_cluster"].tolist()
    summary = tally.summary()
    assert summary.loc["days_to_full_cluster", "p50"] == runs["days_to_full_cluster"].median()


def test_lean_series_are_the_full_tables_columns_and_leave_the_rows_alone():
    """``Task.series`` sends back bare arrays equal to the time-series table's columns, and
    the KPI rows are the rows a full-table run gives (the sweep's path is unchanged)."""
    from dcsim.runtime.worker import Task, run_batch

    scenario = tiny()
    runs = [(0, 0), (0, 1)]
    full = run_batch(Task(runs, {0: scenario}, seed=3, timeseries=True))
    lean = run_batch(Task(runs, {0: scenario}, seed=3, series=("day", "gpus_energized")))
    assert lean.timeseries == {} and full.series == {}
    for run in runs:
        assert set(lean.series[run]) == {"day", "gpus_energized"}
        for name, values in lean.series[run].items():
            assert values.tolist() == full.timeseries[run][name].tolist()
    drop = "wall_seconds"
    assert [{k: v for k, v in r.items() if k != drop} for r in lean.rows] == [
        {k: v for k, v in r.items() if k != drop} for r in full.rows
    ]


def scenario_file(raw: dict, folder=None):
    import tempfile
    from pathlib import Path

    folder = Path(folder or tempfile.mkdtemp(prefix="dcsim-test-app-"))
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def test_the_band_is_the_quantiles_of_gpus_energized_per_day():
    tally = Tally()
    tally.add(run_chunk(chunks(tiny(), 0, range(3), set())[0]))
    low, mid, high = tally.band()
    assert (low <= mid).all() and (mid <= high).all()
    assert high[-1] == 8000  # the tiny campus energizes both stages within its year


def test_a_tallys_tables_are_kept_until_the_next_chunk_arrives():
    first, second = chunks(tiny(), 0, range(30), set())[:2]
    tally = Tally()
    tally.add(run_chunk(first))
    assert tally.band() is tally.band() and tally.criticality() is tally.criticality()
    assert tally.date_quantiles("first_power_date")["runs"] == len(first.replications)
    tally.add(run_chunk(second))
    runs = len(first.replications) + len(second.replications)
    assert tally.date_quantiles("first_power_date")["runs"] == runs
    assert tally.criticality()["runs"].max() == runs


def test_the_downloaded_yaml_reruns_to_the_pages_numbers_on_the_cli(tmp_path, cli):
    """Levers applied to the raw file, written as the page writes it, swept by the CLI."""
    raw = read_yaml(DEFAULT_CONFIG)
    levers = levers_for(load_scenario(DEFAULT_CONFIG))
    moved = overrides(levers, {"g0s2delay": 4, "icrews": 5})
    edited = apply_overrides(raw, moved)
    (tmp_path / "edited.yaml").write_text(scenario_yaml(edited, "edited\nin a test"), "utf-8")
    assert cli("validate", tmp_path / "edited.yaml").returncode == 0
    tally = Tally()
    for part in chunks(scenario_from_dict(edited, "edited"), 3, range(6), set()):
        tally.add(run_chunk(part))
    experiment = tmp_path / "experiment.yaml"
    experiment.write_text("base: edited.yaml\nreplications: 6\nseed: 3\n", encoding="utf-8")
    done = cli("sweep", experiment, "--json", "--executor", "serial", "--out", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)["summary"]
    p50 = next(row["p50"] for row in summary if row["kpi"] == "days_to_full_cluster")
    assert tally.summary().loc["days_to_full_cluster", "p50"] == p50


@pytest.mark.parametrize(
    ("client", "expected"),
    [
        ("../../etc/passwd", "passwd.yaml"),
        ("C:\\Users\\me\\campus.yml", "campus.yaml"),
        ("", "upload.yaml"),
        ("...", "upload.yaml"),
        ("a b$c.yaml", "a_b_c.yaml"),
    ],
)
def test_an_upload_keeps_no_path_from_the_client(client, expected):
    assert safe_name(client) == expected


def test_an_upload_loads_like_the_cli_and_leaves_no_file(tmp_path):
    raw, scenario = load_upload(DEFAULT_CONFIG.read_bytes(), "campus.yaml", tmp_path)
    assert scenario == load_scenario(DEFAULT_CONFIG)
    assert raw == read_yaml(DEFAULT_CONFIG)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"name: x\nhalls: 3\n", "campus.yaml: "),
        (b"\xff\xfe not text", "campus.yaml: not UTF-8 text"),
        (b"include: /etc/passwd\nname: x\n", "campus.yaml: include: an uploaded scenario"),
        (b"a: &a [*a]\n", "campus.yaml: "),
        (b"x" * (4 * 2**20 + 1), "campus.yaml: larger than 4 MiB"),
    ],
)
def test_a_bad_upload_is_one_line_per_problem_naming_the_upload(tmp_path, data, expected):
    with pytest.raises(UserInputError) as caught:
        load_upload(data, "campus.yaml", tmp_path)
    assert caught.value.problems[0].startswith(expected)
    assert all(str(tmp_path) not in line for line in caught.value.problems)
    assert list(tmp_path.iterdir()) == []


def test_the_cli_refuses_a_bad_scenario_or_port_in_one_line(cli, tmp_path):
    missing = cli("app", tmp_path / "missing.yaml")
    assert missing.returncode == 2
    assert missing.stderr == f"error: {tmp_path / 'missing.yaml'}: file not found\n"
    port = cli("app", "--port", "70000")
    assert (port.returncode, port.stderr) == (2, "error: --port 70000: expected 0 to 65535\n")


def test_exports_keep_both_cases_and_read_back(tmp_path):
    import io

    import pandas as pd

    from dcsim.app.exports import csv_bytes, fan_png, parquet_bytes, runs_table

    base, edited = Tally(), Tally()
    base.add(run_chunk(chunks(tiny(), 0, range(3), set())[0]))
    edited.add(run_chunk(chunks(tiny(**{"installation.crews": 2}), 0, range(3), set())[0]))
    table = runs_table(base.runs(), edited.runs())
    assert table["case"].tolist() == ["base"] * 3 + ["edited"] * 3
    assert pd.read_parquet(io.BytesIO(parquet_bytes(table))).equals(table)
    assert pd.read_csv(io.BytesIO(csv_bytes(table)))["replication"].tolist() == [0, 1, 2] * 2
    png = fan_png(pd.Timestamp("2025-01-01"), {"base": base.band()}, "tiny")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")


def test_the_dates_table_gives_the_sweeps_full_cluster_days_and_the_change():
    import re

    import pandas as pd

    from dcsim.app.tables import headline_table

    scenario, slower = tiny(), tiny(**{"installation.time_per_1000_gpus": "6 days"})
    base, edited = Tally(), Tally()
    base.add(run_chunk(chunks(scenario, 0, range(3), set())[0]))
    edited.add(run_chunk(chunks(slower, 0, range(3), set())[0]))
    text = headline_table(base, edited, pd.Timestamp(scenario.start))
    shown = {
        (case, q): float(days)
        for case, q, days in re.findall(r'class="full-(\w+)-(p\d0)" data-days="([^"]+)"', text)
    }
    for case, tally in (("base", base), ("edited", edited)):
        for q in ("p10", "p50", "p90"):
            assert shown[case, q] == tally.summary().loc["days_to_full_cluster", q]
    # Every duration of the tiny campus is fixed. Base: both stages are installed and burnt
    # in before the 30 MW step of day 60, energized a day later (61). One crew at 6 days
    # per 1,000 GPUs: stage 2 installed 20 + 24 + 24 = day 68, burnt in by 70, energized 71.
    assert (shown["base", "p50"], shown["edited", "p50"]) == (61.0, 71.0)
    assert "<td>+10 d</td>" in text


def test_a_file_the_browser_held_back_is_refused_in_the_loaders_one_line():
    """The page's input sends a file over the limit as its name and size only: the page
    answers with the loader's refusal; what it sends in base64 arrives as bytes."""
    import base64

    from dcsim.app.upload_widget import received
    from dcsim.config.safe_yaml import MAX_BYTES

    with pytest.raises(UserInputError) as refused:
        received({"name": "../big.yaml", "size": 9 * 2**20, "n": 1})
    assert refused.value.problems == ["big.yaml: larger than 4 MiB; not a config file"]
    assert MAX_BYTES == 4 * 2**20
    data = b"name: x\n"
    assert (
        received({"name": "x.yaml", "size": 8, "n": 2, "data": base64.b64encode(data).decode()})
        == data
    )
    with pytest.raises(UserInputError, match=r"^x\.yaml: the browser sent no file$"):
        received({"name": "x.yaml", "size": 8, "n": 3, "data": "not base64!"})


# The app names its widgets with ``name=``, which Panel 1.9 plans to rename ``label``.
@pytest.mark.filterwarnings("ignore:Widget.name is deprecated:PendingDeprecationWarning")
def test_an_address_value_a_widget_refuses_itself_is_put_back_in_one_line(monkeypatch):
    """Panel keeps a widget's value when the address's is refused (``?icrews=-5`` on an
    integer slider, ``?seed=-3``, ``?seed=abc``, a date that is not one) and leaves the
    refused one in the address: the page says so in one line each, once, and the address
    shows what the page runs."""
    from panel.io.location import Location

    from dcsim.app.session import Session

    monkeypatch.setattr(Session, "schedule", lambda self: None)  # no runs: no event loop
    session = Session(pool=None, replications=200, most=1000)
    levers = levers_for(load_scenario(DEFAULT_CONFIG))
    session.show_levers(levers, open_group="")
    crews, order = (next(lever for lever in levers if lever.key == k) for k in ("icrews", "c0date"))
    session.widgets["icrews"].value = crews.base + 1  # moved: put back to the file's value
    session.location = Location(search="?seed=-3&icrews=-5&reps=50")
    session.sync_widgets(session.address_widgets())
    session.sync_levers()
    assert session.location.query_params["seed"] == 0
    assert session.location.query_params["icrews"] == crews.base
    assert session.location.query_params["reps"] == 50  # in range: taken
    # The browser sends its address again as it connects: said once, put back again.
    session.location.search = "?seed=abc&icrews=-5&reps=50&c0date=soon"
    assert (session.seed.value, session.widgets["icrews"].value) == (0, crews.base)
    assert session.location.query_params["seed"] == 0
    assert session.location.query_params["c0date"] == order.base.isoformat()
    lines = [
        "the address's seed=-3: expected 0 to 4294967295; 0 is used",
        f"the address's icrews=-5: expected {crews.low} to {crews.high}; {crews.base} is used",
        "the address's seed=abc: expected 0 to 4294967295; 0 is used",
        f"the address's c0date=soon: expected {order.low} to {order.high}; {order.base} is used",
    ]
    assert session.said == lines
    assert session.note.object.count('class="note-line"') == 4


@pytest.mark.filterwarnings("ignore:Widget.name is deprecated:PendingDeprecationWarning")
def test_an_address_choice_a_select_does_not_offer_is_put_back_in_one_line(monkeypatch):
    """A select takes any value the address sends (``?buildmode=bogus``), which would reach
    the scenario: it goes back to the file's choice, with one line naming the choices."""
    from panel.io.location import Location

    from dcsim.app.session import Session

    monkeypatch.setattr(Session, "schedule", lambda self: None)  # no runs: no event loop
    session = Session(pool=None, replications=200, most=1000)
    levers = levers_for(load_scenario(DEFAULT_CONFIG))
    session.show_levers(levers, open_group="")
    mode = next(lever for lever in levers if lever.key == "buildmode")
    session.location = Location(search="?buildmode=bogus")
    session.sync_levers()
    assert session.widgets["buildmode"].value == "bogus"  # Panel took it as it came
    session.put_back(session.out_of_range())  # what an update does before it runs
    assert session.widgets["buildmode"].value == mode.base
    assert session.location.query_params.get("buildmode", mode.base) == mode.base
    choices = ", ".join(map(str, mode.options))
    assert session.said == [
        f"the address's buildmode=bogus: expected one of {choices}; {mode.base} is used"
    ]
    session.location.search = "?buildmode=fast_track"  # a choice it offers: taken
    assert session.widgets["buildmode"].value == "fast_track"
    assert session.out_of_range() == {}
    assert len(session.said) == 1
