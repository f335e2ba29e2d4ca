"""OTA106: every certificate of an inline chain is valid at the audit's time."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checker.model import Severity, assume_utc
from checker.rules import references as ref
from checker.rules.inline_chains import EXAMPLE_CHAIN, example, readable_chains
from checker.rules.interface import ConfigView, RuleDoc, RuleMeta, Violation

EXPIRED = (
    "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJSekNCNzZBREFnRUNBaFE1N3FDd0dxdkJGbUE4aDdkYm0z"
    "UVI5VWQ5RXpBS0JnZ3Foa2pPUFFRREFqQWYKTVIwd0d3WURWUVFEREJSQlkyMWxJRU52WkdVZ1UybG5ibWx1WnlC"
    "RFFUQWVGdzB5TlRFeE1ERXdNREF3TURCYQpGdzB5TmpFeE1ERXdNREF3TURCYU1CRXhEekFOQmdOVkJBTU1Cbk5w"
    "WjI1bGNqQlpNQk1HQnlxR1NNNDlBZ0VHCkNDcUdTTTQ5QXdFSEEwSUFCTnpNQjJOaHNJM1lpK2FtVHQ1L2t4c1ds"
    "S2ZwNFhqWEl3RTZSdkZ3cnJvdlk0c1oKVTliS0xidnhTRmlPaldjSFFhK2huakpVM0xSbHhxcWlpRFIxNzV1akZ6"
    "QVZNQk1HQTFVZEpRUU1NQW9HQ0NzRwpBUVVGQndNRE1Bb0dDQ3FHU000OUJBTUNBMGNBTUVRQ0lFTUNvNmR1dTBS"
    "bE9mclZBWUIycEJpbDlCRFZEeUZtCi9ObE1DczJpR2NOUkFpQklhbGZ5enk5Uy9FalV2Rk1vcFpPQW5DMjlmTjl0"
    "N0M1THRHSkczd2Y5OFE9PQotLS0tLUVORCBDRVJUSUZJQ0FURS0tLS0tCg=="
)
"""`signer`'s certificate as EXAMPLE_CHAIN, but valid only from 2025-11-01 to 2026-11-01."""


class CertificateOutsideValidity:
    meta = RuleMeta(
        rule_id="OTA106",
        title="Ensure every certificate of an inline chain is within its validity period",
        severity=Severity.CRITICAL,
        applies_to="both",
        doc=RuleDoc(
            what="A certificate of a file's `customCodeSigning.certificateChain.inlineDocument` "
            "(the leaf or any issuer) has a `notAfter` before the audit's clock (`--as-of`): "
            "it has expired; or a `notBefore` after it: it is not valid yet. Both ends are "
            "inclusive, as RFC 5280 says. One finding per certificate; a chain that cannot be "
            "read is OTA105's.",
            why="A device that checks the chain rejects an image whose certificate has expired "
            "or is not valid yet, so the rollout fails on every such device. One that does not "
            "check trusts a certificate whose key nobody vouches for any more.",
            fix="Sign the image again with a certificate valid now and for the whole rollout, "
            "and put its chain in the update; renew an expired issuer first.",
            failing=example(EXPIRED),
            passing=example(EXAMPLE_CHAIN),
            references=(
                ref.ETSI_5_3_9,
                ref.ETSI_5_3_10,
                ref.NIST_8259A_UPDATE,
                ref.RFC_5280_VALIDITY,
            ),
        ),
    )

    def check(self, view: ConfigView, params: Mapping[str, Any]) -> Iterator[Violation]:
        now = assume_utc(view.now)
        for inline, chain in readable_chains(view):
            count = len(chain.certificates)
            for certificate in chain.certificates:
                label = certificate.label(count)
                if certificate.not_after < now:
                    yield Violation(
                        inline.path,
                        f"file {inline.file}: {label} expired at "
                        f"{certificate.not_after.isoformat()}, before the audit's "
                        f"{now.isoformat()}",
                    )
                elif certificate.not_before > now:
                    yield Violation(
                        inline.path,
                        f"file {inline.file}: {label} is not valid until "
                        f"{certificate.not_before.isoformat()}, after the audit's "
                        f"{now.isoformat()}",
                    )
