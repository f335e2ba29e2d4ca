"""policies/default.yaml rendered from the registry, as docs/rules.md is.

Regenerate it with `python -m checker.rules.default_pack > policies/default.yaml`; a test
(tests/rules/test_default_pack.py) fails when the file is stale.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable

import yaml

from checker.policy.model import DEFAULT_POLICY
from checker.rules.interface import Param, RuleMeta
from checker.rules.registry import ALL_RULES

HEADER = """\
# The shipped baseline: always loaded first, before any --policy pack.
# It states every rule's default severity and parameters, so a team can see the whole
# policy in one place; overlay your own pack to change any of it (see README: policy packs).
"""


def default_pack_yaml(rules: Iterable[RuleMeta] = ALL_RULES) -> str:
    """The baseline pack: every rule with its default severity and parameters, one flow
    mapping per line, its title as a comment."""
    lines = [HEADER.rstrip("\n"), "version: 1", f"failOn: {DEFAULT_POLICY.fail_on}", "rules:"]
    for meta in rules:
        setting = f"severity: {meta.severity.value}"
        if meta.params:
            setting += f", params: {{{', '.join(_param(p) for p in meta.params)}}}"
        lines.append(f"  {meta.rule_id}: {{{setting}}}  # {_one_line(meta.title)}")
    lines += ["ignoreDrift: []", "suppressions: []"]
    return "\n".join(lines) + "\n"


def _param(param: Param) -> str:
    return f"{param.name}: {_flow(param.default)}"


def _flow(value: object) -> str:
    """A default (a number, or a list of strings) as a YAML flow value that reads back as the
    same value: a string YAML would read otherwise (`yes`, `a: b`) is quoted."""
    if isinstance(value, list):
        return f"[{', '.join(_flow(v) for v in value)}]"
    if isinstance(value, str):
        plain = value == value.strip() and not any(c in value for c in ",:[]{}#&*!|>'\"%@`")
        read = yaml.safe_load(value) if plain and value else None
        return value if read == value else json.dumps(value)  # JSON is YAML double-quoted
    text = repr(value)
    read = yaml.safe_load(text)
    if isinstance(value, bool) or read != value or type(read) is not type(value):
        raise ValueError(f"no YAML flow form reads back as the default {text}")
    return text


def _one_line(text: str) -> str:
    return " ".join(text.split())


def main() -> int:
    sys.stdout.write(default_pack_yaml())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
