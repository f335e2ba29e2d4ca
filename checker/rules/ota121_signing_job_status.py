"""OTA121: the signing job behind each file exists and succeeded."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checker.model import Severity
from checker.rules import references as ref
from checker.rules.chain_links import linked_files, shown, text
from checker.rules.interface import ConfigView, RuleDoc, RuleMeta, Violation

SUCCEEDED = "Succeeded"


class SigningJobNotSucceeded:
    meta = RuleMeta(
        rule_id="OTA121",
        title="Ensure each file's signing job exists and succeeded",
        severity=Severity.HIGH,
        applies_to="live",
        needs_verify=True,
        doc=RuleDoc(
            what="The Signer job a file names (`codeSigning.awsSignerJobId`, read with "
            "DescribeSigningJob into `awsChain[].signingJob`) does not exist, or its `status` "
            "is not `Succeeded` (`InProgress` or `Failed`); the message quotes its "
            "`statusReason`. Runs only when the source read the chain (`--verify`, or a "
            "snapshot taken with it).",
            why="The update ships the signature that job produced. A job that failed or never "
            "finished produced none the devices can verify, and a job that no longer exists "
            "leaves nothing to show the image was signed, by which profile, or when.",
            fix="Read why the job failed (`aws signer describe-signing-job --job-id ID`), fix "
            "the profile or the source object, sign the image again and create a new update "
            "that names the new job.",
            failing="""\
files:
  - fileName: fw.bin
    codeSigning: {awsSignerJobId: 0f3c-signing-job}
awsChain:
  - signingJob:
      jobId: 0f3c-signing-job
      found: true
      status: Failed
      statusReason: Access denied to the source object
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
""",
            references=(ref.ETSI_5_3_9, ref.NIST_8259A_UPDATE, ref.AWS_SIGNER_JOB),
        ),
    )

    def check(self, view: ConfigView, params: Mapping[str, Any]) -> Iterator[Violation]:
        for chain in linked_files(view):
            gone = chain.missing("signingJob")
            if gone is not None:
                yield Violation(
                    chain.job_path,
                    f"file {chain.name}: signing job {shown(gone, 'jobId')} does not exist "
                    "(Signer found no such job), so nothing shows the image was signed",
                )
                continue
            job = chain.found("signingJob")
            status = None if job is None else text(job.get("status"))
            if job is None or status is None or status == SUCCEEDED:
                continue
            reason = text(job.get("statusReason"))
            because = f": {reason}" if reason else ""
            yield Violation(
                chain.job_path,
                f"file {chain.name}: signing job {shown(job, 'jobId')} has status "
                f"{status}, not {SUCCEEDED}{because}",
            )
