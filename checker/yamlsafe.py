"""Safe YAML loading that remembers where every key was written.

PyYAML's own loaders lose line numbers, silently keep the last of two duplicate keys, expand
aliases without limit, and its C composer recurses (a 100 KB file of `[[[[...` crashes the
interpreter). Here libyaml only parses; values are built from its event stream by an iterative
builder that keeps every key's line, refuses duplicate keys and non-plain tags, caps nesting
and alias expansion, and never constructs anything but plain data.

It also refuses the YAML 1.1 numbers that do not say what they look like: `0755` is octal
(493) and `10:00` base 60 (600), where YAML 1.2, and people, read 755 and a time of day. Hex
(`0x1F`) and binary (`0b101`) stay accepted: their prefix says what they are. Numbers longer
than `MAX_NUMBER_CHARS` and floats that overflow to infinity are refused too.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from checker.errors import InputError
from checker.files import MAX_DEPTH, MAX_NUMBER_CHARS
from checker.model import Path

__all__ = [
    "INTRINSIC_TAGS",
    "MAX_DEPTH",
    "MAX_EXPANDED_NODES",
    "MAX_NUMBER_CHARS",
    "TagUse",
    "load_located",
    "load_located_template",
]

INTRINSIC_TAGS: dict[str, str] = {
    "!Ref": "Ref",
    "!Condition": "Condition",
    **{
        f"!{name}": f"Fn::{name}"
        for name in (
            "Sub",
            "GetAtt",
            "Join",
            "Select",
            "Split",
            "If",
            "Equals",
            "Not",
            "And",
            "Or",
            "FindInMap",
            "ImportValue",
            "Base64",
            "GetAZs",
            "Cidr",
        )
    },
}
"""CloudFormation's short-form tags and the long form each stands for (`!Sub x` is
`{"Fn::Sub": x}`). Accepted only by `load_located_template`."""

MAX_EXPANDED_NODES = 1_000_000
"""Nodes in one file, aliases counted at every use: caps a billion-laughs bomb."""

_YAML = "tag:yaml.org,2002:"
_MERGE = _YAML + "merge"
_NUMBER_TAGS = (_YAML + "int", _YAML + "float")
_OCTAL = re.compile(r"[-+]?0[0-7_]+")
"""PyYAML's YAML 1.1 octal integer."""
_BASE_60 = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?")
"""PyYAML's YAML 1.1 sexagesimal integer or float."""
_SEQ = _YAML + "seq"
_MAP = _YAML + "map"

# libyaml parses ten times faster than PyYAML's pure-Python parser.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_resolver = Resolver()
_constructor = SafeConstructor()
_ScalarBuilder = Callable[[SafeConstructor, yaml.ScalarNode], Any]
_SCALAR_BUILDERS: dict[str, _ScalarBuilder] = {
    _YAML + t: _constructor.yaml_constructors[_YAML + t]
    for t in ("null", "bool", "int", "float", "str", "timestamp")
}


def _strict_binary(_: SafeConstructor, node: yaml.ScalarNode) -> bytes:
    """`!!binary` that refuses what is not base64 (PyYAML silently drops such characters)."""
    text = "".join(str(node.value).split())
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error:
        raise ValueError("not valid base64") from None


_SCALAR_BUILDERS[_YAML + "binary"] = _strict_binary
_MISS = object()
_SCALAR_CACHE_SIZE = 50_000


@dataclass(frozen=True)
class TagUse:
    """Where a short-form intrinsic tag was written: a reader other than CloudFormation's
    refuses the file at this line."""

    tag: str
    line: int


def load_located(text: str, file: str) -> tuple[Any, dict[Path, int]]:
    """Parse one YAML document; return its value and the 1-based line of every key and item."""
    value, lines, _ = _load(text, file, intrinsics=False)
    return value, lines


def load_located_template(text: str, file: str) -> tuple[Any, dict[Path, int], list[TagUse]]:
    """`load_located`, but CloudFormation's short-form tags are read as their long forms
    (`!GetAtt A.B` is `{"Fn::GetAtt": ["A", "B"]}`), and every use is returned."""
    return _load(text, file, intrinsics=True)


def _load(text: str, file: str, intrinsics: bool) -> tuple[Any, dict[Path, int], list[TagUse]]:
    builder = _Builder(file, intrinsics)
    try:
        for event in yaml.parse(text, Loader=_Loader):
            builder.feed(event)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise InputError.one(file, line, f"YAML syntax error: {problem}") from None
    except yaml.YAMLError as exc:
        message = " ".join(str(exc).split())
        raise InputError.one(file, None, f"YAML error: {message}") from None
    value, lines = builder.result()
    return value, lines, builder.tag_uses


@dataclass
class _Anchor:
    value: Any
    path: Path
    first_record: int
    end_record: int
    size: int


@dataclass
class _Frame:
    """An open mapping or sequence while its events arrive."""

    is_map: bool
    path: Path
    line: int
    anchor: str | None
    first_record: int
    start_count: int
    merge_target: bool = False
    """A sequence under `<<`: its items are merge sources, not items."""
    items: list[Any] = field(default_factory=list)
    explicit: dict[Any, Any] = field(default_factory=dict)
    merged: dict[Any, Any] = field(default_factory=dict)
    key_lines: dict[Any, int] = field(default_factory=dict)
    key: Any = None
    has_key: bool = False
    key_is_merge: bool = False
    intrinsic: str | None = None
    """The long-form key (`Fn::Join`) this collection's value is wrapped in when it closes."""


class _Builder:
    """Turns one file's parser events into plain values and a line for every key and item."""

    def __init__(self, file: str, intrinsics: bool = False) -> None:
        self.file = file
        self.intrinsics = intrinsics
        self.tag_uses: list[TagUse] = []
        self.stack: list[_Frame] = []
        self.anchors: dict[str, _Anchor] = {}
        self.records: list[tuple[Path, int, bool]] = []
        """(path, line, weak): weak lines came through a merge key and yield to explicit ones."""
        self.count = 0
        self.documents = 0
        self.root: Any = None
        self.weak = 0
        self._scalars: dict[tuple[str | None, str, tuple[bool, bool]], Any] = {}

    # --- events -------------------------------------------------------------------------

    def feed(self, event: yaml.Event) -> None:
        line = event.start_mark.line + 1 if event.start_mark is not None else 0
        kind = type(event)  # most events are scalars: test for them first
        if kind is yaml.ScalarEvent:
            self._scalar(event, line)  # type: ignore[arg-type]  # checked by `kind is` above
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            self._open(event, line)  # type: ignore[arg-type]  # checked by `kind is` above
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            self._close()
        elif kind is yaml.AliasEvent:
            self._alias(event, line)  # type: ignore[arg-type]  # checked by `kind is` above
        elif kind is yaml.DocumentStartEvent:
            self.documents += 1
            if self.documents > 1:
                raise self._fail(line, "expected a single YAML document, found another")

    def result(self) -> tuple[Any, dict[Path, int]]:
        lines: dict[Path, int] = {}
        strong: set[Path] = set()
        for path, line, weak in self.records:
            if not weak:
                lines[path] = line
                strong.add(path)
            elif path not in strong and path not in lines:
                lines[path] = line
        return self.root, lines

    # --- nodes --------------------------------------------------------------------------

    def _scalar(self, event: yaml.ScalarEvent, line: int) -> None:
        if self.stack and self.stack[-1].is_map and not self.stack[-1].has_key:
            self._set_key(event, line)
            return
        self._count(line, 1)
        intrinsic = self._intrinsic(event.tag, line)
        if intrinsic is None:
            value = self._construct(event, line)
        else:
            value = self._wrap_scalar(intrinsic, str(event.value), line)
        if event.anchor is not None:
            self.anchors[event.anchor] = _Anchor(value, (), 0, 0, 1)
        self._place(value, line)

    def _alias(self, event: yaml.AliasEvent, line: int) -> None:
        if self.stack and self.stack[-1].is_map and not self.stack[-1].has_key:
            raise self._fail(line, "mapping keys must be plain scalars, not aliases")
        anchor = self.anchors.get(str(event.anchor))
        if anchor is None:
            if any(f.anchor == event.anchor for f in self.stack):
                raise self._fail(line, f"recursive alias *{event.anchor}: it refers to itself")
            raise self._fail(line, f"alias *{event.anchor} refers to no anchor")
        self._count(line, anchor.size)
        target = self._child_path()
        weak = self.weak > 0 or bool(self.stack and self._in_merge(self.stack[-1]))
        for path, key_line, was_weak in self.records[anchor.first_record : anchor.end_record]:
            self.records.append((target + path[len(anchor.path) :], key_line, weak or was_weak))
        self._place(anchor.value, line)

    def _open(self, event: yaml.MappingStartEvent | yaml.SequenceStartEvent, line: int) -> None:
        if self.stack and self.stack[-1].is_map and not self.stack[-1].has_key:
            raise self._fail(line, "mapping keys must be plain scalars")
        if len(self.stack) > MAX_DEPTH:  # the root is level 0
            raise self._fail(line, f"nesting deeper than {MAX_DEPTH} levels")
        is_map = isinstance(event, yaml.MappingStartEvent)
        expected = _MAP if is_map else _SEQ
        intrinsic = self._intrinsic(event.tag, line)
        if intrinsic is None and event.tag not in (None, "!", expected):
            raise self._fail(
                line, f"YAML tag {_short(event.tag)!r} is not allowed (plain YAML only)"
            )
        self._count(line, 1)
        parent = self.stack[-1] if self.stack else None
        in_merge = parent is not None and self._in_merge(parent)
        if in_merge:
            self.weak += 1
        path = self._child_path()
        if intrinsic is not None:
            path = (*path, intrinsic)
            self.records.append((path, line, self.weak > 0))
        self.stack.append(
            _Frame(
                is_map=is_map,
                path=path,
                intrinsic=intrinsic,
                line=line,
                anchor=event.anchor,
                first_record=len(self.records),
                start_count=self.count,
                merge_target=in_merge and not is_map and parent is not None and parent.is_map,
            )
        )

    def _close(self) -> None:
        frame = self.stack.pop()
        if frame.is_map:
            value: Any = {**frame.merged, **frame.explicit} if frame.merged else frame.explicit
        else:
            value = frame.items
        if frame.intrinsic is not None:
            value = {frame.intrinsic: value}
        parent = self.stack[-1] if self.stack else None
        if parent is not None and self._in_merge(parent):
            self.weak -= 1
        if frame.anchor is not None:
            self.anchors[frame.anchor] = _Anchor(
                value,
                frame.path,
                frame.first_record,
                len(self.records),
                self.count - frame.start_count + 1,
            )
        self._place(value, frame.line, closing=frame)

    # --- helpers ------------------------------------------------------------------------

    def _intrinsic(self, tag: str | None, line: int) -> str | None:
        """The long-form key of a short-form tag this builder accepts, else None."""
        if not self.intrinsics or tag is None:
            return None
        long_form = INTRINSIC_TAGS.get(tag)
        if long_form is not None:
            self.tag_uses.append(TagUse(tag, line))
        return long_form

    def _wrap_scalar(self, intrinsic: str, text: str, line: int) -> dict[str, Any]:
        """`!Ref x` as `{"Ref": "x"}`; `!GetAtt A.B.C` as `{"Fn::GetAtt": ["A", "B.C"]}`, the
        split CloudFormation makes at the first dot."""
        self.records.append(((*self._child_path(), intrinsic), line, self.weak > 0))
        if intrinsic == "Fn::GetAtt":
            resource, dot, attribute = text.partition(".")
            if not dot or not resource or not attribute:
                raise self._fail(line, f"!GetAtt {text!r} must be RESOURCE.ATTRIBUTE")
            return {intrinsic: [resource, attribute]}
        return {intrinsic: text}

    def _in_merge(self, frame: _Frame) -> bool:
        return (frame.is_map and frame.key_is_merge) or frame.merge_target

    def _child_path(self) -> Path:
        if not self.stack:
            return ()
        frame = self.stack[-1]
        if frame.merge_target or (frame.is_map and frame.key_is_merge):
            return frame.path  # merge sources land in the mapping itself
        if frame.is_map:
            return (*frame.path, frame.key)
        return (*frame.path, len(frame.items))

    def _set_key(self, event: yaml.ScalarEvent, line: int) -> None:
        frame = self.stack[-1]
        tag = self._tag(event)
        if tag == _MERGE:
            frame.key, frame.has_key, frame.key_is_merge = "<<", True, True
            return
        key = self._construct(event, line)
        try:
            earlier = frame.key_lines.get(key)
        except TypeError:
            raise self._fail(line, "mapping keys must be plain scalars") from None
        if earlier is not None:
            raise self._fail(line, f"duplicate key {key!r} (first at line {earlier})")
        frame.key_lines[key] = line
        frame.key, frame.has_key, frame.key_is_merge = key, True, False
        self.records.append(((*frame.path, key), line, self.weak > 0))

    def _place(self, value: Any, line: int, closing: _Frame | None = None) -> None:
        """Put a finished value into its parent (or make it the document)."""
        if not self.stack:
            self.root = value
            return
        frame = self.stack[-1]
        if frame.merge_target:
            frame.items.append(value)  # a merge source; checked when the list is merged
        elif frame.is_map:
            if frame.key_is_merge:
                sources = value if closing is not None and closing.merge_target else [value]
                for source in sources:
                    if not isinstance(source, dict):
                        raise self._fail(line, "a merge key (<<) takes a mapping or a list of them")
                    for k, v in source.items():
                        frame.merged.setdefault(k, v)
            else:
                frame.explicit[frame.key] = value
            frame.key, frame.has_key, frame.key_is_merge = None, False, False
        else:
            self.records.append(((*frame.path, len(frame.items)), line, self.weak > 0))
            frame.items.append(value)

    def _tag(self, event: yaml.ScalarEvent) -> str:
        if event.tag not in (None, "!"):
            return str(event.tag)
        if event.tag == "!" or not event.implicit[0]:
            return _YAML + "str"
        resolved = _resolver.resolve(  # type: ignore[no-untyped-call]  # PyYAML's stubs omit it
            yaml.ScalarNode, event.value, event.implicit
        )
        return str(resolved)

    def _construct(self, event: yaml.ScalarEvent, line: int) -> Any:
        """The scalar's value. Scalars repeat (keys above all) and their values are immutable,
        so each distinct one is resolved and built once per file."""
        key = (event.tag, event.value, event.implicit)
        cached = self._scalars.get(key, _MISS)
        if cached is not _MISS:
            return cached
        value = self._build_scalar(event, line)
        if len(self._scalars) < _SCALAR_CACHE_SIZE:
            self._scalars[key] = value
        return value

    def _build_scalar(self, event: yaml.ScalarEvent, line: int) -> Any:
        tag = self._tag(event)
        build = _SCALAR_BUILDERS.get(tag)
        if build is None:
            raise self._fail(line, f"YAML tag {_short(tag)!r} is not allowed (plain YAML only)")
        text = str(event.value)
        if tag in _NUMBER_TAGS and len(text) > MAX_NUMBER_CHARS:
            raise self._fail(line, _too_long(text))
        node = yaml.ScalarNode(tag, event.value, None, None, event.style)
        try:
            value = build(_constructor, node)
        # PyYAML's builders do not all validate first: `!!timestamp x` fails in a regex match
        # (AttributeError), `!!bool maybe` in a table (KeyError), `!!int ""` on an index.
        except (yaml.YAMLError, ValueError, TypeError, AttributeError, KeyError, IndexError) as exc:
            problem = getattr(exc, "problem", None) or (str(exc).splitlines() or ["unreadable"])[0]
            if isinstance(exc, AttributeError | KeyError | IndexError):
                problem = f"cannot read {text[:40]!r} as one"
            raise self._fail(line, f"invalid {_short(tag)} value: {problem}") from None
        if tag in _NUMBER_TAGS:
            problem = _surprising_number(text, value)
            if problem is not None:
                raise self._fail(line, problem)
        return value

    def _count(self, line: int, nodes: int) -> None:
        self.count += nodes
        if self.count > MAX_EXPANDED_NODES:
            raise self._fail(
                line,
                f"aliases expand to more than {MAX_EXPANDED_NODES:,} nodes "
                "(an alias bomb?); refusing to expand further",
            )

    def _fail(self, line: int, message: str) -> InputError:
        return InputError.one(self.file, line, message)


def _surprising_number(text: str, value: int | float) -> str | None:
    """What is wrong with a YAML 1.1 number that means other than it looks, if anything is."""
    quote = f'quote it ("{text}") if it is text'
    if _OCTAL.fullmatch(text):
        plain = text.replace("_", "")
        sign = plain[0] if plain[0] in "+-" else ""
        digits = plain.lstrip("+-").lstrip("0") or "0"
        return (
            f"{text} is an octal number in YAML 1.1 (read as {value}): "
            f"write {sign}{digits} if that is the number, or {quote}"
        )
    if _BASE_60.fullmatch(text):
        return (
            f"{text} is a base-60 number in YAML 1.1 (read as {value!r}): "
            f"write {value!r} if that is the number, or {quote}"
        )
    if isinstance(value, float) and math.isinf(value) and "inf" not in text.lower():
        return f"number {text} is out of range: it overflows to infinity"
    return None


def _too_long(text: str) -> str:
    return (
        f"number of {len(text):,} characters is too long "
        f"(numbers have at most {MAX_NUMBER_CHARS} characters)"
    )


def _short(tag: str | None) -> str:
    tag = tag or ""
    return "!!" + tag[len(_YAML) :] if tag.startswith(_YAML) else tag
