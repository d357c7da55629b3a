"""pydantic's validation errors as the one-line messages users read.

Each line names the file (or origin), the field path as the user wrote it (without the
distribution tag pydantic inserts into the path of a tagged union), and what was expected.
"""

from __future__ import annotations

from pydantic import ValidationError

from dcsim.distributions import DISTRIBUTION_TAGS


def format_validation_error(error: ValidationError, origin: str) -> list[str]:
    lines = []
    for item in error.errors(include_url=False):
        loc = [str(part) for part in item["loc"] if part not in DISTRIBUTION_TAGS]
        if loc and loc[-1] == "value" and any(p == "fixed" for p in map(str, item["loc"])):
            loc = loc[:-1]
        where = ".".join(loc) or "(top level)"
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown field (check the spelling; see `dcsim schema`)"
        elif item["type"] == "missing":
            message = "required field is missing"
        lines.append(f"{origin}: {where}: {message}")
    return lines
