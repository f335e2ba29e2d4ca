"""OTA405: the firmware object version each file points at still exists."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checker.model import Severity
from checker.rules import references as ref
from checker.rules.chain_links import linked_files, shown
from checker.rules.interface import ConfigView, RuleDoc, RuleMeta, Violation


class FirmwareVersionGone:
    meta = RuleMeta(
        rule_id="OTA405",
        title="Ensure the firmware object version of each file still exists",
        severity=Severity.HIGH,
        applies_to="live",
        needs_verify=True,
        doc=RuleDoc(
            what="The S3 object version a file points at (its `fileLocation.s3Location`, or "
            "its stream's file, read with HeadObject and the version ID into "
            "`awsChain[].object`) no longer exists, or is a delete marker. Files that name no "
            "version are OTA402's. Runs only when the source read the chain (`--verify`, or a "
            "snapshot taken with it).",
            why="Devices the rollout has not reached yet, and devices retrying, download the "
            "image from that version: once it is gone they cannot, and nobody can check any "
            "more which image the update shipped, or compare it with its signature.",
            fix="Find why the version was deleted (a lifecycle rule, a cleanup; S3 server "
            "access or CloudTrail data events say who), upload the image again and create a "
            "new update naming the new version; protect the bucket's firmware versions with "
            "a lifecycle rule that keeps them, or Object Lock.",
            failing="""\
files:
  - fileName: fw.bin
    fileLocation: {s3Location: {bucket: fw, key: fw.bin, version: 3HL4kqtJlcpXroDT}}
awsChain:
  - object: {bucket: fw, key: fw.bin, version: 3HL4kqtJlcpXroDT, found: false}
""",
            passing="""\
files:
  - fileName: fw.bin
    fileLocation: {s3Location: {bucket: fw, key: fw.bin, version: 3HL4kqtJlcpXroDT}}
awsChain:
  - object:
      bucket: fw
      key: fw.bin
      version: 3HL4kqtJlcpXroDT
      found: true
      deleteMarker: false
      size: 524288
      etag: '"9b2cf535f27731c974343645a3985328"'
""",
            references=(ref.IOT_LENS_REL08, ref.NIST_8259A_UPDATE, ref.S3_DELETED_VERSION),
        ),
    )

    def check(self, view: ConfigView, params: Mapping[str, Any]) -> Iterator[Violation]:
        for chain in linked_files(view):
            record = chain.link("object")
            if record is None:
                continue
            deleted = record.get("deleteMarker")
            if isinstance(deleted, bool) and deleted:
                what = "is a delete marker"
            elif chain.missing("object") is not None:
                what = "no longer exists"
            else:
                continue
            yield Violation(
                chain.location_path,
                f"file {chain.name}: version {shown(record, 'version')} of "
                f"s3://{shown(record, 'bucket')}/{shown(record, 'key')} {what}, so devices "
                "can no longer download the image",
            )
