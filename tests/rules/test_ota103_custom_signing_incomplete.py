"""OTA103: custom code signing carries its signature and a certificate chain."""

from __future__ import annotations

import copy
from typing import Any

from checker.rules.interface import ConfigView
from checker.rules.ota103_custom_signing_incomplete import CustomSigningIncomplete
from tests.rules.harness import AS_OF, declared_views, violations

RULE = CustomSigningIncomplete()


def _view(config: Any) -> ConfigView:
    return ConfigView("odd", "live", config, AS_OF)


def test_one_violation_per_file_names_everything_missing() -> None:
    """A file lacking both parts gets one violation on its customCodeSigning naming both."""
    found = violations(RULE, declared_views("OTA103"))["fail_second_file_has_neither"]
    assert [(v.path, v.message) for v in found] == [
        (
            ("files", 1, "codeSigning", "customCodeSigning"),
            "file boot.bin: customCodeSigning lacks signature.inlineDocument and certificateChain",
        )
    ]


def test_names_the_one_part_missing() -> None:
    """An empty certificate chain alone is reported as the missing certificateChain."""
    found = violations(RULE, declared_views("OTA103"))["fail_empty_certificate_chain"]
    assert [v.message for v in found] == ["file fw.bin: customCodeSigning lacks certificateChain"]


def test_tolerates_odd_live_data_without_changing_it() -> None:
    """Wrong types neither raise nor get modified; a non-mapping signature counts as missing."""
    for config in [
        {"files": {"fw.bin": {}}},
        {"files": [None, {"codeSigning": []}, {"codeSigning": {"customCodeSigning": "x"}}]},
        {"files": [{"codeSigning": {"customCodeSigning": {}}}]},
    ]:
        before = copy.deepcopy(config)
        assert violations(RULE, [_view(config)])["odd"] == []
        assert config == before
    config = {
        "files": [
            {"codeSigning": {"customCodeSigning": {"signature": "MEUCIQ==", "certificateChain": 1}}}
        ]
    }
    found = violations(RULE, [_view(config)])["odd"]
    assert [v.message for v in found] == [
        "file #0: customCodeSigning lacks signature.inlineDocument and certificateChain"
    ]
