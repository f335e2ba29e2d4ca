"""LocalCloud's code-signing chain (Signer, ACM, S3 HeadObject, IoT DescribeStream), driven by
real boto3 clients that find it through AWS_ENDPOINT_URL_<SERVICE> with the base credentials:
answers parsed to what was put in, each error code, denials, signatures, rate limits, faults."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError

from tests.support.chain_endpoint import DEFAULT_PROFILE_VERSION, ChainCall, LocalChain
from tests.support.cloud_endpoint import LocalCloud
from tests.support.offline_aws import offline_aws

BASE = "000000000000"
OTHER = "111122223333"
EU = "eu-west-1"
CERT = f"arn:aws:acm:{EU}:{BASE}:certificate/1234abcd-12ab-34cd-56ef-1234567890ab"
KEY = "fw/v1 image+.bin"  # a space and a plus: S3 signs the path as sent, encoded once
NO_RETRIES = Config(retries={"total_max_attempts": 1})
T0 = datetime(2026, 3, 4, 5, 6, 7, 123000, tzinfo=UTC)

Client = Callable[..., Any]


@pytest.fixture
def cloud(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[LocalCloud]:
    """A running LocalCloud every client reaches by its env variables (base credentials);
    no server-side exception and no misfit answer allowed."""
    offline_aws(monkeypatch, tmp_path, region=EU, key_id="base-key", secret="base-secret")
    with LocalCloud() as server:
        for name, value in server.env().items():
            monkeypatch.setenv(name, value)
        yield server
        assert server.internal_errors == []
        assert server.validation_errors == []


@pytest.fixture
def signing(cloud: LocalCloud) -> LocalChain:
    return cloud.chain(BASE, EU)


@pytest.fixture
def client() -> Iterator[Client]:
    """boto3 clients without retries (the base keys unless told), one per service, keys and
    config (making one costs more than a request), closed after the test."""
    made: dict[tuple[str, str, str, int], Any] = {}

    def make(
        service: str,
        *,
        key: str = "base-key",
        secret: str = "base-secret",
        config: Config = NO_RETRIES,
    ) -> Any:
        wanted = (service, key, secret, id(config))
        if wanted not in made:
            new_client: Any = boto3.client  # a service name known only at run time
            made[wanted] = new_client(
                service,
                region_name=EU,
                config=config,
                aws_access_key_id=key,
                aws_secret_access_key=secret,
            )
        return made[wanted]

    yield make
    for each in made.values():
        each.close()


def _code(error: ClientError) -> tuple[str, int]:
    return error.response["Error"]["Code"], error.response["ResponseMetadata"]["HTTPStatusCode"]


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    return _code(excinfo.value)


def _headers(excinfo: pytest.ExceptionInfo[ClientError]) -> dict[str, str]:
    return dict(excinfo.value.response["ResponseMetadata"]["HTTPHeaders"])


def _body(answer: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in answer.items() if key != "ResponseMetadata"}


def _seed(cloud: LocalCloud, signing: LocalChain) -> None:
    """One of each resource, for tests that only need them to exist."""
    signing.add_signing_job("job-1", certificate_arn=CERT)
    signing.add_signing_profile("fw_profile", certificate_arn=CERT)
    signing.add_certificate(CERT)
    signing.put_object("firmware", KEY, "v1")
    files = [{"fileId": 0, "s3Location": {"bucket": "firmware", "key": KEY, "version": "v1"}}]
    cloud.iot(BASE, EU).put_stream("stream-1", files=files)


def _read(client: Client, operation: str, **keys: str) -> Any:
    """One read of each operation, about the resources :func:`_seed` made."""
    if operation == "DescribeSigningJob":
        return client("signer", **keys).describe_signing_job(jobId="job-1")
    if operation == "GetSigningProfile":
        return client("signer", **keys).get_signing_profile(profileName="fw_profile")
    if operation == "DescribeCertificate":
        return client("acm", **keys).describe_certificate(CertificateArn=CERT)
    if operation == "HeadObject":
        return client("s3", **keys).head_object(Bucket="firmware", Key=KEY, VersionId="v1")
    return client("iot", **keys).describe_stream(streamId="stream-1")


def test_signing_job_parses_to_what_was_put(signing: LocalChain, client: Client) -> None:
    """Every member the checker reads comes back as put in; an unknown job is a 404."""
    signing.add_signing_job(
        "job-1",
        status="Failed",
        status_reason="The certificate is not valid",
        profile_name="fw_profile",
        certificate_arn=CERT,
        created_at=T0,
        completed_at=T0 + timedelta(minutes=1),
        signature_expires_at=T0 + timedelta(days=400),
        revocation={
            "reason": "key leaked",
            "revoked_at": T0 + timedelta(days=2),
            "revoked_by": "sec",
        },
    )
    signer = client("signer")
    assert _body(signer.describe_signing_job(jobId="job-1")) == {
        "jobId": "job-1",
        "status": "Failed",
        "statusReason": "The certificate is not valid",
        "profileName": "fw_profile",
        "profileVersion": DEFAULT_PROFILE_VERSION,
        "platformId": "AmazonFreeRTOS-Default",
        "createdAt": T0,
        "completedAt": T0 + timedelta(minutes=1),
        "signatureExpiresAt": T0 + timedelta(days=400),
        "signingMaterial": {"certificateArn": CERT},
        "revocationRecord": {
            "reason": "key leaked",
            "revokedAt": T0 + timedelta(days=2),
            "revokedBy": "sec",
        },
        "requestedBy": f"arn:aws:iam::{BASE}:user/release",
        "jobOwner": BASE,
        "jobInvoker": BASE,
    }
    with pytest.raises(ClientError) as excinfo:
        signer.describe_signing_job(jobId="job-2")
    assert _error(excinfo) == ("ResourceNotFoundException", 404)
    assert signing.calls == [
        ChainCall("DescribeSigningJob", "job-1"),
        ChainCall("DescribeSigningJob", "job-2"),
    ]


def test_signing_profile_parses_to_what_was_put(
    cloud: LocalCloud, signing: LocalChain, client: Client
) -> None:
    """GetSigningProfile, its revocationRecord, a profile of another account (profileOwner)
    and an unknown profile."""
    signing.add_signing_profile(
        "fw_profile",
        version="Zz9Yy8Xx7W",
        status="Revoked",
        status_reason="compromised",
        certificate_arn=CERT,
        revocation={"effective_from": T0, "revoked_at": T0 + timedelta(hours=1), "revoked_by": "x"},
        validity={"value": 5, "type": "YEARS"},
    )
    cloud.chain(OTHER, EU).add_signing_profile("shared_profile", status="Canceled")
    signer = client("signer")
    profile_arn = f"arn:aws:signer:{EU}:{BASE}:/signing-profiles/fw_profile"
    assert _body(signer.get_signing_profile(profileName="fw_profile")) == {
        "profileName": "fw_profile",
        "profileVersion": "Zz9Yy8Xx7W",
        "profileVersionArn": f"{profile_arn}/Zz9Yy8Xx7W",
        "arn": profile_arn,
        "status": "Revoked",
        "statusReason": "compromised",
        "platformId": "AmazonFreeRTOS-Default",
        "signingMaterial": {"certificateArn": CERT},
        "revocationRecord": {
            "revocationEffectiveFrom": T0,
            "revokedAt": T0 + timedelta(hours=1),
            "revokedBy": "x",
        },
        "signatureValidityPeriod": {"value": 5, "type": "YEARS"},
    }
    shared = signer.get_signing_profile(profileName="shared_profile", profileOwner=OTHER)
    assert (shared["status"], shared["arn"]) == (
        "Canceled",
        f"arn:aws:signer:{EU}:{OTHER}:/signing-profiles/shared_profile",
    )
    for name, owner in (("other_profile", BASE), ("shared_profile", BASE), ("fw_profile", OTHER)):
        with pytest.raises(ClientError) as excinfo:
            signer.get_signing_profile(profileName=name, profileOwner=owner)
        assert _error(excinfo) == ("ResourceNotFoundException", 404)


def test_certificate_parses_to_what_was_put(signing: LocalChain, client: Client) -> None:
    """DescribeCertificate with epoch-second timestamps; unknown and malformed ARNs."""
    signing.add_certificate(
        CERT,
        status="REVOKED",
        not_before=T0,
        not_after=T0 + timedelta(days=30),
        revoked_at=T0 + timedelta(days=3),
        revocation_reason="KEY_COMPROMISE",
        extended_key_usages=("TLS_WEB_SERVER_AUTHENTICATION", "CODE_SIGNING", "NONE"),
        key_algorithm="RSA_2048",
        type="PRIVATE",
    )
    acm = client("acm")
    certificate = acm.describe_certificate(CertificateArn=CERT)["Certificate"]
    assert {key: certificate[key] for key in sorted(certificate) if key not in ("CreatedAt",)} == {
        "CertificateArn": CERT,
        "DomainName": "firmware.example.com",
        "ExtendedKeyUsages": [
            {"Name": "TLS_WEB_SERVER_AUTHENTICATION", "OID": "1.3.6.1.5.5.7.3.1"},
            {"Name": "CODE_SIGNING", "OID": "1.3.6.1.5.5.7.3.3"},
            {"Name": "NONE"},
        ],
        "InUseBy": [],
        "IssuedAt": T0 - timedelta(days=1),
        "Issuer": "Example Code Signing CA",
        "KeyAlgorithm": "RSA_2048",
        "KeyUsages": [{"Name": "DIGITAL_SIGNATURE"}],
        "NotAfter": T0 + timedelta(days=30),
        "NotBefore": T0,
        "RevocationReason": "KEY_COMPROMISE",
        "RevokedAt": T0 + timedelta(days=3),
        "Serial": "0a:1b:2c:3d",
        "SignatureAlgorithm": "SHA256WITHRSA",
        "Status": "REVOKED",
        "Subject": "CN=firmware.example.com",
        "Type": "PRIVATE",
    }
    with pytest.raises(ClientError) as excinfo:
        acm.describe_certificate(CertificateArn=CERT.replace("1234abcd", "99999999"))
    assert _error(excinfo) == ("ResourceNotFoundException", 400)
    with pytest.raises(ClientError) as excinfo:
        acm.describe_certificate(CertificateArn="arn:aws:s3:::not-a-certificate-arn")
    assert _error(excinfo) == ("InvalidArnException", 400)


def test_head_object_answers_in_headers_path_style(
    cloud: LocalCloud, signing: LocalChain, client: Client
) -> None:
    """A version's size, ETag, date and id; botocore addresses 127.0.0.1 path-style, with the
    key encoded once."""
    signing.put_object("firmware", KEY, "v1", size=4096, etag='"0123abcd"', last_modified=T0)
    signing.put_object("firmware", KEY, "v2", size=10)
    s3 = client("s3")
    urls: list[str] = []
    s3.meta.events.register("before-send.s3", lambda request, **_: urls.append(request.url))
    answer = s3.head_object(Bucket="firmware", Key=KEY, VersionId="v1")
    assert {key: answer[key] for key in ("ContentLength", "ETag", "LastModified", "VersionId")} == {
        "ContentLength": 4096,
        "ETag": '"0123abcd"',
        "LastModified": T0.replace(microsecond=0),
        "VersionId": "v1",
    }
    assert answer["ResponseMetadata"]["HTTPHeaders"]["last-modified"] == (
        "Wed, 04 Mar 2026 05:06:07 GMT"
    )
    latest = s3.head_object(Bucket="firmware", Key=KEY)
    assert (latest["VersionId"], latest["ContentLength"]) == ("v2", 10)
    assert urls == [
        f"{cloud.url}/firmware/fw/v1%20image%2B.bin?versionId=v1",
        f"{cloud.url}/firmware/fw/v1%20image%2B.bin",
    ]
    assert signing.calls == [
        ChainCall("HeadObject", f"firmware/{KEY}?versionId=v1"),
        ChainCall("HeadObject", f"firmware/{KEY}"),
    ]


def test_head_object_missing_versions_and_delete_markers(
    signing: LocalChain, client: Client
) -> None:
    """A version that does not exist is a bodiless 404 ("404"); a version that is a delete
    marker a 405 that says so; the latest version a delete marker: 404 that says so; an
    unversioned object answers without a version id; another bucket owner is a 403."""
    signing.put_object("firmware", KEY, "v1")
    signing.put_object("firmware", KEY, "v2", delete_marker=True, last_modified=T0)
    signing.put_object("firmware", "plain.bin", None, size=7)
    s3 = client("s3")
    with pytest.raises(ClientError) as excinfo:
        s3.head_object(Bucket="firmware", Key=KEY, VersionId="v9")
    assert _error(excinfo) == ("404", 404)
    assert "x-amz-delete-marker" not in _headers(excinfo)
    with pytest.raises(ClientError) as excinfo:
        s3.head_object(Bucket="firmware", Key=KEY, VersionId="v2")
    assert _error(excinfo) == ("405", 405)
    headers = _headers(excinfo)
    assert (headers["x-amz-delete-marker"], headers["x-amz-version-id"]) == ("true", "v2")
    assert headers["last-modified"] == "Wed, 04 Mar 2026 05:06:07 GMT"
    with pytest.raises(ClientError) as excinfo:
        s3.head_object(Bucket="firmware", Key=KEY)
    assert _error(excinfo) == ("404", 404)
    assert _headers(excinfo)["x-amz-delete-marker"] == "true"
    with pytest.raises(ClientError) as excinfo:
        s3.head_object(Bucket="other-bucket", Key=KEY, VersionId="v1")
    assert _error(excinfo) == ("404", 404)
    plain = s3.head_object(Bucket="firmware", Key="plain.bin")
    assert (plain["ContentLength"], "VersionId" in plain) == (7, False)
    assert (
        s3.head_object(Bucket="firmware", Key="plain.bin", VersionId="null")["ContentLength"] == 7
    )
    assert s3.head_object(Bucket="firmware", Key=KEY, VersionId="v1", ExpectedBucketOwner=BASE)
    with pytest.raises(ClientError) as excinfo:
        s3.head_object(Bucket="firmware", Key=KEY, VersionId="v1", ExpectedBucketOwner=OTHER)
    assert _error(excinfo) == ("403", 403)


def test_describe_stream_answers_stream_info(cloud: LocalCloud, client: Client) -> None:
    """DescribeStream's streamInfo as put in; an unknown stream is a 404."""
    iot = cloud.iot(BASE, EU)
    files = [
        {"fileId": 0, "s3Location": {"bucket": "firmware", "key": KEY, "version": "v1"}},
        {"fileId": 3, "s3Location": {"bucket": "firmware", "key": "b.bin"}},
    ]
    iot.put_stream("stream-1", files, version=4, description="fw", created_at=T0)
    info = client("iot").describe_stream(streamId="stream-1")["streamInfo"]
    assert info == {
        "streamId": "stream-1",
        "streamArn": f"arn:aws:iot:{EU}:{BASE}:stream/stream-1",
        "streamVersion": 4,
        "description": "fw",
        "files": files,
        "createdAt": T0,
        "lastUpdatedAt": T0,
        "roleArn": f"arn:aws:iam::{BASE}:role/ota-stream",
    }
    with pytest.raises(ClientError) as excinfo:
        client("iot").describe_stream(streamId="stream-2")
    assert _error(excinfo) == ("ResourceNotFoundException", 404)
    assert iot.calls["DescribeStream"] == 2
    assert cloud.resource_calls() == Counter(
        {("iot:DescribeStream", "stream-1"): 1, ("iot:DescribeStream", "stream-2"): 1}
    )


def test_env_and_recorded_calls(cloud: LocalCloud, signing: LocalChain, client: Client) -> None:
    """env() points Signer, ACM and S3 here too; every chain read is a CloudCall with its
    service, operation and resource, and the chain counts its own per resource."""
    assert {"AWS_ENDPOINT_URL_SIGNER", "AWS_ENDPOINT_URL_ACM", "AWS_ENDPOINT_URL_S3"} <= set(
        cloud.env()
    )
    assert len(cloud.env()) == 8
    _seed(cloud, signing)
    operations = (
        "DescribeSigningJob",
        "GetSigningProfile",
        "DescribeCertificate",
        "HeadObject",
        "DescribeStream",
    )
    for operation in (*operations, "DescribeSigningJob"):
        _read(client, operation)
    assert cloud.operations() == {
        "signer:DescribeSigningJob",
        "signer:GetSigningProfile",
        "acm:DescribeCertificate",
        "s3:HeadObject",
        "iot:DescribeStream",
    }
    assert Counter(signing.calls) == {
        ("DescribeSigningJob", "job-1"): 2,
        ("GetSigningProfile", "fw_profile"): 1,
        ("DescribeCertificate", CERT): 1,
        ("HeadObject", f"firmware/{KEY}?versionId=v1"): 1,
    }
    assert cloud.resource_calls(BASE)[("signer:DescribeSigningJob", "job-1")] == 2
    assert [(c.status, c.error, c.account) for c in cloud.calls] == [(200, None, BASE)] * 6


@pytest.mark.parametrize(
    "case",
    [
        ("DescribeSigningJob", "signer:DescribeSigningJob", ("AccessDeniedException", 403)),
        ("GetSigningProfile", "signer:GetSigningProfile", ("AccessDeniedException", 403)),
        ("DescribeCertificate", "acm:DescribeCertificate", ("AccessDeniedException", 400)),
        ("HeadObject", "s3:HeadObject", ("403", 403)),
        ("DescribeStream", "iot:DescribeStream", ("AccessDeniedException", 403)),
    ],
)
def test_deny_refuses_each_read(
    cloud: LocalCloud, signing: LocalChain, client: Client, case: tuple[str, str, tuple[str, int]]
) -> None:
    """deny(account, action) is each protocol's AccessDenied, and never reaches the chain."""
    operation, action, expected = case
    _seed(cloud, signing)
    cloud.deny(BASE, action)
    with pytest.raises(ClientError) as excinfo:
        _read(client, operation)
    assert _error(excinfo) == expected
    assert signing.calls == []
    assert cloud.iot(BASE, EU).calls["DescribeStream"] == 0
    assert [(c.action, c.error) for c in cloud.calls] == [(action, expected[0])]


@pytest.mark.parametrize(
    "case",
    [
        ("DescribeSigningJob", ("InvalidSignatureException", 403)),
        ("DescribeCertificate", ("InvalidSignatureException", 400)),
        ("HeadObject", ("403", 403)),
        ("DescribeStream", ("InvalidSignatureException", 403)),
    ],
)
def test_a_wrong_secret_is_refused(
    cloud: LocalCloud, signing: LocalChain, client: Client, case: tuple[str, tuple[str, int]]
) -> None:
    """The signature is checked for every service (S3's variant too): the right key id with
    the wrong secret is refused at the door, as is an unknown key; the right secret passes."""
    operation, expected = case
    _seed(cloud, signing)
    _read(client, operation)
    with pytest.raises(ClientError) as excinfo:
        _read(client, operation, secret="not-the-secret")
    assert _error(excinfo) == expected
    assert len(signing.calls) + cloud.iot(BASE, EU).calls["DescribeStream"] == 1
    with pytest.raises(ClientError) as excinfo:
        _read(client, operation, key="unknown-key")
    assert _error(excinfo)[1] == expected[1]
    assert [c.status for c in cloud.calls] == [200, expected[1], expected[1]]


def test_s3_payload_hash(cloud: LocalCloud, signing: LocalChain, client: Client) -> None:
    """UNSIGNED-PAYLOAD is accepted; a payload hash that is not the body's is refused (400)."""
    _seed(cloud, signing)
    unsigned = client("s3", config=NO_RETRIES.merge(Config(s3={"payload_signing_enabled": False})))
    seen: list[bytes | str] = []
    unsigned.meta.events.register(
        "before-send.s3", lambda request, **_: seen.append(request.headers["X-Amz-Content-SHA256"])
    )
    assert unsigned.head_object(Bucket="firmware", Key=KEY, VersionId="v1")["VersionId"] == "v1"
    assert seen == [b"UNSIGNED-PAYLOAD"]

    def lie(request: Any, **_: Any) -> None:
        request.headers["X-Amz-Content-SHA256"] = "0" * 64

    lying = client("s3")
    lying.meta.events.register("before-send.s3", lie)
    with pytest.raises(ClientError) as excinfo:
        lying.head_object(Bucket="firmware", Key=KEY, VersionId="v1")
    assert _error(excinfo) == ("400", 400)
    assert cloud.calls[-1].error == "400"


@pytest.mark.parametrize(
    ("operation", "expected"),
    [
        ("DescribeSigningJob", ("TooManyRequestsException", 429)),
        ("GetSigningProfile", ("TooManyRequestsException", 429)),
        ("DescribeCertificate", ("ThrottlingException", 400)),
        ("HeadObject", ("503", 503)),
    ],
)
def test_rate_limits_throttle_each_operation(
    cloud: LocalCloud,
    signing: LocalChain,
    client: Client,
    operation: str,
    expected: tuple[str, int],
) -> None:
    """Over its operation's rate, a request gets the service's throttling answer; the other
    operations run free."""
    _seed(cloud, signing)
    signing.rate_limits = {operation: 0.001}  # one request, then throttled
    _read(client, operation)
    with pytest.raises(ClientError) as excinfo:
        _read(client, operation)
    assert _error(excinfo) == expected
    for other in ("DescribeSigningJob", "GetSigningProfile", "DescribeCertificate", "HeadObject"):
        if other != operation:
            _read(client, other)
    assert signing.throttled == {operation: 1}
    with pytest.raises(ValueError, match="unknown operations"):
        signing.rate_limits = {"DescribeJob": 1.0}


def test_rate_limit_sustains_its_rate_and_signer_code_can_change(
    cloud: LocalCloud, signing: LocalChain, client: Client
) -> None:
    """A 5/s limit lets a burst of 5 through and throttles the next; Signer's deprecated
    ThrottlingException can be asked for instead."""
    _seed(cloud, signing)
    signing.rate_limits = {"DescribeSigningJob": 5.0}
    signing.signer_throttle_code = "ThrottlingException"
    signer = client("signer")
    for _ in range(5):
        signer.describe_signing_job(jobId="job-1")
    with pytest.raises(ClientError) as excinfo:
        signer.describe_signing_job(jobId="job-1")
    assert _error(excinfo) == ("ThrottlingException", 429)


def _outcome(client: Client, operation: str) -> Any:
    """What the client made of one read: its parsed answer, error code or exception type."""
    try:
        answer = _read(client, operation)
    except ClientError as error:
        return _code(error)
    except (ConnectionClosedError, ValueError) as error:
        return type(error).__name__
    return _body(answer)


FAULT_OUTCOMES: dict[tuple[str, str], Any] = {
    ("DescribeSigningJob", "500"): ("InternalServiceErrorException", 500),
    ("DescribeCertificate", "500"): ("InternalFailure", 500),
    ("HeadObject", "500"): ("500", 500),
    ("DescribeStream", "500"): ("InternalFailureException", 500),
    ("GetSigningProfile", "throttle"): ("TooManyRequestsException", 429),
    ("DescribeCertificate", "throttle"): ("ThrottlingException", 400),
    ("HeadObject", "throttle"): ("503", 503),
    ("DescribeStream", "throttle"): ("ThrottlingException", 400),
    ("DescribeSigningJob", "garbage"): {},  # botocore parses an HTML 200 to nothing
    ("DescribeCertificate", "garbage"): {},
    ("HeadObject", "garbage"): "ValueError",  # Content-Length: abc
    ("DescribeStream", "garbage"): {},
    ("GetSigningProfile", "drop"): "ConnectionClosedError",
    ("DescribeCertificate", "drop"): "ConnectionClosedError",
    ("HeadObject", "drop"): "ConnectionClosedError",
    ("DescribeStream", "drop"): "ConnectionClosedError",
}
"""What botocore makes of each fault (its error code and status, its parsed answer, or the
exception it raises)."""


def test_each_fault_answers_one_request(
    cloud: LocalCloud, signing: LocalChain, client: Client
) -> None:
    """A fault answers the next request only; the one after gets the real answer."""
    _seed(cloud, signing)
    outcomes = {}
    for (operation, kind), expected in FAULT_OUTCOMES.items():
        signing.inject_fault(operation, kind)
        faulted, real = _outcome(client, operation), _outcome(client, operation)
        outcomes[operation, kind] = faulted
        assert isinstance(real, dict), (operation, kind, real)
        assert real != {}, (operation, kind)
        assert real != expected
    assert outcomes == FAULT_OUTCOMES
    assert signing.faults == {"500": 3, "throttle": 3, "garbage": 3, "drop": 3}
    assert cloud.iot(BASE, EU).faults == {"html": 1, "drop": 1}


def test_well_formed_faults_and_targets(
    cloud: LocalCloud, signing: LocalChain, client: Client
) -> None:
    """wrong-shape and wrong-id answers parse, and are wrong; a fault limited to a resource
    spares the others; times=None lasts until clear_faults."""
    _seed(cloud, signing)
    signing.add_signing_job("job-2")
    signing.inject_fault("DescribeSigningJob", "wrong-shape", times=None, resource="job-1")
    signing.inject_fault("DescribeCertificate", "wrong-shape")
    signing.inject_fault("HeadObject", "wrong-shape")
    signing.inject_fault("GetSigningProfile", "wrong-id")
    signer = client("signer")
    for _ in range(2):
        assert signer.describe_signing_job(jobId="job-1")["status"] == ["Succeeded"]
    assert signer.describe_signing_job(jobId="job-2")["status"] == "Succeeded"
    assert _read(client, "DescribeCertificate")["Certificate"]["Status"] == ["ISSUED"]
    head = _read(client, "HeadObject")
    assert ("ETag" in head, "VersionId" in head, head["ContentLength"]) == (False, False, 1024)
    assert _read(client, "GetSigningProfile")["profileName"] == "fw_profile_other"
    signing.clear_faults()
    assert signer.describe_signing_job(jobId="job-1")["status"] == "Succeeded"
    signing.inject_fault("DescribeCertificate", "wrong-id")
    signing.inject_fault("HeadObject", "wrong-id")
    signing.inject_fault("DescribeStream", "wrong-shape")
    assert _read(client, "DescribeCertificate")["Certificate"]["CertificateArn"] == CERT + "-other"
    assert _read(client, "HeadObject")["VersionId"] == "v1-other"
    assert _read(client, "DescribeStream")["streamInfo"]["files"][0]["s3Location"]["key"] == [KEY]
    assert signing.faults == {"wrong-shape": 4, "wrong-id": 3}


def test_bad_seeds_and_arguments_are_refused(signing: LocalChain) -> None:
    """A value AWS could not answer is a ValueError when seeded, not a 500 later."""
    with pytest.raises(ValueError, match="profileName"):
        signing.add_signing_job("job-1", profile_name="fw-profile")
    with pytest.raises(ValueError, match="profileVersion"):
        signing.add_signing_profile("fw_profile", version="v1")
    with pytest.raises(ValueError, match="CertificateArn"):
        signing.add_certificate("arn:aws:s3:::firmware/certificate")
    with pytest.raises(ValueError, match="Status"):
        signing.add_certificate(CERT, status="VALID")
    with pytest.raises(ValueError, match="revocation keys"):
        signing.add_signing_job("job-1", revocation={"when": T0})
    with pytest.raises(ValueError, match="unknown fault"):
        signing.inject_fault("HeadObject", "html")
    with pytest.raises(ValueError, match="unknown operation"):
        signing.inject_fault("GetObject", "500")
    with pytest.raises(ValueError, match="needs a number of times"):
        signing.inject_fault("DescribeStream", "500", times=None)


def test_unserved_operations_and_disabled_regions(
    cloud: LocalCloud, signing: LocalChain, client: Client
) -> None:
    """Operations the chain does not serve are refused, never a made-up success; Signer and
    ACM do not answer in a region the account has not enabled."""
    with pytest.raises(ClientError) as excinfo:
        client("signer").list_signing_jobs()
    assert _error(excinfo) == ("UnknownOperationException", 404)
    with pytest.raises(ClientError) as excinfo:
        client("acm").list_certificates()
    assert _error(excinfo) == ("UnknownOperationException", 400)
    with pytest.raises(ClientError) as excinfo:
        client("s3").get_object(Bucket="firmware", Key=KEY)
    assert _error(excinfo) == ("NotImplemented", 501)
    assert [c.action for c in cloud.calls] == [
        "signer:ListSigningJobs",
        "acm:ListCertificates",
        "s3:GetObject",
    ]
    cloud.disable_region(BASE, EU)
    with pytest.raises(ClientError) as excinfo:
        client("signer").describe_signing_job(jobId="job-1")
    assert _error(excinfo) == ("UnrecognizedClientException", 403)
    with pytest.raises(ClientError) as excinfo:
        client("acm").describe_certificate(CertificateArn=CERT)
    assert _error(excinfo) == ("UnrecognizedClientException", 400)
