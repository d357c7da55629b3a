"""Monte Carlo of a fleet file: replication r is the single run with replication r (same
named streams), and serial, the local pool and Dask return the same rows."""

import json

import pandas as pd
import pytest
from test_fleet_cli import FLEET, write

from dcsim.fleet import run_fleet
from dcsim.fleet.montecarlo import OWNER, monte_carlo

REPLICATIONS = 3
SEED = 7


@pytest.fixture(scope="module")
def fleet_file(tmp_path_factory):
    return write(tmp_path_factory.mktemp("mc"), FLEET)


@pytest.fixture(scope="module")
def serial(fleet_file):
    return monte_carlo(fleet_file, REPLICATIONS, seed=SEED, executor="serial")


def test_replication_r_is_the_single_run_with_replication_r(fleet_file, serial):
    runs = serial.runs
    assert list(runs.replication) == list(range(REPLICATIONS)) and serial.failed == 0
    for r in (0, REPLICATIONS - 1):
        single = run_fleet(fleet_file, seed=SEED, replication=r)
        row = runs.iloc[r]
        assert row["gpus_energized_final"] == single.kpis["gpus_energized_final"]
        assert row["capex_usd"] == single.kpis["capex_usd"]
        east = single.regions.set_index("region").loc["east"]
        assert row["queue.east.withdrawn_gw"] == east["withdrawn_gw"]
    # the replications draw differently: the template's scale and the queue's traffic
    assert runs["gpus_ordered"].nunique() == REPLICATIONS
    assert runs["queue.east.withdrawn_gw"].nunique() == REPLICATIONS


def test_quantiles_cover_every_numeric_kpi(serial):
    table = serial.quantiles.set_index("kpi")
    gpus = serial.runs["gpus_ordered"]
    assert table.loc["gpus_ordered", "n"] == REPLICATIONS
    assert table.loc["gpus_ordered", "p50"] == gpus.median()
    assert table.loc["gpus_ordered", "p10"] <= table.loc["gpus_ordered", "p90"]
    assert "replication" not in table.index and "seed" not in table.index


def test_local_pool_gives_the_same_rows(fleet_file, serial):
    local = monte_carlo(fleet_file, REPLICATIONS, seed=SEED, executor="local", workers=2)
    pd.testing.assert_frame_equal(local.runs, serial.runs)
    pd.testing.assert_frame_equal(local.quantiles, serial.quantiles)


def test_dask_gives_the_same_rows(fleet_file, serial):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        dask = monte_carlo(
            fleet_file, REPLICATIONS, seed=SEED, executor="dask", address=cluster.scheduler_address
        )
    pd.testing.assert_frame_equal(dask.runs, serial.runs)


def test_cli_writes_replications_and_quantiles(cli, fleet_file, serial, tmp_path):
    out = tmp_path / "mc"
    args = ("fleet", fleet_file, "--seed", SEED, "--replications", REPLICATIONS, "--out", out)
    done = cli(*args, "--json")
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    assert [r["gpus_ordered"] for r in printed["replications"]] == list(serial.runs.gpus_ordered)
    stored = pd.read_parquet(out / "replications.parquet")
    assert set(stored.study_hash) == {
        json.loads((out / "manifest.json").read_text())["config_hash"]
    }
    pd.testing.assert_frame_equal(stored.drop(columns=list(OWNER)), serial.runs)
    assert len(pd.read_parquet(out / "quantiles.parquet")) == len(serial.quantiles)
    again = cli(*args)  # a finished study: nothing runs again, the files stay as they were
    assert again.returncode == 0, again.stderr
    again_stored = pd.read_parquet(out / "replications.parquet")
    pd.testing.assert_frame_equal(again_stored.drop(columns=list(OWNER)), serial.runs)
    other = cli(
        "fleet", fleet_file, "--seed", SEED + 1, "--replications", REPLICATIONS, "--out", out
    )
    assert other.returncode == 2 and "holds results of a different fleet study" in other.stderr


def test_a_killed_study_runs_only_the_replications_it_lacks(fleet_file, serial, tmp_path):
    """As a kill between replications leaves it: one replication's row in a part file and
    no consolidated table. The rerun keeps that row as stored (a marked value proves it
    did not run again) and runs the others."""
    monte_carlo(fleet_file, REPLICATIONS, seed=SEED, out=tmp_path)
    kept = pd.read_parquet(tmp_path / "replications.parquet").iloc[[1]]
    kept = kept.assign(gpus_ordered=-1)
    (tmp_path / "replications.parquet").unlink()
    (tmp_path / "parts").mkdir()
    kept.to_parquet(tmp_path / "parts" / "part-kept.parquet", index=False)
    resumed = monte_carlo(fleet_file, REPLICATIONS, seed=SEED, out=tmp_path)
    assert list(resumed.runs["gpus_ordered"]) == [
        serial.runs["gpus_ordered"][0],
        -1,
        serial.runs["gpus_ordered"][2],
    ]
    expected = serial.runs.drop(columns="gpus_ordered")
    pd.testing.assert_frame_equal(resumed.runs.drop(columns="gpus_ordered"), expected)
    assert not (tmp_path / "parts").exists()


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (("--replications", "0"), "--replications 0: expected 1 to"),
        (("--replications", "2", "--address", "tcp://x:1"), "need --executor dask"),
    ],
)
def test_bad_monte_carlo_options_give_one_line(cli, fleet_file, extra, expected):
    done = cli("fleet", fleet_file, *extra)
    assert done.returncode == 2 and expected in done.stderr, done.stderr


def test_the_replication_limit_shrinks_with_the_sites_a_replication_keeps(tmp_path, capsys):
    """Each site adds its columns to every kept replication: 3,000 sites and the file's one
    queue region take about 10,027 + 1,346 x 2,999 + 1,657 = 4,048,338 bytes a
    replication, so 4 GiB hold 1,060, rounded down to 1,000; 5,000 are refused in one line
    before anything runs."""
    import yaml
    from test_hostile_fleet import FLEET

    from dcsim.cli import main
    from dcsim.fleet.montecarlo import MAX_REPLICATIONS, StudySize, replication_limit

    assert replication_limit(StudySize(sites=3000)) == 1000
    assert MAX_REPLICATIONS == replication_limit(StudySize()) == 420_000  # 4 GiB / 10,027 B
    path = tmp_path / "fleet.yaml"
    path.write_text(yaml.safe_dump({**FLEET, "sites": [{**FLEET["sites"][1], "count": 3000}]}))
    out = tmp_path / "study"
    capsys.readouterr()
    assert main(["fleet", str(path), "--replications", "5000", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err == (
        "error: --replications 5000: expected 1 to 1,000 (a study of 3,000 sites and 1 region "
        "with a queue or large load keeps about 4,048 kB a replication, within 4 GiB; "
        "docs/limits.md)\n"
    )
    assert not out.exists()


def test_the_replication_limit_counts_the_regions_whose_queue_statistics_a_row_keeps():
    """A region with a queue adds five columns to every kept replication (1,657 B), one
    with a large-load process six (3,287 B); a region with neither adds none. One site and
    1,000 queue regions: 4 GiB / (10,027 + 1,657,000 B) = 2,576, rounded down to 2,500; as
    many large-load regions: 4 GiB / 3,297,027 B = 1,302, so 1,300."""
    from test_hostile_fleet import FLEET

    from dcsim.fleet.montecarlo import StudySize, replication_limit
    from dcsim.fleet.schema import Fleet

    assert replication_limit(StudySize(queues=1000)) == 2_500
    assert replication_limit(StudySize(large_loads=1000)) == 1_300
    east, west = FLEET["regions"]
    regions = [east, west, {"name": "ll", "large_load": {}}]
    fleet = Fleet.model_validate({**FLEET, "regions": regions, "sites": FLEET["sites"][:1]})
    assert StudySize.of(fleet) == StudySize(sites=1, queues=1, large_loads=1)


def test_a_study_of_many_queue_regions_is_refused_past_its_limit_in_one_line(cli, tmp_path):
    """Three sites and 2,000 regions with a queue keep about 10,027 + 2 x 1,346 + 2,000 x
    1,657 = 3,326,719 bytes a replication: 4 GiB hold 1,291, so 1,200 (two digits, rounded
    down); 2,000 are refused through the command line before anything runs or is written."""
    import yaml
    from test_hostile_fleet import FLEET

    east = FLEET["regions"][0]
    many = [{**east, "name": f"q{i}"} for i in range(1999)]
    path = tmp_path / "fleet.yaml"
    path.write_text(yaml.safe_dump({**FLEET, "regions": [*FLEET["regions"], *many]}))
    out = tmp_path / "study"
    done = cli("fleet", path, "--replications", "2000", "--out", out)
    assert done.returncode == 2
    assert done.stderr == (
        "error: --replications 2000: expected 1 to 1,200 (a study of 3 sites and 2,000 regions "
        "with a queue or large load keeps about 3,327 kB a replication, within 4 GiB; "
        "docs/limits.md)\n"
    )
    assert not out.exists()
