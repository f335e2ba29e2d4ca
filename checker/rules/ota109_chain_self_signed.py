"""OTA109: the leaf of an inline chain is issued by a CA, not by itself."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checker.model import Severity
from checker.rules import references as ref
from checker.rules.inline_chains import EXAMPLE_CHAIN, example, readable_chains
from checker.rules.interface import ConfigView, RuleDoc, RuleMeta, Violation

SELF_SIGNED = (
    "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJPakNCNGFBREFnRUNBaFJNdDNiQ2ZrelFjQmNCZGxDV1lO"
    "VlNIZzVZSWpBS0JnZ3Foa2pPUFFRREFqQVIKTVE4d0RRWURWUVFEREFaemFXZHVaWEl3SGhjTk1qWXdOakF4TURB"
    "d01EQXdXaGNOTWpjd05qQXhNREF3TURBdwpXakFSTVE4d0RRWURWUVFEREFaemFXZHVaWEl3V1RBVEJnY3Foa2pP"
    "UFFJQkJnZ3Foa2pPUFFNQkJ3TkNBQVFXClpGdERkRWl6ZlRDcGhFYVZiQWNTRTJJdnZ3SXZwNnBZWGpMSTFqQktT"
    "Vmtodm9Db3RzQVN1OWNlMXlQT1kvMzIKNk9XNjFoRXUvdytOYzBOam1MSmpveGN3RlRBVEJnTlZIU1VFRERBS0Jn"
    "Z3JCZ0VGQlFjREF6QUtCZ2dxaGtqTwpQUVFEQWdOSUFEQkZBaUVBZ0gwQnFXSk9Sc3NFY211ZEViMGRoVWVBdHZB"
    "bS80UXVPaWhWWHRBNjlKWUNJSDJnCnNuWDRjZlRrT2VJaHVmVEJ0KzNoWHc3UmdicElxbXVoVHNHdzFzMWwKLS0t"
    "LS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo="
)
"""A P-256 code-signing certificate for `signer`, valid 2026-06-01 to 2027-06-01, issued by
itself."""


class LeafSelfSigned:
    meta = RuleMeta(
        rule_id="OTA109",
        title="Ensure the leaf of an inline chain is not self-signed",
        severity=Severity.HIGH,
        applies_to="both",
        doc=RuleDoc(
            what="The leaf (the first certificate) of a file's "
            "`customCodeSigning.certificateChain.inlineDocument` is self-signed: its issuer "
            "is its own subject and its own key verifies its signature. A chain that cannot be "
            "read is OTA105's.",
            why="A self-signed certificate vouches for itself: trusting it means trusting that "
            "one key directly, with no CA to revoke it or issue a successor, so a leaked key "
            "can only be replaced by reflashing every device. FreeRTOS uses self-signed "
            "code-signing certificates for tests only: in production one usually means the "
            "fleet trusts a test signer, whose key sits on a developer's machine.",
            fix="Issue the code-signing certificate from a CA (AWS Private CA or your own), "
            "provision the devices with the CA's certificate, sign the image with the issued "
            "certificate's key and put the chain in the update.",
            failing=example(SELF_SIGNED),
            passing=example(EXAMPLE_CHAIN),
            references=(ref.ETSI_5_3_10, ref.NIST_8259A_UPDATE, ref.FREERTOS_SIGNING),
        ),
    )

    def check(self, view: ConfigView, params: Mapping[str, Any]) -> Iterator[Violation]:
        for inline, chain in readable_chains(view):
            leaf = chain.leaf
            if leaf.self_signed:
                yield Violation(
                    inline.path,
                    f"file {inline.file}: {leaf.label(len(chain.certificates))} is self-signed "
                    "(FreeRTOS: for tests only); no CA vouches for the signer",
                )
