"""Where batches run: in this process, on a local process pool, or on a Dask cluster.

Each executor yields ``(index, result or exception)`` as tasks finish, in any order; the
runner does not care which, because every run is fully determined by its point, the root
seed and its replication number.

A task whose worker process died (killed, out of memory) comes back as :class:`WorkerLost`:
the failure is the machine's, not the scenario's, so the runner runs it again. The local
pool is rebuilt after such a loss; Dask resubmits a lost task itself (``RETRIES``) and
reports :class:`WorkerLost` only once those are spent.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, Protocol

from dcsim.errors import UserInputError

EXECUTORS = ("serial", "local", "dask")
CONNECT_TIMEOUT_S = 5
#: Most worker processes one sweep may start.
MAX_WORKERS = 1024
RETRIES = 2
#: Tries of a task whose worker dies: as handed out, in parts in parallel, in parts alone.
ATTEMPTS = 3


class WorkerLost(Exception):
    """The process running a task died before it reported back."""


class Executor(Protocol):
    workers: int

    def map_unordered(
        self, fn: Callable[[Any], Any], tasks: Sequence[Any]
    ) -> Iterator[tuple[int, Any]]: ...


class Serial:
    workers = 1

    def map_unordered(self, fn, tasks):
        for index, task in enumerate(tasks):
            try:
                yield index, fn(task)
            except Exception as error:
                yield index, error


class Local:
    """A process pool whose workers start with the simulator already imported.

    On Linux, a process that runs no other thread forks every worker at once, in
    milliseconds. A process that does run threads (a notebook's, the progress bar's when a
    lost worker's pool is rebuilt) never forks: a lock another thread held at the fork
    would stay held in the child forever. Its workers come from a forkserver that imports
    the simulator once, about a second before the first worker computes; on other systems,
    from spawn."""

    def __init__(self, workers: int | None):
        self.workers = workers or os.cpu_count() or 1
        self.pool = self._start()

    def _start(self):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self.start_method = start_method()
        context = multiprocessing.get_context(self.start_method)
        if self.start_method == "forkserver":
            context.set_forkserver_preload(["dcsim.runtime.worker", "dcsim.api"])
        pool = ProcessPoolExecutor(
            max_workers=self.workers, mp_context=context, initializer=bound_to_parent
        )
        if self.start_method == "fork":
            # A forking pool starts all its workers on the first submit, before its own
            # threads: submit now, while this process is still single-threaded. Frozen,
            # what the workers inherit is never walked by their garbage collector, which
            # would otherwise scan (and copy) this process's whole heap again and again.
            gc.freeze()
            try:
                pool.submit(os.getpid).result()
            finally:
                gc.unfreeze()
        return pool

    def map_unordered(self, fn, tasks):
        from concurrent.futures import as_completed
        from concurrent.futures.process import BrokenProcessPool

        futures = {self.pool.submit(fn, task): index for index, task in enumerate(tasks)}
        broken = False
        for future in as_completed(futures):
            error = future.exception()
            if isinstance(error, BrokenProcessPool):
                broken, error = True, WorkerLost(str(error))
            yield futures[future], error if error is not None else future.result()
        if broken:  # a broken pool takes no more tasks: start a fresh one for the retries
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = self._start()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    def abort(self) -> None:
        """End now (Ctrl-C, an error): the workers' runs are lost, which a resume runs
        again; waiting for them would keep the user waiting for nothing."""
        for process in list((self.pool._processes or {}).values()):  # no public handle
            process.terminate()
        self.pool.shutdown(wait=False, cancel_futures=True)


#: ``prctl`` option asking the kernel to signal a process when its parent ends (Linux).
PR_SET_PDEATHSIG = 1


def bound_to_parent() -> None:
    """A pool worker's first act (a Dask worker's too: :func:`dask_setup`): leave Ctrl-C
    to the parent (which ends the pool in one line) and, on Linux, die with its parent,
    so a parent killed by SIGKILL or the OOM killer leaves no worker computing for
    nobody."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform == "linux":
        import ctypes

        with suppress(OSError, AttributeError):  # no prctl: it outlives a killed parent
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def dask_setup(worker: Any) -> None:
    """Dask's preload hook, run first in every worker process of a ``LocalCluster`` this
    process starts (``preload=["dcsim.runtime.executors"]``): :func:`bound_to_parent`.

    Dask's own guard (a thread in each worker that exits when a pipe from the parent
    closes) needs the worker to run Python; a worker stopped, swapped out or inside a
    long call that holds the interpreter would outlive a parent killed by SIGKILL. The
    kernel's signal reaches it whatever it is doing. (The kernel sends it when the thread
    that started the worker ends: Dask starts each worker from a thread of its own that
    lasts as long as the worker.) A Ctrl-C to the process group is
    left to the parent, which closes the cluster; the worker only stops logging, so that
    its last words about the closing cluster (a heartbeat that found no scheduler) do not
    follow the command's one line, ``interrupted``."""
    import signal

    bound_to_parent()
    signal.signal(signal.SIGINT, _silence_logs)


def _silence_logs(signum: int, frame: object) -> None:
    logging.disable(logging.CRITICAL)


def map_retrying(
    pool: Executor,
    fn: Callable[[Any], Any],
    tasks: Sequence[Any],
    split: Callable[[Any], list[Any]] = lambda task: [task],
    what: str = "tasks",
) -> Iterator[tuple[Any, Any]]:
    """``(task, result or exception)`` for every task, as each finishes.

    A task lost with its worker (killed, out of memory) is the machine's failure, not the
    task's: it runs again, cut into ``split(task)`` (a batch into its runs), first with the
    rest in parallel, then each alone on the pool, so that one part that takes its worker
    down cannot take others with it. Only a part that does so even alone comes back as
    :class:`WorkerLost`. A warning on stderr counts the ``what`` that run again."""
    for attempt in range(1, ATTEMPTS + 1):
        groups = [[task] for task in tasks] if attempt == ATTEMPTS else [list(tasks)]
        lost = []
        for group in groups:
            for index, result in pool.map_unordered(fn, group):
                if isinstance(result, WorkerLost) and attempt < ATTEMPTS:
                    lost.append(group[index])
                else:
                    yield group[index], result
        tasks = [part for task in lost for part in split(task)]
        if not tasks:
            return
        print(
            f"warning: a worker process died; its {len(tasks)} unfinished {what} run again",
            file=sys.stderr,
        )


def start_method() -> str:
    """How :class:`Local` starts its workers here and now (see its docstring)."""
    import threading

    if sys.platform == "win32":
        return "spawn"
    if sys.platform == "linux" and threading.active_count() == 1:
        return "fork"
    return "forkserver"


class Dask:
    def __init__(self, client: Any):
        self.client = client
        workers = client.scheduler_info()["workers"].values()
        self.workers = max(1, sum(w["nthreads"] for w in workers))

    def map_unordered(self, fn, tasks):
        from distributed import KilledWorker, as_completed

        futures = {
            self.client.submit(fn, task, pure=False, retries=RETRIES): i
            for i, task in enumerate(tasks)
        }
        for future in as_completed(list(futures)):
            error = future.exception()
            if isinstance(error, KilledWorker):
                error = WorkerLost(str(error))
            yield futures[future], error if error is not None else future.result()
            future.release()


@contextmanager
def open_executor(
    kind: str,
    workers: int | None = None,
    address: str | None = None,
    scheduler_file: str | None = None,
) -> Iterator[Executor]:
    if workers is not None and not 1 <= workers <= MAX_WORKERS:
        raise UserInputError(f"--workers {workers}: expected 1 to {MAX_WORKERS}")
    if kind == "serial":
        yield Serial()
    elif kind == "local":
        executor = Local(workers)
        try:
            yield executor
        except BaseException:
            executor.abort()
            raise
        executor.close()
    elif kind == "dask":
        with _dask_client(workers, address, scheduler_file) as client:
            yield Dask(client)
    else:
        raise UserInputError(f"--executor {kind}: expected one of {', '.join(EXECUTORS)}")


def _check_scheduler_file(path: Path) -> None:
    """What ``dask scheduler --scheduler-file`` writes: a JSON object with the scheduler's
    ``address``. Anything else would fail deep inside Dask."""
    import json

    if not path.is_file():
        raise UserInputError(f"--scheduler-file {path}: file not found")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("address"), str):
        raise UserInputError(
            f"--scheduler-file {path}: not a Dask scheduler file (a JSON object with the "
            "scheduler's address, as `dask scheduler --scheduler-file` writes)"
        )


@contextmanager
def _dask_client(workers: int | None, address: str | None, scheduler_file: str | None):
    try:
        from distributed import Client
    except ImportError:
        raise UserInputError("--executor dask needs dask: pip install 'dcsim[dask]'") from None
    if address or scheduler_file:
        if scheduler_file:
            _check_scheduler_file(Path(scheduler_file))
        target = f"--address {address}" if address else f"--scheduler-file {scheduler_file}"
        try:
            client = Client(address, scheduler_file=scheduler_file, timeout=f"{CONNECT_TIMEOUT_S}s")
        except (OSError, TimeoutError, ValueError) as error:
            raise UserInputError(
                f"{target}: cannot reach the Dask scheduler within {CONNECT_TIMEOUT_S} s "
                f"({type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''})"
            ) from None
        with client:
            yield client
        return
    with _local_cluster(workers or os.cpu_count() or 1) as cluster, Client(cluster) as client:
        yield client


#: Diagnostics a sweep's own cluster does without: it has no dashboard, and each wakes
#: every process's event loop, which then takes the interpreter from the running
#: simulation (together they cost a 6,000-run sweep about 7% of its throughput).
QUIET_DIAGNOSTICS = {
    "distributed.worker.profile.enabled": False,  # a stack sample every 10 ms
    "distributed.admin.tick.interval": "1s",  # every 20 ms: is the event loop blocked?
    "distributed.admin.system-monitor.interval": "5s",  # every 500 ms: CPU, memory, network
    "distributed.worker.memory.monitor-interval": "1s",  # 100 ms: memory limits, checked each s
}


@contextmanager
def _local_cluster(workers: int):
    """A LocalCluster of ``workers`` single-threaded processes, started as :class:`Local`
    starts its pool: forked (the nannies fork from the cluster's own event-loop thread,
    a method Dask supports) when nothing but the cluster runs threads here, with the
    inherited heap frozen out of the workers' garbage collection; spawned otherwise,
    which costs each worker a second of imports."""
    import dask
    from distributed import LocalCluster

    fork = start_method() == "fork"
    method = "fork" if fork else dask.config.get("distributed.worker.multiprocessing-method")
    settings = {**QUIET_DIAGNOSTICS, "distributed.worker.multiprocessing-method": method}
    with dask.config.set(settings):
        gc.freeze()
        try:
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                preload=[__name__],  # dask_setup: each worker dies with this process
            )
        finally:
            gc.unfreeze()
    with cluster:
        yield cluster
