"""Lost workers on a real process pool: every task comes back exactly once, and only a
task that takes its worker down even alone is reported lost."""

from __future__ import annotations

import os
from pathlib import Path

from dcsim.runtime.executors import Local, WorkerLost, map_retrying


def run(task: tuple[str, ...]) -> tuple[str, ...]:
    """A task is ``(kind, *names)``: "ok" returns its names; "dies-once" kills its worker
    the first time each of its marker files is missing; "dies" always kills it."""
    kind, *names = task
    if kind == "dies":
        os._exit(1)
    if kind == "dies-once":
        for name in names:
            if not Path(name).exists():
                Path(name).touch()
                os._exit(1)
    return tuple(names)


def alone(task: tuple[str, ...]) -> list[tuple[str, ...]]:
    kind, *names = task
    return [(kind, name) for name in names]


def outcomes(tasks, split=alone):
    pool = Local(2)
    try:
        return list(map_retrying(pool, run, tasks, split))
    finally:
        pool.close()


def test_a_task_that_killed_its_worker_once_runs_again(tmp_path, capsys):
    marker = str(tmp_path / "a")
    tasks = [("ok", "x"), ("dies-once", marker), ("ok", "y"), ("ok", "z")]
    results = dict(outcomes(tasks))
    assert results == {
        ("ok", "x"): ("x",),
        ("dies-once", marker): (marker,),
        ("ok", "y"): ("y",),
        ("ok", "z"): ("z",),
    }
    assert "warning: a worker process died; its" in capsys.readouterr().err


def test_a_lost_batch_runs_again_cut_into_its_parts(tmp_path):
    first, second = str(tmp_path / "1"), str(tmp_path / "2")
    got = outcomes([("dies-once", first, second), ("ok", "w")])
    # The batch came back as its two parts (each killed its worker once), never whole.
    assert sorted(got) == sorted(
        [
            (("dies-once", first), (first,)),
            (("dies-once", second), (second,)),
            (("ok", "w"), ("w",)),
        ]
    )


def test_only_a_task_that_kills_its_worker_even_alone_is_lost():
    got = outcomes([("ok", "a"), ("dies",), ("ok", "b")], split=lambda task: [task])
    lost = [task for task, result in got if isinstance(result, WorkerLost)]
    assert lost == [("dies",)]
    assert sorted(task for task, result in got if not isinstance(result, WorkerLost)) == [
        ("ok", "a"),
        ("ok", "b"),
    ]
