"""`ota-drift iam-policy --fleet`: the least-privilege IAM policy of every identity a fleet run
signs as, each a complete policy document to paste into IAM.

    {
      "caller": {policy},                  # the base credentials: AssumeRole on first hops
      "identities": {
        "arn:aws:iam::999988887777:role/hop": {policy},           # AssumeRole on next hops
        "arn:aws:iam::444455556666:role/ota-drift-audit": {policy},  # the audit itself
        "profile:lab": {policy}
      }
    }

`caller` is left out when no entry assumes a role (every entry is a `profile`). A role that
is both a hop and an audited role gets both parts in one document. `Resource` is exact
wherever the action has a resource type: the roles assumed, the account whose regions are
listed, the OTA updates and jobs of the entry's account and regions; `*` only where IAM has
no resource to name (ListOTAUpdates, DescribeRegions, GetCallerIdentity), and ListOTAUpdates
then limited to the entry's regions by `aws:RequestedRegion` (unless it has `regions: all`).
The iot actions are those of the single-account policy (`checker.sources.aws.iam_policy`), so
the two never differ.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from checker.fleet.file import ROLE_ARN, Entry, Fleet, aws_partition
from checker.sources.aws import iam_policy

VERSION = "2012-10-17"
CALLER = "caller"
PROFILE_PREFIX = "profile:"
MANAGED_POLICY_MAX = 6144
"""IAM's limit on a managed policy, in characters not counting whitespace (an inline role
policy may have 10,240)."""

IOT_RESOURCE = {
    "iot:ListOTAUpdates": None,
    "iot:GetOTAUpdate": "otaupdate/*",
    "iot:ListTagsForResource": "otaupdate/*",
    "iot:DescribeJob": "job/*",
    "iot:DescribeStream": "stream/*",
    "signer:DescribeSigningJob": "/signing-jobs/*",
    "signer:GetSigningProfile": "/signing-profiles/*",
    "acm:DescribeCertificate": "certificate/*",
    "s3:GetObjectVersion": "*/*",
    "s3:GetObject": "*/*",
}
"""The resource each action is authorised on (None: it has no resource type), as the
Service Authorization Reference lists them; ListTagsForResource is asked on an OTA update.
An S3 object's ARN names no account or region, and the buckets are whatever the updates
name: any object (`arn:aws:s3:::*/*`)."""
_SID = {
    None: "OtaDriftListUpdates",
    "otaupdate/*": "OtaDriftReadUpdates",
    "job/*": "OtaDriftReadJobs",
    "stream/*": "OtaDriftReadStreams",
    "/signing-jobs/*": "OtaDriftReadSigningJobs",
    "/signing-profiles/*": "OtaDriftReadSigningProfiles",
    "certificate/*": "OtaDriftReadCertificates",
    "*/*": "OtaDriftHeadFirmwareObjectVersions",
}


def fleet_policies(fleet: Fleet, deep: bool, verify: bool = False) -> dict[str, Any]:
    """The caller's policy and each identity's, keyed by role ARN or `profile:NAME`."""
    first_hops: set[str] = set()
    next_hops: dict[str, set[str]] = {}
    audited: dict[str, list[Entry]] = {}
    for entry in fleet.entries:
        if entry.roles:
            first_hops.add(entry.roles[0])
            for hop, following in zip(entry.roles, entry.roles[1:], strict=False):
                next_hops.setdefault(hop, set()).add(following)
        audited.setdefault(identity(entry), []).append(entry)
    identities: dict[str, Any] = {}
    for key in sorted(set(next_hops) | set(audited)):
        statements: list[dict[str, Any]] = []
        if key in next_hops:
            statements.append(_assume("OtaDriftAssumeNextHop", next_hops[key]))
        if key in audited:
            statements += _audit_statements(audited[key], deep, verify)
        identities[key] = _document(statements)
    document: dict[str, Any] = {}
    if first_hops:
        document[CALLER] = _document([_assume("OtaDriftAssumeFirstHop", first_hops)])
    document["identities"] = identities
    return document


def identity(entry: Entry) -> str:
    """Who reads the entry's account: the last role of its chain, or `profile:NAME`."""
    if entry.roles:
        return entry.roles[-1]
    assert entry.profile is not None  # load_fleet gives every entry a role or a profile
    return PROFILE_PREFIX + entry.profile


def oversized(document: dict[str, Any]) -> list[str]:
    """A note for each policy IAM would refuse as one managed policy, for stderr."""
    policies = ([(CALLER, document[CALLER])] if CALLER in document else []) + list(
        document["identities"].items()
    )
    notes = []
    for key, policy in policies:
        size = len(json.dumps(policy, separators=(",", ":")))
        if size > MANAGED_POLICY_MAX:
            notes.append(
                f"the policy of {key} is {size:,} characters: more than the {MANAGED_POLICY_MAX:,} "
                "of an IAM managed policy (an inline role policy may have 10,240); split its "
                "Resource lists over several policies"
            )
    return notes


def _audit_statements(entries: list[Entry], deep: bool, verify: bool) -> list[dict[str, Any]]:
    """What reading the entries' accounts needs (one entry, but for a profile named twice)."""
    actions_used = [a for s in iam_policy(deep, verify)["Statement"] for a in _actions(s["Action"])]
    grouped: dict[str | None, list[str]] = {}
    for action in actions_used:
        grouped.setdefault(IOT_RESOURCE[action], []).append(action)
    statements = []
    for kind, actions in grouped.items():
        if kind == "*/*":
            partitions = sorted({_partition(e) for e in entries})
            arns = [f"arn:{p}:s3:::*/*" for p in partitions]
            statements.append(_statement(_SID[kind], actions, arns))
            continue
        if kind is not None:
            service = actions[0].split(":")[0]
            arns = sorted({r for e in entries for r in _arns(e, service, kind)})
            statements.append(_statement(_SID[kind], actions, arns))
            continue
        statement = _statement(_SID[kind], actions, "*")
        if all(e.regions is not None for e in entries):  # no resource: the region, then
            regions = sorted({r for e in entries for r in e.regions or ()})
            statement["Condition"] = {"StringEquals": {"aws:RequestedRegion": regions}}
        statements.append(statement)
    every_region = [e for e in entries if e.regions is None]
    if every_region:
        accounts = sorted(
            {f"arn:{_partition(e)}:account::{e.account}:account" for e in every_region}
        )
        statements.append(
            _statement("OtaDriftListEnabledRegions", ["account:ListRegions"], accounts)
        )
        statements.append(
            _statement(
                "OtaDriftDescribeRegionsWhereListRegionsIsDenied", ["ec2:DescribeRegions"], "*"
            )
        )
    if any(e.profile is not None for e in entries):
        statements.append(
            _statement("GetCallerIdentityNeedsNoPermission", ["sts:GetCallerIdentity"], "*")
        )
    return statements


def _arns(entry: Entry, service: str, kind: str) -> list[str]:
    """The entry's resources of `service` and `kind` in each of its regions (any region for
    `all`)."""
    if entry.regions is None:
        return [f"arn:{_partition(entry)}:{service}:*:{entry.account}:{kind}"]
    return [f"arn:{aws_partition(r)}:{service}:{r}:{entry.account}:{kind}" for r in entry.regions]


def _partition(entry: Entry) -> str:
    """The entry's AWS partition: its role's; a profile's is that of its regions, else `aws`."""
    match = ROLE_ARN.fullmatch(entry.roles[-1]) if entry.roles else None
    if match is not None:
        return match.group(1)
    return aws_partition(entry.regions[0]) if entry.regions else "aws"


def _assume(sid: str, roles: Iterable[str]) -> dict[str, Any]:
    return _statement(sid, ["sts:AssumeRole"], sorted(set(roles)))


def _statement(sid: str, actions: list[str], resource: str | list[str]) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resource}


def _document(statements: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Version": VERSION, "Statement": statements}


def _actions(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)
