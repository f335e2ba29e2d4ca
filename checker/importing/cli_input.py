"""`--format cli-input`: one `<otaUpdateId>.json` per update, the document
`aws iot create-ota-update --cli-input-json file://<otaUpdateId>.json` takes (and
`checker/declared/cli_input.py` reads): create-ota-update's parameters at the top.

A signature is written in base64, as AWS CLI v2 reads blobs by default (and the reader reads
them), so any bytes read back as they are; AWS CLI v1 would send that text as its raw bytes.
An otaUpdateId is letters, digits, `_` and `-`, so it is a file name as it is (two that differ
only in case are refused: they would be one file on macOS or Windows).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from checker.importing.declare import base64_blobs
from checker.importing.interface import Entry, OutputFile
from checker.servicemodel import validate_entry

SUFFIX = ".json"
INDENT = 4
"""As `aws iot create-ota-update --generate-cli-skeleton input` prints it."""


class CliInputWriter:
    name = "cli-input"
    first_file: str | None = None

    def may_write(self, name: str) -> bool:
        """`<otaUpdateId>.json`, for any id botocore's model accepts."""
        ota_id = name.removesuffix(SUFFIX)
        if ota_id == name:
            return False
        return not any(p == ("otaUpdateId",) for p, _ in validate_entry({"otaUpdateId": ota_id}))

    def prepare(self, entry: Entry) -> Entry | list[str]:
        return base64_blobs(entry)

    def render(self, entries: Sequence[Entry], notes: Sequence[str]) -> list[OutputFile]:
        return [
            OutputFile(
                f"{entry['otaUpdateId']}{SUFFIX}",
                json.dumps(entry, indent=INDENT, ensure_ascii=False) + "\n",
                1,
            )
            for entry in entries
        ]
