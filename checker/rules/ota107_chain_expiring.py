"""OTA107: no certificate of an inline chain expires soon after the audit."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import timedelta
from typing import Any

from checker.model import Severity, assume_utc
from checker.rules import references as ref
from checker.rules.inline_chains import EXAMPLE_CHAIN, example, readable_chains
from checker.rules.interface import Bounds, ConfigView, Param, RuleDoc, RuleMeta, Violation

MAX_DAYS_LEFT = 365

EXPIRING = (
    "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJTVENCNzZBREFnRUNBaFI1YzJTTVc4Rk5qaW9aWEpUMkxa"
    "aTZib2orQlRBS0JnZ3Foa2pPUFFRREFqQWYKTVIwd0d3WURWUVFEREJSQlkyMWxJRU52WkdVZ1UybG5ibWx1WnlC"
    "RFFUQWVGdzB5TmpBMk1ERXdNREF3TURCYQpGdzB5TmpFeU1UQXdNREF3TURCYU1CRXhEekFOQmdOVkJBTU1Cbk5w"
    "WjI1bGNqQlpNQk1HQnlxR1NNNDlBZ0VHCkNDcUdTTTQ5QXdFSEEwSUFCSUVhdm5TZEFJYldHR1pQc3dZR0FkUzVw"
    "Q1JkZGRrME5NWEhCUm8rVXlGR083U3QKeWUvUXdGdmhCR2FhV01zdkQ4ejZBcEV0UUN6elFGU2lmMzVwRFNxakZ6"
    "QVZNQk1HQTFVZEpRUU1NQW9HQ0NzRwpBUVVGQndNRE1Bb0dDQ3FHU000OUJBTUNBMGtBTUVZQ0lRQzNUanlmMDBm"
    "bkREaitUTytKV01Cc0dPMHQxVmhHCnU3MXFpWTZtZUFhOWtBSWhBTk5pbHY1SktGQUQ2Z1J4OWhCNk9LcnBveGFU"
    "cm5QS3NzQlhwVDN4OTREMwotLS0tLUVORCBDRVJUSUZJQ0FURS0tLS0tCg=="
)
"""`signer`'s certificate as EXAMPLE_CHAIN, but valid only until 2026-12-10."""


class CertificateExpiringSoon:
    meta = RuleMeta(
        rule_id="OTA107",
        title="Ensure no certificate of an inline chain expires soon",
        severity=Severity.HIGH,
        applies_to="both",
        params=(
            Param(
                "minDaysLeft",
                "int",
                30,
                "days each certificate of the chain must stay valid after the audit's clock",
                Bounds(
                    1,
                    MAX_DAYS_LEFT,
                    why="0 would flag only what has expired, which is OTA106's, and more than "
                    f"{MAX_DAYS_LEFT} days, a year, would flag a code-signing certificate for "
                    "most of its life",
                ),
            ),
        ),
        doc=RuleDoc(
            what="A certificate of a file's `customCodeSigning.certificateChain.inlineDocument` "
            "(the leaf or any issuer), valid now, has fewer than `minDaysLeft` days left "
            "before its `notAfter`, counted from the audit's clock (`--as-of`). Exactly "
            "`minDaysLeft` days left passes. One finding per certificate; one already expired "
            "or not yet valid is OTA106's.",
            why="A rollout takes days or weeks, and a device that checks the chain rejects the "
            "image once a certificate has expired: devices reached late, or retrying, fail. "
            "Renewing takes time (a new key, a new signature, a new update), so the warning "
            "has to come before the expiry.",
            fix="Renew the certificate now, sign the image again and put the new chain in the "
            "update before the rollout continues.",
            failing=example(EXPIRING),
            passing=example(EXAMPLE_CHAIN),
            references=(ref.ETSI_5_3_9, ref.NIST_8259A_UPDATE, ref.RFC_5280_VALIDITY),
        ),
    )

    def check(self, view: ConfigView, params: Mapping[str, Any]) -> Iterator[Violation]:
        now = assume_utc(view.now)
        limit = params["minDaysLeft"]
        for inline, chain in readable_chains(view):
            count = len(chain.certificates)
            for certificate in chain.certificates:
                if not certificate.not_before <= now <= certificate.not_after:
                    continue  # outside its validity period: OTA106's
                left = certificate.not_after - now
                if left < timedelta(days=limit):
                    yield Violation(
                        inline.path,
                        f"file {inline.file}: {certificate.label(count)} expires at "
                        f"{certificate.not_after.isoformat()}, {_left(left)} after the audit "
                        f"(policy: at least {limit} days left)",
                    )


def _left(left: timedelta) -> str:
    """`14 days 3 h`, `1 day`, `5 h`, `0 h 20 min`: the time left, to the minute."""
    hours, seconds = divmod(left.seconds, 3600)
    days = f"{left.days} day{'s' if left.days != 1 else ''}" if left.days else ""
    if days:
        return f"{days} {hours} h" if hours else days
    return f"{hours} h" if seconds < 60 else f"{hours} h {seconds // 60} min"
