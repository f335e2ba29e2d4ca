"""Policy packs: overlay order, the shipped strict profile, and validation as `PACK:LINE`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from checker.cli import main
from checker.errors import InputError
from checker.model import Severity
from checker.policy.packs import default_pack_path, load_policy
from checker.rules.registry import META_BY_ID

REPO = Path(__file__).resolve().parents[2]
STRICT = REPO / "policies" / "strict.yaml"

DECLARED = """\
otaUpdates:
  - otaUpdateId: fleet-a
    targets: [arn:aws:iot:eu-west-1:123456789012:thinggroup/sensors]
    roleArn: arn:aws:iam::123456789012:role/ota
    files:
      - fileName: fw.bin
        fileLocation: {s3Location: {bucket: fw, key: fw.bin, version: v3}}
        codeSigning: {awsSignerJobId: job-1}
"""


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def write(name: str, text: str) -> str:
    Path(name).write_text(text, encoding="utf-8")
    return name


def problems(*packs: tuple[str, str]) -> list[str]:
    """The `PACK:LINE: message` lines that loading these (name, text) packs reports."""
    names = [write(name, text) for name, text in packs]
    with pytest.raises(InputError) as exc:
        load_policy(names)
    return [str(p) for p in exc.value.problems]


# --- overlay order ---------------------------------------------------------------------------


def test_default_pack_alone_fails_on_low_and_sets_nothing_else() -> None:
    """Without --policy the shipped default pack is loaded alone: failOn low, no overrides."""
    policy = load_policy([])
    assert policy.fail_on == "low"
    assert policy.ignore_drift == ()
    assert policy.suppressions == ()
    assert len(policy.packs) == 1
    assert policy.packs[0].endswith("default.yaml")
    assert default_pack_path().read_text(encoding="utf-8") == (
        REPO / "policies" / "default.yaml"
    ).read_text(encoding="utf-8")


def test_default_pack_is_loaded_first_then_extra_packs_in_order() -> None:
    """`packs` lists the default pack first, then each --policy pack in the order given."""
    write("a.yaml", "version: 1\n")
    write("b.yaml", "version: 1\n")
    policy = load_policy(["b.yaml", "a.yaml"])
    assert policy.packs[1:] == ("b.yaml", "a.yaml")
    assert policy.packs[0].endswith("default.yaml")


def test_later_pack_fail_on_wins_and_a_pack_without_it_keeps_the_earlier() -> None:
    """failOn comes from the last pack that sets it."""
    write("high.yaml", "version: 1\nfailOn: high\n")
    write("never.yaml", "version: 1\nfailOn: never\n")
    write("silent.yaml", "version: 1\n")
    assert load_policy(["high.yaml"]).fail_on == "high"
    assert load_policy(["high.yaml", "never.yaml"]).fail_on == "never"
    assert load_policy(["never.yaml", "high.yaml"]).fail_on == "high"
    assert load_policy(["high.yaml", "silent.yaml"]).fail_on == "high"


def test_later_pack_severity_wins_and_a_pack_without_it_keeps_the_earlier() -> None:
    """A rule's severity is the last pack's that sets one; otherwise the earlier pack's stands."""
    write("low.yaml", "version: 1\nrules:\n  OTA302: {severity: low}\n")
    write("crit.yaml", "version: 1\nrules:\n  OTA302: {severity: critical}\n")
    write("params.yaml", "version: 1\nrules:\n  OTA302: {params: {maxPerMinute: 10}}\n")
    meta = META_BY_ID["OTA302"]
    assert load_policy([]).severity("OTA302", meta.severity) == Severity.HIGH
    assert load_policy(["low.yaml", "crit.yaml"]).severity("OTA302", meta.severity) == (
        Severity.CRITICAL
    )
    assert load_policy(["crit.yaml", "low.yaml"]).severity("OTA302", meta.severity) == (
        Severity.LOW
    )
    assert load_policy(["low.yaml", "params.yaml"]).severity("OTA302", meta.severity) == (
        Severity.LOW
    )


def test_params_merge_key_by_key_with_the_later_pack_winning() -> None:
    """A later pack's params replace only the keys it sets; defaults fill the rest."""
    write("a.yaml", "version: 1\nrules:\n  OTA302: {params: {maxPerMinute: 100}}\n")
    write("b.yaml", "version: 1\nrules:\n  OTA302: {params: {maxBaseRatePerMinute: 20}}\n")
    write("c.yaml", "version: 1\nrules:\n  OTA302: {params: {maxPerMinute: 70}}\n")
    meta = META_BY_ID["OTA302"]
    assert load_policy([]).params(meta) == {"maxPerMinute": 200, "maxBaseRatePerMinute": 50}
    assert load_policy(["a.yaml"]).params(meta) == {
        "maxPerMinute": 100,
        "maxBaseRatePerMinute": 50,
    }
    assert load_policy(["a.yaml", "b.yaml"]).params(meta) == {
        "maxPerMinute": 100,
        "maxBaseRatePerMinute": 20,
    }
    assert load_policy(["a.yaml", "b.yaml", "c.yaml"]).params(meta) == {
        "maxPerMinute": 70,
        "maxBaseRatePerMinute": 20,
    }


def test_enabled_false_then_true_reenables_and_a_silent_pack_keeps_it_disabled() -> None:
    """`enabled` is the last pack's that sets it: false then true is enabled again."""
    write("off.yaml", "version: 1\nrules:\n  OTA302: {enabled: false}\n")
    write("on.yaml", "version: 1\nrules:\n  OTA302: {enabled: true}\n")
    write("sev.yaml", "version: 1\nrules:\n  OTA302: {severity: low}\n")
    assert load_policy([]).enabled("OTA302") is True
    assert load_policy(["off.yaml"]).enabled("OTA302") is False
    assert load_policy(["off.yaml", "on.yaml"]).enabled("OTA302") is True
    assert load_policy(["on.yaml", "off.yaml"]).enabled("OTA302") is False
    assert load_policy(["off.yaml", "sev.yaml"]).enabled("OTA302") is False


def test_ignore_drift_and_suppressions_of_all_packs_accumulate_in_order() -> None:
    """Every pack's ignoreDrift and suppressions apply, in pack order, each with its location."""
    write(
        "a.yaml",
        "version: 1\n"
        "ignoreDrift:\n"
        "  - otaUpdates: [lab-*]\n"
        "suppressions:\n"
        "  - rule: OTA302\n"
        "    otaUpdates: [fleet-*]\n"
        "    reason: approved in SR-1\n",
    )
    write(
        "b.yaml",
        "version: 1\n"
        "ignoreDrift:\n"
        "  - otaUpdates: [dev-*]\n"
        "    paths: [description]\n"
        "suppressions:\n"
        "  - rule: OTA101\n"
        "    otaUpdates: [lab-*, dev-*]\n"
        "    paths: ['files[fw.bin]']\n"
        "    reason: '  unsigned lab images  '\n"
        "    expires: 2027-03-31\n",
    )
    policy = load_policy(["a.yaml", "b.yaml"])
    assert [(i.ota_updates, i.paths, str(i.location)) for i in policy.ignore_drift] == [
        (("lab-*",), (), "a.yaml:3"),
        (("dev-*",), ("description",), "b.yaml:3"),
    ]
    assert [
        (s.rule, s.ota_updates, s.paths, s.reason, str(s.expires), str(s.location))
        for s in policy.suppressions
    ] == [
        ("OTA302", ("fleet-*",), (), "approved in SR-1", "None", "a.yaml:5"),
        (
            "OTA101",
            ("lab-*", "dev-*"),
            ("files[fw.bin]",),
            "unsigned lab images",
            "2027-03-31",
            "b.yaml:6",
        ),
    ]


# --- the shipped strict profile --------------------------------------------------------------


def test_strict_pack_file_has_the_required_values() -> None:
    """policies/strict.yaml sets the production limits and severities the issue requires."""
    doc = yaml.safe_load(STRICT.read_text(encoding="utf-8"))
    assert doc["version"] == 1
    rules = doc["rules"]
    assert rules["OTA302"]["params"]["maxPerMinute"] == 50
    assert rules["OTA302"]["params"]["maxBaseRatePerMinute"] == 10
    assert rules["OTA303"]["params"]["maxIncrementFactor"] == 1.5
    assert rules["OTA202"]["params"]["maxExpiresInSec"] == 600
    assert rules["OTA203"]["severity"] == "medium"
    assert rules["OTA307"]["severity"] == "medium"


def test_strict_pack_loads_and_yields_the_required_policy() -> None:
    """Loaded over the default pack, strict.yaml validates and yields exactly those values."""
    named = ("OTA202", "OTA203", "OTA302", "OTA303", "OTA307")
    unregistered = [r for r in named if r not in META_BY_ID]
    if unregistered:
        pytest.skip(f"rules not in the registry yet (other helpers add them): {unregistered}")
    policy = load_policy([str(STRICT)])
    params = {r: policy.params(META_BY_ID[r]) for r in named}
    assert params["OTA302"]["maxPerMinute"] == 50
    assert params["OTA302"]["maxBaseRatePerMinute"] == 10
    assert params["OTA303"]["maxIncrementFactor"] == 1.5
    assert params["OTA202"]["maxExpiresInSec"] == 600
    assert policy.severity("OTA203", META_BY_ID["OTA203"].severity) == Severity.MEDIUM
    assert policy.severity("OTA307", META_BY_ID["OTA307"].severity) == Severity.MEDIUM
    assert policy.fail_on == "low"


# --- validation: every problem as PACK:LINE --------------------------------------------------

HEAD = "version: 1\n"

BAD_PACKS = {
    # name: (pack text, the exact problems reported)
    "unknown top-level key with a hint": (
        HEAD + "failon: high\n",
        ["pack.yaml:2: unknown key 'failon'; did you mean 'failOn'?"],
    ),
    "unknown top-level key": (
        HEAD + "colour: red\n",
        ["pack.yaml:2: unknown key 'colour'"],
    ),
    "wrong version": (
        "version: 2\n",
        ["pack.yaml:1: 'version' must be 1, not 2"],
    ),
    "version as a string": (
        "# a comment\nversion: '1'\n",
        ["pack.yaml:2: 'version' must be 1, not '1'"],
    ),
    "version as a bool": (
        "version: true\n",
        ["pack.yaml:1: 'version' must be 1, not True"],
    ),
    "missing version": (
        "failOn: low\n",
        ["pack.yaml:1: 'version' must be 1, not None"],
    ),
    "not a mapping": (
        "- version: 1\n",
        ["pack.yaml:1: a policy pack must be a mapping with 'version: 1'"],
    ),
    "bad failOn": (
        HEAD + "failOn: severe\n",
        ["pack.yaml:2: 'failOn' must be one of info, low, medium, high, critical, never"],
    ),
    "unknown rule ID with did-you-mean": (
        HEAD + "rules:\n  OTA3022: {severity: low}\n",
        ["pack.yaml:3: unknown rule 'OTA3022'; did you mean 'OTA302'?"],
    ),
    "rule setting not a mapping": (
        HEAD + "rules:\n  OTA302: off\n",
        ["pack.yaml:3: OTA302 takes a mapping of enabled, severity, params"],
    ),
    "unknown key in a rule": (
        HEAD + "rules:\n  OTA302:\n    severty: low\n",
        ["pack.yaml:4: unknown key 'severty' in OTA302; did you mean 'severity'?"],
    ),
    "unknown parameter": (
        HEAD + "rules:\n  OTA302:\n    params:\n      maxBaseRate: 5\n",
        [
            "pack.yaml:5: unknown parameter 'maxBaseRate' for OTA302 "
            "(it takes: maxPerMinute, maxBaseRatePerMinute); did you mean 'maxBaseRatePerMinute'?"
        ],
    ),
    "parameter of a rule that takes none": (
        HEAD + "rules:\n  OTA101:\n    params: {limit: 1}\n",
        ["pack.yaml:4: unknown parameter 'limit' for OTA101 (it takes: none)"],
    ),
    "string for an int parameter": (
        HEAD + "rules:\n  OTA302:\n    params:\n      maxPerMinute: '50'\n",
        ["pack.yaml:5: OTA302.maxPerMinute must be an integer, not '50'"],
    ),
    "bool for an int parameter": (
        HEAD + "rules:\n  OTA302:\n    params:\n      maxPerMinute: true\n",
        ["pack.yaml:5: OTA302.maxPerMinute must be an integer, not True"],
    ),
    "float for an int parameter": (
        HEAD + "rules:\n  OTA302:\n    params:\n      maxBaseRatePerMinute: 1.5\n",
        ["pack.yaml:5: OTA302.maxBaseRatePerMinute must be an integer, not 1.5"],
    ),
    "params not a mapping": (
        HEAD + "rules:\n  OTA302:\n    params: [maxPerMinute]\n",
        ["pack.yaml:4: OTA302.params must be a mapping"],
    ),
    "bad severity": (
        HEAD + "rules:\n  OTA302:\n    severity: urgent\n",
        ["pack.yaml:4: OTA302.severity must be one of info, low, medium, high, critical"],
    ),
    "severity in capitals": (
        HEAD + "rules:\n  OTA302:\n    severity: High\n",
        ["pack.yaml:4: OTA302.severity must be one of info, low, medium, high, critical"],
    ),
    "enabled not a bool": (
        HEAD + "rules:\n  OTA302:\n    enabled: 'no'\n",
        ["pack.yaml:4: OTA302.enabled must be true or false"],
    ),
    "enabled as 0": (
        HEAD + "rules:\n  OTA302:\n    enabled: 0\n",
        ["pack.yaml:4: OTA302.enabled must be true or false"],
    ),
    "suppression without reason": (
        HEAD + "suppressions:\n  - rule: OTA302\n    otaUpdates: [fleet-*]\n",
        ["pack.yaml:3: a suppression needs a 'reason': say why the risk is accepted"],
    ),
    "suppression with empty reason": (
        HEAD + "suppressions:\n  - rule: OTA302\n    otaUpdates: [fleet-*]\n    reason: ''\n",
        ["pack.yaml:5: a suppression needs a 'reason': say why the risk is accepted"],
    ),
    "suppression with a blank reason": (
        HEAD + "suppressions:\n  - rule: OTA302\n    otaUpdates: [fleet-*]\n    reason: '   '\n",
        ["pack.yaml:5: a suppression needs a 'reason': say why the risk is accepted"],
    ),
    "suppression with unknown rule": (
        HEAD + "suppressions:\n  - rule: OTA3022\n    otaUpdates: [fleet-*]\n    reason: ok\n",
        ["pack.yaml:3: unknown rule 'OTA3022'; did you mean 'OTA302'?"],
    ),
    "suppression without rule": (
        HEAD + "suppressions:\n  - otaUpdates: [fleet-*]\n    reason: ok\n",
        ["pack.yaml:3: missing required key 'rule'"],
    ),
    "suppression without otaUpdates": (
        HEAD + "suppressions:\n  - rule: OTA302\n    reason: ok\n",
        ["pack.yaml:3: missing required key 'otaUpdates'"],
    ),
    "unknown key in a suppression": (
        HEAD + "suppressions:\n  - rule: OTA302\n    otaUpdates: [x]\n    reason: ok\n"
        "    expiry: 2027-01-01\n",
        ["pack.yaml:6: unknown key 'expiry' in a suppression; did you mean 'expires'?"],
    ),
    "expires not a date": (
        HEAD + "suppressions:\n  - rule: OTA302\n    otaUpdates: [x]\n    reason: ok\n"
        "    expires: soon\n",
        ["pack.yaml:6: 'expires' must be a date (YYYY-MM-DD), not 'soon'"],
    ),
    "expires an impossible day as a string": (
        HEAD + "suppressions:\n  - rule: OTA302\n    otaUpdates: [x]\n    reason: ok\n"
        "    expires: '2027-02-30'\n",
        ["pack.yaml:6: 'expires' must be a date (YYYY-MM-DD), not '2027-02-30'"],
    ),
    "suppression with no otaUpdates listed": (
        HEAD + "suppressions:\n  - rule: OTA302\n    otaUpdates: []\n    reason: ok\n",
        ["pack.yaml:4: 'otaUpdates' is empty: list at least one name or pattern"],
    ),
    "ignoreDrift with no paths listed": (
        HEAD + "ignoreDrift:\n  - otaUpdates: [lab-*]\n    paths: []\n",
        ["pack.yaml:4: 'paths' is empty: list at least one name or pattern"],
    ),
    "expires an integer": (
        HEAD + "suppressions:\n  - rule: OTA302\n    otaUpdates: [x]\n    reason: ok\n"
        "    expires: 20270331\n",
        ["pack.yaml:6: 'expires' must be a date (YYYY-MM-DD), not 20270331"],
    ),
    "suppressions not a list": (
        HEAD + "suppressions: {rule: OTA302}\n",
        ["pack.yaml:2: 'suppressions' must be a list"],
    ),
    "ignoreDrift without otaUpdates": (
        HEAD + "ignoreDrift:\n  - paths: [description]\n",
        ["pack.yaml:3: missing required key 'otaUpdates'"],
    ),
    "ignoreDrift with otaUpdates not names": (
        HEAD + "ignoreDrift:\n  - otaUpdates: [1, 2]\n",
        ["pack.yaml:3: 'otaUpdates' must be a list of names or glob patterns"],
    ),
    "ignoreDrift with an unknown key": (
        HEAD + "ignoreDrift:\n  - otaUpdates: [lab-*]\n    path: [description]\n",
        ["pack.yaml:4: unknown key 'path' in ignoreDrift; did you mean 'paths'?"],
    ),
    "rules not a mapping": (
        HEAD + "rules: [OTA302]\n",
        ["pack.yaml:2: 'rules' must be a mapping of rule IDs"],
    ),
}


@pytest.mark.parametrize(("text", "expected"), BAD_PACKS.values(), ids=list(BAD_PACKS))
def test_each_validation_problem_is_reported_at_its_pack_line(
    text: str, expected: list[str]
) -> None:
    """Each invalid pack is refused with exactly these `PACK:LINE: message` problems."""
    assert problems(("pack.yaml", text)) == expected


def test_every_problem_of_one_pack_is_reported_at_once_in_file_order() -> None:
    """One pack with many mistakes reports all of them, not just the first."""
    text = (
        "version: 2\n"  # 1
        "colour: red\n"  # 2
        "rules:\n"  # 3
        "  OTA3022: {severity: low}\n"  # 4
        "  OTA302:\n"  # 5
        "    enabled: maybe\n"  # 6
        "    params: {maxPerMinute: true}\n"  # 7
        "suppressions:\n"  # 8
        "  - rule: OTA302\n"  # 9
        "    otaUpdates: [x]\n"  # 10
    )
    assert problems(("pack.yaml", text)) == [
        "pack.yaml:2: unknown key 'colour'",
        "pack.yaml:1: 'version' must be 1, not 2",
        "pack.yaml:4: unknown rule 'OTA3022'; did you mean 'OTA302'?",
        "pack.yaml:6: OTA302.enabled must be true or false",
        "pack.yaml:7: OTA302.maxPerMinute must be an integer, not True",
        "pack.yaml:9: a suppression needs a 'reason': say why the risk is accepted",
    ]


def test_problems_of_two_packs_are_reported_together_in_pack_order() -> None:
    """Two invalid packs: every problem of both, the first pack's first."""
    assert problems(
        ("one.yaml", HEAD + "rules:\n  OTA302: {severity: urgent}\n"),
        ("ok.yaml", HEAD + "failOn: high\n"),
        ("two.yaml", HEAD + "ignoreDrift:\n  - paths: [x]\nfailOn: sometimes\n"),
    ) == [
        "one.yaml:3: OTA302.severity must be one of info, low, medium, high, critical",
        "two.yaml:4: 'failOn' must be one of info, low, medium, high, critical, never",
        "two.yaml:3: missing required key 'otaUpdates'",
    ]


def test_a_missing_pack_file_is_a_problem_naming_it() -> None:
    """A --policy file that does not exist is reported by name, with the other packs' problems."""
    assert problems(("bad.yaml", "version: 3\n")) == ["bad.yaml:1: 'version' must be 1, not 3"]
    with pytest.raises(InputError) as exc:
        load_policy(["nowhere.yaml", "bad.yaml"])
    assert [str(p) for p in exc.value.problems] == [
        "nowhere.yaml: no such file or directory",
        "bad.yaml:1: 'version' must be 1, not 3",
    ]


def test_a_yaml_syntax_error_in_a_pack_is_reported_at_its_line() -> None:
    """A pack that is not valid YAML is refused with its own name and a line number."""
    found = problems(("pack.yaml", "version: 1\nrules: [unclosed\n"))
    assert len(found) == 1
    assert found[0].startswith("pack.yaml:")


def test_a_valid_expires_is_read_as_a_date_whether_quoted_or_not() -> None:
    """`expires: 2027-03-31` and `expires: '2027-03-31'` are both that day."""
    for expires in ("2027-03-31", "'2027-03-31'"):
        write(
            "pack.yaml",
            HEAD + "suppressions:\n  - rule: OTA302\n    otaUpdates: [x]\n    reason: ok\n"
            f"    expires: {expires}\n",
        )
        (suppression,) = load_policy(["pack.yaml"]).suppressions
        assert suppression.expires is not None
        assert suppression.expires.isoformat() == "2027-03-31"


# --- validation through the CLI --------------------------------------------------------------


def test_cli_invalid_pack_is_exit_2_with_pack_line_on_stderr_and_no_output_written(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`lint --policy BAD` exits 2, prints every `PACK:LINE: message`, and writes no report."""
    write("ota.yaml", DECLARED)
    write(
        "bad.yaml",
        HEAD + "rules:\n  OTA302:\n    params: {maxPerMinute: '50'}\n  OTA3022: {}\n",
    )
    code = main(
        ["lint", "ota.yaml", "--policy", "bad.yaml", "--format", "json", "--output", "out.json"]
    )
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert err == (
        "bad.yaml:4: OTA302.maxPerMinute must be an integer, not '50'\n"
        "bad.yaml:5: unknown rule 'OTA3022'; did you mean 'OTA302'?\n"
    )
    assert not Path("out.json").exists()


def test_cli_reports_problems_of_every_policy_argument_together(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Two bad --policy packs: both packs' problems on stderr in one run, exit 2, no stdout."""
    write("ota.yaml", DECLARED)
    write("a.yaml", "version: 0\n")
    write("b.yaml", HEAD + "suppressions:\n  - rule: OTA302\n    otaUpdates: [x]\n")
    code = main(["lint", "ota.yaml", "--policy", "a.yaml", "--policy", "b.yaml"])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert err.splitlines() == [
        "a.yaml:1: 'version' must be 1, not 0",
        "b.yaml:3: a suppression needs a 'reason': say why the risk is accepted",
    ]


def test_cli_valid_pack_changes_the_report(capsys: pytest.CaptureFixture[str]) -> None:
    """A valid --policy pack's params and severity reach the findings the CLI reports."""
    write(
        "ota.yaml",
        DECLARED + "    awsJobExecutionsRolloutConfig: {maximumPerMinute: 100}\n",
    )
    write(
        "pack.yaml",
        HEAD + "rules:\n  OTA302: {severity: medium, params: {maxPerMinute: 60}}\n",
    )
    assert main(["lint", "ota.yaml", "--format", "json"]) in (0, 1)
    plain = json.loads(capsys.readouterr().out)
    assert [f for f in plain["findings"] if f["ruleId"] == "OTA302"] == []
    assert main(["lint", "ota.yaml", "--policy", "pack.yaml", "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    (finding,) = [f for f in report["findings"] if f["ruleId"] == "OTA302"]
    assert finding["severity"] == "medium"
    assert finding["message"] == "maximumPerMinute 100 is above the policy's 60"
    assert (finding["file"], finding["line"]) == ("ota.yaml", 9)
