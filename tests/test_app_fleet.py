"""The fleet page without a browser: levers per region, chunks, risk tables, the source.

The page must be the command line's model: a region lever is an edit of the fleet file,
the chunks run what ``dcsim fleet --replications`` runs, and the risk per site is its
``site_risk``.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dcsim.app.fleet_levers import fleet_levers
from dcsim.app.fleet_runs import fleet_chunks, fleet_source, load_fleet_source, run_fleet_chunk
from dcsim.app.fleet_tables import region_table, site_risks, site_table
from dcsim.app.levers import DAYS_PER_MONTH, overrides
from dcsim.app.montecarlo import Tally
from dcsim.app.source import Source, load_source
from dcsim.app.upload import load_upload
from dcsim.config.loader import apply_overrides, read_yaml
from dcsim.errors import UserInputError
from dcsim.fleet.loader import site_plans
from dcsim.fleet.montecarlo import monte_carlo
from dcsim.fleet.risk import region_risk, site_risk
from tests.conftest import REPO

FLEETS = REPO / "configs" / "fleet"
LARGE_LOAD = FLEETS / "large-load.yaml"
META = FLEETS / "meta-2024.yaml"


def levers_of(path):
    source = load_fleet_source(path)
    return source, {lever.key: lever for lever in fleet_levers(source.fleet, source.path)}


def test_each_region_gets_the_levers_its_file_gives_it():
    _, large = levers_of(LARGE_LOAD)
    assert set(large) == {
        "r0study",
        "r0upgrade",
        "r0headroom",
        "r0h0date",
        "r0tranche",
        "r0traffic",
    }
    _, queue = levers_of(FLEETS / "region-queue.yaml")
    assert set(queue) == {"r0study", "r0upgrade", "r0traffic"}
    # meta-2024: the existing region has no queue (its sites' own utility steps); the new
    # campuses' region a large-load process and shells whose retrofit it leaves unwritten
    # (the conversion mode's fit-out, no lever)
    _, meta = levers_of(META)
    assert set(meta) == {
        "r0griddelay",
        "r1study",
        "r1upgrade",
        "r1headroom",
        "r1tranche",
        "r1shells",
    }


@pytest.mark.parametrize("name", ["large-load", "region-queue", "meta-2024"])
def test_untouched_region_levers_change_nothing_and_every_bound_is_a_valid_fleet(name):
    source, levers = levers_of(FLEETS / f"{name}.yaml")
    assert overrides(list(levers.values()), {k: lv.base for k, lv in levers.items()}) == {}
    for lever in levers.values():
        for value in (lever.low, lever.high):
            edited = apply_overrides(source.raw, lever.edits(value))
            assert fleet_source(edited, source.path).fleet  # validated, first replication planned


def test_a_region_grid_delay_moves_every_step_of_every_site_there_and_no_other():
    """meta-2024's existing region: its two clusters (two entries) get their utility's step
    moved by the lever's 4 months; the new campuses (another region, whose requests wait in
    its large-load process) keep theirs, as do the powered shells' own grid links."""
    source, levers = levers_of(META)
    moved = levers["r0griddelay"].edits(4)
    assert list(moved) == ["sites.0.set", "sites.1.set"]
    edited = fleet_source(apply_overrides(source.raw, moved), source.path)
    before = {p.name: p.scenario for p in site_plans(source.fleet, source.path)}
    after = {p.name: p.scenario for p in site_plans(edited.fleet, edited.path)}
    shifted = 0
    for name, scenario in after.items():
        pairs = zip(scenario.grid.interconnects, before[name].grid.interconnects, strict=True)
        for link, old in pairs:
            for step, was in zip(link.schedule, old.schedule, strict=True):
                if name.startswith("genai-cluster"):
                    # the cluster file's one step, on time: now 4 months late
                    assert step.delay.mean() == pytest.approx(was.delay.mean() + 4 * DAYS_PER_MONTH)
                    shifted += 1
                else:
                    assert step.delay == was.delay
    assert shifted == 2


def test_chunks_run_the_clis_replications_and_its_site_risk():
    """The page's chunks, gathered in any order, are ``dcsim fleet --replications`` rows:
    the same site risk for the same file, seed and replications."""
    source = load_fleet_source(LARGE_LOAD)
    tally = Tally()
    for chunk in reversed(fleet_chunks(source.fleet, source.path, 4, range(6), set())):
        tally.add(run_fleet_chunk(chunk))
    by = [source.fleet.end]
    cli = monte_carlo(LARGE_LOAD, 6, seed=4, by=by)
    pd.testing.assert_frame_equal(site_risk(tally.runs(), by), cli.site_risk)


def test_region_risk_sums_gpus_and_needs_every_site_by_the_date():
    """Worked by hand: two sites in one region over three replications. Site a has first
    power in all three by 2025-06-01, site b in the first two: P(all) = 2/3. GPUs
    energized: 10+5, 10+0, 20+5 = 15, 10, 25, whose median is 15."""
    runs = pd.DataFrame(
        {
            "status": ["ok"] * 3,
            "site.a.first_power_date": ["2025-02-01", "2025-03-01", "2025-05-31"],
            "site.b.first_power_date": ["2025-04-01", "2025-06-01", None],
            "site.a.full_cluster_date": [None] * 3,
            "site.b.full_cluster_date": ["2025-05-01", None, None],
            "site.a.gpus_energized_final": [10, 10, 20],
            "site.b.gpus_energized_final": [5, 0, 5],
        }
    )
    (row,) = region_risk(runs, {"a": "r", "b": "r"}, [dt.date(2025, 6, 1)]).to_dict("records")
    assert row["sites"] == 2 and row["replications"] == 3
    assert row["p_all_first_power_by_2025-06-01"] == pytest.approx(2 / 3)
    assert row["p_all_full_cluster_by_2025-06-01"] == 0.0
    assert row["gpus_energized_p50"] == 15.0


def test_the_site_table_shows_site_risk_and_the_change():
    source, levers = levers_of(LARGE_LOAD)
    base, later = Tally(), Tally()
    moved = fleet_source(apply_overrides(source.raw, levers["r0study"].edits(3)), source.path)
    for tally, fleet in ((base, source.fleet), (later, moved.fleet)):
        for chunk in fleet_chunks(fleet, source.path, 0, range(4), set()):
            tally.add(run_fleet_chunk(chunk))
    by = source.fleet.end
    html = site_table(site_risks(base.runs(), later.runs(), by), 1, by)
    risk = site_risk(later.runs(), [by]).iloc[0]
    cell = 'data-site="campus" data-case="edited" data-col="first_power_p50" data-value="{}"'
    assert risk["first_power_p50"] is not None
    assert cell.format(risk["first_power_p50"]) in html
    assert "<td>change</td>" in html and " d</td>" in html and " pts</td>" in html
    regions = region_table(base.runs(), None, source.regions, by)
    assert 'data-region="region" data-case="base"' in regions and "edited" not in regions


def test_a_fleet_file_opens_the_fleet_page_and_an_upload_of_one_is_refused(tmp_path):
    assert not isinstance(load_source(LARGE_LOAD), Source)
    with pytest.raises(UserInputError) as refused:
        load_upload(LARGE_LOAD.read_bytes(), "large-load.yaml", tmp_path)
    assert refused.value.problems == [
        "large-load.yaml: a fleet file: open it with `dcsim app large-load.yaml` (its sites' "
        "scenarios are files beside it)"
    ]


def test_a_bad_fleet_is_refused_in_one_line_before_any_server(cli, tmp_path):
    raw = read_yaml(LARGE_LOAD)
    raw["regions"][0]["large_load"]["first_tranche"] = 2
    import yaml

    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(raw), encoding="utf-8")
    done = cli("app", bad)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"error: {bad}: regions.0.large_load.first_tranche: Input should be less than or equal to 1"
    ]


def test_a_large_fleet_shows_the_sites_most_at_risk(monkeypatch):
    """Past the page's limit the sites with the least chance of their full cluster, then of
    first power, by the date are shown (of the edited case), and the heading says how many
    of how many."""
    import dcsim.app.fleet_tables as tables

    monkeypatch.setattr(tables, "MOST_SITES", 2)
    runs = pd.DataFrame(
        {
            "status": ["ok"] * 2,
            **{f"site.{s}.interconnect_date": ["2025-01-01"] * 2 for s in "abc"},
            "site.a.first_power_date": ["2025-02-01", "2025-02-01"],
            "site.b.first_power_date": ["2025-02-01", None],
            "site.c.first_power_date": [None, None],
            **{f"site.{s}.full_cluster_date": [None, None] for s in "abc"},
        }
    )
    risks = site_risks(runs, None, dt.date(2025, 6, 1))
    assert list(risks["base"].index) == ["c", "b"]
    assert "the 2 of 3 sites most at risk" in site_table(risks, 3, dt.date(2025, 6, 1))
