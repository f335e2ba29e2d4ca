"""The HTML report: one self-contained file for security reviewers, offline and under a strict CSP.

The page fetches nothing and runs under `default-src 'none'`: its one `<style>` and its one
executable `<script>` are allowed by their sha256 hashes, computed here from the exact text
written. The script attaches every listener with `addEventListener`; there are no `on*=`
attributes, no `javascript:` URLs and no `style=` attributes (a hash does not cover those).

Fleets are large (10,000 updates, 29,000 findings), so what grows with the fleet is not markup:
findings, updates and drift travel as one compact JSON data block (`<script
type="application/json" id="report-data">`, never executed, so the CSP needs nothing for it)
and the script draws only one page of each at a time, with `createElement` and `textContent`
only. Filters and sorting work on the data arrays. What stays readable without script is
server-rendered: header, verdict, summary counts and chart, findings by rule, read errors,
notes and the rule documentation.

Every value from YAML, a policy pack or AWS goes through `esc()` (`html.escape(quote=True)`)
in markup, or through `visible()` and `script_json()` in the data block.

The style and the script are package files (html_assets/report.css and report.js, shipped as
package data), read and hashed once at import.

A fleet report (`--fleet`) adds what tells partitions apart: a Partitions table after the
summary (each partition's counts, those not wholly read marked); Account and Region filters
and an `Account / Region` column in the findings table (sorted by account); Account and Region
columns in the updates and read-errors tables; the partition in each drift card and note. An
update is named by its partition and id, so the data block interns a fleet update's id once
per partition (`_Strings.scoped`): the index that names it keeps two accounts' `fw-1` apart
wherever the script counts or links by it. The script's fleet-only lines sit between
`//#fleet` and `//#end` lines of report.js and are left out of every other page
(`script_for`), whose script, hash and bytes are as they were before fleets.

A report whose updates carry the chain `--verify` read (`AuditedUpdate.chain`) adds a Chain
section after Drift: per update a card, per file its links in chain order (signing job →
signing profile → certificate → stream → firmware object) with what AWS said, a link AWS did
not find marked; and a `chain` link beside the update in the updates table. Its data
(`chainLinks`, each distinct link once, and `chains`), its script (`//#chain` blocks of
report.js) and its style (the `/*#chain*/` block of report.css) are on that page only
(`page_assets`): every page without a chain is byte for byte as before. The view shows what
was read, never a verdict: the rules judge the links, and their findings are in the table.
Measured on 10,000 updates, each with its own job and object version and 20 profiles and
certificates shared, the chain adds 2.8 MB (about 280 bytes an update, nearly all the job ids,
object names, sizes and ETags that differ); that page opened in 0.6 to 1.3 s in Chromium.

No template engine: measured on the 10,000-update report, markup is 33 KB of the 1.28 MB page
(the data block is 1.22 MB) and 37 `esc()` calls cover it. A Jinja2 prototype of the rule
documentation matched byte for byte only with a `finalize` hook calling `esc()` (autoescape
writes `&#34;`/`&#39;` where `esc()` writes `&quot;`/`&#x27;` and shows no invisible
characters), rendered it in 3.5 ms against 0.8 ms, and would make Jinja2 a runtime dependency:
no safer, not clearer.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import Any

from checker.formats.common import (
    DRIFT_RULE_ID,
    fleet_scope,
    incomplete_partitions,
    is_incomplete,
    json_block,
    json_minified,
    json_value,
    plural,
    severity_counts,
    timestamp,
    unread_count,
)
from checker.model import (
    AuditedUpdate,
    ChainLink,
    Finding,
    Partition,
    PartitionResult,
    Report,
    Severity,
)
from checker.rules.docs import applies_text
from checker.rules.interface import RuleMeta
from checker.rules.registry import META_BY_ID
from checker.textsafe import visible

SEVERITIES = tuple(reversed(Severity))
"""Most severe first: the order of counts, filters and the default sort."""
INLINE_DRIFT_CHARS = 40
"""Drift values up to this long are also shown in the findings table; all are in Drift."""
PAGE_ROWS = 200
"""Findings drawn at a time: enough to scan, few enough to draw at once on any fleet."""
UPDATE_ROWS = 100
"""Rows of the updates table drawn at a time."""
DRIFT_CARDS = 20
"""Updates of the drift section drawn at a time."""
CHAIN_CARDS = 20
"""Updates of the chain section drawn at a time."""
CHAIN_KINDS = {
    "signingJob": "signing job",
    "signingProfile": "signing profile",
    "certificate": "certificate",
    "stream": "stream",
    "object": "firmware object",
}
"""Each link's kind (`checker.chain.LINKS`) as the chain view names it."""
DATA_ID = "report-data"
FINDING_FIELDS = (
    "severity",
    "ruleId",
    "otaUpdateId",
    "source",
    "path",
    "message",
    "file",
    "line",
    "suppressed",
    "drift",
    "resource",
)
"""The layout of one finding in the data block, written into it as `findingFields`."""
FLEET_FINDING_FIELDS = (*FINDING_FIELDS, "account", "region")
"""A fleet report's layout: the account and region as strings (empty for a finding about no
partition), always present. The script sorts and filters by field number: 11 and 12."""
_SCRIPT_JSON_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def esc(value: object) -> str:
    """`value` as HTML text or attribute value: `&<>"'` escaped, invisible characters shown
    as escapes (tabs and newlines are kept: `<pre>` blocks need them, elsewhere they are
    spaces to a browser)."""
    return html.escape(visible(str(value), multiline=True), quote=True)


def script_json(value: object) -> str:
    """`value` as compact JSON that a `<script type="application/json">` carries inertly:
    `<`, `>` and `&` are written `\\u003c`…, so no `</script>` or `<!--` can end or change the
    block, and U+2028/U+2029 as escapes too. `JSON.parse` reads it back unchanged."""
    text = json_minified(value)
    return re.sub("[<>&\u2028\u2029]", lambda m: _SCRIPT_JSON_ESCAPES[m.group()], text)


def csp_hash(text: str) -> str:
    """The CSP source for an inline element whose text is exactly `text`."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


def _asset(name: str) -> str:
    """A file of html_assets/ as the element text: after a newline, so the `<style>` or
    `<script>` tag stands on a line of its own. Read in text mode, so a checkout with CRLF
    line ends still writes (and hashes) the page byte for byte as on Linux."""
    return "\n" + (resources.files("checker.formats") / "html_assets" / name).read_text("utf-8")


DRIFT_RULE_TOKEN = "__DRIFT_RULE_ID__"
"""Stands in report.js for the drift rule's id, filled in from the rule's meta as a JS string:
the page and its script hash stay as they were, and no copy of the id can go stale."""


FLEET_BEGIN = "//#fleet"
CHAIN_BEGIN = "//#chain"
FLEET_END = "//#end"
"""Lines of report.js that open and close a block only a fleet report's page runs (`//#fleet`)
or only a page with a chain view (`//#chain`)."""
STYLE_CHAIN_BEGIN = "/*#chain*/"
STYLE_END = "/*#end*/"
"""Lines of report.css that open and close the chain view's rules."""


def _cut(text: str, asset: str, blocks: dict[str, bool], end: str) -> str:
    """`text` with each block (from a marker line of `blocks` to the next `end` line) kept,
    without its marker lines, where `blocks` says so, and left out otherwise. Blocks do not
    nest; a marker out of place is a RuntimeError (at import), never a half-cut asset."""
    kept: list[str] = []
    inside: str | None = None
    for line in text.splitlines(keepends=True):
        marker = line.strip()
        if marker in blocks or marker == end:
            if (inside is None) == (marker == end):
                raise RuntimeError(f"{asset}: {marker} out of place")
            inside = None if marker == end else marker
        elif inside is None or blocks[inside]:
            kept.append(line)
    if inside is not None:
        raise RuntimeError(f"{asset}: {inside} without {end}")
    return "".join(kept)


def script_for(text: str, *, fleet: bool, chain: bool = False) -> str:
    """report.js as a page runs it: the drift rule's id filled in, and the `//#fleet` blocks
    kept (without their marker lines) on a fleet report's page, the `//#chain` blocks on a
    page with a chain view, each left out on any other."""
    blocks = {FLEET_BEGIN: fleet, CHAIN_BEGIN: chain}
    script = _cut(text, "report.js", blocks, FLEET_END)
    if script.count(DRIFT_RULE_TOKEN) != 1:
        raise RuntimeError(f"report.js must hold {DRIFT_RULE_TOKEN} exactly once")
    return script.replace(DRIFT_RULE_TOKEN, json_minified(DRIFT_RULE_ID))


def style_for(text: str, *, chain: bool) -> str:
    """report.css as a page uses it: the chain view's rules only on a page that has one."""
    return _cut(text, "report.css", {STYLE_CHAIN_BEGIN: chain}, STYLE_END)


def _csp(style: str, script: str) -> str:
    return (
        f"default-src 'none'; style-src '{csp_hash(style)}'; "
        f"script-src '{csp_hash(script)}'; img-src data:; base-uri 'none'; "
        "form-action 'none'"
    )


_CSS = _asset("report.css")
_JS = _asset("report.js")
STYLE = style_for(_CSS, chain=False)
SCRIPT = script_for(_JS, fleet=False)
FLEET_SCRIPT = script_for(_JS, fleet=True)
CHAIN_STYLE = style_for(_CSS, chain=True)
CSP = _csp(STYLE, SCRIPT)
"""The page's Content-Security-Policy: the same for every report, so hashed once."""
FLEET_CSP = _csp(STYLE, FLEET_SCRIPT)
"""The Content-Security-Policy of a fleet report's page, whose script has its fleet blocks."""


@cache
def page_assets(*, fleet: bool, chain: bool) -> tuple[str, str, str]:
    """The style, the script and the CSP of a page: fleet or not, with a chain view or not.
    A page without a chain view (no `--verify`) is byte for byte as it was before there was
    one."""
    style = CHAIN_STYLE if chain else STYLE
    script = script_for(_JS, fleet=fleet, chain=chain)
    return style, script, _csp(style, script)


def _doc_text(text: str) -> str:
    """Registry prose with its `backtick` spans as `<code>`; escaped first, so inert."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", esc(text))


class _Strings:
    """The data block's string table: each distinct text once, referred to by its index.

    Findings repeat a few values many times (29,000 findings of a 10,000-update fleet hold
    about 260 distinct messages), so a finding is a short array of numbers."""

    def __init__(self) -> None:
        self.table: list[str] = []
        self._shown: dict[str, int] = {}
        self._raw: dict[str, int] = {}
        self._scoped: dict[tuple[Partition, str], int] = {}

    def __call__(self, value: object) -> int:
        """The index of `value` as shown (invisible characters spelled out)."""
        raw = str(value)
        index = self._raw.get(raw)
        if index is None:
            shown = visible(raw, multiline=True)
            index = self._shown.get(shown)
            if index is None:
                index = self._shown[shown] = len(self.table)
                self.table.append(shown)
            self._raw[raw] = index
        return index

    def scoped(self, value: str, partition: Partition | None) -> int:
        """The index of an update id in `partition`: an entry of its own per partition, so the
        index names the update (two accounts' `fw-1` are two indexes). Unscoped without one."""
        if partition is None:
            return self(value)
        key = (partition, value)
        index = self._scoped.get(key)
        if index is None:
            index = self._scoped[key] = len(self.table)
            self.table.append(visible(value, multiline=True))
        return index


def report_data(report: Report) -> dict[str, Any]:
    """What the script draws from: findings in report order, audited updates, documented
    rules, page sizes. Every text is an index into `strings`; see `FINDING_FIELDS`."""
    strings = _Strings()
    fleet = report.fleet is not None
    findings = [_finding_data(f, strings, fleet) for f in report.findings]
    updates = [
        [
            strings.scoped(u.ota_update_id, u.partition),
            strings(u.declared.file) if u.declared else -1,
            u.declared.line if u.declared else 0,
            1 if u.live else 0,
            *(_partition_data(u.partition, strings) if fleet else []),
        ]
        for u in report.audited
    ]
    documented = sorted({f.rule_id for f in report.findings if f.rule_id in META_BY_ID})
    data: dict[str, Any] = {
        "format": 1,
        "findingFields": list(FLEET_FINDING_FIELDS if fleet else FINDING_FIELDS),
        "severities": [s.value for s in SEVERITIES],
        "lint": report.command == "lint",
        "pageRows": PAGE_ROWS,
        "updateRows": UPDATE_ROWS,
        "driftCards": DRIFT_CARDS,
        "rules": [[strings(r), strings(META_BY_ID[r].title)] for r in documented],
        "findings": findings,
        "updates": updates,
    }
    if has_chain(report):
        data |= _chain_data(report.audited, strings)
    data["strings"] = strings.table
    return data


def has_chain(report: Report) -> bool:
    """Whether any audited update carries the chain `--verify` read: only then has the page
    a chain view (its section, its data, its script and style)."""
    return any(u.chain for u in report.audited)


def _chain_data(audited: Iterable[AuditedUpdate], strings: _Strings) -> dict[str, Any]:
    """`chainLinks`: each distinct link once, as [kind in words, name, status, found 0/1]
    (many updates share one profile and one certificate); `chains`: per update with a chain,
    [its index in `updates`, [[file, [link index, ...]], ...]], links in chain order."""
    links: dict[ChainLink, int] = {}
    table: list[list[int]] = []

    def link_index(link: ChainLink) -> int:
        index = links.get(link)
        if index is None:
            index = links[link] = len(table)
            kind = CHAIN_KINDS.get(link.kind, link.kind)
            table.append(
                [strings(kind), strings(link.name), strings(link.status), 1 if link.found else 0]
            )
        return index

    chains = [
        [
            position,
            [[strings(c.file), [link_index(link) for link in c.links]] for c in update.chain],
        ]
        for position, update in enumerate(audited)
        if update.chain
    ]
    return {"chainCards": CHAIN_CARDS, "chainLinks": table, "chains": chains}


def _finding_data(finding: Finding, strings: _Strings, fleet: bool) -> list[Any]:
    """One finding as `FINDING_FIELDS`: severity as its index in `SEVERITIES`; `suppressed`
    as 0 or [reason, expiry or -1]; `drift` as 0 or [declared, live] as indented JSON, plus
    both on one line when short enough to show in the table. Trailing zeros are left off,
    but for a fleet report's, which are `FLEET_FINDING_FIELDS` (11 fields, then the account
    and region)."""
    location = finding.location
    row: list[Any] = [
        SEVERITIES.index(finding.severity),
        strings(finding.rule_id),
        strings.scoped(finding.ota_update_id, finding.partition),
        strings(finding.side),
        strings(finding.path),
        strings(finding.message),
        strings(location.file) if location else -1,
        location.line if location else 0,
        0,
        0,
        strings(location.resource) if location and location.resource else 0,
    ]
    if finding.suppressed is not None:
        expires = finding.suppressed.expires
        row[8] = [
            strings(finding.suppressed.reason),
            strings(expires.isoformat()) if expires else -1,
        ]
    if finding.drift is not None:
        declared, live = finding.drift.declared, finding.drift.live
        drift = [strings(json_block(declared)), strings(json_block(live))]
        inline = (json_value(declared), json_value(live))
        if max(len(inline[0]), len(inline[1])) <= INLINE_DRIFT_CHARS:
            drift += [strings(inline[0]), strings(inline[1])]
        row[9] = drift
    if fleet:
        return [*row, *_partition_data(finding.partition, strings)]
    while row[-1] == 0 and len(row) > 8:
        row.pop()
    return row


def _partition_data(partition: Partition | None, strings: _Strings) -> list[int]:
    """The account and region as strings of the data block; empty ones without a partition."""
    if partition is None:
        return [strings(""), strings("")]
    return [strings(partition.account), strings(partition.region)]


class HtmlFormat:
    """A standalone HTML5 page: header, verdict, counts with a bar chart, findings by rule, a
    filterable and sortable findings table drawn a page at a time, drift side by side, the
    updates, read errors, notes and rule documentation."""

    def notices(self, report: Report) -> list[str]:
        """Nothing is left out of this format."""
        return []

    def render(self, report: Report) -> str:
        active = len(report.findings) - report.summary.suppressed
        found = plural(active, "active finding", grouped=False)
        title = f"ota-drift {report.command} report: {found}"
        fleet = report.fleet is not None
        chain = has_chain(report)
        style, script, csp = page_assets(fleet=fleet, chain=chain)
        parts = [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{csp}">',
            '<meta name="referrer" content="no-referrer">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f'<meta name="generator" content="ota-drift {esc(report.tool_version)}">',
            f"<title>{esc(title)}</title>",
            '<link rel="icon" href="data:,">',
            f"<style>{style}</style>",
            "</head>",
            "<body>",
            self._header(report),
            "<main>",
            self._verdict(report, active),
            self._summary(report),
            *([self._partitions(report)] if fleet else []),
            self._by_rule(report),
            self._findings(report),
            self._drift(report),
            *([self._chain(report)] if chain else []),
            self._updates(report),
            self._errors(report),
            self._notes(report),
            self._rules(report),
            "</main>",
            f"<footer>Generated by ota-drift {esc(report.tool_version)}. This page loads "
            "nothing from the network and runs no code but its own.</footer>",
            f'<script type="application/json" id="{DATA_ID}">'
            f"{script_json(report_data(report))}</script>",
            f"<script>{script}</script>",
            "</body>",
            "</html>",
        ]
        return "\n".join(parts) + "\n"

    def _header(self, report: Report) -> str:
        items = [("Tool", f"ota-drift {esc(report.tool_version)}")]
        items.append(("Command", f"<code>ota-drift {esc(report.command)}</code>"))
        if report.as_of is not None:
            when = esc(timestamp(report.as_of))
            items.append(("As of", f'<time datetime="{when}">{when}</time>'))
        if report.fetched_at is not None:
            when = esc(timestamp(report.fetched_at))
            items.append(("Live state captured", f'<time datetime="{when}">{when}</time>'))
        packs = " ".join(f"<code>{esc(p)}</code>" for p in report.policy_packs)
        items.append(("Policy packs", packs or "none"))
        files = " ".join(f"<code>{esc(f)}</code>" for f in report.declared_files)
        items.append(("Declared files", files or "none"))
        if report.rules:
            items.append(("Rules evaluated", str(len(report.rules))))
        if report.fleet is not None:
            items.append(("Fleet", esc(fleet_scope(report))))
        meta = "".join(f"<div><dt>{k}</dt><dd>{v}</dd></div>" for k, v in items)
        return (
            '<header class="top"><div class="wrap">'
            f'<h1>ota-drift <span class="sub">{esc(report.command)} report</span></h1>'
            f'<dl class="meta">{meta}</dl></div></header>'
        )

    def _verdict(self, report: Report, active: int) -> str:
        counts = f": {severity_counts(report)}" if active else ""
        found = f"{plural(active, 'active finding', grouped=False)}{counts}"
        suppressed = report.summary.suppressed
        tail = f" ({suppressed} suppressed)" if suppressed else ""
        if is_incomplete(report):
            kind, icon = "incomplete", "!"
            items = plural(unread_count(report), "item", grouped=False)
            head = f"Incomplete: {items} could not be read"
            if report.fleet is not None:
                unread = len(incomplete_partitions(report))
                of = plural(len(report.partitions), "partition", grouped=False)
                head += f" in {unread} of {of}"
            text = f"This audit is not clean. {found}{tail}."
        elif active:
            kind, icon, head, text = (
                "findings",
                "\u2715",
                found,
                f"Review the findings below{tail}.",
            )
        else:
            kind, icon, head = "clean", "✓", "No findings"
            text = f"Every audited update passed the rules evaluated{tail}."
        return (
            f'<section class="verdict verdict-{kind}" role="status">'
            f'<span class="verdict-icon" aria-hidden="true">{icon}</span>'
            f"<div><strong>{esc(head)}</strong><p>{esc(text)}</p></div></section>"
        )

    def _summary(self, report: Report) -> str:
        s = report.summary
        cards: list[tuple[str, int | None]] = [("Declared", s.declared)]
        if s.live is not None:
            cards += [
                ("Live", s.live),
                ("In sync", s.in_sync),
                ("Drifted", s.drifted),
                ("Missing", s.missing),
                ("Unmanaged", s.unmanaged),
            ]
        card_html = "".join(
            f'<div class="card"><span class="num">{value}</span>'
            f'<span class="label">{label}</span></div>'
            for label, value in cards
        )
        note = "" if s.live is not None else '<p class="muted">Lint: no live state read.</p>'
        return (
            '<section class="panel" aria-labelledby="h-summary">'
            '<h2 id="h-summary">Summary</h2>'
            f'<div class="summary-grid"><div class="cards">{card_html}</div>'
            f"{self._chart(report)}</div>{note}</section>"
        )

    def _chart(self, report: Report) -> str:
        """Active findings by severity, and suppressed, as an inline SVG bar chart."""
        bars = [
            (sev.value, report.summary.findings.get(sev, 0), f"sev-{sev.value}")
            for sev in SEVERITIES
        ]
        bars.append(("suppressed", report.summary.suppressed, "sev-suppressed"))
        top = max((count for _, count, _ in bars), default=0) or 1
        row, label_w, bar_w = 26, 92, 250
        out = []
        for index, (label, count, cls) in enumerate(bars):
            y = index * row
            width = round(bar_w * count / top, 1) if count else 0
            out.append(
                f'<text class="chart-label" x="0" y="{y + 17}">{label}</text>'
                f'<rect class="chart-track" x="{label_w}" y="{y + 5}" width="{bar_w}" '
                f'height="16" rx="3"></rect>'
                f'<rect class="chart-bar {cls}" x="{label_w}" y="{y + 5}" width="{width}" '
                f'height="16" rx="3"></rect>'
                f'<text class="chart-count" x="{label_w + bar_w + 10}" y="{y + 17}">'
                f"{count}</text>"
            )
        height = row * len(bars)
        desc = ", ".join(f"{count} {label}" for label, count, _ in bars)
        return (
            f'<figure class="chart"><svg viewBox="0 0 {label_w + bar_w + 44} {height}" '
            f'role="img" aria-labelledby="chart-title" width="{label_w + bar_w + 44}" '
            f'height="{height}"><title id="chart-title">Findings by severity: {desc}</title>'
            f"{''.join(out)}</svg><figcaption>Active findings by severity, and suppressed"
            "</figcaption></figure>"
        )

    def _partitions(self, report: Report) -> str:
        """A fleet report's partitions, in order, with their counts; one that could not be
        wholly read says so in its Read errors cell. Server-rendered: the verdict's "in K of
        M partitions" is readable without script."""
        rows = "".join(_partition_row(p) for p in report.partitions)
        numbers = ["Declared", "Live", "In sync", "Drifted", "Missing", "Unmanaged"]
        numbers += ["Active findings", "Suppressed", "Read errors"]
        ths = "".join(f'<th scope="col" class="num">{name}</th>' for name in numbers)
        unread = incomplete_partitions(report)
        note = (
            f'<p class="warn">{plural(len(unread), "partition", grouped=False)} could not be '
            "wholly read: their updates that could not be read are neither in sync nor "
            "missing.</p>"
            if unread
            else ""
        )
        return (
            '<section class="panel" aria-labelledby="h-partitions">'
            '<h2 id="h-partitions">Partitions '
            f'<span class="count">{len(report.partitions)}</span></h2>{note}'
            '<div class="table-wrap"><table id="partitions" class="plain"><thead><tr>'
            f'{_PARTITION_THS}<th scope="col">Name</th>{ths}</tr></thead>'
            f"<tbody>{rows}</tbody></table></div></section>"
        )

    def _by_rule(self, report: Report) -> str:
        """One row per rule with findings, most severe first: the fleet at a glance, readable
        without script; with it, `Show` filters the findings table to that rule."""
        if not report.findings:
            return ""
        by_rule: dict[str, list[Finding]] = defaultdict(list)
        for finding in report.findings:
            by_rule[finding.rule_id].append(finding)

        def worst(rule_id: str) -> tuple[int, str]:
            return (-max(f.severity.rank for f in by_rule[rule_id]), rule_id)

        rows = []
        for rule_id in sorted(by_rule, key=worst):
            group = by_rule[rule_id]
            meta = META_BY_ID.get(rule_id)
            rule = esc(rule_id)
            if meta is not None:
                rule = f'<a href="#rule-{rule}">{rule}</a>'
            present = {f.severity for f in group}
            badges = " ".join(
                f'<span class="badge sev-{s.value}">{s.value}</span>'
                for s in SEVERITIES
                if s in present
            )
            active = sum(1 for f in group if f.active)
            updates = len({(f.partition, f.ota_update_id) for f in group})
            rows.append(
                f'<tr><td class="nowrap">{rule}</td>'
                f"<td>{esc(meta.title) if meta else '—'}</td><td>{badges}</td>"
                f'<td class="num">{active}</td><td class="num">{len(group) - active}</td>'
                f'<td class="num">{updates}</td><td><a class="show" href="#h-findings" '
                f'data-show-rule="{esc(rule_id)}">Show</a></td></tr>'
            )
        return (
            '<section class="panel" aria-labelledby="h-by-rule">'
            '<h2 id="h-by-rule">Findings by rule '
            f'<span class="count">{len(by_rule)}</span></h2>'
            '<div class="table-wrap"><table id="by-rule" class="plain"><thead><tr>'
            '<th scope="col">Rule</th><th scope="col">Title</th><th scope="col">Severity</th>'
            '<th scope="col" class="num">Active</th><th scope="col" class="num">Suppressed</th>'
            '<th scope="col" class="num">Updates</th><th scope="col">Findings</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table></div></section>"
        )

    def _findings(self, report: Report) -> str:
        head = (
            f'<h2 id="h-findings">Findings <span class="count">{len(report.findings)}</span></h2>'
        )
        if not report.findings:
            return (
                f'<section class="panel" aria-labelledby="h-findings">{head}'
                '<p class="empty">No findings.</p></section>'
            )
        columns = ["Severity", "Rule", "Update", "Source", "Path", "Message", "Location"]
        columns.append("Suppressed")
        numbered = list(enumerate(columns))
        if report.fleet is not None:  # one column, sorted by the account field (11)
            numbered.insert(2, (FLEET_FINDING_FIELDS.index("account"), "Account / Region"))
        ths = "".join(
            f'<th scope="col" aria-sort="{"ascending" if i == 0 else "none"}">'
            f'<button type="button" data-column="{i}">{name}</button></th>'
            for i, name in numbered
        )
        return (
            f'<section class="panel" aria-labelledby="h-findings">{head}'
            f"{_needs_script('the findings table')}"
            f"{self._filters(report)}"
            '<p id="shown" class="shown" aria-live="polite" hidden></p>'
            f"{_pager('findings')}"
            '<div class="table-wrap"><table id="findings" class="findings" hidden>'
            f"<thead><tr>{ths}</tr></thead><tbody></tbody></table></div>"
            '<p id="no-match" class="empty" hidden>No findings match these filters.</p>'
            "</section>"
        )

    def _filters(self, report: Report) -> str:
        """Filter controls built from the findings; hidden until the script shows them. A
        fleet report's account and region filters list every partition's, with 0 findings
        too: an update's link in the updates table filters to its partition."""
        findings = report.findings
        severities = Counter(f.severity.value for f in findings)
        rules = Counter(f.rule_id for f in findings)
        sides = Counter(str(f.side) for f in findings)
        selects = [
            _select(
                "severity", "Severity", "All severities", severities, [s.value for s in SEVERITIES]
            ),
            _select("rule", "Rule", "All rules", rules, sorted(rules)),
        ]
        if report.fleet is not None:
            partitions = {p.partition for p in report.partitions}
            partitions |= {u.partition for u in report.audited if u.partition is not None}
            partitions |= {f.partition for f in findings if f.partition is not None}
            accounts = Counter(f.partition.account for f in findings if f.partition)
            regions = Counter(f.partition.region for f in findings if f.partition)
            every_account = sorted({p.account for p in partitions})
            every_region = sorted({p.region for p in partitions})
            selects += [
                _select(
                    "account", "Account", "All accounts", accounts, every_account, keep_empty=True
                ),
                _select("region", "Region", "All regions", regions, every_region, keep_empty=True),
            ]
        selects.append(_select("source", "Source", "All sources", sides, sorted(sides)))
        return (
            '<div id="filters" class="filters" hidden>'
            f"{''.join(selects)}"
            '<label class="filter"><span>Update (id, or part of one)</span>'
            '<input type="search" id="filter-update" list="update-ids" autocomplete="off" '
            'spellcheck="false"></label><datalist id="update-ids"></datalist>'
            '<label class="filter"><span>Text in rule, update, path, message, file</span>'
            '<input type="search" id="filter-text" autocomplete="off" spellcheck="false">'
            "</label>"
            '<label class="check"><input type="checkbox" id="show-suppressed" checked> '
            "Show suppressed</label>"
            '<button type="button" id="reset" class="reset">Reset</button></div>'
        )

    def _drift(self, report: Report) -> str:
        changed = [f for f in report.findings if f.rule_id == DRIFT_RULE_ID and f.drift is not None]
        if not changed:
            return ""
        updates = plural(
            len({(f.partition, f.ota_update_id) for f in changed}), "update", grouped=False
        )
        return (
            '<section class="panel" aria-labelledby="h-drift"><h2 id="h-drift">Drift '
            f'<span class="count">{len(changed)}</span></h2>'
            f'<p class="muted">{esc(DRIFT_RULE_ID)}: values that differ between the declaration '
            f"and GetOTAUpdate, after normalisation, in {updates}.</p>"
            f"{_needs_script('the side-by-side view')}"
            f'{_pager("drift")}<div id="drift-cards"></div></section>'
        )

    def _chain(self, report: Report) -> str:
        """What each live file rests on, per update, drawn by the script a page of cards at a
        time from the data block (`chains`); the counts, and how many links name something
        AWS did not find, are readable without script. No verdict here: the rules judge."""
        chained = [u for u in report.audited if u.chain]
        files = sum(len(u.chain) for u in chained)
        gone = sum(1 for u in chained for c in u.chain for link in c.links if not link.found)
        note = (
            f'<p class="warn">{plural(gone, "link", grouped=False)} '
            f"{'names' if gone == 1 else 'name'} a resource AWS did not find (not found, or "
            "a delete marker).</p>"
            if gone
            else ""
        )
        updates = plural(len(chained), "update", grouped=False)
        return (
            '<section class="panel" aria-labelledby="h-chain"><h2 id="h-chain">Chain '
            f'<span class="count">{len(chained)}</span></h2>'
            '<p class="muted">What each live file rests on, as <code>--verify</code> read it: '
            "signing job → signing profile → certificate → stream → firmware object, each "
            f"with what AWS said, for {plural(files, 'file', grouped=False)} of {updates}. "
            "The rules judge these links; their findings are in the table above.</p>"
            f"{note}{_needs_script('the chain of each file')}"
            f'{_pager("chain")}<div id="chain-cards"></div></section>'
        )

    def _updates(self, report: Report) -> str:
        if not report.audited:
            return ""
        where = _PARTITION_THS if report.fleet is not None else ""
        return (
            '<section class="panel" aria-labelledby="h-updates"><h2 id="h-updates">Updates '
            f'<span class="count">{len(report.audited)}</span></h2>'
            f"{_needs_script('the updates table')}"
            f"{_pager('updates')}"
            '<div class="table-wrap"><table id="updates" class="plain" hidden><thead><tr>'
            f'{where}<th scope="col">Update</th><th scope="col">Declared at</th>'
            '<th scope="col">Live</th><th scope="col" class="num">Active findings</th>'
            '<th scope="col" class="num">Suppressed</th></tr></thead>'
            "<tbody></tbody></table></div></section>"
        )

    def _errors(self, report: Report) -> str:
        if report.errors:
            fleet = report.fleet is not None
            rows = "".join(
                f"<tr>{_partition_tds(e.partition) if fleet else ''}<td>{esc(e.subject)}</td>"
                f"<td>{esc(e.operation)}</td>"
                f"<td><code>{esc(e.code)}</code></td><td>{esc(e.message)}</td></tr>"
                for e in report.errors
            )
            body = (
                '<p class="warn">These could not be read, so they are neither in sync nor '
                "missing: the audit is incomplete.</p>"
                '<div class="table-wrap"><table class="plain"><thead><tr>'
                f"{_PARTITION_THS if fleet else ''}"
                '<th scope="col">Update</th><th scope="col">Operation</th>'
                '<th scope="col">Code</th><th scope="col">Message</th></tr></thead>'
                f"<tbody>{rows}</tbody></table></div>"
            )
        elif report.command == "lint":
            body = '<p class="empty">Lint reads no live state.</p>'
        else:
            body = '<p class="empty">None: every live update was read.</p>'
        return (
            '<section class="panel" aria-labelledby="h-errors"><h2 id="h-errors">Read errors '
            f'<span class="count">{len(report.errors)}</span></h2>{body}</section>'
        )

    def _notes(self, report: Report) -> str:
        if report.skipped:
            items = "".join(
                f"<li><strong>{esc(_subject(s.partition, s.ota_update_id))}</strong>: "
                f"{esc(s.reason)}</li>"
                for s in report.skipped
            )
            body = f'<ul class="notes">{items}</ul>'
        else:
            body = '<p class="empty">None.</p>'
        return (
            '<section class="panel" aria-labelledby="h-notes"><h2 id="h-notes">Notes '
            f'<span class="count">{len(report.skipped)}</span></h2>{body}</section>'
        )

    def _rules(self, report: Report) -> str:
        shown = sorted({f.rule_id for f in report.findings if f.rule_id in META_BY_ID})
        quiet = [r for r in report.rules if r not in shown]
        parts = [_rule_doc(META_BY_ID[rule_id]) for rule_id in shown]
        if quiet:
            parts.append(
                '<p class="muted">Evaluated without findings: '
                f"{', '.join(esc(r) for r in quiet)}.</p>"
            )
        if not parts:
            return ""
        return (
            '<section class="panel" aria-labelledby="h-rules"><h2 id="h-rules">Rules</h2>'
            f"{''.join(parts)}</section>"
        )


_PARTITION_THS = '<th scope="col">Account</th><th scope="col">Region</th>'
"""The header cells of a fleet report's Account and Region columns."""


def _partition_tds(partition: Partition | None) -> str:
    """The Account and Region cells of a row; `—` for what is about no partition."""
    if partition is None:
        return '<td class="muted">—</td><td class="muted">—</td>'
    return (
        f'<td class="nowrap">{esc(partition.account)}</td>'
        f'<td class="nowrap">{esc(partition.region)}</td>'
    )


def _partition_row(result: PartitionResult) -> str:
    s = result.summary
    counts = [s.declared, s.live, s.in_sync, s.drifted, s.missing, s.unmanaged]
    counts += [sum(s.findings.values()), s.suppressed]
    cells = "".join(f'<td class="num">{"—" if value is None else value}</td>' for value in counts)
    read = f'<span class="warn">{result.errors}: not wholly read</span>' if result.errors else "0"
    name = esc(result.name) if result.name else '<span class="muted">—</span>'
    return (
        f"<tr>{_partition_tds(result.partition)}<td>{name}</td>{cells}"
        f'<td class="num">{read}</td></tr>'
    )


def _subject(partition: Partition | None, ota_update_id: str) -> str:
    """`111122223333/eu-west-1 fw-1` in a fleet report, `fw-1` otherwise. Raw: escape it."""
    return ota_update_id if partition is None else f"{partition} {ota_update_id}"


def _needs_script(what: str) -> str:
    """Shown only when the page's script does not run (it hides these)."""
    return (
        f'<p class="needs-script warn">This page draws {what} with its own script, which '
        "is not running. The summary and the findings by rule above are complete, and every "
        "finding is also in the JSON report.</p>"
    )


def _pager(name: str) -> str:
    """First, previous, `Page i of n`, next, last: hidden until there is more than a page."""
    buttons = [
        ("first", "&laquo; First"),
        ("prev", "&lsaquo; Previous"),
        ("next", "Next &rsaquo;"),
        ("last", "Last &raquo;"),
    ]
    html_buttons = [
        f'<button type="button" data-page="{step}">{label}</button>' for step, label in buttons
    ]
    return (
        f'<nav class="pager" data-pager="{name}" aria-label="{name} pages" hidden>'
        f'{"".join(html_buttons[:2])}<span class="page-info"></span>'
        f"{''.join(html_buttons[2:])}</nav>"
    )


def _select(
    name: str,
    label: str,
    everything: str,
    counts: Counter[str],
    values: Iterable[str],
    *,
    keep_empty: bool = False,
) -> str:
    """A filter's `<select>`: an option per value with findings (`keep_empty`: per value)."""
    options = "".join(
        f'<option value="{esc(v)}">{esc(v)} ({counts[v]})</option>'
        for v in values
        if counts[v] or keep_empty
    )
    return (
        f'<label class="filter"><span>{label}</span><select id="filter-{name}" '
        f'data-filter="{name}"><option value="">{everything}</option>{options}</select></label>'
    )


def _rule_doc(meta: RuleMeta) -> str:
    doc = meta.doc
    sev = meta.severity.value
    parts = [
        f'<details class="rule" id="rule-{esc(meta.rule_id)}"><summary>'
        f'<span class="rule-id">{esc(meta.rule_id)}</span> {esc(meta.title)}'
        f'<span class="badge sev-{sev}">default {sev}</span></summary>',
        '<div class="rule-body">',
        f'<p class="muted">Applies to: {esc(applies_text(meta))}.</p>',
        f"<h4>What it checks</h4><p>{_doc_text(doc.what)}</p>",
        f"<h4>Why it matters</h4><p>{_doc_text(doc.why)}</p>",
        f"<h4>How to fix it</h4><p>{_doc_text(doc.fix)}</p>",
    ]
    if meta.params:
        rows = "".join(
            f"<tr><td><code>{esc(p.name)}</code></td><td>{esc(p.type)}</td>"
            f"<td><code>{esc(p.default)}</code></td><td>{esc(p.description)}</td></tr>"
            for p in meta.params
        )
        parts.append(
            '<h4>Parameters</h4><table class="plain"><thead><tr><th scope="col">Name</th>'
            '<th scope="col">Type</th><th scope="col">Default</th><th scope="col">Meaning'
            f"</th></tr></thead><tbody>{rows}</tbody></table>"
        )
    parts.append(
        '<div class="examples"><div><h4>Fails</h4>'
        f"<pre>{esc(doc.failing.rstrip())}</pre></div>"
        f"<div><h4>Passes</h4><pre>{esc(doc.passing.rstrip())}</pre></div></div>"
    )
    if doc.references:
        items = "".join(f"<li>{esc(r)}</li>" for r in doc.references)
        parts.append(f"<h4>References</h4><ul>{items}</ul>")
    parts.append("</div></details>")
    return "".join(parts)
