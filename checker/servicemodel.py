"""botocore's own model of the IoT API: validation of declared entries and recorded live state.

botocore's ParamValidator reports paths as strings and stops short of enums; walking the same
model here gives each problem a path (so a line) and a did-you-mean for unknown keys. What it
checks is what the model says: types, required members, unknown keys, enums, minimums, and
what the wire format implies: integers fit their 32 or 64 bits, floats are finite (botocore
would send `NaN`, which is not JSON). Upper ranges (`expiresInSec` 60..3600, rollout rates) are
policy and belong to the rules.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import functools
import math
import re
from collections.abc import Iterator, Mapping
from typing import Any, Literal

import botocore.loaders
from botocore.model import ListShape, MapShape, ServiceModel, Shape, StructureShape

from checker.chain import CHAIN_FIELD, chain_gaps, chain_problems
from checker.errors import did_you_mean
from checker.model import Path, PathKey, Unknown, display
from checker.normalise import DEEP_FIELDS, JOB_HEALTH_FIELD

_TYPE_NAMES = {
    "structure": "a mapping",
    "map": "a mapping",
    "list": "a list",
    "string": "a string",
    "integer": "an integer",
    "long": "an integer",
    "float": "a number",
    "double": "a number",
    "boolean": "true or false",
    "blob": "a string or !!binary",
    "timestamp": "a timestamp",
}


@functools.cache
def iot_model() -> ServiceModel:
    """botocore's IoT model, loaded without a botocore session: a session reads the AWS
    configuration (AWS_PROFILE and the profile's settings) first, and a profile that does not
    exist would stop `lint` and `check --state`, which call no AWS API."""
    loader = botocore.loaders.Loader()
    return ServiceModel(loader.load_service_model("iot", "service-2"), service_name="iot")


@functools.cache
def create_ota_update_shape() -> StructureShape:
    """The CreateOTAUpdate input shape from the botocore installed alongside."""
    model = iot_model()
    shape = model.operation_model("CreateOTAUpdate").input_shape
    assert isinstance(shape, StructureShape)
    return shape


@functools.cache
def ota_update_info_shape() -> StructureShape:
    """GetOTAUpdate's `otaUpdateInfo` shape, for checking what a snapshot claims AWS returned."""
    model = iot_model()
    output = model.operation_model("GetOTAUpdate").output_shape
    assert isinstance(output, StructureShape)
    shape = output.members["otaUpdateInfo"]
    assert isinstance(shape, StructureShape)
    return shape


@functools.cache
def _id_rules() -> tuple[int, int, re.Pattern[str]]:
    """The model's OTAUpdateId: length bounds and pattern."""
    model = iot_model()
    meta = model.shape_for("OTAUpdateId").metadata
    return int(meta["min"]), int(meta["max"]), re.compile(meta["pattern"])


def ota_update_id_problem(value: str) -> str | None:
    """Why `value` cannot be an otaUpdateId (`[a-zA-Z0-9_-]+`, 1-128), or None.

    botocore leaves patterns to the service, which refuses such an id at create; here it
    matters more, because reports key suites, suppressions and fingerprints by id, and an id
    with a dot, a space or a control character could pass for another one or for a report's own
    names."""
    low, high, pattern = _id_rules()
    if not low <= len(value) <= high:
        return f"otaUpdateId must have {low} to {high} characters, not {len(value)}"
    if pattern.fullmatch(value) is None:
        return (
            f"otaUpdateId must be letters, digits, '_' or '-' ({pattern.pattern}), "
            f"not {_describe(value)}"
        )
    return None


def _id_problems(entry: Any, out: list[tuple[Path, str]]) -> None:
    ota_id = entry.get("otaUpdateId") if isinstance(entry, dict) else None
    if isinstance(ota_id, str):
        problem = ota_update_id_problem(ota_id)
        if problem is not None:
            out.append((("otaUpdateId",), problem))


def validate_entry(entry: Any) -> Iterator[tuple[Path, str]]:
    """Yield (path, message) for each way `entry` would be refused as create_ota_update kwargs."""
    problems: list[tuple[Path, str]] = []
    _check(entry, _spec(create_ota_update_shape()), [], True, problems)
    _id_problems(entry, problems)
    yield from problems


def validate_live(info: Any) -> Iterator[tuple[Path, str]]:
    """Type problems in a recorded `otaUpdateInfo`, and in the deep fields beside it.

    Lenient where the service may grow: unknown keys and enum values are accepted, since a
    snapshot taken after AWS adds a field must still load. The job's health
    (`JOB_HEALTH_FIELD`) is ota-drift's own record and is checked strictly
    (`job_health_problems`).
    """
    problems: list[tuple[Path, str]] = []
    _check(info, _live_spec(), [], False, problems)
    _id_problems(info, problems)
    if isinstance(info, dict) and JOB_HEALTH_FIELD in info:
        problems.extend(job_health_problems(info[JOB_HEALTH_FIELD], (JOB_HEALTH_FIELD,)))
    if isinstance(info, dict) and CHAIN_FIELD in info:
        problems.extend(_chain_problems(info))
    yield from problems


def _chain_problems(info: Mapping[str, Any]) -> Iterator[tuple[Path, str]]:
    """A recorded chain (`--verify`) is ota-drift's own, checked strictly, and must be the
    chain of the update's files: one entry per file, each with every link its file names."""
    recorded = info[CHAIN_FIELD]
    found = list(chain_problems(recorded))
    yield from found
    files = info.get("otaUpdateFiles")
    if found:
        return
    if not isinstance(files, list):
        files = []
    if len(recorded) != len(files):
        yield (
            (CHAIN_FIELD,),
            f"has {len(recorded)} entries for {len(files)} otaUpdateFiles (one per file)",
        )
        return
    for index, (file, entry) in enumerate(zip(files, recorded, strict=True)):
        for gap in chain_gaps(file, entry):
            yield (CHAIN_FIELD, index), gap


@functools.cache
def job_counts() -> tuple[str, ...]:
    """DescribeJob's `jobProcessDetails` counts (`numberOfFailedThings`, ...), from the model."""
    details = iot_model().shape_for("JobProcessDetails")
    assert isinstance(details, StructureShape)
    return tuple(name for name in details.members if name.startswith("numberOf"))


def job_health(job: Mapping[str, Any]) -> dict[str, Any]:
    """DescribeJob's `job` reduced to what the rollout-health rules judge: `status`,
    `forceCanceled` and the `jobProcessDetails` counts, each only where the answer has it
    (`{}` when it has none). What is kept of a `jobProcessDetails` that is not a mapping is
    left for `job_health_problems` to name."""
    health = {key: job[key] for key in ("status", "forceCanceled") if job.get(key) is not None}
    details = job.get("jobProcessDetails")
    if isinstance(details, Mapping):
        counts = {k: details[k] for k in job_counts() if details.get(k) is not None}
        if counts:
            health["jobProcessDetails"] = counts
    elif details is not None:
        health["jobProcessDetails"] = details
    return health


def job_health_problems(health: Any, at: Path) -> Iterator[tuple[Path, str]]:
    """Why `health` (at `at`) is not a job's health as `job_health` keeps it: a status that is
    not one of the model's job statuses, a count that is not a non-negative integer, an
    unknown key. Strict, unlike the rest of a live info: the rules read these values as they
    stand, and a status they do not know or a negative count would be judged wrongly, not
    merely not judged."""
    problems: list[tuple[Path, str]] = []
    _check(health, _job_health_spec(), list(at), True, problems)
    yield from problems


_PY_TYPES: dict[str, tuple[type, ...]] = {
    "structure": (dict,),
    "map": (dict,),
    "list": (list,),
    "string": (str,),
    "integer": (int,),
    "long": (int,),
    "float": (int, float),
    "double": (int, float),
    "boolean": (bool,),
    "blob": (str, bytes),
    "timestamp": (str, datetime.datetime, datetime.date),
}
_INT_BITS = {"integer": 32, "long": 64}
"""Integer widths on the wire: the service refuses what does not fit."""
_NUMBER_KINDS = frozenset({"integer", "long", "float", "double"})
_NUMERIC_TEXT = re.compile(r"[-+]?[0-9][0-9_:.]*|[-+]?0[oOxXbB][0-9a-fA-F_]*")


class _Spec:
    """One botocore shape, flattened for a fast walk: validation runs on every entry."""

    __slots__ = ("enum", "kind", "member", "members", "minimum", "plain", "required", "types")

    def __init__(self, shape: Shape) -> None:
        self.kind: str = shape.type_name
        self.types = _PY_TYPES.get(self.kind, (object,))
        self.minimum: int | None = shape.metadata.get("min")
        enum = shape.metadata.get("enum")
        self.enum: list[str] | None = list(enum) if enum else None
        self.plain = self.kind in ("boolean", "blob", "timestamp") or (
            self.kind == "string" and self.minimum is None and self.enum is None
        )
        """Nothing to check beyond the type."""
        self.members: dict[str, _Spec] = {}
        self.required: tuple[str, ...] = ()
        self.member: _Spec | None = None
        """A list's item, or a map's value."""


_SPECS: dict[str, _Spec] = {}


def _spec(shape: Shape) -> _Spec:
    """The flattened form of `shape`, built once (a recursive shape refers to itself)."""
    spec = _SPECS.get(shape.name)
    if spec is not None:
        return spec
    spec = _SPECS[shape.name] = _Spec(shape)
    if isinstance(shape, StructureShape):
        spec.members = {name: _spec(member) for name, member in shape.members.items()}
        spec.required = tuple(shape.required_members)
    elif isinstance(shape, ListShape):
        spec.member = _spec(shape.member)
    elif isinstance(shape, MapShape):
        spec.member = _spec(shape.value)
    return spec


@functools.cache
def _live_spec() -> _Spec:
    """otaUpdateInfo, with the deep fields a snapshot records beside it as extra members,
    checked against the CreateOTAUpdate input shapes, since GetOTAUpdate has none."""
    info = _spec(ota_update_info_shape())
    live = _Spec(ota_update_info_shape())
    create = create_ota_update_shape().members
    live.members = {**{name: _spec(create[name]) for name in DEEP_FIELDS}, **info.members}
    return live


@functools.cache
def _job_health_spec() -> _Spec:
    """`job_health`'s shape: DescribeJob's Job with only its health members, and counts that
    must be at least 0 (the model states no minimum for them)."""
    job = iot_model().shape_for("Job")
    assert isinstance(job, StructureShape)
    details = job.members["jobProcessDetails"]
    assert isinstance(details, StructureShape)
    counts = _Spec(details)  # fresh specs: the cached ones are shared with other shapes
    for name in job_counts():
        count = _Spec(details.members[name])
        count.minimum = 0
        counts.members[name] = count
    health = _Spec(job)
    health.members = {
        "status": _spec(job.members["status"]),
        "forceCanceled": _spec(job.members["forceCanceled"]),
        "jobProcessDetails": counts,
    }
    return health


def live_member_shape(name: str) -> Shape | None:
    """The model's shape of a top-level key of a live info: GetOTAUpdate's `otaUpdateInfo`
    member, the CreateOTAUpdate one for a deep field, DescribeJob's Job for the job's health
    (None for a key the model does not know)."""
    member = ota_update_info_shape().members.get(name)
    if member is None and name in DEEP_FIELDS:
        member = create_ota_update_shape().members[name]
    if member is None and name == JOB_HEALTH_FIELD:
        member = iot_model().shape_for("Job")
    return member


Problems = list[tuple[Path, str]]


def _check(value: Any, spec: _Spec, trail: list[PathKey], strict: bool, out: Problems) -> None:
    """Append (path, message) to `out` for each problem in `value`; `trail` is its path."""
    kind = spec.kind
    if type(value) is Unknown:
        return  # computed at deploy time: whatever it will be, it cannot be judged now
    if type(value) not in spec.types and not _has_type(value, spec):
        path = tuple(trail)
        hint = _numeric_hint(value) if kind in _NUMBER_KINDS else ""
        wanted = _TYPE_NAMES.get(kind, kind)
        out.append(
            (path, f"{display(path) or 'the entry'} must be {wanted}, not {_describe(value)}{hint}")
        )
        return
    if kind == "structure":
        _check_structure(value, spec, trail, strict, out)
    elif kind in ("list", "map"):
        _check_items(value, spec, trail, strict, out)
    elif kind == "string":
        if strict and spec.enum is not None and value not in spec.enum:
            path = tuple(trail)
            allowed = ", ".join(spec.enum)
            out.append((path, f"{display(path)} must be one of {allowed}, not {value!r}"))
        else:
            _check_min(value, spec, trail, "character", out)
    elif kind in _INT_BITS:
        _check_integer(value, spec, trail, out)
    elif kind in ("float", "double") and not math.isfinite(value):
        path = tuple(trail)
        out.append((path, f"{display(path)} must be a finite number, not {value!r}"))


def _check_structure(
    value: dict[Any, Any], spec: _Spec, trail: list[PathKey], strict: bool, out: Problems
) -> None:
    members = spec.members
    if strict:
        for name in spec.required:
            if name not in value:
                where = f" in {display(tuple(trail))}" if trail else ""
                out.append((tuple(trail), f"missing required key {name!r}{where}"))
    for key, item in value.items():
        member = members.get(key) if type(key) is str else None
        if member is None:
            if strict:
                where = f" in {display(tuple(trail))}" if trail else ""
                hint = _did_you_mean(key, list(members))
                out.append(((*trail, key), f"unknown key {key!r}{where}{hint}"))
            continue
        if member.plain and type(item) in member.types:
            continue  # the common case: a scalar of the right type and nothing more to check
        trail.append(key)
        _check(item, member, trail, strict, out)
        trail.pop()


def _check_items(
    value: Any, spec: _Spec, trail: list[PathKey], strict: bool, out: Problems
) -> None:
    """A list's items or a map's values."""
    member = spec.member
    assert member is not None
    is_map = spec.kind == "map"
    if not is_map:
        _check_min(value, spec, trail, "item", out)
    for key, item in value.items() if is_map else enumerate(value):
        if is_map and type(key) is not str:
            where = display(tuple(trail))
            out.append(((*trail, key), f"{where} keys must be strings, not {_describe(key)}"))
        if member.plain and type(item) in member.types:
            continue
        trail.append(key)
        _check(item, member, trail, strict, out)
        trail.pop()


def _check_integer(value: int, spec: _Spec, trail: list[PathKey], out: Problems) -> None:
    bits = _INT_BITS[spec.kind]
    low, high = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    if spec.minimum is not None and value < spec.minimum:
        path = tuple(trail)
        shown = value if value.bit_length() <= 128 else _describe(value)
        out.append((path, f"{display(path)} must be at least {spec.minimum}, not {shown}"))
    elif not low <= value <= high:
        path = tuple(trail)
        out.append((path, f"{display(path)} must be a {bits}-bit integer, not {_describe(value)}"))


def _check_min(value: Any, spec: _Spec, trail: list[PathKey], unit: str, out: Problems) -> None:
    minimum = spec.minimum
    if minimum is not None and len(value) < minimum:
        plural = "" if minimum == 1 else "s"
        path = tuple(trail)
        out.append((path, f"{display(path)} must have at least {minimum} {unit}{plural}"))


def _has_type(value: Any, spec: _Spec) -> bool:
    """The slow path of the type test: subclasses, and bool, which is an int in Python."""
    if isinstance(value, bool) and spec.kind != "boolean":
        return False  # YAML's `yes` is a bool, and bool is an int subclass in Python
    return isinstance(value, spec.types)


def _numeric_hint(value: Any) -> str:
    """For `"0755"` or `0o17` where a number belongs: say how to write it."""
    if isinstance(value, str) and _NUMERIC_TEXT.fullmatch(value):
        return "; write the number plainly, without quotes or a prefix"
    return ""


def _describe(value: Any) -> str:
    kinds = {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a mapping",
        bytes: "binary data",
        type(None): "empty (null)",
    }
    kind = next((name for t, name in kinds.items() if type(value) is t), type(value).__name__)
    if isinstance(value, int) and value.bit_length() > 128:  # too long to show in full
        if value.bit_length() > 14_000:  # str() refuses more than 4,300 digits
            return f"{kind} of over 4,000 digits"
        return f"{kind} of {len(str(abs(value)))} digits"
    if isinstance(value, bool | int | float | str) and len(repr(value)) <= 40:
        return f"{kind} ({value!r})"
    return kind


def _did_you_mean(key: Any, choices: list[str]) -> str:
    return did_you_mean(str(key), choices)


BlobText = Literal["utf-8", "base64"]
"""What a blob written as text means: its UTF-8 bytes (boto3, ota-drift files), or base64 of
the bytes (CloudFormation, Pulumi, and the AWS CLI v2's default `--cli-binary-format`)."""


def encode_blobs(
    entry: dict[str, Any], text: BlobText = "utf-8"
) -> tuple[dict[str, Any], list[tuple[Path, str]]]:
    """A copy of a valid entry with text blobs as bytes, exactly what the writer's tool sends,
    and a problem for each text that is not the base64 `text` says it is.

    Either way the declared and live sides then compare as bytes. In an ota-drift file raw
    bytes are written with `!!binary`.
    """
    if not _has_text_blob(entry):
        return entry, []  # the common case: nothing to encode, nothing to copy
    problems: list[tuple[Path, str]] = []
    result = _encode(entry, create_ota_update_shape(), text, (), problems)
    assert isinstance(result, dict)
    return result, problems


def _has_text_blob(entry: dict[str, Any]) -> bool:
    """Does any file carry a text signature (the only blob CreateOTAUpdate has)?"""
    files = entry.get("files")
    for file in files if isinstance(files, list) else ():
        signing = file.get("codeSigning") if isinstance(file, dict) else None
        custom = signing.get("customCodeSigning") if isinstance(signing, dict) else None
        signature = custom.get("signature") if isinstance(custom, dict) else None
        if isinstance(signature, dict) and isinstance(signature.get("inlineDocument"), str):
            return True
    return False


def _encode(
    value: Any, shape: Shape, text: BlobText, path: Path, problems: list[tuple[Path, str]]
) -> Any:
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        return {
            k: _encode(v, shape.members[k], text, (*path, k), problems) if k in shape.members else v
            for k, v in value.items()
        }
    if isinstance(shape, ListShape) and isinstance(value, list):
        return [_encode(v, shape.member, text, (*path, i), problems) for i, v in enumerate(value)]
    if shape.type_name == "blob" and isinstance(value, str):
        if text == "utf-8":
            return value.encode("utf-8")
        try:
            return base64.b64decode("".join(value.split()), validate=True)
        except binascii.Error:
            problems.append(
                (path, f"{display(path)} must be base64 text, as this format writes blobs")
            )
    return value
