"""The fleet file: which accounts and regions one audit covers, how to reach each, and which
declarations belong where.

    defaults:
      role: arn:aws:iam::{account}:role/ota-drift-audit
      regions: [eu-west-1, us-east-1]
    accounts:
      - account: "111122223333"
        name: prod
        declared: [ota/prod]

Every problem is a `FILE:LINE: message`, all of them at once, before AWS is called. Paths in
`declared` are relative to the fleet file's folder, as in docker-compose or c7n-org's files.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path as FsPath
from typing import Any

import botocore.session

from checker.errors import InputError, Problem, did_you_mean
from checker.files import display_path, read_text
from checker.model import Location, Path, nearest_line
from checker.yamlsafe import load_located

MAX_FLEET_BYTES = 5 * 2**20
"""A fleet file of 5 MiB lists some 50,000 accounts: more than any organisation holds."""
MAX_HOPS = 10
"""Roles in one chain: each hop is an STS call, and AWS has no use for more."""
ALL = "all"
"""`regions: all`: the IoT regions enabled in the account, found at run time."""

CREDENTIAL_KEYS = ("role", "profile", "externalId", "sessionName")
DEFAULT_KEYS = (*CREDENTIAL_KEYS, "regions")
ENTRY_KEYS = ("account", "name", *DEFAULT_KEYS, "declared")
TOP_KEYS = ("defaults", "accounts")

ACCOUNT_ID = re.compile(r"[0-9]{12}")
ROLE_ARN = re.compile(r"arn:(aws(?:-[a-z]+)*):iam::([0-9]{12}):role/[\w+=,.@/-]{1,512}", re.ASCII)
"""An IAM role ARN (path and name as IAM allows them)."""
EXTERNAL_ID = re.compile(r"[\w+=,.@:/-]{2,1224}", re.ASCII)
SESSION_NAME = re.compile(r"[\w+=,.@-]{2,64}", re.ASCII)
"""STS's own limits on ExternalId and RoleSessionName. ASCII only: `\\w` alone takes any
letter or digit of Unicode, which STS refuses at run time."""
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
DEFAULT_SESSION_NAME = "ota-drift"


def aws_partition(region: str) -> str:
    """The AWS partition a region is in (`aws`, `aws-cn`, `aws-us-gov`, ...), as botocore's
    endpoint data says; `aws` for a region it does not know."""
    return _partition_of_region().get(region, "aws")


@cache
def _partition_of_region() -> dict[str, str]:
    session = botocore.session.get_session()
    return {
        region: partition
        for partition in session.get_available_partitions()
        for region in session.get_available_regions("iot", partition_name=partition)
    }


@cache
def iot_regions() -> tuple[str, ...]:
    """Every region botocore knows IoT in, in any AWS partition, sorted."""
    session = botocore.session.get_session()
    found: set[str] = set()
    for partition in session.get_available_partitions():
        found.update(session.get_available_regions("iot", partition_name=partition))
    return tuple(sorted(found))


@dataclass(frozen=True)
class Entry:
    """One account of the fleet, its defaults applied."""

    account: str
    name: str | None
    roles: tuple[str, ...]
    """The roles assumed in turn from the base credentials; the last is in `account`. Empty
    when `profile` gives the credentials."""
    profile: str | None
    external_id: str | None
    session_name: str
    regions: tuple[str, ...] | None
    """None for `regions: all`."""
    declared: tuple[str, ...]
    """Declared paths of every region, as the loader takes them (relative to the current
    folder, or absolute)."""
    declared_by_region: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Declared paths of one region only (`declared: {eu-west-1: [...]}`)."""
    location: Location = field(default=Location("", 1), compare=False)
    """Where the entry starts."""
    region_lines: Mapping[str, int] = field(default_factory=dict, compare=False)
    """The line naming each region of `declared_by_region`, for errors found at run time."""

    @property
    def label(self) -> str:
        """`prod (111122223333)`, or the account alone: how messages name the entry."""
        return self.account if self.name is None else f"{self.name} ({self.account})"

    def declared_for(self, region: str) -> tuple[str, ...]:
        """The declared paths audited in `region` of this account."""
        return (*self.declared, *self.declared_by_region.get(region, ()))


@dataclass(frozen=True)
class Fleet:
    file: str
    """As the user named it, for messages."""
    entries: tuple[Entry, ...]

    def entry(self, account: str) -> Entry:
        return next(e for e in self.entries if e.account == account)


def load_fleet(path: str) -> Fleet:
    """The fleet file at `path`; every problem in it at once, or none."""
    shown = display_path(path)
    doc, lines = load_located(read_text(FsPath(path), MAX_FLEET_BYTES), shown)
    reader = _Reader(shown, lines, FsPath(path).parent)
    fleet = reader.read(doc)
    if reader.problems:
        # A bad `defaults` value is found once per entry that inherits it: say it once.
        raise InputError(sorted(dict.fromkeys(reader.problems), key=lambda p: p.line or 0))
    return fleet


class _Reader:
    def __init__(self, shown: str, lines: dict[Path, int], folder: FsPath) -> None:
        self.shown = shown
        self.lines = lines
        self.folder = folder
        self.problems: list[Problem] = []

    def at(self, path: Path, message: str) -> None:
        self.problems.append(Problem(self.shown, nearest_line(self.lines, path) or 1, message))

    def read(self, doc: Any) -> Fleet:
        if not isinstance(doc, dict):
            self.at((), "a fleet file is a mapping with `accounts` (and optional `defaults`)")
            return Fleet(self.shown, ())
        self.unknown_keys(doc, (), TOP_KEYS, "a fleet file")
        defaults = doc.get("defaults", {})
        if not isinstance(defaults, dict):
            self.at(("defaults",), "`defaults` must be a mapping")
            defaults = {}
        self.unknown_keys(defaults, ("defaults",), DEFAULT_KEYS, "`defaults`")
        accounts = doc.get("accounts")
        if not isinstance(accounts, list) or not accounts:
            self.at(
                ("accounts",) if "accounts" in doc else (),
                "`accounts` must be a list of one or more accounts",
            )
            return Fleet(self.shown, ())
        entries: list[Entry] = []
        seen_accounts: dict[str, int] = {}
        seen_names: dict[str, int] = {}
        for index, raw in enumerate(accounts):
            entry = self.entry(raw, ("accounts", index), defaults)
            if entry is None:
                continue
            line = entry.location.line
            if entry.account in seen_accounts:
                self.at(
                    ("accounts", index, "account"),
                    f"account {entry.account} is listed twice (first at line "
                    f"{seen_accounts[entry.account]}): give it one entry with all its regions",
                )
            seen_accounts.setdefault(entry.account, line)
            if entry.name is not None:
                if entry.name in seen_names:
                    self.at(
                        ("accounts", index, "name"),
                        f"name {entry.name!r} is used twice "
                        f"(first at line {seen_names[entry.name]})",
                    )
                seen_names.setdefault(entry.name, line)
            entries.append(entry)
        return Fleet(self.shown, tuple(entries))

    def unknown_keys(
        self, node: Mapping[str, Any], path: Path, known: tuple[str, ...], what: str
    ) -> None:
        for key in node:
            if key not in known:
                hint = did_you_mean(str(key), known) or f"; {what} takes {', '.join(known)}"
                self.at((*path, key), f"unknown key {key!r}{hint}")

    def entry(self, raw: Any, path: Path, defaults: Mapping[str, Any]) -> Entry | None:
        if not isinstance(raw, dict):
            self.at(path, "an account entry must be a mapping with `account`")
            return None
        before = len(self.problems)
        self.unknown_keys(raw, path, ENTRY_KEYS, "an account entry")
        account = self.account(raw, path)
        if account is None:
            return None
        name = raw.get("name")
        if name is not None and (not isinstance(name, str) or not name.strip()):
            self.at((*path, "name"), "`name` must be a non-empty string")
            name = None
        own_credentials = "role" in raw or "profile" in raw
        source = raw if own_credentials else defaults
        where = path if own_credentials else ("defaults",)
        if "role" in source and "profile" in source:
            self.at((*where, "profile"), "give `role` or `profile`, not both")
        roles = (
            self.roles(source.get("role"), (*where, "role"), account) if "role" in source else ()
        )
        profile = self.string(source, where, "profile") if "profile" in source else None
        if not roles and profile is None and "role" not in source and "profile" not in source:
            self.at(path, f"account {account} has no `role` or `profile` (here or in `defaults`)")
        if profile is not None and "externalId" in raw:
            self.at(
                (*path, "externalId"), "`externalId` is for assuming a `role`, not with a `profile`"
            )
        external_id = (
            self.setting(
                raw,
                defaults,
                path,
                "externalId",
                pattern=EXTERNAL_ID,
                allowed="2-1224 of letters, digits and +=,.@:/-",
            )
            if "role" in source  # checked even when the role is wrong: every problem at once
            else None
        )
        session_name = self.setting(
            raw,
            defaults,
            path,
            "sessionName",
            pattern=SESSION_NAME,
            allowed="2-64 of letters, digits and +=,.@-",
        )
        regions = self.regions(raw, defaults, path)
        if roles and regions:
            self.same_partition(roles[-1], regions, raw, path)
        declared, by_region, region_lines = self.declared(
            raw.get("declared", []), (*path, "declared"), regions
        )
        if len(self.problems) > before:
            return None
        return Entry(
            account=account,
            name=name,
            roles=roles,
            profile=profile,
            external_id=external_id,
            session_name=session_name or DEFAULT_SESSION_NAME,
            regions=regions,
            declared=declared,
            declared_by_region=by_region,
            location=Location(self.shown, nearest_line(self.lines, path) or 1),
            region_lines=region_lines,
        )

    def same_partition(
        self, role: str, regions: tuple[str, ...], raw: Mapping[str, Any], path: Path
    ) -> None:
        """A role of `aws` cannot read `cn-north-1`: each AWS partition has its own accounts,
        so the run could only fail there (an unrecognised client)."""
        match = ROLE_ARN.fullmatch(role)
        where = (*path, "regions") if "regions" in raw else ("defaults", "regions")
        for region in regions:
            if match is not None and aws_partition(region) != match.group(1):
                self.at(
                    where,
                    f"region {region} is in the {aws_partition(region)} partition, but the "
                    f"role {role} is in {match.group(1)}: one entry per AWS partition",
                )
                return

    def account(self, raw: Mapping[str, Any], path: Path) -> str | None:
        value = raw.get("account")
        if value is None:
            self.at(path, "an account entry needs `account`, the 12-digit account ID")
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            self.at(
                (*path, "account"),
                f'write the account ID as a quoted string ("{value:012d}"): YAML reads '
                f"{value} as a number, and drops leading zeros",
            )
            return None
        if not isinstance(value, str) or ACCOUNT_ID.fullmatch(value) is None:
            self.at((*path, "account"), f"`account` must be a 12-digit account ID, not {value!r}")
            return None
        return value

    def roles(self, value: Any, path: Path, account: str) -> tuple[str, ...]:
        hops = value if isinstance(value, list) else [value]
        if not hops or len(hops) > MAX_HOPS:
            self.at(
                path, f"`role` must be a role ARN or a list of 1 to {MAX_HOPS} of them (a chain)"
            )
            return ()
        roles: list[str] = []
        for index, hop in enumerate(hops):
            where = (*path, index) if isinstance(value, list) else path
            if not isinstance(hop, str):
                self.at(where, f"a role must be an IAM role ARN, not {hop!r}")
                return ()
            unknown = [p for p in PLACEHOLDER.findall(hop) if p != "account"]
            if unknown:
                self.at(
                    where,
                    f"unknown placeholder {{{unknown[0]}}} in {hop!r}: "
                    "only {account} is filled in",
                )
                return ()
            arn = hop.replace("{account}", account)
            if ROLE_ARN.fullmatch(arn) is None:
                self.at(
                    where, f"{arn!r} is not an IAM role ARN (arn:aws:iam::<12 digits>:role/<name>)"
                )
                return ()
            roles.append(arn)
        last = ROLE_ARN.fullmatch(roles[-1])
        if last is not None and last.group(2) != account:
            self.at(
                (*path, len(hops) - 1) if isinstance(value, list) else path,
                f"the last role {roles[-1]!r} is in account {last.group(2)}, not {account}: the "
                "audit would read another account than the entry names",
            )
            return ()
        return tuple(roles)

    def string(self, node: Mapping[str, Any], path: Path, key: str) -> str | None:
        value = node.get(key)
        if not isinstance(value, str) or not value.strip():
            self.at((*path, key), f"`{key}` must be a non-empty string")
            return None
        return value

    def setting(
        self,
        raw: Mapping[str, Any],
        defaults: Mapping[str, Any],
        path: Path,
        key: str,
        *,
        pattern: re.Pattern[str],
        allowed: str,
    ) -> str | None:
        node, where = (raw, path) if key in raw else (defaults, ("defaults",))
        if key not in node:
            return None
        value = node[key]
        if not isinstance(value, str) or pattern.fullmatch(value) is None:
            self.at((*where, key), f"`{key}` must be {allowed}, not {value!r}")
            return None
        return value

    def regions(
        self, raw: Mapping[str, Any], defaults: Mapping[str, Any], path: Path
    ) -> tuple[str, ...] | None:
        node, where = (raw, path) if "regions" in raw else (defaults, ("defaults",))
        if "regions" not in node:
            self.at(
                path, "no `regions` (here or in `defaults`): list them, or write `regions: all`"
            )
            return ()
        value = node["regions"]
        if value == ALL:
            return None
        if not isinstance(value, list) or not value:
            self.at((*where, "regions"), "`regions` must be a list of regions, or `all`")
            return ()
        known = iot_regions()
        regions: list[str] = []
        for index, region in enumerate(value):
            if not isinstance(region, str) or region not in known:
                hint = did_you_mean(str(region), known) if isinstance(region, str) else ""
                self.at(
                    (*where, "regions", index), f"{region!r} is not a region AWS IoT is in{hint}"
                )
            elif region in regions:
                self.at((*where, "regions", index), f"region {region} is listed twice")
            else:
                regions.append(region)
        return tuple(regions)

    def declared(
        self, value: Any, path: Path, regions: tuple[str, ...] | None
    ) -> tuple[tuple[str, ...], dict[str, tuple[str, ...]], dict[str, int]]:
        if isinstance(value, list):
            return self.paths(value, path), {}, {}
        if not isinstance(value, dict):
            self.at(path, "`declared` must be a list of paths, or a mapping of region to paths")
            return (), {}, {}
        by_region: dict[str, tuple[str, ...]] = {}
        lines: dict[str, int] = {}
        for region, paths in value.items():
            where = (*path, region)
            if regions is not None and region not in regions:
                self.at(
                    where,
                    f"region {region!r} is not one of this account's regions "
                    f"({', '.join(regions) or 'none'})",
                )
                continue
            if regions is None and region not in iot_regions():
                hint = did_you_mean(str(region), iot_regions())
                self.at(where, f"{region!r} is not a region AWS IoT is in{hint}")
                continue
            if not isinstance(paths, list):
                self.at(where, f"the paths declared for {region} must be a list")
                continue
            by_region[region] = self.paths(paths, where)
            lines[region] = nearest_line(self.lines, where) or 1
        return (), by_region, lines

    def paths(self, value: list[Any], path: Path) -> tuple[str, ...]:
        found: list[str] = []
        for index, item in enumerate(value):
            where = (*path, index)
            if not isinstance(item, str) or not item.strip():
                self.at(where, f"a declared path must be a non-empty string, not {item!r}")
                continue
            given = FsPath(item)
            resolved = (
                given if given.is_absolute() else FsPath(os.path.normpath(self.folder / given))
            )
            if not resolved.exists():
                self.at(
                    where,
                    f"declared path {item!r} does not exist "
                    "(paths are relative to the fleet file's folder)",
                )
                continue
            found.append(display_path(resolved))
        return tuple(found)
