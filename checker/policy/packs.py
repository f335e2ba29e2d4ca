"""Policy packs: YAML files that tune rules, ignore drift and suppress findings.

`policies/default.yaml` is always loaded first; `--policy FILE` packs overlay it in order.
Every problem is reported as `PACK:LINE: message` (exit code 2).
"""

from __future__ import annotations

import difflib
import importlib.resources
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path as FsPath
from typing import Any

from checker.declared.yamlsafe import load_located
from checker.errors import InputError, Problem
from checker.files import display_path, read_text
from checker.model import Location, Path, Severity
from checker.policy.model import IgnoreDrift, Policy, RuleSetting, Suppression
from checker.rules.interface import Param, RuleMeta
from checker.rules.registry import META_BY_ID

PACK_VERSION = 1
FAIL_ON_VALUES = (*(s.value for s in Severity), "never")
MAX_PACK_BYTES = 1 * 2**20
_TOP_KEYS = ("version", "failOn", "rules", "ignoreDrift", "suppressions")


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
        line = None
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                break
        self.problems.append(Problem(self.shown, line or 1, message))

    def _read(self, doc: Any) -> None:
        if not isinstance(doc, dict):
            self._at((), "a policy pack must be a mapping with 'version: 1'")
            return
        for key in doc:
            if key not in _TOP_KEYS:
                self._at((key,), f"unknown key {key!r}{_hint(key, _TOP_KEYS)}")
        version = doc.get("version")
        if type(version) is not int or version != PACK_VERSION:
            self._at(("version",), f"'version' must be {PACK_VERSION}, not {version!r}")
        if "failOn" in doc:
            if doc["failOn"] in FAIL_ON_VALUES:
                self.fail_on = doc["failOn"]
            else:
                self._at(("failOn",), f"'failOn' must be one of {', '.join(FAIL_ON_VALUES)}")
        rules = doc.get("rules", {})
        if not isinstance(rules, dict):
            self._at(("rules",), "'rules' must be a mapping of rule IDs")
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
        self._at((key,), f"'{key}' must be a list")
        return []

    def _rule(self, rule_id: Any, setting: Any) -> None:
        where: Path = ("rules", rule_id)
        meta = META_BY_ID.get(rule_id) if isinstance(rule_id, str) else None
        if meta is None:
            self._at(where, f"unknown rule {rule_id!r}{_hint(rule_id, META_BY_ID)}")
            return
        if not isinstance(setting, dict):
            self._at(where, f"{rule_id} takes a mapping of enabled, severity, params")
            return
        for key in setting:
            if key not in ("enabled", "severity", "params"):
                self._at(
                    (*where, key),
                    f"unknown key {key!r} in {rule_id}"
                    f"{_hint(key, ('enabled', 'severity', 'params'))}",
                )
        enabled = setting.get("enabled")
        if enabled is not None and not isinstance(enabled, bool):
            self._at((*where, "enabled"), f"{rule_id}.enabled must be true or false")
            enabled = None
        severity = None
        if "severity" in setting:
            try:
                severity = Severity(setting["severity"])
            except ValueError:
                self._at(
                    (*where, "severity"),
                    f"{rule_id}.severity must be one of {', '.join(s.value for s in Severity)}",
                )
        params = self._params(meta, setting.get("params", {}), (*where, "params"))
        self.settings[rule_id] = RuleSetting(enabled, severity, params)

    def _params(self, meta: RuleMeta, params: Any, where: Path) -> dict[str, Any]:
        if not isinstance(params, dict):
            self._at(where, f"{meta.rule_id}.params must be a mapping")
            return {}
        known = {p.name: p for p in meta.params}
        good = {}
        for name, value in params.items():
            param = known.get(name)
            if param is None:
                names = ", ".join(known) or "none"
                self._at(
                    (*where, name),
                    f"unknown parameter {name!r} for {meta.rule_id} "
                    f"(it takes: {names}){_hint(name, known)}",
                )
            elif not _param_ok(param, value):
                self._at(
                    (*where, name),
                    f"{meta.rule_id}.{name} must be {_TYPE_TEXT[param.type]}, not {value!r}",
                )
            else:
                good[name] = value
        return good

    def _patterns(
        self, entry: dict[str, Any], where: Path, key: str, required: bool
    ) -> tuple[str, ...]:
        value = entry.get(key)
        if value is None:
            if required:
                self._at(where, f"missing required key {key!r}")
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            self._at((*where, key), f"'{key}' must be a list of names or glob patterns")
            return ()
        if not value:
            self._at((*where, key), f"'{key}' is empty: list at least one name or pattern")
            return ()
        return tuple(value)

    def _location(self, where: Path) -> Location:
        return Location(self.shown, self.lines.get(where, 1))

    def _ignore(self, index: int, entry: Any) -> None:
        where: Path = ("ignoreDrift", index)
        if not isinstance(entry, dict):
            self._at(where, "an ignoreDrift entry must be a mapping with otaUpdates")
            return
        for key in entry:
            if key not in ("otaUpdates", "paths"):
                self._at(
                    (*where, key),
                    f"unknown key {key!r} in ignoreDrift{_hint(key, ('otaUpdates', 'paths'))}",
                )
        updates = self._patterns(entry, where, "otaUpdates", required=True)
        paths = self._patterns(entry, where, "paths", required=False)
        if updates:
            self.ignore.append(IgnoreDrift(updates, paths, self._location(where)))

    def _suppression(self, index: int, entry: Any) -> None:
        where: Path = ("suppressions", index)
        keys = ("rule", "otaUpdates", "paths", "reason", "expires")
        if not isinstance(entry, dict):
            self._at(where, "a suppression must be a mapping with rule, otaUpdates and reason")
            return
        for key in entry:
            if key not in keys:
                self._at((*where, key), f"unknown key {key!r} in a suppression{_hint(key, keys)}")
        rule = entry.get("rule")
        if rule is None:
            self._at(where, "missing required key 'rule'")
        elif rule not in META_BY_ID:
            self._at((*where, "rule"), f"unknown rule {rule!r}{_hint(rule, META_BY_ID)}")
        updates = self._patterns(entry, where, "otaUpdates", required=True)
        paths = self._patterns(entry, where, "paths", required=False)
        reason = entry.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            self._at(
                (*where, "reason") if "reason" in entry else where,
                "a suppression needs a 'reason': say why the risk is accepted",
            )
        expires = entry.get("expires")
        if isinstance(expires, datetime):
            expires = expires.date()
        elif expires is not None and not isinstance(expires, date):
            try:
                if not isinstance(expires, str) or not _ISO_DATE.fullmatch(expires):
                    raise ValueError(expires)
                expires = date.fromisoformat(expires)
            except ValueError:
                self._at(
                    (*where, "expires"), f"'expires' must be a date (YYYY-MM-DD), not {expires!r}"
                )
                expires = None
        if isinstance(rule, str) and rule in META_BY_ID and updates and isinstance(reason, str):
            self.suppressions.append(
                Suppression(rule, updates, paths, reason.strip(), expires, self._location(where))
            )


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TYPE_TEXT = {"int": "an integer", "number": "a number", "string-list": "a list of strings"}


def _param_ok(param: Param, value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if param.type == "int":
        return isinstance(value, int)
    if param.type == "number":
        return isinstance(value, int | float)
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _hint(key: Any, choices: Mapping[str, Any] | Sequence[str]) -> str:
    close = difflib.get_close_matches(str(key), list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _merge(packs: Sequence[_Pack]) -> Policy:
    fail_on = "low"
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
