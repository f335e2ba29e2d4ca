"""Rules that need the chain (`needs_verify`) run on live configs only when the source read it
(`--verify`), and only then count as judged: without it they neither pass nor fail."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from checker.audit import check
from checker.evaluate import evaluate, evaluated_rules, evaluation
from checker.model import LiveUpdate, SkippedUpdate, SourceError
from checker.policy.model import DEFAULT_POLICY, Policy, RuleSetting
from checker.rules.registry import CONFIG_RULES
from checker.sources.snapshot import SnapshotSource
from tests.rules.harness import AS_OF, FIXTURES

VERIFY_RULES = {r.meta.rule_id for r in CONFIG_RULES if r.meta.needs_verify}
FAILED_JOB = {
    "otaUpdateId": "fw-1",
    "otaUpdateStatus": "CREATE_COMPLETE",
    "awsIotJobId": "AFR_OTA-fw-1",
    "otaUpdateFiles": [{"fileName": "fw.bin", "codeSigning": {"awsSignerJobId": "job-1"}}],
    "awsChain": [{"signingJob": {"jobId": "job-1", "found": True, "status": "Failed"}}],
}
CREATE_FAILED = {  # no job: the verification rules still run, with nothing to find
    "otaUpdateId": "fw-2",
    "otaUpdateStatus": "CREATE_FAILED",
    "otaUpdateFiles": [{"fileName": "fw.bin"}],
    "awsChain": [{}],
}
LIVE = [LiveUpdate("fw-1", FAILED_JOB, "t"), LiveUpdate("fw-2", CREATE_FAILED, "t")]


def _rule_ids(*, deep: bool = False, verified: bool = False) -> set[str]:
    found = evaluate([], LIVE, DEFAULT_POLICY, AS_OF, deep=deep, verified=verified)
    return {f.rule_id for f in found}


def test_the_verification_rules_are_the_chain_rules() -> None:
    assert sorted(VERIFY_RULES) == [
        "OTA121",
        "OTA122",
        "OTA123",
        "OTA124",
        "OTA125",
        "OTA126",
        "OTA127",
        "OTA128",
        "OTA129",
        "OTA405",
        "OTA406",
    ]
    assert all(r.meta.applies_to == "live" for r in CONFIG_RULES if r.meta.needs_verify)


def test_they_run_only_when_verified() -> None:
    assert "OTA121" not in _rule_ids()
    assert "OTA121" not in _rule_ids(deep=True)
    assert "OTA121" in _rule_ids(deep=True, verified=True)
    found = evaluation([], LIVE, DEFAULT_POLICY, AS_OF, deep=True, verified=True).findings
    assert [(f.ota_update_id, f.rule_id, f.path) for f in found if f.rule_id in VERIFY_RULES] == [
        ("fw-1", "OTA121", "files[fw.bin].codeSigning.awsSignerJobId")
    ]


def test_unverified_they_are_not_counted_as_judged() -> None:
    judged = evaluated_rules([], LIVE, DEFAULT_POLICY, deep=True)
    assert not VERIFY_RULES & (judged["fw-1"] | judged["fw-2"])
    verified = evaluated_rules([], LIVE, DEFAULT_POLICY, deep=True, verified=True)
    assert verified["fw-1"] >= VERIFY_RULES
    assert verified["fw-2"] >= VERIFY_RULES  # every live update, with a job or not
    assert "OTA504" not in verified["fw-2"]  # the job's rules still need a job


def test_a_disabled_verification_rule_is_not_run_even_verified() -> None:
    policy = Policy("low", {"OTA121": RuleSetting(enabled=False)}, (), (), ())
    found = evaluate([], LIVE, policy, AS_OF, deep=True, verified=True)
    assert "OTA121" not in {f.rule_id for f in found}
    judged = evaluated_rules([], LIVE, policy, deep=True, verified=True)
    assert "OTA121" not in judged["fw-1"] and "OTA122" in judged["fw-1"]


class _Source:
    """A source without a `verified` property (one written before `--verify`): unverified."""

    deep = True
    captured_at: datetime | None = None

    def fetch(self) -> Iterator[LiveUpdate | SourceError | SkippedUpdate]:
        yield from LIVE


def test_check_passes_the_source_s_verified_flag() -> None:
    """A verified snapshot's chain is judged; a source that cannot say it verified is not."""
    verified = check([], SnapshotSource(str(FIXTURES / "OTA121.live.json")), as_of=AS_OF)
    assert {f.ota_update_id for f in verified.findings if f.rule_id == "OTA121"} == {
        "fail_failed",
        "fail_in_progress",
        "fail_job_gone",
        "fail_second_file",
    }
    assert all(set(a.rules or ()) >= VERIFY_RULES for a in verified.audited)
    unverified = check([], _Source(), as_of=AS_OF)  # type: ignore[arg-type]  # no `verified`, on purpose
    assert not {f.rule_id for f in unverified.findings} & VERIFY_RULES
    assert all(not VERIFY_RULES & set(a.rules or ()) for a in unverified.audited)
