"""The SARIF 2.1.0 report, for GitHub code scanning and other SARIF viewers.

Every rule in the registry is listed in `tool.driver.rules`, so a rule that stops firing
closes its alerts instead of vanishing from the tool. Results point into the declared YAML
(paths relative to the directory ota-drift ran in: the repository root in CI, which is what
`%SRCROOT%` means to GitHub). A finding on an update nobody declared has no line of its own:
it points at line 1 of a stable file and names the update in its message and logical
location. `partialFingerprints` hash what identifies a finding, never its line or message,
so alerts survive edits that move YAML around.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import PureWindowsPath
from typing import Any
from urllib.parse import quote

from checker.formats.json import escape_invisible, json_safe
from checker.model import Finding, Location, Report, Severity, SourceError
from checker.rules.docs import rule_anchor, rule_markdown, rule_text
from checker.rules.interface import RuleMeta
from checker.rules.registry import ALL_RULES

GITHUB_MAX_RESULTS = 25_000
"""GitHub code scanning rejects a run with more results than this (to be cited)."""
GITHUB_SHOWN_RESULTS = 5_000
"""GitHub code scanning stores and shows at most this many results of a run (to be cited);
the default cap, so that what ota-drift says it left out is what reviewers don't see."""

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
INFORMATION_URI = "https://github.com/ota-drift/ota-drift"
RULES_DOC_URI = f"{INFORMATION_URI}/blob/main/docs/rules.md"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "otaDriftFinding/v1"

LEVELS: dict[Severity, str] = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
"""The one severity → SARIF level table (rules' defaults and results alike)."""

SECURITY_SEVERITY: dict[Severity, str] = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "1.0",
}
"""GitHub's `security-severity` (CVSS-like, 0.0-10.0) for each severity."""

THEMES: dict[str, str] = {
    "0": "drift",
    "1": "code-signing",
    "2": "transport",
    "3": "rollout",
    "4": "targeting",
    "5": "lifecycle",
    "9": "checker",
}
"""Theme tag by the rule ID's hundreds digit (OTA1xx → code-signing)."""


class SarifFormat:
    """One run, deterministic JSON (indent 2, key order fixed by construction)."""

    def __init__(self, max_results: int | None = None) -> None:
        self.max_results = max_results

    def notices(self, report: Report) -> list[str]:
        """Nothing is left out of this format."""
        return []

    def render(self, report: Report) -> str:
        # Strict JSON whatever the data: non-finite drift values are strings (json_safe), and
        # lone surrogates, bidi and C1 characters are `\\uXXXX` escapes (escape_invisible).
        text = json.dumps(to_sarif(report), indent=2, ensure_ascii=False, allow_nan=False)
        return escape_invisible(text + "\n")


def to_sarif(report: Report) -> dict[str, Any]:
    """The report as a SARIF 2.1.0 log with a single run."""
    metas = list(ALL_RULES)
    known = {meta.rule_id for meta in metas}
    unknown = sorted({f.rule_id for f in report.findings} - known)
    descriptors = [rule_descriptor(meta) for meta in metas]
    descriptors += [_unknown_descriptor(rule_id) for rule_id in unknown]
    index = {descriptor["id"]: i for i, descriptor in enumerate(descriptors)}
    fallback = _fallback_file(report)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "ota-drift",
                "version": report.tool_version,
                "semanticVersion": report.tool_version,
                "informationUri": INFORMATION_URI,
                "rules": descriptors,
            }
        },
        "automationDetails": {"id": f"ota-drift/{report.command}/"},
        "invocations": [_invocation(report)],
        "results": [_result(f, index[f.rule_id], fallback) for f in report.findings],
        "properties": {
            "asOf": report.as_of.isoformat() if report.as_of else None,
            "policyPacks": list(report.policy_packs),
        },
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def rule_descriptor(meta: RuleMeta) -> dict[str, Any]:
    """A rule's `reportingDescriptor`: documentation, default level, GitHub properties."""
    return {
        "id": meta.rule_id,
        "name": pascal_case(meta.title),
        "shortDescription": {"text": meta.title},
        "fullDescription": {"text": meta.doc.what},
        "help": {"text": rule_text(meta), "markdown": rule_markdown(meta)},
        "helpUri": f"{RULES_DOC_URI}#{rule_anchor(meta)}",
        "defaultConfiguration": {"level": LEVELS[meta.severity]},
        "properties": {
            "security-severity": SECURITY_SEVERITY[meta.severity],
            "tags": ["security", "ota", theme(meta.rule_id)],
            "precision": "very-high",
        },
    }


def _unknown_descriptor(rule_id: str) -> dict[str, Any]:
    """A finding of a rule missing from the registry still needs a descriptor to index."""
    return {"id": rule_id, "shortDescription": {"text": rule_id}}


def pascal_case(title: str) -> str:
    """`Ensure every OTA file is code-signed` → `EnsureEveryOTAFileIsCodeSigned`."""
    words = re.split(r"[^0-9A-Za-z]+", re.sub(r"['\u2019]", "", title))
    return "".join(word[:1].upper() + word[1:] for word in words)


def theme(rule_id: str) -> str:
    """The theme tag of a rule, by its ID range (`OTA3xx` → `rollout`)."""
    digits = rule_id.removeprefix("OTA")
    return THEMES.get(digits[:1], "checker") if len(digits) == 3 else "checker"


def fingerprint(finding: Finding) -> str:
    """sha256 of `ruleId|otaUpdateId|path|source`: no line, no message, so it is stable.

    `\\` and `|` inside a field are backslash-escaped, so two different findings never hash
    the same text; ordinary IDs and paths contain neither and hash exactly as written.
    """
    fields = (finding.rule_id, finding.ota_update_id, finding.path, finding.source)
    text = "|".join(f.replace("\\", "\\\\").replace("|", "\\|") for f in fields)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def artifact_location(file: str) -> dict[str, Any]:
    """A path as SARIF wants it: a percent-encoded URI, relative to `%SRCROOT%` if it can be."""
    posix = file.replace("\\", "/")
    if posix.startswith("//"):  # a UNC path: //server/share/...
        return {"uri": "file:" + _quote(posix)}
    if posix.startswith("/"):
        return {"uri": "file://" + _quote(posix)}
    if PureWindowsPath(file).is_absolute():  # C:\ota\fw.yaml
        return {"uri": "file:///" + _quote(posix, safe="/:")}
    while posix.startswith("./"):
        posix = posix[2:]
    return {"uri": _quote(posix), "uriBaseId": SRCROOT}


def _quote(path: str, safe: str = "/") -> str:
    return quote(path, safe=safe, errors="surrogatepass")


def _fallback_file(report: Report) -> str | None:
    """Where findings without a location point: a file every run has, at line 1."""
    if report.declared_files:
        return report.declared_files[0]
    if report.policy_packs:
        return report.policy_packs[0]
    return None


def _result(finding: Finding, rule_index: int, fallback: str | None) -> dict[str, Any]:
    location: Location | None = finding.location
    if location is None:
        text = f"{finding.ota_update_id} (live only, not declared): {finding.message}"
        if fallback is not None:
            location = Location(fallback, 1)
    else:
        text = f"{finding.ota_update_id}: {finding.message}"
    qualified = f"otaUpdate/{finding.ota_update_id}/{finding.path}"
    sarif_location: dict[str, Any] = {}
    if location is not None:
        sarif_location["physicalLocation"] = {
            "artifactLocation": artifact_location(location.file),
            "region": {"startLine": max(location.line, 1)},
        }
    sarif_location["logicalLocations"] = [
        {"name": finding.ota_update_id, "fullyQualifiedName": qualified, "kind": "resource"}
    ]
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": text},
        "locations": [sarif_location],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(finding)},
    }
    if finding.suppressed is not None:
        justification = finding.suppressed.reason
        if finding.suppressed.expires is not None:
            justification += f" (expires {finding.suppressed.expires.isoformat()})"
        result["suppressions"] = [
            {"kind": "external", "status": "accepted", "justification": justification}
        ]
    properties: dict[str, Any] = {
        "severity": finding.severity.value,
        "otaUpdateId": finding.ota_update_id,
        "source": finding.source,
        "path": finding.path,
    }
    if finding.drift is not None:
        properties["desired"] = json_safe(finding.drift.desired)
        properties["actual"] = json_safe(finding.drift.actual)
    if finding.references:
        properties["references"] = list(finding.references)
    result["properties"] = properties
    return result


def _invocation(report: Report) -> dict[str, Any]:
    notifications = [_error_notification(e) for e in report.errors]
    notifications += [
        {
            "level": "note",
            "message": {"text": f"{s.ota_update_id} skipped: {s.reason}"},
            "properties": {"otaUpdateId": s.ota_update_id},
        }
        for s in report.skipped
    ]
    invocation: dict[str, Any] = {"executionSuccessful": report.complete}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return invocation


def _error_notification(error: SourceError) -> dict[str, Any]:
    ota = error.ota_update_id or "(all)"
    return {
        "level": "error",
        "message": {
            "text": f"could not read {ota}: {error.operation} failed with "
            f"{error.code}: {error.message}"
        },
        "properties": {
            "otaUpdateId": error.ota_update_id,
            "operation": error.operation,
            "code": error.code,
        },
    }
