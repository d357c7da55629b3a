"""Writing calibration and backtest files: whole or not at all, the same bytes each time."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dcsim.errors import UserInputError
from dcsim.files import atomic
from dcsim.jsonsafe import json_safe


def dumps(document: Any) -> str:
    """Sorted keys and floats to 10 significant digits: the same document gives the same
    text on any machine (the last bits of an optimizer's float may differ by platform)."""
    return json.dumps(_rounded(json_safe(document)), indent=2, sort_keys=True) + "\n"


def write_json(path: str | Path, document: Any) -> None:
    path = Path(path)
    if path.is_dir():
        raise UserInputError(f"--out {path}: is a directory; expected a file name")
    text = dumps(document)
    try:
        atomic(path, lambda partial: partial.write_text(text, encoding="utf-8"))
    except OSError as error:
        raise UserInputError(f"--out {path}: cannot write ({error.strerror})") from None


def _rounded(node: Any) -> Any:
    if isinstance(node, float):
        return float(f"{node:.10g}")
    if isinstance(node, dict):
        return {key: _rounded(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_rounded(value) for value in node]
    return node
