"""OTA201: the pre-signed URL expiry is within the 60..3600 seconds the API accepts."""

from __future__ import annotations

import copy
from typing import Any

from checker.rules.interface import ConfigView
from checker.rules.ota201_presigned_url_range import PresignedUrlExpiryOutOfRange
from tests.rules.harness import AS_OF, declared_views, violations

RULE = PresignedUrlExpiryOutOfRange()


def _view(config: Any) -> ConfigView:
    return ConfigView("odd", "live", config, AS_OF)


def test_points_at_expiresinsec_and_names_the_value() -> None:
    """The violation is on expiresInSec and its message names 3601 and the accepted range."""
    found = violations(RULE, declared_views("OTA201"))["fail_3601"]
    assert [(v.path, v.message) for v in found] == [
        (
            ("awsJobPresignedUrlConfig", "expiresInSec"),
            "expiresInSec 3601 is outside the 60..3600 seconds the API accepts",
        )
    ]


def test_tolerates_odd_live_data_without_changing_it() -> None:
    """Wrong types (a string, a bool, a list for the config) neither raise nor fire."""
    for config in [
        {"awsJobPresignedUrlConfig": "3600"},
        {"awsJobPresignedUrlConfig": {"expiresInSec": "7200"}},
        {"awsJobPresignedUrlConfig": {"expiresInSec": True}},
        {"awsJobPresignedUrlConfig": [{"expiresInSec": 7200}]},
    ]:
        before = copy.deepcopy(config)
        assert violations(RULE, [_view(config)])["odd"] == []
        assert config == before
