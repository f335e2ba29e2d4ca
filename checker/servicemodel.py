"""botocore's own model of the IoT API: validation of declared entries and recorded live state.

botocore's ParamValidator reports paths as strings and stops short of enums; walking the same
model here gives each problem a path (so a line) and a did-you-mean for unknown keys. What it
checks is what the model says: types, required members, unknown keys, enums, minimums. Upper
ranges (`expiresInSec` 60..3600, rollout rates) are policy and belong to the rules.
"""

from __future__ import annotations

import datetime
import difflib
import functools
from collections.abc import Iterator
from typing import Any

import botocore.session
from botocore.model import ListShape, MapShape, Shape, StructureShape

from checker.model import Path

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
def create_ota_update_shape() -> StructureShape:
    """The CreateOTAUpdate input shape from the botocore installed alongside."""
    model = botocore.session.get_session().get_service_model("iot")
    shape = model.operation_model("CreateOTAUpdate").input_shape
    assert isinstance(shape, StructureShape)
    return shape


@functools.cache
def ota_update_info_shape() -> StructureShape:
    """GetOTAUpdate's `otaUpdateInfo` shape, for checking what a snapshot claims AWS returned."""
    model = botocore.session.get_session().get_service_model("iot")
    output = model.operation_model("GetOTAUpdate").output_shape
    assert isinstance(output, StructureShape)
    shape = output.members["otaUpdateInfo"]
    assert isinstance(shape, StructureShape)
    return shape


def validate_entry(entry: Any) -> Iterator[tuple[Path, str]]:
    """Yield (path, message) for each way `entry` would be refused as create_ota_update kwargs."""
    yield from _check(entry, create_ota_update_shape(), (), strict=True)


def validate_live(info: Any) -> Iterator[tuple[Path, str]]:
    """Type problems in a recorded `otaUpdateInfo`.

    Lenient where the service may grow: unknown keys and enum values are accepted, since a
    snapshot taken after AWS adds a field must still load.
    """
    yield from _check(info, ota_update_info_shape(), (), strict=False)


def dotted(path: Path) -> str:
    """`files[0].fileLocation`: a path as users write it."""
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out


def _check(value: Any, shape: Shape, path: Path, strict: bool) -> Iterator[tuple[Path, str]]:
    kind = shape.type_name
    if not _has_type(value, kind):
        what = dotted(path) or "the entry"
        yield path, f"{what} must be {_TYPE_NAMES.get(kind, kind)}, not {_describe(value)}"
        return
    if isinstance(shape, StructureShape):
        yield from _check_structure(value, shape, path, strict)
    elif isinstance(shape, ListShape):
        yield from _check_min(value, shape, path, "item")
        for index, item in enumerate(value):
            yield from _check(item, shape.member, (*path, index), strict)
    elif isinstance(shape, MapShape):
        for key, item in value.items():
            if not isinstance(key, str):
                yield (*path, key), f"{dotted(path)} keys must be strings, not {_describe(key)}"
            yield from _check(item, shape.value, (*path, key), strict)
    elif kind == "string":
        enum = shape.metadata.get("enum")
        if strict and enum and value not in enum:
            yield path, f"{dotted(path)} must be one of {', '.join(enum)}, not {value!r}"
        else:
            yield from _check_min(value, shape, path, "character")
    elif kind in ("integer", "long"):
        minimum = shape.metadata.get("min")
        if minimum is not None and value < minimum:
            yield path, f"{dotted(path)} must be at least {minimum}, not {value}"


def _check_structure(
    value: dict[Any, Any], shape: StructureShape, path: Path, strict: bool
) -> Iterator[tuple[Path, str]]:
    members = shape.members
    where = f" in {dotted(path)}" if path else ""
    for name in shape.required_members if strict else ():
        if name not in value:
            yield path, f"missing required key {name!r}{where}"
    for key, item in value.items():
        member = members.get(key) if isinstance(key, str) else None
        if member is None:
            if not strict:
                continue
            hint = _did_you_mean(key, list(members))
            yield (*path, key), f"unknown key {key!r}{where}{hint}"
            continue
        yield from _check(item, member, (*path, key), strict)


def _check_min(value: Any, shape: Shape, path: Path, unit: str) -> Iterator[tuple[Path, str]]:
    minimum = shape.metadata.get("min")
    if minimum is not None and len(value) < minimum:
        plural = "" if minimum == 1 else "s"
        yield path, f"{dotted(path)} must have at least {minimum} {unit}{plural}"


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


def _has_type(value: Any, kind: str) -> bool:
    if isinstance(value, bool) and kind != "boolean":
        return False  # YAML's `yes` is a bool, and bool is an int subclass in Python
    return isinstance(value, _PY_TYPES.get(kind, object))


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
    if isinstance(value, bool | int | float | str) and len(repr(value)) <= 40:
        return f"{kind} ({value!r})"
    return kind


def _did_you_mean(key: Any, choices: list[str]) -> str:
    text = str(key)
    lowered = {c.lower(): c for c in choices}
    if text.lower() in lowered:
        return f"; did you mean {lowered[text.lower()]!r}?"
    close = difflib.get_close_matches(text, choices, n=1, cutoff=0.75)
    return f"; did you mean {close[0]!r}?" if close else ""


def encode_blobs(entry: dict[str, Any]) -> dict[str, Any]:
    """A copy of a valid entry with text blobs as UTF-8 bytes, exactly what boto3 would send.

    A signature written as plain text in YAML is sent as that text's bytes; write raw bytes
    with `!!binary`. Either way the declared and live sides then compare as bytes.
    """
    if not _has_text_blob(entry):
        return entry  # the common case: nothing to encode, nothing to copy
    result = _encode(entry, create_ota_update_shape())
    assert isinstance(result, dict)
    return result


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


def _encode(value: Any, shape: Shape) -> Any:
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        return {
            k: _encode(v, shape.members[k]) if k in shape.members else v for k, v in value.items()
        }
    if isinstance(shape, ListShape) and isinstance(value, list):
        return [_encode(v, shape.member) for v in value]
    if shape.type_name == "blob" and isinstance(value, str):
        return value.encode("utf-8")
    return value
