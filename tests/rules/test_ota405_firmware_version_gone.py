"""OTA405: the firmware object version each file points at still exists."""

from __future__ import annotations

from typing import Any

import pytest

from checker.rules.ota405_firmware_version_gone import FirmwareVersionGone
from tests.rules.chain_configs import found, live
from tests.rules.harness import live_views, violations

RULE = FirmwareVersionGone()
S3_PATH = ("files", 0, "fileLocation", "s3Location")
STREAM_PATH = ("files", 0, "fileLocation", "stream")
S3_FILE = {
    "fileName": "fw.bin",
    "fileLocation": {"s3Location": {"bucket": "fw", "key": "fw.bin", "version": "v3"}},
}


def _object(**fields: Any) -> dict[str, Any]:
    return {"bucket": "fw", "key": "fw.bin", "version": "v3", **fields}


def test_a_deleted_version_and_a_delete_marker_are_named() -> None:
    found_by_id = violations(RULE, live_views("OTA405"))
    assert [(v.path, v.message) for v in found_by_id["fail_version_gone"]] == [
        (
            S3_PATH,
            "file fw.bin: version 3HL4kqtJlcpXroDT of s3://fw/fw.bin no longer exists, so "
            "devices can no longer download the image",
        )
    ]
    assert [(v.path, v.message) for v in found_by_id["fail_delete_marker"]] == [
        (
            S3_PATH,
            "file fw.bin: version 3HL4kqtJlcpXroDT of s3://fw/fw.bin is a delete marker, so "
            "devices can no longer download the image",
        )
    ]


def test_a_stream_s_object_is_reported_at_the_stream() -> None:
    found_by_id = violations(RULE, live_views("OTA405"))
    assert [v.path for v in found_by_id["fail_stream_version_gone"]] == [STREAM_PATH]


def test_a_found_object_marked_as_delete_marker_still_fires() -> None:
    config = live([S3_FILE], [{"object": _object(found=True, deleteMarker=True)}])
    assert [m for _, m in found(RULE, config)] == [
        "file fw.bin: version v3 of s3://fw/fw.bin is a delete marker, so devices can no "
        "longer download the image"
    ]


@pytest.mark.parametrize(
    "link",
    [
        _object(found=True),
        _object(found=True, deleteMarker=False),
        _object(),  # no `found`
        _object(found="false"),
        _object(found=True, deleteMarker="true"),
        None,
        "gone",
    ],
)
def test_an_existing_version_or_odd_data_does_not_fire(link: Any) -> None:
    assert found(RULE, live([S3_FILE], [{"object": link}])) == []


def test_odd_names_are_shown_as_unknown() -> None:
    config = live([S3_FILE], [{"object": {"found": False, "bucket": 3}}])
    assert [m for _, m in found(RULE, config)] == [
        "file fw.bin: version ? of s3://?/? no longer exists, so devices can no longer "
        "download the image"
    ]
