"""Safe YAML loading that remembers where every key was written.

PyYAML's own loaders lose line numbers, silently keep the last of two duplicate keys and expand
aliases without limit. Here libyaml (or PyYAML's parser) only composes the node graph; values are
built from it by hand so that every key's line is kept, duplicates are errors, only plain YAML
types are ever constructed, and alias expansion is capped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from checker.errors import InputError
from checker.model import Path

MAX_EXPANDED_NODES = 1_000_000
"""Nodes built from one file, aliases counted at every use: caps a billion-laughs bomb."""
MAX_DEPTH = 64
"""Nesting deeper than any OTA config needs; also keeps recursion far from Python's limit."""

_YAML = "tag:yaml.org,2002:"
_MERGE = _YAML + "merge"
_SCALAR_TAGS = frozenset(
    _YAML + t for t in ("null", "bool", "int", "float", "str", "binary", "timestamp")
)

# libyaml parses and composes ten times faster than PyYAML's pure-Python parser.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_constructor = SafeConstructor()
_ScalarBuilder = Callable[[SafeConstructor, yaml.ScalarNode], Any]
_SCALAR_BUILDERS: dict[str, _ScalarBuilder] = {
    tag: _constructor.yaml_constructors[tag] for tag in _SCALAR_TAGS
}


def load_located(text: str, file: str) -> tuple[Any, dict[Path, int]]:
    """Parse one YAML document; return its value and the 1-based line of every key and item."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise InputError.one(file, line, f"YAML syntax error: {problem}") from None
    except yaml.YAMLError as exc:
        raise InputError.one(file, None, f"YAML error: {exc}") from None
    except RecursionError:
        raise InputError.one(file, None, "YAML nesting is too deep") from None
    if root is None:
        return None, {}
    builder = _Builder(file)
    return builder.build(root, (), 0), builder.lines


class _Builder:
    """Builds plain values from one composed document; one instance per file."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.lines: dict[Path, int] = {}
        self.expanded = 0
        self._open: set[int] = set()

    def _fail(self, node: yaml.Node, message: str) -> InputError:
        return InputError.one(self.file, node.start_mark.line + 1, message)

    def build(self, node: yaml.Node, path: Path, depth: int) -> Any:
        self.expanded += 1
        if self.expanded > MAX_EXPANDED_NODES:
            raise self._fail(
                node,
                f"aliases expand to more than {MAX_EXPANDED_NODES:,} nodes "
                "(an alias bomb?); refusing to expand further",
            )
        if depth > MAX_DEPTH:
            raise self._fail(node, f"nesting deeper than {MAX_DEPTH} levels")
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node)
        if id(node) in self._open:
            raise self._fail(node, "recursive alias: an anchor refers to itself")
        self._open.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                self._check_tag(node, _YAML + "seq")
                return self._sequence(node, path, depth)
            if isinstance(node, yaml.MappingNode):
                self._check_tag(node, _YAML + "map")
                return self._mapping(node, path, depth)
        finally:
            self._open.discard(id(node))
        raise self._fail(node, "unsupported YAML node")  # pragma: no cover - composer emits 3 kinds

    def _check_tag(self, node: yaml.Node, expected: str) -> None:
        if node.tag != expected:
            raise self._fail(
                node, f"YAML tag {_short(node.tag)!r} is not allowed (plain YAML only)"
            )

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        build = _SCALAR_BUILDERS.get(node.tag)
        if build is None:
            raise self._fail(
                node, f"YAML tag {_short(node.tag)!r} is not allowed (plain YAML only)"
            )
        try:
            return build(_constructor, node)
        except (yaml.YAMLError, ValueError) as exc:
            raise self._fail(node, f"invalid {_short(node.tag)} value: {exc}") from None

    def _sequence(self, node: yaml.SequenceNode, path: Path, depth: int) -> list[Any]:
        items = []
        for index, child in enumerate(node.value):
            child_path = (*path, index)
            self.lines[child_path] = child.start_mark.line + 1
            items.append(self.build(child, child_path, depth + 1))
        return items

    def _mapping(self, node: yaml.MappingNode, path: Path, depth: int) -> dict[Any, Any]:
        merged: dict[Any, Any] = {}
        explicit: dict[Any, Any] = {}
        first_line: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                # Merge keys (`<<: *base`) are how anchors share a block; explicit keys win.
                for source in reversed(self._merge_sources(value_node)):
                    merged.update(self.build(source, path, depth + 1))
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                raise self._fail(key_node, "mapping keys must be plain scalars")
            key = self._scalar(key_node)
            line = key_node.start_mark.line + 1
            if key in first_line:
                raise self._fail(
                    key_node, f"duplicate key {key!r} (first at line {first_line[key]})"
                )
            first_line[key] = line
            child_path = (*path, key)
            self.lines[child_path] = line
            explicit[key] = self.build(value_node, child_path, depth + 1)
        merged.update(explicit)
        return merged

    def _merge_sources(self, node: yaml.Node) -> list[yaml.MappingNode]:
        self.expanded += 1
        if isinstance(node, yaml.MappingNode):
            return [node]
        if isinstance(node, yaml.SequenceNode) and all(
            isinstance(n, yaml.MappingNode) for n in node.value
        ):
            return list(node.value)
        raise self._fail(node, "a merge key (<<) takes a mapping or a list of mappings")


def _short(tag: str) -> str:
    return "!!" + tag[len(_YAML) :] if tag.startswith(_YAML) else tag
