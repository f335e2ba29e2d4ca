"""OTA406: the stream each file is delivered from exists and holds the file."""

from __future__ import annotations

from typing import Any

import pytest

from checker.rules.ota406_stream_file_missing import StreamFileMissing
from tests.rules.chain_configs import found, live
from tests.rules.harness import live_views, violations

RULE = StreamFileMissing()
STREAM_PATH = ("files", 0, "fileLocation", "stream")


def _file(file_id: Any = 0) -> dict[str, Any]:
    return {"fileName": "fw.bin", "fileLocation": {"stream": {"streamId": "s", "fileId": file_id}}}


def _stream(files: Any) -> dict[str, Any]:
    return {"streamId": "s", "found": True, "files": files}


def test_a_missing_stream_and_a_missing_file_are_named() -> None:
    found_by_id = violations(RULE, live_views("OTA406"))
    assert [(v.path, v.message) for v in found_by_id["fail_stream_gone"]] == [
        (
            STREAM_PATH,
            "file fw.bin: stream fw-stream does not exist, so devices cannot download the image",
        )
    ]
    assert [(v.path, v.message) for v in found_by_id["fail_file_not_in_stream"]] == [
        (
            STREAM_PATH,
            "file fw.bin: stream fw-stream has no file with fileId 1 (its files: 0), so devices "
            "cannot download the image",
        )
    ]
    assert [v.message for v in found_by_id["fail_stream_empty"]] == [
        "file fw.bin: stream fw-stream has no file with fileId 0 (its files: none), so devices "
        "cannot download the image"
    ]


def test_the_stream_s_file_ids_are_listed_in_order() -> None:
    config = live([_file(4)], [{"stream": _stream([{"fileId": 3}, {"fileId": 1}, {"fileId": 3}])}])
    assert [m for _, m in found(RULE, config)] == [
        "file fw.bin: stream s has no file with fileId 4 (its files: 1, 3), so devices cannot "
        "download the image"
    ]


@pytest.mark.parametrize(
    ("file_id", "files"),
    [
        (0, [{"fileId": 0}]),
        (None, [{"fileId": 1}]),  # the file names no fileId: which one cannot be told
        ("1", [{"fileId": 0}]),
        (True, [{"fileId": 0}]),
        (1, "files"),
        (1, [{"fileId": "1"}]),  # an entry of another type: not judged
        (1, [None]),
        (1, [{"fileId": [1]}]),
    ],
)
def test_a_file_that_is_there_or_odd_data_does_not_fire(file_id: Any, files: Any) -> None:
    assert found(RULE, live([_file(file_id)], [{"stream": _stream(files)}])) == []


def test_a_stream_without_found_is_not_judged() -> None:
    assert found(RULE, live([_file()], [{"stream": {"streamId": "s", "files": []}}])) == []
