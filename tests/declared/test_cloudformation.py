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
    assert update.location == Location("cloudformation/sensors.yaml", 56)
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
        Location("cloudformation/sensors.yaml", 111),
    )
    assert canary.resource == "logical ID Canary"


def test_parameter_without_value_leaves_the_id_unknown(in_fixtures: Path) -> None:
    """A parameter with no default and no --parameter is unknown; an update needs its id."""
    assert errors(["cloudformation/sensors.yaml"]) == [
        "cloudformation/sensors.yaml:62: resource Firmware: otaUpdateId is <computed at deploy "
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
    assert update.location == Location("cloudformation/long-form.json", 29)
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
    assert update.location == Location("cdk.out/MyStack.template.json", 37)
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
            "awsJobPresignedUrlConfig; did you mean 'ExpiresInSec'?",
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
            "t.yaml:14: resource Firmware: description must be a string, not a list",
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
            "(types are case-sensitive); did you mean 'AWS::IoT::OTAUpdate'?",
        ),
    ],
    ids=[
        "no-properties",
        "properties-not-mapping",
        "misspelt-attribute",
        "no-type",
        "undecided",
        "type-case",
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
        "t.yaml:17: resource Firmware: files[0].codeSigning.customCodeSigning.signature."
        "inlineDocument must be base64 text: CloudFormation's InlineDocument is the signature's "
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
