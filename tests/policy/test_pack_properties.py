"""Property tests of the policy-pack parser: whatever a pack holds, loading it gives a Policy or
an InputError, quickly, and an accepted Policy holds only values its rules can use.

Examples are derandomized (the same on every run and in CI) and few enough to take seconds.
"""

from __future__ import annotations

import math
import re
import string
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from checker.errors import InputError
from checker.files import display_path
from checker.model import Severity
from checker.policy.model import Policy
from checker.policy.packs import FAIL_ON_VALUES, load_policy
from checker.rules.interface import MAX_LIST_ITEMS, Param
from checker.rules.registry import ALL_RULES, META_BY_ID

PROPERTIES = settings(
    derandomize=True,
    database=None,
    deadline=None,  # timed explicitly below, against a bound generous enough for a busy CI
    max_examples=100,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    print_blob=True,
)
"""One profile for every property here: reproducible, a few seconds in all."""
SECONDS_PER_PACK = 2.0

RULE_IDS = sorted(META_BY_ID)
PARAM_NAMES = sorted({p.name for meta in ALL_RULES for p in meta.params})
SEVERITIES = [s.value for s in Severity]

# --- arbitrary YAML data ---------------------------------------------------------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.integers(min_value=-10, max_value=10_000),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=0, max_value=10),
    st.text(max_size=12),
    st.text(alphabet=string.ascii_letters + string.digits + "_-*?[]", min_size=1, max_size=12),
    st.dates(),
    st.datetimes(),
    st.sampled_from(["OTA306", "OTA302", "high", "never", "SHA256", "prod_ecdsa", "x" * 3000]),
)
keys = st.one_of(
    st.sampled_from(["version", "failOn", "rules", "params", "rule", "otaUpdates", "reason"]),
    st.text(max_size=8),
    st.integers(min_value=-1000, max_value=1000),
    st.none(),
    st.booleans(),
    st.dates(),
)
anything = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=12,
)

hostile = st.one_of(
    scalars,
    st.lists(scalars, max_size=3),
    st.dictionaries(keys, scalars, max_size=3),
    anything,
)
"""A value of the wrong kind about as often a list, a mapping or a scalar."""


def valid_or_hostile(valid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Half the time a value the field takes, half the time a hostile one."""
    return valid | hostile


# --- each section of a pack, its fields valid or hostile, so every branch is reached ----------

params = st.dictionaries(
    st.sampled_from(PARAM_NAMES) | keys,
    valid_or_hostile(st.integers(min_value=-5, max_value=10_000) | st.lists(st.text(max_size=8))),
    max_size=3,
)
rule_settings = valid_or_hostile(
    st.fixed_dictionaries(
        {},
        optional={
            "enabled": valid_or_hostile(st.booleans()),
            "severity": valid_or_hostile(st.sampled_from(SEVERITIES)),
            "params": valid_or_hostile(params),
        },
    )
)
rules = st.dictionaries(st.sampled_from(RULE_IDS) | keys, rule_settings, max_size=4)
patterns = valid_or_hostile(
    st.lists(st.sampled_from(["fleet-*", "gw-?", "[ab]*", "files[fw.bin]", ""]), max_size=3)
    | st.sampled_from(["lab-*", "a" * 1025])
)
suppression_entries = valid_or_hostile(
    st.fixed_dictionaries(
        {
            "rule": valid_or_hostile(st.sampled_from(RULE_IDS)),
            "otaUpdates": patterns,
            "reason": valid_or_hostile(st.sampled_from(["approved in SR-142", "  ", "x" * 2001])),
        },
        optional={
            "paths": patterns,
            "expires": valid_or_hostile(st.dates() | st.datetimes() | st.just("2027-02-30")),
            "expiry": hostile,
        },
    )
)
ignore_entries = valid_or_hostile(
    st.fixed_dictionaries({"otaUpdates": patterns}, optional={"paths": patterns, "rule": hostile})
)
whole_packs = st.fixed_dictionaries(
    {},
    optional={
        "version": valid_or_hostile(st.just(1)),
        "failOn": valid_or_hostile(st.sampled_from(FAIL_ON_VALUES)),
        "rules": valid_or_hostile(rules),
        "ignoreDrift": valid_or_hostile(st.lists(ignore_entries, max_size=3)),
        "suppressions": valid_or_hostile(st.lists(suppression_entries, max_size=3)),
        "failon": hostile,
    },
)
SECTIONS = {
    "whole pack": whole_packs | st.dictionaries(keys, anything, max_size=4) | anything,
    "rules": st.fixed_dictionaries({"version": st.just(1), "rules": rules}),
    "suppressions": st.fixed_dictionaries(
        {"version": st.just(1), "suppressions": st.lists(suppression_entries, min_size=1)}
    ),
    "ignoreDrift": st.fixed_dictionaries(
        {"version": st.just(1), "ignoreDrift": st.lists(ignore_entries, min_size=1)}
    ),
}


def _near(param: Param) -> st.SearchStrategy[Any]:
    """Values at, inside and just beyond the parameter's declared bounds (mostly inside)."""
    if param.items is not None:
        names = ["SHA256", "RSA", "prod_ecdsa", "ECDSA", "bad name", "-x", "a" * 65]
        return st.lists(st.sampled_from(names), max_size=3) | st.just(["RSA"] * 101)
    bounds = param.bounds
    assert bounds is not None
    edges = [bounds.minimum, bounds.maximum, 0, -1, 10**9, 1e300, math.nan, math.inf, -math.inf]
    if param.type == "int":
        low, high = int(bounds.minimum), int(bounds.maximum)
        inside = st.integers(min_value=low - 2, max_value=high + 2)
    else:
        inside = st.floats(min_value=bounds.minimum - 1, max_value=bounds.maximum + 1)
    return st.one_of(inside, inside, inside, st.sampled_from(edges))


TUNABLE = [meta for meta in ALL_RULES if meta.params]


def _tuned(rule_id: str) -> st.SearchStrategy[dict[str, Any]]:
    """A rule setting whose params are the rule's own, at values near and beyond its bounds."""
    own = {p.name: _near(p) for p in META_BY_ID[rule_id].params}
    return st.fixed_dictionaries(
        {"params": st.fixed_dictionaries({}, optional=own)},
        optional={"enabled": st.booleans(), "severity": st.sampled_from(SEVERITIES)},
    )


near_rules = st.lists(
    st.sampled_from([m.rule_id for m in TUNABLE]).flatmap(
        lambda rule_id: st.tuples(st.just(rule_id), _tuned(rule_id))
    ),
    min_size=1,
    max_size=3,
    unique_by=lambda pair: pair[0],
).map(dict)
near_packs = st.fixed_dictionaries(
    {"version": st.just(1), "rules": near_rules},
    optional={
        "failOn": st.sampled_from(FAIL_ON_VALUES),
        "suppressions": st.lists(
            st.fixed_dictionaries(
                {
                    "rule": st.sampled_from(RULE_IDS),
                    "otaUpdates": st.lists(st.sampled_from(["fleet-*", "gw-1"]), min_size=1),
                    "reason": st.just("approved in SR-142"),
                },
                optional={"expires": st.dates()},
            ),
            max_size=2,
        ),
    },
)


@pytest.fixture(scope="module")
def pack_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One file that each example overwrites (Hypothesis reuses the fixture across examples)."""
    return tmp_path_factory.mktemp("packs") / "pack.yaml"


def _dump(doc: Any) -> bytes:
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True).encode("utf-8")


def _load(pack_file: Path, data: bytes) -> Policy | InputError:
    """The only two outcomes allowed, within the time bound: anything else fails the test."""
    pack_file.write_bytes(data)
    started = time.monotonic()
    try:
        outcome: Policy | InputError = load_policy([str(pack_file)])
    except InputError as exc:
        outcome = exc
    elapsed = time.monotonic() - started
    assert elapsed < SECONDS_PER_PACK, f"loading took {elapsed:.2f} s"
    if isinstance(outcome, InputError):
        assert outcome.problems, "an InputError always names at least one problem"
        # only the pack given is at fault: the default pack always loads
        assert {p.file for p in outcome.problems} == {display_path(pack_file)}
    return outcome


def _assert_usable(policy: Policy) -> None:
    """Every value of an accepted Policy is one its rules and reports can use as they are."""
    assert policy.fail_on in FAIL_ON_VALUES
    for rule_id, setting in policy.settings.items():
        assert rule_id in META_BY_ID
        assert setting.enabled is None or isinstance(setting.enabled, bool)
        assert setting.severity is None or isinstance(setting.severity, Severity)
    for meta in ALL_RULES:
        values = policy.params(meta)
        assert set(values) == {p.name for p in meta.params}
        for param in meta.params:
            assert _within_declaration(param, values[param.name]), (param.name, values)
    for suppression in policy.suppressions:
        assert suppression.rule in META_BY_ID
        assert suppression.ota_updates
        assert all(isinstance(p, str) and p for p in suppression.ota_updates + suppression.paths)
        assert isinstance(suppression.reason, str) and suppression.reason.strip()
        assert suppression.expires is None or type(suppression.expires) is date
    for ignore in policy.ignore_drift:
        assert ignore.ota_updates
        assert all(isinstance(p, str) and p for p in ignore.ota_updates + ignore.paths)


def _within_declaration(param: Param, value: Any) -> bool:
    """The parameter's declaration read directly, not through `Param.problem` (which this
    property checks)."""
    if param.items is not None:
        return (
            isinstance(value, list)
            and len(value) <= MAX_LIST_ITEMS
            and all(isinstance(v, str) and re.fullmatch(param.items.pattern, v) for v in value)
        )
    bounds = param.bounds
    assert bounds is not None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return False
    if param.type == "int" and not isinstance(value, int):
        return False
    low_ok = bounds.minimum < value if bounds.exclusive_minimum else bounds.minimum <= value
    high_ok = value < bounds.maximum if bounds.exclusive_maximum else value <= bounds.maximum
    return low_ok and high_ok


@pytest.mark.parametrize("section", list(SECTIONS))
@PROPERTIES
@given(data=st.data())
def test_any_pack_structure_gives_a_policy_or_an_input_error(
    pack_file: Path, section: str, data: st.DataObject
) -> None:
    """For arbitrary structures written as a YAML pack (the whole pack, or one section with
    its every field valid or hostile), loading gives a usable Policy (every parameter within
    its declared bounds) or an InputError, never anything else, in bounded time."""
    doc = data.draw(SECTIONS[section], label="pack")
    outcome = _load(pack_file, _dump(doc))
    if isinstance(outcome, Policy):
        _assert_usable(outcome)


@PROPERTIES
@given(doc=near_packs)
def test_no_accepted_pack_holds_a_parameter_out_of_bounds(pack_file: Path, doc: Any) -> None:
    """For packs that are valid but for their parameters, at and beyond every bound, each
    accepted one holds only in-bounds parameters: no value switches a rule off. (Too few
    accepted examples would fail Hypothesis's filter health check.)"""
    outcome = _load(pack_file, _dump(doc))
    assume(isinstance(outcome, Policy))
    assert isinstance(outcome, Policy)
    _assert_usable(outcome)
    for rule_id, setting in doc.get("rules", {}).items():
        meta = META_BY_ID[rule_id]
        assert outcome.params(meta) == {
            **{p.name: p.default for p in meta.params},
            **setting.get("params", {}),
        }


YAML_TOKENS = [
    *"version: 1\nrules:\n  OTA302: {params: {maxPerMinute: .nan}}\n- [&*!|>'\"#%@`,]",
    *("OTA306", "suppressions:", "rule:", "reason:", "failOn:", "params:", "maxIncrementFactor:"),
    *("\t", "\x00", "\x1b", "\u202e", "\ufeff", "0x1F", "0o17", "0755", "10:00", "1e9", "~", "<<"),
    *("&a", "*a", "!!binary", "!!python/object:os.system", "---", "...", "9" * 5000),
]
yaml_text = st.lists(st.sampled_from(YAML_TOKENS), max_size=80).map("".join)


@PROPERTIES
@given(data=st.binary(max_size=2048) | yaml_text.map(lambda t: t.encode("utf-8")))
def test_any_bytes_give_a_policy_or_an_input_error(pack_file: Path, data: bytes) -> None:
    """For arbitrary bytes and YAML-like text, loading gives a usable Policy or an InputError,
    in bounded time."""
    outcome = _load(pack_file, data)
    if isinstance(outcome, Policy):
        _assert_usable(outcome)


def test_the_generators_write_what_yaml_reads_back() -> None:
    """The serialisation the properties rely on keeps non-string keys, dates and infinity."""
    doc = {1: [None, True], "d": date(2027, 1, 1), "t": datetime(2027, 1, 1, 10), "n": 1e400}
    assert yaml.safe_load(_dump(doc)) == doc
