"""OTA503: the job of a completed OTA update is not canceled or being deleted."""

from __future__ import annotations

from typing import Any

import pytest

from checker.rules.interface import ConfigView
from checker.rules.ota503_job_stopped import JobStoppedWhileComplete
from tests.rules.harness import AS_OF, live_views, violations

RULE = JobStoppedWhileComplete()


def _found(config: dict[str, Any]) -> list[tuple[tuple[Any, ...], str]]:
    return [(v.path, v.message) for v in RULE.check(ConfigView("x", "live", config, AS_OF), {})]


def test_points_at_the_job_status_and_says_what_it_means() -> None:
    """The violation is at awsIotJob.status and names both statuses."""
    found = violations(RULE, live_views("OTA503"))
    assert [(v.path, v.message) for v in found["fail_complete_job_canceled"]] == [
        (
            ("awsIotJob", "status"),
            "the job is CANCELED while otaUpdateStatus is CREATE_COMPLETE: the rollout was "
            "stopped, and targets it had not reached will never get this firmware",
        )
    ]
    assert [v.message for v in found["fail_complete_job_being_deleted"]] == [
        "the job is DELETION_IN_PROGRESS while otaUpdateStatus is CREATE_COMPLETE: the job is "
        "being deleted, and targets it had not reached will never get this firmware"
    ]


@pytest.mark.parametrize(
    "status", ["CREATE_PENDING", "CREATE_IN_PROGRESS", "DELETE_IN_PROGRESS", "DELETE_FAILED"]
)
def test_an_update_that_is_not_complete_does_not_fire(status: str) -> None:
    """Only CREATE_COMPLETE claims a delivery the canceled job no longer makes."""
    assert _found({"otaUpdateStatus": status, "awsIotJob": {"status": "CANCELED"}}) == []


def test_an_update_without_a_status_does_not_fire() -> None:
    assert _found({"awsIotJob": {"status": "CANCELED"}}) == []


@pytest.mark.parametrize("job", [None, "CANCELED", {"status": None}, {"status": ["CANCELED"]}])
def test_odd_job_health_does_not_raise(job: Any) -> None:
    """Job health that is not a mapping with a status string is not judged."""
    assert _found({"otaUpdateStatus": "CREATE_COMPLETE", "awsIotJob": job}) == []
