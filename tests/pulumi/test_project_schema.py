"""Pulumi.yaml against the Pulumi CLI's own project schema and its project validation rules."""

from __future__ import annotations

import copy
import json
import math
import re
from typing import Any

import jsonschema
import pulumi
import pulumi.runtime
import pytest
import yaml

from checker.policy.model import FAIL_ON_VALUES
from checker.pulumi.program import ProgramSettings, read_settings
from tests.pulumi import ROOT

SCHEMA_PATH = ROOT / "tests" / "schemas" / "pulumi-project.json"
PROJECT = yaml.safe_load((ROOT / "Pulumi.yaml").read_text(encoding="utf-8"))
KEYS = ("ota-drift:declared", "ota-drift:state", "ota-drift:policy", "ota-drift:failOn")


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    """A validator for the schema the CLI embeds, checked itself against its metaschema."""
    if not SCHEMA_PATH.exists():
        pytest.fail(f"the Pulumi project schema is missing: {SCHEMA_PATH}")
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


_SCALARS = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: (
        (isinstance(v, int) and not isinstance(v, bool))
        or (isinstance(v, float) and v == math.trunc(v))
        or (isinstance(v, str) and v.lstrip("-").isdigit())
    ),
    "boolean": lambda v: isinstance(v, bool) or v in ("true", "false"),
}


def valid_config_value(type_name: str, items: dict[str, Any] | None, value: Any) -> bool:
    """The CLI's ValidateConfigValue (pkg/workspace/project.go), for defaults."""
    if type_name in _SCALARS:
        return bool(_SCALARS[type_name](value))
    if not isinstance(value, list) or items is None:
        return False
    return all(valid_config_value(items["type"], items.get("items"), v) for v in value)


def test_pulumi_yaml_validates_against_the_project_schema(
    validator: jsonschema.protocols.Validator,
) -> None:
    """Pulumi.yaml has no error under the CLI's project JSON schema."""
    assert [e.message for e in validator.iter_errors(PROJECT)] == []


def test_the_schema_check_catches_a_broken_project(
    validator: jsonschema.protocols.Validator,
) -> None:
    """The same validator refuses an unknown config type and an array without items."""
    broken = copy.deepcopy(PROJECT)
    broken["config"]["ota-drift:state"]["type"] = "path"
    del broken["config"]["ota-drift:policy"]["items"]
    assert len(list(validator.iter_errors(broken))) == 2


def test_config_passes_the_cli_project_validation() -> None:
    """As Project.Validate requires: typed keys are the project's own, defaults fit the type."""
    assert (PROJECT["name"], PROJECT["runtime"]) == ("ota-drift", "python")
    for key, declaration in PROJECT["config"].items():
        assert key.startswith(f"{PROJECT['name']}:") or ":" not in key, key
        assert not ("default" in declaration and "value" in declaration), key
        if declaration["type"] == "array":
            assert "items" in declaration, key
        assert valid_config_value(
            declaration["type"], declaration.get("items"), declaration["default"]
        ), key


def test_the_four_keys_are_declared_with_type_and_description() -> None:
    """declared, state, policy and failOn: each typed, described, and optional (a default)."""
    assert tuple(PROJECT["config"]) == KEYS
    types = {key: PROJECT["config"][key]["type"] for key in KEYS}
    assert types == {
        "ota-drift:declared": "string",
        "ota-drift:state": "string",
        "ota-drift:policy": "array",
        "ota-drift:failOn": "string",
    }
    assert PROJECT["config"]["ota-drift:policy"]["items"] == {"type": "string"}
    for key in KEYS:
        assert len(PROJECT["config"][key]["description"]) > 30, key
    assert (ROOT / "__main__.py").is_file()  # no `main:`: the program is the root's __main__.py


def test_the_project_defaults_are_the_programs_defaults() -> None:
    """A stack that sets nothing gets, through Pulumi.yaml's defaults, the program's defaults."""
    config = {
        key: json.dumps(d["default"]) if d["type"] == "array" else d["default"]
        for key, d in PROJECT["config"].items()
    }
    pulumi.runtime.set_all_config(config)
    try:
        settings = read_settings(pulumi.Config("ota-drift"), pulumi.Config("aws"))
    finally:
        pulumi.runtime.set_all_config({})
    assert settings == ProgramSettings()


def test_the_fail_on_values_pulumi_yaml_names_are_the_ones_the_audit_takes() -> None:
    """`ota-drift:failOn`'s description lists FAIL_ON_VALUES, in order: a value added to or
    removed from the policy model must be added to or removed from the project file too."""
    description = PROJECT["config"]["ota-drift:failOn"]["description"]
    listed = re.fullmatch(r"[^:]+: (?P<values>[a-z, ]+) or (?P<last>[a-z]+); .*", description)
    assert listed is not None, description
    named = (*listed["values"].split(", "), listed["last"])
    assert named == FAIL_ON_VALUES
