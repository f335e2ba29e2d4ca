"""OTA203: an update offering HTTP states its pre-signed URL expiry."""

from __future__ import annotations

import copy
from typing import Any

import yaml

from checker.rules.interface import ConfigView
from checker.rules.ota203_presigned_url_implicit import PresignedUrlExpiryImplicit
from tests.rules.harness import (
    AS_OF,
    declared_views,
    expected_failures,
    fired,
    live_views,
    violations,
)

RULE = PresignedUrlExpiryImplicit()


def _view(config: Any) -> ConfigView:
    return ConfigView("odd", "live", config, AS_OF)


def test_fires_on_exactly_the_failing_declared_updates() -> None:
    """HTTP without expiresInSec fires; MQTT only, or unset protocols (MQTT), do not."""
    views = declared_views("OTA203")
    assert fired(RULE, views) == expected_failures(views)


def test_fires_on_exactly_the_failing_live_updates() -> None:
    """The live side is checked the same way; `{}` as GetOTAUpdate returns it counts as unset."""
    views = live_views("OTA203")
    assert fired(RULE, views) == expected_failures(views)


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


def test_documented_examples_fail_and_pass() -> None:
    """The rule fires on its documented failing example and not on the passing one."""
    doc = RULE.meta.doc
    assert fired(RULE, [_view(yaml.safe_load(doc.failing))]) == {"odd"}
    assert fired(RULE, [_view(yaml.safe_load(doc.passing))]) == set()
