"""One declared entry in API names to a `DeclaredUpdate`: the step every reader ends with."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checker.errors import Problem
from checker.model import DeclaredUpdate, Location, Path, Unknown, nearest_line
from checker.servicemodel import BlobText, encode_blobs, validate_entry


def declared_update(
    entry: Any,
    *,
    file: str,
    line: int,
    key_lines: Mapping[Path, int],
    resource: str | None = None,
    named: str = "",
    blobs: BlobText = "utf-8",
) -> DeclaredUpdate | list[Problem]:
    """`entry` (create_ota_update kwargs, API names) checked against botocore's model, or
    every problem at its line. `named` prefixes messages (`resource Firmware: `); `blobs` says
    what a signature written as text means in the writer's format."""
    problems = [
        Problem(file, nearest_line(key_lines, path) or line, named + message)
        for path, message in validate_entry(entry)
    ]
    if not problems and isinstance(entry.get("otaUpdateId"), Unknown):
        problems.append(
            Problem(
                file,
                nearest_line(key_lines, ("otaUpdateId",)) or line,
                f"{named}otaUpdateId is {entry['otaUpdateId']}: the id must be known before "
                "deployment to find the live update (set the parameters it uses)",
            )
        )
    if problems:
        return problems
    config, blob_problems = encode_blobs(entry, blobs)
    if blob_problems:
        return [
            Problem(file, nearest_line(key_lines, path) or line, named + message)
            for path, message in blob_problems
        ]
    return DeclaredUpdate(
        ota_update_id=entry["otaUpdateId"],
        config=config,
        location=Location(file, line),
        key_lines=key_lines,
        resource=resource,
    )
