"""OTA402: firmware in S3 is pinned to an object version."""

from __future__ import annotations

from typing import Any

import pytest

from checker.rules.interface import ConfigView
from checker.rules.ota402_s3_version import S3VersionMissing
from tests.rules.harness import AS_OF, declared_views, live_views, violations

RULE = S3VersionMissing()


def test_points_at_the_unversioned_file() -> None:
    """The violation is at the second file's s3Location and names its bucket and key."""
    found = violations(RULE, declared_views("OTA402"))["fail_second_file_unversioned"]
    assert [(v.path, v.message) for v in found] == [
        (
            ("files", 1, "fileLocation", "s3Location"),
            "file boot.bin: s3Location s3://fw/boot.bin has no version, "
            "so the firmware under the key can change",
        )
    ]


def test_odd_live_data_does_not_raise() -> None:
    """Files and locations of the wrong type are skipped; a non-string version fires."""
    config = {
        "files": [
            {"fileLocation": {"s3Location": {"bucket": "fw", "version": 3}}},
            "fw.bin",
            {"fileLocation": "s3://fw/fw.bin"},
            {"fileLocation": {"s3Location": ["fw"]}},
        ]
    }
    found = list(RULE.check(ConfigView("odd", "live", config, AS_OF), {}))
    assert [(v.path, v.message) for v in found] == [
        (
            ("files", 0, "fileLocation", "s3Location"),
            "file #0: s3Location s3://fw/? has no version, so the firmware under the key can "
            "change",
        )
    ]


def _streamed(entry: Any, file_id: Any = 0, found: Any = True) -> dict[str, Any]:
    """A live file delivered from stream `s`, whose read stream holds `entry`."""
    file = {
        "fileName": "fw.bin",
        "fileLocation": {"stream": {"streamId": "s", "fileId": file_id}, "s3Location": {}},
    }
    stream = {"streamId": "s", "found": found, "files": [entry]}
    return {"files": [file], "awsChain": [{"stream": stream}]}


def test_a_read_stream_whose_file_has_no_version_fires_at_the_stream() -> None:
    found = violations(RULE, live_views("OTA402"))
    assert [(v.path, v.message) for v in found["fail_stream_file_unversioned"]] == [
        (
            ("files", 0, "fileLocation", "stream"),
            "file fw.bin: stream fw-stream file 0 s3://fw/fw.bin has no version, so the firmware "
            "under the key can change",
        )
    ]


@pytest.mark.parametrize(
    "config",
    [
        _streamed({"fileId": 0, "bucket": "fw", "key": "fw.bin", "version": "v3"}),
        _streamed({"fileId": 1, "bucket": "fw", "key": "fw.bin"}),  # no such file: OTA406's
        _streamed({"fileId": 0, "bucket": "fw", "key": "fw.bin"}, found=False),
        _streamed({"fileId": 0, "bucket": "fw", "key": "fw.bin"}, file_id=None),
        _streamed({"fileId": 0, "bucket": "fw", "key": "fw.bin"}, file_id=False),
        {"files": _streamed({"fileId": 0})["files"]},  # the stream was not read (no --verify)
        {**_streamed({"fileId": 0}), "awsChain": [{"stream": "s"}]},
        {**_streamed({"fileId": 0}), "awsChain": [{}, {}]},  # not one entry per file
    ],
)
def test_a_stream_not_read_versioned_or_odd_does_not_fire(config: dict[str, Any]) -> None:
    assert list(RULE.check(ConfigView("x", "live", config, AS_OF), {})) == []


def test_a_declared_config_never_judges_a_chain() -> None:
    """Only a live config can hold what `--verify` read."""
    config = _streamed({"fileId": 0, "bucket": "fw", "key": "fw.bin"})
    assert list(RULE.check(ConfigView("x", "declared", config, AS_OF), {})) == []
    assert len(list(RULE.check(ConfigView("x", "live", config, AS_OF), {}))) == 1


def test_an_odd_stream_file_is_shown_with_unknown_names() -> None:
    found = list(RULE.check(ConfigView("x", "live", _streamed({"fileId": 0, "key": 3}), AS_OF), {}))
    assert [v.message for v in found] == [
        "file fw.bin: stream s file 0 s3://?/? has no version, so the firmware under the key "
        "can change"
    ]


def test_the_live_snapshot_judges_s3_locations_as_before() -> None:
    found = violations(RULE, live_views("OTA402"))
    assert [(v.path, v.message) for v in found["fail_no_version"]] == [
        (
            ("files", 0, "fileLocation", "s3Location"),
            "file fw.bin: s3Location s3://fw/fw.bin has no version, so the firmware under the key "
            "can change",
        )
    ]
