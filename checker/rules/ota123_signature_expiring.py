"""OTA123: the signature of each file's signing job stays valid well after the audit."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import timedelta
from typing import Any

from checker.model import Severity, assume_utc
from checker.rules import references as ref
from checker.rules.chain_links import date, day, days_left, linked_files, shown
from checker.rules.interface import Bounds, ConfigView, Param, RuleDoc, RuleMeta, Violation

MAX_DAYS_LEFT = 365


class SignatureExpiring:
    meta = RuleMeta(
        rule_id="OTA123",
        title="Ensure no file's signature has expired or expires soon",
        severity=Severity.HIGH,
        applies_to="live",
        needs_verify=True,
        params=(
            Param(
                "minDaysLeft",
                "int",
                30,
                "days each signature must stay valid after the audit's clock",
                Bounds(
                    1,
                    MAX_DAYS_LEFT,
                    why="an expired signature fires whatever the limit, and more than "
                    f"{MAX_DAYS_LEFT} days, a year, would flag a signature for much of its "
                    "life",
                ),
            ),
        ),
        doc=RuleDoc(
            what="The Signer job a file names (`codeSigning.awsSignerJobId`, read with "
            "DescribeSigningJob into `awsChain[].signingJob`) has a `signatureExpiresAt` that "
            "has passed, or that leaves fewer than `minDaysLeft` days after the audit's clock "
            "(`--as-of`). Exactly `minDaysLeft` days left passes. Runs only when the source "
            "read the chain (`--verify`, or a snapshot taken with it).",
            why="A Signer signature is valid until `signatureExpiresAt`, the end of its "
            "profile's signature validity period. After it, a verifier that honours the expiry "
            "rejects the image and the record that the shipped image was validly signed "
            "lapses, while a rollout still running, or devices retrying, keep offering it.",
            fix="Sign the image again (a profile with a longer `signatureValidityPeriod` if "
            "needed) and create a new update naming the new job before the rollout "
            "continues.",
            failing="""\
files:
  - fileName: fw.bin
    codeSigning: {awsSignerJobId: 0f3c-signing-job}
awsChain:
  - signingJob:
      jobId: 0f3c-signing-job
      found: true
      status: Succeeded
      signatureExpiresAt: 2026-12-05T00:00:00Z
""",
            passing="""\
files:
  - fileName: fw.bin
    codeSigning: {awsSignerJobId: 0f3c-signing-job}
awsChain:
  - signingJob:
      jobId: 0f3c-signing-job
      found: true
      status: Succeeded
      signatureExpiresAt: 2037-11-25T00:00:00Z
""",
            references=(ref.ETSI_5_3_9, ref.NIST_8259A_UPDATE, ref.AWS_SIGNER_JOB),
        ),
    )

    def check(self, view: ConfigView, params: Mapping[str, Any]) -> Iterator[Violation]:
        now = assume_utc(view.now)
        limit = params["minDaysLeft"]
        for chain in linked_files(view):
            job = chain.found("signingJob")
            expires = None if job is None else date(job.get("signatureExpiresAt"))
            if job is None or expires is None:
                continue
            name = f"file {chain.name}: the signature of signing job {shown(job, 'jobId')}"
            if expires <= now:
                yield Violation(
                    chain.job_path,
                    f"{name} expired on {day(expires)}: the image is no longer validly signed",
                )
            elif expires - now < timedelta(days=limit):
                yield Violation(
                    chain.job_path,
                    f"{name} expires on {day(expires)}, {days_left(expires - now)} after the "
                    f"audit (policy: at least {limit} days left)",
                )
