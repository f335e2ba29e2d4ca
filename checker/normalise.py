"""Stage 3: one canonical form for declared and live configs, so that only real drift differs.

The canonical form is plain JSON-ready data in the declared (CreateOTAUpdate) names:
- live names become declared ones (`LIVE_NAMES`: `otaUpdateFiles` is `files`), and `files`
  is keyed by `fileName` (by position where names are missing or repeated), so reordering
  files is not drift;
- `targets` and `protocols` are sorted sets;
- fields the service owns (ARN, dates, status, job ids, errorInfo, the job's health) are
  dropped;
- create-only fields that the source cannot read back are dropped (see `CREATE_ONLY_FIELDS`);
- empty mappings and nulls are dropped, so `{}` returned live equals an omitted config;
- `SERVICE_DEFAULTS` fill what neither side set, on both sides alike;
- blobs become base64 text.

Values computed at deploy time (`Unknown`) stay as they are: the comparison finds them
(`computed_values`) and leaves them uncompared (OTA005).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from checker.chain import CHAIN_FIELD
from checker.model import SET_FIELDS, Path, Side, Unknown

JOB_HEALTH_FIELD = "awsIotJob"
"""Live-only health of the update's job, as DescribeJob reported it (`status`, `forceCanceled`,
`jobProcessDetails` counts): a deep source keeps it beside `otaUpdateInfo` for the rollout-health
rules (OTA503-OTA505). The service sets it and no declaration can, so it is never drift, never
declared by `import`, never create-only (it is one of `SERVER_FIELDS`)."""

SERVER_FIELDS = frozenset(
    {
        "otaUpdateArn",
        "creationDate",
        "lastModifiedDate",
        "otaUpdateStatus",
        "awsIotJobId",
        "awsIotJobArn",
        "errorInfo",
        JOB_HEALTH_FIELD,
        CHAIN_FIELD,
    }
)
"""Set by the service, never by a declaration: never drift."""

LIVE_NAMES = {"otaUpdateFiles": "files"}
"""GetOTAUpdate's members that CreateOTAUpdate names otherwise: the one table of renames."""

CREATE_ONLY_FIELDS = ("roleArn", "awsJobAbortConfig", "awsJobTimeoutConfig", "tags")
"""CreateOTAUpdate arguments that GetOTAUpdate never returns (OTA004 names them)."""

DEEP_FIELDS = ("awsJobAbortConfig", "awsJobTimeoutConfig", "tags")
"""Create-only fields a deep source reads back from the update's job and tags (not roleArn);
a deep snapshot records them beside `otaUpdateInfo`."""


def not_read_fields(deep: bool) -> tuple[str, ...]:
    """The create-only fields a source of that depth cannot read back: left out of the
    comparison, and named by OTA004 where declared."""
    return tuple(f for f in CREATE_ONLY_FIELDS if not (deep and f in DEEP_FIELDS))


UNORDERED_LISTS: tuple[Path, ...] = (("tags",), ("awsJobAbortConfig", "abortCriteriaList"))
"""Lists of mappings whose order carries no meaning: compared sorted."""


@dataclass(frozen=True)
class ServiceDefault:
    """A value the service applies when a field is omitted."""

    path: Path
    value: Any
    evidence: str


SERVICE_DEFAULTS = (
    ServiceDefault(
        ("targetSelection",), "SNAPSHOT", "AWS IoT Jobs default; for OTA updates unverified"
    ),
    ServiceDefault(("protocols",), ["MQTT"], "FreeRTOS OTA guide; unverified"),
    ServiceDefault(
        ("awsJobPresignedUrlConfig", "expiresInSec"), 1800, "GetOTAUpdate API reference"
    ),
    ServiceDefault(
        ("awsJobExecutionsRolloutConfig", "maximumPerMinute"), 1000, "AWS IoT Jobs guide"
    ),
)
"""The one table of service defaults. Applied to both sides alike, so a wrong entry can hide
drift only between the default and an omission, never create drift."""


def service_default(*path: str) -> Any:
    """The service's default for `path`, from SERVICE_DEFAULTS (None when it has none)."""
    return next((d.value for d in SERVICE_DEFAULTS if d.path == path), None)


@dataclass(frozen=True)
class Canonical:
    """A config in canonical form, with what is needed to point back into the original."""

    data: Mapping[str, Any]
    file_positions: Mapping[str | int, int]
    """Canonical file key → position of that file in the original list."""
    defaulted: frozenset[Path]
    """Paths whose value came from SERVICE_DEFAULTS, not from the config itself."""


def declared_names(info: Mapping[str, Any]) -> dict[str, Any]:
    """A live info with its top-level keys in declared names (`LIVE_NAMES`), as a new mapping:
    how the rules, the comparison and `import` all read live state."""
    return {LIVE_NAMES.get(key, key): value for key, value in info.items()}


def canonical(
    config: Mapping[str, Any], *, side: Side, unreadable: Collection[str] = ()
) -> Canonical:
    """The canonical form of a declared entry, or of a live info (`side="live"`: read in
    declared names, `declared_names`).

    `unreadable` names top-level fields to leave out because the other side cannot supply them.
    """
    data: dict[str, Any] = {}
    positions: dict[str | int, int] = {}
    for key, value in (declared_names(config) if side == "live" else config).items():
        if key in SERVER_FIELDS or key in unreadable:
            continue
        if key == "files":
            data["files"], positions = _files(value)
        elif key in SET_FIELDS and isinstance(value, list):
            data[key] = _sorted_set(value)
        else:
            data[key] = _plain(value)
    data = {k: v for k, v in data.items() if v is not None and v != {}}
    for path in UNORDERED_LISTS:
        _sort_list(data, path)
    defaulted = set()
    for default in SERVICE_DEFAULTS:
        if _set_default(data, default.path, default.value):
            defaulted.add(default.path)
    return Canonical(data, positions, frozenset(defaulted))


def computed_values(node: Any, path: Path = ()) -> list[tuple[Path, Unknown]]:
    """Every value computed at deploy time below `node`, with its path, in the order written.

    `has_computed` answers the common question (none at all) faster."""
    if isinstance(node, Unknown):
        return [(path, node)]
    if isinstance(node, Mapping):
        return [c for k, v in node.items() for c in computed_values(v, (*path, k))]
    if isinstance(node, list | tuple):
        return [c for i, v in enumerate(node) for c in computed_values(v, (*path, i))]
    return []


def has_computed(node: Any) -> bool:
    """Whether `node` is, or holds, a value computed at deploy time. Asked of every declared
    config of every audit: one pass that builds no paths and skips plain values by type."""
    if isinstance(node, Unknown):
        return True
    if isinstance(node, Mapping):
        return _holds_computed(node.values())
    if isinstance(node, list | tuple):
        return _holds_computed(node)
    return False


_PLAIN_TYPES = frozenset({str, int, float, bool, type(None), bytes})


def _holds_computed(values: Iterable[Any]) -> bool:
    for value in values:
        kind = type(value)
        if kind in _PLAIN_TYPES:
            continue
        if kind is dict:
            if _holds_computed(value.values()):
                return True
        elif kind is list or kind is tuple:
            if _holds_computed(value):
                return True
        elif has_computed(value):  # an Unknown, or a container of another type
            return True
    return False


def _sorted_set(values: list[Any]) -> list[Any]:
    """A set-like list sorted, values computed at deploy time last (they have no order)."""
    unknown = {v for v in values if isinstance(v, Unknown)}
    if not unknown:
        return sorted(set(values))
    known = sorted({v for v in values if not isinstance(v, Unknown)})
    return known + sorted(unknown, key=lambda u: u.expression)


def _files(files: Any) -> tuple[Any, dict[str | int, int]]:
    if not isinstance(files, list):
        return _plain(files), {}
    names = [f.get("fileName") if isinstance(f, dict) else None for f in files]
    keyed: dict[str | int, Any] = {}
    positions: dict[str | int, int] = {}
    for index, (name, file) in enumerate(zip(names, files, strict=True)):
        key: str | int = name if isinstance(name, str) and names.count(name) == 1 else index
        keyed[key] = _plain(file)
        positions[key] = index
    return keyed, positions


def _plain(value: Any) -> Any:
    """A deep copy as JSON-ready data, without nulls and empty mappings (bottom up: `{}` and
    None mean 'not set'), blobs as base64. The input is never changed. One pass: this runs
    on every config of every audit."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if item is not None:
                plain = _plain(item)
                if plain != {}:
                    out[key] = plain
        return out
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    return value


def _sort_list(data: dict[str, Any], path: Path) -> None:
    node: Any = data
    for step in path[:-1]:
        node = node.get(step) if isinstance(node, dict) else None
    if isinstance(node, dict) and isinstance(node.get(path[-1]), list):
        node[path[-1]] = sorted(
            node[path[-1]], key=lambda item: json.dumps(item, sort_keys=True, default=str)
        )


def _set_default(data: dict[str, Any], path: Path, value: Any) -> bool:
    node = data
    for step in path[:-1]:
        child = node.setdefault(str(step), {})
        if not isinstance(child, dict):
            return False
        node = child
    if path[-1] in node:
        return False
    node[str(path[-1])] = value
    return True
