"""OTA306: the job aborts when installs fail."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checker.model import Severity
from checker.rules import references as ref
from checker.rules.interface import ConfigView, RuleDoc, RuleMeta, Violation

ABORTING_FAILURE_TYPES = ("FAILED", "ALL")
"""Failure types under which failed installs count towards the abort threshold."""


class AbortOnFailureMissing:
    meta = RuleMeta(
        rule_id="OTA306",
        title="Ensure the OTA job aborts when installs fail",
        severity=Severity.HIGH,
        applies_to="both",
        needs_deep=True,
        doc=RuleDoc(
            what="There is no `awsJobAbortConfig`, or none of its `abortCriteriaList` criteria "
            "has `failureType` FAILED or ALL. On the live side the rule runs only when the "
            "source read the job's abort config (GetOTAUpdate does not return it).",
            why="Without an abort on failures a bad image keeps going out until someone "
            "notices: the rollout rate slows the damage, only an abort stops it. Criteria "
            "on REJECTED or TIMED_OUT alone never count failed installs.",
            fix="Add an abort criterion on FAILED (or ALL) failures; AWS's own example cancels "
            "the job when 20 % of at least 100 executions have failed.",
            failing="""\
awsJobAbortConfig:
  abortCriteriaList:
    - {failureType: TIMED_OUT, action: CANCEL, thresholdPercentage: 20,
       minNumberOfExecutedThings: 100}
""",
            passing="""\
awsJobAbortConfig:
  abortCriteriaList:
    - {failureType: FAILED, action: CANCEL, thresholdPercentage: 20,
       minNumberOfExecutedThings: 100}
""",
            references=(ref.IOT_LENS_REL08, ref.IOT_LENS_OPS09, ref.AWS_JOBS_ROLLOUT),
        ),
    )

    def check(self, view: ConfigView, params: Mapping[str, Any]) -> Iterator[Violation]:
        abort = view.get("awsJobAbortConfig")
        if not isinstance(abort, dict) or not abort:  # {} means "not set"
            yield Violation((), "no awsJobAbortConfig: the job never aborts when installs fail")
            return
        criteria = abort.get("abortCriteriaList")
        if not isinstance(criteria, list) or not criteria:
            yield Violation(
                ("awsJobAbortConfig",),
                "awsJobAbortConfig has no abortCriteriaList: the job never aborts",
            )
            return
        types = [c.get("failureType") for c in criteria if isinstance(c, dict)]
        if any(t in ABORTING_FAILURE_TYPES for t in types):
            return
        named = ", ".join(str(t) for t in types if t is not None)
        yield Violation(
            ("awsJobAbortConfig", "abortCriteriaList"),
            f"abortCriteriaList aborts only on {named}, not on FAILED or ALL: "
            "failed installs never abort the job"
            if named
            else "abortCriteriaList names no failureType: failed installs never abort the job",
        )
