"""A fleet audit: every (account, region) partition of a shard read at once, each with its own
credentials, rate limits and state source, then one report.

Partitions run concurrently, at most `--concurrency` requests in flight in all: partitions
in flight = min(partitions, concurrency), each with concurrency // that many workers. Each
partition's live state is dropped once its findings are made, so memory follows the
partitions in flight, not the organisation. A partition that cannot be read is an error entry
of its own; every other partition is still audited.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import botocore.exceptions
import botocore.session

from checker import audit
from checker.declared import load_declared
from checker.declared.interface import ReadOptions
from checker.errors import InputError, Problem, UsageError
from checker.fleet.combine import combine
from checker.fleet.credentials import Access, AccessFailure
from checker.fleet.file import ALL, Entry, Fleet
from checker.fleet.regions import enabled_iot_regions
from checker.fleet.shard import WHOLE, Shard, fleet_digest, shard_units, units
from checker.model import (
    DeclaredUpdate,
    FleetInfo,
    LiveUpdate,
    Partition,
    PartitionResult,
    Report,
    SkippedUpdate,
    SourceError,
)
from checker.policy.model import Policy, policy_digest
from checker.redact import redact
from checker.sources.aws import AwsSettings, AwsSource, Renewal, make_client
from checker.sources.interface import Progress


@dataclass(frozen=True)
class PartitionPlan:
    """One partition to read, and what is declared for it (an error instead when the
    partition is known to be unreadable before any update is)."""

    partition: Partition
    entry: Entry
    declared: tuple[DeclaredUpdate, ...]
    error: SourceError | None = None


def aws_partition(region: str) -> str:
    """The AWS partition (`aws`, `aws-cn`, `aws-us-gov`) a region is in, for AWS::Partition."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def declared_for(entry: Entry, region: str | None) -> tuple[DeclaredUpdate, ...]:
    """The updates declared for `entry` in `region`, templates resolved there (AWS::Region,
    AWS::AccountId and AWS::Partition are the partition's). With no region (an account whose
    regions are not known yet), the declarations of every region, for checking them."""
    paths = entry.declared if region is None else entry.declared_for(region)
    if not paths:
        return ()
    options = ReadOptions(
        region=region,
        account_id=entry.account,
        partition=aws_partition(region) if region else "aws",
    )
    return load_declared(paths, options)


def base_session(profile: str | None) -> botocore.session.Session:
    """The caller's own credentials: what the first role of every chain is assumed from."""
    try:
        return botocore.session.Session(profile=profile)
    except botocore.exceptions.BotoCoreError as exc:
        raise UsageError(redact(" ".join(str(exc).split()))) from None


class FleetRun:
    """One run over shard `shard` of `fleet` (what `check --fleet` does)."""

    def __init__(
        self,
        fleet: Fleet,
        policy: Policy,
        fail_on: str,
        aws: AwsSettings,
        *,
        shard: Shard = WHOLE,
        as_of: datetime | None = None,
        base: botocore.session.Session | None = None,
        progress: Callable[[Progress], None] | None = None,
    ) -> None:
        """`progress` gets the sum over the partitions read so far (the CLI's bar)."""
        self.fleet = fleet
        self.policy = policy
        self.fail_on = fail_on
        self.aws = aws
        self.shard = shard
        self.now = as_of or datetime.now(UTC)
        self.units = units(fleet)
        self.mine = shard_units(self.units, shard)
        self._base = base
        self._access: dict[str, Access] = {}
        self._lock = threading.Lock()
        self._progress = progress
        self._started = time.monotonic()
        self._counts: dict[Partition, Progress] = {}

    @property
    def info(self) -> FleetInfo:
        return FleetInfo(
            digest=fleet_digest(self.units),
            units=len(self.units),
            shard=(self.shard.index, self.shard.count),
            policy_digest=policy_digest(self.policy),
            fail_on=self.fail_on,
        )

    def check_declared(self) -> None:
        """Load every declaration of the shard before AWS is called: all problems at once."""
        problems: list[Problem] = []
        for unit in self.mine:
            entry = self.fleet.entry(unit.account)
            regions: list[str | None] = (
                [unit.region] if unit.region != ALL else [None, *sorted(entry.declared_by_region)]
            )
            for region in regions:
                try:
                    declared_for(entry, region)
                except InputError as exc:
                    problems.extend(p for p in exc.problems if p not in problems)
        if problems:
            raise InputError(problems)

    def access(self, entry: Entry) -> Access:
        """The account's one `Access`, shared by its regions (one role chain per account)."""
        with self._lock:
            if entry.account not in self._access:
                if self._base is None:
                    self._base = base_session(self.aws.profile)
                self._access[entry.account] = Access(entry, self._base)
            return self._access[entry.account]

    def run(self) -> Report:
        plans = list(self._plans())
        in_flight = max(1, min(len(plans), self.aws.concurrency))
        workers = max(1, self.aws.concurrency // in_flight)
        results: list[Report] = []
        names: list[PartitionResult] = []
        with ThreadPoolExecutor(in_flight, thread_name_prefix="ota-drift-partition") as pool:
            for plan, report in zip(
                plans, pool.map(lambda p: self._audit(p, workers), plans), strict=True
            ):
                results.append(report)
                names.append(
                    PartitionResult(
                        plan.partition, plan.entry.name, report.summary, len(report.errors)
                    )
                )
        if not results:  # a shard with no unit: an empty, valid part of the fleet
            results.append(audit.check((), _Unreadable(()), self.policy, self.now))
        return combine(results, names, self.info)

    def read(
        self,
    ) -> Iterator[tuple[Partition, list[LiveUpdate | SourceError | SkippedUpdate], bool]]:
        """Each partition's live state as read (for `snapshot` and `import`), one partition
        at a time in partition order, with whether it was read deep; nothing is audited."""
        plans = list(self._plans())
        in_flight = max(1, min(len(plans), self.aws.concurrency))
        workers = max(1, self.aws.concurrency // in_flight)

        def fetch(
            plan: PartitionPlan,
        ) -> tuple[list[LiveUpdate | SourceError | SkippedUpdate], bool]:
            source = self._source(plan, workers)
            items: list[LiveUpdate | SourceError | SkippedUpdate] = [
                replace(i, partition=plan.partition) if isinstance(i, SourceError) else i
                for i in source.fetch()
            ]
            return items, source.deep

        with ThreadPoolExecutor(in_flight, thread_name_prefix="ota-drift-partition") as pool:
            for plan, (items, deep) in zip(plans, pool.map(fetch, plans), strict=True):
                yield plan.partition, items, deep

    def _plans(self) -> Iterator[PartitionPlan]:
        """The shard's partitions: `regions: all` units asked for their regions first."""
        resolved: dict[Partition, list[PartitionPlan]] = {}
        every = [u for u in self.mine if u.region == ALL]
        with ThreadPoolExecutor(max(1, min(len(every), 8))) as pool:
            for unit, plans in zip(every, pool.map(self._resolve, every), strict=True):
                resolved[unit] = plans
        for unit in self.mine:
            entry = self.fleet.entry(unit.account)
            if unit.region == ALL:
                yield from resolved[unit]
            else:
                yield PartitionPlan(unit, entry, declared_for(entry, unit.region))

    def _resolve(self, unit: Partition) -> list[PartitionPlan]:
        entry = self.fleet.entry(unit.account)
        try:
            regions = enabled_iot_regions(self.access(entry).session(), self.aws.timeout)
        except AccessFailure as failure:
            return [PartitionPlan(unit, entry, (), _error(failure))]
        plans = [
            PartitionPlan(Partition(unit.account, r), entry, declared_for(entry, r))
            for r in regions
        ]
        for region, line in sorted(entry.region_lines.items()):
            if region not in regions:
                error = SourceError(
                    None,
                    "ListRegions",
                    "RegionNotEnabled",
                    f"updates are declared for {region} ({self.fleet.file}:{line}), which is "
                    "not an IoT region enabled in the account: they are not audited",
                )
                plans.append(
                    PartitionPlan(
                        Partition(unit.account, region), entry, declared_for(entry, region), error
                    )
                )
        return sorted(plans, key=lambda p: p.partition)

    def _audit(self, plan: PartitionPlan, workers: int) -> Report:
        source = self._source(plan, workers)
        return audit.check(plan.declared, source, self.policy, self.now, partition=plan.partition)

    def _source(self, plan: PartitionPlan, workers: int) -> AwsSource | _Unreadable:
        if plan.error is not None:
            return _Unreadable((plan.error,))
        access = self.access(plan.entry)
        settings = replace(
            self.aws, region=plan.partition.region, concurrency=workers, profile=None
        )
        try:
            session = access.session()
            client = make_client(settings, session=session)
        except AccessFailure as failure:
            return _Unreadable((_error(failure),))
        except UsageError as exc:
            error = SourceError(None, "Credentials", "CredentialsUnavailable", str(exc))
            return _Unreadable((error,))
        return AwsSource(
            settings,
            progress=self._reporter(plan.partition) if self._progress is not None else None,
            client=client,
            renewal=Renewal(access.expire, access.secrets),
            origin=str(plan.partition),
        )

    def _reporter(self, partition: Partition) -> Callable[[Progress], None]:
        """A partition's progress callback, reporting the fleet's sum to the CLI."""

        def report(progress: Progress) -> None:
            assert self._progress is not None
            with self._lock:
                self._counts[partition] = progress
                done = sum(p.done for p in self._counts.values())
                total = sum(p.total for p in self._counts.values())
                throttled = sum(p.throttled for p in self._counts.values())
                self._progress(Progress(done, total, throttled, time.monotonic() - self._started))

        return report


def _error(failure: AccessFailure) -> SourceError:
    return SourceError(None, failure.operation, failure.code, failure.message)


class _Unreadable:
    """The state source of a partition nothing could be read of: its errors, and no update."""

    def __init__(self, errors: Sequence[SourceError]) -> None:
        self._errors = tuple(errors)

    def fetch(self) -> Iterator[LiveUpdate | SourceError | SkippedUpdate]:
        yield from self._errors

    @property
    def deep(self) -> bool:
        return False

    @property
    def captured_at(self) -> datetime | None:
        return None
