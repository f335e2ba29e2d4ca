"""AwsSource, RateLimiter and make_client at unit level: botocore's Stubber and a fake clock."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from checker.errors import UsageError
from checker.model import LiveUpdate, SkippedUpdate, SourceError
from checker.sources import aws
from checker.sources.aws import THROTTLE_BUDGET, AwsSettings, AwsSource, Progress, make_client
from checker.sources.ratelimit import DEBOUNCE, MIN_RATE, RateLimiter
from tests.support.iot_endpoint import LocalIot

REGION = "eu-west-1"
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


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Test credentials, no AWS config from the machine, and connections to 127.0.0.1 only."""
    for name in (
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
        "AWS_REGION",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_IOT",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    real_connect = socket.socket.connect

    def loopback_only(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and address[0] != "127.0.0.1":
            raise AssertionError(f"test tried to reach {address!r}")
        real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", loopback_only)


@pytest.fixture
def stubber() -> Iterator[Stubber]:
    """A Stubber on a real IoT client; every queued response must have been used."""
    client = boto3.client("iot", region_name=REGION)
    with Stubber(client) as stub:
        yield stub
        stub.assert_no_pending_responses()
    client.close()


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


def test_lists_two_pages_then_reads_each_update(stubber: Stubber, sleeps: list[float]) -> None:
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
    assert source.calls == {
        "ListOTAUpdates": 2,
        "GetOTAUpdate": 3,
        "DescribeJob": 0,
        "ListTagsForResource": 0,
    }
    assert (source.throttled, sleeps) == (0, [])


def test_an_id_listed_on_two_pages_is_read_once(stubber: Stubber, sleeps: list[float]) -> None:
    """An id repeated across pages (an update changed during paging) is read only once."""
    listing(stubber, ["fw-1", "fw-2"], ["fw-2", "fw-3"])
    for ota_update_id in ("fw-1", "fw-2", "fw-3"):
        get_ok(stubber, ota_update_id)
    items = list(make_source(stubber, sleeps).fetch())
    assert [i.ota_update_id for i in by_id(items)] == ["fw-1", "fw-2", "fw-3"]


def test_source_properties(stubber: Stubber, sleeps: list[float]) -> None:
    """region comes from the client, live_job_config is --deep, captured_at is set by fetch."""
    listing(stubber, [])
    source = make_source(stubber, sleeps, deep=True)
    assert (source.region, source.live_job_config, source.captured_at) == (REGION, True, None)
    before = datetime.now(UTC)
    assert list(source.fetch()) == []
    assert source.captured_at is not None
    assert before <= source.captured_at <= datetime.now(UTC)
    assert make_source(stubber, sleeps).live_job_config is False


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


def test_resource_not_found_is_skipped(stubber: Stubber, sleeps: list[float]) -> None:
    """ResourceNotFoundException on GetOTAUpdate: a SkippedUpdate with its reason, no retry."""
    listing(stubber, ["fw-1", "fw-2"])
    get_error(stubber, "fw-1", "ResourceNotFoundException", 404, "OTAUpdate fw-1 does not exist")
    get_ok(stubber, "fw-2")
    source = make_source(stubber, sleeps)
    assert by_id(list(source.fetch())) == [
        LiveUpdate("fw-2", info("fw-2"), origin=REGION),
        SkippedUpdate("fw-1", "deleted between ListOTAUpdates and GetOTAUpdate"),
    ]
    assert source.calls["GetOTAUpdate"] == 2
    assert sleeps == []


@pytest.mark.parametrize(
    ("code", "status"), [("AccessDeniedException", 403), ("UnauthorizedException", 401)]
)
def test_denied_is_an_error_with_exact_fields(
    stubber: Stubber, sleeps: list[float], code: str, status: int
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
    assert source.calls["GetOTAUpdate"] == 2  # not retried
    assert sleeps == []


def test_limit_exceeded_is_not_retried(stubber: Stubber, sleeps: list[float]) -> None:
    """LimitExceededException is a resource limit, not a rate: exactly one call, no backoff."""
    listing(stubber, ["fw-1"])
    get_error(stubber, "fw-1", "LimitExceededException", 410, "Too many things")
    source = make_source(stubber, sleeps)
    assert list(source.fetch()) == [
        SourceError("fw-1", "GetOTAUpdate", "LimitExceededException", "Too many things")
    ]
    assert source.calls["GetOTAUpdate"] == 1
    assert (source.throttled, backoffs(sleeps)) == (0, [])


def test_throttling_is_retried_then_succeeds(stubber: Stubber, sleeps: list[float]) -> None:
    """ThrottlingException twice, then success: three calls, two backoffs, counted throttled."""
    listing(stubber, ["fw-1"])
    get_error(stubber, "fw-1", "ThrottlingException", 400, "Rate exceeded")
    get_error(stubber, "fw-1", "ThrottlingException", 400, "Rate exceeded")
    get_ok(stubber, "fw-1")
    source = make_source(stubber, sleeps)
    assert list(source.fetch()) == [LiveUpdate("fw-1", info("fw-1"), origin=REGION)]
    assert source.calls["GetOTAUpdate"] == 3
    assert source.throttled == 2
    assert backoffs(sleeps) == [1 * BACKOFF_UNIT, 2 * BACKOFF_UNIT]


@pytest.mark.parametrize(
    ("code", "status"),
    [("ServiceUnavailableException", 503), ("InternalFailureException", 500), ("Oops", 502)],
)
def test_server_errors_are_retried_without_counting_as_throttled(
    stubber: Stubber, sleeps: list[float], code: str, status: int
) -> None:
    """5xx answers are retried after a backoff and are not counted as throttling."""
    listing(stubber, ["fw-1"])
    get_error(stubber, "fw-1", code, status, "try again")
    get_ok(stubber, "fw-1")
    source = make_source(stubber, sleeps)
    assert list(source.fetch()) == [LiveUpdate("fw-1", info("fw-1"), origin=REGION)]
    assert (source.calls["GetOTAUpdate"], source.throttled) == (2, 0)
    assert backoffs(sleeps) == [BACKOFF_UNIT]


def test_gives_up_after_max_attempts(stubber: Stubber, sleeps: list[float]) -> None:
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
    assert source.calls["GetOTAUpdate"] == 4
    assert backoffs(sleeps) == [BACKOFF_UNIT, 2 * BACKOFF_UNIT]


def test_throttling_has_its_own_larger_budget(stubber: Stubber, sleeps: list[float]) -> None:
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
    assert source.calls["GetOTAUpdate"] == 2 * budget
    assert source.throttled == 2 * budget - 1


def test_listing_failure_is_one_error_without_id(stubber: Stubber, sleeps: list[float]) -> None:
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
    assert source.calls["GetOTAUpdate"] == 0


def test_listing_failure_on_a_later_page_reads_nothing(
    stubber: Stubber, sleeps: list[float]
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
    assert source.calls == {
        "ListOTAUpdates": 2,
        "GetOTAUpdate": 0,
        "DescribeJob": 0,
        "ListTagsForResource": 0,
    }


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


def test_deep_maps_job_config_and_paged_tags(stubber: Stubber, sleeps: list[float]) -> None:
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
                "tags": [
                    {"Key": "team", "Value": "fw"},
                    {"Key": "tier", "Value": "prod"},
                    {"Key": "cost", "Value": "42"},
                ],
            },
            origin=REGION,
        )
    ]
    assert source.calls == {
        "ListOTAUpdates": 1,
        "GetOTAUpdate": 1,
        "DescribeJob": 1,
        "ListTagsForResource": 2,
    }


def test_deep_adds_nothing_the_job_does_not_have(stubber: Stubber, sleeps: list[float]) -> None:
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
    assert source.calls["DescribeJob"] == 1


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


def test_deep_tags_throttled_are_retried(stubber: Stubber, sleeps: list[float]) -> None:
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
    assert (source.calls["ListTagsForResource"], source.throttled) == (2, 1)


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
    assert limiter.throttle_events == 12


def test_throttled_lowers_the_rate_once_per_burst() -> None:
    """throttled() cuts the rate to 70 %; a second report within DEBOUNCE counts for nothing."""
    clock = FakeClock()
    limiter = RateLimiter(10, clock=clock, sleep=clock.sleep)
    limiter.throttled()
    assert limiter.rate == pytest.approx(7.0)
    assert limiter.throttle_events == 1
    clock.now += DEBOUNCE / 2
    limiter.throttled()
    assert limiter.rate == pytest.approx(7.0)
    assert limiter.throttle_events == 1
    clock.now += DEBOUNCE
    limiter.throttled()
    assert limiter.rate == pytest.approx(4.9)
    assert limiter.throttle_events == 2


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
