"""OTA129: the certificate behind each file is for code signing."""

from __future__ import annotations

from typing import Any

import pytest

from checker.rules.ota129_certificate_code_signing_usage import CertificateNotForCodeSigning
from tests.rules.chain_configs import CERT, JOB_PATH, certificate, found, job, one
from tests.rules.harness import live_views, violations

RULE = CertificateNotForCodeSigning()


def test_the_usages_it_has_are_listed() -> None:
    found_by_id = violations(RULE, live_views("OTA129"))
    assert [(v.path, v.message) for v in found_by_id["fail_server_auth_only"]] == [
        (
            JOB_PATH,
            f"file fw.bin: certificate {CERT} has no CODE_SIGNING extended key usage (lists "
            "only TLS_WEB_SERVER_AUTHENTICATION)",
        )
    ]


def test_a_certificate_without_usages_lacks_code_signing() -> None:
    found_by_id = violations(RULE, live_views("OTA129"))
    assert [v.message for v in found_by_id["fail_no_usages"]] == [
        f"file fw.bin: certificate {CERT} has no CODE_SIGNING extended key usage (lists none)"
    ]
    config = one(signingJob=job(certificateArn=CERT), certificate=certificate(extendedKeyUsages=[]))
    assert [m for _, m in found(RULE, config)] == [
        f"file fw.bin: certificate {CERT} has no CODE_SIGNING extended key usage (lists none)"
    ]


@pytest.mark.parametrize(
    "usages", ["CODE_SIGNING", ["code_signing", 3], [None], [["CODE_SIGNING"]], {"x": 1}, [""]]
)
def test_odd_usages_are_not_judged(usages: Any) -> None:
    config = one(
        signingJob=job(certificateArn=CERT), certificate=certificate(extendedKeyUsages=usages)
    )
    assert found(RULE, config) == []


def test_a_certificate_not_found_is_not_judged() -> None:
    config = one(
        signingJob=job(certificateArn=CERT), certificate={"certificateArn": CERT, "found": False}
    )
    assert found(RULE, config) == []
