"""The SARIF 2.1.0 report, for GitHub code scanning and other SARIF viewers.

Every rule in the registry is listed in `tool.driver.rules`, so a rule that stops firing
closes its alerts instead of vanishing from the tool. Results point into the declared YAML
(paths relative to the directory ota-drift ran in: the repository root in CI, which is what
`%SRCROOT%` means to GitHub). A finding on an update nobody declared has no line of its own:
it points at line 1 of a stable file and names the update in its message and logical
location. `partialFingerprints` hash what identifies a finding, never its line or message,
so alerts survive edits that move YAML around. The file stays within every limit GitHub code
scanning documents (the `GITHUB_*` constants, each cited): a long run keeps its most severe
results and says what it left out (`SarifFormat`).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PureWindowsPath
from typing import Any
from urllib.parse import quote

from checker.formats.json import escape_invisible, json_safe
from checker.model import Finding, Location, Report, Severity, SourceError
from checker.rules.docs import rule_anchor, rule_markdown, rule_text
from checker.rules.interface import RuleMeta
from checker.rules.registry import ALL_RULES

GITHUB_SARIF_DOCS = (
    "https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/"
    "sarif-support-for-code-scanning#validating-your-sarif-file"
)
"""GitHub's "SARIF support for code scanning": the upload size, the limits table and, under
"Supported SARIF output file properties", the lengths of `name` and the descriptions."""
GITHUB_LIMITS_DOCS = (
    "https://docs.github.com/en/code-security/code-scanning/troubleshooting-sarif-uploads/"
    "results-exceed-limit"
)
"""GitHub's "About code scanning limits on SARIF results": the same limits table, with the error
each one raises."""

GITHUB_MAX_RESULTS = 25_000
"""Results per run: GitHub code scanning rejects a run with more (GITHUB_LIMITS_DOCS)."""
GITHUB_SHOWN_RESULTS = 5_000
"""Results per run that GitHub code scanning stores and shows ("only the top 5,000 results will
be included", GITHUB_LIMITS_DOCS); the default cap, so that what ota-drift says it left out is
what reviewers don't see. The docs say the 5,000 are "prioritized by severity", but
github/docs#38085 saw the first 5,000 of 5,421 kept in file order, so results are written most
severe first and the choice is ours."""
GITHUB_MAX_RUNS = 20
"""Runs per file (GITHUB_LIMITS_DOCS); this format writes one."""
GITHUB_MAX_RULES = 25_000
"""Rules per run (GITHUB_LIMITS_DOCS); this format writes the registry's (25) and, for a
hand-built report only, one per unregistered rule ID among the results kept."""
GITHUB_MAX_LOCATIONS = 1_000
"""Locations per result (GITHUB_LIMITS_DOCS; 100 shown, and the `result` table of
GITHUB_SARIF_DOCS says 10 and uses only the first); this format writes one."""
GITHUB_MAX_TAGS = 20
"""Tags per rule (GITHUB_LIMITS_DOCS); only 10 are shown (GITHUB_SHOWN_TAGS)."""
GITHUB_SHOWN_TAGS = 10
"""Tags per rule that GitHub code scanning keeps: every rule here has 3, so all are shown."""
GITHUB_MAX_GZIP_BYTES = 10_000_000
"""The upload, gzip-compressed, must be at most 10 MB (GITHUB_SARIF_DOCS), read as 10^6 bytes,
the smaller MB. Over it, fewer results are written (see `SarifFormat`)."""
GITHUB_MAX_NAME_CHARS = 255
"""`reportingDescriptor.name` is limited to 255 characters (GITHUB_SARIF_DOCS)."""
GITHUB_MAX_DESCRIPTION_CHARS = 1024
"""`shortDescription.text` and `fullDescription.text` are limited to 1024 characters each
(GITHUB_SARIF_DOCS). The other limits there (100 tool extensions per run, 10,000 thread flow
locations per result, 1,000 shown) concern objects this format never writes."""

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
    """One run, deterministic JSON (indent 2, key order fixed by construction), within GitHub
    code scanning's limits.

    Results are written most severe first (`result_order`), and at most `max_results` of them
    (default GITHUB_SHOWN_RESULTS). A longer run loses results on GitHub anyway, and not by
    severity, so ota-drift picks the most severe itself. Suppressed results count against the
    cap, because GitHub counts them too. If the file would still be over GITHUB_MAX_GZIP_BYTES
    compressed, it holds fewer results, as many as fit. Whatever was left out is counted by
    severity in a warning in `invocations[0].toolExecutionNotifications`, and `notices` repeats
    it for stderr. The audit, the exit code and the other formats still count every finding.
    """

    def __init__(self, max_results: int | None = None) -> None:
        if max_results is not None and not 1 <= max_results <= GITHUB_MAX_RESULTS:
            raise ValueError(f"max_results must be 1 to {GITHUB_MAX_RESULTS}, not {max_results}")
        self.max_results = max_results
        self._last: tuple[Report, _Rendering] | None = None

    def notices(self, report: Report) -> list[str]:
        """The left-out line, if findings were left out; else nothing."""
        note = self._rendering(report).note
        return [] if note is None else [note]

    def render(self, report: Report) -> str:
        return self._rendering(report).text

    def _rendering(self, report: Report) -> _Rendering:
        """`render` and `notices` of one report share one rendering: it may have been gzipped."""
        if self._last is None or self._last[0] is not report:
            self._last = (report, _render(report, self.max_results))
        return self._last[1]


@dataclass(frozen=True)
class _Rendering:
    text: str
    note: str | None
    """What was left out, in one line; None when every finding is a result."""


def result_order(finding: Finding) -> tuple[Any, ...]:
    """Most severe first; within a severity, active findings before suppressed ones (those need
    no action), then the report's order (update, rule, path); source, message and location
    break the remaining ties, so the order does not depend on the order findings came in."""
    location = finding.location
    return (
        -finding.severity.rank,
        finding.suppressed is not None,
        *finding.sort_key,
        finding.source,
        finding.message,
        location is not None,
        location.file if location else "",
        location.line if location else 0,
    )


def _render(report: Report, max_results: int | None) -> _Rendering:
    """The SARIF text with the most severe findings the limits allow, and its left-out line."""
    ordered = sorted(report.findings, key=result_order)
    keep = min(len(ordered), max_results or GITHUB_SHOWN_RESULTS)
    if max_results is None:
        why = (
            f"GitHub code scanning shows at most {GITHUB_SHOWN_RESULTS:,} results a run; "
            f"--sarif-max-results raises the cap up to {GITHUB_MAX_RESULTS:,}"
        )
    else:
        why = f"--sarif-max-results {max_results}"
    while True:
        note = _left_out(ordered, keep, why)
        notifications = [] if note is None else [note]
        log = to_sarif(report, ordered[:keep], notifications)
        # Strict JSON whatever the data: non-finite drift values are strings (json_safe), and
        # lone surrogates, bidi and C1 characters are `\\uXXXX` escapes (escape_invisible).
        text = json.dumps(log, indent=2, ensure_ascii=False, allow_nan=False)
        text = escape_invisible(text + "\n")
        size = upload_size(text)
        if size <= GITHUB_MAX_GZIP_BYTES or keep == 0:
            return _Rendering(text, None if note is None else note["message"]["text"])
        keep = min(keep - 1, keep * GITHUB_MAX_GZIP_BYTES // size)
        why = (
            f"GitHub code scanning accepts at most {GITHUB_MAX_GZIP_BYTES / 10**6:g} MB "
            "gzip-compressed"
        )


def upload_size(text: str) -> int:
    """At least the gzip-compressed size of `text` as GitHub receives it.

    Compressed at level 1, the least compact a client would use. Text of at most half the
    limit is counted uncompressed instead: gzip adds a few bytes per 64 KiB at worst, so it
    cannot take that text over the limit, and the usual run needs no compressing.
    """
    data = text.encode("utf-8")
    if len(data) <= GITHUB_MAX_GZIP_BYTES // 2:
        return len(data)
    return len(gzip.compress(data, compresslevel=1, mtime=0))


def _left_out(ordered: Sequence[Finding], keep: int, why: str) -> dict[str, Any] | None:
    """The warning notification for the findings after the first `keep`; None if there are none."""
    left = ordered[keep:]
    if not left:
        return None
    by_severity = Counter(f.severity for f in left)
    severities = sorted(Severity, key=lambda s: -s.rank)
    counts = ", ".join(f"{by_severity[s]:,} {s.value}" for s in severities if by_severity[s])
    suppressed = sum(1 for f in left if f.suppressed is not None)
    text = (
        f"SARIF report holds the {keep:,} most severe of {len(ordered):,} findings; "
        f"left out: {counts}"
    )
    if suppressed:
        text += f" ({suppressed:,} of them suppressed)"
    return {
        "level": "warning",
        "message": {"text": f"{text} ({why})"},
        "properties": {
            "findings": len(ordered),
            "results": keep,
            "leftOut": {s.value: by_severity[s] for s in severities},
            "suppressedLeftOut": suppressed,
        },
    }


def to_sarif(
    report: Report, results: Sequence[Finding], notifications: Sequence[dict[str, Any]] = ()
) -> dict[str, Any]:
    """A SARIF 2.1.0 log with a single run: `results` in the given order, and `notifications`
    after the run's read errors and skipped updates."""
    metas = list(ALL_RULES)
    known = {meta.rule_id for meta in metas}
    unknown = sorted({f.rule_id for f in results} - known)
    descriptors = [rule_descriptor(meta) for meta in metas]
    taken = {descriptor["name"] for descriptor in descriptors}
    descriptors += [_unknown_descriptor(rule_id, taken) for rule_id in unknown]
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
        "invocations": [_invocation(report, notifications)],
        "results": [_result(f, index[f.rule_id], fallback) for f in results],
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


def _unknown_descriptor(rule_id: str, taken: set[str]) -> dict[str, Any]:
    """A finding of a rule missing from the registry (a hand-built report) still needs a
    descriptor to index, with what GitHub requires and a name no other descriptor has."""
    base = name = pascal_case(rule_id)
    suffix = 2
    while name in taken:
        name, suffix = f"{base}{suffix}", suffix + 1
    taken.add(name)
    text = f"{rule_id}: a rule this version of ota-drift does not document"
    return {
        "id": rule_id,
        "name": name,
        "shortDescription": {"text": rule_id},
        "fullDescription": {"text": text},
        "help": {"text": text},
        "helpUri": RULES_DOC_URI,
    }


PASCAL_IDENTIFIER = re.compile(r"(?:[A-Z][a-z0-9]+)+")
r"""SARIF2012's "Pascal identifier" in ASCII: the SARIF multitool checks rule names against
`^(\p{Lu}[\p{Ll}\p{Nd}]+)*$`, words of one capital and at least one lower-case letter or digit."""


def pascal_case(title: str) -> str:
    """`Ensure every OTA file is code-signed` → `EnsureEveryOtaFileIsCodeSigned`.

    Always a PASCAL_IDENTIFIER, which SARIF2012 asks rule names to be: an acronym is written
    as a word (OTA → Ota, S3 stays), a word that starts with a digit joins the word before it
    (`Within60To3600Seconds`), and a one-letter word (`a`) is left out, since one capital
    alone is not a word there. A title with no word left is `Rule`.
    """
    name = ""
    for word in re.findall(r"[0-9A-Za-z]+", re.sub(r"['\u2019]", "", title)):
        if word[0].isdigit():
            name += word.lower()
        elif len(word) > 1:
            name += word[0].upper() + word[1:].lower()
    return name if name[:1].isupper() else f"Rule{name}"


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


def _invocation(report: Report, extra: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Successful only if every live update was read: leaving results out of the file is not a
    failed execution, just one more notification."""
    notifications = [_error_notification(e) for e in report.errors]
    notifications += [
        {
            "level": "note",
            "message": {"text": f"{s.ota_update_id} skipped: {s.reason}"},
            "properties": {"otaUpdateId": s.ota_update_id},
        }
        for s in report.skipped
    ]
    notifications += extra
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
