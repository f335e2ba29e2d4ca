"""Strict JSON: `json.loads` without what no ota-drift input may hold.

Python's json module keeps the last of two duplicate keys, accepts `NaN` and `Infinity`,
decodes `"\\ud800"` to a lone surrogate no encoder can write back, nests until the interpreter
runs out of recursion, and reads numbers of any length (a 5,000-digit one raises ValueError,
not JSONDecodeError). Here each of those is an `InputError` at its line, as in YAML files.

The common case stays in C: the decoder runs with hooks that only refuse, then one pass over
the containers checks the depth (together about 0.13 s more than `json.loads` for a
10,000-update snapshot). The hooks know no positions, so when something is refused a
position-aware scan of the same text finds the first problem and its line. That scan is pure
Python (about 1.5 s for 15 MB), but it only runs on the way to an error.

`load_json_stream` reads JSON values written one after another (what `aws ... >> file` run
several times leaves), each checked as `load_json` checks a document, its problems at the
lines of the whole text.

Writing is strict too: `json_safe` makes any value strict JSON data and `dumps` writes it, for
every report and for OTA001's messages alike (`to_json` is the codec for boto3's data).
"""

from __future__ import annotations

import base64
import json
import json.decoder
import json.scanner
import math
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from checker.errors import InputError, Problem
from checker.files import MAX_DEPTH, MAX_NUMBER_CHARS
from checker.model import Path

_CONSTANTS = ("NaN", "Infinity", "-Infinity")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
"""A `\\uD800`-`\\uDFFF` escape: the only way a lone surrogate gets into decoded UTF-8 text."""
_SURROGATE_ESCAPE_BYTES = re.compile(rb"\\u[dD][89a-fA-F]")
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NUMBER: re.Pattern[str] = json.scanner.NUMBER_RE
_BETWEEN_TOKENS = frozenset(' \t\n\r{}[],:"')
_LONGEST_TOKEN_CUT = MAX_NUMBER_CHARS + 1
"""A cut token is at most a number's length: longer text after a failure is more than a cut."""
# typeshed omits json.decoder.scanstring, a public name of CPython's json package
_scanstring: Callable[[str, int, bool], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]


class _Refused(Exception):
    """Raised by a decoder hook; the scan then says what and where."""


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise _Refused
    return obj


def _constant(_: str) -> Any:
    raise _Refused


def _int(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise _Refused
    return int(text)


def _float(text: str) -> float:
    value = float(text)
    if len(text) > MAX_NUMBER_CHARS or math.isinf(value):
        raise _Refused
    return value


_DECODER = json.JSONDecoder(
    object_pairs_hook=_pairs, parse_constant=_constant, parse_int=_int, parse_float=_float
)


def load_json(text: str, file: str) -> Any:
    """The value of the JSON document `text`, or an InputError `FILE:LINE: what is wrong`."""
    try:
        value = _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        raise InputError.one(file, exc.lineno, f"invalid JSON: {exc.msg}") from None
    except (_Refused, ValueError, RecursionError):
        # ValueError: Python's own limit on integer digits, should a number slip past _int
        raise _located(text, file) from None
    if _too_deep(value) or holds_lone_surrogate(text, value):
        raise _located(text, file)
    return value


def load_json_located(text: str, file: str) -> tuple[Any, dict[Path, int]]:
    """`load_json`, and the 1-based line of every key and list item by path, as YAML files
    give them: findings in a JSON declaration point at their lines too."""
    value = load_json(text, file)
    return value, _lines_of(text)


def _lines_of(text: str) -> dict[Path, int]:
    """The line of each key and item in a JSON text `load_json` accepted. One pass, iterative:
    the decoder already vouched for the syntax, so the scan only follows it."""
    lines: dict[Path, int] = {}
    stack: list[tuple[Path, bool, list[int]]] = []  # (path, is_object, [next index])
    key: str | None = None
    line, counted = 1, 0
    at = _skip(text, 0)

    def child() -> Path:
        path, is_object, counter = stack[-1]
        if is_object:
            return (*path, "" if key is None else key)  # a value in an object follows its key
        counter[0] += 1
        return (*path, counter[0] - 1)

    while at < len(text):
        line += text.count("\n", counted, at)
        counted = at
        char = text[at]
        value_start = char not in "]},:" and not (
            char == '"' and stack and stack[-1][1] and key is None
        )
        here: Path = ()
        if value_start and stack:
            here = child()
            if not stack[-1][1]:
                lines[here] = line
        if char in "[{":
            stack.append((here, char == "{", [0]))
            key = None
            at += 1
        elif char in "]}":
            stack.pop()
            key = None
            at += 1
        elif char == ",":
            key = None
            at += 1
        elif char == ":":
            at += 1
        elif char == '"':
            string, at = _scanstring(text, at + 1, True)
            if not value_start:
                key = string
                lines[(*stack[-1][0], key)] = line
        else:
            number = _NUMBER.match(text, at)
            at = number.end() if number is not None else at + (4 if char in "tn" else 5)
        at = _skip(text, at)
    return lines


def load_json_stream(text: str, file: str) -> list[tuple[Any, int]]:
    """Each JSON value in `text` with the line it starts on: values separated by whitespace only.

    No value is dropped: a value the text ends inside of (an interrupted `>>`) and text between
    values that is not JSON are errors, like everything `load_json` refuses, at their lines in
    the whole text. Text that is only whitespace holds no value: the list is empty.
    """
    values: list[tuple[Any, int]] = []
    may_hold_surrogate = _SURROGATE_ESCAPE.search(text) is not None
    line, counted = 1, 0  # the line at position `counted`: lines are counted once, forwards
    end = 0
    at = _skip(text, 0)
    while at < len(text):
        line += text.count("\n", counted, at)
        counted = at
        try:
            value, end_of_value = _DECODER.raw_decode(text, at)
        except json.JSONDecodeError as exc:
            after = line - text.count("\n", end, at) if values else None
            raise _syntax_error(text, file, exc, start=at, line=line, after=after) from None
        except (_Refused, ValueError, RecursionError):
            raise _located(text, file, at) from None
        if _too_deep(value) or (may_hold_surrogate and _has_lone_surrogate(value)):
            raise _located(text, file, at)
        values.append((value, line))
        end = end_of_value
        at = _skip(text, end)
    return values


def _syntax_error(
    text: str, file: str, exc: json.JSONDecodeError, *, start: int, line: int, after: int | None
) -> InputError:
    """What the decoder refused in the value at `start` (on `line`), said for a stream.

    Text that cannot even start a value is named as following the value that ends on line
    `after`; a value the text ends inside of, as cut short, with the line it starts on.
    """
    if exc.pos == start and after is not None:
        message = f"invalid JSON after the value that ends at line {after}: {exc.msg}"
        return InputError.one(file, exc.lineno, message)
    if _in_last_token(text, exc):
        message = f"invalid JSON: the file ends inside the value that starts at line {line}"
        return InputError.one(file, exc.lineno, message + " (was its writing cut short?)")
    return InputError.one(file, exc.lineno, f"invalid JSON: {exc.msg}")


def _in_last_token(text: str, exc: json.JSONDecodeError) -> bool:
    """Did the decoder fail because the text ends: at its end, or inside its last token?

    A token cut short (`tr`, `1.`, `1e`, `"\\u00`) leaves no whitespace or punctuation after
    the point of failure; an unterminated string runs to the end of the text by definition (a
    newline inside a string is another error).
    """
    if exc.msg.startswith("Unterminated string"):
        return True
    rest = text[exc.pos :].rstrip(" \t\n\r")
    return len(rest) < _LONGEST_TOKEN_CUT and not any(c in _BETWEEN_TOKENS for c in rest)


def holds_lone_surrogate(text: str | bytes, value: Any) -> bool:
    """Does `value`, decoded from the JSON `text`, hold a lone surrogate (`"\\ud800"`)?

    Python's json accepts one, and then no UTF-8 encoder can write the string back. The text
    is searched first (cheap), the value only walked when an escape of that range is there.
    """
    if isinstance(text, bytes):
        return bool(_SURROGATE_ESCAPE_BYTES.search(text)) and _has_lone_surrogate(value)
    return bool(_SURROGATE_ESCAPE.search(text)) and _has_lone_surrogate(value)


def _too_deep(value: Any) -> bool:
    """Does `value` hold a container below level MAX_DEPTH? One pass, level by level."""
    level = [value] if isinstance(value, dict | list) else []
    for _ in range(MAX_DEPTH + 1):  # after k rounds, `level` holds the containers at level k
        below: list[Any] = []
        for node in level:
            items = node.values() if type(node) is dict else node
            below.extend([item for item in items if type(item) is dict or type(item) is list])
        if not below:
            return False
        level = below
    return True


def _has_lone_surrogate(value: Any) -> bool:
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            if not _encodable(node):
                return True
        elif isinstance(node, dict):
            stack.extend(node)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _located(text: str, file: str, start: int = 0) -> InputError:
    found = _first_problem(text, start)
    if found is None:  # the scan disagrees with the decoder: still an input error, unlocated
        return InputError.one(file, None, "invalid JSON: refused by the strict reader")
    position, message = found
    return InputError([Problem(file, _line(text, position), message)])


def _line(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


class _Open:
    """An open container while the scan is inside it."""

    __slots__ = ("expect_key", "keys")

    def __init__(self, is_object: bool) -> None:
        self.keys: dict[str, int] | None = {} if is_object else None
        self.expect_key = is_object


class _Stop(Exception):
    """Ends the scan: `found` is (position, message), or None where the syntax is broken."""

    def __init__(self, found: tuple[int, str] | None) -> None:
        super().__init__()
        self.found = found


def _first_problem(text: str, start: int = 0) -> tuple[int, str] | None:
    """The position and description of the first thing strict JSON refuses in the value at `start`.

    It reads the text in document order and trusts the decoder for the syntax: it only runs
    after the decoder accepted everything up to the problem. A token it cannot read ends it,
    and so does the end of that value: what follows it in a stream is not its problem.
    """
    stack: list[_Open] = []
    at = _skip(text, start)
    try:
        while at < len(text):
            at = _skip(text, _token(text, at, stack))
            if not stack:
                return None
    except _Stop as stop:
        return stop.found
    return None


def _skip(text: str, at: int) -> int:
    return _WHITESPACE.match(text, at).end()  # type: ignore[union-attr]  # `*` always matches


def _token(text: str, at: int, stack: list[_Open]) -> int:
    """Read the token at `at`; return where the next one may start, or raise _Stop."""
    char = text[at]
    if char in "[{":
        if len(stack) > MAX_DEPTH:  # the root is level 0
            raise _Stop((at, f"nesting deeper than {MAX_DEPTH} levels"))
        stack.append(_Open(char == "{"))
    elif char in "]}":
        if not stack:
            raise _Stop(None)
        stack.pop()
    elif char in ",:":
        if stack and stack[-1].keys is not None:
            stack[-1].expect_key = char == ","
    elif char == '"':
        return _string(text, at, stack[-1] if stack else None)
    else:
        return _scalar(text, at)
    return at + 1


def _string(text: str, at: int, container: _Open | None) -> int:
    try:
        string, after = _scanstring(text, at + 1, True)
    except ValueError:
        raise _Stop(None) from None
    if not _encodable(string):
        lone = next(c for c in string if 0xD800 <= ord(c) <= 0xDFFF)
        raise _Stop((at, f"string holds a lone surrogate \\u{ord(lone):04x} (not valid Unicode)"))
    if container is not None and container.keys is not None and container.expect_key:
        first = container.keys.setdefault(string, at)
        if first != at:
            shown = repr(string) if len(string) <= 60 else repr(string[:57]) + "..."
            raise _Stop((at, f"duplicate key {shown} (first at line {_line(text, first)})"))
    return after


def _scalar(text: str, at: int) -> int:
    constant = next((c for c in _CONSTANTS if text.startswith(c, at)), None)
    if constant is not None:
        raise _Stop((at, f"{constant} is not valid JSON (strict JSON has no NaN or Infinity)"))
    number = _NUMBER.match(text, at)
    if number is not None:
        problem = _number_problem(number.group())
        if problem is not None:
            raise _Stop((at, problem))
        return number.end()
    for literal in ("true", "false", "null"):
        if text.startswith(literal, at):
            return at + len(literal)
    raise _Stop(None)


def _number_problem(token: str) -> str | None:
    if len(token) > MAX_NUMBER_CHARS:
        return (
            f"number of {len(token):,} characters is too long "
            f"(numbers have at most {MAX_NUMBER_CHARS} characters)"
        )
    if any(c in token for c in ".eE") and math.isinf(float(token)):
        return f"number {token} is out of range: it overflows to infinity"
    return None


def to_json(value: Any) -> Any:
    """A JSON-safe deep copy of boto3 data, the one codec snapshots and the Pulumi resources
    write with: datetimes as ISO 8601 text in UTC, bytes as base64 text, keys as strings."""
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    return value


NON_FINITE = {math.inf: "Infinity", -math.inf: "-Infinity"}
"""How a non-finite float is written (NaN, which equals nothing, is `"NaN"`)."""


def json_safe(value: Any) -> Any:
    """`value` as data that `json.dumps(..., allow_nan=False)` writes as strict JSON.

    Non-finite floats become strings (`NON_FINITE`), keys become strings the way json.dumps
    would spell them, an integer too long to print becomes a string saying so, and anything
    that is not JSON data becomes its `str()` (as `default=str` did). Ordinary data comes
    back equal to what was given.
    """
    if value is None or isinstance(value, str | bool):
        return value
    if isinstance(value, int):
        return _safe_int(value)
    if isinstance(value, float):
        return _safe_float(value)
    if isinstance(value, Mapping):
        return {_safe_key(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return str(value)


def _safe_int(value: int) -> int | str:
    try:
        str(value)
    except ValueError:  # beyond sys.get_int_max_str_digits(): json.dumps could not print it
        return f"(an integer of {value.bit_length()} bits)"
    return value


def _safe_float(value: float) -> float | str:
    if math.isfinite(value):
        return value
    return NON_FINITE.get(value, "NaN")


def _safe_key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if key is None or isinstance(key, bool):
        return json.dumps(key)
    if isinstance(key, int):
        return str(_safe_int(key))
    if isinstance(key, float):
        return str(_safe_float(key)) if not math.isfinite(key) else repr(key)
    return str(key)


def dumps(value: Any, **layout: Any) -> str:
    """Strict JSON text (`allow_nan=False`) with non-ASCII characters as themselves, laid out
    as `layout` says: how every report, and OTA001's message, writes JSON."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, **layout)


def json_line(value: object) -> str:
    """Any value on one line, keys sorted (`{"a": 1, "b": [2, 3]}`): a drift value in prose."""
    return dumps(json_safe(value), sort_keys=True)
