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


pytestmark = pytest.mark.usefixtures("in_tmp")


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
        [
            "pack.yaml:2: 'failOn' must be one of info, low, medium, high, critical, never, "
            "not 'severe'"
        ],
    ),
    "unknown rule ID with did-you-mean": (
        HEAD + "rules:\n  OTA3022: {severity: low}\n",
        ["pack.yaml:3: unknown rule 'OTA3022'; did you mean 'OTA302'?"],
    ),
    "rule setting not a mapping": (
        HEAD + "rules:\n  OTA302: off\n",
        ["pack.yaml:3: OTA302 takes a mapping of enabled, severity, params, not False"],
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
        ["pack.yaml:4: OTA302.params must be a mapping, not ['maxPerMinute']"],
    ),
    "bad severity": (
        HEAD + "rules:\n  OTA302:\n    severity: urgent\n",
        [
            "pack.yaml:4: OTA302.severity must be one of info, low, medium, high, critical, "
            "not 'urgent'"
        ],
    ),
    "severity in capitals": (
        HEAD + "rules:\n  OTA302:\n    severity: High\n",
        [
            "pack.yaml:4: OTA302.severity must be one of info, low, medium, high, critical, "
            "not 'High'"
        ],
    ),
    "enabled not a bool": (
        HEAD + "rules:\n  OTA302:\n    enabled: 'no'\n",
        ["pack.yaml:4: OTA302.enabled must be true or false, not 'no'"],
    ),
    "enabled as 0": (
        HEAD + "rules:\n  OTA302:\n    enabled: 0\n",
        ["pack.yaml:4: OTA302.enabled must be true or false, not 0"],
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
        ["pack.yaml:2: 'suppressions' must be a list, not {'rule': 'OTA302'}"],
    ),
    "ignoreDrift without otaUpdates": (
        HEAD + "ignoreDrift:\n  - paths: [description]\n",
        ["pack.yaml:3: missing required key 'otaUpdates'"],
    ),
    "ignoreDrift with otaUpdates not names": (
        HEAD + "ignoreDrift:\n  - otaUpdates: [1, 2]\n",
        ["pack.yaml:3: 'otaUpdates'[0] must be a name or glob pattern, not 1"],
    ),
    "ignoreDrift with an unknown key": (
        HEAD + "ignoreDrift:\n  - otaUpdates: [lab-*]\n    path: [description]\n",
        ["pack.yaml:4: unknown key 'path' in ignoreDrift; did you mean 'paths'?"],
    ),
    "rules not a mapping": (
        HEAD + "rules: [OTA302]\n",
        ["pack.yaml:2: 'rules' must be a mapping of rule IDs, not ['OTA302']"],
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
        "pack.yaml:6: OTA302.enabled must be true or false, not 'maybe'",
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
        "one.yaml:3: OTA302.severity must be one of info, low, medium, high, critical, "
        "not 'urgent'",
        "two.yaml:4: 'failOn' must be one of info, low, medium, high, critical, never, "
        "not 'sometimes'",
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


# --- hostile values: every field, every wrong type, every value that would switch a rule off --


def param_pack(rule_id: str, name: str, value: str) -> str:
    """A pack setting one parameter, written on line 5."""
    return HEAD + f"rules:\n  {rule_id}:\n    params:\n      {name}: {value}\n"


def suppression(**fields: str) -> str:
    """A pack with one suppression (rule, otaUpdates, reason, then `fields` in order, from
    line 3); a field given as "" is left out."""
    body = {"rule": "OTA306", "otaUpdates": "[fleet-*]", "reason": "ok", **fields}
    lines = [f"    {key}: {value}" for key, value in body.items() if value != ""]
    return HEAD + "suppressions:\n  - " + "\n".join(lines)[4:] + "\n"


RATE_WHY = "is 1 to 1000: a limit of 1000 or more never fires, one below 1 always does"
FACTOR = (
    "OTA303.maxIncrementFactor must be at least 1.1 and below 5.0, not {} (incrementFactor is "
    "1.1 to 5.0: a limit of 5.0 or more never fires, one below 1.1 always does)"
)
EXPIRY = (
    "OTA202.maxExpiresInSec must be at least 60 and below 3600, not {} (expiresInSec is 60 to "
    "3600: a limit of 3600 or more never fires, one below 60 always does)"
)
PENDING = (
    "OTA502.maxPendingHours must be at least 1 and at most 8760, not {} (0 would call every "
    "update stuck as soon as it is created, and a limit of more than 8760 h, a year, is no limit)"
)
ALGORITHM = (
    "must be an algorithm name (1 to 64 letters, digits or . _ + / -, starting with a letter or "
    "digit), not {}"
)
PROFILE = (
    "must be an AWS Signer profile name (2 to 64 letters, digits or _, as AWS Signer names "
    "profiles), not {}"
)
FAIL_ON = "'failOn' must be one of info, low, medium, high, critical, never, not {}"
SEVERITY = "OTA302.severity must be one of info, low, medium, high, critical, not {}"
PATTERNS = "'{}' must be a list of names or glob patterns, not {}"
REASON = "a suppression's 'reason' must be text saying why the risk is accepted, not {}"
EXPIRES = "'expires' must be a date (YYYY-MM-DD), not {}"
RULE_ID = "'rule' must be a rule ID such as 'OTA306', not {}"
KEY_ID = "a rule ID must be a string such as 'OTA302', not {}"

HOSTILE_PACKS = {
    # name: (pack text, the one problem reported, as PACK:LINE: message)
    "NaN threshold": (
        param_pack("OTA303", "maxIncrementFactor", ".nan"),
        "5: OTA303.maxIncrementFactor must be a finite number, not nan",
    ),
    "infinite threshold": (
        param_pack("OTA303", "maxIncrementFactor", ".inf"),
        "5: OTA303.maxIncrementFactor must be a finite number, not inf",
    ),
    "minus infinite threshold": (
        param_pack("OTA303", "maxIncrementFactor", "-.inf"),
        "5: OTA303.maxIncrementFactor must be a finite number, not -inf",
    ),
    "factor limit that never fires": (
        param_pack("OTA303", "maxIncrementFactor", "5.0"),
        "5: " + FACTOR.format("5.0"),
    ),
    "factor limit that always fires": (
        param_pack("OTA303", "maxIncrementFactor", "1.0"),
        "5: " + FACTOR.format("1.0"),
    ),
    "rate limit that never fires": (
        param_pack("OTA302", "maxPerMinute", "1000"),
        "5: OTA302.maxPerMinute must be at least 1 and below 1000, not 1000 "
        f"(maximumPerMinute {RATE_WHY})",
    ),
    "zero rate limit": (
        param_pack("OTA302", "maxPerMinute", "0"),
        "5: OTA302.maxPerMinute must be at least 1 and below 1000, not 0 "
        f"(maximumPerMinute {RATE_WHY})",
    ),
    "negative rate limit": (
        param_pack("OTA302", "maxBaseRatePerMinute", "-5"),
        "5: OTA302.maxBaseRatePerMinute must be at least 1 and below 1000, not -5 "
        f"(baseRatePerMinute {RATE_WHY})",
    ),
    "91-digit rate limit": (
        param_pack("OTA302", "maxPerMinute", "1" + "0" * 90),
        "5: OTA302.maxPerMinute must be at least 1 and below 1000, not an integer of about 91 "
        f"digits (maximumPerMinute {RATE_WHY})",
    ),
    "rate limit as a list": (
        param_pack("OTA302", "maxPerMinute", "[50]"),
        "5: OTA302.maxPerMinute must be an integer, not [50]",
    ),
    "rate limit as a mapping": (
        param_pack("OTA302", "maxPerMinute", "{value: 50}"),
        "5: OTA302.maxPerMinute must be an integer, not {'value': 50}",
    ),
    "rate limit null": (
        param_pack("OTA302", "maxPerMinute", "~"),
        "5: OTA302.maxPerMinute must be an integer, not None",
    ),
    "expiry limit that never fires": (
        param_pack("OTA202", "maxExpiresInSec", "3600"),
        "5: " + EXPIRY.format("3600"),
    ),
    "expiry limit below the API's minimum": (
        param_pack("OTA202", "maxExpiresInSec", "59"),
        "5: " + EXPIRY.format("59"),
    ),
    "expiry limit as a float": (
        param_pack("OTA202", "maxExpiresInSec", "600.0"),
        "5: OTA202.maxExpiresInSec must be an integer, not 600.0",
    ),
    "zero pending hours": (
        param_pack("OTA502", "maxPendingHours", "0"),
        "5: " + PENDING.format("0"),
    ),
    "pending hours beyond a year": (
        param_pack("OTA502", "maxPendingHours", "8761"),
        "5: " + PENDING.format("8761"),
    ),
    "bool for a number": (
        param_pack("OTA303", "maxIncrementFactor", "true"),
        "5: OTA303.maxIncrementFactor must be a number, not True",
    ),
    "string for a number": (
        param_pack("OTA303", "maxIncrementFactor", "'2'"),
        "5: OTA303.maxIncrementFactor must be a number, not '2'",
    ),
    "string for a list": (
        param_pack("OTA102", "allowedHashAlgorithms", "SHA256"),
        "5: OTA102.allowedHashAlgorithms must be a list of strings, not 'SHA256'",
    ),
    "number in a string list": (
        param_pack("OTA102", "allowedHashAlgorithms", "[SHA256, 5]"),
        "5: OTA102.allowedHashAlgorithms[1] " + ALGORITHM.format("5"),
    ),
    "list in a string list": (
        param_pack("OTA102", "allowedHashAlgorithms", "[[SHA256]]"),
        "5: OTA102.allowedHashAlgorithms[0] " + ALGORITHM.format("['SHA256']"),
    ),
    "algorithm name with a blank": (
        param_pack("OTA102", "allowedSignatureAlgorithms", "['EC DSA']"),
        "5: OTA102.allowedSignatureAlgorithms[0] " + ALGORITHM.format("'EC DSA'"),
    ),
    "null in a profile list": (
        param_pack("OTA104", "allowedSigningProfiles", "[prod_ecdsa, ~]"),
        "5: OTA104.allowedSigningProfiles[1] " + PROFILE.format("None"),
    ),
    "profile name AWS Signer would refuse": (
        param_pack("OTA104", "allowedSigningProfiles", "[prod-ecdsa]"),
        "5: OTA104.allowedSigningProfiles[0] " + PROFILE.format("'prod-ecdsa'"),
    ),
    "101 profiles": (
        param_pack(
            "OTA104",
            "allowedSigningProfiles",
            "[" + ", ".join(f"p{i:03}" for i in range(101)) + "]",
        ),
        "5: OTA104.allowedSigningProfiles lists 101 entries, more than the 100 allowed",
    ),
    "rule ID an integer": (
        HEAD + "rules:\n  302: {severity: low}\n",
        "3: " + KEY_ID.format("302") + "; did you mean 'OTA302'?",
    ),
    "rule ID null": (HEAD + "rules:\n  ~: {severity: low}\n", "3: " + KEY_ID.format("None")),
    "rule ID a date": (
        HEAD + "rules:\n  2027-01-01: {severity: low}\n",
        "3: " + KEY_ID.format("2027-01-01"),
    ),
    "rule ID a bool": (HEAD + "rules:\n  true: {severity: low}\n", "3: " + KEY_ID.format("True")),
    "parameter name an integer": (
        HEAD + "rules:\n  OTA302:\n    params: {1: 2}\n",
        "4: unknown parameter 1 for OTA302 (it takes: maxPerMinute, maxBaseRatePerMinute)",
    ),
    "enabled null": (
        HEAD + "rules:\n  OTA302: {enabled: ~}\n",
        "3: OTA302.enabled must be true or false, not None",
    ),
    "severity a list": (
        HEAD + "rules:\n  OTA302: {severity: [high]}\n",
        "3: " + SEVERITY.format("['high']"),
    ),
    "severity null": (HEAD + "rules:\n  OTA302: {severity: ~}\n", "3: " + SEVERITY.format("None")),
    "params null": (
        HEAD + "rules:\n  OTA302: {params: ~}\n",
        "3: OTA302.params must be a mapping, not None",
    ),
    "failOn a list": (HEAD + "failOn: [high]\n", "2: " + FAIL_ON.format("['high']")),
    "failOn null": (HEAD + "failOn: ~\n", "2: " + FAIL_ON.format("None")),
    "failOn a number": (HEAD + "failOn: 3\n", "2: " + FAIL_ON.format("3")),
    "rules null": (HEAD + "rules: ~\n", "2: 'rules' must be a mapping of rule IDs, not None"),
    "ignoreDrift a string": (
        HEAD + "ignoreDrift: lab-*\n",
        "2: 'ignoreDrift' must be a list, not 'lab-*'",
    ),
    "ignoreDrift entry a list": (
        HEAD + "ignoreDrift:\n  - [lab-*]\n",
        "3: an ignoreDrift entry must be a mapping with otaUpdates, not ['lab-*']",
    ),
    "suppression a string": (
        HEAD + "suppressions:\n  - OTA306\n",
        "3: a suppression must be a mapping with rule, otaUpdates and reason, not 'OTA306'",
    ),
    "suppression of a list of rules": (
        suppression(rule="[OTA306]"),
        "3: 'rule' must be one rule ID, not a list (['OTA306']): write one suppression per rule",
    ),
    "suppression rule a mapping": (
        suppression(rule="{id: OTA306}"),
        "3: " + RULE_ID.format("{'id': 'OTA306'}"),
    ),
    "suppression rule a number": (suppression(rule="306"), "3: " + RULE_ID.format("306")),
    "suppression rule null": (suppression(rule="~"), "3: " + RULE_ID.format("None")),
    "suppression rule a bool": (suppression(rule="true"), "3: " + RULE_ID.format("True")),
    "otaUpdates null": (
        suppression(otaUpdates="~"),
        "4: " + PATTERNS.format("otaUpdates", "None"),
    ),
    "otaUpdates a mapping": (
        suppression(otaUpdates="{fleet: '*'}"),
        "4: " + PATTERNS.format("otaUpdates", "{'fleet': '*'}"),
    ),
    "otaUpdates holding a list": (
        suppression(otaUpdates="[[fleet-*]]"),
        "4: 'otaUpdates'[0] must be a name or glob pattern, not ['fleet-*']",
    ),
    "otaUpdates holding an empty name": (
        suppression(otaUpdates="[fleet-a, '']"),
        "4: 'otaUpdates'[1] is empty: write a name or glob pattern",
    ),
    "otaUpdates holding a huge pattern": (
        suppression(otaUpdates="[" + "a" * 1025 + "]"),
        "4: 'otaUpdates'[0] has 1025 characters, over the 1024 a name or pattern may have",
    ),
    "paths null": (suppression(paths="~"), "6: " + PATTERNS.format("paths", "None")),
    "paths a number": (suppression(paths="5"), "6: " + PATTERNS.format("paths", "5")),
    "paths holding a bool": (
        suppression(paths="[description, false]"),
        "6: 'paths'[1] must be a name or glob pattern, not False",
    ),
    "reason a list": (suppression(reason="[ok]"), "5: " + REASON.format("['ok']")),
    "reason a number": (suppression(reason="42"), "5: " + REASON.format("42")),
    "reason null": (
        suppression(reason="~"),
        "5: a suppression needs a 'reason': say why the risk is accepted",
    ),
    "reason of 2001 characters": (
        suppression(reason="x" * 2001),
        "5: 'reason' has 2001 characters, over the 2000 allowed: link to the review instead",
    ),
    "expires null": (suppression(expires="~"), "6: " + EXPIRES.format("None")),
    "expires a bool": (suppression(expires="true"), "6: " + EXPIRES.format("True")),
    "expires a list": (
        suppression(expires="[2027-01-01]"),
        "6: " + EXPIRES.format("[datetime.date(2027, 1, 1)]"),
    ),
    "unknown key an integer": (suppression(**{"7": "x"}), "6: unknown key 7 in a suppression"),
    "top-level key null": (HEAD + "~: 1\n", "2: unknown key None"),
}


@pytest.mark.parametrize(("text", "expected"), HOSTILE_PACKS.values(), ids=list(HOSTILE_PACKS))
def test_each_hostile_value_is_one_problem_at_its_pack_line(text: str, expected: str) -> None:
    """A wrong type, a non-finite or out-of-range number, or a value that would switch a rule
    off is refused with exactly one `PACK:LINE: message` naming what is wrong."""
    assert problems(("pack.yaml", text)) == [f"pack.yaml:{expected}"]


def test_the_extremes_of_every_range_are_accepted_and_kept_exactly() -> None:
    """The lowest and highest valid values load and reach the policy unchanged."""
    write(
        "low.yaml",
        HEAD + "rules:\n"
        "  OTA202: {params: {maxExpiresInSec: 60}}\n"
        "  OTA302: {params: {maxPerMinute: 1, maxBaseRatePerMinute: 1}}\n"
        "  OTA303: {params: {maxIncrementFactor: 1.1}}\n"
        "  OTA502: {params: {maxPendingHours: 1}}\n"
        "  OTA102: {params: {allowedHashAlgorithms: [], allowedSignatureAlgorithms: []}}\n",
    )
    profiles = [f"p{i:03}" for i in range(100)]
    write(
        "high.yaml",
        HEAD + "rules:\n"
        "  OTA202: {params: {maxExpiresInSec: 3599}}\n"
        "  OTA302: {params: {maxPerMinute: 999, maxBaseRatePerMinute: 999}}\n"
        "  OTA303: {params: {maxIncrementFactor: 4.99}}\n"
        "  OTA502: {params: {maxPendingHours: 8760}}\n"
        f"  OTA104: {{params: {{allowedSigningProfiles: [{', '.join(profiles)}]}}}}\n",
    )
    low, high = load_policy(["low.yaml"]), load_policy(["high.yaml"])
    assert low.params(META_BY_ID["OTA202"]) == {"maxExpiresInSec": 60}
    assert low.params(META_BY_ID["OTA302"]) == {"maxPerMinute": 1, "maxBaseRatePerMinute": 1}
    assert low.params(META_BY_ID["OTA303"]) == {"maxIncrementFactor": 1.1}
    assert low.params(META_BY_ID["OTA502"]) == {"maxPendingHours": 1}
    assert low.params(META_BY_ID["OTA102"]) == {
        "allowedHashAlgorithms": [],
        "allowedSignatureAlgorithms": [],
    }
    assert high.params(META_BY_ID["OTA202"]) == {"maxExpiresInSec": 3599}
    assert high.params(META_BY_ID["OTA302"]) == {"maxPerMinute": 999, "maxBaseRatePerMinute": 999}
    assert high.params(META_BY_ID["OTA303"]) == {"maxIncrementFactor": 4.99}
    assert high.params(META_BY_ID["OTA502"]) == {"maxPendingHours": 8760}
    assert high.params(META_BY_ID["OTA104"]) == {"allowedSigningProfiles": profiles}


def test_a_timestamp_expiry_is_read_as_its_day() -> None:
    """`expires: 2027-03-31T10:00:00Z` is valid through 2027-03-31, like the plain date."""
    write("pack.yaml", suppression(expires="2027-03-31T10:00:00Z"))
    (accepted,) = load_policy(["pack.yaml"]).suppressions
    assert accepted.expires is not None
    assert accepted.expires.isoformat() == "2027-03-31"


def test_a_hostile_value_shows_in_the_message_cut_short() -> None:
    """A wrong value half a megabyte long is named by its first characters, never copied whole."""
    (problem,) = problems(("pack.yaml", suppression(reason="[" + "x" * 500_000 + "]")))
    assert problem == "pack.yaml:5: " + REASON.format("['" + "x" * 55 + "...")


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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            suppression(rule="[OTA306]"),
            "pack.yaml:3: 'rule' must be one rule ID, not a list (['OTA306']): "
            "write one suppression per rule",
        ),
        (
            param_pack("OTA303", "maxIncrementFactor", ".nan"),
            "pack.yaml:5: OTA303.maxIncrementFactor must be a finite number, not nan",
        ),
        (
            param_pack("OTA302", "maxPerMinute", "1000"),
            "pack.yaml:5: OTA302.maxPerMinute must be at least 1 and below 1000, not 1000 "
            f"(maximumPerMinute {RATE_WHY})",
        ),
    ],
    ids=["suppression of a list of rules", "NaN threshold", "threshold that never fires"],
)
def test_cli_hostile_pack_is_exit_2_with_one_line_and_no_report(
    text: str, expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`lint --policy` with `rule: [OTA306]`, a NaN or a limit that never fires exits 2 with
    exactly its `PACK:LINE` line on stderr (no traceback) and writes no report."""
    write("ota.yaml", DECLARED)
    write("pack.yaml", text)
    code = main(["lint", "ota.yaml", "--policy", "pack.yaml", "--output", "out.json"])
    out, err = capsys.readouterr()
    assert (code, out, err) == (2, "", expected + "\n")
    assert not Path("out.json").exists()
