"""`ota-drift import`: declarations for every live OTA update, for a fleet nobody declared.

`ota-drift check DIR --state FILE` on what it writes reports no drift (OTA001-OTA003): each
live update becomes create_ota_update's kwargs as normalise reads them back (`declare`), in the
chosen format (`ota_drift`, `cli_input`, `cloudformation`). `roleArn` is the one given, since
no API returns it; the job's abort and timeout config and the tags are written only when
the source read them (`--deep`, or a snapshot taken with it).

All or nothing, as `snapshot` is: an update that could not be read (a SourceError), or that
the format cannot declare, means no file is written, each reason named; a half-imported
folder would look like a fleet with updates missing. The folder must hold no declaration
file (a name `check` on it would read, `loader.declared_files`) that the import does not
write, with or without `--force`: `check` would audit it with the import (an earlier, bigger
import's `ota-updates-2.yaml`; an update deleted since), so the round trip would not be
drift-free. Files that exist are never replaced without `--force`. Before live state is
read, both are checked as far as names are known (every declaration file the format could
never write; a one-file format's first file); once the names are known, for every file,
before any is written. Then all files are written at once (`checker.output`: each
atomically, none if one fails).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from checker.declared.loader import MAX_FILE_BYTES, declared_files
from checker.errors import UsageError
from checker.importing.cli_input import CliInputWriter
from checker.importing.cloudformation import CloudFormationWriter
from checker.importing.declare import declared_entry
from checker.importing.interface import Entry, OutputFile, Writer
from checker.importing.ota_drift import OtaDriftWriter
from checker.model import LiveUpdate, SkippedUpdate, SourceError
from checker.normalise import DEEP_FIELDS
from checker.output import OutputPlan, OutputRequest, check_outputs, write_outputs
from checker.servicemodel import validate_entry
from checker.textsafe import visible

WRITERS: dict[str, Writer] = {
    w.name: w for w in (OtaDriftWriter(), CliInputWriter(), CloudFormationWriter())
}
FORMAT_NAMES = tuple(WRITERS)
DEFAULT_FORMAT = "ota-drift"
OPTION = "--output"
SHOWN_PATHS = 5
"""Paths a refusal names; its count says how many there are."""
ROLE_NOTE = "roleArn is the --role-arn given: no AWS API returns an OTA update's role."
SHALLOW_NOTE = (
    f"{', '.join(DEEP_FIELDS)} were not read, so not written: import --deep "
    "(or --state with a snapshot taken with --deep) writes them."
)


@dataclass(frozen=True)
class ImportPlan:
    """An import checked as far as it can be before live state is read."""

    directory: str
    writer: Writer
    role_arn: str
    force: bool
    inputs: tuple[tuple[str, str], ...]
    """(option, path) of the files the run reads, which no output may replace."""


def plan_import(
    directory: str, format_name: str, *, role_arn: str, force: bool, state: str | None
) -> ImportPlan:
    """Check the role ARN, the folder's declaration files and a one-file format's file; a
    UsageError names the first problem. Run before live state is read, so a run that cannot
    write stops first."""
    problem = next((m for p, m in validate_entry({"roleArn": role_arn}) if p == ("roleArn",)), None)
    if problem is not None:
        raise UsageError(f"--role-arn: {problem}")
    if not directory:
        raise UsageError(f"{OPTION}: the path is empty")
    if Path(directory).exists() and not Path(directory).is_dir():
        raise UsageError(f"{OPTION} {directory}: is a file, not a folder")
    writer = WRITERS[format_name]
    inputs = (("--state", state),) if state is not None else ()
    plan = ImportPlan(directory, writer, role_arn, force, inputs)
    folder = Path(directory)
    _refuse_stale(plan, lambda p: p.parent == folder and writer.may_write(p.name))
    if writer.first_file is not None:
        _check_files(plan, [writer.first_file])
    return plan


def write_declarations(
    plan: ImportPlan, items: Iterable[LiveUpdate | SourceError | SkippedUpdate], *, deep: bool
) -> bool:
    """Declare every live update in `items` under `plan`; True when written (or there were
    none). Every problem is printed on stderr, one line each; then nothing is written."""
    items = list(items)
    for skipped in (i for i in items if isinstance(i, SkippedUpdate)):
        _say(f"note: {skipped.ota_update_id}: {skipped.reason}")
    errors = [i for i in items if isinstance(i, SourceError)]
    if errors:
        for error in errors:
            _say(f"ota-drift: {error}")
        _say(f"ota-drift: {len(errors)} read error(s); nothing written")
        return False
    updates = sorted((i for i in items if isinstance(i, LiveUpdate)), key=lambda u: u.ota_update_id)
    entries, problems = _entries(plan, updates, deep)
    files = plan.writer.render(entries, _notes(deep)) if entries and not problems else []
    problems += _case_clashes(files) + _too_large(files)
    if problems:
        for ota_id, message in problems:
            _say(f"ota-drift: {ota_id}: {message}")
        failed = len({ota_id for ota_id, _ in problems})
        _say(
            f"ota-drift: {failed} update(s) cannot be declared as {plan.writer.name}; "
            "nothing written"
        )
        return False
    if not deep:
        _say(f"note: {SHALLOW_NOTE}")
    if not files:
        _say("ota-drift: no live OTA updates; nothing written")
        return True
    planned = {Path(plan.directory) / f.name for f in files}
    _refuse_stale(plan, lambda p: p in planned)
    paths, outputs, replaced = _check_files(plan, [f.name for f in files])
    write_outputs(outputs, [f.text for f in files])
    for path, file in zip(paths, files, strict=True):
        verb = "replaced" if path in replaced else "wrote"
        count = f"{file.updates} update{'' if file.updates == 1 else 's'}"
        _say(f"ota-drift: {verb} {path} ({count})")
    return True


def _notes(deep: bool) -> list[str]:
    """What the declarations leave out, for the comments at the top of a file."""
    return [ROLE_NOTE] if deep else [ROLE_NOTE, SHALLOW_NOTE]


def _entries(
    plan: ImportPlan, updates: Sequence[LiveUpdate], deep: bool
) -> tuple[list[Entry], list[tuple[str, str]]]:
    """Each update as the writer's format carries it, or (otaUpdateId, reason) for each reason
    it cannot be."""
    entries: list[Entry] = []
    problems: list[tuple[str, str]] = []
    for update in updates:
        entry = declared_entry(update, role_arn=plan.role_arn, deep=deep)
        if not isinstance(entry, list):
            entry = plan.writer.prepare(entry)
        if isinstance(entry, list):
            problems += [(update.ota_update_id, message) for message in entry]
        else:
            entries.append(entry)
    return entries, problems


def _case_clashes(files: Sequence[OutputFile]) -> list[tuple[str, str]]:
    """Files whose names differ only in case, which are one file on macOS or Windows."""
    first: dict[str, str] = {}
    clashes = []
    for file in files:
        earlier = first.setdefault(file.name.lower(), file.name)
        if earlier != file.name:
            message = (
                f"its file {file.name} differs from {earlier} only in case, one file on a "
                "case-insensitive file system (macOS, Windows); --format ota-drift or "
                "cloudformation write updates to shared files"
            )
            clashes.append((file.name.rsplit(".", 1)[0], message))
    return clashes


def _too_large(files: Sequence[OutputFile]) -> list[tuple[str, str]]:
    """Files no reader would read: only an update that alone exceeds the limit makes one."""
    return [
        (file.name, f"{size:,} bytes, more than the {MAX_FILE_BYTES:,} a declared file may hold")
        for file in files
        if (size := len(file.text.encode())) > MAX_FILE_BYTES
    ]


def _refuse_stale(plan: ImportPlan, written: Callable[[Path], bool]) -> None:
    """A UsageError naming the declaration files in the folder for which `written` is false:
    `check` would read them as well as what the import writes, and --force does not remove
    them."""
    stale = [str(p) for p in declared_files([plan.directory]) if not written(p)]
    if stale:
        raise UsageError(
            f"{OPTION} {plan.directory}: {len(stale)} declaration file(s) the import would not "
            f"write ({_shown(stale)}): nothing written; they would be audited with the import: "
            "import into an empty folder or remove them"
        )


def _check_files(plan: ImportPlan, names: Sequence[str]) -> tuple[list[str], OutputPlan, set[str]]:
    """The paths of `names` in the folder, checked for writing, and those that exist; a
    UsageError when any exists without --force, or cannot be written."""
    paths = [str(Path(plan.directory) / name) for name in names]
    existing = [p for p in paths if os.path.lexists(p)]
    if existing and not plan.force:
        raise UsageError(
            f"{OPTION} {plan.directory}: {len(existing)} file(s) exist already "
            f"({_shown(existing)}): "
            "nothing written; --force replaces them"
        )
    outputs = check_outputs([OutputRequest(OPTION, p) for p in paths], inputs=plan.inputs)
    return paths, outputs, set(existing)


def _shown(paths: Sequence[str]) -> str:
    """The first `SHOWN_PATHS` of `paths`, for one line of stderr."""
    more = ", ..." if len(paths) > SHOWN_PATHS else ""
    return ", ".join(paths[:SHOWN_PATHS]) + more


def _say(line: str) -> None:
    """One line on stderr, escaped: ids and paths come from live state and the command line."""
    print(visible(line), file=sys.stderr)
