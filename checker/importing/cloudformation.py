"""`--format cloudformation`: a YAML template, `ota-updates.template.yaml`, with an
`AWS::IoT::OTAUpdate` resource per update; more templates (`ota-updates-2.template.yaml`, ...),
one stack each, when CloudFormation's quotas for one are exceeded (`MAX_RESOURCES`,
`MAX_TEMPLATE_BYTES`).

Property names are CloudFormation's (`checker.declared.names.written_name`, the one table of
how CloudFormation spells each API member); map keys (`Attributes`, `AdditionalParameters`)
are data and keep their case; `Tags` are `[{Key, Value}]`, as in the API. Every resource gets
`DeletionPolicy` and `UpdateReplacePolicy` `Retain`, as CloudFormation's IaC generator writes
them for resources that already exist: deleting the stack, or a change that replaces the
resource (every property of an OTA update does), never deletes the live update, and
CloudFormation's resource import requires a DeletionPolicy.

A template has no bytes: a signature is written as base64 text, which is what CloudFormation's
`InlineDocument` holds (and `checker/declared/cloudformation.py` decodes), so any bytes read
back as they are (`declare.base64_blobs`). A map key that CloudFormation reads as an
intrinsic function (`Ref`, `Fn::...`) cannot be written as data, and is refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape

from checker.declared.names import written_name
from checker.importing.declare import base64_blobs
from checker.importing.interface import Entry, OutputFile
from checker.importing.split import is_numbered, packed
from checker.importing.yamltext import comment_lines, mapping_lines
from checker.model import Path, display
from checker.servicemodel import create_ota_update_shape

FILE_NAME = "ota-updates.template.yaml"
RESOURCE_TYPE = "AWS::IoT::OTAUpdate"
FORMAT_VERSION = "2010-09-09"
DESCRIPTION = "AWS IoT OTA updates, declared from live state by ota-drift import"
MAX_RESOURCES = 500
"""CloudFormation's quota of resources in one stack."""
MAX_TEMPLATE_BYTES = 1_000_000
"""CloudFormation's quota for a template body given in S3 (1 MB; 51,200 bytes inline)."""
_NOT_ALPHANUMERIC = re.compile(r"[^A-Za-z0-9]+")


class CloudFormationWriter:
    name = "cloudformation"
    first_file: str | None = FILE_NAME

    def may_write(self, name: str) -> bool:
        return is_numbered(name, FILE_NAME)

    def prepare(self, entry: Entry) -> Entry | list[str]:
        problems = list(_intrinsic_keys(entry, create_ota_update_shape(), ()))
        return problems or base64_blobs(entry)

    def render(self, entries: Sequence[Entry], notes: Sequence[str]) -> list[OutputFile]:
        ids = logical_ids([str(e["otaUpdateId"]) for e in entries])
        resources = {
            logical: {
                "Type": RESOURCE_TYPE,
                "DeletionPolicy": "Retain",
                "UpdateReplacePolicy": "Retain",
                "Properties": properties(entry),
            }
            for logical, entry in zip(ids, entries, strict=True)
        }
        top = {"AWSTemplateFormatVersion": FORMAT_VERSION, "Description": DESCRIPTION}
        head = [*comment_lines(notes), *mapping_lines(top), "Resources:"]
        items = [
            "".join(f"{line}\n" for line in mapping_lines({logical: resource}, "  "))
            for logical, resource in resources.items()
        ]
        return packed(
            FILE_NAME,
            "".join(f"{line}\n" for line in head),
            items,
            max_bytes=MAX_TEMPLATE_BYTES,
            max_items=MAX_RESOURCES,
        )


def properties(entry: Entry) -> dict[str, Any]:
    """`entry` (API names) in CloudFormation's property names."""
    renamed = _renamed(entry, create_ota_update_shape(), ())
    assert isinstance(renamed, dict)
    return renamed


def _renamed(value: Any, shape: Shape, pattern: Path) -> Any:
    """`value` of botocore `shape` at `pattern` (the API path, list items as `*`)."""
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        return {
            written_name((*pattern, key), "cloudformation"): _renamed(
                item, shape.members[key], (*pattern, key)
            )
            for key, item in value.items()
        }
    if isinstance(shape, ListShape) and isinstance(value, list):
        return [_renamed(item, shape.member, (*pattern, "*")) for item in value]
    return value


def _intrinsic_keys(value: Any, shape: Shape, path: Path) -> Iterable[str]:
    """Why map keys in `value` would be read as intrinsic functions, not as data."""
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        for key, item in value.items():
            if key in shape.members:
                yield from _intrinsic_keys(item, shape.members[key], (*path, key))
    elif isinstance(shape, ListShape) and isinstance(value, list):
        for index, item in enumerate(value):
            yield from _intrinsic_keys(item, shape.member, (*path, index))
    elif isinstance(shape, MapShape) and isinstance(value, dict):
        for key in value:
            if key == "Ref" or str(key).startswith("Fn::"):
                yield (
                    f"{display((*path, key))}: CloudFormation reads the key {key!r} as an "
                    "intrinsic function, so a template cannot declare it as data; "
                    "--format ota-drift or cli-input can"
                )


def logical_ids(ota_update_ids: Sequence[str]) -> list[str]:
    """A logical ID per otaUpdateId, in order: its letters and digits in PascalCase
    (`sensor-fw-2026-11` → `SensorFw202611`), `OtaUpdate` in front when that would be empty or
    start with a digit. Ids that would give the same one (`fw-1`, `fw_1`) get `2`, `3`, ...
    after it, never a logical ID another id gives, so the IDs are unique and stable."""
    bases = [_base(ota_id) for ota_id in ota_update_ids]
    taken = set(bases)
    seen: set[str] = set()
    out = []
    for base in bases:
        logical, number = base, 1
        while logical in seen or (logical != base and logical in taken):
            number += 1
            logical = f"{base}{number}"
        seen.add(logical)
        out.append(logical)
    return out


def _base(ota_update_id: str) -> str:
    parts = _NOT_ALPHANUMERIC.split(ota_update_id)
    name = "".join(part[:1].upper() + part[1:] for part in parts)
    return name if name[:1].isalpha() else f"OtaUpdate{name}"
