"""Declared OTA updates: find the files, parse each once, and hand it to the reader of its format.

Files named on the command line are read whatever their name. Below a directory, the names in
`SUFFIXES` are read; in a CDK cloud assembly (a folder holding `cdk.out`, as `cdk synth`
writes it) only its `*.template.json` files are, since its manifest and asset files are not
declarations. Every file read must be a declaration in some format: a file no reader
recognises is an error naming the formats accepted, never silently skipped.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path as FsPath

from checker.declared.interface import Document, Reader, ReadOptions
from checker.declared.readers import READERS
from checker.errors import InputError, Problem, did_you_mean
from checker.files import display_path, kind_of, read_text, why_unreadable
from checker.jsonsafe import load_json_located
from checker.model import DeclaredUpdate
from checker.yamlsafe import load_located_template

MAX_FILE_BYTES = 5 * 2**20
"""Declared files holding more than this are refused: no OTA fleet needs one."""
SUFFIXES = (".yaml", ".yml", ".json", ".template")
"""Names a directory search reads, whatever the case: `prod.YAML` is a declaration too, never
silently left out. Hidden names are included."""
CDK_MARKER = "cdk.out"
"""The file `cdk synth` writes in a cloud assembly folder (its schema version)."""
CDK_TEMPLATE_SUFFIX = ".template.json"


def declared_files(paths: Iterable[str]) -> list[FsPath]:
    """The files `load_declared` would read, without reading them; path problems are left for
    it to report. For the output check: no report may replace a declaration."""
    return [item for item in _walk(paths) if isinstance(item, FsPath)]


def load_declared(
    paths: Sequence[str], options: ReadOptions | None = None
) -> tuple[DeclaredUpdate, ...]:
    """Every declared update under `paths`; every problem in all files at once, or none."""
    options = options or ReadOptions()
    problems: list[Problem] = []
    updates: list[DeclaredUpdate] = []
    parameters: set[str] = set()
    for item in _walk(paths):
        if isinstance(item, Problem):
            problems.append(item)
            continue
        try:
            document, reader = _parse_for_reader(item)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        parameters |= reader.parameter_names(document)  # also of a template with errors
        try:
            updates.extend(reader.read(document, options))
        except InputError as exc:
            problems.extend(exc.problems)
    problems += _unused_parameters(options, parameters)
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
                names = ", ".join(f"*{suffix}" for suffix in SUFFIXES)
                yield Problem(display_path(path), None, f"no declaration files ({names})")
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
        assembly = item.assembly or CDK_MARKER in names
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
                    children.append(_Folder(path, item.above | {identity}, assembly))
            elif not _declaration_name(name, assembly):
                continue  # README.md, notes.txt, a CDK manifest: not declarations by name
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
    assembly: bool = False
    """Inside a CDK cloud assembly: only its templates are declarations."""


@dataclass(frozen=True)
class _Found:
    """A regular YAML file found in a folder, with its status (for its identity)."""

    path: FsPath
    status: os.stat_result


def _declaration_name(name: str, assembly: bool) -> bool:
    lowered = name.lower()
    if assembly:
        return lowered.endswith(CDK_TEMPLATE_SUFFIX)
    return lowered.endswith(SUFFIXES)


def _identity(status: os.stat_result) -> tuple[int, int]:
    return status.st_dev, status.st_ino


def _first_time(seen: set[tuple[int, int]], status: os.stat_result) -> bool:
    identity = _identity(status)
    if identity in seen:
        return False
    seen.add(identity)
    return True


def _unused_parameters(options: ReadOptions, declared: set[str]) -> list[Problem]:
    """A `--parameter` no template read declares: a typo, or a template left out. Either way
    the audit would silently use the default instead."""
    problems = []
    for name in options.parameters:
        if name not in declared:
            known = ", ".join(sorted(declared)) or "none"
            hint = did_you_mean(name, sorted(declared))
            message = (
                f"{name} names no parameter of the templates read (they declare: {known}){hint}"
            )
            problems.append(Problem("--parameter", None, message))
    return problems


def load_file(file: FsPath, options: ReadOptions | None = None) -> list[DeclaredUpdate]:
    """The updates declared in one file, in whichever format it is; raises InputError with all
    of its problems."""
    document, reader = _parse_for_reader(file)
    return reader.read(document, options or ReadOptions())


def _parse_for_reader(file: FsPath) -> tuple[Document, Reader]:
    """The file parsed, and the reader of its format (which may take its intrinsic tags)."""
    document = parse(display_path(file), read_text(file, MAX_FILE_BYTES))
    reader = reader_for(document)
    if not reader.accepts_intrinsic_tags and document.tags:
        use = document.tags[0]
        raise InputError.one(
            document.file,
            use.line,
            f"YAML tag {use.tag!r} is not allowed: CloudFormation's short-form tags are read "
            f"only in CloudFormation templates, and this is {reader.described}",
        )
    return document, reader


def parse(shown: str, text: str) -> Document:
    """The document in `text`: JSON when it starts like JSON (`{` or `[`), YAML otherwise.

    A file named `*.json` is always JSON, so its errors are JSON errors. Another name that
    starts with a brace and is not valid JSON is read as YAML, whose flow style looks alike.
    """
    start = text.lstrip("\ufeff \t\r\n")[:1]
    if start in ("{", "[") or shown.lower().endswith(".json"):
        try:
            value, lines = load_json_located(text, shown)
            return Document(shown, value, lines, "json")
        except InputError:
            if shown.lower().endswith(".json"):
                raise
    value, lines, tags = load_located_template(text, shown)
    return Document(shown, value, lines, "yaml", tuple(tags))


def reader_for(document: Document) -> Reader:
    """The reader that recognises `document`, or an InputError naming the formats. A document
    two readers recognise mixes formats (a CLI input document with a `Resources` key): read as
    either, the other's declarations would be silently left out."""
    readers = [reader for reader in READERS if reader.recognises(document)]
    if len(readers) > 1:
        formats = " and as ".join(reader.described for reader in readers)
        return _refuse(document, f"mixes declaration formats: it reads as {formats}")
    if readers:
        return readers[0]
    accepted = "; ".join(reader.described for reader in READERS)
    return _refuse(document, f"is not a declaration in any format ota-drift reads: {accepted}")


def _refuse(document: Document, message: str) -> Reader:
    raise InputError.one(document.file, 1, message)
