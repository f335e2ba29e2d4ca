"""Is an answer of AWS (IoT; with `--verify`, Signer, ACM and S3 too) a well-formed response
of its operation? Checked before use.

botocore is forgiving in ways an audit cannot afford: a truncated body, an HTML page or an
error body sent with status 200 all parse to `{}`, which reads as "no updates"; a string where
the model wants a list parses to a list of its characters; `NaN` passes. So each answer is
checked twice. `check_body` sees the raw HTTP body (a botocore `before-parse` hook): strict
JSON, an object, not an error, every member of the model's JSON type and minimum, in one walk.
`check_answer` sees what botocore returned: the members a real answer always has, for the
resource that was asked for; where no HTTP body was checked (botocore's Stubber), the same
walk over the Python types. Either raises `MalformedAnswer`, which the source treats as a
failed attempt of that request.

The walk is over botocore's own model, like `checker.servicemodel.validate_live` (lenient:
unknown members pass, so a field AWS adds later is no error), but it must read raw JSON
(epoch-second timestamps) and reject non-finite numbers, which validate_live does not do. The
job's health in a DescribeJob answer is the exception, checked strictly as in a snapshot
(`servicemodel.job_health_problems`): the rollout-health rules judge it as it stands.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from botocore.model import ListShape, MapShape, OperationModel, Shape, StructureShape

from checker.jsonsafe import holds_lone_surrogate
from checker.model import display, in_calendar
from checker.servicemodel import job_health, job_health_problems, ota_update_id_problem

CODE = "MalformedResponse"
"""The SourceError code of an answer that was never well-formed, after its retries."""
BODY_CHECKED = "ota-drift:body-checked"
"""Key `before_parse` adds to botocore's answer (through botocore's customized_response_dict)
once check_body passed: types and minimums are then known good, and check_answer does not walk
them a second time (a GetOTAUpdate answer is read 100 times a second). An answer without it
(botocore's Stubber) gets the walks."""

MAX_DEPTH = 64
"""Deepest nesting an answer may have, as for declared YAML: a real one has about ten levels,
and a deeper one would only wait to overflow a later stage's recursion (copy, report)."""
_ERROR_KEYS = frozenset({"message", "Message", "code", "Code"})
_TYPE_NAME = re.compile(r"[A-Za-z0-9_.#:-]{1,100}")

# JSON types on the wire (rest-json: epoch-second or ISO timestamps, base64 blobs) and Python
# types after botocore's parser (datetimes, bytes). bool, an int in Python, is excluded apart.
_WIRE_TYPES: dict[str, tuple[type, ...]] = {
    "structure": (dict,),
    "map": (dict,),
    "list": (list,),
    "string": (str,),
    "integer": (int,),
    "long": (int,),
    "float": (int, float),
    "double": (int, float),
    "boolean": (bool,),
    "blob": (str,),
    "timestamp": (int, float, str),
}
_PARSED_TYPES = {**_WIRE_TYPES, "blob": (bytes,), "timestamp": (datetime,)}
_KIND_NAMES = {
    "structure": "an object",
    "map": "an object",
    "list": "a list",
    "string": "a string",
    "integer": "an integer",
    "long": "an integer",
    "float": "a number",
    "double": "a number",
    "boolean": "a boolean",
    "blob": "base64 data",
    "timestamp": "a timestamp",
}


class MalformedAnswer(Exception):
    """An answer that is not a well-formed response of its operation; says what is wrong."""


def check_body(
    operation: OperationModel, status: int, headers: Mapping[str, str], body: bytes
) -> None:
    """Raise MalformedAnswer unless a 2xx `body` is a JSON object that fits the output shape.

    Error statuses are botocore's to parse (they become ClientErrors); only an answer that
    claims success must prove it is one.
    """
    if status >= 300:
        return
    error_type = _header(headers, "x-amzn-ErrorType")
    if error_type:
        raise MalformedAnswer(f"HTTP {status} answer carries an error type{_named(error_type)}")
    try:
        value = json.loads(body, parse_constant=_non_finite, parse_float=_finite_float)
    except UnicodeDecodeError:
        raise MalformedAnswer(f"HTTP {status} answer is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        kind = _header(headers, "Content-Type").split(";")[0].strip() or "no Content-Type"
        raise MalformedAnswer(
            f"HTTP {status} answer is not valid JSON ({exc.msg} at byte {exc.pos}; {kind}, "
            f"{len(body)} bytes)"
        ) from None
    except RecursionError:
        raise MalformedAnswer(f"HTTP {status} answer is nested too deeply") from None
    except _BadNumber as exc:
        raise MalformedAnswer(f"HTTP {status} answer holds {exc}") from None
    except ValueError:  # an integer of more digits than Python converts (4300)
        raise MalformedAnswer(f"HTTP {status} answer holds a number too long to read") from None
    _check_object(operation, status, body, value)


def _check_object(operation: OperationModel, status: int, body: bytes, value: Any) -> None:
    """The parsed body is an object, not an error, and of the operation's output shape."""
    if not isinstance(value, dict):
        raise MalformedAnswer(f"HTTP {status} answer is {_json_kind(value)}, not an object")
    if holds_lone_surrogate(body, value):  # a snapshot of it could never be read back
        raise MalformedAnswer(f"HTTP {status} answer holds a lone surrogate (not valid Unicode)")
    if _deeper_than(value, MAX_DEPTH):
        raise MalformedAnswer(f"HTTP {status} answer is nested more than {MAX_DEPTH} levels")
    if "__type" in value or (value and value.keys() <= _ERROR_KEYS):
        raise MalformedAnswer(f"HTTP {status} answer is an error body{_named(value.get('__type'))}")
    shape = operation.output_shape
    if value and isinstance(shape, StructureShape) and not value.keys() & shape.members.keys():
        # `{"code": ..., "message": ..., "requestId": ...}` or `{"Error": {...}}`: keys, but not
        # one of the answer's. Only `{}` may stand for an answer whose members are all empty.
        raise MalformedAnswer(f"HTTP {status} answer holds none of the members of a real answer")
    if shape is not None:
        problem = next(_type_problems(value, shape, (), _WIRE_TYPES), None)
        if problem is not None:
            raise MalformedAnswer(problem)


def check_answer(
    operation: OperationModel, request: Mapping[str, Any], answer: Mapping[str, Any]
) -> None:
    """Raise MalformedAnswer unless botocore's `answer` is a real answer to `request`."""
    if not isinstance(answer, Mapping):
        raise MalformedAnswer(f"the answer is {type(answer).__name__}, not a mapping")
    body = {k: v for k, v in answer.items() if k not in ("ResponseMetadata", BODY_CHECKED)}
    walk = not answer.get(BODY_CHECKED)
    shape = operation.output_shape
    if shape is not None and walk:
        problem = next(_type_problems(body, shape, (), _PARSED_TYPES), None)
        if problem is not None:
            raise MalformedAnswer(problem)
    required = _REQUIRED.get(operation.name)
    if required is not None:
        required(request, body)
    for path in _STRICT_ENUMS.get(operation.name, ()):
        _check_enum(operation, body, path)


def before_parse(
    operation_model: OperationModel,
    response_dict: Mapping[str, Any],
    customized_response_dict: dict[str, Any],
    **_: Any,
) -> None:
    """botocore `before-parse` handler: `check_body` on the raw HTTP answer."""
    body = response_dict.get("body", b"")
    if isinstance(body, bytes):
        status = int(response_dict.get("status_code", 0))
        check_body(operation_model, status, response_dict.get("headers", {}), body)
        if status < 300:
            customized_response_dict[BODY_CHECKED] = True


# --- what each operation's answer always has ---------------------------------------------------


def _listing(request: Mapping[str, Any], body: Mapping[str, Any]) -> None:
    if not isinstance(body.get("otaUpdates"), list):
        raise MalformedAnswer("the answer has no otaUpdates list")
    for index, entry in enumerate(body["otaUpdates"]):
        ota_id = entry.get("otaUpdateId")
        if not isinstance(ota_id, str) or not ota_id:
            raise MalformedAnswer(f"otaUpdates[{index}] has no otaUpdateId")
        problem = ota_update_id_problem(ota_id)
        if problem is not None:
            raise MalformedAnswer(f"otaUpdates[{index}]: {problem}")


def _ota_update(request: Mapping[str, Any], body: Mapping[str, Any]) -> None:
    info = body.get("otaUpdateInfo")
    if not isinstance(info, Mapping):
        raise MalformedAnswer("the answer has no otaUpdateInfo")
    asked = request["otaUpdateId"]
    if info.get("otaUpdateId") != asked:
        raise MalformedAnswer(
            f"the answer is for otaUpdateId {_short(info.get('otaUpdateId'))}, not {asked!r}"
        )


def _job(request: Mapping[str, Any], body: Mapping[str, Any]) -> None:
    job = body.get("job")
    if not isinstance(job, Mapping):
        raise MalformedAnswer("the answer has no job")
    asked = request["jobId"]
    if job.get("jobId") != asked:
        raise MalformedAnswer(f"the answer is for jobId {_short(job.get('jobId'))}, not {asked!r}")
    # the rollout-health rules judge these as they stand: an unknown status or a negative count
    problem = next(job_health_problems(job_health(job), ("job",)), None)
    if problem is not None:
        raise MalformedAnswer(problem[1])


def _tags(request: Mapping[str, Any], body: Mapping[str, Any]) -> None:
    # An untagged resource may well be answered `{}`: rest-json services leave empty lists out,
    # and no AWS document says IoT does not. The raw body was already checked to be a JSON
    # object of the right shape, so a missing list means no tags, not a broken answer.
    if "tags" in body and not isinstance(body["tags"], list):
        raise MalformedAnswer("the answer's tags is not a list")


_Check = Callable[[Mapping[str, Any], Mapping[str, Any]], None]
"""What an operation's answer always has: raises MalformedAnswer on (request, body)."""


def _echoes(container: str | None, member: str, asked_as: str) -> _Check:
    """A check that the answer names the resource asked for (`container.member`)."""

    def check(request: Mapping[str, Any], body: Mapping[str, Any]) -> None:
        node = body.get(container) if container is not None else body
        if not isinstance(node, Mapping):
            raise MalformedAnswer(f"the answer has no {container}")
        asked = request[asked_as]
        if node.get(member) != asked:
            raise MalformedAnswer(
                f"the answer is for {member} {_short(node.get(member))}, not {_short(asked)}"
            )

    return check


def _object_version(request: Mapping[str, Any], body: Mapping[str, Any]) -> None:
    # S3 names the version it answered about (x-amz-version-id): without it, or with another
    # one, the answer does not show that the pinned firmware version exists
    version = body.get("VersionId")
    if version != request["VersionId"]:
        shown = "no version" if version is None else f"version {_short(version)}"
        raise MalformedAnswer(
            f"the answer is for {shown}, not version {_short(request['VersionId'])}"
        )


_REQUIRED: dict[str, _Check] = {
    "ListOTAUpdates": _listing,
    "GetOTAUpdate": _ota_update,
    "DescribeJob": _job,
    "ListTagsForResource": _tags,
    "DescribeSigningJob": _echoes(None, "jobId", "jobId"),
    "GetSigningProfile": _echoes(None, "profileName", "profileName"),
    "DescribeCertificate": _echoes("Certificate", "CertificateArn", "CertificateArn"),
    "DescribeStream": _echoes("streamInfo", "streamId", "streamId"),
    "HeadObject": _object_version,
}


_STRICT_ENUMS: dict[str, tuple[tuple[str, ...], ...]] = {
    "DescribeSigningJob": (("status",),),
    "GetSigningProfile": (("status",),),
    "DescribeCertificate": (("Certificate", "Status"),),
}
"""Statuses the chain rules judge: one the model does not list (`CANCELED` for `Canceled`)
would be judged as "not Canceled", so it is a malformed answer, not a pass. Elsewhere unknown
enum values pass, as a value AWS adds later must."""


def _check_enum(operation: OperationModel, body: Mapping[str, Any], path: tuple[str, ...]) -> None:
    shape: Shape | None = operation.output_shape
    value: Any = body
    for step in path:
        if not isinstance(shape, StructureShape) or not isinstance(value, Mapping):
            return
        shape, value = shape.members.get(step), value.get(step)
    allowed = shape.metadata.get("enum") if shape is not None else None
    if value is not None and allowed and value not in allowed:
        raise MalformedAnswer(
            f"{display(path)} is {_short(value)}, not one of {', '.join(allowed)}"
        )


# --- types ------------------------------------------------------------------------------------


def _type_problems(
    value: Any, shape: Shape, path: tuple[str | int, ...], types: Mapping[str, tuple[type, ...]]
) -> Iterator[str]:
    """A message for each member whose type or minimum is not the model's; unknown members
    are skipped.

    A member that is null is absent, as botocore reads it; a null list item or map value is a
    problem. Numbers must be finite (botocore passes NaN through when the body had it).
    """
    kind = shape.type_name
    allowed = types.get(kind, (object,))
    if not isinstance(value, allowed) or (isinstance(value, bool) and kind != "boolean"):
        where = display(path) or "the answer"
        yield f"{where} must be {_KIND_NAMES.get(kind, kind)}, not {_json_kind(value)}"
        return
    if isinstance(value, float) and not math.isfinite(value):
        yield f"{display(path)} is not a finite number"
        return
    outside = _outside_range(value, kind)
    if outside:
        yield f"{display(path) or 'the answer'} {outside}"
        return
    short = _below_minimum(value, shape.metadata.get("min"))
    if short:
        yield f"{display(path) or 'the answer'} must {short}"
        return
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        for key, item in value.items():
            member = shape.members.get(key)
            if member is not None and item is not None:
                yield from _type_problems(item, member, (*path, key), types)
    elif isinstance(shape, ListShape) and isinstance(value, list):
        for index, item in enumerate(value):
            yield from _type_problems(item, shape.member, (*path, index), types)
    elif isinstance(shape, MapShape) and isinstance(value, dict):
        for key, item in value.items():
            yield from _type_problems(item, shape.value, (*path, str(key)), types)


_INT_LIMITS = {"integer": 2**31, "long": 2**63}
"""The API's integer types: what a snapshot of the answer must be able to hold again."""


def _outside_range(value: Any, kind: str) -> str:
    """Why an integer or timestamp is beyond what the API (and a snapshot) can carry, or ""."""
    limit = _INT_LIMITS.get(kind)
    if limit is not None and isinstance(value, int) and not -limit <= value < limit:
        return f"is wider than a {'32' if kind == 'integer' else '64'}-bit integer"
    if kind == "timestamp":
        moment = value
        if isinstance(value, int | float) and not isinstance(value, bool):
            try:
                moment = datetime.fromtimestamp(value, UTC)
            except (OverflowError, OSError, ValueError):
                return "is a date outside the audit's calendar (1970 to 2999)"
        if isinstance(moment, datetime) and moment.tzinfo and not in_calendar(moment):
            return "is a date outside the audit's calendar (1970 to 2999)"
    return ""


def _below_minimum(value: Any, minimum: Any) -> str:
    """What `value` lacks to reach the model's `min` ("" when it does or there is none)."""
    if not isinstance(minimum, int) or isinstance(value, bool):
        return ""
    if isinstance(value, int | float):
        return f"be at least {minimum}, not {value}" if value < minimum else ""
    if isinstance(value, str | bytes | list | dict) and len(value) < minimum:
        unit = "item" if isinstance(value, list | dict) else "character"
        return f"have at least {minimum} {unit}{'' if minimum == 1 else 's'}"
    return ""


def _deeper_than(value: Any, limit: int) -> bool:
    """True when objects and arrays nest more than `limit` levels (unknown members too)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        for child in children:
            if isinstance(child, dict | list):
                if depth >= limit:
                    return True
                stack.append((child, depth + 1))
    return False


def _json_kind(value: Any) -> str:
    names = {
        type(None): "null",
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "an array",
        dict: "an object",
        bytes: "binary data",
        datetime: "a datetime",
    }
    return next((name for t, name in names.items() if type(value) is t), type(value).__name__)


class _BadNumber(ValueError):
    """A number JSON cannot hold (NaN, Infinity) or a float cannot (1e999)."""


def _non_finite(constant: str) -> Any:
    raise _BadNumber(f"a non-finite number ({constant})")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise _BadNumber("a number too large for a float")
    return number


def _header(headers: Mapping[str, str], name: str) -> str:
    wanted = name.lower()
    return next((str(v) for k, v in headers.items() if k.lower() == wanted), "")


def _named(error_type: Any) -> str:
    """` (Code)` when the service named a plausible error type; nothing else is echoed."""
    if isinstance(error_type, str):
        code = error_type.split(":")[0].rpartition("#")[2]
        if _TYPE_NAME.fullmatch(code):
            return f" ({code})"
    return ""


def _short(value: Any) -> str:
    if isinstance(value, str):
        return repr(value if len(value) <= 80 else value[:77] + "...")
    return _json_kind(value)
