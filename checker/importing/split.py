"""Many updates in one format's files: as few files as its limits allow, named stably.

A declared file is read only up to `loader.MAX_FILE_BYTES` (a 10,000-update fleet is about
8 MiB of YAML), and a CloudFormation template holds at most 500 resources, so a one-file
format writes its updates to `name.yaml`, then `name-2.yaml`, `name-3.yaml`, ... Each update's
text is rendered once and packed in order; the first file keeps its name whatever the count,
so an import repeated with --force replaces it rather than leaving it beside new ones, and
`is_numbered` tells, before live state is read, which names an import could write at all.
"""

from __future__ import annotations

from collections.abc import Sequence

from checker.declared.loader import MAX_FILE_BYTES
from checker.importing.interface import OutputFile


def packed(
    name: str,
    head: str,
    items: Sequence[str],
    *,
    max_bytes: int = MAX_FILE_BYTES,
    max_items: int | None = None,
) -> list[OutputFile]:
    """Files named after `name` holding `head` then as many `items` (each a text ending in a
    newline) as fit in `max_bytes` UTF-8 bytes and `max_items`, at least one each."""
    files: list[OutputFile] = []
    room = max_bytes - len(head.encode())
    chunk: list[str] = []
    size = 0
    for item in items:
        length = len(item.encode())
        full = max_items is not None and len(chunk) >= max_items
        if chunk and (full or size + length > room):
            files.append(
                OutputFile(numbered(name, len(files) + 1), head + "".join(chunk), len(chunk))
            )
            chunk, size = [], 0
        chunk.append(item)
        size += length
    if chunk:
        files.append(OutputFile(numbered(name, len(files) + 1), head + "".join(chunk), len(chunk)))
    return files


def numbered(name: str, number: int) -> str:
    """`ota-updates.yaml` for the first file, `ota-updates-2.yaml` for the second (the number
    goes before the first dot: `ota-updates-2.template.yaml`)."""
    if number == 1:
        return name
    stem, dot, suffix = name.partition(".")
    return f"{stem}-{number}{dot}{suffix}"


def is_numbered(candidate: str, name: str) -> bool:
    """Whether `numbered(name, n)` is `candidate` for some n: the names a one-file format may
    write, whatever live state holds."""
    if candidate == name:
        return True
    stem, dot, suffix = name.partition(".")
    head, tail = f"{stem}-", f"{dot}{suffix}"
    if len(candidate) <= len(head) + len(tail):
        return False
    if not (candidate.startswith(head) and candidate.endswith(tail)):
        return False
    number = candidate[len(head) : len(candidate) - len(tail)]
    return number.isascii() and number.isdigit() and number[0] != "0" and number != "1"
