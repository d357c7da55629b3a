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
    value_per_gpu_hour: float | None = Field(
        None,
        ge=0,
        le=1e6,
        **cited(
            "what one GPU-hour of this chip is worth, in USD (a public on-demand rental "
            "price); empty: priced at H100-equivalents of the h100-sxm value"
        ),
    )
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
                value_per_gpu_hour=float(row["value_per_gpu_hour_usd"])
                if row["value_per_gpu_hour_usd"]
                else None,
                source=row["source"],
            )
            for row in csv.DictReader(handle)
        }


def catalog_with(extra: Mapping[str, ChipSpec]) -> dict[str, ChipSpec]:
    """The built-in catalog with a scenario's entries added or overriding."""
    return {**builtin_catalog(), **extra}


#: The reference chip of H100-equivalents.
H100 = "h100-sxm"


def h100_equivalents(counts: Mapping[str, int], specs: Mapping[str, ChipSpec]) -> float:
    """GPUs of mixed chips as H100 SXMs of the same dense BF16 throughput: a GB200 (2,500
    TFLOP/s dense, NVIDIA Blackwell datasheet) counts as 2.53 H100s (989.4 TFLOP/s, Hopper
    whitepaper; both in the chip catalog). Throughput, not the price or the power."""
    return h100_equivalents_of(sum(n * specs[c].bf16_dense_tflops for c, n in counts.items()))


def h100_equivalents_of(tflops: float) -> float:
    """Dense BF16 TFLOP/s as a number of H100 SXMs."""
    return float(tflops / builtin_catalog()[H100].bf16_dense_tflops)


def chip_hour_value(chip: str, specs: Mapping[str, ChipSpec]) -> float:
    """One GPU-hour of ``chip`` in USD: its catalog rental price, or, where no public one
    was read, the h100-sxm price scaled by dense BF16 throughput."""
    own = specs[chip].value_per_gpu_hour
    if own is not None:
        return own
    reference = builtin_catalog()[H100]
    assert reference.value_per_gpu_hour is not None  # cited in chips.csv
    return (
        reference.value_per_gpu_hour * specs[chip].bf16_dense_tflops / (reference.bf16_dense_tflops)
    )


def fleet_hour_value(planned: Mapping[str, int], specs: Mapping[str, ChipSpec]) -> float:
    """One GPU-hour of a mix of chips (planned GPUs per chip) in USD: the GPU-weighted
    mean of :func:`chip_hour_value`."""
    total = sum(planned.values())
    if total == 0:
        return chip_hour_value(H100, specs)
    return sum(n * chip_hour_value(c, specs) for c, n in planned.items()) / total
