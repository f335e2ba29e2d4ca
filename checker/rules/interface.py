"""What a rule is: metadata, documentation and one stateless check over one OTA config."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

from checker.model import Path, Severity
from checker.normalise import service_default

AppliesTo = Literal["declared", "live", "both", "drift", "checker"]
Side = Literal["declared", "live"]
ParamType = Literal["int", "number", "string-list"]


@dataclass(frozen=True)
class Param:
    """A tunable threshold; policy packs set it by `name`."""

    name: str
    type: ParamType
    default: Any
    description: str


@dataclass(frozen=True)
class RuleDoc:
    """Everything `ota-drift rules ID` and docs/rules.md print about a rule."""

    what: str
    why: str
    fix: str
    failing: str
    """A YAML entry (or live state) on which the rule fires."""
    passing: str
    """The same entry, fixed."""
    references: tuple[str, ...] = ()


@dataclass(frozen=True)
class RuleMeta:
    rule_id: str
    title: str
    severity: Severity
    applies_to: AppliesTo
    doc: RuleDoc
    params: tuple[Param, ...] = ()
    needs_job_config: bool = False
    """Live side only when the source read the job's abort and timeout config (deep mode)."""

    def param(self, name: str) -> Param:
        return next(p for p in self.params if p.name == name)


@dataclass(frozen=True)
class ConfigView:
    """One OTA config as rules see it: in declared (CreateOTAUpdate) names, on either side."""

    ota_update_id: str
    side: Side
    config: Mapping[str, Any]
    """Declared names: live `otaUpdateFiles` appear as `files`. Never mutated."""
    now: datetime
    """The audit's one clock (`--as-of`)."""

    @functools.cached_property
    def files(self) -> list[Mapping[str, Any]]:
        """The file entries that are mappings (computed once: every rule asks)."""
        files = self.config.get("files")
        return [f for f in files if isinstance(f, dict)] if isinstance(files, list) else []

    def get(self, *path: str) -> Any:
        """The value at `path`, or None where any step is missing."""
        return dig(self.config, *path)

    @property
    def protocols(self) -> list[str]:
        """The protocols in effect: as set, else the service default."""
        protocols = self.config.get("protocols")
        if isinstance(protocols, list):
            return list(protocols)
        return list(service_default("protocols"))


def dig(node: Any, *path: str) -> Any:
    """The value at `path` below `node`, or None where a step is missing or not a mapping.

    Live data can be odd (AWS adds fields, snapshots are edited by hand): rules read through
    this rather than indexing, so they never raise on it.
    """
    for step in path:
        if not isinstance(node, dict):
            return None
        node = node.get(step)
    return node


def is_number(value: Any) -> bool:
    """An int or float, not a bool (YAML's `yes` is a bool, and bool is an int in Python)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


@dataclass(frozen=True)
class Violation:
    """What a rule found: where (a path in declared names; files by position) and why."""

    path: Path
    message: str


class Rule(Protocol):
    """A stateless check. `meta` describes it; `check` yields violations for one config."""

    @property
    def meta(self) -> RuleMeta: ...

    def check(self, view: ConfigView, params: Mapping[str, Any]) -> Iterator[Violation]: ...
