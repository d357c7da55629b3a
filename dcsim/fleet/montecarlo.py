"""Monte Carlo of a fleet file: replications 0..N-1 of one fleet on any sweep executor.

Replication ``r`` draws from the named streams of ``(seed, r)`` (template variation, queue
traffic, every site's entities), so a replication is fully determined by the file, the
root seed and ``r``: the same rows come back from this process, a local pool or a Dask
cluster, in any order of completion, and two fleet files run with the same seed share
random numbers where they share sites and regions (common random numbers).

The file and its site scenarios are read and validated once, here; a task carries the
validated fleet and its site plans, so a worker on another machine needs neither file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

import pandas as pd

from dcsim.errors import UserInputError
from dcsim.files import LOCK_NAME
from dcsim.fleet.loader import SitePlan, load_fleet, site_plans
from dcsim.fleet.model import FleetRun
from dcsim.fleet.results import SITE_DATES, summarize_fleet
from dcsim.fleet.risk import region_risk, site_risk
from dcsim.fleet.schema import MEMORY_LIMIT_BYTES, Fleet
from dcsim.runtime.executors import Executor, WorkerLost, map_retrying, open_executor
from dcsim.runtime.store import Layout, Store, runs_table
from dcsim.runtime.worker import describe, flatten
from dcsim.sweeps.summary import summarize
from dcsim.version import __version__

#: Columns of a replication row that are not KPIs.
META = ("replication", "seed", "status", "error")
#: Columns a stored row carries so that a resume keeps only this study's rows: the study's
#: hash (file, site scenarios, seed, count) and the dcsim version that ran it.
OWNER = ("study_hash", "dcsim_version")
#: A study's ``--out``: the store's parts/ and quarantine/ besides these files.
STUDY = Layout(
    "replications.parquet",
    (
        "manifest.json",
        "replications.parquet",
        "quantiles.parquet",
        "site_risk.parquet",
        "region_risk.parquet",
        LOCK_NAME,
    ),
    "fleet study",
    "fleet study",
)
#: Memory per replication kept by a study written to a store (``--out``: its row, kept by
#: the process that records them): the slope of peak RSS from 20 to 1,000 replications of
#: a one-site fleet (``benchmarks/fleet_memory.py``, 2026-12). The same study kept in
#: memory only takes 8,300 bytes a replication; the store's is the bound.
BYTES_PER_REPLICATION = 10_027
#: What each site beyond the first adds to a kept replication (its dates and GPUs
#: energized: five columns): the slope of bytes per replication from a one-site to a
#: 100-site fleet (143,237 bytes a replication), measured the same way. Of two runs of
#: the benchmark (10,027 and 9,337 bytes a replication; 1,346 and 1,320 a site), the
#: larger figures are kept.
BYTES_PER_REPLICATION_SITE = 1_346
#: What each region with a queue adds to a kept replication (its five queue statistics
#: columns, :data:`QUEUE_STATS`): the slope of bytes per replication from a one-site fleet
#: to one with 100 more such regions, measured the same way (``benchmarks/fleet_memory.py``,
#: 2026-12-07, load average 1.2 to 2.8): 1,542, 1,576, 1,615 and 1,657 bytes in four runs,
#: the largest kept.
BYTES_PER_REPLICATION_QUEUE = 1_657
#: The same for a region with a large-load process (six columns): 3,287, 3,121 and 2,968
#: bytes in three runs, the largest kept. Its rows cost about twice a queue region's, more
#: than its one more column explains; measured, not explained.
BYTES_PER_REPLICATION_LARGE_LOAD = 3_287


@dataclass(frozen=True)
class StudySize:
    """What sets the memory of a kept replication: sites, and regions whose queue
    statistics each row keeps."""

    sites: int = 1
    queues: int = 0  # regions with a queue
    large_loads: int = 0  # regions with a large-load process

    @classmethod
    def of(cls, fleet: Fleet) -> StudySize:
        return cls(
            sites=sum(site.count for site in fleet.sites),
            queues=sum(region.queue is not None for region in fleet.regions),
            large_loads=sum(region.large_load is not None for region in fleet.regions),
        )

    @property
    def bytes_per_replication(self) -> int:
        """What a kept replication takes, as a study written to a store keeps it."""
        return (
            BYTES_PER_REPLICATION
            + BYTES_PER_REPLICATION_SITE * (self.sites - 1)
            + BYTES_PER_REPLICATION_QUEUE * self.queues
            + BYTES_PER_REPLICATION_LARGE_LOAD * self.large_loads
        )

    def __str__(self) -> str:
        """``a study of 3 sites and 2 regions with a queue or large load``."""
        regions = self.queues + self.large_loads
        if self.sites == 1 and not regions:
            return "a study"
        study = f"a study of {self.sites:,} site{'s' * (self.sites != 1)}"
        if regions:
            study += f" and {regions:,} region{'s' * (regions != 1)} with a queue or large load"
        return study


def replication_limit(size: StudySize) -> int:
    """Most replications a study of ``size`` may keep: the fleet memory limit's worth at
    the measured bytes per replication, rounded down to two significant digits (420,000
    for one site, 29,000 for 100 sites, 1,000 for 3,000 sites, 2,500 for one site and
    1,000 regions with a queue)."""
    most = MEMORY_LIMIT_BYTES // size.bytes_per_replication
    step = 10 ** max(0, len(str(most)) - 2)
    return most // step * step


#: Most replications of any study (of one site).
MAX_REPLICATIONS = replication_limit(StudySize())
#: Replications planned at a time: enough to keep the workers of a large machine busy
#: (four per worker of a 16-core pool), few enough that their plans stay small in memory.
CHUNK = 64
#: Queue statistics kept per region in a replication row (``queue.<region>.<stat>``).
QUEUE_STATS = (
    "completion_rate",
    "completion_rate_by_capacity",
    "median_years_to_operation",
    "operating_gw",
    "withdrawn_gw",
    "energized_gw",  # large-load regions (tranches included)
)


@dataclass(frozen=True)
class Replication:
    """What a worker needs to run one replication: nothing is read from disk there."""

    fleet: Fleet
    plans: list[SitePlan] | str  # the replication's sites, or why they cannot be built
    seed: int
    replication: int


@dataclass
class MonteCarlo:
    runs: pd.DataFrame  # one row per replication, in replication order
    quantiles: pd.DataFrame  # one row per KPI: runs, n, mean, p10, p50, p90
    site_risk: pd.DataFrame  # one row per site: date quantiles, P(reached by a date)
    region_risk: pd.DataFrame  # one row per region: GPU quantiles, P(all its sites by a date)

    @property
    def failed(self) -> int:
        return int((self.runs["status"] != "ok").sum())


def run_replication(task: Replication) -> dict[str, Any]:
    """One replication's row: its fleet KPIs (nested ones as dotted columns) and the queue
    statistics of each region; a replication that raises is an ``error`` row."""
    row: dict[str, Any] = {"replication": task.replication, "seed": task.seed}
    if isinstance(task.plans, str):
        return {**row, "status": "error", "error": task.plans}
    try:
        result = summarize_fleet(
            FleetRun(task.fleet, task.plans, task.seed, task.replication).run()
        )
    except Exception as error:
        return {**row, "status": "error", "error": describe(error)}
    kpis = {k: v for k, v in result.kpis.items() if k not in ("fleet", "seed")}
    queues = {
        "queue": {
            region["region"]: {stat: region[stat] for stat in QUEUE_STATS if stat in region}
            for region in result.regions.to_dict(orient="records")
        }
    }
    sites = {
        "site": {
            site["site"]: {key: site[key] for key in (*SITE_DATES, "gpus_energized_final")}
            for site in result.sites.to_dict(orient="records")
        }
    }
    flat = {**flatten(kpis), **flatten(queues), **flatten(sites)}
    return {**row, "status": "ok", "error": None, **flat}


def plan_replication(fleet: Fleet, path: str | Path, seed: int, replication: int) -> Replication:
    """One replication's task. A replication whose drawn site variation makes a scenario
    invalid is an error row, not the end of the study; replication 0 is planned first, and
    a problem there is the file's own, said as for a single run."""
    try:
        plans: list[SitePlan] | str = site_plans(fleet, path, seed, replication)
    except UserInputError as error:
        if replication == 0:
            raise
        plans = "; ".join(error.problems)
    return Replication(fleet, plans, seed, replication)


def monte_carlo(
    path: str | Path,
    replications: int,
    seed: int = 0,
    executor: str = "serial",
    workers: int | None = None,
    address: str | None = None,
    scheduler_file: str | None = None,
    out: str | Path | None = None,
    force: bool = False,
    by: list[dt.date] | None = None,
) -> MonteCarlo:
    """Replications ``0..replications-1`` of the fleet file on ``executor`` (``serial``,
    ``local`` or ``dask``, as for sweeps); rows are sorted by replication, so the result
    does not depend on which worker finished first. Replications are planned a chunk at a
    time (:data:`CHUNK`) as the executor takes them, so memory and the time to the first
    result do not grow with their number.

    With ``out``, the study is kept as a sweep is (:class:`~dcsim.runtime.store.Store`):
    each replication is written as it finishes, so a killed study resumes where it
    stopped, and ``out`` ends with ``replications.parquet``, ``quantiles.parquet`` and
    ``site_risk.parquet`` and ``region_risk.parquet`` (:mod:`dcsim.fleet.risk`, by the dates
    ``by``, default the fleet's end date). A
    directory holding another study (another file, seed or count) is refused unless
    ``force``; on resume, a stored row of another seed, study or dcsim version is
    quarantined and its replication runs again."""
    _check_count(replications, StudySize())
    fleet = load_fleet(path)
    _check_count(replications, StudySize.of(fleet))
    first = plan_replication(fleet, path, seed, 0)
    regions = {p.name: p.region for p in first.plans} if isinstance(first.plans, list) else {}
    dates = by or [fleet.end]

    def tasks(wanted: Iterable[int]) -> Iterator[list[Replication]]:
        for chunk in batched(wanted, CHUNK):
            yield [first if r == 0 else plan_replication(fleet, path, seed, r) for r in chunk]

    if out is None:
        with open_executor(executor, workers, address, scheduler_file) as pool:
            runs = runs_table(list(_rows(pool, tasks(range(replications))))).to_pandas()
        return _study(runs, dates, regions)
    store = Store(out, STUDY)
    digest = _study_hash(first, replications)
    started = _manifest(first, replications, digest, executor, complete=False)
    store.check(started, force)
    counts = {"replication": replications}
    owner = {"seed": seed, "study_hash": digest, "dcsim_version": __version__}
    with (
        open_executor(executor, workers, address, scheduler_file) as pool,
        store.opened(started, force),
    ):
        done = set(store.finished(counts, owner)["replication"])
        wanted = (r for r in range(replications) if r not in done)
        for row in _rows(pool, tasks(wanted)):
            store.add_part([{**row, **owner}])
        study = _study(store.finished(counts, owner), dates, regions)
        store.consolidate(study.runs)
        store.write_frame("quantiles.parquet", study.quantiles)
        store.write_frame("site_risk.parquet", study.site_risk)
        store.write_frame("region_risk.parquet", study.region_risk)
        finished = _manifest(first, replications, digest, executor, complete=True)
        store.write_json("manifest.json", finished)
    return replace(study, runs=study.runs.drop(columns=list(OWNER)))


def _check_count(replications: int, size: StudySize) -> None:
    """1 to :func:`replication_limit` replications, or one line saying why not."""
    most = replication_limit(size)
    if not 1 <= replications <= most:
        raise UserInputError(
            f"--replications {replications}: expected 1 to {most:,} ({size} keeps about "
            f"{size.bytes_per_replication / 1000:,.0f} kB a replication, within "
            f"{MEMORY_LIMIT_BYTES // 2**30} GiB; docs/limits.md)"
        )


def batched(items: Iterable[int], size: int) -> Iterator[list[int]]:
    """``items`` in lists of ``size`` (the last may be shorter); ``itertools.batched``
    arrives with Python 3.12."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _rows(pool: Executor, chunks: Iterable[list[Replication]]) -> Iterator[dict[str, Any]]:
    """Each task's row as it finishes, a chunk of tasks at a time; a replication lost with
    its worker runs again (:func:`~dcsim.runtime.executors.map_retrying`)."""
    for chunk in chunks:
        for task, outcome in map_retrying(pool, run_replication, chunk, what="replications"):
            if isinstance(outcome, BaseException):
                error = (
                    "its worker process died even running it alone"
                    if isinstance(outcome, WorkerLost)
                    else describe(outcome)
                )
                outcome = {"replication": task.replication, "seed": task.seed}
                outcome.update(status="error", error=error)
            yield outcome


def _study(runs: pd.DataFrame, by: list[dt.date], regions: dict[str, str]) -> MonteCarlo:
    runs = runs.sort_values("replication", kind="stable").reset_index(drop=True)
    return MonteCarlo(runs, quantiles(runs), site_risk(runs, by), region_risk(runs, regions, by))


def _study_hash(first: Replication, replications: int) -> str:
    """What the study is: the validated fleet, the site scenarios of its first replication
    (the others are varied copies drawn from the same file), the root seed and the number
    of replications."""
    sites = (
        first.plans
        if isinstance(first.plans, str)
        else [
            {"name": plan.name, "scenario": plan.scenario.model_dump(mode="json")}
            for plan in first.plans
        ]
    )
    study = {
        "fleet": first.fleet.model_dump(mode="json"),
        "sites": sites,
        "seed": first.seed,
        "replications": replications,
    }
    return hashlib.sha256(json.dumps(study, sort_keys=True, default=str).encode()).hexdigest()


def _manifest(
    first: Replication, replications: int, digest: str, executor: str, complete: bool
) -> dict[str, Any]:
    return {
        "complete": complete,
        "written": datetime.now(UTC).isoformat(timespec="seconds"),
        "config_hash": digest,
        "fleet": first.fleet.fleet,
        "root_seed": first.seed,
        "counts": {"replications": replications},
        "executor": executor,
    }


def quantiles(runs: pd.DataFrame) -> pd.DataFrame:
    """Mean and P10/P50/P90 of every numeric KPI over the replications that finished (the
    sweep summary of a single design point)."""
    numeric = [c for c in runs.select_dtypes("number") if c not in (*META, *OWNER)]
    table = summarize(runs.assign(point=0), numeric, [])
    return table.drop(columns="point")
