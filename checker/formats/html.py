"""The HTML report: one self-contained file for security reviewers, offline and under a strict CSP.

The page fetches nothing and runs under `default-src 'none'`: its one `<style>` and its one
`<script>` are allowed by their sha256 hashes, computed here from the exact text written. The
script attaches every listener with `addEventListener`; there are no `on*=` attributes, no
`javascript:` URLs and no `style=` attributes (a hash does not cover those). Filters, sorting
and rule documentation work on the server-rendered rows, so no data is embedded as JSON.

Every value from YAML, a policy pack or AWS goes through `esc()` (`html.escape(quote=True)`).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence

from checker.formats.json import json_safe
from checker.formats.markdown import json_value, severity_counts, timestamp
from checker.model import Finding, Report, Severity
from checker.rules.docs import applies_text
from checker.rules.interface import RuleMeta
from checker.rules.registry import META_BY_ID
from checker.textsafe import visible

SEVERITIES = tuple(reversed(Severity))
"""Most severe first: the order of counts, filters and the default sort."""
UNBROKEN_STEP_CHARS = 40
"""Path steps up to this long are kept on one line."""
INLINE_DRIFT_CHARS = 40
"""Drift values up to this long are also shown in the findings table; all are in Drift."""


def esc(value: object) -> str:
    """`value` as HTML text or attribute value: `&<>"'` escaped, invisible characters shown
    as escapes (tabs and newlines are kept: `<pre>` blocks need them, elsewhere they are
    spaces to a browser)."""
    return html.escape(visible(str(value), multiline=True), quote=True)


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


def _breakable(text: str, after: str = ".") -> str:
    """`text` escaped, as unbreakable steps with line-break opportunities between them: after
    each `after` character and before a `[`, outside brackets. `files[fw-1.0.bin].codeSigning`
    wraps between steps, never at the hyphen or dot of a file name; a step longer than
    `UNBROKEN_STEP_CHARS` may wrap anywhere, so no value can squeeze the other columns."""
    steps: list[str] = []
    step = ""
    depth = 0
    for char in text:
        if char == "[" and depth == 0 and step:
            steps.append(step)
            step = ""
        step += char
        depth = max(0, depth + {"[": 1, "]": -1}.get(char, 0))
        if char in after and depth == 0:
            steps.append(step)
            step = ""
    if step:
        steps.append(step)
    return "<wbr>".join(
        f'<span class="step">{esc(s)}</span>' if len(s) <= UNBROKEN_STEP_CHARS else esc(s)
        for s in steps
    )


def _doc_text(text: str) -> str:
    """Registry prose with its `backtick` spans as `<code>`; escaped first, so inert."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", esc(text))


class HtmlFormat:
    """A standalone HTML5 page: header, verdict, counts with a bar chart, a filterable and
    sortable findings table, drift side by side, rule documentation, read errors and notes."""

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
            self._findings(report),
            self._drift(report),
            self._updates(report),
            self._errors(report),
            self._notes(report),
            self._rules(report),
            "</main>",
            f"<footer>Generated by ota-drift {esc(report.tool_version)}. This page loads "
            "nothing from the network and runs no code but its own.</footer>",
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

    def _findings(self, report: Report) -> str:
        head = (
            f'<h2 id="h-findings">Findings <span class="count">{len(report.findings)}</span></h2>'
        )
        if not report.findings:
            return (
                f'<section class="panel" aria-labelledby="h-findings">{head}'
                '<p class="empty">No findings.</p></section>'
            )
        findings = sorted(report.findings, key=lambda f: -f.severity.rank)
        drift_ids = _drift_anchor_ids(report.findings)
        columns = ["Severity", "Rule", "Update", "Source", "Path", "Message", "Location"]
        columns.append("Suppressed")
        ths = "".join(
            f'<th scope="col" aria-sort="{"ascending" if i == 0 else "none"}">'
            f'<button type="button" data-column="{i}">{name}</button></th>'
            for i, name in enumerate(columns)
        )
        rows = "\n".join(
            self._row(f, index, drift_ids.get(f.ota_update_id)) for index, f in enumerate(findings)
        )
        total = len(findings)
        return (
            f'<section class="panel" aria-labelledby="h-findings">{head}'
            f"{self._filters(findings)}"
            f'<p id="shown" class="shown" aria-live="polite">Showing {total} of '
            f"{_plural(total, 'finding')}</p>"
            '<div class="table-wrap"><table id="findings" class="findings">'
            f"<thead><tr>{ths}</tr></thead>\n<tbody>\n{rows}\n</tbody></table></div>"
            '<p id="no-match" class="empty" hidden>No findings match these filters.</p>'
            "</section>"
        )

    def _filters(self, findings: Sequence[Finding]) -> str:
        """Filter controls built from the findings; hidden until the script shows them."""
        severities = Counter(f.severity.value for f in findings)
        rules = Counter(f.rule_id for f in findings)
        updates = Counter(f.ota_update_id for f in findings)
        sources = Counter(str(f.source) for f in findings)
        selects = [
            _select(
                "severity", "Severity", "All severities", severities, [s.value for s in SEVERITIES]
            ),
            _select("rule", "Rule", "All rules", rules, sorted(rules)),
            _select("update", "Update", "All updates", updates, sorted(updates)),
            _select("source", "Source", "All sources", sources, sorted(sources)),
        ]
        return (
            '<div id="filters" class="filters" hidden>'
            f"{''.join(selects)}"
            '<label class="check"><input type="checkbox" id="show-suppressed" checked> '
            "Show suppressed</label>"
            '<button type="button" id="reset" class="reset">Reset</button></div>'
        )

    def _row(self, finding: Finding, index: int, drift_id: str | None) -> str:
        sev = finding.severity.value
        meta = META_BY_ID.get(finding.rule_id)
        rule = esc(finding.rule_id)
        if meta is not None:
            rule = f'<a href="#rule-{rule}" title="{esc(meta.title)}">{rule}</a>'
        message = esc(finding.message)
        if finding.drift is not None:
            desired = json_value(finding.drift.desired)
            actual = json_value(finding.drift.actual)
            inline = ""
            if max(len(desired), len(actual)) <= INLINE_DRIFT_CHARS:
                inline = f"<code>{esc(desired)}</code> → <code>{esc(actual)}</code> "
            link = f'<a href="#{drift_id}">compare side by side</a>' if drift_id else ""
            message += f'<span class="drift-inline">{inline}{link}</span>'
        if finding.location is not None:
            location = f"<code>{_breakable(str(finding.location), after='/')}</code>"
            location_key = esc(finding.location)
        else:
            location = '<span class="muted">not declared</span>'
            location_key = "~"
        if finding.suppressed is None:
            suppressed = '<span class="muted">—</span>'
        else:
            expires = finding.suppressed.expires
            until = f"until {expires.isoformat()}" if expires else "no expiry"
            suppressed = (
                f'<span class="badge badge-suppressed">{until}</span> '
                f'<span class="reason">{esc(finding.suppressed.reason)}</span>'
            )
        path = (
            f"<code>{_breakable(finding.path)}</code>"
            if finding.path
            else '<span class="muted">—</span>'
        )
        state = "suppressed" if finding.suppressed is not None else "active"
        return (
            f'<tr class="{state}" data-severity="{sev}" data-rule="{esc(finding.rule_id)}" '
            f'data-update="{esc(finding.ota_update_id)}" data-source="{esc(finding.source)}" '
            f'data-state="{state}" data-order="{index}">'
            f'<td data-sort="{9 - finding.severity.rank}">'
            f'<span class="badge sev-{sev}">{sev}</span></td>'
            f'<td class="nowrap">{rule}</td>'
            f'<td class="update">{esc(finding.ota_update_id)}</td>'
            f"<td>{esc(finding.source)}</td>"
            f'<td class="path">{path}</td>'
            f'<td class="message">{message}</td>'
            f'<td class="loc" data-sort="{location_key}">{location}</td>'
            f'<td class="supp" data-sort="{"1" if finding.suppressed else "0"}">{suppressed}</td>'
            "</tr>"
        )

    def _drift(self, report: Report) -> str:
        changed = [f for f in report.findings if f.rule_id == "OTA001" and f.drift is not None]
        if not changed:
            return ""
        anchors = _drift_anchor_ids(report.findings)
        cards = []
        for ota_id, group in _grouped(changed):
            first = group[0]
            where = (
                f' <span class="muted">declared at <code>{esc(first.location.file)}</code></span>'
                if first.location
                else ""
            )
            rows = "".join(
                f'<tr><th scope="row"><code>{_breakable(f.path)}</code>'
                f'<div class="muted">{esc(f.location) if f.location else ""}'
                f"{' · suppressed' if f.suppressed else ''}</div></th>"
                f"<td><pre>{esc(_pretty(f.drift.desired if f.drift else None))}</pre></td>"
                f"<td><pre>{esc(_pretty(f.drift.actual if f.drift else None))}</pre></td></tr>"
                for f in group
            )
            cards.append(
                f'<article class="drift-card" id="{anchors[ota_id]}">'
                f"<h3>{esc(ota_id)}{where}</h3>"
                '<table class="drift"><thead><tr><th scope="col">Path</th>'
                '<th scope="col">Declared</th><th scope="col">Live</th></tr></thead>'
                f"<tbody>{rows}</tbody></table></article>"
            )
        return (
            '<section class="panel" aria-labelledby="h-drift"><h2 id="h-drift">Drift '
            f'<span class="count">{len(changed)}</span></h2>'
            '<p class="muted">OTA001: values that differ between the declaration and '
            "GetOTAUpdate, after normalisation.</p>"
            f"{''.join(cards)}</section>"
        )

    def _updates(self, report: Report) -> str:
        if not report.audited:
            return ""
        active = Counter(f.ota_update_id for f in report.findings if f.active)
        suppressed = Counter(f.ota_update_id for f in report.findings if not f.active)
        rows = []
        for update in report.audited:
            where = (
                f"<code>{esc(update.declared)}</code>"
                if update.declared
                else '<span class="muted">not declared</span>'
            )
            live = "yes" if update.live else '<span class="muted">no</span>'
            if report.command == "lint":
                live = '<span class="muted">not read</span>'
            rows.append(
                f'<tr><td class="nowrap">{esc(update.ota_update_id)}</td><td>{where}</td>'
                f'<td>{live}</td><td class="num">{active[update.ota_update_id]}</td>'
                f'<td class="num">{suppressed[update.ota_update_id]}</td></tr>'
            )
        return (
            '<section class="panel" aria-labelledby="h-updates"><h2 id="h-updates">Updates '
            f'<span class="count">{len(report.audited)}</span></h2>'
            '<div class="table-wrap"><table class="plain"><thead><tr>'
            '<th scope="col">Update</th><th scope="col">Declared at</th>'
            '<th scope="col">Live</th><th scope="col" class="num">Active findings</th>'
            '<th scope="col" class="num">Suppressed</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table></div></section>"
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


def _grouped(findings: Iterable[Finding]) -> list[tuple[str, list[Finding]]]:
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding.ota_update_id, []).append(finding)
    return list(groups.items())


def _drift_anchor_ids(findings: Iterable[Finding]) -> dict[str, str]:
    """`drift-1`, `drift-2`… per update with OTA001 drift: ids never made of values."""
    ids: dict[str, str] = {}
    for finding in findings:
        if finding.rule_id == "OTA001" and finding.drift is not None:
            ids.setdefault(finding.ota_update_id, f"drift-{len(ids) + 1}")
    return ids


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
footer{max-width:1480px;margin:0 auto;padding:6px 24px 28px;color:var(--muted);font-size:12px}
@media (max-width:800px){.cards{grid-template-columns:repeat(2,1fr)}
.examples{grid-template-columns:1fr}}
@media print{.filters,.shown{display:none!important}body{background:#fff}
.panel{box-shadow:none}.findings thead th{position:static}}
"""

SCRIPT = """
(function () {
  "use strict";
  function openTarget(hash) {
    if (!hash || hash.length < 2) { return; }
    var target = document.getElementById(decodeURIComponent(hash.slice(1)));
    if (target && target.tagName === "DETAILS") { target.open = true; }
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[href^='#']") : null;
    if (link) { openTarget(link.getAttribute("href")); }
  });
  window.addEventListener("hashchange", function () { openTarget(window.location.hash); });
  openTarget(window.location.hash);

  var table = document.getElementById("findings");
  if (!table) { return; }
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);
  var filters = document.getElementById("filters");
  var selects = Array.prototype.slice.call(filters.querySelectorAll("select[data-filter]"));
  var showSuppressed = document.getElementById("show-suppressed");
  var shown = document.getElementById("shown");
  var noMatch = document.getElementById("no-match");
  var total = rows.length;
  filters.hidden = false;

  function applyFilters() {
    var visible = 0;
    rows.forEach(function (row) {
      var ok = selects.every(function (select) {
        return !select.value || row.dataset[select.dataset.filter] === select.value;
      });
      if (!showSuppressed.checked && row.dataset.state === "suppressed") { ok = false; }
      row.hidden = !ok;
      if (ok) { visible += 1; }
    });
    shown.textContent = "Showing " + visible + " of " + total +
      (total === 1 ? " finding" : " findings");
    noMatch.hidden = visible !== 0;
    table.hidden = visible === 0;
  }
  selects.forEach(function (select) { select.addEventListener("change", applyFilters); });
  showSuppressed.addEventListener("change", applyFilters);
  document.getElementById("reset").addEventListener("click", function () {
    selects.forEach(function (select) { select.value = ""; });
    showSuppressed.checked = true;
    applyFilters();
  });

  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
  function sortKey(row, column) {
    var cell = row.cells[column];
    return cell.dataset.sort !== undefined ? cell.dataset.sort : cell.textContent.trim();
  }
  headers.forEach(function (th) {
    var button = th.querySelector("button");
    button.addEventListener("click", function () {
      var column = Number(button.dataset.column);
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      headers.forEach(function (other) { other.setAttribute("aria-sort", "none"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      rows.sort(function (a, b) {
        var order = collator.compare(sortKey(a, column), sortKey(b, column));
        if (!ascending) { order = -order; }
        return order || Number(a.dataset.order) - Number(b.dataset.order);
      });
      rows.forEach(function (row) { tbody.appendChild(row); });
    });
  });
  applyFilters();
}());
"""
