"""The inline certificate chains of one config, read for the rules OTA105-OTA111.

Each of those rules judges one property of the same chains; this is where they find them, so
that all seven agree on which documents there are and what each holds. Reading is cached per
document (`checker.certificates`), so seven rules over many updates sharing a chain read it
once.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from checker.certificates import Chain, Unreadable, read_chain
from checker.model import Path
from checker.rules.interface import ConfigView, dig, shown_value

CHAIN_DOCUMENT = ("certificateChain", "inlineDocument")
"""Where the chain is, below a file's `codeSigning.customCodeSigning`."""


@dataclass(frozen=True)
class InlineChain:
    """One file's inline chain: where it is, the file's name for messages, and what it holds."""

    custom: Mapping[str, Any]
    """The file's `customCodeSigning` block (OTA111 reads its `hashAlgorithm`)."""
    custom_path: Path
    file: str
    read: Chain | Unreadable

    @property
    def path(self) -> Path:
        return (*self.custom_path, *CHAIN_DOCUMENT)


def inline_chains(view: ConfigView) -> Iterator[InlineChain]:
    """Every file's `certificateChain.inlineDocument`, read. A file without one (absent, or
    only whitespace) has no chain to judge: whether it needs one is OTA103's question."""
    for index, file in enumerate(view.files):
        custom = dig(file, "codeSigning", "customCodeSigning")
        if not isinstance(custom, dict):
            continue
        document = dig(custom, *CHAIN_DOCUMENT)
        if document is None:
            continue
        if isinstance(document, str):
            if not document.strip():
                continue
            read = read_chain(document)
        else:
            read = Unreadable(f"it is {shown_value(document)}, not base64 text")
        name = file.get("fileName")
        shown = f"#{index}" if name is None else f"{name}" or f"#{index}"
        yield InlineChain(custom, ("files", index, "codeSigning", "customCodeSigning"), shown, read)


def readable_chains(view: ConfigView) -> Iterator[tuple[InlineChain, Chain]]:
    """The chains that could be read; one that could not is OTA105's finding."""
    for inline in inline_chains(view):
        if isinstance(inline.read, Chain):
            yield inline, inline.read


def example(document: str, hash_algorithm: str = "SHA256") -> str:
    """A documented example: one file custom-signed with the chain `document` (wrapped at 76
    characters, as base64 usually is; the whitespace is ignored when it is read)."""
    lines = [document[i : i + 76] for i in range(0, len(document), 76)] or [""]
    wrapped = "".join(f"            {line}\n" for line in lines)
    return f"""\
files:
  - fileName: fw.bin
    fileLocation: {{s3Location: {{bucket: fw, key: fw.bin, version: v3}}}}
    codeSigning:
      customCodeSigning:
        signature: {{inlineDocument: !!binary MEUCIQ==}}
        certificateChain:
          certificateName: signer
          inlineDocument: |
{wrapped}        hashAlgorithm: {hash_algorithm}
        signatureAlgorithm: ECDSA
"""


EXAMPLE_CHAIN = (
    "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJTRENCNzZBREFnRUNBaFI5ZWprd3BQWkMvWDhCU3BaTytM"
    "dnRFS3RkcURBS0JnZ3Foa2pPUFFRREFqQWYKTVIwd0d3WURWUVFEREJSQlkyMWxJRU52WkdVZ1UybG5ibWx1WnlC"
    "RFFUQWVGdzB5TmpBMk1ERXdNREF3TURCYQpGdzB5TnpBMk1ERXdNREF3TURCYU1CRXhEekFOQmdOVkJBTU1Cbk5w"
    "WjI1bGNqQlpNQk1HQnlxR1NNNDlBZ0VHCkNDcUdTTTQ5QXdFSEEwSUFCUDFGMkR6czZHbEszSGhyWENlWDU0aVJU"
    "RmtBWjFpY1NPYzNrUSsrNDBhTjNqSi8KdXZiWWRYUnNYMTVkMDFYcU5ETjVYaFFpcmw1SFczUHVNTmJWU2R1akZ6"
    "QVZNQk1HQTFVZEpRUU1NQW9HQ0NzRwpBUVVGQndNRE1Bb0dDQ3FHU000OUJBTUNBMGdBTUVVQ0lRRFFYZ2xsT3lu"
    "aEF6UHhUZkdGUVNXYmxMbVhUaVVrCkdDZndiUzdSdGFPWnZnSWdJUHFKUkpBZE5KMVpUWGxpbDY3MmNCMWRwWGJh"
    "TWFwZ3VHVDU0UlRNQ1RJPQotLS0tLUVORCBDRVJUSUZJQ0FURS0tLS0tCg=="
)
"""A P-256 code-signing certificate for `signer`, issued by `Acme Code Signing CA`, valid from
2026-06-01 to 2027-06-01, signed with SHA-256: every passing example's chain (public only)."""
