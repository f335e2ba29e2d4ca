"""The snapshot source: ota-drift's v1 snapshot format and saved AWS CLI output."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from checker.cli import main
from checker.errors import InputError, Problem
from checker.model import LiveUpdate
from checker.sources.snapshot import MAX_STATE_BYTES, SnapshotSource

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


def info(ota_update_id: str = "fw-1", **extra: Any) -> dict[str, Any]:
    """A minimal otaUpdateInfo as JSON, matching DECLARED."""
    return {
        "otaUpdateId": ota_update_id,
        "targets": [TARGET],
        "otaUpdateFiles": [
            {"fileName": "fw.bin", "fileLocation": {"stream": {"streamId": "s1", "fileId": 0}}}
        ],
        **extra,
    }


def v1(*updates: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {
        "version": 1,
        "capturedAt": "2026-11-20T06:00:00+00:00",
        "region": "eu-central-1",
        "otaUpdates": list(updates),
        **top,
    }


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def write(doc: Any, name: str = "snap.json") -> str:
    """Write `doc` (JSON data, or raw text) in the current directory and return its name."""
    text = doc if isinstance(doc, str) else json.dumps(doc)
    Path(name).write_text(text, encoding="utf-8")
    return name


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
    assert source.live_job_config is True
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
