"""The ota-drift format: a mapping whose `otaUpdates` list holds create_ota_update kwargs."""

from __future__ import annotations

from typing import Any

from checker.declared.entries import declared_update
from checker.declared.interface import Document, ReadOptions
from checker.errors import InputError, Problem
from checker.model import DeclaredUpdate, Path

TOP_KEY = "otaUpdates"


class OtaDriftReader:
    name = "ota-drift"
    described = "an ota-drift file (a mapping with an 'otaUpdates' list)"
    accepts_intrinsic_tags = False

    def recognises(self, document: Document) -> bool:
        return isinstance(document.value, dict) and TOP_KEY in document.value

    def parameter_names(self, document: Document) -> frozenset[str]:
        return frozenset()

    def read(self, document: Document, options: ReadOptions) -> list[DeclaredUpdate]:
        doc, lines, shown = document.value, document.lines, document.file
        if "version" in doc and "capturedAt" in doc:
            raise InputError.one(
                shown,
                lines.get(("version",), 1),
                "is an ota-drift snapshot (live state), not a declaration: "
                "pass it to `check --state`",
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
        by_entry: dict[Any, dict[Path, int]] = {}  # one pass: a file may hold thousands
        for path, line in lines.items():
            if len(path) > 2 and path[0] == TOP_KEY:
                by_entry.setdefault(path[1], {})[path[2:]] = line
        updates = []
        for index, entry in enumerate(entries):
            root: Path = (TOP_KEY, index)
            result = declared_update(
                entry,
                file=shown,
                line=lines.get(root, 1),
                key_lines=by_entry.get(index, {}),
            )
            if isinstance(result, list):
                problems.extend(result)
            else:
                updates.append(result)
        if problems:
            raise InputError(problems)
        return updates
