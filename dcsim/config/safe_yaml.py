"""Bounded YAML: what a config file may make the loader read, build and keep.

PyYAML's ``safe_load`` is safe against code execution, not against a hostile file: it
reads ``/dev/zero`` forever, recurses on deep nesting and self-referencing anchors, lets
``&a [*a, *a]`` chains expand to billions of values ("billion laughs") once the tree is
copied, keeps the last of two equal keys, and raises on ``2024-02-30``. Here the file must
be a regular file of at most :data:`MAX_BYTES` of UTF-8; nesting, expanded size and
duplicate keys are checked on the node graph before any Python object is built; and a
date that is not on the calendar stays text, for the schema to report with its field path.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from dcsim.errors import UserInputError

MAX_BYTES = 4 * 1024 * 1024
#: Deepest nesting of mappings and lists, aliases expanded (a scenario needs about 8).
MAX_DEPTH = 64
#: Most values (scalars, mappings and lists) once aliases are expanded.
MAX_VALUES = 500_000


def read_text(
    path: Path, kind: str = "YAML", *, max_bytes: int = MAX_BYTES, follow_symlinks: bool = True
) -> str:
    """The text of a regular file of at most ``max_bytes`` of UTF-8 (a BOM is allowed).

    Opened without blocking, so a FIFO is refused rather than waited on. ``kind`` names the
    file in messages ("YAML", "CSV"); with ``follow_symlinks=False`` a symbolic link is
    refused (a data file read from a shared directory must be the file it claims to be)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
    if not follow_symlinks:
        flags |= os.O_NOFOLLOW
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise UserInputError(f"{path}: file not found") from None
    except OSError as error:
        if not follow_symlinks and os.path.islink(path):
            raise UserInputError(f"{path}: is a symbolic link; give the file itself") from None
        raise UserInputError(f"{path}: cannot read ({error.strerror})") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        found = "a directory" if stat.S_ISDIR(mode) else "not a regular file"
        raise UserInputError(f"{path}: expected a {kind} file, found {found}")
    with os.fdopen(fd, "rb") as file:
        try:
            data = file.read(max_bytes + 1)
        except OSError as error:
            raise UserInputError(f"{path}: cannot read ({error.strerror})") from None
    if len(data) > max_bytes:
        what = "not a config file" if kind == "YAML" else f"too large for a {kind} file"
        raise UserInputError(f"{path}: larger than {max_bytes // 2**20} MiB; {what}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UserInputError(
            f"{path}: not UTF-8 text (byte {data[error.start]:#04x} at offset {error.start}); "
            "save the file as UTF-8"
        ) from None


def parse(text: str, origin: str) -> Any:
    """The YAML document in ``text`` as plain Python data, every problem one line."""
    try:
        return yaml.load(text, Loader=BoundedLoader)  # a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = error.problem or error.context or "invalid"
        raise UserInputError(f"{origin}:{where}: invalid YAML: {problem}") from None
    except yaml.YAMLError as error:
        raise UserInputError(f"{origin}: invalid YAML: {str(error).splitlines()[0]}") from None


class BoundedLoader(yaml.SafeLoader):
    """``SafeLoader`` that checks the composed node graph before building anything."""

    _depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        """PyYAML composes recursively: stop at ``MAX_DEPTH``, long before Python's stack."""
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise yaml.composer.ComposerError(
                    None, None, f"nested deeper than {MAX_DEPTH} levels", mark
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def get_single_node(self) -> Node | None:
        node = super().get_single_node()
        if node is not None:
            _Extent().measure(node, 1)
        return node

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                key = self.construct_object(key_node)
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key {key!r}", key_node.start_mark
                    )
                seen.add(key)
        return super().construct_mapping(node, deep)

    def construct_yaml_timestamp(self, node: ScalarNode) -> Any:
        """A date-looking scalar that is not a real date (``2024-02-30``) stays text."""
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


BoundedLoader.add_constructor("tag:yaml.org,2002:timestamp", BoundedLoader.construct_yaml_timestamp)


class _Extent:
    """Depth and size of the tree a node graph stands for, aliases expanded, measured once
    per node (so a billion laughs costs its node count, not its expansion)."""

    def __init__(self) -> None:
        self.measured: dict[int, tuple[int, int]] = {}  # id -> (values, height)
        self.open: set[int] = set()

    def measure(self, node: Node, depth: int) -> tuple[int, int]:
        key = id(node)
        if key in self.open:
            raise _problem(node, "an anchor refers to itself (a recursive structure)")
        values, height = self.measured.get(key) or self._measure(node, depth)
        if depth + height - 1 > MAX_DEPTH:
            raise _problem(node, f"nested deeper than {MAX_DEPTH} levels")
        return values, height

    def _measure(self, node: Node, depth: int) -> tuple[int, int]:
        if depth > MAX_DEPTH:
            raise _problem(node, f"nested deeper than {MAX_DEPTH} levels")
        if isinstance(node, ScalarNode):
            children: list[Node] = []
        elif isinstance(node, SequenceNode):
            children = node.value
        else:
            children = [part for pair in node.value for part in pair]
        self.open.add(id(node))
        values, height = 1, 1
        for child in children:
            child_values, child_height = self.measure(child, depth + 1)
            values += child_values
            height = max(height, child_height + 1)
            if values > MAX_VALUES:
                raise _problem(node, f"expands to more than {MAX_VALUES:,} values (aliases?)")
        self.open.discard(id(node))
        self.measured[id(node)] = values, height
        return values, height


def _problem(node: Node, problem: str) -> yaml.composer.ComposerError:
    return yaml.composer.ComposerError(None, None, problem, node.start_mark)
