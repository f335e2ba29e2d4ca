"""A finding declared in a template or a stack export names its IaC resource in every format."""

from __future__ import annotations

import json

from checker.formats import get_format
from checker.formats.interface import FormatOptions
from checker.model import Location
from tests.support.builders import finding, report

RESOURCE = "logical ID Firmware4A3D6F0B (aws:cdk:path MyStack/Firmware/Resource)"
WHERE = Location("cdk.out/MyStack.template.json", 54, RESOURCE)
SHOWN = f"cdk.out/MyStack.template.json:54, {RESOURCE}"


def render(name: str) -> str:
    one = finding("OTA306", "fw-1", location=WHERE)
    return get_format(name, FormatOptions()).render(report(one, declared_files=(WHERE.file,)))


def test_text_markdown_and_junit_show_file_line_and_resource() -> None:
    assert f"({SHOWN})" in render("text")
    assert SHOWN.replace("(", "\\(").replace(")", "\\)") in render("markdown")  # escaped
    assert f"{SHOWN}: no awsJobAbortConfig" in render("junit")


def test_json_has_the_resource_beside_file_and_line() -> None:
    (found,) = json.loads(render("json"))["findings"]
    assert (found["file"], found["line"], found["resource"]) == (WHERE.file, 54, RESOURCE)


def test_sarif_names_the_resource_as_a_second_logical_location() -> None:
    (result,) = json.loads(render("sarif"))["runs"][0]["results"]
    (location,) = result["locations"]
    assert location["physicalLocation"]["region"] == {"startLine": 54}
    assert location["logicalLocations"][1] == {"name": RESOURCE, "kind": "declaration"}


def test_html_data_block_carries_the_resource() -> None:
    html = render("html")
    assert json.dumps(RESOURCE)[1:-1] in html


def test_a_location_without_resource_reads_as_before() -> None:
    assert str(Location("ota.yaml", 3)) == "ota.yaml:3"
    assert str(WHERE) == SHOWN
