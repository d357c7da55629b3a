"""Shared test scenarios: small campuses whose timelines can be worked out by hand."""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import sys
from pathlib import Path

import pytest
from hypothesis import settings

from dcsim.config import scenario_from_dict
from dcsim.config.loader import apply_overrides

# Property tests draw the same examples on every run (CI and by default), so a red suite
# is reproducible and never depends on luck; HYPOTHESIS_PROFILE=explore draws new ones
# (and keeps failures in the local example database) for a session of bug hunting.
settings.register_profile("fixed", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fixed"))

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = REPO / "configs" / "meta-100k-h100.yaml"

#: One hall of two 4,000-GPU stages behind one transformer; every duration is fixed.
#: Per GPU: 2,000 W x (1 + 0.25) = 2.5 kW IT; a stage is 10 MW IT, x PUE 1.25 = 12.5 MW.
TINY = {
    "name": "tiny",
    "start": "2025-01-01",
    "horizon": "365 days",
    "chips": {
        "test-gpu": {
            "tdp": "1000 W",
            "system_power_per_gpu": "2000 W",
            "overhead": 0.25,
            "bf16_dense_tflops": 1000,
            "price": "10 kUSD",
        }
    },
    "grid": {
        "interconnects": [
            {
                "name": "grid",
                "schedule": [
                    {"date": "2025-01-11", "capacity": "10 MW"},
                    {"date": "2025-03-02", "capacity": "30 MW"},
                ],
            }
        ]
    },
    "equipment": [
        {
            "name": "xfmr",
            "kind": "transformer",
            "capacity": "25 MW",
            "fed_by": ["grid"],
            "lead_time": "20 days",
            "install_time": "10 days",
            "cost": "2 MUSD",
        }
    ],
    "halls": [
        {
            "name": "h1",
            "it_capacity": "20 MW",
            "pue": 1.25,
            "fed_by": ["xfmr"],
            "construction_start": "2025-01-01",
            "shell_time": "15 days",
            "fitout_time": "5 days",
            "cost_per_mw": "1 MUSD/MW",
            "stages": {"count": 2, "gpus": 4000, "chip": "test-gpu"},
        }
    ],
    "chip_orders": [
        {
            "chip": "test-gpu",
            "count": 8000,
            "order_date": "2025-01-01",
            "batches": 2,
            "batch_interval": "10 days",
            "lead_time": "5 days",
        }
    ],
    "installation": {"crews": 1, "time_per_1000_gpus": "1 day", "burn_in": "2 days"},
    "energization": {"commissioning_time": "1 day"},
}


def shipped_fit() -> dict:
    """The calibration file dcsim ships, read as JSON: tests compare a scenario with the
    file's own numbers, so a refit needs no test edited by hand."""
    return json.loads((REPO / "dcsim" / "data" / "calibration.json").read_text("utf-8"))


def shipped_durations(mode: str, start: dt.date) -> dict:
    """The shell and fit-out times the shipped calibration gives a hall of ``mode`` begun on
    ``start`` (its construction law: ``tests/test_build_modes.py`` works the law by hand)."""
    from dcsim.config.build_modes import calibration_document, durations_of

    return durations_of(calibration_document("dcsim"), mode, start)


def fit_days(duration: dict) -> float:
    """The median of a lognormal in the calibration file (``"72.1 days"``), in days."""
    number, unit = duration["median"].split()
    assert unit == "days", duration
    return float(number)


def tiny_dict(**overrides: object) -> dict:
    return apply_overrides(copy.deepcopy(TINY), overrides)


def tiny(**overrides: object):
    """The tiny scenario, validated, with dotted-path overrides."""
    return scenario_from_dict(tiny_dict(**overrides), "tiny")


@pytest.fixture
def cli():
    """Run the real ``dcsim`` entry point in a subprocess."""
    import subprocess

    def run(*args: str, cwd: Path = REPO, env: dict | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "dcsim", *map(str, args)],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    return run
