"""Sweeps in process: executors agree row for row, CRN, failures, the store and the API."""

from __future__ import annotations

import itertools
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dcsim
from dcsim.cli import main
from dcsim.sweeps.experiment import Experiment, GridDesign
from dcsim.sweeps.runner import run_sweep

BASE = str(Path(__file__).resolve().parent.parent / "configs" / "meta-100k-h100.yaml")
PRICE = "economics.electricity_price"
DELAY = "grid.interconnects.0.schedule.2.delay"
#: Compared across executors and between experiments that share runs: wall time may
#: differ, and the experiment hash names the experiment (a grid of one point is another
#: experiment than the grid of two it shares runs with).
VOLATILE = ["wall_seconds", "experiment_hash"]


def grid(parameters: dict, replications: int = 3, **fields) -> Experiment:
    return Experiment(
        base=BASE, design=GridDesign(parameters=parameters), replications=replications, **fields
    )


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> pd.DataFrame:
    out = tmp_path_factory.mktemp("serial")
    return run_sweep(grid({DELAY: ["0 months", "9 months"]}), out, executor="serial").runs


def same_runs(left: pd.DataFrame, right: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(left.drop(columns=VOLATILE), right.drop(columns=VOLATILE))


def test_store_holds_one_row_per_run_with_parameters_and_kpis(reference, tmp_path):
    assert list(reference[["point", "replication"]].itertuples(index=False)) == [
        (p, r) for p in range(2) for r in range(3)
    ]
    assert list(reference.columns[:4]) == ["point", "replication", "seed", DELAY]
    assert {"constraint_gpu_days.grid", "days_to_full_cluster", "status", "error"} <= set(
        reference.columns
    )
    assert (reference["status"] == "ok").all()
    # A nine-month slip of the last grid step cannot make the campus finish earlier.
    assert (
        reference.loc[3:, "days_to_full_cluster"].to_numpy()
        >= reference.loc[:2, "days_to_full_cluster"].to_numpy()
    ).all()


def test_local_pool_matches_serial(reference, tmp_path):
    result = run_sweep(
        grid({DELAY: ["0 months", "9 months"]}), tmp_path, executor="local", workers=2
    )
    same_runs(reference, result.runs)
    assert same_files(tmp_path)


def same_files(out: Path) -> bool:
    """After a sweep: consolidated, no parts left, manifest complete with counts."""
    manifest = json.loads((out / "manifest.json").read_text())
    return (
        not (out / "parts").exists()
        and manifest["complete"]
        and manifest["counts"] == {"points": 2, "replications": 3, "runs": 6, "ok": 6, "failed": 0}
        and pd.read_parquet(out / "summary.parquet")["point"].nunique() == 2
    )


def test_dask_cluster_matches_serial(reference, tmp_path):
    distributed = pytest.importorskip("distributed")
    # Threads in this process: no interpreter start-up, and nothing left behind to warn about.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)  # sockets closed as the cluster stops
        with distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster:
            result = run_sweep(
                grid({DELAY: ["0 months", "9 months"]}),
                tmp_path,
                executor="dask",
                address=cluster.scheduler_address,
            )
    same_runs(reference, result.runs)


def test_common_random_numbers_across_points(tmp_path):
    """The electricity price cannot move any date: with CRN every replication of every price
    draws the same lead times, so the dates agree exactly, while replications differ."""
    exp = grid({PRICE: ["40 USD/MWh", "90 USD/MWh"]}, set={"economics": {}})
    runs = run_sweep(exp, tmp_path, executor="serial").runs
    by_point = runs.pivot(index="replication", columns="point", values="full_cluster_date")
    assert (by_point[0] == by_point[1]).all()
    assert by_point[0].nunique() == 3
    cost = runs.pivot(index="replication", columns="point", values="electricity_cost_usd")
    assert (cost[1] > cost[0]).all()


def test_a_failing_run_is_recorded_and_the_sweep_goes_on(tmp_path, monkeypatch, capsys):
    import dcsim.runtime.worker
    from dcsim.sim.model import BuildOut

    class Flaky(BuildOut):
        def run(self, deadline=None):
            if self.streams.replication == 1:
                raise RuntimeError("solver diverged")
            return super().run(deadline)

    monkeypatch.setattr(dcsim.runtime.worker, "BuildOut", Flaky)
    exp = tmp_path / "e.yaml"
    exp.write_text(
        json.dumps(
            {"base": BASE, "replications": 3, "design": {"parameters": {"halls.0.pue": [1.1, 0.5]}}}
        )
    )
    code = main(
        [
            "sweep",
            str(exp),
            "--executor",
            "serial",
            "--out",
            str(tmp_path / "o"),
            "--quiet",
            "--json",
        ]
    )
    assert code == 1
    report = json.loads(capsys.readouterr().out)
    assert (report["ok"], report["failed"]) == (2, 4)
    runs = pd.read_parquet(tmp_path / "o" / "runs.parquet")
    errors = runs.set_index(["point", "replication"])["error"]
    assert errors[0, 1].startswith("RuntimeError: solver diverged")
    assert pd.isna(errors[0, 0]) and pd.isna(errors[0, 2])
    # pue 0.5 fails validation: every run of that point says why.
    assert all("halls.0.pue" in errors[1, r] and "1" in errors[1, r] for r in range(3))
    assert runs.loc[runs["status"] == "error", "days_to_full_cluster"].isna().all()


def test_resume_runs_only_what_is_missing(reference, tmp_path):
    """Lose some finished runs (as a kill between parts would) and run again."""
    exp = grid({DELAY: ["0 months", "9 months"]})
    run_sweep(exp, tmp_path, executor="serial")
    runs = pd.read_parquet(tmp_path / "runs.parquet")
    kept = runs.iloc[[0, 4]]
    (tmp_path / "runs.parquet").unlink()
    (tmp_path / "parts").mkdir()
    kept.to_parquet(tmp_path / "parts" / "part-kept.parquet", index=False)
    resumed = run_sweep(exp, tmp_path, executor="serial").runs
    same_runs(reference, resumed)
    # The two kept runs were not redone: their wall times are the stored ones.
    assert resumed.loc[[0, 4], "wall_seconds"].tolist() == kept["wall_seconds"].tolist()


def test_timeseries_are_stored_per_run(tmp_path):
    exp = grid({}, replications=2)
    run_sweep(exp, tmp_path, executor="serial", timeseries=True)
    series = pd.read_parquet(tmp_path / "timeseries" / "point=0" / "replication=1.parquet")
    assert {"date", "facility_mw", "gpus_energized"} <= set(series.columns)
    assert not list(tmp_path.glob("**/*.partial"))


def test_summary_quantiles_match_numpy(tmp_path):
    result = run_sweep(grid({}, replications=5), tmp_path, executor="serial")
    row = result.summary.set_index("kpi").loc["days_to_full_cluster"]
    values = result.runs["days_to_full_cluster"].to_numpy()
    assert row["p10"] == pytest.approx(np.quantile(values, 0.1))
    assert row["p90"] == pytest.approx(np.quantile(values, 0.9))
    assert (row["n"], row["runs"]) == (5, 5)


def test_python_api(reference, tmp_path):
    runs = dcsim.sweep(BASE, {DELAY: ["0 months", "9 months"]}, replications=3, executor="serial")
    same_runs(reference, runs)
    again = dcsim.sweep(
        grid({DELAY: ["0 months"]}, replications=2), executor="serial", out=tmp_path
    )
    same_runs(reference.iloc[:2], again)
    assert (tmp_path / "runs.parquet").exists()
    with pytest.raises(TypeError):
        dcsim.sweep(grid({}), {DELAY: ["1 month"]})


def test_dask_scheduler_file_matches_serial(reference, tmp_path):
    """``--scheduler-file``: connect through the file a running scheduler writes."""
    distributed = pytest.importorskip("distributed")
    scheduler_file = tmp_path / "scheduler.json"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        with distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=False,
            dashboard_address=None,
            scheduler_kwargs={"scheduler_file": str(scheduler_file)},
        ):
            assert json.loads(scheduler_file.read_text())["address"]
            result = run_sweep(
                grid({DELAY: ["0 months", "9 months"]}),
                tmp_path / "out",
                executor="dask",
                scheduler_file=str(scheduler_file),
            )
    same_runs(reference, result.runs)


def test_a_store_reads_its_own_parts_as_a_fresh_reader_does(tmp_path):
    """The runs a store kept of the parts it wrote equal what reading the files gives, for
    parts whose columns differ in type: ok runs with KPIs and dates, failed runs with none,
    and parts of one type (which the store converts together)."""
    from dcsim.runtime.store import Store

    ok = {"status": "ok", "error": None, "gpus": 10, "date": "2026-01-01", "mw": 1.5}
    failed = {"status": "error", "error": "ValueError: x", "wall_seconds": float("nan")}
    rows = [
        [{"point": 0, "replication": 0, **ok}, {"point": 0, "replication": 1, **failed}],
        [{"point": 1, "replication": r, **failed} for r in range(2)],
        [{"point": 1, "replication": 0, **ok, "date": None, "gpus": 3}],
        *([{"point": 2, "replication": r, **ok, "mw": 2.0 + r}] for r in range(6)),
    ]
    writer = Store(tmp_path)
    for part in rows:
        writer.add_part(part)
    kept = writer.finished({"point": 3, "replication": 6})
    fresh = Store(tmp_path).finished({"point": 3, "replication": 6})
    assert len(kept) == 10 and kept["gpus"].dtype == np.float64
    pd.testing.assert_frame_equal(kept, fresh)
    assert kept.map(repr).equals(fresh.map(repr))  # None and NaN are not the same value


def test_the_runs_do_not_depend_on_how_they_were_split_into_parts(tmp_path):
    """The batch sizes of a sweep follow its pilot's timing, so under load the same runs
    arrive in other parts: a part whose runs all lack a date or a number (never reached,
    NaN) used to come back as another dtype and other NaN bits than the same runs mixed
    with reached ones, and the output fingerprints flickered. Any split gives one frame."""
    from dcsim.runtime.store import Store
    from tests.output_identity import frame_digests

    def run(replication: int) -> dict:
        reached = replication % 3 != 2
        return {
            "point": 0,
            "replication": replication,
            "status": "ok",
            "error": None,
            "days": 100.0 + replication if reached else float("inf") - float("inf"),
            "date": f"2026-01-{1 + replication:02d}" if reached else None,
        }

    runs = [run(r) for r in range(6)]
    frames = []
    for split in ([6], [1, 5], [2, 1, 3], [2, 1, 1, 2]):
        store = Store(tmp_path / "-".join(map(str, split)))
        starts = [0, *itertools.accumulate(split)]
        for a, b in itertools.pairwise(starts):
            store.add_part(runs[a:b])
        frames.append(store.finished({"point": 1, "replication": 6}))
    for frame in frames[1:]:
        pd.testing.assert_frame_equal(frame, frames[0])
        assert frame_digests(frame) == frame_digests(frames[0])  # NaN bits included


def test_a_pool_never_forks_a_process_that_runs_threads(reference, tmp_path):
    """With another thread alive the pool's workers come from the forkserver, and the runs
    are those of the serial sweep."""
    import sys
    import threading

    from dcsim.runtime import executors

    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        pool = executors.Local(2)
        try:
            assert pool.start_method == ("spawn" if sys.platform == "win32" else "forkserver")
        finally:
            pool.close()
        result = run_sweep(
            grid({DELAY: ["0 months", "9 months"]}), tmp_path, executor="local", workers=2
        )
    finally:
        release.set()
        other.join()
    same_runs(reference, result.runs)


@settings(max_examples=300, deadline=None)
@given(
    runs=st.integers(0, 200_000),
    seconds=st.floats(1e-4, 30.0),
    workers=st.integers(1, 64),
)
def test_task_sizes_cover_every_run_and_shrink_towards_the_end(runs, seconds, workers):
    from dcsim.sweeps.runner import MIN_TASK_S, TARGET_TASK_S, task_sizes

    sizes = task_sizes(runs, seconds, workers)
    assert sum(sizes) == runs and all(size >= 1 for size in sizes)
    assert sizes == sorted(sizes, reverse=True)
    assert all(size * seconds <= TARGET_TASK_S + seconds for size in sizes)
    if runs * seconds >= 10 * workers * TARGET_TASK_S:  # plenty of work
        assert sizes[0] * seconds >= TARGET_TASK_S - seconds
        assert sizes[-1] * seconds <= MIN_TASK_S + seconds  # a short task ends the sweep


def test_an_interrupted_writer_leaves_no_temporary_file(tmp_path):
    """Ctrl-C can land between a temporary file's creation and the ``try`` that removes
    it (inside ``mkstemp``): the store removes what its own writer left as it closes."""
    from dcsim.runtime.store import Store

    store = Store(tmp_path / "study")
    with pytest.raises(KeyboardInterrupt), store.opened({"config_hash": "a"}, force=False):
        store.add_part([{"point": 0, "replication": 0, "status": "ok"}])
        (tmp_path / "study" / "parts" / ".part-x.parquet.abc.partial").write_bytes(b"")
        raise KeyboardInterrupt
    assert not list((tmp_path / "study").rglob("*.partial"))
    assert len(list((tmp_path / "study" / "parts").glob("*.parquet"))) == 1
