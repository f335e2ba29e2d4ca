"""AwsSource, RateLimiter and make_client at unit level: botocore's Stubber and a fake clock."""

from __future__ import annotations

import contextlib
import json
import math
import re
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.model import OperationModel
from botocore.stub import Stubber

from checker.errors import UsageError
from checker.model import LiveUpdate, SkippedUpdate, SourceError
from checker.redact import MARKER
from checker.sources import aws
from checker.sources.answers import (
    BODY_CHECKED,
    MalformedAnswer,
    before_parse,
    check_answer,
    check_body,
)
from checker.sources.aws import (
    IDLE_PAGES,
    THROTTLE_BUDGET,
    AwsSettings,
    AwsSource,
    make_client,
)
from checker.sources.interface import Progress
from checker.sources.ratelimit import DEBOUNCE, MIN_RATE, RateLimiter
from tests.support.iot_endpoint import DEFAULT_REGION, LocalIot

pytestmark = pytest.mark.usefixtures("aws_env")

REGION = DEFAULT_REGION
ACCOUNT = "123456789012"
TARGET = f"arn:aws:iot:{REGION}:{ACCOUNT}:thinggroup/sensors"
CREATED = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
CRITERIA = [
    {
        "failureType": "FAILED",
        "action": "CANCEL",
        "thresholdPercentage": 20.0,
        "minNumberOfExecutedThings": 100,
    },
    {
        "failureType": "TIMED_OUT",
        "action": "CANCEL",
        "thresholdPercentage": 50.0,
        "minNumberOfExecutedThings": 10,
    },
]
BACKOFF_UNIT = 100.0
"""_backoff is replaced by attempt * BACKOFF_UNIT, so backoff sleeps stand out from the rest."""


def arn(ota_update_id: str) -> str:
    return f"arn:aws:iot:{REGION}:{ACCOUNT}:otaupdate/{ota_update_id}"


def summary(ota_update_id: str) -> dict[str, Any]:
    """One ListOTAUpdates entry."""
    return {
        "otaUpdateId": ota_update_id,
        "otaUpdateArn": arn(ota_update_id),
        "creationDate": CREATED,
    }


def info(ota_update_id: str, **extra: Any) -> dict[str, Any]:
    """A GetOTAUpdate otaUpdateInfo (as boto3 returns it)."""
    return {
        "otaUpdateId": ota_update_id,
        "otaUpdateArn": arn(ota_update_id),
        "creationDate": CREATED,
        "targets": [TARGET],
        "otaUpdateFiles": [
            {"fileName": "fw.bin", "fileLocation": {"stream": {"streamId": "s1", "fileId": 0}}}
        ],
        "otaUpdateStatus": "CREATE_COMPLETE",
        **extra,
    }


@pytest.fixture
def stubber() -> Iterator[Stubber]:
    """A Stubber on a real IoT client; every queued response must have been used."""
    client = boto3.client("iot", region_name=REGION)
    with Stubber(client) as stub:
        yield stub
        stub.assert_no_pending_responses()
    client.close()


@pytest.fixture
def calls(stubber: Stubber) -> Counter[str]:
    """Every request the stubbed client is asked to send, by operation: each attempt counts."""
    sent: Counter[str] = Counter()

    def count(model: OperationModel, **_: Any) -> None:
        sent[model.name] += 1

    stubber.client.meta.events.register("before-parameter-build.iot", count)
    return sent


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every sleep the source asks for; backoff sleeps are attempt * BACKOFF_UNIT."""
    monkeypatch.setattr(aws, "_backoff", lambda attempt: attempt * BACKOFF_UNIT)
    return []


def make_source(stubber: Stubber, sleeps: list[float], **settings: Any) -> AwsSource:
    """A source on the stubbed client: one worker (Stubber is ordered), no real sleeping."""
    options: dict[str, Any] = {"concurrency": 1, "max_rps": 1e9, **settings}
    return AwsSource(AwsSettings(**options), client=stubber.client, sleep=sleeps.append)


def backoffs(sleeps: list[float]) -> list[float]:
    return [s for s in sleeps if s >= BACKOFF_UNIT]


def listing(stubber: Stubber, *pages: list[str]) -> None:
    """Queue ListOTAUpdates pages t1, t2, … holding `pages` ids."""
    for number, ids in enumerate(pages):
        params: dict[str, Any] = {"maxResults": 250}
        if number:
            params["nextToken"] = f"t{number}"
        response: dict[str, Any] = {"otaUpdates": [summary(i) for i in ids]}
        if number < len(pages) - 1:
            response["nextToken"] = f"t{number + 1}"
        stubber.add_response("list_ota_updates", response, params)


def get_ok(stubber: Stubber, ota_update_id: str, **extra: Any) -> None:
    stubber.add_response(
        "get_ota_update",
        {"otaUpdateInfo": info(ota_update_id, **extra)},
        {"otaUpdateId": ota_update_id},
    )


def get_error(stubber: Stubber, ota_update_id: str, code: str, status: int, message: str) -> None:
    stubber.add_client_error(
        "get_ota_update",
        service_error_code=code,
        service_message=message,
        http_status_code=status,
        expected_params={"otaUpdateId": ota_update_id},
    )


def by_id(items: list[Any]) -> list[Any]:
    return sorted(items, key=lambda i: (type(i).__name__, i.ota_update_id or ""))


# --------------------------------------------------------------------------------------------
# AwsSource with Stubber


def test_lists_two_pages_then_reads_each_update(
    stubber: Stubber, sleeps: list[float], calls: Counter[str]
) -> None:
    """ListOTAUpdates is followed over two pages and every listed update is read once."""
    listing(stubber, ["fw-1", "fw-2"], ["fw-3"])
    for ota_update_id in ("fw-1", "fw-2", "fw-3"):
        get_ok(stubber, ota_update_id)
    source = make_source(stubber, sleeps)
    items = list(source.fetch())
    assert by_id(items) == [
        LiveUpdate("fw-1", info("fw-1"), origin=REGION),
        LiveUpdate("fw-2", info("fw-2"), origin=REGION),
        LiveUpdate("fw-3", info("fw-3"), origin=REGION),
    ]
    assert dict(calls) == {"ListOTAUpdates": 2, "GetOTAUpdate": 3}
    assert (source.throttled, sleeps) == (0, [])


def test_an_id_listed_on_two_pages_is_read_once(stubber: Stubber, sleeps: list[float]) -> None:
    """An id repeated across pages (an update changed during paging) is read only once."""
    listing(stubber, ["fw-1", "fw-2"], ["fw-2", "fw-3"])
    for ota_update_id in ("fw-1", "fw-2", "fw-3"):
        get_ok(stubber, ota_update_id)
    items = list(make_source(stubber, sleeps).fetch())
    assert [i.ota_update_id for i in by_id(items)] == ["fw-1", "fw-2", "fw-3"]


def test_source_properties(stubber: Stubber, sleeps: list[float]) -> None:
    """region comes from the client, deep is --deep, captured_at is set by fetch."""
    listing(stubber, [])
    source = make_source(stubber, sleeps, deep=True)
    assert (source.region, source.deep, source.captured_at) == (REGION, True, None)
    before = datetime.now(UTC)
    assert list(source.fetch()) == []
    assert source.captured_at is not None
    assert before <= source.captured_at <= datetime.now(UTC)
    assert make_source(stubber, sleeps).deep is False


def test_progress_reports_done_total_and_throttled(stubber: Stubber, sleeps: list[float]) -> None:
    """The progress callback sees 0/N first, then each completion, with throttled retries."""
    listing(stubber, ["fw-1", "fw-2"])
    get_error(stubber, "fw-1", "ThrottlingException", 400, "Rate exceeded")
    get_ok(stubber, "fw-1")
    get_ok(stubber, "fw-2")
    seen: list[Progress] = []
    source = AwsSource(
        AwsSettings(concurrency=1, max_rps=1e9),
        progress=seen.append,
        client=stubber.client,
        sleep=sleeps.append,
    )
    assert len(list(source.fetch())) == 2
    assert [(p.done, p.total, p.throttled) for p in seen] == [(0, 2, 0), (1, 2, 1), (2, 2, 1)]
    assert all(p.elapsed >= 0 for p in seen)


def test_resource_not_found_is_skipped(
    stubber: Stubber, sleeps: list[float], calls: Counter[str]
) -> None:
    """ResourceNotFoundException on GetOTAUpdate: a SkippedUpdate with its reason, no retry."""
    listing(stubber, ["fw-1", "fw-2"])
    get_error(stubber, "fw-1", "ResourceNotFoundException", 404, "OTAUpdate fw-1 does not exist")
    get_ok(stubber, "fw-2")
    source = make_source(stubber, sleeps)
    assert by_id(list(source.fetch())) == [
        LiveUpdate("fw-2", info("fw-2"), origin=REGION),
        SkippedUpdate("fw-1", "deleted between ListOTAUpdates and GetOTAUpdate"),
    ]
    assert calls["GetOTAUpdate"] == 2
    assert sleeps == []


@pytest.mark.parametrize(
    ("code", "status"), [("AccessDeniedException", 403), ("UnauthorizedException", 401)]
)
def test_denied_is_an_error_with_exact_fields(
    stubber: Stubber, sleeps: list[float], calls: Counter[str], code: str, status: int
) -> None:
    """AccessDenied/Unauthorized: a SourceError (id, operation, code, one-line message)."""
    listing(stubber, ["fw-1", "fw-2"])
    get_error(stubber, "fw-1", code, status, "User: u is not\n   authorized to perform:\tGet")
    get_ok(stubber, "fw-2")
    source = make_source(stubber, sleeps)
    assert by_id(list(source.fetch())) == [
        LiveUpdate("fw-2", info("fw-2"), origin=REGION),
        SourceError("fw-1", "GetOTAUpdate", code, "User: u is not authorized to perform: Get"),
    ]
    assert calls["GetOTAUpdate"] == 2  # not retried
    assert sleeps == []


def test_limit_exceeded_is_not_retried(
    stubber: Stubber, sleeps: list[float], calls: Counter[str]
) -> None:
    """LimitExceededException is a resource limit, not a rate: exactly one call, no backoff."""
    listing(stubber, ["fw-1"])
    get_error(stubber, "fw-1", "LimitExceededException", 410, "Too many things")
    source = make_source(stubber, sleeps)
    assert list(source.fetch()) == [
        SourceError("fw-1", "GetOTAUpdate", "LimitExceededException", "Too many things")
    ]
    assert calls["GetOTAUpdate"] == 1
    assert (source.throttled, backoffs(sleeps)) == (0, [])


def test_throttling_is_retried_then_succeeds(
    stubber: Stubber, sleeps: list[float], calls: Counter[str]
) -> None:
    """ThrottlingException twice, then success: three calls, two backoffs, counted throttled."""
    listing(stubber, ["fw-1"])
    get_error(stubber, "fw-1", "ThrottlingException", 400, "Rate exceeded")
    get_error(stubber, "fw-1", "ThrottlingException", 400, "Rate exceeded")
    get_ok(stubber, "fw-1")
    source = make_source(stubber, sleeps)
    assert list(source.fetch()) == [LiveUpdate("fw-1", info("fw-1"), origin=REGION)]
    assert calls["GetOTAUpdate"] == 3
    assert source.throttled == 2
    assert backoffs(sleeps) == [1 * BACKOFF_UNIT, 2 * BACKOFF_UNIT]


@pytest.mark.parametrize(
    ("code", "status"),
    [("ServiceUnavailableException", 503), ("InternalFailureException", 500), ("Oops", 502)],
)
def test_server_errors_are_retried_without_counting_as_throttled(
    stubber: Stubber, sleeps: list[float], calls: Counter[str], code: str, status: int
) -> None:
    """5xx answers are retried after a backoff and are not counted as throttling."""
    listing(stubber, ["fw-1"])
    get_error(stubber, "fw-1", code, status, "try again")
    get_ok(stubber, "fw-1")
    source = make_source(stubber, sleeps)
    assert list(source.fetch()) == [LiveUpdate("fw-1", info("fw-1"), origin=REGION)]
    assert (calls["GetOTAUpdate"], source.throttled) == (2, 0)
    assert backoffs(sleeps) == [BACKOFF_UNIT]


def test_gives_up_after_max_attempts(
    stubber: Stubber, sleeps: list[float], calls: Counter[str]
) -> None:
    """Still failing (503) after max_attempts: an error entry saying so, the others still read."""
    listing(stubber, ["fw-1", "fw-2"])
    for _ in range(3):
        get_error(stubber, "fw-1", "ServiceUnavailableException", 503, "Service unavailable")
    get_ok(stubber, "fw-2")
    source = make_source(stubber, sleeps, max_attempts=3)
    assert by_id(list(source.fetch())) == [
        LiveUpdate("fw-2", info("fw-2"), origin=REGION),
        SourceError(
            "fw-1",
            "GetOTAUpdate",
            "ServiceUnavailableException",
            "Service unavailable (gave up after 3 attempts)",
        ),
    ]
    assert calls["GetOTAUpdate"] == 4
    assert backoffs(sleeps) == [BACKOFF_UNIT, 2 * BACKOFF_UNIT]


def test_throttling_has_its_own_larger_budget(
    stubber: Stubber, sleeps: list[float], calls: Counter[str]
) -> None:
    """Throttled answers may take THROTTLE_BUDGET x max_attempts attempts before an error."""
    budget = THROTTLE_BUDGET * 3
    listing(stubber, ["fw-1", "fw-2"])
    for _ in range(budget - 1):  # one short of the budget: still read in the end
        get_error(stubber, "fw-1", "ThrottlingException", 400, "Rate exceeded")
    get_ok(stubber, "fw-1")
    for _ in range(budget):  # the whole budget: an error entry
        get_error(stubber, "fw-2", "ThrottlingException", 400, "Rate exceeded")
    source = make_source(stubber, sleeps, max_attempts=3)
    assert by_id(list(source.fetch())) == [
        LiveUpdate("fw-1", info("fw-1"), origin=REGION),
        SourceError(
            "fw-2",
            "GetOTAUpdate",
            "ThrottlingException",
            f"Rate exceeded (gave up after {budget} attempts)",
        ),
    ]
    assert calls["GetOTAUpdate"] == 2 * budget
    assert source.throttled == 2 * budget - 1


def test_listing_failure_is_one_error_without_id(
    stubber: Stubber, sleeps: list[float], calls: Counter[str]
) -> None:
    """ListOTAUpdates denied: exactly one SourceError with otaUpdateId None, nothing else read."""
    stubber.add_client_error(
        "list_ota_updates",
        service_error_code="AccessDeniedException",
        service_message="not authorized to perform: iot:ListOTAUpdates",
        http_status_code=403,
        expected_params={"maxResults": 250},
    )
    source = make_source(stubber, sleeps)
    assert list(source.fetch()) == [
        SourceError(
            None,
            "ListOTAUpdates",
            "AccessDeniedException",
            "not authorized to perform: iot:ListOTAUpdates",
        )
    ]
    assert calls["GetOTAUpdate"] == 0


def test_listing_failure_on_a_later_page_reads_nothing(
    stubber: Stubber, sleeps: list[float], calls: Counter[str]
) -> None:
    """A listing that fails on page 2 is one id-less error: no update of page 1 is read."""
    stubber.add_response(
        "list_ota_updates",
        {"otaUpdates": [summary("fw-1"), summary("fw-2")], "nextToken": "t1"},
        {"maxResults": 250},
    )
    stubber.add_client_error(
        "list_ota_updates",
        service_error_code="InvalidRequestException",
        service_message="The nextToken is not valid.",
        http_status_code=400,
        expected_params={"maxResults": 250, "nextToken": "t1"},
    )
    source = make_source(stubber, sleeps)
    assert list(source.fetch()) == [
        SourceError(
            None, "ListOTAUpdates", "InvalidRequestException", "The nextToken is not valid."
        )
    ]
    assert dict(calls) == {"ListOTAUpdates": 2}


def test_no_credentials_is_an_error_entry(
    monkeypatch: pytest.MonkeyPatch, sleeps: list[float]
) -> None:
    """No credentials anywhere: the listing becomes one NoCredentialsError entry, no crash."""
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    settings = AwsSettings(region=REGION, endpoint_url="http://127.0.0.1:9", max_rps=1e9)
    source = AwsSource(settings, sleep=sleeps.append)
    assert list(source.fetch()) == [
        SourceError(None, "ListOTAUpdates", "NoCredentialsError", "Unable to locate credentials")
    ]


def deep_get(stubber: Stubber, ota_update_id: str, **extra: Any) -> dict[str, Any]:
    response = info(ota_update_id, awsIotJobId=f"AFR_OTA-{ota_update_id}", **extra)
    stubber.add_response(
        "get_ota_update", {"otaUpdateInfo": response}, {"otaUpdateId": ota_update_id}
    )
    return response


def test_deep_maps_job_config_and_paged_tags(
    stubber: Stubber, sleeps: list[float], calls: Counter[str]
) -> None:
    """--deep: criteriaList → awsJobAbortConfig.abortCriteriaList, timeoutConfig, all tag pages."""
    listing(stubber, ["fw-1"])
    got = deep_get(stubber, "fw-1")
    stubber.add_response(
        "describe_job",
        {
            "job": {
                "jobId": "AFR_OTA-fw-1",
                "status": "IN_PROGRESS",
                "abortConfig": {"criteriaList": CRITERIA},
                "timeoutConfig": {"inProgressTimeoutInMinutes": 90},
                "presignedUrlConfig": {"expiresInSec": 900},
            }
        },
        {"jobId": "AFR_OTA-fw-1"},
    )
    stubber.add_response(
        "list_tags_for_resource",
        {"tags": [{"Key": "team", "Value": "fw"}], "nextToken": "n1"},
        {"resourceArn": arn("fw-1")},
    )
    stubber.add_response(
        "list_tags_for_resource",
        {"tags": [{"Key": "tier", "Value": "prod"}, {"Key": "cost", "Value": "42"}]},
        {"resourceArn": arn("fw-1"), "nextToken": "n1"},
    )
    source = make_source(stubber, sleeps, deep=True)
    assert list(source.fetch()) == [
        LiveUpdate(
            "fw-1",
            {
                **got,
                "awsJobAbortConfig": {"abortCriteriaList": CRITERIA},
                "awsJobTimeoutConfig": {"inProgressTimeoutInMinutes": 90},
                "awsIotJob": {"status": "IN_PROGRESS"},
                "tags": [
                    {"Key": "team", "Value": "fw"},
                    {"Key": "tier", "Value": "prod"},
                    {"Key": "cost", "Value": "42"},
                ],
            },
            origin=REGION,
        )
    ]
    assert dict(calls) == {
        "ListOTAUpdates": 1,
        "GetOTAUpdate": 1,
        "DescribeJob": 1,
        "ListTagsForResource": 2,
    }


def test_deep_adds_nothing_the_job_does_not_have(
    stubber: Stubber, sleeps: list[float], calls: Counter[str]
) -> None:
    """--deep: no abort/timeout on the job and no tags add no keys; no job id, no DescribeJob."""
    listing(stubber, ["fw-1", "fw-2"])
    with_job = deep_get(stubber, "fw-1")
    stubber.add_response(
        "describe_job",
        {"job": {"jobId": "AFR_OTA-fw-1", "timeoutConfig": {}}},
        {"jobId": "AFR_OTA-fw-1"},
    )
    stubber.add_response("list_tags_for_resource", {"tags": []}, {"resourceArn": arn("fw-1")})
    pending = info("fw-2", otaUpdateStatus="CREATE_PENDING")
    get_ok(stubber, "fw-2", otaUpdateStatus="CREATE_PENDING")
    stubber.add_response(
        "list_tags_for_resource",
        {"tags": [{"Key": "a", "Value": "b"}]},
        {"resourceArn": arn("fw-2")},
    )
    source = make_source(stubber, sleeps, deep=True)
    assert by_id(list(source.fetch())) == [
        LiveUpdate("fw-1", with_job, origin=REGION),
        LiveUpdate("fw-2", {**pending, "tags": [{"Key": "a", "Value": "b"}]}, origin=REGION),
    ]
    assert calls["DescribeJob"] == 1


def test_deep_unreadable_job_is_an_error_entry(stubber: Stubber, sleeps: list[float]) -> None:
    """--deep: DescribeJob AccessDenied makes that update an error entry; the others are read."""
    listing(stubber, ["fw-1", "fw-2"])
    deep_get(stubber, "fw-1")
    stubber.add_client_error(
        "describe_job",
        service_error_code="AccessDeniedException",
        service_message="not authorized to perform: iot:DescribeJob",
        http_status_code=403,
        expected_params={"jobId": "AFR_OTA-fw-1"},
    )
    got = deep_get(stubber, "fw-2")
    stubber.add_response(
        "describe_job", {"job": {"jobId": "AFR_OTA-fw-2"}}, {"jobId": "AFR_OTA-fw-2"}
    )
    stubber.add_response("list_tags_for_resource", {"tags": []}, {"resourceArn": arn("fw-2")})
    source = make_source(stubber, sleeps, deep=True)
    assert by_id(list(source.fetch())) == [
        LiveUpdate("fw-2", got, origin=REGION),
        SourceError(
            "fw-1",
            "DescribeJob",
            "AccessDeniedException",
            "not authorized to perform: iot:DescribeJob",
        ),
    ]


def test_deep_tags_throttled_are_retried(
    stubber: Stubber, sleeps: list[float], calls: Counter[str]
) -> None:
    """--deep: a throttled ListTagsForResource is retried like any other call."""
    listing(stubber, ["fw-1"])
    got = deep_get(stubber, "fw-1")
    stubber.add_response(
        "describe_job", {"job": {"jobId": "AFR_OTA-fw-1"}}, {"jobId": "AFR_OTA-fw-1"}
    )
    stubber.add_client_error(
        "list_tags_for_resource",
        service_error_code="ThrottlingException",
        service_message="Rate exceeded",
        http_status_code=400,
        expected_params={"resourceArn": arn("fw-1")},
    )
    stubber.add_response(
        "list_tags_for_resource",
        {"tags": [{"Key": "k", "Value": "v"}]},
        {"resourceArn": arn("fw-1")},
    )
    source = make_source(stubber, sleeps, deep=True)
    assert list(source.fetch()) == [
        LiveUpdate("fw-1", {**got, "tags": [{"Key": "k", "Value": "v"}]}, origin=REGION)
    ]
    assert (calls["ListTagsForResource"], source.throttled) == (2, 1)


# --------------------------------------------------------------------------------------------
# RateLimiter with a fake clock


class FakeClock:
    """Fake time: sleeping advances it; nothing really waits."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


EPSILON = 1e-9
"""Slots are sums of 1/rate: 10 * 0.1 is 0.9999999999999999, not 1.0, in floating point."""


def most_in_one_second(times: list[float]) -> int:
    """The most `times` in any window [t, t + 1 s), up to floating-point rounding."""
    return max(sum(1 for u in times if t <= u < t + 1.0 - EPSILON) for t in times)


def test_limiter_never_exceeds_max_rate() -> None:
    """200 back-to-back acquisitions at max 10/s: never more than 10 in any second."""
    clock = FakeClock()
    limiter = RateLimiter(10, clock=clock, sleep=clock.sleep)
    times = []
    for _ in range(200):
        limiter.acquire()
        times.append(clock.now)
    assert most_in_one_second(times) == 10
    assert times[0] == 0.0
    assert times[-1] == pytest.approx(19.9)


def test_limiter_does_not_burst_after_idling() -> None:
    """After 60 s idle, the next 20 acquisitions are still spaced 1/rate: no saved-up burst."""
    clock = FakeClock()
    limiter = RateLimiter(5, clock=clock, sleep=clock.sleep)
    limiter.acquire()
    clock.now += 60.0
    times = []
    for _ in range(20):
        limiter.acquire()
        times.append(clock.now)
    assert most_in_one_second(times) == 5
    assert times[1] - times[0] == pytest.approx(0.2)


def test_limiter_with_throttling_never_exceeds_max_rate() -> None:
    """Throttled every 25th acquisition and recovering between: still never above max_rate."""
    clock = FakeClock()
    limiter = RateLimiter(10, clock=clock, sleep=clock.sleep)
    times = []
    for n in range(300):
        limiter.acquire()
        times.append(clock.now)
        if n % 25 == 24:
            limiter.throttled()
    assert most_in_one_second(times) <= 10
    assert limiter.rate < limiter.max_rate  # the last acquisition was throttled


def test_throttled_lowers_the_rate_once_per_burst() -> None:
    """throttled() cuts the rate to 70 %; a second report within DEBOUNCE counts for nothing."""
    clock = FakeClock()
    limiter = RateLimiter(10, clock=clock, sleep=clock.sleep)
    limiter.throttled()
    assert limiter.rate == pytest.approx(7.0)
    clock.now += DEBOUNCE / 2
    limiter.throttled()
    assert limiter.rate == pytest.approx(7.0)
    clock.now += DEBOUNCE
    limiter.throttled()
    assert limiter.rate == pytest.approx(4.9)


def test_throttled_spaces_the_next_request_at_the_new_rate() -> None:
    """Right after throttling, the next request waits 1/new rate."""
    clock = FakeClock()
    limiter = RateLimiter(10, clock=clock, sleep=clock.sleep)
    clock.now = 5.0
    limiter.throttled()
    limiter.acquire()
    assert clock.sleeps == [pytest.approx(1 / 7)]


def test_rate_recovers_by_five_percent_of_max_per_second() -> None:
    """Without throttling the rate climbs back by 5 % of the maximum a second, capped at it."""
    clock = FakeClock()
    limiter = RateLimiter(10, clock=clock, sleep=clock.sleep)
    limiter.throttled()
    assert limiter.rate == pytest.approx(7.0)
    clock.now += 2.0
    limiter.acquire()
    assert limiter.rate == pytest.approx(8.0)
    clock.now += 100.0
    limiter.acquire()
    assert limiter.rate == 10


def test_rate_never_drops_below_the_floor() -> None:
    """However often throttled, the rate stays at MIN_RATE or above, so progress continues."""
    clock = FakeClock()
    limiter = RateLimiter(10, clock=clock, sleep=clock.sleep)
    for _ in range(30):
        clock.now += DEBOUNCE
        limiter.throttled()
    assert limiter.rate == MIN_RATE
    limiter.acquire()
    assert clock.sleeps == [pytest.approx(1 / MIN_RATE)]


@pytest.mark.parametrize("rate", [0, -1.0])
def test_limiter_rejects_a_rate_that_is_not_positive(rate: float) -> None:
    """A maximum rate of zero or less is a ValueError."""
    with pytest.raises(ValueError, match="max_rate must be positive"):
        RateLimiter(rate)


# --------------------------------------------------------------------------------------------
# make_client


def test_make_client_configures_retries_explicitly() -> None:
    """One attempt in standard mode, pool and timeouts from the settings, region as given."""
    client = make_client(AwsSettings(region=REGION, concurrency=16, timeout=7.5))
    try:
        config = client.meta.config
        assert config.retries == {"mode": "standard", "total_max_attempts": 1}
        assert config.max_pool_connections == 16
        assert (config.connect_timeout, config.read_timeout) == (7.5, 7.5)
        assert "ota-drift" in config.user_agent_extra
        assert client.meta.region_name == REGION
        assert client.meta.service_model.service_name == "iot"
    finally:
        client.close()


def test_make_client_pool_has_at_least_ten_connections() -> None:
    """A small --concurrency still gets botocore's default pool of 10."""
    client = make_client(AwsSettings(region=REGION, concurrency=2))
    try:
        assert client.meta.config.max_pool_connections == 10
    finally:
        client.close()


def test_make_client_really_makes_one_attempt() -> None:
    """A throttled request through make_client's client reaches the server exactly once."""
    with LocalIot() as iot:
        client = make_client(AwsSettings(region=REGION, endpoint_url=iot.url))
        try:
            assert client.meta.endpoint_url == iot.url
            iot.inject_error("GetOTAUpdate", "ThrottlingException", times=5)
            with pytest.raises(ClientError) as raised:
                client.get_ota_update(otaUpdateId="fw-1")
            assert raised.value.response["Error"]["Code"] == "ThrottlingException"
            assert dict(iot.calls) == {"GetOTAUpdate": 1}
        finally:
            client.close()


def test_make_client_region_from_profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--profile: the profile's region is used when no region is given."""
    config = tmp_path / "aws-config"
    config.write_text("[profile audit]\nregion = eu-north-1\n", encoding="utf-8")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    client = make_client(AwsSettings(profile="audit"))
    try:
        assert client.meta.region_name == "eu-north-1"
    finally:
        client.close()


def test_make_client_unknown_profile_is_a_usage_error() -> None:
    """An unknown profile is a UsageError naming it, not a traceback."""
    with pytest.raises(UsageError, match=r"^The config profile \(nope\) could not be found$"):
        make_client(AwsSettings(region=REGION, profile="nope"))


def test_make_client_without_any_region_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """No region in settings, environment or config: a one-line UsageError."""
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    with pytest.raises(UsageError) as raised:
        make_client(AwsSettings())
    assert str(raised.value).startswith("no AWS region: pass --region or set ")
    assert "\n" not in str(raised.value)


def test_following_the_no_region_advice_works(monkeypatch: pytest.MonkeyPatch) -> None:
    """Setting the environment variable the no-region error names really provides the region."""
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    with pytest.raises(UsageError) as raised:
        make_client(AwsSettings())
    match = re.search(r"\bset (AWS_[A-Z_]+)", str(raised.value))
    assert match is not None
    monkeypatch.setenv(match.group(1), "eu-north-1")
    client = make_client(AwsSettings())
    try:
        assert client.meta.region_name == "eu-north-1"
    finally:
        client.close()


# --------------------------------------------------------------------------------------------
# answers: what botocore hands back is checked before it is used


def operation_model(name: str) -> OperationModel:
    return boto3.client("iot", region_name=REGION).meta.service_model.operation_model(name)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b'{"otaUpdates": [{"otaUpdateId": "a"', "not valid JSON (Expecting"),
        (b"<html><body>502</body></html>", "not valid JSON (Expecting value at byte 0;"),
        (b"", "not valid JSON (Expecting value at byte 0; no Content-Type, 0 bytes)"),
        (b'{"__type": "ThrottlingException", "message": "Rate exceeded"}', "an error body"),
        (b'{"message": "Internal"}', "HTTP 200 answer is an error body"),
        (b"null", "HTTP 200 answer is null, not an object"),
        (b"[1, 2]", "HTTP 200 answer is an array, not an object"),
        (b'"text"', "HTTP 200 answer is a string, not an object"),
        (b'{"otaUpdates": [], "nextToken": NaN}', "holds a non-finite number (NaN)"),
        (b'{"otaUpdates": [], "x": -Infinity}', "holds a non-finite number (-Infinity)"),
        (b'{"otaUpdates": [], "x": 1e999}', "holds a number too large for a float"),
        (b'{"otaUpdates": [], "x": 1' + b"0" * 5000 + b"}", "holds a number too long to read"),
        (b'{"a":' * 100_000 + b"1" + b"}" * 100_000, "HTTP 200 answer is nested too deeply"),
        (b'{"otaUpdates": [], "x": ' + b"[" * 64 + b"]" * 64 + b"}", "nested more than 64 levels"),
        (b"\xff\xfe\x00", "not UTF-8 text"),
        (b'{"otaUpdates": [{"otaUpdateId": "a\\ud800"}]}', "holds a lone surrogate"),
        (b'{"otaUpdates": "fw-1"}', "otaUpdates must be a list, not a string"),
        (b'{"otaUpdates": [null]}', "otaUpdates[0] must be an object, not null"),
        (b'{"otaUpdates": [], "nextToken": 5}', "nextToken must be a string, not an integer"),
        (b'{"otaUpdates": [{"otaUpdateId": "a", "creationDate": true}]}', "a timestamp, not a bo"),
    ],
)
def test_check_body_rejects_what_is_not_a_listing_page(body: bytes, problem: str) -> None:
    """A 200 body that is not a JSON object of the model's types is a MalformedAnswer."""
    with pytest.raises(MalformedAnswer) as raised:
        check_body(operation_model("ListOTAUpdates"), 200, {}, body)
    assert problem in str(raised.value)
    assert "\n" not in str(raised.value)


def test_check_body_accepts_a_surrogate_pair() -> None:
    """An escaped surrogate pair is a real character (U+1F600), not a lone surrogate."""
    body = b'{"otaUpdates": [], "x": "\\ud83d\\ude00"}'
    check_body(operation_model("ListOTAUpdates"), 200, {}, body)


@pytest.mark.parametrize(
    ("info_json", "problem"),
    [
        (b'{"otaUpdateId": "fw-1", "targets": "arn:a"}', "otaUpdateInfo.targets must be a list"),
        (b'{"otaUpdateId": "fw-1", "targets": []}', "targets must have at least 1 item"),
        (b'{"otaUpdateId": ""}', "otaUpdateInfo.otaUpdateId must have at least 1 character"),
        (b'{"otaUpdateId": "fw-1", "creationDate": [1]}', "creationDate must be a timestamp"),
        (
            b'{"otaUpdateId": "fw-1", "awsJobPresignedUrlConfig": {"expiresInSec": 1.5}}',
            "otaUpdateInfo.awsJobPresignedUrlConfig.expiresInSec must be an integer, not a number",
        ),
    ],
)
def test_check_body_walks_the_model_where_botocore_would_not(
    info_json: bytes, problem: str
) -> None:
    """On the wire, types and minimums are the model's: botocore would turn a string target
    into a list of its characters, and an empty list or id into a valid-looking answer."""
    with pytest.raises(MalformedAnswer) as raised:
        check_body(
            operation_model("GetOTAUpdate"), 200, {}, b'{"otaUpdateInfo": ' + info_json + b"}"
        )
    assert problem in str(raised.value)


def test_check_body_names_an_error_type_but_echoes_nothing_else() -> None:
    """An error body's code is named; its message and an odd-looking type are not echoed."""
    model = operation_model("GetOTAUpdate")
    for body, expected in [
        (b'{"__type": "com.amazon#Oops", "message": "secret"}', "is an error body (Oops)"),
        (b'{"__type": "<script>", "message": "secret"}', "HTTP 200 answer is an error body"),
    ]:
        with pytest.raises(MalformedAnswer, match=re.escape(expected) + "$"):
            check_body(model, 200, {}, body)
    with pytest.raises(MalformedAnswer, match=r"^HTTP 200 answer carries an error type \(X\)$"):
        check_body(model, 200, {"X-Amzn-ErrorType": "X:http://internal"}, b"{}")


def test_check_body_accepts_real_answers_and_leaves_errors_to_botocore() -> None:
    """Real answers pass (unknown members too); a 4xx/5xx body is not looked at."""
    check_body(operation_model("ListOTAUpdates"), 200, {}, b'{"otaUpdates": [], "new": [1.5]}')
    check_body(operation_model("ListOTAUpdates"), 200, {}, b'{"otaUpdates": [], "nextToken": null}')
    check_body(operation_model("GetOTAUpdate"), 200, {}, b'{"otaUpdateInfo": {"targets": ["a"]}}')
    check_body(operation_model("ListTagsForResource"), 200, {}, b'{"tags": []}')
    deepest = b'{"tags": [], "x": ' + b"[" * 63 + b"]" * 63 + b"}"  # 64 levels, the limit
    check_body(operation_model("ListTagsForResource"), 200, {}, deepest)
    check_body(operation_model("GetOTAUpdate"), 503, {}, b"<html>busy</html>")


@pytest.mark.parametrize(
    ("operation", "request_params", "answer", "problem"),
    [
        ("ListOTAUpdates", {}, {}, "the answer has no otaUpdates list"),
        ("ListOTAUpdates", {}, {"otaUpdates": [{"otaUpdateArn": "a"}]}, "otaUpdates[0] has no"),
        (
            "ListOTAUpdates",
            {},
            {"otaUpdates": [{"otaUpdateId": ""}]},
            "otaUpdates[0].otaUpdateId must have at least 1 character",
        ),
        ("ListOTAUpdates", {}, {"otaUpdates": ["a", "b"]}, "otaUpdates[0] must be an object"),
        ("GetOTAUpdate", {"otaUpdateId": "fw-1"}, {}, "the answer has no otaUpdateInfo"),
        (
            "GetOTAUpdate",
            {"otaUpdateId": "fw-1"},
            {"otaUpdateInfo": info("fw-2")},
            "the answer is for otaUpdateId 'fw-2', not 'fw-1'",
        ),
        (
            "GetOTAUpdate",
            {"otaUpdateId": "fw-1"},
            {"otaUpdateInfo": {"targets": [TARGET]}},
            "the answer is for otaUpdateId null, not 'fw-1'",
        ),
        (
            "GetOTAUpdate",
            {"otaUpdateId": "fw-1"},
            {"otaUpdateInfo": info("fw-1", targets=[])},
            "otaUpdateInfo.targets must have at least 1 item",
        ),
        (
            "GetOTAUpdate",
            {"otaUpdateId": "fw-1"},
            {"otaUpdateInfo": info("fw-1", creationDate="2026-11-01")},
            "otaUpdateInfo.creationDate must be a timestamp, not a string",
        ),
        (
            "GetOTAUpdate",
            {"otaUpdateId": "fw-1"},
            {
                "otaUpdateInfo": info(
                    "fw-1",
                    awsJobExecutionsRolloutConfig={
                        "exponentialRate": {"incrementFactor": math.nan}
                    },
                )
            },
            "awsJobExecutionsRolloutConfig.exponentialRate.incrementFactor is not a finite",
        ),
        ("DescribeJob", {"jobId": "j-1"}, {"documentSource": "x"}, "the answer has no job"),
        ("DescribeJob", {"jobId": "j-1"}, {"job": {"jobId": "j-2"}}, "for jobId 'j-2', not 'j-1'"),
        (
            "DescribeJob",
            {"jobId": "j-1"},
            {
                "job": {
                    "jobId": "j-1",
                    "abortConfig": {"criteriaList": [{"thresholdPercentage": math.inf}]},
                }
            },
            "job.abortConfig.criteriaList[0].thresholdPercentage is not a finite number",
        ),
        ("ListTagsForResource", {}, {"tags": "x"}, "tags must be a list, not a string"),
        ("ListTagsForResource", {}, {"tags": [{"Key": 1}]}, "tags[0].Key must be a string"),
    ],
)
def test_check_answer_rejects_what_is_not_a_real_answer(
    operation: str, request_params: dict[str, Any], answer: dict[str, Any], problem: str
) -> None:
    """What botocore returned must have the operation's members, for the id asked, typed right."""
    with pytest.raises(MalformedAnswer) as raised:
        check_answer(operation_model(operation), request_params, answer)
    assert problem in str(raised.value)


def test_check_answer_accepts_real_answers() -> None:
    """Empty pages, an answer with ResponseMetadata, a job without configs and an untagged
    resource answered without a tags list are real answers."""
    meta = {"ResponseMetadata": {"HTTPStatusCode": 200}}
    check_answer(operation_model("ListOTAUpdates"), {}, {"otaUpdates": [], **meta})
    check_answer(operation_model("ListTagsForResource"), {}, {"tags": [], **meta})
    check_answer(operation_model("ListTagsForResource"), {}, {**meta})  # untagged: no list
    check_answer(operation_model("DescribeJob"), {"jobId": "j"}, {"job": {"jobId": "j"}})
    get = operation_model("GetOTAUpdate")
    check_answer(get, {"otaUpdateId": "fw-1"}, {"otaUpdateInfo": info("fw-1"), **meta})


def test_before_parse_marks_a_checked_body_and_check_answer_still_needs_its_members() -> None:
    """A 2xx body check_body passed is marked, so its types are not walked twice; the members
    an answer must have are still required. An error status is left unmarked."""
    get = operation_model("GetOTAUpdate")
    body = b'{"otaUpdateInfo": {"otaUpdateId": "fw-1", "targets": ["a"]}}'
    marked: dict[str, Any] = {}
    before_parse(get, {"status_code": 200, "headers": {}, "body": body}, marked)
    assert marked == {BODY_CHECKED: True}
    check_answer(get, {"otaUpdateId": "fw-1"}, {**json.loads(body), **marked})
    with pytest.raises(MalformedAnswer, match=r"^the answer has no otaUpdateInfo$"):
        check_answer(get, {"otaUpdateId": "fw-1"}, marked)
    with pytest.raises(MalformedAnswer, match=r"^HTTP 200 answer is null, not an object$"):
        before_parse(get, {"status_code": 200, "headers": {}, "body": b"null"}, {})
    unmarked: dict[str, Any] = {}
    before_parse(get, {"status_code": 503, "headers": {}, "body": b"<html>"}, unmarked)
    assert unmarked == {}


def test_malformed_answer_is_retried_then_read(
    stubber: Stubber, sleeps: list[float], calls: Counter[str]
) -> None:
    """An empty GetOTAUpdate answer is a failed attempt: retried after a backoff, then read."""
    listing(stubber, ["fw-1"])
    stubber.add_response("get_ota_update", {}, {"otaUpdateId": "fw-1"})
    get_ok(stubber, "fw-1")
    source = make_source(stubber, sleeps)
    assert list(source.fetch()) == [LiveUpdate("fw-1", info("fw-1"), origin=REGION)]
    assert (calls["GetOTAUpdate"], source.throttled) == (2, 0)
    assert backoffs(sleeps) == [BACKOFF_UNIT]


def test_answer_for_another_update_is_an_error_after_retries(
    stubber: Stubber, sleeps: list[float]
) -> None:
    """GetOTAUpdate answering about fw-2 when fw-1 was asked: fw-1's error, fw-2 read once."""
    listing(stubber, ["fw-1", "fw-2"])
    for _ in range(3):
        stubber.add_response(
            "get_ota_update", {"otaUpdateInfo": info("fw-2")}, {"otaUpdateId": "fw-1"}
        )
    get_ok(stubber, "fw-2")
    source = make_source(stubber, sleeps, max_attempts=3)
    assert by_id(list(source.fetch())) == [
        LiveUpdate("fw-2", info("fw-2"), origin=REGION),
        SourceError(
            "fw-1",
            "GetOTAUpdate",
            "MalformedResponse",
            "the answer is for otaUpdateId 'fw-2', not 'fw-1' (gave up after 3 attempts)",
        ),
    ]


def test_a_listed_id_outside_the_models_pattern_is_a_listing_error(
    stubber: Stubber, sleeps: list[float], calls: Counter[str]
) -> None:
    """An id like `fw.1` would pass for another update in reports: the answer is malformed."""
    for _ in range(2):
        stubber.add_response(
            "list_ota_updates", {"otaUpdates": [{"otaUpdateId": "fw.1"}]}, {"maxResults": 250}
        )
    source = make_source(stubber, sleeps, max_attempts=2)
    (error,) = list(source.fetch())
    assert isinstance(error, SourceError)
    assert (error.ota_update_id, error.code) == (None, "MalformedResponse")
    assert "otaUpdates[0]: otaUpdateId must be letters, digits" in error.message
    assert calls["GetOTAUpdate"] == 0


def test_malformed_listing_page_is_a_listing_error(
    stubber: Stubber, sleeps: list[float], calls: Counter[str]
) -> None:
    """A listing page without otaUpdates (botocore's `{}`) is retried, then one id-less error."""
    for _ in range(2):
        stubber.add_response("list_ota_updates", {}, {"maxResults": 250})
    source = make_source(stubber, sleeps, max_attempts=2)
    assert list(source.fetch()) == [
        SourceError(
            None,
            "ListOTAUpdates",
            "MalformedResponse",
            "the answer has no otaUpdates list (gave up after 2 attempts)",
        )
    ]
    assert calls["GetOTAUpdate"] == 0


def test_deep_job_for_another_id_is_that_updates_error(
    stubber: Stubber, sleeps: list[float]
) -> None:
    """--deep: a DescribeJob answer about another job is the update's error, not its config."""
    listing(stubber, ["fw-1"])
    deep_get(stubber, "fw-1")
    stubber.add_response("describe_job", {"job": {"jobId": "other"}}, {"jobId": "AFR_OTA-fw-1"})
    source = make_source(stubber, sleeps, deep=True, max_attempts=1)
    assert list(source.fetch()) == [
        SourceError(
            "fw-1",
            "DescribeJob",
            "MalformedResponse",
            "the answer is for jobId 'other', not 'AFR_OTA-fw-1' (gave up after 1 attempts)",
        )
    ]


JOB_DETAILS = {
    "processingTargets": ["arn:aws:iot:eu-west-1:123456789012:thing/t1"],
    "numberOfCanceledThings": 0,
    "numberOfSucceededThings": 80,
    "numberOfFailedThings": 15,
    "numberOfRejectedThings": 3,
    "numberOfQueuedThings": 400,
    "numberOfInProgressThings": 20,
    "numberOfRemovedThings": 1,
    "numberOfTimedOutThings": 2,
}


def test_deep_keeps_the_jobs_health_beside_the_config(
    stubber: Stubber, sleeps: list[float]
) -> None:
    """--deep: status, forceCanceled and the process counts (not processingTargets, not the
    job's other members) under awsIotJob."""
    listing(stubber, ["fw-1"])
    got = deep_get(stubber, "fw-1")
    job = {
        "jobId": "AFR_OTA-fw-1",
        "status": "CANCELED",
        "forceCanceled": True,
        "reasonCode": "BAD_IMAGE",
        "jobProcessDetails": JOB_DETAILS,
    }
    stubber.add_response("describe_job", {"job": job}, {"jobId": "AFR_OTA-fw-1"})
    stubber.add_response("list_tags_for_resource", {"tags": []}, {"resourceArn": arn("fw-1")})
    counts = {k: v for k, v in JOB_DETAILS.items() if k.startswith("numberOf")}
    health = {"status": "CANCELED", "forceCanceled": True, "jobProcessDetails": counts}
    source = make_source(stubber, sleeps, deep=True)
    assert list(source.fetch()) == [LiveUpdate("fw-1", {**got, "awsIotJob": health}, REGION)]


@pytest.mark.parametrize(
    ("job", "problem"),
    [
        (
            {"status": "PAUSED"},
            "job.status must be one of IN_PROGRESS, CANCELED, COMPLETED, DELETION_IN_PROGRESS, "
            "SCHEDULED, not 'PAUSED'",
        ),
        (
            {"jobProcessDetails": {"numberOfFailedThings": -1}},
            "job.jobProcessDetails.numberOfFailedThings must be at least 0, not -1",
        ),
    ],
)
def test_deep_job_health_the_rules_cannot_judge_is_a_malformed_answer(
    stubber: Stubber, sleeps: list[float], job: dict[str, Any], problem: str
) -> None:
    """--deep: a job status the model does not know, or a negative count, is the update's
    MalformedResponse error (botocore's own validation lets both through), never judged."""
    listing(stubber, ["fw-1"])
    deep_get(stubber, "fw-1")
    stubber.add_response(
        "describe_job", {"job": {"jobId": "AFR_OTA-fw-1", **job}}, {"jobId": "AFR_OTA-fw-1"}
    )
    source = make_source(stubber, sleeps, deep=True, max_attempts=1)
    assert list(source.fetch()) == [
        SourceError(
            "fw-1", "DescribeJob", "MalformedResponse", f"{problem} (gave up after 1 attempts)"
        )
    ]


def test_a_parser_crash_is_a_malformed_answer(sleeps: list[float]) -> None:
    """botocore's parser failing on a body (a date it cannot read) is a MalformedResponse."""
    with LocalIot() as iot:
        iot.put(info("fw-1"))
        client = make_client(AwsSettings(region=REGION, endpoint_url=iot.url))
        source = AwsSource(AwsSettings(max_attempts=2), client=client, sleep=sleeps.append)

        def bad_date(response_dict: dict[str, Any], **_: Any) -> None:
            if b"otaUpdateInfo" in response_dict["body"]:
                response_dict["body"] = (
                    b'{"otaUpdateInfo": {"otaUpdateId": "fw-1", "creationDate": "notadate"}}'
                )

        client.meta.events.register_first("before-parse.iot.GetOTAUpdate", bad_date)
        try:
            assert list(source.fetch()) == [
                SourceError(
                    "fw-1",
                    "GetOTAUpdate",
                    "MalformedResponse",
                    "botocore could not parse the answer: ValueError: Invalid timestamp "
                    '"notadate": Unknown string format: notadate (gave up after 2 attempts)',
                )
            ]
        finally:
            client.close()


# --------------------------------------------------------------------------------------------
# paging always ends


def page(ids: list[str], token: str | None) -> dict[str, Any]:
    response: dict[str, Any] = {"otaUpdates": [summary(i) for i in ids]}
    if token is not None:
        response["nextToken"] = token
    return response


@pytest.mark.parametrize(
    ("tokens", "pages"),
    [(["A", "A"], 2), (["A", "B", "A"], 3), (["A", "B", "C", "B"], 4)],
)
def test_a_token_seen_before_ends_the_listing_at_once(
    stubber: Stubber, sleeps: list[float], calls: Counter[str], tokens: list[str], pages: int
) -> None:
    """A repeated or cycling nextToken is one id-less error on the page it shows: no retry."""
    sent: str | None = None
    for number, token in enumerate(tokens):
        params: dict[str, Any] = {"maxResults": 250, **({"nextToken": sent} if sent else {})}
        stubber.add_response("list_ota_updates", page([f"fw-{number}"], token), params)
        sent = token
    source = make_source(stubber, sleeps)
    assert list(source.fetch()) == [
        SourceError(
            None,
            "ListOTAUpdates",
            "RepeatedNextToken",
            f"page {pages} returned a nextToken already seen in this listing (a repeat or a "
            "cycle): the listing would never end",
        )
    ]
    assert calls["ListOTAUpdates"] == pages
    assert sleeps == []


def test_more_pages_than_the_cap_is_a_listing_error(
    stubber: Stubber, sleeps: list[float], calls: Counter[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A listing still going after MAX_PAGES pages (fresh ids and tokens) is stopped there."""
    monkeypatch.setitem(aws.MAX_PAGES, "ListOTAUpdates", 3)
    listing(stubber, ["fw-1"], ["fw-2"], ["fw-3"], ["fw-4"])
    stubber._queue.pop()  # the fourth page is never asked for: queued only to make three
    source = make_source(stubber, sleeps)
    assert list(source.fetch()) == [
        SourceError(
            None,
            "ListOTAUpdates",
            "TooManyPages",
            "still a nextToken after 3 pages, more than any real account has: the listing "
            "would never end",
        )
    ]
    assert calls["ListOTAUpdates"] == 3


def test_pages_that_bring_nothing_new_end_the_listing(
    stubber: Stubber, sleeps: list[float]
) -> None:
    """The same page under ever new tokens is stopped after IDLE_PAGES pages with nothing new."""
    for number in range(IDLE_PAGES + 1):
        params: dict[str, Any] = {"maxResults": 250}
        if number:
            params["nextToken"] = f"t{number}"
        stubber.add_response("list_ota_updates", page(["fw-1"], f"t{number + 1}"), params)
    source = make_source(stubber, sleeps)
    assert list(source.fetch()) == [
        SourceError(
            None,
            "ListOTAUpdates",
            "ListingNotAdvancing",
            f"{IDLE_PAGES} pages in a row (up to page {IDLE_PAGES + 1}) brought nothing not "
            "seen before, yet each had a nextToken: the listing would never end",
        )
    ]


def test_an_empty_token_ends_the_listing(stubber: Stubber, sleeps: list[float]) -> None:
    """nextToken "" ends a listing, as for botocore's paginators: the ids listed are read."""
    stubber.add_response("list_ota_updates", page(["fw-1"], ""), {"maxResults": 250})
    get_ok(stubber, "fw-1")
    assert list(make_source(stubber, sleeps).fetch()) == [
        LiveUpdate("fw-1", info("fw-1"), origin=REGION)
    ]


def test_repeating_tag_token_is_that_updates_error(stubber: Stubber, sleeps: list[float]) -> None:
    """--deep: ListTagsForResource repeating its token is the update's error, paged by one code."""
    listing(stubber, ["fw-1"])
    deep_get(stubber, "fw-1")
    stubber.add_response(
        "describe_job", {"job": {"jobId": "AFR_OTA-fw-1"}}, {"jobId": "AFR_OTA-fw-1"}
    )
    stubber.add_response(
        "list_tags_for_resource", {"tags": [], "nextToken": "n"}, {"resourceArn": arn("fw-1")}
    )
    stubber.add_response(
        "list_tags_for_resource",
        {"tags": [], "nextToken": "n"},
        {"resourceArn": arn("fw-1"), "nextToken": "n"},
    )
    source = make_source(stubber, sleeps, deep=True)
    assert list(source.fetch()) == [
        SourceError(
            "fw-1",
            "ListTagsForResource",
            "RepeatedNextToken",
            "page 2 returned a nextToken already seen in this listing (a repeat or a cycle): "
            "the listing would never end",
        )
    ]


def test_page_caps_are_stated() -> None:
    """The caps are those documented: 10,000 listing pages of 250, 50 tag pages, 20 idle pages."""
    assert (aws.MAX_PAGES, aws.PAGE_SIZE, IDLE_PAGES) == (
        {"ListOTAUpdates": 10_000, "ListTagsForResource": 50},
        250,
        20,
    )


# --------------------------------------------------------------------------------------------
# secrets in error text


def test_error_text_is_redacted_with_the_active_credentials(
    stubber: Stubber, sleeps: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A service message quoting the key id, token or a signature reaches no SourceError."""
    key, secret, token = "AKIAUNITTESTKEY00001", "unit-secret-" + "s" * 30, "unit-token-" + "t" * 40
    client = boto3.client(
        "iot",
        region_name=REGION,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        aws_session_token=token,
    )
    with Stubber(client) as stub:
        listing(stub, ["fw-1"])
        stub.add_client_error(
            "get_ota_update",
            service_error_code="AccessDeniedException",
            service_message=f"denied for {key} with {token}; secret {secret}; Signature=abc123",
            http_status_code=403,
            expected_params={"otaUpdateId": "fw-1"},
        )
        source = AwsSource(
            AwsSettings(concurrency=1, max_rps=1e9), client=client, sleep=sleeps.append
        )
        assert aws.credential_values(client) == (key, secret, token)
        assert list(source.fetch()) == [
            SourceError(
                "fw-1",
                "GetOTAUpdate",
                "AccessDeniedException",
                f"denied for {MARKER} with {MARKER}; secret {MARKER}; Signature={MARKER}",
            )
        ]


def test_failing_credential_process_is_a_redacted_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A credential_process that fails printing secrets: a one-line UsageError without them."""
    script = tmp_path / "creds.py"
    script.write_text(
        "import sys\n"
        "print('refused: aws_secret_access_key=wJalrXUtnFEMIK7MDENGbPxRfiCYSECRET',\n"
        "      file=sys.stderr)\n"
        "print('AccessKeyId AKIAIOSFODNN7SECRET1', file=sys.stderr)\n"
        "sys.exit(3)\n",
        encoding="utf-8",
    )
    config = tmp_path / "aws-config"
    config.write_text(
        f"[default]\ncredential_process = {sys.executable} {script}\n", encoding="utf-8"
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    with pytest.raises(UsageError) as raised:
        make_client(AwsSettings(region=REGION, endpoint_url="http://127.0.0.1:9"))
    assert str(raised.value) == (
        "cannot set up the AWS client: Error when retrieving credentials from custom-process: "
        f"refused: aws_secret_access_key={MARKER} AccessKeyId {MARKER}"
    )


# --------------------------------------------------------------------------------------------
# the consumer stops: nothing blocks, no further requests


def worker_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("ota-drift")]


def consume_then_close(source: AwsSource) -> float:
    """Read three updates, then close the generator; the seconds close() took."""
    items = source.fetch()
    for _ in range(3):
        next(items)
    stopped = time.monotonic()
    items.close()
    return time.monotonic() - stopped


def consume_then_raise(source: AwsSource) -> float:
    """Raise KeyboardInterrupt in the consumer's loop; the seconds until it is handled."""
    stopped = 0.0

    def loop() -> None:
        nonlocal stopped
        for count, _ in enumerate(source.fetch(), start=1):
            if count == 3:
                stopped = time.monotonic()
                raise KeyboardInterrupt  # the consumer's own loop is interrupted

    with contextlib.suppress(KeyboardInterrupt):
        loop()
    # leaving the with block frees the traceback, and with it the generator, which closes
    return time.monotonic() - stopped


def interrupted_while_waiting(source: AwsSource) -> float:
    """SIGINT while fetch() waits for reads; the seconds until KeyboardInterrupt left it."""
    main = threading.main_thread().ident
    assert main is not None and threading.current_thread() is threading.main_thread()
    fired: list[float] = []

    def interrupt() -> None:
        fired.append(time.monotonic())
        signal.pthread_kill(main, signal.SIGINT)

    timer = threading.Timer(0.8, interrupt)
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            for _ in source.fetch():
                pass
    finally:
        timer.cancel()
    return time.monotonic() - fired[0]


@pytest.mark.parametrize(
    "stop", [consume_then_close, consume_then_raise, interrupted_while_waiting]
)
def test_fetch_stops_at_once_when_its_consumer_stops(stop: Callable[[AwsSource], float]) -> None:
    """Closed, left by an exception or interrupted by SIGINT: fetch returns within a second,
    queued reads are cancelled and, after the requests already sent, the endpoint sees none."""
    with LocalIot(latency=0.2) as iot:
        for number in range(60):
            iot.put(info(f"fw-{number:02d}"))
        settings = AwsSettings(region=REGION, endpoint_url=iot.url, concurrency=4, max_rps=5)
        source = AwsSource(settings)  # 60 updates at 5/s: 12 s if nothing stopped it
        assert stop(source) < 1.0
        time.sleep(0.5)  # grace: requests on the wire are answered within the 0.2 s latency
        seen = sum(iot.calls.values())
        deadline = time.monotonic() + 1.0
        while worker_threads() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert worker_threads() == []
        time.sleep(1.0)
        assert sum(iot.calls.values()) == seen
        assert seen < 1 + 20


@pytest.mark.parametrize(
    ("output", "message"),
    [
        ("[1]", "cannot set up the AWS client: "),
        (
            '{"Version": 1, "AccessKeyId": "AKIAIOSFODNN7EXAMPLE", "SecretAccessKey": "s" * 40,'
            ' "SessionToken": "t", "Expiration": "2020-01-01T00:00:00Z"}',
            "cannot get AWS credentials: ",
        ),
    ],
    ids=["a-list", "expired"],
)
def test_credential_provider_faults_are_one_usage_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, output: str, message: str
) -> None:
    """A credential_process printing `[1]`, or credentials already expired: a UsageError at
    setup, never an internal error at the first request."""
    script = tmp_path / "creds.py"
    script.write_text(f"import json\nprint(json.dumps({output}))\n", encoding="utf-8")
    config = tmp_path / "aws-config"
    config.write_text(
        f"[default]\ncredential_process = {sys.executable} {script}\n", encoding="utf-8"
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    with pytest.raises(UsageError) as raised:
        make_client(AwsSettings(region=REGION, endpoint_url="http://127.0.0.1:9"))
    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value)
    assert "s" * 40 not in str(raised.value)


def test_a_long_message_is_cut_only_after_redaction(monkeypatch: pytest.MonkeyPatch) -> None:
    """A session token deep in a long service message is removed whole, not cut in half and
    then missed: no piece of it reaches the error entry, which stays within its length."""
    token = "IQoJb3JpZ2luX2VjEHoaCWV1LXdlc3QtMSJHMEUCIQD" + "x" * 300
    monkeypatch.setenv("AWS_SESSION_TOKEN", token)
    client = boto3.Session().client("iot", region_name=REGION, endpoint_url="http://127.0.0.1:9")
    source = AwsSource(AwsSettings(region=REGION), client=client, sleep=lambda _: None)
    error = source._error(None, "GetOTAUpdate", "X", "Invalid timestamp " + "y" * 90 + token)
    assert token[:20] not in error.message
    assert MARKER in error.message
    assert len(error.message) <= aws.MAX_MESSAGE_CHARS


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (
            b'{"code": "AccessDeniedException", "message": "no", "requestId": "abc"}',
            "holds none of the members of a real answer",
        ),
        (b'{"Error": {"Code": "AccessDenied", "Message": "no"}}', "holds none of the members"),
    ],
)
def test_an_error_shaped_tags_answer_is_not_no_tags(body: bytes, problem: str) -> None:
    """A 200 for ListTagsForResource that holds an error and no `tags` is malformed, not an
    untagged resource (that would hide tag drift); `{}` alone means no tags."""
    with pytest.raises(MalformedAnswer, match=problem):
        check_body(operation_model("ListTagsForResource"), 200, {}, body)
    check_body(operation_model("ListTagsForResource"), 200, {}, b"{}")


@pytest.mark.parametrize(
    ("info", "problem"),
    [
        (b'{"otaUpdateId": "fw-1", "creationDate": -86400}', "outside the audit's calendar"),
        (b'{"otaUpdateId": "fw-1", "lastModifiedDate": 40000000000}', "outside the audit's"),
        (
            b'{"otaUpdateId": "fw-1", "otaUpdateFiles": [{"fileType": 4294967296}]}',
            "otaUpdateFiles[0].fileType is wider than a 32-bit integer",
        ),
    ],
)
def test_live_values_a_snapshot_could_not_hold_are_malformed(info: bytes, problem: str) -> None:
    """Dates outside 1970..2999 and integers wider than the API's types are refused live, as
    they are in a snapshot: what `check --region` accepts, `snapshot` can write and read back."""
    with pytest.raises(MalformedAnswer, match=re.escape(problem)):
        check_body(operation_model("GetOTAUpdate"), 200, {}, b'{"otaUpdateInfo": ' + info + b"}")
