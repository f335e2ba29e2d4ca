"""CloudFormation and Pulumi property names to the API's, and the generated names page."""

from __future__ import annotations

from pathlib import Path

from checker.declared import names
from checker.declared.names import to_api_names, written_name, written_path
from checker.servicemodel import create_ota_update_shape

ROOT = Path(__file__).resolve().parents[2]
PROPS = ("Resources", "Fw", "Properties")


def test_pascal_case_properties_become_api_names_with_their_lines() -> None:
    props = {
        "OtaUpdateId": "fw-1",
        "Files": [{"FileName": "fw.bin", "FileLocation": {"S3Location": {"Bucket": "b"}}}],
        "Tags": [{"Key": "team", "Value": "fw"}],
        "AdditionalParameters": {"MyKey": "v"},
    }
    lines = {
        PROPS: 4,
        (*PROPS, "OtaUpdateId"): 5,
        (*PROPS, "Files"): 6,
        (*PROPS, "Files", 0): 7,
        (*PROPS, "Files", 0, "FileLocation", "S3Location", "Bucket"): 9,
        (*PROPS, "AdditionalParameters", "MyKey"): 12,
    }
    value, key_lines, problems = to_api_names(props, lines, PROPS, "cloudformation")
    assert value == {
        "otaUpdateId": "fw-1",
        "files": [{"fileName": "fw.bin", "fileLocation": {"s3Location": {"bucket": "b"}}}],
        "tags": [{"Key": "team", "Value": "fw"}],
        "additionalParameters": {"MyKey": "v"},
    }
    assert key_lines == {
        (): 4,
        ("otaUpdateId",): 5,
        ("files",): 6,
        ("files", 0): 7,
        ("files", 0, "fileLocation", "s3Location", "bucket"): 9,
        ("additionalParameters", "MyKey"): 12,
    }
    assert problems == []


def test_pulumi_tags_are_key_and_value_in_lower_case() -> None:
    value, _, problems = to_api_names({"tags": [{"key": "a", "value": "b"}]}, {}, (), "pulumi")
    assert (value, problems) == ({"tags": [{"Key": "a", "Value": "b"}]}, [])


def test_an_unknown_property_is_named_as_written_with_a_did_you_mean() -> None:
    props = {"Protocol": ["MQTT"], "AwsJobPresignedUrlConfig": {"ExpiresIn": 60}}
    _, _, problems = to_api_names(props, {}, PROPS, "cloudformation")
    assert problems == [
        (
            (*PROPS, "Protocol"),
            "unknown CloudFormation property 'Protocol'; did you mean 'Protocols'?",
        ),
        (
            (*PROPS, "AwsJobPresignedUrlConfig", "ExpiresIn"),
            "unknown CloudFormation property 'ExpiresIn' in AwsJobPresignedUrlConfig; "
            "did you mean 'ExpiresInSec'?",
        ),
    ]


def test_every_api_member_has_a_row_and_a_written_name_in_each_style() -> None:
    shape = create_ota_update_shape()
    rows = list(names.rows())
    assert [row[0] for row in rows if "." not in row[0]] == list(shape.members)
    assert ("files[].codeSigning.awsSignerJobId", "AwsSignerJobId", "awsSignerJobId") in rows
    assert written_name(("tags", "*", "Key"), "pulumi") == "key"


def test_docs_iac_names_is_generated_from_the_table() -> None:
    """`python -m checker.declared.names` is exactly docs/iac-names.md: the page is current."""
    page = (ROOT / "docs" / "iac-names.md").read_text(encoding="utf-8")
    assert page == names.markdown()


def test_one_property_written_in_two_cases_is_an_error_naming_both() -> None:
    """The match is case-insensitive, so `OTAUpdateId` is `OtaUpdateId` again: a second value
    for one property, which must not silently replace the first (nor be dropped)."""
    props = {
        "OtaUpdateId": "x",
        "OTAUpdateId": "y",
        "Files": [{"FileName": "f", "fileName": "g"}],
    }
    value, _, problems = to_api_names(props, {}, PROPS, "cloudformation")
    assert problems == [
        (
            (*PROPS, "OTAUpdateId"),
            "CloudFormation properties 'OtaUpdateId' and 'OTAUpdateId' are one property "
            "(names match in any case): write it once",
        ),
        (
            (*PROPS, "Files", 0, "fileName"),
            "CloudFormation properties 'FileName' and 'fileName' in Files[0] are one property "
            "(names match in any case): write it once",
        ),
    ]
    assert value == {"otaUpdateId": "x", "files": [{"fileName": "f"}]}


def test_pulumi_inputs_in_two_cases_are_an_error_too() -> None:
    """The CrossGuard pack maps its props with `to_api_names` as well, so it refuses them too."""
    _, _, problems = to_api_names({"roleArn": "a", "RoleArn": "b"}, {}, (), "pulumi")
    assert problems == [
        (
            ("RoleArn",),
            "Pulumi properties 'roleArn' and 'RoleArn' are one property (names match in any "
            "case): write it once",
        )
    ]


def test_map_keys_in_two_cases_are_two_keys() -> None:
    """`attributes` is the user's data: `Build` and `build` are two attributes."""
    props = {"Files": [{"FileName": "f", "Attributes": {"Build": "1", "build": "2"}}]}
    value, _, problems = to_api_names(props, {}, PROPS, "cloudformation")
    assert problems == []
    assert value["files"][0]["attributes"] == {"Build": "1", "build": "2"}


def test_written_path_names_members_as_the_format_writes_them() -> None:
    path = ("files", 0, "attributes", "build")
    assert written_path(path, "cloudformation") == "Files[0].Attributes.build"
    assert written_path(("tags", 1, "Key"), "pulumi") == "tags[1].key"
    assert written_path(("awsJobAbortConfig",), "cloudformation") == "AwsJobAbortConfig"
