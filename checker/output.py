"""Writing every output (reports, the job summary, snapshots) without harming what is there.

Two steps. `check_outputs()` runs before the audit reads anything: every path must be one a
report can be written to (not a folder, not under a file, in a folder where files can be
created, not named twice, not one of the inputs), so that a run that cannot deliver its
reports stops before it reads AWS. `write_outputs()` runs when the reports exist:

- a regular file (or a path that does not exist yet) is replaced atomically: the text goes to
  a temporary file in the target's folder, which is renamed over the target only when every
  output has been written, so a reader sees the old file or the new one, never half of one.
  A symlink is followed: its target is replaced and the link kept. A new file gets the mode
  the umask gives (0666 less the umask, like any shell redirect); a replaced file keeps its
  mode (and, for root, its owner), so a `chmod 0640` on yesterday's report still holds.
- a character device or FIFO (`/dev/stdout`, `/dev/null`, a pipe) and any `/proc/*/fd` or
  `/dev/fd` alias is written to directly, never replaced: replacing `/dev/stdout` would turn
  a device node into a regular file, and reopening a redirected stdout must not truncate it.
- the GitHub job summary is appended to, as GitHub Actions asks.

Temporary files are removed on every way out: a failed write, an exception, and the SIGTERM
or Ctrl-C the CLI turns into an exception (`discard_pending()` is there for its last resort).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import signal
import stat
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from checker.errors import OutputError, UsageError
from checker.textsafe import visible

How = Literal["replace", "direct", "append", "stdout"]

_FD_FOLDER = re.compile(r"^/(?:proc/[^/]+|dev)/fd$")
"""Folders whose entries are aliases of open file descriptors (`/dev/stdout` links here)."""
_MAX_LINKS = 40
"""Symlinks followed before a chain counts as a loop (Linux's own limit)."""
_SIGNALS = tuple(s for s in (signal.SIGINT, getattr(signal, "SIGTERM", None)) if s is not None)


@dataclass(frozen=True)
class OutputRequest:
    """One output the user asked for, before it is checked."""

    option: str
    """How the user named it, for messages: `--output`, `--report sarif`, `-o`."""
    path: str
    append: bool = False
    """Append to the file (the GitHub job summary) instead of replacing it."""
    create_parents: bool = True
    """Create missing parent folders when writing (never while checking)."""


@dataclass(frozen=True)
class Destination:
    """An output path that passed the checks, and how it will be written."""

    option: str
    path: str
    """As the user gave it: what messages name."""
    how: How
    target: str
    """The file replaced or appended to (symlinks followed), or the path opened directly."""
    create_parents: bool = False


STDOUT = Destination("stdout", "stdout", "stdout", "")
"""The report printed on standard output."""


@dataclass(frozen=True)
class OutputPlan:
    """Every output of a run, checked, with the umask read once for all of them."""

    destinations: tuple[Destination, ...]
    umask: int


def check_outputs(
    requests: Sequence[OutputRequest],
    *,
    stdout: bool = False,
    inputs: Sequence[tuple[str, str]] = (),
) -> OutputPlan:
    """Check every output before the audit starts; a UsageError names the first bad one.

    `stdout` says the main report goes to standard output (so `/dev/stdout` as a second
    output would print it twice); `inputs` are (option, path) of the files the run reads,
    which no output may replace. Nothing is created, and nothing is left behind.
    """
    seen: dict[object, str] = {}
    if stdout:
        identity = _stdout_identity()
        if identity is not None:
            seen[identity] = "stdout (the main report)"
    for option, path in inputs:
        with contextlib.suppress(OSError, ValueError):
            st = Path(path).stat()
            if stat.S_ISREG(st.st_mode):
                seen.setdefault((st.st_dev, st.st_ino), f"an input ({option})")
    destinations = []
    for request in requests:
        destination, identity = _check(request)
        if identity in seen:
            raise UsageError(f"{_named(request)}: is also {seen[identity]}")
        seen[identity] = f"{request.option} {_shown(request.path)}"
        destinations.append(destination)
    if stdout:
        destinations.insert(0, STDOUT)
    return OutputPlan(tuple(destinations), _read_umask())


def write_outputs(plan: OutputPlan, texts: Sequence[str]) -> None:
    """Write `texts[i]` to `plan.destinations[i]`; an OutputError names the path that failed.

    Files to replace are written to temporary files first, then devices, FIFOs, stdout and the
    appended summary, and only then are the temporary files renamed over their targets (with
    SIGINT and SIGTERM held back, so an interruption renames all of them or none). When any
    write fails, no file is replaced and no temporary file or new folder is left.
    """
    if len(texts) != len(plan.destinations):
        raise ValueError("one text per destination")
    staged: list[_Staged] = []
    created: list[str] = []
    committed = False
    try:
        for destination, text in zip(plan.destinations, texts, strict=True):
            if destination.how == "replace":
                staged.append(_stage(destination, _encode(text), plan.umask, created))
        for destination, text in zip(plan.destinations, texts, strict=True):
            if destination.how != "replace":
                _write_direct(destination, text)
        with _signals_held():
            for item in staged:
                try:
                    Path(item.temp).replace(item.destination.target)
                except OSError as exc:
                    raise OutputError(item.destination.path, _reason(exc)) from None
                _forget(item.temp)
            committed = True
    finally:
        for item in staged:
            _remove(item.temp)
        if not committed:
            for folder in reversed(created):
                with contextlib.suppress(OSError):
                    Path(folder).rmdir()


def discard_pending() -> None:
    """Remove every temporary file still being written: the CLI's last resort before it ends
    the process on an interruption whose cleanup did not finish in time."""
    with _PENDING_LOCK:
        pending = list(_PENDING)
    for temp in pending:
        _remove(temp)


# --- checking -------------------------------------------------------------------------------


def _check(request: OutputRequest) -> tuple[Destination, object]:
    """The destination for `request` and the identity that makes two paths "the same"."""
    if not request.path:
        raise UsageError(f"{request.option}: the path is empty")
    if "\0" in request.path:
        raise UsageError(f"{_named(request)}: a path cannot contain a NUL character")
    path = Path(request.path)
    try:
        st: os.stat_result | None = path.stat()
    except FileNotFoundError:
        st = None
    except NotADirectoryError:
        raise UsageError(f"{_named(request)}: {_file_in_the_way(path)}") from None
    except OSError as exc:  # a symlink loop, a folder it may not enter, a name too long
        raise UsageError(f"{_named(request)}: {_reason(exc)}") from None
    if request.path.endswith("/") and (st is None or not stat.S_ISDIR(st.st_mode)):
        raise UsageError(f"{_named(request)}: ends with '/', so it names a folder, not a file")
    if _is_fd_alias(path):
        if st is None:
            raise UsageError(f"{_named(request)}: no such open file")
        return _direct(request, st)
    if st is None or stat.S_ISREG(st.st_mode):
        return _file(request, st)
    if stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode):
        return _direct(request, st)
    if stat.S_ISDIR(st.st_mode):
        raise UsageError(f"{_named(request)}: is a folder, not a file")
    kind = "a socket" if stat.S_ISSOCK(st.st_mode) else "a block device"
    raise UsageError(f"{_named(request)}: is {kind}: a report cannot be written there")


def _file(request: OutputRequest, st: os.stat_result | None) -> tuple[Destination, object]:
    """A regular file, existing (`st`) or not yet, reached through any symlinks."""
    target = Path(request.path).resolve()
    if st is not None and not os.access(target, os.W_OK):  # what `>` would refuse, so do we
        raise UsageError(f"{_named(request)}: the file is read-only")
    if st is not None and request.append:
        _probe_append(request, target)
        destination = Destination(request.option, request.path, "append", str(target))
        return destination, (st.st_dev, st.st_ino)
    _check_folder(request, target.parent)
    how: How = "append" if request.append else "replace"
    destination = Destination(
        request.option, request.path, how, str(target), request.create_parents and st is None
    )
    return destination, ("new", str(target)) if st is None else (st.st_dev, st.st_ino)


def _direct(request: OutputRequest, st: os.stat_result) -> tuple[Destination, object]:
    if not os.access(request.path, os.W_OK):
        raise UsageError(f"{_named(request)}: permission denied")
    destination = Destination(request.option, request.path, "direct", request.path)
    return destination, (st.st_dev, st.st_ino)


def _check_folder(request: OutputRequest, folder: Path) -> None:
    """The folder a new file goes in exists (or can be created) and takes new files.

    Tried for real, with a probe file created and removed at once: permission bits say
    nothing to root, and /proc or a read-only mount refuse whatever the bits say.
    """
    existing = folder
    while True:
        try:
            st = existing.stat()
        except FileNotFoundError:
            if not request.create_parents:
                raise UsageError(
                    f"{_named(request)}: the folder {_folder(existing)} does not exist"
                ) from None
            if existing.parent == existing:
                raise UsageError(f"{_named(request)}: no folder of it exists") from None
            existing = existing.parent
            continue
        except NotADirectoryError:
            raise UsageError(f"{_named(request)}: {_file_in_the_way(existing)}") from None
        except OSError as exc:
            raise UsageError(f"{_named(request)}: {_folder(existing)}: {_reason(exc)}") from None
        break
    if not stat.S_ISDIR(st.st_mode):
        raise UsageError(f"{_named(request)}: {_folder(existing)} is a file, not a folder")
    try:
        fd, probe = tempfile.mkstemp(dir=existing, prefix=".ota-drift-probe.", suffix=".tmp")
    except OSError as exc:
        raise UsageError(
            f"{_named(request)}: cannot create files in {_folder(existing)}: {_reason(exc)}"
        ) from None
    os.close(fd)
    _remove(probe)


def _probe_append(request: OutputRequest, target: Path) -> None:
    """An existing file to append to can be opened for appending (nothing is written)."""
    try:
        fd = os.open(target, os.O_WRONLY | os.O_APPEND | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise UsageError(f"{_named(request)}: {_reason(exc)}") from None
    os.close(fd)


def _file_in_the_way(path: Path) -> str:
    """Which part of `path` is a file where a folder should be."""
    for part in path.parents:
        with contextlib.suppress(OSError):
            if not stat.S_ISDIR(part.stat().st_mode):
                return f"{_shown(str(part))} is a file, not a folder"
    return "a part of the path is a file, not a folder"


def _is_fd_alias(path: Path) -> bool:
    """True when `path`, or a symlink it leads through, is in /proc/*/fd or /dev/fd."""
    current = path.absolute()
    for _ in range(_MAX_LINKS):
        if _FD_FOLDER.match(current.parent.resolve().as_posix()):
            return True
        try:
            current = current.parent / current.readlink()
        except OSError:  # not a symlink (or gone): the chain ends here
            return False
    return False


def _stdout_identity() -> object | None:
    try:
        st = os.fstat(sys.stdout.fileno())
    except (AttributeError, OSError, ValueError):  # a StringIO, a closed or captured stream
        return None
    return (st.st_dev, st.st_ino)


def _read_umask() -> int:
    """The process umask. Reading it means setting it: done once per run, before any thread
    that could create a file exists."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# --- writing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Staged:
    destination: Destination
    temp: str


_PENDING: set[str] = set()
"""Temporary files being written, for discard_pending()."""
_PENDING_LOCK = threading.Lock()


def _encode(text: str) -> bytes:
    # The formats never produce a lone surrogate; a snapshot of a malformed live string
    # could. In JSON text `\udXXX` is exactly that string's escape, so nothing is lost.
    return text.encode("utf-8", "backslashreplace")


def _stage(destination: Destination, data: bytes, umask: int, created: list[str]) -> _Staged:
    """`data` in a new temporary file beside the target, with the target's final mode."""
    target = Path(destination.target)
    folder = target.parent
    try:
        if destination.create_parents:
            _make_folders(folder, created)
        try:
            existing: os.stat_result | None = target.stat()
        except FileNotFoundError:
            existing = None
        name = target.name
        with _signals_held():  # the file exists only once it is registered for removal
            # a name of up to NAME_MAX (255) bytes is valid; the temporary name must be too
            prefix = "." + name.encode()[:200].decode(errors="ignore") + "."
            fd, temp = tempfile.mkstemp(dir=folder, prefix=prefix, suffix=".tmp")
            with _PENDING_LOCK:
                _PENDING.add(temp)
    except OSError as exc:
        raise OutputError(destination.path, _reason(exc)) from None
    try:
        _write_all(fd, data)
        if existing is not None and stat.S_ISREG(existing.st_mode):
            mode = stat.S_IMODE(existing.st_mode) & 0o777
            _keep_owner(fd, existing)
        else:
            mode = 0o666 & ~umask
        if hasattr(os, "fchmod"):  # not on Windows before Python 3.13
            os.fchmod(fd, mode)
        os.fsync(fd)
    except BaseException as exc:  # a full disk, or an interruption: the temporary file goes
        os.close(fd)
        _remove(temp)
        if isinstance(exc, OSError):
            raise OutputError(destination.path, _reason(exc)) from None
        raise
    os.close(fd)
    return _Staged(destination, temp)


def _keep_owner(fd: int, existing: os.stat_result) -> None:
    """Root replacing someone's report gives the new file back to its owner (as `sed -i`)."""
    if not hasattr(os, "fchown") or (existing.st_uid, existing.st_gid) == (
        os.geteuid(),
        os.getegid(),
    ):
        return
    with contextlib.suppress(OSError):
        os.fchown(fd, existing.st_uid, existing.st_gid)


def _make_folders(folder: Path, created: list[str]) -> None:
    """Create `folder` and its missing parents, recording each folder created."""
    missing = [folder, *folder.parents]
    for path in reversed(missing):
        if path.is_dir():
            continue
        try:
            path.mkdir()
        except FileExistsError:
            continue
        created.append(str(path))


def _write_direct(destination: Destination, text: str) -> None:
    if destination.how == "stdout":
        _write_stdout(text)
        return
    flags = os.O_WRONLY | os.O_APPEND | getattr(os, "O_NOCTTY", 0)
    if destination.how == "append":
        flags |= os.O_CREAT
    fifo = _is_fifo(destination.target)
    try:
        # A FIFO nobody reads would block the open for ever: opened non-blocking, it fails
        # at once (ENXIO), then is switched back so that writes wait for a slow reader.
        fd = os.open(destination.target, flags | (os.O_NONBLOCK if fifo else 0), 0o666)
    except OSError as exc:
        if fifo and exc.errno == errno.ENXIO:
            raise OutputError(destination.path, "a FIFO that nobody reads") from None
        raise OutputError(destination.path, _reason(exc)) from None
    if fifo:
        os.set_blocking(fd, True)
    try:
        _write_all(fd, _encode(text))
    except OSError as exc:
        raise OutputError(destination.path, _reason(exc)) from None
    finally:
        os.close(fd)


def _write_stdout(text: str) -> None:
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except OSError as exc:  # a closed pipe (`| head`), a full disk (`> /dev/full`)
        _silence_stdout()
        raise OutputError("stdout", _reason(exc)) from None


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush cannot fail once more."""
    with contextlib.suppress(AttributeError, OSError, ValueError):
        fd = sys.stdout.fileno()
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, fd)
        os.close(null)


def _write_all(fd: int, data: bytes) -> None:
    """Every byte of `data`, however many calls a pipe or a signal makes it take."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _forget(temp: str) -> None:
    with _PENDING_LOCK:
        _PENDING.discard(temp)


def _remove(temp: str) -> None:
    Path(temp).unlink(missing_ok=True)
    _forget(temp)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM wait until the block is done (then their handlers run)."""
    if not hasattr(signal, "pthread_sigmask"):  # Windows: no signal masks
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


# --- messages -------------------------------------------------------------------------------


def _is_fifo(path: str) -> bool:
    try:
        return stat.S_ISFIFO(Path(path).stat().st_mode)
    except OSError:
        return False


def _shown(path: str) -> str:
    return visible(path)


def _folder(folder: Path) -> str:
    """A resolved folder as the user named it: relative below the current folder, else absolute."""
    relative = os.path.relpath(folder)
    return _shown(str(folder) if relative.startswith("..") else relative)


def _named(request: OutputRequest) -> str:
    return f"{request.option} {_shown(request.path)}"


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "too many levels of symbolic links (a symlink loop?)"
    return exc.strerror or str(exc)
