"""What a rule is: metadata, documentation and one stateless check over one OTA config."""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, Protocol

from checker.model import Path, Severity
from checker.normalise import service_default

AppliesTo = Literal["declared", "live", "both", "drift", "checker"]
Side = Literal["declared", "live"]
ParamType = Literal["int", "number", "string-list"]

MAX_LIST_ITEMS = 100
"""Entries in one list parameter: more than any allow-list a team reviews."""
_SHOWN_CHARS = 60


@dataclass(frozen=True)
class Bounds:
    """The values a numeric parameter may take, each bound inclusive unless marked exclusive.

    A limit at or beyond what the API accepts would never fire, and one below what any config
    can have would always fire: both would switch the rule off or on silently, so the bounds
    stop short of them. Turning a rule off is `enabled: false`, which says so.
    """

    minimum: int | float
    maximum: int | float
    exclusive_minimum: bool = False
    exclusive_maximum: bool = False
    why: str = ""
    """What sets the bounds, shown with them and in every out-of-range message."""

    def contains(self, value: int | float) -> bool:
        above = value > self.minimum if self.exclusive_minimum else value >= self.minimum
        below = value < self.maximum if self.exclusive_maximum else value <= self.maximum
        return above and below

    def text(self) -> str:
        """`at least 1 and below 1000`: the words every message and document uses."""
        low = f"above {self.minimum}" if self.exclusive_minimum else f"at least {self.minimum}"
        high = f"below {self.maximum}" if self.exclusive_maximum else f"at most {self.maximum}"
        return f"{low} and {high}"


@dataclass(frozen=True)
class Items:
    """What each entry of a list parameter must be: a name of one kind, as a pattern."""

    kind: str
    """`an algorithm name`: the entry in words, for messages."""
    pattern: str
    """A regular expression the whole entry must match; it bounds the length too."""
    hint: str
    """The pattern in words: `1 to 64 letters, digits or . _ + / -`."""

    def matches(self, value: str) -> bool:
        return re.fullmatch(self.pattern, value) is not None


@dataclass(frozen=True)
class ParamProblem:
    """Why a value cannot be a parameter's: `must be ..., not ...`, and the list entry at fault."""

    message: str
    item: int | None = None


@dataclass(frozen=True)
class Param:
    """A tunable threshold; policy packs set it by `name`.

    Numbers declare their `bounds`, lists what each entry must be (`items`): every rule in the
    registry does (a test checks it). `problem` is the one judge of a value, used by policy
    packs and the CrossGuard pack alike, and every default must pass it (checked when the
    parameter is defined).
    """

    name: str
    type: ParamType
    default: Any
    description: str
    bounds: Bounds | None = None
    items: Items | None = None

    def __post_init__(self) -> None:
        is_list = self.type == "string-list"
        if (is_list and self.bounds is not None) or (not is_list and self.items is not None):
            raise TypeError(f"{self.name}: bounds are for numbers, items for lists")
        wrong = self.problem(self.default)
        if wrong is not None:
            raise ValueError(f"the default of {self.name} {wrong.message}")

    def problem(self, value: Any) -> ParamProblem | None:
        """Why `value` cannot be this parameter's value, or None when it can."""
        if self.type == "string-list":
            return self._list_problem(value)
        if self.type == "int" and (isinstance(value, bool) or not isinstance(value, int)):
            return ParamProblem(f"must be an integer, not {shown_value(value)}")
        if self.type == "number":
            if not is_number(value):
                return ParamProblem(f"must be a number, not {shown_value(value)}")
            if not math.isfinite(value):
                return ParamProblem(f"must be a finite number, not {shown_value(value)}")
        bounds = self.bounds
        if bounds is not None and not bounds.contains(value):
            why = f" ({bounds.why})" if bounds.why else ""
            return ParamProblem(f"must be {bounds.text()}, not {shown_value(value)}{why}")
        return None

    def _list_problem(self, value: Any) -> ParamProblem | None:
        if not isinstance(value, list):
            return ParamProblem(f"must be a list of strings, not {shown_value(value)}")
        if len(value) > MAX_LIST_ITEMS:
            return ParamProblem(
                f"lists {len(value)} entries, more than the {MAX_LIST_ITEMS} allowed"
            )
        items = self.items
        for index, entry in enumerate(value):
            if items is None and not isinstance(entry, str):
                return ParamProblem(f"must be a list of strings, not {shown_value(entry)}", index)
            if items is not None and not (isinstance(entry, str) and items.matches(entry)):
                return ParamProblem(
                    f"must be {items.kind} ({items.hint}), not {shown_value(entry)}", index
                )
        return None

    def valid_text(self) -> str:
        """The valid values in words, for `ota-drift rules ID` and docs/rules.md."""
        if self.type == "string-list":
            if self.items is None:
                return f"a list of up to {MAX_LIST_ITEMS} strings"
            return (
                f"a list of up to {MAX_LIST_ITEMS} entries, each {self.items.kind} "
                f"({self.items.hint})"
            )
        kind = "an integer" if self.type == "int" else "a number"
        if self.bounds is None:
            return kind
        why = f" ({self.bounds.why})" if self.bounds.why else ""
        return f"{kind}, {self.bounds.text()}{why}"


def shown_value(value: Any) -> str:
    """A value as a one-line message can show it: repr (control characters escaped), cut short.

    Values come from hostile input: a megabyte string or a 5,000-digit integer (whose repr
    Python refuses) must not become the message.
    """
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        return f"an integer of about {int(value.bit_length() * math.log10(2)) + 1} digits"
    if isinstance(value, date):  # YAML reads 2027-01-01 as a date: show it as written
        return value.isoformat()
    text = repr(value)
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 3] + "..."


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
    needs_deep: bool = False
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
