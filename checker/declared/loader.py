"""Declared OTA updates: YAML files whose `otaUpdates` entries are create_ota_update kwargs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path as FsPath
from typing import Any

from checker.declared.yamlsafe import load_located
from checker.errors import InputError, Problem
from checker.files import display_path, read_text
from checker.model import DeclaredUpdate, Location, Path
from checker.servicemodel import encode_blobs, validate_entry

MAX_FILE_BYTES = 5 * 2**20
"""Declared files larger than this are refused before parsing: no OTA fleet needs one."""
TOP_KEY = "otaUpdates"
YAML_SUFFIXES = (".yaml", ".yml")


def discover(paths: Iterable[str]) -> list[FsPath]:
    """Files named on the command line, and `*.yaml`/`*.yml` below directories, sorted."""
    found: list[FsPath] = []
    problems: list[Problem] = []
    for arg in paths:
        path = FsPath(arg)
        if path.is_dir():
            below = sorted(p for p in path.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file())
            if not below:
                problems.append(Problem(display_path(path), None, "no *.yaml or *.yml files"))
            found.extend(below)
        elif path.exists():
            found.append(path)
        else:
            problems.append(Problem(display_path(path), None, "no such file or directory"))
    if problems:
        raise InputError(problems)
    seen: set[FsPath] = set()
    unique = []
    for path in found:  # a file named twice, or also found below a directory, loads once
        if path.resolve() not in seen:
            seen.add(path.resolve())
            unique.append(path)
    return unique


def load_declared(paths: Sequence[str]) -> tuple[DeclaredUpdate, ...]:
    """Every declared update under `paths`; every problem in all files at once, or none."""
    problems: list[Problem] = []
    updates: list[DeclaredUpdate] = []
    for file in discover(paths):
        try:
            updates.extend(load_file(file))
        except InputError as exc:
            problems.extend(exc.problems)
    first: dict[str, DeclaredUpdate] = {}
    for update in updates:
        earlier = first.setdefault(update.ota_update_id, update)
        if earlier is not update:
            problems.append(
                Problem(
                    update.location.file,
                    update.location.line,
                    f"otaUpdateId {update.ota_update_id!r} is declared twice "
                    f"(first at {earlier.location})",
                )
            )
    if problems:
        raise InputError(problems)
    return tuple(updates)


def load_file(file: FsPath) -> list[DeclaredUpdate]:
    """The updates declared in one file; raises InputError with all of its problems."""
    shown = display_path(file)
    text = read_text(file, MAX_FILE_BYTES)
    doc, lines = load_located(text, shown)
    if not isinstance(doc, dict) or TOP_KEY not in doc:
        raise InputError.one(
            shown,
            1 if doc is None else _line(lines, ()),
            f"top level must be a mapping with an '{TOP_KEY}' list",
        )
    problems = [
        Problem(
            shown,
            lines.get((key,)),
            f"unknown top-level key {key!r} (only "
            f"'{TOP_KEY}' and keys starting with 'x-' are allowed)",
        )
        for key in doc
        if key != TOP_KEY and not (isinstance(key, str) and key.startswith("x-"))
    ]
    entries = doc[TOP_KEY]
    if not isinstance(entries, list):
        problems.append(Problem(shown, lines.get((TOP_KEY,)), f"'{TOP_KEY}' must be a list"))
        raise InputError(problems)
    entry_lines: dict[int, dict[Path, int]] = {}
    for path, line in lines.items():
        if len(path) > 2 and path[0] == TOP_KEY:
            entry_lines.setdefault(int(path[1]), {})[path[2:]] = line
    updates = []
    for index, entry in enumerate(entries):
        root: Path = (TOP_KEY, index)
        entry_line = lines.get(root, 1)
        entry_problems = [
            Problem(shown, _line(lines, (*root, *path)), message)
            for path, message in validate_entry(entry)
        ]
        if entry_problems:
            problems.extend(entry_problems)
            continue
        updates.append(
            DeclaredUpdate(
                ota_update_id=entry["otaUpdateId"],
                config=encode_blobs(entry),
                location=Location(shown, entry_line),
                key_lines=entry_lines.get(index, {}),
            )
        )
    if problems:
        raise InputError(problems)
    return updates


def _line(lines: dict[Path, int], path: tuple[Any, ...]) -> int:
    """Line of `path`, else of its nearest ancestor that has one, else 1."""
    for end in range(len(path), 0, -1):
        line = lines.get(path[:end])
        if line is not None:
            return line
    return 1
