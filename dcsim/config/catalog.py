"""The accelerator catalog: built-in figures (with sources) plus a scenario's own entries."""

from __future__ import annotations

import csv
from collections.abc import Mapping
from functools import cache
from importlib.resources import files

from pydantic import Field

from dcsim.config.fields import Money, Power, Section, cited


class ChipSpec(Section):
    """An accelerator model; the built-in catalog is ``dcsim/data/chips.csv``."""

    tdp: Power = Field(**cited("thermal design power of one GPU"))
    system_power_per_gpu: Power = Field(
        **cited("server power divided by GPUs per server, at full load (DGX H100: 10.2 kW / 8)")
    )
    overhead: float = Field(
        0.10,
        ge=0,
        le=10,
        **cited(
            "network, storage and optics power as a fraction of server power",
            "SemiAnalysis '100k H100 Clusters' (Jun 2024): ~10%",
        ),
    )
    bf16_dense_tflops: float = Field(gt=0, le=1e9, **cited("dense BF16 tensor throughput, TFLOP/s"))
    price: Money = Field(**cited("capex per GPU including its share of the server"))
    source: str = Field("", description="where the figures come from")

    @property
    def it_kw(self) -> float:
        """IT power per GPU in kW: server share plus network/storage overhead."""
        return self.system_power_per_gpu * 1000 * (1 + self.overhead)


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
