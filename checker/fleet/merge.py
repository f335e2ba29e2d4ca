"""`ota-drift merge`: the JSON reports of a fleet's shards, read back and made one report.

A report is read as strictly as any input (every key and type checked, `FILE:LINE` on every
problem), and the shards must make one whole: one fleet (digest), one policy, one clock
(`asOf`) and one tool version, every shard 1..N exactly once, no partition twice. Anything
else is refused, since a merged report that silently lacks a shard would call an organisation
clean that was never read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path as FsPath
from typing import Any, NoReturn, TypeVar, cast

from checker.audit import count_by_severity, is_about_policy
from checker.chain import LINKS
from checker.errors import InputError, Problem, UsageError
from checker.files import display_path, read_text
from checker.fleet.combine import combine, total
from checker.fleet.file import ALL
from checker.fleet.shard import Shard, fleet_digest, shard_units
from checker.formats.json import JSON_VERSION
from checker.jsonsafe import load_json_located
from checker.model import (
    AuditedUpdate,
    ChainLink,
    DriftValues,
    FileChain,
    Finding,
    FindingSide,
    FleetInfo,
    Location,
    Partition,
    PartitionResult,
    Report,
    Severity,
    SkippedUpdate,
    SourceError,
    Summary,
    Suppressed,
    assume_utc,
    nearest_line,
)
from checker.model import Path as KeyPath
from checker.policy.model import FAIL_ON_VALUES
from checker.rules.ota001_changed import CHANGED
from checker.rules.ota002_missing import MISSING
from checker.rules.ota003_unmanaged import UNMANAGED

MAX_REPORT_BYTES = 2**30
"""A shard's report of 1 GiB holds millions of findings: beyond it, something is wrong."""
SIDES = ("declared", "live", "both", "drift")

T = TypeVar("T")


@dataclass(frozen=True)
class Part:
    """One shard's report as read, and where from."""

    file: str
    report: Report
    fleet: FleetInfo


def merge_reports(paths: Sequence[str]) -> Report:
    """One report of the whole fleet from its shards' JSON reports; InputError naming what is
    wrong with them (every problem of every file at once, then the first mismatch)."""
    if not paths:
        raise UsageError("merge needs the JSON reports of the shards")
    parts: list[Part] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            parts.append(read_report(path))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    for part in parts:
        _check_consistent(part)
    _check_whole(parts)
    every = tuple(sorted(u for part in parts for u in part.fleet.shard_units))
    fleet = replace(parts[0].fleet, shard=(1, 1), shard_units=every)
    partitions = [p for part in parts for p in part.report.partitions]
    return combine([p.report for p in parts], partitions, fleet)


def _check_whole(parts: Sequence[Part]) -> None:
    first = parts[0]
    same: tuple[tuple[str, Callable[[Part], object], str], ...] = (
        ("fleet", lambda p: p.fleet.digest, "different fleets (the partition lists differ)"),
        ("policy", lambda p: p.fleet.policy_digest, "different policies"),
        (
            "inputs",
            lambda p: p.fleet.inputs_digest,
            "different fleet files, declarations, --deep or --verify (the inputs digests differ)",
        ),
        ("failOn", lambda p: p.fleet.fail_on, "different --fail-on settings"),
        ("asOf", lambda p: p.report.as_of, "different --as-of times (give every shard the same)"),
        ("tool", lambda p: p.report.tool_version, "different ota-drift versions"),
        ("count", lambda p: p.fleet.shard[1], "different shard counts"),
        ("packs", lambda p: p.report.policy_packs, "different policy packs"),
    )
    for _, value, why in same:
        for part in parts[1:]:
            if value(part) != value(first):
                raise InputError.one(
                    part.file,
                    None,
                    f"cannot merge with {first.file}: {why} ({_shown(value(part))} here, "
                    f"{_shown(value(first))} there)",
                )
    count = first.fleet.shard[1]
    by_index: dict[int, str] = {}
    for part in parts:
        index = part.fleet.shard[0]
        if index in by_index:
            raise InputError.one(
                part.file,
                None,
                f"overlapping shards: this and {by_index[index]} are both shard {index}/{count}",
            )
        by_index[index] = part.file
    missing = [str(k) for k in range(1, count + 1) if k not in by_index]
    if missing:
        raise InputError.one(
            first.file,
            None,
            f"shard {', '.join(f'{k}/{count}' for k in missing)} missing: the merged report "
            f"would leave part of the fleet unread ({len(parts)} of {count} shards given)",
        )
    every = sorted(u for part in parts for u in part.fleet.shard_units)
    if len(set(every)) != len(every) or fleet_digest(every) != first.fleet.digest:
        raise InputError.one(
            first.file,
            None,
            "the shards' units do not make the fleet their reports name (a report edited, or "
            "from another fleet)",
        )
    for part in parts:
        dealt = shard_units(every, Shard(*part.fleet.shard))
        if tuple(sorted(part.fleet.shard_units)) != dealt:
            raise InputError.one(
                part.file,
                None,
                f"its units are not those of shard {part.fleet.shard[0]}/{count} of the fleet",
            )
    seen: dict[Partition, str] = {}
    for part in parts:
        for result in part.report.partitions:
            if result.partition in seen:
                raise InputError.one(
                    part.file,
                    None,
                    f"overlapping shards: partition {result.partition} is also in "
                    f"{seen[result.partition]}",
                )
            seen[result.partition] = part.file


def _check_consistent(part: Part) -> None:
    """One shard's report agrees with itself: its partitions are those of its units, every
    value belongs to one of them, and every count is what its values add up to. A report
    edited by hand (a partition dropped, a count changed) is refused, never merged."""
    report, units = part.report, part.fleet.shard_units

    def refuse(message: str) -> NoReturn:
        raise InputError.one(part.file, None, f"the report does not add up: {message}")

    if part.fleet.units < len(units) or (not units and report.partitions):
        refuse("it holds partitions of no unit of its shard")
    by_unit: dict[Partition, list[Partition]] = {u: [] for u in units}
    for result in report.partitions:
        unit = result.partition
        if unit not in by_unit:
            unit = Partition(unit.account, ALL)
        if unit not in by_unit:
            refuse(f"partition {result.partition} is not in its shard")
        by_unit[unit].append(result.partition)
    empty = [str(u) for u, found in by_unit.items() if not found]
    if empty:
        refuse(f"no result for {', '.join(empty)}, which its shard covers")
    listed = [r.partition for r in report.partitions]
    if len(set(listed)) != len(listed):
        refuse("a partition is listed twice")
    _check_counts(part, set(listed), refuse)


def _check_counts(part: Part, known: set[Partition], refuse: Callable[[str], NoReturn]) -> None:
    """Every value of the report is in one of its partitions, and every count adds up."""
    report = part.report
    for kind, values in (
        ("finding", report.findings),
        ("error", report.errors),
        ("skipped update", report.skipped),
        ("audited update", report.audited),
    ):
        for value in values:
            if value.partition is None and not (kind == "finding" and _about_policy(value)):
                refuse(f"a {kind} of {value.ota_update_id or 'no update'} has no partition")
            if value.partition is not None and value.partition not in known:
                refuse(f"a {kind} is in {value.partition}, which the report does not list")
    for result in report.partitions:
        expected = _summary_of(report, result.partition)
        errors = sum(1 for e in report.errors if e.partition == result.partition)
        if errors != result.errors or _counts(result.summary) != _counts(expected):
            refuse(f"the counts of {result.partition} are not those of its findings and updates")
    totals = total((r.summary for r in report.partitions), list(report.findings))
    if _counts(report.summary) != _counts(totals):
        refuse("the summary is not the sum of its partitions")


def _about_policy(finding: Any) -> bool:
    return isinstance(finding, Finding) and is_about_policy(finding)


def _summary_of(report: Report, partition: Partition) -> Summary:
    """What a partition's summary must say, from the report's values of that partition."""
    audited = [a for a in report.audited if a.partition == partition]
    findings = [f for f in report.findings if f.partition == partition]

    def ids(rule_id: str) -> int:
        return len({f.ota_update_id for f in findings if f.rule_id == rule_id})

    return Summary(
        declared=sum(1 for a in audited if a.declared is not None),
        live=sum(1 for a in audited if a.live),
        in_sync=None,  # not recomputed: it depends on which updates could be read
        drifted=ids(CHANGED.rule_id),
        missing=ids(MISSING.rule_id),
        unmanaged=ids(UNMANAGED.rule_id),
        findings=count_by_severity(findings),
        suppressed=sum(1 for f in findings if not f.active),
    )


def _counts(summary: Summary) -> tuple[Any, ...]:
    """The counts a summary's values can be checked against (all but inSync)."""
    return (
        summary.declared,
        summary.live,
        summary.drifted,
        summary.missing,
        summary.unmanaged,
        tuple(summary.findings.get(s, 0) for s in Severity),
        summary.suppressed,
    )


def _shown(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple):
        return ", ".join(map(str, value)) or "none"
    return str(value)


# --- reading one report ---------------------------------------------------------------------


def read_report(path: str) -> Part:
    """A fleet JSON report, checked: an InputError at the line of every problem."""
    shown = display_path(path)
    doc, lines = load_json_located(read_text(FsPath(path), MAX_REPORT_BYTES), shown)
    reader = _Reader(shown, lines)
    part = reader.report(doc)
    if reader.problems or part is None:
        raise InputError(reader.problems or [Problem(shown, 1, "not an ota-drift JSON report")])
    return part


class _Bad(Exception):
    """A value that is not what the report format says; already recorded."""


class _Reader:
    def __init__(self, shown: str, lines: dict[KeyPath, int]) -> None:
        self.shown = shown
        self.lines = lines
        self.problems: list[Problem] = []

    def fail(self, path: KeyPath, message: str) -> _Bad:
        self.problems.append(Problem(self.shown, nearest_line(self.lines, path) or 1, message))
        return _Bad()

    def get(
        self,
        node: Any,
        path: KeyPath,
        key: str,
        kind: type[T] | tuple[type, ...],
        *,
        null: bool = False,
    ) -> Any:
        if not isinstance(node, dict) or key not in node:
            raise self.fail(path, f"missing {key!r}")
        value = node[key]
        if value is None and null:
            return None
        if not isinstance(value, kind) or (isinstance(value, bool) and kind in (int, (int,))):
            what = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
            raise self.fail((*path, key), f"{key!r} must be {what}{' or null' if null else ''}")
        return value

    def items(self, doc: Mapping[str, Any], key: str, read: Callable[[Any, KeyPath], T]) -> list[T]:
        values = self.get(doc, (), key, list)
        out: list[T] = []
        for index, item in enumerate(values):
            try:
                out.append(read(item, (key, index)))
            except _Bad:
                continue
        return out

    def report(self, doc: Any) -> Part | None:
        try:
            if not isinstance(doc, dict):
                raise self.fail((), "not an ota-drift JSON report (not an object)")
            tool = self.get(doc, (), "tool", dict)
            if tool.get("name") != "ota-drift" or self.get(doc, (), "version", int) != JSON_VERSION:
                raise self.fail((), f"not an ota-drift JSON report of version {JSON_VERSION}")
            if "fleet" not in doc:
                raise self.fail(
                    (), "not a fleet report: only the JSON reports of `check --fleet` merge"
                )
            version = self.get(tool, ("tool",), "version", str)
            fleet = self.fleet_info(self.get(doc, (), "fleet", dict))
            run = self.get(doc, (), "run", dict)
            as_of = self.moment(run, ("run",), "asOf")
            summary = self.summary(self.get(doc, (), "summary", dict), ("summary",))
            report = Report(  # a missing or mistyped list or setting is recorded, not raised
                tool_version=version,
                summary=summary,
                findings=tuple(self.items(doc, "findings", self.finding)),
                errors=tuple(self.items(doc, "errors", self.error)),
                as_of=as_of,
                policy_packs=tuple(self.strings(run, ("run",), "policyPacks")),
                skipped=tuple(self.items(doc, "skipped", self.skipped)),
                command=self.choice(run, ("run",), "command", ("check",)),
                rules=tuple(self.strings(run, ("run",), "rules")),
                audited=tuple(self.items(doc, "audited", self.audited)),
                declared_files=tuple(self.strings(run, ("run",), "declaredFiles")),
                partitions=tuple(self.items(doc, "partitions", self.partition_result)),
                fleet=fleet,
            )
        except _Bad:
            return None
        return Part(self.shown, report, fleet)

    # --- values ---------------------------------------------------------------------------

    def strings(self, node: Any, path: KeyPath, key: str) -> list[str]:
        values = self.get(node, path, key, list)
        if not all(isinstance(v, str) for v in values):
            raise self.fail((*path, key), f"{key!r} must be a list of strings")
        return list(values)

    def choice(self, node: Any, path: KeyPath, key: str, allowed: Sequence[str]) -> str:
        value = self.get(node, path, key, str)
        if value not in allowed:
            raise self.fail(
                (*path, key), f"{key!r} must be one of {', '.join(allowed)}, not {value!r}"
            )
        return str(value)

    def moment(self, node: Any, path: KeyPath, key: str) -> datetime:
        text = self.get(node, path, key, str)
        try:
            return assume_utc(datetime.fromisoformat(text))
        except ValueError:
            raise self.fail(
                (*path, key), f"{key!r} is not an ISO 8601 time: {text[:40]!r}"
            ) from None

    def fleet_info(self, node: Mapping[str, Any]) -> FleetInfo:
        path: KeyPath = ("fleet",)
        shard = self.get(node, path, "shard", str)
        index, slash, count = shard.partition("/")
        if not (slash and index.isdigit() and count.isdigit() and 1 <= int(index) <= int(count)):
            raise self.fail((*path, "shard"), f"'shard' must be K/N, not {shard[:20]!r}")
        units = []
        for position, text in enumerate(self.strings(node, path, "shardUnits")):
            account, separator, region = text.partition("/")
            if not separator or not account or not region:
                raise self.fail(
                    (*path, "shardUnits", position), f"{text[:40]!r} is not ACCOUNT/REGION"
                )
            units.append(Partition(account, region))
        return FleetInfo(
            shard_units=tuple(units),
            inputs_digest=self.get(node, path, "inputsDigest", str),
            digest=self.get(node, path, "digest", str),
            units=self.get(node, path, "units", int),
            shard=(int(index), int(count)),
            policy_digest=self.get(node, path, "policyDigest", str),
            fail_on=self.choice(node, path, "failOn", FAIL_ON_VALUES),
        )

    def summary(self, node: Mapping[str, Any], path: KeyPath) -> Summary:
        counts = self.get(node, path, "findings", dict)
        findings: dict[Severity, int] = {}
        for severity in Severity:
            findings[severity] = self.get(counts, (*path, "findings"), severity.value, int)
        return Summary(
            declared=self.get(node, path, "declared", int),
            live=self.get(node, path, "live", int, null=True),
            in_sync=self.get(node, path, "inSync", int, null=True),
            drifted=self.get(node, path, "drifted", int, null=True),
            missing=self.get(node, path, "missing", int, null=True),
            unmanaged=self.get(node, path, "unmanaged", int, null=True),
            findings=findings,
            suppressed=self.get(node, path, "suppressed", int),
        )

    def partition(self, node: Any, path: KeyPath) -> Partition:
        return Partition(self.get(node, path, "account", str), self.get(node, path, "region", str))

    def partition_of(self, node: Any, path: KeyPath) -> Partition | None:
        """A value's partition; None when it has neither key, as a policy pack's findings
        (`to_json` writes no `account` or `region` for a value without a partition)."""
        if isinstance(node, dict) and "account" not in node and "region" not in node:
            return None
        return self.partition(node, path)

    def location(self, node: Any, path: KeyPath) -> Location | None:
        file = self.get(node, path, "file", str, null=True)
        line = self.get(node, path, "line", int, null=True)
        resource = self.get(node, path, "resource", str, null=True)
        if file is None:
            return None
        if line is None:
            raise self.fail((*path, "line"), "'line' is null where 'file' is not")
        return Location(file, line, resource)

    def finding(self, node: Any, path: KeyPath) -> Finding:
        severity = self.choice(node, path, "severity", [s.value for s in Severity])
        drift = None
        if isinstance(node, dict) and ("desired" in node or "actual" in node):
            drift = DriftValues(node.get("desired"), node.get("actual"))
        suppressed = None
        if isinstance(node, dict) and "suppressed" in node:
            block = self.get(node, path, "suppressed", dict)
            expires = self.get(block, (*path, "suppressed"), "expires", str, null=True)
            try:
                day = None if expires is None else date.fromisoformat(expires)
            except ValueError:
                raise self.fail(
                    (*path, "suppressed", "expires"), "'expires' is not a date"
                ) from None
            suppressed = Suppressed(self.get(block, (*path, "suppressed"), "reason", str), day)
        references: tuple[str, ...] = ()
        if isinstance(node, dict) and "references" in node:
            references = tuple(self.strings(node, path, "references"))
        return Finding(
            rule_id=self.get(node, path, "ruleId", str),
            severity=Severity(severity),
            ota_update_id=self.get(node, path, "otaUpdateId", str),
            side=cast(FindingSide, self.choice(node, path, "source", SIDES)),
            path=self.get(node, path, "path", str),
            message=self.get(node, path, "message", str),
            location=self.location(node, path),
            drift=drift,
            references=references,
            suppressed=suppressed,
            partition=self.partition_of(node, path),
        )

    def error(self, node: Any, path: KeyPath) -> SourceError:
        return SourceError(
            ota_update_id=self.get(node, path, "otaUpdateId", str, null=True),
            operation=self.get(node, path, "operation", str),
            code=self.get(node, path, "code", str),
            message=self.get(node, path, "message", str),
            partition=self.partition_of(node, path),
        )

    def skipped(self, node: Any, path: KeyPath) -> SkippedUpdate:
        return SkippedUpdate(
            self.get(node, path, "otaUpdateId", str),
            self.get(node, path, "reason", str),
            self.partition_of(node, path),
        )

    def audited(self, node: Any, path: KeyPath) -> AuditedUpdate:
        rules = self.get(node, path, "rules", list, null=True)
        if rules is not None and not all(isinstance(r, str) for r in rules):
            raise self.fail((*path, "rules"), "'rules' must be a list of strings")
        return AuditedUpdate(
            ota_update_id=self.get(node, path, "otaUpdateId", str),
            declared=self.location(node, path),
            live=self.get(node, path, "live", bool),
            rules=None if rules is None else tuple(rules),
            partition=self.partition_of(node, path),
            chain=self.chain(node, path),
        )

    def chain(self, node: Any, path: KeyPath) -> tuple[FileChain, ...]:
        """An audited update's `chain`: none when the key is absent (`--verify` read none);
        present, one entry per file, each link a known kind in the chain's order."""
        if not isinstance(node, dict) or "chain" not in node:
            return ()
        entries = self.get(node, path, "chain", list)
        if not entries:
            raise self.fail(
                (*path, "chain"), "'chain' is empty (it is left out where no chain was read)"
            )
        chains = []
        for index, entry in enumerate(entries):
            at: KeyPath = (*path, "chain", index)
            links: list[ChainLink] = []
            for position, link in enumerate(self.get(entry, at, "links", list)):
                where: KeyPath = (*at, "links", position)
                kind = self.choice(link, where, "kind", LINKS)
                if links and LINKS.index(kind) <= LINKS.index(links[-1].kind):
                    raise self.fail(
                        (*where, "kind"),
                        f"'kind' {kind} is out of the chain's order ({', '.join(LINKS)}, "
                        "each at most once)",
                    )
                links.append(
                    ChainLink(
                        kind,
                        self.get(link, where, "name", str),
                        self.get(link, where, "status", str),
                        self.get(link, where, "found", bool),
                    )
                )
            chains.append(FileChain(self.get(entry, at, "file", str), tuple(links)))
        return tuple(chains)

    def partition_result(self, node: Any, path: KeyPath) -> PartitionResult:
        return PartitionResult(
            partition=self.partition(node, path),
            name=self.get(node, path, "name", str, null=True),
            summary=self.summary(self.get(node, path, "summary", dict), (*path, "summary")),
            errors=self.get(node, path, "errors", int),
        )
