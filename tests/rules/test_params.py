"""Rule parameters: declared bounds, the one judge of a value, and no valid value that switches a
rule off (or on for every config)."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import yaml
from cryptography.hazmat.primitives.asymmetric import rsa

from checker.rules.inline_chains import EXAMPLE_CHAIN, example
from checker.rules.interface import (
    MAX_LIST_ITEMS,
    Bounds,
    ConfigView,
    Items,
    Param,
    Rule,
    shown_value,
)
from checker.rules.registry import ALL_RULES, CONFIG_RULES, META_BY_ID
from tests.rules import chains
from tests.rules.harness import AS_OF

RULES = {rule.meta.rule_id: rule for rule in CONFIG_RULES}
PARAMS = [(meta.rule_id, p) for meta in ALL_RULES for p in meta.params]


def _highest(bounds: Bounds, integer: bool) -> float:
    """The largest value the bounds accept."""
    if not bounds.exclusive_maximum:
        return bounds.maximum
    return bounds.maximum - 1 if integer else math.nextafter(bounds.maximum, -math.inf)


def _lowest(bounds: Bounds, integer: bool) -> float:
    """The smallest value the bounds accept."""
    if not bounds.exclusive_minimum:
        return bounds.minimum
    return bounds.minimum + 1 if integer else math.nextafter(bounds.minimum, math.inf)


def test_every_parameter_declares_what_is_valid_and_its_default_is() -> None:
    """Numbers carry bounds, lists an entry pattern, and every default passes `problem`."""
    assert [f"{r}.{p.name}" for r, p in PARAMS] == [
        "OTA102.allowedHashAlgorithms",
        "OTA102.allowedSignatureAlgorithms",
        "OTA104.allowedSigningProfiles",
        "OTA107.minDaysLeft",
        "OTA110.minRsaBits",
        "OTA110.allowedCurves",
        "OTA123.minDaysLeft",
        "OTA128.minDaysLeft",
        "OTA202.maxExpiresInSec",
        "OTA302.maxPerMinute",
        "OTA302.maxBaseRatePerMinute",
        "OTA303.maxIncrementFactor",
        "OTA502.maxPendingHours",
        "OTA505.maxFailurePercent",
        "OTA505.minFinishedExecutions",
    ]
    for _, param in PARAMS:
        if param.type == "string-list":
            assert param.items is not None and param.bounds is None, param.name
        else:
            assert param.bounds is not None and param.items is None, param.name
        assert param.problem(param.default) is None, param.name


@pytest.mark.parametrize(
    ("rule_id", "name", "bounds"),
    [
        ("OTA107", "minDaysLeft", (1, 365, False, False)),
        ("OTA110", "minRsaBits", (2048, 15360, False, False)),
        ("OTA123", "minDaysLeft", (1, 365, False, False)),
        ("OTA128", "minDaysLeft", (1, 365, False, False)),
        ("OTA202", "maxExpiresInSec", (60, 3600, False, True)),
        ("OTA302", "maxPerMinute", (1, 1000, False, True)),
        ("OTA302", "maxBaseRatePerMinute", (1, 1000, False, True)),
        ("OTA303", "maxIncrementFactor", (1.1, 5.0, False, True)),
        ("OTA502", "maxPendingHours", (1, 8760, False, False)),
        ("OTA505", "maxFailurePercent", (0, 100, False, True)),
        ("OTA505", "minFinishedExecutions", (1, 1_000_000, False, False)),
    ],
)
def test_numeric_bounds_follow_the_api_ranges(
    rule_id: str, name: str, bounds: tuple[float, float, bool, bool]
) -> None:
    """Each threshold's (minimum, maximum, exclusive minimum, exclusive maximum) is as stated."""
    declared = META_BY_ID[rule_id].param(name).bounds
    assert declared is not None
    assert (
        declared.minimum,
        declared.maximum,
        declared.exclusive_minimum,
        declared.exclusive_maximum,
    ) == bounds


def _pending(hours: float) -> dict[str, Any]:
    return {"otaUpdateStatus": "CREATE_PENDING", "lastModifiedDate": AS_OF - timedelta(hours=hours)}


def _executions(succeeded: int, failed: int) -> dict[str, Any]:
    counts = {"numberOfSucceededThings": succeeded, "numberOfFailedThings": failed}
    return {"awsIotJob": {"status": "IN_PROGRESS", "jobProcessDetails": counts}}


def _rollout(**rate: Any) -> dict[str, Any]:
    exponential = {k: v for k, v in rate.items() if k != "maximumPerMinute"}
    config: dict[str, Any] = {"awsJobExecutionsRolloutConfig": {}}
    if "maximumPerMinute" in rate:
        config["awsJobExecutionsRolloutConfig"]["maximumPerMinute"] = rate["maximumPerMinute"]
    if exponential:
        config["awsJobExecutionsRolloutConfig"]["exponentialRate"] = {
            "baseRatePerMinute": 10,
            "incrementFactor": 1.5,
            "rateIncreaseCriteria": {"numberOfSucceededThings": 100},
            **exponential,
        }
    return config


def _signed_with(document: str) -> dict[str, Any]:
    config = yaml.safe_load(example(document))
    assert isinstance(config, dict)
    return config


def _rsa_2048() -> dict[str, Any]:
    key = rsa.generate_private_key(65537, 2048)
    return _signed_with(
        chains.document(chains.issue(key=key, issuer=chains.authority()).certificate)
    )


def _chain(link: str, record: dict[str, Any]) -> dict[str, Any]:
    """A live config whose one file's chain holds `link` (a verified read)."""
    signing = {"awsSignerJobId": "job-1"}
    identity = {"signingJob": {"jobId": "job-1"}, "certificate": {"certificateArn": CERT_ARN}}
    return {
        "files": [{"fileName": "fw.bin", "codeSigning": signing}],
        "awsChain": [{link: {**identity[link], "found": True, **record}}],
    }


def _signature_left(days: int) -> dict[str, Any]:
    expires = AS_OF + timedelta(days=days)
    return _chain("signingJob", {"status": "Succeeded", "signatureExpiresAt": expires})


def _certificate_left(days: int) -> dict[str, Any]:
    not_after = AS_OF + timedelta(days=days)
    return _chain("certificate", {"status": "ISSUED", "notAfter": not_after})


CERT_ARN = "arn:aws:acm:eu-west-1:123456789012:certificate/abc"


def _http(expires: int) -> dict[str, Any]:
    return {"protocols": ["HTTP"], "awsJobPresignedUrlConfig": {"expiresInSec": expires}}


EXTREMES: dict[str, tuple[Callable[[], dict[str, Any]], Callable[[], dict[str, Any]]]] = {
    # param: (a valid config the highest limit still flags, one the lowest limit still passes)
    "OTA107.minDaysLeft": (  # valid until 2027-06-01: 188 days after AS_OF
        lambda: _signed_with(EXAMPLE_CHAIN),
        lambda: _signed_with(EXAMPLE_CHAIN),
    ),
    "OTA110.minRsaBits": (_rsa_2048, _rsa_2048),
    "OTA123.minDaysLeft": (lambda: _signature_left(364), lambda: _signature_left(364)),
    "OTA128.minDaysLeft": (lambda: _certificate_left(364), lambda: _certificate_left(364)),
    "OTA202.maxExpiresInSec": (lambda: _http(3600), lambda: _http(60)),
    "OTA302.maxPerMinute": (
        lambda: _rollout(maximumPerMinute=1000),
        lambda: _rollout(maximumPerMinute=1),
    ),
    "OTA302.maxBaseRatePerMinute": (
        lambda: _rollout(baseRatePerMinute=1000),
        lambda: _rollout(baseRatePerMinute=1),
    ),
    "OTA303.maxIncrementFactor": (
        lambda: _rollout(incrementFactor=5.0),
        lambda: _rollout(incrementFactor=1.1),
    ),
    "OTA502.maxPendingHours": (lambda: _pending(8761), lambda: _pending(0.5)),
    "OTA505.maxFailurePercent": (lambda: _executions(0, 10), lambda: _executions(10, 0)),
    "OTA505.minFinishedExecutions": (
        lambda: _executions(0, 1_000_000),
        lambda: _executions(1, 0),
    ),
}


def _fires(rule: Rule, config: dict[str, Any], params: dict[str, Any]) -> bool:
    side = "live" if rule.meta.applies_to == "live" else "declared"
    view = ConfigView("x", side, config, AS_OF)
    defaults = {p.name: p.default for p in rule.meta.params}
    return bool(list(rule.check(view, {**defaults, **params})))


@pytest.mark.parametrize("key", list(EXTREMES))
def test_no_valid_limit_switches_the_rule_off_or_on_for_everything(key: str) -> None:
    """At its highest valid value a limit still flags a config the API accepts, at its lowest it
    still passes one, and the values just beyond either end are refused."""
    rule_id, name = key.split(".")
    rule = RULES[rule_id]
    param = rule.meta.param(name)
    assert param.bounds is not None
    integer = param.type == "int"
    highest, lowest = _highest(param.bounds, integer), _lowest(param.bounds, integer)
    if integer:
        highest, lowest = int(highest), int(lowest)
    assert param.problem(highest) is None and param.problem(lowest) is None
    if integer:
        beyond_high, beyond_low = highest + 1, lowest - 1
    else:
        beyond_high = math.nextafter(highest, math.inf)
        beyond_low = math.nextafter(lowest, -math.inf)
    assert param.problem(beyond_high) is not None
    assert param.problem(beyond_low) is not None
    flagged, passed = EXTREMES[key]
    assert _fires(rule, flagged(), {name: highest})
    assert not _fires(rule, passed(), {name: lowest})


def test_the_numeric_parameters_are_exactly_those_with_extremes() -> None:
    """Every int or number parameter of a config rule is covered by the extremes test above."""
    numeric = {f"{r}.{p.name}" for r, p in PARAMS if p.type != "string-list"}
    assert numeric == set(EXTREMES)


INT = Param("n", "int", 5, "test", Bounds(1, 10, exclusive_maximum=True, why="a reason"))
NUMBER = Param("x", "number", 2.0, "test", Bounds(1.1, 5.0, exclusive_maximum=True))
NAMES = Param("l", "string-list", ["a"], "test", items=Items("a name", r"[a-z]{1,3}", "1-3 a-z"))

VALUE_PROBLEMS: list[tuple[Param, Any, str | None, int | None]] = [
    (INT, 1, None, None),
    (INT, 9, None, None),
    (INT, 10, "must be at least 1 and below 10, not 10 (a reason)", None),
    (INT, 0, "must be at least 1 and below 10, not 0 (a reason)", None),
    (INT, -3, "must be at least 1 and below 10, not -3 (a reason)", None),
    (INT, 10**30, f"must be at least 1 and below 10, not {10**30} (a reason)", None),
    (INT, True, "must be an integer, not True", None),
    (INT, 5.0, "must be an integer, not 5.0", None),
    (INT, math.nan, "must be an integer, not nan", None),
    (INT, "5", "must be an integer, not '5'", None),
    (INT, [5], "must be an integer, not [5]", None),
    (INT, None, "must be an integer, not None", None),
    (NUMBER, 2, None, None),
    (NUMBER, 1.1, None, None),
    (NUMBER, 4.99, None, None),
    (NUMBER, 5.0, "must be at least 1.1 and below 5.0, not 5.0", None),
    (NUMBER, 1.0, "must be at least 1.1 and below 5.0, not 1.0", None),
    (NUMBER, math.nan, "must be a finite number, not nan", None),
    (NUMBER, math.inf, "must be a finite number, not inf", None),
    (NUMBER, -math.inf, "must be a finite number, not -inf", None),
    (NUMBER, False, "must be a number, not False", None),
    (NUMBER, "2.0", "must be a number, not '2.0'", None),
    (NAMES, [], None, None),
    (NAMES, ["a", "abc"], None, None),
    (NAMES, "a", "must be a list of strings, not 'a'", None),
    (NAMES, {"a": 1}, "must be a list of strings, not {'a': 1}", None),
    (NAMES, ["a", 5], "must be a name (1-3 a-z), not 5", 1),
    (NAMES, ["a", ["b"]], "must be a name (1-3 a-z), not ['b']", 1),
    (NAMES, ["abcd"], "must be a name (1-3 a-z), not 'abcd'", 0),
    (NAMES, [""], "must be a name (1-3 a-z), not ''", 0),
    (NAMES, [None], "must be a name (1-3 a-z), not None", 0),
    (NAMES, ["a"] * (MAX_LIST_ITEMS + 1), "lists 101 entries, more than the 100 allowed", None),
]


@pytest.mark.parametrize(("param", "value", "message", "item"), VALUE_PROBLEMS)
def test_problem_judges_type_finiteness_bounds_and_list_entries(
    param: Param, value: Any, message: str | None, item: int | None
) -> None:
    """`Param.problem` accepts exactly the valid values and names what is wrong with the rest."""
    problem = param.problem(value)
    if message is None:
        assert problem is None
    else:
        assert problem is not None
        assert (problem.message, problem.item) == (message, item)


def test_a_misdeclared_parameter_or_an_invalid_default_is_refused() -> None:
    """Bounds on a list, entry rules on a number, or a default its own declaration refuses
    cannot be declared."""
    with pytest.raises(TypeError, match="bounds are for numbers, items for lists"):
        Param("l", "string-list", [], "test", Bounds(0, 1))
    with pytest.raises(TypeError, match="bounds are for numbers, items for lists"):
        Param("n", "int", 1, "test", items=Items("a name", "[a-z]+", "a-z"))
    with pytest.raises(ValueError, match="the default of n must be at least 1 and at most 3"):
        Param("n", "int", 4, "test", Bounds(1, 3))
    with pytest.raises(ValueError, match="the default of x must be a finite number, not nan"):
        Param("x", "number", math.nan, "test")


def test_a_parameter_declared_without_constraints_still_refuses_wrong_types() -> None:
    """Outside the registry (which always declares them), an unconstrained parameter still
    refuses bools, non-finite numbers and non-string list entries."""
    assert Param("n", "int", 1, "test").problem(True) is not None
    assert Param("x", "number", 1.0, "test").problem(math.inf) is not None
    assert Param("x", "number", 1.0, "test").problem(-7.5) is None
    names = Param("l", "string-list", [], "test")
    assert names.problem(["a", "b c"]) is None
    problem = names.problem(["a", 5])
    assert problem is not None
    assert (problem.message, problem.item) == ("must be a list of strings, not 5", 1)
    assert names.valid_text() == "a list of up to 100 strings"
    assert Param("x", "number", 1.0, "test").valid_text() == "a number"


def test_list_entries_of_the_shipped_rules_follow_their_kind() -> None:
    """Algorithm names take SHA-256 or RSASSA-PSS but no blank; signer profiles follow AWS."""
    hashes = META_BY_ID["OTA102"].param("allowedHashAlgorithms")
    assert hashes.problem(["SHA-256", "sha3_512", "RSASSA-PSS", "ECDSA/P256"]) is None
    for bad in ["SHA 256", "", "-SHA", "A" * 65, " SHA256"]:
        assert hashes.problem([bad]) is not None, bad
    profiles = META_BY_ID["OTA104"].param("allowedSigningProfiles")
    assert profiles.problem(["prod_ecdsa", "AB"]) is None
    for bad in ["a", "prod-ecdsa", "A" * 65, "prod ecdsa"]:
        assert profiles.problem([bad]) is not None, bad


def test_shown_value_keeps_messages_one_short_line() -> None:
    """Huge integers, long strings and control characters never reach a message verbatim."""
    assert shown_value(10**5000) == "an integer of about 5001 digits"
    assert shown_value(12) == "12"
    long = shown_value("x" * 10_000)
    assert len(long) == 60 and long.endswith("...")
    assert shown_value("a\nb\x1b[31m\u202e") == "'a\\nb\\x1b[31m\\u202e'"
