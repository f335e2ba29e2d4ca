"""`ota-drift import`: exact files in each format, the round trip back to zero drift, and
that nothing is ever half-written or overwritten without --force."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.cli import main
from checker.importing.cloudformation import logical_ids
from checker.importing.split import is_numbered, numbered, packed
from checker.importing.yamltext import yaml_text
from checker.yamlsafe import load_located
from tests.support.builders import ACCOUNT, REGION, TARGET, live_info, snapshot
from tests.support.iot_endpoint import LocalIot
from tests.support.offline_aws import offline_aws

pytestmark = pytest.mark.usefixtures("in_tmp")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "live-snapshot.json"
ROLE = "arn:aws:iam::123456789012:role/ota"
SIGNATURE = b"MEUCIQ-text-signature"
DER_SIGNATURE = b"\x30\x45\x02\x21\x00\xf1signature\x80\xff"
FORMATS = ("ota-drift", "cli-input", "cloudformation")
DRIFT_RULES = ("OTA001", "OTA002", "OTA003")
ROLE_NOT_VERIFIABLE = "roleArn cannot be verified: GetOTAUpdate does not return it"
"""OTA004's message on every imported update: the one field a check can never compare."""
ABORT = [
    {
        "failureType": "FAILED",
        "action": "CANCEL",
        "thresholdPercentage": 10.0,
        "minNumberOfExecutedThings": 10,
    }
]
SHALLOW_NOTE = (
    "note: awsJobAbortConfig, awsJobTimeoutConfig, tags were not read, so not written: import "
    "--deep (or --state with a snapshot taken with --deep) writes them.\n"
)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """main(argv): exit code, stdout, stderr."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def import_state(
    capsys: pytest.CaptureFixture[str], state: str, *extra: str, to: str = "ota"
) -> tuple[int, str, str]:
    """`ota-drift import --state STATE --role-arn ROLE -o TO EXTRA...`."""
    return run(capsys, "import", "--state", state, "--role-arn", ROLE, "-o", to, *extra)


def server_fields(ota_id: str, **extra: Any) -> dict[str, Any]:
    """What the service sets on an update (never declared), and the `{}` it reports unset."""
    return {
        "otaUpdateArn": f"arn:aws:iot:{REGION}:{ACCOUNT}:otaupdate/{ota_id}",
        "creationDate": "2026-11-03T09:12:44+00:00",
        "lastModifiedDate": "2026-11-03T09:14:02+00:00",
        "otaUpdateStatus": "CREATE_COMPLETE",
        "awsIotJobId": f"AFR_OTA-{ota_id}",
        "awsIotJobArn": f"arn:aws:iot:{REGION}:{ACCOUNT}:job/AFR_OTA-{ota_id}",
        "additionalParameters": {},
        **extra,
    }


def signed_file(signature: bytes) -> dict[str, Any]:
    return {
        "fileName": "fw.bin",
        "fileVersion": "1.0",
        "fileLocation": {"stream": {"streamId": "s1", "fileId": 0}},
        "codeSigning": {
            "customCodeSigning": {
                "signature": {"inlineDocument": base64.b64encode(signature).decode()},
                "certificateChain": {"certificateName": "/certs/signer.pem"},
                "hashAlgorithm": "SHA256",
                "signatureAlgorithm": "ECDSA",
            }
        },
        "attributes": {},
    }


def deep_snapshot(signature: bytes = SIGNATURE) -> dict[str, Any]:
    """Two updates recorded with --deep: fw-1 with its job's configs, health (never declared),
    tags and a signature; fw_2, whose creation failed, with no job and nothing set but what
    is required."""
    fw1 = {
        "otaUpdateId": "fw-1",
        **server_fields("fw-1"),
        "description": "Firmware 1.0",
        "targets": [TARGET],
        "protocols": ["MQTT"],
        "awsJobExecutionsRolloutConfig": {"maximumPerMinute": 50},
        "awsJobPresignedUrlConfig": {},
        "targetSelection": "SNAPSHOT",
        "otaUpdateFiles": [signed_file(signature)],
        "awsJobAbortConfig": {"abortCriteriaList": ABORT},
        "awsJobTimeoutConfig": {"inProgressTimeoutInMinutes": 60},
        "tags": [{"Key": "team", "Value": "firmware"}],
        "awsIotJob": {
            "status": "IN_PROGRESS",
            "forceCanceled": False,
            "jobProcessDetails": {"numberOfSucceededThings": 40, "numberOfQueuedThings": 60},
        },
    }
    fw2 = live_info("fw_2", **server_fields("fw_2", otaUpdateStatus="CREATE_FAILED"))
    fw2["errorInfo"] = {"code": "AccessDenied", "message": "the role cannot read the stream"}
    del fw2["awsIotJobId"], fw2["awsIotJobArn"]
    return snapshot(fw1, fw2, deep=True)


def write_state(doc: dict[str, Any], name: str = "state.json") -> str:
    Path(name).write_text(json.dumps(doc), encoding="utf-8")
    return name


def drift_of(capsys: pytest.CaptureFixture[str], *check: str) -> tuple[dict[str, Any], list[str]]:
    """`ota-drift check ... --format json`: the summary and each drift rule finding."""
    code, out, err = run(capsys, "check", *check, "--format", "json")
    assert code in (0, 1), err
    report = json.loads(out)
    rules = [f"{f['ruleId']} {f['otaUpdateId']} {f['message']}" for f in report["findings"]]
    return report["summary"], [r for r in rules if r.split()[0] in (*DRIFT_RULES, "OTA004")]


def files_in(folder: str) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(Path(folder).iterdir())}


# --------------------------------------------------------------------------------------------
# the files, exactly

OTA_DRIFT_FILE = """\
# roleArn is the --role-arn given: no AWS API returns an OTA update's role.
otaUpdates:
  - otaUpdateId: fw-1
    description: Firmware 1.0
    targets:
      - arn:aws:iot:eu-central-1:123456789012:thinggroup/sensors
    protocols:
      - MQTT
    targetSelection: SNAPSHOT
    awsJobExecutionsRolloutConfig:
      maximumPerMinute: 50
    awsJobAbortConfig:
      abortCriteriaList:
        - failureType: FAILED
          action: CANCEL
          thresholdPercentage: 10.0
          minNumberOfExecutedThings: 10
    awsJobTimeoutConfig:
      inProgressTimeoutInMinutes: 60
    files:
      - fileName: fw.bin
        fileVersion: '1.0'
        fileLocation:
          stream:
            streamId: s1
            fileId: 0
        codeSigning:
          customCodeSigning:
            signature:
              inlineDocument: MEUCIQ-text-signature
            certificateChain:
              certificateName: /certs/signer.pem
            hashAlgorithm: SHA256
            signatureAlgorithm: ECDSA
    roleArn: arn:aws:iam::123456789012:role/ota
    tags:
      - Key: team
        Value: firmware
  - otaUpdateId: fw_2
    targets:
      - arn:aws:iot:eu-central-1:123456789012:thinggroup/sensors
    files:
      - fileName: fw.bin
        fileLocation:
          stream:
            streamId: s1
            fileId: 0
    roleArn: arn:aws:iam::123456789012:role/ota
"""


def test_ota_drift_file_is_exact(capsys: pytest.CaptureFixture[str]) -> None:
    """Server fields and `{}` left out, files renamed, members in CreateOTAUpdate's order, the
    deep fields written, roleArn as given; a UTF-8 signature as its text."""
    state = write_state(deep_snapshot())
    code, out, err = import_state(capsys, state)
    assert (code, out, err) == (0, "", "ota-drift: wrote ota/ota-updates.yaml (2 updates)\n")
    assert files_in("ota") == {"ota-updates.yaml": OTA_DRIFT_FILE}


def test_ota_drift_writes_a_binary_signature_as_binary(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Bytes that are not UTF-8 text are `!!binary`, and read back as the same bytes."""
    state = write_state(deep_snapshot(DER_SIGNATURE))
    assert import_state(capsys, state)[0] == 0
    text = Path("ota/ota-updates.yaml").read_text(encoding="utf-8")
    assert "              inlineDocument: !!binary MEUCIQDxc2lnbmF0dXJlgP8=\n" in text
    summary, drift = drift_of(capsys, "ota", "--state", state)
    assert summary["inSync"] == 2
    assert drift == [
        f"OTA004 fw-1 {ROLE_NOT_VERIFIABLE}",
        f"OTA004 fw_2 {ROLE_NOT_VERIFIABLE}",
    ]


CLI_INPUT_FW_2 = """\
{
    "otaUpdateId": "fw_2",
    "targets": [
        "arn:aws:iot:eu-central-1:123456789012:thinggroup/sensors"
    ],
    "files": [
        {
            "fileName": "fw.bin",
            "fileLocation": {
                "stream": {
                    "streamId": "s1",
                    "fileId": 0
                }
            }
        }
    ],
    "roleArn": "arn:aws:iam::123456789012:role/ota"
}
"""


def test_cli_input_writes_one_exact_file_per_update(capsys: pytest.CaptureFixture[str]) -> None:
    """`<otaUpdateId>.json`, create-ota-update's parameters indented as the CLI's skeleton."""
    state = write_state(deep_snapshot())
    code, out, err = import_state(capsys, state, "--format", "cli-input")
    assert (code, out) == (0, "")
    assert (
        err
        == "ota-drift: wrote ota/fw-1.json (1 update)\nota-drift: wrote ota/fw_2.json (1 update)\n"
    )
    written = files_in("ota")
    assert list(written) == ["fw-1.json", "fw_2.json"]
    assert written["fw_2.json"] == CLI_INPUT_FW_2
    fw1 = json.loads(written["fw-1.json"])
    assert list(fw1) == [
        "otaUpdateId",
        "description",
        "targets",
        "protocols",
        "targetSelection",
        "awsJobExecutionsRolloutConfig",
        "awsJobAbortConfig",
        "awsJobTimeoutConfig",
        "files",
        "roleArn",
        "tags",
    ]
    assert fw1["files"][0]["codeSigning"]["customCodeSigning"]["signature"] == {
        "inlineDocument": base64.b64encode(SIGNATURE).decode()  # as AWS CLI v2 reads blobs
    }
    assert fw1["tags"] == [{"Key": "team", "Value": "firmware"}]


CLOUDFORMATION_TEMPLATE = """\
# roleArn is the --role-arn given: no AWS API returns an OTA update's role.
AWSTemplateFormatVersion: '2010-09-09'
Description: AWS IoT OTA updates, declared from live state by ota-drift import
Resources:
  Fw1:
    Type: AWS::IoT::OTAUpdate
    DeletionPolicy: Retain
    UpdateReplacePolicy: Retain
    Properties:
      OtaUpdateId: fw-1
      Description: Firmware 1.0
      Targets:
        - arn:aws:iot:eu-central-1:123456789012:thinggroup/sensors
      Protocols:
        - MQTT
      TargetSelection: SNAPSHOT
      AwsJobExecutionsRolloutConfig:
        MaximumPerMinute: 50
      AwsJobAbortConfig:
        AbortCriteriaList:
          - FailureType: FAILED
            Action: CANCEL
            ThresholdPercentage: 10.0
            MinNumberOfExecutedThings: 10
      AwsJobTimeoutConfig:
        InProgressTimeoutInMinutes: 60
      Files:
        - FileName: fw.bin
          FileVersion: '1.0'
          FileLocation:
            Stream:
              StreamId: s1
              FileId: 0
          CodeSigning:
            CustomCodeSigning:
              Signature:
                InlineDocument: TUVVQ0lRLXRleHQtc2lnbmF0dXJl
              CertificateChain:
                CertificateName: /certs/signer.pem
              HashAlgorithm: SHA256
              SignatureAlgorithm: ECDSA
      RoleArn: arn:aws:iam::123456789012:role/ota
      Tags:
        - Key: team
          Value: firmware
  Fw2:
    Type: AWS::IoT::OTAUpdate
    DeletionPolicy: Retain
    UpdateReplacePolicy: Retain
    Properties:
      OtaUpdateId: fw_2
      Targets:
        - arn:aws:iot:eu-central-1:123456789012:thinggroup/sensors
      Files:
        - FileName: fw.bin
          FileLocation:
            Stream:
              StreamId: s1
              FileId: 0
      RoleArn: arn:aws:iam::123456789012:role/ota
"""


def test_cloudformation_template_is_exact(capsys: pytest.CaptureFixture[str]) -> None:
    """PascalCase properties, Tags as {Key, Value}, the signature in base64 (InlineDocument),
    logical IDs from the ids, Retain policies."""
    state = write_state(deep_snapshot())
    code, out, err = import_state(capsys, state, "--format", "cloudformation", to="cfn")
    assert (code, out) == (0, "")
    assert err == "ota-drift: wrote cfn/ota-updates.template.yaml (2 updates)\n"
    assert files_in("cfn") == {"ota-updates.template.yaml": CLOUDFORMATION_TEMPLATE}


def test_without_deep_the_file_says_what_was_not_read(capsys: pytest.CaptureFixture[str]) -> None:
    """A shallow snapshot: no abort, timeout or tags are written, and both file and stderr say
    so rather than declare them absent by omission."""
    state = write_state(snapshot(live_info("fw-1")))
    code, out, err = import_state(capsys, state)
    assert (code, out) == (0, "")
    assert err == SHALLOW_NOTE + "ota-drift: wrote ota/ota-updates.yaml (1 update)\n"
    assert Path("ota/ota-updates.yaml").read_text(encoding="utf-8") == (
        "# roleArn is the --role-arn given: no AWS API returns an OTA update's role.\n"
        "# awsJobAbortConfig, awsJobTimeoutConfig, tags were not read, so not written: import "
        "--deep (or\n"
        "# --state with a snapshot taken with --deep) writes them.\n"
        "otaUpdates:\n"
        "  - otaUpdateId: fw-1\n"
        "    targets:\n"
        f"      - {TARGET}\n"
        "    files:\n"
        "      - fileName: fw.bin\n"
        "        fileLocation:\n"
        "          stream:\n"
        "            streamId: s1\n"
        "            fileId: 0\n"
        f"    roleArn: {ROLE}\n"
    )


# --------------------------------------------------------------------------------------------
# the round trip: check on what import wrote reports no drift


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_of_the_bundled_example_reports_no_drift(
    capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    """The example's six updates (cam-fw-0 with a DER signature), every one in sync; only
    roleArn, which no API returns, is unverifiable (OTA004)."""
    state = str(EXAMPLE)
    assert import_state(capsys, state, "--format", fmt)[0] == 0
    summary, drift = drift_of(capsys, "ota", "--state", state)
    ids = sorted(u["otaUpdateId"] for u in json.loads(EXAMPLE.read_text())["otaUpdates"])
    assert len(ids) == 6
    assert (summary["declared"], summary["live"], summary["inSync"]) == (len(ids),) * 3
    assert (summary["drifted"], summary["missing"], summary["unmanaged"]) == (0, 0, 0)
    assert drift == [f"OTA004 {i} {ROLE_NOT_VERIFIABLE}" for i in ids]


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_of_a_deep_snapshot_reports_no_drift(
    capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    """Abort and timeout config and tags are declared, and compared (no OTA004 for them)."""
    state = write_state(deep_snapshot())
    import_state(capsys, state, "--format", fmt)
    summary, drift = drift_of(capsys, "ota", "--state", state)
    assert (summary["inSync"], summary["drifted"]) == (2, 0)
    assert drift == [
        f"OTA004 fw-1 {ROLE_NOT_VERIFIABLE}",
        f"OTA004 fw_2 {ROLE_NOT_VERIFIABLE}",
    ]


def test_round_trip_finds_drift_the_import_did_not_see(capsys: pytest.CaptureFixture[str]) -> None:
    """The declarations pin the live values: a later change live is OTA001 drift."""
    state = write_state(deep_snapshot())
    import_state(capsys, state)
    changed = deep_snapshot()
    changed["otaUpdates"][0]["awsJobTimeoutConfig"] = {"inProgressTimeoutInMinutes": 90}
    _, drift = drift_of(capsys, "ota", "--state", write_state(changed, "later.json"))
    assert drift[0] == (
        "OTA001 fw-1 awsJobTimeoutConfig.inProgressTimeoutInMinutes: declared 60, live 90"
    )


# --------------------------------------------------------------------------------------------
# what a format cannot declare: nothing written


def test_cloudformation_refuses_a_map_key_read_as_an_intrinsic(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A file attribute named `Ref` would be read as a reference by CloudFormation."""
    info = live_info("fw-1")
    info["otaUpdateFiles"][0]["attributes"] = {"Ref": "board"}
    state = write_state(snapshot(info))
    code, _, err = import_state(capsys, state, "--format", "cloudformation", to="cfn")
    assert code == 2
    assert err == (
        "ota-drift: fw-1: files[0].attributes.Ref: CloudFormation reads the key 'Ref' as an "
        "intrinsic function, so a template cannot declare it as data; --format ota-drift or "
        "cli-input can\n"
        "ota-drift: 1 update(s) cannot be declared as cloudformation; nothing written\n"
    )
    assert not Path("cfn").exists()


def test_cli_input_refuses_ids_that_differ_only_in_case(capsys: pytest.CaptureFixture[str]) -> None:
    """FW.json and fw.json are one file on macOS and Windows: refused on every system alike."""
    state = write_state(snapshot(live_info("FW"), live_info("fw")))
    code, _, err = import_state(capsys, state, "--format", "cli-input")
    assert code == 2
    assert err == (
        "ota-drift: fw: its file fw.json differs from FW.json only in case, one file on a "
        "case-insensitive file system (macOS, Windows); --format ota-drift or cloudformation "
        "write updates to shared files\n"
        "ota-drift: 1 update(s) cannot be declared as cli-input; nothing written\n"
    )
    assert not Path("ota").exists()


def test_a_live_value_the_create_model_refuses_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    """A targetSelection AWS added after this botocore: the declaration would be refused, so
    the import is, naming the update and path."""
    state = write_state(snapshot(live_info("fw-1", targetSelection="ROLLING")))
    code, _, err = import_state(capsys, state)
    assert code == 2
    assert err == (
        "ota-drift: fw-1: targetSelection must be one of CONTINUOUS, SNAPSHOT, not 'ROLLING'\n"
        "ota-drift: 1 update(s) cannot be declared as ota-drift; nothing written\n"
    )


def test_no_live_updates_writes_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    state = write_state(snapshot(deep=True))
    code, _, err = import_state(capsys, state)
    assert (code, err) == (0, "ota-drift: no live OTA updates; nothing written\n")
    assert not Path("ota").exists()


# --------------------------------------------------------------------------------------------
# existing files, --force, the arguments


def test_an_existing_file_is_refused_before_the_state_is_read(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A one-file format knows its file up front: the refusal comes before --state is read
    (the state named here does not even exist), and the file is left as it was."""
    Path("ota").mkdir()
    Path("ota/ota-updates.yaml").write_text("mine\n", encoding="utf-8")
    code, out, err = import_state(capsys, "missing.json")
    assert (code, out) == (2, "")
    assert err == (
        "ota-drift: error: --output ota: 1 file(s) exist already (ota/ota-updates.yaml): "
        "nothing written; --force replaces them\n"
    )
    assert files_in("ota") == {"ota-updates.yaml": "mine\n"}


def test_one_existing_cli_input_file_means_none_is_written(
    capsys: pytest.CaptureFixture[str],
) -> None:
    state = write_state(deep_snapshot())
    Path("ota").mkdir()
    Path("ota/fw_2.json").write_text("{}\n", encoding="utf-8")
    code, _, err = import_state(capsys, state, "--format", "cli-input")
    assert code == 2
    assert err == (
        "ota-drift: error: --output ota: 1 file(s) exist already (ota/fw_2.json): "
        "nothing written; --force replaces them\n"
    )
    assert files_in("ota") == {"fw_2.json": "{}\n"}


def test_force_replaces_existing_files_and_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    """--force: the existing file is replaced, a new one written, and stderr tells which."""
    state = write_state(deep_snapshot())
    Path("ota").mkdir()
    Path("ota/fw_2.json").write_text("{}\n", encoding="utf-8")
    Path("ota/README.md").write_text("kept\n", encoding="utf-8")
    code, _, err = import_state(capsys, state, "--format", "cli-input", "--force")
    assert code == 0
    assert err == (
        "ota-drift: wrote ota/fw-1.json (1 update)\nota-drift: replaced ota/fw_2.json (1 update)\n"
    )
    written = files_in("ota")
    assert written["fw_2.json"] == CLI_INPUT_FW_2
    assert written["README.md"] == "kept\n"


def stale_error(count: int, *paths: str) -> str:
    shown = ", ".join(paths) + (", ..." if count > len(paths) else "")
    return (
        f"ota-drift: error: --output ota: {count} declaration file(s) the import would not "
        f"write ({shown}): nothing written; they would be audited with the import: import "
        "into an empty folder or remove them\n"
    )


def test_force_into_a_bigger_split_import_is_refused_until_the_rest_is_removed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """1,001 updates are three templates; a later import of one, even with --force, would
    replace only the first and leave 1,000 declared updates gone live: refused once the names
    are known, naming the two left over, nothing changed. Removed, the re-import is in sync."""
    big = write_state(snapshot(*(live_info(f"fw-{n:04}") for n in range(1001)), deep=True))
    assert import_state(capsys, big, "--format", "cloudformation")[0] == 0
    before = files_in("ota")
    assert sorted(before) == [
        "ota-updates-2.template.yaml",
        "ota-updates-3.template.yaml",
        "ota-updates.template.yaml",
    ]
    small = write_state(snapshot(live_info("fw-0000"), deep=True), "small.json")
    code, out, err = import_state(capsys, small, "--format", "cloudformation", "--force")
    assert (code, out) == (2, "")
    assert err == stale_error(
        2, "ota/ota-updates-2.template.yaml", "ota/ota-updates-3.template.yaml"
    )
    assert files_in("ota") == before
    for name in ("ota-updates-2.template.yaml", "ota-updates-3.template.yaml"):
        Path("ota", name).unlink()
    code, _, err = import_state(capsys, small, "--format", "cloudformation", "--force")
    assert (code, err) == (0, "ota-drift: replaced ota/ota-updates.template.yaml (1 update)\n")
    summary, drift = drift_of(capsys, "ota", "--state", small)
    assert (summary["declared"], summary["live"], summary["inSync"]) == (1, 1, 1)
    assert (summary["drifted"], summary["missing"], summary["unmanaged"]) == (0, 0, 0)
    assert drift == [f"OTA004 fw-0000 {ROLE_NOT_VERIFIABLE}"]


@pytest.mark.parametrize("force", [(), ("--force",)])
def test_cli_input_into_a_folder_of_old_declarations_is_refused(
    capsys: pytest.CaptureFixture[str], force: tuple[str, ...]
) -> None:
    """Old `<id>.json` files of updates no longer live would be audited as missing updates:
    refused, with or without --force, before the one that would be replaced is mentioned."""
    state = write_state(deep_snapshot())
    Path("ota").mkdir()
    for name in ("fw-0.json", "fw-1.json", "fw-9.json"):
        Path("ota", name).write_text("{}\n", encoding="utf-8")
    code, _, err = import_state(capsys, state, "--format", "cli-input", *force)
    assert (code, err) == (2, stale_error(2, "ota/fw-0.json", "ota/fw-9.json"))
    assert files_in("ota") == dict.fromkeys(("fw-0.json", "fw-1.json", "fw-9.json"), "{}\n")


@pytest.mark.parametrize(
    ("fmt", "names"),
    [
        ("ota-drift", ["ota-updates.template.yaml", "z.yml"]),
        ("ota-drift", ["ota-updates-01.yaml", "ota-updates-1.yaml", ".hidden.YAML"]),
        ("cloudformation", ["ota-updates.yaml"]),
        ("cli-input", ["fw.1.json", "fw-1.JSON", "Fw-1.Json", "ota-updates.yaml", "x.template"]),
    ],
)
@pytest.mark.parametrize("force", [(), ("--force",)])
def test_declarations_the_format_never_writes_are_refused_before_the_state_is_read(
    capsys: pytest.CaptureFixture[str], fmt: str, names: list[str], force: tuple[str, ...]
) -> None:
    """Names no live state makes this format write (and any declaration in a subfolder) are
    known up front: refused before --state is read (it does not even exist). Five are named."""
    Path("ota/sub").mkdir(parents=True)
    names = [*names, "sub/ota-updates.yaml"]
    for name in names:
        Path("ota", name).write_text("{}\n", encoding="utf-8")
    code, _, err = import_state(capsys, "missing.json", "--format", fmt, *force)
    shown = sorted(f"ota/{name}" for name in names)
    assert (code, err) == (2, stale_error(len(shown), *shown[:5]))


def test_a_folder_holding_only_a_readme_is_imported_into(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """README.md is not a declaration: the import writes beside it, and the round trip is
    in sync."""
    state = write_state(deep_snapshot())
    Path("ota").mkdir()
    Path("ota/README.md").write_text("# our fleet\n", encoding="utf-8")
    code, _, err = import_state(capsys, state)
    assert (code, err) == (0, "ota-drift: wrote ota/ota-updates.yaml (2 updates)\n")
    assert files_in("ota") == {"README.md": "# our fleet\n", "ota-updates.yaml": OTA_DRIFT_FILE}
    summary, _ = drift_of(capsys, "ota", "--state", state)
    assert (summary["declared"], summary["inSync"], summary["drifted"]) == (2, 2, 0)


def test_the_state_file_is_never_replaced(capsys: pytest.CaptureFixture[str]) -> None:
    """Even with --force, an output that is the --state file is refused."""
    Path("ota").mkdir()
    state = write_state(deep_snapshot(), "ota/ota-updates.yaml")
    code, _, err = import_state(capsys, state, "--force")
    assert code == 2
    assert err == ("ota-drift: error: --output ota/ota-updates.yaml: is also an input (--state)\n")


def test_role_arn_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["import", "--state", "s.json", "-o", "ota"])
    assert exit_.value.code == 2
    assert capsys.readouterr().err == (
        "ota-drift import: error: the following arguments are required: --role-arn\n"
    )


def test_a_role_arn_botocore_would_refuse_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run(capsys, "import", "--state", "s.json", "--role-arn", "role", "-o", "ota")
    assert (code, err) == (
        2,
        "ota-drift: error: --role-arn: roleArn must have at least 20 characters\n",
    )


def test_output_that_is_a_file_or_empty_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    Path("ota").write_text("a file\n", encoding="utf-8")
    code, _, err = import_state(capsys, "s.json")
    assert (code, err) == (2, "ota-drift: error: --output ota: is a file, not a folder\n")
    code, _, err = import_state(capsys, "s.json", to="")
    assert (code, err) == (2, "ota-drift: error: --output: the path is empty\n")


SCALARS = (
    st.text()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.booleans()
    | st.binary()
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(), VALUES, max_size=4))
def test_yaml_text_reads_back_as_the_same_data(data: dict[str, Any]) -> None:
    """Whatever the strings hold (`yes`, `0755`, `: `, `#`, line breaks, U+2028, control
    characters), the text yamlsafe reads is the data written."""
    text = yaml_text(data, ["a comment: with # and a line\nbreak"])
    assert load_located(text, "x.yaml")[0] == (data or None)


def test_packed_files_keep_the_first_name_and_number_the_rest() -> None:
    """Items in order, as many as fit in bytes and count (at least one each), the number
    before the first dot."""
    files = packed(
        "ota-updates.template.yaml",
        "H\n",
        ["aa\n", "b\n", "c\n", "dddd\n"],
        max_bytes=7,
        max_items=2,
    )
    assert [(f.name, f.text, f.updates) for f in files] == [
        ("ota-updates.template.yaml", "H\naa\nb\n", 2),
        ("ota-updates-2.template.yaml", "H\nc\n", 1),
        ("ota-updates-3.template.yaml", "H\ndddd\n", 1),
    ]


def test_only_the_names_packed_gives_are_numbered() -> None:
    name = "ota-updates.template.yaml"
    assert [is_numbered(numbered(name, n), name) for n in (1, 2, 10, 123)] == [True] * 4
    others = [
        "ota-updates-1.template.yaml",
        "ota-updates-02.template.yaml",
        "ota-updates-.template.yaml",
    ]
    others += ["ota-updates-\u0663.template.yaml", "ota-updates-2.yaml", "ota-updates.yaml"]
    assert [is_numbered(other, name) for other in others] == [False] * len(others)


def test_cloudformation_writes_a_template_per_500_updates(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """CloudFormation takes at most 500 resources in a stack: 501 updates are two templates,
    and check reads both back in sync."""
    infos = [live_info(f"fw-{n:03}") for n in range(501)]
    state = write_state(snapshot(*infos, deep=True))
    code, _, err = import_state(capsys, state, "--format", "cloudformation")
    assert (code, err) == (
        0,
        "ota-drift: wrote ota/ota-updates.template.yaml (500 updates)\n"
        "ota-drift: wrote ota/ota-updates-2.template.yaml (1 update)\n",
    )
    assert "  Fw500:\n" in Path("ota/ota-updates-2.template.yaml").read_text(encoding="utf-8")
    summary, _ = drift_of(capsys, "ota", "--state", state)
    assert (summary["declared"], summary["inSync"], summary["drifted"]) == (501, 501, 0)


def test_logical_ids_are_valid_unique_and_stable() -> None:
    """Letters and digits only, never starting with a digit, no two alike, and an id's
    logical ID never taken by another id's collision suffix."""
    ids = ["fw-1", "fw_1", "Fw1", "fw-12", "2026-11", "-", "sensor-fw-2026-11"]
    assert logical_ids(ids) == [
        "Fw1",
        "Fw13",
        "Fw14",
        "Fw12",
        "OtaUpdate202611",
        "OtaUpdate",
        "SensorFw202611",
    ]


# --------------------------------------------------------------------------------------------
# from AWS (LocalIot on 127.0.0.1)


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch, in_tmp: Path) -> None:
    offline_aws(monkeypatch, in_tmp, region=REGION)


def aws_args(iot: LocalIot, *extra: str) -> list[str]:
    return ["--region", REGION, "--endpoint-url", iot.url, "--max-rps", "500", "--quiet", *extra]


def seed(iot: LocalIot) -> None:
    iot.put(
        {
            "otaUpdateId": "fw-1",
            "description": "Firmware 1.0",
            "targets": [TARGET],
            "protocols": ["MQTT", "HTTP"],
            "awsJobPresignedUrlConfig": {"expiresInSec": 900},
            "otaUpdateFiles": [signed_file(DER_SIGNATURE)],
        },
        abort=ABORT,
        timeout=60,
        tags={"team": "firmware"},
        role_arn=ROLE,
    )
    iot.put(live_info("fw-2"))


@pytest.mark.usefixtures("aws")
@pytest.mark.parametrize("fmt", FORMATS)
def test_import_deep_from_aws_reports_no_drift_against_aws(
    capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    """`import --region --deep`, then `check --region --deep` on the files: all in sync, the
    job's configs and the tags compared, only roleArn unverifiable."""
    with LocalIot(region=REGION) as iot:
        seed(iot)
        argv = ["import", *aws_args(iot, "--deep"), "--role-arn", ROLE, "-o", "ota"]
        code, _, err = run(capsys, *argv, "--format", fmt)
        assert code == 0, err
        summary, drift = drift_of(capsys, "ota", *aws_args(iot, "--deep"))
    assert (summary["inSync"], summary["drifted"]) == (2, 0)
    assert drift == [
        f"OTA004 fw-1 {ROLE_NOT_VERIFIABLE}",
        f"OTA004 fw-2 {ROLE_NOT_VERIFIABLE}",
    ]


@pytest.mark.usefixtures("aws")
def test_an_unreadable_update_means_nothing_is_written(capsys: pytest.CaptureFixture[str]) -> None:
    """One AccessDenied update: exit 2, the error named, no folder; a partial import would
    look like a fleet with an update missing."""
    with LocalIot(region=REGION, access_denied={"fw-2"}) as iot:
        seed(iot)
        code, out, err = run(capsys, "import", *aws_args(iot), "--role-arn", ROLE, "-o", "ota")
    assert (code, out) == (2, "")
    assert err == (
        f"ota-drift: fw-2: GetOTAUpdate: AccessDeniedException: User: arn:aws:iam::{ACCOUNT}"
        ":user/testing is not authorized to perform: iot:GetOTAUpdate on resource: "
        f"arn:aws:iot:{REGION}:{ACCOUNT}:otaupdate/fw-2\n"
        "ota-drift: 1 read error(s); nothing written\n"
    )
    assert not Path("ota").exists()


@pytest.mark.usefixtures("aws")
def test_an_update_deleted_while_reading_is_left_out_with_a_note(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with LocalIot(region=REGION, delete_after_list={"fw-2"}) as iot:
        seed(iot)
        code, _, err = run(capsys, "import", *aws_args(iot), "--role-arn", ROLE, "-o", "ota")
    assert code == 0
    assert err == (
        "note: fw-2: deleted between ListOTAUpdates and GetOTAUpdate\n"
        + SHALLOW_NOTE
        + "ota-drift: wrote ota/ota-updates.yaml (1 update)\n"
    )


@pytest.mark.usefixtures("aws")
def test_cli_input_files_are_what_create_ota_update_takes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Each file, passed as create_ota_update's kwargs (what --cli-input-json does: AWS CLI v2
    decodes the base64 signature first) to an empty account, creates the same update: a
    snapshot of that account has no drift against the files."""
    state = write_state(deep_snapshot(DER_SIGNATURE))
    import_state(capsys, state, "--format", "cli-input")
    with LocalIot(region=REGION) as iot:
        client = boto3.client("iot", region_name=REGION, endpoint_url=iot.url)
        for path in sorted(Path("ota").iterdir()):
            params = json.loads(path.read_text(encoding="utf-8"))
            for file in params["files"]:
                custom = file.get("codeSigning", {}).get("customCodeSigning", {})
                if "signature" in custom:
                    text = custom["signature"]["inlineDocument"]
                    custom["signature"]["inlineDocument"] = base64.b64decode(text)
            client.create_ota_update(**params)
        code, _, err = run(capsys, "snapshot", *aws_args(iot, "--deep"), "-o", "again.json")
        assert code == 0, err
    summary, drift = drift_of(capsys, "ota", "--state", "again.json")
    assert (summary["inSync"], summary["drifted"]) == (2, 0)
    assert [d.split()[0] for d in drift] == ["OTA004", "OTA004"]
