"""AWS CLI input documents, JSON declarations and which reader a file goes to."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from checker.cli import main
from checker.declared.loader import load_declared, parse, reader_for
from checker.errors import InputError
from checker.jsonsafe import load_json_located
from checker.yamlsafe import INTRINSIC_TAGS, load_located_template

FIXTURES = Path(__file__).parent / "fixtures" / "cli-input"

pytestmark = pytest.mark.usefixtures("in_tmp")


def lint(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["lint", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def copy(name: str, to: str | None = None) -> str:
    target = Path(to or name)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(FIXTURES / name, target)
    return str(target)


# --- AWS CLI input documents -------------------------------------------------------------


@pytest.mark.parametrize("name", ["sensor-fw.json", "sensor-fw.yaml"])
def test_a_cli_input_document_is_one_declared_update_at_its_first_key(name: str) -> None:
    """`--cli-input-json` JSON and `--cli-input-yaml` YAML read alike: the update starts at its
    first key (after the YAML's comment line), and every key keeps its line."""
    path = copy(name)
    (update,) = load_declared([path])
    first = 2
    assert update.ota_update_id == "sensor-fw-2-4-0"
    assert update.location.file == path and update.location.line == first
    assert update.resource is None
    text = Path(path).read_text(encoding="utf-8").splitlines()
    for key in ("targets", "files", "roleArn"):
        line = update.key_lines[(key,)]
        assert text[line - 1].lstrip().startswith((f'"{key}"', key)), (key, line)
    expected = json.loads((FIXTURES / "sensor-fw.json").read_text(encoding="utf-8"))
    assert dict(update.config) == expected


def test_findings_on_a_cli_input_file_point_at_its_lines(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = copy("sensor-fw.json")
    code, out, _ = lint(capsys, path, "--format", "json")
    assert code == 1
    located = {(f["ruleId"], f["line"]) for f in json.loads(out)["findings"]}
    assert located == {("OTA202", 15), ("OTA204", 15), ("OTA306", 2), ("OTA307", 2), ("OTA402", 21)}


def test_the_same_update_as_cli_input_json_yaml_and_ota_drift_file_finds_the_same(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Only the locations differ between the three ways of writing one update."""
    doc = json.loads((FIXTURES / "sensor-fw.json").read_text(encoding="utf-8"))
    Path("ota.yaml").write_text(json.dumps({"otaUpdates": [doc]}), encoding="utf-8")
    results = []
    for path in (copy("sensor-fw.json"), copy("sensor-fw.yaml"), "ota.yaml"):
        code, out, _ = lint(capsys, path, "--format", "json")
        findings = json.loads(out)["findings"]
        results.append(
            (code, [{k: v for k, v in f.items() if k not in ("file", "line")} for f in findings])
        )
    assert results[0] == results[1] == results[2]
    assert len(results[0][1]) == 5


@pytest.mark.parametrize(
    ("name", "first"),
    [("skeleton.json", 2), ("skeleton.yaml", 4)],
)
def test_a_generated_skeleton_gets_the_usual_errors_for_its_placeholders(
    capsys: pytest.CaptureFixture[str], name: str, first: int
) -> None:
    """`--generate-cli-skeleton input` (written by aws-cli/1.46.3) and the yaml-input form
    are recognised; "" and 0 placeholders fail validation at their lines, exit 2."""
    path = copy(name)
    code, out, err = lint(capsys, path)
    assert (code, out) == (2, "")
    lines = err.splitlines()
    assert lines[0] == f"{path}:{first}: otaUpdateId must have at least 1 character"
    assert any(": roleArn must have at least 20 characters" in line for line in lines)
    assert any(
        "awsJobExecutionsRolloutConfig.maximumPerMinute must be at least 1, not 0" in line
        for line in lines
    )
    assert all(line.startswith(f"{path}:") for line in lines)
    assert "Traceback" not in err


def test_an_unknown_parameter_in_a_cli_input_file_has_a_did_you_mean(
    capsys: pytest.CaptureFixture[str],
) -> None:
    doc = json.loads((FIXTURES / "sensor-fw.json").read_text(encoding="utf-8"))
    doc["protocol"] = doc.pop("protocols")
    Path("x.json").write_text(json.dumps(doc, indent=2), encoding="utf-8")
    code, _, err = lint(capsys, "x.json")
    assert code == 2
    assert err == "x.json:29: unknown key 'protocol'; did you mean 'protocols'?\n"


# --- JSON ---------------------------------------------------------------------------------


def test_a_json_syntax_error_is_a_json_error_at_its_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    Path("bad.json").write_text('{\n  "otaUpdateId": "fw-1",\n  "targets": [\n}\n')
    code, out, err = lint(capsys, "bad.json")
    assert (code, out) == (2, "")
    assert err == "bad.json:4: invalid JSON: Expecting value\n"


def test_a_json_duplicate_key_is_an_error_at_the_second() -> None:
    with pytest.raises(InputError) as raised:
        load_json_located('{\n"a": 1,\n"a": 2\n}', "d.json")
    assert str(raised.value) == "d.json:3: duplicate key 'a' (first at line 2)"


def test_json_lines_are_those_of_each_key_and_item() -> None:
    text = '{"a": {\n  "b": [\n    1,\n    {"c": "x"}\n  ],\n  "d": true}, "e": null\n}'
    value, lines = load_json_located(text, "t.json")
    assert value == {"a": {"b": [1, {"c": "x"}], "d": True}, "e": None}
    assert lines == {
        ("a",): 1,
        ("a", "b"): 2,
        ("a", "b", 0): 3,
        ("a", "b", 1): 4,
        ("a", "b", 1, "c"): 4,
        ("a", "d"): 6,
        ("e",): 6,
    }


def test_a_json_file_in_a_declared_folder_is_audited(capsys: pytest.CaptureFixture[str]) -> None:
    """`*.json` and `*.template` below a folder are declarations too, never skipped."""
    copy("sensor-fw.json", "ota/release.json")
    code, out, _ = lint(capsys, "ota", "--format", "json")
    assert code == 1
    assert json.loads(out)["summary"]["declared"] == 1
    assert {f["file"] for f in json.loads(out)["findings"]} == {"ota/release.json"}


def test_a_file_no_reader_recognises_is_an_error_naming_the_formats(
    capsys: pytest.CaptureFixture[str],
) -> None:
    Path("ota").mkdir()
    Path("ota/package.json").write_text('{"name": "web", "version": "1.0.0"}\n')
    code, _, err = lint(capsys, "ota")
    assert code == 2
    assert err.startswith("ota/package.json:1: is not a declaration in any format ota-drift ")
    for described in ("an ota-drift file", "an AWS CLI input document"):
        assert described in err


CLI_INPUT = "an AWS CLI input document (create-ota-update parameters, as --cli-input-json takes)"


@pytest.mark.parametrize(
    ("text", "other"),
    [
        (
            '{"otaUpdateId": "a", "targets": ["arn:aws:iot:eu-west-1:123456789012:thinggroup/g"],'
            ' "files": [{"fileName": "f"}], "roleArn": "arn:aws:iam::123456789012:role/r",'
            ' "Resources": {}}\n',
            "a CloudFormation or CDK template (Resources holding AWS::IoT::OTAUpdate)",
        ),
        (
            '{"otaUpdates": [], "otaUpdateId": "a"}\n',
            "an ota-drift file (a mapping with an 'otaUpdates' list)",
        ),
        (
            '{"version": 3, "deployment": {}, "otaUpdateId": "a"}\n',
            "a Pulumi stack export (pulumi stack export: deployment.resources)",
        ),
    ],
    ids=["template", "ota-drift", "pulumi"],
)
def test_a_document_mixing_formats_is_refused(
    capsys: pytest.CaptureFixture[str], text: str, other: str
) -> None:
    """Read as either format, the other's declaration would be silently left out: a valid
    CLI input document with `Resources: {}` was an empty template, and exit 0."""
    Path("mixed.json").write_text(text, encoding="utf-8")
    code, _, err = lint(capsys, "mixed.json")
    assert (code, err) == (
        2,
        f"mixed.json:1: mixes declaration formats: it reads as {other} and as {CLI_INPUT}\n",
    )


def test_a_snapshot_given_as_a_declaration_says_to_use_state(
    capsys: pytest.CaptureFixture[str],
) -> None:
    Path("snap.json").write_text(
        '{"version": 1, "capturedAt": "2026-11-20T06:00:00Z",\n "otaUpdates": []}\n'
    )
    code, _, err = lint(capsys, "snap.json")
    assert (code, err) == (
        2,
        "snap.json:1: is an ota-drift snapshot (live state), not a declaration: "
        "pass it to `check --state`\n",
    )


def test_a_yaml_file_that_starts_with_a_brace_is_still_read_as_yaml() -> None:
    """Only `*.json` must be JSON: flow-style YAML looks like JSON but need not be."""
    document = parse("ota.yaml", "{otaUpdates: []}\n")
    assert (document.syntax, document.value) == ("yaml", {"otaUpdates": []})
    assert reader_for(document).name == "ota-drift"


# --- intrinsic tags ----------------------------------------------------------------------


def test_short_form_tags_are_refused_outside_templates(capsys: pytest.CaptureFixture[str]) -> None:
    Path("ota.yaml").write_text(
        "otaUpdates:\n  - otaUpdateId: fw-1\n"
        "    roleArn: !Sub 'arn:aws:iam::${AWS::AccountId}:role/x'\n"
    )
    code, _, err = lint(capsys, "ota.yaml")
    assert code == 2
    assert err == (
        "ota.yaml:3: YAML tag '!Sub' is not allowed: CloudFormation's short-form tags are read "
        "only in CloudFormation templates, and this is an ota-drift file (a mapping with an "
        "'otaUpdates' list)\n"
    )


@pytest.mark.parametrize("tag", sorted(INTRINSIC_TAGS))
def test_every_short_form_tag_reads_as_its_long_form(tag: str) -> None:
    value, lines, uses = load_located_template(f"a:\n  b: {tag} [x, y]\n", "t.yaml")
    assert value == {"a": {"b": {INTRINSIC_TAGS[tag]: ["x", "y"]}}}
    assert lines[("a", "b", INTRINSIC_TAGS[tag])] == 2
    assert [(use.tag, use.line) for use in uses] == [(tag, 2)]


def test_get_att_scalar_splits_at_the_first_dot() -> None:
    value, _, _ = load_located_template("a: !GetAtt Signer.Outputs.JobId\n", "t.yaml")
    assert value == {"a": {"Fn::GetAtt": ["Signer", "Outputs.JobId"]}}
    with pytest.raises(InputError, match=r"t.yaml:1: !GetAtt 'Signer' must be RESOURCE.ATTRIBUTE"):
        load_located_template("a: !GetAtt Signer\n", "t.yaml")


def test_other_tags_are_still_refused_in_templates() -> None:
    with pytest.raises(InputError, match=r"t.yaml:2: YAML tag '!Foo' is not allowed"):
        load_located_template("a: 1\nb: !Foo x\n", "t.yaml")


def _signed(signature: str) -> str:
    doc = json.loads((FIXTURES / "sensor-fw.json").read_text(encoding="utf-8"))
    doc["files"][0]["codeSigning"] = {
        "customCodeSigning": {
            "signature": {"inlineDocument": signature},
            "hashAlgorithm": "SHA256",
            "signatureAlgorithm": "ECDSA",
        }
    }
    Path("signed.json").write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return "signed.json"


def test_a_cli_input_signature_is_base64_as_aws_cli_v2_reads_it() -> None:
    (update,) = load_declared([_signed("3q2+7w==")])
    signing = update.config["files"][0]["codeSigning"]["customCodeSigning"]
    assert signing["signature"]["inlineDocument"] == b"\xde\xad\xbe\xef"


def test_a_cli_input_signature_that_is_not_base64_is_refused_at_its_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = _signed("not base64!")
    code, _, err = lint(capsys, path)
    assert code == 2
    assert err == (
        "signed.json:29: files[0].codeSigning.customCodeSigning.signature.inlineDocument "
        "must be base64 text, as this format writes blobs\n"
    )
