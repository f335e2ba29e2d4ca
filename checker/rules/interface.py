"""What a rule is: metadata, documentation and one stateless check over one OTA config."""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, Literal, Protocol

from checker.model import Finding, Partition, Path, Severity, Side, Unknown
from checker.normalise import service_default

AppliesTo = Literal["declared", "live", "both", "drift", "checker"]
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

    def text(self, rule_id: str, name: str) -> str:
        """`OTA302.maxPerMinute must be ..., not ...` (`...[2] ...` for a list entry): the
        message policy packs and the CrossGuard pack both show."""
        item = "" if self.item is None else f"[{self.item}]"
        return f"{rule_id}.{name}{item} {self.message}"


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
    """Live side only when the source read the update's job (deep mode): its abort and timeout
    config, its health (`awsIotJob`)."""
    needs_partition: bool = False
    """Judged only where the config's partition (account, region) is known: a fleet run."""
    needs_verify: bool = False
    """Live side only when the source read the chain behind each file (`--verify`, which
    implies deep): signing job, profile, certificate, stream, object (`awsChain`)."""

    def param(self, name: str) -> Param:
        return next(p for p in self.params if p.name == name)

    def finding(self, **fields: Any) -> Finding:
        """A finding of this rule at its own severity (a policy pack may change it later):
        the rule's id and severity are written here, not at every place that raises it."""
        return Finding(rule_id=self.rule_id, severity=self.severity, **fields)


@dataclass(frozen=True)
class ConfigView:
    """One OTA config as rules see it: in declared (CreateOTAUpdate) names, on either side."""

    ota_update_id: str
    side: Side
    config: Mapping[str, Any]
    """Declared names: live `otaUpdateFiles` appear as `files`. Never mutated. A value computed
    at deploy time reaches a rule as a probe (see `judge`), never as an `Unknown`."""
    now: datetime
    """The audit's one clock (`--as-of`)."""
    partition: Partition | None = None
    """The account and region the update is audited in; None outside a fleet run."""

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


# --- values computed at deploy time --------------------------------------------------------


@dataclass(frozen=True)
class Judgement:
    """What one rule found on one config that holds values computed at deploy time."""

    violations: tuple[Violation, ...] | None
    """What it found, or None: its verdict would have been a guess, so it is not checked."""
    needed: tuple[tuple[Path, Unknown], ...] = ()
    """Why not: the computed values (path in the config as written, value) the verdict
    depends on; empty when checked."""


def judge(
    rule: Rule,
    view: ConfigView,
    params: Mapping[str, Any],
    computed: Sequence[tuple[Path, Unknown]],
) -> Judgement:
    """Run `rule` on a config holding `computed` values (`computed_values(view.config)`, not
    empty) and keep its verdict only if no computed value could have changed it.

    The rule runs on a copy where each computed value is a probe: looking at a probe (its type,
    truth, equality, order, hash, length, items or attributes) is recorded, showing it in a
    message is not. Any look means the verdict depends on the value: not checked. A rule can
    also depend on a value only by asking whether it is there (`is None`, `in`, `len`), as a
    CloudFormation `!If` may resolve to no value: so the rule runs again with every computed
    value left out, and keeps its verdict only if it fires on the same paths both times. Where
    it does not, each value is left out alone, to name those that matter (all, if none does
    alone). So rules decide on a value by looking at it, never by `type()`, by what `str()`
    shows of it, or by `is` against anything but None (tests/test_unknown_values.py checks the
    rule modules for `type(` and `is True`/`is False`).
    """
    looked: dict[Path, Unknown] = {}
    every = frozenset(p for p, _ in computed)
    try:
        found = tuple(rule.check(replace(view, config=_probed(view.config, looked)), params))
    except Exception:
        if looked:
            return _not_checked(computed, looked)
        _run(rule, view, params, every, own=True)  # raises again if the values are not why
        return Judgement(None, tuple(computed))
    if looked:
        return _not_checked(computed, looked)
    fired = _fired(found)
    if _run(rule, view, params, every, own=True) == fired:
        return Judgement(found)
    matter = [(p, u) for p, u in computed if _run(rule, view, params, {p}) != fired]
    return Judgement(None, tuple(matter or computed))


def _not_checked(
    computed: Sequence[tuple[Path, Unknown]], looked: Mapping[Path, Unknown]
) -> Judgement:
    """Not checked for the values the rule looked at, in the order they are written."""
    return Judgement(None, tuple((p, u) for p, u in computed if p in looked))


def _run(
    rule: Rule,
    view: ConfigView,
    params: Mapping[str, Any],
    left_out: Collection[Path],
    own: bool = False,
) -> Counter[Path] | None:
    """Where the rule fires with the computed values at `left_out` removed and any others
    probed; None if it looks at a probe or raises (the verdict depends on those). `own`:
    every computed value is left out, so a failure is the rule's own, raised again."""
    looked: dict[Path, Unknown] = {}
    config = _probed(view.config, looked, left_out)
    try:
        found = tuple(rule.check(replace(view, config=config), params))
    except Exception:
        if own:
            raise
        return None
    return None if looked else _fired(found)


def _fired(found: Sequence[Violation]) -> Counter[Path]:
    return Counter(v.path for v in found)


def _probed(
    node: Any, looked: dict[Path, Unknown], left_out: Collection[Path] = (), path: Path = ()
) -> Any:
    """A copy of `node` with each computed value a `_Probe` recording into `looked`, and the
    ones at `left_out` removed (a removed list item shifts the ones after it)."""
    if isinstance(node, Unknown):
        return _Probe(node, path, looked)
    if isinstance(node, Mapping):  # the copy is a dict, as every config reader's mappings are
        return {
            k: _probed(v, looked, left_out, (*path, k))
            for k, v in node.items()
            if (*path, k) not in left_out
        }
    if isinstance(node, list | tuple):
        items = [
            _probed(v, looked, left_out, (*path, i))
            for i, v in enumerate(node)
            if (*path, i) not in left_out
        ]
        return items if isinstance(node, list) else tuple(items)
    return node


class _Probe:
    """A computed value while a rule runs: every look at it is recorded in `looked`; str(),
    repr() and format() show the `Unknown` (`<computed at deploy time: !GetAtt A.B>`) and
    are not looks, so a rule may name it in a message."""

    __slots__ = ("_looked", "_path", "_unknown")

    def __init__(self, unknown: Unknown, path: Path, looked: dict[Path, Unknown]) -> None:
        self._unknown = unknown
        self._path = path
        self._looked = looked

    def _look(self) -> None:
        self._looked[self._path] = self._unknown

    @property  # type: ignore[misc]  # isinstance() asks for it when the type does not match
    def __class__(self) -> type:
        self._look()
        return _Probe

    def __str__(self) -> str:
        return str(self._unknown)

    __repr__ = __str__

    def __format__(self, spec: str) -> str:
        return format(str(self._unknown), spec)

    def __bool__(self) -> bool:
        self._look()
        return True

    def __eq__(self, other: object) -> bool:
        self._look()
        return False

    def __ne__(self, other: object) -> bool:
        self._look()
        return True

    def __hash__(self) -> int:
        self._look()
        return hash(self._unknown)

    def __getattr__(self, name: str) -> Any:
        self._look()
        raise AttributeError(name)

    def _refuse(self, *args: Any) -> Any:
        self._look()
        raise TypeError("a value computed at deploy time has no type, size or order yet")


def _refusing(name: str) -> Callable[..., Any]:
    def refuse(self: _Probe, *args: Any) -> Any:
        return self._refuse(*args)

    refuse.__name__ = name
    return refuse


_REFUSED = (
    "__lt__",
    "__le__",
    "__gt__",
    "__ge__",
    "__len__",
    "__iter__",
    "__contains__",
    "__getitem__",
    "__int__",
    "__float__",
    "__index__",
    "__complex__",
    "__round__",
    "__abs__",
    "__neg__",
    "__pos__",
    "__invert__",
    "__add__",
    "__radd__",
    "__sub__",
    "__rsub__",
    "__mul__",
    "__rmul__",
    "__truediv__",
    "__rtruediv__",
    "__floordiv__",
    "__rfloordiv__",
    "__mod__",
    "__rmod__",
    "__pow__",
    "__rpow__",
    "__and__",
    "__rand__",
    "__or__",
    "__ror__",
    "__xor__",
    "__rxor__",
    "__lshift__",
    "__rlshift__",
    "__rshift__",
    "__rrshift__",
    "__matmul__",
    "__rmatmul__",
    "__divmod__",
    "__rdivmod__",
    "__call__",
    "__reversed__",
)
"""Operations that need a value's type, size or order: a probe records them and refuses."""

for _name in _REFUSED:
    setattr(_Probe, _name, _refusing(_name))
