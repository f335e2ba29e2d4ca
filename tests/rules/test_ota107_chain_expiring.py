"""OTA107: no certificate of an inline chain has fewer than minDaysLeft days left."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from checker.rules.ota107_chain_expiring import CertificateExpiringSoon
from tests.rules import chains
from tests.rules.chains import after
from tests.rules.harness import declared_views, live_views, violations

RULE = CertificateExpiringSoon()


def _messages(not_after: datetime, **params: Any) -> list[str]:
    leaf = chains.issue(issuer=chains.authority(), not_after=not_after).certificate
    return chains.messages(RULE, chains.config(chains.document(leaf)), **params)


def test_an_expiring_leaf_says_how_long_is_left() -> None:
    found = violations(RULE, declared_views("OTA107"))["fail_expiring"]
    assert [(v.path, v.message) for v in found] == [
        (
            ("files", 0, "codeSigning", "customCodeSigning", "certificateChain", "inlineDocument"),
            "file fw.bin: certificate (signer) expires at 2026-12-10T00:00:00+00:00, 15 days "
            "after the audit (policy: at least 30 days left)",
        )
    ]
    assert violations(RULE, live_views("OTA107"))["fail_expiring"] == found


def test_an_expiring_issuer_is_named_by_its_place_in_the_chain() -> None:
    found = violations(RULE, declared_views("OTA107"))["fail_issuer_expiring"]
    assert [v.message for v in found] == [
        "file fw.bin: certificate 2 of 2 (Acme Code Signing CA) expires at "
        "2026-12-01T00:00:00+00:00, 6 days after the audit (policy: at least 30 days left)"
    ]


def test_exactly_min_days_left_passes() -> None:
    assert _messages(after(30)) == []
    assert _messages(after(30, hours=-1)) == [
        "file fw.bin: certificate (signer) expires at 2026-12-24T23:00:00+00:00, 29 days 23 h "
        "after the audit (policy: at least 30 days left)"
    ]


def test_the_time_left_is_shown_to_the_minute_under_a_day() -> None:
    assert _messages(after(1))[0].endswith(
        ", 1 day after the audit (policy: at least 30 days left)"
    )
    assert ", 5 h after the audit" in _messages(after(hours=5))[0]
    assert ", 0 h 20 min after the audit" in _messages(after(minutes=20))[0]
    assert ", 0 h after the audit" in _messages(after(0))[0]  # valid through notAfter


def test_the_parameter_moves_the_threshold() -> None:
    assert _messages(after(15), minDaysLeft=15) == []
    assert len(_messages(after(100), minDaysLeft=365)) == 1


def test_expired_and_not_yet_valid_are_left_to_ota106() -> None:
    views = violations(RULE, declared_views("OTA107"))
    assert views["pass_expired"] == views["pass_not_yet_valid"] == []
