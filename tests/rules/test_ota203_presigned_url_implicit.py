"""OTA203: an update offering HTTP states its pre-signed URL expiry."""

from __future__ import annotations

import copy
from typing import Any

from checker.rules.interface import ConfigView
from checker.rules.ota203_presigned_url_implicit import PresignedUrlExpiryImplicit
from tests.rules.harness import AS_OF, declared_views, fired, violations

RULE = PresignedUrlExpiryImplicit()


def _view(config: Any) -> ConfigView:
    return ConfigView("odd", "live", config, AS_OF)


def test_points_at_the_presigned_url_config() -> None:
    """The violation is on awsJobPresignedUrlConfig and names the default that applies."""
    found = violations(RULE, declared_views("OTA203"))["fail_http_not_set"]
    assert [(v.path, v.message) for v in found] == [
        (
            ("awsJobPresignedUrlConfig",),
            "HTTP is among the protocols but expiresInSec is not set "
            "(the service default 1800 applies)",
        )
    ]


def test_tolerates_odd_live_data_without_changing_it() -> None:
    """Wrong types neither raise nor change; a non-mapping config over HTTP counts as unset."""
    for config, expected in [
        ({"protocols": "HTTP"}, set()),
        ({"protocols": [None, 1]}, set()),
        ({"protocols": ["HTTP"], "awsJobPresignedUrlConfig": "600"}, {"odd"}),
    ]:
        before = copy.deepcopy(config)
        assert fired(RULE, [_view(config)]) == expected
        assert config == before
