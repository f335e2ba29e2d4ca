"""Declared OTA updates: YAML files whose `otaUpdates` entries are create_ota_update kwargs."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path as FsPath

from checker.errors import InputError, Problem
from checker.files import display_path, kind_of, read_text, why_unreadable
from checker.model import DeclaredUpdate, Location, Path, nearest_line
from checker.servicemodel import encode_blobs, validate_entry
from checker.yamlsafe import load_located

MAX_FILE_BYTES = 5 * 2**20
"""Declared files holding more than this are refused: no OTA fleet needs one."""
TOP_KEY = "otaUpdates"
YAML_SUFFIXES = (".yaml", ".yml")
"""Matched whatever the case: `prod.YAML` is a declaration too, never silently left out."""
"""Names a directory search considers (case-sensitive, hidden names included)."""


def discover(paths: Iterable[str]) -> list[FsPath]:
    """Files named on the command line, and `*.yaml`/`*.yml` below directories, sorted.

    Raises InputError with every path problem: nothing that should be read is ever skipped.
    """
    found = list(_walk(paths))
    problems = [item for item in found if isinstance(item, Problem)]
    if problems:
        raise InputError(problems)
    return [item for item in found if isinstance(item, FsPath)]


def declared_files(paths: Iterable[str]) -> list[FsPath]:
    """The files `load_declared` would read, without reading them; path problems are left for
    it to report. For the output check: no report may replace a declaration."""
    return [item for item in _walk(paths) if isinstance(item, FsPath)]


def load_declared(paths: Sequence[str]) -> tuple[DeclaredUpdate, ...]:
    """Every declared update under `paths`; every problem in all files at once, or none."""
    problems: list[Problem] = []
    updates: list[DeclaredUpdate] = []
    for item in _walk(paths):
        if isinstance(item, Problem):
            problems.append(item)
            continue
        try:
            updates.extend(load_file(item))
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


def _walk(paths: Iterable[str]) -> Iterator[FsPath | Problem]:
    """Each file to load, or each problem, in command-line order, directories sorted inside.

    A file reached twice (named twice, through a symlink or a hard link) is yielded once.
    """
    seen: set[tuple[int, int]] = set()
    for arg in paths:
        path = FsPath(arg)
        try:
            status = path.stat()
        except OSError as exc:
            yield Problem(display_path(path), None, why_unreadable(path, exc))
            continue
        if stat.S_ISDIR(status.st_mode):
            empty = True
            for item in _search(path, status):
                empty = False
                if isinstance(item, Problem):
                    yield item
                elif _first_time(seen, item.status):
                    yield item.path
            if empty:
                yield Problem(display_path(path), None, "no *.yaml or *.yml files")
        elif stat.S_ISREG(status.st_mode):
            if _first_time(seen, status):
                yield path
        else:
            message = f"is {kind_of(status.st_mode)}, not a regular file"
            yield Problem(display_path(path), None, message)


def _search(root: FsPath, root_status: os.stat_result) -> Iterator[_Found | Problem]:
    """Depth-first through `root`, each folder's entries sorted by name, symlinks followed.

    Every entry is stat'ed after following its links. A YAML name that is not a regular file
    (a FIFO, a device, a socket) is a problem; so is any entry whose links lead nowhere or that
    cannot be stat'ed, whatever its name, since it might be a folder of declarations. A folder
    that cannot be listed is a problem, a link back to a folder above is a loop and a problem,
    and a folder reached twice otherwise is searched once. Iterative: no depth exhausts the
    stack.
    """
    searched = {_identity(root_status)}
    todo: list[_Folder | _Found | Problem] = [_Folder(root, frozenset(searched))]
    while todo:
        item = todo.pop()
        if not isinstance(item, _Folder):
            yield item
            continue
        try:
            with os.scandir(item.path) as listing:
                names = sorted(entry.name for entry in listing)
        except OSError as exc:
            reason = why_unreadable(item.path, exc).removeprefix("cannot read: ")
            yield Problem(display_path(item.path), None, f"cannot list folder: {reason}")
            continue
        children: list[_Folder | _Found | Problem] = []
        for name in names:
            path = item.path / name
            try:
                status = path.stat()
            except OSError as exc:
                children.append(Problem(display_path(path), None, why_unreadable(path, exc)))
                continue
            mode = status.st_mode
            if stat.S_ISDIR(mode):
                identity = _identity(status)
                if identity in item.above:
                    loop = "symlink loop: it leads back to a folder above it"
                    children.append(Problem(display_path(path), None, loop))
                elif identity not in searched:
                    searched.add(identity)
                    children.append(_Folder(path, item.above | {identity}))
            elif not name.lower().endswith(YAML_SUFFIXES):
                continue  # README.md, notes.txt, a socket: not declarations by name
            elif stat.S_ISREG(mode):
                children.append(_Found(path, status))
            else:
                children.append(
                    Problem(display_path(path), None, f"is {kind_of(mode)}, not a regular file")
                )
        todo.extend(reversed(children))


@dataclass(frozen=True)
class _Folder:
    """A folder still to list, with the identities of itself and the folders above it."""

    path: FsPath
    above: frozenset[tuple[int, int]]


@dataclass(frozen=True)
class _Found:
    """A regular YAML file found in a folder, with its status (for its identity)."""

    path: FsPath
    status: os.stat_result


def _identity(status: os.stat_result) -> tuple[int, int]:
    return status.st_dev, status.st_ino


def _first_time(seen: set[tuple[int, int]], status: os.stat_result) -> bool:
    identity = _identity(status)
    if identity in seen:
        return False
    seen.add(identity)
    return True


def load_file(file: FsPath) -> list[DeclaredUpdate]:
    """The updates declared in one file; raises InputError with all of its problems."""
    shown = display_path(file)
    text = read_text(file, MAX_FILE_BYTES)
    doc, lines = load_located(text, shown)
    if not isinstance(doc, dict) or TOP_KEY not in doc:
        raise InputError.one(
            shown,
            1 if doc is None else nearest_line(lines, ()) or 1,
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
            Problem(shown, nearest_line(lines, (*root, *path)) or 1, message)
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
