"""The wheel contains every package and the shipped policy packs."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_checker_package_is_listed_in_pyproject() -> None:
    """Each folder of checker/ with an __init__.py is in [tool.setuptools] packages."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {
        ".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "checker").rglob("__init__.py")
    }
    assert found | {"checker.policies"} == listed


def test_policies_ship_as_package_data() -> None:
    """policies/ is mapped to checker.policies, with its YAML packs as data."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert config["tool"]["setuptools"]["package-dir"] == {"checker.policies": "policies"}
    assert config["tool"]["setuptools"]["package-data"]["checker.policies"] == ["*.yaml"]
