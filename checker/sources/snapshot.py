"""Live state recorded in a file: ota-drift's snapshot format, or saved AWS CLI output.

Accepted forms (the file's content decides which it is):
- `{"version": 1, "capturedAt": ISO-8601, "region": R, "otaUpdates": [otaUpdateInfo, ...]}`,
  as `ota-drift snapshot` writes it.
- GetOTAUpdate responses as the AWS CLI (v1 or v2) prints them: one, `{"otaUpdateInfo": {...}}`,
  as the whole file; several, one after another (`aws iot get-ota-update ... >> state.json`
  run once per update); or a JSON list of them, `[{"otaUpdateInfo": {...}}, ...]`.
Dates may be ISO 8601 strings (AWS CLI v2) or epoch seconds (v1); blobs are base64 strings.

`aws iot list-ota-updates` output is refused by name: it holds ids, not configurations. So is
anything else, an empty file included, rather than read as no updates at all.

The file is read as strictly as a declared one: at most `MAX_STATE_BYTES`, strict JSON
(`checker.jsonsafe`, each value of a stream alike, at its line in the file), every member
type-checked against botocore's model, the deep-mode fields included, and dates within
`EARLIEST`..`LATEST`. An otaUpdateId given twice is an error naming both places.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from checker.chain import CHAIN_FIELD, from_json
from checker.errors import InputError, Problem
from checker.files import display_path, read_text
from checker.jsonsafe import load_json_stream, to_json
from checker.model import (
    EARLIEST,
    LATEST,
    LiveUpdate,
    SkippedUpdate,
    SourceError,
    assume_utc,
    display,
    in_calendar,
)
from checker.servicemodel import validate_live

Entry = tuple[Any, str, int | None]
"""An otaUpdateInfo to check, where it is for messages (`otaUpdates[3]`), and its line if known."""
SNAPSHOT_VERSION = 1
MAX_STATE_BYTES = 256 * 2**20
"""A 10,000-update snapshot is about 15 MiB (20 with `--deep`: job configs and two tags each):
256 MiB holds over 100,000 deep updates, and still bounds what a mistaken `--state` makes the
audit read and hold in memory."""
DATE_FIELDS = ("creationDate", "lastModifiedDate")
LISTING_KEYS = frozenset({"otaUpdates", "nextToken", "NextToken"})
"""What `aws iot list-ota-updates` prints at the top: `nextToken` with `--no-paginate`,
`NextToken` with `--max-items`."""
SUMMARY_KEYS = frozenset({"otaUpdateId", "otaUpdateArn", "creationDate"})
"""ListOTAUpdates' `OTAUpdateSummary`: all a listing says of each update."""
LISTING_REFUSED = (
    "this is `aws iot list-ota-updates` output, which lists ids without their configurations; "
    "save each update with `aws iot get-ota-update --ota-update-id ID >> state.json`, "
    "or record a snapshot with `ota-drift snapshot`"
)
EXPECTED = (
    'expected an ota-drift snapshot ({"version": 1, ..., "otaUpdates": [...]}) or AWS CLI '
    'GetOTAUpdate output ({"otaUpdateInfo": {...}}: one, several one after another, '
    "or a list of them)"
)
SIGNATURE_PATH = ("codeSigning", "customCodeSigning", "signature", "inlineDocument")


class SnapshotSource:
    """Reads and checks the whole file up front, so a malformed one fails before any audit."""

    def __init__(self, path: str) -> None:
        self._shown = display_path(path)
        self._deep = False
        self._verified = False
        self._updates, self._captured_at, self.region = self._parse(Path(path))

    @property
    def deep(self) -> bool:
        """Snapshots written with `--deep` carry each job's abort/timeout config and tags, and
        its health (`awsIotJob`) for the rollout-health rules."""
        return self._deep

    @property
    def verified(self) -> bool:
        """Snapshots written with `--verify` carry the chain behind each file (`awsChain`): the
        verification rules judge it as it was when the snapshot was taken."""
        return self._verified

    @property
    def captured_at(self) -> datetime | None:
        return self._captured_at

    def fetch(self) -> Iterator[LiveUpdate | SourceError | SkippedUpdate]:
        yield from self._updates

    def read(self, ota_id: str) -> LiveUpdate | None:
        """One update by id (None when the file does not hold it), as `AwsSource.read` reads
        one for the Pulumi provider."""
        return next((u for u in self._updates if u.ota_update_id == ota_id), None)

    def _parse(self, path: Path) -> tuple[tuple[LiveUpdate, ...], datetime | None, str | None]:
        values = load_json_stream(read_text(path, MAX_STATE_BYTES), self._shown)
        captured_at: datetime | None = None
        region: str | None = None
        if len(values) == 1 and _is_snapshot(values[0][0]):
            entries, captured_at, region = self._snapshot(values[0][0])
        else:
            entries = self._cli_output(values)
        problems: list[Problem] = []
        updates: dict[str, LiveUpdate] = {}
        for info, at, line in entries:
            try:
                update = self._update(info, at, line)
            except InputError as exc:
                problems.extend(_at_line(exc.problems, line))
                continue
            if update.ota_update_id in updates:
                problems.append(
                    Problem(
                        self._shown,
                        line,
                        f"{at}: otaUpdateId {update.ota_update_id!r} "
                        f"appears twice (first at {updates[update.ota_update_id].origin})",
                    )
                )
            updates.setdefault(update.ota_update_id, update)
        if problems:
            raise InputError(problems)
        return tuple(updates.values()), captured_at, region

    def _snapshot(self, doc: dict[str, Any]) -> tuple[list[Entry], datetime | None, str | None]:
        version = doc.get("version")
        if type(version) is not int or version != SNAPSHOT_VERSION:  # `true == 1` in Python
            raise self._fail(
                f"unsupported snapshot version {doc.get('version')!r} "
                f"(this ota-drift reads version {SNAPSHOT_VERSION})"
            )
        if not isinstance(doc.get("otaUpdates"), list):
            raise self._fail("'otaUpdates' must be a list")
        captured_at = None
        if doc.get("capturedAt") is not None:
            captured_at = self._date(doc["capturedAt"], "capturedAt")
        region = doc.get("region")
        if region is not None and not isinstance(region, str):
            raise self._fail(f"'region' must be a string, not {json.dumps(region)[:40]}")
        for flag in ("deep", "verify"):
            if not isinstance(doc.get(flag, False), bool):
                raise self._fail(f"'{flag}' must be true or false")
        self._verified = doc.get("verify", False)
        if self._verified and not doc.get("deep", False):
            raise self._fail("'verify' is true but 'deep' is not: --verify reads deep")
        self._deep = doc.get("deep", False)
        entries: list[Entry] = [
            (info, f"otaUpdates[{i}]", None) for i, info in enumerate(doc["otaUpdates"])
        ]
        return entries, captured_at, region

    def _cli_output(self, values: list[tuple[Any, int]]) -> list[Entry]:
        """AWS CLI output: one GetOTAUpdate response, several one after another, or a list."""
        if not values:
            raise self._fail(f"the file is empty: {EXPECTED}; for a region without any, write []")
        if len(values) == 1:
            ((doc, line),) = values
            if isinstance(doc, list):
                return [
                    (self._unwrap_cli(item, f"[{index}]"), f"[{index}].otaUpdateInfo", None)
                    for index, item in enumerate(doc)
                ]
            if _is_listing(doc):
                raise InputError.one(self._shown, line, LISTING_REFUSED)
            if not _is_response(doc):
                raise self._fail(f"{EXPECTED}, not {_described(doc)}")
        return self._stream(values)

    def _stream(self, values: list[tuple[Any, int]]) -> list[Entry]:
        """GetOTAUpdate responses one after another, as `>>` appends them: nothing else."""
        problems: list[Problem] = []
        for value, line in values:
            if _is_listing(value):
                problems.append(Problem(self._shown, line, LISTING_REFUSED))
            elif not _is_response(value):
                message = (
                    'expected a GetOTAUpdate response ({"otaUpdateInfo": {...}}), as every '
                    f"value of a file that holds several must be, not {_described(value)}"
                )
                problems.append(Problem(self._shown, line, message))
        if problems:
            raise InputError(problems)
        return [(value["otaUpdateInfo"], "otaUpdateInfo", line) for value, line in values]

    def _unwrap_cli(self, item: Any, at: str) -> Any:
        if _is_listing(item):
            raise self._fail(f"{at}: {LISTING_REFUSED}")
        if not _is_response(item):
            raise self._fail(
                f"{at}: expected a GetOTAUpdate response with 'otaUpdateInfo', "
                f"not {_described(item)}"
            )
        return item["otaUpdateInfo"]

    def _update(self, info: Any, at: str, line: int | None) -> LiveUpdate:
        if not isinstance(info, dict):
            raise self._fail(f"{at}: expected an object")
        ota_id = info.get("otaUpdateId")
        if not isinstance(ota_id, str) or not ota_id:
            raise self._fail(f"{at}: missing 'otaUpdateId'")
        parsed = dict(info)
        for name in DATE_FIELDS:
            if parsed.get(name) is not None:
                parsed[name] = self._date(parsed[name], f"{at}.{name}")
        if CHAIN_FIELD in parsed:
            if not self._verified:
                raise self._fail(
                    f'{at}.{CHAIN_FIELD}: only a snapshot taken with --verify ("verify": '
                    "true) holds the chain"
                )
            parsed[CHAIN_FIELD] = from_json(parsed[CHAIN_FIELD])
        elif self._verified:
            raise self._fail(
                f"{at}: no {CHAIN_FIELD}, yet the snapshot was taken with --verify: "
                "an update whose chain was not recorded must not pass as verified"
            )
        files = parsed.get("otaUpdateFiles")
        if isinstance(files, list):
            parsed["otaUpdateFiles"] = [
                self._decode_signature(f, f"{at}.otaUpdateFiles[{i}]") for i, f in enumerate(files)
            ]
        problems = [f"{at}.{display(path)}: {msg}" for path, msg in validate_live(parsed)]
        if problems:
            raise InputError(Problem(self._shown, None, p) for p in problems)
        origin = f"{self._shown}#{at}" if line is None else f"{self._shown}:{line}"
        return LiveUpdate(ota_id, parsed, origin=origin)

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
                parsed = assume_utc(datetime.fromisoformat(value))
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


def _at_line(problems: Iterable[Problem], line: int | None) -> Iterator[Problem]:
    """`problems` placed at `line`, the line of the value they are about, where it is known."""
    for problem in problems:
        yield problem if line is None else Problem(problem.file, line, problem.message)


def _is_snapshot(value: Any) -> bool:
    """Is `value` meant as an ota-drift snapshot (whatever its faults), rather than CLI output?"""
    if not isinstance(value, dict):
        return False
    if "version" in value:
        return True
    return "otaUpdates" in value and "otaUpdateInfo" not in value and not _is_listing(value)


def _is_response(value: Any) -> bool:
    """Is `value` a GetOTAUpdate response as the AWS CLI prints it: `{"otaUpdateInfo": ...}`?"""
    return isinstance(value, dict) and "otaUpdateInfo" in value and "version" not in value


def _is_listing(value: Any) -> bool:
    """Is `value` what `aws iot list-ota-updates` prints: summaries only, and no `version`?"""
    if not isinstance(value, dict) or "version" in value or not LISTING_KEYS.issuperset(value):
        return False
    summaries = value.get("otaUpdates")
    return isinstance(summaries, list) and all(
        isinstance(s, dict) and SUMMARY_KEYS.issuperset(s) for s in summaries
    )


def _described(value: Any) -> str:
    """What a JSON value is, in a few words, for a message: "an object with key 'job'"."""
    if isinstance(value, dict):
        if not value:
            return "an empty object"
        keys = [repr(k if len(k) <= 40 else k[:37] + "...") for k in islice(value, 3)]
        more = ", ..." if len(value) > 3 else ""
        return f"an object with key{'s' if len(value) > 1 else ''} {', '.join(keys)}{more}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    return "a number"


def _replace_in(node: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    """A copy of `node` with `path` set to `value`; the original is left as it was."""
    head, *rest = path
    return {**node, head: _replace_in(node[head], tuple(rest), value) if rest else value}


def snapshot_json(
    updates: Iterable[LiveUpdate],
    *,
    region: str | None,
    captured_at: datetime,
    deep: bool,
    verify: bool = False,
) -> str:
    """The snapshot file for `updates`: what `SnapshotSource` reads back unchanged."""
    infos = [to_json(u.info) for u in sorted(updates, key=lambda u: u.ota_update_id)]
    doc = {
        "version": SNAPSHOT_VERSION,
        "capturedAt": captured_at.astimezone(UTC).isoformat(),
        "region": region,
        "deep": deep or verify,
        **({"verify": True} if verify else {}),
        "otaUpdates": infos,
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
