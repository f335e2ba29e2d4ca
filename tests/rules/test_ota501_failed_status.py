"""OTA501: the OTA update did not fail."""

from __future__ import annotations

from checker.rules.interface import ConfigView
from checker.rules.ota501_failed_status import UpdateFailed
from tests.rules.harness import AS_OF, live_views, violations

RULE = UpdateFailed()


def test_message_carries_the_error_info() -> None:
    """The violation is at otaUpdateStatus and quotes errorInfo's code and message."""
    found = violations(RULE, live_views("OTA501"))["fail_create_failed"]
    assert [(v.path, v.message) for v in found] == [
        (
            ("otaUpdateStatus",),
            "otaUpdateStatus is CREATE_FAILED: AccessDeniedException: "
            "The role cannot read s3://fw/fw.bin",
        )
    ]


def test_says_when_there_is_no_error_info() -> None:
    """Without errorInfo the message says the service gave none."""
    found = violations(RULE, live_views("OTA501"))["fail_delete_failed_without_error_info"]
    assert [v.message for v in found] == [
        "otaUpdateStatus is DELETE_FAILED; the service gave no errorInfo"
    ]


def test_multi_line_error_message_stays_on_one_line() -> None:
    """A service message with line breaks is folded into one line."""
    config = {"otaUpdateStatus": "CREATE_FAILED", "errorInfo": {"message": "bad\n  role"}}
    found = list(RULE.check(ConfigView("odd", "live", config, AS_OF), {}))
    assert [v.message for v in found] == ["otaUpdateStatus is CREATE_FAILED: bad role"]


def test_odd_live_data_does_not_raise() -> None:
    """An errorInfo of the wrong type reads as no errorInfo; a list status is not a failure."""
    odd = {"otaUpdateStatus": "CREATE_FAILED", "errorInfo": "boom"}
    found = list(RULE.check(ConfigView("odd", "live", odd, AS_OF), {}))
    assert [v.message for v in found] == [
        "otaUpdateStatus is CREATE_FAILED; the service gave no errorInfo"
    ]
    listed = {"otaUpdateStatus": ["CREATE_FAILED"]}
    assert list(RULE.check(ConfigView("odd", "live", listed, AS_OF), {})) == []
