"""Pulumi stack exports: every aws-native:iot:OtaUpdate's inputs, secrets and unknowns, errors."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from checker.cli import main
from checker.declared.interface import ReadOptions
from checker.declared.loader import load_declared, parse, reader_for
from checker.declared.pulumi_stack import (
    COMPUTED,
    NOT_YET_KNOWN,
    SECRET,
    SECRET_SIG,
    SIG_KEY,
    PulumiStackReader,
)
from checker.errors import InputError

FIXTURES = Path(__file__).parent / "fixtures"
EXPORT = FIXTURES / "pulumi" / "stack-export.json"
SHOWN = FIXTURES / "pulumi" / "stack-export-show-secrets.json"
URN = "urn:pulumi:prod::firmware-releases::aws-native:iot:OtaUpdate::sensor-fw"
OTA_INDEX = 3
"""The OtaUpdate's place in the fixtures' resources (after the stack, provider and bucket)."""
INPUTS_LINE = 76

pytestmark = pytest.mark.usefixtures("in_tmp")


def lint(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["lint", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def export_doc(source: Path = EXPORT) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(source.read_text(encoding="utf-8"))
    return doc


def write_export(doc: dict[str, Any], name: str = "stack.json") -> str:
    """`doc` as `pulumi stack export` writes it (four-space indent)."""
    Path(name).parent.mkdir(parents=True, exist_ok=True)
    Path(name).write_text(json.dumps(doc, indent=4) + "\n", encoding="utf-8")
    return name


def ota_inputs(doc: dict[str, Any]) -> dict[str, Any]:
    inputs: dict[str, Any] = doc["deployment"]["resources"][OTA_INDEX]["inputs"]
    return inputs


def line_of(path: str, text: str) -> int:
    """The 1-based line of the first line holding `text`."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if text in line)


def key_line(path: str, key: str) -> int:
    """The line of the first `"key":` in the export."""
    return line_of(path, f'"{key}"')


def errors_of(path: str) -> list[str]:
    with pytest.raises(InputError) as exc:
        load_declared([path])
    return [str(problem) for problem in exc.value.problems]


# --- reading ------------------------------------------------------------------------------


def test_an_ota_update_in_an_export_is_a_declared_update_in_api_names() -> None:
    """Only the OtaUpdate is read (not the stack, the provider or the bucket): its inputs in
    API names, tags as {Key, Value}, the secret role as an unknown value, named by its URN."""
    path = str(shutil.copy(EXPORT, "stack-export.json"))
    (update,) = load_declared([path])
    assert (update.ota_update_id, update.resource) == ("sensor-fw-2-4-0", URN)
    assert (update.location.file, update.location.line) == (path, INPUTS_LINE)
    assert dict(update.config) == {
        "awsJobExecutionsRolloutConfig": {"maximumPerMinute": 100},
        "awsJobPresignedUrlConfig": {"expiresInSec": 3600},
        "description": "Sensor firmware 2.4.0",
        "files": [
            {
                "codeSigning": {"awsSignerJobId": "0a1b2c3d-4e5f-6789-abcd-ef0123456789"},
                "fileLocation": {
                    "s3Location": {
                        "bucket": "firmware-releases",
                        "key": "sensor/2.4.0/sensor-fw.bin",
                    }
                },
                "fileName": "sensor-fw.bin",
            }
        ],
        "otaUpdateId": "sensor-fw-2-4-0",
        "protocols": ["MQTT"],
        "roleArn": SECRET,
        "tags": [{"Key": "team", "Value": "sensors"}],
        "targetSelection": "SNAPSHOT",
        "targets": ["arn:aws:iot:eu-west-1:123456789012:thinggroup/sensors"],
    }
    assert str(update.config["roleArn"]) == "<computed at deploy time: a Pulumi secret>"


def test_every_key_keeps_its_line_in_the_export() -> None:
    path = str(shutil.copy(EXPORT, "stack-export.json"))
    (update,) = load_declared([path])
    lines = update.key_lines
    assert (lines[()], lines[("roleArn",)]) == (INPUTS_LINE, 102)
    assert lines[("awsJobPresignedUrlConfig", "expiresInSec")] == 81
    assert lines[("files", 0, "fileLocation", "s3Location")] == 90
    assert (lines[("tags", 0, "Key")], lines[("tags", 0, "Value")]) == (108, 109)


def test_a_secret_exported_with_show_secrets_is_unknown_too() -> None:
    """`pulumi stack export --show-secrets` writes the secret's JSON text as `plaintext`; it is
    still an unknown value, so no report can print it."""
    doc = export_doc(SHOWN)
    plaintext = ota_inputs(doc)["roleArn"]["plaintext"]
    assert plaintext == '"arn:aws:iam::123456789012:role/ota-update"'
    (update,) = load_declared([str(shutil.copy(SHOWN, "shown.json"))])
    assert update.config["roleArn"] == SECRET
    assert "ota-update" not in repr(dict(update.config))


def test_lint_points_at_the_exports_lines(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(shutil.copy(EXPORT, "stack-export.json"))
    code, out, _ = lint(capsys, path)
    assert code == 1
    urn = "urn:pulumi:prod::firmware-releases::aws-native:iot:OtaUpdate::sensor-fw"
    located = [line.split()[1] + " " + line.rsplit("  (", 1)[1] for line in out.splitlines()[3:8]]
    assert located == [
        f"OTA202 stack-export.json:81, {urn})",
        f"OTA204 stack-export.json:81, {urn})",
        f"OTA306 stack-export.json:76, {urn})",
        f"OTA307 stack-export.json:76, {urn})",
        f"OTA402 stack-export.json:90, {urn})",
    ]


def test_the_export_and_the_cli_input_file_of_one_update_find_the_same(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The fixture declares the update of cli-input/sensor-fw.json (plus a tag and a secret
    role, which no rule reads): the findings differ only in their locations."""
    results = []
    for path in (
        str(shutil.copy(EXPORT, "stack-export.json")),
        str(shutil.copy(FIXTURES / "cli-input" / "sensor-fw.json", "sensor-fw.json")),
    ):
        code, out, _ = lint(capsys, path, "--format", "json")
        findings = json.loads(out)["findings"]
        unlocated = [
            {k: v for k, v in f.items() if k not in ("file", "line", "resource")} for f in findings
        ]
        results.append((code, unlocated))
    assert results[0] == results[1]
    assert len(results[0][1]) == 5


def test_an_export_in_a_declared_folder_is_found(capsys: pytest.CaptureFixture[str]) -> None:
    Path("ota/prod").mkdir(parents=True)
    shutil.copy(EXPORT, "ota/prod/stack.json")
    shutil.copy(SHOWN, "ota/shown.json")
    with pytest.raises(InputError) as exc:  # both exports declare the same update
        load_declared(["ota"])
    assert [str(p) for p in exc.value.problems] == [
        "ota/shown.json:76: otaUpdateId 'sensor-fw-2-4-0' is declared twice "
        "(first at ota/prod/stack.json:76, urn:pulumi:prod::firmware-releases::aws-native:iot:"
        "OtaUpdate::sensor-fw)"
    ]
    Path("ota/shown.json").unlink()
    code, out, _ = lint(capsys, "ota", "--format", "json")
    assert code == 1
    assert json.loads(out)["summary"]["declared"] == 1
    assert {f["file"] for f in json.loads(out)["findings"]} == {"ota/prod/stack.json"}


def test_an_export_without_ota_updates_declares_nothing() -> None:
    doc = export_doc()
    doc["deployment"]["resources"] = doc["deployment"]["resources"][:OTA_INDEX]
    assert load_declared([write_export(doc)]) == ()
    del doc["deployment"]["resources"]  # how Pulumi writes a stack with no resources
    assert load_declared([write_export(doc, "empty.json")]) == ()


@pytest.mark.parametrize("flag", ["delete", "external"])
def test_a_resource_the_stack_deletes_or_only_reads_declares_nothing(flag: str) -> None:
    """`delete`: the old copy of a replaced resource; `external`: read with OtaUpdate.get."""
    doc = export_doc()
    doc["deployment"]["resources"][OTA_INDEX][flag] = True
    assert load_declared([write_export(doc)]) == ()


def test_an_output_not_yet_known_is_an_unknown_value() -> None:
    """The engine's placeholder for a value not known yet stands in, anywhere in the inputs."""
    doc = export_doc()
    inputs = ota_inputs(doc)
    inputs["description"] = COMPUTED
    inputs["files"][0]["fileLocation"]["s3Location"]["bucket"] = COMPUTED
    (update,) = load_declared([write_export(doc)])
    assert update.config["description"] == NOT_YET_KNOWN
    assert update.config["files"][0]["fileLocation"]["s3Location"]["bucket"] == NOT_YET_KNOWN
    assert str(NOT_YET_KNOWN) == (
        "<computed at deploy time: a Pulumi output not known before deployment>"
    )


def test_a_secret_structure_is_one_unknown_value() -> None:
    doc = export_doc()
    ota_inputs(doc)["awsJobPresignedUrlConfig"] = {SIG_KEY: SECRET_SIG, "ciphertext": "v1:a:b"}
    (update,) = load_declared([write_export(doc)])
    assert update.config["awsJobPresignedUrlConfig"] == SECRET


def test_integral_numbers_are_integers_where_the_api_wants_one() -> None:
    """Pulumi's numbers are float64: `3600.0` is the integer 3600; a fraction stays an error."""
    doc = export_doc()
    ota_inputs(doc)["awsJobPresignedUrlConfig"]["expiresInSec"] = 3600.0
    (update,) = load_declared([write_export(doc)])
    assert update.config["awsJobPresignedUrlConfig"] == {"expiresInSec": 3600}
    assert type(update.config["awsJobPresignedUrlConfig"]["expiresInSec"]) is int


# --- errors -------------------------------------------------------------------------------


def test_an_unknown_input_is_an_error_in_pulumis_names_with_the_urn() -> None:
    doc = export_doc()
    inputs = ota_inputs(doc)
    inputs["awsJobPresignedUrlConfig"] = {"expiresInSecs": 600}
    inputs["RoleArn"] = inputs.pop("roleArn")  # another case is the same input
    path = write_export(doc)
    line = line_of(path, '"expiresInSecs"')
    assert errors_of(path) == [
        f"stack.json:{line}: resource {URN}: unknown Pulumi property 'expiresInSecs' in "
        "awsJobPresignedUrlConfig; did you mean 'expiresInSec'?"
    ]


def test_a_value_botocore_refuses_is_an_error_at_its_line_with_the_urn() -> None:
    doc = export_doc()
    ota_inputs(doc)["awsJobPresignedUrlConfig"]["expiresInSec"] = "3600"
    ota_inputs(doc)["protocols"] = ["MQTT", "FTP"]
    path = write_export(doc)
    assert errors_of(path) == [
        f"stack.json:81: resource {URN}: awsJobPresignedUrlConfig.expiresInSec must be an "
        "integer, not a string ('3600'); write the number plainly, without quotes or a prefix",
        f"stack.json:101: resource {URN}: protocols[1] must be one of MQTT, HTTP, not 'FTP'",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '{"version": 3,\n "deployment": {"manifest": {},\n  "resources": {}}}\n',
            "3: 'deployment.resources' must be a list (of Pulumi resources)",
        ),
        (
            '{"version": 3,\n "deployment": []}\n',
            "2: 'deployment' must be a mapping (the stack's state from pulumi stack export)",
        ),
        (
            '{"version": 5,\n "deployment": {}}\n',
            "1: Pulumi deployment version 5 is not one ota-drift reads (1 to 4)",
        ),
        (
            '{"version": 3, "deployment": {"resources": [\n  {"urn": "a", "type": "t"},\n'
            '  "aws-native:iot:OtaUpdate"]}}\n',
            "3: deployment.resources[1] must be a mapping (a Pulumi resource)",
        ),
        (
            '{"version": 3, "deployment": {"resources": [\n'
            '  {"type": "aws-native:iot:OtaUpdate",\n   "inputs": {}}]}}\n',
            "2: an aws-native:iot:OtaUpdate resource has no 'urn'",
        ),
        (
            '{"version": 3, "deployment": {"resources": [\n'
            '  {"urn": "urn:pulumi:p::s::aws-native:iot:OtaUpdate::fw",\n'
            '   "type": "aws-native:iot:OtaUpdate"}]}}\n',
            "2: resource urn:pulumi:p::s::aws-native:iot:OtaUpdate::fw: 'inputs' must be a "
            "mapping (the OtaUpdate's declared config)",
        ),
        (
            '{"version": 3, "deployment": {"resources": [\n'
            '  {"urn": "urn:pulumi:p::s::aws-native:iot:OtaUpdate::fw",\n'
            '   "type": "aws-native:iot:OtaUpdate",\n   "inputs": null}]}}\n',
            "4: resource urn:pulumi:p::s::aws-native:iot:OtaUpdate::fw: 'inputs' must be a "
            "mapping (the OtaUpdate's declared config)",
        ),
    ],
)
def test_a_malformed_export_is_an_error_at_its_line(text: str, expected: str) -> None:
    Path("stack.json").write_text(text, encoding="utf-8")
    assert errors_of("stack.json") == [f"stack.json:{expected}"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            {SIG_KEY: SECRET_SIG},
            "roleArn is a malformed Pulumi secret: it needs 'ciphertext' or 'plaintext'",
        ),
        (
            {SIG_KEY: SECRET_SIG, "ciphertext": "v1:a:b", "plaintext": '"x"'},
            "roleArn is a malformed Pulumi secret: it needs 'ciphertext' or 'plaintext'",
        ),
        (
            {SIG_KEY: "c44067f5952c0a294b673a41bacd8c17", "path": "role.txt"},
            "roleArn is an asset in Pulumi's encoding: no OtaUpdate input holds one",
        ),
        (
            {SIG_KEY: "x"},
            "roleArn is a special value of signature 'x' in Pulumi's encoding: no OtaUpdate "
            "input holds one",
        ),
    ],
)
def test_a_special_value_that_is_not_a_secret_is_an_error(
    value: dict[str, str], message: str
) -> None:
    doc = export_doc()
    ota_inputs(doc)["roleArn"] = value
    assert errors_of(write_export(doc)) == [f"stack.json:102: resource {URN}: {message}"]


def test_a_file_no_reader_recognises_names_the_pulumi_format(
    capsys: pytest.CaptureFixture[str],
) -> None:
    Path("package.json").write_text('{"name": "web"}\n')
    code, _, err = lint(capsys, "package.json")
    assert code == 2
    assert "a Pulumi stack export (pulumi stack export: deployment.resources)" in err


def test_reading_leaves_the_document_as_parsed() -> None:
    """Nothing mutates its input: the parsed export is the same after it was read."""
    document = parse("stack-export.json", EXPORT.read_text(encoding="utf-8"))
    before = copy.deepcopy(document.value)
    reader = reader_for(document)
    assert isinstance(reader, PulumiStackReader)
    reader.read(document, ReadOptions())
    assert document.value == before


# --- review of issue 12 ---------------------------------------------------------------------

KNOWN_FEATURES = ["byteString", "outputDependencies", "refreshBeforeUpdate"]


def test_a_version_4_export_with_features_it_knows_is_read() -> None:
    """Pulumi writes version 4, with `features`, once a stack uses one of them."""
    doc = {**export_doc(), "version": 4, "features": KNOWN_FEATURES}
    (update,) = load_declared([write_export(doc)])
    assert (update.ota_update_id, update.resource) == ("sensor-fw-2-4-0", URN)


@pytest.mark.parametrize(
    ("features", "expected"),
    [
        (
            ["byteString", "teleport"],
            "the export needs Pulumi features ota-drift does not read: 'teleport' (it reads "
            "byteString, extensionParameterization, hooks, outputDependencies, "
            "refreshBeforeUpdate, replaceWith, snippets-prototype, taint, views); what they "
            "change in the export cannot be told, so it is refused",
        ),
        (
            "byteString",
            "'features' must be a list of feature names (Pulumi deployment version 4)",
        ),
    ],
    ids=["unknown-feature", "not-a-list"],
)
def test_a_version_4_export_with_a_feature_it_does_not_know_is_refused(
    features: object, expected: str
) -> None:
    doc = {"version": 4, "features": features, "deployment": export_doc()["deployment"]}
    path = write_export(doc)
    assert errors_of(path) == [f"stack.json:{key_line(path, 'features')}: {expected}"]


def test_a_top_level_key_no_export_has_is_refused() -> None:
    doc = {**export_doc(), "feature": ["views"]}
    path = write_export(doc)
    assert errors_of(path) == [
        f"stack.json:{key_line(path, 'feature')}: unknown top-level key 'feature' in a "
        "Pulumi stack export (it holds version, features, deployment); did you mean 'features'?"
    ]


OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({SIG_KEY: OUTPUT_SIG, "value": "Sensor fw", "dependencies": ["urn:a"]}, "Sensor fw"),
        ({SIG_KEY: OUTPUT_SIG, "value": "shh", "secret": True}, SECRET),
        ({SIG_KEY: OUTPUT_SIG, "dependencies": ["urn:a"]}, NOT_YET_KNOWN),
    ],
    ids=["known", "secret", "not-known"],
)
def test_an_output_value_is_its_value_or_unknown(value: dict[str, Any], expected: object) -> None:
    """`outputDependencies` keeps an output's dependencies beside its value in the state."""
    doc = export_doc()
    ota_inputs(doc)["description"] = value
    (update,) = load_declared([write_export(doc)])
    assert update.config["description"] == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            {SIG_KEY: "803fd3297a5875dc03ca845dda5d2a98", "value": "/w=="},
            "description is text that is not UTF-8 (byteString) in Pulumi's encoding: no "
            "OtaUpdate input holds one",
        ),
        (
            {SIG_KEY: "8ad145fe-0d11-4827-bfd7-1abcbf086f5c", "value": "7ff0000000000000"},
            "description is a NaN or infinite number in Pulumi's encoding: no OtaUpdate input "
            "holds one",
        ),
        (
            {SIG_KEY: OUTPUT_SIG, "value": "x", "secret": "yes"},
            "description is a malformed Pulumi output value: 'secret' must be true or false",
        ),
    ],
    ids=["byte-string", "float", "bad-output"],
)
def test_a_special_value_of_version_4_no_input_holds_is_an_error(
    value: dict[str, str], message: str
) -> None:
    doc = export_doc()
    ota_inputs(doc)["description"] = value
    path = write_export(doc)
    line = line_of(path, '"description"')
    assert errors_of(path) == [f"stack.json:{line}: resource {URN}: {message}"]


def test_a_malformed_secret_hides_no_other_problem_of_its_resource() -> None:
    doc = export_doc()
    ota_inputs(doc)["description"] = {SIG_KEY: SECRET_SIG}
    ota_inputs(doc)["protocols"] = ["MQTT", "FTP"]
    path = write_export(doc)
    assert errors_of(path) == [
        f"stack.json:{key_line(path, 'description')}: resource {URN}: description is a "
        "malformed Pulumi secret: it needs 'ciphertext' or 'plaintext'",
        f"stack.json:{line_of(path, 'FTP')}: resource {URN}: protocols[1] must be one of MQTT, "
        "HTTP, not 'FTP'",
    ]


def test_an_id_not_known_before_deployment_says_how_pulumi_makes_it_known() -> None:
    doc = export_doc()
    ota_inputs(doc)["otaUpdateId"] = {SIG_KEY: SECRET_SIG, "ciphertext": "v1:a:b"}
    path = write_export(doc)
    assert errors_of(path) == [
        f"stack.json:{key_line(path, 'otaUpdateId')}: resource {URN}: otaUpdateId is "
        "<computed at deploy time: a Pulumi secret>: the id must be known before deployment to "
        "find the live update (declare it as a plain string: not a secret, nor an output of "
        "another resource)"
    ]


def test_a_missing_input_is_named_as_pulumi_writes_it() -> None:
    doc = export_doc()
    del ota_inputs(doc)["roleArn"]
    assert errors_of(write_export(doc)) == [
        f"stack.json:{INPUTS_LINE}: resource {URN}: missing required Pulumi property 'roleArn'"
    ]


def test_one_input_in_two_cases_is_an_error_naming_both() -> None:
    doc = export_doc()
    ota_inputs(doc)["OTAUPDATEID"] = "zzz"
    path = write_export(doc)
    assert errors_of(path) == [
        f"stack.json:{key_line(path, 'OTAUPDATEID')}: resource {URN}: Pulumi properties "
        "'otaUpdateId' and 'OTAUPDATEID' are one property (names match in any case): write it "
        "once"
    ]
