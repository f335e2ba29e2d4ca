"""A local stand-in for the AWS an organisation-wide audit talks to: IoT in many (account,
region) partitions, plus STS, Organizations, the Account API and EC2's DescribeRegions, and
the code-signing chain behind each update (Signer, ACM, S3 HeadObject).

One :class:`LocalCloud` is one HTTP server on 127.0.0.1 (ephemeral port) for every service;
real botocore reaches it through ``AWS_ENDPOINT_URL_<SERVICE>`` (:meth:`LocalCloud.env`), so the
whole credential path is exercised: static keys, STS AssumeRole (chained hops, external ids),
botocore's own assume-role providers, session tokens and their expiry. It never opens a
connection of its own.

Each request is routed by its SigV4 ``Authorization`` header: the access key id says who signed
it (the base IAM user, a user added with :meth:`~LocalCloud.add_user`, or an STS session), and
so in which account; the credential scope says the service and the region. The signature is
checked with that key's secret, and an STS session's ``X-Amz-Security-Token`` with its token.
IoT requests then go to the partition's :class:`~tests.support.iot_endpoint.LocalIot`
(:meth:`~LocalCloud.iot`), which answers them exactly as a LocalIot of its own would: seeding,
``rate_limits``, ``inject_fault``, ``calls`` all work per partition. A request refused at the
front door (unknown key, bad token or signature, disabled region, expired session, ``deny``)
never reaches the partition, so ``iot(...).calls`` counts the requests that got through;
:attr:`LocalCloud.calls` has every request with its outcome.

Signer, ACM and S3 requests go the same way to the partition's
:class:`~tests.support.chain_endpoint.LocalChain` (:meth:`~LocalCloud.chain`): signing jobs,
profiles, certificates and object versions, with their own ``rate_limits``, ``inject_fault``
and ``calls``. S3 requests are signed S3's way (the path as sent, ``x-amz-content-sha256``,
which must match the body unless it is UNSIGNED-PAYLOAD), and botocore addresses an IP
endpoint path-style (``/bucket/key``). A HEAD answer has no body, errors included, so
botocore's code for it is the status ("403", "404").

Responses are built as botocore's models say (rest-json for IoT, Signer and the Account API,
json 1.1 for Organizations and ACM, query XML for STS, EC2's XML, S3's headers) and checked
against the output shapes; errors use each protocol's own format, so botocore reports the same
``Error.Code`` AWS would::

    with LocalCloud() as cloud:
        cloud.add_role("arn:aws:iam::111122223333:role/audit")   # trusts the base account
        cloud.iot("111122223333", "eu-west-1").put({"otaUpdateId": "fw-1", ...})
        for name, value in cloud.env().items():
            monkeypatch.setenv(name, value)
        sts = boto3.client("sts", aws_access_key_id="base-key",
                           aws_secret_access_key="base-secret", region_name="eu-west-1")
        creds = sts.assume_role(RoleArn="arn:aws:iam::111122223333:role/audit",
                                RoleSessionName="ota-drift")["Credentials"]
        iot = boto3.client("iot", region_name="eu-west-1",
                           aws_access_key_id=creds["AccessKeyId"], ...)
        iot.get_ota_update(otaUpdateId="fw-1")     # arn:aws:iot:eu-west-1:111122223333:...
        assert "sts:AssumeRole" in cloud.operations()

Regions: every account has :data:`DEFAULT_REGIONS` enabled (AWS's regions that are enabled by
default) until :meth:`~LocalCloud.set_regions` or :meth:`~LocalCloud.disable_region` says
otherwise; :data:`ALL_REGIONS` adds the opt-in regions, which ListRegions reports DISABLED.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import functools
import hashlib
import hmac
import json
import re
import secrets
import socket
import string
import struct
import threading
import time
import traceback
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, ClassVar, Self
from urllib.parse import parse_qsl, unquote, urlsplit
from xml.sax.saxutils import escape

import botocore.session
from botocore.model import ListShape, OperationModel, ServiceModel, Shape, StructureShape

from tests.support.chain_endpoint import (
    CHAIN_SERVICES,
    ChainAnswer,
    ChainRequest,
    LocalChain,
    error_answer,
    identify,
)
from tests.support.iot_endpoint import (
    ApiError,
    LocalIot,
    LoopbackServer,
    RequestHandler,
    ValidationFailure,
    check_sigv4,
    read_body,
    shape_problems,
    sigv4_scope,
    to_wire,
)

__all__ = [
    "ALL_REGIONS",
    "DEFAULT_REGIONS",
    "ORGANIZATION_ID",
    "CloudCall",
    "LocalCloud",
]

DEFAULT_REGIONS: frozenset[str] = frozenset(
    {
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-northeast-3",
        "ap-south-1",
        "ap-southeast-1",
        "ap-southeast-2",
        "ca-central-1",
        "eu-central-1",
        "eu-north-1",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
        "sa-east-1",
        "us-east-1",
        "us-east-2",
        "us-west-1",
        "us-west-2",
    }
)
"""The regions AWS enables in every account (those launched before 20 March 2019)."""
OPT_IN_REGIONS: frozenset[str] = frozenset(
    {
        "af-south-1",
        "ap-east-1",
        "ap-east-2",
        "ap-south-2",
        "ap-southeast-3",
        "ap-southeast-4",
        "ap-southeast-5",
        "ap-southeast-6",
        "ap-southeast-7",
        "ca-west-1",
        "eu-central-2",
        "eu-south-1",
        "eu-south-2",
        "il-central-1",
        "me-central-1",
        "me-south-1",
        "mx-central-1",
    }
)
"""The aws partition's opt-in regions, disabled until an account enables them."""
ALL_REGIONS: tuple[str, ...] = tuple(sorted(DEFAULT_REGIONS | OPT_IN_REGIONS))
ORGANIZATION_ID = "o-a1b2c3d4e5"
JOINED = datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)
"""JoinedTimestamp of every organisation account."""
ORGANIZATIONS_PAGE_SIZE = 2
"""ListAccounts answers at most this many accounts a page (AWS may return fewer than
MaxResults too), so a client that ignores NextToken misses accounts."""
REGIONS_PAGE_SIZE = 20
"""ListRegions' page size when MaxResults is not given (AWS documents none)."""

_ENV_SERVICES = ("IOT", "STS", "ORGANIZATIONS", "ACCOUNT", "EC2", "SIGNER", "ACM", "S3")
# The protocol each service speaks, which decides how its errors are written.
_PROTOCOL = {
    "iot": "rest-json",
    "account": "rest-json",
    "organizations": "json",
    "sts": "query",
    "ec2": "ec2",
    "signer": "rest-json",
    "acm": "json",
    "s3": "rest-xml",
}
# Services whose requests IoT-style regions gate: not enabled in the account, not answered.
_REGIONAL = frozenset({"iot", "ec2", "signer", "acm"})
_UNSIGNED_PAYLOADS = ("UNSIGNED-PAYLOAD", "STREAMING-")
_STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"
_EC2_NS = "http://ec2.amazonaws.com/doc/2016-11-15/"
_ORGANIZATIONS_TARGET = "AWSOrganizationsV20161128."
_ROLE_ARN = re.compile(r"arn:aws:iam::(\d{12}):role/(?:[\w+=,.@-]+/)*([\w+=,.@-]{1,64})")
_ACCOUNT_ID = re.compile(r"\d{12}")
_KEY_CHARS = string.ascii_uppercase + string.digits
_CHAIN_LIMIT = 3600  # seconds: a session from role chaining lasts at most one hour
_INVALID_TOKEN = "The security token included in the request is invalid."
_EXPIRED_TOKEN = "The security token included in the request is expired"
_EC2_AUTH = "AWS was not able to validate the provided access credentials"
_ORGANIZATIONS_DENIED = "You don't have permissions to access this resource."
# Stands in for a partition that does not exist yet when a request is identified.
_IDENTIFIER = LocalIot()


@functools.cache
def _model(service: str) -> ServiceModel:
    return botocore.session.get_session().get_service_model(service)


@dataclass(frozen=True)
class CloudCall:
    """One request LocalCloud received, with who sent it and what it was answered."""

    service: str
    """Signing name of the credential scope: iot, sts, organizations, account, ec2."""
    operation: str
    """The API operation (GetOTAUpdate, AssumeRole, ...); "" when it could not be told."""
    account: str | None
    """The account of the caller's credentials (None for a key LocalCloud does not know)."""
    principal: str | None
    """ARN of the caller: an IAM user or an STS assumed-role session."""
    region: str | None
    """Region of the credential scope."""
    ota_update_id: str | None
    time: float
    """time.monotonic() when the request arrived."""
    status: int | None = None
    """HTTP status answered; None when the connection was reset without an answer."""
    error: str | None = None
    """The error code answered (as botocore's Error.Code), None for a success."""
    resource: str | None = None
    """What a chain read asked about: the jobId, profileName, CertificateArn,
    ``bucket/key[?versionId=v]`` or streamId (None for other requests)."""

    @property
    def action(self) -> str:
        """``service:Operation``, as an IAM policy names it."""
        return f"{self.service}:{self.operation}"


class CloudError(Exception):
    """An error answer: code, message and HTTP status, written in the service's protocol."""

    def __init__(self, code: str, message: str, status: int = 400, **extra: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.extra = extra


@dataclass(frozen=True)
class _Principal:
    """Credentials LocalCloud accepts, and who they belong to."""

    key_id: str
    secret: str
    account: str
    arn: str
    user_id: str
    token: str | None = None
    role_arn: str | None = None
    """For an STS session: the role it is a session of."""
    issued: float = 0.0
    """time.monotonic() when STS issued the session."""
    expiration: datetime | None = None


@dataclass(frozen=True)
class _Role:
    arn: str
    account: str
    name: str
    role_id: str
    trusts: frozenset[str]
    external_id: str | None
    max_session_seconds: int


@dataclass(frozen=True)
class _OrgAccount:
    id: str
    name: str
    email: str
    status: str
    joined_method: str


@dataclass
class _Pending:
    """What is known so far about the request a handler is answering (recorded on answer)."""

    time: float
    service: str = ""
    operation: str = ""
    account: str | None = None
    principal: str | None = None
    region: str | None = None
    ota_update_id: str | None = None
    resource: str | None = None
    chain_request: ChainRequest | None = None
    """A Signer, ACM or S3 request as read, for its chain once the front door lets it in."""


@dataclass(frozen=True)
class _Request:
    """An authenticated request for a service other than IoT."""

    service: str
    operation: str
    caller: _Principal
    region: str
    params: dict[str, Any]


def _unique_id(prefix: str, seed: str) -> str:
    """An IAM unique id (AIDA..., AROA...) that is stable for ``seed``."""
    digest = hashlib.sha256(seed.encode()).digest()
    return prefix + "".join(_KEY_CHARS[b % len(_KEY_CHARS)] for b in digest[:17])


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _members_xml(value: Mapping[str, Any], shape: StructureShape) -> str:
    """The members of a structure as XML elements, named as botocore's query and EC2 parsers
    look for them (a member's ``locationName``, else its own name)."""
    return "".join(
        _to_xml(item, shape.members[key], shape.members[key].serialization.get("name", key))
        for key, item in value.items()
        if item is not None
    )


def _to_xml(value: Any, shape: Shape, name: str) -> str:
    """``value`` as the XML element ``name``."""
    if isinstance(shape, StructureShape):
        inner = _members_xml(value, shape)
    elif isinstance(shape, ListShape):
        item_name = shape.member.serialization.get("name", "member")
        inner = "".join(_to_xml(item, shape.member, item_name) for item in value)
    elif shape.type_name == "timestamp":
        inner = _iso(value)
    elif shape.type_name == "boolean":
        inner = "true" if value else "false"
    else:
        inner = escape(str(value))
    return f"<{name}>{inner}</{name}>"


class _CloudHandler(RequestHandler):
    """Records each request when its answer's headers are complete, before the client can
    read the answer, so a test sees the call as soon as its client call returns."""

    server_version = "LocalCloud/1.0"
    pending: _Pending | None = None
    _status: int | None = None
    _error: str | None = None

    def begin(self) -> _Pending:
        self.pending = _Pending(time.monotonic())
        self._status = self._error = None
        return self.pending

    do_HEAD = RequestHandler._dispatch

    def send_response_only(self, code: int, message: str | None = None) -> None:
        self._status = code
        super().send_response_only(code, message)

    def send_header(self, keyword: str, value: str) -> None:
        if keyword.lower() == "x-amzn-errortype":
            self._error = value.split(":", 1)[0]
        super().send_header(keyword, value)

    def note_error(self, code: str) -> None:
        """The error code of an answer whose code is in its body, not in a header."""
        self._error = code

    def end_headers(self) -> None:
        self._record()
        super().end_headers()

    def before_drop(self) -> None:
        self._status = self._error = None
        self._record()

    def _record(self) -> None:
        pending, self.pending = self.pending, None
        if pending is None:
            return
        error = self._error if self._status is None or self._status >= 300 else None
        call = CloudCall(
            service=pending.service,
            operation=pending.operation,
            account=pending.account,
            principal=pending.principal,
            region=pending.region,
            ota_update_id=pending.ota_update_id,
            time=pending.time,
            status=self._status,
            error=error,
            resource=pending.resource,
        )
        owner = self.server.owner
        if isinstance(owner, LocalCloud):
            owner._record(call)


def _reply(
    handler: _CloudHandler, status: int, body: bytes, content_type: str, **headers: str
) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    handler.send_header("x-amzn-RequestId", str(uuid.uuid4()))
    for name, value in headers.items():
        handler.send_header(name, value)
    if handler.close_connection:
        handler.send_header("Connection", "close")
    handler.end_headers()
    handler.wfile.write(body)


def _send_chain(handler: _CloudHandler, answer: ChainAnswer) -> None:
    """A LocalChain answer on the wire (no body after a HEAD, whatever its headers say)."""
    if answer.drop:
        _drop(handler)
        return
    if answer.error is not None:
        handler.note_error(answer.error)
    handler.send_response(answer.status)
    for name, value in answer.headers:
        if name.lower() == "content-length" and not value.isdigit():
            handler.close_connection = True  # a client cannot tell where this answer ends
        handler.send_header(name, value)
    if handler.close_connection:
        handler.send_header("Connection", "close")
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(answer.body)


def _drop(handler: _CloudHandler) -> None:
    """Reset the connection without a byte of answer (linger 0 makes the close a reset)."""
    handler.before_drop()
    handler.close_connection = True
    sock = handler.connection
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def _reply_error(handler: _CloudHandler, service: str, error: CloudError) -> None:
    """``error`` in the wire format of ``service``'s protocol (rest-json when unknown)."""
    if service in CHAIN_SERVICES:
        answer = error_answer(service, handler.command, error.code, error.message, error.status)
        _send_chain(handler, answer)
        return
    protocol = _PROTOCOL.get(service, "rest-json")
    request_id = str(uuid.uuid4())
    if protocol == "query":
        handler.note_error(error.code)
        body = (
            f'<ErrorResponse xmlns="{_STS_NS}"><Error><Type>Sender</Type>'
            f"<Code>{escape(error.code)}</Code><Message>{escape(error.message)}</Message>"
            f"</Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        )
        _reply(handler, error.status, body.encode(), "text/xml")
    elif protocol == "ec2":
        handler.note_error(error.code)
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>'
            f"<Code>{escape(error.code)}</Code><Message>{escape(error.message)}</Message>"
            f"</Error></Errors><RequestID>{request_id}</RequestID></Response>"
        )
        _reply(handler, error.status, body.encode(), "text/xml;charset=UTF-8")
    elif protocol == "json":
        payload = {"__type": error.code, "Message": error.message, **error.extra}
        _reply(
            handler,
            error.status,
            json.dumps(payload).encode(),
            "application/x-amz-json-1.1",
            **{"x-amzn-ErrorType": error.code},
        )
    else:
        payload = {"message": error.message, **error.extra}
        _reply(
            handler,
            error.status,
            json.dumps(payload).encode(),
            "application/json",
            **{"x-amzn-ErrorType": error.code},
        )


def _front_door(error: ApiError) -> CloudError:
    """A LocalIot signature error as a CloudError (all are 403 at AWS's front door)."""
    return CloudError(error.code, error.message, 403)


def _unrecognized(service: str) -> CloudError:
    """Credentials the service does not know, as each service says so."""
    if service == "sts":
        return CloudError("InvalidClientTokenId", _INVALID_TOKEN, 403)
    if service == "ec2":
        return CloudError("AuthFailure", _EC2_AUTH, 401)
    if service == "s3":
        message = "The AWS Access Key Id you provided does not exist in our records."
        return CloudError("InvalidAccessKeyId", message, 403)
    status = 400 if _PROTOCOL.get(service) == "json" else 403
    return CloudError("UnrecognizedClientException", _INVALID_TOKEN, status)


def _bad_signature(service: str, error: ApiError) -> CloudError:
    if service in ("sts", "s3"):
        return CloudError("SignatureDoesNotMatch", error.message, 403)
    if service == "ec2":
        return CloudError("AuthFailure", _EC2_AUTH, 401)
    status = 400 if _PROTOCOL.get(service) == "json" else 403
    return CloudError(error.code, error.message, status)


def _expired(service: str) -> CloudError:
    if service == "ec2":
        return CloudError("RequestExpired", "Request has expired.", 400)
    if service == "s3":
        return CloudError("ExpiredToken", "The provided token has expired.", 400)
    status = 400 if service in ("sts", "organizations", "acm") else 403
    return CloudError("ExpiredTokenException", _EXPIRED_TOKEN, status)


def _denied(service: str, operation: str, caller: _Principal, resource: str) -> CloudError:
    """AccessDenied for ``service:operation``, as each service words it."""
    action = f"{service}:{operation}"
    text = f"User: {caller.arn} is not authorized to perform: {action} on resource: {resource}"
    if service in ("sts", "s3"):
        return CloudError("AccessDenied", text if service == "sts" else "Access Denied", 403)
    if service == "acm":
        return CloudError("AccessDeniedException", text, 400)
    if service == "organizations":
        return CloudError("AccessDeniedException", _ORGANIZATIONS_DENIED, 400)
    if service == "ec2":
        message = (
            "You are not authorized to perform this operation. User: "
            f"{caller.arn} is not authorized to perform: {action} because no "
            f"identity-based policy allows the {action} action"
        )
        return CloudError("UnauthorizedOperation", message, 403)
    return CloudError("AccessDeniedException", text, 403)


def _validation(service: str, problems: list[str]) -> CloudError:
    detail = "; ".join(problems)
    if service == "sts":
        return CloudError("ValidationError", detail)
    if service == "ec2":
        return CloudError("InvalidParameterValue", detail)
    if service == "organizations":
        return CloudError("InvalidInputException", detail, Reason="INVALID_INPUT")
    return CloudError("ValidationException", detail)


class LocalCloud:
    """IoT in many (account, region) partitions plus STS, Organizations, Account and EC2 on
    one ``http://127.0.0.1:<ephemeral port>``. A context manager, like LocalIot.

    The base credentials (``base_key``/``base_secret``) are the IAM user
    ``arn:aws:iam::<base_account>:user/ota-drift``, the organisation's management account.
    """

    def __init__(
        self,
        *,
        latency: float = 0.0,
        base_account: str = "000000000000",
        base_key: str = "base-key",
        base_secret: str = "base-secret",
    ) -> None:
        if not _ACCOUNT_ID.fullmatch(base_account):
            raise ValueError(f"base_account must be 12 digits, not {base_account!r}")
        self._lock = threading.RLock()
        self._latency = latency
        self.base_account = base_account
        #: Largest ListAccounts page, whatever MaxResults asks for.
        self.organizations_page_size = ORGANIZATIONS_PAGE_SIZE
        #: Every request received, in order of arrival of its answer.
        self.calls: list[CloudCall] = []
        #: Responses (of STS, Organizations, Account, EC2) that did not fit botocore's shape.
        self.cloud_validation_errors: list[ValidationFailure] = []
        self._internal: list[str] = []
        self._keys: dict[str, _Principal] = {}
        self._roles: dict[str, _Role] = {}
        self._deny_assume: set[str] = set()
        self._denied: set[tuple[str, str]] = set()
        self._regions: dict[str, set[str]] = {}
        self._organization: dict[str, _OrgAccount] = {}
        self._partitions: dict[tuple[str, str], LocalIot] = {}
        self._chains: dict[tuple[str, str], LocalChain] = {}
        self._expire_after: float | None = None
        self._token_key = secrets.token_bytes(16)
        self._stopping = threading.Event()
        self._server: LoopbackServer | None = None
        self._thread: threading.Thread | None = None
        self.add_user(base_account, base_key, base_secret)

    # ---------------------------------------------------------------------------- lifecycle

    @property
    def port(self) -> int:
        """The ephemeral TCP port the running server listens on."""
        if self._server is None:
            raise RuntimeError("LocalCloud is not running; call start() first")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``, the endpoint of every service."""
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        """``AWS_ENDPOINT_URL_<SERVICE>`` for IoT, STS, Organizations, Account, EC2, Signer,
        ACM and S3."""
        return {f"AWS_ENDPOINT_URL_{name}": self.url for name in _ENV_SERVICES}

    def start(self) -> Self:
        """Bind an ephemeral port on 127.0.0.1 and serve in a background thread."""
        if self._server is not None:
            return self
        self._stopping.clear()
        with self._lock:
            for partition in self._partitions.values():
                partition._stopping.clear()
            for chain in self._chains.values():
                chain._stopping.clear()
        self._server = LoopbackServer(self, _CloudHandler, name="LocalCloud")
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"LocalCloud-server:{self._server.server_address[1]}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, reset open connections and wait for every server thread to end
        (RuntimeError if one is still running after five seconds)."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        self._stopping.set()
        with self._lock:
            for partition in self._partitions.values():
                partition._stopping.set()  # ends a partition's latency wait at once
            for chain in self._chains.values():
                chain._stopping.set()
        server.shutdown()
        server.server_close()
        leftovers = server.close_connections(timeout=5.0)
        thread.join(timeout=5.0)
        self._server = self._thread = None
        if leftovers or thread.is_alive():
            raise RuntimeError(f"LocalCloud threads still running after stop: {leftovers}")

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ---------------------------------------------------------------------------- partitions

    @property
    def latency(self) -> float:
        """Seconds added to every answer. Setting it sets every partition's and chain's
        latency too; a partition's or chain's own ``latency`` may then be changed on its own."""
        return self._latency

    @latency.setter
    def latency(self, value: float) -> None:
        with self._lock:
            self._latency = value
            for partition in self._partitions.values():
                partition.latency = value
            for chain in self._chains.values():
                chain.latency = value

    def iot(self, account: str, region: str) -> LocalIot:
        """The IoT of one (account, region) partition, created empty on first use.

        It is a LocalIot with ``account_id`` and ``region`` set and the cloud's latency; it is
        served through this cloud's :attr:`url` (do not start it).
        """
        if not _ACCOUNT_ID.fullmatch(account):
            raise ValueError(f"account must be 12 digits, not {account!r}")
        with self._lock:
            partition = self._partitions.get((account, region))
            if partition is None:
                partition = LocalIot(latency=self._latency, account_id=account, region=region)
                if self._stopping.is_set():
                    partition._stopping.set()
                self._partitions[account, region] = partition
            return partition

    def chain(self, account: str, region: str) -> LocalChain:
        """The code-signing chain (Signer, ACM, S3 object versions) of one (account, region)
        partition, created empty on first use with the cloud's latency. Its
        ``inject_fault("DescribeStream", ...)`` reaches :meth:`iot` of the same partition, and
        GetSigningProfile with a ``profileOwner`` reads that account's chain in the region."""
        if not _ACCOUNT_ID.fullmatch(account):
            raise ValueError(f"account must be 12 digits, not {account!r}")
        with self._lock:
            chain = self._chains.get((account, region))
            if chain is None:
                chain = LocalChain(
                    account=account,
                    region=region,
                    latency=self._latency,
                    iot=self.iot(account, region),
                    profile_owner=functools.partial(self._owner_chain, region=region),
                )
                if self._stopping.is_set():
                    chain._stopping.set()
                self._chains[account, region] = chain
            return chain

    def _owner_chain(self, account: str, *, region: str) -> LocalChain | None:
        with self._lock:
            return self._chains.get((account, region))

    def partitions(self) -> dict[tuple[str, str], LocalIot]:
        """The partitions created so far, by (account, region)."""
        with self._lock:
            return dict(self._partitions)

    # ---------------------------------------------------------------------------- identities

    def add_user(self, account: str, key: str, secret: str, *, name: str = "ota-drift") -> None:
        """Static keys of the IAM user ``name`` in ``account`` (a ``profile:`` entry's keys)."""
        if not _ACCOUNT_ID.fullmatch(account):
            raise ValueError(f"account must be 12 digits, not {account!r}")
        arn = f"arn:aws:iam::{account}:user/{name}"
        with self._lock:
            self._keys[key] = _Principal(key, secret, account, arn, _unique_id("AIDA", arn))

    def add_role(
        self,
        role_arn: str,
        *,
        trusts: Iterable[str] | None = None,
        external_id: str | None = None,
        max_session_seconds: int = 3600,
    ) -> None:
        """A role that may be assumed by the principals ``trusts`` names: account ids (any
        principal of that account) and/or ARNs of roles or users. ``None``: the base account.
        With ``external_id``, AssumeRole must pass exactly that ExternalId."""
        match = _ROLE_ARN.fullmatch(role_arn)
        if match is None:
            raise ValueError(f"not an IAM role ARN: {role_arn!r}")
        if not 900 <= max_session_seconds <= 43200:
            raise ValueError(f"max_session_seconds must be 900..43200, not {max_session_seconds}")
        role = _Role(
            arn=role_arn,
            account=match.group(1),
            name=match.group(2),
            role_id=_unique_id("AROA", role_arn),
            trusts=frozenset([self.base_account] if trusts is None else trusts),
            external_id=external_id,
            max_session_seconds=max_session_seconds,
        )
        with self._lock:
            self._roles[role_arn] = role

    def deny_assume(self, role_arn: str) -> None:
        """AssumeRole on ``role_arn`` is AccessDenied (403), whoever asks."""
        with self._lock:
            self._deny_assume.add(role_arn)

    def deny(self, account: str, action: str) -> None:
        """``action`` (``service:Operation``, e.g. ``account:ListRegions``) is denied to every
        principal of ``account``: each service's own AccessDenied error."""
        service, _, operation = action.partition(":")
        if service not in _PROTOCOL or not operation:
            raise ValueError(f"action must be one of {sorted(_PROTOCOL)}:Operation: {action!r}")
        with self._lock:
            self._denied.add((account, action))

    def expire_sessions_after(self, seconds: float | None) -> None:
        """STS sessions stop working ``seconds`` after they were issued (those issued already
        too), while the Expiration AssumeRole returned still says later: a revoked or
        shortened session. Requests then get ExpiredTokenException. None: only Expiration."""
        with self._lock:
            self._expire_after = seconds

    def session_keys(self, account: str | None = None) -> list[str]:
        """Access key ids STS issued so far (of sessions in ``account``), in order of issue."""
        with self._lock:
            return [
                p.key_id
                for p in self._keys.values()
                if p.token is not None and account in (None, p.account)
            ]

    # ---------------------------------------------------------------------------- accounts

    def set_regions(self, account: str, enabled: Iterable[str]) -> None:
        """The regions enabled in ``account`` (instead of :data:`DEFAULT_REGIONS`)."""
        with self._lock:
            self._regions[account] = set(enabled)

    def disable_region(self, account: str, region: str) -> None:
        """``region`` is not enabled in ``account``: IoT there answers 403
        UnrecognizedClientException (and EC2 AuthFailure) to that account's credentials, as
        AWS does in an opt-in region that was not enabled; ListRegions says DISABLED and
        DescribeRegions leaves it out."""
        with self._lock:
            self._regions.setdefault(account, set(DEFAULT_REGIONS)).discard(region)

    def enabled_regions(self, account: str) -> frozenset[str]:
        """The regions IoT and EC2 answer ``account``'s credentials in."""
        with self._lock:
            return frozenset(self._regions.get(account, DEFAULT_REGIONS))

    def add_organization_account(
        self,
        account: str,
        name: str,
        *,
        status: str = "ACTIVE",
        email: str | None = None,
        joined_method: str = "CREATED",
    ) -> None:
        """An account ListAccounts lists (in order of adding). Only the accounts added here
        are listed: add the management (base) account too if the test needs it."""
        if not _ACCOUNT_ID.fullmatch(account):
            raise ValueError(f"account must be 12 digits, not {account!r}")
        entry = _OrgAccount(
            account, name, email or f"aws+{account}@example.com", status, joined_method
        )
        with self._lock:
            self._organization[account] = entry

    # ---------------------------------------------------------------------------- records

    def operations(self, account: str | None = None) -> set[str]:
        """``service:Operation`` of every request (answered or not), or only of the requests
        signed with credentials of ``account``."""
        with self._lock:
            return {c.action for c in self.calls if account is None or c.account == account}

    def resource_calls(self, account: str | None = None) -> Counter[tuple[str, str]]:
        """Requests per (``service:Operation``, resource) for the chain reads (signer, acm,
        s3, iot:DescribeStream), answered or not, of every account or of ``account``."""
        with self._lock:
            return Counter(
                (c.action, c.resource)
                for c in self.calls
                if c.resource is not None and account in (None, c.account)
            )

    def clear_calls(self) -> None:
        """Forget the recorded calls (the partitions keep their own counters)."""
        with self._lock:
            self.calls.clear()

    @property
    def internal_errors(self) -> list[str]:
        """Tracebacks of unexpected exceptions, of the cloud, every partition and chain."""
        with self._lock:
            found = list(self._internal)
            for partition in self._partitions.values():
                found += partition.internal_errors
            for chain in self._chains.values():
                found += chain.internal_errors
            return found

    @property
    def validation_errors(self) -> list[ValidationFailure]:
        """Responses refused for not fitting botocore's shapes, in the cloud, partitions and
        chains."""
        with self._lock:
            found = list(self.cloud_validation_errors)
            for partition in self._partitions.values():
                found += partition.validation_errors
            for chain in self._chains.values():
                found += chain.validation_errors
            return found

    def _record(self, call: CloudCall) -> None:
        with self._lock:
            self.calls.append(call)

    def _internal_error(self, text: str) -> None:
        with self._lock:
            self._internal.append(text)

    # ---------------------------------------------------------------------------- serving

    def _serve(self, handler: RequestHandler) -> None:
        """Answer one request (on its connection's thread)."""
        if not isinstance(handler, _CloudHandler):
            raise TypeError("LocalCloud serves through _CloudHandler")
        pending = handler.begin()
        body = read_body(handler)
        if body is None:
            return
        paused = False
        try:
            route = self._authenticate(handler, body, pending)
            if isinstance(route, LocalIot):
                route.serve_request(handler, body, authenticated=True)
                return
            if isinstance(route, tuple):
                chain, request = route
                _send_chain(handler, chain.answer(request))
                return
            self._pause()
            paused = True
            status, payload, content_type = self._operate(route)
        except CloudError as error:
            if not paused:
                self._pause()
            _reply_error(handler, pending.service, error)
            return
        except Exception:
            self._internal_error(traceback.format_exc())
            failure = CloudError("InternalFailure", "LocalCloud failed; see internal_errors", 500)
            _reply_error(handler, pending.service, failure)
            return
        _reply(handler, status, payload, content_type)

    def _pause(self) -> None:
        if self._latency > 0:
            self._stopping.wait(self._latency)

    def _authenticate(
        self, handler: _CloudHandler, body: bytes, pending: _Pending
    ) -> LocalIot | tuple[LocalChain, ChainRequest] | _Request:
        """Who sent the request, and where it goes: the IoT partition, the chain with the
        request read, or a parsed request for another service. Raises the CloudError AWS's
        front door would answer."""
        try:
            scope = sigv4_scope(handler.headers)
        except ApiError as error:
            raise _front_door(error) from None
        service = pending.service = scope.service
        pending.region = scope.region
        if service not in _PROTOCOL:
            raise CloudError("UnknownOperationException", f"LocalCloud serves no {service!r}", 404)
        params = self._identify(handler, body, pending)
        caller = self._caller(handler, scope.key_id, pending)
        if service in _REGIONAL and scope.region not in self.enabled_regions(caller.account):
            raise _unrecognized(service)
        split = urlsplit(handler.path)
        if service == "s3":
            _check_s3_payload(handler.headers, body)
        try:
            if not scope.dated_today:
                raise ApiError("InvalidSignatureException", "Credential scope date is wrong.")
            check_sigv4(
                handler.command,
                split.path,
                split.query,
                handler.headers,
                body,
                secret=caller.secret,
            )
        except ApiError as error:
            raise _bad_signature(service, error) from None
        if self._is_expired(caller):
            raise _expired(service)
        if (caller.account, f"{service}:{pending.operation}") in self._denied_set():
            resource = self._resource(service, scope.region, caller, pending)
            raise _denied(service, pending.operation, caller, resource)
        if service == "iot":
            return self.iot(caller.account, scope.region)
        if pending.chain_request is not None:
            return self.chain(caller.account, scope.region), pending.chain_request
        return _Request(service, pending.operation, caller, scope.region, params)

    def _identify(self, handler: _CloudHandler, body: bytes, pending: _Pending) -> dict[str, Any]:
        """Set the request's operation (and otaUpdateId) on ``pending``; its parameters."""
        service = pending.service
        if service == "iot":
            key = (self._account_of_key(handler) or "", pending.region or "")
            with self._lock:
                partition = self._partitions.get(key)
            operation, pending.ota_update_id = (partition or _IDENTIFIER).request_identity(
                handler.command, handler.path
            )
            pending.operation = operation or ""
            if operation == "DescribeStream":
                pending.resource = unquote(urlsplit(handler.path).path.rsplit("/", 1)[-1])
            return {}
        if service in CHAIN_SERVICES:
            request = identify(service, handler.command, handler.path, handler.headers, body)
            pending.operation, pending.resource = request.operation, request.resource
            pending.chain_request = request
            return dict(request.params)
        if _PROTOCOL[service] in ("query", "ec2"):
            try:
                form = dict(parse_qsl(body.decode(), keep_blank_values=True, strict_parsing=False))
            except UnicodeDecodeError:
                form = {}
            pending.operation = form.pop("Action", "")
            form.pop("Version", None)
            return form
        if service == "organizations":
            target = handler.headers.get("X-Amz-Target", "")
            pending.operation = target.removeprefix(_ORGANIZATIONS_TARGET)
        else:
            pending.operation = _rest_operation(service, handler.command, handler.path)
        return _json_body(service, body)

    def _account_of_key(self, handler: _CloudHandler) -> str | None:
        try:
            key = sigv4_scope(handler.headers).key_id
        except ApiError:
            return None
        with self._lock:
            principal = self._keys.get(key)
        return principal.account if principal else None

    def _caller(self, handler: _CloudHandler, key_id: str, pending: _Pending) -> _Principal:
        """The principal of the signing key (recorded even when its token is wrong)."""
        with self._lock:
            caller = self._keys.get(key_id)
        if caller is None:
            raise _unrecognized(pending.service)
        pending.account, pending.principal = caller.account, caller.arn
        if handler.headers.get("X-Amz-Security-Token") != caller.token:
            raise _unrecognized(pending.service)
        return caller

    def _is_expired(self, caller: _Principal) -> bool:
        if caller.token is None:
            return False
        with self._lock:
            after = self._expire_after
        if after is not None and time.monotonic() - caller.issued >= after:
            return True
        return caller.expiration is not None and datetime.now(UTC) >= caller.expiration

    def _denied_set(self) -> set[tuple[str, str]]:
        with self._lock:
            return set(self._denied)

    def _resource(self, service: str, region: str, caller: _Principal, pending: _Pending) -> str:
        """The ARN an AccessDenied message names."""
        if service == "iot" and pending.ota_update_id is not None:
            return f"arn:aws:iot:{region}:{caller.account}:otaupdate/{pending.ota_update_id}"
        resource, account = pending.resource, caller.account
        if resource is None:
            return "*"
        if service == "iot":
            return f"arn:aws:iot:{region}:{account}:stream/{resource}"
        if service == "signer":
            job = pending.operation == "DescribeSigningJob"
            kind = "signing-jobs" if job else "signing-profiles"
            return f"arn:aws:signer:{region}:{account}:/{kind}/{resource}"
        if service == "s3":
            return f"arn:aws:s3:::{resource.partition('?')[0]}"
        return resource

    # ---------------------------------------------------------------------------- operations

    def _operate(self, request: _Request) -> tuple[int, bytes, str]:
        """Run a non-IoT operation: status, body and Content-Type of its answer."""
        handler = self._handlers.get((request.service, request.operation))
        if handler is None:
            if _PROTOCOL[request.service] in ("query", "ec2"):
                raise CloudError(
                    "InvalidAction",
                    f"Could not find operation {request.operation} (LocalCloud serves "
                    f"{sorted(op for svc, op in self._handlers if svc == request.service)})",
                )
            raise CloudError(
                "UnknownOperationException",
                f"LocalCloud does not serve {request.service}:{request.operation}",
                400 if request.service == "organizations" else 404,
            )
        operation = _model(request.service).operation_model(request.operation)
        result = handler(self, request)
        return self._serialise(request.service, operation, result)

    def _serialise(
        self, service: str, operation: OperationModel, result: dict[str, Any]
    ) -> tuple[int, bytes, str]:
        shape = operation.output_shape
        if shape is None:
            raise TypeError(f"{operation.name} has no output shape")
        problems = shape_problems(result, shape)
        if problems:
            with self._lock:
                failure = ValidationFailure(operation.name, None, tuple(problems))
                self.cloud_validation_errors.append(failure)
            raise CloudError(
                "InternalFailure",
                f"LocalCloud refused a response that does not fit {shape.name}: "
                + "; ".join(problems),
                500,
            )
        request_id = str(uuid.uuid4())
        name = operation.name
        if service == "sts":
            members = _to_xml(result, shape, f"{name}Result")
            body = (
                f'<{name}Response xmlns="{_STS_NS}">{members}<ResponseMetadata>'
                f"<RequestId>{request_id}</RequestId></ResponseMetadata></{name}Response>"
            )
            return 200, body.encode(), "text/xml"
        if service == "ec2":
            body = (
                f'<?xml version="1.0" encoding="UTF-8"?>\n<{name}Response xmlns="{_EC2_NS}">'
                f"<requestId>{request_id}</requestId>{_members_xml(result, shape)}"
                f"</{name}Response>"
            )
            return 200, body.encode(), "text/xml;charset=UTF-8"
        content_type = (
            "application/x-amz-json-1.1" if service == "organizations" else ("application/json")
        )
        return 200, json.dumps(to_wire(result, shape)).encode(), content_type

    def _check_input(self, request: _Request, params: Mapping[str, Any]) -> None:
        operation = _model(request.service).operation_model(request.operation)
        shape = operation.input_shape
        if shape is not None:
            problems = shape_problems(params, shape)
            if problems:
                raise _validation(request.service, problems)

    def _assume_role(self, request: _Request) -> dict[str, Any]:
        params = _query_params(
            request, {"RoleArn", "RoleSessionName", "ExternalId"}, {"DurationSeconds"}
        )
        self._check_input(request, params)
        caller, role_arn = request.caller, params["RoleArn"]
        duration = int(params.get("DurationSeconds", 3600))
        with self._lock:
            role = self._roles.get(role_arn)
            refused = role_arn in self._deny_assume
        if role is None or refused or not _trusted(role, caller):
            raise _denied("sts", "AssumeRole", caller, role_arn)
        if role.external_id is not None and params.get("ExternalId") != role.external_id:
            raise _denied("sts", "AssumeRole", caller, role_arn)
        if caller.role_arn is not None and duration > _CHAIN_LIMIT:
            raise CloudError(
                "ValidationError",
                "The requested DurationSeconds exceeds the 1 hour session limit for roles "
                "assumed by role chaining.",
            )
        if duration > role.max_session_seconds:
            raise CloudError(
                "ValidationError",
                "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
            )
        session = self._issue(role, params["RoleSessionName"], duration)
        return {
            "Credentials": {
                "AccessKeyId": session.key_id,
                "SecretAccessKey": session.secret,
                "SessionToken": session.token,
                "Expiration": session.expiration,
            },
            "AssumedRoleUser": {"AssumedRoleId": session.user_id, "Arn": session.arn},
            "PackedPolicySize": 0,
        }

    def _issue(self, role: _Role, session_name: str, duration: int) -> _Principal:
        now = datetime.now(UTC).replace(microsecond=0)
        key_id = "ASIA" + "".join(secrets.choice(_KEY_CHARS) for _ in range(16))
        session = _Principal(
            key_id=key_id,
            secret=secrets.token_urlsafe(30)[:40],
            account=role.account,
            arn=f"arn:aws:sts::{role.account}:assumed-role/{role.name}/{session_name}",
            user_id=f"{role.role_id}:{session_name}",
            token="IQoJb3JpZ2luX2Vj" + secrets.token_urlsafe(96),
            role_arn=role.arn,
            issued=time.monotonic(),
            expiration=now + timedelta(seconds=duration),
        )
        with self._lock:
            self._keys[key_id] = session
        return session

    def _get_caller_identity(self, request: _Request) -> dict[str, Any]:
        _query_params(request, set(), set())
        caller = request.caller
        return {"UserId": caller.user_id, "Account": caller.account, "Arn": caller.arn}

    def _list_accounts(self, request: _Request) -> dict[str, Any]:
        self._check_input(request, request.params)
        if request.caller.account != self.base_account:
            raise CloudError("AccessDeniedException", _ORGANIZATIONS_DENIED, 400)
        with self._lock:
            accounts = list(self._organization.values())
            size = min(request.params.get("MaxResults", 20), self.organizations_page_size)
        start = self._offset("organizations", request.params.get("NextToken"))
        page = accounts[start : start + size]
        result: dict[str, Any] = {
            "Accounts": [
                {
                    "Id": a.id,
                    "Arn": f"arn:aws:organizations::{self.base_account}:account/"
                    f"{ORGANIZATION_ID}/{a.id}",
                    "Email": a.email,
                    "Name": a.name,
                    "Status": a.status,
                    "State": a.status,
                    "JoinedMethod": a.joined_method,
                    "JoinedTimestamp": JOINED,
                }
                for a in page
            ]
        }
        if start + size < len(accounts):
            result["NextToken"] = self._token("organizations", start + size)
        return result

    def _list_regions(self, request: _Request) -> dict[str, Any]:
        params = request.params
        self._check_input(request, params)
        account = params.get("AccountId", request.caller.account)
        if request.caller.account not in (account, self.base_account):
            raise _denied("account", "ListRegions", request.caller, f"account {account}")
        wanted = set(params.get("RegionOptStatusContains") or ())
        regions = [
            {"RegionName": name, "RegionOptStatus": status}
            for name, status in self._region_statuses(account)
            if not wanted or status in wanted
        ]
        size = params.get("MaxResults", REGIONS_PAGE_SIZE)
        start = self._offset("account", params.get("NextToken"))
        result: dict[str, Any] = {"Regions": regions[start : start + size]}
        if start + size < len(regions):
            result["NextToken"] = self._token("account", start + size)
        return result

    def _describe_regions(self, request: _Request) -> dict[str, Any]:
        form = dict(request.params)
        names = sorted(
            (key for key in form if re.fullmatch(r"RegionName\.\d+", key)),
            key=lambda key: int(key.split(".")[1]),
        )
        asked = [form.pop(key) for key in names]
        every = form.pop("AllRegions", "false")
        if form:
            raise CloudError("InvalidParameterValue", f"LocalCloud does not support {sorted(form)}")
        if every not in ("true", "false"):
            raise CloudError("InvalidParameterValue", f"AllRegions must be a boolean: {every!r}")
        opt_in = {"ENABLED": "opted-in", "ENABLED_BY_DEFAULT": "opt-in-not-required"}
        regions = [
            {
                "RegionName": name,
                "Endpoint": f"ec2.{name}.amazonaws.com",
                "OptInStatus": opt_in.get(status, "not-opted-in"),
            }
            for name, status in self._region_statuses(request.caller.account)
            if (every == "true" or status in opt_in) and (not asked or name in asked)
        ]
        return {"Regions": regions}

    def _region_statuses(self, account: str) -> list[tuple[str, str]]:
        """Every region with its ListRegions status in ``account``, sorted by name."""
        enabled = self.enabled_regions(account)
        statuses = []
        for name in sorted(set(ALL_REGIONS) | enabled):
            if name not in enabled:
                statuses.append((name, "DISABLED"))
            elif name in DEFAULT_REGIONS:
                statuses.append((name, "ENABLED_BY_DEFAULT"))
            else:
                statuses.append((name, "ENABLED"))
        return statuses

    def _token(self, kind: str, offset: int) -> str:
        raw = f"{kind}:{offset}".encode()
        tag = hmac.new(self._token_key, raw, hashlib.sha256).digest()[:12]
        return base64.urlsafe_b64encode(tag + raw).decode().rstrip("=")

    def _offset(self, kind: str, token: str | None) -> int:
        """Where the page a NextToken asks for starts (0 without one)."""
        if token is None:
            return 0
        if kind == "organizations":
            invalid = CloudError(
                "InvalidInputException",
                "The provided token is invalid.",
                Reason="INVALID_NEXT_TOKEN",
            )
        else:
            invalid = CloudError("ValidationException", "The NextToken is not valid.")
        try:
            blob = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except (binascii.Error, ValueError):
            raise invalid from None
        tag, raw = blob[:12], blob[12:]
        expected = hmac.new(self._token_key, raw, hashlib.sha256).digest()[:12]
        token_kind, _, offset = raw.decode(errors="replace").partition(":")
        if not hmac.compare_digest(tag, expected) or token_kind != kind:
            raise invalid
        return int(offset)

    _handlers: ClassVar[dict[tuple[str, str], Callable[[LocalCloud, _Request], dict[str, Any]]]] = {
        ("sts", "AssumeRole"): _assume_role,
        ("sts", "GetCallerIdentity"): _get_caller_identity,
        ("organizations", "ListAccounts"): _list_accounts,
        ("account", "ListRegions"): _list_regions,
        ("ec2", "DescribeRegions"): _describe_regions,
    }


def _check_s3_payload(headers: Any, body: bytes) -> None:
    """S3 signs the payload hash it is sent in ``x-amz-content-sha256``: the header must be
    there, and be the body's SHA-256 unless the payload is unsigned."""
    declared = headers.get("x-amz-content-sha256")
    if declared is None:
        raise CloudError(
            "InvalidRequest", "Missing required header for this request: x-amz-content-sha256"
        )
    if declared.startswith(_UNSIGNED_PAYLOADS):
        return
    if declared != hashlib.sha256(body).hexdigest():
        raise CloudError(
            "XAmzContentSHA256Mismatch",
            "The provided 'x-amz-content-sha256' header does not match what was computed.",
        )


def _trusted(role: _Role, caller: _Principal) -> bool:
    """The role's trust policy lets ``caller`` assume it: its account, or its own ARN (the
    user's, or the role a session is of) is trusted."""
    return bool({caller.account, caller.arn, caller.role_arn} & role.trusts)


def _query_params(request: _Request, strings: set[str], integers: set[str]) -> dict[str, Any]:
    """A query request's parameters, refusing any this stand-in does not implement (nothing
    passes silently)."""
    unknown = sorted(set(request.params) - strings - integers)
    if unknown:
        raise CloudError(
            "InvalidParameterValue" if request.service == "ec2" else "ValidationError",
            f"LocalCloud does not support the parameters {unknown} of {request.operation}",
        )
    params: dict[str, Any] = {}
    for key, value in request.params.items():
        if key in integers:
            try:
                params[key] = int(value)
            except ValueError:
                raise CloudError("ValidationError", f"{key} must be an integer") from None
        else:
            params[key] = value
    return params


def _json_body(service: str, body: bytes) -> dict[str, Any]:
    if not body:
        return {}
    try:
        decoded = json.loads(body)
    except ValueError as exc:
        raise _validation(service, [f"malformed JSON body: {exc}"]) from None
    if not isinstance(decoded, dict):
        raise _validation(service, ["the JSON body must be an object"])
    return decoded


@functools.cache
def _rest_routes(service: str) -> dict[tuple[str, str], str]:
    model = _model(service)
    return {
        (op.http["method"], op.http["requestUri"]): name
        for name in model.operation_names
        if (op := model.operation_model(name))
    }


def _rest_operation(service: str, method: str, raw_path: str) -> str:
    return _rest_routes(service).get((method, urlsplit(raw_path).path), "")
