"""Stranded GPU-days per constraint: what delivered GPUs spent waiting for, and how long.

This is the account behind ``constraint_gpu_days`` and ``binding_constraint``: a stage of
4,000 GPUs that waits 10 days for a crew adds 40,000 GPU-days to ``crews``. It measures how
much hardware sat dark behind each constraint, not which constraint set the date.
"""

from __future__ import annotations

#: The constraint classes a wait is charged to.
CONSTRAINTS = ("grid", "equipment", "construction", "chips", "crews")


class StrandedAccount:
    def __init__(self) -> None:
        self.gpu_days: dict[str, float] = dict.fromkeys(CONSTRAINTS, 0.0)

    def charge(self, constraint: str, gpus: float, days: float) -> None:
        self.gpu_days[constraint] += gpus * days
