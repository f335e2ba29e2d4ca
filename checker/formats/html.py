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
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from checker.formats.json import json_safe
from checker.formats.markdown import json_value, severity_counts, timestamp
from checker.model import Finding, Report, Severity
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
)
"""The layout of one finding in the data block, written into it as `findingFields`."""
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
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return re.sub("[<>&\u2028\u2029]", lambda m: _SCRIPT_JSON_ESCAPES[m.group()], text)


def csp_hash(text: str) -> str:
    """The CSP source for an inline element whose text is exactly `text`."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _pretty(value: object) -> str:
    """A drift value for a `<pre>`: indented JSON, `absent` for a side without it."""
    if value is None:
        return "absent"
    return json.dumps(
        json_safe(value), sort_keys=True, ensure_ascii=False, indent=2, allow_nan=False
    )


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


def report_data(report: Report) -> dict[str, Any]:
    """What the script draws from: findings in report order, audited updates, documented
    rules, page sizes. Every text is an index into `strings`; see `FINDING_FIELDS`."""
    strings = _Strings()
    findings = [_finding_data(f, strings) for f in report.findings]
    updates = [
        [
            strings(u.ota_update_id),
            strings(u.declared.file) if u.declared else -1,
            u.declared.line if u.declared else 0,
            1 if u.live else 0,
        ]
        for u in report.audited
    ]
    documented = sorted({f.rule_id for f in report.findings if f.rule_id in META_BY_ID})
    return {
        "format": 1,
        "findingFields": list(FINDING_FIELDS),
        "severities": [s.value for s in SEVERITIES],
        "lint": report.command == "lint",
        "pageRows": PAGE_ROWS,
        "updateRows": UPDATE_ROWS,
        "driftCards": DRIFT_CARDS,
        "rules": [[strings(r), strings(META_BY_ID[r].title)] for r in documented],
        "findings": findings,
        "updates": updates,
        "strings": strings.table,
    }


def _finding_data(finding: Finding, strings: _Strings) -> list[Any]:
    """One finding as `FINDING_FIELDS`: severity as its index in `SEVERITIES`; `suppressed`
    as 0 or [reason, expiry or -1]; `drift` as 0 or [declared, live] as indented JSON, plus
    both on one line when short enough to show in the table. Trailing zeros are left off."""
    location = finding.location
    row: list[Any] = [
        SEVERITIES.index(finding.severity),
        strings(finding.rule_id),
        strings(finding.ota_update_id),
        strings(finding.source),
        strings(finding.path),
        strings(finding.message),
        strings(location.file) if location else -1,
        location.line if location else 0,
        0,
        0,
    ]
    if finding.suppressed is not None:
        expires = finding.suppressed.expires
        row[8] = [
            strings(finding.suppressed.reason),
            strings(expires.isoformat()) if expires else -1,
        ]
    if finding.drift is not None:
        desired, actual = finding.drift.desired, finding.drift.actual
        drift = [strings(_pretty(desired)), strings(_pretty(actual))]
        inline = (json_value(desired), json_value(actual))
        if max(len(inline[0]), len(inline[1])) <= INLINE_DRIFT_CHARS:
            drift += [strings(inline[0]), strings(inline[1])]
        row[9] = drift
    while row[-1] == 0 and len(row) > 8:
        row.pop()
    return row


class HtmlFormat:
    """A standalone HTML5 page: header, verdict, counts with a bar chart, findings by rule, a
    filterable and sortable findings table drawn a page at a time, drift side by side, the
    updates, read errors, notes and rule documentation."""

    def notices(self, report: Report) -> list[str]:
        """Nothing is left out of this format."""
        return []

    def render(self, report: Report) -> str:
        csp = (
            f"default-src 'none'; style-src '{csp_hash(STYLE)}'; "
            f"script-src '{csp_hash(SCRIPT)}'; img-src data:; base-uri 'none'; "
            "form-action 'none'"
        )
        active = len(report.findings) - report.summary.suppressed
        title = f"ota-drift {report.command} report: {_plural(active, 'active finding')}"
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
            f"<style>{STYLE}</style>",
            "</head>",
            "<body>",
            self._header(report),
            "<main>",
            self._verdict(report, active),
            self._summary(report),
            self._by_rule(report),
            self._findings(report),
            self._drift(report),
            self._updates(report),
            self._errors(report),
            self._notes(report),
            self._rules(report),
            "</main>",
            f"<footer>Generated by ota-drift {esc(report.tool_version)}. This page loads "
            "nothing from the network and runs no code but its own.</footer>",
            f'<script type="application/json" id="{DATA_ID}">'
            f"{script_json(report_data(report))}</script>",
            f"<script>{SCRIPT}</script>",
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
        meta = "".join(f"<div><dt>{k}</dt><dd>{v}</dd></div>" for k, v in items)
        return (
            '<header class="top"><div class="wrap">'
            f'<h1>ota-drift <span class="sub">{esc(report.command)} report</span></h1>'
            f'<dl class="meta">{meta}</dl></div></header>'
        )

    def _verdict(self, report: Report, active: int) -> str:
        counts = f": {severity_counts(report)}" if active else ""
        found = f"{_plural(active, 'active finding')}{counts}"
        suppressed = report.summary.suppressed
        tail = f" ({suppressed} suppressed)" if suppressed else ""
        if report.errors:
            kind, icon = "incomplete", "!"
            head = f"Incomplete: {_plural(len(report.errors), 'item')} could not be read"
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
            updates = len({f.ota_update_id for f in group})
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
        ths = "".join(
            f'<th scope="col" aria-sort="{"ascending" if i == 0 else "none"}">'
            f'<button type="button" data-column="{i}">{name}</button></th>'
            for i, name in enumerate(columns)
        )
        return (
            f'<section class="panel" aria-labelledby="h-findings">{head}'
            f"{_needs_script('the findings table')}"
            f"{self._filters(report.findings)}"
            '<p id="shown" class="shown" aria-live="polite" hidden></p>'
            f"{_pager('findings')}"
            '<div class="table-wrap"><table id="findings" class="findings" hidden>'
            f"<thead><tr>{ths}</tr></thead><tbody></tbody></table></div>"
            '<p id="no-match" class="empty" hidden>No findings match these filters.</p>'
            "</section>"
        )

    def _filters(self, findings: Sequence[Finding]) -> str:
        """Filter controls built from the findings; hidden until the script shows them."""
        severities = Counter(f.severity.value for f in findings)
        rules = Counter(f.rule_id for f in findings)
        sources = Counter(str(f.source) for f in findings)
        selects = [
            _select(
                "severity", "Severity", "All severities", severities, [s.value for s in SEVERITIES]
            ),
            _select("rule", "Rule", "All rules", rules, sorted(rules)),
            _select("source", "Source", "All sources", sources, sorted(sources)),
        ]
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
        changed = [f for f in report.findings if f.rule_id == "OTA001" and f.drift is not None]
        if not changed:
            return ""
        updates = len({f.ota_update_id for f in changed})
        return (
            '<section class="panel" aria-labelledby="h-drift"><h2 id="h-drift">Drift '
            f'<span class="count">{len(changed)}</span></h2>'
            '<p class="muted">OTA001: values that differ between the declaration and '
            f"GetOTAUpdate, after normalisation, in {_plural(updates, 'update')}.</p>"
            f"{_needs_script('the side-by-side view')}"
            f'{_pager("drift")}<div id="drift-cards"></div></section>'
        )

    def _updates(self, report: Report) -> str:
        if not report.audited:
            return ""
        return (
            '<section class="panel" aria-labelledby="h-updates"><h2 id="h-updates">Updates '
            f'<span class="count">{len(report.audited)}</span></h2>'
            f"{_needs_script('the updates table')}"
            f"{_pager('updates')}"
            '<div class="table-wrap"><table id="updates" class="plain" hidden><thead><tr>'
            '<th scope="col">Update</th><th scope="col">Declared at</th>'
            '<th scope="col">Live</th><th scope="col" class="num">Active findings</th>'
            '<th scope="col" class="num">Suppressed</th></tr></thead>'
            "<tbody></tbody></table></div></section>"
        )

    def _errors(self, report: Report) -> str:
        if report.errors:
            rows = "".join(
                f"<tr><td>{esc(e.ota_update_id or '(all)')}</td><td>{esc(e.operation)}</td>"
                f"<td><code>{esc(e.code)}</code></td><td>{esc(e.message)}</td></tr>"
                for e in report.errors
            )
            body = (
                '<p class="warn">These could not be read, so they are neither in sync nor '
                "missing: the audit is incomplete.</p>"
                '<div class="table-wrap"><table class="plain"><thead><tr>'
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
                f"<li><strong>{esc(s.ota_update_id)}</strong>: {esc(s.reason)}</li>"
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
    name: str, label: str, everything: str, counts: Counter[str], values: Iterable[str]
) -> str:
    options = "".join(
        f'<option value="{esc(v)}">{esc(v)} ({counts[v]})</option>' for v in values if counts[v]
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


STYLE = """
:root{--bg:#f4f6f9;--panel:#fff;--ink:#1b2330;--muted:#5d6b7e;--line:#dfe4ec;--head:#0f1b2d;
--accent:#2457c5;--crit:#7e22ce;--crit-bg:#f3e8ff;--high:#c0262d;--high-bg:#fde5e5;
--med:#b45309;--med-bg:#fdf0d5;--low:#8a6d00;--low-bg:#fbf6cf;--info:#1d5fc4;--info-bg:#e2ecfb;
--supp:#6b7585;--supp-bg:#eceff3;--ok:#157347;--ok-bg:#e3f4ea;color-scheme:light}
*{box-sizing:border-box}
[hidden]{display:none!important}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.5 system-ui,-apple-system,
"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;
font-size:12.5px}
code{background:#eef1f6;border-radius:4px;padding:1px 5px;overflow-wrap:break-word}
pre{margin:0;white-space:pre-wrap;overflow-wrap:anywhere;background:#f6f8fb;
border:1px solid var(--line);border-radius:6px;padding:8px 10px}
a{color:var(--accent);text-decoration:none}
a:hover,a:focus-visible{text-decoration:underline}
.wrap,main{max-width:1480px;margin:0 auto;padding:0 24px}
.top{background:var(--head);color:#e8edf5;padding:22px 0 18px}
.top h1{margin:0 0 12px;font-size:22px;font-weight:650;letter-spacing:.2px}
.top h1 .sub{font-weight:400;color:#9fb0c8}
.meta{display:flex;flex-wrap:wrap;gap:8px 28px;margin:0}
.meta div{min-width:0}
.meta dt{font-size:11px;text-transform:uppercase;letter-spacing:.6px;color:#8ea0ba}
.meta dd{margin:2px 0 0}
.meta code{background:#1f2d44;color:#dbe4f2;margin-right:4px}
main{padding-top:20px;padding-bottom:12px}
.panel{background:var(--panel);border:1px solid var(--line);border-radius:10px;
padding:18px 20px;margin:0 0 18px;box-shadow:0 1px 2px rgba(16,24,40,.04)}
h2{font-size:17px;margin:0 0 12px;font-weight:650}
h3{font-size:14px;margin:0 0 8px}
h4{font-size:12px;text-transform:uppercase;letter-spacing:.5px;color:var(--muted);
margin:14px 0 4px}
.count{display:inline-block;min-width:22px;padding:0 7px;border-radius:11px;background:#e8ecf3;
color:var(--muted);font-size:12px;font-weight:600;text-align:center;vertical-align:2px}
.muted{color:var(--muted)}
.empty{color:var(--muted);margin:4px 0}
.warn{color:var(--med)}
.verdict{display:flex;gap:14px;align-items:center;border-radius:10px;padding:14px 18px;
margin:0 0 18px;border:1px solid}
.verdict p{margin:2px 0 0}
.verdict strong{font-size:16px}
.verdict-icon{flex:none;width:32px;height:32px;border-radius:50%;display:flex;
align-items:center;justify-content:center;font-weight:700;font-size:18px;color:#fff}
.verdict-findings{background:var(--high-bg);border-color:#f3b8b8}
.verdict-findings .verdict-icon{background:var(--high)}
.verdict-incomplete{background:var(--med-bg);border-color:#f0cf8a}
.verdict-incomplete .verdict-icon{background:var(--med)}
.verdict-clean{background:var(--ok-bg);border-color:#a9dcbc}
.verdict-clean .verdict-icon{background:var(--ok)}
.summary-grid{display:flex;flex-wrap:wrap;gap:20px 40px;align-items:center}
.cards{display:grid;grid-template-columns:repeat(3,minmax(110px,1fr));gap:10px;flex:1 1 380px}
.card{border:1px solid var(--line);border-radius:8px;padding:10px 14px;background:#fafbfd}
.card .num{display:block;font-size:22px;font-weight:650;line-height:1.2}
.card .label{color:var(--muted);font-size:12px}
.chart{margin:0;flex:0 1 390px}
.chart svg{max-width:100%;height:auto;display:block}
.chart figcaption{color:var(--muted);font-size:12px;margin-top:4px}
.chart-label,.chart-count{font-size:13px;fill:var(--ink)}
.chart-count{font-weight:600}
.chart-track{fill:#eef1f5}
.chart-bar.sev-critical{fill:var(--crit)}.chart-bar.sev-high{fill:var(--high)}
.chart-bar.sev-medium{fill:#d97706}.chart-bar.sev-low{fill:#caa200}
.chart-bar.sev-info{fill:#3b7dd8}.chart-bar.sev-suppressed{fill:#9aa4b2}
.filters{display:flex;flex-wrap:wrap;gap:10px 16px;align-items:flex-end;margin:0 0 10px}
.filter{display:flex;flex-direction:column;gap:3px;font-size:12px;color:var(--muted)}
select{font:inherit;font-size:13px;color:var(--ink);padding:5px 8px;border:1px solid #c8d0dc;
border-radius:6px;background:#fff;min-width:150px;max-width:260px}
.check{display:flex;gap:6px;align-items:center;font-size:13px;padding-bottom:6px}
.reset{font:inherit;font-size:13px;padding:5px 12px;border:1px solid #c8d0dc;border-radius:6px;
background:#fff;color:var(--ink);cursor:pointer}
.reset:hover{background:#f1f4f8}
.shown{color:var(--muted);font-size:12px;margin:0 0 8px}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%}
.findings th,.plain th,.drift th{text-align:left;font-size:12px;color:var(--muted);
font-weight:600;border-bottom:2px solid var(--line);padding:6px 7px;white-space:nowrap}
.findings thead th{position:sticky;top:0;background:var(--panel);z-index:1}
.findings td,.plain td,.drift td{border-bottom:1px solid #edf0f4;padding:7px 7px;
vertical-align:top}
.findings tbody tr:hover{background:#f8fafc}
.findings th button{all:unset;cursor:pointer;display:inline-flex;gap:4px;align-items:center}
.findings th button:focus-visible{outline:2px solid var(--accent);outline-offset:2px}
.findings th button::after{content:"↕";color:#b3bdcb;font-size:11px}
.findings th[aria-sort=ascending] button::after{content:"▲";color:var(--accent)}
.findings th[aria-sort=descending] button::after{content:"▼";color:var(--accent)}
.findings .message{overflow-wrap:anywhere}
.findings .path{width:215px;overflow-wrap:anywhere}
.findings .update{width:136px;overflow-wrap:anywhere}
.findings .loc{width:235px;overflow-wrap:anywhere}
.step{white-space:nowrap}
.findings .supp{width:160px}
.findings code{font-size:12px}
.drift-card h3 .muted{font-weight:400}
.nowrap{white-space:nowrap}
td.num,th.num{text-align:right}
tr.suppressed td{color:var(--muted)}
tr.suppressed .badge:not(.badge-suppressed){opacity:.65}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:11.5px;
font-weight:600;white-space:nowrap;border:1px solid transparent}
.badge.sev-critical{color:var(--crit);background:var(--crit-bg);border-color:#dcc2f5}
.badge.sev-high{color:var(--high);background:var(--high-bg);border-color:#f3c0c0}
.badge.sev-medium{color:var(--med);background:var(--med-bg);border-color:#efd39a}
.badge.sev-low{color:var(--low);background:var(--low-bg);border-color:#e8dc8e}
.badge.sev-info{color:var(--info);background:var(--info-bg);border-color:#bcd2f3}
.badge-suppressed{color:var(--supp);background:var(--supp-bg);border-color:#d5dbe3}
.reason{display:block;font-size:12.5px;margin-top:2px}
.drift-inline{display:block;margin-top:4px;font-size:12.5px}
.drift-card{border:1px solid var(--line);border-radius:8px;padding:12px 14px;margin:0 0 12px}
.drift-card:target{border-color:var(--accent);box-shadow:0 0 0 3px #dbe6fb}
.drift th[scope=row]{font-weight:400;color:var(--ink);white-space:normal;width:26%;
border-bottom:1px solid #edf0f4}
.drift td{width:37%}
.drift thead th:nth-child(2){color:var(--ok)}
.drift thead th:nth-child(3){color:var(--high)}
.notes{margin:0;padding-left:20px}
details.rule{border:1px solid var(--line);border-radius:8px;margin:0 0 8px;background:#fcfdfe}
details.rule[open]{background:#fff}
details.rule:target{border-color:var(--accent);box-shadow:0 0 0 3px #dbe6fb}
details.rule summary{cursor:pointer;padding:9px 12px;display:flex;gap:10px;
align-items:center;list-style:none}
details.rule summary::-webkit-details-marker{display:none}
details.rule summary::before{content:"\\25B8";color:var(--muted);transition:transform .15s}
details.rule[open] summary::before{transform:rotate(90deg)}
details.rule summary .badge{margin-left:auto}
.rule-id{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-weight:600}
.rule-body{padding:0 14px 12px;border-top:1px solid var(--line)}
.rule-body p{margin:2px 0 6px}
.examples{display:grid;grid-template-columns:1fr 1fr;gap:12px}
.pager{display:flex;flex-wrap:wrap;gap:6px;align-items:center;margin:0 0 8px}
.pager button{font:inherit;font-size:12.5px;padding:3px 10px;border:1px solid #c8d0dc;
border-radius:6px;background:#fff;color:var(--ink);cursor:pointer}
.pager button:hover:not(:disabled){background:#f1f4f8}
.pager button:disabled{opacity:.45;cursor:default}
.page-info{color:var(--muted);font-size:12.5px;padding:0 6px}
input[type=search]{font:inherit;font-size:13px;color:var(--ink);padding:5px 8px;
border:1px solid #c8d0dc;border-radius:6px;background:#fff;width:200px}
.show{font-size:12.5px}
footer{max-width:1480px;margin:0 auto;padding:6px 24px 28px;color:var(--muted);font-size:12px}
@media (max-width:800px){.cards{grid-template-columns:repeat(2,1fr)}
.examples{grid-template-columns:1fr}}
@media print{.filters,.shown,.pager{display:none!important}body{background:#fff}
.panel{box-shadow:none}.findings thead th{position:static}}
"""


SCRIPT = """
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var S = data.strings;
  var F = data.findings;
  var U = data.updates;
  var SEV = data.severities;
  var total = F.length;
  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function add(parent, child) {
    parent.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    return child;
  }
  function plural(count, noun) { return count + " " + noun + (count === 1 ? "" : "s"); }
  function breakable(parent, text, after) {
    var steps = [];
    var step = "";
    var depth = 0;
    for (var i = 0; i < text.length; i += 1) {
      var ch = text.charAt(i);
      if (ch === "[" && depth === 0 && step) { steps.push(step); step = ""; }
      step += ch;
      if (ch === "[") { depth += 1; } else if (ch === "]") { depth = Math.max(0, depth - 1); }
      if (after.indexOf(ch) !== -1 && depth === 0) { steps.push(step); step = ""; }
    }
    if (step) { steps.push(step); }
    steps.forEach(function (part, index) {
      if (index) { add(parent, el("wbr")); }
      add(parent, part.length <= 40 ? el("span", "step", part) : part);
    });
    return parent;
  }
  function pager(name, draw) {
    var nav = document.querySelector("nav[data-pager='" + name + "']");
    var state = { page: 0, pages: 1 };
    var buttons = nav ? Array.prototype.slice.call(nav.querySelectorAll("button")) : [];
    if (nav) {
      nav.addEventListener("click", function (event) {
        var button = event.target.closest("button[data-page]");
        if (!button) { return; }
        var step = button.dataset.page;
        var page = { first: 0, prev: state.page - 1, next: state.page + 1 }[step];
        if (page === undefined) { page = state.pages - 1; }
        state.page = Math.max(0, Math.min(state.pages - 1, page));
        draw();
      });
    }
    state.slice = function (count, size) {
      state.pages = Math.max(1, Math.ceil(count / size));
      state.page = Math.min(state.page, state.pages - 1);
      if (nav) {
        nav.hidden = state.pages <= 1;
        nav.querySelector(".page-info").textContent =
          "Page " + (state.page + 1) + " of " + state.pages;
        buttons.forEach(function (button) {
          var back = button.dataset.page === "first" || button.dataset.page === "prev";
          button.disabled = back ? state.page === 0 : state.page === state.pages - 1;
        });
      }
      var start = state.page * size;
      return [start, Math.min(count, start + size)];
    };
    return state;
  }

  var titles = new Map();
  data.rules.forEach(function (rule) { titles.set(rule[0], S[rule[1]]); });
  var driftGroups = [];
  var driftOf = new Map();
  var activeOf = new Map();
  var suppressedOf = new Map();
  var updateIds = new Set();
  var loweredIds = new Set();
  F.forEach(function (f, index) {
    var counts = f[8] ? suppressedOf : activeOf;
    counts.set(f[2], (counts.get(f[2]) || 0) + 1);
    updateIds.add(S[f[2]]);
    loweredIds.add(S[f[2]].toLowerCase());
    if (S[f[1]] === "OTA001" && f[9]) {
      if (!driftOf.has(f[2])) {
        driftOf.set(f[2], driftGroups.length + 1);
        driftGroups.push({ update: f[2], items: [] });
      }
      driftGroups[driftOf.get(f[2]) - 1].items.push(index);
    }
  });

  var driftBox = document.getElementById("drift-cards");
  var driftPager = pager("drift", drawDrift);
  function driftCard(number) {
    var group = driftGroups[number - 1];
    var first = F[group.items[0]];
    var card = el("article", "drift-card");
    card.id = "drift-" + number;
    var head = add(card, el("h3", null, S[group.update]));
    if (first[6] >= 0) {
      add(head, " ");
      add(add(head, el("span", "muted", "declared at ")), el("code", null, S[first[6]]));
    }
    var table = add(card, el("table", "drift"));
    var headRow = add(add(table, el("thead")), el("tr"));
    ["Path", "Declared", "Live"].forEach(function (name) {
      add(headRow, el("th", null, name)).setAttribute("scope", "col");
    });
    var body = add(table, el("tbody"));
    group.items.forEach(function (index) {
      var f = F[index];
      var tr = add(body, el("tr"));
      var th = add(tr, el("th"));
      th.setAttribute("scope", "row");
      breakable(add(th, el("code")), S[f[4]], ".");
      var where = f[6] >= 0 ? S[f[6]] + ":" + f[7] : "";
      add(th, el("div", "muted", where + (f[8] ? " · suppressed" : "")));
      add(add(tr, el("td")), el("pre", null, S[f[9][0]]));
      add(add(tr, el("td")), el("pre", null, S[f[9][1]]));
    });
    return card;
  }
  function drawDrift() {
    if (!driftBox) { return; }
    var range = driftPager.slice(driftGroups.length, data.driftCards);
    var cards = document.createDocumentFragment();
    for (var number = range[0] + 1; number <= range[1]; number += 1) {
      cards.appendChild(driftCard(number));
    }
    driftBox.replaceChildren(cards);
  }
  function openTarget(hash) {
    if (!hash || hash.length < 2) { return null; }
    var id;
    try { id = decodeURIComponent(hash.slice(1)); } catch (error) { return null; }
    var target = document.getElementById(id);
    var number = id.indexOf("drift-") === 0 ? Number(id.slice(6)) : 0;
    var drawn = false;
    if (!target && driftBox && number >= 1 && number <= driftGroups.length &&
        Math.floor(number) === number) {
      driftPager.page = Math.floor((number - 1) / data.driftCards);
      drawDrift();
      target = document.getElementById(id);
      drawn = true;
    }
    if (target && target.tagName === "DETAILS") { target.open = true; }
    return drawn ? target : null;
  }

  var updatesTable = document.getElementById("updates");
  var updatesPager = pager("updates", drawUpdates);
  function drawUpdates() {
    if (!updatesTable) { return; }
    var range = updatesPager.slice(U.length, data.updateRows);
    var rows = document.createDocumentFragment();
    for (var k = range[0]; k < range[1]; k += 1) {
      var u = U[k];
      var tr = add(rows, el("tr"));
      var link = add(add(tr, el("td", "nowrap")), el("a", null, S[u[0]]));
      link.setAttribute("href", "#h-findings");
      link.dataset.showUpdate = S[u[0]];
      var where = add(tr, el("td"));
      add(where, u[1] >= 0
        ? el("code", null, S[u[1]] + ":" + u[2])
        : el("span", "muted", "not declared"));
      var live = add(tr, el("td"));
      if (data.lint) { add(live, el("span", "muted", "not read")); }
      else if (u[3]) { add(live, "yes"); }
      else { add(live, el("span", "muted", "no")); }
      add(tr, el("td", "num", String(activeOf.get(u[0]) || 0)));
      add(tr, el("td", "num", String(suppressedOf.get(u[0]) || 0)));
    }
    updatesTable.tBodies[0].replaceChildren(rows);
    updatesTable.hidden = false;
  }

  var table = document.getElementById("findings");
  var findingsPager = pager("findings", drawFindings);
  var filters = document.getElementById("filters");
  var shown = document.getElementById("shown");
  var noMatch = document.getElementById("no-match");
  var base = new Int32Array(total);
  var byDefault = F.map(function (f, index) { return index; });
  byDefault.sort(function (a, b) { return F[a][0] - F[b][0] || a - b; });
  byDefault.forEach(function (index, position) { base[index] = position; });
  var sorted = byDefault;
  var matching = sorted;

  function findingRow(index) {
    var f = F[index];
    var tr = el("tr", f[8] ? "suppressed" : "active");
    tr.dataset.index = String(index);
    var severity = SEV[f[0]];
    add(add(tr, el("td")), el("span", "badge sev-" + severity, severity));
    var rule = add(tr, el("td", "nowrap"));
    if (titles.has(f[1])) {
      var doc = add(rule, el("a", null, S[f[1]]));
      doc.setAttribute("href", "#rule-" + S[f[1]]);
      doc.title = titles.get(f[1]);
    } else {
      rule.textContent = S[f[1]];
    }
    add(tr, el("td", "update", S[f[2]]));
    add(tr, el("td", null, S[f[3]]));
    var path = add(tr, el("td", "path"));
    add(path, S[f[4]] ? breakable(el("code"), S[f[4]], ".") : el("span", "muted", "—"));
    var message = add(tr, el("td", "message", S[f[5]]));
    if (f[9]) {
      var inline = add(message, el("span", "drift-inline"));
      if (f[9].length > 2) {
        add(inline, el("code", null, S[f[9][2]]));
        add(inline, " → ");
        add(inline, el("code", null, S[f[9][3]]));
        add(inline, " ");
      }
      if (driftOf.has(f[2])) {
        add(inline, el("a", null, "compare side by side"))
          .setAttribute("href", "#drift-" + driftOf.get(f[2]));
      }
    }
    var location = add(tr, el("td", "loc"));
    if (f[6] >= 0) { breakable(add(location, el("code")), S[f[6]] + ":" + f[7], "/"); }
    else { add(location, el("span", "muted", "not declared")); }
    var suppressed = add(tr, el("td", "supp"));
    if (f[8]) {
      var until = f[8][1] >= 0 ? "until " + S[f[8][1]] : "no expiry";
      add(suppressed, el("span", "badge badge-suppressed", until));
      add(suppressed, " ");
      add(suppressed, el("span", "reason", S[f[8][0]]));
    } else {
      add(suppressed, el("span", "muted", "—"));
    }
    return tr;
  }
  function drawFindings() {
    var count = matching.length;
    var range = findingsPager.slice(count, data.pageRows);
    var rows = document.createDocumentFragment();
    for (var k = range[0]; k < range[1]; k += 1) { rows.appendChild(findingRow(matching[k])); }
    table.tBodies[0].replaceChildren(rows);
    var span = count ? (range[0] + 1) + "-" + range[1] : "0";
    shown.textContent = count === total || count === 0
      ? "Showing " + span + " of " + plural(total, "finding")
      : "Showing " + span + " of " + count + " matching " + (count === 1 ? "finding" : "findings") +
        " (" + total + " in all)";
    noMatch.hidden = count !== 0;
    table.hidden = count === 0;
  }

  function ranks(field) {
    var ids = [];
    var seen = new Set();
    F.forEach(function (f) {
      if (f[field] >= 0 && !seen.has(f[field])) { seen.add(f[field]); ids.push(f[field]); }
    });
    ids.sort(function (a, b) { return collator.compare(S[a], S[b]); });
    var rank = new Map();
    ids.forEach(function (id, position) { rank.set(id, position); });
    return rank;
  }
  var keyCache = [];
  function keysOf(column) {
    if (keyCache[column]) { return keyCache[column]; }
    var primary = new Float64Array(total);
    var secondary = null;
    var rank;
    if (column === 0) {
      F.forEach(function (f, index) { primary[index] = f[0]; });
    } else if (column === 6) {
      rank = ranks(6);
      secondary = new Float64Array(total);
      F.forEach(function (f, index) {
        primary[index] = f[6] >= 0 ? rank.get(f[6]) : rank.size;
        secondary[index] = f[7];
      });
    } else if (column === 7) {
      F.forEach(function (f, index) { primary[index] = f[8] ? 1 : 0; });
    } else {
      rank = ranks(column);
      F.forEach(function (f, index) { primary[index] = rank.get(f[column]); });
    }
    keyCache[column] = { primary: primary, secondary: secondary };
    return keyCache[column];
  }
  function sortBy(column, ascending) {
    var keys = keysOf(column);
    var primary = keys.primary;
    var secondary = keys.secondary;
    var direction = ascending ? 1 : -1;
    sorted = byDefault.slice();
    sorted.sort(function (a, b) {
      var order = primary[a] - primary[b];
      if (order === 0 && secondary) { order = secondary[a] - secondary[b]; }
      return order * direction || base[a] - base[b];
    });
  }

  if (table) {
    var selects = Array.prototype.slice.call(filters.querySelectorAll("select[data-filter]"));
    var updateInput = document.getElementById("filter-update");
    var textInput = document.getElementById("filter-text");
    var showSuppressed = document.getElementById("show-suppressed");
    var field = { severity: 0, rule: 1, source: 3 };
    var memo = function (test) {
      var known = new Int8Array(S.length);
      return function (id) {
        if (id < 0) { return false; }
        if (known[id] === 0) { known[id] = test(S[id]) ? 1 : 2; }
        return known[id] === 1;
      };
    };
    var applyFilters = function () {
      var tests = [];
      selects.forEach(function (select) {
        var value = select.value;
        var at = field[select.dataset.filter];
        if (!value) { return; }
        if (at === 0) {
          var wanted = SEV.indexOf(value);
          tests.push(function (f) { return f[0] === wanted; });
        } else {
          tests.push(function (f) { return S[f[at]] === value; });
        }
      });
      if (!showSuppressed.checked) { tests.push(function (f) { return !f[8]; }); }
      var update = updateInput.value;
      if (update) {
        var lowered = update.toLowerCase();
        var isUpdate = memo(loweredIds.has(lowered)
          ? function (text) { return text.toLowerCase() === lowered; }
          : function (text) { return text.toLowerCase().indexOf(lowered) !== -1; });
        tests.push(function (f) { return isUpdate(f[2]); });
      }
      var needle = textInput.value.toLowerCase();
      if (needle) {
        var has = memo(function (text) { return text.toLowerCase().indexOf(needle) !== -1; });
        tests.push(function (f) {
          return has(f[1]) || has(f[2]) || has(f[4]) || has(f[5]) || has(f[6]) ||
            (f[6] >= 0 && (S[f[6]] + ":" + f[7]).toLowerCase().indexOf(needle) !== -1) ||
            (f[8] ? has(f[8][0]) : false) || (f[9] ? has(f[9][0]) || has(f[9][1]) : false);
        });
      }
      matching = tests.length === 0 ? sorted : sorted.filter(function (index) {
        var f = F[index];
        return tests.every(function (test) { return test(f); });
      });
      findingsPager.page = 0;
      drawFindings();
    };
    var resetFilters = function () {
      selects.forEach(function (select) { select.value = ""; });
      updateInput.value = "";
      textInput.value = "";
      showSuppressed.checked = true;
    };
    selects.forEach(function (select) { select.addEventListener("change", applyFilters); });
    [updateInput, textInput].forEach(function (input) {
      input.addEventListener("input", applyFilters);
    });
    showSuppressed.addEventListener("change", applyFilters);
    document.getElementById("reset").addEventListener("click", function () {
      resetFilters();
      applyFilters();
    });
    updateInput.addEventListener("focus", function () {
      var list = document.getElementById("update-ids");
      if (list.childElementCount) { return; }
      var options = document.createDocumentFragment();
      Array.from(updateIds).sort(collator.compare).forEach(function (id) {
        options.appendChild(document.createElement("option")).value = id;
      });
      list.appendChild(options);
    });
    document.addEventListener("click", function (event) {
      var wanted = "[data-show-rule],[data-show-update]";
      var show = event.target.closest ? event.target.closest(wanted) : null;
      if (!show) { return; }
      resetFilters();
      if (show.dataset.showRule !== undefined) {
        document.getElementById("filter-rule").value = show.dataset.showRule;
      } else {
        updateInput.value = show.dataset.showUpdate;
      }
      applyFilters();
    });

    var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
    headers.forEach(function (th) {
      var button = th.querySelector("button");
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        headers.forEach(function (other) { other.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        sortBy(Number(button.dataset.column), ascending);
        applyFilters();
      });
    });
    filters.hidden = false;
    shown.hidden = false;
    drawFindings();
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[href^='#']") : null;
    if (link) { openTarget(link.getAttribute("href")); }
  });
  window.addEventListener("hashchange", function () {
    var drawn = openTarget(window.location.hash);
    if (drawn) { drawn.scrollIntoView(); }
  });
  Array.prototype.forEach.call(document.querySelectorAll(".needs-script"), function (note) {
    note.hidden = true;
  });
  drawUpdates();
  drawDrift();
  var initial = openTarget(window.location.hash);
  if (initial) { initial.scrollIntoView(); }
  document.body.dataset.ready = "1";
}());
"""
