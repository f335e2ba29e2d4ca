"""OTA104: the OTA service signs with an approved AWS Signer profile."""

from __future__ import annotations

import copy
from typing import Any

from checker.rules.interface import ConfigView
from checker.rules.ota104_signing_profile import SigningProfileNotAllowed
from tests.rules.harness import AS_OF, declared_views, fired, fixture_params, live_views, violations

RULE = SigningProfileNotAllowed()
APPROVED = fixture_params("OTA104")
"""prod_ecdsa and prod_rsa: the profiles the fixtures are judged with."""


def _view(config: Any) -> ConfigView:
    return ConfigView("odd", "live", config, AS_OF)


def test_inactive_while_no_profile_is_approved() -> None:
    """With the default, empty allowedSigningProfiles the rule fires on nothing."""
    assert fired(RULE, declared_views("OTA104")) == set()
    assert fired(RULE, live_views("OTA104")) == set()


def test_parameter_moves_the_allowed_set() -> None:
    """Approving dev_selfsigned too silences fail_dev_profile; approving only prod_rsa does not."""
    views = declared_views("OTA104")
    wider = {"allowedSigningProfiles": ["prod_ecdsa", "prod_rsa", "dev_selfsigned"]}
    assert "fail_dev_profile" not in fired(RULE, views, wider)
    narrower = fired(RULE, views, {"allowedSigningProfiles": ["prod_rsa"]})
    assert "pass_prod_ecdsa" in narrower
    assert "pass_prod_rsa_with_destination" not in narrower


def test_points_at_the_profile_name_of_the_offending_file() -> None:
    """The violation names the second file's signingProfileName and its value."""
    found = violations(RULE, declared_views("OTA104"), APPROVED)["fail_second_file_dev_profile"]
    assert [(v.path, v.message) for v in found] == [
        (
            ("files", 1, "codeSigning", "startSigningJobParameter", "signingProfileName"),
            "file boot.bin: signing profile dev_selfsigned is not allowed "
            "(allowed: prod_ecdsa, prod_rsa)",
        )
    ]


def test_a_missing_profile_name_points_at_startsigningjobparameter() -> None:
    """Without a signingProfileName the violation is on the enclosing startSigningJobParameter."""
    found = violations(RULE, declared_views("OTA104"), APPROVED)["fail_no_profile_name"]
    assert [v.path for v in found] == [("files", 0, "codeSigning", "startSigningJobParameter")]


def test_tolerates_odd_live_data_without_changing_it() -> None:
    """Wrong types neither raise nor get modified."""
    for config in [
        {"files": None},
        {"files": [7, {"codeSigning": "x"}, {"codeSigning": {"startSigningJobParameter": []}}]},
        {"files": [{"codeSigning": {"startSigningJobParameter": {}}}]},
    ]:
        before = copy.deepcopy(config)
        assert violations(RULE, [_view(config)], APPROVED)["odd"] == []
        assert config == before
    config = {"files": [{"codeSigning": {"startSigningJobParameter": {"signingProfileName": 3}}}]}
    assert fired(RULE, [_view(config)], APPROVED) == {"odd"}
