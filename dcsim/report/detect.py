"""Read a result directory back: one run (``summary.json``), a sweep (``runs.parquet``), a
fleet (``fleet.json``), a fleet Monte Carlo (``replications.parquet``) or an optimization
(``result.json`` and ``trials.csv``).

Everything the report needs is loaded here, and every way a directory can be unusable
becomes a :class:`~dcsim.errors.UserInputError` naming the directory and the file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from dcsim.errors import UserInputError

#: Columns of ``runs.parquet`` that describe the run rather than a parameter or a KPI.
RUN_META = (
    "point",
    "replication",
    "seed",
    "experiment_hash",
    "dcsim_version",
    "status",
    "error",
    "wall_seconds",
)


@dataclass
class RunDir:
    """A run written by :func:`dcsim.api.write_run`, with the same table attributes as a
    :class:`~dcsim.results.RunResult` so the run plots accept either."""

    path: Path
    kpis: dict[str, Any]
    timeseries: pd.DataFrame
    events: pd.DataFrame
    stages: pd.DataFrame
    critical_path: pd.DataFrame = field(default_factory=pd.DataFrame)  # empty if not written


@dataclass
class SweepDir:
    """A sweep directory; optional files are ``None`` (or empty) when absent."""

    path: Path
    runs: pd.DataFrame
    manifest: dict[str, Any] = field(default_factory=dict)
    timeseries: pd.DataFrame | None = None
    sobol: dict[str, Any] | None = None
    tornado: dict[str, Any] | None = None

    @property
    def ok(self) -> pd.DataFrame:
        """The runs that finished (``status`` ``ok``); failed runs carry no KPIs."""
        if "status" not in self.runs:
            return self.runs
        return self.runs[self.runs["status"] == "ok"]

    @property
    def parameters(self) -> list[str]:
        """Swept parameters: those the manifest's design lists, else the columns named by a
        dotted scenario path (``halls.0.pue``), which no KPI name is."""
        listed = self.manifest.get("design", {}).get("parameters")
        if isinstance(listed, list):
            return [p for p in listed if p in self.runs]
        from dcsim.config.schema import Scenario

        return [c for c in self.runs if c.split(".")[0] in Scenario.model_fields]

    @property
    def scenario_file(self) -> Path | None:
        """The experiment's base scenario, if it is still where the sweep read it."""
        base = self.manifest.get("experiment", {}).get("base")
        return Path(base) if base and Path(base).is_file() else None

    @property
    def kpis(self) -> list[str]:
        """Numeric KPI columns (dates are ISO strings and handled by name)."""
        skip = {*RUN_META, *self.parameters}
        numeric = self.runs.select_dtypes("number")
        return [c for c in numeric if c not in skip]


@dataclass(frozen=True)
class TableRead:
    """What a reader takes of a Parquet table: the ``columns`` it cannot do without (a
    name ending in ``*`` stands for every column it begins), the ``optional`` ones it uses
    where present, and at most ``rows`` rows, read a row group at a time (all if None)."""

    columns: tuple[str, ...]
    optional: tuple[str, ...] = ()
    rows: int | None = None

    def names(self, path: Path, schema: list[str]) -> list[str]:
        """The columns of ``schema`` to read; a missing needed column is one line."""
        chosen = []
        for wanted in (*self.columns, *self.optional):
            if wanted.endswith("*"):
                chosen += [name for name in schema if name.startswith(wanted[:-1])]
            elif wanted in schema:
                chosen.append(wanted)
            elif wanted in self.columns:
                raise UserInputError(f"{path}: no column {wanted!r}; not what dcsim wrote")
        return list(dict.fromkeys(chosen))


#: The site table of a fleet report: its columns, in order, and its most rows.
SITE_TABLE = (
    "site",
    "region",
    "gpus_planned",
    "gpus_energized_final",
    "peak_facility_mw",
    "interconnect_date",
    "first_power_date",
    "full_cluster_date",
    "binding_constraint",
)
MAX_SITE_ROWS = 60
#: What a fleet report reads of each table of a fleet directory: the columns it draws
#: (levels by region and chip, the queue funnel's days) and the site table's first rows.
#: The rest (queue levels, request types, every site of 2,000) stays on disk.
FLEET_READS = {
    "timeseries": TableRead(("date", "day", "region", "facility_gw", "gpus_energized_*")),
    "requests": TableRead(
        ("region", "mw", "request_day", "study_end_day", "withdrawn_day", "operation_day"),
        optional=("energized_mw",),
    ),
    "sites": TableRead(("site",), optional=SITE_TABLE[1:], rows=MAX_SITE_ROWS),
}


@dataclass
class FleetDir:
    """What ``dcsim fleet --out`` wrote: ``fleet.json`` and three Parquet tables, each
    read as :data:`FLEET_READS` says (``sites`` holds the first of ``site_count``)."""

    path: Path
    kpis: dict[str, Any]
    regions: pd.DataFrame
    sites: pd.DataFrame
    timeseries: pd.DataFrame
    requests: pd.DataFrame
    site_count: int

    @property
    def horizon_day(self) -> float:
        """The horizon in fleet days: the time series closes every site's levels there
        (``end_date`` is the horizon rounded to a whole day)."""
        return float(self.timeseries["day"].max())


@dataclass
class FleetStudyDir:
    """What ``dcsim fleet --replications N --out`` wrote: a row per replication, the
    quantiles of every fleet KPI and the risk per site."""

    path: Path
    manifest: dict[str, Any]
    runs: pd.DataFrame
    quantiles: pd.DataFrame
    site_risk: pd.DataFrame


@dataclass
class OptimizeDir:
    """What ``dcsim optimize --out`` wrote: the trials and the re-evaluated result."""

    path: Path
    result: dict[str, Any]
    trials: pd.DataFrame


@dataclass
class CompareDir:
    """What ``dcsim compare --out`` wrote: the paired runs and the comparison's settings."""

    path: Path
    runs: pd.DataFrame
    meta: dict[str, Any]


Loaded = RunDir | SweepDir | FleetDir | FleetStudyDir | OptimizeDir | CompareDir


def load(path: str | Path) -> Loaded:
    """The run, sweep, fleet, fleet study or optimization stored in ``path``."""
    path = Path(path)
    if not path.exists():
        raise UserInputError(f"{path}: no such directory")
    if not path.is_dir():
        raise UserInputError(f"{path}: not a directory")
    _refuse_unfinished(path)
    if (path / "summary.json").exists():
        return load_run(path)
    if (path / "replications.parquet").is_file():
        return load_fleet_study(path)
    if (path / "result.json").is_file() and (path / "trials.csv").is_file():
        return load_optimize(path)
    if (path / "compare.parquet").is_file():
        return CompareDir(path, _parquet(path / "compare.parquet"), _json(path / "compare.json"))
    if (path / "runs.parquet").is_file() or (path / "manifest.json").is_file():
        return load_sweep(path)
    if (path / "fleet.json").exists():
        return load_fleet(path)
    raise UserInputError(
        f"{path}: neither a run directory (summary.json), a sweep directory (runs.parquet) "
        "nor a fleet directory (fleet.json)"
    )


def _refuse_unfinished(path: Path) -> None:
    """Result directories ``report`` knows but whose results are not all written yet: one
    line saying what the directory is and how to finish it, instead of a missing file."""
    if (path / "study.db").exists() and not (path / "result.json").exists():
        raise UserInputError(
            f"{path}: an optimize study that has not finished (no result.json); run dcsim "
            "optimize with this --out again to finish it"
        )
    if (path / "quantiles.parquet").exists() and not (path / "replications.parquet").exists():
        raise UserInputError(
            f"{path}: a fleet Monte Carlo study that has not finished (no "
            "replications.parquet); run dcsim fleet --replications with this --out again"
        )
    if not (path / "fleet.json").exists() and (path / "sites.parquet").exists():
        raise UserInputError(
            f"{path}: an unfinished fleet run (no fleet.json: it was stopped or its disk was "
            "full); run dcsim fleet with this --out again"
        )


def load_run(path: str | Path) -> RunDir:
    path = Path(path)
    kpis = _kpis(path / "summary.json")
    tables = {name: _parquet(path / f"{name}.parquet") for name in ("timeseries", "events")}
    if tables["timeseries"].empty or "day" not in tables["timeseries"]:
        raise UserInputError(f"{path / 'timeseries.parquet'}: not a run's time series (no rows)")
    stages, chain = path / "stages.parquet", path / "critical_path.parquet"
    return RunDir(
        path=path,
        kpis=kpis,
        stages=_parquet(stages) if stages.exists() else pd.DataFrame(),
        critical_path=_parquet(chain) if chain.exists() else pd.DataFrame(),
        **tables,
    )


def load_sweep(path: str | Path) -> SweepDir:
    path = Path(path)
    manifest = path / "manifest.json"
    sweep = SweepDir(
        path=path,
        runs=_runs(path / "runs.parquet"),
        manifest=_json(manifest) if manifest.exists() else {},
    )
    _check_version(path, sweep)
    parts = sorted((path / "timeseries").glob("point=*/replication=*.parquet"))
    if parts:
        sweep.timeseries = pd.concat(
            [
                _parquet(part).assign(
                    point=int(part.parent.name.split("=", 1)[1]),
                    replication=int(part.stem.split("=", 1)[1]),
                )
                for part in parts
            ],
            ignore_index=True,
        )
    for name in ("sobol", "tornado"):
        if (path / f"{name}.json").exists():
            setattr(sweep, name, _json(path / f"{name}.json"))
    return sweep


def load_fleet(path: Path) -> FleetDir:
    summary = _json(path / "fleet.json")
    tables = {name: _parquet(path / f"{name}.parquet", read) for name, read in FLEET_READS.items()}
    return FleetDir(
        path=path,
        kpis=summary.get("fleet", {}),
        regions=pd.DataFrame(summary.get("regions", [])),
        site_count=_rows(path / "sites.parquet"),
        **tables,
    )


def _kpis(path: Path) -> dict[str, Any]:
    """A run's KPIs, each of the kind the KPI table says; a summary of another dcsim
    version that lacks one is refused rather than read as "never reached"."""
    from dcsim.kpis import KPIS
    from dcsim.version import __version__

    kpis = _json(path)
    missing = [key for key in KPIS if key not in kpis]
    if missing:
        written = kpis.get("dcsim_version", "an unknown version")
        more = f" and {len(missing) - 1} more" if len(missing) > 1 else ""
        raise UserInputError(
            f"{path}: no KPI {missing[0]!r}{more}: written by dcsim {written}, read by "
            f"dcsim {__version__}; run the scenario again with this version"
        )
    for key, kpi in KPIS.items():
        if not _of_kind(kpis[key], kpi.kind):
            raise UserInputError(
                f"{path}: {key}: expected a {kpi.kind}, got {str(kpis[key])[:40]!r}"
            )
    return kpis


def _check_version(path: Path, sweep: SweepDir) -> None:
    """A sweep of another dcsim version is read only if its runs hold every KPI this
    version reports; otherwise one line names both versions, rather than a report that
    reads a missing KPI as "never reached"."""
    from dcsim.kpis import KPIS
    from dcsim.version import __version__

    if not sweep.manifest:
        return
    versions = sweep.manifest.get("versions", {"dcsim": "an unknown version"})
    written = versions.get("dcsim") if isinstance(versions, dict) else versions
    if not isinstance(written, str):
        raise UserInputError(
            f"{path / 'manifest.json'}: versions.dcsim: expected the dcsim version that ran "
            f"the sweep, got {str(written)[:40]!r}"
        )
    if written == __version__:
        return
    columns = set(sweep.runs.columns)
    missing = [
        key
        for key, kpi in KPIS.items()
        if key not in columns
        and not (kpi.kind == "breakdown" and any(c.startswith(f"{key}.") for c in columns))
    ]
    if missing:
        more = f" and {len(missing) - 1} more" if len(missing) > 1 else ""
        raise UserInputError(
            f"{path / 'runs.parquet'}: no KPI {missing[0]!r}{more}: written by dcsim {written} "
            f"(manifest.json), read by dcsim {__version__}; run the sweep again with this "
            "version"
        )


def _of_kind(value: Any, kind: str) -> bool:
    import datetime as dt

    if value is None:
        return kind != "breakdown"
    if kind == "date":
        try:
            return isinstance(value, str) and bool(dt.date.fromisoformat(value))
        except ValueError:
            return False
    if kind in ("number", "count", "fraction"):
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "breakdown":
        return isinstance(value, dict)
    return isinstance(value, str)


def _runs(path: Path) -> pd.DataFrame:
    """A sweep's runs: rows with a status, at least one of them finished."""
    runs = _parquet(path)
    if "status" not in runs:
        raise UserInputError(f"{path}: not a sweep's runs (no column 'status')")
    if runs.empty:
        raise UserInputError(f"{path}: holds no runs")
    ok = runs["status"] == "ok"
    if not ok.any():
        first = runs["error"].iloc[0] if "error" in runs else "no error recorded"
        raise UserInputError(f"{path}: every run failed (first error: {first}); nothing to report")
    return runs


def load_fleet_study(path: Path) -> FleetStudyDir:
    manifest = path / "manifest.json"
    risk = path / "site_risk.parquet"
    return FleetStudyDir(
        path=path,
        manifest=_json(manifest) if manifest.exists() else {},
        runs=_parquet(path / "replications.parquet"),
        quantiles=_parquet(path / "quantiles.parquet"),
        site_risk=_parquet(risk) if risk.exists() else pd.DataFrame(),
    )


def load_optimize(path: Path) -> OptimizeDir:
    try:
        trials = pd.read_csv(path / "trials.csv")
    except (OSError, ValueError) as error:
        raise UserInputError(f"{path / 'trials.csv'}: cannot read CSV ({error})") from None
    return OptimizeDir(path=path, result=_json(path / "result.json"), trials=trials)


def _json(path: Path) -> dict[str, Any]:
    if path.exists() and not path.is_file():
        raise UserInputError(f"{path}: not a file")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserInputError(f"{path}: file not found") from None
    except (OSError, ValueError) as error:
        raise UserInputError(f"{path}: cannot read JSON ({error})") from None
    if not isinstance(data, dict):
        raise UserInputError(f"{path}: expected a JSON object")
    return data


def _parquet(path: Path, read: TableRead | None = None) -> pd.DataFrame:
    """The table at ``path``, whole or as ``read`` says; an unreadable one is one line."""
    if path.exists() and not path.is_file():
        raise UserInputError(f"{path}: not a file")
    try:
        if read is None:
            return pd.read_parquet(path)
        return _read_part(path, read).to_pandas()
    except FileNotFoundError:
        raise UserInputError(f"{path}: file not found") from None
    except (OSError, ValueError) as error:
        raise UserInputError(f"{path}: cannot read Parquet ({error})") from None


def _read_part(path: Path, read: TableRead) -> Any:
    """The columns and first rows ``read`` asks for, as an Arrow table: row groups past
    those rows and columns not asked for are never read from disk."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    with pq.ParquetFile(path) as file:
        columns = read.names(path, file.schema_arrow.names)
        if read.rows is None:
            return file.read(columns=columns)
        groups, count = [], 0
        for group in range(file.num_row_groups):
            if count >= read.rows:
                break
            groups.append(file.read_row_group(group, columns=columns))
            count += groups[-1].num_rows
        if not groups:
            return file.schema_arrow.empty_table().select(columns)
        return pa.concat_tables(groups).slice(0, read.rows)


def _rows(path: Path) -> int:
    """The rows of a Parquet table, from its footer."""
    import pyarrow.parquet as pq

    try:
        with pq.ParquetFile(path) as file:
            return file.metadata.num_rows
    except (OSError, ValueError) as error:
        raise UserInputError(f"{path}: cannot read Parquet ({error})") from None
