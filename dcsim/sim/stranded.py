"""Stranded GPU-days per constraint: what delivered GPUs spent waiting for, and how long.

This is the account behind ``constraint_gpu_days`` and ``binding_constraint``: a stage of
4,000 GPUs that waits 10 days for a crew adds 40,000 GPU-days to ``crews``. It measures how
much hardware sat dark behind each constraint, not which constraint set the date.

A wait is charged to a constraint *class* (:mod:`dcsim.constraints`) and added to each of
the class's rows, in the order the waits happen, so a row two classes share (``crews``:
installation and construction crews) sums exactly as it did when it was one word.

Beside the GPU-days, it keeps how many days each stage waited on each class
(``stage_waits.parquet``): the hall it waited for from day 0, any plug-in's hold, its
chips, its crew, and power. That table counts a stage's own time; the GPU-days count
delivered hardware, so a stage waiting for its hall before any chip has landed adds days
there and nothing here.
"""

from __future__ import annotations

from dcsim.constraints.registry import classes, kpi_rows


class StrandedAccount:
    def __init__(self) -> None:
        self.gpu_days: dict[str, float] = dict.fromkeys(kpi_rows(), 0.0)
        self._rows = {c.name: c.kpi_rows for c in classes() if c.kpi_rows}
        #: Days each stage waited on each class, (stage, class) in the order first seen.
        self.stage_days: dict[tuple[str, str], float] = {}

    def waited(self, stage: str, constraint: str, days: float) -> None:
        """Stage ``stage`` waited ``days`` on constraint class ``constraint`` (for the
        per-stage table; what the waiting GPUs cost is charged separately)."""
        key = (stage, constraint)
        self.stage_days[key] = self.stage_days.get(key, 0.0) + days

    def charge(self, constraint: str, gpus: float, days: float) -> None:
        """Charge ``gpus`` x ``days`` of waiting to constraint class ``constraint``."""
        for row in self._rows[constraint]:
            self.gpu_days[row] += gpus * days
