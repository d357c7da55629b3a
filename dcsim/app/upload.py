"""A scenario sent by a browser, read through the command line's bounded, strict loader.

The bytes are written to a fresh directory inside the app's own temporary directory under
a name made from letters, digits and ``.-_`` only (the client's path is never used), read
back with :func:`dcsim.config.loader.read_yaml` (size limit, UTF-8, bounded YAML) and
validated as ``dcsim validate`` does. ``include:`` would reach files beyond that
directory, so an uploaded scenario must stand alone. Every refusal is a
:class:`~dcsim.errors.UserInputError` whose lines name the uploaded file, not the
temporary directory.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from dcsim.app.fleet_runs import is_fleet
from dcsim.config import Scenario, scenario_from_dict
from dcsim.config.loader import read_yaml
from dcsim.config.safe_yaml import MAX_BYTES, parse, read_text
from dcsim.errors import UserInputError

#: Longest file name kept from the client's.
MAX_NAME = 64


def safe_name(client_name: str | None) -> str:
    """A plain ``.yaml`` file name derived from the client's (which may be a path)."""
    base = re.split(r"[\\/]", client_name or "")[-1]
    stem = re.sub(r"[^A-Za-z0-9._-]", "_", base.rsplit(".", 1)[0]).strip("._")[:MAX_NAME]
    return f"{stem or 'upload'}.yaml"


def check_size(size: int, client_name: str | None) -> None:
    """Refuse a file over the loader's limit in one line, as the command line does."""
    if size > MAX_BYTES:
        name = safe_name(client_name)
        raise UserInputError(f"{name}: larger than {MAX_BYTES // 2**20} MiB; not a config file")


def load_upload(
    data: bytes, client_name: str | None, scratch: Path
) -> tuple[dict[str, Any], Scenario]:
    """The scenario's raw mapping (what the levers edit) and the validated scenario."""
    name = safe_name(client_name)
    check_size(len(data), client_name)
    folder = Path(tempfile.mkdtemp(prefix="upload-", dir=scratch))
    try:
        path = folder / name
        path.write_bytes(data)
        try:
            raw = parse(read_text(path), name)
            if is_fleet(raw):
                raise UserInputError(
                    f"{name}: a fleet file: open it with `dcsim app {name}` (its sites' "
                    "scenarios are files beside it)"
                )
            if isinstance(raw, dict) and "include" in raw:
                raise UserInputError(
                    f"{name}: include: an uploaded scenario must stand alone; upload the "
                    "scenario with its includes merged in"
                )
            data_map = read_yaml(path)
            return data_map, scenario_from_dict(data_map, name)
        except UserInputError as error:
            prefix = f"{folder}/"
            raise UserInputError([line.replace(prefix, "") for line in error.problems]) from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)
