"""OTA202: pre-signed URLs expire within the policy's limit."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from checker.rules.interface import ConfigView
from checker.rules.ota201_presigned_url_range import PresignedUrlExpiryOutOfRange
from checker.rules.ota202_presigned_url_expiry import PresignedUrlExpiryTooLong
from tests.rules.harness import AS_OF, declared_views, fired, violations

RULE = PresignedUrlExpiryTooLong()


def _view(config: Any) -> ConfigView:
    return ConfigView("odd", "live", config, AS_OF)


def test_parameter_moves_the_threshold() -> None:
    """With maxExpiresInSec 900, exactly 1800 and the HTTP default of 1800 fire; MQTT does not.
    At the loosest valid limit, 3599, 3000 passes and 3600 still fires."""
    views = declared_views("OTA202")
    strict = fired(RULE, views, {"maxExpiresInSec": 900})
    assert {"pass_1800_at_the_limit", "pass_http_not_set_default_1800"} <= strict
    assert "pass_mqtt_not_set" not in strict
    loosest = fired(RULE, views, {"maxExpiresInSec": 3599})
    assert "fail_3600" in loosest
    assert "fail_3000_both_protocols" not in loosest


def test_points_at_expiresinsec_and_names_the_value() -> None:
    """An explicit value's violation is on expiresInSec and names the value and the limit."""
    found = violations(RULE, declared_views("OTA202"))["fail_1801"]
    assert [(v.path, v.message) for v in found] == [
        (
            ("awsJobPresignedUrlConfig", "expiresInSec"),
            "expiresInSec 1801 is above the policy's 1800",
        )
    ]


def test_the_service_default_points_at_the_config_block() -> None:
    """An unset expiry over HTTP is reported on awsJobPresignedUrlConfig with the default 1800."""
    found = violations(RULE, declared_views("OTA202"), {"maxExpiresInSec": 900})
    assert [(v.path, v.message) for v in found["pass_http_not_set_default_1800"]] == [
        (
            ("awsJobPresignedUrlConfig",),
            "expiresInSec is not set, so HTTP downloads use the service default 1800, "
            "above the policy's 900",
        )
    ]


@pytest.mark.parametrize("limit", [60, 1800, 3599])
@pytest.mark.parametrize("expires", [0, 59, 60, 61, 1799, 1800, 1801, 3599, 3600, 3601, 86400])
def test_never_fires_together_with_ota201(expires: int, limit: int) -> None:
    """No expiresInSec value is reported by both OTA201 (range) and OTA202 (policy)."""
    view = _view({"protocols": ["HTTP"], "awsJobPresignedUrlConfig": {"expiresInSec": expires}})
    ota201 = fired(PresignedUrlExpiryOutOfRange(), [view])
    ota202 = fired(RULE, [view], {"maxExpiresInSec": limit})
    assert not (ota201 and ota202)
    assert bool(ota202) == (60 <= expires <= 3600 and expires > limit)


def test_tolerates_odd_live_data_without_changing_it() -> None:
    """Wrong types (strings, a bool, protocols as a string) neither raise nor fire."""
    for config in [
        {"protocols": ["HTTP"], "awsJobPresignedUrlConfig": {"expiresInSec": "3600"}},
        {"protocols": ["HTTP"], "awsJobPresignedUrlConfig": {"expiresInSec": True}},
        {"protocols": "HTTP", "awsJobPresignedUrlConfig": "x"},
        {"protocols": [None, 3], "awsJobPresignedUrlConfig": None},
    ]:
        before = copy.deepcopy(config)
        assert violations(RULE, [_view(config)], {"maxExpiresInSec": 900})["odd"] == []
        assert config == before
