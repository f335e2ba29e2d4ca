"""`snapshot --verify` evidence: the chain is written, read back unchanged (dates included),
and checked strictly, so that `check --state` judges it as it was read."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from checker.chain import CHAIN_FIELD
from checker.errors import InputError
from checker.model import LiveUpdate
from checker.sources.snapshot import SnapshotSource, snapshot_json

CAPTURED = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
CERT = "arn:aws:acm:eu-west-1:123456789012:certificate/abc"


def info(**extra: Any) -> dict[str, Any]:
    return {
        "otaUpdateId": "fw-1",
        "otaUpdateArn": "arn:aws:iot:eu-west-1:123456789012:otaupdate/fw-1",
        "otaUpdateStatus": "CREATE_COMPLETE",
        "otaUpdateFiles": [
            {
                "fileName": "fw.bin",
                "fileLocation": {"s3Location": {"bucket": "b", "key": "fw.bin", "version": "v1"}},
                "codeSigning": {"awsSignerJobId": "job-1"},
            }
        ],
        **extra,
    }


def chain() -> list[dict[str, Any]]:
    return [
        {
            "signingJob": {
                "jobId": "job-1",
                "found": True,
                "status": "Succeeded",
                "profileName": "p",
                "completedAt": datetime(2026, 10, 1, tzinfo=UTC),
                "signatureExpiresAt": datetime(2027, 10, 1, tzinfo=UTC),
                "revocation": {
                    "reason": "key leaked",
                    "revokedAt": datetime(2026, 11, 2, tzinfo=UTC),
                },
                "certificateArn": CERT,
            },
            "signingProfile": {"profileName": "p", "found": True, "status": "Active"},
            "certificate": {
                "certificateArn": CERT,
                "found": True,
                "status": "ISSUED",
                "notAfter": datetime(2027, 1, 1, tzinfo=UTC),
                "extendedKeyUsages": ["CODE_SIGNING"],
            },
            "object": {
                "bucket": "b",
                "key": "fw.bin",
                "version": "v1",
                "found": True,
                "deleteMarker": False,
                "size": 1024,
                "etag": '"abc"',
                "lastModified": datetime(2026, 9, 1, tzinfo=UTC),
            },
        }
    ]


def write(tmp_path: Path, doc: dict[str, Any]) -> str:
    path = tmp_path / "state.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return str(path)


def verified_doc() -> dict[str, Any]:
    text = snapshot_json(
        [LiveUpdate("fw-1", {**info(), CHAIN_FIELD: chain()}, origin="eu-west-1")],
        region="eu-west-1",
        captured_at=CAPTURED,
        deep=True,
        verify=True,
    )
    doc: dict[str, Any] = json.loads(text)
    return doc


def test_a_verified_snapshot_reads_back_its_chain_unchanged(tmp_path: Path) -> None:
    doc = verified_doc()
    assert (doc["deep"], doc["verify"]) == (True, True)
    assert doc["otaUpdates"][0][CHAIN_FIELD][0]["object"]["lastModified"] == (
        "2026-09-01T00:00:00+00:00"
    )
    source = SnapshotSource(write(tmp_path, doc))
    assert (source.deep, source.verified) == (True, True)
    (update,) = list(source.fetch())
    assert isinstance(update, LiveUpdate)
    assert update.info[CHAIN_FIELD] == chain()


def test_a_snapshot_without_verify_has_no_verify_key(tmp_path: Path) -> None:
    text = snapshot_json(
        [LiveUpdate("fw-1", info(), origin="x")], region="r", captured_at=CAPTURED, deep=True
    )
    assert "verify" not in json.loads(text)
    assert SnapshotSource(write(tmp_path, json.loads(text))).verified is False


def problems(tmp_path: Path, doc: dict[str, Any]) -> list[str]:
    with pytest.raises(InputError) as raised:
        SnapshotSource(write(tmp_path, doc))
    return [p.message for p in raised.value.problems]


def test_a_verified_snapshot_missing_a_chain_is_refused(tmp_path: Path) -> None:
    doc = verified_doc()
    del doc["otaUpdates"][0][CHAIN_FIELD]
    assert problems(tmp_path, doc) == [
        "otaUpdates[0]: no awsChain, yet the snapshot was taken with --verify: an update whose "
        "chain was not recorded must not pass as verified"
    ]


def test_a_chain_in_a_snapshot_not_taken_with_verify_is_refused(tmp_path: Path) -> None:
    doc = verified_doc()
    del doc["verify"]
    assert problems(tmp_path, doc) == [
        'otaUpdates[0].awsChain: only a snapshot taken with --verify ("verify": true) holds '
        "the chain"
    ]


def test_verify_without_deep_is_refused(tmp_path: Path) -> None:
    doc = verified_doc()
    doc["deep"] = False
    assert problems(tmp_path, doc) == ["'verify' is true but 'deep' is not: --verify reads deep"]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda c: c[0]["certificate"].pop("certificateArn"),
            "otaUpdates[0].awsChain[0].certificate: has no 'certificateArn'",
        ),
        (
            lambda c: c[0]["signingJob"].update(status=7),
            "otaUpdates[0].awsChain[0].signingJob.status: must be a non-empty string",
        ),
        (
            lambda c: c[0]["certificate"].update(notAfter="soon"),
            "otaUpdates[0].awsChain[0].certificate.notAfter: must be a date within 1970 to 2999",
        ),
        (
            lambda c: c[0]["object"].update(size=-1),
            "otaUpdates[0].awsChain[0].object.size: must be a non-negative integer",
        ),
        (
            lambda c: c[0]["object"].update(colour="red"),
            "otaUpdates[0].awsChain[0].object.colour: is not a field of object (one of bucket, "
            "key, version, found, deleteMarker, size, etag, lastModified)",
        ),
        (
            lambda c: c[0].pop("certificate"),
            "otaUpdates[0].awsChain[0]: has no certificate link, yet the file names " + CERT,
        ),
        (
            lambda c: c.append({}),
            "otaUpdates[0].awsChain: has 2 entries for 1 otaUpdateFiles (one per file)",
        ),
        (
            lambda c: c[0]["signingJob"].pop("status"),
            "otaUpdates[0].awsChain[0].signingJob: has no 'status', which a found signingJob "
            "always has",
        ),
        (
            lambda c: c[0]["certificate"].pop("notAfter"),
            "otaUpdates[0].awsChain[0].certificate: has no 'notAfter', which a found "
            "certificate always has",
        ),
        (
            lambda c: c[0]["object"].pop("etag"),
            "otaUpdates[0].awsChain[0].object: has no 'etag', which a found object always has",
        ),
        (
            lambda c: c[0].update(thing={}),
            "otaUpdates[0].awsChain[0].thing: is not a link of the chain (one of signingJob, "
            "signingProfile, certificate, stream, object)",
        ),
    ],
)
def test_a_malformed_chain_is_refused_with_its_path(
    tmp_path: Path, edit: Any, message: str
) -> None:
    doc = verified_doc()
    edit(doc["otaUpdates"][0][CHAIN_FIELD])
    assert problems(tmp_path, doc) == [message]


def test_a_chain_kept_for_files_taken_out_is_refused(tmp_path: Path) -> None:
    doc = verified_doc()
    del doc["otaUpdates"][0]["otaUpdateFiles"]
    assert problems(tmp_path, doc) == [
        "otaUpdates[0].awsChain: has 1 entries for 0 otaUpdateFiles (one per file)"
    ]
