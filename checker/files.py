"""Reading input files the same way everywhere: size cap, strict UTF-8, paths as users see them."""

from __future__ import annotations

import os
from pathlib import Path

from checker.errors import InputError


def display_path(path: str | os.PathLike[str]) -> str:
    """The path relative to the current directory, with forward slashes, as reports show it."""
    try:
        shown = os.path.relpath(path)
    except ValueError:  # another drive on Windows: no relative form exists
        shown = os.fspath(path)
    return Path(shown).as_posix()


def read_text(path: Path, max_bytes: int | None = None) -> str:
    """The file's text, or an InputError naming the file (and the line of a bad byte)."""
    shown = display_path(path)
    try:
        if max_bytes is not None:
            size = path.stat().st_size
            if size > max_bytes:
                raise InputError.one(
                    shown,
                    None,
                    f"file is {size / 2**20:.1f} MiB, over the {max_bytes / 2**20:g} MiB limit",
                )
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError.one(shown, None, "no such file or directory") from None
    except IsADirectoryError:
        raise InputError.one(shown, None, "is a directory, expected a file") from None
    except OSError as exc:
        raise InputError.one(shown, None, f"cannot read: {exc.strerror}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError.one(
            shown, line, f"not UTF-8: byte 0x{data[exc.start]:02x} cannot be decoded"
        ) from None
