"""The built-in accelerator catalog against Epoch AI's IT-power-by-chip figures.

Epoch AI (github.com/epoch-research/ai-compute-users, ``data/IT power by chip.csv`` and
``lab_model_params.csv``) puts IT power per chip at server power per chip times an overhead
factor whose 5th-95th percentiles are 1.0 and 1.349; its TPU figures are TDP x 1.742 and its
Trainium2 figure 871 W (398 MW of IT power for 300k H100e at 1,299/1,979 H100e per chip).
"""

from __future__ import annotations

import pytest

from dcsim.config.catalog import builtin_catalog

#: Epoch AI's IT power per GPU, 5th and 95th percentiles (W), where its table has the chip.
EPOCH_BAND_W = {
    "a100": (812, 1096),
    "h100-sxm": (1275, 1721),
    "gb200": (1833, 2474),
    "gb300": (1944, 2624),
}
CUSTOM = ["trainium2", "tpu-v5p", "tpu-v6e", "mi300x", "mi355x", "b200"]


@pytest.mark.parametrize("chip", sorted(EPOCH_BAND_W))
def test_it_power_inside_epoch_band(chip):
    low, high = EPOCH_BAND_W[chip]
    assert low <= builtin_catalog()[chip].it_kw * 1000 <= high


@pytest.mark.parametrize("chip", CUSTOM)
def test_custom_accelerators_within_epoch_overhead_band(chip):
    spec = builtin_catalog()[chip]
    server_w = spec.system_power_per_gpu * 1e6  # MW to W
    assert server_w * 1.0 <= spec.it_kw * 1000 <= server_w * 1.349
    assert spec.bf16_dense_tflops > 0 and spec.price > 0 and "TDP" in spec.source


@pytest.mark.parametrize(("chip", "tdp_w"), [("tpu-v5p", 540), ("tpu-v6e", 380)])
def test_tpu_it_power_is_epochs_tdp_times_overhead(chip, tdp_w):
    assert builtin_catalog()[chip].it_kw * 1000 == pytest.approx(tdp_w * 1.742, rel=1e-3)


def test_trainium2_it_power_from_project_rainier_equivalency():
    chips = 300_000 / (1299 / 1979)
    assert builtin_catalog()["trainium2"].it_kw * 1000 == pytest.approx(398e6 / chips, rel=1e-3)
