"""OTA402: firmware in S3 is pinned to an object version."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checker.model import Severity
from checker.rules import references as ref
from checker.rules.interface import ConfigView, RuleDoc, RuleMeta, Violation


class S3VersionMissing:
    meta = RuleMeta(
        rule_id="OTA402",
        title="Ensure OTA files in S3 name an object version",
        severity=Severity.HIGH,
        applies_to="both",
        doc=RuleDoc(
            what="A file's `fileLocation.s3Location` has no `version`. Files delivered from a "
            "stream (`fileLocation.stream`) do not fire.",
            why="Without a version the update points at whatever object is under the key when "
            "it is read: anyone who can write the key changes the firmware of an update that "
            "was reviewed, and nobody can tell later which image was shipped.",
            fix="Enable versioning on the bucket and set `version` to the object's version ID.",
            failing="""\
files:
  - fileName: fw.bin
    fileLocation: {s3Location: {bucket: fw, key: fw.bin}}
""",
            passing="""\
files:
  - fileName: fw.bin
    fileLocation:
      s3Location: {bucket: fw, key: fw.bin, version: 3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY}
""",
            references=(ref.IOT_LENS_REL08, ref.S3_VERSIONING),
        ),
    )

    def check(self, view: ConfigView, params: Mapping[str, Any]) -> Iterator[Violation]:
        for index, file in enumerate(view.files):
            location = file.get("fileLocation")
            s3 = location.get("s3Location") if isinstance(location, dict) else None
            if not isinstance(s3, dict) or not s3:  # a stream, or {} for "not set"
                continue
            version = s3.get("version")
            if isinstance(version, str) and version:
                continue
            name = file.get("fileName", f"#{index}")
            yield Violation(
                ("files", index, "fileLocation", "s3Location"),
                f"file {name}: s3Location s3://{s3.get('bucket', '?')}/{s3.get('key', '?')} has no "
                "version, so the firmware under the key can change",
            )
