"""OTA102: custom code signing names an allowed hash and signature algorithm."""

from __future__ import annotations

import copy
from typing import Any

from checker.rules.interface import ConfigView
from checker.rules.ota102_signing_algorithms import SigningAlgorithmNotAllowed
from tests.rules.harness import AS_OF, declared_views, fired, violations

RULE = SigningAlgorithmNotAllowed()
CUSTOM = ("files", 0, "codeSigning", "customCodeSigning")


def _view(config: Any) -> ConfigView:
    return ConfigView("odd", "live", config, AS_OF)


def test_comparison_ignores_case() -> None:
    """`sha384` and `rsa` in lower case are the allowed SHA384 and RSA."""
    assert violations(RULE, declared_views("OTA102"))["pass_sha384_rsa_in_lower_case"] == []


def test_parameters_move_the_allowed_sets() -> None:
    """Allowing SHA1 silences fail_sha1; allowing only SHA512 makes SHA256 fire."""
    views = declared_views("OTA102")
    assert "fail_sha1" not in fired(RULE, views, {"allowedHashAlgorithms": ["SHA256", "SHA1"]})
    strict = fired(RULE, views, {"allowedHashAlgorithms": ["SHA512"]})
    assert {"pass_sha256_ecdsa", "pass_sha384_rsa_in_lower_case"} <= strict
    assert "pass_sha512_ecdsa" not in strict
    only_rsa = fired(RULE, views, {"allowedSignatureAlgorithms": ["RSA"]})
    assert "pass_sha256_ecdsa" in only_rsa


def test_points_at_the_offending_key_of_the_offending_file() -> None:
    """The violation names the second file's hashAlgorithm and its value."""
    found = violations(RULE, declared_views("OTA102"))["fail_second_file_md5"]
    assert [(v.path, v.message) for v in found] == [
        (
            ("files", 1, "codeSigning", "customCodeSigning", "hashAlgorithm"),
            "file boot.bin: hashAlgorithm MD5 is not allowed (allowed: SHA256, SHA384, SHA512)",
        )
    ]


def test_a_missing_algorithm_points_at_its_own_absent_key() -> None:
    """An absent algorithm is one violation per key, each at its own path (two distinct paths)."""
    found = violations(RULE, declared_views("OTA102"))["fail_no_algorithms"]
    assert [(v.path, v.message) for v in found] == [
        (
            (*CUSTOM, "hashAlgorithm"),
            "file fw.bin: customCodeSigning has no hashAlgorithm (allowed: SHA256, SHA384, SHA512)",
        ),
        (
            (*CUSTOM, "signatureAlgorithm"),
            "file fw.bin: customCodeSigning has no signatureAlgorithm (allowed: ECDSA, RSA)",
        ),
    ]


def test_tolerates_odd_live_data_without_changing_it() -> None:
    """Wrong types neither raise nor get modified; a non-string algorithm fires with its repr."""
    odd: list[Any] = [
        {"files": "fw.bin"},
        {"files": [None, 3, {"codeSigning": "yes"}, {"codeSigning": {"customCodeSigning": []}}]},
        {"files": [{"codeSigning": {"customCodeSigning": {}}}]},
    ]
    for config in odd:
        before = copy.deepcopy(config)
        assert violations(RULE, [_view(config)])["odd"] == []
        assert config == before
    config = {"files": [{"codeSigning": {"customCodeSigning": {"hashAlgorithm": 256}}}]}
    messages = [v.message for v in violations(RULE, [_view(config)])["odd"]]
    assert (
        messages[0] == "file #0: hashAlgorithm 256 is not allowed (allowed: SHA256, SHA384, SHA512)"
    )
