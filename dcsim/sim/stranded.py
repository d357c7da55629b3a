"""Stranded GPU-days per constraint: what delivered GPUs spent waiting for, and how long.

This is the account behind ``constraint_gpu_days`` and ``binding_constraint``: a stage of
4,000 GPUs that waits 10 days for a crew adds 40,000 GPU-days to ``crews``. It measures how
much hardware sat dark behind each constraint, not which constraint set the date.

A wait is charged to a constraint *class* (:mod:`dcsim.constraints`) and added to each of
the class's rows, in the order the waits happen, so a row two classes share (``crews``:
installation and construction crews) sums exactly as it did when it was one word.
"""

from __future__ import annotations

from dcsim.constraints.registry import classes, kpi_rows


class StrandedAccount:
    def __init__(self) -> None:
        self.gpu_days: dict[str, float] = dict.fromkeys(kpi_rows(), 0.0)
        self._rows = {c.name: c.kpi_rows for c in classes() if c.kpi_rows}

    def charge(self, constraint: str, gpus: float, days: float) -> None:
        """Charge ``gpus`` x ``days`` of waiting to constraint class ``constraint``."""
        for row in self._rows[constraint]:
            self.gpu_days[row] += gpus * days
