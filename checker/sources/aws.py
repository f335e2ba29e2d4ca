"""Live state from the AWS IoT API: ListOTAUpdates, then one GetOTAUpdate per update.

Read-only by construction: `OPERATIONS` lists every call this module can make, and
`ota-drift iam-policy` prints exactly that list. Requests go through a per-operation rate
limit that never exceeds `max_rps`; throttling slows it down and the request is retried.
botocore's own retries are switched off (one attempt) so that every attempt, retries
included, passes the rate limit, and so that no attempt is wasted on LimitExceededException.

Nothing the service says is trusted: every answer is checked to be a well-formed response of
its operation (`checker.sources.answers`) and a malformed one is a failed attempt, retried and
then an error entry; a listing that would never end is an error at once; every error text is
redacted (`checker.redact`) before it leaves this module.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3
import botocore.config
import botocore.exceptions
import botocore.parsers

from checker.chain import CHAIN_FIELD
from checker.errors import UsageError
from checker.model import LiveUpdate, SkippedUpdate, SourceError
from checker.normalise import JOB_HEALTH_FIELD
from checker.redact import redact
from checker.servicemodel import job_health
from checker.sources import answers
from checker.sources.answers import MalformedAnswer
from checker.sources.chain import CHAIN_OPERATIONS, SERVICE, ChainReader, Unanswered
from checker.sources.interface import Progress
from checker.sources.ratelimit import RateLimiter

BASE_OPERATIONS = ("ListOTAUpdates", "GetOTAUpdate")
DEEP_OPERATIONS = ("DescribeJob", "ListTagsForResource")
OPERATIONS = (*BASE_OPERATIONS, *DEEP_OPERATIONS, *CHAIN_OPERATIONS)
"""Every API call this source can make: all List*, Get*, Describe* or Head*."""
ACTIONS = {
    "ListOTAUpdates": ("iot:ListOTAUpdates",),
    "GetOTAUpdate": ("iot:GetOTAUpdate",),
    "DescribeJob": ("iot:DescribeJob",),
    "ListTagsForResource": ("iot:ListTagsForResource",),
    "DescribeSigningJob": ("signer:DescribeSigningJob",),
    "GetSigningProfile": ("signer:GetSigningProfile",),
    "DescribeCertificate": ("acm:DescribeCertificate",),
    "DescribeStream": ("iot:DescribeStream",),
    "HeadObject": ("s3:GetObjectVersion", "s3:GetObject"),
}
"""The IAM actions each call is authorised by. S3 authorises HeadObject as a read of the
object: with a VersionId, by s3:GetObjectVersion; s3:GetObject is granted too because S3's
HeadObject reference names it as the permission HEAD needs, and an object whose version is
the `null` one (written before versioning was enabled) is read under it."""
CHAIN_SERVICES = ("signer", "acm", "s3")
"""The services `--verify` reads besides IoT, each with a client of its own."""

THROTTLING_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "SlowDown",  # S3
    }
)
TRANSIENT_CODES = frozenset(
    {"ServiceUnavailableException", "InternalFailureException", "InternalFailure", "RequestTimeout"}
)
"""Retried with backoff. LimitExceededException is a resource limit, not a rate: not retried."""

PAGE_SIZE = 250
MAX_PAGES = {"ListOTAUpdates": 10_000, "ListTagsForResource": 50}
"""Pages after which a listing that still has a nextToken is an error: 10,000 pages of 250 are
2.5 million OTA updates, far beyond any account; a resource has at most 50 tags, so even one
tag a page ends within 50 pages."""
IDLE_PAGES = 20
"""Pages in a row that bring no new item (every id already listed) after which a listing that
still has a nextToken is an error: a server handing out fresh tokens for the same page would
otherwise take MAX_PAGES pages (17 minutes at the default --max-rps) to be stopped."""
_ITEM_IDENTITY: dict[str, Callable[[Any], Any]] = {
    "ListOTAUpdates": lambda summary: summary["otaUpdateId"],
    "ListTagsForResource": lambda tag: (tag.get("Key"), tag.get("Value")),
}
EXPIRED_CODES = frozenset({"ExpiredTokenException", "ExpiredToken"})
"""The session's credentials expired: worth a retry only with new ones (`Renewal`)."""
MAX_RENEWALS = 3
"""Credential renewals per request before an ExpiredToken answer is an error: a session that
expires again at once will not be cured by a fourth."""
THROTTLE_BUDGET = 5
"""Throttled attempts allowed per request, as a multiple of max_attempts."""
PARSE_FAILURES = (
    botocore.parsers.ResponseParserError,
    ValueError,  # a timestamp botocore cannot read
    TypeError,
    AttributeError,  # botocore's parser meeting an array where the model has an object
    KeyError,
    IndexError,
    OverflowError,
    RecursionError,
)
"""What botocore's response parser raises on an answer that does not fit the model."""


MAX_MESSAGE_CHARS = 300
MAX_CODE_CHARS = 100
"""An error entry quotes the service this far, after redaction (a secret is never cut in half
before it is looked for)."""


def operations(deep: bool, verify: bool = False) -> tuple[str, ...]:
    """The calls a source of that depth makes (`--verify` implies `--deep`)."""
    if verify:
        return OPERATIONS
    return (*BASE_OPERATIONS, *DEEP_OPERATIONS) if deep else BASE_OPERATIONS


def iam_policy(deep: bool, verify: bool = False) -> dict[str, Any]:
    """The least-privilege IAM policy for `check`/`snapshot` (with `deep`, also the job reads;
    with `verify`, also the chain's)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "OtaDriftReadOnly",
                "Effect": "Allow",
                "Action": [a for op in operations(deep, verify) for a in ACTIONS[op]],
                "Resource": "*",
            }
        ],
    }


@dataclass(frozen=True)
class AwsSettings:
    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None
    concurrency: int = 8
    max_rps: float = 10.0
    deep: bool = False
    verify: bool = False
    """Also read the chain behind each file (signing job, profile, certificate, stream, object
    version); implies `deep`."""
    max_attempts: int = 10
    """Failed attempts (5xx, dropped connections) per request before it becomes an error entry;
    throttled attempts have THROTTLE_BUDGET times as many."""
    timeout: float = 30.0
    """Connect and read timeout per attempt, seconds."""


class _Retryable(Exception):
    """An attempt that may succeed if repeated (throttled, 5xx, dropped connection, an answer
    that was not well-formed)."""

    def __init__(self, code: str, message: str, throttled: bool) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.throttled = throttled


@dataclass(frozen=True)
class Renewal:
    """How a source gets new credentials when the service says its session expired (a fleet
    partition's assumed role): `renew` makes the next request sign with fresh ones, `secrets`
    are the values in use, to redact."""

    renew: Callable[[], None]
    secrets: Callable[[], tuple[str, ...]]


class _Expired(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class _Stopped(Exception):
    """The consumer of fetch() went away: a worker ends instead of sending another request."""


class AwsSource:
    """Reads every OTA update of one account and region, as fast as `max_rps` allows."""

    def __init__(
        self,
        settings: AwsSettings,
        progress: Callable[[Progress], None] | None = None,
        client: Any = None,
        sleep: Callable[[float], None] | None = None,
        *,
        renewal: Renewal | None = None,
        origin: str | None = None,
        owner: tuple[str, str] | None = None,
        clients: Mapping[str, Any] | None = None,
    ) -> None:
        """`sleep` replaces the waits (rate limit, backoff) in tests; by default they are
        waits on the stop flag, so that they end the moment fetch()'s consumer stops.
        `renewal` renews expired credentials; `origin` names where updates were read
        (default: the region); `owner` is the (account, region) every answer must be about
        (a fleet partition: an answer naming another account's update is an error);
        `clients` are the Signer, ACM and S3 clients `--verify` reads with, signing as `client`
        does (by default made like it, from `settings`)."""
        self.settings = settings
        self._owner = owner
        self._renewal = renewal
        self._origin = origin
        self._progress = progress
        session = None
        if client is None:
            session = make_session(settings)
            client = make_client(settings, session)
        self._client = client
        self._clients: dict[str, Any] = {"iot": client}
        if settings.verify:
            for service in CHAIN_SERVICES:
                self._clients[service] = (
                    clients[service]
                    if clients is not None and service in clients
                    else make_client(settings, session, service=service)
                )
        for service, each in self._clients.items():
            if service != "s3":  # a HEAD answer has no body to check: check_answer does it all
                each.meta.events.register(
                    f"before-parse.{service}", answers.before_parse, unique_id="ota-drift-answers"
                )
        if "s3" in self._clients:
            self._clients["s3"].meta.events.register(
                "before-sign.s3", _StayInRegion(self.region), unique_id="ota-drift-s3-region"
            )
        self._chain = ChainReader(self._chain_call, self._check_stop)
        self._secrets = credential_values(self._client)
        self._stop = threading.Event()
        self._sleep: Callable[[float], object] = sleep if sleep is not None else self._stop.wait
        self._limits = {op: RateLimiter(settings.max_rps, sleep=self._pause) for op in OPERATIONS}
        self._lock = threading.Lock()
        self._captured_at: datetime | None = None
        self.throttled = 0

    @property
    def captured_at(self) -> datetime | None:
        return self._captured_at

    @property
    def deep(self) -> bool:
        return self.settings.deep or self.settings.verify

    @property
    def verified(self) -> bool:
        """Live updates carry the chain behind each file (`awsChain`)."""
        return self.settings.verify

    @property
    def chain_calls(self) -> int:
        """Chain resources read so far, each once (`--verify`)."""
        return self._chain.calls

    @property
    def region(self) -> str | None:
        return str(self._client.meta.region_name)

    def fetch(self) -> Iterator[LiveUpdate | SourceError | SkippedUpdate]:
        """Each update as it is read. When the consumer stops early (closes the generator, or
        an exception such as KeyboardInterrupt leaves its loop), queued reads are cancelled
        and running ones end before their next request: nothing blocks on them."""
        self._stop.clear()
        self._captured_at = datetime.now(UTC)
        started = time.monotonic()
        try:
            ids = self._list()
        except _Failed as failed:
            yield failed.error
            return
        self._report(0, len(ids), started)
        if not ids:
            return
        pool = ThreadPoolExecutor(
            min(self.settings.concurrency, len(ids)), thread_name_prefix="ota-drift"
        )
        finished = False
        try:
            futures = [pool.submit(self._read, ota_id) for ota_id in ids]
            for done, future in enumerate(as_completed(futures), start=1):
                self._report(done, len(ids), started)
                yield future.result()
            finished = True
        finally:
            if not finished:
                self._stop.set()
            pool.shutdown(wait=finished, cancel_futures=True)

    # --- the calls ------------------------------------------------------------------------

    def _list(self) -> list[str]:
        pages = self._pages("ListOTAUpdates", None, {"maxResults": PAGE_SIZE}, "otaUpdates")
        # an id listed on two pages (the update changed while we paged) is read once
        return list(dict.fromkeys(summary["otaUpdateId"] for summary in pages))

    def _pages(
        self, operation: str, ota_id: str | None, kwargs: dict[str, Any], key: str
    ) -> list[Any]:
        """Every `key` item of a paged call, page after page.

        A listing that would never end is an error at once, since retrying cannot end it: a
        nextToken seen before in this listing (a repeat, or a cycle A, B, A), IDLE_PAGES pages
        in a row that bring no item not seen before, or more than MAX_PAGES pages. An empty
        nextToken ends the listing, as it does for botocore's paginators.
        """
        identity = _ITEM_IDENTITY[operation]
        items: list[Any] = []
        tokens: set[str] = set()
        known: set[Any] = set()
        idle = 0
        token: str | None = None
        for number in range(1, MAX_PAGES[operation] + 1):
            page = self._call(
                operation, ota_id, {**kwargs, "nextToken": token} if token else kwargs
            )
            items.extend(page.get(key, []))
            fresh = {identity(item) for item in page.get(key, [])} - known
            known |= fresh
            idle = 0 if fresh else idle + 1
            token = page.get("nextToken") or None
            if token is None:
                return items
            if token in tokens:
                raise self._endless(
                    ota_id,
                    operation,
                    "RepeatedNextToken",
                    f"page {number} returned a nextToken already seen in this listing "
                    "(a repeat or a cycle)",
                )
            if idle >= IDLE_PAGES:
                raise self._endless(
                    ota_id,
                    operation,
                    "ListingNotAdvancing",
                    f"{idle} pages in a row (up to page {number}) brought nothing not seen "
                    "before, yet each had a nextToken",
                )
            tokens.add(token)
        raise self._endless(
            ota_id,
            operation,
            "TooManyPages",
            f"still a nextToken after {MAX_PAGES[operation]} pages, more than any real account has",
        )

    def _endless(self, ota_id: str | None, operation: str, code: str, why: str) -> _Failed:
        return _Failed(self._error(ota_id, operation, code, f"{why}: the listing would never end"))

    def stop(self) -> None:
        """End the fetch from outside its consumer (a fleet run interrupted): running reads
        end before their next request."""
        self._stop.set()

    def read(self, ota_id: str) -> LiveUpdate | SourceError | SkippedUpdate:
        """One update by id, without listing the account (the Pulumi provider reads one)."""
        return self._read(ota_id)

    def _read(self, ota_id: str) -> LiveUpdate | SourceError | SkippedUpdate:
        try:
            response = self._call("GetOTAUpdate", ota_id, {"otaUpdateId": ota_id})
        except _Failed as failed:
            if failed.error.code == "ResourceNotFoundException":
                return SkippedUpdate(ota_id, "deleted between ListOTAUpdates and GetOTAUpdate")
            return failed.error
        info = dict(response["otaUpdateInfo"])
        foreign = self._foreign(info)
        if foreign is not None:
            return self._error(ota_id, "GetOTAUpdate", "ForeignAnswer", foreign)
        if self.deep:
            try:
                info.update(self._deep(ota_id, info))
            except _Failed as failed:
                return failed.error
        if self.settings.verify:
            try:
                info[CHAIN_FIELD] = self._chain.read(ota_id, info)
            except Unanswered as unanswered:
                return unanswered.error
        return LiveUpdate(ota_id, info, origin=self._origin or f"{self.region}")

    def _foreign(self, info: Mapping[str, Any]) -> str | None:
        """Why an answer is not about the owner's account and region, or None."""
        return self._foreign_arns((("otaUpdateArn",), ("awsIotJobArn",)), info)

    def _foreign_arns(
        self, paths: tuple[tuple[str, ...], ...], answer: Mapping[str, Any], what: str = "update"
    ) -> str | None:
        """Why an ARN at one of `paths` of `answer` is not in the owner's account and region,
        or None (no owner, or every ARN there is the owner's)."""
        if self._owner is None:
            return None
        account, region = self._owner
        for path in paths:
            arn: Any = answer
            for step in path:
                arn = arn.get(step) if isinstance(arn, Mapping) else None
            key = ".".join(path)
            if arn is None:
                continue
            parts = str(arn).split(":", 5)
            if len(parts) < 6 or parts[3] != region or parts[4] != account:
                return (
                    f"{key} {str(arn)[:120]!r} is not in account {account}, region {region}: "
                    f"the answer is about another partition's {what}"
                )
        return None

    def _deep(self, ota_id: str, info: Mapping[str, Any]) -> dict[str, Any]:
        """The job's abort and timeout config and the update's tags, in CreateOTAUpdate names
        (compared for drift), and the job's health under `JOB_HEALTH_FIELD` (judged by the
        rollout-health rules, never compared)."""
        extra: dict[str, Any] = {}
        job_id = info.get("awsIotJobId")
        if job_id:
            job = self._call("DescribeJob", ota_id, {"jobId": job_id}).get("job", {})
            health = job_health(job)
            if health:
                extra[JOB_HEALTH_FIELD] = health
            criteria = (job.get("abortConfig") or {}).get("criteriaList")
            if criteria:
                extra["awsJobAbortConfig"] = {"abortCriteriaList": criteria}
            timeout = job.get("timeoutConfig") or {}
            if timeout.get("inProgressTimeoutInMinutes") is not None:
                extra["awsJobTimeoutConfig"] = {
                    "inProgressTimeoutInMinutes": timeout["inProgressTimeoutInMinutes"]
                }
        arn = info.get("otaUpdateArn")
        if arn:
            tags = self._pages("ListTagsForResource", ota_id, {"resourceArn": arn}, "tags")
            if tags:
                extra["tags"] = tags
        return extra

    def _chain_call(self, operation: str, ota_id: str, kwargs: dict[str, Any]) -> Any:
        """A chain read for ChainReader: its failure is Unanswered, for the reader to judge."""
        try:
            answer = self._call(operation, ota_id, kwargs)
        except _Failed as failed:
            raise Unanswered(failed.error) from None
        foreign = self._foreign_arns(_CHAIN_ARNS.get(operation, ()), answer, "resource")
        if foreign is not None:
            raise Unanswered(self._error(ota_id, operation, "ForeignAnswer", foreign))
        return answer

    def _check_stop(self) -> None:
        if self._stop.is_set():
            raise _Stopped

    def _call(self, operation: str, ota_id: str | None, kwargs: dict[str, Any]) -> Any:
        """One API call under the operation's rate limit, retried while that can help.

        Failures (5xx, dropped connections, malformed answers) may use `max_attempts` attempts;
        throttled answers have their own budget, THROTTLE_BUDGET times larger: each already
        waits for the slowed-down limiter, and a --max-rps far above the account's quota must
        slow the audit down, not turn updates into errors. The answer returned is well-formed.
        """
        client = self._clients[SERVICE.get(operation, "iot")]
        method = getattr(client, _snake(operation))
        model = client.meta.service_model.operation_model(operation)
        failures = throttles = renewals = 0
        while True:
            if self._stop.is_set():
                raise _Stopped
            self._limits[operation].acquire()
            try:
                return _attempt(method, model, kwargs, renewable=self._renewal is not None)
            except _Expired as expired:
                renewals += 1
                if self._renewal is None or renewals > MAX_RENEWALS:
                    raise _Failed(
                        self._error(ota_id, operation, expired.code, expired.message)
                    ) from None
                self._renew()
            except _Retryable as retry:
                if retry.throttled:
                    throttles += 1
                    self._limits[operation].throttled()
                    with self._lock:
                        self.throttled += 1
                else:
                    failures += 1
                if (
                    failures >= self.settings.max_attempts
                    or throttles >= THROTTLE_BUDGET * self.settings.max_attempts
                ):
                    raise _Failed(
                        self._error(
                            ota_id,
                            operation,
                            retry.code,
                            f"{retry.message} (gave up after {failures + throttles} attempts)",
                        )
                    ) from None
                self._pause(_backoff(failures + min(throttles, 3)))
            except botocore.exceptions.ClientError as exc:
                error = exc.response.get("Error", {})
                raise _Failed(
                    self._error(
                        ota_id, operation, str(error.get("Code", "ClientError")), _message(error)
                    )
                ) from None
            except botocore.exceptions.BotoCoreError as exc:  # no credentials, bad endpoint,
                # a fleet partition's credentials that could not be renewed (their own code)
                code = str(getattr(exc, "code", "") or type(exc).__name__)
                raise _Failed(self._error(ota_id, operation, code, str(exc))) from None

    def _renew(self) -> None:
        """New credentials for the next attempt, and their values redacted from then on."""
        assert self._renewal is not None
        try:
            self._renewal.renew()
            fresh = self._renewal.secrets()
        except Exception:  # the renewal itself failing shows in the next attempt's answer
            return
        with self._lock:
            self._secrets = tuple(dict.fromkeys((*self._secrets, *fresh)))

    def _pause(self, seconds: float) -> None:
        """Wait (rate limit, backoff), unless fetch()'s consumer has stopped or stops meanwhile."""
        self._sleep(seconds)
        if self._stop.is_set():
            raise _Stopped

    def _error(self, ota_id: str | None, operation: str, code: str, message: str) -> SourceError:
        """The SourceError, with credentials and signatures redacted from what the service said."""
        message = redact(_one_line(message), self._secrets) or "no message"
        return SourceError(
            ota_id,
            operation,
            redact(_one_line(code), self._secrets)[:MAX_CODE_CHARS],
            message
            if len(message) <= MAX_MESSAGE_CHARS
            else message[: MAX_MESSAGE_CHARS - 3] + "...",
        )

    def _report(self, done: int, total: int, started: float) -> None:
        if self._progress is not None:
            self._progress(Progress(done, total, self.throttled, time.monotonic() - started))


_CHAIN_ARNS: dict[str, tuple[tuple[str, ...], ...]] = {
    "GetSigningProfile": (("arn",), ("profileVersionArn",)),
    "DescribeStream": (("streamInfo", "streamArn"),),
}
"""Where a chain answer names its own resource by ARN: in a fleet partition it must be the
partition's, as the OTA update's own ARNs must."""


class LeftRegion(botocore.exceptions.BotoCoreError):
    """botocore's S3 region redirector sent a request elsewhere: to the bucket's region (a
    301 or a 400 answer), or as a HeadBucket to find it. The chain is read in the partition's
    region and with the calls `iam-policy` prints, nothing else."""

    fmt = "{detail}"
    code = "S3RegionRedirect"


class _StayInRegion:
    """A `before-sign.s3` handler refusing any S3 request but HeadObject in `region`."""

    def __init__(self, region: str | None) -> None:
        self._region = region

    def __call__(self, request: Any, operation_name: str = "", **_: Any) -> None:
        signing = request.context.get("signing", {}) if hasattr(request, "context") else {}
        region = signing.get("region") or self._region
        if operation_name != "HeadObject":
            raise LeftRegion(
                detail=f"botocore's S3 region redirector asked {operation_name} to find the "
                "bucket's region: the bucket is not in this region, and that call is not one "
                "ota-drift makes"
            )
        if region != self._region:
            raise LeftRegion(
                detail=f"S3 redirected HeadObject to {region!r}: the bucket is not in "
                f"{self._region!r}, where the update is"
            )


class _Failed(Exception):
    def __init__(self, error: SourceError) -> None:
        super().__init__(error.message)
        self.error = error


def _attempt(
    method: Callable[..., Any], model: Any, kwargs: dict[str, Any], *, renewable: bool = False
) -> Any:
    """One HTTP request; transient failures and malformed answers become _Retryable, an
    expired session _Expired when the source can renew it."""
    try:
        answer = method(**kwargs)
        answers.check_answer(model, kwargs, answer)
        return answer
    except MalformedAnswer as exc:
        raise _Retryable(answers.CODE, str(exc), throttled=False) from None
    except botocore.exceptions.ClientError as exc:
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
        head = model.name == "HeadObject"  # S3's HEAD errors have no body: only a status
        if renewable and (code in EXPIRED_CODES or (head and code == "400")):
            # an expired session on HEAD is a bare 400: renewing (at most MAX_RENEWALS
            # times) costs little, and a 400 that is not expiry comes back as itself
            raise _Expired(code, _message(error)) from None
        if code in THROTTLING_CODES or (head and status == 503):  # SlowDown, without a body
            raise _Retryable(code, _message(error), throttled=True) from None
        if code in TRANSIENT_CODES or status >= 500:
            raise _Retryable(code or f"HTTP{status}", _message(error), throttled=False) from None
        raise
    except (
        botocore.exceptions.ConnectionError,  # refused, reset, closed, timed out
        botocore.exceptions.HTTPClientError,
    ) as exc:
        raise _Retryable(type(exc).__name__, str(exc), throttled=False) from None
    except botocore.exceptions.BotoCoreError:
        raise  # not an answer at all: no credentials, a bad parameter
    except PARSE_FAILURES as exc:
        detail = _one_line(str(exc))  # cut short only once redacted (AwsSource._error)
        raise _Retryable(
            answers.CODE,
            f"botocore could not parse the answer: {type(exc).__name__}: {detail}",
            throttled=False,
        ) from None


def _backoff(attempt: int) -> float:
    """Full-jitter exponential backoff: 0..min(20, 0.2 * 2**attempt) seconds."""
    return random.uniform(0, min(20.0, 0.2 * 2**attempt))


def _message(error: Mapping[str, Any]) -> str:
    return _one_line(str(error.get("Message", ""))) or "no message"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _snake(operation: str) -> str:
    return {
        "ListOTAUpdates": "list_ota_updates",
        "GetOTAUpdate": "get_ota_update",
        "DescribeJob": "describe_job",
        "ListTagsForResource": "list_tags_for_resource",
        "DescribeSigningJob": "describe_signing_job",
        "GetSigningProfile": "get_signing_profile",
        "DescribeCertificate": "describe_certificate",
        "DescribeStream": "describe_stream",
        "HeadObject": "head_object",
    }[operation]


def _check_region(settings: AwsSettings) -> None:
    if settings.region is not None and not settings.region.strip():
        raise UsageError("--region is empty (an unset shell variable?)")


def make_session(settings: AwsSettings) -> boto3.Session:
    """The session of `settings`' profile and region; a fault of its configuration is a
    UsageError."""
    _check_region(settings)
    try:
        return boto3.Session(profile_name=settings.profile, region_name=settings.region)
    except botocore.exceptions.ProfileNotFound as exc:
        raise UsageError(redact(str(exc))) from None
    except botocore.exceptions.BotoCoreError as exc:  # an AWS config file it cannot read
        raise UsageError(f"cannot read the AWS configuration: {_redacted(exc)}") from None


def make_client(
    settings: AwsSettings,
    session: boto3.Session | None = None,
    own_errors: tuple[type[Exception], ...] = (),
    *,
    service: str = "iot",
) -> Any:
    """A client of `service` (IoT by default; Signer, ACM or S3 for `--verify`) with retries
    configured explicitly: one attempt, ours do the rest. `session` signs as a fleet
    partition's identity; by default the profile's. A fault of its credentials is a
    UsageError, but for `own_errors`, which the caller reports itself (a fleet partition's
    renewal that failed). `--endpoint-url` is IoT's; the others take botocore's own
    per-service settings (`AWS_ENDPOINT_URL_SIGNER`, ...)."""
    _check_region(settings)
    if session is None:
        session = make_session(settings)
    try:
        region = settings.region or session.region_name
    except botocore.exceptions.BotoCoreError as exc:  # an AWS config file it cannot read
        raise UsageError(f"cannot read the AWS configuration: {_redacted(exc)}") from None
    if region is None:
        raise UsageError("no AWS region: pass --region or set AWS_DEFAULT_REGION")
    config = botocore.config.Config(
        retries={"mode": "standard", "total_max_attempts": 1},
        max_pool_connections=max(10, settings.concurrency),
        connect_timeout=settings.timeout,
        read_timeout=settings.timeout,
        user_agent_extra="ota-drift",
    )
    try:  # resolves the credentials: a credential_process or SSO cache is read here
        client = session.client(  # type: ignore[call-overload]  # boto3-stubs type each
            # service by its literal name; `service` is one of CHAIN_SERVICES or "iot"
            service,
            region_name=region,
            endpoint_url=settings.endpoint_url if service == "iot" else None,
            config=config,
        )
    except own_errors:
        raise
    except Exception as exc:  # a bad --endpoint-url (ValueError), or any fault
        # of a credential provider: no JSON, `[1]` (AttributeError), numbers as keys (TypeError)
        raise UsageError(f"cannot set up the AWS client: {_redacted(exc)}") from None
    try:  # once now, so that a provider's fault is one line here, not at every request
        credentials = session.get_credentials()
        if credentials is not None:
            credentials.get_frozen_credentials()
    except own_errors:
        raise
    except Exception as exc:  # any fault of a provider: expired, `[1]`, numbers as keys...
        raise UsageError(f"cannot get AWS credentials: {_redacted(exc)}") from None
    return client


def _redacted(exc: BaseException) -> str:
    """An exception's text on one line, redacted: a credential provider's output can hold
    the very secrets it failed to deliver, unlabelled, so key-shaped words go too."""
    return redact(_one_line(str(exc)), provider_output=True)


def credential_values(client: Any) -> tuple[str, ...]:
    """The access key id, secret key and session token `client` signs with, to redact.

    Empty when none could be resolved: then the failure to resolve them is what gets
    reported, and redact's patterns are all that applies.
    """
    try:
        # botocore has no public accessor for a client's credentials; this is the one its
        # request signer uses (BaseClient._get_credentials, present since botocore 1.x).
        credentials = client._get_credentials()
        frozen = credentials.get_frozen_credentials() if credentials is not None else None
    except Exception:  # a failed refresh, a Stubber's client without credentials
        return ()
    if frozen is None:
        return ()
    return tuple(v for v in (frozen.access_key, frozen.secret_key, frozen.token) if v)
