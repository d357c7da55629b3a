"""The accelerator catalog: built-in figures (with sources) plus a scenario's own entries."""

from __future__ import annotations

import csv
from collections.abc import Mapping
from functools import cache
from importlib.resources import files

from dcsim.config.schema import ChipSpec


@cache
def builtin_catalog() -> dict[str, ChipSpec]:
    """The chips in ``dcsim/data/chips.csv``, one row per accelerator with its sources."""
    with files("dcsim.data").joinpath("chips.csv").open(encoding="utf-8") as handle:
        return {
            row["name"]: ChipSpec(
                tdp=f"{row['tdp_w']} W",
                system_power_per_gpu=f"{row['system_power_per_gpu_w']} W",
                overhead=float(row["overhead"]),
                bf16_dense_tflops=float(row["bf16_dense_tflops"]),
                price=f"{row['price_usd']} USD",
                source=row["source"],
            )
            for row in csv.DictReader(handle)
        }


def catalog_with(extra: Mapping[str, ChipSpec]) -> dict[str, ChipSpec]:
    """The built-in catalog with a scenario's entries added or overriding."""
    return {**builtin_catalog(), **extra}
