"""A policy: the merge of every policy pack, in order."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from fnmatch import fnmatchcase
from typing import Any

from checker.model import Finding, Location, Severity
from checker.rules.interface import RuleMeta
from checker.rules.ota001_changed import CHANGED

FAIL_ON_VALUES = (*(s.value for s in Severity), "never")
"""What `failOn` (packs, `--fail-on`, the Pulumi settings) may be: a severity, or never."""
DEFAULT_FAIL_ON = Severity.LOW.value
"""`failOn` when no pack sets it."""


def effective_fail_on(override: str | None, policy: Policy) -> str:
    """`--fail-on` or `ota-drift:failOn` when given, else the packs' failOn: the threshold the
    CLI's exit code, the Pulumi program's warnings and the provider's `check` all use."""
    return override or policy.fail_on


def recorded_fail_on(override: str | None, recorded: str) -> str:
    """`--fail-on` if given, else the failOn a report was made with (`merge` of fleet shards,
    whose packs it does not read)."""
    return override or recorded


def blocks_at(severity: Severity, fail_on: str) -> bool:
    """Whether a finding of `severity` reaches `fail_on`: the one judge of the exit code, the
    Pulumi provider's failures and CrossGuard's enforcement level. `never` blocks nothing."""
    return fail_on != "never" and severity >= Severity(fail_on)


def blocks(finding: Finding, fail_on: str) -> bool:
    """Whether `finding` blocks at `fail_on`; a suppressed finding never does."""
    return finding.active and blocks_at(finding.severity, fail_on)


@dataclass(frozen=True)
class RuleSetting:
    """What packs say about one rule; None leaves the earlier pack's (or the rule's) value."""

    enabled: bool | None = None
    severity: Severity | None = None
    params: Mapping[str, Any] = field(default_factory=dict)


def path_matches(path: str, pattern: str) -> bool:
    """`awsJobPresignedUrlConfig` covers everything below it; `*` and `?` are wildcards.

    Brackets are literal, so `files[*].codeSigning` matches `files[fw.bin].codeSigning`.
    """
    literal_brackets = "".join({"[": "[[]", "]": "[]]"}.get(c, c) for c in pattern)
    return (
        path == pattern
        or path.startswith((pattern + ".", pattern + "["))
        or fnmatchcase(path, literal_brackets)
    )


@dataclass(frozen=True)
class IgnoreDrift:
    """Drift to leave out of the report: all of it for these updates, or only these paths."""

    ota_updates: tuple[str, ...]
    paths: tuple[str, ...]
    location: Location

    def names(self, ota_update_id: str) -> bool:
        return any(fnmatchcase(ota_update_id, p) for p in self.ota_updates)

    def matches(self, finding: Finding) -> bool:
        if not self.names(finding.ota_update_id):
            return False
        if not self.paths:
            return True
        return finding.rule_id == CHANGED.rule_id and any(
            path_matches(finding.path, p) for p in self.paths
        )


@dataclass(frozen=True)
class Suppression:
    """An accepted risk: findings it matches stay in the report but count for nothing."""

    rule: str
    ota_updates: tuple[str, ...]
    paths: tuple[str, ...]
    reason: str
    expires: date | None
    location: Location

    def matches(self, finding: Finding) -> bool:
        return (
            finding.rule_id == self.rule
            and any(fnmatchcase(finding.ota_update_id, p) for p in self.ota_updates)
            and (not self.paths or any(path_matches(finding.path, p) for p in self.paths))
        )

    def expired(self, today: date) -> bool:
        """Valid through its `expires` day; expired from the day after."""
        return self.expires is not None and today > self.expires


@dataclass(frozen=True)
class Policy:
    fail_on: str
    settings: Mapping[str, RuleSetting]
    ignore_drift: tuple[IgnoreDrift, ...]
    suppressions: tuple[Suppression, ...]
    packs: tuple[str, ...]
    """The packs merged, in order, as the user named them."""

    def enabled(self, rule_id: str) -> bool:
        setting = self.settings.get(rule_id)
        return setting is None or setting.enabled is not False

    def severity(self, rule_id: str, default: Severity) -> Severity:
        setting = self.settings.get(rule_id)
        return setting.severity if setting and setting.severity else default

    def params(self, meta: RuleMeta) -> dict[str, Any]:
        values = {p.name: p.default for p in meta.params}
        setting = self.settings.get(meta.rule_id)
        if setting is not None:
            values.update(setting.params)
        return values


DEFAULT_POLICY = Policy(DEFAULT_FAIL_ON, {}, (), (), ())
"""Rule defaults only: what a test or library caller gets without packs."""


def policy_digest(policy: Policy) -> str:
    """sha256 of what the policy decides (not where its packs were read): the reports of a
    fleet's shards merge only when one policy judged them all."""
    canonical = repr(
        (
            policy.fail_on,
            sorted((rule_id, repr(setting)) for rule_id, setting in policy.settings.items()),
            [(i.ota_updates, i.paths) for i in policy.ignore_drift],
            [(s.rule, s.ota_updates, s.paths, s.reason, s.expires) for s in policy.suppressions],
        )
    )
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()
