"""Reading input files the same way everywhere: only regular files, bounded reads, strict UTF-8.

Every input (declared files, policy packs, `--state`) goes through `read_text`, so the rules
hold for all of them alike: a FIFO, a device or a socket is refused by its `stat` before it is
opened (a FIFO without a writer would block `open` for ever, `/dev/zero` never ends); a size
limit counts the bytes actually read, never the size on disk; and whatever cannot be read is an
`InputError` that says why, never a skipped file.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from checker.errors import InputError

MAX_DEPTH = 64
"""Nesting deeper than any OTA config needs, for YAML and JSON alike (the root is level 0)."""
MAX_NUMBER_CHARS = 100
"""Longest number literal accepted in any input. No OTA value comes near (a 64-bit integer has
20 digits); it keeps Python's 4,300-digit conversion limit and its quadratic cost far away."""

_CHUNK = 1 << 20
_OPEN_FLAGS: int = sum(
    getattr(os, flag, 0) for flag in ("O_NONBLOCK", "O_NOCTTY", "O_CLOEXEC", "O_BINARY")
)
"""Read-only (0), and of these flags those this OS has; each is one distinct bit."""
_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def display_path(path: str | os.PathLike[str]) -> str:
    """The path relative to the current directory, with forward slashes, as reports show it."""
    try:
        shown = os.path.relpath(path)
    except ValueError:  # another drive on Windows: no relative form exists
        shown = os.fspath(path)
    return Path(shown).as_posix()


def kind_of(mode: int) -> str:
    """What a file that is not a regular file is, in words: 'a FIFO (named pipe)'."""
    return next((name for test, name in _KINDS if test(mode)), "an unknown kind of file")


def stat_input(path: Path) -> os.stat_result:
    """The status of `path` after following symlinks, or an InputError saying why there is none."""
    try:
        return path.stat()
    except OSError as exc:
        raise InputError.one(display_path(path), None, why_unreadable(path, exc)) from None


def why_unreadable(path: Path, exc: OSError) -> str:
    """Why `path` cannot be used, in words: a dangling symlink is not 'no such file'."""
    if exc.errno == errno.ENOENT:
        try:
            target = os.fspath(path.readlink())
        except OSError:
            return "no such file or directory"
        return f"dangling symlink: its target {target!r} does not exist"
    if exc.errno == errno.ELOOP:
        return "symlink loop: following its links never reaches a file"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "cannot read: permission denied"
    if exc.errno == errno.ENOTDIR:
        return "a component of the path is not a directory"
    return f"cannot read: {exc.strerror or exc}"


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """The contents of the regular file `path`, at most `max_bytes` of them, or an InputError."""
    shown = display_path(path)
    status = stat_input(path)
    if not stat.S_ISREG(status.st_mode):
        raise InputError.one(shown, None, _not_regular(status.st_mode))
    try:
        # O_NONBLOCK: should a FIFO replace the file after the stat above, open returns at
        # once instead of waiting for a writer, and the fstat below refuses it.
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        raise InputError.one(shown, None, why_unreadable(path, exc)) from None
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode):
            raise InputError.one(shown, None, _not_regular(opened.st_mode))
        if opened.st_size > max_bytes:  # a regular file holds at least its size: no need to read
            message = f"file is {_amount(opened.st_size)}, over the {_size(max_bytes)} limit"
            raise InputError.one(shown, None, message)
        data = _read_at_most(fd, max_bytes + 1, opened.st_size)
    except OSError as exc:
        raise InputError.one(shown, None, f"cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:  # it grew while being read, or its size on disk says nothing
        raise InputError.one(shown, None, f"file holds more than the {_size(max_bytes)} limit")
    return data


def read_text(path: Path, max_bytes: int) -> str:
    """The file's text, or an InputError naming the file (and the line of a bad byte)."""
    data = read_bytes(path, max_bytes)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError.one(
            display_path(path),
            line,
            f"not UTF-8: byte 0x{data[exc.start]:02x} cannot be decoded",
        ) from None


def _read_at_most(fd: int, limit: int, size_hint: int) -> bytes:
    """Up to `limit` bytes: whatever the size on disk claims, the reads stop at `limit`."""
    chunks: list[bytes] = []
    total = 0
    want = min(max(size_hint + 1, 1 << 16), limit)  # usually the whole file in one read
    while total < limit:
        chunk = os.read(fd, min(want, limit - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
        want = _CHUNK
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _not_regular(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "is a directory, expected a file"
    return f"is {kind_of(mode)}, not a regular file"


def _amount(size: int) -> str:
    return f"{size / 2**20:.1f} MiB" if size >= 2**20 else f"{size:,} bytes"


def _size(limit: int) -> str:
    return f"{limit // 2**20} MiB" if limit % 2**20 == 0 else f"{limit:,}-byte"
