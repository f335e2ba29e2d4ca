"""Making control characters visible, so that no value can drive a terminal or hide text.

A value read from YAML, AWS, a snapshot or a file name may hold an ESC sequence (which a
terminal obeys: colours, cursor moves, a rewritten line, a changed window title), a carriage
return (which lets a later text overwrite an earlier one), a newline (which splits a one-line
`FILE:LINE: message` in two) or a bidi override (which makes a reviewer read text in another
order than it is stored, "Trojan Source"). Every such character is written as an escape
instead: `\\x1b`, `\\r`, `\\n`, `\\u202e`. Backslashes themselves are kept as they are: an
escape exists to make a character visible, not to make the text reversible, and Windows paths
stay readable.
"""

from __future__ import annotations

import re

_SHORT = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}

OTHER_INVISIBLE = (
    "\x7f-\x9f"  # DEL and the C1 controls (CSI U+009B is ESC [ in one character)
    "\u061c\u200e\u200f"  # the bidi marks ALM, LRM, RLM
    "\u202a-\u202e"  # the bidi embeddings and overrides LRE, RLE, PDF, LRO, RLO
    "\u2066-\u2069"  # the bidi isolates LRI, RLI, FSI, PDI
    "\u2028\u2029"  # line and paragraph separators: line breaks to some viewers
    "\ud800-\udfff"  # lone surrogates: no UTF-8 encoding exists, writing one would fail
    "\ufffe\uffff"  # non-characters: shown as nothing, and XML 1.0 cannot carry them
)
"""The invisible characters beyond C0, as the body of a regex character class (the JSON
formats escape C0 themselves and use this for the rest)."""
_ONE_LINE = re.compile(f"[\x00-\x1f{OTHER_INVISIBLE}]")
"""C0 controls (tab, newline and carriage return included) and all the others."""
_MULTILINE = re.compile(f"[\x00-\x08\x0b-\x1f{OTHER_INVISIBLE}]")
"""The same, but for tab and newline."""


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    short = _SHORT.get(char)
    if short is not None:
        return short
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str, *, multiline: bool = False) -> str:
    """`text` with every control, bidi and lone surrogate character written as an escape.

    The result is one line and encodes as UTF-8. With `multiline`, tabs and newlines are kept,
    for documents where they are whitespace (a `<pre>` block of indented JSON, an XML
    attribute); everything else is escaped all the same, the carriage return included (it is
    how a value overwrites what came before it on a terminal line).
    """
    return (_MULTILINE if multiline else _ONE_LINE).sub(_escape, text)
