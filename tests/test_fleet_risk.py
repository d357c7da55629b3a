"""Fleet risk per site: per-site date quantiles and probabilities from a fleet Monte Carlo,
the interconnect in-service date in the site table, and a chip with no GPU energized
counted as 0 rather than missing (issue 23, defect 2)."""

import copy
import datetime as dt
import json
import re

import pandas as pd
import pytest
from test_fleet_cli import FLEET, write

from dcsim.fleet import run_fleet
from dcsim.fleet.montecarlo import monte_carlo
from dcsim.fleet.risk import region_risk, site_names, site_risk


def _runs() -> pd.DataFrame:
    """Four replications of two sites, one with a dot in its name; site b never reaches
    its full cluster in replication 3."""
    rows = []
    full_b = ["2027-01-01", "2027-02-01", "2027-03-01", None]
    for r in range(4):
        rows.append(
            {
                "replication": r,
                "status": "ok",
                "site.a.interconnect_date": "2026-01-01",
                "site.a.first_power_date": f"2026-0{r + 1}-01",
                "site.a.full_cluster_date": f"2026-1{r}-01" if r < 3 else "2026-12-15",
                "site.b.x.interconnect_date": None,
                "site.b.x.first_power_date": "2026-06-01",
                "site.b.x.full_cluster_date": full_b[r],
            }
        )
    rows.append({"replication": 4, "status": "error"})  # left out: it finished nothing
    return pd.DataFrame(rows)


def test_site_risk_by_hand() -> None:
    risk = site_risk(_runs(), [dt.date(2026, 11, 30), dt.date(2027, 2, 15)])
    assert site_names(_runs()) == ["a", "b.x"]
    a, b = risk.set_index("site").loc["a"], risk.set_index("site").loc["b.x"]
    assert a["replications"] == 4
    # first power of a: Jan, Feb, Mar, Apr; P50 without interpolation is the second.
    assert (a["first_power_p10"], a["first_power_p50"], a["first_power_p90"]) == (
        "2026-01-01",
        "2026-02-01",
        "2026-04-01",
    )
    # full cluster of a: Oct, Nov, Dec 1 and Dec 15: two of four by Nov 30.
    assert a["p_full_cluster_by_2026-11-30"] == 0.5
    assert a["p_first_power_by_2026-11-30"] == 1.0
    # b never reached it once: it counts as not reached, in the denominator.
    assert b["p_full_cluster_by_2027-02-15"] == 0.5
    assert pd.isna(b["full_cluster_p90"])
    assert pd.isna(b["interconnect_p50"])


@pytest.fixture(scope="module")
def mixed_chips(tmp_path_factory):
    """The small fleet with a third site whose first hall plans B200s (3,000 a stage, to
    fit its 36 MW) that are never ordered and whose construction starts after the end:
    the chip is planned but never energized."""
    data = copy.deepcopy(FLEET)
    data["sites"][1]["count"] = 1
    data["sites"].append(
        {
            "name": "late",
            "region": "west",
            "scenario": str(FLEET["sites"][0]["scenario"]),
            "set": {
                "halls.0.stages.chip": "b200",
                "halls.0.stages.gpus": 3000,
                "halls.0.construction_start": "2030-01-01",
            },
        }
    )
    return write(tmp_path_factory.mktemp("risk"), data)


def test_a_chip_with_nothing_energized_reads_zero(mixed_chips) -> None:
    result = run_fleet(mixed_chips, seed=1)
    assert result.kpis["gpus_energized_by_chip"]["b200"] == 0
    assert (result.sites["gpus_energized_b200"] == 0).all()
    study = monte_carlo(mixed_chips, 2, seed=1)
    column = study.runs["gpus_energized_by_chip.b200"]
    assert column.notna().all() and (column == 0).all()
    assert study.quantiles.set_index("kpi").loc["gpus_energized_by_chip.b200", "p50"] == 0


def test_the_site_table_has_the_interconnect_in_service_date(mixed_chips) -> None:
    sites = run_fleet(mixed_chips, seed=1).sites.set_index("site")
    # The campus's first utility step is scheduled; t (west, no queue) keeps it.
    first = dt.date.fromisoformat(sites.loc["t", "interconnect_date"])
    power = dt.date.fromisoformat(sites.loc["t", "first_power_date"])
    assert first <= power


def test_fleet_monte_carlo_prints_and_writes_site_risk(cli, mixed_chips, tmp_path) -> None:
    out = tmp_path / "mc"
    done = cli("fleet", mixed_chips, "--replications", "2", "--by", "2026-06-30", "--out", out)
    assert done.returncode == 0, done.stderr
    assert "risk per site" in done.stdout
    assert "…" not in done.stdout
    assert max(len(line) for line in done.stdout.splitlines()) <= 80
    risk = pd.read_parquet(out / "site_risk.parquet")
    assert list(risk["site"]) == ["q", "t", "late"]
    # its B200 hall never energizes, so its full cluster is never reached
    assert risk.set_index("site").loc["late", "p_full_cluster_by_2026-06-30"] == 0
    as_json = cli("fleet", mixed_chips, "--replications", "2", "--json")
    assert {r["site"] for r in json.loads(as_json.stdout)["site_risk"]} == {"q", "t", "late"}
    # Per region too: east holds q, west holds t and late, whose full cluster never comes.
    assert "risk per region" in done.stdout
    regions = pd.read_parquet(out / "region_risk.parquet").set_index("region")
    assert list(regions.index) == ["east", "west"] and list(regions["sites"]) == [1, 2]
    assert regions.loc["west", "p_all_full_cluster_by_2026-06-30"] == 0
    assert [r["region"] for r in json.loads(as_json.stdout)["region_risk"]] == ["east", "west"]


def test_region_risk_by_hand() -> None:
    """Both sites in one region: GPUs summed per replication, and a region has its full
    cluster by a date only in the replications where every site has."""
    runs = _runs()
    ok = runs["status"] == "ok"
    runs.loc[ok, "site.a.gpus_energized_final"] = [10.0, 20.0, 30.0, 40.0]
    runs.loc[ok, "site.b.x.gpus_energized_final"] = [5.0, 5.0, 5.0, 0.0]
    risk = region_risk(runs, {"a": "r", "b.x": "r"}, [dt.date(2026, 11, 30), dt.date(2027, 2, 15)])
    (row,) = risk.to_dict("records")
    assert (row["region"], row["sites"], row["replications"]) == ("r", 2, 4)
    # sums 15, 25, 35, 40: numpy's linear P50 is 30
    assert row["gpus_energized_p50"] == 30.0
    # full cluster by 2026-11-30: a in replications 0-1, b in none (its first is 2027-01)
    assert row["p_all_full_cluster_by_2026-11-30"] == 0.0
    # by 2027-02-15: a in all four, b in 0 and 1 (2027-01, 2027-02-01): two of four
    assert row["p_all_full_cluster_by_2027-02-15"] == 0.5
    assert row["p_all_first_power_by_2026-11-30"] == 1.0


def test_by_without_replications_is_refused(cli, mixed_chips) -> None:
    done = cli("fleet", mixed_chips, "--by", "2026-06-30")
    assert done.returncode == 2 and "--by needs --replications" in done.stderr


def test_report_of_a_fleet_monte_carlo_directory(cli, mixed_chips, tmp_path) -> None:
    """``dcsim report`` on a fleet study: the risk per site, its figure and the KPI
    quantiles with units (it said "runs.parquet not found" before)."""
    out = tmp_path / "mc"
    assert cli("fleet", mixed_chips, "--replications", "2", "--out", out).returncode == 0
    report = tmp_path / "report.html"
    done = cli("report", out, "--config", mixed_chips, "--out", report)
    assert done.returncode == 0, done.stderr
    html = report.read_text(encoding="utf-8")
    for text in ("Risk per site", "fleet-site-risk", "full cluster p90", "GPUs", "late"):
        assert text in html


def test_fleet_report_has_units_percentages_and_interconnect_dates(cli, mixed_chips, tmp_path):
    """The fleet report's KPIs carry units (capex in B USD, not 12,101,436,864.0), the
    queue's completion rate reads as a percentage, and the site table has the
    interconnect in-service date (issue 23, defects 2 and 6)."""
    out = tmp_path / "fleet"
    assert cli("fleet", mixed_chips, "--out", out).returncode == 0
    done = cli("report", out, "--config", mixed_chips)
    assert done.returncode == 0, done.stderr
    html = (out / "report.html").read_text(encoding="utf-8").replace("<wbr>", "")
    assert "B USD" in html and "interconnect_date" in html
    assert re.search(r"completion_rate</td>(<td[^>]*>[0-9.]+%</td>)+", html)


def test_h100_equivalents_by_dense_bf16() -> None:
    """72 GB200s at 2,500 dense BF16 TFLOP/s and 10 H100 SXMs at 989.4 (the catalog's
    figures) are 72 x 2500 / 989.4 + 10 = 191.97 H100-equivalents."""
    from dcsim.config.catalog import builtin_catalog
    from dcsim.fleet.results import h100_equivalents

    catalog = builtin_catalog()
    assert catalog["gb200"].bf16_dense_tflops == 2500
    got = h100_equivalents({"gb200": 72, "h100-sxm": 10}, catalog)
    assert got == pytest.approx(72 * 2500 / 989.4 + 10)
    assert h100_equivalents({"b200": 0}, catalog) == 0


def test_the_fleet_counts_h100_equivalents(mixed_chips) -> None:
    kpis = run_fleet(mixed_chips, seed=1).kpis
    # nothing but H100s is energized in this fleet: equivalents equal the H100 count
    assert kpis["h100_equivalents_energized"] == kpis["gpus_energized_by_chip"]["h100-sxm"]
