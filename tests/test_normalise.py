"""Normalisation: one canonical form for declared and live configs, so only real drift differs."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from checker.normalise import (
    CREATE_ONLY_FIELDS,
    SERVER_FIELDS,
    SERVICE_DEFAULTS,
    Canonical,
    canonical,
)

TARGET_A = "arn:aws:iot:eu-central-1:123456789012:thinggroup/a"
TARGET_B = "arn:aws:iot:eu-central-1:123456789012:thinggroup/b"
ROLE = "arn:aws:iam::123456789012:role/ota"

BOOT = {
    "fileName": "boot.bin",
    "fileLocation": {"s3Location": {"bucket": "fw", "key": "boot.bin", "version": "v1"}},
}
FW = {
    "fileName": "fw.bin",
    "fileLocation": {"stream": {"streamId": "s1", "fileId": 0}},
    "codeSigning": {"awsSignerJobId": "job-1"},
    "attributes": {"board": "esp32"},
}


def declared(**changes: Any) -> dict[str, Any]:
    """A declared entry (CreateOTAUpdate kwargs); `changes` set (or, with None, remove) keys."""
    config: dict[str, Any] = {
        "otaUpdateId": "fw-1",
        "description": "Sensor firmware",
        "targets": [TARGET_B, TARGET_A],
        "files": copy.deepcopy([BOOT, FW]),
        "roleArn": ROLE,
    }
    return _apply(config, changes)


def live(**changes: Any) -> dict[str, Any]:
    """The matching GetOTAUpdate `otaUpdateInfo`; `changes` set (or, with None, remove) keys."""
    info: dict[str, Any] = {
        "otaUpdateId": "fw-1",
        "description": "Sensor firmware",
        "targets": [TARGET_B, TARGET_A],
        "otaUpdateFiles": copy.deepcopy([BOOT, FW]),
    }
    return _apply(info, changes)


def _apply(config: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    for key, value in changes.items():
        if value is None:
            config.pop(key, None)
        else:
            config[key] = value
    return config


def norm_declared(config: dict[str, Any]) -> Canonical:
    return canonical(config, side="declared", unreadable=CREATE_ONLY_FIELDS)


def norm_live(info: dict[str, Any]) -> Canonical:
    return canonical(info, side="live", unreadable=CREATE_ONLY_FIELDS)


def test_canonical_form_of_a_declared_entry_is_exact() -> None:
    """A declared entry: files keyed by name, sorted sets, defaults, no create-only fields."""
    result = norm_declared(declared())
    assert result.data == {
        "otaUpdateId": "fw-1",
        "description": "Sensor firmware",
        "targets": [TARGET_A, TARGET_B],
        "files": {"boot.bin": BOOT, "fw.bin": FW},
        "targetSelection": "SNAPSHOT",
        "protocols": ["MQTT"],
        "awsJobPresignedUrlConfig": {"expiresInSec": 1800},
        "awsJobExecutionsRolloutConfig": {"maximumPerMinute": 1000},
    }
    assert result.file_positions == {"boot.bin": 0, "fw.bin": 1}


def test_live_info_with_the_same_config_is_equal_to_the_declared_entry() -> None:
    """Declared `files` and live `otaUpdateFiles` land in the same canonical key `files`."""
    want, have = norm_declared(declared()), norm_live(live())
    assert "otaUpdateFiles" not in have.data
    assert want.data == have.data


def test_reordered_targets_are_equal() -> None:
    """`targets` compare as a set: their order carries no meaning."""
    have = norm_live(live(targets=[TARGET_A, TARGET_B]))
    assert have.data["targets"] == [TARGET_A, TARGET_B]
    assert norm_declared(declared()).data == have.data


def test_reordered_protocols_are_equal() -> None:
    """`protocols` compare as a set: their order carries no meaning."""
    want = norm_declared(declared(protocols=["MQTT", "HTTP"]))
    have = norm_live(live(protocols=["HTTP", "MQTT"]))
    assert want.data["protocols"] == ["HTTP", "MQTT"]
    assert want.data == have.data


def test_duplicate_targets_collapse() -> None:
    """A target listed twice is the same set as the target listed once."""
    want = norm_declared(declared(targets=[TARGET_A, TARGET_B, TARGET_A]))
    assert want.data["targets"] == [TARGET_A, TARGET_B]
    assert want.data == norm_live(live()).data


def test_different_targets_are_not_equal() -> None:
    """A target present on one side only makes the canonical forms differ."""
    have = norm_live(live(targets=[TARGET_A]))
    assert have.data["targets"] == [TARGET_A]
    assert norm_declared(declared()).data != have.data


def test_reordered_files_are_equal_matched_by_name() -> None:
    """Files are matched by `fileName`, so listing them in another order is not drift."""
    have = norm_live(live(otaUpdateFiles=copy.deepcopy([FW, BOOT])))
    assert have.data["files"] == {"fw.bin": FW, "boot.bin": BOOT}
    assert have.file_positions == {"fw.bin": 0, "boot.bin": 1}
    assert norm_declared(declared()).data == have.data


def test_files_without_names_are_matched_by_position() -> None:
    """Files without a `fileName` are keyed by their position: same order equal, swapped not."""
    first = {"fileLocation": {"stream": {"streamId": "s1", "fileId": 0}}}
    second = {"fileLocation": {"stream": {"streamId": "s2", "fileId": 1}}}
    want = norm_declared(declared(files=[first, second]))
    assert want.data["files"] == {0: first, 1: second}
    assert want.file_positions == {0: 0, 1: 1}
    assert want.data == norm_live(live(otaUpdateFiles=[first, second])).data
    swapped = norm_live(live(otaUpdateFiles=[second, first]))
    assert swapped.data["files"] == {0: second, 1: first}
    assert want.data != swapped.data


def test_files_with_a_repeated_name_are_keyed_by_position() -> None:
    """A name used by two files cannot identify either, so both are keyed by position."""
    one = {"fileName": "fw.bin", "fileVersion": "1"}
    two = {"fileName": "fw.bin", "fileVersion": "2"}
    want = norm_declared(declared(files=[one, two, BOOT]))
    assert want.data["files"] == {0: one, 1: two, "boot.bin": BOOT}
    assert want.file_positions == {0: 0, 1: 1, "boot.bin": 2}


def test_server_fields_are_the_documented_set() -> None:
    """The server-owned fields are exactly the seven the requirement names, the job's
    health a deep source keeps beside them (`awsIotJob`) and the chain a verifying source
    reads (`awsChain`)."""
    assert (
        frozenset(
            {
                "otaUpdateArn",
                "creationDate",
                "lastModifiedDate",
                "otaUpdateStatus",
                "awsIotJobId",
                "awsIotJobArn",
                "errorInfo",
                "awsIotJob",
                "awsChain",
            }
        )
        == SERVER_FIELDS
    )


def test_server_fields_are_ignored() -> None:
    """Fields the service owns are dropped, so live info carrying them equals the declaration."""
    info = live(
        otaUpdateArn="arn:aws:iot:eu-central-1:123456789012:otaupdate/fw-1",
        creationDate=datetime(2026, 11, 19, 10, 0, tzinfo=UTC),
        lastModifiedDate=datetime(2026, 11, 19, 11, 0, tzinfo=UTC),
        otaUpdateStatus="CREATE_FAILED",
        awsIotJobId="AFR_OTA-fw-1",
        awsIotJobArn="arn:aws:iot:eu-central-1:123456789012:job/AFR_OTA-fw-1",
        errorInfo={"code": "500", "message": "boom"},
        awsIotJob={"status": "CANCELED", "forceCanceled": True},
    )
    have = norm_live(info)
    assert not SERVER_FIELDS & set(have.data)
    assert have.data == norm_declared(declared()).data


def test_create_only_fields_are_the_documented_set() -> None:
    """The create-only fields are exactly the four GetOTAUpdate never returns."""
    assert set(CREATE_ONLY_FIELDS) == {
        "roleArn",
        "awsJobAbortConfig",
        "awsJobTimeoutConfig",
        "tags",
    }


def test_create_only_fields_are_excluded() -> None:
    """Create-only fields named unreadable are left out: their absence live is no difference."""
    config = declared(
        awsJobAbortConfig={
            "abortCriteriaList": [
                {
                    "failureType": "FAILED",
                    "action": "CANCEL",
                    "thresholdPercentage": 10.0,
                    "minNumberOfExecutedThings": 5,
                }
            ]
        },
        awsJobTimeoutConfig={"inProgressTimeoutInMinutes": 60},
        tags=[{"Key": "team", "Value": "fw"}],
    )
    want = norm_declared(config)
    assert not set(CREATE_ONLY_FIELDS) & set(want.data)
    assert want.data == norm_live(live()).data


@pytest.mark.parametrize(
    "field",
    ["awsJobExecutionsRolloutConfig", "awsJobPresignedUrlConfig", "additionalParameters"],
)
def test_empty_mapping_returned_live_equals_an_omitted_config(field: str) -> None:
    """A config returned live as `{}` is the same as the declaration omitting it."""
    assert norm_live(live(**{field: {}})).data == norm_declared(declared()).data


def test_null_returned_live_equals_an_omitted_field() -> None:
    """A field returned live as null is the same as the declaration omitting it."""
    info = live()
    info["description"] = None
    info["additionalParameters"] = None
    info["targetSelection"] = None
    info["otaUpdateFiles"][0]["codeSigning"] = None
    have = norm_live(info)
    assert "description" not in have.data
    assert "codeSigning" not in have.data["files"]["boot.bin"]
    assert have.data == norm_declared(declared(description=None)).data


def test_empty_additional_parameters_equals_absent() -> None:
    """`additionalParameters: {}` on either side equals no `additionalParameters` at all."""
    want = norm_declared(declared(additionalParameters={}))
    assert "additionalParameters" not in want.data
    assert want.data == norm_live(live()).data
    assert norm_declared(declared()).data == norm_live(live(additionalParameters={})).data


def test_empty_file_attributes_equal_absent() -> None:
    """A file's `attributes: {}` on either side equals a file without `attributes`."""
    bare = {k: v for k, v in FW.items() if k != "attributes"}
    with_empty = {**bare, "attributes": {}}
    want = norm_declared(declared(files=[BOOT, with_empty]))
    assert want.data["files"]["fw.bin"] == bare
    assert want.data == norm_live(live(otaUpdateFiles=[BOOT, bare])).data
    assert norm_declared(declared(files=[BOOT, bare])).data == (
        norm_live(live(otaUpdateFiles=[BOOT, with_empty])).data
    )


def test_non_empty_attributes_are_kept() -> None:
    """Pruning removes only empty mappings: a differing attribute still differs."""
    changed = {**FW, "attributes": {"board": "esp32-s3"}}
    assert norm_declared(declared()).data != norm_live(live(otaUpdateFiles=[BOOT, changed])).data


NON_DEFAULT = {
    ("targetSelection",): "CONTINUOUS",
    ("protocols",): ["HTTP"],
    ("awsJobPresignedUrlConfig", "expiresInSec"): 3600,
    ("awsJobExecutionsRolloutConfig", "maximumPerMinute"): 50,
}
"""A value other than the service default, for every SERVICE_DEFAULTS path."""


def _with(config: dict[str, Any], path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    node = config
    for step in path[:-1]:
        node = node.setdefault(step, {})
    node[path[-1]] = copy.deepcopy(value)
    return config


def _at(data: Any, path: tuple[str | int, ...]) -> Any:
    for step in path:
        data = data[step]
    return data


def test_every_service_default_is_covered_by_these_tests() -> None:
    """The default table has exactly the paths the parametrised tests below exercise."""
    assert {d.path for d in SERVICE_DEFAULTS} == set(NON_DEFAULT)
    assert {d.path: d.value for d in SERVICE_DEFAULTS} == {
        ("targetSelection",): "SNAPSHOT",
        ("protocols",): ["MQTT"],
        ("awsJobPresignedUrlConfig", "expiresInSec"): 1800,
        ("awsJobExecutionsRolloutConfig", "maximumPerMinute"): 1000,
    }


@pytest.mark.parametrize("default", SERVICE_DEFAULTS, ids=lambda d: ".".join(map(str, d.path)))
def test_default_live_equals_omitted_declared(default: Any) -> None:
    """A field omitted in the declaration equals the service default returned live."""
    want = norm_declared(declared())
    have = norm_live(_with(live(), default.path, default.value))
    assert want.data == have.data
    assert default.path in want.defaulted
    assert default.path not in have.defaulted


@pytest.mark.parametrize("default", SERVICE_DEFAULTS, ids=lambda d: ".".join(map(str, d.path)))
def test_default_declared_equals_omitted_live(default: Any) -> None:
    """A field declared with the service default equals the field omitted live."""
    want = norm_declared(_with(declared(), default.path, default.value))
    have = norm_live(live())
    assert want.data == have.data
    assert default.path not in want.defaulted
    assert default.path in have.defaulted


@pytest.mark.parametrize("default", SERVICE_DEFAULTS, ids=lambda d: ".".join(map(str, d.path)))
def test_non_default_live_differs_from_omitted_declared(default: Any) -> None:
    """A live value other than the default differs from a declaration that omits the field."""
    value = NON_DEFAULT[default.path]
    want = norm_declared(declared())
    have = norm_live(_with(live(), default.path, value))
    assert want.data != have.data
    assert _at(want.data, default.path) == default.value
    assert _at(have.data, default.path) == value


def test_defaults_fill_beside_sibling_keys() -> None:
    """A nested default is added next to keys the config did set, not instead of them."""
    rate = {"baseRatePerMinute": 10, "incrementFactor": 2.0, "rateIncreaseCriteria": {}}
    want = norm_declared(declared(awsJobExecutionsRolloutConfig={"exponentialRate": rate}))
    assert want.data["awsJobExecutionsRolloutConfig"] == {
        "exponentialRate": {"baseRatePerMinute": 10, "incrementFactor": 2.0},
        "maximumPerMinute": 1000,
    }


def test_bytes_become_base64_text() -> None:
    """Blobs (bytes, as boto3 returns them) become base64 text in the canonical form."""
    signed = {
        "fileName": "fw.bin",
        "codeSigning": {
            "customCodeSigning": {
                "signature": {"inlineDocument": b"\x00\x01sig"},
                "certificateChain": {"certificateName": "ota-cert"},
                "hashAlgorithm": "SHA256",
                "signatureAlgorithm": "ECDSA",
            }
        },
    }
    have = norm_live(live(otaUpdateFiles=[signed]))
    custom = have.data["files"]["fw.bin"]["codeSigning"]["customCodeSigning"]
    assert custom["signature"] == {"inlineDocument": "AAFzaWc="}
    as_bytearray = copy.deepcopy(signed)
    as_bytearray["codeSigning"]["customCodeSigning"]["signature"]["inlineDocument"] = bytearray(
        b"\x00\x01sig"
    )
    assert norm_declared(declared(files=[as_bytearray])).data == have.data


def test_input_is_never_mutated() -> None:
    """canonical() leaves its input exactly as it was, however much it normalises."""
    config = declared(
        targets=[TARGET_B, TARGET_A, TARGET_B],
        protocols=["MQTT", "HTTP"],
        additionalParameters={},
        awsJobExecutionsRolloutConfig={"exponentialRate": {"baseRatePerMinute": 10}},
        awsJobPresignedUrlConfig={},
        tags=[{"Key": "k", "Value": "v"}],
        files=[
            copy.deepcopy(FW),
            {"fileName": "sig.bin", "attributes": {}, "codeSigning": None},
            {"fileLocation": {"stream": {"streamId": "s9", "fileId": 3}}},
            {
                "fileName": "blob.bin",
                "codeSigning": {"customCodeSigning": {"signature": {"inlineDocument": b"\x01"}}},
            },
        ],
    )
    info = live(
        otaUpdateStatus="CREATE_COMPLETE",
        description=None,
        targets=[TARGET_A, TARGET_A],
        otaUpdateFiles=copy.deepcopy(config["files"]),
    )
    config_before, info_before = copy.deepcopy(config), copy.deepcopy(info)
    want, have = norm_declared(config), norm_live(info)
    assert config == config_before
    assert info == info_before
    # The canonical form shares nothing mutable with the input either.
    want.data["files"]["fw.bin"]["codeSigning"]["awsSignerJobId"] = "changed"
    want.data["awsJobExecutionsRolloutConfig"]["exponentialRate"]["x"] = 1
    have.data["files"]["fw.bin"]["attributes"]["board"] = "changed"
    assert config == config_before
    assert info == info_before
