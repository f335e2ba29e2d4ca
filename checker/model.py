"""Domain values shared by every stage: declared and live updates, findings, the report.

Every value here is a frozen dataclass. Stages hand these values on and build new ones;
none of them changes what it was given.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal

JSONValue = Any
"""A value that `json.dumps` accepts (dicts, lists, str, int, float, bool, None)."""

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(3000, 1, 1, tzinfo=UTC)
"""The audit's calendar: every date it reads (snapshots, `--as-of`) lies in [EARLIEST, LATEST).
AWS IoT holds no date outside it, and at the calendar's edge (year 1, year 9999) the date
arithmetic of rules and reports (UTC conversion, a day either side, ages) overflows."""


def assume_utc(moment: datetime) -> datetime:
    """`moment`, a naive one taken as UTC: what every reader of times (`--as-of`, snapshots,
    the Pulumi state, odd live data) does with a time that names no zone. Aware ones are kept
    as they are, in their own zone."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def in_calendar(moment: datetime) -> bool:
    """True when `moment` (aware) lies in the audit's calendar, judged in UTC."""
    try:  # in UTC first: year 1 at +01:00 has no UTC time, and comparing it would overflow
        return EARLIEST <= moment.astimezone(UTC) < LATEST
    except OverflowError:
        return False


PathKey = str | int
"""One step into a config: a mapping key or a list position."""

Path = tuple[PathKey, ...]

SET_FIELDS = ("targets", "protocols")
"""Lists whose order carries no meaning: their items are named by value, not position."""


def nearest_line(lines: Mapping[Path, int], path: Path) -> int | None:
    """The line of `path`, or of its nearest ancestor written in the file, or None: a problem
    or a finding on a key the user never wrote still points at the block it belongs to."""
    for end in range(len(path), -1, -1):
        line = lines.get(path[:end])
        if line is not None:
            return line
    return None


def display(path: Path) -> str:
    """`files[fw.bin].codeSigning.awsSignerJobId`, `files[0].fileLocation`: a path as users
    write it, in every message and report. Positions, and the names that stand for them under
    `files` and the set-like lists, are in brackets."""
    out = ""
    for depth, step in enumerate(path):
        if isinstance(step, int) or (depth == 1 and path[0] in ("files", *SET_FIELDS)):
            out += f"[{step}]"
        else:
            out += f".{step}" if out else str(step)
    return out


@functools.total_ordering
class Severity(enum.Enum):
    """Finding severity, ordered: `Severity.HIGH > Severity.LOW` is true."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank < other.rank


_RANK = {s: i for i, s in enumerate(Severity)}

Side = Literal["declared", "live"]
"""Which side a config is from: a declaration (CreateOTAUpdate's names) or the live update
(GetOTAUpdate's)."""

FindingSide = Literal["declared", "live", "both", "drift"]
"""Which side a finding was found on: a rule on the declared or live config, on both, or
drift between them. (The reports' key for it stays `source`, as their consumers read it;
a `StateSource` is where live state comes from.)"""


@dataclass(frozen=True, order=True)
class Partition:
    """One AWS account in one region: the unit that quotas, credentials and shards are per.

    An update is identified by its partition and its otaUpdateId: two accounts may both have
    `fw-1`. Values without one (None) come from a single-partition run (`--region`,
    `--state`), whose reports look as they did before fleets existed.
    """

    account: str
    """12 digits."""
    region: str
    """`eu-west-1`; `all` for an account whose enabled regions could not be listed."""

    def __str__(self) -> str:
        """`111122223333/eu-west-1`: how every report and message names a partition."""
        return f"{self.account}/{self.region}"


def partition_key(partition: Partition | None) -> tuple[str, str]:
    """Where a value of `partition` sorts: single-partition values (None) first, then by
    account and region, so that a fleet report is grouped by partition."""
    return ("", "") if partition is None else (partition.account, partition.region)


@dataclass(frozen=True)
class Location:
    """A place in a declared file, as the user sees it in an editor."""

    file: str
    """Path relative to the current directory, with forward slashes."""
    line: int
    """1-based line of the YAML node."""
    resource: str | None = None
    """The IaC resource declared there (`logical ID Firmware (aws:cdk:path ...)`, a Pulumi
    URN), for templates and stack exports: a line in generated JSON says little alone."""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        return where if self.resource is None else f"{where}, {self.resource}"


@dataclass(frozen=True)
class Unknown:
    """A declared value that only exists once deployed: a CloudFormation `!GetAtt` of another
    resource, an `!ImportValue`, a condition on an unset parameter, a Pulumi secret.

    It stands in the config where the value would be. It never drifts and never breaks a
    rule by guesswork: a comparison or rule that needs it reports OTA005 instead.
    """

    expression: str
    """What was written, short: `!GetAtt Signer.JobId`, `a Pulumi secret`."""

    def __str__(self) -> str:
        return f"<computed at deploy time: {self.expression}>"


@dataclass(frozen=True)
class DeclaredUpdate:
    """One declared OTA update, in any format: the keyword arguments of `iot.create_ota_update`
    (API names), where values only known at deploy time are `Unknown`."""

    ota_update_id: str
    config: Mapping[str, Any]
    """The entry as loaded, aliases expanded. Never mutated."""
    location: Location
    """Where the entry starts."""
    key_lines: Mapping[Path, int] = field(repr=False, compare=False)
    """Line of every key and list item in the entry, by path from the entry (API names)."""
    resource: str | None = None
    """The IaC resource it came from, for messages: `logical ID Firmware (aws:cdk:path
    App/Firmware/Resource)`, a Pulumi URN. None for ota-drift and AWS CLI files."""

    def location_of(self, path: Path) -> Location:
        """The line of `path`, or of its nearest ancestor written in the file.

        A drift finding on a key the user never wrote (a service default that changed live)
        still points into the entry, at the block the key would belong to.
        """
        line = nearest_line(self.key_lines, path)
        if line is None:
            return self.location
        return Location(self.location.file, line, self.location.resource)


@dataclass(frozen=True)
class LiveUpdate:
    """One OTA update as the service reports it: GetOTAUpdate's `otaUpdateInfo`."""

    ota_update_id: str
    info: Mapping[str, Any]
    """`otaUpdateInfo` with datetimes parsed and blobs as bytes, as boto3 returns it."""
    origin: str
    """Where it was read, for messages: `snapshot.json#otaUpdates[3]`, `eu-west-1`."""


@dataclass(frozen=True)
class SourceError:
    """Something a state source could not read. Its update is neither in sync nor missing."""

    ota_update_id: str | None
    """None when the failure was not about one update (the listing, or the whole partition:
    its role could not be assumed, its regions could not be listed)."""
    operation: str
    code: str
    message: str
    partition: Partition | None = None
    """The partition it happened in; None in a single-partition run."""

    @property
    def subject(self) -> str:
        """What could not be read: the update, `(listing)` when the listing failed, or
        `(partition)` when nothing of the partition could be read (AssumeRole failed...)."""
        if self.ota_update_id is not None:
            return self.ota_update_id
        return "(listing)" if self.operation in LISTING_OPERATIONS else "(partition)"

    def __str__(self) -> str:
        """`fw-1: GetOTAUpdate: AccessDeniedException: ...`, the one-line form everywhere
        (`111122223333/eu-west-1 fw-1: ...` in a fleet run)."""
        where = "" if self.partition is None else f"{self.partition} "
        return f"{where}{self.subject}: {self.operation}: {self.code}: {self.message}"

    @property
    def sentence(self) -> str:
        """`could not read fw-1: GetOTAUpdate failed with AccessDeniedException: ...`: the
        error as prose, for the reports (JUnit, SARIF) whose readers see it out of a table."""
        where = "" if self.partition is None else f" in {self.partition}"
        return (
            f"could not read {self.subject}{where}: {self.operation} failed with {self.code}: "
            f"{self.message}"
        )

    @property
    def sort_key(self) -> tuple[str, ...]:
        return (*partition_key(self.partition), self.ota_update_id or "", self.operation, self.code)


LISTING_OPERATIONS = frozenset({"ListOTAUpdates"})
"""Operations whose failure leaves a partition's updates unlisted: `(listing)`."""


@dataclass(frozen=True)
class SkippedUpdate:
    """An update a source left out on purpose, with why (deleted while the audit ran)."""

    ota_update_id: str
    reason: str
    partition: Partition | None = None


@dataclass(frozen=True)
class DriftValues:
    """The declared and the live value of one drifted path, JSON-ready; None where a side lacks
    it. (The reports call them `desired` and `actual`, as Terraform's and driftctl's users
    read drift.)"""

    declared: JSONValue
    live: JSONValue


@dataclass(frozen=True)
class Suppressed:
    """Why a finding is accepted, from the policy pack's suppression."""

    reason: str
    expires: date | None


@dataclass(frozen=True)
class Finding:
    """One thing the audit reports about one OTA update."""

    rule_id: str
    severity: Severity
    ota_update_id: str
    side: FindingSide
    path: str
    """Dotted path in declared names (`files[fw.bin].codeSigning`), empty for a whole update."""
    message: str
    location: Location | None
    """Where in the declared files; None for an update nobody declared."""
    drift: DriftValues | None = None
    references: tuple[str, ...] = ()
    suppressed: Suppressed | None = None
    """Set when a policy pack accepts the finding: it is reported, but counts for nothing."""
    partition: Partition | None = None
    """The (account, region) of the update; None in a single-partition run."""

    @property
    def active(self) -> bool:
        return self.suppressed is None

    def __str__(self) -> str:
        """`OTA001 (high) fw-1 awsJobPresignedUrlConfig.expiresInSec: declared 600, live 3600`:
        the one-line form of a finding wherever a log or an engine shows one line."""
        return self.one_line()

    def one_line(self, *, named: bool = True) -> str:
        """The one-line form; `named=False` leaves out the update and the path, for a place
        that already shows which update and property it is about (`OTA001 (high): ...`)."""
        where = "" if self.partition is None else f" {self.partition}"
        subject = f"{where} {self.ota_update_id}" + (f" {self.path}" if self.path else "")
        return f"{self.rule_id} ({self.severity.value}){subject if named else ''}: {self.message}"

    @property
    def sort_key(self) -> tuple[str, ...]:
        """(account, region, otaUpdateId, ruleId, path): the report's order."""
        return (*partition_key(self.partition), self.ota_update_id, self.rule_id, self.path)


def most_severe_first(finding: Finding) -> tuple[Any, ...]:
    """The order of a report held to a consumer's limit (what it keeps first): most severe
    first; within a severity, active findings before suppressed ones (those need no action),
    then the report's order (update, rule, path); side, message and location break the
    remaining ties, so the order does not depend on the order findings came in."""
    location = finding.location
    return (
        -finding.severity.rank,
        finding.suppressed is not None,
        *finding.sort_key,
        finding.side,
        finding.message,
        location is not None,
        location.file if location else "",
        location.line if location else 0,
    )


@dataclass(frozen=True)
class AuditedUpdate:
    """One OTA update the run looked at, and on which sides it was found."""

    ota_update_id: str
    declared: Location | None
    """Where it is declared; None for an unmanaged live update."""
    live: bool
    """Read from live state."""
    rules: tuple[str, ...] | None = None
    """IDs of the rules judged on this update, sorted: a rule that is not among them neither
    passed nor failed here (its side was not read, or the policy leaves it out). None when
    not recorded (a hand-built report): then every rule of `Report.rules` counts."""
    partition: Partition | None = None
    chain: tuple[FileChain, ...] = ()
    """The chain behind each live file as `--verify` read it (`checker.chain.file_chains`);
    empty when it was not read."""

    @property
    def sort_key(self) -> tuple[str, ...]:
        return (*partition_key(self.partition), self.ota_update_id)


@dataclass(frozen=True)
class ChainLink:
    """One resource of a file's chain as a report shows it: what it is and what AWS said."""

    kind: str
    """`signingJob`, `signingProfile`, `certificate`, `stream` or `object`."""
    name: str
    """The job id, profile name, certificate ARN, stream id or `s3://bucket/key?versionId=v`."""
    status: str
    """What the service said, in a few words: `Succeeded`, `Revoked`, `ISSUED until
    2027-05-01`, `not found`, `delete marker`."""
    found: bool


@dataclass(frozen=True)
class FileChain:
    """The links behind one live file, in the order they were read."""

    file: str
    """The file's `fileName`, or `files[N]` where it has none."""
    links: tuple[ChainLink, ...]


@dataclass(frozen=True)
class Summary:
    """Counts for the report header and the JSON `summary`."""

    declared: int
    live: int | None
    """None (and the drift counts too) when no live state was read: `ota-drift lint`."""
    in_sync: int | None
    drifted: int | None
    missing: int | None
    unmanaged: int | None
    findings: Mapping[Severity, int]
    """Active findings by severity; suppressed ones are counted apart."""
    suppressed: int = 0


@dataclass(frozen=True)
class PartitionResult:
    """One partition of a fleet run: what it holds, and whether all of it could be read."""

    partition: Partition
    name: str | None
    """The fleet entry's `name` (`prod`), for people; None when the entry has none."""
    summary: Summary
    errors: int
    """Its source errors: more than 0 means the partition was not wholly audited."""


@dataclass(frozen=True)
class FleetInfo:
    """What makes a fleet report one part of a whole: `ota-drift merge` checks it."""

    digest: str
    """sha256 of the fleet's partition list (`checker.fleet.shard.fleet_digest`)."""
    units: int
    """Units of the whole fleet that shards divide (see `checker.fleet.shard`)."""
    shard: tuple[int, int]
    """(K, N): this report covers shard K of N; (1, 1) for the whole fleet."""
    policy_digest: str
    """sha256 of the effective policy: reports judged by other packs do not merge."""
    fail_on: str
    """The effective --fail-on, so that `merge` picks the same exit code."""
    shard_units: tuple[Partition, ...] = ()
    """The units this report covers (`checker.fleet.shard`), sorted: `merge` checks that the
    shards' units make the fleet's digest and were dealt as --shard deals them."""
    inputs_digest: str = ""
    """sha256 of what else decides the findings: the fleet file's entries, the declared
    files' bytes and --deep. Shards of one run agree on it."""


@dataclass(frozen=True)
class Report:
    """Everything a format needs to render; formats compute nothing the audit knows."""

    tool_version: str
    summary: Summary
    findings: tuple[Finding, ...]
    """Sorted by `Finding.sort_key`: (account, region, otaUpdateId, ruleId, path)."""
    errors: tuple[SourceError, ...]
    fetched_at: datetime | None = None
    """When the live state was captured, if the source knows."""
    as_of: datetime | None = None
    """The audit's clock: expiries and ages are judged at this time."""
    policy_packs: tuple[str, ...] = ()
    skipped: tuple[SkippedUpdate, ...] = ()
    """Updates the source left out on purpose; reported as notes, never as errors."""
    command: str = "check"
    """`check` (declared and live) or `lint` (declared only)."""
    rules: tuple[str, ...] = ()
    """IDs of the rules this run evaluated (enabled by the policy), sorted."""
    audited: tuple[AuditedUpdate, ...] = ()
    """Every OTA update the run looked at, declared or live, sorted by (partition, id)."""
    declared_files: tuple[str, ...] = ()
    """The declared YAML files read, as shown in findings; sorted."""
    partitions: tuple[PartitionResult, ...] = ()
    """Each partition audited, sorted; empty in a single-partition run."""
    fleet: FleetInfo | None = None
    """Set for a fleet run (`--fleet`), whole or one shard of it."""

    @property
    def complete(self) -> bool:
        """True when every live update could be read: only then may a report say 'clean'."""
        return not self.errors
