"""OTA204: a pre-signed URL expiry is set only where HTTP makes use of it."""

from __future__ import annotations

import copy
from typing import Any

from checker.rules.interface import ConfigView
from checker.rules.ota204_presigned_url_unused import PresignedUrlExpiryUnused
from tests.rules.harness import AS_OF, declared_views, fired, violations

RULE = PresignedUrlExpiryUnused()


def _view(config: Any) -> ConfigView:
    return ConfigView("odd", "live", config, AS_OF)


def test_points_at_expiresinsec_and_names_the_value() -> None:
    """The violation is on expiresInSec and names its value and the protocols in effect."""
    found = violations(RULE, declared_views("OTA204"))["fail_protocols_not_set_with_expiry"]
    assert [(v.path, v.message) for v in found] == [
        (
            ("awsJobPresignedUrlConfig", "expiresInSec"),
            "expiresInSec 600 has no effect: HTTP is not among the protocols (MQTT)",
        )
    ]


def test_tolerates_odd_live_data_without_changing_it() -> None:
    """Wrong types neither raise nor get modified."""
    for config, expected in [
        ({"awsJobPresignedUrlConfig": "600"}, set()),
        ({"protocols": [], "awsJobPresignedUrlConfig": {"expiresInSec": 600}}, {"odd"}),
        ({"protocols": [None], "awsJobPresignedUrlConfig": {"expiresInSec": "600"}}, {"odd"}),
    ]:
        before = copy.deepcopy(config)
        assert fired(RULE, [_view(config)]) == expected
        assert config == before
