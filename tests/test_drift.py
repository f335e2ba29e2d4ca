"""Drift: OTA001 changed, OTA002 missing, OTA003 unmanaged, OTA004 not verifiable."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import checker.drift
from checker import audit
from checker.declared import load_declared
from checker.drift import compare
from checker.model import (
    DeclaredUpdate,
    DriftValues,
    Finding,
    LiveUpdate,
    Location,
    Severity,
    SourceError,
)
from checker.normalise import CREATE_ONLY_FIELDS

TARGET_A = "arn:aws:iot:eu-central-1:123456789012:thinggroup/a"
TARGET_B = "arn:aws:iot:eu-central-1:123456789012:thinggroup/b"
TARGET_C = "arn:aws:iot:eu-central-1:123456789012:thinggroup/c"
ROLE = "arn:aws:iam::123456789012:role/ota"

YAML = f"""\
otaUpdates:
  - otaUpdateId: fw-1
    description: Sensor firmware
    targets:
      - {TARGET_B}
      - {TARGET_A}
    protocols: [MQTT]
    awsJobPresignedUrlConfig:
      expiresInSec: 3600
    awsJobExecutionsRolloutConfig:
      exponentialRate:
        baseRatePerMinute: 10
        incrementFactor: 2
        rateIncreaseCriteria:
          numberOfSucceededThings: 50
    files:
      - fileName: boot.bin
        fileLocation:
          s3Location: {{bucket: fw-bucket, key: boot.bin, version: v1}}
      - fileName: fw.bin
        fileLocation:
          stream: {{streamId: s1, fileId: 0}}
        codeSigning:
          awsSignerJobId: job-1
        attributes:
          board: esp32
    roleArn: {ROLE}
"""

BOOT = {
    "fileName": "boot.bin",
    "fileLocation": {"s3Location": {"bucket": "fw-bucket", "key": "boot.bin", "version": "v1"}},
}
FW = {
    "fileName": "fw.bin",
    "fileLocation": {"stream": {"streamId": "s1", "fileId": 0}},
    "codeSigning": {"awsSignerJobId": "job-1"},
    "attributes": {"board": "esp32"},
}


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the only line of `text` containing `needle`."""
    hits = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    assert len(hits) == 1, f"{needle!r} is on lines {hits}"
    return hits[0]


pytestmark = pytest.mark.usefixtures("in_tmp")


def declare(text: str = YAML, name: str = "ota.yaml") -> tuple[DeclaredUpdate, ...]:
    """Load `text` as a declared file in the current (temporary) directory."""
    Path(name).write_text(text, encoding="utf-8")
    return load_declared([name])


def live_info(ota_update_id: str = "fw-1") -> dict[str, Any]:
    """GetOTAUpdate info for YAML, reordered and with server fields, as boto3 returns it."""
    return {
        "otaUpdateId": ota_update_id,
        "otaUpdateArn": f"arn:aws:iot:eu-central-1:123456789012:otaupdate/{ota_update_id}",
        "creationDate": datetime(2026, 11, 19, 10, 0, tzinfo=UTC),
        "lastModifiedDate": datetime(2026, 11, 19, 11, 0, tzinfo=UTC),
        "description": "Sensor firmware",
        "targets": [TARGET_A, TARGET_B],
        "protocols": ["MQTT"],
        "targetSelection": "SNAPSHOT",
        "awsJobPresignedUrlConfig": {"expiresInSec": 3600},
        "awsJobExecutionsRolloutConfig": {
            "maximumPerMinute": 1000,
            "exponentialRate": {
                "baseRatePerMinute": 10,
                "incrementFactor": 2,
                "rateIncreaseCriteria": {"numberOfSucceededThings": 50},
            },
        },
        "otaUpdateFiles": copy.deepcopy([FW, BOOT]),
        "otaUpdateStatus": "CREATE_COMPLETE",
        "awsIotJobId": f"AFR_OTA-{ota_update_id}",
        "awsIotJobArn": f"arn:aws:iot:eu-central-1:123456789012:job/AFR_OTA-{ota_update_id}",
        "additionalParameters": {},
    }


def live(info: dict[str, Any]) -> LiveUpdate:
    return LiveUpdate(info["otaUpdateId"], info, origin="snap.json#otaUpdates[0]")


def by_rule(findings: tuple[Finding, ...], rule_id: str) -> list[Finding]:
    return [f for f in findings if f.rule_id == rule_id]


def changed(
    path: str, desired: Any, actual: Any, line: int, ota_update_id: str = "fw-1"
) -> tuple[Any, ...]:
    """The facts an OTA001 finding must carry (its message is checked separately)."""
    return (
        "OTA001",
        Severity.HIGH,
        ota_update_id,
        "drift",
        path,
        desired,
        actual,
        "ota.yaml",
        line,
    )


def facts(finding: Finding) -> tuple[Any, ...]:
    assert finding.location is not None
    assert finding.drift is not None
    return (
        finding.rule_id,
        finding.severity,
        finding.ota_update_id,
        finding.side,
        finding.path,
        finding.drift.declared,
        finding.drift.live,
        finding.location.file,
        finding.location.line,
    )


def role_ota004(line: int) -> Finding:
    return Finding(
        rule_id="OTA004",
        severity=Severity.INFO,
        ota_update_id="fw-1",
        side="drift",
        path="",
        message="roleArn cannot be verified: GetOTAUpdate does not return it",
        location=Location("ota.yaml", line),
    )


def test_in_sync_update_has_only_the_not_verifiable_finding() -> None:
    """Reordered files and targets, server fields and `{}` live are in sync: no OTA001."""
    result = compare(declare(), [live(live_info())])
    assert result.in_sync == {"fw-1"}
    assert result.drifted == frozenset()
    assert result.findings == (role_ota004(line_of(YAML, "roleArn:")),)


def test_changed_scalar_is_one_exact_ota001() -> None:
    """A changed value is one high OTA001 with path, desired, actual and the key's YAML line."""
    info = live_info()
    info["awsJobPresignedUrlConfig"]["expiresInSec"] = 900
    result = compare(declare(), [live(info)])
    (finding,) = by_rule(result.findings, "OTA001")
    assert facts(finding) == changed(
        "awsJobPresignedUrlConfig.expiresInSec", 3600, 900, line_of(YAML, "expiresInSec:")
    )
    assert finding.message == "awsJobPresignedUrlConfig.expiresInSec: declared 3600, live 900"
    assert result.drifted == {"fw-1"}
    assert result.in_sync == frozenset()


def test_changed_file_field_uses_the_declared_file_name_and_its_line() -> None:
    """A change inside a file is reported as `files[fw.bin]...` at that key's YAML line."""
    info = live_info()
    info["otaUpdateFiles"][0]["codeSigning"]["awsSignerJobId"] = "job-2"
    (finding,) = by_rule(compare(declare(), [live(info)]).findings, "OTA001")
    assert facts(finding) == changed(
        "files[fw.bin].codeSigning.awsSignerJobId",
        "job-1",
        "job-2",
        line_of(YAML, "awsSignerJobId:"),
    )


def test_changed_file_of_a_file_listed_first_points_at_its_own_lines() -> None:
    """The YAML line follows the declared file's position, not the live one's."""
    info = live_info()
    info["otaUpdateFiles"][1]["fileLocation"]["s3Location"]["version"] = "v2"
    (finding,) = by_rule(compare(declare(), [live(info)]).findings, "OTA001")
    assert facts(finding) == changed(
        "files[boot.bin].fileLocation.s3Location.version",
        "v1",
        "v2",
        line_of(YAML, "s3Location:"),
    )


def test_absent_key_points_at_the_nearest_written_ancestor() -> None:
    """A key only live has points at the nearest enclosing key that is written in the YAML."""
    info = live_info()
    criteria = info["awsJobExecutionsRolloutConfig"]["exponentialRate"]["rateIncreaseCriteria"]
    criteria["numberOfNotifiedThings"] = 10
    (finding,) = by_rule(compare(declare(), [live(info)]).findings, "OTA001")
    assert facts(finding) == changed(
        "awsJobExecutionsRolloutConfig.exponentialRate.rateIncreaseCriteria.numberOfNotifiedThings",
        None,
        10,
        line_of(YAML, "rateIncreaseCriteria:"),
    )


def test_absent_file_key_points_at_the_file_item() -> None:
    """A key only the live file has points at that file's item in the YAML list."""
    info = live_info()
    info["otaUpdateFiles"][0]["fileType"] = 3
    (finding,) = by_rule(compare(declare(), [live(info)]).findings, "OTA001")
    assert facts(finding) == changed(
        "files[fw.bin].fileType", None, 3, line_of(YAML, "- fileName: fw.bin")
    )


def test_absent_key_with_no_written_ancestor_points_at_the_entry() -> None:
    """An omitted block whose service default changed live points at the entry's line."""
    text = f"""\
otaUpdates:
  - otaUpdateId: fw-1
    targets: [{TARGET_A}]
    files:
      - fileName: fw.bin
        fileLocation:
          stream: {{streamId: s1, fileId: 0}}
    roleArn: {ROLE}
"""
    info = {
        "otaUpdateId": "fw-1",
        "targets": [TARGET_A],
        "awsJobPresignedUrlConfig": {"expiresInSec": 900},
        "otaUpdateFiles": [{"fileName": "fw.bin", "fileLocation": FW["fileLocation"]}],
    }
    (finding,) = by_rule(compare(declare(text), [live(info)]).findings, "OTA001")
    assert facts(finding) == changed(
        "awsJobPresignedUrlConfig.expiresInSec", 1800, 900, line_of(text, "- otaUpdateId:")
    )
    assert "(service default)" in finding.message


def test_omitted_target_selection_against_non_default_live_is_drift() -> None:
    """An omitted `targetSelection` is the default SNAPSHOT, so CONTINUOUS live is drift."""
    text = YAML.replace("    protocols: [MQTT]\n", "")
    info = live_info()
    info["targetSelection"] = "CONTINUOUS"
    del info["protocols"]
    (finding,) = by_rule(compare(declare(text), [live(info)]).findings, "OTA001")
    assert facts(finding) == changed(
        "targetSelection", "SNAPSHOT", "CONTINUOUS", line_of(text, "- otaUpdateId:")
    )


def test_changed_targets_is_one_finding_with_whole_sorted_lists() -> None:
    """A changed set is one finding whose desired and actual are the whole sorted lists."""
    info = live_info()
    info["targets"] = [TARGET_C, TARGET_A]
    (finding,) = by_rule(compare(declare(), [live(info)]).findings, "OTA001")
    assert facts(finding) == changed(
        "targets", [TARGET_A, TARGET_B], [TARGET_A, TARGET_C], line_of(YAML, "targets:")
    )
    assert TARGET_C in finding.message
    assert TARGET_B in finding.message


def test_changed_protocols_is_one_finding_with_whole_sorted_lists() -> None:
    """Protocols changed live are one finding with both whole lists, sorted."""
    info = live_info()
    info["protocols"] = ["MQTT", "HTTP"]
    (finding,) = by_rule(compare(declare(), [live(info)]).findings, "OTA001")
    assert facts(finding) == changed(
        "protocols", ["MQTT"], ["HTTP", "MQTT"], line_of(YAML, "protocols:")
    )


def test_one_finding_per_differing_path() -> None:
    """Each differing path gets its own OTA001, and nothing else is reported as changed."""
    info = live_info()
    info["description"] = "Other firmware"
    info["otaUpdateFiles"][0]["attributes"]["rev"] = "b"
    info["otaUpdateFiles"][1]["fileVersion"] = "2"
    findings = by_rule(compare(declare(), [live(info)]).findings, "OTA001")
    assert sorted(facts(f) for f in findings) == sorted(
        [
            changed(
                "description", "Sensor firmware", "Other firmware", line_of(YAML, "description:")
            ),
            changed("files[fw.bin].attributes.rev", None, "b", line_of(YAML, "attributes:")),
            changed("files[boot.bin].fileVersion", None, "2", line_of(YAML, "fileName: boot")),
        ]
    )


def test_file_added_live_is_reported_in_declared_terms() -> None:
    """A file only live has is `files[new.bin]`, desired None, at the line of `files:`."""
    info = live_info()
    new = {"fileName": "new.bin", "fileLocation": {"stream": {"streamId": "s2", "fileId": 1}}}
    info["otaUpdateFiles"].append(new)
    (finding,) = by_rule(compare(declare(), [live(info)]).findings, "OTA001")
    assert facts(finding) == changed("files[new.bin]", None, new, line_of(YAML, "files:"))


def test_file_removed_live_points_at_the_declared_file() -> None:
    """A declared file missing live is `files[boot.bin]`, actual None, at that file's item."""
    info = live_info()
    info["otaUpdateFiles"] = [copy.deepcopy(FW)]
    (finding,) = by_rule(compare(declare(), [live(info)]).findings, "OTA001")
    assert facts(finding) == changed(
        "files[boot.bin]", BOOT, None, line_of(YAML, "- fileName: boot.bin")
    )


def test_missing_update_is_ota002() -> None:
    """A declared update with no live counterpart is one high OTA002 at the entry's line."""
    result = compare(declare(), [])
    assert result.findings == (
        Finding(
            rule_id="OTA002",
            severity=Severity.HIGH,
            ota_update_id="fw-1",
            side="drift",
            path="",
            message="declared, but no such OTA update exists live",
            location=Location("ota.yaml", line_of(YAML, "- otaUpdateId:")),
        ),
    )
    assert result.in_sync == frozenset()
    assert result.drifted == frozenset()


def test_unmanaged_update_is_ota003() -> None:
    """A live update nobody declared is one medium OTA003 without a location."""
    result = compare(declare(), [live(live_info()), live(live_info("stray"))])
    (finding,) = by_rule(result.findings, "OTA003")
    assert (
        finding.rule_id,
        finding.severity,
        finding.ota_update_id,
        finding.side,
        finding.path,
        finding.location,
        finding.drift,
    ) == ("OTA003", Severity.MEDIUM, "stray", "drift", "", None, None)
    assert finding.message == "exists live, but is not declared"  # the same from any source
    assert result.in_sync == {"fw-1"}


def test_create_only_fields_are_never_drift_and_get_one_ota004() -> None:
    """Declared create-only fields absent live are no OTA001, and one OTA004 names them all."""
    text = YAML + (
        "    awsJobAbortConfig:\n"
        "      abortCriteriaList:\n"
        "        - {failureType: FAILED, action: CANCEL, thresholdPercentage: 10,"
        " minNumberOfExecutedThings: 5}\n"
        "    awsJobTimeoutConfig: {inProgressTimeoutInMinutes: 60}\n"
        "    tags:\n"
        "      - {Key: team, Value: firmware}\n"
    )
    result = compare(declare(text), [live(live_info())])
    assert by_rule(result.findings, "OTA001") == []
    assert result.in_sync == {"fw-1"}
    (finding,) = result.findings
    assert (
        finding.rule_id,
        finding.severity,
        finding.ota_update_id,
        finding.path,
        finding.drift,
    ) == ("OTA004", Severity.INFO, "fw-1", "", None)
    assert finding.location == Location("ota.yaml", line_of(text, "roleArn:"))
    for field in CREATE_ONLY_FIELDS:
        assert field in finding.message


def test_ota004_names_only_the_declared_create_only_fields() -> None:
    """An update declaring only roleArn gets an OTA004 that names roleArn and no other field."""
    (finding,) = by_rule(compare(declare(), [live(live_info())]).findings, "OTA004")
    assert "roleArn" in finding.message
    for field in ("awsJobAbortConfig", "awsJobTimeoutConfig", "tags"):
        assert field not in finding.message


def test_no_ota004_for_an_update_that_does_not_exist_live() -> None:
    """OTA004 is emitted only for updates that exist live: a missing one gets OTA002 alone."""
    result = compare(declare(), [])
    assert [f.rule_id for f in result.findings] == ["OTA002"]


def test_a_deep_source_leaves_only_role_arn_unverifiable() -> None:
    """The job's abort and timeout configs and the tags a deep source reads are compared, not
    reported as not verifiable; roleArn no API returns."""
    text = YAML.replace(
        "    roleArn:", "    awsJobTimeoutConfig: {inProgressTimeoutInMinutes: 60}\n    roleArn:"
    )
    info = {**live_info(), "awsJobTimeoutConfig": {"inProgressTimeoutInMinutes": 60}}
    (shallow,) = by_rule(compare(declare(text), [live(info)]).findings, "OTA004")
    assert "awsJobTimeoutConfig" in shallow.message
    result = compare(declare(text), [live(info)], deep=True)
    assert [(f.rule_id, f.message) for f in result.findings] == [
        ("OTA004", "roleArn cannot be verified: GetOTAUpdate does not return it")
    ]
    assert result.in_sync == {"fw-1"}


@pytest.mark.parametrize("deep", [False, True], ids=["shallow", "deep"])
def test_the_jobs_health_is_never_drift(deep: bool) -> None:
    """A deep source's `awsIotJob` (the job canceled with force, failing everywhere) is live-only
    health for the rules: no OTA001 on it, no OTA004 for it, and the update stays in sync."""
    health = {
        "status": "CANCELED",
        "forceCanceled": True,
        "jobProcessDetails": {"numberOfSucceededThings": 1, "numberOfFailedThings": 99},
    }
    info = {**live_info(), "awsIotJob": health}
    result = compare(declare(), [live(info)], deep=deep)
    assert result.in_sync == {"fw-1"}
    assert result.drifted == frozenset()
    assert result.findings == (role_ota004(line_of(YAML, "roleArn:")),)


def test_fast_path_never_calls_deepdiff(monkeypatch: pytest.MonkeyPatch) -> None:
    """When the canonical forms are equal, DeepDiff is not called at all."""

    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("DeepDiff called for an in-sync pair")

    monkeypatch.setattr(checker.drift, "DeepDiff", forbidden)
    declared = declare()
    (update,) = declared
    assert list(checker.drift.diff_update(update, live(live_info()))) == []
    result = compare(declared, [live(live_info())])
    assert result.in_sync == {"fw-1"}


def test_deepdiff_is_called_for_a_drifted_pair(monkeypatch: pytest.MonkeyPatch) -> None:
    """The monkeypatch above is effective: a drifted pair goes through checker.drift.DeepDiff."""
    calls: list[int] = []
    real = checker.drift.DeepDiff

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(checker.drift, "DeepDiff", counting)
    info = live_info()
    info["description"] = "Other"
    assert compare(declare(), [live(info)]).drifted == {"fw-1"}
    assert calls == [1]


def test_int_and_float_increment_factor_are_not_drift() -> None:
    """`incrementFactor: 2` declared and `2.0` live are equal, alone or beside other drift."""
    info = live_info()
    info["awsJobExecutionsRolloutConfig"]["exponentialRate"]["incrementFactor"] = 2.0
    assert compare(declare(), [live(info)]).in_sync == {"fw-1"}
    info["description"] = "Other"  # now DeepDiff runs: it must not report the number type
    (finding,) = by_rule(compare(declare(), [live(info)]).findings, "OTA001")
    assert finding.path == "description"


def test_different_increment_factor_is_drift() -> None:
    """A numerically different incrementFactor is drift, with the numbers as they are."""
    info = live_info()
    info["awsJobExecutionsRolloutConfig"]["exponentialRate"]["incrementFactor"] = 2.5
    (finding,) = by_rule(compare(declare(), [live(info)]).findings, "OTA001")
    assert facts(finding) == changed(
        "awsJobExecutionsRolloutConfig.exponentialRate.incrementFactor",
        2,
        2.5,
        line_of(YAML, "incrementFactor:"),
    )


def test_server_fields_are_never_drift() -> None:
    """A failed status, other job ids and an errorInfo live are not drift."""
    info = live_info()
    info["otaUpdateStatus"] = "CREATE_FAILED"
    info["awsIotJobId"] = "other"
    info["errorInfo"] = {"code": "X", "message": "failed"}
    info["lastModifiedDate"] = datetime(2027, 1, 1, tzinfo=UTC)
    assert compare(declare(), [live(info)]).in_sync == {"fw-1"}


def test_unreadable_ids_are_neither_missing_nor_in_sync() -> None:
    """An update the source could not read gets no OTA002 and is counted nowhere."""
    result = compare(declare(), [], unreadable={"fw-1"})
    assert result.findings == ()
    assert result.in_sync == frozenset()
    assert result.drifted == frozenset()


class _Source:
    """A state source yielding prepared items, as the AWS source would on a read error."""

    deep = False

    def __init__(self, items: list[LiveUpdate | SourceError]) -> None:
        self.items = items

    def fetch(self) -> Iterator[LiveUpdate | SourceError]:
        yield from self.items

    @property
    def captured_at(self) -> datetime | None:
        return None


def test_audit_carries_source_errors_and_counts_the_update_nowhere() -> None:
    """Through audit.check, an unreadable update is neither missing nor in sync, and is an error."""
    text = YAML + YAML.replace("otaUpdates:\n", "").replace("fw-1", "fw-2")
    error = SourceError("fw-2", "GetOTAUpdate", "AccessDeniedException", "not allowed")
    report = audit.check(declare(text), _Source([live(live_info()), error]))
    assert report.errors == (error,)
    assert not report.complete
    summary = report.summary
    assert (
        summary.declared,
        summary.live,
        summary.in_sync,
        summary.drifted,
        summary.missing,
        summary.unmanaged,
    ) == (2, 1, 1, 0, 0, 0)
    drift = [f for f in report.findings if f.side == "drift"]
    assert [(f.ota_update_id, f.rule_id) for f in drift] == [("fw-1", "OTA004")]


def test_declared_blob_as_text_equals_live_bytes() -> None:
    """A signature written as text in YAML equals the same UTF-8 bytes returned live."""
    text = YAML.replace(
        "        codeSigning:\n          awsSignerJobId: job-1\n",
        "        codeSigning:\n"
        "          customCodeSigning:\n"
        "            signature: {inlineDocument: sig}\n",
    )
    info = live_info()
    info["otaUpdateFiles"][0]["codeSigning"] = {
        "customCodeSigning": {"signature": {"inlineDocument": b"sig"}}
    }
    assert compare(declare(text), [live(info)]).in_sync == {"fw-1"}
    info["otaUpdateFiles"][0]["codeSigning"]["customCodeSigning"]["signature"] = {
        "inlineDocument": b"other"
    }
    (finding,) = by_rule(compare(declare(text), [live(info)]).findings, "OTA001")
    assert facts(finding) == changed(
        "files[fw.bin].codeSigning.customCodeSigning.signature.inlineDocument",
        "c2ln",
        "b3RoZXI=",
        line_of(text, "signature:"),
    )


def test_drift_values_are_json_ready() -> None:
    """desired/actual of a finding are a DriftValues of plain JSON data."""
    info = live_info()
    info["awsJobPresignedUrlConfig"] = {"expiresInSec": 60}
    (finding,) = by_rule(compare(declare(), [live(info)]).findings, "OTA001")
    assert finding.drift == DriftValues(3600, 60)


def test_files_gone_live_show_named_and_unnamed_files_as_the_reports_do() -> None:
    """Declared files keyed by name and by position (one has no fileName), none live: one
    finding, its value written as the reports write drift values (keys as text, sorted), not
    a TypeError from sorting a name against a position."""
    unnamed = "      - fileLocation:"
    text = YAML.replace("      - fileName: boot.bin\n        fileLocation:", unnamed)
    info = live_info()
    del info["otaUpdateFiles"]
    (finding,) = by_rule(compare(declare(text), [live(info)]).findings, "OTA001")
    assert finding.path == "files"
    assert finding.message.startswith('files: declared {"0": {"fileLocation": {"s3Location": ')
    assert finding.message.endswith("..., live absent")
    assert finding.location == Location("ota.yaml", line_of(text, "files:"))
