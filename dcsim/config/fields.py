"""Building blocks every input section shares: the strict base model, field metadata with
its source, and the common field types."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from dcsim.distributions import quantity

Name = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$", max_length=64)]
Power = quantity("power")
Money = quantity("money")

#: Dates a scenario may name: a run's dates, up to a century past its start, then stay
#: within what pandas can represent (to 2262).
FIRST_DATE = dt.date(1900, 1, 1)
LAST_DATE = dt.date(2150, 12, 31)
#: Most GPUs in one order or stage: totals stay exact in float64 and far from int64's end.
MAX_GPUS = 10**9


def _in_range(date: dt.date) -> dt.date:
    if not FIRST_DATE <= date <= LAST_DATE:
        raise ValueError(f"expected a date from {FIRST_DATE} to {LAST_DATE}, got {date}")
    return date


Date = Annotated[
    dt.date,
    AfterValidator(_in_range),
    Field(json_schema_extra={"domain": f"{FIRST_DATE} to {LAST_DATE}"}),
]


def cited(description: str, source: str | None = None, **extra: object) -> dict:
    """Field metadata: what the field means and where its default comes from."""
    return {"description": description, "json_schema_extra": {"source": source, **extra}}


class Section(BaseModel):
    """Unknown keys refused, and every plain number finite (``.nan``, ``.inf`` refused)."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, validate_default=True, allow_inf_nan=False
    )
