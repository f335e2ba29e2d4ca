"""YAML as the import writers write it: block style, list items indented under their key, one
value per line, comments at the top. The text reads back (`checker.yamlsafe`) as the same data.

Written here rather than by `yaml.dump`: PyYAML's pure-Python representer and emitter take
18 s for a 10,000-update fleet (its C emitter still 12 s), this about a second. The data is
only ever what a declaration holds, JSON-like values and bytes, so the emitter is small: a
string is written plain when YAML reads that text back as the same string (PyYAML's own
resolver decides), else quoted; bytes are `!!binary` base64.
"""

from __future__ import annotations

import base64
import math
import re
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

_COMMENT_WIDTH = 96
"""Comment lines wrap within the project's 100 columns."""
_INDENT = "  "
_STR_TAG = "tag:yaml.org,2002:str"
_PLAIN = re.compile(r"[A-Za-z0-9_./~$^+=()][A-Za-z0-9_./~$^+=()\-:, ]*")
"""Text that is a plain scalar in block context as it stands, apart from the checks in
`_is_plain` (no `: ` or ` #`, no trailing space or colon, read back as a string)."""
_NOT_TEXT_ELSEWHERE = re.compile(
    r"[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?|0[oxOX][0-9a-fA-F_]+"
    r"|[yYnN]|(?i:yes|no|on|off|true|false|null)"
)
"""Text that other YAML parsers read as a number or boolean though PyYAML reads a string
(`1e3` in YAML 1.2, `y` in YAML 1.1's spec): quoted too, for CloudFormation and the AWS CLI."""
_SINGLE_QUOTABLE = re.compile(
    "[\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]*"
)
"""Characters a single-quoted scalar holds as they are: printable, and no line break
(YAML 1.1 reads U+0085, U+2028 and U+2029 as line breaks, and refuses the stream's
non-printable characters, U+FEFF among them)."""
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\0": "\\0"}
_CONSTANTS = {None: "null", True: "true", False: "false"}
_resolver = Resolver()


def yaml_text(data: Mapping[str, Any], comments: Sequence[str] = ()) -> str:
    """`data` (a mapping of JSON-like values and bytes) as YAML, after `# comment` lines."""
    return "".join(f"{line}\n" for line in [*comment_lines(comments), *mapping_lines(data)])


def comment_lines(comments: Sequence[str]) -> list[str]:
    """Each comment as `# ` lines, wrapped."""
    return [f"# {line}" for text in comments for line in textwrap.wrap(text, _COMMENT_WIDTH)]


def mapping_lines(data: Mapping[str, Any], indent: str = "") -> Iterator[str]:
    """The lines of a block mapping at `indent`."""
    for key, value in data.items():
        head = f"{indent}{_scalar(key)}:"
        if isinstance(value, Mapping) and value:
            yield head
            yield from mapping_lines(value, indent + _INDENT)
        elif isinstance(value, list) and value:
            yield head
            yield from sequence_lines(value, indent + _INDENT)
        else:
            yield f"{head} {_scalar(value)}"


def sequence_lines(items: Sequence[Any], indent: str = "") -> Iterator[str]:
    """The lines of a block sequence at `indent` (`- ` items)."""
    for item in items:
        if isinstance(item, Mapping) and item:
            lines = list(mapping_lines(item, indent + _INDENT))
            yield f"{indent}- {lines[0][len(indent) + 2 :]}"
            yield from lines[1:]
        elif isinstance(item, list) and item:
            yield f"{indent}-"
            yield from sequence_lines(item, indent + _INDENT)
        else:
            yield f"{indent}- {_scalar(item)}"


def _scalar(value: Any) -> str:
    """One value on one line, as YAML reads it back."""
    if isinstance(value, str):
        return value if _is_plain(value) else _quoted(value)
    if value is None or isinstance(value, bool):
        return _CONSTANTS[value]
    if isinstance(value, int | float):
        return str(value) if isinstance(value, int) else _float(value)
    if isinstance(value, bytes | bytearray):
        return "!!binary " + base64.b64encode(value).decode("ascii")
    if isinstance(value, Mapping | list) and not value:
        return "{}" if isinstance(value, Mapping) else "[]"
    raise TypeError(f"not a declaration value: {type(value).__name__}")


def _is_plain(text: str) -> bool:
    return (
        _PLAIN.fullmatch(text) is not None
        and ": " not in text
        and " #" not in text
        and not text.endswith((" ", ":"))
        and _NOT_TEXT_ELSEWHERE.fullmatch(text) is None
        and _resolve(text) == _STR_TAG
    )


def _resolve(text: str) -> str:
    """The tag YAML gives `text` written plain: `str`, or `int` for `0755`, `bool` for `yes`."""
    tag: str = _resolver.resolve(  # type: ignore[no-untyped-call]  # PyYAML's stubs omit it
        ScalarNode, text, (True, False)
    )
    return tag


def _quoted(text: str) -> str:
    """Single-quoted when every character may stand as it is, else double-quoted with escapes."""
    if _SINGLE_QUOTABLE.fullmatch(text):
        return "'" + text.replace("'", "''") + "'"
    return '"' + "".join(_escaped(c) for c in text) + '"'


def _escaped(char: str) -> str:
    if char in _ESCAPES:
        return _ESCAPES[char]
    if _SINGLE_QUOTABLE.fullmatch(char):
        return char
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _float(value: float) -> str:
    """A float as YAML 1.1 reads it: it needs a `.` (`1e-05` would be a string)."""
    if not math.isfinite(value):
        return ".nan" if math.isnan(value) else ".inf" if value > 0 else "-.inf"
    text = repr(value)
    if "." not in text:
        text = text.replace("e", ".0e") if "e" in text else text + ".0"
    return text
