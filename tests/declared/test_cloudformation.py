"""CloudFormation templates and `cdk synth` output as declarations: intrinsic functions, names,
file:line of every key, and the one-line errors a bad template gets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checker.cli import main
from checker.declared.interface import ReadOptions
from checker.declared.loader import load_declared
from checker.errors import InputError
from checker.model import DeclaredUpdate, Location, Unknown

FIXTURES = Path(__file__).parent / "fixtures"
ACCOUNT = "123456789012"
DEPLOYED = ReadOptions(parameters={"Release": "r42"}, region="eu-west-1", account_id=ACCOUNT)
"""What `--parameter Release=r42 --parameter AWS::AccountId=... --region eu-west-1` gives."""
ASSET_KEY = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08.bin"
"""The firmware's S3 key in the CDK fixture: the asset's hash, as `cdk synth` names it."""


@pytest.fixture
def in_fixtures(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in the fixtures folder, so files show as `cloudformation/sensors.yaml`."""
    monkeypatch.chdir(FIXTURES)
    return FIXTURES


def load(paths: list[str], options: ReadOptions | None = None) -> list[DeclaredUpdate]:
    return list(load_declared(paths, options))


def errors(paths: list[str], options: ReadOptions | None = None) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_declared(paths, options)
    return [str(problem) for problem in caught.value.problems]


def write(tmp_path: Path, text: str, name: str = "t.yaml") -> str:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return name


MINIMAL = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Stage: {Type: String, Default: prod}
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Resources:
  Firmware:
    Type: AWS::IoT::OTAUpdate
    Properties:
      OtaUpdateId: fw-1
      Targets: [arn:aws:iot:eu-west-1:123456789012:thinggroup/sensors]
      Files: [{FileName: fw.bin}]
      RoleArn: arn:aws:iam::123456789012:role/ota
"""
"""A template with one update; tests append properties to it (line 14 on)."""


# --- the YAML template with every short-form tag -------------------------------------------


def test_short_form_template_resolves_every_tag(in_fixtures: Path) -> None:
    """Parameters (default, override, Number, list), pseudo parameters, Mappings, Conditions
    and every short-form tag resolve to the values CloudFormation would deploy."""
    [update] = load(["cloudformation/sensors.yaml"], DEPLOYED)
    assert update.ota_update_id == "sensors-prod-r42"
    assert update.location == Location("cloudformation/sensors.yaml", 56, "logical ID Firmware")
    assert update.resource == "logical ID Firmware"
    assert update.config == {
        "otaUpdateId": "sensors-prod-r42",
        "description": "Sensor firmware 1.4.2",
        "targets": [
            f"arn:aws:iot:eu-west-1:{ACCOUNT}:thinggroup/sensors",
            f"arn:aws:iot:eu-west-1:{ACCOUNT}:thinggroup/gateways",
        ],
        "protocols": ["MQTT", "HTTP"],
        "targetSelection": "SNAPSHOT",
        "roleArn": Unknown("!GetAtt OtaRole.Arn"),
        "awsJobPresignedUrlConfig": {"expiresInSec": 900},
        "awsJobExecutionsRolloutConfig": {"maximumPerMinute": 50},
        "awsJobAbortConfig": {
            "abortCriteriaList": [
                {
                    "failureType": "FAILED",
                    "action": "CANCEL",
                    "thresholdPercentage": 10,
                    "minNumberOfExecutedThings": 20,
                }
            ]
        },
        "awsJobTimeoutConfig": {"inProgressTimeoutInMinutes": 60},
        "files": [
            {
                "fileName": "sensor.bin",
                "fileVersion": "1.4.2",
                "fileLocation": {
                    "s3Location": {"bucket": "acme-firmware-prod", "key": "sensors/r42/sensor.bin"}
                },
                "codeSigning": {"awsSignerJobId": Unknown("!GetAtt SigningJob.JobId")},
                "attributes": {
                    "build": "c2Vuc29ycy0x",  # !Base64 sensors-1
                    "subnet": Unknown("!Select [0, !Cidr [10.0.0.0/16, 4, 8]]"),
                    "zone": Unknown("!Select [0, !GetAZs '']"),
                    "template": "${Stage} is written as is",
                },
            }
        ],
        "tags": [
            {"Key": "stage", "Value": "prod"},
            {"Key": "owner", "Value": Unknown("!ImportValue team-name")},
        ],
    }


def test_short_form_template_lines_are_the_properties_lines(in_fixtures: Path) -> None:
    """Every key's line is where its property was written; a value chosen by `!If` keeps the
    line of its keys inside the branch."""
    [update] = load(["cloudformation/sensors.yaml"], DEPLOYED)
    lines = {path: update.location_of(path).line for path in update.key_lines}
    assert lines[()] == 61  # Properties
    assert lines[("otaUpdateId",)] == 62
    assert lines[("targets", 0)] == 65
    assert lines[("targets", 1)] == 68
    assert lines[("protocols",)] == 74
    assert lines[("awsJobPresignedUrlConfig", "expiresInSec")] == 78
    assert lines[("awsJobExecutionsRolloutConfig", "maximumPerMinute")] == 80
    assert lines[("awsJobAbortConfig",)] == 81
    assert lines[("awsJobAbortConfig", "abortCriteriaList", 0, "thresholdPercentage")] == 86
    assert lines[("files", 0, "fileLocation", "s3Location", "bucket")] == 96
    assert lines[("files", 0, "codeSigning", "awsSignerJobId")] == 99
    assert lines[("files", 0, "attributes", "template")] == 104
    assert lines[("tags", 1, "Value")] == 109
    assert update.location_of(("files", 0, "fileLocation", "s3Location", "version")).line == 95


def test_values_known_only_at_deploy_time_are_unknown(in_fixtures: Path) -> None:
    """Without a region or an account, what uses them is unknown, and so is a condition on
    them: each shows what was written, never a guess."""
    [update] = load(["cloudformation/sensors.yaml"], ReadOptions(parameters={"Release": "r42"}))
    target = (
        "!Sub [arn:${AWS::Partition}:iot:${AWS::Region}:${AWS::AccountId}:thinggroup/${Fleet}, "
        "{Fleet: !Se..."
    )
    assert update.config["targets"] == [Unknown(target), Unknown(target)]
    assert update.config["awsJobAbortConfig"] == Unknown("!If [StrictRollout, ...]")
    assert str(update.config["roleArn"]) == "<computed at deploy time: !GetAtt OtaRole.Arn>"


def test_parameter_override_and_resource_condition(in_fixtures: Path) -> None:
    """`--parameter Stage=dev` changes Mappings lookups and conditions: the `!If` item becomes
    AWS::NoValue and leaves the list, and the Canary resource, `Condition: IsDev`, is declared."""
    options = ReadOptions(
        parameters={"Release": "r42", "Stage": "dev"}, region="eu-west-1", account_id=ACCOUNT
    )
    firmware, canary = load(["cloudformation/sensors.yaml"], options)
    assert firmware.ota_update_id == "sensors-dev-r42"
    assert firmware.config["targets"] == [f"arn:aws:iot:eu-west-1:{ACCOUNT}:thinggroup/sensors"]
    assert firmware.config["awsJobExecutionsRolloutConfig"] == {"maximumPerMinute": 500}
    assert "awsJobAbortConfig" not in firmware.config
    assert firmware.location_of(("awsJobAbortConfig",)).line == 61
    assert (canary.ota_update_id, canary.location) == (
        "canary-r42",
        Location("cloudformation/sensors.yaml", 111, "logical ID Canary"),
    )
    assert canary.resource == "logical ID Canary"


def test_parameter_without_value_leaves_the_id_unknown(in_fixtures: Path) -> None:
    """A parameter with no default and no --parameter is unknown; an update needs its id."""
    assert errors(["cloudformation/sensors.yaml"]) == [
        "cloudformation/sensors.yaml:62: resource Firmware: OtaUpdateId is <computed at deploy "
        "time: !Sub sensors-${Stage}-${Release}>: the id must be known before deployment to find "
        "the live update (set the parameters it uses)"
    ]


@pytest.mark.parametrize(
    ("parameters", "expected"),
    [
        (
            {"Release": "r42", "Relase": "r43"},
            "--parameter: Relase names no parameter of the templates read (they declare: "
            "ExpirySeconds, FirmwareVersion, Fleets, Release, Stage); did you mean 'Release'?",
        ),
        (
            {"Release": "r42", "Stage": "qa"},
            "cloudformation/sensors.yaml:5: parameter Stage: --parameter Stage=qa is not one "
            "of its AllowedValues (dev, prod)",
        ),
        (
            {"Release": "r42", "ExpirySeconds": "soon"},
            "cloudformation/sensors.yaml:15: parameter ExpirySeconds: --parameter "
            "ExpirySeconds=soon is not a number",
        ),
    ],
    ids=["unknown-name", "not-allowed", "not-a-number"],
)
def test_bad_parameter_is_an_error_naming_the_template_or_the_parameters(
    in_fixtures: Path, parameters: dict[str, str], expected: str
) -> None:
    assert errors(["cloudformation/sensors.yaml"], ReadOptions(parameters=parameters)) == [expected]


def test_a_parameter_of_one_template_is_no_error_for_another(in_fixtures: Path) -> None:
    """As `aws cloudformation deploy` takes overrides per stack: `Release` is set for the
    template that declares it; the JSON template does not need to declare it too."""
    options = ReadOptions(parameters={"Release": "r42"}, region="eu-west-1", account_id=ACCOUNT)
    updates = load(["cloudformation/sensors.yaml", "cdk.out"], options)
    assert len(updates) > 1


# --- long form, JSON -------------------------------------------------------------------------


def test_long_form_json_template(in_fixtures: Path) -> None:
    """The long forms resolve like the short ones; CloudFormation's text numbers ("900",
    "12.5") are read as the API's numbers."""
    options = ReadOptions(parameters={"Release": "r42"}, region="eu-west-1", account_id=ACCOUNT)
    [update] = load(["cloudformation/long-form.json"], options)
    assert update.location == Location("cloudformation/long-form.json", 29, "logical ID Firmware")
    assert update.config == {
        "otaUpdateId": "sensors-prod-r42",
        "targets": [f"arn:aws:iot:eu-west-1:{ACCOUNT}:thinggroup/sensors"],
        "protocols": ["MQTT"],
        "roleArn": f"arn:aws:iam::{ACCOUNT}:role/ota",
        "awsJobPresignedUrlConfig": {"expiresInSec": 900},
        "awsJobExecutionsRolloutConfig": {"maximumPerMinute": 50},
        "awsJobAbortConfig": {
            "abortCriteriaList": [
                {
                    "failureType": "FAILED",
                    "action": "CANCEL",
                    "thresholdPercentage": 12.5,
                    "minNumberOfExecutedThings": 20,
                }
            ]
        },
        "files": [
            {
                "fileName": "sensor.bin",
                "fileType": 2,
                "fileLocation": {"stream": {"streamId": "sensors-stream", "fileId": 0}},
                "codeSigning": {"awsSignerJobId": Unknown("!GetAtt SigningJob.JobId")},
                "attributes": {
                    "build": "cHJvZC1yNDI=",  # base64 of prod-r42
                    "zone": Unknown("!Select [0, !GetAZs !Ref AWS::Region]"),
                    "subnet": Unknown("!Select [0, !Cidr [10.0.0.0/16, 4, 8]]"),
                },
            }
        ],
    }
    assert update.location_of(("awsJobAbortConfig", "abortCriteriaList")).line == 44
    assert update.location_of(("files", 0, "fileType")).line == 50


# --- CDK output ------------------------------------------------------------------------------


def test_cdk_assembly_reads_only_its_templates(in_fixtures: Path) -> None:
    """A `cdk.out` folder is a declared folder: its template is read, its manifest, tree and
    asset manifest are not (alone, each is refused as no declaration)."""
    options = ReadOptions(region="eu-west-1", account_id=ACCOUNT)
    [update] = load(["cdk.out"], options)
    assert update.location == Location(
        "cdk.out/MyStack.template.json",
        37,
        "logical ID Firmware4A3D6F0B (aws:cdk:path MyStack/Firmware/Resource)",
    )
    assert update.resource == (
        "logical ID Firmware4A3D6F0B (aws:cdk:path MyStack/Firmware/Resource)"
    )
    assert update.config["targets"] == [f"arn:aws:iot:eu-west-1:{ACCOUNT}:thinggroup/sensors"]
    bucket = f"cdk-hnb659fds-assets-{ACCOUNT}-eu-west-1"
    assert update.config["files"][0]["fileLocation"]["s3Location"]["bucket"] == bucket
    assert update.config["roleArn"] == Unknown("!GetAtt OtaRole5DD3D6C2.Arn")
    assert update.location_of(("awsJobPresignedUrlConfig", "expiresInSec")).line == 54
    [problem] = errors(["cdk.out/manifest.json"])
    assert problem.startswith("cdk.out/manifest.json:1: is not a declaration in any format")
    assert "a CloudFormation or CDK template (Resources holding AWS::IoT::OTAUpdate)" in problem


def test_cdk_template_without_region_is_unknown_not_an_error(in_fixtures: Path) -> None:
    """CDK's environment-agnostic ARNs (`Fn::Join` of pseudo parameters) are unknown without
    --region; CDKMetadata's region condition is never evaluated (it is no OTA update)."""
    [update] = load(["cdk.out/MyStack.template.json"])
    assert update.config["targets"] == [
        Unknown(
            "!Join ['', [arn:, !Ref AWS::Partition, :iot:, !Ref AWS::Region, :, "
            "!Ref AWS::AccountId, :thinggro..."
        )
    ]


def test_template_without_ota_updates_declares_nothing(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n", "bucket.yaml")
    assert load(["bucket.yaml"]) == []
    assert errors(["."], ReadOptions(parameters={"Anything": "x"})) == [
        "--parameter: Anything names no parameter of the templates read (they declare: none)"
    ]


# --- tags ------------------------------------------------------------------------------------


def test_short_form_tag_in_an_ota_drift_file_is_refused(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "otaUpdates:\n  - otaUpdateId: !Ref Id\n")
    assert errors(["t.yaml"]) == [
        "t.yaml:2: YAML tag '!Ref' is not allowed: CloudFormation's short-form tags are read "
        "only in CloudFormation templates, and this is an ota-drift file (a mapping with an "
        "'otaUpdates' list)"
    ]


def test_unknown_tag_in_a_template_is_refused(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, MINIMAL + "      Description: !Foo bar\n")
    assert errors(["t.yaml"]) == ["t.yaml:14: YAML tag '!Foo' is not allowed (plain YAML only)"]


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            "      Protocol: [MQTT]\n",
            "t.yaml:14: resource Firmware: unknown CloudFormation property 'Protocol'; "
            "did you mean 'Protocols'?",
        ),
        (
            "      AwsJobPresignedUrlConfig:\n        ExpiresIn: 600\n",
            "t.yaml:15: resource Firmware: unknown CloudFormation property 'ExpiresIn' in "
            "AwsJobPresignedUrlConfig; did you mean 'ExpiresInSec'?",
        ),
        (
            "      Description: !Ref Nothing\n",
            "t.yaml:14: Ref: 'Nothing' is no parameter or resource of this template",
        ),
        (
            "      Description: !Sub ${Stag}-fw\n",
            "t.yaml:14: Fn::Sub: 'Stag' is no parameter or resource of this template; "
            "did you mean 'Stage'?",
        ),
        ("      Description: !Join [x]\n", "t.yaml:14: Fn::Join takes [DELIMITER, [VALUES]]"),
        (
            "      Description: !Select [2, [a, b]]\n",
            "t.yaml:14: Fn::Select's index 2 is past the end of 2 value(s)",
        ),
        (
            "      Description: !GetAtt Nope.Arn\n",
            "t.yaml:14: Fn::GetAtt names no resource 'Nope'",
        ),
        (
            "      Description: !If [IsProdd, a, b]\n",
            "t.yaml:14: no condition named 'IsProdd' in Conditions; did you mean 'IsProd'?",
        ),
        (
            "      Description: !FindInMap [Nope, a, b]\n",
            "t.yaml:14: Mappings has no key 'Nope'",
        ),
        (
            "      Description: !Equals [a, b]\n",
            "t.yaml:14: Fn::Equals is a condition function: use it in Conditions",
        ),
        (
            '      Description: {"Fn::Joinn": ["", [a]]}\n',
            "t.yaml:14: unknown intrinsic function 'Fn::Joinn'; did you mean 'Fn::Join'?",
        ),
        (
            "      Description:\n        Fn::Split: [',', a]\n",
            "t.yaml:14: resource Firmware: Description must be a string, not a list",
        ),
    ],
    ids=[
        "unknown-property",
        "unknown-nested-property",
        "ref-to-nothing",
        "sub-to-nothing",
        "join-arity",
        "select-range",
        "getatt-no-resource",
        "unknown-condition",
        "findinmap-no-map",
        "condition-function-in-properties",
        "unknown-function",
        "wrong-type-after-resolution",
    ],
)
def test_bad_template_is_one_line_error_at_its_line(
    tmp_path: Path, monkeypatch, extra: str, expected: str
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, MINIMAL + extra)
    assert errors(["t.yaml"]) == [expected]


def test_every_bad_property_is_reported_at_once(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, MINIMAL + "      Description: !Ref Nothing\n      Protocol: [MQTT]\n")
    assert errors(["t.yaml"]) == [
        "t.yaml:14: Ref: 'Nothing' is no parameter or resource of this template",
        "t.yaml:15: resource Firmware: unknown CloudFormation property 'Protocol'; "
        "did you mean 'Protocols'?",
    ]


FINDINMAP = """\
Mappings:
  Config:
    prod: {Bucket: fw-prod}
    123456789012: {Bucket: fw-account}
Resources:
  Firmware:
    Type: AWS::IoT::OTAUpdate
    Properties:
      OtaUpdateId: fw-1
      Targets: [arn:aws:iot:eu-west-1:123456789012:thinggroup/sensors]
      RoleArn: arn:aws:iam::123456789012:role/ota
      Files:
        - FileName: fw.bin
          FileLocation:
            S3Location:
              Bucket: {FIND}
              Key: fw.bin
"""


@pytest.mark.parametrize(
    ("find", "expected"),
    [
        ("!FindInMap [Config, prod, Bucket]", "fw-prod"),
        ('!FindInMap [Config, !Ref "AWS::AccountId", Bucket]', "fw-account"),
        (
            "!FindInMap [Config, !Ref AWS::Region, Bucket]",
            Unknown("!FindInMap [Config, !Ref AWS::Region, Bucket]"),
        ),
    ],
    ids=["literal", "number-key", "unknown-key"],
)
def test_find_in_map(tmp_path: Path, monkeypatch, find: str, expected: object) -> None:
    """Keys are compared as text: an account id written as a YAML number is found by
    `!Ref AWS::AccountId`."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, FINDINMAP.replace("{FIND}", find))
    [update] = load(["t.yaml"], ReadOptions(account_id=ACCOUNT))
    assert update.config["files"][0]["fileLocation"]["s3Location"]["bucket"] == expected


def test_find_in_map_missing_key(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, FINDINMAP.replace("{FIND}", "!FindInMap [Config, prd, Bucket]"))
    assert errors(["t.yaml"]) == [
        "t.yaml:16: Mappings.Config has no key 'prd'; did you mean 'prod'?"
    ]


@pytest.mark.parametrize(
    ("resource", "expected"),
    [
        (
            "  Firmware:\n    Type: AWS::IoT::OTAUpdate\n",
            "t.yaml:2: resource Firmware: has no Properties",
        ),
        (
            "  Firmware:\n    Type: AWS::IoT::OTAUpdate\n    Properties: [a]\n",
            "t.yaml:4: resource Firmware: Properties must be a mapping",
        ),
        (
            "  Firmware:\n    Type: AWS::IoT::OTAUpdate\n    Propertes: {}\n",
            "t.yaml:4: resource Firmware: unknown resource attribute 'Propertes'; "
            "did you mean 'Properties'?\nt.yaml:2: resource Firmware: has no Properties",
        ),
        (
            "  Firmware: {Properties: {}}\n",
            "t.yaml:2: resource Firmware must be a mapping with a Type",
        ),
        (
            "  Firmware:\n    Type: AWS::IoT::OTAUpdate\n    Condition: InEurope\n"
            "    Properties: {}\n",
            "t.yaml:4: resource Firmware: whether condition 'InEurope' holds is known only at "
            "deploy time: give the values it depends on (--parameter NAME=VALUE, --region)",
        ),
        (
            "  Firmware:\n    Type: AWS::IoT::OtaUpdate\n    Properties: {}\n",
            "t.yaml:3: resource Firmware: Type 'AWS::IoT::OtaUpdate' is no CloudFormation type "
            "(types are case-sensitive, without spaces); did you mean 'AWS::IoT::OTAUpdate'?",
        ),
        (
            '  Firmware:\n    Type: "AWS::IoT::OTAUpdate "\n    Properties: {}\n',
            "t.yaml:3: resource Firmware: Type 'AWS::IoT::OTAUpdate ' is no CloudFormation type "
            "(types are case-sensitive, without spaces); did you mean 'AWS::IoT::OTAUpdate'?",
        ),
        (
            "  Firmware:\n    Type: 'AWS::IoT:: OTAupdate'\n    Properties: {}\n",
            "t.yaml:3: resource Firmware: Type 'AWS::IoT:: OTAupdate' is no CloudFormation type "
            "(types are case-sensitive, without spaces); did you mean 'AWS::IoT::OTAUpdate'?",
        ),
    ],
    ids=[
        "no-properties",
        "properties-not-mapping",
        "misspelt-attribute",
        "no-type",
        "undecided",
        "type-case",
        "type-trailing-space",
        "type-space-and-case",
    ],
)
def test_bad_resource(tmp_path: Path, monkeypatch, resource: str, expected: str) -> None:
    monkeypatch.chdir(tmp_path)
    conditions = "Conditions:\n  InEurope: !Equals [!Ref AWS::Region, eu-west-1]\n"
    write(tmp_path, "Resources:\n" + resource + conditions)
    assert "\n".join(errors(["t.yaml"])) == expected


def test_template_version_without_resources(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, 'AWSTemplateFormatVersion: "2010-09-09"\n')
    assert errors(["t.yaml"]) == ["t.yaml:1: a CloudFormation template needs a Resources mapping"]


def test_conditions_referring_to_each_other(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    text = MINIMAL.replace(
        "  IsProd: !Equals [!Ref Stage, prod]\n",
        "  IsProd: !Not [!Condition Other]\n  Other: !Or [!Condition IsProd, !Condition IsProd]\n",
    )
    write(tmp_path, text + "      Description: !If [IsProd, a, b]\n")
    assert errors(["t.yaml"]) == [
        "t.yaml:5: conditions refer to each other: IsProd -> Other -> IsProd"
    ]


def test_long_chain_of_conditions_fails_cleanly(tmp_path: Path, monkeypatch) -> None:
    """Each condition naming the next is evaluated inside it: a long chain is an error, never
    a RecursionError."""
    monkeypatch.chdir(tmp_path)
    chain = "".join(f"  C{i}: !Not [!Condition C{i + 1}]\n" for i in range(5000))
    text = MINIMAL.replace("Conditions:\n", "Conditions:\n" + chain + "  C5000: !Equals [a, a]\n")
    write(tmp_path, text + "      Description: !If [C0, a, b]\n")
    c100 = "t.yaml:105"  # the 101st condition of the chain, which starts at line 5
    assert errors(["t.yaml"]) == [f"{c100}: conditions refer to conditions more than 100 deep"]


# --- values ----------------------------------------------------------------------------------


def test_text_scalars_become_api_types(tmp_path: Path, monkeypatch) -> None:
    """CloudFormation passes scalars on as text: a whole number is a string where the API
    wants one, and the signature's base64 text is its bytes."""
    monkeypatch.chdir(tmp_path)
    write(
        tmp_path,
        MINIMAL.replace("      Files: [{FileName: fw.bin}]\n", "") + "      Files:\n"
        "        - FileName: fw.bin\n"
        "          FileVersion: 2\n"
        "          CodeSigning:\n"
        "            CustomCodeSigning:\n"
        "              Signature: {InlineDocument: c2lnbmF0dXJl}\n",
    )
    [update] = load(["t.yaml"])
    [file] = update.config["files"]
    assert file["fileVersion"] == "2"
    assert file["codeSigning"]["customCodeSigning"]["signature"] == {"inlineDocument": b"signature"}


def test_signature_that_is_not_base64(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(
        tmp_path,
        MINIMAL.replace("      Files: [{FileName: fw.bin}]\n", "") + "      Files:\n"
        "        - FileName: fw.bin\n"
        "          CodeSigning:\n"
        "            CustomCodeSigning:\n"
        "              Signature: {InlineDocument: not base64!}\n",
    )
    assert errors(["t.yaml"]) == [
        "t.yaml:17: resource Firmware: Files[0].CodeSigning.CustomCodeSigning.Signature."
        "InlineDocument must be base64 text: CloudFormation's InlineDocument is the signature's "
        "bytes in base64"
    ]


def test_ssm_parameter_is_unknown_and_stack_name_from_options(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    text = MINIMAL.replace(
        "  Stage: {Type: String, Default: prod}\n",
        "  Stage: {Type: String, Default: prod}\n"
        "  Role: {Type: 'AWS::SSM::Parameter::Value<String>', Default: /ota/role}\n",
    ).replace("      RoleArn: arn:aws:iam::123456789012:role/ota\n", "      RoleArn: !Ref Role\n")
    write(tmp_path, text + "      Description: !Sub ${AWS::StackName} in ${AWS::URLSuffix}\n")
    [update] = load(["t.yaml"], ReadOptions(stack_name="fleet", partition="aws-cn"))
    assert update.config["roleArn"] == Unknown("!Ref Role")
    assert update.config["description"] == "fleet in amazonaws.com.cn"


# --- through the command line ----------------------------------------------------------------


def findings(capsys: pytest.CaptureFixture[str], argv: list[str]) -> list[dict[str, object]]:
    main([*argv, "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    return list(report["findings"])


def test_lint_points_at_the_template_line(
    in_fixtures: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch
) -> None:
    """A rule finding points at the property's line in the template; one on the whole update
    (no abort config) at its Properties."""
    argv = [
        "lint",
        "cdk.out",
        "--parameter",
        "AWS::Region=eu-west-1",
        "--parameter",
        f"AWS::AccountId={ACCOUNT}",
    ]
    [ota204] = [f for f in findings(capsys, argv) if f["ruleId"] == "OTA204"]
    assert (ota204["file"], ota204["line"]) == ("cdk.out/MyStack.template.json", 54)
    monkeypatch.chdir(tmp_path)
    write(tmp_path, MINIMAL)
    [ota306] = [f for f in findings(capsys, ["lint", "t.yaml"]) if f["ruleId"] == "OTA306"]
    assert (ota306["file"], ota306["line"]) == ("t.yaml", 9)


def test_drift_points_at_the_template_line(
    in_fixtures: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """`check --state` on CDK output: the drifted value's line in the template."""
    bucket = f"cdk-hnb659fds-assets-{ACCOUNT}-eu-west-1"
    live = {
        "otaUpdateId": "sensors-fw-1-4-2",
        "description": "Sensor firmware 1.4.2",
        "targets": [f"arn:aws:iot:eu-west-1:{ACCOUNT}:thinggroup/sensors"],
        "protocols": ["MQTT"],
        "targetSelection": "SNAPSHOT",
        "awsJobPresignedUrlConfig": {"expiresInSec": 600},
        "awsJobExecutionsRolloutConfig": {"maximumPerMinute": 50},
        "otaUpdateFiles": [
            {
                "fileName": "sensor.bin",
                "fileVersion": "1.4.2",
                "fileLocation": {
                    "s3Location": {
                        "bucket": bucket,
                        "key": ASSET_KEY,
                        "version": "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY",
                    }
                },
                "codeSigning": {"awsSignerJobId": "3f7a1c2e-5b8d-4e6f-9a0b-1c2d3e4f5a6b"},
            }
        ],
        "otaUpdateStatus": "CREATE_COMPLETE",
    }
    state = tmp_path / "snap.json"
    state.write_text(
        json.dumps(
            {
                "version": 1,
                "capturedAt": "2026-11-20T06:00:00+00:00",
                "region": "eu-west-1",
                "otaUpdates": [live],
            }
        ),
        encoding="utf-8",
    )
    argv = ["check", "cdk.out", "--state", str(state), "--parameter", "AWS::Region=eu-west-1"]
    argv += ["--parameter", f"AWS::AccountId={ACCOUNT}"]
    drift = [f for f in findings(capsys, argv) if f["ruleId"] == "OTA001"]
    assert [(f["path"], f["file"], f["line"]) for f in drift] == [
        ("awsJobPresignedUrlConfig.expiresInSec", "cdk.out/MyStack.template.json", 54)
    ]


def test_bad_template_exits_2_with_one_line(
    tmp_path: Path, monkeypatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, MINIMAL + "      Description: !Ref Nothing\n")
    assert main(["lint", "t.yaml"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "t.yaml:14: Ref: 'Nothing' is no parameter or resource of this template\n"


@pytest.mark.parametrize(
    ("stage", "expected"),
    [
        ("prod", "fw-prod"),
        (
            None,
            "t.yaml:7: resource Firmware: Properties must be a mapping, not "
            "<computed at deploy time: !If [IsProd, ...]>",
        ),
    ],
    ids=["decided", "undecided"],
)
def test_properties_chosen_by_if(
    tmp_path: Path, monkeypatch, stage: str | None, expected: str
) -> None:
    """`Properties: !If [...]` is resolved whole; unknown, it cannot be audited."""
    monkeypatch.chdir(tmp_path)
    default = "" if stage is None else f", Default: {stage}"
    write(
        tmp_path,
        f"Parameters:\n  Stage: {{Type: String{default}}}\n"
        "Conditions:\n  IsProd: !Equals [!Ref Stage, prod]\n"
        "Resources:\n  Firmware:\n    Properties: !If\n      - IsProd\n"
        "      - {OtaUpdateId: fw-prod, Targets: [arn:aws:iot:eu-west-1:123456789012:thing/a],"
        " Files: [{FileName: a}], RoleArn: arn:aws:iam::123456789012:role/ota}\n"
        "      - !Ref AWS::NoValue\n"
        "    Type: AWS::IoT::OTAUpdate\n",
    )
    if stage is None:
        assert errors(["t.yaml"]) == [expected]
    else:
        [update] = load(["t.yaml"])
        assert (update.ota_update_id, update.location_of(("targets",)).line) == (expected, 9)


# --- review of issue 12: each defect, with its exact message ---------------------------------


def test_one_property_in_two_cases_exits_2_naming_both(
    tmp_path: Path, monkeypatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`OTAUpdateId` after `OtaUpdateId` would have been audited as the id, silently."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, MINIMAL + "      OTAUpdateId: fw-2\n")
    assert main(["lint", "t.yaml"]) == 2
    assert capsys.readouterr().err == (
        "t.yaml:14: resource Firmware: CloudFormation properties 'OtaUpdateId' and "
        "'OTAUpdateId' are one property (names match in any case): write it once\n"
    )


def _nested_subs(levels: int) -> str:
    """`Description:` as `levels` nested `!Sub`s, each substituting the next 100 times, around
    1,000 characters: a 4 KB template whose text would be 10**15 characters."""
    text = "      Description: !Sub\n"
    indent = "        "
    for level in range(levels):
        text += f"{indent}- '{'${a}' * 100}'\n"
        if level == levels - 1:
            text += f"{indent}- a: '{'x' * 1000}'\n"
        else:
            text += f"{indent}- a: !Sub\n"
            indent += "    "
    return text


BUDGET = (
    "takes the text this template's functions give past 5,242,880 characters: no declaration "
    "holds that much (a template CloudFormation deploys has at most 1 MB)"
)


def test_nested_subs_are_refused_before_they_exhaust_memory(tmp_path: Path, monkeypatch) -> None:
    """The innermost `!Sub` (line 24) builds 100 KB; the one around it (line 22) would build
    10 MB, past the budget, and is refused while it builds."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, MINIMAL + _nested_subs(6))
    assert errors(["t.yaml"]) == [f"t.yaml:22: Fn::Sub {BUDGET}"]


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            "      Description: !Sub '" + "${Long}" * 6 + "'\n",
            f"t.yaml:15: Fn::Sub {BUDGET}",
        ),
        (
            "      Files:\n        - FileName: fw.bin\n          Attributes:\n"
            + "".join(f"            a{i}: !Ref Long\n" for i in range(6)),
            f"t.yaml:22: Ref {BUDGET}",
        ),
        (
            "      Description: !Join ['', [" + ", ".join(["!Ref Long"] * 3) + "]]\n"
            "      Protocols: !Join ['', [" + ", ".join(["!Ref Long"] * 3) + "]]\n",
            f"t.yaml:15: Fn::Join {BUDGET}",  # said once, not again for Protocols
        ),
    ],
    ids=["sub", "ref-in-many-places", "join"],
)
def test_a_long_parameter_used_many_times_is_refused(
    tmp_path: Path, monkeypatch, extra: str, expected: str
) -> None:
    """A 1 MB default fits in a declaration file; six copies of it are past the budget."""
    monkeypatch.chdir(tmp_path)
    text = MINIMAL.replace(
        "  Stage: {Type: String, Default: prod}\n",
        "  Stage: {Type: String, Default: prod}\n"
        f"  Long: {{Type: String, Default: {'x' * 2**20}}}\n",
    )
    if "Files:" in extra:
        text = text.replace("      Files: [{FileName: fw.bin}]\n", "")
    write(tmp_path, text + extra)
    assert errors(["t.yaml"]) == [expected]


def test_the_text_budget_is_the_largest_declaration_file() -> None:
    from checker.declared import intrinsics, loader

    assert intrinsics.MAX_BUILT_CHARS == loader.MAX_FILE_BYTES


@pytest.mark.parametrize(
    ("top", "expected"),
    [
        (
            "Resource:\n  Other:\n    Type: AWS::IoT::OTAUpdate\n",
            "t.yaml:14: unknown template section 'Resource' (a template's top level holds only "
            "its sections); did you mean 'Resources'?",
        ),
        (
            "Conditons:\n  Never: !Equals [a, b]\n",
            "t.yaml:14: unknown template section 'Conditons' (a template's top level holds only "
            "its sections); did you mean 'Conditions'?",
        ),
        (
            "Outputs: {}\nTransform: AWS::Serverless-2016-10-31\nGlobals: {}\nRules: {}\n"
            "Hooks: {}\nMetadata: {}\nDescription: d\n",
            None,
        ),
    ],
    ids=["resource", "conditons", "every-section"],
)
def test_a_top_level_key_that_is_no_template_section_is_refused(
    tmp_path: Path, monkeypatch, top: str, expected: str | None
) -> None:
    """A misspelt section would leave what it holds silently unread."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, MINIMAL + top)
    if expected is None:
        assert [u.ota_update_id for u in load(["t.yaml"])] == ["fw-1"]
    else:
        assert errors(["t.yaml"]) == [expected]


def test_the_branch_if_does_not_choose_is_not_evaluated(in_fixtures: Path) -> None:
    """With Stage=dev, IsProd is false: the prod-only target's `!Select [1, !Ref Fleets]` is
    past the end of a one-fleet list, and CloudFormation never evaluates it."""
    options = ReadOptions(parameters={"Release": "r1", "Stage": "dev", "Fleets": "a"})
    firmware, canary = load(["cloudformation/sensors.yaml"], options)
    assert (firmware.ota_update_id, canary.ota_update_id) == ("sensors-dev-r1", "canary-r1")
    assert len(firmware.config["targets"]) == 1
    assert "awsJobAbortConfig" not in firmware.config


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        ("!If [IsProd, fine, !Select [3, !Split [',', !Ref Stage]]]", "fine"),
        ("!If [IsProd, fine, !FindInMap [Config, !Ref Stage, Key]]", "fine"),
        (
            "!If [IsProd, fine, !FindInMap [Nothing, !Ref Stage, Key]]",
            "t.yaml:17: Mappings has no key 'Nothing'",
        ),
        (
            "!If [IsProd, fine, !Ref Nothing]",
            "t.yaml:17: Ref: 'Nothing' is no parameter or resource of this template",
        ),
        (
            "!If [IsProd, fine, {'Fn::Sup': x}]",
            "t.yaml:17: unknown intrinsic function 'Fn::Sup'; did you mean 'Fn::Sub'?",
        ),
    ],
    ids=[
        "value-error",
        "key-for-another-stage",
        "no-mapping",
        "no-name",
        "no-function",
    ],
)
def test_the_other_branch_is_checked_only_for_what_is_wrong_whatever_the_parameters(
    tmp_path: Path, monkeypatch, description: str, expected: str
) -> None:
    """Stage is prod, so the second branch is not evaluated: what depends on the parameters is
    no error there, while a function or a name that exists in no case still is, as
    CloudFormation refuses such a template."""
    monkeypatch.chdir(tmp_path)
    mappings = "Mappings:\n  Config:\n    dev: {Key: k}\n"
    write(tmp_path, mappings + MINIMAL + f"      Description: {description}\n")
    if expected == "fine":
        [update] = load(["t.yaml"])
        assert update.config["description"] == "fine"
    else:
        assert errors(["t.yaml"]) == [expected]


NO_ECHO_TEMPLATE = MINIMAL.replace(
    "  Stage: {Type: String, Default: prod}\n",
    "  Stage: {Type: String, Default: prod}\n"
    "  Secret: {Type: String, NoEcho: true, Default: hunter2-secret}\n",
)


def test_a_no_echo_parameter_is_an_unknown_value_never_printed(
    tmp_path: Path, monkeypatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """CloudFormation masks a NoEcho value; a drift report that compared it would print it
    (`declared "hunter2-secret"`). Default or given, it is unknown, and so is what uses it."""
    monkeypatch.chdir(tmp_path)
    files = "      Files:\n        - FileName: fw.bin\n"
    files += "          Attributes: {key: !Sub 'k-${Secret}'}\n"
    text = NO_ECHO_TEMPLATE.replace("      Files: [{FileName: fw.bin}]\n", files)
    write(tmp_path, text + "      Description: !Ref Secret\n")
    [update] = load(["t.yaml"], ReadOptions(parameters={"Secret": "given-secret"}))
    assert update.config["description"] == Unknown("a NoEcho parameter")
    assert update.config["files"][0]["attributes"] == {"key": Unknown("!Sub k-${Secret}")}
    live = {
        "otaUpdateId": "fw-1",
        "description": "live description",
        "targets": ["arn:aws:iot:eu-west-1:123456789012:thinggroup/sensors"],
        "otaUpdateFiles": [{"fileName": "fw.bin", "attributes": {"key": "k-other"}}],
        "otaUpdateStatus": "CREATE_COMPLETE",
    }
    snapshot = {"version": 1, "capturedAt": "2026-11-20T06:00:00+00:00", "otaUpdates": [live]}
    (tmp_path / "snap.json").write_text(json.dumps(snapshot), encoding="utf-8")
    report = findings(capsys, ["check", "t.yaml", "--state", "snap.json"])
    assert "hunter2" not in json.dumps(report)
    assert [f["path"] for f in report if f["ruleId"] == "OTA001"] == []
    [unchecked] = [f["message"] for f in report if f["ruleId"] == "OTA005"]
    assert unchecked == (
        "files[fw.bin].attributes.key, description not compared with live: depend on values "
        "computed at deploy time (!Sub k-${Secret}, a NoEcho parameter)"
    )


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({}, "t.yaml:4: parameter Secret: its Default is not one of its AllowedValues (a, b)"),
        (
            {"Secret": "hunter3"},
            "t.yaml:4: parameter Secret: --parameter Secret is not one of its AllowedValues (a, b)",
        ),
    ],
    ids=["default", "given"],
)
def test_a_bad_no_echo_value_is_refused_without_showing_it(
    tmp_path: Path, monkeypatch, given: dict[str, str], expected: str
) -> None:
    monkeypatch.chdir(tmp_path)
    write(
        tmp_path, NO_ECHO_TEMPLATE.replace("NoEcho: true,", "NoEcho: true, AllowedValues: [a, b],")
    )
    assert errors(["t.yaml"], ReadOptions(parameters=given)) == [expected]


LONG = "9" * 5000
TOO_LONG = "a number of 5,000 characters, too long (numbers have at most 100 characters)"


def test_a_number_too_long_to_convert_is_an_error_at_its_line(tmp_path: Path, monkeypatch) -> None:
    """Python refuses to convert more than 4,300 digits; no number needs more than 100."""
    monkeypatch.chdir(tmp_path)
    write(
        tmp_path,
        MINIMAL + f"      AwsJobExecutionsRolloutConfig:\n        MaximumPerMinute: '{LONG}'\n",
    )
    assert errors(["t.yaml"]) == [
        "t.yaml:15: resource Firmware: AwsJobExecutionsRolloutConfig.MaximumPerMinute is "
        + TOO_LONG
    ]


def test_a_number_parameter_too_long_is_an_error_at_the_parameter(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    text = MINIMAL.replace(
        "  Stage: {Type: String, Default: prod}\n",
        "  Stage: {Type: String, Default: prod}\n  Num: {Type: Number}\n",
    )
    write(tmp_path, text + "      AwsJobExecutionsRolloutConfig: {MaximumPerMinute: !Ref Num}\n")
    assert errors(["t.yaml"], ReadOptions(parameters={"Num": LONG})) == [
        f"t.yaml:4: parameter Num: --parameter Num={'9' * 57}... is {TOO_LONG}"
    ]


def test_a_select_index_too_long_is_an_error_at_its_line(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, MINIMAL + f"      Description: !Select ['{LONG}', [a]]\n")
    assert errors(["t.yaml"]) == [f"t.yaml:14: Fn::Select's index is {TOO_LONG}"]


GET_ATT_REF = (
    MINIMAL.replace(
        "  Stage: {Type: String, Default: prod}\n",
        "  Stage: {Type: String, Default: prod}\n  Attr: {Type: String{DEFAULT}}\n",
    ).replace(
        "      RoleArn: arn:aws:iam::123456789012:role/ota\n",
        "      RoleArn: !GetAtt [Role, {ATTRIBUTE}]\n",
    )
    + "  Role: {Type: AWS::IAM::Role}\n"
)


@pytest.mark.parametrize(
    ("default", "attribute", "expected"),
    [
        (", Default: Arn", "!Ref Attr", Unknown("!GetAtt Role.Arn")),
        ("", "!Ref Attr", Unknown("!GetAtt [Role, !Ref Attr]")),
        ("", "Arn", Unknown("!GetAtt Role.Arn")),
    ],
    ids=["ref-with-default", "ref-without-value", "literal"],
)
def test_get_att_takes_a_ref_for_the_attribute_name(
    tmp_path: Path, monkeypatch, default: str, attribute: str, expected: Unknown
) -> None:
    """As CloudFormation allows: another resource's attribute is unknown whatever its name."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, GET_ATT_REF.replace("{DEFAULT}", default).replace("{ATTRIBUTE}", attribute))
    [update] = load(["t.yaml"])
    assert update.config["roleArn"] == expected


def test_get_att_takes_no_other_function(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, GET_ATT_REF.replace("{DEFAULT}", "").replace("{ATTRIBUTE}", "!Sub Arn"))
    assert errors(["t.yaml"]) == [
        "t.yaml:14: Fn::GetAtt takes [RESOURCE, ATTRIBUTE] (only a Ref may give the ATTRIBUTE)"
    ]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("      RoleArn: arn:aws:iam::123456789012:role/ota\n", ""),
            "t.yaml:9: resource Firmware: missing required CloudFormation property 'RoleArn'",
        ),
        (
            (
                "      RoleArn:",
                "      AwsJobAbortConfig:\n        AbortCriteriaList:\n"
                "          - {Action: CANCEL, ThresholdPercentage: 10,\n"
                "             MinNumberOfExecutedThings: 1}\n"
                "      RoleArn:",
            ),
            "t.yaml:15: resource Firmware: missing required CloudFormation property "
            "'FailureType' in AwsJobAbortConfig.AbortCriteriaList[0]",
        ),
        (
            (
                "[{FileName: fw.bin}]",
                "[{FileName: fw.bin, FileLocation: {S3Location: {Bucket: ''}}}]",
            ),
            "t.yaml:12: resource Firmware: Files[0].FileLocation.S3Location.Bucket must have at "
            "least 1 character",
        ),
    ],
    ids=["top", "nested", "too-short"],
)
def test_a_problem_names_properties_as_cloudformation_writes_them(
    tmp_path: Path, monkeypatch, change: tuple[str, str], expected: str
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, MINIMAL.replace(*change))
    assert errors(["t.yaml"]) == [expected]
