"""The snapshot source: ota-drift's v1 snapshot format and saved AWS CLI output."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from checker.cli import main
from checker.errors import InputError, Problem
from checker.model import LiveUpdate
from checker.sources.snapshot import LISTING_REFUSED, MAX_STATE_BYTES, SnapshotSource
from tests.support.builders import live_info as info
from tests.support.builders import snapshot as v1

ROOT = Path(__file__).resolve().parents[2]
AWS_CLI = Path(__file__).resolve().parent / "aws-cli"
"""Output recorded from the AWS CLI: see the README there."""

TARGET = "arn:aws:iot:eu-central-1:123456789012:thinggroup/sensors"

DECLARED = f"""\
otaUpdates:
  - otaUpdateId: fw-1
    targets: [{TARGET}]
    files:
      - fileName: fw.bin
        fileLocation:
          stream: {{streamId: s1, fileId: 0}}
    roleArn: arn:aws:iam::123456789012:role/ota
"""


pytestmark = pytest.mark.usefixtures("in_tmp")


def write(doc: Any, name: str = "snap.json") -> str:
    """Write `doc` (JSON data, or raw text) in the current directory and return its name."""
    text = doc if isinstance(doc, str) else json.dumps(doc)
    Path(name).write_text(text, encoding="utf-8")
    return name


def cli_json(value: Any) -> str:
    """`value` as the AWS CLI (v1 and v2) prints it: indented by 4, non-ASCII kept, a newline."""
    return json.dumps(value, indent=4, ensure_ascii=False) + "\n"


def stream(*values: Any, between: str = "") -> str:
    """Values one after another, as `aws iot get-ota-update ... >> FILE` per update leaves them."""
    return between.join(cli_json(value) for value in values)


def line_of(text: str, fragment: str, nth: int = 1) -> int:
    """The line on which the `nth` occurrence of `fragment` in `text` starts."""
    at = -1
    for _ in range(nth):
        at = text.index(fragment, at + 1)
    return text.count("\n", 0, at) + 1


def fetched(source: SnapshotSource) -> list[LiveUpdate]:
    items = list(source.fetch())
    assert all(isinstance(item, LiveUpdate) for item in items)
    return [item for item in items if isinstance(item, LiveUpdate)]


def test_v1_snapshot_is_read_with_aware_datetimes() -> None:
    """A v1 snapshot yields each otaUpdateInfo with ISO dates parsed to timezone-aware datetimes."""
    doc = v1(
        info(
            otaUpdateArn="arn:aws:iot:eu-central-1:123456789012:otaupdate/fw-1",
            creationDate="2026-11-19T10:15:30Z",
            lastModifiedDate="2026-11-19T12:00:00+01:00",
            otaUpdateStatus="CREATE_COMPLETE",
        ),
        info("fw-2", creationDate="2026-11-18T08:00:00"),
    )
    source = SnapshotSource(write(doc))
    assert source.captured_at == datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
    assert source.captured_at.tzinfo is not None
    assert source.region == "eu-central-1"
    first, second = fetched(source)
    assert first.ota_update_id == "fw-1"
    assert first.origin == "snap.json#otaUpdates[0]"
    assert first.info["creationDate"] == datetime(2026, 11, 19, 10, 15, 30, tzinfo=UTC)
    assert first.info["creationDate"].tzinfo is not None
    modified = first.info["lastModifiedDate"]
    assert modified == datetime(2026, 11, 19, 11, 0, tzinfo=UTC)
    assert modified.utcoffset() == timedelta(hours=1)
    assert first.info["otaUpdateStatus"] == "CREATE_COMPLETE"
    assert first.info["targets"] == [TARGET]
    assert second.ota_update_id == "fw-2"
    assert second.origin == "snap.json#otaUpdates[1]"
    assert second.info["creationDate"] == datetime(2026, 11, 18, 8, 0, tzinfo=UTC)


def test_v1_snapshot_without_captured_at_has_no_capture_time() -> None:
    """capturedAt is optional: without it the source does not know when state was captured."""
    doc = v1(info())
    del doc["capturedAt"]
    del doc["region"]
    source = SnapshotSource(write(doc))
    assert source.captured_at is None
    assert source.region is None
    assert [u.ota_update_id for u in fetched(source)] == ["fw-1"]


def test_aws_cli_list_with_epoch_dates_is_read() -> None:
    """A list of saved GetOTAUpdate responses is read, epoch-second dates becoming UTC datetimes."""
    doc = [
        {"otaUpdateInfo": info(creationDate=1795500000, lastModifiedDate=1795500000.5)},
        {"otaUpdateInfo": info("fw-2")},
    ]
    source = SnapshotSource(write(doc))
    assert source.captured_at is None
    first, second = fetched(source)
    assert first.ota_update_id == "fw-1"
    assert first.origin == "snap.json#[0].otaUpdateInfo"
    assert first.info["creationDate"] == datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
    assert first.info["creationDate"].tzinfo is not None
    assert first.info["lastModifiedDate"] == datetime(2026, 11, 24, 6, 0, 0, 500000, tzinfo=UTC)
    assert second.ota_update_id == "fw-2"
    assert second.origin == "snap.json#[1].otaUpdateInfo"


def test_base64_signature_is_decoded_to_bytes() -> None:
    """A base64 inlineDocument signature is bytes in memory, as boto3 returns it."""
    signed = info()
    signed["otaUpdateFiles"][0]["codeSigning"] = {
        "customCodeSigning": {
            "signature": {"inlineDocument": "AAFzaWc="},
            "certificateChain": {"certificateName": "ota-cert"},
            "hashAlgorithm": "SHA256",
            "signatureAlgorithm": "ECDSA",
        }
    }
    (update,) = fetched(SnapshotSource(write(v1(signed))))
    custom = update.info["otaUpdateFiles"][0]["codeSigning"]["customCodeSigning"]
    assert custom == {
        "signature": {"inlineDocument": b"\x00\x01sig"},
        "certificateChain": {"certificateName": "ota-cert"},
        "hashAlgorithm": "SHA256",
        "signatureAlgorithm": "ECDSA",
    }
    assert update.info["otaUpdateFiles"][0]["fileName"] == "fw.bin"


def test_unknown_extra_fields_are_tolerated() -> None:
    """Fields AWS may add to otaUpdateInfo later do not make a snapshot unreadable."""
    extended = info(futureField={"anything": [1, 2]}, anotherNewThing="x")
    extended["otaUpdateFiles"][0]["newFileField"] = True
    (update,) = fetched(SnapshotSource(write(v1(extended))))
    assert update.info["futureField"] == {"anything": [1, 2]}
    assert update.info["anotherNewThing"] == "x"
    assert update.info["otaUpdateFiles"][0]["newFileField"] is True


def test_an_empty_snapshot_is_valid() -> None:
    """A snapshot with no OTA updates is valid and yields nothing."""
    assert list(SnapshotSource(write(v1())).fetch()) == []
    assert list(SnapshotSource(write([])).fetch()) == []


INVALID_JSON = '{\n  "version": 1,\n  "otaUpdates": [\n    {"otaUpdateId": "a",}\n  ]\n}\n'


def _signed(signature: str) -> dict[str, Any]:
    doc = info()
    doc["otaUpdateFiles"][0]["codeSigning"] = {
        "customCodeSigning": {"signature": {"inlineDocument": signature}}
    }
    return doc


STREAM_SECOND_LINE = cli_json({"otaUpdateInfo": info()}).count("\n") + 1
"""The line on which the second value of a `stream` of two `info()` responses starts."""
STREAM_WITH_DUPLICATE_KEY = stream(
    {"otaUpdateInfo": info()}, {"otaUpdateInfo": info("fw-2", description="x")}
).replace('"description": "x"', '"otaUpdateId": "fw-3"')
_SECOND = cli_json({"otaUpdateInfo": info("fw-2")})
STREAM_CUT_SHORT = stream({"otaUpdateInfo": info()}) + _SECOND[: _SECOND.index("thinggroup")]
"""Two responses, the second cut inside a string, as an interrupted `>>` may leave it."""
LISTING_DOC = {
    "otaUpdates": [
        {
            "otaUpdateId": "fw-1",
            "otaUpdateArn": "arn:aws:iot:eu-central-1:123456789012:otaupdate/fw-1",
            "creationDate": "2026-11-20T10:00:00.123000+00:00",
        },
        {"otaUpdateId": "fw-2"},
    ]
}
LISTING = cli_json(LISTING_DOC)

MALFORMED: dict[str, tuple[Any, int | None, tuple[str, ...]]] = {
    # name: (document, expected line, fragments the message must contain)
    "invalid-json": (INVALID_JSON, 4, ("invalid JSON",)),
    "version-2": ({**v1(info()), "version": 2}, None, ("version", "2")),
    "version-missing": ({"otaUpdates": [info()]}, None, ("version",)),
    "version-string": ({**v1(info()), "version": "1"}, None, ("version", "'1'")),
    "version-true": ({**v1(info()), "version": True}, None, ("version", "True")),
    "otaUpdates-not-a-list": ({**v1(), "otaUpdates": {"fw-1": info()}}, None, ("otaUpdates",)),
    "otaUpdates-missing": ({"version": 1}, None, ("otaUpdates",)),
    "top-level-scalar": ('"snapshot"', None, ("otaUpdates",)),
    "entry-not-an-object": (v1("fw-1"), None, ("otaUpdates[0]", "object")),
    "entry-without-id": (
        v1(info(), {k: v for k, v in info().items() if k != "otaUpdateId"}),
        None,
        ("otaUpdates[1]", "otaUpdateId"),
    ),
    "entry-with-empty-id": (
        v1(
            info(""),
        ),
        None,
        ("otaUpdates[0]", "otaUpdateId"),
    ),
    "bad-date": (v1(info(creationDate="yesterday")), None, ("otaUpdates[0].creationDate",)),
    "bad-date-type": (v1(info(lastModifiedDate=True)), None, ("otaUpdates[0].lastModifiedDate",)),
    "bad-captured-at": ({**v1(info()), "capturedAt": "soon"}, None, ("capturedAt",)),
    "bad-cli-date": (
        [{"otaUpdateInfo": info(creationDate="not a date")}],
        None,
        ("[0].otaUpdateInfo.creationDate",),
    ),
    "cli-item-without-info": ([{"otaUpdate": info()}], None, ("[0]", "otaUpdateInfo")),
    "bad-base64": (
        v1(_signed("not base64!")),
        None,
        ("otaUpdates[0].otaUpdateFiles[0].codeSigning.customCodeSigning.signature", "base64"),
    ),
    "targets-a-string": (v1(info(targets=TARGET)), None, ("otaUpdates[0].targets", "list")),
    "fileId-a-string": (
        v1(
            info(
                otaUpdateFiles=[
                    {"fileName": "fw.bin", "fileLocation": {"stream": {"fileId": "zero"}}}
                ]
            )
        ),
        None,
        ("otaUpdates[0].otaUpdateFiles[0].fileLocation.stream.fileId", "integer"),
    ),
    "duplicate-id": (v1(info(), info()), None, ("otaUpdates[1]", "'fw-1'", "otaUpdates[0]")),
    # strict JSON: what json.loads lets through
    "duplicate-key": (
        '{"version": 1,\n "otaUpdates": [],\n "otaUpdates": []}',
        3,
        ("duplicate key 'otaUpdates' (first at line 2)",),
    ),
    "nan": (
        '{"version": 1, "otaUpdates": [\n {"otaUpdateId": "a", "x": NaN}]}',
        2,
        ("NaN is not valid JSON",),
    ),
    "infinity": ('{"version": 1, "otaUpdates": [], "x": Infinity}', 1, ("Infinity",)),
    "lone-surrogate": (
        '{"version": 1,\n "otaUpdates": [{"otaUpdateId": "\\ud800"}]}',
        2,
        ("lone surrogate \\ud800",),
    ),
    "too-deep": (
        '{"version": 1, "otaUpdates": [],\n "x-deep": ' + "[" * 100 + "]" * 100 + "}",
        2,
        ("nesting deeper than 64 levels",),
    ),
    "far-too-deep": ("[" * 200_000, 1, ("nesting deeper than 64 levels",)),
    "5000-digit-number": (
        '{"version": 1, "otaUpdates": [\n {"otaUpdateId": "a", "creationDate": '
        + "1" * 5000
        + "}]}",
        2,
        ("number of 5,000 characters is too long",),
    ),
    "float-overflow": (
        '[{"otaUpdateInfo":\n {"otaUpdateId": "a", "creationDate": 1e999}}]',
        2,
        ("number 1e999 is out of range",),
    ),
    # deep-mode fields, checked against CreateOTAUpdate's input shapes
    "abort-config-a-list": (
        v1(info(awsJobAbortConfig=[])),
        None,
        ("otaUpdates[0].awsJobAbortConfig:", "must be a mapping, not a list"),
    ),
    "abort-threshold-a-string": (
        v1(
            info(
                awsJobAbortConfig={
                    "abortCriteriaList": [
                        {
                            "failureType": "FAILED",
                            "action": "CANCEL",
                            "thresholdPercentage": "20",
                            "minNumberOfExecutedThings": 10,
                        }
                    ]
                }
            )
        ),
        None,
        (
            "otaUpdates[0].awsJobAbortConfig.abortCriteriaList[0].thresholdPercentage:",
            "must be a number, not a string ('20')",
        ),
    ),
    "timeout-a-boolean": (
        v1(info(awsJobTimeoutConfig={"inProgressTimeoutInMinutes": True})),
        None,
        (
            "otaUpdates[0].awsJobTimeoutConfig.inProgressTimeoutInMinutes:",
            "must be an integer, not a boolean (True)",
        ),
    ),
    "tags-a-mapping": (
        v1(info(tags={"team": "fw"})),
        None,
        ("otaUpdates[0].tags:", "must be a list, not a mapping"),
    ),
    "tag-value-a-number": (
        [{"otaUpdateInfo": info(tags=[{"Key": "team", "Value": 7}])}],
        None,
        ("[0].otaUpdateInfo.tags[0].Value:", "must be a string, not an integer (7)"),
    ),
    # the job's health (deep mode), checked strictly: the rollout-health rules judge it
    "job-status-unknown": (
        v1(info(awsIotJob={"status": "PAUSED"})),
        None,
        (
            "otaUpdates[0].awsIotJob.status:",
            "must be one of IN_PROGRESS, CANCELED, COMPLETED, DELETION_IN_PROGRESS, SCHEDULED, "
            "not 'PAUSED'",
        ),
    ),
    "job-count-negative": (
        v1(info(awsIotJob={"jobProcessDetails": {"numberOfFailedThings": -1}})),
        None,
        (
            "otaUpdates[0].awsIotJob.jobProcessDetails.numberOfFailedThings:",
            "must be at least 0, not -1",
        ),
    ),
    "job-count-a-float": (
        v1(info(awsIotJob={"jobProcessDetails": {"numberOfSucceededThings": 2.5}})),
        None,
        ("numberOfSucceededThings:", "must be an integer, not a number (2.5)"),
    ),
    "job-force-canceled-a-string": (
        v1(info(awsIotJob={"forceCanceled": "true"})),
        None,
        ("otaUpdates[0].awsIotJob.forceCanceled:", "must be true or false, not a string"),
    ),
    "job-key-misspelt": (
        v1(info(awsIotJob={"forceCancelled": True})),
        None,
        ("unknown key 'forceCancelled' in awsIotJob; did you mean 'forceCanceled'?",),
    ),
    "job-health-a-list": (
        [{"otaUpdateInfo": info(awsIotJob=[])}],
        None,
        ("[0].otaUpdateInfo.awsIotJob:", "must be a mapping, not a list"),
    ),
    "stream-job-status-unknown": (
        stream(
            {"otaUpdateInfo": info()}, {"otaUpdateInfo": info("fw-2", awsIotJob={"status": "x"})}
        ),
        STREAM_SECOND_LINE,
        ("otaUpdateInfo.awsIotJob.status:", "not 'x'"),
    ),
    # dates at the edge of the calendar
    "captured-at-year-1": (
        {**v1(), "capturedAt": "0001-01-01T00:00:00Z"},
        None,
        ("capturedAt:", '"0001-01-01T00:00:00Z" is outside the dates AWS IoT can hold'),
    ),
    "captured-at-year-1-east-of-utc": (
        {**v1(), "capturedAt": "0001-01-01T00:30:00+01:00"},
        None,
        ("capturedAt:", "outside the dates"),
    ),
    "captured-at-year-9999": (
        {**v1(), "capturedAt": "9999-12-31T23:59:59-14:00"},
        None,
        ("capturedAt:", "outside the dates"),
    ),
    "captured-at-epoch-1e20": (
        {**v1(), "capturedAt": 1e20},
        None,
        ("capturedAt: expected an ISO 8601 date or epoch seconds, not 1e+20",),
    ),
    "creation-date-before-1970": (
        v1(info(creationDate=-86400)),
        None,
        (
            "otaUpdates[0].creationDate: -86400 is outside the dates AWS IoT can hold",
            "(1970 to 2999)",
        ),
    ),
    "cli-date-in-year-9999": (
        [{"otaUpdateInfo": info(lastModifiedDate=253402300799)}],
        None,
        ("[0].otaUpdateInfo.lastModifiedDate:", "outside the dates"),
    ),
    "region-a-number": ({**v1(), "region": 5}, None, ("'region' must be a string, not 5",)),
    # AWS CLI output: one GetOTAUpdate response, or several one after another
    "single-response-info-a-list": (
        cli_json({"otaUpdateInfo": []}),
        1,
        ("otaUpdateInfo: expected an object",),
    ),
    "stream-bad-date-in-second": (
        stream({"otaUpdateInfo": info()}, {"otaUpdateInfo": info("fw-2", creationDate="soon")}),
        STREAM_SECOND_LINE,
        ("otaUpdateInfo.creationDate: expected an ISO 8601 date",),
    ),
    "stream-duplicate-id": (
        stream({"otaUpdateInfo": info()}, {"otaUpdateInfo": info()}, between="\n"),
        STREAM_SECOND_LINE + 1,
        ("otaUpdateInfo: otaUpdateId 'fw-1' appears twice (first at snap.json:1)",),
    ),
    "stream-duplicate-key-in-second": (
        STREAM_WITH_DUPLICATE_KEY,
        line_of(STREAM_WITH_DUPLICATE_KEY, '"otaUpdateId"', 3),
        (f"duplicate key 'otaUpdateId' (first at line {STREAM_SECOND_LINE + 2})",),
    ),
    "stream-cut-short": (
        STREAM_CUT_SHORT,
        STREAM_CUT_SHORT.count("\n") + 1,
        (
            "invalid JSON: the file ends inside the value that starts at line "
            f"{STREAM_SECOND_LINE} (was its writing cut short?)",
        ),
    ),
    "stream-garbage-between": (
        stream({"otaUpdateInfo": info()})
        + "An error occurred (ThrottlingException) when calling the GetOTAUpdate operation\n"
        + stream({"otaUpdateInfo": info("fw-2")}),
        STREAM_SECOND_LINE,
        (
            f"invalid JSON after the value that ends at line {STREAM_SECOND_LINE - 1}: "
            "Expecting value",
        ),
    ),
    "stream-snapshot-then-response": (
        stream(v1(info()), {"otaUpdateInfo": info("fw-2")}),
        1,
        (
            'expected a GetOTAUpdate response ({"otaUpdateInfo": {...}})',
            "not an object with keys 'version', 'capturedAt', 'region', ...",
        ),
    ),
    "stream-describe-job-output": (
        stream({"otaUpdateInfo": info()}, {"job": {"jobId": "AFR_OTA-fw-1"}}),
        STREAM_SECOND_LINE,
        ('expected a GetOTAUpdate response ({"otaUpdateInfo": {...}})', "key 'job'"),
    ),
    "stream-number-between": (
        stream({"otaUpdateInfo": info()}, 7),
        STREAM_SECOND_LINE,
        ("expected a GetOTAUpdate response", "not a number"),
    ),
    "describe-job-output": (
        cli_json({"job": {"jobId": "AFR_OTA-fw-1", "status": "COMPLETED"}}),
        None,
        ("expected an ota-drift snapshot", "GetOTAUpdate output", "not an object with key 'job'"),
    ),
    "empty-file": ("", None, ("the file is empty", "for a region without any, write []")),
    "only-whitespace": ("\n  \n\t\n", None, ("the file is empty",)),
    # `aws iot list-ota-updates` output: ids without configurations
    "list-ota-updates": (LISTING, 1, (LISTING_REFUSED,)),
    "list-ota-updates-no-paginate": ({**LISTING_DOC, "nextToken": "abc"}, 1, (LISTING_REFUSED,)),
    "list-ota-updates-empty": ({"otaUpdates": []}, 1, (LISTING_REFUSED,)),
    "list-ota-updates-appended": (
        stream({"otaUpdateInfo": info()}, LISTING_DOC),
        STREAM_SECOND_LINE,
        (LISTING_REFUSED,),
    ),
    "list-ota-updates-in-a-list": ([LISTING_DOC], None, ("[0]: " + LISTING_REFUSED,)),
    # ids outside the model's pattern could pass for another update in every report
    "id-with-a-dot": (v1(info("fw.1")), None, ("otaUpdateId must be letters, digits",)),
    "id-with-a-space": (v1(info("fw 1")), None, ("otaUpdateId must be letters, digits",)),
    "id-with-an-escape": (v1(info("fw\x1b1")), None, ("otaUpdateId must be letters, digits",)),
    "id-too-long": (v1(info("f" * 129)), None, ("otaUpdateId must have 1 to 128 characters",)),
    "fileId-over-32-bits": (
        v1(
            info(
                otaUpdateFiles=[
                    {
                        "fileName": "f",
                        "fileLocation": {"stream": {"streamId": "s", "fileId": 2**31}},
                    }
                ]
            )
        ),
        None,
        ("otaUpdateFiles[0].fileLocation.stream.fileId must be a 32-bit integer",),
    ),
}


@pytest.mark.parametrize("name", list(MALFORMED))
def test_malformed_snapshot_raises_input_error(name: str) -> None:
    """A malformed snapshot raises InputError naming the file, the place and what is wrong."""
    doc, line, fragments = MALFORMED[name]
    path = write(doc)
    with pytest.raises(InputError) as raised:
        SnapshotSource(path)
    problems = raised.value.problems
    assert len(problems) == 1, problems
    (problem,) = problems
    assert problem.file == "snap.json"
    assert problem.line == line
    for fragment in fragments:
        assert fragment in problem.message, (fragment, problem.message)


@pytest.mark.parametrize("name", list(MALFORMED))
def test_malformed_snapshot_is_exit_2_via_the_cli(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The CLI turns a malformed snapshot into exit code 2, a FILE[:LINE] message and no report."""
    doc, line, fragments = MALFORMED[name]
    Path("ota.yaml").write_text(DECLARED, encoding="utf-8")
    path = write(doc)
    assert main(["check", "ota.yaml", "--state", path]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    prefix = "snap.json:" if line is None else f"snap.json:{line}:"
    assert err.startswith(prefix), err
    assert err.count("\n") == 1, err
    for fragment in fragments:
        assert fragment in err


def test_deep_fields_load_as_written() -> None:
    """Well-typed abort and timeout configs and tags of a deep snapshot are kept unchanged."""
    abort = {
        "abortCriteriaList": [
            {
                "failureType": "FAILED",
                "action": "CANCEL",
                "thresholdPercentage": 20.5,
                "minNumberOfExecutedThings": 10,
            }
        ]
    }
    deep = info(
        awsJobAbortConfig=abort,
        awsJobTimeoutConfig={"inProgressTimeoutInMinutes": 60},
        tags=[{"Key": "team", "Value": "fw"}],
    )
    source = SnapshotSource(write(v1(deep, deep=True)))
    (update,) = fetched(source)
    assert source.deep is True
    assert update.info["awsJobAbortConfig"] == abort
    assert update.info["awsJobTimeoutConfig"] == {"inProgressTimeoutInMinutes": 60}
    assert update.info["tags"] == [{"Key": "team", "Value": "fw"}]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("1970-01-01T00:00:00Z", datetime(1970, 1, 1, tzinfo=UTC)),
        ("2999-12-31T23:59:59+00:00", datetime(2999, 12, 31, 23, 59, 59, tzinfo=UTC)),
        (0, datetime(1970, 1, 1, tzinfo=UTC)),
    ],
)
def test_dates_at_the_ends_of_the_window_are_accepted(written: Any, expected: datetime) -> None:
    """The first and last instants of the accepted window still load."""
    source = SnapshotSource(write({**v1(info(creationDate=written)), "capturedAt": written}))
    assert source.captured_at == expected
    assert fetched(source)[0].info["creationDate"] == expected


def test_state_file_over_256_mib_is_refused_without_reading_it(tmp_path: Path) -> None:
    """A `--state` file over MAX_STATE_BYTES (256 MiB) is refused at once, naming the limit."""
    assert MAX_STATE_BYTES == 256 * 2**20
    with Path("snap.json").open("wb") as handle:
        handle.truncate(MAX_STATE_BYTES + 1)
    with pytest.raises(InputError) as raised:
        SnapshotSource("snap.json")
    (problem,) = raised.value.problems
    assert problem == Problem("snap.json", None, "file is 256.0 MiB, over the 256 MiB limit")


def test_every_malformed_entry_is_reported_at_once() -> None:
    """Problems in several entries are all reported in one InputError, in order."""
    doc = v1(info(creationDate="bad"), info("fw-2", targets="x"), info("fw-3"))
    with pytest.raises(InputError) as raised:
        SnapshotSource(write(doc))
    messages = [p.message for p in raised.value.problems]
    assert len(messages) == 2, messages
    assert messages[0].startswith("otaUpdates[0].creationDate:")
    assert messages[1].startswith("otaUpdates[1].targets:")


def test_missing_snapshot_file_is_an_input_error() -> None:
    """A --state file that does not exist is an InputError naming it."""
    with pytest.raises(InputError) as raised:
        SnapshotSource("absent.json")
    (problem,) = raised.value.problems
    assert (problem.file, problem.line) == ("absent.json", None)
    assert "no such file" in problem.message


def test_one_get_ota_update_response_is_read() -> None:
    """A file holding one GetOTAUpdate response, as `aws iot get-ota-update > FILE` writes it."""
    response = {"otaUpdateInfo": info(creationDate="2026-11-20T10:00:00.123000+00:00")}
    source = SnapshotSource(write(cli_json(response)))
    (update,) = fetched(source)
    assert (source.captured_at, source.region, source.deep) == (None, None, False)
    assert update.ota_update_id == "fw-1"
    assert update.origin == "snap.json:1"
    assert update.info == {
        **info(),
        "creationDate": datetime(2026, 11, 20, 10, 0, 0, 123000, tzinfo=UTC),
    }


def test_stream_of_three_pretty_printed_responses_is_read_in_order() -> None:
    """Responses appended one after another, blank lines between: each read, with its line."""
    text = stream(*({"otaUpdateInfo": info(f"fw-{i}")} for i in (3, 1, 2)), between="\n\n")
    updates = fetched(SnapshotSource(write(text)))
    assert [u.ota_update_id for u in updates] == ["fw-3", "fw-1", "fw-2"]
    lines = [line_of(text, '{\n    "otaUpdateInfo"', n) for n in (1, 2, 3)]
    assert lines == [1, STREAM_SECOND_LINE + 2, 2 * STREAM_SECOND_LINE + 3]
    assert [u.origin for u in updates] == [f"snap.json:{line}" for line in lines]
    assert [u.info for u in updates] == [info(f"fw-{i}") for i in (3, 1, 2)]


def test_every_bad_response_of_a_stream_is_reported_at_its_line() -> None:
    """Problems in several responses are all reported at once, each at its response's line."""
    text = stream(
        {"otaUpdateInfo": info(targets="x")},
        {"otaUpdateInfo": info("fw-2")},
        {"otaUpdateInfo": info("fw-3", lastModifiedDate="later")},
    )
    with pytest.raises(InputError) as raised:
        SnapshotSource(write(text))
    problems = raised.value.problems
    assert [p.line for p in problems] == [1, line_of(text, '"otaUpdateId": "fw-3"') - 2]
    assert problems[0].message.startswith("otaUpdateInfo.targets:")
    assert problems[1].message.startswith("otaUpdateInfo.lastModifiedDate:")


def recorded(name: str) -> str:
    """An AWS CLI recording, checked to be laid out as the CLI writes JSON (see its README)."""
    text = (AWS_CLI / name).read_text(encoding="utf-8")
    objects = text.replace("}\n{", "}\n\x00{").split("\x00")
    assert text == "".join(cli_json(json.loads(o)) for o in objects)
    return text


SENSOR_SIGNING = {
    "customCodeSigning": {
        "signature": {"inlineDocument": b"\x00\x01sig"},
        "certificateChain": {"certificateName": "ota-cert"},
        "hashAlgorithm": "SHA256",
        "signatureAlgorithm": "ECDSA",
    }
}


@pytest.mark.parametrize("name", ["get-ota-update-v1.json", "get-ota-update-v2.json"])
def test_recorded_aws_cli_output_loads(name: str) -> None:
    """What AWS CLI v1 (epoch-second dates) and v2 (ISO 8601 dates) append with `>>` loads."""
    path = write(recorded(name), name)
    sensor, camera = fetched(SnapshotSource(path))
    assert (sensor.ota_update_id, sensor.origin) == ("sensor-fw-2026-11", f"{name}:1")
    assert (camera.ota_update_id, camera.origin) == ("cam_fw-9", f"{name}:53")
    assert sensor.info["creationDate"] == datetime(2026, 11, 20, 10, 0, 0, 123000, tzinfo=UTC)
    assert sensor.info["lastModifiedDate"] == datetime(2026, 11, 20, 10, 1, 30, tzinfo=UTC)
    assert camera.info["creationDate"] == datetime(2026, 11, 21, 8, 30, tzinfo=UTC)
    assert sensor.info["description"] == "Capteurs \u2013 s\u00e9rie 4.2"
    assert sensor.info["otaUpdateFiles"][0]["codeSigning"] == SENSOR_SIGNING
    assert sensor.info["additionalParameters"] == {}
    assert camera.info["otaUpdateFiles"][0]["fileLocation"] == {
        "stream": {"streamId": "cam-stream", "fileId": 0}
    }


def test_aws_cli_v1_and_v2_output_load_to_the_same_updates() -> None:
    """Only the way dates are written differs between the two CLIs: the updates are equal."""
    v1_text, v2_text = recorded("get-ota-update-v1.json"), recorded("get-ota-update-v2.json")
    assert '"creationDate": 1795168800.123,' in v1_text
    assert '"creationDate": "2026-11-20T10:00:00.123000+00:00",' in v2_text
    v1_updates = fetched(SnapshotSource(write(v1_text, "a.json")))
    v2_updates = fetched(SnapshotSource(write(v2_text, "b.json")))
    assert [u.info for u in v1_updates] == [u.info for u in v2_updates]


def test_recorded_list_ota_updates_output_is_refused_with_what_to_run(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`aws iot list-ota-updates > FILE` is refused in one line at line 1, naming the commands."""
    path = write(recorded("list-ota-updates.json"), "state.json")
    with pytest.raises(InputError) as raised:
        SnapshotSource(path)
    assert raised.value.problems == (Problem("state.json", 1, LISTING_REFUSED),)
    Path("ota.yaml").write_text(DECLARED, encoding="utf-8")
    assert main(["check", "ota.yaml", "--state", path]) == 2
    assert capsys.readouterr().err == (
        "state.json:1: this is `aws iot list-ota-updates` output, which lists ids without their "
        "configurations; save each update with `aws iot get-ota-update --ota-update-id ID >> "
        "state.json`, or record a snapshot with `ota-drift snapshot`\n"
    )


def test_snapshot_with_summary_entries_is_read_as_a_snapshot() -> None:
    """The `version` key decides: entries holding only summary keys do not make it a listing."""
    doc = v1({"otaUpdateId": "fw-1", "creationDate": "2026-11-20T10:00:00+00:00"})
    (update,) = fetched(SnapshotSource(write(doc)))
    assert update.origin == "snap.json#otaUpdates[0]"


def _check(state: Path) -> subprocess.CompletedProcess[str]:
    """`python -m checker check examples/ota --state STATE --format json`, run in the repository."""
    args = ["check", "examples/ota", "--state", str(state), "--format", "json"]
    return subprocess.run(
        [sys.executable, "-m", "checker", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_reports_the_same_for_a_stream_as_for_a_list(tmp_path: Path) -> None:
    """`ota-drift check` on the example updates saved as `>>` appends them, and as a list."""
    infos = json.loads((ROOT / "examples" / "live-snapshot.json").read_text())["otaUpdates"]
    responses = [{"otaUpdateInfo": i} for i in infos]
    (tmp_path / "stream").mkdir()
    (tmp_path / "list").mkdir()
    (tmp_path / "stream" / "state.json").write_text(stream(*responses), encoding="utf-8")
    (tmp_path / "list" / "state.json").write_text(cli_json(responses), encoding="utf-8")
    from_stream = _check(tmp_path / "stream" / "state.json")
    from_list = _check(tmp_path / "list" / "state.json")
    assert (from_stream.returncode, from_stream.stderr) == (1, "")
    assert (from_list.returncode, from_list.stderr) == (1, "")
    assert from_stream.stdout == from_list.stdout
    summary = json.loads(from_stream.stdout)["summary"]
    assert (summary["declared"], summary["live"], summary["drifted"]) == (6, 6, 2)
