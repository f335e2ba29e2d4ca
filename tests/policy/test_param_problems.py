"""A refused parameter value is worded once (`ParamProblem.text`): a policy pack and the
CrossGuard pack's `--policy-pack-config` say the very same thing about the same value."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from checker.errors import InputError
from checker.policy.packs import load_policy
from checker.pulumi.crossguard import config_params
from checker.rules.interface import Param, RuleMeta
from checker.rules.registry import ALL_RULES

SAMPLES: tuple[Any, ...] = (0, -1, 10**9, 2.5, "600", True, None, [5], ["a b"], "x", ["x"] * 101)
"""Values a pack may hold; each parameter refuses some of them."""
PARAMS = [(meta, param) for meta in ALL_RULES for param in meta.params]


def _pack_message(folder: Path, meta: RuleMeta, param: Param, value: Any) -> str:
    """The one problem a pack setting the parameter to `value` is refused with."""
    path = folder / "pack.yaml"
    setting = json.dumps({"params": {param.name: value}})
    path.write_text(f"version: 1\nrules:\n  {meta.rule_id}: {setting}\n", encoding="utf-8")
    with pytest.raises(InputError) as refused:
        load_policy([str(path)])
    (problem,) = refused.value.problems
    return problem.message


def _crossguard_message(meta: RuleMeta, param: Param, value: Any) -> str:
    """What `--policy-pack-config` says of `value`, sent as a protobuf Struct sends it: every
    number a double."""
    sent = float(value) if type(value) is int else value
    with pytest.raises(ValueError) as refused:
        config_params(meta, {param.name: sent})
    return str(refused.value)


def _held(param: Param, value: Any) -> Any:
    """`value` as the CrossGuard pack holds it once sent: an integer as a double, except for
    an integer parameter, which reads the double back as the integer."""
    return float(value) if type(value) is int and param.type != "int" else value


@pytest.mark.parametrize(
    ("meta", "param"), PARAMS, ids=[f"{m.rule_id}.{p.name}" for m, p in PARAMS]
)
def test_packs_and_crossguard_word_a_refused_value_alike(
    tmp_path: Path, meta: RuleMeta, param: Param
) -> None:
    """For each sample the parameter refuses: `RULE.name[i] message`, the same in both."""
    refused = 0
    for value in SAMPLES:
        problem = param.problem(value)
        if problem is None:
            continue
        refused += 1
        assert _pack_message(tmp_path, meta, param, value) == problem.text(meta.rule_id, param.name)
        held = param.problem(_held(param, value))
        assert held is not None
        assert _crossguard_message(meta, param, value) == held.text(meta.rule_id, param.name)
    assert refused >= 3


def test_a_list_entry_is_named_by_its_position() -> None:
    """`OTA102.allowedHashAlgorithms[1] ...`: the entry at fault, in brackets."""
    meta = next(m for m in ALL_RULES if m.rule_id == "OTA102")
    problem = meta.param("allowedHashAlgorithms").problem(["SHA256", 5])
    assert problem is not None and problem.item == 1
    assert problem.text("OTA102", "allowedHashAlgorithms") == (
        f"OTA102.allowedHashAlgorithms[1] {problem.message}"
    )
