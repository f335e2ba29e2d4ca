"""One declared entry in API names to a `DeclaredUpdate`: the step every reader ends with."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botocore.model import ListShape, Shape, StructureShape

from checker.declared.names import STYLE_NAMES, Style, written_name, written_path
from checker.errors import Problem
from checker.model import DeclaredUpdate, Location, Path, Unknown, display, nearest_line
from checker.servicemodel import BlobText, create_ota_update_shape, encode_blobs, validate_entry

_KNOWN_ID: dict[Style | None, str] = {
    "cloudformation": " (set the parameters it uses)",
    "pulumi": " (declare it as a plain string: not a secret, nor an output of another resource)",
    None: "",
}
"""How the writer of each format makes an id known before deployment."""


def declared_update(
    entry: Any,
    *,
    file: str,
    line: int,
    key_lines: Mapping[Path, int],
    resource: str | None = None,
    named: str = "",
    blobs: BlobText = "utf-8",
    style: Style | None = None,
) -> DeclaredUpdate | list[Problem]:
    """`entry` (create_ota_update kwargs, API names) checked against botocore's model, or
    every problem at its line. `named` prefixes messages (`resource Firmware: `); `blobs` says
    what a signature written as text means in the writer's format; `style` names a missing
    member as CloudFormation or Pulumi writes it, since that is what the user has to add."""
    problems = [
        Problem(
            file,
            nearest_line(key_lines, path) or line,
            named + _in_style(entry, path, message, style),
        )
        for path, message in validate_entry(entry)
    ]
    if not problems and isinstance(entry.get("otaUpdateId"), Unknown):
        written = written_name(("otaUpdateId",), style) if style else "otaUpdateId"
        problems.append(
            Problem(
                file,
                nearest_line(key_lines, ("otaUpdateId",)) or line,
                f"{named}{written} is {entry['otaUpdateId']}: the id must be known before "
                f"deployment to find the live update{_KNOWN_ID[style]}",
            )
        )
    if problems:
        return problems
    config, blob_problems = encode_blobs(entry, blobs)
    if blob_problems:
        return [
            Problem(
                file,
                nearest_line(key_lines, path) or line,
                named + _in_style(entry, path, message, style),
            )
            for path, message in blob_problems
        ]
    return DeclaredUpdate(
        ota_update_id=entry["otaUpdateId"],
        config=config,
        location=Location(file, line, resource),
        key_lines=key_lines,
        resource=resource,
    )


def _in_style(entry: Any, path: Path, message: str, style: Style | None) -> str:
    """`message` in `style`'s names where it names what the user wrote: the path it starts
    with (`Files[0].FileVersion must be a string`), and a missing required member (`missing
    required CloudFormation property 'RoleArn'`), not the API's names the user never wrote."""
    if style is None:
        return message
    shown = display(path)
    if path and message.startswith(shown + " "):
        return written_path(path, style) + message[len(shown) :]
    shape, value = _at(create_ota_update_shape(), entry, path)
    if not isinstance(shape, StructureShape) or not isinstance(value, dict):
        return message
    where = f" in {display(path)}" if path else ""
    for member in shape.required_members:
        if member not in value and message == f"missing required key {member!r}{where}":
            written = written_name((*_pattern(path), member), style)
            inside = f" in {written_path(path, style)}" if path else ""
            return f"missing required {STYLE_NAMES[style]} property {written!r}{inside}"
    return message


def _at(shape: Shape, value: Any, path: Path) -> tuple[Shape | None, Any]:
    """The shape and the value at `path` in an entry, or (None, None) off the model."""
    current: Shape | None = shape
    for step in path:
        if isinstance(current, StructureShape) and isinstance(value, dict):
            current, value = current.members.get(str(step)), value.get(step)
        elif isinstance(current, ListShape) and isinstance(value, list) and isinstance(step, int):
            current, value = current.member, value[step] if step < len(value) else None
        else:
            return None, None
    return current, value


def _pattern(path: Path) -> Path:
    return tuple("*" if isinstance(step, int) else step for step in path)
