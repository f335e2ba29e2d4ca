"""A local stand-in for the AWS IoT OTA-update API, spoken over real HTTP to real botocore.

moto has no OTA-update support and LocalStack's IoT does not cover it, so tests that want the
whole botocore stack (SigV4 signing, rest-json serialisation, response parsing, retries) point a
real ``boto3.client("iot", endpoint_url=iot.url, ...)`` at a :class:`LocalIot`. It listens on
127.0.0.1 only, on an ephemeral port, and never opens a connection of its own.

Everything on the wire is derived from botocore's own service model (``iot`` 2015-05-28): the
routes come from each operation's ``http`` method and ``requestUri``, request bodies are decoded
and checked against the input shapes, and every response body is checked against its output
shape (``botocore.validate.ParamValidator`` plus the ``max``/``enum``/``pattern`` constraints it
does not check) before it is serialised. A response that does not fit is not sent: the client
gets a 500 ``InternalFailureException`` and the mismatch is recorded in ``validation_errors``.

Supported operations: ListOTAUpdates, GetOTAUpdate, CreateOTAUpdate, DeleteOTAUpdate,
DescribeJob, ListTagsForResource, DescribeStream (streams seeded with :meth:`LocalIot.put_stream`).
Anything else is answered 404 ``UnknownOperationException``.

    with LocalIot(rate_limits={"GetOTAUpdate": 10}) as iot:
        iot.put({"otaUpdateId": "fw-1", "targets": [...], "otaUpdateFiles": [...]})
        client = boto3.client(
            "iot", endpoint_url=iot.url, region_name="eu-west-1",
            aws_access_key_id="testing", aws_secret_access_key="testing",
        )
        client.get_ota_update(otaUpdateId="fw-1")
        assert iot.calls["GetOTAUpdate"] == 1

Requests are SigV4-verified against ``credentials`` (default ``{"testing": "testing"}``) and
``region`` (default eu-west-1); pass ``verify_signatures=False`` for hand-made requests.

One LocalIot serves one account in one region. ``tests/support/cloud_endpoint.py``'s LocalCloud
serves many of them (and STS, Organizations, Account, EC2) through one server: it checks the
credentials itself and hands each IoT request to its partition's :meth:`LocalIot.serve_request`.

Hostile answers, for the client's defences, come from :meth:`LocalIot.inject_fault`: a body cut
in half, an HTML page or an error body with status 200, ``{}``, ``null`` or ``[]``, a member of
the wrong type, a NaN, an answer about another update, a listing entry without its id, a
nextToken that repeats, cycles or never ends, an error that echoes the request's
credentials, and a connection reset without an answer. Each is sent for the next N requests
(or every request) of one operation, about one update if asked, without the output-shape
check (sending what does not fit is the point)::

    iot.inject_fault("GetOTAUpdate", "html", ota_update_id="fw-1", times=None)
    iot.inject_fault("ListOTAUpdates", "cycle-token")
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import copy
import functools
import hashlib
import hmac
import json
import random
import re
import secrets
import socket
import struct
import sys
import threading
import time
import traceback
import uuid
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, ClassVar, Protocol, Self
from urllib.parse import parse_qsl, quote, unquote, urlsplit

import botocore.session
from botocore.model import (
    ListShape,
    MapShape,
    NoShapeFoundError,
    OperationModel,
    ServiceModel,
    Shape,
    StructureShape,
)
from botocore.utils import normalize_url_path, parse_timestamp
from botocore.validate import ParamValidator

__all__ = [
    "ACCOUNT_ID",
    "DEFAULT_MAX_RESULTS",
    "FAULTS",
    "FAULT_TOKEN_PREFIX",
    "OPERATIONS",
    "ApiError",
    "LocalIot",
    "LoopbackServer",
    "RequestHandler",
    "SigV4Scope",
    "ValidationFailure",
    "check_sigv4",
    "read_body",
    "sigv4_scope",
]

ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "eu-west-1"
OPERATIONS = (
    "ListOTAUpdates",
    "GetOTAUpdate",
    "CreateOTAUpdate",
    "DeleteOTAUpdate",
    "DescribeJob",
    "ListTagsForResource",
    "DescribeStream",
)
# The model gives maxResults a range of 1..250 but documents no default; AWS does not say
# either. 50 is this stand-in's choice, so a client that relies on the default sees paging.
DEFAULT_MAX_RESULTS = 50
JOB_ID_PREFIX = "AFR_OTA-"

# How AWS spells the x-amzn-ErrorType header: the code, a colon, the namespace it came from.
_IOT_NAMESPACE = "http://internal.amazon.com/coral/com.amazonaws.iot/"
_CORAL_NAMESPACE = "http://internal.amazon.com/coral/com.amazon.coral.service/"
# Codes that are not modelled in the IoT service model (they come from AWS's front door).
_FRONT_DOOR_STATUS = {
    "AccessDeniedException": 403,
    "IncompleteSignatureException": 403,
    "InvalidSignatureException": 403,
    "MissingAuthenticationTokenException": 403,
    "UnknownOperationException": 404,
    "UnrecognizedClientException": 403,
}
_READS = frozenset(
    {"ListOTAUpdates", "GetOTAUpdate", "DescribeJob", "ListTagsForResource", "DescribeStream"}
)
_PAGED = frozenset({"ListOTAUpdates", "ListTagsForResource"})
FAULTS: dict[str, frozenset[str]] = {
    "truncated": _READS,  # the JSON body cut in half (Content-Length matches what is sent)
    "html": _READS,  # an HTML error page from a proxy, status 200, Content-Type text/html
    "error-200": _READS,  # {"__type": ..., "message": ...} with status 200
    "empty-object": _READS,  # {}
    "null": _READS,  # null
    "list": _READS,  # []
    "wrong-type": _READS,  # one member of the wrong JSON type (a string where a list belongs)
    "nan": _READS,  # a NaN literal, which Python's json reads but JSON does not have
    "wrong-id": frozenset({"GetOTAUpdate", "DescribeJob", "DescribeStream"}),  # another id
    "entry-without-id": frozenset({"ListOTAUpdates"}),  # a listing entry lacks otaUpdateId
    "repeat-token": _PAGED,  # every page says nextToken A
    "cycle-token": _PAGED,  # first page A, then A -> B, B -> A
    "endless-token": _PAGED,  # page n says nextToken n + 1, for ever
    "echo-headers": _READS,  # 403 whose message quotes Authorization, X-Amz-Security-Token
    "drop": _READS,  # the connection reset without an answer (drop_rate, for one operation)
}
"""Fault kinds of :meth:`LocalIot.inject_fault`, with the operations each applies to."""
FAULT_TOKEN_PREFIX = "fault-token-"
"""Tokens the token faults hand out; a request carrying one is answered from the first page."""
_ECHOED_HEADERS = ("X-Amz-Date", "X-Amz-Security-Token", "Authorization")
_HTML_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n"
    b"<body><h1>502 Bad Gateway</h1><p>The upstream server is unavailable.</p></body></html>\n"
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ABORT_CRITERIA_KEYS = ("failureType", "action", "thresholdPercentage", "minNumberOfExecutedThings")


@functools.cache
def service_model() -> ServiceModel:
    """botocore's IoT service model (loaded once per process)."""
    return botocore.session.get_session().get_service_model("iot")


@dataclass(frozen=True)
class ValidationFailure:
    """A response the server refused to send because it did not fit botocore's output shape."""

    operation: str
    ota_update_id: str | None
    problems: tuple[str, ...]


class ApiError(Exception):
    """An error response: HTTP status, ``x-amzn-ErrorType`` code and a JSON ``message``."""

    def __init__(self, code: str, message: str, *, extra: Mapping[str, str] | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.extra = dict(extra or {})
        self.status, self.namespace = _status_for(code)


def _status_for(code: str) -> tuple[int, str]:
    try:
        shape = service_model().shape_for(code)
    except NoShapeFoundError:
        return _FRONT_DOOR_STATUS.get(code, 400), _CORAL_NAMESPACE
    return int(shape.metadata["error"]["httpStatusCode"]), _IOT_NAMESPACE


# --------------------------------------------------------------------------------------------
# Shape-driven conversion and validation
# --------------------------------------------------------------------------------------------


def _as_datetime(value: Any) -> Any:
    """A datetime for a timestamp given as a datetime, epoch number or string (else unchanged)."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    if isinstance(value, str):
        return parse_timestamp(value)
    return value


def epoch_millis(value: Any) -> int:
    """Whole milliseconds since the epoch (AWS IoT keeps timestamps to the millisecond)."""
    return int((_as_datetime(value) - _EPOCH) // timedelta(milliseconds=1))


def _epoch_seconds(value: Any) -> int | float:
    millis = epoch_millis(value)
    return millis // 1000 if millis % 1000 == 0 else millis / 1000


def to_wire(value: Any, shape: Shape) -> Any:
    """Python value → JSON value for a rest-json body: epoch-second timestamps, base64 blobs."""
    if isinstance(shape, StructureShape):
        return {
            key: to_wire(item, shape.members[key])
            for key, item in value.items()
            if item is not None and key in shape.members
        }
    if isinstance(shape, ListShape):
        return [to_wire(item, shape.member) for item in value]
    if isinstance(shape, MapShape):
        return {key: to_wire(item, shape.value) for key, item in value.items()}
    if shape.type_name == "timestamp":
        return _epoch_seconds(value)
    if shape.type_name == "blob":
        raw = value.encode() if isinstance(value, str) else bytes(value)
        return base64.b64encode(raw).decode("ascii")
    return value


def from_wire(value: Any, shape: Shape) -> Any:
    """JSON value of a rest-json request body → Python value (blobs decoded, epochs parsed).

    Values of the wrong JSON type are passed through for the validator to report.
    """
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        return {
            key: from_wire(item, shape.members[key]) if key in shape.members else item
            for key, item in value.items()
        }
    if isinstance(shape, ListShape) and isinstance(value, list):
        return [from_wire(item, shape.member) for item in value]
    if isinstance(shape, MapShape) and isinstance(value, dict):
        return {key: from_wire(item, shape.value) for key, item in value.items()}
    if shape.type_name == "blob" and isinstance(value, str):
        try:
            return base64.b64decode(value, validate=True)
        except binascii.Error as exc:
            raise ApiError("InvalidRequestException", f"Invalid base64 blob: {exc}") from exc
    if shape.type_name == "timestamp" and isinstance(value, int | float):
        return _as_datetime(value)
    return value


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str] | None:
    """The model's pattern, or None when Python's re cannot express it (e.g. ``\\p{C}``)."""
    try:
        return re.compile(pattern)
    except re.error:
        return None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _scalar_problems(value: Any, shape: Shape, name: str) -> list[str]:
    meta = shape.metadata
    problems: list[str] = []
    if isinstance(value, str):
        if "max" in meta and len(value) > meta["max"]:
            problems.append(f"{name}: length {len(value)} above max {meta['max']}")
        enum = getattr(shape, "enum", None) or meta.get("enum")
        if enum and value not in enum:
            problems.append(f"{name}: {value!r} not one of {list(enum)}")
        pattern = _compiled(meta["pattern"]) if "pattern" in meta else None
        if pattern is not None and not pattern.fullmatch(value):
            problems.append(f"{name}: {value!r} does not match {meta['pattern']!r}")
    elif _is_number(value) and "max" in meta and value > meta["max"]:
        problems.append(f"{name}: {value} above max {meta['max']}")
    return problems


def constraint_problems(value: Any, shape: Shape, name: str) -> list[str]:
    """The ``max``, ``enum`` and ``pattern`` violations that ParamValidator does not look for.

    Type mismatches are skipped here: ParamValidator reports those.
    """
    problems: list[str] = []
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        for key, item in value.items():
            if key in shape.members:
                problems += constraint_problems(item, shape.members[key], f"{name}.{key}")
    elif isinstance(shape, ListShape) and isinstance(value, list | tuple):
        if "max" in shape.metadata and len(value) > shape.metadata["max"]:
            problems.append(f"{name}: {len(value)} items above max {shape.metadata['max']}")
        for index, item in enumerate(value):
            problems += constraint_problems(item, shape.member, f"{name}[{index}]")
    elif isinstance(shape, MapShape) and isinstance(value, dict):
        for key, item in value.items():
            problems += _scalar_problems(key, shape.key, f"{name} key")
            problems += constraint_problems(item, shape.value, f"{name}.{key}")
    elif not isinstance(shape, StructureShape | ListShape | MapShape):
        problems += _scalar_problems(value, shape, name)
    return problems


def shape_problems(value: Mapping[str, Any], shape: StructureShape) -> list[str]:
    """Everything wrong with ``value`` as an instance of ``shape`` (empty when it fits)."""
    report = ParamValidator().validate(dict(value), shape)
    problems = report.generate_report().splitlines() if report.has_errors() else []
    return [line.strip() for line in problems if line.strip()] + constraint_problems(
        value, shape, shape.name
    )


# --------------------------------------------------------------------------------------------
# Routing
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Route:
    operation: OperationModel
    method: str
    regex: re.Pattern[str]


@functools.cache
def _routes() -> tuple[_Route, ...]:
    routes = []
    for name in OPERATIONS:
        operation = service_model().operation_model(name)
        path = operation.http["requestUri"].split("?", 1)[0]
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(path))
        routes.append(_Route(operation, operation.http["method"], re.compile(f"^{regex}$")))
    return tuple(routes)


def _route(method: str, path: str) -> tuple[OperationModel, dict[str, str]] | None:
    for route in _routes():
        match = route.regex.match(path)
        if match and route.method == method:
            return route.operation, {key: unquote(val) for key, val in match.groupdict().items()}
    return None


def _request_input(
    operation: OperationModel,
    uri: Mapping[str, str],
    query: Iterable[tuple[str, str]],
) -> dict[str, Any]:
    """The operation's input parameters found in its URI labels and query string."""
    shape = _input_shape(operation)
    params: dict[str, Any] = {}
    by_query_name = {
        member.serialization.get("name", key): (key, member)
        for key, member in shape.members.items()
        if member.serialization.get("location") == "querystring"
    }
    for name, raw in query:
        if name not in by_query_name:
            continue  # AWS ignores query parameters it does not know
        key, member = by_query_name[name]
        params[key] = _query_value(name, raw, member)
    for key, member in shape.members.items():
        label = member.serialization.get("name", key)
        if member.serialization.get("location") == "uri" and label in uri:
            params[key] = uri[label]
    return params


def _input_shape(operation: OperationModel) -> StructureShape:
    shape = operation.input_shape
    if shape is None:  # every operation LocalIot serves has input
        raise TypeError(f"{operation.name} has no input shape")
    return shape


def _query_value(name: str, raw: str, member: Shape) -> Any:
    if member.type_name in ("integer", "long"):
        try:
            return int(raw)
        except ValueError:
            raise ApiError("InvalidRequestException", f"{name} must be an integer") from None
    if member.type_name == "boolean":
        if raw not in ("true", "false"):
            raise ApiError("InvalidRequestException", f"{name} must be true or false")
        return raw == "true"
    return raw


# --------------------------------------------------------------------------------------------
# Server state
# --------------------------------------------------------------------------------------------


@dataclass
class _Fault:
    """One injected fault: ``remaining`` requests left, or None for every request."""

    operation: str
    kind: str
    ota_update_id: str | None
    remaining: int | None


@dataclass
class _Record:
    info: dict[str, Any]
    role_arn: str | None
    tags: list[dict[str, str]]


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


def _fraction(name: str, value: float) -> float:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be between 0 and 1, not {value}")
    return float(value)


class LocalIot:
    """An in-process AWS IoT endpoint for OTA updates on ``http://127.0.0.1:<ephemeral port>``.

    Use it as a context manager (or call :meth:`start` / :meth:`stop`) and point a boto3 IoT
    client at :attr:`url`. All settings are plain attributes that may be changed while it runs.
    """

    def __init__(
        self,
        *,
        latency: float = 0.0,
        rate_limits: Mapping[str, float] | None = None,
        fault_rate: float = 0.0,
        drop_rate: float = 0.0,
        seed: int | None = 0,
        access_denied: Iterable[str] = (),
        delete_after_list: Iterable[str] = (),
        page_size_cap: int = 250,
        region: str = DEFAULT_REGION,
        account_id: str = ACCOUNT_ID,
        credentials: Mapping[str, str] | None = None,
        verify_signatures: bool = True,
    ) -> None:
        self._lock = threading.RLock()
        #: Seconds added to every request before it is answered.
        self.latency = latency
        self._rate_limits: dict[str, float] = dict(rate_limits or {})
        self._buckets: dict[str, _Bucket] = {}
        self._fault_rate = _fraction("fault_rate", fault_rate)
        self._drop_rate = _fraction("drop_rate", drop_rate)
        self._seed = seed
        self._rng = random.Random(seed)
        #: otaUpdateIds whose GetOTAUpdate / DescribeJob / ListTagsForResource answer 403.
        self.access_denied: set[str] = set(access_denied)
        #: otaUpdateIds deleted as soon as a ListOTAUpdates page listing them has been built
        #: (each id is removed from this set when that happens).
        self.delete_after_list: set[str] = set(delete_after_list)
        #: Largest page ListOTAUpdates serves, whatever maxResults asks for.
        self.page_size_cap = page_size_cap
        self.region = region
        self.account_id = account_id
        #: Access key id → secret key accepted when verifying SigV4 signatures.
        self.credentials: dict[str, str] = dict(credentials or {"testing": "testing"})
        self.verify_signatures = verify_signatures

        #: Requests received, by operation (every attempt: throttled, faulted and dropped too).
        self.calls: Counter[str] = Counter()
        #: (operation, otaUpdateId or None, time.monotonic()) for every request received.
        self.call_log: list[tuple[str, str | None, float]] = []
        #: Requests answered ThrottlingException, by operation.
        self.throttled: Counter[str] = Counter()
        #: Injected faults by kind: "drop" (connection closed), "ServiceUnavailableException",
        #: and each :data:`FAULTS` kind, counted when a request takes it.
        self.faults: Counter[str] = Counter()
        #: Responses refused because they did not fit botocore's output shape.
        self.validation_errors: list[ValidationFailure] = []
        #: Tracebacks of unexpected exceptions in the server (each also answered 500).
        self.internal_errors: list[str] = []

        self._updates: dict[str, _Record] = {}
        self._jobs: dict[str, dict[str, Any]] = {}
        self._job_owner: dict[str, str] = {}
        self._streams: dict[str, dict[str, Any]] = {}
        self._injected: dict[str, deque[ApiError]] = {}
        self._faults: list[_Fault] = []
        self._token_key = secrets.token_bytes(16)
        self._stopping = threading.Event()
        self._server: LoopbackServer | None = None
        self._thread: threading.Thread | None = None

    # ---------------------------------------------------------------------------- settings

    @property
    def rate_limits(self) -> dict[str, float]:
        """Requests a second allowed per operation name (``"*"``: all operations together)."""
        return self._rate_limits

    @rate_limits.setter
    def rate_limits(self, value: Mapping[str, float]) -> None:
        with self._lock:
            self._rate_limits = dict(value)
            self._buckets.clear()

    @property
    def fault_rate(self) -> float:
        """Share of requests (0..1) answered 503 ServiceUnavailableException."""
        return self._fault_rate

    @fault_rate.setter
    def fault_rate(self, value: float) -> None:
        self._fault_rate = _fraction("fault_rate", value)

    @property
    def drop_rate(self) -> float:
        """Share of requests (0..1) whose connection is reset without any response."""
        return self._drop_rate

    @drop_rate.setter
    def drop_rate(self, value: float) -> None:
        self._drop_rate = _fraction("drop_rate", value)

    @property
    def seed(self) -> int | None:
        """Seed of the random source behind fault_rate and drop_rate (setting it reseeds)."""
        return self._seed

    @seed.setter
    def seed(self, value: int | None) -> None:
        with self._lock:
            self._seed = value
            self._rng = random.Random(value)

    # ---------------------------------------------------------------------------- lifecycle

    @property
    def port(self) -> int:
        """The ephemeral TCP port the running server listens on."""
        if self._server is None:
            raise RuntimeError("LocalIot is not running; call start() first")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>`` of the running server."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Self:
        """Bind an ephemeral port on 127.0.0.1 and serve in a background thread."""
        if self._server is not None:
            return self
        self._stopping.clear()
        self._server = LoopbackServer(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"LocalIot-server:{self._server.server_address[1]}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, reset open connections and wait for every server thread to end.

        Raises RuntimeError if a thread is still running after five seconds.
        """
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        self._stopping.set()
        server.shutdown()
        server.server_close()
        leftovers = server.close_connections(timeout=5.0)
        thread.join(timeout=5.0)
        self._server = self._thread = None
        if leftovers or thread.is_alive():
            raise RuntimeError(f"LocalIot threads still running after stop: {leftovers}")

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ---------------------------------------------------------------------------- seeding

    def ota_update_arn(self, ota_update_id: str) -> str:
        return f"arn:aws:iot:{self.region}:{self.account_id}:otaupdate/{ota_update_id}"

    def job_arn(self, job_id: str) -> str:
        return f"arn:aws:iot:{self.region}:{self.account_id}:job/{job_id}"

    def put(
        self,
        info: Mapping[str, Any],
        *,
        abort: Mapping[str, Any] | Iterable[Mapping[str, Any]] | None = None,
        timeout: Mapping[str, Any] | int | None = None,
        tags: Mapping[str, str] | Iterable[Mapping[str, str]] | None = None,
        role_arn: str | None = None,
        job: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Store an update directly, as GetOTAUpdate's ``otaUpdateInfo`` (datetimes allowed).

        Server-side fields left out are filled in: otaUpdateArn, creationDate (now),
        lastModifiedDate (= creationDate), otaUpdateStatus (CREATE_COMPLETE) and, for a
        CREATE_COMPLETE update, awsIotJobId ``AFR_OTA-<id>`` and awsIotJobArn. ``abort``
        (an ``awsJobAbortConfig`` or its ``abortCriteriaList``), ``timeout`` (an
        ``awsJobTimeoutConfig`` or its minutes) and ``role_arn`` are the create-only settings
        DescribeJob shows; ``tags`` (``[{"Key", "Value"}]`` or a dict) are what
        ListTagsForResource shows. ``job`` holds DescribeJob ``job`` members that replace the
        defaults (``status`` IN_PROGRESS, ``forceCanceled`` false, no ``jobProcessDetails``):
        the job's health, e.g. ``{"status": "CANCELED", "forceCanceled": True,
        "jobProcessDetails": {"numberOfFailedThings": 3}}``; ignored for an update without a
        job. The info is not validated: a bad value surfaces as a 500
        (and a ``validation_errors`` entry) when a response would carry it. Returns a copy of
        what was stored. Replaces an update with the same id.
        """
        stored = copy.deepcopy(dict(info))
        ota_id = stored["otaUpdateId"]
        stored.setdefault("otaUpdateArn", self.ota_update_arn(ota_id))
        stored.setdefault("creationDate", _now())
        stored.setdefault("lastModifiedDate", stored["creationDate"])
        stored.setdefault("otaUpdateStatus", "CREATE_COMPLETE")
        if stored["otaUpdateStatus"] == "CREATE_COMPLETE":
            stored.setdefault("awsIotJobId", JOB_ID_PREFIX + ota_id)
        if "awsIotJobId" in stored:
            stored.setdefault("awsIotJobArn", self.job_arn(stored["awsIotJobId"]))
        abort_list = abort.get("abortCriteriaList") if isinstance(abort, Mapping) else abort
        minutes = (
            timeout.get("inProgressTimeoutInMinutes") if isinstance(timeout, Mapping) else timeout
        )
        record = _Record(stored, role_arn, _tag_list(tags))
        job_view = self._job_view(stored, role_arn, abort_list, minutes)
        if job_view is not None and job is not None:
            job_view.update(copy.deepcopy(dict(job)))
        with self._lock:
            self._remove(ota_id, delete_job=True)
            self._updates[ota_id] = record
            if job_view is not None:
                self._jobs[job_view["jobId"]] = job_view
                self._job_owner[job_view["jobId"]] = ota_id
        return copy.deepcopy(stored)

    def put_stream(
        self,
        stream_id: str,
        files: Iterable[Mapping[str, Any]],
        *,
        version: int = 1,
        description: str | None = None,
        role_arn: str | None = None,
        created_at: datetime | None = None,
    ) -> dict[str, Any]:
        """Store a stream, as DescribeStream's ``streamInfo`` (``files``: ``[{"fileId": 0,
        "s3Location": {"bucket", "key", "version"}}]``). streamArn, createdAt (now),
        lastUpdatedAt and roleArn are filled in. Not validated: a bad value is a 500 and a
        ``validation_errors`` entry when DescribeStream answers it. Returns a copy."""
        created = created_at or _now()
        stream = {
            "streamId": stream_id,
            "streamArn": f"arn:aws:iot:{self.region}:{self.account_id}:stream/{stream_id}",
            "streamVersion": version,
            "description": description,
            "files": copy.deepcopy([dict(item) for item in files]),
            "createdAt": created,
            "lastUpdatedAt": created,
            "roleArn": role_arn or f"arn:aws:iam::{self.account_id}:role/ota-stream",
        }
        stored = {key: value for key, value in stream.items() if value is not None}
        with self._lock:
            self._streams[stream_id] = stored
        return copy.deepcopy(stored)

    def delete_stream(self, stream_id: str) -> bool:
        """Forget a stream; False if there was none."""
        with self._lock:
            return self._streams.pop(stream_id, None) is not None

    def delete_now(self, ota_update_id: str) -> bool:
        """Delete an update, its job and its tags at once; False if there was none."""
        with self._lock:
            return self._remove(ota_update_id, delete_job=True)

    def get_info(self, ota_update_id: str) -> dict[str, Any] | None:
        """A copy of the stored otaUpdateInfo (Python values), or None."""
        with self._lock:
            record = self._updates.get(ota_update_id)
            return copy.deepcopy(record.info) if record else None

    def ota_update_ids(self) -> list[str]:
        """Ids of the stored updates, in listing order."""
        with self._lock:
            return [r.info["otaUpdateId"] for r in sorted(self._updates.values(), key=_list_key)]

    def inject_error(
        self, operation: str, code: str, *, message: str | None = None, times: int = 1
    ) -> None:
        """Answer the next ``times`` requests for ``operation`` with error ``code``.

        The HTTP status comes from the model (or AWS's front door for codes IoT does not model).
        """
        if operation not in OPERATIONS:
            raise ValueError(f"unknown operation {operation!r}")
        error = ApiError(code, message or f"Injected {code}")
        with self._lock:
            self._injected.setdefault(operation, deque()).extend([error] * times)

    def inject_fault(
        self,
        operation: str,
        kind: str,
        *,
        times: int | None = 1,
        ota_update_id: str | None = None,
    ) -> None:
        """Answer the next ``times`` requests for ``operation`` with fault ``kind``.

        ``times=None`` makes it every request, until :meth:`clear_faults`. With
        ``ota_update_id``, only requests about that update count (GetOTAUpdate's id, the job
        or ARN of DescribeJob and ListTagsForResource). Requests are otherwise handled as
        usual (signature, throttling, injected errors come first), and the faulty answer is
        built from the real one. A fault injected earlier is used first.
        """
        if kind not in FAULTS:
            raise ValueError(f"unknown fault {kind!r}; one of {sorted(FAULTS)}")
        if operation not in FAULTS[kind]:
            raise ValueError(f"fault {kind!r} does not apply to {operation}")
        if times is not None and times < 1:
            raise ValueError(f"times must be at least 1 (or None), not {times}")
        with self._lock:
            self._faults.append(_Fault(operation, kind, ota_update_id, times))

    def clear_faults(self) -> None:
        """Forget every fault injected with :meth:`inject_fault`."""
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

    # ---------------------------------------------------------------------------- internals

    def _remove(self, ota_id: str, *, delete_job: bool) -> bool:
        record = self._updates.pop(ota_id, None)
        if record is None:
            return False
        job_id = record.info.get("awsIotJobId")
        if delete_job and isinstance(job_id, str):
            self._jobs.pop(job_id, None)
            self._job_owner.pop(job_id, None)
        return True

    def _job_view(
        self,
        info: Mapping[str, Any],
        role_arn: str | None,
        abort_list: Iterable[Mapping[str, Any]] | None,
        timeout_minutes: int | None,
    ) -> dict[str, Any] | None:
        """The DescribeJob ``job`` of the AWS IoT job an OTA update created (None if none)."""
        job_id = info.get("awsIotJobId")
        if not isinstance(job_id, str):
            return None
        job: dict[str, Any] = {
            "jobArn": info.get("awsIotJobArn") or self.job_arn(job_id),
            "jobId": job_id,
            "targetSelection": info.get("targetSelection", "SNAPSHOT"),
            "status": "IN_PROGRESS",
            "forceCanceled": False,
            "targets": copy.deepcopy(info.get("targets")),
            "description": info.get("description"),
            "createdAt": info.get("creationDate"),
            "lastUpdatedAt": info.get("lastModifiedDate"),
        }
        rollout = info.get("awsJobExecutionsRolloutConfig")
        if rollout is not None:
            job["jobExecutionsRolloutConfig"] = copy.deepcopy(rollout)
        presigned = info.get("awsJobPresignedUrlConfig")
        if presigned is not None:
            job["presignedUrlConfig"] = copy.deepcopy(dict(presigned))
            if role_arn is not None:
                job["presignedUrlConfig"]["roleArn"] = role_arn
        if abort_list is not None:
            criteria = [
                {key: item[key] for key in _ABORT_CRITERIA_KEYS if key in item}
                for item in abort_list
            ]
            job["abortConfig"] = {"criteriaList": criteria}
        if timeout_minutes is not None:
            job["timeoutConfig"] = {"inProgressTimeoutInMinutes": timeout_minutes}
        return {key: value for key, value in job.items() if value is not None}

    def _record_call(self, operation: str, ota_id: str | None) -> None:
        with self._lock:
            self.calls[operation] += 1
            self.call_log.append((operation, ota_id, time.monotonic()))

    def _ota_id_of_request(self, operation: str, params: Mapping[str, Any]) -> str | None:
        if "otaUpdateId" in params:
            return str(params["otaUpdateId"])
        if operation == "DescribeJob":
            return self._owner_of_job(str(params.get("jobId", "")))
        if operation == "ListTagsForResource":
            return self._owner_of_arn(str(params.get("resourceArn", "")))
        return None

    def _owner_of_job(self, job_id: str) -> str | None:
        with self._lock:
            owner = self._job_owner.get(job_id)
        if owner is None and job_id.startswith(JOB_ID_PREFIX):
            owner = job_id.removeprefix(JOB_ID_PREFIX)
        return owner

    def _owner_of_arn(self, arn: str) -> str | None:
        kind, _, name = arn.rpartition(":")[2].partition("/")
        if kind == "otaupdate":
            return name
        return self._owner_of_job(name) if kind == "job" else None

    def _chaos(self, operation: str) -> str | None:
        """Decide a request's fate: "drop", an ApiError raised, or None to carry on."""
        with self._lock:
            if self._drop_rate > 0 and self._rng.random() < self._drop_rate:
                self.faults["drop"] += 1
                return "drop"
            injected = self._injected.get(operation)
            if injected:
                raise injected.popleft()
            if self._fault_rate > 0 and self._rng.random() < self._fault_rate:
                self.faults["ServiceUnavailableException"] += 1
                raise ApiError("ServiceUnavailableException", "Service Unavailable")
            if not self._take_tokens(operation):
                self.throttled[operation] += 1
                raise ApiError("ThrottlingException", "Rate exceeded")
        return None

    def _take_fault(self, operation: str, ota_id: str | None) -> str | None:
        """The kind of the first injected fault this request matches (used up by one), if any."""
        with self._lock:
            for fault in self._faults:
                if fault.operation != operation:
                    continue
                if fault.ota_update_id is not None and fault.ota_update_id != ota_id:
                    continue
                if fault.remaining is not None:
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self._faults.remove(fault)
                self.faults[fault.kind] += 1
                return fault.kind
        return None

    def _faulty_result(
        self,
        fault: str,
        operation: str,
        result: dict[str, Any],
        params: Mapping[str, Any],
        asked_token: Any,
    ) -> dict[str, Any]:
        """The faults that are still well-shaped answers: another id, tokens that never end."""
        result = copy.deepcopy(result)
        if fault == "wrong-id" and operation == "GetOTAUpdate":
            asked = params["otaUpdateId"]
            with self._lock:
                other = next((r for r in self._updates if r != asked), None)
                info = copy.deepcopy(self._updates[other].info) if other else None
            if info is None:
                info = {**result["otaUpdateInfo"], "otaUpdateId": f"{asked}-other"}
            result["otaUpdateInfo"] = info
        elif fault == "wrong-id" and operation == "DescribeStream":
            result["streamInfo"]["streamId"] = f"{params['streamId']}-other"
        elif fault == "wrong-id":
            result["job"]["jobId"] = f"{params['jobId']}-other"
        elif fault.endswith("-token"):
            result["nextToken"] = FAULT_TOKEN_PREFIX + _next_fault_token(fault, asked_token)
        return result

    def _take_tokens(self, operation: str) -> bool:
        now = time.monotonic()
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

    def _check_access(self, operation: str, ota_id: str | None, resource: str) -> None:
        if ota_id is not None and ota_id in self.access_denied:
            raise ApiError(
                "AccessDeniedException",
                f"User: arn:aws:iam::{self.account_id}:user/testing is not authorized to "
                f"perform: iot:{operation} on resource: {resource}",
            )

    # ------------------------------------------------------------------ signature checking

    def _verify_signature(
        self, method: str, raw_path: str, raw_query: str, headers: Any, body: bytes
    ) -> None:
        """Check the request's SigV4 signature as AWS would (raise ApiError if it is wrong)."""
        scope = sigv4_scope(headers)
        secret = self.credentials.get(scope.key_id)
        if secret is None:
            raise ApiError(
                "UnrecognizedClientException",
                "The security token included in the request is invalid.",
            )
        if scope.service != "iot" or scope.region != self.region or not scope.dated_today:
            raise ApiError(
                "InvalidSignatureException",
                f"Credential should be scoped to {self.region}/iot on the request date, "
                f"not {scope.date}/{scope.region}/{scope.service}.",
            )
        check_sigv4(method, raw_path, raw_query, headers, body, secret=secret)

    # ------------------------------------------------------------------ request handling

    def _serve(self, handler: RequestHandler) -> None:
        """Answer one HTTP request (called on the connection's thread)."""
        body = read_body(handler)
        if body is not None:
            self.serve_request(handler, body)

    def request_identity(self, method: str, raw_path: str) -> tuple[str | None, str | None]:
        """The operation and the otaUpdateId a request is about (None for what is unknown),
        without running it: LocalCloud records them for requests it refuses at its door."""
        split = urlsplit(raw_path)
        routed = _route(method, split.path)
        if routed is None:
            return None, None
        operation, uri = routed
        try:
            params = _request_input(operation, uri, parse_qsl(split.query, keep_blank_values=True))
        except ApiError:
            params = dict(uri)
        return operation.name, self._ota_id_of_request(operation.name, params)

    def serve_request(
        self, handler: BaseHTTPRequestHandler, body: bytes, *, authenticated: bool = False
    ) -> None:
        """Answer one request whose body has been read, on ``handler``'s connection.

        ``authenticated``: the caller (a :class:`LocalCloud <tests.support.cloud_endpoint>`
        front door) has already checked the signature and credentials, so this server's own
        ``credentials`` check is skipped. Everything else is as for a request of its own.
        """
        split = urlsplit(handler.path)
        routed = _route(handler.command, split.path)
        if routed is None:
            message = f"No operation for {handler.command} {split.path}"
            _send_error(handler, ApiError("UnknownOperationException", message))
            return
        operation, uri = routed
        try:
            query = parse_qsl(split.query, keep_blank_values=True)
            params = _request_input(operation, uri, query)
        except ApiError as error:
            params = dict(uri)
            early_error: ApiError | None = error
        else:
            early_error = None
        ota_id = self._ota_id_of_request(operation.name, params)
        self._record_call(operation.name, ota_id)
        if self.latency > 0:
            self._stopping.wait(self.latency)
        try:
            if self.verify_signatures and not authenticated:
                self._verify_signature(
                    handler.command, split.path, split.query, handler.headers, body
                )
            if self._chaos(operation.name) == "drop":
                _drop(handler)
                return
            if early_error is not None:
                raise early_error
            fault = self._take_fault(operation.name, ota_id)
            if fault == "drop":
                _drop(handler)
                return
            if fault == "echo-headers":
                raise _echo(handler.headers)
            status, payload = self._answer(operation, params, body, ota_id, fault)
        except ApiError as error:
            _send_error(handler, error)
            return
        except Exception:
            self._internal_error(traceback.format_exc())
            _send_error(handler, ApiError("InternalFailureException", "Internal failure"))
            return
        html = fault == "html"
        _send(handler, status, payload, content_type="text/html" if html else "application/json")

    def _answer(
        self,
        operation: OperationModel,
        params: dict[str, Any],
        body: bytes,
        ota_id: str | None,
        fault: str | None = None,
    ) -> tuple[int, bytes]:
        """Run the operation and turn its result into a checked JSON body (or the fault's)."""
        asked_token = params.get("nextToken")
        if isinstance(asked_token, str) and asked_token.startswith(FAULT_TOKEN_PREFIX):
            params = {key: value for key, value in params.items() if key != "nextToken"}
        if body:
            try:
                decoded = json.loads(body)
            except ValueError as exc:
                raise ApiError("InvalidRequestException", f"Malformed JSON body: {exc}") from exc
            if not isinstance(decoded, dict):
                raise ApiError("InvalidRequestException", "The JSON body must be an object")
            params = {**from_wire(decoded, _input_shape(operation)), **params}
        problems = shape_problems(params, _input_shape(operation))
        if problems:
            raise ApiError("InvalidRequestException", "; ".join(problems))
        result = self._handlers[operation.name](self, params)
        output_shape = operation.output_shape
        if output_shape is None:
            return 200, b"{}"
        if fault is not None:
            faulty = self._faulty_result(fault, operation.name, result, params, asked_token)
            return 200, _faulty_body(fault, operation.name, to_wire(faulty, output_shape))
        problems = shape_problems(result, output_shape)
        if problems:
            with self._lock:
                failure = ValidationFailure(operation.name, ota_id, tuple(problems))
                self.validation_errors.append(failure)
            raise ApiError(
                "InternalFailureException",
                f"LocalIot refused a response that does not fit {output_shape.name}: "
                + "; ".join(problems),
            )
        return 200, json.dumps(to_wire(result, output_shape)).encode()

    def _internal_error(self, text: str) -> None:
        with self._lock:
            self.internal_errors.append(text)

    # ------------------------------------------------------------------ operations

    def _list_ota_updates(self, params: Mapping[str, Any]) -> dict[str, Any]:
        status = params.get("otaUpdateStatus")
        after = self._decode_token(params["nextToken"], status) if "nextToken" in params else None
        size = max(1, min(params.get("maxResults", DEFAULT_MAX_RESULTS), self.page_size_cap))
        with self._lock:
            records = sorted(
                (
                    r
                    for r in self._updates.values()
                    if status is None or r.info.get("otaUpdateStatus") == status
                ),
                key=_list_key,
            )
            if after is not None:
                records = [r for r in records if _list_key(r) > after]
            page, more = records[:size], len(records) > size
            summaries = [
                {key: r.info[key] for key in ("otaUpdateId", "otaUpdateArn", "creationDate")}
                for r in page
            ]
            for record in page:
                ota_id = record.info["otaUpdateId"]
                if ota_id in self.delete_after_list:
                    self.delete_after_list.discard(ota_id)
                    self._remove(ota_id, delete_job=True)
        result: dict[str, Any] = {"otaUpdates": summaries}
        if more:
            result["nextToken"] = self._encode_token(_list_key(page[-1]), status)
        return result

    def _get_ota_update(self, params: Mapping[str, Any]) -> dict[str, Any]:
        ota_id = params["otaUpdateId"]
        self._check_access("GetOTAUpdate", ota_id, self.ota_update_arn(ota_id))
        with self._lock:
            record = self._updates.get(ota_id)
            if record is None:
                raise ApiError("ResourceNotFoundException", f"OTAUpdate {ota_id} does not exist")
            return {"otaUpdateInfo": copy.deepcopy(record.info)}

    def _create_ota_update(self, params: Mapping[str, Any]) -> dict[str, Any]:
        ota_id = params["otaUpdateId"]
        arn = self.ota_update_arn(ota_id)
        info = {
            key: copy.deepcopy(value)
            for key, value in params.items()
            if key not in ("files", "roleArn", "awsJobAbortConfig", "awsJobTimeoutConfig", "tags")
        }
        info["otaUpdateFiles"] = copy.deepcopy(params["files"])
        info["otaUpdateArn"] = arn
        info["creationDate"] = info["lastModifiedDate"] = _now()
        info["otaUpdateStatus"] = "CREATE_COMPLETE"
        info["awsIotJobId"] = JOB_ID_PREFIX + ota_id
        info["awsIotJobArn"] = self.job_arn(info["awsIotJobId"])
        with self._lock:
            if ota_id in self._updates:
                raise ApiError(
                    "ResourceAlreadyExistsException",
                    f"OTAUpdate {ota_id} already exists",
                    extra={"resourceId": ota_id, "resourceArn": arn},
                )
            self.put(
                info,
                abort=params.get("awsJobAbortConfig"),
                timeout=params.get("awsJobTimeoutConfig"),
                tags=params.get("tags"),
                role_arn=params["roleArn"],
            )
        keys = ("otaUpdateId", "awsIotJobId", "otaUpdateArn", "awsIotJobArn", "otaUpdateStatus")
        return {key: info[key] for key in keys}

    def _delete_ota_update(self, params: Mapping[str, Any]) -> dict[str, Any]:
        ota_id = params["otaUpdateId"]
        with self._lock:
            if not self._remove(ota_id, delete_job=bool(params.get("forceDeleteAWSJob"))):
                raise ApiError("ResourceNotFoundException", f"OTAUpdate {ota_id} does not exist")
        return {}

    def _describe_job(self, params: Mapping[str, Any]) -> dict[str, Any]:
        job_id = params["jobId"]
        self._check_access("DescribeJob", self._owner_of_job(job_id), self.job_arn(job_id))
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None:
                raise ApiError("ResourceNotFoundException", f"Job {job_id} can't be found.")
            return {"job": copy.deepcopy(job)}

    def _list_tags_for_resource(self, params: Mapping[str, Any]) -> dict[str, Any]:
        arn = params["resourceArn"]
        self._check_access("ListTagsForResource", self._owner_of_arn(arn), arn)
        with self._lock:
            for record in self._updates.values():
                if record.info.get("otaUpdateArn") == arn:
                    return {"tags": copy.deepcopy(record.tags)}
            if any(job.get("jobArn") == arn for job in self._jobs.values()):
                return {"tags": []}
        raise ApiError("ResourceNotFoundException", f"Resource {arn} does not exist")

    def _describe_stream(self, params: Mapping[str, Any]) -> dict[str, Any]:
        stream_id = params["streamId"]
        with self._lock:
            stream = self._streams.get(stream_id)
        if stream is None:
            raise ApiError("ResourceNotFoundException", f"Stream {stream_id} does not exist")
        return {"streamInfo": copy.deepcopy(stream)}

    _handlers: ClassVar[dict[str, Callable[[LocalIot, Mapping[str, Any]], dict[str, Any]]]] = {
        "ListOTAUpdates": _list_ota_updates,
        "GetOTAUpdate": _get_ota_update,
        "CreateOTAUpdate": _create_ota_update,
        "DeleteOTAUpdate": _delete_ota_update,
        "DescribeJob": _describe_job,
        "ListTagsForResource": _list_tags_for_resource,
        "DescribeStream": _describe_stream,
    }

    # ------------------------------------------------------------------ paging tokens

    def _encode_token(self, key: tuple[int, str], status: str | None) -> str:
        raw = json.dumps([key[0], key[1], status], separators=(",", ":")).encode()
        tag = hmac.new(self._token_key, raw, hashlib.sha256).digest()[:16]
        return base64.urlsafe_b64encode(tag + raw).decode().rstrip("=")

    def _decode_token(self, token: str, status: str | None) -> tuple[int, str]:
        invalid = ApiError("InvalidRequestException", "The nextToken is not valid.")
        try:
            blob = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except (binascii.Error, ValueError):
            raise invalid from None
        tag, raw = blob[:16], blob[16:]
        expected = hmac.new(self._token_key, raw, hashlib.sha256).digest()[:16]
        if not hmac.compare_digest(tag, expected):
            raise invalid
        millis, ota_id, token_status = json.loads(raw)
        if token_status != status:
            raise ApiError(
                "InvalidRequestException", "The nextToken was issued for another status filter."
            )
        return int(millis), str(ota_id)


_AUTHORIZATION = re.compile(
    r"AWS4-HMAC-SHA256 Credential=([^/,]+)/(\d{8})/([^/,]+)/([^/,]+)/aws4_request,\s*"
    r"SignedHeaders=([a-z0-9;._-]+),\s*Signature=([0-9a-f]{64})"
)


@dataclass(frozen=True)
class SigV4Scope:
    """What a request's SigV4 ``Authorization`` header says about who signed it, and where."""

    key_id: str
    date: str
    region: str
    service: str
    amz_date: str

    @property
    def dated_today(self) -> bool:
        """The credential scope's date is the request's X-Amz-Date."""
        return self.amz_date.startswith(self.date)


def sigv4_scope(headers: Any) -> SigV4Scope:
    """The credential scope of a request's Authorization header (ApiError when it is missing
    or malformed), read before the secret that checks the signature is known."""
    authorization = headers.get("Authorization")
    if not authorization:
        raise ApiError("MissingAuthenticationTokenException", "Missing Authentication Token")
    match = _AUTHORIZATION.fullmatch(authorization)
    amz_date = headers.get("X-Amz-Date", "")
    if match is None or not amz_date:
        raise ApiError(
            "IncompleteSignatureException",
            f"Authorization header or X-Amz-Date is malformed: {authorization!r}",
        )
    key_id, date, region, service = match.groups()[:4]
    return SigV4Scope(key_id, date, region, service, amz_date)


def check_sigv4(
    method: str, raw_path: str, raw_query: str, headers: Any, body: bytes, *, secret: str
) -> None:
    """Recompute the request's SigV4 signature with ``secret`` as AWS would, and raise
    ApiError InvalidSignatureException when it differs (call :func:`sigv4_scope` first).

    S3 signs its own variant: the path as sent (not normalised, so not encoded twice) and the
    ``x-amz-content-sha256`` header, which must be there, as the payload hash (its value is
    the caller's to check against the body)."""
    match = _AUTHORIZATION.fullmatch(headers.get("Authorization", ""))
    if match is None:
        raise ApiError("IncompleteSignatureException", "Authorization header is malformed")
    _, date, region, service, signed, signature = match.groups()
    amz_date = headers.get("X-Amz-Date", "")
    names = signed.split(";")
    if "host" not in names:
        raise ApiError("InvalidSignatureException", "'Host' must be a signed header.")
    s3 = service == "s3"
    if s3 and "x-amz-content-sha256" not in names:
        raise ApiError("InvalidSignatureException", "x-amz-content-sha256 must be signed.")
    canonical_headers = "".join(
        f"{name}:{','.join(' '.join(v.split()) for v in headers.get_all(name, []))}\n"
        for name in names
    )
    pairs = sorted(
        (quote(unquote(k), safe="-_.~"), quote(unquote(v), safe="-_.~"))
        for k, _, v in (pair.partition("=") for pair in raw_query.split("&") if pair)
    )
    canonical_request = "\n".join(
        [
            method,
            raw_path if s3 else quote(normalize_url_path(raw_path), safe="/~"),
            "&".join(f"{k}={v}" for k, v in pairs),
            canonical_headers,
            signed,
            headers.get("X-Amz-Content-SHA256") or hashlib.sha256(body).hexdigest(),
        ]
    )
    scope = f"{date}/{region}/{service}/aws4_request"
    string_to_sign = "\n".join(
        [
            "AWS4-HMAC-SHA256",
            amz_date,
            scope,
            hashlib.sha256(canonical_request.encode()).hexdigest(),
        ]
    )
    signing_key = f"AWS4{secret}".encode()
    for part in (date, region, service, "aws4_request"):
        signing_key = hmac.new(signing_key, part.encode(), hashlib.sha256).digest()
    expected = hmac.new(signing_key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        raise ApiError(
            "InvalidSignatureException",
            "The request signature we calculated does not match the signature you "
            "provided. Check your AWS Secret Access Key and signing method.",
        )


def _now() -> datetime:
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def _list_key(record: _Record) -> tuple[int, str]:
    """ListOTAUpdates order: oldest creationDate first, then otaUpdateId."""
    try:
        millis = epoch_millis(record.info.get("creationDate"))
    except (TypeError, ValueError):
        millis = 0
    return millis, str(record.info["otaUpdateId"])


def _tag_list(tags: Mapping[str, str] | Iterable[Mapping[str, str]] | None) -> list[dict[str, str]]:
    if tags is None:
        return []
    if isinstance(tags, Mapping):
        return [{"Key": key, "Value": value} for key, value in tags.items()]
    return [dict(tag) for tag in tags]


# --------------------------------------------------------------------------------------------
# HTTP plumbing
# --------------------------------------------------------------------------------------------


def _next_fault_token(fault: str, asked: Any) -> str:
    """The suffix of the nextToken a token fault answers to a request that carried ``asked``."""
    current = asked.removeprefix(FAULT_TOKEN_PREFIX) if isinstance(asked, str) else None
    if fault == "repeat-token":
        return "A"
    if fault == "cycle-token":
        return "B" if current == "A" else "A"
    return str(int(current) + 1 if current and current.isdigit() else 1)


def _faulty_body(fault: str, operation: str, wire: dict[str, Any]) -> bytes:
    """The body of a fault whose answer is not a well-formed response."""
    if fault == "html":
        return _HTML_PAGE
    if fault == "error-200":
        return b'{"__type":"InternalFailureException","message":"An internal error occurred."}'
    fixed = {"empty-object": b"{}", "null": b"null", "list": b"[]"}
    if fault in fixed:
        return fixed[fault]
    if fault == "wrong-type":
        _wrong_type(operation, wire)
    elif fault == "entry-without-id":
        entries = wire["otaUpdates"]
        if entries:
            del entries[0]["otaUpdateId"]
        else:
            entries.append({"otaUpdateArn": "arn:aws:iot:eu-west-1:123456789012:otaupdate/x"})
    elif fault == "nan" and not _replace_first_float(wire):
        wire["retryAfterSeconds"] = float("nan")
    text = json.dumps(wire).encode()
    return text[: max(1, len(text) // 2)] if fault == "truncated" else text


def _wrong_type(operation: str, wire: dict[str, Any]) -> None:
    """One member of the wrong JSON type; a string where a list belongs is botocore's blind
    spot (it parses to the list of its characters)."""
    if operation == "ListOTAUpdates":
        entries = wire["otaUpdates"]
        wire["otaUpdates"] = entries[0] if entries else {}
    elif operation == "GetOTAUpdate":
        info = wire["otaUpdateInfo"]
        info["targets"] = ",".join(info.get("targets") or ["arn"])
    elif operation == "DescribeJob":
        wire["job"]["targets"] = ",".join(wire["job"].get("targets") or ["arn"])
    elif operation == "DescribeStream":  # a list where a string belongs
        for item in wire["streamInfo"].get("files") or []:
            if "s3Location" in item:
                item["s3Location"]["key"] = [item["s3Location"].get("key")]
    else:
        wire["tags"] = {str(t.get("Key")): t.get("Value") for t in wire["tags"]}


def _replace_first_float(value: Any) -> bool:
    """Replace the first float inside ``value`` with NaN; False if there is none."""
    items: Iterable[tuple[Any, Any]]
    if isinstance(value, dict):
        items = list(value.items())
    elif isinstance(value, list):
        items = list(enumerate(value))
    else:
        return False
    for key, item in items:
        if isinstance(item, float):
            value[key] = float("nan")
            return True
        if _replace_first_float(item):
            return True
    return False


def _echo(headers: Any) -> ApiError:
    """A 403 whose message quotes the request's date, session token and Authorization, as a
    misconfigured proxy or a verbose service might."""
    quoted = "; ".join(f"{name}: {headers[name]}" for name in _ECHOED_HEADERS if name in headers)
    return ApiError("AccessDeniedException", f"Request refused. Headers received: {quoted}")


def read_body(handler: BaseHTTPRequestHandler) -> bytes | None:
    """The request's body, or None once a 400 has been sent for a length that cannot be read
    (a bad Content-Length or a chunked body: the connection is closed after the answer)."""
    try:
        length = int(handler.headers.get("Content-Length") or 0)
    except ValueError:
        length = -1
    if length < 0 or "chunked" in handler.headers.get("Transfer-Encoding", "").lower():
        handler.close_connection = True  # cannot find the end of this request's body
        _send_error(handler, ApiError("InvalidRequestException", "Bad Content-Length"))
        return None
    return handler.rfile.read(length) if length else b""


def _send(
    handler: BaseHTTPRequestHandler,
    status: int,
    body: bytes,
    *,
    content_type: str = "application/json",
    **headers: str,
) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    handler.send_header("x-amzn-RequestId", str(uuid.uuid4()))
    for name, value in headers.items():
        handler.send_header(name.replace("_", "-"), value)
    if handler.close_connection:
        handler.send_header("Connection", "close")
    handler.end_headers()
    handler.wfile.write(body)


def _send_error(handler: BaseHTTPRequestHandler, error: ApiError) -> None:
    body = json.dumps({"message": error.message, **error.extra}).encode()
    _send(handler, error.status, body, x_amzn_ErrorType=f"{error.code}:{error.namespace}")


def _drop(handler: BaseHTTPRequestHandler) -> None:
    """Close the connection without a byte of response: linger 0 makes the close a TCP reset."""
    if isinstance(handler, RequestHandler):
        handler.before_drop()
    handler.close_connection = True
    sock = handler.connection
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()  # the descriptor really closes when the handler's streams let go of it


class RequestHandler(BaseHTTPRequestHandler):
    """Hands every request to its server's owner (a LocalIot, or a LocalCloud)."""

    protocol_version = "HTTP/1.1"
    server_version = "LocalIot/1.0"
    timeout = 30
    disable_nagle_algorithm = True  # headers and body go out as two writes
    server: LoopbackServer

    def _dispatch(self) -> None:
        self.server.owner._serve(self)

    do_GET = do_POST = do_DELETE = do_PUT = do_PATCH = _dispatch

    def version_string(self) -> str:
        return self.server_version

    def before_drop(self) -> None:
        """Called just before the connection is reset without an answer (a hook for
        subclasses that record each request's outcome)."""

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""


class ServerOwner(Protocol):
    """What a LoopbackServer hands its requests and its unexpected exceptions to."""

    def _serve(self, handler: RequestHandler) -> None: ...

    def _internal_error(self, text: str) -> None: ...


class LoopbackServer(ThreadingHTTPServer):
    """ThreadingHTTPServer on 127.0.0.1 that tracks its connections so stop() can end them."""

    daemon_threads = True
    allow_reuse_address = False
    request_queue_size = 128

    def __init__(
        self,
        owner: ServerOwner,
        handler: type[RequestHandler] = RequestHandler,
        *,
        name: str = "LocalIot",
    ) -> None:
        self.owner = owner
        self.name = name
        self._live_lock = threading.Lock()
        self._live: dict[threading.Thread, socket.socket] = {}
        super().__init__(("127.0.0.1", 0), handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self._run,
            args=(request, client_address),
            name=f"{self.name}-connection:{self.server_address[1]}",
            daemon=True,
        )
        with self._live_lock:
            self._live[thread] = request
        thread.start()

    def _run(self, request: Any, client_address: Any) -> None:
        try:
            self.process_request_thread(request, client_address)
        finally:
            with self._live_lock:
                self._live.pop(threading.current_thread(), None)

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError):
            return  # the client went away (or we dropped it on purpose)
        self.owner._internal_error(traceback.format_exc())

    def close_connections(self, timeout: float) -> list[str]:
        """Shut every open connection down and wait for its thread; names of threads left."""
        with self._live_lock:
            live = dict(self._live)
        for sock in live.values():
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        deadline = time.monotonic() + timeout
        for thread in live:
            thread.join(max(0.0, deadline - time.monotonic()))
        return [thread.name for thread in live if thread.is_alive()]
