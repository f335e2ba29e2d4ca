"""OTA504: the OTA update's job was not canceled with force."""

from __future__ import annotations

from typing import Any

import pytest

from checker.rules.interface import ConfigView
from checker.rules.ota504_job_force_canceled import JobForceCanceled
from tests.rules.harness import AS_OF, live_views, violations

RULE = JobForceCanceled()


def _found(config: dict[str, Any]) -> list[tuple[tuple[Any, ...], str]]:
    return [(v.path, v.message) for v in RULE.check(ConfigView("x", "live", config, AS_OF), {})]


def test_points_at_force_canceled_and_names_the_job_status() -> None:
    """The violation is at awsIotJob.forceCanceled, whatever the update's own status."""
    found = violations(RULE, live_views("OTA504"))
    assert [(v.path, v.message) for v in found["fail_force_canceled"]] == [
        (
            ("awsIotJob", "forceCanceled"),
            "the job was force-canceled (job status CANCELED): installs in progress were "
            "stopped midway, and those devices may be left without a valid firmware",
        )
    ]
    assert [v.message for v in found["fail_force_canceled_being_deleted"]] == [
        "the job was force-canceled (job status DELETION_IN_PROGRESS): installs in progress "
        "were stopped midway, and those devices may be left without a valid firmware"
    ]


def test_without_a_status_the_message_leaves_it_out() -> None:
    assert _found({"awsIotJob": {"forceCanceled": True}}) == [
        (
            ("awsIotJob", "forceCanceled"),
            "the job was force-canceled: installs in progress were stopped midway, and those "
            "devices may be left without a valid firmware",
        )
    ]


@pytest.mark.parametrize("forced", [1, "true", "yes", [True], None, False])
def test_only_a_true_boolean_fires(forced: Any) -> None:
    """A truthy value of another type (odd live data) is not read as true."""
    assert _found({"awsIotJob": {"status": "CANCELED", "forceCanceled": forced}}) == []
