"""policies/default.yaml is generated from the registry, as docs/rules.md is."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from checker.model import Severity
from checker.rules.default_pack import default_pack_yaml, main
from checker.rules.interface import Param, RuleDoc, RuleMeta

DEFAULT_PACK = Path(__file__).resolve().parents[2] / "policies" / "default.yaml"


def test_policies_default_yaml_is_up_to_date() -> None:
    """The shipped file is exactly what the registry renders; if not, regenerate it with
    `python -m checker.rules.default_pack > policies/default.yaml`."""
    assert DEFAULT_PACK.read_text(encoding="utf-8") == default_pack_yaml()


def test_the_regenerate_command_prints_the_pack(capsys: pytest.CaptureFixture[str]) -> None:
    """`python -m checker.rules.default_pack` writes the rendered pack to stdout, exit 0."""
    assert main() == 0
    assert capsys.readouterr().out == default_pack_yaml()


def test_awkward_defaults_read_back_as_themselves() -> None:
    """A string default YAML would read as something else (`no`, `a: b`, ``) is quoted, so
    the generated pack never states another default than the rule's."""
    meta = RuleMeta(
        "OTA999",
        "Ensure odd defaults survive",
        Severity.LOW,
        "both",
        RuleDoc("w.", "y.", "f.", "a: 1\n", "a: 2\n"),
        (Param("names", "string-list", ["no", "a: b", "", " x", "plain"], "names"),),
    )
    pack = yaml.safe_load(default_pack_yaml([meta]))
    assert pack["rules"]["OTA999"]["params"] == {"names": ["no", "a: b", "", " x", "plain"]}
