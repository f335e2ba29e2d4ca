"""OTA129: the certificate behind each file is for code signing."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checker.model import Severity
from checker.rules import references as ref
from checker.rules.chain_links import linked_files, shown
from checker.rules.interface import ConfigView, RuleDoc, RuleMeta, Violation

CODE_SIGNING = "CODE_SIGNING"

_CERTIFICATE = """\
files:
  - fileName: fw.bin
    codeSigning: {awsSignerJobId: 0f3c-signing-job}
awsChain:
  - signingJob:
      jobId: 0f3c-signing-job
      found: true
      certificateArn: arn:aws:acm:eu-west-1:123456789012:certificate/4f1e
    certificate:
      certificateArn: arn:aws:acm:eu-west-1:123456789012:certificate/4f1e
      found: true
      status: ISSUED
"""


class CertificateNotForCodeSigning:
    meta = RuleMeta(
        rule_id="OTA129",
        title="Ensure each file's certificate has the code-signing extended key usage",
        severity=Severity.HIGH,
        applies_to="live",
        needs_verify=True,
        doc=RuleDoc(
            what="The ACM certificate behind a file (`awsChain[].certificate`, from "
            "DescribeCertificate) does not list `CODE_SIGNING` among its "
            "`ExtendedKeyUsages`; a certificate without any is judged as lacking it. Runs "
            "only when the source read the chain (`--verify`, or a snapshot taken with it).",
            why="The extended key usage says what a certificate may vouch for. Without code "
            "signing it was issued for something else (a TLS server, a client), a verifier "
            "that checks the usage rejects the image, and a key meant for other work is "
            "signing firmware.",
            fix="Issue or import a certificate with the Code Signing extended key usage, sign "
            "the image again with a profile that uses it and create a new update.",
            failing=_CERTIFICATE + "      extendedKeyUsages: [TLS_WEB_SERVER_AUTHENTICATION]\n",
            passing=_CERTIFICATE + "      extendedKeyUsages: [CODE_SIGNING]\n",
            references=(ref.ETSI_5_3_10, ref.FREERTOS_SIGNING, ref.ACM_CERTIFICATE),
        ),
    )

    def check(self, view: ConfigView, params: Mapping[str, Any]) -> Iterator[Violation]:
        for chain in linked_files(view):
            certificate = chain.found("certificate")
            if certificate is None:
                continue
            usages = certificate.get("extendedKeyUsages")
            if usages is None:
                usages = []
            if not _names(usages) or CODE_SIGNING in usages:
                continue
            listed = f"lists only {', '.join(usages)}" if usages else "lists none"
            yield Violation(
                chain.certificate_path(certificate),
                f"file {chain.name}: certificate {shown(certificate, 'certificateArn')} has no "
                f"{CODE_SIGNING} extended key usage ({listed})",
            )


def _names(value: Any) -> bool:
    """Is `value` a list of usage names (what the chain records), so judged?"""
    return isinstance(value, list) and all(isinstance(u, str) and u for u in value)
