"""OTA402: firmware in S3 is pinned to an object version."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checker.chain import stream_file
from checker.model import Severity
from checker.rules import references as ref
from checker.rules.chain_links import LinkedFile, linked_files, shown
from checker.rules.interface import ConfigView, RuleDoc, RuleMeta, Violation, dig


class S3VersionMissing:
    meta = RuleMeta(
        rule_id="OTA402",
        title="Ensure OTA files in S3 name an object version",
        severity=Severity.HIGH,
        applies_to="both",
        doc=RuleDoc(
            what="A file's `fileLocation.s3Location` has no `version`. A file delivered from a "
            "stream (`fileLocation.stream`) fires when the stream was read (live, with "
            "`--verify`: `awsChain[].stream`) and the stream's file of its `fileId` has no "
            "`version`; otherwise a stream is not judged.",
            why="Without a version the update points at whatever object is under the key when "
            "it is read: anyone who can write the key changes the firmware of an update that "
            "was reviewed, and nobody can tell later which image was shipped.",
            fix="Enable versioning on the bucket and set `version` to the object's version ID "
            "(for a stream, in the stream's file: `aws iot update-stream`, then a new update).",
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
        streams = {c.index: c for c in linked_files(view)} if view.side == "live" else {}
        for index, file in enumerate(view.files):
            location = file.get("fileLocation")
            s3 = location.get("s3Location") if isinstance(location, dict) else None
            name = file.get("fileName", f"#{index}")
            if index in streams:
                yield from _stream_unversioned(streams[index], name)
            if not isinstance(s3, dict) or not s3:  # a stream, or {} for "not set"
                continue
            version = s3.get("version")
            if isinstance(version, str) and version:
                continue
            yield Violation(
                ("files", index, "fileLocation", "s3Location"),
                f"file {name}: s3Location s3://{s3.get('bucket', '?')}/{s3.get('key', '?')} has no "
                "version, so the firmware under the key can change",
            )


def _stream_unversioned(chain: LinkedFile, name: Any) -> Iterator[Violation]:
    """The stream's file of this file's `fileId`, read with `--verify`, names no version."""
    stream = chain.found("stream")
    file_id = dig(chain.file, "fileLocation", "stream", "fileId")
    if stream is None or not isinstance(file_id, int) or isinstance(file_id, bool):
        return
    entry = stream_file(stream, file_id)
    if entry is None:  # no such file: OTA406's
        return
    version = entry.get("version")
    if isinstance(version, str) and version:
        return
    yield Violation(
        chain.at("fileLocation", "stream"),
        f"file {name}: stream {shown(stream, 'streamId')} file {file_id} "
        f"s3://{shown(entry, 'bucket')}/{shown(entry, 'key')} has no version, so the firmware "
        "under the key can change",
    )
