"""docs/planner.md stays true: the files its commands name exist and validate, and its
commands name only sub-commands and options that exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PAGE = REPO / "docs" / "planner.md"
FILES = sorted((REPO / "docs" / "planner").glob("*.yaml"))


def commands() -> list[str]:
    """The page's shell commands, continuation lines joined."""
    blocks = re.findall(r"```bash\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.S)
    return [line for block in blocks for line in block.replace("\\\n", " ").splitlines()]


def test_every_named_file_exists() -> None:
    named = set(
        re.findall(r"\b((?:docs/planner|configs|experiments)/[\w./-]+\.yaml)", PAGE.read_text())
    )
    assert named
    assert sorted(path for path in named if not (REPO / path).is_file()) == []


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_planner_file_validates(cli, path: Path) -> None:
    done = cli("validate", path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok")


def test_every_command_parses() -> None:
    """Each command's sub-command and options are accepted by the parser."""
    import shlex

    from dcsim.cli import build_parser

    parser = build_parser()
    for line in commands():
        words = shlex.split(line)
        assert words[0] == "dcsim", line
        parser.parse_args(words[1:])
