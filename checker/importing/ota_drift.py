"""`--format ota-drift`: `ota-updates.yaml`, `otaUpdates:` holding every update's
create_ota_update kwargs, the format `checker/declared/ota_drift.py` reads (more files,
`ota-updates-2.yaml`, ..., for a fleet over the size a declared file may have: `split`).

A signature that is UTF-8 text is written as that text, which the reader sends as its UTF-8
bytes (as boto3 does); any other bytes (a DER signature) as `!!binary`, which reads back as the
same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence

from checker.importing.declare import text_blobs
from checker.importing.interface import Entry, OutputFile
from checker.importing.split import is_numbered, packed
from checker.importing.yamltext import comment_lines, sequence_lines

FILE_NAME = "ota-updates.yaml"
TOP_KEY = "otaUpdates"


class OtaDriftWriter:
    name = "ota-drift"
    first_file: str | None = FILE_NAME

    def may_write(self, name: str) -> bool:
        return is_numbered(name, FILE_NAME)

    def prepare(self, entry: Entry) -> Entry | list[str]:
        return text_blobs(entry)

    def render(self, entries: Sequence[Entry], notes: Sequence[str]) -> list[OutputFile]:
        head = "".join(f"{line}\n" for line in [*comment_lines(notes), f"{TOP_KEY}:"])
        items = ["".join(f"{line}\n" for line in sequence_lines([e], "  ")) for e in entries]
        return packed(FILE_NAME, head, items)
