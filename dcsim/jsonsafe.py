"""Values JSON can spell: the one cleaner every ``--json`` output and JSON file goes through."""

from __future__ import annotations

import math
from typing import Any


def json_safe(data: Any) -> Any:
    """NaN and infinities become null (JSON has no spelling for them); NumPy values and
    arrays become plain Python ones; mappings and sequences are cleaned all the way down."""
    if hasattr(data, "tolist"):
        data = data.tolist()
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {k: json_safe(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [json_safe(v) for v in data]
    return data
