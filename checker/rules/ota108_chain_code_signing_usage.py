"""OTA108: the leaf of an inline chain is a code-signing certificate."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checker.certificates import CODE_SIGNING, usage_names
from checker.model import Severity
from checker.rules import references as ref
from checker.rules.inline_chains import EXAMPLE_CHAIN, example, readable_chains
from checker.rules.interface import ConfigView, RuleDoc, RuleMeta, Violation

SERVER_AUTH = (
    "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJTRENCNzZBREFnRUNBaFFFUW02ZHdId0p4NEFaT0JzWjZq"
    "bE1Ub21DSGpBS0JnZ3Foa2pPUFFRREFqQWYKTVIwd0d3WURWUVFEREJSQlkyMWxJRU52WkdVZ1UybG5ibWx1WnlC"
    "RFFUQWVGdzB5TmpBMk1ERXdNREF3TURCYQpGdzB5TnpBMk1ERXdNREF3TURCYU1CRXhEekFOQmdOVkJBTU1Cbk5w"
    "WjI1bGNqQlpNQk1HQnlxR1NNNDlBZ0VHCkNDcUdTTTQ5QXdFSEEwSUFCTmIrTmV3R3Q1Z1BBYXROTnhocGdGZnZK"
    "dUZyOVBXNG1Iam5BcXdvVCtDODlEMVQKQmdiZEdwcEJsc3FaS3h1cmpLNGwyWTdVSlkrOG9jZ1IzMndEKzh5akZ6"
    "QVZNQk1HQTFVZEpRUU1NQW9HQ0NzRwpBUVVGQndNQk1Bb0dDQ3FHU000OUJBTUNBMGdBTUVVQ0lGdERxQmtqZEIy"
    "NVlyU0hVcW9TZnExdkkxUGZCRFd1CmNEUUVPbHJIMXF4ekFpRUF3ZnZxaFNWMVR6WHVGeGMyMUozTzdkY3Zjam5x"
    "MkVjUmkyakJrRHRIVkY0PQotLS0tLUVORCBDRVJUSUZJQ0FURS0tLS0tCg=="
)
"""`signer`'s certificate as EXAMPLE_CHAIN, but for TLS servers (serverAuth) only."""


class LeafNotForCodeSigning:
    meta = RuleMeta(
        rule_id="OTA108",
        title="Ensure the leaf of an inline chain has the code-signing extended key usage",
        severity=Severity.HIGH,
        applies_to="both",
        doc=RuleDoc(
            what="The leaf (the first certificate) of a file's "
            "`customCodeSigning.certificateChain.inlineDocument` has no extended key usage "
            "extension, or one that does not list `codeSigning` (1.3.6.1.5.5.7.3.3); "
            "`anyExtendedKeyUsage` does not count. Only the leaf is judged: issuers sign "
            "certificates, not code. A chain that cannot be read is OTA105's.",
            why="A certificate issued for something else (a TLS server, a device's MQTT "
            "identity) was never vetted for signing firmware, and its key sits where that "
            "use needs it, on a web server or a device. FreeRTOS's code-signing guidance "
            "issues the certificate with this usage, and devices that check it reject the "
            "image.",
            fix="Have the CA issue a certificate with the Code Signing extended key usage "
            "(`extendedKeyUsage = codeSigning`), sign the image with its key and put its chain "
            "in the update.",
            failing=example(SERVER_AUTH),
            passing=example(EXAMPLE_CHAIN),
            references=(ref.ETSI_5_3_10, ref.NIST_8259A_UPDATE, ref.FREERTOS_SIGNING),
        ),
    )

    def check(self, view: ConfigView, params: Mapping[str, Any]) -> Iterator[Violation]:
        for inline, chain in readable_chains(view):
            leaf = chain.leaf
            label = leaf.label(len(chain.certificates))
            if leaf.usages is None:
                yield Violation(
                    inline.path,
                    f"file {inline.file}: {label} has no extended key usage extension, so no "
                    "codeSigning usage",
                )
            elif CODE_SIGNING not in leaf.usages:
                yield Violation(
                    inline.path,
                    f"file {inline.file}: {label} has the extended key usages "
                    f"{usage_names(leaf.usages)}, not codeSigning",
                )
