"""The sweep store under hostile conditions, through the command line: a worker killed
mid-sweep, two sweeps on one store, foreign and damaged files, links, a run that hangs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import TINY

from dcsim.cli import main

REPO = Path(__file__).resolve().parent.parent
BASE = str(REPO / "configs" / "meta-100k-h100.yaml")
DELAY = "grid.interconnects.0.schedule.2.delay"


def experiment(path: Path, base: str = BASE, **fields) -> str:
    path.write_text(json.dumps({"base": base, **fields}))
    return str(path)


def tiny_experiment(tmp_path: Path, **fields) -> str:
    base = tmp_path / "tiny.yaml"
    base.write_text(yaml.safe_dump(TINY))
    return experiment(tmp_path / "tiny-exp.yaml", str(base), replications=4, **fields)


def sweep(*args: str, executor: str = "serial") -> list[str]:
    return ["sweep", *args, "--executor", executor, "--quiet"]


def start(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "dcsim", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(condition, process: subprocess.Popen, what: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert process.poll() is None, f"sweep ended before {what}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def parts(out: Path) -> int:
    return len(list((out / "parts").glob("*.parquet"))) if (out / "parts").is_dir() else 0


def runs_of(out: Path) -> pd.DataFrame:
    return pd.read_parquet(out / "runs.parquet").drop(columns="wall_seconds")


def pool_workers(sweeper) -> list:
    """The pool's worker processes: forked from the sweep itself, or from a forkserver;
    never the forkserver or multiprocessing's resource tracker."""
    import psutil

    helpers = ("forkserver", "resource_tracker")
    workers = []
    for process in sweeper.children(recursive=True):
        try:
            command = " ".join(process.cmdline())
        except psutil.Error:  # ended since it was listed
            continue
        if not any(helper in command for helper in helpers):
            workers.append(process)
    return workers


def test_a_worker_killed_mid_sweep_loses_nothing(tmp_path):
    """SIGKILL one pool worker: its runs run again on a fresh pool, every run is stored
    exactly once, identical to an uninterrupted sweep; a rerun then has nothing to do."""
    psutil = pytest.importorskip("psutil")
    # Enough runs (about a second of work) that the pool still has work when the second
    # part is written: with fewer, the kill could land after the last task had finished.
    exp = experiment(
        tmp_path / "e.yaml",
        replications=120,
        design={"parameters": {DELAY: ["0 months", "6 months"]}},
    )
    out = tmp_path / "out"
    process = start(*sweep(exp, "--out", str(out), "--workers", "2", executor="local"))
    try:
        sweeper = psutil.Process(process.pid)
        wait_for(lambda: parts(out) >= 2 and pool_workers(sweeper), process, "the pool started")
        victim = pool_workers(sweeper)[0]
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=30)
        assert process.wait(timeout=300) == 0
        assert "warning: a worker process died; its" in process.stderr.read()
    finally:
        process.kill()
        process.wait()
        process.stderr.close()
    killed = runs_of(out)
    assert len(killed) == 240 and not killed.duplicated(["point", "replication"]).any()
    assert (killed["status"] == "ok").all()

    fresh = tmp_path / "fresh"
    assert main(sweep(exp, "--out", str(fresh))) == 0
    pd.testing.assert_frame_equal(killed, runs_of(fresh))
    assert main(sweep(exp, "--out", str(out))) == 0
    pd.testing.assert_frame_equal(killed, runs_of(out))


def test_two_sweeps_on_one_store(tmp_path, capsys):
    """The second is refused in one line naming the holder; the first's results are whole."""
    first = experiment(tmp_path / "a.yaml", replications=200)
    second = experiment(tmp_path / "b.yaml", replications=2, seed=7)
    out = tmp_path / "out"
    process = start(*sweep(first, "--out", str(out)))
    try:
        wait_for(lambda: parts(out) >= 1, process, "the first part")
        code = main(sweep(second, "--out", str(out), "--force"))
        assert process.poll() is None, "the first sweep ended too early to test the lock"
        assert code == 2
        assert capsys.readouterr().err == (
            f"error: {out}: in use by another sweep (pid {process.pid}); wait for it to end "
            "or use another --out\n"
        )
        assert process.wait(timeout=300) == 0
    finally:
        process.kill()
        process.wait()
        process.stderr.close()
    fresh = tmp_path / "fresh"
    assert main(sweep(first, "--out", str(fresh))) == 0
    pd.testing.assert_frame_equal(runs_of(out), runs_of(fresh))
    assert json.loads((out / "manifest.json").read_text())["counts"]["runs"] == 200


def test_force_never_writes_into_a_directory_that_is_not_a_store(tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep")
    assert main(sweep(tiny_experiment(tmp_path), "--out", str(out), "--force")) == 2
    assert "is not a dcsim sweep directory (it holds 'notes.txt')" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_links_in_a_store_are_refused_and_never_followed(tmp_path, capsys):
    exp = tiny_experiment(tmp_path)
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    assert main(sweep(exp, "--out", str(out))) == 0
    elsewhere.mkdir()
    (elsewhere / "part-x.parquet").write_text("not yours")
    (out / "parts").symlink_to(elsewhere, target_is_directory=True)
    assert main(sweep(exp, "--out", str(out), "--force")) == 2
    assert f"{out / 'parts'}: is a symbolic link" in capsys.readouterr().err
    assert (elsewhere / "part-x.parquet").read_text() == "not yours"


def test_damaged_and_foreign_run_files_are_quarantined_on_resume(tmp_path, capsys):
    exp = tiny_experiment(tmp_path)
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    assert main(sweep(exp, "--out", str(fresh))) == 0
    assert main(sweep(exp, "--out", str(out))) == 0
    capsys.readouterr()
    (out / "runs.parquet").write_bytes(b"PAR1 this is not parquet")
    (out / "parts").mkdir()
    pd.DataFrame({"a": [1]}).to_parquet(out / "parts" / "part-schema.parquet")
    foreign = pd.DataFrame({"point": [99], "replication": [0], "status": ["ok"], "error": [None]})
    foreign.to_parquet(out / "parts" / "part-foreign.parquet")
    assert main(sweep(exp, "--out", str(out))) == 0
    warnings = [line for line in capsys.readouterr().err.splitlines() if line]
    assert len(warnings) == 3 and all("moved to" in line for line in warnings), warnings
    assert len(list((out / "quarantine").iterdir())) == 3
    pd.testing.assert_frame_equal(runs_of(out), runs_of(fresh))


def test_runs_lost_to_infrastructure_run_again(tmp_path):
    """Stores written before lost workers were retried hold them as failed: a rerun mends
    them instead of keeping them failed forever."""
    exp = tiny_experiment(tmp_path)
    out = tmp_path / "out"
    assert main(sweep(exp, "--out", str(out))) == 0
    good = runs_of(out)
    stored = pd.read_parquet(out / "runs.parquet")
    stored.loc[1:2, "status"] = "error"
    stored.loc[1:2, "error"] = "task failed: BrokenProcessPool: A process in the pool died"
    stored.to_parquet(out / "runs.parquet", index=False)
    assert main(sweep(exp, "--out", str(out))) == 0
    pd.testing.assert_frame_equal(runs_of(out), good)


def test_a_damaged_manifest_is_refused(tmp_path, capsys):
    exp = tiny_experiment(tmp_path)
    out = tmp_path / "out"
    assert main(sweep(exp, "--out", str(out))) == 0
    (out / "manifest.json").write_text("[1, 2")
    assert main(sweep(exp, "--out", str(out), "--force")) == 2
    assert "manifest.json: not a dcsim sweep manifest" in capsys.readouterr().err


@pytest.mark.parametrize("out", ["file", "/proc/dcsim-no-such/out"])
def test_an_out_that_cannot_be_a_store(tmp_path, capsys, out):
    if out == "file":
        out = str(tmp_path / "file")
        Path(out).write_text("x")
    assert main(sweep(tiny_experiment(tmp_path), "--out", out)) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"error: --out {out}: ")


def test_a_run_past_the_time_limit_is_recorded_as_failed(tmp_path, capsys):
    """Twenty years of the default campus with GPU failures take seconds per run (every
    failure is an event): every run is stopped at 1 ms, whatever the timer's latency."""
    out = tmp_path / "out"
    long_runs = {"horizon": "20 years", "gpu_failures": {}}
    exp = experiment(tmp_path / "e.yaml", replications=3, set=long_runs)
    assert main(sweep(exp, "--out", str(out), "--time-limit", "0.001")) == 1
    runs = pd.read_parquet(out / "runs.parquet")
    assert (runs["error"] == "run stopped at the time limit of 0.001 s").all()


def test_stale_lock_of_a_dead_sweep_does_not_block(tmp_path):
    """The lock is the kernel's (flock): a sweep killed with the lock file left behind,
    naming its pid, does not stop the next one."""
    exp = tiny_experiment(tmp_path)
    out = tmp_path / "out"
    assert main(sweep(exp, "--out", str(out))) == 0
    (out / ".lock").write_text(f"{os.getpid() + 10**6}\n")
    assert main(sweep(exp, "--out", str(out))) == 0


def test_a_resume_quarantines_rows_of_another_seed_experiment_or_version(tmp_path, capsys):
    """Every stored row names its seed, experiment hash and dcsim version: with the manifest
    gone, another seed's rows are not taken for this one's, and parts copied from another
    experiment or written by another dcsim version are quarantined, not merged."""
    exp = tiny_experiment(tmp_path)
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    assert main(sweep(exp, "--out", str(out))) == 0
    stored = pd.read_parquet(out / "runs.parquet")
    assert {"seed", "experiment_hash", "dcsim_version"} <= set(stored.columns)
    (out / "manifest.json").unlink()
    seven = tiny_experiment(tmp_path, seed=7)
    capsys.readouterr()
    assert main(sweep(seven, "--out", str(out))) == 0
    assert "holds runs of seed 0, not 7" in capsys.readouterr().err
    assert main(sweep(seven, "--out", str(fresh))) == 0
    pd.testing.assert_frame_equal(runs_of(out), runs_of(fresh))
    (out / "parts").mkdir()
    other = stored.iloc[[0]].assign(seed=7)
    other.to_parquet(out / "parts" / "part-other.parquet", index=False)
    capsys.readouterr()
    assert main(sweep(seven, "--out", str(out))) == 0
    assert "holds runs of experiment_hash" in capsys.readouterr().err
    (out / "parts").mkdir()
    older = pd.read_parquet(out / "runs.parquet").iloc[[0]].assign(dcsim_version="0.0.1")
    older.to_parquet(out / "parts" / "part-older.parquet", index=False)
    assert main(sweep(seven, "--out", str(out))) == 0
    assert "holds runs of dcsim_version '0.0.1'" in capsys.readouterr().err
    pd.testing.assert_frame_equal(runs_of(out), runs_of(fresh))


def test_a_report_written_into_the_store_never_stops_its_resume(tmp_path, capsys):
    """``dcsim report OUT`` writes report.html (or report.md and its figures) into the
    store: a rerun resumes it; a --force run of another experiment discards it with the
    results it described; a directory of that name is still someone else's."""
    exp = tiny_experiment(tmp_path)
    out = tmp_path / "out"
    assert main(sweep(exp, "--out", str(out))) == 0
    assert main(["report", str(out)]) == 0
    assert main(["report", str(out), "--markdown"]) == 0
    assert {"report.html", "report.md"} <= {p.name for p in out.iterdir()}
    assert any(p.name.startswith("report-") for p in out.glob("*.png"))
    good = runs_of(out)
    capsys.readouterr()
    assert main(sweep(exp, "--out", str(out))) == 0, capsys.readouterr().err
    pd.testing.assert_frame_equal(runs_of(out), good)
    assert (out / "report.html").is_file()
    assert main(sweep(tiny_experiment(tmp_path, seed=3), "--out", str(out), "--force")) == 0
    assert not [p.name for p in out.iterdir() if p.name.startswith("report")]
    (out / "report.html").mkdir()
    capsys.readouterr()
    assert main(sweep(exp, "--out", str(out), "--force")) == 2
    assert "is not a dcsim sweep directory (it holds 'report.html')" in capsys.readouterr().err
