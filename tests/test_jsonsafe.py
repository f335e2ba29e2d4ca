"""Strict JSON: what Python's json module lets through is an InputError at its line."""

from __future__ import annotations

import json

import pytest

from checker.errors import InputError, Problem
from checker.files import MAX_DEPTH, MAX_NUMBER_CHARS
from checker.jsonsafe import load_json


def problem_of(text: str) -> Problem:
    """The one problem `load_json` raises for `text`, read as `s.json`."""
    with pytest.raises(InputError) as caught:
        load_json(text, "s.json")
    (problem,) = caught.value.problems
    return problem


def nested(levels: int) -> str:
    """`levels` arrays inside each other, one opening bracket per line."""
    return "[\n" * levels + "]" * levels


REFUSED = {
    # name: (text, line, message)
    "duplicate-key": (
        '{\n  "a": 1,\n  "b": {"x": 1,\n        "x": 2}\n}',
        4,
        "duplicate key 'x' (first at line 3)",
    ),
    "duplicate-top-key": (
        '{"version": 1,\n"version": 2}',
        2,
        "duplicate key 'version' (first at line 1)",
    ),
    "nan": ('{"a":\n NaN}', 2, "NaN is not valid JSON (strict JSON has no NaN or Infinity)"),
    "infinity": (
        "[1,\n2,\nInfinity]",
        3,
        "Infinity is not valid JSON (strict JSON has no NaN or Infinity)",
    ),
    "-infinity": (
        "[-Infinity]",
        1,
        "-Infinity is not valid JSON (strict JSON has no NaN or Infinity)",
    ),
    "lone-high-surrogate": (
        '[\n"ok",\n"\\ud800"]',
        3,
        "string holds a lone surrogate \\ud800 (not valid Unicode)",
    ),
    "lone-low-surrogate": (
        '["x\\udc00y"]',
        1,
        "string holds a lone surrogate \\udc00 (not valid Unicode)",
    ),
    "surrogate-in-key": (
        '{"\\udbff": 1}',
        1,
        "string holds a lone surrogate \\udbff (not valid Unicode)",
    ),
    "too-deep": (nested(MAX_DEPTH + 2), MAX_DEPTH + 2, f"nesting deeper than {MAX_DEPTH} levels"),
    "far-too-deep": ("[" * 100_000, 1, f"nesting deeper than {MAX_DEPTH} levels"),
    "5000-digits": (
        '{"expiresInSec":\n' + "9" * 5000 + "}",
        2,
        "number of 5,000 characters is too long (numbers have at most 100 characters)",
    ),
    "101-digits": (
        "[" + "1" * 101 + "]",
        1,
        "number of 101 characters is too long (numbers have at most 100 characters)",
    ),
    "long-float": (
        "[0." + "5" * 100 + "]",
        1,
        "number of 102 characters is too long (numbers have at most 100 characters)",
    ),
    "float-overflow": ("[\n1e400]", 2, "number 1e400 is out of range: it overflows to infinity"),
    "negative-overflow": (
        "[-1.5E+999]",
        1,
        "number -1.5E+999 is out of range: it overflows to infinity",
    ),
    "syntax": (
        '{\n  "a": 1,\n}',
        3,
        "invalid JSON: Expecting property name enclosed in double quotes",
    ),
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_what_strict_json_refuses_is_an_input_error_at_its_line(name: str) -> None:
    """Each class is one InputError with the line of the offending token and what is wrong."""
    text, line, message = REFUSED[name]
    assert problem_of(text) == Problem("s.json", line, message)


ACCEPTED = {
    "surrogate-pair": ('["\\ud83d\\ude00"]', ["\U0001f600"]),
    "escaped-backslash-u": ('["\\\\ud800"]', ["\\ud800"]),
    "same-key-in-two-objects": ('{"x": {"a": 1}, "y": {"a": 2}}', {"x": {"a": 1}, "y": {"a": 2}}),
    "key-repeated-as-value": ('{"a": "a", "b": ["a", "a"]}', {"a": "a", "b": ["a", "a"]}),
    "key-again-after-nested-object": ('{"a": {"b": 1}, "b": 2}', {"a": {"b": 1}, "b": 2}),
    "deepest-allowed": (nested(MAX_DEPTH + 1), json.loads(nested(MAX_DEPTH + 1))),
    "longest-number": ("[" + "7" * MAX_NUMBER_CHARS + "]", [int("7" * MAX_NUMBER_CHARS)]),
    "underflow-is-zero": ("[1e-400]", [0.0]),
    "scalar": ('"just text"', "just text"),
    "control-escape": ('["\\u001b[31m"]', ["\x1b[31m"]),
}


@pytest.mark.parametrize("name", list(ACCEPTED))
def test_valid_json_loads_as_json_loads_it(name: str) -> None:
    """Valid documents near each limit load to exactly what json.loads gives."""
    text, value = ACCEPTED[name]
    assert load_json(text, "s.json") == value == json.loads(text)


def test_first_problem_in_document_order_is_reported() -> None:
    """With several problems the first in the text is named, whichever the decoder met first."""
    text = '{\n"a": {"k": 1, "k": 2},\n"b": NaN\n}'
    assert problem_of(text) == Problem("s.json", 2, "duplicate key 'k' (first at line 2)")
    text = '{\n"b": NaN,\n"a": {"k": 1, "k": 2}\n}'
    assert problem_of(text).line == 2
    assert problem_of(text).message.startswith("NaN")


def test_problem_deep_in_a_large_document_is_located() -> None:
    """A duplicate key after 20,000 lines (at line 20,003) is reported at its own line."""
    entries = ",\n".join(f'  {{"otaUpdateId": "fw-{i}"}}' for i in range(20_000))
    text = '{"otaUpdates": [\n' + entries + '\n],\n"otaUpdates": []}'
    assert problem_of(text) == Problem(
        "s.json", 20_003, "duplicate key 'otaUpdates' (first at line 1)"
    )
