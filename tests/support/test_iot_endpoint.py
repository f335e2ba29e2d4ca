"""LocalIot, driven end to end by real boto3 IoT clients (botocore retries switched off)."""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
import math
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError, HTTPClientError

from tests.support.iot_endpoint import DEFAULT_MAX_RESULTS, FAULT_TOKEN_PREFIX, LocalIot

if TYPE_CHECKING:
    from mypy_boto3_iot import IoTClient
    from mypy_boto3_iot.type_defs import (
        AwsJobAbortCriteriaTypeDef,
        AwsJobExecutionsRolloutConfigTypeDef,
        OTAUpdateFileTypeDef,
    )

REGION = "eu-west-1"
ROLE = "arn:aws:iam::123456789012:role/ota-role"
TARGET = "arn:aws:iot:eu-west-1:123456789012:thinggroup/fleet"
SIGNATURE = b"\x00\xff\x10signature-bytes\x80"
ALL_CANCEL = {
    "failureType": "ALL",
    "action": "CANCEL",
    "thresholdPercentage": 100.0,
    "minNumberOfExecutedThings": 1,
}
T0 = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)

MakeClient = Callable[..., "IoTClient"]


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any attempt to open a connection to anything but 127.0.0.1."""
    real_connect = socket.socket.connect

    def guarded(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and address[0] != "127.0.0.1":
            raise AssertionError(f"test tried to reach {address!r}")
        real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture
def iot() -> Iterator[LocalIot]:
    """A running LocalIot that must not hit an unexpected server-side exception."""
    with LocalIot() as server:
        yield server
        assert server.internal_errors == []


@pytest.fixture
def make_client(iot: LocalIot) -> Iterator[MakeClient]:
    """Build boto3 IoT clients for ``iot`` (no retries) and close them afterwards."""
    clients: list[IoTClient] = []

    def make(
        server: LocalIot | None = None,
        *,
        secret: str = "testing",
        key: str = "testing",
        **config: Any,
    ) -> IoTClient:
        client = boto3.client(
            "iot",
            endpoint_url=(server or iot).url,
            region_name=config.pop("region_name", REGION),
            aws_access_key_id=key,
            aws_secret_access_key=secret,
            config=Config(retries={"total_max_attempts": 1}, **config),
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def client(make_client: MakeClient) -> IoTClient:
    """One plain client for the default server."""
    return make_client()


def _files() -> list[OTAUpdateFileTypeDef]:
    return [
        {
            "fileName": "firmware.bin",
            "fileVersion": "1.2.3",
            "fileLocation": {"s3Location": {"bucket": "fw", "key": "fw.bin", "version": "v7"}},
            "codeSigning": {
                "customCodeSigning": {
                    "signature": {"inlineDocument": SIGNATURE},
                    "certificateChain": {"certificateName": "/cert.pem"},
                    "hashAlgorithm": "SHA256",
                    "signatureAlgorithm": "ECDSA",
                }
            },
            "attributes": {"a": "b"},
        }
    ]


def _info(ota_id: str, **extra: Any) -> dict[str, Any]:
    return {"otaUpdateId": ota_id, "targets": [TARGET], "otaUpdateFiles": _files(), **extra}


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def _raw_get(iot: LocalIot, path: str) -> tuple[int, dict[str, str], Any]:
    """GET ``path`` with plain http.client (only for a server built with verify_signatures off)."""
    conn = http.client.HTTPConnection("127.0.0.1", iot.port, timeout=5)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), json.loads(response.read())
    finally:
        conn.close()


def test_round_trip_create_get_list_describe_tags_delete(iot: LocalIot, client: IoTClient) -> None:
    """Create, get, list, describe the job, list tags and delete, with every value checked."""
    abort: list[AwsJobAbortCriteriaTypeDef] = [
        {
            "failureType": "FAILED",
            "action": "CANCEL",
            "thresholdPercentage": 12.5,
            "minNumberOfExecutedThings": 10,
        },
        {
            "failureType": "TIMED_OUT",
            "action": "CANCEL",
            "thresholdPercentage": 50.0,
            "minNumberOfExecutedThings": 1,
        },
    ]
    rollout: AwsJobExecutionsRolloutConfigTypeDef = {
        "maximumPerMinute": 100,
        "exponentialRate": {
            "baseRatePerMinute": 5,
            "incrementFactor": 1.5,
            "rateIncreaseCriteria": {"numberOfSucceededThings": 10},
        },
    }
    before = datetime.now(UTC) - timedelta(milliseconds=1)
    created = client.create_ota_update(
        otaUpdateId="fw-1",
        description="firmware 1.2.3",
        targets=[TARGET],
        protocols=["MQTT"],
        targetSelection="CONTINUOUS",
        awsJobExecutionsRolloutConfig=rollout,
        awsJobPresignedUrlConfig={"expiresInSec": 1800},
        awsJobAbortConfig={"abortCriteriaList": abort},
        awsJobTimeoutConfig={"inProgressTimeoutInMinutes": 90},
        files=_files(),
        roleArn=ROLE,
        additionalParameters={"k": "v"},
        tags=[{"Key": "team", "Value": "firmware"}],
    )
    after = datetime.now(UTC)
    arn = "arn:aws:iot:eu-west-1:123456789012:otaupdate/fw-1"
    job_arn = "arn:aws:iot:eu-west-1:123456789012:job/AFR_OTA-fw-1"
    assert {k: v for k, v in created.items() if k != "ResponseMetadata"} == {
        "otaUpdateId": "fw-1",
        "otaUpdateArn": arn,
        "awsIotJobId": "AFR_OTA-fw-1",
        "awsIotJobArn": job_arn,
        "otaUpdateStatus": "CREATE_COMPLETE",
    }

    info = client.get_ota_update(otaUpdateId="fw-1")["otaUpdateInfo"]
    stored = iot.get_info("fw-1")
    assert stored is not None
    created_at = info["creationDate"]
    assert created_at == stored["creationDate"] == info["lastModifiedDate"]
    assert before <= created_at <= after
    assert created_at.microsecond % 1000 == 0  # AWS keeps milliseconds
    assert info == {
        "otaUpdateId": "fw-1",
        "otaUpdateArn": arn,
        "creationDate": created_at,
        "lastModifiedDate": created_at,
        "description": "firmware 1.2.3",
        "targets": [TARGET],
        "protocols": ["MQTT"],
        "awsJobExecutionsRolloutConfig": rollout,
        "awsJobPresignedUrlConfig": {"expiresInSec": 1800},
        "targetSelection": "CONTINUOUS",
        "otaUpdateFiles": _files(),
        "otaUpdateStatus": "CREATE_COMPLETE",
        "awsIotJobId": "AFR_OTA-fw-1",
        "awsIotJobArn": job_arn,
        "additionalParameters": {"k": "v"},
    }
    signature = info["otaUpdateFiles"][0]["codeSigning"]["customCodeSigning"]["signature"]
    assert signature["inlineDocument"] == SIGNATURE

    listed = client.list_ota_updates()
    assert listed["otaUpdates"] == [
        {"otaUpdateId": "fw-1", "otaUpdateArn": arn, "creationDate": created_at}
    ]
    assert "nextToken" not in listed

    job = client.describe_job(jobId="AFR_OTA-fw-1")["job"]
    assert job == {
        "jobArn": job_arn,
        "jobId": "AFR_OTA-fw-1",
        "targetSelection": "CONTINUOUS",
        "status": "IN_PROGRESS",
        "forceCanceled": False,
        "targets": [TARGET],
        "description": "firmware 1.2.3",
        "presignedUrlConfig": {"roleArn": ROLE, "expiresInSec": 1800},
        "jobExecutionsRolloutConfig": rollout,
        "abortConfig": {"criteriaList": abort},
        "timeoutConfig": {"inProgressTimeoutInMinutes": 90},
        "createdAt": created_at,
        "lastUpdatedAt": created_at,
    }

    tags = client.list_tags_for_resource(resourceArn=arn)["tags"]
    assert tags == [{"Key": "team", "Value": "firmware"}]

    client.delete_ota_update(otaUpdateId="fw-1", forceDeleteAWSJob=True)
    for call in (
        lambda: client.get_ota_update(otaUpdateId="fw-1"),
        lambda: client.describe_job(jobId="AFR_OTA-fw-1"),
        lambda: client.list_tags_for_resource(resourceArn=arn),
        lambda: client.delete_ota_update(otaUpdateId="fw-1"),
    ):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert _error(excinfo) == ("ResourceNotFoundException", 404)
    assert client.list_ota_updates()["otaUpdates"] == []
    assert iot.calls["GetOTAUpdate"] == 2 and iot.calls["DeleteOTAUpdate"] == 2


def test_delete_without_force_keeps_the_job(iot: LocalIot, client: IoTClient) -> None:
    """DeleteOTAUpdate leaves the AWS IoT job in place unless forceDeleteAWSJob is true."""
    iot.put(_info("keep"))
    client.delete_ota_update(otaUpdateId="keep")
    assert client.describe_job(jobId="AFR_OTA-keep")["job"]["status"] == "IN_PROGRESS"
    assert iot.delete_now("keep") is False


def test_put_seeds_exact_timestamps_and_blobs_on_the_wire(make_client: MakeClient) -> None:
    """Timestamps travel as epoch seconds to the millisecond and blobs as base64."""
    with LocalIot(verify_signatures=False) as server:
        naive = datetime(2026, 1, 2, 3, 4, 5, 678999)  # read as UTC, sent to the millisecond
        server.put(
            _info("seeded", creationDate=naive, lastModifiedDate=T0 + timedelta(seconds=1)),
            abort={"abortCriteriaList": [ALL_CANCEL]},
            timeout=30,
            tags={"env": "prod"},
        )
        status, headers, body = _raw_get(server, "/otaUpdates/seeded")
        assert status == 200 and headers["Content-Type"] == "application/json"
        wire = body["otaUpdateInfo"]
        assert wire["creationDate"] == 1767323045.678
        assert wire["lastModifiedDate"] == 1767323046.678
        signature = wire["otaUpdateFiles"][0]["codeSigning"]["customCodeSigning"]["signature"]
        assert signature["inlineDocument"] == base64.b64encode(SIGNATURE).decode()

        client = make_client(server)
        info = client.get_ota_update(otaUpdateId="seeded")["otaUpdateInfo"]
        assert info["creationDate"] == T0
        assert info["lastModifiedDate"] == T0 + timedelta(seconds=1)
        job = client.describe_job(jobId="AFR_OTA-seeded")["job"]
        assert job["abortConfig"] == {"criteriaList": [ALL_CANCEL]}
        assert job["timeoutConfig"] == {"inProgressTimeoutInMinutes": 30}
        assert "presignedUrlConfig" not in job
        arn = info["otaUpdateArn"]
        assert client.list_tags_for_resource(resourceArn=arn)["tags"] == [
            {"Key": "env", "Value": "prod"}
        ]


def test_put_sets_the_jobs_health(iot: LocalIot, client: IoTClient) -> None:
    """`job=` replaces DescribeJob's default status and forceCanceled and adds process details;
    without it the job is IN_PROGRESS, not force-canceled, without details."""
    details = {"numberOfSucceededThings": 7, "numberOfFailedThings": 3}
    iot.put(
        _info("hurt"),
        job={"status": "CANCELED", "forceCanceled": True, "jobProcessDetails": details},
    )
    iot.put(_info("plain"))
    hurt = client.describe_job(jobId="AFR_OTA-hurt")["job"]
    assert (hurt["status"], hurt["forceCanceled"], hurt["jobProcessDetails"]) == (
        "CANCELED",
        True,
        details,
    )
    plain = client.describe_job(jobId="AFR_OTA-plain")["job"]
    assert (plain["status"], plain["forceCanceled"]) == ("IN_PROGRESS", False)
    assert "jobProcessDetails" not in plain


def test_paging_600_updates_in_three_pages(iot: LocalIot, client: IoTClient) -> None:
    """600 updates come back over 3 pages of at most 250, each id exactly once."""
    for index in range(600):
        iot.put(_info(f"u{index:03d}", creationDate=T0 + timedelta(seconds=index % 7)))
    seen: list[str] = []
    sizes = []
    kwargs: dict[str, Any] = {"maxResults": 250}
    while True:
        page = client.list_ota_updates(**kwargs)
        sizes.append(len(page["otaUpdates"]))
        seen += [summary["otaUpdateId"] for summary in page["otaUpdates"]]
        if "nextToken" not in page:
            break
        kwargs["nextToken"] = page["nextToken"]
    assert sizes == [250, 250, 100]
    assert sorted(seen) == [f"u{index:03d}" for index in range(600)]
    assert seen == iot.ota_update_ids()

    paginator = client.get_paginator("list_ota_updates")
    pages = list(paginator.paginate(PaginationConfig={"PageSize": 250}))
    assert [len(p["otaUpdates"]) for p in pages] == [250, 250, 100]
    assert len(list(paginator.paginate())) == math.ceil(600 / DEFAULT_MAX_RESULTS)


def test_page_size_cap_status_filter_and_tokens(iot: LocalIot, client: IoTClient) -> None:
    """page_size_cap shrinks pages, otaUpdateStatus filters, bad or mismatched tokens are 400."""
    for index in range(10):
        status = "CREATE_FAILED" if index % 2 else "CREATE_COMPLETE"
        iot.put(_info(f"s{index}", otaUpdateStatus=status))
    iot.page_size_cap = 3
    page = client.list_ota_updates(maxResults=250, otaUpdateStatus="CREATE_FAILED")
    assert [s["otaUpdateId"] for s in page["otaUpdates"]] == ["s1", "s3", "s5"]
    token = page["nextToken"]
    rest = client.list_ota_updates(otaUpdateStatus="CREATE_FAILED", nextToken=token)
    assert [s["otaUpdateId"] for s in rest["otaUpdates"]] == ["s7", "s9"]
    assert "nextToken" not in rest
    for bad_token in (token, "bm90LWEtdG9rZW4"):  # another filter's token; not a token at all
        with pytest.raises(ClientError) as excinfo:
            client.list_ota_updates(nextToken=bad_token)
        assert _error(excinfo) == ("InvalidRequestException", 400)


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("ThrottlingException", 400),
        ("InvalidRequestException", 400),
        ("UnauthorizedException", 401),
        ("AccessDeniedException", 403),
        ("ResourceNotFoundException", 404),
        ("LimitExceededException", 410),
        ("InternalFailureException", 500),
        ("ServiceUnavailableException", 503),
    ],
)
def test_error_codes_and_http_statuses(
    iot: LocalIot, client: IoTClient, code: str, status: int
) -> None:
    """Each error reaches botocore with its code, HTTP status, header and message."""
    iot.inject_error("ListOTAUpdates", code, message="injected")
    with pytest.raises(ClientError) as excinfo:
        client.list_ota_updates()
    assert _error(excinfo) == (code, status)
    response = excinfo.value.response
    assert response["Error"]["Message"] == "injected"
    error_type = response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-errortype"]
    assert error_type.startswith(f"{code}:http://internal.amazon.com/coral/")
    assert client.list_ota_updates()["otaUpdates"] == []  # injected once only


def test_server_side_request_validation(iot: LocalIot, make_client: MakeClient) -> None:
    """With client-side validation off, the server itself rejects bad input and duplicates."""
    client = make_client(parameter_validation=False)
    with pytest.raises(ClientError) as excinfo:
        client.list_ota_updates(maxResults=251)
    assert _error(excinfo) == ("InvalidRequestException", 400)
    with pytest.raises(ClientError) as excinfo:
        client.create_ota_update(otaUpdateId="x", targets=[], files=_files(), roleArn=ROLE)
    assert _error(excinfo) == ("InvalidRequestException", 400)
    iot.put(_info("dup"))
    with pytest.raises(ClientError) as excinfo:
        client.create_ota_update(otaUpdateId="dup", targets=[TARGET], files=_files(), roleArn=ROLE)
    assert _error(excinfo) == ("ResourceAlreadyExistsException", 409)
    assert excinfo.value.response["resourceId"] == "dup"  # type: ignore[typeddict-item]


def test_token_bucket_throttles_beyond_its_rate(iot: LocalIot, client: IoTClient) -> None:
    """At 5 requests/s, 20 back-to-back calls get the 5-token burst plus what refilled."""
    iot.put(_info("t"))
    iot.rate_limits = {"GetOTAUpdate": 5}
    ok = 0
    start = time.monotonic()
    for _ in range(20):
        try:
            client.get_ota_update(otaUpdateId="t")
            ok += 1
        except ClientError as error:
            assert error.response["Error"]["Code"] == "ThrottlingException"
            assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    elapsed = time.monotonic() - start
    assert 5 <= ok <= 5 + math.ceil(elapsed * 5)
    assert iot.throttled == {"GetOTAUpdate": 20 - ok}
    assert iot.calls["GetOTAUpdate"] == 20
    client.list_ota_updates()  # other operations have no limit

    iot.rate_limits = {"*": 2}
    outcomes = []
    for _ in range(6):
        try:
            client.list_ota_updates()
            outcomes.append(True)
        except ClientError:
            outcomes.append(False)
    assert outcomes[:2] == [True, True] and outcomes.count(True) < 6


def test_fault_rate_gives_seeded_503s(make_client: MakeClient) -> None:
    """fault_rate 1.0 answers 503 every time, and a seed makes partial rates repeatable."""
    with LocalIot(fault_rate=1.0) as server:
        client = make_client(server)
        for _ in range(3):
            with pytest.raises(ClientError) as excinfo:
                client.list_ota_updates()
            assert _error(excinfo) == ("ServiceUnavailableException", 503)
        assert server.faults == {"ServiceUnavailableException": 3}

    patterns = []
    for _ in range(2):
        with LocalIot(fault_rate=0.5, seed=42) as server:
            client = make_client(server)
            pattern = []
            for _ in range(16):
                try:
                    client.list_ota_updates()
                    pattern.append(True)
                except ClientError:
                    pattern.append(False)
            patterns.append(pattern)
    assert patterns[0] == patterns[1]
    assert True in patterns[0] and False in patterns[0]


def test_drop_rate_closes_connections_without_a_response(
    iot: LocalIot, client: IoTClient, make_client: MakeClient
) -> None:
    """A dropped connection makes botocore raise ConnectionClosedError (an HTTPClientError)."""
    client.list_ota_updates()  # a pooled keep-alive connection exists before the drop
    iot.drop_rate = 1.0
    for _ in range(3):
        with pytest.raises(ConnectionClosedError) as excinfo:
            client.list_ota_updates()
        assert isinstance(excinfo.value, HTTPClientError)
    fresh = make_client()  # a first request on a brand-new connection fails the same way
    with pytest.raises(ConnectionClosedError):
        fresh.list_ota_updates()
    assert iot.faults == {"drop": 4}
    assert iot.calls["ListOTAUpdates"] == 5
    iot.drop_rate = 0.0
    assert client.list_ota_updates()["otaUpdates"] == []


def test_access_denied(iot: LocalIot, client: IoTClient) -> None:
    """Ids in access_denied answer 403 to Get, DescribeJob and ListTags but still list."""
    secret = iot.put(_info("secret"))
    iot.put(_info("open"))
    iot.access_denied.add("secret")
    for call in (
        lambda: client.get_ota_update(otaUpdateId="secret"),
        lambda: client.describe_job(jobId="AFR_OTA-secret"),
        lambda: client.list_tags_for_resource(resourceArn=secret["otaUpdateArn"]),
    ):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert _error(excinfo) == ("AccessDeniedException", 403)
        assert "is not authorized to perform: iot:" in excinfo.value.response["Error"]["Message"]
    listed = [s["otaUpdateId"] for s in client.list_ota_updates()["otaUpdates"]]
    assert sorted(listed) == ["open", "secret"]
    assert client.get_ota_update(otaUpdateId="open")["otaUpdateInfo"]["otaUpdateId"] == "open"


def test_delete_after_list(iot: LocalIot, client: IoTClient) -> None:
    """An id in delete_after_list is listed once, then GetOTAUpdate finds it gone."""
    for index in range(4):
        iot.put(_info(f"d{index}", creationDate=T0 + timedelta(minutes=index)))
    iot.delete_after_list = {"d1", "d3"}
    first = client.list_ota_updates(maxResults=2)
    assert [s["otaUpdateId"] for s in first["otaUpdates"]] == ["d0", "d1"]
    with pytest.raises(ClientError) as excinfo:
        client.get_ota_update(otaUpdateId="d1")
    assert _error(excinfo) == ("ResourceNotFoundException", 404)
    assert iot.get_info("d3") is not None  # not listed yet
    second = client.list_ota_updates(maxResults=2, nextToken=first["nextToken"])
    assert [s["otaUpdateId"] for s in second["otaUpdates"]] == ["d2", "d3"]
    assert iot.ota_update_ids() == ["d0", "d2"]
    assert iot.delete_after_list == set()


def test_response_validation_catches_bad_stored_values(iot: LocalIot, client: IoTClient) -> None:
    """A stored value that breaks the output shape becomes a 500 and a validation_errors entry."""
    iot.put(_info("bad", targets="not-a-list"))
    with pytest.raises(ClientError) as excinfo:
        client.get_ota_update(otaUpdateId="bad")
    assert _error(excinfo) == ("InternalFailureException", 500)
    [failure] = iot.validation_errors
    assert (failure.operation, failure.ota_update_id) == ("GetOTAUpdate", "bad")
    assert any("otaUpdateInfo.targets" in problem for problem in failure.problems)
    assert [s["otaUpdateId"] for s in client.list_ota_updates()["otaUpdates"]] == ["bad"]

    iot.put(_info("enum", targetSelection="SOMETIMES"))  # an enum ParamValidator ignores
    with pytest.raises(ClientError) as excinfo:
        client.get_ota_update(otaUpdateId="enum")
    assert _error(excinfo) == ("InternalFailureException", 500)
    assert "SOMETIMES" in " ".join(iot.validation_errors[-1].problems)


def test_signatures_are_verified(iot: LocalIot, make_client: MakeClient) -> None:
    """A wrong secret, an unknown key or another region's scope is refused with 403."""
    cases = [
        (make_client(secret="wrong"), "InvalidSignatureException"),
        (make_client(key="AKIDUNKNOWN"), "UnrecognizedClientException"),
        (make_client(region_name="us-east-1"), "InvalidSignatureException"),
    ]
    for bad_client, code in cases:
        with pytest.raises(ClientError) as excinfo:
            bad_client.list_ota_updates()
        assert _error(excinfo) == (code, 403)
    iot.put(_info("ok"))
    good = make_client()
    arn = iot.ota_update_arn("ok")
    assert good.list_tags_for_resource(resourceArn=arn)["tags"] == []  # ':' and '/' in query


def test_latency_and_call_log(iot: LocalIot, client: IoTClient) -> None:
    """latency delays each answer, and call_log names the update each request was about."""
    iot.put(_info("c1"))
    iot.latency = 0.2
    start = time.monotonic()
    client.get_ota_update(otaUpdateId="c1")
    assert time.monotonic() - start >= 0.2
    iot.latency = 0.0
    client.describe_job(jobId="AFR_OTA-c1")
    client.list_tags_for_resource(resourceArn=iot.ota_update_arn("c1"))
    client.list_ota_updates()
    assert [(op, ota_id) for op, ota_id, _ in iot.call_log] == [
        ("GetOTAUpdate", "c1"),
        ("DescribeJob", "c1"),
        ("ListTagsForResource", "c1"),
        ("ListOTAUpdates", None),
    ]
    stamps = [stamp for _, _, stamp in iot.call_log]
    assert stamps == sorted(stamps)
    iot.reset_counters()
    assert iot.calls == {} and iot.call_log == []


def test_many_concurrent_connections(iot: LocalIot, make_client: MakeClient) -> None:
    """32 threads sharing one client's 32-connection pool all get their answers."""
    for index in range(32):
        iot.put(_info(f"p{index}"))
    client = make_client(max_pool_connections=32)

    def fetch(index: int) -> str:
        got = [
            client.get_ota_update(otaUpdateId=f"p{index}")["otaUpdateInfo"]["otaUpdateId"]
            for _ in range(5)
        ]
        assert set(got) == {f"p{index}"}
        return got[0]

    with ThreadPoolExecutor(max_workers=32) as pool:
        results = list(pool.map(fetch, range(32)))
    assert results == [f"p{index}" for index in range(32)]
    assert iot.calls["GetOTAUpdate"] == 160


def test_stop_ends_every_thread(make_client: MakeClient) -> None:
    """stop() returns promptly and leaves no server thread, even with idle and slow requests."""
    server = LocalIot(latency=30).start()
    port = server.port
    client = make_client(server, read_timeout=10)
    raw = socket.create_connection(("127.0.0.1", port))  # an idle connection
    pending = threading.Thread(target=_swallow(client.list_ota_updates), daemon=True)
    pending.start()
    while not server.calls:
        time.sleep(0.01)
    start = time.monotonic()
    server.stop()
    assert time.monotonic() - start < 5
    raw.close()
    pending.join(5)
    assert not [t for t in threading.enumerate() if t.name.endswith(f":{port}")]
    with pytest.raises(RuntimeError):
        _ = server.url


def _swallow(call: Callable[[], object]) -> Callable[[], None]:
    def run() -> None:
        with contextlib.suppress(Exception):
            call()

    return run


# --------------------------------------------------------------------------------------------
# fault modes


@pytest.fixture
def raw_iot() -> Iterator[LocalIot]:
    """A LocalIot for hand-made requests (no signatures) holding f1 and f2, tagged and with jobs."""
    with LocalIot(verify_signatures=False) as server:
        for index, ota_id in enumerate(("f1", "f2")):
            server.put(
                _info(ota_id, creationDate=T0 + timedelta(minutes=index)),
                abort=[ALL_CANCEL],
                tags={"team": "fw"},
            )
        yield server
        assert server.internal_errors == []
        assert server.validation_errors == []


def _raw(iot: LocalIot, path: str) -> tuple[int, str, bytes]:
    """GET ``path``: the status, Content-Type and the body's bytes, whatever they hold."""
    conn = http.client.HTTPConnection("127.0.0.1", iot.port, timeout=5)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        conn.close()


def _paths(iot: LocalIot) -> dict[str, str]:
    """The request path of each read operation, about update f1."""
    arn = quote(iot.ota_update_arn("f1"), safe="")
    return {
        "ListOTAUpdates": "/otaUpdates",
        "GetOTAUpdate": "/otaUpdates/f1",
        "DescribeJob": "/jobs/AFR_OTA-f1",
        "ListTagsForResource": f"/tags?resourceArn={arn}",
    }


READS = ("ListOTAUpdates", "GetOTAUpdate", "DescribeJob", "ListTagsForResource")


@pytest.mark.parametrize("operation", READS)
def test_body_faults_replace_or_break_the_real_answer(raw_iot: LocalIot, operation: str) -> None:
    """Each body fault sends its exact bytes with status 200; the next request is normal again."""
    path = _paths(raw_iot)[operation]
    status, kind, normal = _raw(raw_iot, path)
    assert (status, kind) == (200, "application/json")
    expected = {
        "truncated": normal[: len(normal) // 2],
        "empty-object": b"{}",
        "null": b"null",
        "list": b"[]",
        "error-200": b'{"__type":"InternalFailureException",'
        b'"message":"An internal error occurred."}',
    }
    for fault, body in expected.items():
        raw_iot.inject_fault(operation, fault)
        assert _raw(raw_iot, path) == (200, "application/json", body)
        assert _raw(raw_iot, path) == (200, "application/json", normal)
    raw_iot.inject_fault(operation, "html")
    status, kind, body = _raw(raw_iot, path)
    assert (status, kind) == (200, "text/html")
    assert body.startswith(b"<!DOCTYPE html>")
    raw_iot.inject_fault(operation, "nan")
    _, _, body = _raw(raw_iot, path)
    assert body.count(b"NaN") == 1
    assert json.loads(body).keys() >= json.loads(normal).keys()  # Python's json reads NaN
    assert raw_iot.faults == dict.fromkeys([*expected, "html", "nan"], 1)


@pytest.mark.parametrize(
    ("operation", "member", "kind"),
    [
        ("ListOTAUpdates", ["otaUpdates"], dict),
        ("GetOTAUpdate", ["otaUpdateInfo", "targets"], str),
        ("DescribeJob", ["job", "targets"], str),
        ("ListTagsForResource", ["tags"], dict),
    ],
)
def test_wrong_type_puts_one_member_of_another_json_type(
    raw_iot: LocalIot, operation: str, member: list[str], kind: type
) -> None:
    """wrong-type: the named member (a list in the model) arrives as an object or a string."""
    raw_iot.inject_fault(operation, "wrong-type")
    _, _, body = _raw(raw_iot, _paths(raw_iot)[operation])
    value: Any = json.loads(body)
    for key in member:
        value = value[key]
    assert type(value) is kind


def test_fault_times_persistence_and_target_update(raw_iot: LocalIot) -> None:
    """times=N lasts N matching requests, times=None until clear_faults, an id filters."""
    raw_iot.inject_fault("GetOTAUpdate", "null", times=2, ota_update_id="f2")
    assert _raw(raw_iot, "/otaUpdates/f1")[2] != b"null"  # about another update: not counted
    assert [_raw(raw_iot, "/otaUpdates/f2")[2] for _ in range(3)][:2] == [b"null", b"null"]
    assert _raw(raw_iot, "/otaUpdates/f2")[2] != b"null"
    raw_iot.inject_fault("ListOTAUpdates", "list", times=None)
    assert {_raw(raw_iot, "/otaUpdates")[2] for _ in range(5)} == {b"[]"}
    raw_iot.clear_faults()
    assert json.loads(_raw(raw_iot, "/otaUpdates")[2])["otaUpdates"]
    assert raw_iot.faults == {"null": 2, "list": 5}


def test_wrong_id_and_entry_without_id(raw_iot: LocalIot) -> None:
    """wrong-id answers about another update or job; entry-without-id drops one listing id."""
    raw_iot.inject_fault("GetOTAUpdate", "wrong-id")
    assert json.loads(_raw(raw_iot, "/otaUpdates/f1")[2])["otaUpdateInfo"]["otaUpdateId"] == "f2"
    raw_iot.inject_fault("DescribeJob", "wrong-id")
    assert json.loads(_raw(raw_iot, "/jobs/AFR_OTA-f1")[2])["job"]["jobId"] == "AFR_OTA-f1-other"
    raw_iot.inject_fault("ListOTAUpdates", "entry-without-id")
    entries = json.loads(_raw(raw_iot, "/otaUpdates")[2])["otaUpdates"]
    assert [e.get("otaUpdateId") for e in entries] == [None, "f2"]
    assert entries[0]["otaUpdateArn"] == raw_iot.ota_update_arn("f1")


@pytest.mark.parametrize("operation", ["ListOTAUpdates", "ListTagsForResource"])
@pytest.mark.parametrize(
    ("fault", "tokens"),
    [
        ("repeat-token", ["A", "A", "A", "A"]),
        ("cycle-token", ["A", "B", "A", "B"]),
        ("endless-token", ["1", "2", "3", "4"]),
    ],
)
def test_token_faults_never_end_a_listing(
    raw_iot: LocalIot, operation: str, fault: str, tokens: list[str]
) -> None:
    """Following the nextTokens of a token fault gives this sequence, and every page is whole."""
    raw_iot.inject_fault(operation, fault, times=None)
    path = _paths(raw_iot)[operation]
    seen = []
    token = None
    for _ in tokens:
        query = f"nextToken={quote(token)}" if token else ""
        sep = "&" if "?" in path else "?"
        status, _, body = _raw(raw_iot, f"{path}{sep}{query}" if query else path)
        page = json.loads(body)
        assert status == 200
        assert page["otaUpdates" if operation == "ListOTAUpdates" else "tags"]
        token = page["nextToken"]
        assert token.startswith(FAULT_TOKEN_PREFIX)
        seen.append(token.removeprefix(FAULT_TOKEN_PREFIX))
    assert seen == tokens


def test_echo_headers_quotes_the_request_credentials(iot: LocalIot) -> None:
    """echo-headers: a 403 whose message holds the date, session token and Authorization."""
    client = boto3.client(
        "iot",
        endpoint_url=iot.url,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        aws_session_token="FwoGZXIvYXdzEXAMPLETOKEN",
        config=Config(retries={"total_max_attempts": 1}),
    )
    iot.inject_fault("ListOTAUpdates", "echo-headers")
    with pytest.raises(ClientError) as excinfo:
        client.list_ota_updates()
    client.close()
    assert _error(excinfo) == ("AccessDeniedException", 403)
    message = excinfo.value.response["Error"]["Message"]
    assert re.fullmatch(
        r"Request refused\. Headers received: X-Amz-Date: \d{8}T\d{6}Z; "
        r"X-Amz-Security-Token: FwoGZXIvYXdzEXAMPLETOKEN; "
        r"Authorization: AWS4-HMAC-SHA256 Credential=testing/\d{8}/eu-west-1/iot/aws4_request, "
        r"SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}",
        message,
    )
    assert iot.faults == {"echo-headers": 1}


@pytest.mark.parametrize(
    ("operation", "fault", "times", "problem"),
    [
        ("ListOTAUpdates", "bogus", 1, "unknown fault 'bogus'"),
        ("GetOTAUpdate", "entry-without-id", 1, "does not apply to GetOTAUpdate"),
        ("ListOTAUpdates", "wrong-id", 1, "does not apply to ListOTAUpdates"),
        ("DescribeJob", "repeat-token", 1, "does not apply to DescribeJob"),
        ("GetOTAUpdate", "null", 0, "times must be at least 1"),
    ],
)
def test_inject_fault_rejects_what_cannot_apply(
    iot: LocalIot, operation: str, fault: str, times: int, problem: str
) -> None:
    """An unknown fault, one for another operation, or times < 1 is a ValueError."""
    with pytest.raises(ValueError, match=re.escape(problem)):
        iot.inject_fault(operation, fault, times=times)
