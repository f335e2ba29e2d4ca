"""The SARIF 2.1.0 report, for GitHub code scanning and other SARIF viewers.

Every rule in the registry is listed in `tool.driver.rules`, so a rule that stops firing
closes its alerts instead of vanishing from the tool. Results point into the declared YAML
(paths relative to the directory ota-drift ran in: the repository root in CI, which is what
`%SRCROOT%` means to GitHub). A finding on an update nobody declared has no line of its own:
it points at line 1 of a stable file and names the update in its message and logical
location. `partialFingerprints` hash what identifies a finding, never its line or message,
so alerts survive edits that move YAML around. The file stays within every limit GitHub code
scanning documents (the `GITHUB_*` constants, each cited): a long run keeps its most severe
results and says what it left out (`SarifFormat`). No string in the file is longer than
MAX_STRING_CHARS, so no one value (a 5 MB file name, a 15 MB live description) can crowd the
other results out of the upload.

A fleet report's results are about an update in one partition (account and region): two
accounts' `fw-1` are two alerts, since the fingerprint hashes the account and region too. The
message starts with the partition (`111122223333/eu-west-1 fw-1: ...`), because the message
and the physical location are what GitHub code scanning shows of a result: it shows neither
logical locations nor result properties, and every partition's finding points at the same
declared line. For other consumers, `properties` has `account` and `region`, and the update's
logical location is qualified by them (`111122223333/eu-west-1/otaUpdate/fw-1/...`), rather
than two logical locations of kinds SARIF does not define. Read errors and skipped updates
name their partition in their text and properties.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PureWindowsPath
from typing import Any
from urllib.parse import quote

from checker.formats.common import escape_invisible, is_incomplete, json_indented, json_minified
from checker.jsonsafe import json_safe
from checker.model import (
    Finding,
    Location,
    Partition,
    Report,
    Severity,
    SourceError,
    most_severe_first,
)
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
hand-built report only, one per unregistered rule ID among the results within the cap."""
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
NOTE_RESERVE = 256
"""Bytes of the gzip limit kept free while results are chosen to fit it, for the left-out
warning, which is written once the choice is made (and is at most a few dozen characters
longer than the one the choice was measured with)."""
GITHUB_MAX_NAME_CHARS = 255
"""`reportingDescriptor.name` is limited to 255 characters (GITHUB_SARIF_DOCS)."""
GITHUB_MAX_DESCRIPTION_CHARS = 1024
"""`shortDescription.text` and `fullDescription.text` are limited to 1024 characters each
(GITHUB_SARIF_DOCS). The other limits there (100 tool extensions per run, 10,000 thread flow
locations per result, 1,000 shown) concern objects this format never writes."""

MAX_STRING_CHARS = 8_192
"""The longest string this format writes from a report's data: a result's message, rule ID,
update ID, path, fully qualified name, suppression justification, references and file path
(cut before it is percent-encoded), the text of a read error or skipped update, a policy
pack's path. A drift value (`properties.desired`, `properties.actual`) that is a string is
cut the same way; one that is a list or object whose compact JSON text is longer is written
as that text, cut. A cut string ends with `CUT_MARKER`, within the limit. The JSON report
has every value whole, and `partialFingerprints` hash the whole values. So a result holds
about a dozen strings of at most 8,192 characters (escapes can make a character up to 12
bytes: at most a few hundred KB, and gzip makes that less), one per reference more (a rule's
handful), far under GITHUB_MAX_GZIP_BYTES; one that still does not fit is skipped (`_fit`)."""
CUT_MARKER = "\u2026 ({:,} more characters; the JSON report has the full value)"
"""Ends a string cut to MAX_STRING_CHARS (or a description cut to 1024), with the count cut."""

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
    compressed, it holds the results that fit, most severe first: one that does not fit is
    skipped and the next ones are tried, so a big result never costs the others (`_fit`).
    Whatever was left out is counted by severity in a warning in
    `invocations[0].toolExecutionNotifications`, with how many for size and how many over the
    cap, and `notices` repeats it for stderr. The audit, the exit code and the other formats
    still count every finding.
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


result_order = most_severe_first
"""The order results are written and kept in (`checker.model.most_severe_first`)."""


def _render(report: Report, max_results: int | None) -> _Rendering:
    """The SARIF text with the most severe findings the limits allow, and its left-out line.

    At most four whole-log renders and two whole-log gzips, however many results there are:
    the usual file, under the cap and the size limit, is rendered once. Over the size limit,
    each result is rendered once more, alone, and the results that fit are chosen from those
    texts with one incremental gzip stream (`_fit`); then the file with them is rendered and
    measured. Only if the left-out warning it ends up with took it over the limit (which
    NOTE_RESERVE is there to prevent) are the results chosen again, by their uncompressed
    size, which cannot be wrong.
    """
    ordered = sorted(report.findings, key=result_order)
    candidates = ordered[: max_results or GITHUB_SHOWN_RESULTS]
    log, note = _log(report, ordered, candidates, range(len(candidates)), max_results)
    text = _text(log)
    if upload_size(text) <= GITHUB_MAX_GZIP_BYTES:
        return _Rendering(text, note)
    pieces = [_result_text(result).encode("utf-8") for result in log["runs"][0]["results"]]
    skeleton, _ = _log(report, ordered, candidates, (), max_results)
    skeleton["runs"][0]["results"] = [0]  # a placeholder, to find where results go
    head, tail = _split(_text(skeleton))
    room = GITHUB_MAX_GZIP_BYTES - NOTE_RESERVE
    kept = _fit(head, pieces, tail, room)
    log, note = _log(report, ordered, candidates, kept, max_results)
    text = _text(log)
    if upload_size(text) > GITHUB_MAX_GZIP_BYTES:
        kept = _fit_uncompressed(head, pieces, tail, room)
        log, note = _log(report, ordered, candidates, kept, max_results)
        text = _text(log)
    return _Rendering(text, note)


def _log(
    report: Report,
    ordered: Sequence[Finding],
    candidates: Sequence[Finding],
    kept: Sequence[int],
    max_results: int | None,
) -> tuple[dict[str, Any], str | None]:
    """The log of the `kept` candidates (indexes, in order), with its left-out warning and that
    warning's text. Unregistered rules are described for every candidate, kept or not, so a
    result's text (its `ruleIndex`) does not depend on which others fit."""
    note = _left_out(ordered, candidates, kept, max_results)
    notifications = [] if note is None else [note]
    log = to_sarif(report, [candidates[i] for i in kept], notifications, described=candidates)
    return log, None if note is None else note["message"]["text"]


def _text(log: dict[str, Any]) -> str:
    """The whole log as written.

    Strict JSON whatever the data: non-finite drift values are strings (json_safe), and lone
    surrogates, bidi and C1 characters are `\\uXXXX` escapes (escape_invisible).
    """
    return escape_invisible(json_indented(log) + "\n")


RESULT_INDENT = "\n" + " " * 8
"""A result's lines are indented 8 spaces in the log: `runs` > run > `results` > result."""
RESULT_SEPARATOR = ("," + RESULT_INDENT).encode("utf-8")
_RESULTS_PLACEHOLDER = '\n      "results": [' + RESULT_INDENT + "0\n      ]"
"""The run's `results` holding the placeholder 0. A raw newline is never inside a JSON
string, and no other key sits at this depth, so this text occurs once."""


def _result_text(result: dict[str, Any]) -> str:
    """One result exactly as `_text` writes it inside the log (JSON strings hold no raw
    newline, so indenting every line is safe)."""
    return escape_invisible(json_indented(result).replace("\n", RESULT_INDENT))


def _split(text: str) -> tuple[bytes, bytes]:
    """The log text with the placeholder result as what comes before the first result and
    what comes after the last: `head + RESULT_SEPARATOR.join(results) + tail` is the log."""
    at = text.index(_RESULTS_PLACEHOLDER)
    head = text[:at] + '\n      "results": [' + RESULT_INDENT
    tail = "\n      ]" + text[at + len(_RESULTS_PLACEHOLDER) :]
    return head.encode("utf-8"), tail.encode("utf-8")


LOOKAHEAD = 262
"""Input bytes zlib may hold back unprocessed (MIN_LOOKAHEAD in deflate.h)."""


def deflate_bound(size: int) -> int:
    """At most the bytes deflate adds to a gzip stream for `size` more input bytes, the gzip
    trailer included: zlib writes a block stored (5 bytes of framing per 16 KiB at worst)
    rather than let it grow, so the bound is generous at 1 byte per KiB plus 64."""
    return size + size // 1024 + 64


def _fit(head: bytes, pieces: Sequence[bytes], tail: bytes, room: int) -> list[int]:
    """The indexes, in order, of the `pieces` (results) that fit in `room` bytes of gzip, each
    tried in turn: one that would not fit is skipped, and the next one is tried.

    One level-1 gzip stream, as `upload_size` compresses, takes the head and then each piece
    kept, unflushed, so its bytes are exactly those of the whole text compressed at once
    (zlib's output does not depend on how its input is split into calls). A
    piece that surely fits (`deflate_bound` of everything not yet written) is added as is;
    otherwise a copy of the stream takes the piece and the tail and is finished, which gives
    the exact size of the file with that piece, and the piece is kept only if that fits.
    """
    stream = zlib.compressobj(1, zlib.DEFLATED, 31)  # 31: a gzip header and trailer
    written = len(stream.compress(head))
    pending = len(head)  # input the written bytes may not cover yet
    kept: list[int] = []
    for index, piece in enumerate(pieces):
        data = RESULT_SEPARATOR + piece if kept else piece
        if written + deflate_bound(pending + len(data) + len(tail)) > room:
            trial = stream.copy()
            size = written + len(trial.compress(data)) + len(trial.compress(tail))
            if size + len(trial.flush()) > room:
                continue
        out = stream.compress(data)
        written += len(out)
        pending = LOOKAHEAD + len(data) if out else pending + len(data)
        kept.append(index)
    return kept


def _fit_uncompressed(head: bytes, pieces: Sequence[bytes], tail: bytes, room: int) -> list[int]:
    """As `_fit`, but by uncompressed size, which gzip cannot exceed by more than
    `deflate_bound` allows: fewer results, but surely within `room`."""
    budget = (room - 64) * 1024 // 1025 - len(head) - len(tail)
    kept: list[int] = []
    for index, piece in enumerate(pieces):
        size = len(piece) + (len(RESULT_SEPARATOR) if kept else 0)
        if size <= budget:
            budget -= size
            kept.append(index)
    return kept


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


def _left_out(
    ordered: Sequence[Finding],
    candidates: Sequence[Finding],
    kept: Sequence[int],
    max_results: int | None,
) -> dict[str, Any] | None:
    """The warning notification for the findings not kept; None if there are none.

    `candidates` are the first findings of `ordered`, as many as the cap allows, and `kept`
    the indexes of those that fit the size limit. The text says "the N most severe" only when
    that is what the file holds.
    """
    chosen = set(kept)
    left = [f for i, f in enumerate(candidates) if i not in chosen]
    left += ordered[len(candidates) :]
    if not left:
        return None
    for_size = len(candidates) - len(chosen)
    over_cap = len(ordered) - len(candidates)
    by_severity = Counter(f.severity for f in left)
    severities = sorted(Severity, key=lambda s: -s.rank)
    counts = ", ".join(f"{by_severity[s]:,} {s.value}" for s in severities if by_severity[s])
    suppressed = sum(1 for f in left if f.suppressed is not None)
    if not kept:
        held = f"holds none of the {len(ordered):,} findings"
    elif list(kept) == list(range(len(kept))):
        held = f"holds the {len(kept):,} most severe of {len(ordered):,} findings"
    else:
        held = f"holds {len(kept):,} of {len(ordered):,} findings, the most severe that fit"
    text = f"SARIF report {held}; left out: {counts}"
    if suppressed:
        text += f" ({suppressed:,} of them suppressed)"
    if max_results is None:
        why = (
            f"GitHub code scanning shows at most {GITHUB_SHOWN_RESULTS:,} results a run; "
            f"--sarif-max-results raises the cap up to {GITHUB_MAX_RESULTS:,}"
        )
    else:
        why = f"--sarif-max-results {max_results}"
    if for_size:
        why = (
            f"{for_size:,} for size: GitHub code scanning accepts at most "
            f"{GITHUB_MAX_GZIP_BYTES / 10**6:g} MB gzip-compressed; "
            f"{f'{over_cap:,}' if over_cap else 'none'} over the cap: {why}"
        )
    return {
        "level": "warning",
        "message": {"text": f"{text} ({why})"},
        "properties": {
            "findings": len(ordered),
            "results": len(kept),
            "leftOut": {s.value: by_severity[s] for s in severities},
            "suppressedLeftOut": suppressed,
            "leftOutForSize": for_size,
            "leftOutOverCap": over_cap,
        },
    }


def to_sarif(
    report: Report,
    results: Sequence[Finding],
    notifications: Sequence[dict[str, Any]] = (),
    described: Sequence[Finding] | None = None,
) -> dict[str, Any]:
    """A SARIF 2.1.0 log with a single run: `results` in the given order, and `notifications`
    after the run's read errors and skipped updates. Every registry rule is described, and so
    is every unregistered rule ID of `described` (default: `results`), which must include
    the results' own."""
    metas = list(ALL_RULES)
    known = {meta.rule_id for meta in metas}
    findings = results if described is None else described
    unknown: dict[str, str] = {}  # bounded ID (what results name) → the least whole ID
    for rule_id in sorted({f.rule_id for f in findings} - known, reverse=True):
        unknown[bounded(rule_id)] = rule_id
    descriptors = [rule_descriptor(meta) for meta in metas]
    taken = {descriptor["name"] for descriptor in descriptors}
    descriptors += [_unknown_descriptor(unknown[rule_id], taken) for rule_id in sorted(unknown)]
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
        "results": [_result(f, index[bounded(f.rule_id)], fallback) for f in results],
        "properties": {
            "asOf": report.as_of.isoformat() if report.as_of else None,
            "policyPacks": [bounded(pack) for pack in report.policy_packs],
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
    descriptor to index, with what GitHub requires, within GitHub's lengths, and a name no
    other descriptor has. Its `id` is `bounded`, as the results' `ruleId` is: two IDs alike in
    their first 8,000-odd characters share one descriptor."""
    base = pascal_case(rule_id)
    name = _cut_name(base, GITHUB_MAX_NAME_CHARS)
    suffix = 2
    while name in taken:
        name = _cut_name(base, GITHUB_MAX_NAME_CHARS - len(str(suffix))) + str(suffix)
        suffix += 1
    taken.add(name)
    what = ": a rule this version of ota-drift does not document"
    text = bounded(rule_id, GITHUB_MAX_DESCRIPTION_CHARS - len(what)) + what
    return {
        "id": bounded(rule_id),
        "name": name,
        "shortDescription": {"text": bounded(rule_id, GITHUB_MAX_DESCRIPTION_CHARS)},
        "fullDescription": {"text": text},
        "help": {"text": text},
        "helpUri": RULES_DOC_URI,
    }


def _cut_name(name: str, limit: int) -> str:
    """A PASCAL_IDENTIFIER of at most `limit` characters: cut, and a capital left alone at the
    end (not a word) dropped."""
    name = name[:limit]
    return name[:-1] if name[-1:].isupper() else name


def bounded(text: str, limit: int = MAX_STRING_CHARS) -> str:
    """`text`, or if it is longer than `limit` (which must be longer than CUT_MARKER) its start
    and CUT_MARKER, exactly `limit` characters."""
    if len(text) <= limit:
        return text
    keep = limit - len(CUT_MARKER.format(len(text)))
    while keep + 1 + len(CUT_MARKER.format(len(text) - keep - 1)) <= limit:
        keep += 1  # the count cut has fewer digits than the whole length: room for more
    return text[:keep] + CUT_MARKER.format(len(text) - keep)


def bounded_value(value: Any) -> Any:
    """A drift value as JSON data of at most MAX_STRING_CHARS: a string is `bounded`; a list or
    object whose compact JSON text is longer is written as that text, `bounded`."""
    safe = json_safe(value)
    if isinstance(safe, str):
        return bounded(safe)
    if not isinstance(safe, dict | list):
        return safe  # a number prints in at most sys.get_int_max_str_digits() (4,300) digits
    text = json_minified(safe)
    return safe if len(text) <= MAX_STRING_CHARS else bounded(text)


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
    """sha256 of `ruleId|otaUpdateId|path|side`: no line, no message, so it is stable. A
    finding of a fleet run hashes `account|region|ruleId|otaUpdateId|path|side`, so that the
    same finding in two partitions is two alerts (and a single-partition run's fingerprints
    are as they were).

    `\\` and `|` inside a field are backslash-escaped, so two different findings never hash
    the same text; ordinary IDs and paths contain neither and hash exactly as written.
    """
    fields: tuple[str, ...] = (finding.rule_id, finding.ota_update_id, finding.path, finding.side)
    if finding.partition is not None:
        fields = (finding.partition.account, finding.partition.region, *fields)
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
    """One result, every string in it `bounded`; the fingerprint hashes the whole values."""
    location: Location | None = finding.location
    partition = finding.partition
    subject = _subject(partition, finding.ota_update_id)
    if location is None:
        text = f"{subject} (live only, not declared): {finding.message}"
        if fallback is not None:
            location = Location(fallback, 1)
    else:
        text = f"{subject}: {finding.message}"
    ota_update_id = bounded(finding.ota_update_id)
    scope = "" if partition is None else f"{partition}/"
    qualified = bounded(f"{scope}otaUpdate/{finding.ota_update_id}/{finding.path}")
    sarif_location: dict[str, Any] = {}
    if location is not None:
        sarif_location["physicalLocation"] = {
            "artifactLocation": artifact_location(bounded(location.file)),
            "region": {"startLine": max(location.line, 1)},
        }
    sarif_location["logicalLocations"] = [
        {"name": ota_update_id, "fullyQualifiedName": qualified, "kind": "resource"}
    ]
    if location is not None and location.resource is not None:
        # the IaC resource that declares it: a template's logical ID, a Pulumi URN
        sarif_location["logicalLocations"].append(
            {"name": bounded(location.resource), "kind": "declaration"}
        )
    result: dict[str, Any] = {
        "ruleId": bounded(finding.rule_id),
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": bounded(text)},
        "locations": [sarif_location],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(finding)},
    }
    if finding.suppressed is not None:
        justification = finding.suppressed.reason
        if finding.suppressed.expires is not None:
            justification += f" (expires {finding.suppressed.expires.isoformat()})"
        result["suppressions"] = [
            {"kind": "external", "status": "accepted", "justification": bounded(justification)}
        ]
    properties: dict[str, Any] = {
        "severity": finding.severity.value,
        **_partition_properties(partition),
        "otaUpdateId": ota_update_id,
        "source": bounded(finding.side),
        "path": bounded(finding.path),
    }
    if finding.drift is not None:
        properties["desired"] = bounded_value(finding.drift.declared)
        properties["actual"] = bounded_value(finding.drift.live)
    if finding.references:
        properties["references"] = [bounded(reference) for reference in finding.references]
    result["properties"] = properties
    return result


def _invocation(report: Report, extra: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Successful only if every live update was read: leaving results out of the file is not a
    failed execution, just one more notification."""
    notifications = [_error_notification(e) for e in report.errors]
    notifications += [
        {
            "level": "note",
            "message": {
                "text": bounded(f"{_subject(s.partition, s.ota_update_id)} skipped: {s.reason}")
            },
            "properties": {
                **_partition_properties(s.partition),
                "otaUpdateId": bounded(s.ota_update_id),
            },
        }
        for s in report.skipped
    ]
    notifications += extra
    invocation: dict[str, Any] = {"executionSuccessful": not is_incomplete(report)}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return invocation


def _error_notification(error: SourceError) -> dict[str, Any]:
    return {
        "level": "error",
        "message": {"text": bounded(error.sentence)},
        "properties": {
            **_partition_properties(error.partition),
            "otaUpdateId": None if error.ota_update_id is None else bounded(error.ota_update_id),
            "operation": bounded(error.operation),
            "code": bounded(error.code),
        },
    }


def _partition_properties(partition: Partition | None) -> dict[str, str]:
    """`account` and `region` of a fleet run's result or notification; none otherwise."""
    if partition is None:
        return {}
    return {"account": bounded(partition.account), "region": bounded(partition.region)}


def _subject(partition: Partition | None, ota_update_id: str) -> str:
    """`111122223333/eu-west-1 fw-1` in a fleet run, `fw-1` otherwise."""
    return ota_update_id if partition is None else f"{partition} {ota_update_id}"
