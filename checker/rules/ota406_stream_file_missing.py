"""OTA406: the stream each file is delivered from exists and holds the file."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checker.model import Severity
from checker.rules import references as ref
from checker.rules.chain_links import linked_files, shown
from checker.rules.interface import ConfigView, RuleDoc, RuleMeta, Violation, dig


class StreamFileMissing:
    meta = RuleMeta(
        rule_id="OTA406",
        title="Ensure the stream of each file exists and holds the file",
        severity=Severity.HIGH,
        applies_to="live",
        needs_verify=True,
        doc=RuleDoc(
            what="The IoT stream a file is delivered from (`fileLocation.stream`, read with "
            "DescribeStream into `awsChain[].stream`) does not exist, or none of its files has "
            "the file's `fileId`. Runs only when the source read the chain (`--verify`, or a "
            "snapshot taken with it).",
            why="Devices fetch the image over MQTT from that stream and file: with the stream "
            "deleted, or the file gone from it, every device the rollout reaches fails to "
            "download the image.",
            fix="Create the stream again with the file (`aws iot create-stream`, or update it "
            "with `aws iot update-stream`), or create a new update that names a stream and a "
            "file that exist.",
            failing="""\
files:
  - fileName: fw.bin
    fileLocation: {stream: {streamId: fw-stream, fileId: 1}}
awsChain:
  - stream:
      streamId: fw-stream
      found: true
      streamVersion: 2
      files: [{fileId: 0, bucket: fw, key: fw.bin, version: 3HL4kqtJlcpXroDT}]
""",
            passing="""\
files:
  - fileName: fw.bin
    fileLocation: {stream: {streamId: fw-stream, fileId: 0}}
awsChain:
  - stream:
      streamId: fw-stream
      found: true
      streamVersion: 2
      files: [{fileId: 0, bucket: fw, key: fw.bin, version: 3HL4kqtJlcpXroDT}]
""",
            references=(ref.NIST_8259A_UPDATE, ref.AWS_IOT_STREAM),
        ),
    )

    def check(self, view: ConfigView, params: Mapping[str, Any]) -> Iterator[Violation]:
        for chain in linked_files(view):
            path = chain.at("fileLocation", "stream")
            gone = chain.missing("stream")
            if gone is not None:
                yield Violation(
                    path,
                    f"file {chain.name}: stream {shown(gone, 'streamId')} does not exist, so "
                    "devices cannot download the image",
                )
                continue
            stream = chain.found("stream")
            file_id = dig(chain.file, "fileLocation", "stream", "fileId")
            files = None if stream is None else stream.get("files")
            if stream is None or not _is_id(file_id) or not isinstance(files, list):
                continue
            ids = _file_ids(files)
            if ids is None or file_id in ids:
                continue
            held = ", ".join(str(i) for i in ids)
            yield Violation(
                path,
                f"file {chain.name}: stream {shown(stream, 'streamId')} has no file with "
                f"fileId {file_id} (its files: {held or 'none'}), so devices cannot download "
                "the image",
            )


def _file_ids(files: list[Any]) -> list[int] | None:
    """The stream's file ids, sorted; None when an entry is not one the chain records (a
    hand-edited snapshot), so whether the file is there cannot be told."""
    ids: set[int] = set()
    for entry in files:
        if not isinstance(entry, dict):
            return None
        file_id = entry.get("fileId")
        if file_id is None:
            continue
        if not _is_id(file_id):
            return None
        ids.add(file_id)
    return sorted(ids)


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
