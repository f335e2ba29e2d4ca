"""YAML 1.1 numbers that do not say what they look like, and numbers no input needs.

`0755` is octal (493) and `10:00` base 60 (600) in YAML 1.1, which PyYAML implements; YAML 1.2
and every human reader see 755 and a time. Both are refused with a hint, wherever they would
become numbers (declared files, `x-` blocks, policy packs). Hex and binary keep working: their
prefix says what they are.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.cli import main
from checker.declared.loader import load_declared
from checker.errors import InputError, Problem
from checker.yamlsafe import MAX_NUMBER_CHARS, load_located

HEAD = """\
otaUpdates:
  - otaUpdateId: fw-1
    targets: [arn:aws:iot:eu-west-1:123456789012:thinggroup/sensors]
    files:
      - fileName: fw.bin
        fileLocation:
          s3Location: {bucket: firmware, key: fw.bin, version: v1}
    roleArn: arn:aws:iam::123456789012:role/ota
"""
"""A valid file of 8 lines; tests append line 9 onwards."""


pytestmark = pytest.mark.usefixtures("in_tmp")


def problem_of(text: str) -> Problem:
    """The one problem of parsing `text` as `f.yaml`."""
    with pytest.raises(InputError) as caught:
        load_located(text, "f.yaml")
    (problem,) = caught.value.problems
    return problem


REFUSED = {
    # plain scalar: message
    "0755": "0755 is an octal number in YAML 1.1 (read as 493): write 755 if that is the number, "
    'or quote it ("0755") if it is text',
    "-010": "-010 is an octal number in YAML 1.1 (read as -8): write -10 if that is the number, "
    'or quote it ("-010") if it is text',
    "00": "00 is an octal number in YAML 1.1 (read as 0): write 0 if that is the number, "
    'or quote it ("00") if it is text',
    "10:00": "10:00 is a base-60 number in YAML 1.1 (read as 600): write 600 if that is the "
    'number, or quote it ("10:00") if it is text',
    "1:30.5": "1:30.5 is a base-60 number in YAML 1.1 (read as 90.5): write 90.5 if that is the "
    'number, or quote it ("1:30.5") if it is text',
    "190:20:30": "190:20:30 is a base-60 number in YAML 1.1 (read as 685230): write 685230 if "
    'that is the number, or quote it ("190:20:30") if it is text',
    "1.0e+400": "number 1.0e+400 is out of range: it overflows to infinity",
    "9" * 5000: "number of 5,000 characters is too long (numbers have at most 100 characters)",
}


@pytest.mark.parametrize("scalar", list(REFUSED), ids=lambda s: s[:12])
def test_surprising_numbers_are_refused_at_their_line(scalar: str) -> None:
    """Each surprising number is an error at its own line, with a hint how to write it."""
    assert problem_of(f"a: 1\nb: {scalar}\n") == Problem("f.yaml", 2, REFUSED[scalar])


@pytest.mark.parametrize("scalar", ["0755", "10:00"])
def test_surprising_numbers_are_refused_as_keys_and_list_items(scalar: str) -> None:
    """A surprising number is refused as a mapping key and as a list item too."""
    assert problem_of(f"{scalar}: x\n").line == 1
    assert problem_of(f"a:\n  - 1\n  - {scalar}\n").line == 3


def test_explicit_int_tag_does_not_make_octal_acceptable() -> None:
    """`!!int 0755` is still read as 493 by YAML 1.1, so it is refused the same way."""
    assert problem_of("a: !!int 0755\n").message.startswith("0755 is an octal number")


ACCEPTED = {
    # written: value
    '"0755"': "0755",
    "'10:00'": "10:00",
    "755": 755,
    "600": 600,
    "0": 0,
    "-7": -7,
    "0x1F": 31,
    "0b101": 5,
    "1_000": 1000,
    "08": "08",
    "0o17": "0o17",
    "10:00 UTC": "10:00 UTC",
    "0.5": 0.5,
    "1.0e-400": 0.0,
    "1" * MAX_NUMBER_CHARS: int("1" * MAX_NUMBER_CHARS),
}


@pytest.mark.parametrize("written", list(ACCEPTED), ids=lambda s: s[:12])
def test_plain_and_quoted_values_still_load(written: str) -> None:
    """Quoted text stays text, plain numbers and prefixed hex/binary stay numbers."""
    doc, _ = load_located(f"a: {written}\n", "f.yaml")
    assert doc == {"a": ACCEPTED[written]}
    assert type(doc["a"]) is type(ACCEPTED[written])


def test_octal_in_a_number_field_of_a_declared_file_names_the_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`expiresInSec: 0900`-style values in a declared file are exit 2 at FILE:LINE."""
    Path("ota.yaml").write_text(
        HEAD + "    awsJobPresignedUrlConfig:\n      expiresInSec: 0700\n", encoding="utf-8"
    )
    assert main(["lint", "ota.yaml"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        "ota.yaml:10: 0700 is an octal number in YAML 1.1 (read as 448): write 700 if that is "
        'the number, or quote it ("0700") if it is text\n'
    )


def test_quoted_number_in_a_number_field_gets_a_hint() -> None:
    """A quoted `"0755"` where an integer belongs is a type error that says how to write it."""
    Path("ota.yaml").write_text(
        HEAD + '    awsJobPresignedUrlConfig:\n      expiresInSec: "0755"\n', encoding="utf-8"
    )
    with pytest.raises(InputError) as caught:
        load_declared(["ota.yaml"])
    assert caught.value.problems == (
        Problem(
            "ota.yaml",
            10,
            "awsJobPresignedUrlConfig.expiresInSec must be an integer, not a string ('0755'); "
            "write the number plainly, without quotes or a prefix",
        ),
    )


def test_surprising_number_in_an_x_block_is_refused_too() -> None:
    """Shared `x-` blocks are parsed the same way, so a base-60 value there is refused."""
    Path("ota.yaml").write_text("x-window: 10:30\n" + HEAD, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_declared(["ota.yaml"])
    (problem,) = caught.value.problems
    assert (problem.file, problem.line) == ("ota.yaml", 1)
    assert problem.message.startswith("10:30 is a base-60 number in YAML 1.1 (read as 630)")


@pytest.mark.parametrize(
    ("pack", "line", "start"),
    [
        ("version: 1\nrules:\n  OTA202:\n    params: {maxExpiresInSec: 0755}\n", 4, "0755 is"),
        ("version: 1\nrules:\n  OTA502:\n    params: {maxPendingHours: 10:00}\n", 4, "10:00 is"),
        (
            "version: 1\nrules:\n  OTA202:\n    params:\n      maxExpiresInSec: " + "9" * 5000,
            5,
            "number of 5,000",
        ),
    ],
    ids=["octal", "base-60", "5000-digits"],
)
def test_policy_packs_refuse_the_same_numbers(
    pack: str, line: int, start: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Packs are parsed by the same loader: surprising or absurd numbers are PACK:LINE errors."""
    Path("ota.yaml").write_text(HEAD, encoding="utf-8")
    Path("pack.yaml").write_text(pack, encoding="utf-8")
    assert main(["lint", "ota.yaml", "--policy", "pack.yaml"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"pack.yaml:{line}: {start}"), err
    assert err.count("\n") == 1


def test_5000_digit_number_in_a_declared_file_is_an_input_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A 5,000-digit number is exit 2 naming the file and line, not an internal error."""
    Path("ota.yaml").write_text(
        HEAD + "    awsJobPresignedUrlConfig:\n      expiresInSec: " + "7" * 5000 + "\n",
        encoding="utf-8",
    )
    Path("snap.json").write_text('{"version": 1, "otaUpdates": []}', encoding="utf-8")
    assert main(["check", "ota.yaml", "--state", "snap.json"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        "ota.yaml:10: number of 5,000 characters is too long "
        "(numbers have at most 100 characters)\n"
    )


# --- what the wire format allows: finite floats, integers of 32 or 64 bits -----------------


ROLLOUT = """\
    awsJobExecutionsRolloutConfig:
      maximumPerMinute: {rate}
      exponentialRate:
        baseRatePerMinute: 10
        incrementFactor: {factor}
        rateIncreaseCriteria: {{numberOfSucceededThings: 10}}
"""


@pytest.mark.parametrize(
    ("rate", "factor", "line", "message"),
    [
        (
            "100",
            ".nan",
            13,
            "awsJobExecutionsRolloutConfig.exponentialRate.incrementFactor must be a finite "
            "number, not nan",
        ),
        (
            "100",
            "-.inf",
            13,
            "awsJobExecutionsRolloutConfig.exponentialRate.incrementFactor must be a finite "
            "number, not -inf",
        ),
        (
            "2147483648",
            "2.0",
            10,
            "awsJobExecutionsRolloutConfig.maximumPerMinute must be a 32-bit integer, "
            "not an integer (2147483648)",
        ),
    ],
    ids=["nan", "-inf", "int32-overflow"],
)
def test_values_the_api_cannot_carry_are_refused_at_their_line(
    rate: str, factor: str, line: int, message: str
) -> None:
    """NaN, infinity and integers wider than the wire type are errors; botocore sends them."""
    Path("ota.yaml").write_text(HEAD + ROLLOUT.format(rate=rate, factor=factor), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_declared(["ota.yaml"])
    assert caught.value.problems == (Problem("ota.yaml", line, message),)


def test_largest_32_bit_integer_is_accepted() -> None:
    """2147483647 fits an integer member: the range check is not off by one."""
    Path("ota.yaml").write_text(
        HEAD + ROLLOUT.format(rate="2147483647", factor="2.0"), encoding="utf-8"
    )
    (update,) = load_declared(["ota.yaml"])
    assert update.config["awsJobExecutionsRolloutConfig"]["maximumPerMinute"] == 2**31 - 1
