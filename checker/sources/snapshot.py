"""Live state recorded in a file: ota-drift's snapshot format, or saved AWS CLI output.

Accepted forms:
- `{"version": 1, "capturedAt": ISO-8601, "region": R, "otaUpdates": [otaUpdateInfo, ...]}`
- `[{"otaUpdateInfo": {...}}, ...]`, GetOTAUpdate responses saved from the AWS CLI.
Dates may be ISO 8601 strings or epoch seconds; blobs are base64 strings.

The file is read as strictly as a declared one: at most `MAX_STATE_BYTES`, strict JSON
(`checker.jsonsafe`), every member type-checked against botocore's model, the deep-mode fields
included, and dates within `EARLIEST`..`LATEST`.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from checker.errors import InputError, Problem
from checker.files import display_path, read_text
from checker.jsonsafe import load_json
from checker.model import EARLIEST, LATEST, LiveUpdate, SkippedUpdate, SourceError, in_calendar
from checker.servicemodel import dotted, validate_live

SNAPSHOT_VERSION = 1
MAX_STATE_BYTES = 256 * 2**20
"""A 10,000-update snapshot is about 15 MiB (20 with `--deep`: job configs and two tags each):
256 MiB holds over 100,000 deep updates, and still bounds what a mistaken `--state` makes the
audit read and hold in memory."""
DATE_FIELDS = ("creationDate", "lastModifiedDate")
SIGNATURE_PATH = ("codeSigning", "customCodeSigning", "signature", "inlineDocument")


class SnapshotSource:
    """Reads and checks the whole file up front, so a malformed one fails before any audit."""

    def __init__(self, path: str) -> None:
        self._shown = display_path(path)
        self._deep = False
        self._updates, self._captured_at, self.region = self._parse(Path(path))

    @property
    def live_job_config(self) -> bool:
        """Snapshots written with `--deep` carry each job's abort/timeout config and tags."""
        return self._deep

    @property
    def captured_at(self) -> datetime | None:
        return self._captured_at

    def fetch(self) -> Iterator[LiveUpdate | SourceError | SkippedUpdate]:
        yield from self._updates

    def _parse(self, path: Path) -> tuple[tuple[LiveUpdate, ...], datetime | None, str | None]:
        doc = load_json(read_text(path, MAX_STATE_BYTES), self._shown)
        captured_at: datetime | None = None
        region: str | None = None
        if isinstance(doc, list):
            raw = [self._unwrap_cli(item, index) for index, item in enumerate(doc)]
            where = "[{}].otaUpdateInfo"
        elif isinstance(doc, dict):
            version = doc.get("version")
            if type(version) is not int or version != SNAPSHOT_VERSION:  # `true == 1` in Python
                raise self._fail(
                    f"unsupported snapshot version {doc.get('version')!r} "
                    f"(this ota-drift reads version {SNAPSHOT_VERSION})"
                )
            if not isinstance(doc.get("otaUpdates"), list):
                raise self._fail("'otaUpdates' must be a list")
            raw = doc["otaUpdates"]
            if doc.get("capturedAt") is not None:
                captured_at = self._date(doc["capturedAt"], "capturedAt")
            region = doc.get("region")
            if region is not None and not isinstance(region, str):
                raise self._fail(f"'region' must be a string, not {json.dumps(region)[:40]}")
            if not isinstance(doc.get("deep", False), bool):
                raise self._fail("'deep' must be true or false")
            self._deep = doc.get("deep", False)
            where = "otaUpdates[{}]"
        else:
            raise self._fail(
                "expected a snapshot object with 'otaUpdates', or a list of GetOTAUpdate responses"
            )
        problems: list[Problem] = []
        updates: dict[str, LiveUpdate] = {}
        for index, info in enumerate(raw):
            at = where.format(index)
            try:
                update = self._update(info, at)
            except InputError as exc:
                problems.extend(exc.problems)
                continue
            if update.ota_update_id in updates:
                problems.append(
                    Problem(
                        self._shown,
                        None,
                        f"{at}: otaUpdateId {update.ota_update_id!r} "
                        f"appears twice (first at {updates[update.ota_update_id].origin})",
                    )
                )
            updates.setdefault(update.ota_update_id, update)
        if problems:
            raise InputError(problems)
        return tuple(updates.values()), captured_at, region

    def _unwrap_cli(self, item: Any, index: int) -> Any:
        if not isinstance(item, dict) or "otaUpdateInfo" not in item:
            raise self._fail(f"[{index}]: expected a GetOTAUpdate response with 'otaUpdateInfo'")
        return item["otaUpdateInfo"]

    def _update(self, info: Any, at: str) -> LiveUpdate:
        if not isinstance(info, dict):
            raise self._fail(f"{at}: expected an object")
        ota_id = info.get("otaUpdateId")
        if not isinstance(ota_id, str) or not ota_id:
            raise self._fail(f"{at}: missing 'otaUpdateId'")
        parsed = dict(info)
        for name in DATE_FIELDS:
            if parsed.get(name) is not None:
                parsed[name] = self._date(parsed[name], f"{at}.{name}")
        files = parsed.get("otaUpdateFiles")
        if isinstance(files, list):
            parsed["otaUpdateFiles"] = [
                self._decode_signature(f, f"{at}.otaUpdateFiles[{i}]") for i, f in enumerate(files)
            ]
        problems = [f"{at}.{dotted(path)}: {msg}" for path, msg in validate_live(parsed)]
        if problems:
            raise InputError(Problem(self._shown, None, p) for p in problems)
        return LiveUpdate(ota_id, parsed, origin=f"{self._shown}#{at}")

    def _decode_signature(self, file: Any, at: str) -> Any:
        """Blobs are base64 in JSON; in memory they are bytes, as boto3 returns them."""
        node = file
        for step in SIGNATURE_PATH[:-1]:
            node = node.get(step) if isinstance(node, dict) else None
        if not isinstance(node, dict) or not isinstance(node.get(SIGNATURE_PATH[-1]), str):
            return file
        try:
            blob = base64.b64decode(node[SIGNATURE_PATH[-1]], validate=True)
        except binascii.Error:
            raise self._fail(f"{at}.{'.'.join(SIGNATURE_PATH)}: not valid base64") from None
        return _replace_in(file, SIGNATURE_PATH, blob)

    def _date(self, value: Any, at: str) -> datetime:
        parsed: datetime | None = None
        try:
            if isinstance(value, int | float) and not isinstance(value, bool):
                parsed = datetime.fromtimestamp(value, UTC)
            elif isinstance(value, str):
                parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
                if parsed.tzinfo is None:
                    parsed = parsed.replace(tzinfo=UTC)
        except (ValueError, OverflowError, OSError):
            parsed = None
        shown = json.dumps(value)
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        if parsed is None:
            raise self._fail(f"{at}: expected an ISO 8601 date or epoch seconds, not {shown}")
        if not in_calendar(parsed):
            raise self._fail(
                f"{at}: {shown} is outside the dates AWS IoT can hold "
                f"({EARLIEST.year} to {LATEST.year - 1})"
            )
        return parsed

    def _fail(self, message: str) -> InputError:
        return InputError.one(self._shown, None, message)


def _replace_in(node: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    """A copy of `node` with `path` set to `value`; the original is left as it was."""
    head, *rest = path
    return {**node, head: _replace_in(node[head], tuple(rest), value) if rest else value}


def snapshot_json(
    updates: Iterable[LiveUpdate], *, region: str | None, captured_at: datetime, deep: bool
) -> str:
    """The snapshot file for `updates`: what `SnapshotSource` reads back unchanged."""
    infos = [_to_json(u.info) for u in sorted(updates, key=lambda u: u.ota_update_id)]
    doc = {
        "version": SNAPSHOT_VERSION,
        "capturedAt": captured_at.astimezone(UTC).isoformat(),
        "region": region,
        "deep": deep,
        "otaUpdates": infos,
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _to_json(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_to_json(v) for v in value]
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    return value
