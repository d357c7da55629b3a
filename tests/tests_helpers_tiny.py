"""The tiny scenario with its hall's shell and fit-out left to its build mode."""

from __future__ import annotations

from conftest import tiny_dict


def unwritten_tiny(**fields: object) -> dict:
    data = tiny_dict(**fields)
    for key in ("shell_time", "fitout_time"):
        data["halls"][0].pop(key)
    return data
