"""A live update as a declaration: GetOTAUpdate's `otaUpdateInfo` back to create_ota_update's
keyword arguments, the inverse of what `checker.normalise` does to both sides.

normalise drops the fields the service owns (`SERVER_FIELDS`), reads live names as declared
ones (`declared_names`: `otaUpdateFiles` as `files`), and treats `{}` and null as unset. So
the entry keeps everything else the service reported, exactly: a default the service filled
in (`targetSelection: SNAPSHOT`) is written, since it is what the update has. `roleArn`, which
no API returns, is the one given. The deep fields (`DEEP_FIELDS`) are written only when the
source read them; without that they are unknown, and left out rather than guessed
(`not_read_fields`). Blobs stay bytes: each writer writes them as its format's reader reads
them (`text_blobs`, `base64_blobs`).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from typing import Any

from botocore.model import ListShape, Shape, StructureShape

from checker.importing.interface import Entry
from checker.model import LiveUpdate
from checker.normalise import SERVER_FIELDS, declared_names, not_read_fields
from checker.servicemodel import create_ota_update_shape, validate_entry


def declared_entry(update: LiveUpdate, *, role_arn: str, deep: bool) -> Entry | list[str]:
    """The create_ota_update kwargs that declare `update` as it is live, in CreateOTAUpdate's
    member order; or why they cannot (what botocore's model would refuse), one message each."""
    skipped = SERVER_FIELDS | frozenset(not_read_fields(deep))
    entry = {k: v for k, v in declared_names(update.info).items() if k not in skipped}
    entry["roleArn"] = role_arn
    ordered = _ordered(_set_only(entry), create_ota_update_shape())
    problems = [message for _, message in validate_entry(ordered)]  # each names its path
    return problems or ordered


def _set_only(value: Any) -> Any:
    """A copy without nulls and empty mappings, bottom up: the service reports an unset
    config as `{}`, and normalise reads `{}` and an omission alike."""
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            kept = _set_only(item)
            if kept is not None and kept != {}:
                out[key] = kept
        return out
    if isinstance(value, list | tuple):
        return [_set_only(item) for item in value]
    return value


def _ordered(value: Any, shape: Shape) -> Any:
    """`value` with every structure's members in `shape`'s order (how AWS documents them),
    so an import writes the same text whatever order the source reported; members the
    model does not know come last, for validation to name."""
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        known = {
            name: _ordered(value[name], member)
            for name, member in shape.members.items()
            if name in value
        }
        return known | {k: v for k, v in value.items() if k not in shape.members}
    if isinstance(shape, ListShape) and isinstance(value, list):
        return [_ordered(item, shape.member) for item in value]
    return value


def text_blobs(entry: Entry) -> Entry:
    """`entry` with each blob that is UTF-8 text as that text, for a format that reads text
    as its UTF-8 bytes and has bytes too (YAML's !!binary): other bytes (a DER signature) stay
    bytes. A signature written as text reads better, and back as the same bytes."""
    converted: Entry = _blobs(entry, _utf8_or_bytes)
    return converted


def base64_blobs(entry: Entry) -> Entry:
    """`entry` with each blob as base64 text, for a format that reads blobs as base64 (AWS CLI
    v2's input, CloudFormation's InlineDocument): any bytes read back as they are."""
    converted: Entry = _blobs(entry, lambda blob: base64.b64encode(blob).decode("ascii"))
    return converted


def _blobs(value: Any, convert: Callable[[bytes], Any]) -> Any:
    if isinstance(value, Mapping):
        return {key: _blobs(item, convert) for key, item in value.items()}
    if isinstance(value, list):
        return [_blobs(item, convert) for item in value]
    if isinstance(value, bytes | bytearray):
        return convert(bytes(value))
    return value


def _utf8_or_bytes(blob: bytes) -> str | bytes:
    try:
        return blob.decode("utf-8")
    except UnicodeDecodeError:
        return blob
