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
RUN_META = ("point", "replication", "seed", "status", "error", "wall_seconds")


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


@dataclass
class FleetDir:
    """What ``dcsim fleet --out`` wrote: ``fleet.json`` and three Parquet tables."""

    path: Path
    kpis: dict[str, Any]
    regions: pd.DataFrame
    sites: pd.DataFrame
    timeseries: pd.DataFrame
    requests: pd.DataFrame

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
    if (path / "summary.json").is_file():
        return load_run(path)
    if (path / "replications.parquet").is_file():
        return load_fleet_study(path)
    if (path / "result.json").is_file() and (path / "trials.csv").is_file():
        return load_optimize(path)
    if (path / "compare.parquet").is_file():
        return CompareDir(path, _parquet(path / "compare.parquet"), _json(path / "compare.json"))
    if (path / "runs.parquet").is_file() or (path / "manifest.json").is_file():
        return load_sweep(path)
    if (path / "fleet.json").is_file():
        return load_fleet(path)
    raise UserInputError(
        f"{path}: neither a run directory (summary.json), a sweep directory (runs.parquet) "
        "nor a fleet directory (fleet.json)"
    )


def load_run(path: str | Path) -> RunDir:
    path = Path(path)
    kpis = _json(path / "summary.json")
    tables = {name: _parquet(path / f"{name}.parquet") for name in ("timeseries", "events")}
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
        runs=_parquet(path / "runs.parquet"),
        manifest=_json(manifest) if manifest.exists() else {},
    )
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
    tables = {
        name: _parquet(path / f"{name}.parquet") for name in ("sites", "timeseries", "requests")
    }
    return FleetDir(
        path=path,
        kpis=summary.get("fleet", {}),
        regions=pd.DataFrame(summary.get("regions", [])),
        **tables,
    )


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
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserInputError(f"{path}: file not found") from None
    except (OSError, ValueError) as error:
        raise UserInputError(f"{path}: cannot read JSON ({error})") from None
    if not isinstance(data, dict):
        raise UserInputError(f"{path}: expected a JSON object")
    return data


def _parquet(path: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except FileNotFoundError:
        raise UserInputError(f"{path}: file not found") from None
    except (OSError, ValueError) as error:
        raise UserInputError(f"{path}: cannot read Parquet ({error})") from None
