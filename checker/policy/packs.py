"""Policy packs: YAML files that tune rules, ignore drift and suppress findings.

`policies/default.yaml` is always loaded first; `--policy FILE` packs overlay it in order.
Every problem is reported as `PACK:LINE: message` (exit code 2).
"""

from __future__ import annotations

import importlib.resources
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path as FsPath
from typing import Any

from checker.errors import InputError, Problem, did_you_mean
from checker.files import display_path, read_text
from checker.model import Location, Path, Severity, nearest_line
from checker.policy.model import (
    DEFAULT_FAIL_ON,
    FAIL_ON_VALUES,
    IgnoreDrift,
    Policy,
    RuleSetting,
    Suppression,
)
from checker.rules.interface import RuleMeta, shown_value
from checker.rules.registry import META_BY_ID
from checker.yamlsafe import load_located

PACK_VERSION = 1
SEVERITY_VALUES = tuple(s.value for s in Severity)
MAX_PACK_BYTES = 1 * 2**20
MAX_PATTERN_CHARS = 1024
"""An otaUpdates or paths entry: otaUpdateIds have at most 128 characters, paths a few hundred."""
MAX_REASON_CHARS = 2000
"""A suppression's reason is copied into every report next to each finding it matches: a
paragraph and a link to the review, not a document."""
_TOP_KEYS = ("version", "failOn", "rules", "ignoreDrift", "suppressions")
_RULE_KEYS = ("enabled", "severity", "params")
_SUPPRESSION_KEYS = ("rule", "otaUpdates", "paths", "reason", "expires")


def default_pack_path() -> FsPath:
    """`policies/default.yaml`: installed as the `checker.policies` package data."""
    resource = importlib.resources.files("checker.policies").joinpath("default.yaml")
    return FsPath(str(resource))


def load_policy(extra: Sequence[str] = ()) -> Policy:
    """The default pack, then each of `extra` in order; all problems at once, or none."""
    packs = [default_pack_path(), *(FsPath(p) for p in extra)]
    problems: list[Problem] = []
    loaded: list[_Pack] = []
    for pack in packs:
        try:
            loaded.append(_Pack.load(pack))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return _merge(loaded)


class _Pack:
    """One pack file, checked against the rule registry as it is read."""

    def __init__(self, shown: str, lines: dict[Path, int]) -> None:
        self.shown = shown
        self.lines = lines
        self.problems: list[Problem] = []
        self.fail_on: str | None = None
        self.settings: dict[str, RuleSetting] = {}
        self.ignore: list[IgnoreDrift] = []
        self.suppressions: list[Suppression] = []

    @classmethod
    def load(cls, path: FsPath) -> _Pack:
        shown = display_path(path)
        doc, lines = load_located(read_text(path, MAX_PACK_BYTES), shown)
        pack = cls(shown, lines)
        pack._read(doc)
        if pack.problems:
            raise InputError(pack.problems)
        return pack

    def _at(self, path: Path, message: str) -> None:
        self.problems.append(Problem(self.shown, nearest_line(self.lines, path) or 1, message))

    def _read(self, doc: Any) -> None:
        if not isinstance(doc, dict):
            self._at((), "a policy pack must be a mapping with 'version: 1'")
            return
        for key in doc:
            if key not in _TOP_KEYS:
                self._at((key,), f"unknown key {shown_value(key)}{_hint(key, _TOP_KEYS)}")
        version = doc.get("version")
        if type(version) is not int or version != PACK_VERSION:
            self._at(("version",), f"'version' must be {PACK_VERSION}, not {shown_value(version)}")
        if "failOn" in doc:
            fail_on = doc["failOn"]
            if isinstance(fail_on, str) and fail_on in FAIL_ON_VALUES:
                self.fail_on = fail_on
            else:
                self._at(
                    ("failOn",),
                    f"'failOn' must be one of {', '.join(FAIL_ON_VALUES)}, "
                    f"not {shown_value(fail_on)}",
                )
        rules = doc.get("rules", {})
        if not isinstance(rules, dict):
            self._at(("rules",), f"'rules' must be a mapping of rule IDs, not {shown_value(rules)}")
        else:
            for rule_id, setting in rules.items():
                self._rule(rule_id, setting)
        for index, entry in enumerate(self._list(doc, "ignoreDrift")):
            self._ignore(index, entry)
        for index, entry in enumerate(self._list(doc, "suppressions")):
            self._suppression(index, entry)

    def _list(self, doc: dict[str, Any], key: str) -> list[Any]:
        value = doc.get(key, [])
        if isinstance(value, list):
            return value
        self._at((key,), f"'{key}' must be a list, not {shown_value(value)}")
        return []

    def _rule(self, rule_id: Any, setting: Any) -> None:
        where: Path = ("rules", rule_id)
        if not isinstance(rule_id, str):
            self._at(
                where,
                f"a rule ID must be a string such as 'OTA302', not {shown_value(rule_id)}"
                f"{_hint(rule_id, META_BY_ID)}",
            )
            return
        meta = META_BY_ID.get(rule_id)
        if meta is None:
            self._at(where, f"unknown rule {shown_value(rule_id)}{_hint(rule_id, META_BY_ID)}")
            return
        if not isinstance(setting, dict):
            self._at(
                where,
                f"{rule_id} takes a mapping of enabled, severity, params, "
                f"not {shown_value(setting)}",
            )
            return
        for key in setting:
            if key not in _RULE_KEYS:
                self._at(
                    (*where, key),
                    f"unknown key {shown_value(key)} in {rule_id}{_hint(key, _RULE_KEYS)}",
                )
        enabled = setting.get("enabled")
        if "enabled" in setting and not isinstance(enabled, bool):
            self._at(
                (*where, "enabled"),
                f"{rule_id}.enabled must be true or false, not {shown_value(enabled)}",
            )
            enabled = None
        severity = None
        if "severity" in setting:
            value = setting["severity"]
            if isinstance(value, str) and value in SEVERITY_VALUES:
                severity = Severity(value)
            else:
                self._at(
                    (*where, "severity"),
                    f"{rule_id}.severity must be one of {', '.join(SEVERITY_VALUES)}, "
                    f"not {shown_value(value)}",
                )
        params = self._params(meta, setting.get("params", {}), (*where, "params"))
        self.settings[rule_id] = RuleSetting(enabled, severity, params)

    def _params(self, meta: RuleMeta, params: Any, where: Path) -> dict[str, Any]:
        if not isinstance(params, dict):
            self._at(where, f"{meta.rule_id}.params must be a mapping, not {shown_value(params)}")
            return {}
        known = {p.name: p for p in meta.params}
        good = {}
        for name, value in params.items():
            param = known.get(name) if isinstance(name, str) else None
            if param is None:
                names = ", ".join(known) or "none"
                self._at(
                    (*where, name),
                    f"unknown parameter {shown_value(name)} for {meta.rule_id} "
                    f"(it takes: {names}){_hint(name, known)}",
                )
                continue
            problem = param.problem(value)
            if problem is None:
                good[name] = value
            else:
                at = (*where, name) if problem.item is None else (*where, name, problem.item)
                self._at(at, problem.text(meta.rule_id, name))
        return good

    def _patterns(
        self, entry: dict[str, Any], where: Path, key: str, required: bool
    ) -> tuple[str, ...]:
        if key not in entry:
            if required:
                self._at(where, f"missing required key {key!r}")
            return ()
        value = entry[key]
        if isinstance(value, str):
            value = [value]
        elif not isinstance(value, list):
            self._at(
                (*where, key),
                f"'{key}' must be a list of names or glob patterns, not {shown_value(value)}",
            )
            return ()
        if not value:
            self._at((*where, key), f"'{key}' is empty: list at least one name or pattern")
            return ()
        for index, pattern in enumerate(value):
            problem = _pattern_problem(pattern)
            if problem is not None:
                self._at((*where, key, index), f"'{key}'[{index}] {problem}")
                return ()
        return tuple(value)

    def _location(self, where: Path) -> Location:
        return Location(self.shown, self.lines.get(where, 1))

    def _ignore(self, index: int, entry: Any) -> None:
        where: Path = ("ignoreDrift", index)
        if not isinstance(entry, dict):
            self._at(
                where,
                f"an ignoreDrift entry must be a mapping with otaUpdates, not {shown_value(entry)}",
            )
            return
        for key in entry:
            if key not in ("otaUpdates", "paths"):
                self._at(
                    (*where, key),
                    f"unknown key {shown_value(key)} in ignoreDrift"
                    f"{_hint(key, ('otaUpdates', 'paths'))}",
                )
        updates = self._patterns(entry, where, "otaUpdates", required=True)
        paths = self._patterns(entry, where, "paths", required=False)
        if updates:
            self.ignore.append(IgnoreDrift(updates, paths, self._location(where)))

    def _suppression(self, index: int, entry: Any) -> None:
        where: Path = ("suppressions", index)
        if not isinstance(entry, dict):
            self._at(
                where,
                "a suppression must be a mapping with rule, otaUpdates and reason, "
                f"not {shown_value(entry)}",
            )
            return
        for key in entry:
            if key not in _SUPPRESSION_KEYS:
                self._at(
                    (*where, key),
                    f"unknown key {shown_value(key)} in a suppression"
                    f"{_hint(key, _SUPPRESSION_KEYS)}",
                )
        rule = self._suppressed_rule(entry, where)
        updates = self._patterns(entry, where, "otaUpdates", required=True)
        paths = self._patterns(entry, where, "paths", required=False)
        reason = self._reason(entry, where)
        expires = self._expires(entry, where)
        if rule is not None and updates and reason is not None:
            self.suppressions.append(
                Suppression(rule, updates, paths, reason, expires, self._location(where))
            )

    def _suppressed_rule(self, entry: dict[str, Any], where: Path) -> str | None:
        """The one registered rule ID a suppression names, or None (reported)."""
        if "rule" not in entry:
            self._at(where, "missing required key 'rule'")
            return None
        rule = entry["rule"]
        if isinstance(rule, list):
            self._at(
                (*where, "rule"),
                f"'rule' must be one rule ID, not a list ({shown_value(rule)}): "
                "write one suppression per rule",
            )
            return None
        if not isinstance(rule, str):
            self._at(
                (*where, "rule"),
                f"'rule' must be a rule ID such as 'OTA306', not {shown_value(rule)}",
            )
            return None
        if rule not in META_BY_ID:
            self._at((*where, "rule"), f"unknown rule {shown_value(rule)}{_hint(rule, META_BY_ID)}")
            return None
        return rule

    def _reason(self, entry: dict[str, Any], where: Path) -> str | None:
        """The reason, stripped; None (reported) when missing, blank, not text or too long."""
        reason = entry.get("reason")
        at: Path = (*where, "reason") if "reason" in entry else where
        if reason is not None and not isinstance(reason, str):
            self._at(
                at,
                "a suppression's 'reason' must be text saying why the risk is accepted, "
                f"not {shown_value(reason)}",
            )
            return None
        if reason is None or not reason.strip():
            self._at(at, "a suppression needs a 'reason': say why the risk is accepted")
            return None
        reason = reason.strip()
        if len(reason) > MAX_REASON_CHARS:
            self._at(
                at,
                f"'reason' has {len(reason)} characters, over the {MAX_REASON_CHARS} allowed: "
                "link to the review instead",
            )
            return None
        return reason

    def _expires(self, entry: dict[str, Any], where: Path) -> date | None:
        """The last day a suppression is valid, or None (none given, or reported)."""
        if "expires" not in entry:
            return None
        expires = entry["expires"]
        if isinstance(expires, datetime):
            return expires.date()
        if isinstance(expires, date):
            return expires
        if isinstance(expires, str) and _ISO_DATE.fullmatch(expires):
            try:
                return date.fromisoformat(expires)
            except ValueError:
                pass
        self._at(
            (*where, "expires"),
            f"'expires' must be a date (YYYY-MM-DD), not {shown_value(expires)}",
        )
        return None


_HINT_CHARS = 100
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _pattern_problem(pattern: Any) -> str | None:
    """Why one otaUpdates or paths entry is not a name or glob pattern, or None."""
    if not isinstance(pattern, str):
        return f"must be a name or glob pattern, not {shown_value(pattern)}"
    if not pattern:
        return "is empty: write a name or glob pattern"
    if len(pattern) > MAX_PATTERN_CHARS:
        return (
            f"has {len(pattern)} characters, over the {MAX_PATTERN_CHARS} a name or pattern "
            "may have"
        )
    return None


def _hint(key: Any, choices: Mapping[str, Any] | Sequence[str]) -> str:
    if isinstance(key, int) and not isinstance(key, bool) and key.bit_length() < 64:
        key = str(key)  # `302:` for OTA302
    if not isinstance(key, str) or len(key) > _HINT_CHARS:
        return ""  # nothing is close to a date, a mapping or a paragraph
    return did_you_mean(key, list(choices), cutoff=0.6)


def _merge(packs: Sequence[_Pack]) -> Policy:
    fail_on = DEFAULT_FAIL_ON
    settings: dict[str, RuleSetting] = {}
    ignore: list[IgnoreDrift] = []
    suppressions: list[Suppression] = []
    for pack in packs:
        fail_on = pack.fail_on or fail_on
        for rule_id, new in pack.settings.items():
            old = settings.get(rule_id, RuleSetting())
            settings[rule_id] = RuleSetting(
                enabled=old.enabled if new.enabled is None else new.enabled,
                severity=new.severity or old.severity,
                params={**old.params, **new.params},
            )
        ignore.extend(pack.ignore)
        suppressions.extend(pack.suppressions)
    return Policy(
        fail_on=fail_on,
        settings=settings,
        ignore_drift=tuple(ignore),
        suppressions=tuple(suppressions),
        packs=tuple(p.shown for p in packs),
    )
