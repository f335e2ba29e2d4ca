"""The code-signing chain behind OTA updates, as AWS serves it: Signer's signing jobs and
profiles (rest-json), ACM's certificates (json 1.1) and S3's object versions (HeadObject,
rest-xml, an answer in headers only).

A :class:`LocalChain` holds the chain of one (account, region) partition of a
:class:`~tests.support.cloud_endpoint.LocalCloud` (``cloud.chain(account, region)``), which
checks each request's signature and credentials and then hands it here: this module never
sees an HTTP connection. :func:`identify` reads a request (operation, parameters, resource)
and :meth:`LocalChain.answer` returns the :class:`ChainAnswer` to send, so LocalCloud records
every request, and refuses some at its door, the same way for every service.

Everything on the wire follows botocore's models (``signer``, ``acm``, ``s3``): each answer is
checked against its output shape before it is sent (a misfit is a 500 and a
``validation_errors`` entry), timestamps are epoch seconds in JSON and RFC 7231 dates in S3's
headers, errors are written as each protocol's parser reads them::

    signing = cloud.chain("111122223333", "eu-west-1")
    signing.add_certificate(CERT_ARN, not_after=datetime(2027, 1, 1, tzinfo=UTC))
    signing.add_signing_profile("fw_profile", certificate_arn=CERT_ARN)
    signing.add_signing_job("job-1", certificate_arn=CERT_ARN)
    signing.put_object("firmware", "fw.bin", "v1", size=2048)
    signing.rate_limits = {"DescribeSigningJob": 5.0}
    signing.inject_fault("HeadObject", "garbage")
    ...
    assert Counter(signing.calls)[("DescribeSigningJob", "job-1")] == 1

S3 buckets are global at AWS; here an object lives in the partition whose credentials and
signed region reach it, which is how a per-partition audit reads it (a HeadObject whose
``ExpectedBucketOwner`` is another account is AccessDenied). Timestamps are kept to
the millisecond (S3's Last-Modified to the second), as the wire carries them, so a test can
compare what botocore parsed with what it put in.
"""

from __future__ import annotations

import base64
import copy
import functools
import json
import re
import secrets
import threading
import time
import traceback
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any, ClassVar, NamedTuple
from urllib.parse import parse_qsl, unquote, urlsplit

import botocore.session
from botocore.model import OperationModel, ServiceModel, StructureShape

from tests.support.iot_endpoint import LocalIot, ValidationFailure, shape_problems, to_wire

__all__ = [
    "CHAIN_FAULTS",
    "CHAIN_SERVICES",
    "DEFAULT_PROFILE_NAME",
    "DEFAULT_PROFILE_VERSION",
    "EKU_OIDS",
    "OPERATIONS",
    "ChainAnswer",
    "ChainCall",
    "ChainError",
    "ChainRequest",
    "LocalChain",
    "error_answer",
    "identify",
]

OPERATIONS: dict[str, str] = {
    "DescribeSigningJob": "signer",
    "GetSigningProfile": "signer",
    "DescribeCertificate": "acm",
    "HeadObject": "s3",
}
"""The operations a LocalChain answers, with the service (signing name) of each."""
CHAIN_SERVICES = frozenset(OPERATIONS.values())
CHAIN_FAULTS = ("500", "throttle", "garbage", "wrong-shape", "wrong-id", "drop")
"""Kinds of :meth:`LocalChain.inject_fault`:

- ``500``: the service's internal error (signer InternalServiceErrorException, acm
  InternalFailure, S3 a bodiless 500);
- ``throttle``: the answer a rate limit gives (see :attr:`LocalChain.rate_limits`);
- ``garbage``: a 200 that is no answer: an HTML page for signer and ACM (botocore parses it
  to an empty response), ``Content-Length: abc`` for HeadObject (botocore raises ValueError);
- ``wrong-shape``: a 200 that parses but is the wrong shape: ``status`` (signer) or
  ``Certificate.Status`` (acm) a list, HeadObject without ETag and x-amz-version-id;
- ``wrong-id``: a well-formed answer about another resource (jobId, profileName,
  CertificateArn, x-amz-version-id);
- ``drop``: the connection is reset without an answer.
"""
DEFAULT_PROFILE_NAME = "fw_profile"
"""Signer profile names are ``[a-zA-Z0-9_]{2,64}``: no hyphen."""
DEFAULT_PROFILE_VERSION = "a1B2c3D4e5"
"""Signer profile versions are exactly ten letters or digits."""
DEFAULT_VALIDITY = {"value": 135, "type": "MONTHS"}
"""Signer's default signature validity period."""
EKU_OIDS: dict[str, str] = {
    "TLS_WEB_SERVER_AUTHENTICATION": "1.3.6.1.5.5.7.3.1",
    "TLS_WEB_CLIENT_AUTHENTICATION": "1.3.6.1.5.5.7.3.2",
    "CODE_SIGNING": "1.3.6.1.5.5.7.3.3",
    "EMAIL_PROTECTION": "1.3.6.1.5.5.7.3.4",
    "IPSEC_END_SYSTEM": "1.3.6.1.5.5.7.3.5",
    "IPSEC_TUNNEL": "1.3.6.1.5.5.7.3.6",
    "IPSEC_USER": "1.3.6.1.5.5.7.3.7",
    "TIME_STAMPING": "1.3.6.1.5.5.7.3.8",
    "OCSP_SIGNING": "1.3.6.1.5.5.7.3.9",
    "ANY": "2.5.29.37.0",
}
"""The OID ACM reports with each extended key usage (NONE and CUSTOM have none)."""

_ACM_TARGET = "CertificateManager."
_ACM_ARN = re.compile(r"arn:[\w+=/,.@-]+:acm:[\w+=/,.@-]*:[0-9]+:[\w+=,.@-]+(/[\w+=,.@-]+)*")
_HTML_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n"
    b"<body><h1>502 Bad Gateway</h1></body></html>\n"
)
_JOB_REVOCATION = {"reason": "reason", "revoked_at": "revokedAt", "revoked_by": "revokedBy"}
_PROFILE_REVOCATION = {
    "effective_from": "revocationEffectiveFrom",
    "revoked_at": "revokedAt",
    "revoked_by": "revokedBy",
}


@functools.cache
def _model(service: str) -> ServiceModel:
    return botocore.session.get_session().get_service_model(service)


def _output_shape(operation: str) -> StructureShape:
    shape = _model(OPERATIONS[operation]).operation_model(operation).output_shape
    if shape is None:  # every operation served here has one
        raise TypeError(f"{operation} has no output shape")
    return shape


def _millis(value: datetime) -> datetime:
    """``value`` in UTC to the millisecond, as a JSON epoch carries it (naive means UTC)."""
    value = value if value.tzinfo else value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def _now() -> datetime:
    return _millis(datetime.now(UTC))


def _optional(value: datetime | None) -> datetime | None:
    return None if value is None else _millis(value)


def _pruned(value: dict[str, Any]) -> dict[str, Any]:
    return {key: item for key, item in value.items() if item is not None}


def _revocation(given: Mapping[str, Any] | None, names: Mapping[str, str]) -> dict[str, Any] | None:
    """A revocationRecord from a test's snake_case keys (unknown keys are a mistake)."""
    if given is None:
        return None
    unknown = sorted(set(given) - set(names))
    if unknown:
        raise ValueError(f"revocation keys must be among {sorted(names)}, not {unknown}")
    record = {
        names[key]: _millis(item) if isinstance(item, datetime) else item
        for key, item in given.items()
    }
    return _pruned(record)


# --------------------------------------------------------------------------------------------
# Requests and answers
# --------------------------------------------------------------------------------------------


class ChainCall(NamedTuple):
    """One request a LocalChain answered: ``Counter(chain.calls)`` counts them per resource."""

    operation: str
    resource: str


@dataclass(frozen=True)
class ChainRequest:
    """What :func:`identify` read from a request for signer, acm or s3."""

    service: str
    operation: str
    """The API operation, "" when no operation of the service matches."""
    method: str
    params: Mapping[str, Any] = field(default_factory=dict)
    resource: str | None = None
    """The jobId, profileName, CertificateArn, or ``bucket/key[?versionId=v]`` asked about."""
    problem: str | None = None
    """Why the parameters could not be read (a malformed body), if they could not."""


@dataclass(frozen=True)
class ChainAnswer:
    """An HTTP answer to send: status, headers (Content-Type and Content-Length included),
    body; ``error`` is the code botocore will report; ``drop`` resets the connection."""

    status: int
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    error: str | None = None
    drop: bool = False


class ChainError(Exception):
    """An error answer: the service's code, message and HTTP status, plus S3's headers."""

    def __init__(
        self, code: str, message: str, status: int, headers: Iterable[tuple[str, str]] = ()
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.headers = tuple(headers)


def _request_headers(service: str) -> list[tuple[str, str]]:
    if service == "s3":
        return [
            ("x-amz-request-id", secrets.token_hex(8).upper()),
            ("x-amz-id-2", base64.b64encode(secrets.token_bytes(48)).decode()),
        ]
    return [("x-amzn-RequestId", str(uuid.uuid4()))]


def error_answer(
    service: str,
    method: str,
    code: str,
    message: str,
    status: int,
    *,
    headers: Iterable[tuple[str, str]] = (),
) -> ChainAnswer:
    """An error in ``service``'s protocol: rest-json (signer), json 1.1 (acm) or rest-xml
    (s3: no body at all for HEAD, so botocore's code is the status, e.g. "404")."""
    extra = [*_request_headers(service), *headers]
    if service == "s3":
        if method == "HEAD":
            return ChainAnswer(status, (*extra, ("Content-Length", "0")), b"", str(status))
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{_xml(code)}</Code><Message>{_xml(message)}</Message>"
            f"<RequestId>{extra[0][1]}</RequestId></Error>"
        ).encode()
        return ChainAnswer(status, _content(extra, "application/xml", body), body, code)
    if service == "acm":
        body = json.dumps({"__type": code, "message": message}).encode()
        content_type = "application/x-amz-json-1.1"
    else:
        body = json.dumps({"message": message}).encode()
        content_type = "application/json"
    extra.append(("x-amzn-ErrorType", code))
    return ChainAnswer(status, _content(extra, content_type, body), body, code)


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _content(
    headers: Iterable[tuple[str, str]], content_type: str, body: bytes
) -> tuple[tuple[str, str], ...]:
    return (*headers, ("Content-Type", content_type), ("Content-Length", str(len(body))))


def _json_answer(service: str, result: Mapping[str, Any] | bytes, operation: str) -> ChainAnswer:
    body = (
        result
        if isinstance(result, bytes)
        else json.dumps(to_wire(result, _output_shape(operation))).encode()
    )
    content_type = "application/x-amz-json-1.1" if service == "acm" else "application/json"
    return ChainAnswer(200, _content(_request_headers(service), content_type, body), body)


# --------------------------------------------------------------------------------------------
# Identifying a request
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Route:
    operation: OperationModel
    method: str
    regex: re.Pattern[str]
    labels: int


@functools.cache
def _signer_routes() -> tuple[_Route, ...]:
    """Every Signer operation's route (literal paths before labelled ones), so a request for
    an operation that is not served is still named in the records."""
    model = _model("signer")
    routes = []
    for name in model.operation_names:
        operation = model.operation_model(name)
        path = operation.http["requestUri"].split("?", 1)[0]
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(path))
        labels = path.count("{")
        routes.append(_Route(operation, operation.http["method"], re.compile(regex), labels))
    return tuple(sorted(routes, key=lambda route: route.labels))


def identify(service: str, method: str, raw_path: str, headers: Any, body: bytes) -> ChainRequest:
    """The operation, parameters and resource of a request for signer, acm or s3."""
    if service == "signer":
        return _identify_signer(method, raw_path, body)
    if service == "acm":
        return _identify_acm(method, headers, body)
    return _identify_s3(method, raw_path, headers)


def _identify_signer(method: str, raw_path: str, body: bytes) -> ChainRequest:
    split = urlsplit(raw_path)
    for route in _signer_routes():
        match = route.regex.fullmatch(split.path)
        if match is None or route.method != method:
            continue
        operation = route.operation
        params: dict[str, Any] = {k: unquote(v) for k, v in match.groupdict().items()}
        shape = operation.input_shape
        if shape is not None:
            by_name = {
                member.serialization.get("name", key): key
                for key, member in shape.members.items()
                if member.serialization.get("location") == "querystring"
            }
            for name, value in parse_qsl(split.query, keep_blank_values=True):
                if name in by_name:
                    params[by_name[name]] = value
        problem = None
        if body:
            try:
                decoded = json.loads(body)
            except ValueError as exc:
                decoded, problem = {}, f"malformed JSON body: {exc}"
            if isinstance(decoded, dict):
                params = {**decoded, **params}
        resource = params.get("jobId") or params.get("profileName")
        return ChainRequest("signer", operation.name, method, params, resource, problem)
    return ChainRequest("signer", "", method)


def _identify_acm(method: str, headers: Any, body: bytes) -> ChainRequest:
    operation = headers.get("X-Amz-Target", "").removeprefix(_ACM_TARGET)
    if method != "POST" or operation not in _model("acm").operation_names:
        operation = ""
    params: dict[str, Any] = {}
    problem = None
    if body:
        try:
            decoded = json.loads(body)
        except ValueError as exc:
            decoded, problem = {}, f"malformed JSON body: {exc}"
        if isinstance(decoded, dict):
            params = decoded
        else:
            problem = "the JSON body must be an object"
    arn = params.get("CertificateArn")
    return ChainRequest(
        "acm", operation, method, params, arn if isinstance(arn, str) else None, problem
    )


_S3_OPERATIONS = {
    ("HEAD", True): "HeadObject",
    ("GET", True): "GetObject",
    ("PUT", True): "PutObject",
    ("DELETE", True): "DeleteObject",
    ("HEAD", False): "HeadBucket",
    ("GET", False): "ListObjects",
}


def _identify_s3(method: str, raw_path: str, headers: Any) -> ChainRequest:
    """A path-style request (what botocore sends to an IP endpoint): ``/bucket/key``."""
    split = urlsplit(raw_path)
    bucket, _, key = split.path.lstrip("/").partition("/")
    query = dict(parse_qsl(split.query, keep_blank_values=True))
    operation = _S3_OPERATIONS.get((method, bool(key)), "") if bucket else ""
    params: dict[str, Any] = {"Bucket": unquote(bucket)}
    if key:
        params["Key"] = unquote(key)
    if "versionId" in query:
        params["VersionId"] = query["versionId"]
    owner = headers.get("x-amz-expected-bucket-owner")
    if owner is not None:
        params["ExpectedBucketOwner"] = owner
    resource = f"{params['Bucket']}/{params.get('Key', '')}"
    if "VersionId" in params:
        resource += f"?versionId={params['VersionId']}"
    return ChainRequest("s3", operation, method, params, resource)


# --------------------------------------------------------------------------------------------
# State
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Version:
    """One version of an S3 object (or a delete marker)."""

    version: str | None
    size: int
    etag: str
    last_modified: datetime
    delete_marker: bool
    content_type: str


@dataclass
class _Fault:
    operation: str
    kind: str
    resource: str | None
    remaining: int | None


class _Bucket:
    """Token bucket: ``rate`` tokens a second, holding at most ``max(1, rate)``."""

    def __init__(self, rate: float, now: float) -> None:
        self.rate = rate
        self.capacity = max(1.0, rate)
        self.tokens = self.capacity
        self.stamp = now

    def refill(self, now: float) -> None:
        if self.rate > 0:
            self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now


_STREAM_FAULTS = {
    "500": "500",
    "throttle": "throttle",
    "garbage": "html",
    "wrong-shape": "wrong-type",
    "wrong-id": "wrong-id",
    "drop": "drop",
}


class LocalChain:
    """Signer jobs and profiles, ACM certificates and S3 object versions of one (account,
    region) partition. Made by ``LocalCloud.chain``; seeding and settings may change while
    the cloud runs."""

    def __init__(
        self,
        *,
        account: str,
        region: str,
        latency: float = 0.0,
        iot: LocalIot | None = None,
        profile_owner: Callable[[str], LocalChain | None] | None = None,
    ) -> None:
        self._lock = threading.RLock()
        self.account = account
        self.region = region
        #: Seconds added to every request that reaches this chain.
        self.latency = latency
        #: The code Signer's throttling answers carry (HTTP 429). The model lists
        #: TooManyRequestsException for DescribeSigningJob and GetSigningProfile and says it
        #: supersedes ThrottlingException, which may be set here instead.
        self.signer_throttle_code = "TooManyRequestsException"
        self._iot = iot
        self._profile_owner = profile_owner
        self._rate_limits: dict[str, float] = {}
        self._buckets: dict[str, _Bucket] = {}
        #: (operation, resource) of every request that got past LocalCloud's front door.
        self.calls: list[ChainCall] = []
        #: (operation, resource, time.monotonic()) of the same requests.
        self.call_log: list[tuple[str, str, float]] = []
        #: Requests answered with the throttling error of a rate limit, by operation.
        self.throttled: Counter[str] = Counter()
        #: Injected faults taken, by kind.
        self.faults: Counter[str] = Counter()
        #: Answers refused because they did not fit botocore's output shape.
        self.validation_errors: list[ValidationFailure] = []
        #: Tracebacks of unexpected exceptions (each answered 500).
        self.internal_errors: list[str] = []
        self._jobs: dict[str, dict[str, Any]] = {}
        self._profiles: dict[str, dict[str, Any]] = {}
        self._certificates: dict[str, dict[str, Any]] = {}
        self._objects: dict[tuple[str, str], list[_Version]] = {}
        self._faults: list[_Fault] = []
        self._stopping = threading.Event()

    # ---------------------------------------------------------------------------- settings

    @property
    def rate_limits(self) -> dict[str, float]:
        """Requests a second allowed per operation (``"*"``: all chain operations together).
        Over it, the service's throttling answer: signer :attr:`signer_throttle_code` (429),
        acm ThrottlingException (400), S3 a bodiless 503 SlowDown. DescribeStream's limit is
        the IoT partition's ``rate_limits``."""
        return self._rate_limits

    @rate_limits.setter
    def rate_limits(self, value: Mapping[str, float]) -> None:
        unknown = sorted(set(value) - set(OPERATIONS) - {"*"})
        if unknown:
            raise ValueError(f"rate_limits names unknown operations {unknown}")
        with self._lock:
            self._rate_limits = dict(value)
            self._buckets.clear()

    # ---------------------------------------------------------------------------- seeding

    def signer_arn(self, kind: str, name: str) -> str:
        """``arn:aws:signer:<region>:<account>:/<kind>/<name>`` (kind: signing-jobs, ...)."""
        return f"arn:aws:signer:{self.region}:{self.account}:/{kind}/{name}"

    def add_signing_job(
        self,
        job_id: str,
        *,
        status: str = "Succeeded",
        status_reason: str | None = None,
        profile_name: str = DEFAULT_PROFILE_NAME,
        profile_version: str = DEFAULT_PROFILE_VERSION,
        platform_id: str = "AmazonFreeRTOS-Default",
        certificate_arn: str | None = None,
        created_at: datetime | None = None,
        completed_at: datetime | None = None,
        signature_expires_at: datetime | None = None,
        revocation: Mapping[str, Any] | None = None,
        source: Mapping[str, str] | None = None,
        signed_object: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """A signing job, as DescribeSigningJob answers it. ``revocation``: ``reason``,
        ``revoked_at``, ``revoked_by`` (the revocationRecord); ``certificate_arn`` is its
        signingMaterial; ``source`` and ``signed_object`` are S3 ``{bucketName, key[,
        version]}``. Times left out are left out of the answer, except ``createdAt`` (now).
        ValueError if the answer would not fit botocore's shape. Returns a copy."""
        job = _pruned(
            {
                "jobId": job_id,
                "status": status,
                "statusReason": status_reason,
                "profileName": profile_name,
                "profileVersion": profile_version,
                "platformId": platform_id,
                "createdAt": _millis(created_at) if created_at else _now(),
                "completedAt": _optional(completed_at),
                "signatureExpiresAt": _optional(signature_expires_at),
                "signingMaterial": {"certificateArn": certificate_arn} if certificate_arn else None,
                "revocationRecord": _revocation(revocation, _JOB_REVOCATION),
                "source": {"s3": dict(source)} if source else None,
                "signedObject": {"s3": dict(signed_object)} if signed_object else None,
                "requestedBy": f"arn:aws:iam::{self.account}:user/release",
                "jobOwner": self.account,
                "jobInvoker": self.account,
            }
        )
        self._check_seed("DescribeSigningJob", job)
        with self._lock:
            self._jobs[job_id] = job
        return copy.deepcopy(job)

    def add_signing_profile(
        self,
        name: str,
        *,
        version: str = DEFAULT_PROFILE_VERSION,
        status: str = "Active",
        status_reason: str | None = None,
        certificate_arn: str | None = None,
        platform_id: str = "AmazonFreeRTOS-Default",
        revocation: Mapping[str, Any] | None = None,
        validity: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A signing profile, as GetSigningProfile answers it. ``revocation``:
        ``effective_from``, ``revoked_at``, ``revoked_by``; ``validity`` is the
        signatureValidityPeriod (default 135 MONTHS). ValueError if it would not fit
        botocore's shape. Returns a copy."""
        profile = _pruned(
            {
                "profileName": name,
                "profileVersion": version,
                "profileVersionArn": self.signer_arn("signing-profiles", f"{name}/{version}"),
                "arn": self.signer_arn("signing-profiles", name),
                "status": status,
                "statusReason": status_reason,
                "platformId": platform_id,
                "signingMaterial": {"certificateArn": certificate_arn} if certificate_arn else None,
                "revocationRecord": _revocation(revocation, _PROFILE_REVOCATION),
                "signatureValidityPeriod": dict(validity or DEFAULT_VALIDITY),
            }
        )
        self._check_seed("GetSigningProfile", profile)
        with self._lock:
            self._profiles[name] = profile
        return copy.deepcopy(profile)

    def add_certificate(
        self,
        arn: str,
        *,
        status: str = "ISSUED",
        not_before: datetime | None = None,
        not_after: datetime | None = None,
        revoked_at: datetime | None = None,
        revocation_reason: str | None = None,
        extended_key_usages: Iterable[str] = ("CODE_SIGNING",),
        key_algorithm: str = "EC_prime256v1",
        type: str = "IMPORTED",
        domain_name: str = "firmware.example.com",
    ) -> dict[str, Any]:
        """A certificate, as DescribeCertificate's ``Certificate`` answers it. ``not_before``
        defaults to now and ``not_after`` to a year later; each extended key usage carries
        the OID ACM reports with it. ValueError if it would not fit botocore's shape."""
        start = _millis(not_before) if not_before else _now()
        created = start - timedelta(days=1)
        certificate = _pruned(
            {
                "CertificateArn": arn,
                "DomainName": domain_name,
                "Subject": f"CN={domain_name}",
                "Issuer": "Example Code Signing CA",
                "Serial": "0a:1b:2c:3d",
                "Status": status,
                "Type": type,
                "KeyAlgorithm": key_algorithm,
                "SignatureAlgorithm": "SHA256WITHECDSA"
                if key_algorithm.startswith("EC")
                else "SHA256WITHRSA",
                "NotBefore": start,
                "NotAfter": _millis(not_after) if not_after else start + timedelta(days=365),
                "RevokedAt": _optional(revoked_at),
                "RevocationReason": revocation_reason,
                "CreatedAt": created,
                "ImportedAt": created if type == "IMPORTED" else None,
                "IssuedAt": created if type != "IMPORTED" else None,
                "KeyUsages": [{"Name": "DIGITAL_SIGNATURE"}],
                "ExtendedKeyUsages": [
                    _pruned({"Name": name, "OID": EKU_OIDS.get(name)})
                    for name in extended_key_usages
                ],
                "InUseBy": [],
            }
        )
        self._check_seed("DescribeCertificate", {"Certificate": certificate})
        with self._lock:
            self._certificates[arn] = certificate
        return copy.deepcopy(certificate)

    def put_object(
        self,
        bucket: str,
        key: str,
        version: str | None,
        *,
        size: int = 1024,
        etag: str = '"abc"',
        last_modified: datetime | None = None,
        delete_marker: bool = False,
        content_type: str = "application/octet-stream",
    ) -> None:
        """A version of ``bucket/key``, the newest from now on (one with the same id is
        replaced in place). ``delete_marker``: that version is a delete marker. ``version``
        None is the object of an unversioned bucket (VersionId "null", no x-amz-version-id
        in answers). ``last_modified`` is kept to the second, as S3's header carries it."""
        when = (_millis(last_modified) if last_modified else _now()).replace(microsecond=0)
        entry = _Version(version, size, etag, when, delete_marker, content_type)
        with self._lock:
            versions = self._objects.setdefault((bucket, key), [])
            same = [i for i, v in enumerate(versions) if v.version == version]
            if same:
                versions[same[0]] = entry
            else:
                versions.append(entry)

    def inject_fault(
        self, operation: str, kind: str, *, times: int | None = 1, resource: str | None = None
    ) -> None:
        """Answer the next ``times`` requests for ``operation`` with fault ``kind`` (one of
        :data:`CHAIN_FAULTS`; ``times=None``: every request until :meth:`clear_faults`).
        ``resource`` limits it to requests about that resource (as :attr:`calls` names it).
        Throttling by :attr:`rate_limits` comes first and does not use a fault up.

        ``DescribeStream`` is passed on to the IoT partition (``garbage`` is its ``html``
        fault, ``wrong-shape`` its ``wrong-type``; ``500`` and ``throttle`` need ``times``)."""
        if kind not in CHAIN_FAULTS:
            raise ValueError(f"unknown fault {kind!r}; one of {list(CHAIN_FAULTS)}")
        if times is not None and times < 1:
            raise ValueError(f"times must be at least 1 (or None), not {times}")
        if operation == "DescribeStream":
            self._stream_fault(kind, times, resource)
            return
        if operation not in OPERATIONS:
            raise ValueError(f"unknown operation {operation!r}; one of {sorted(OPERATIONS)}")
        with self._lock:
            self._faults.append(_Fault(operation, kind, resource, times))

    def _stream_fault(self, kind: str, times: int | None, resource: str | None) -> None:
        if self._iot is None:
            raise ValueError("this chain has no IoT partition for DescribeStream")
        if resource is not None:
            raise ValueError("DescribeStream faults cannot be limited to one stream")
        if kind in ("500", "throttle"):
            if times is None:
                raise ValueError(f"a DescribeStream {kind!r} fault needs a number of times")
            code = "InternalFailureException" if kind == "500" else "ThrottlingException"
            self._iot.inject_error("DescribeStream", code, times=times)
        else:
            self._iot.inject_fault("DescribeStream", _STREAM_FAULTS[kind], times=times)

    def clear_faults(self) -> None:
        """Forget every fault injected with :meth:`inject_fault` (DescribeStream's live in
        the IoT partition)."""
        with self._lock:
            self._faults.clear()

    def reset_counters(self) -> None:
        """Clear calls, call_log, throttled, faults, validation_errors and internal_errors."""
        with self._lock:
            self.calls.clear()
            self.call_log.clear()
            self.throttled.clear()
            self.faults.clear()
            self.validation_errors.clear()
            self.internal_errors.clear()

    def _check_seed(self, operation: str, result: Mapping[str, Any]) -> None:
        problems = shape_problems(result, _output_shape(operation))
        if problems:
            raise ValueError(f"{operation} could not answer this: " + "; ".join(problems))

    # ---------------------------------------------------------------------------- answering

    def answer(self, request: ChainRequest) -> ChainAnswer:
        """The answer to an authenticated request (recorded in :attr:`calls`)."""
        service, operation = request.service, request.operation
        if operation not in OPERATIONS:
            return self._unknown(request)
        resource = request.resource or ""
        with self._lock:
            self.calls.append(ChainCall(operation, resource))
            self.call_log.append((operation, resource, time.monotonic()))
        if self.latency > 0:
            self._stopping.wait(self.latency)
        try:
            fault: str | None
            if self._take_tokens(operation):
                fault = self._take_fault(operation, resource)
            else:  # over the rate limit: throttled, no injected fault used up
                with self._lock:
                    self.throttled[operation] += 1
                fault = "throttle"
            early = self._early_fault(request, fault)
            if early is not None:
                return early
            if request.problem is not None:
                raise _validation(service, request.problem)
            if operation == "HeadObject":
                return self._head_object(request, fault)
            return self._json(request, fault)
        except ChainError as error:
            return error_answer(
                service,
                request.method,
                error.code,
                error.message,
                error.status,
                headers=error.headers,
            )
        except Exception:
            with self._lock:
                self.internal_errors.append(traceback.format_exc())
            return self._internal(request)

    def _early_fault(self, request: ChainRequest, fault: str | None) -> ChainAnswer | None:
        """The answer of a fault that does not need the real answer (None for the others)."""
        if fault == "drop":
            return ChainAnswer(0, drop=True)
        if fault == "throttle":
            return self._throttle(request)
        if fault == "500":
            return self._internal(request)
        if fault == "garbage":
            return self._garbage(request)
        return None

    def _unknown(self, request: ChainRequest) -> ChainAnswer:
        service = request.service
        if service == "s3":
            return error_answer(
                "s3", request.method, "NotImplemented", "LocalChain serves HeadObject only", 501
            )
        return error_answer(
            service,
            request.method,
            "UnknownOperationException",
            f"LocalChain does not serve {service}:{request.operation or request.method}",
            400 if service == "acm" else 404,
        )

    def _throttle(self, request: ChainRequest) -> ChainAnswer:
        if request.service == "s3":
            return error_answer("s3", request.method, "SlowDown", "Please reduce your rate", 503)
        if request.service == "acm":
            return error_answer("acm", request.method, "ThrottlingException", "Rate exceeded", 400)
        return error_answer(
            "signer", request.method, self.signer_throttle_code, "Rate exceeded", 429
        )

    def _internal(self, request: ChainRequest) -> ChainAnswer:
        code = {"signer": "InternalServiceErrorException", "acm": "InternalFailure"}
        return error_answer(
            request.service,
            request.method,
            code.get(request.service, "InternalError"),
            "We encountered an internal error. Please try again.",
            500,
        )

    def _garbage(self, request: ChainRequest) -> ChainAnswer:
        if request.service == "s3":
            headers = (*_request_headers("s3"), ("Content-Length", "abc"), ("ETag", '"abc"'))
            return ChainAnswer(200, headers)
        headers = _content(_request_headers(request.service), "text/html", _HTML_PAGE)
        return ChainAnswer(200, headers, _HTML_PAGE)

    def _take_tokens(self, operation: str) -> bool:
        """One token from the operation's bucket and the ``"*"`` one, or none if either
        is empty."""
        now = time.monotonic()
        with self._lock:
            buckets = []
            for key in (operation, "*"):
                rate = self._rate_limits.get(key)
                if rate is None:
                    continue
                bucket = self._buckets.get(key)
                if bucket is None or bucket.rate != rate:
                    bucket = self._buckets[key] = _Bucket(rate, now)
                bucket.refill(now)
                buckets.append(bucket)
            if any(bucket.rate <= 0 or bucket.tokens < 1 for bucket in buckets):
                return False
            for bucket in buckets:
                bucket.tokens -= 1
            return True

    def _take_fault(self, operation: str, resource: str) -> str | None:
        with self._lock:
            for fault in self._faults:
                if fault.operation != operation:
                    continue
                if fault.resource is not None and fault.resource != resource:
                    continue
                if fault.remaining is not None:
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self._faults.remove(fault)
                self.faults[fault.kind] += 1
                return fault.kind
        return None

    def _json(self, request: ChainRequest, fault: str | None) -> ChainAnswer:
        operation = request.operation
        model = _model(request.service).operation_model(operation)
        if model.input_shape is not None:
            problems = shape_problems(dict(request.params), model.input_shape)
            if problems:
                raise _input_error(request, problems)
        handler = self._handlers[operation]
        result = handler(self, request.params)
        if fault is not None:
            return _json_answer(request.service, _faulty(fault, operation, result), operation)
        problems = shape_problems(result, _output_shape(operation))
        if problems:
            with self._lock:
                failure = ValidationFailure(operation, request.resource, tuple(problems))
                self.validation_errors.append(failure)
            raise ChainError(
                "InternalFailure",
                f"LocalChain refused an answer that does not fit: {'; '.join(problems)}",
                500,
            )
        return _json_answer(request.service, result, operation)

    def _describe_signing_job(self, params: Mapping[str, Any]) -> dict[str, Any]:
        job_id = params["jobId"]
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise ChainError("ResourceNotFoundException", f"Job {job_id} does not exist", 404)
        return copy.deepcopy(job)

    def _get_signing_profile(self, params: Mapping[str, Any]) -> dict[str, Any]:
        name, owner = params["profileName"], params.get("profileOwner", self.account)
        chain = self if owner == self.account else None
        if chain is None and self._profile_owner is not None:
            chain = self._profile_owner(owner)
        profile = None
        if chain is not None:
            with chain._lock:
                profile = chain._profiles.get(name)
        if profile is None:
            raise ChainError(
                "ResourceNotFoundException", f"Signing profile {name} does not exist", 404
            )
        return copy.deepcopy(profile)

    def _describe_certificate(self, params: Mapping[str, Any]) -> dict[str, Any]:
        arn = params["CertificateArn"]
        with self._lock:
            certificate = self._certificates.get(arn)
        if certificate is None:
            raise ChainError("ResourceNotFoundException", f"Could not find certificate {arn}.", 400)
        return {"Certificate": copy.deepcopy(certificate)}

    _handlers: ClassVar[dict[str, Callable[[LocalChain, Mapping[str, Any]], dict[str, Any]]]] = {
        "DescribeSigningJob": _describe_signing_job,
        "GetSigningProfile": _get_signing_profile,
        "DescribeCertificate": _describe_certificate,
    }

    def _head_object(self, request: ChainRequest, fault: str | None) -> ChainAnswer:
        params = request.params
        bucket, key = params["Bucket"], params["Key"]
        asked = params.get("VersionId")
        if params.get("ExpectedBucketOwner", self.account) != self.account:
            raise ChainError("AccessDenied", "Access Denied", 403)
        with self._lock:
            versions = list(self._objects.get((bucket, key), ()))
        if asked is None:
            found = versions[-1] if versions else None
            if found is not None and found.delete_marker:
                raise ChainError("NoSuchKey", "", 404, _marker_headers(found, with_date=False))
        else:
            wanted = None if asked == "null" else asked
            found = next((v for v in versions if v.version == wanted), None)
            if found is not None and found.delete_marker:
                raise ChainError("MethodNotAllowed", "", 405, _marker_headers(found))
        if found is None:
            raise ChainError("NoSuchVersion" if asked else "NoSuchKey", "", 404)
        result = _pruned(
            {
                "ContentLength": found.size,
                "ETag": found.etag,
                "LastModified": found.last_modified,
                "VersionId": found.version,
                "AcceptRanges": "bytes",
                "ContentType": found.content_type,
            }
        )
        if fault == "wrong-shape":
            result.pop("ETag")
            result.pop("VersionId", None)
        elif fault == "wrong-id":
            result["VersionId"] = f"{found.version or 'null'}-other"
        else:
            problems = shape_problems(result, _output_shape("HeadObject"))
            if problems:
                with self._lock:
                    failure = ValidationFailure("HeadObject", request.resource, tuple(problems))
                    self.validation_errors.append(failure)
                raise ChainError("InternalError", "; ".join(problems), 500)
        return ChainAnswer(200, (*_request_headers("s3"), *_s3_headers(result)))


def _marker_headers(version: _Version, *, with_date: bool = True) -> list[tuple[str, str]]:
    """What S3 says about a delete marker: that it is one, its version, when it was made."""
    headers = [("x-amz-delete-marker", "true"), ("x-amz-version-id", version.version or "null")]
    if with_date:
        headers.append(("Last-Modified", format_datetime(version.last_modified, usegmt=True)))
    return headers


def _s3_headers(result: Mapping[str, Any]) -> list[tuple[str, str]]:
    """HeadObject's members as the headers botocore's rest-xml parser reads them from."""
    shape = _output_shape("HeadObject")
    headers = []
    for key, value in result.items():
        member = shape.members[key]
        name = member.serialization["name"]
        if member.type_name == "timestamp":
            text = format_datetime(value, usegmt=True)
        elif member.type_name == "boolean":
            text = "true" if value else "false"
        else:
            text = str(value)
        headers.append((name, text))
    return headers


def _faulty(fault: str, operation: str, result: dict[str, Any]) -> bytes:
    """The body of a well-formed-JSON fault, built from the real answer."""
    result = copy.deepcopy(result)
    wire = to_wire(result, _output_shape(operation))
    if operation == "DescribeCertificate":
        certificate = wire["Certificate"]
        if fault == "wrong-shape":
            certificate["Status"] = [certificate.get("Status")]
        else:
            certificate["CertificateArn"] += "-other"
    else:
        member = "jobId" if operation == "DescribeSigningJob" else "profileName"
        if fault == "wrong-shape":
            wire["status"] = [wire.get("status")]
        else:
            wire[member] += "_other"
    return json.dumps(wire).encode()


def _validation(service: str, problem: str) -> ChainError:
    if service == "acm":
        return ChainError("SerializationException", problem, 400)
    return ChainError("ValidationException", problem, 400)


def _input_error(request: ChainRequest, problems: list[str]) -> ChainError:
    """Invalid parameters: ACM names a malformed ARN InvalidArnException."""
    if request.service == "acm":
        arn = request.params.get("CertificateArn")
        if isinstance(arn, str) and not _ACM_ARN.fullmatch(arn):
            return ChainError("InvalidArnException", f"{arn} is not a valid ARN", 400)
    return ChainError("ValidationException", "; ".join(problems), 400)
