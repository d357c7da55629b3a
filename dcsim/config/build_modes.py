"""Build modes: how a hall is built sets how long its shell and fit-out take.

A factory conversion, a prefab fast-track build, a tent and a standard hyperscale hall
differ by months. A scenario states the mode (a fact about the site) and gets the mode's
shell and fit-out distributions unless it writes them itself. The durations come from a
calibration file fitted to the real-site dataset (``dcsim calibrate``) when the scenario
names one (``calibration:``), and otherwise from the cited fallbacks below.

``standard`` falls back to exactly the durations every shipped configuration writes, so a
scenario that states its durations (all shipped ones do) runs as before.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal

BuildMode = Literal["conversion", "fast_track", "temporary", "standard"]
BUILD_MODES: tuple[str, ...] = ("conversion", "fast_track", "temporary", "standard")

#: What a calibration file calls itself, and the format version this code writes.
CALIBRATION_FORMAT = "dcsim-calibration"
CALIBRATION_VERSION = 2
#: Versions this code reads: 1 fitted build-mode durations only (no project risk, read as
#: none); 2 adds the fitted ``project_risk`` list.
READABLE_VERSIONS = (1, 2)
#: ``calibration: dcsim`` names the file the package ships, fitted on its own dataset.
SHIPPED = "dcsim"
SHIPPED_FILE = "calibration.json"


def _tri(low: str, mode: str, high: str) -> dict[str, str]:
    return {"dist": "triangular", "low": low, "mode": mode, "high": high}


#: Each mode's fallback shell and fit-out durations and where they come from.
FALLBACKS: dict[str, dict[str, Any]] = {
    "standard": {
        "shell_time": _tri("8 months", "10 months", "14 months"),
        "fitout_time": _tri("4 months", "5 months", "8 months"),
        "source": "Cortex Construct 2026: hyperscale building 14-22 months in all; the split "
        "is the one every shipped config writes (e.g. configs/meta-100k-h100.yaml)",
    },
    "conversion": {
        "shell_time": "0 days",
        "fitout_time": _tri("2 months", "3 months", "4 months"),
        "source": "xAI Colossus, Memphis: an existing factory building, 100k H100 racked and "
        "running 122 days after work began (xAI / Elon Musk, Sep 2024); as in "
        "configs/xai-memphis-bridging.yaml",
    },
    "fast_track": {
        "shell_time": _tri("4 months", "6 months", "8 months"),
        "fitout_time": _tri("4 months", "5 months", "6 months"),
        "source": "recalled, approximate: a prefab GB200 campus energized its first buildings "
        "about a year after ground-breaking (Crusoe/OpenAI Abilene, 2024-25); fit-out after "
        "roof from Epoch AI's Frontier Data Centers Hub rule 'first operational = roof "
        "completion + about 150 days'",
    },
    "temporary": {
        "shell_time": _tri("1 month", "2 months", "3 months"),
        "fitout_time": _tri("2 months", "3 months", "4 months"),
        "source": "recalled, approximate: tent and sprung-structure halls (reported for Meta "
        "in 2025) go up in weeks; fit-out as for a conversion",
    },
}


def mode_durations(mode: str, calibration: str | None) -> dict[str, Any]:
    """The shell and fit-out distributions (as a config writes them) of ``mode``, from the
    named calibration file when there is one, from :data:`FALLBACKS` otherwise."""
    if calibration is not None:
        modes = calibrated_modes(calibration)
        if mode in modes:
            return dict(modes[mode])
    fallback = FALLBACKS[mode]
    return {"shell_time": fallback["shell_time"], "fitout_time": fallback["fitout_time"]}


def calibration_path(name: str) -> Path:
    """The file a ``calibration:`` value names (``dcsim``: the one the package ships)."""
    if name == SHIPPED:
        return Path(str(files("dcsim.data").joinpath(SHIPPED_FILE)))
    return Path(name)


@cache
def _calibration(name: str) -> dict[str, Any]:
    """A calibration file's document, checked: its format, a readable version, and a
    ``modes`` table of shell and fit-out times. Raises ``ValueError`` (reported by the
    schema with the field path) for a file that is missing, not JSON or not one dcsim
    reads."""
    from dcsim.config.safe_yaml import read_text
    from dcsim.errors import UserInputError

    path = calibration_path(name)
    try:
        data = json.loads(read_text(path, "JSON"))
    except UserInputError as error:
        raise ValueError(str(error)) from None
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}: not JSON ({error.msg} at line {error.lineno})") from None
    if not isinstance(data, dict) or data.get("format") != CALIBRATION_FORMAT:
        raise ValueError(
            f"{path}: not a dcsim calibration file (no 'format: {CALIBRATION_FORMAT}')"
        )
    if data.get("version") not in READABLE_VERSIONS:
        raise ValueError(
            f"{path}: calibration format version {data.get('version')!r}; this dcsim reads "
            f"versions {', '.join(map(str, READABLE_VERSIONS))}"
        )
    modes = data.get("modes")
    if not isinstance(modes, dict) or not all(
        mode in BUILD_MODES
        and isinstance(entry, dict)
        and {"shell_time", "fitout_time"} <= set(entry)
        for mode, entry in modes.items()
    ):
        raise ValueError(f"{path}: 'modes' must map build modes to shell_time and fitout_time")
    risk = data.get("project_risk", []) if data["version"] >= 2 else []
    if not isinstance(risk, list) or not all(isinstance(shock, dict) for shock in risk):
        raise ValueError(f"{path}: 'project_risk' must be a list of shocks")
    return data


def calibrated_modes(name: str) -> dict[str, dict[str, Any]]:
    """The ``modes`` table of a calibration file: mode -> shell and fit-out distributions."""
    return {
        mode: {"shell_time": entry["shell_time"], "fitout_time": entry["fitout_time"]}
        for mode, entry in _calibration(name)["modes"].items()
    }


def calibrated_project_risk(name: str) -> list[dict[str, Any]]:
    """The project-wide shocks a calibration file fitted, as a scenario writes them under
    ``project_risk`` (a version-1 file fitted none: an empty list)."""
    document = _calibration(name)
    if document["version"] < 2:
        return []
    return [dict(shock) for shock in document.get("project_risk", [])]
