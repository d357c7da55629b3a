"""Building blocks every input section shares: the strict base model, field metadata with
its source, and the common field types."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from dcsim.distributions import quantity

Name = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$", max_length=64)]
Power = quantity("power")
Money = quantity("money")


def cited(description: str, source: str | None = None, **extra: object) -> dict:
    """Field metadata: what the field means and where its default comes from."""
    return {"description": description, "json_schema_extra": {"source": source, **extra}}


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)
