"""CloudFormation and Pulumi property names to the API's, and the generated names page."""

from __future__ import annotations

from pathlib import Path

from checker.declared import names
from checker.declared.names import to_api_names, written_name
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
            "unknown CloudFormation property 'ExpiresIn' in awsJobPresignedUrlConfig; "
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
