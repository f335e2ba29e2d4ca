"""`ota-drift fleet init --organization`: a fleet file listing the accounts of an organisation.

The accounts come from `organizations:ListAccounts` (read-only, paged), asked with the
caller's base credentials; Organizations answers in one region of each AWS partition
(us-east-1 for `aws`), which botocore picks from whatever region the caller is configured
with. Every answer is checked before anything is written: a malformed account is an error,
never a guessed entry. Only ACTIVE accounts become entries; the others are listed in a
comment at the top of the file and in a note on stderr, so that none is silently left out.

The text written is loaded back with `load_fleet` before it is written: `fleet init` never
writes a file `check --fleet` would refuse.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import botocore.config
import botocore.exceptions
import botocore.session

from checker.errors import InputError, UsageError, did_you_mean
from checker.fleet.credentials import STS_REGION
from checker.fleet.file import ALL, iot_regions, load_fleet
from checker.fleet.run import base_session
from checker.importing.yamltext import yaml_text
from checker.output import OutputRequest, check_outputs, write_outputs
from checker.redact import redact
from checker.sources.aws import PARSE_FAILURES
from checker.textsafe import visible

OPERATION = "organizations:ListAccounts"
PAGE_SIZE = 20
"""ListAccounts' largest page."""
MAX_PAGES = 10_000
"""200,000 accounts: far beyond any organisation's quota; a listing still going is an error."""
ROLE_NAME = re.compile(r"[A-Za-z0-9+=,.@_-]{1,64}")
"""IAM's rule for a role name: 1-64 of ASCII letters, digits and +=,.@_-."""
STATES = frozenset({"PENDING_ACTIVATION", "ACTIVE", "SUSPENDED", "PENDING_CLOSURE", "CLOSED"})
"""An account's `State`, which replaces `Status` (retired by AWS on 9 September 2026)."""
STATUSES = frozenset({"ACTIVE", "SUSPENDED", "PENDING_CLOSURE"})
"""The older `Status`, read only when an answer has no `State`."""
ACTIVE = "ACTIVE"
_ACCOUNT_ID = re.compile(r"[0-9]{12}")
_NOT_IN_USE = "AWSOrganizationsNotInUseException"
_DENIED = frozenset({"AccessDeniedException", "AccessDenied"})
TIMEOUT = 10.0
"""Connect and read timeout of each attempt, seconds."""


@dataclass(frozen=True)
class OrgAccount:
    """One account as ListAccounts lists it, checked."""

    id: str
    name: str
    status: str
    """`State` (or, in an older answer, `Status`)."""


@dataclass(frozen=True)
class InitOptions:
    """What `fleet init --organization` was asked for, as typed."""

    role_name: str
    regions: Sequence[str] | None
    """`--regions`: names, or `["all"]`; None for the default, `all`."""
    profile: str | None = None
    output: str | None = None
    """`-o FILE`; None for stdout."""
    force: bool = False


def fleet_init(options: InitOptions, base: botocore.session.Session | None = None) -> None:
    """Check the options and the output, list the organisation, write the fleet file.

    Everything that can be checked without AWS is checked first: a bad role name, region or
    output path costs no API call. UsageError (exit 2) for anything that stops it.
    """
    check_role_name(options.role_name)
    regions = fleet_regions(options.regions)
    plan = check_outputs(
        [] if options.output is None else [OutputRequest("-o", options.output)],
        stdout=options.output is None,
    )
    if options.output is not None and os.path.lexists(options.output) and not options.force:
        raise UsageError(f"-o {options.output}: exists already; --force replaces it")
    client, partition = organizations_client(base or base_session(options.profile))
    accounts = list_accounts(client)
    text = fleet_text(accounts, role_template(options.role_name, partition), regions)
    write_outputs(plan, [text])
    left_out = [a for a in accounts if a.status != ACTIVE]
    if left_out:
        shown = ", ".join(f"{a.id} ({a.name}, {a.status})" for a in left_out)
        _note(f"left out {len(left_out)} account(s) that are not ACTIVE: {shown}")
    if options.output is not None:
        written = len(accounts) - len(left_out)
        _note(f"{written} account(s) written to {options.output}", prefix="ota-drift")


def check_role_name(name: str) -> None:
    """A UsageError unless `name` is a name IAM allows for a role."""
    if ROLE_NAME.fullmatch(name) is None:
        raise UsageError(
            f"--role-name must be an IAM role name (1-64 of letters, digits and +=,.@_-), "
            f"not {name[:80]!r}"
        )


def role_template(name: str, partition: str = "aws") -> str:
    """The file's `defaults.role`: the role `name` in every account (`{account}` filled in
    per entry by `load_fleet`)."""
    return f"arn:{partition}:iam::{{account}}:role/{name}"


def fleet_regions(values: Sequence[str] | None) -> tuple[str, ...] | None:
    """`--regions` as the file's `regions`: a tuple of IoT regions, or None for `all`."""
    if values is None or list(values) == [ALL]:
        return None
    if ALL in values:
        raise UsageError("--regions takes `all` alone, or a list of regions")
    known = iot_regions()
    seen: list[str] = []
    for region in values:
        if region not in known:
            raise UsageError(
                f"--regions: {region[:80]!r} is not a region AWS IoT is in"
                + did_you_mean(region, known)
            )
        if region in seen:
            raise UsageError(f"--regions: {region} is given twice")
        seen.append(region)
    return tuple(seen)


def organizations_client(base: botocore.session.Session) -> tuple[Any, str]:
    """A read-only Organizations client on the base credentials, and its AWS partition."""
    config = botocore.config.Config(
        retries={"mode": "standard", "total_max_attempts": 5},
        connect_timeout=TIMEOUT,
        read_timeout=TIMEOUT,
        user_agent_extra="ota-drift",
    )
    try:
        region = base.get_config_variable("region") or STS_REGION
        client = base.create_client("organizations", region_name=region, config=config)
    except botocore.exceptions.BotoCoreError as exc:
        raise UsageError(f"{OPERATION}: {_text(exc)}") from None
    return client, str(client.meta.partition)


def list_accounts(client: Any) -> tuple[OrgAccount, ...]:
    """Every account of the organisation, page after page, each checked; sorted by id."""
    found: dict[str, OrgAccount] = {}
    tokens: set[str] = set()
    token: str | None = None
    for page_number in range(1, MAX_PAGES + 1):
        arguments: dict[str, Any] = {"MaxResults": PAGE_SIZE}
        if token is not None:
            arguments["NextToken"] = token
        page = _call(client, arguments)
        for index, raw in enumerate(_items(page, page_number)):
            account = _account(raw, f"page {page_number}, account {index + 1}")
            earlier = found.setdefault(account.id, account)
            if earlier != account:
                raise UsageError(
                    f"{OPERATION} listed account {account.id} twice, differently "
                    f"({earlier.name!r} {earlier.status}, then {account.name!r} {account.status})"
                )
        token = _next_token(page, page_number)
        if token is None:
            return tuple(sorted(found.values(), key=lambda a: a.id))
        if token in tokens:
            raise UsageError(
                f"{OPERATION} answered a NextToken it had given before (page {page_number}): "
                "the listing would never end"
            )
        tokens.add(token)
    raise UsageError(f"{OPERATION} still had a NextToken after {MAX_PAGES} pages")


def fleet_text(accounts: Sequence[OrgAccount], role: str, regions: tuple[str, ...] | None) -> str:
    """The fleet file for `accounts`' ACTIVE ones, checked by loading it back."""
    active = [a for a in accounts if a.status == ACTIVE]
    if not active:
        raise UsageError(
            f"the organisation lists no ACTIVE account ({len(accounts)} listed): nothing written"
        )
    names = unique_names(active)
    comments = [
        "Written by `ota-drift fleet init --organization` from AWS Organizations "
        f"(ListAccounts): {len(active)} ACTIVE account(s). Add to each account's `declared` "
        "the paths of its declared OTA updates, relative to this file.",
    ]
    left_out = [a for a in accounts if a.status != ACTIVE]
    if left_out:
        comments.append(f"Left out, not ACTIVE ({len(left_out)}):")
        comments += [f"  {a.id} {json.dumps(a.name)} {a.status}" for a in left_out]
    data: dict[str, Any] = {
        "defaults": {"role": role, "regions": ALL if regions is None else list(regions)},
        "accounts": [
            {"account": a.id, **({"name": names[a.id]} if names[a.id] else {}), "declared": []}
            for a in active
        ],
    }
    text = yaml_text(data, comments)
    _check_loads(text, [(a.id, names[a.id] or None) for a in active], regions)
    return text


def unique_names(accounts: Sequence[OrgAccount]) -> dict[str, str]:
    """Each account's name in the file: its Name, or `Name (id)` where two share one (every
    one of them, so that the order AWS lists them in decides nothing); "" for a blank Name,
    which the file leaves out (the account id then names the entry)."""
    names = {a.id: a.name if a.name.strip() else "" for a in accounts}
    for _ in range(len(accounts) + 1):
        counts = Counter(n for n in names.values() if n)
        clashing = {i for i, n in names.items() if n and counts[n] > 1}
        if not clashing:
            return names
        names = {i: f"{n} ({i})" if i in clashing else n for i, n in names.items()}
    raise AssertionError("account ids are unique, so names made of them end up unique")


def _check_loads(
    text: str, expected: list[tuple[str, str | None]], regions: tuple[str, ...] | None
) -> None:
    """`text` read by `load_fleet` gives exactly the expected entries, or this is a bug."""
    with tempfile.TemporaryDirectory(prefix="ota-drift-fleet-") as folder:
        path = Path(folder) / "fleet.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            fleet = load_fleet(str(path))
        except InputError as exc:
            raise AssertionError(f"fleet init wrote a file load_fleet refuses: {exc}") from None
    got = [(e.account, e.name) for e in fleet.entries]
    if got != expected or any(e.regions != regions for e in fleet.entries):
        raise AssertionError("fleet init wrote a file that does not load as the accounts listed")


def _call(client: Any, arguments: dict[str, Any]) -> Any:
    try:
        return client.list_accounts(**arguments)
    except botocore.exceptions.ClientError as exc:
        error = exc.response.get("Error", {})
        code = str(error.get("Code") or "ClientError")
        message = _text(error.get("Message") or "no message")
        if code == _NOT_IN_USE:
            raise UsageError(
                f"{OPERATION}: the caller's account is not in an organisation ({code}): {message}"
            ) from None
        if code in _DENIED:
            raise UsageError(
                f"{OPERATION} was denied ({code}): it needs the organisation's management "
                f"account or a delegated administrator, allowed {OPERATION}: {message}"
            ) from None
        raise UsageError(f"{OPERATION} failed ({_text(code)[:100]}): {message}") from None
    except botocore.exceptions.BotoCoreError as exc:
        raise UsageError(f"{OPERATION}: {_text(exc)}") from None
    except PARSE_FAILURES as exc:  # an answer botocore's parser could not fit to the model
        raise UsageError(
            f"{OPERATION} answered what botocore could not parse: {type(exc).__name__}"
        ) from None


def _items(page: Any, page_number: int) -> list[Any]:
    if not isinstance(page, Mapping):
        raise UsageError(f"{OPERATION} page {page_number} is not a mapping")
    items = page.get("Accounts", [])
    if not isinstance(items, list):
        raise UsageError(f"{OPERATION} page {page_number}: `Accounts` is not a list")
    return items


def _next_token(page: Mapping[str, Any], page_number: int) -> str | None:
    token = page.get("NextToken")
    if token is None or token == "":
        return None
    if not isinstance(token, str):
        raise UsageError(f"{OPERATION} page {page_number}: `NextToken` is not a string")
    return token


def _account(raw: Any, where: str) -> OrgAccount:
    """One listed account, checked: a 12-digit Id, a string Name, a known State or Status."""
    if not isinstance(raw, Mapping):
        raise UsageError(f"{OPERATION} answered a malformed account ({where}): not a mapping")
    account_id = raw.get("Id")
    if not isinstance(account_id, str) or _ACCOUNT_ID.fullmatch(account_id) is None:
        raise UsageError(
            f"{OPERATION} answered a malformed account ({where}): Id {_shown(account_id)} "
            "is not a 12-digit account ID"
        )
    name = raw.get("Name")
    if not isinstance(name, str) or not _encodable(name):
        raise UsageError(
            f"{OPERATION} answered a malformed account ({where}, {account_id}): Name "
            f"{_shown(name)} is not a string of text"
        )
    key, known = ("State", STATES) if "State" in raw else ("Status", STATUSES)
    status = raw.get(key)
    if not isinstance(status, str) or status not in known:
        raise UsageError(
            f"{OPERATION} answered a malformed account ({where}, {account_id}): {key} "
            f"{_shown(status)} is not one of {', '.join(sorted(known))}"
        )
    return OrgAccount(account_id, name, status)


def _encodable(text: str) -> bool:
    """False for a lone surrogate, which no file can hold (a malformed answer's)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _shown(value: Any) -> str:
    """A value from the answer, for a message: its repr, at most 60 characters."""
    text = "(missing)" if value is None else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _text(value: Any) -> str:
    return redact(" ".join(str(value).split()), provider_output=True)[:300]


def _note(text: str, *, prefix: str = "note") -> None:
    print(f"{prefix}: {visible(text)}", file=sys.stderr)
