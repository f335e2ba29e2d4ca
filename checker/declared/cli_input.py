"""AWS CLI input documents: what `aws iot create-ota-update --cli-input-json file://x.json`
(or AWS CLI v2's `--cli-input-yaml`) takes, a mapping of the operation's parameters.

`--generate-cli-skeleton input` prints one with placeholder values ("", 0, [""]); they are
read like any other values, so each gets the usual validation error at its line.

A signature (`customCodeSigning.signature.inlineDocument`) is base64, as AWS CLI v2 reads
blobs by default (`--cli-binary-format base64`). AWS CLI v1 sends such text as its raw bytes
instead: a v1 file whose signature is not base64 is refused, never compared as other bytes.
"""

from __future__ import annotations

from checker.declared.entries import declared_update
from checker.declared.interface import Document, ReadOptions
from checker.errors import InputError
from checker.model import DeclaredUpdate

_MARKERS = ("otaUpdateId", "targets", "files")
"""CreateOTAUpdate's required parameters: a document with one of them at the top is this
format, and any other key it has gets the did-you-mean of an unknown parameter."""


class CliInputReader:
    name = "cli-input"
    described = (
        "an AWS CLI input document (create-ota-update parameters, as --cli-input-json takes)"
    )
    accepts_intrinsic_tags = False

    def recognises(self, document: Document) -> bool:
        value = document.value
        return isinstance(value, dict) and any(key in value for key in _MARKERS)

    def parameter_names(self, document: Document) -> frozenset[str]:
        return frozenset()

    def read(self, document: Document, options: ReadOptions) -> list[DeclaredUpdate]:
        top = [line for path, line in document.lines.items() if len(path) == 1]
        result = declared_update(
            document.value,
            file=document.file,
            line=min(top, default=1),
            key_lines=document.lines,
            blobs="base64",
        )
        if isinstance(result, list):
            raise InputError(result)
        return [result]
