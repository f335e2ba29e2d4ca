"""A fleet audit: every (account, region) partition of a shard read at once, each with its own
credentials, rate limits and state source, then one report.

Partitions run concurrently, at most `--concurrency` requests in flight in all: partitions
in flight = min(partitions, concurrency), each with concurrency // that many workers. Each
partition's live state is dropped once its findings are made, so memory follows the
partitions in flight, not the organisation. A partition that cannot be read is an error entry
of its own; every other partition is still audited.
"""

from __future__ import annotations

import contextlib
import functools
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import botocore.exceptions
import botocore.session

from checker import audit
from checker.declared import declared_files, load_declared
from checker.declared.interface import ReadOptions
from checker.errors import InputError, Problem, UsageError
from checker.fleet.combine import combine
from checker.fleet.credentials import Access, AccessFailure
from checker.fleet.file import ALL, Entry, Fleet, aws_partition
from checker.fleet.regions import enabled_iot_regions
from checker.fleet.shard import WHOLE, Shard, fleet_digest, inputs_digest, shard_units, units
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
from checker.sources.aws import CHAIN_SERVICES, AwsSettings, AwsSource, Renewal, make_client
from checker.sources.interface import Progress


@dataclass(frozen=True)
class Read:
    """One partition's live state as `FleetRun.read` gives it."""

    partition: Partition
    items: list[LiveUpdate | SourceError | SkippedUpdate]
    deep: bool
    verified: bool
    captured_at: datetime
    """When its reading began: the snapshot's `capturedAt`."""


@dataclass(frozen=True)
class PartitionPlan:
    """One partition to read, and what is declared for it (an error instead when the
    partition is known to be unreadable before any update is)."""

    partition: Partition
    entry: Entry
    declared: tuple[DeclaredUpdate, ...]
    error: SourceError | None = None


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
        self._stopping = threading.Event()
        self._loaded: dict[tuple[str, str | None], tuple[DeclaredUpdate, ...]] = {}
        self._sources: weakref.WeakSet[AwsSource] = weakref.WeakSet()
        """The sources reading now (a finished one is let go), to stop on an interruption."""

    @property
    def info(self) -> FleetInfo:
        return FleetInfo(
            digest=fleet_digest(self.units),
            units=len(self.units),
            shard=(self.shard.index, self.shard.count),
            policy_digest=policy_digest(self.policy),
            fail_on=self.fail_on,
            shard_units=self.mine,
            inputs_digest=self._inputs_digest,
        )

    @functools.cached_property
    def _inputs_digest(self) -> str:
        paths = sorted(
            {
                p
                for e in self.fleet.entries
                for p in (*e.declared, *sum(e.declared_by_region.values(), ()))
            }
        )
        return inputs_digest(self.fleet, declared_files(paths), self.aws.deep, self.aws.verify)

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
                    self._declared_for(entry, region)
                except InputError as exc:
                    problems.extend(p for p in exc.problems if p not in problems)
        if problems:
            raise InputError(problems)

    def _declared_for(self, entry: Entry, region: str | None) -> tuple[DeclaredUpdate, ...]:
        """`declared_for`, once per (account, region) in a run: `check_declared` loads every
        declaration before AWS is called, and the partitions take them from here (loading
        them twice cost a 12-partition run of 4,800 updates 1.75 s, benchmarks/FLEET.md)."""
        key = (entry.account, region)
        with self._lock:
            if key in self._loaded:
                return self._loaded[key]
        declared = declared_for(entry, region)
        with self._lock:
            return self._loaded.setdefault(key, declared)

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
        with self._partitions(in_flight) as pool:
            futures = [pool.submit(self._audit, plan, workers) for plan in plans]
            for plan, future in zip(plans, futures, strict=True):
                report = future.result()
                results.append(report)
                names.append(
                    PartitionResult(
                        plan.partition, plan.entry.name, report.summary, len(report.errors)
                    )
                )
        if not results:  # a shard with no unit: an empty, valid part of the fleet
            results.append(audit.check((), _Unreadable(()), self.policy, self.now))
        return combine(results, names, self.info)

    def read(self) -> Iterator[Read]:
        """Each partition's live state as read (for `snapshot` and `import`), as each
        partition is done (so a finished partition waits for no other), with when its reading
        began and whether it was read deep; nothing is audited."""
        plans = list(self._plans(declarations=False))
        in_flight = max(1, min(len(plans), self.aws.concurrency))
        workers = max(1, self.aws.concurrency // in_flight)

        def fetch(plan: PartitionPlan) -> Read:
            source = self._source(plan, workers)
            items: list[LiveUpdate | SourceError | SkippedUpdate] = [
                replace(i, partition=plan.partition) if isinstance(i, SourceError) else i
                for i in source.fetch()
            ]
            captured = source.captured_at or datetime.now(UTC)
            return Read(plan.partition, items, source.deep, source.verified, captured)

        with self._partitions(in_flight) as pool:
            for future in as_completed([pool.submit(fetch, plan) for plan in plans]):
                yield future.result()

    @contextlib.contextmanager
    def _partitions(self, in_flight: int) -> Iterator[ThreadPoolExecutor]:
        """The pool the partitions run in. When the run is left early (Ctrl-C, SIGTERM, a
        consumer that stops), every source is told to stop and queued partitions are
        dropped, so that nothing goes on reading AWS while the process ends."""
        pool = ThreadPoolExecutor(in_flight, thread_name_prefix="ota-drift-partition")
        finished = False
        try:
            yield pool
            finished = True
        finally:
            if not finished:
                self._stopping.set()
                with self._lock:
                    sources = list(self._sources)
                for source in sources:
                    source.stop()
            pool.shutdown(wait=finished, cancel_futures=True)

    def _plans(self, declarations: bool = True) -> Iterator[PartitionPlan]:
        """The shard's partitions: `regions: all` units asked for their regions first.
        Without `declarations` (snapshot, import) none are loaded."""
        resolved: dict[Partition, list[PartitionPlan]] = {}
        every = [u for u in self.mine if u.region == ALL]
        with ThreadPoolExecutor(max(1, min(len(every), 8))) as pool:
            resolving = pool.map(lambda u: self._resolve(u, declarations), every)
            for unit, plans in zip(every, resolving, strict=True):
                resolved[unit] = plans
        for unit in self.mine:
            entry = self.fleet.entry(unit.account)
            if unit.region == ALL:
                yield from resolved[unit]
            else:  # checked by check_declared before AWS was called
                declared = self._declared_for(entry, unit.region) if declarations else ()
                yield PartitionPlan(unit, entry, declared)

    def _plan(
        self, partition: Partition, entry: Entry, declarations: bool, error: SourceError | None
    ) -> PartitionPlan:
        """A partition of a `regions: all` account, known only now that AWS was asked: a
        declaration that does not resolve in its region is its error entry, not the end of
        the whole run."""
        if not declarations:
            return PartitionPlan(partition, entry, (), error)
        try:
            declared = self._declared_for(entry, partition.region)
            return PartitionPlan(partition, entry, declared, error)
        except InputError as exc:
            first = exc.problems[0]
            more = f" (and {len(exc.problems) - 1} more)" if len(exc.problems) > 1 else ""
            problem = SourceError(
                None,
                "ReadDeclarations",
                "InvalidDeclaration",
                f"the declarations do not resolve in {partition.region}: {first}{more}",
            )
            return PartitionPlan(partition, entry, (), error or problem)

    def _unresolved(self, entry: Entry) -> tuple[DeclaredUpdate, ...]:
        """What an account whose regions could not be listed declares for all of them."""
        try:
            return self._declared_for(entry, None)
        except InputError:  # they do not resolve without a region: none can be named
            return ()

    def _resolve(self, unit: Partition, declarations: bool) -> list[PartitionPlan]:
        entry = self.fleet.entry(unit.account)
        access = self.access(entry)
        try:
            regions = enabled_iot_regions(access.session(), self.aws.timeout, access.secrets())
        except AccessFailure as failure:
            # the updates declared for every region are still declared: unreadable, not gone
            return [PartitionPlan(unit, entry, self._unresolved(entry), _error(failure))]
        plans = [self._plan(Partition(unit.account, r), entry, declarations, None) for r in regions]
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
                    self._plan(Partition(unit.account, region), entry, declarations, error)
                )
        return sorted(plans, key=lambda p: p.partition)

    def _audit(self, plan: PartitionPlan, workers: int) -> Report:
        source = self._source(plan, workers)
        return audit.check(plan.declared, source, self.policy, self.now, partition=plan.partition)

    def _source(self, plan: PartitionPlan, workers: int) -> AwsSource | _Unreadable:
        if plan.error is not None:
            return _Unreadable((plan.error,))
        if self._stopping.is_set():  # the run is ending: no new partition starts reading
            raise _Stopped
        access = self.access(plan.entry)
        settings = replace(
            self.aws, region=plan.partition.region, concurrency=workers, profile=None
        )
        try:
            session = access.session()
            client = make_client(settings, session=session, own_errors=(AccessFailure,))
            clients = {
                service: make_client(
                    settings, session=session, own_errors=(AccessFailure,), service=service
                )
                for service in (CHAIN_SERVICES if settings.verify else ())
            }
        except AccessFailure as failure:
            return _Unreadable((_error(failure),))
        except UsageError as exc:
            error = SourceError(None, "Credentials", "CredentialsUnavailable", str(exc))
            return _Unreadable((error,))
        source = AwsSource(
            settings,
            progress=self._reporter(plan.partition) if self._progress is not None else None,
            client=client,
            clients=clients,
            renewal=Renewal(access.expire, access.secrets),
            origin=str(plan.partition),
            owner=(plan.partition.account, plan.partition.region),
        )
        with self._lock:
            self._sources.add(source)
        return source

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


class _Stopped(Exception):
    """A partition that was to start after the run was interrupted."""


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
    def verified(self) -> bool:
        return False

    @property
    def captured_at(self) -> datetime | None:
        return None
