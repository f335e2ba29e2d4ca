"""OTA201: the pre-signed URL expiry is within the 60..3600 seconds the API accepts."""

from __future__ import annotations

import copy
from typing import Any

import yaml

from checker.rules.interface import ConfigView
from checker.rules.ota201_presigned_url_range import PresignedUrlExpiryOutOfRange
from tests.rules.harness import (
    AS_OF,
    declared_views,
    expected_failures,
    fired,
    live_views,
    violations,
)

RULE = PresignedUrlExpiryOutOfRange()


def _view(config: Any) -> ConfigView:
    return ConfigView("odd", "live", config, AS_OF)


def test_fires_on_exactly_the_failing_declared_updates() -> None:
    """59, 3601, 0 and 86400 fire; exactly 60 and exactly 3600 do not, nor an unset expiry."""
    views = declared_views("OTA201")
    assert fired(RULE, views) == expected_failures(views)


def test_fires_on_exactly_the_failing_live_updates() -> None:
    """The live side is checked the same way, and an empty config (`{}`) passes."""
    views = live_views("OTA201")
    assert fired(RULE, views) == expected_failures(views)


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


def test_documented_examples_fail_and_pass() -> None:
    """The rule fires on its documented failing example and not on the passing one."""
    doc = RULE.meta.doc
    assert fired(RULE, [_view(yaml.safe_load(doc.failing))]) == {"odd"}
    assert fired(RULE, [_view(yaml.safe_load(doc.passing))]) == set()
