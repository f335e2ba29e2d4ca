"""Live configs with the chain `--verify` reads (`awsChain`), for the rules OTA121-OTA129,
OTA402, OTA405 and OTA406: one file and its links, built in a line."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from checker.policy.model import DEFAULT_POLICY
from checker.rules.interface import ConfigView, Rule
from tests.rules.harness import AS_OF

JOB_ID = "job-1"
PROFILE = "fw_prod"
CERT = "arn:aws:acm:eu-west-1:123456789012:certificate/4f1e"
JOB_PATH = ("files", 0, "codeSigning", "awsSignerJobId")
PROFILE_PATH = ("files", 0, "codeSigning", "startSigningJobParameter", "signingProfileName")
CERT_PATH = (
    "files",
    0,
    "codeSigning",
    "startSigningJobParameter",
    "signingProfileParameter",
    "certificateArn",
)


def job_file(job_id: str = JOB_ID, name: str = "fw.bin") -> dict[str, Any]:
    return {"fileName": name, "codeSigning": {"awsSignerJobId": job_id}}


def job(job_id: str = JOB_ID, **fields: Any) -> dict[str, Any]:
    return {"jobId": job_id, "found": True, **fields}


def profile(**fields: Any) -> dict[str, Any]:
    return {"profileName": PROFILE, "found": True, **fields}


def certificate(**fields: Any) -> dict[str, Any]:
    return {"certificateArn": CERT, "found": True, **fields}


def gone(link: str, identity: str) -> dict[str, Any]:
    return {
        {"signingJob": "jobId", "signingProfile": "profileName"}.get(
            link, "certificateArn"
        ): identity,
        "found": False,
    }


def live(files: list[Any], chain: Any) -> dict[str, Any]:
    return {"files": files, "awsChain": chain}


def one(**links: Any) -> dict[str, Any]:
    """One job-signed file (`fw.bin`, job `job-1`) and its links."""
    return live([job_file()], [links])


def day(days: float = 0, **more: float) -> datetime:
    """AS_OF moved by `days` (and `hours=`, `minutes=`)."""
    return AS_OF + timedelta(days=days, **more)


def found(rule: Rule, config: Mapping[str, Any], **params: Any) -> list[tuple[Any, str]]:
    """(path, message) of each violation on the live `config`, at the rule's defaults
    overlaid by `params` (only values a policy pack accepts)."""
    for name, value in params.items():
        problem = rule.meta.param(name).problem(value)
        assert problem is None, f"{rule.meta.rule_id}.{name} {problem.message}"
    merged = {**DEFAULT_POLICY.params(rule.meta), **params}
    view = ConfigView("x", "live", config, AS_OF)
    return [(v.path, v.message) for v in rule.check(view, merged)]


def messages(rule: Rule, config: Mapping[str, Any], **params: Any) -> list[str]:
    return [message for _, message in found(rule, config, **params)]
