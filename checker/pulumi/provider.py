"""The `OtaUpdate` dynamic resource: one declared OTA update, audited by the Pulumi engine.

No Pulumi provider has a resource for AWS IoT OTA updates, so this module brings its own, as a
dynamic provider. It is read-only: it audits, it never creates, changes or deletes an OTA
update. The engine calls it as follows:

- `check` runs the declared-side rules (what `ota-drift lint` runs) and fails on every active
  finding at or above failOn, so `pulumi preview` stops an unsafe declaration;
- `create`, `read` and `update` fetch the live update and record it in the outputs, JSON-safe
  (`live`); `read` of an update that no longer exists returns no id, so refresh drops it;
- `diff` runs the CLI's drift engine on the declaration and the recorded live update: drift is
  a change that replaces the drifted top-level properties (OTA updates are immutable);
- `delete` forgets the resource and leaves the OTA update alone.

Inputs are the declared config (blobs as base64) plus `otaDrift`, the audit's settings. The
provider object itself holds nothing: the SDK pickles it into the state, so every source and
boto3 client is built inside the method that needs it. The provider host imports this module by
reference, so it must stay importable as `checker.pulumi.provider`.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pulumi
import pulumi.dynamic
from botocore.model import ListShape, MapShape, Shape, StructureShape

from checker import audit
from checker.drift import diff_update
from checker.jsonsafe import to_json
from checker.model import DeclaredUpdate, Finding, LiveUpdate, Location, SourceError, assume_utc
from checker.normalise import not_read_fields
from checker.policy.apply import apply_policy
from checker.policy.model import blocks, effective_fail_on
from checker.policy.packs import load_policy
from checker.rules.ota001_changed import CHANGED
from checker.rules.ota002_missing import missing_finding
from checker.servicemodel import create_ota_update_shape, live_member_shape, validate_entry
from checker.sources.aws import AwsSettings
from checker.sources.choice import source_for

SETTINGS_KEY = "otaDrift"
"""The input holding the audit's settings, beside the declared config's own keys."""
LIVE_KEY = "live"
"""The output recording the live update: GetOTAUpdate's `otaUpdateInfo`, JSON-safe."""
LIVE_DEEP_KEY = "liveJobConfig"
"""The output saying whether the live record was read deep (`StateSource.deep`: the job's
abort/timeout config and the tags). The key keeps its first name: stacks' state holds it."""
RESERVED_KEYS = frozenset({SETTINGS_KEY, LIVE_KEY, LIVE_DEEP_KEY})
"""Properties that are not part of the declared config (with every `__`-prefixed one)."""

OTA_UPDATE_MODULE = "ota"
OTA_UPDATE_NAME = "OtaUpdate"
OTA_UPDATE_TYPE = f"pulumi-python:dynamic/{OTA_UPDATE_MODULE}:{OTA_UPDATE_NAME}"
"""The type token the engine (and so CrossGuard) sees for every `OtaUpdate`."""
FLEET_TYPE = "ota-drift:index:OtaFleetAudit"


@dataclass(frozen=True)
class AuditSettings:
    """What the provider needs besides the declared config: where live state is and the policy.

    Paths are kept as the user wrote them: the engine starts the provider host in the project
    directory, where the program read them too.
    """

    state: str | None = None
    """A snapshot file; None reads AWS IoT through the usual credential chain."""
    region: str | None = None
    """The AWS region (`aws:region`); None leaves it to the credential chain (AWS_REGION)."""
    policy: tuple[str, ...] = ()
    """ota-drift policy packs overlaid on policies/default.yaml, in order."""
    fail_on: str | None = None
    """Lowest severity that fails `check`; None takes the packs' failOn."""

    def to_props(self, location: Location) -> dict[str, Any]:
        """The `otaDrift` input: JSON-safe, unset values left out."""
        props: dict[str, Any] = {
            "policy": list(self.policy),
            "file": location.file,
            "line": location.line,
        }
        if self.state:
            props["state"] = self.state
        if self.region:
            props["region"] = self.region
        if self.fail_on:
            props["failOn"] = self.fail_on
        return props

    @classmethod
    def from_props(cls, props: Mapping[str, Any]) -> AuditSettings:
        raw = props.get(SETTINGS_KEY)
        if not isinstance(raw, Mapping):
            raise ValueError(f"the resource has no '{SETTINGS_KEY}' settings input")
        policy = raw.get("policy") or ()
        return cls(
            state=raw.get("state") or None,
            region=raw.get("region") or None,
            policy=tuple(str(p) for p in policy),
            fail_on=raw.get("failOn") or None,
        )

    def reads_same_source(self, other: AuditSettings) -> bool:
        """Whether both settings read live state from the same place."""
        return (self.state, self.region) == (other.state, other.region)


def resource_inputs(update: DeclaredUpdate, settings: AuditSettings) -> dict[str, Any]:
    """The `OtaUpdate` inputs for a declared update: its config, JSON-safe, and the settings."""
    return {**to_json(update.config), SETTINGS_KEY: settings.to_props(update.location)}


def declared_from_props(props: Mapping[str, Any]) -> DeclaredUpdate:
    """The declared update behind a resource's inputs (blobs decoded, integers restored)."""
    shape = create_ota_update_shape()
    config = {
        key: from_json(value, shape.members.get(key))
        for key, value in props.items()
        if key not in RESERVED_KEYS and not key.startswith("__")
    }
    ota_id = config.get("otaUpdateId")
    if not isinstance(ota_id, str) or not ota_id:
        raise ValueError("the resource has no 'otaUpdateId' input")
    raw = props.get(SETTINGS_KEY)
    settings = raw if isinstance(raw, Mapping) else {}
    line = settings.get("line")
    location = Location(
        str(settings.get("file") or "(pulumi)"), int(line) if isinstance(line, int | float) else 1
    )
    return DeclaredUpdate(ota_id, config, location, key_lines={})


def live_from_record(ota_update_id: str, record: Mapping[str, Any]) -> LiveUpdate:
    """The live update a `live` output recorded, with dates, blobs and integers restored."""
    info = {key: from_json(value, live_member_shape(key)) for key, value in record.items()}
    return LiveUpdate(ota_update_id, info, origin=f"pulumi state of {ota_update_id}")


def from_json(value: Any, shape: Shape | None) -> Any:
    """`to_json` undone along botocore's model: plain dicts and lists (never the engine's or
    CrossGuard's proxies), blobs as bytes, timestamps as datetimes, and integers as int (gRPC
    carries every number as a double)."""
    if isinstance(value, Mapping):
        members = shape.members if isinstance(shape, StructureShape) else {}
        item_shape = shape.value if isinstance(shape, MapShape) else None
        return {str(k): from_json(v, members.get(k, item_shape)) for k, v in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        member = shape.member if isinstance(shape, ListShape) else None
        return [from_json(v, member) for v in value]
    kind = shape.type_name if shape is not None else None
    if kind == "blob" and isinstance(value, str):
        return base64.b64decode(value)
    if kind in ("integer", "long") and isinstance(value, float) and value.is_integer():
        return int(value)
    if kind == "timestamp" and isinstance(value, str):
        return assume_utc(datetime.fromisoformat(value))
    return value


def top_level(path: str) -> str:
    """`files[fw.bin].codeSigning` → `files`: the resource property a finding path is under."""
    return re.split(r"[.\[]", path, maxsplit=1)[0]


class AuditError(Exception):
    """The update cannot be audited: it does not exist live, or live state could not be read."""


def read_live(settings: AuditSettings, ota_update_id: str) -> tuple[LiveUpdate | None, bool]:
    """The live update (None when it does not exist) and whether the source read it deep.

    The source is built here, in the method that needs it, never kept on the provider. It
    reads the one update: from AWS, one GetOTAUpdate through the source's own rate limit,
    retries and error mapping (its fetch() would list and read every update of the account
    once per resource).
    """
    source = source_for(settings.state, AwsSettings(region=settings.region))
    item = source.read(ota_update_id)
    if isinstance(item, SourceError):
        raise AuditError(f"{item}; the audit cannot say whether it drifted")
    return (item if isinstance(item, LiveUpdate) else None), source.deep


class OtaUpdateProvider(pulumi.dynamic.ResourceProvider):
    """Audits one OTA update per resource; stateless, so it pickles to a few bytes."""

    serialize_as_secret_always = False
    """The provider captures no secret: its serialized form need not be one."""

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> pulumi.dynamic.CheckResult:
        """The declared-side rules: one failure per active finding at or above failOn."""
        declared = declared_from_props(news)
        settings = AuditSettings.from_props(news)
        failures = [
            pulumi.dynamic.CheckFailure(str(path[0]) if path else "", message)
            for path, message in validate_entry(dict(declared.config))
        ]
        if failures:  # the rules assume a config botocore would accept
            return pulumi.dynamic.CheckResult(news, failures)
        policy = load_policy(settings.policy)
        fail_on = effective_fail_on(settings.fail_on, policy)
        report = audit.lint([declared], policy)
        failures = [
            pulumi.dynamic.CheckFailure(top_level(f.path), _reason(f))
            for f in report.findings
            if f.ota_update_id == declared.ota_update_id and blocks(f, fail_on)
        ]
        return pulumi.dynamic.CheckResult(news, failures)

    def create(self, props: dict[str, Any]) -> pulumi.dynamic.CreateResult:
        """Record the live update; an update that does not exist is OTA002, and an error."""
        declared = declared_from_props(props)
        live, deep = read_live(AuditSettings.from_props(props), declared.ota_update_id)
        if live is None:
            raise AuditError(
                f"{_missing(declared)}. ota-drift audits OTA updates and never creates them: "
                "create it (e.g. with your deployment job), then run `pulumi up` again"
            )
        return pulumi.dynamic.CreateResult(declared.ota_update_id, _outputs(props, live, deep))

    def read(self, id_: str, props: dict[str, Any]) -> pulumi.dynamic.ReadResult:
        """The live update now; an empty id when it is gone, so refresh removes the resource."""
        live, deep = read_live(AuditSettings.from_props(props), id_)
        if live is None:
            return pulumi.dynamic.ReadResult("", {})
        return pulumi.dynamic.ReadResult(id_, _outputs(props, live, deep))

    def update(
        self, _id: str, _olds: dict[str, Any], news: dict[str, Any]
    ) -> pulumi.dynamic.UpdateResult:
        """The settings changed (not the update): record the live update from the new source."""
        declared = declared_from_props(news)
        live, deep = read_live(AuditSettings.from_props(news), declared.ota_update_id)
        if live is None:
            raise AuditError(_missing(declared))
        return pulumi.dynamic.UpdateResult(_outputs(news, live, deep))

    def diff(
        self, _id: str, olds: dict[str, Any], news: dict[str, Any]
    ) -> pulumi.dynamic.DiffResult:
        """Drift (OTA001, after the policy's ignoreDrift and suppressions) replaces the drifted
        top-level properties; a changed live-state source alone is an in-place update."""
        record = olds.get(LIVE_KEY)
        settings = AuditSettings.from_props(news)
        if not isinstance(record, Mapping):  # no recorded live update: record one
            return pulumi.dynamic.DiffResult(changes=True, replaces=[])
        declared = declared_from_props(news)
        live = live_from_record(declared.ota_update_id, record)
        deep = olds.get(LIVE_DEEP_KEY) is True
        not_read = not_read_fields(deep)
        policy = load_policy(settings.policy)
        today = datetime.now(UTC).date()
        drift = [
            f
            for f in apply_policy(diff_update(declared, live, not_read), policy, today)
            if f.active and f.rule_id == CHANGED.rule_id
        ]
        if drift:
            replaces = sorted({top_level(f.path) for f in drift} - {""})
            return pulumi.dynamic.DiffResult(
                changes=True, replaces=replaces, stables=[], delete_before_replace=False
            )
        if not settings.reads_same_source(AuditSettings.from_props(olds)):
            return pulumi.dynamic.DiffResult(changes=True, replaces=[])
        return pulumi.dynamic.DiffResult(changes=False, replaces=[])

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Forget the resource. The OTA update itself is never deleted: this provider only reads."""


def _outputs(props: Mapping[str, Any], live: LiveUpdate, deep: bool) -> dict[str, Any]:
    """The inputs as given, plus the live update recorded JSON-safe."""
    kept = {k: v for k, v in props.items() if not k.startswith("__") and k not in RESERVED_KEYS}
    return {
        **kept,
        SETTINGS_KEY: props[SETTINGS_KEY],
        LIVE_KEY: to_json(live.info),
        LIVE_DEEP_KEY: deep,
    }


def _reason(finding: Finding) -> str:
    """A check failure's reason: the finding's one line without the update and the path, which
    the engine already shows (the resource is named for the update, the failure is on the
    top-level property), and with the declaration's `[file:line]`, which it cannot show."""
    where = f" [{finding.location}]" if finding.location else ""
    return f"{finding.one_line(named=False)}{where}"


def _missing(declared: DeclaredUpdate) -> str:
    """OTA002's finding as an error: `OTA002 fw-1: ` and the rule's own message, without a
    severity (here it is no finding: the operation fails)."""
    finding = missing_finding(declared)
    return f"{finding.rule_id} {finding.ota_update_id}: {finding.message}"


class OtaUpdate(pulumi.dynamic.Resource, module=OTA_UPDATE_MODULE, name=OTA_UPDATE_NAME):
    """One declared OTA update under audit. Type token: `OTA_UPDATE_TYPE`."""

    def __init__(
        self, name: str, props: Mapping[str, Any], opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(OtaUpdateProvider(), name, dict(props), opts)


class OtaFleetAudit(pulumi.ComponentResource):
    """Every declared OTA update as an `OtaUpdate`, and the audit's results as outputs."""

    def __init__(
        self,
        name: str,
        declared: Sequence[DeclaredUpdate],
        settings: AuditSettings,
        results: Mapping[str, Any],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(FLEET_TYPE, name, None, opts)
        self.updates = {
            update.ota_update_id: OtaUpdate(
                update.ota_update_id,
                resource_inputs(update, settings),
                pulumi.ResourceOptions(parent=self),
            )
            for update in declared
        }
        self.register_outputs(dict(results))
