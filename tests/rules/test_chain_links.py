"""How the verification rules find each file's chain (`checker/rules/chain_links.py`)."""

from __future__ import annotations

from typing import Any

import pytest

from checker.rules.chain_links import linked_files
from checker.rules.interface import ConfigView
from checker.rules.ota121_signing_job_status import SigningJobNotSucceeded
from tests.rules.chain_configs import found, job, job_file, live
from tests.rules.harness import AS_OF

FAILED = {"signingJob": job(status="Failed")}


def _positions(config: dict[str, Any]) -> list[int]:
    return [linked.index for linked in linked_files(ConfigView("x", "live", config, AS_OF))]


def test_each_file_gets_the_entry_at_its_position() -> None:
    assert _positions(live([job_file(), job_file()], [FAILED, FAILED])) == [0, 1]


@pytest.mark.parametrize(
    "chain",
    [
        None,
        "chain",
        {"0": FAILED},
        [],
        [FAILED],  # shorter than the files
        [FAILED, FAILED, FAILED],  # longer
    ],
)
def test_a_chain_absent_or_not_one_entry_per_file_is_judged_nowhere(chain: Any) -> None:
    assert _positions(live([job_file(), job_file()], chain)) == []
    assert found(SigningJobNotSucceeded(), live([job_file(), job_file()], chain)) == []


def test_an_entry_that_is_not_a_mapping_is_skipped_alone() -> None:
    assert _positions(live([job_file(), job_file()], [None, FAILED])) == [1]


def test_a_file_that_is_not_a_mapping_is_not_counted_in_positions() -> None:
    """Paths count the mapping files (as `ConfigView.files` does); the chain is aligned with
    every entry."""
    config = live(["odd", job_file(name="boot.bin")], [FAILED, FAILED])
    assert found(SigningJobNotSucceeded(), config) == [
        (
            ("files", 0, "codeSigning", "awsSignerJobId"),
            "file boot.bin: signing job job-1 has status Failed, not Succeeded",
        )
    ]


def test_a_file_without_a_name_is_shown_by_position() -> None:
    file = {"codeSigning": {"awsSignerJobId": "job-1"}}
    assert [m for _, m in found(SigningJobNotSucceeded(), live([file], [FAILED]))] == [
        "file #0: signing job job-1 has status Failed, not Succeeded"
    ]
