"""Live state from the AWS IoT API: ListOTAUpdates, then one GetOTAUpdate per update.

Read-only by construction: `OPERATIONS` lists every call this module can make, and
`ota-drift iam-policy` prints exactly that list. Requests go through a per-operation rate
limit that never exceeds `max_rps`; throttling slows it down and the request is retried.
botocore's own retries are switched off (one attempt) so that every attempt, retries
included, passes the rate limit, and so that no attempt is wasted on LimitExceededException.
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

from checker.errors import UsageError
from checker.model import LiveUpdate, SkippedUpdate, SourceError
from checker.sources.ratelimit import RateLimiter

BASE_OPERATIONS = ("ListOTAUpdates", "GetOTAUpdate")
DEEP_OPERATIONS = ("DescribeJob", "ListTagsForResource")
OPERATIONS = (*BASE_OPERATIONS, *DEEP_OPERATIONS)
"""Every API call this source can make: all List*, Get* or Describe*."""

THROTTLING_CODES = frozenset(
    {"ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded"}
)
TRANSIENT_CODES = frozenset(
    {"ServiceUnavailableException", "InternalFailureException", "InternalFailure", "RequestTimeout"}
)
"""Retried with backoff. LimitExceededException is a resource limit, not a rate: not retried."""

PAGE_SIZE = 250
THROTTLE_BUDGET = 5
"""Throttled attempts allowed per request, as a multiple of max_attempts."""


def iam_policy(deep: bool) -> dict[str, Any]:
    """The least-privilege IAM policy for `check`/`snapshot` (with `deep`, also the job reads)."""
    operations = OPERATIONS if deep else BASE_OPERATIONS
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "OtaDriftReadOnly",
                "Effect": "Allow",
                "Action": [f"iot:{op}" for op in operations],
                "Resource": "*",
            }
        ],
    }


@dataclass(frozen=True)
class Progress:
    """What the CLI's progress bar shows; the core never touches a terminal."""

    done: int
    total: int
    throttled: int
    elapsed: float


@dataclass(frozen=True)
class AwsSettings:
    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None
    concurrency: int = 8
    max_rps: float = 10.0
    deep: bool = False
    max_attempts: int = 10
    """Failed attempts (5xx, dropped connections) per request before it becomes an error entry;
    throttled attempts have THROTTLE_BUDGET times as many."""
    timeout: float = 30.0
    """Connect and read timeout per attempt, seconds."""


class _Retryable(Exception):
    """An attempt that may succeed if repeated (throttled, 5xx, dropped connection)."""

    def __init__(self, code: str, message: str, throttled: bool) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.throttled = throttled


class AwsSource:
    """Reads every OTA update of one account and region, as fast as `max_rps` allows."""

    def __init__(
        self,
        settings: AwsSettings,
        progress: Callable[[Progress], None] | None = None,
        client: Any = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self._progress = progress
        self._client = client if client is not None else make_client(settings)
        self._sleep = sleep
        self._limits = {op: RateLimiter(settings.max_rps, sleep=sleep) for op in OPERATIONS}
        self._lock = threading.Lock()
        self._captured_at: datetime | None = None
        self.throttled = 0
        self.calls: dict[str, int] = dict.fromkeys(OPERATIONS, 0)

    @property
    def captured_at(self) -> datetime | None:
        return self._captured_at

    @property
    def live_job_config(self) -> bool:
        return self.settings.deep

    @property
    def region(self) -> str | None:
        return str(self._client.meta.region_name)

    def fetch(self) -> Iterator[LiveUpdate | SourceError | SkippedUpdate]:
        self._captured_at = datetime.now(UTC)
        started = time.monotonic()
        try:
            ids = self._list()
        except _Failed as failed:
            yield failed.error
            return
        self._report(0, len(ids), started)
        workers = max(1, min(self.settings.concurrency, len(ids)))
        with ThreadPoolExecutor(workers, thread_name_prefix="ota-drift") as pool:
            futures = [pool.submit(self._read, ota_id) for ota_id in ids]
            for done, future in enumerate(as_completed(futures), start=1):
                self._report(done, len(ids), started)
                yield future.result()

    # --- the calls ------------------------------------------------------------------------

    def _list(self) -> list[str]:
        ids: list[str] = []
        token: str | None = None
        while True:
            kwargs: dict[str, Any] = {"maxResults": PAGE_SIZE}
            if token:
                kwargs["nextToken"] = token
            page = self._call("ListOTAUpdates", None, kwargs)
            ids.extend(s["otaUpdateId"] for s in page.get("otaUpdates", []))
            token = page.get("nextToken")
            if not token:
                return list(dict.fromkeys(ids))  # a repeated id across pages is read once

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
        if self.settings.deep:
            try:
                info.update(self._deep(ota_id, info))
            except _Failed as failed:
                return failed.error
        return LiveUpdate(ota_id, info, origin=f"{self.region}")

    def _deep(self, ota_id: str, info: Mapping[str, Any]) -> dict[str, Any]:
        """The job's abort and timeout config and the update's tags, in CreateOTAUpdate names."""
        extra: dict[str, Any] = {}
        job_id = info.get("awsIotJobId")
        if job_id:
            job = self._call("DescribeJob", ota_id, {"jobId": job_id}).get("job", {})
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
            tags: list[dict[str, Any]] = []
            token: str | None = None
            while True:
                kwargs: dict[str, Any] = {"resourceArn": arn}
                if token:
                    kwargs["nextToken"] = token
                page = self._call("ListTagsForResource", ota_id, kwargs)
                tags.extend(page.get("tags", []))
                token = page.get("nextToken")
                if not token:
                    break
            if tags:
                extra["tags"] = tags
        return extra

    def _call(self, operation: str, ota_id: str | None, kwargs: dict[str, Any]) -> Any:
        """One API call under the operation's rate limit, retried while that can help.

        Failures (5xx, dropped connections) may use `max_attempts` attempts; throttled answers
        have their own budget, THROTTLE_BUDGET times larger: each already waits for the
        slowed-down limiter, and a --max-rps far above the account's quota must slow the
        audit down, not turn updates into errors.
        """
        method = getattr(self._client, _snake(operation))
        failures = throttles = 0
        while True:
            self._limits[operation].acquire()
            try:
                with self._lock:
                    self.calls[operation] += 1
                return _attempt(method, kwargs)
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
                        SourceError(
                            ota_id,
                            operation,
                            retry.code,
                            f"{retry.message} (gave up after {failures + throttles} attempts)",
                        )
                    ) from None
                self._sleep(_backoff(failures + min(throttles, 3)))
            except botocore.exceptions.ClientError as exc:
                error = exc.response.get("Error", {})
                raise _Failed(
                    SourceError(
                        ota_id, operation, str(error.get("Code", "ClientError")), _message(error)
                    )
                ) from None
            except botocore.exceptions.BotoCoreError as exc:  # no credentials, bad endpoint...
                raise _Failed(
                    SourceError(ota_id, operation, type(exc).__name__, str(exc))
                ) from None

    def _report(self, done: int, total: int, started: float) -> None:
        if self._progress is not None:
            self._progress(Progress(done, total, self.throttled, time.monotonic() - started))


class _Failed(Exception):
    def __init__(self, error: SourceError) -> None:
        super().__init__(error.message)
        self.error = error


def _attempt(method: Callable[..., Any], kwargs: dict[str, Any]) -> Any:
    """One HTTP request; transient failures become _Retryable, others propagate."""
    try:
        return method(**kwargs)
    except botocore.exceptions.ClientError as exc:
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
        if code in THROTTLING_CODES:
            raise _Retryable(code, _message(error), throttled=True) from None
        if code in TRANSIENT_CODES or status >= 500:
            raise _Retryable(code or f"HTTP{status}", _message(error), throttled=False) from None
        raise
    except (
        botocore.exceptions.ConnectionError,  # refused, reset, closed, timed out
        botocore.exceptions.HTTPClientError,
    ) as exc:
        raise _Retryable(type(exc).__name__, str(exc), throttled=False) from None


def _backoff(attempt: int) -> float:
    """Full-jitter exponential backoff: 0..min(20, 0.2 * 2**attempt) seconds."""
    return random.uniform(0, min(20.0, 0.2 * 2**attempt))


def _message(error: Mapping[str, Any]) -> str:
    return " ".join(str(error.get("Message", "")).split()) or "no message"


def _snake(operation: str) -> str:
    return {
        "ListOTAUpdates": "list_ota_updates",
        "GetOTAUpdate": "get_ota_update",
        "DescribeJob": "describe_job",
        "ListTagsForResource": "list_tags_for_resource",
    }[operation]


def make_client(settings: AwsSettings) -> Any:
    """An IoT client with retries configured explicitly: one attempt, ours do the rest."""
    if settings.region is not None and not settings.region.strip():
        raise UsageError("--region is empty (an unset shell variable?)")
    try:
        session = boto3.Session(profile_name=settings.profile, region_name=settings.region)
    except botocore.exceptions.ProfileNotFound as exc:
        raise UsageError(str(exc)) from None
    if session.region_name is None:
        raise UsageError("no AWS region: pass --region or set AWS_DEFAULT_REGION")
    config = botocore.config.Config(
        retries={"mode": "standard", "total_max_attempts": 1},
        max_pool_connections=max(10, settings.concurrency),
        connect_timeout=settings.timeout,
        read_timeout=settings.timeout,
        user_agent_extra="ota-drift",
    )
    return session.client("iot", endpoint_url=settings.endpoint_url, config=config)
