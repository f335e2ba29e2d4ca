"""Strict JSON: what Python's json module lets through is an InputError at its line."""

from __future__ import annotations

import json
import re

import pytest

from checker.errors import InputError, Problem
from checker.files import MAX_DEPTH, MAX_NUMBER_CHARS
from checker.jsonsafe import load_json, load_json_stream


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


# Streams: JSON values one after another, as `aws ... >> file` run several times leaves them

FIRST = '{\n    "a": 1\n}\n\n'
"""A first value of three lines and a blank one: what follows it starts at line 5."""


def stream_problem(text: str) -> Problem:
    """The one problem `load_json_stream` raises for `text`, read as `s.json`."""
    with pytest.raises(InputError) as caught:
        load_json_stream(text, "s.json")
    (problem,) = caught.value.problems
    return problem


def cli_json(value: object) -> str:
    """`value` as the AWS CLI prints it: indented by 4, non-ASCII kept, a newline at the end."""
    return json.dumps(value, indent=4, ensure_ascii=False) + "\n"


def test_stream_values_come_in_order_with_the_lines_they_start_on() -> None:
    """Three pretty-printed objects, blank lines and CRLFs between: each value and its line."""
    values = [{"otaUpdateInfo": {"otaUpdateId": f"fw-{i}", "n": [i, "é"]}} for i in range(3)]
    pieces = [cli_json(values[0]), "\n", cli_json(values[1]), "\r\n \t\n", cli_json(values[2])]
    text = "".join(pieces)
    assert cli_json(values[0]).count("\n") == 9
    assert load_json_stream(text, "s.json") == [(values[0], 1), (values[1], 11), (values[2], 22)]


def test_values_may_follow_each_other_without_whitespace() -> None:
    """`{..}{..}`, `[1][2]` and `"a""b"` are two values each: JSON needs no separator there."""
    assert load_json_stream('{"a": 1}{"b": 2}', "s.json") == [({"a": 1}, 1), ({"b": 2}, 1)]
    assert load_json_stream("[1][2]", "s.json") == [([1], 1), ([2], 1)]
    assert load_json_stream('"a""b"\n', "s.json") == [("a", 1), ("b", 1)]


@pytest.mark.parametrize("text", ["", " ", "\n\n", " \t\r\n "])
def test_text_of_only_whitespace_is_an_empty_stream(text: str) -> None:
    """No value at all is an empty list: the caller decides whether that is acceptable."""
    assert load_json_stream(text, "s.json") == []


@pytest.mark.parametrize("name", list(ACCEPTED))
def test_one_document_is_a_stream_of_one_value(name: str) -> None:
    """A document load_json accepts is a stream of exactly its value, on line 1."""
    text, value = ACCEPTED[name]
    assert load_json_stream(text, "s.json") == [(value, 1)]
    assert load_json_stream(f"\n\n  {text}\n", "s.json") == [(value, 3)]


@pytest.mark.parametrize("name", list(REFUSED))
def test_second_value_is_refused_as_load_json_refuses_it_at_its_line_in_the_file(
    name: str,
) -> None:
    """Each class load_json refuses is refused in the second value too, 4 lines further down."""
    text, line, message = REFUSED[name]
    shifted = re.sub(r"first at line (\d+)", lambda m: f"first at line {int(m[1]) + 4}", message)
    assert stream_problem(FIRST + text) == Problem("s.json", line + 4, shifted)


def test_duplicate_key_in_the_second_object_is_at_its_line_in_the_file() -> None:
    """A key repeated in object 2 of 3 is reported at its own line, naming the first one's."""
    second = cli_json({"otaUpdateInfo": {"otaUpdateId": "fw-2", "targets": []}})
    second = second.replace('"targets": []', '"targets": [],\n        "otaUpdateId": "fw-3"')
    text = cli_json({"x": 1}) + second + cli_json({"x": 3})
    lines = text.splitlines()
    assert (lines[3], lines[5], lines[7]) == (
        "{",
        '        "otaUpdateId": "fw-2",',
        '        "otaUpdateId": "fw-3"',
    )
    assert stream_problem(text) == Problem(
        "s.json", 8, "duplicate key 'otaUpdateId' (first at line 6)"
    )


def test_same_key_in_two_values_of_a_stream_is_no_duplicate() -> None:
    """Keys are unique per object: every response of a stream has its own `otaUpdateInfo`."""
    text = cli_json({"otaUpdateInfo": {"a": 1}}) + cli_json({"otaUpdateInfo": {"a": 2}})
    assert [value for value, _ in load_json_stream(text, "s.json")] == [
        {"otaUpdateInfo": {"a": 1}},
        {"otaUpdateInfo": {"a": 2}},
    ]


LAST = cli_json(
    {"otaUpdateInfo": {"otaUpdateId": "fw-2", "creationDate": 1795168800.123, "n": [1e5, True]}}
)


@pytest.mark.parametrize("cut", range(1, len(LAST.rstrip())))
def test_a_last_value_cut_short_anywhere_is_an_error_naming_where_it_starts(cut: int) -> None:
    """Whatever byte an interrupted `>>` stopped at, the cut value is refused, never dropped."""
    text = FIRST + LAST[:cut]
    assert stream_problem(text) == Problem(
        "s.json",
        text.count("\n") + 1,
        "invalid JSON: the file ends inside the value that starts at line 5"
        " (was its writing cut short?)",
    )


@pytest.mark.parametrize(
    ("between", "found"),
    [
        ("An error occurred (ResourceNotFoundException)\n", "Expecting value"),
        (",\n", "Expecting value"),
        ("]\n", "Expecting value"),
        ("\ufeff", "Expecting value"),  # a byte order mark where `cat` joined two files
        ("// second\n", "Expecting value"),
    ],
)
def test_text_between_values_that_is_not_json_is_an_error_at_its_line(
    between: str, found: str
) -> None:
    """What is neither a value nor whitespace is refused at its line, after the last good value."""
    text = FIRST + between + cli_json({"b": 2})
    assert stream_problem(text) == Problem(
        "s.json", 5, f"invalid JSON after the value that ends at line 3: {found}"
    )


def test_text_after_the_last_value_is_an_error_at_its_line() -> None:
    """Trailing text that is not JSON is refused as well, not ignored."""
    assert stream_problem(FIRST + "\n  done\n") == Problem(
        "s.json", 6, "invalid JSON after the value that ends at line 3: Expecting value"
    )


def test_problem_in_the_last_of_many_values_is_located_by_the_whole_text() -> None:
    """A NaN in value 5,000 of a stream is at its line, counted over the whole text."""
    values = "".join(cli_json({"otaUpdateInfo": {"otaUpdateId": f"fw-{i}"}}) for i in range(4999))
    text = values + '{\n    "otaUpdateInfo": {"otaUpdateId": NaN}\n}\n'
    assert stream_problem(text) == Problem(
        "s.json", 4999 * 5 + 2, "NaN is not valid JSON (strict JSON has no NaN or Infinity)"
    )
