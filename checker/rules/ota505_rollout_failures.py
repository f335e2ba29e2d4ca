"""OTA505: the rollout is not failing on the devices."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from fractions import Fraction
from typing import Any

from checker.model import Severity
from checker.normalise import JOB_HEALTH_FIELD
from checker.rules import references as ref
from checker.rules.interface import Bounds, ConfigView, Param, RuleDoc, RuleMeta, Violation

FAILED_COUNTS = (
    ("numberOfFailedThings", "failed"),
    ("numberOfRejectedThings", "rejected"),
    ("numberOfTimedOutThings", "timed out"),
)
"""The execution outcomes that are failures, and their words in the message."""
FINISHED_COUNTS = ("numberOfSucceededThings", *(name for name, _ in FAILED_COUNTS))
"""Executions that reached an outcome on the device. Canceled and removed ones never did, so
they count in neither the failures nor the finished."""
MAX_MIN_FINISHED = 1_000_000


class RolloutFailing:
    meta = RuleMeta(
        rule_id="OTA505",
        title="Ensure the OTA rollout is not failing on the devices",
        severity=Severity.HIGH,
        applies_to="live",
        needs_deep=True,
        params=(
            Param(
                "maxFailurePercent",
                "number",
                10,
                "highest share of finished executions that may have failed, been rejected or "
                "timed out, in percent",
                Bounds(
                    0,
                    100,
                    exclusive_maximum=True,
                    why="0 fires on any failure; no share can be above 100 %, so a limit of "
                    "100 would never fire",
                ),
            ),
            Param(
                "minFinishedExecutions",
                "int",
                10,
                "finished executions (succeeded, failed, rejected or timed out) a rollout needs "
                "before its failure share is judged",
                Bounds(
                    1,
                    MAX_MIN_FINISHED,
                    why="0 would judge a rollout before any device finished, and a minimum of "
                    f"more than {MAX_MIN_FINISHED:,} would judge almost none",
                ),
            ),
        ),
        doc=RuleDoc(
            what="Of the update's job executions that finished (`awsIotJob.jobProcessDetails`, "
            "from DescribeJob: succeeded, failed, rejected and timed out), more than "
            "`maxFailurePercent` failed, were rejected or timed out, once at least "
            "`minFinishedExecutions` have finished. Canceled and removed executions count in "
            "neither. A missing count is taken as 0. Runs only when the source read the job "
            "(`--deep`, or a snapshot taken with it), whatever the job's status.",
            why="Failing installs mean the image, its signature or the devices' state is wrong, "
            "and the rollout is hurting devices now: each failed device may be left on the old "
            "firmware or without a working one, and a job still in progress keeps sending the "
            "image to more of them.",
            fix="Stop the rollout (`aws iot cancel-job --job-id AFR_OTA-ID`, without `--force`), "
            "read why executions failed (`aws iot list-job-executions-for-job --job-id "
            "AFR_OTA-ID --status FAILED`, then `describe-job-execution` for its "
            "`statusDetails`), fix the image or the devices, and roll out again with an abort "
            "config that stops at this share of failures.",
            failing="""\
awsIotJob:
  status: IN_PROGRESS
  jobProcessDetails:
    numberOfSucceededThings: 80
    numberOfFailedThings: 15
    numberOfRejectedThings: 3
    numberOfTimedOutThings: 2
""",
            passing="""\
awsIotJob:
  status: IN_PROGRESS
  jobProcessDetails:
    numberOfSucceededThings: 96
    numberOfFailedThings: 3
    numberOfRejectedThings: 1
    numberOfTimedOutThings: 0
""",
            references=(
                ref.ETSI_5_3_8,
                ref.NIST_8259A_UPDATE,
                ref.IOT_LENS_OPS09,
                ref.AWS_JOBS_ROLLOUT,
            ),
        ),
    )

    def check(self, view: ConfigView, params: Mapping[str, Any]) -> Iterator[Violation]:
        details = view.get(JOB_HEALTH_FIELD, "jobProcessDetails")
        if not isinstance(details, dict):
            return
        counts = {name: details.get(name, 0) for name in FINISHED_COUNTS}
        if not all(_is_count(c) for c in counts.values()):
            return
        finished = sum(counts.values())
        failures = {words: counts[name] for name, words in FAILED_COUNTS}
        failed = sum(failures.values())
        if finished == 0 or finished < params["minFinishedExecutions"]:
            return
        limit = params["maxFailurePercent"]
        if failed * 100 <= Fraction(limit) * finished:
            return
        split = ", ".join(f"{n} {words}" for words, n in failures.items() if n)
        yield Violation(
            (JOB_HEALTH_FIELD, "jobProcessDetails"),
            f"{failed} of {finished} finished executions failed ({split}): "
            f"{_percent(Fraction(failed * 100, finished))} %, above the policy's {limit} %",
        )


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _percent(share: Fraction) -> str:
    """`12`, `12.5`, `33.33`: at most two decimals, no trailing zeros."""
    return f"{float(share):.2f}".rstrip("0").rstrip(".")
