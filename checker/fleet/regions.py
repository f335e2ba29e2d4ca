"""`regions: all`: the IoT regions enabled in an account.

`account:ListRegions` says which regions are enabled (ENABLED, ENABLED_BY_DEFAULT); where the
audit role may not call it, `ec2:DescribeRegions` lists the enabled ones too. Either answer is
checked (a name that is not a region, a region reported in a status that was not asked for,
an account with no enabled IoT region at all are errors, never partitions or silence), then
intersected with the regions botocore knows IoT in. Error texts are redacted of the
account's credentials, as the IoT source's are.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import boto3
import botocore.config
import botocore.exceptions

from checker.fleet.credentials import STS_REGION, AccessFailure
from checker.fleet.file import iot_regions
from checker.redact import redact

ENABLED = ("ENABLED", "ENABLED_BY_DEFAULT")
MAX_PAGES = 100
"""ListRegions pages of 50: far more than AWS has regions."""
REGION_NAME = re.compile(r"[a-z]{2,4}(?:-[a-z]+)+-[0-9]{1,2}")
"""eu-west-1, us-gov-west-1, cn-north-1, eusc-de-east-1."""
_DENIED = frozenset({"AccessDeniedException", "AccessDenied", "UnauthorizedOperation"})


def enabled_iot_regions(
    session: boto3.Session, timeout: float, secrets: Sequence[str] = ()
) -> tuple[str, ...]:
    """The IoT regions enabled in the session's account, sorted; AccessFailure if neither API
    answers, if an answer is malformed, or if no IoT region is enabled. `secrets` (the
    credential values in use) are redacted from every error."""
    config = botocore.config.Config(
        retries={"mode": "standard", "total_max_attempts": 5},
        connect_timeout=timeout,
        read_timeout=timeout,
        user_agent_extra="ota-drift",
    )
    region = session.region_name or STS_REGION
    try:
        try:
            operation = "ListRegions"
            client = session.client("account", region_name=region, config=config)
            names = _list_regions(client)
        except _Denied:
            operation = "DescribeRegions"
            names = _describe_regions(session.client("ec2", region_name=region, config=config))
    except AccessFailure as failure:
        raise AccessFailure(
            failure.operation, _clean(failure.code, secrets)[:100], _clean(failure.message, secrets)
        ) from None
    found = tuple(sorted(set(iot_regions()).intersection(names)))
    if not found:
        raise AccessFailure(
            operation,
            "NoEnabledIoTRegion",
            f"{operation} lists no enabled region that AWS IoT is in "
            f"({', '.join(sorted(names)[:5]) or 'none at all'}): nothing of the account is "
            "audited",
        )
    return found


class _Denied(Exception):
    pass


def _list_regions(client: Any) -> list[str]:
    names: list[str] = []
    token: str | None = None
    for _ in range(MAX_PAGES):
        arguments: dict[str, Any] = {"RegionOptStatusContains": list(ENABLED), "MaxResults": 50}
        if token:
            arguments["NextToken"] = token
        page = _call(client, "ListRegions", arguments, fallback=True)
        for region in page.get("Regions") or []:
            name = _name(region, "ListRegions")
            status = region.get("RegionOptStatus")
            if status not in ENABLED:
                raise AccessFailure(
                    "ListRegions",
                    "MalformedAnswer",
                    f"region {name} is listed as {str(status)[:40]!r}, though only "
                    f"{' and '.join(ENABLED)} were asked for",
                )
            names.append(name)
        token = page.get("NextToken") or None
        if token is None:
            return names
    raise AccessFailure("ListRegions", "TooManyPages", f"still a NextToken after {MAX_PAGES} pages")


def _describe_regions(client: Any) -> list[str]:
    page = _call(client, "DescribeRegions", {"AllRegions": False}, fallback=False)
    return [_name(region, "DescribeRegions") for region in page.get("Regions") or []]


def _call(client: Any, operation: str, arguments: dict[str, Any], *, fallback: bool) -> Any:
    method = getattr(client, "list_regions" if operation == "ListRegions" else "describe_regions")
    try:
        return method(**arguments)
    except botocore.exceptions.ClientError as exc:
        error = exc.response.get("Error", {})
        code = str(error.get("Code") or "ClientError")
        if fallback and code in _DENIED:
            raise _Denied from None
        raise AccessFailure(operation, code, str(error.get("Message") or "no message")) from None
    except AccessFailure:  # the account's credentials could not be renewed
        raise
    except botocore.exceptions.BotoCoreError as exc:
        raise AccessFailure(operation, type(exc).__name__, str(exc)) from None


def _name(region: Any, operation: str) -> str:
    name = region.get("RegionName") if isinstance(region, dict) else None
    if not isinstance(name, str) or REGION_NAME.fullmatch(name) is None:
        raise AccessFailure(
            operation, "MalformedAnswer", f"{str(name)[:60]!r} is not a region name"
        )
    return name


def _clean(text: str, secrets: Sequence[str]) -> str:
    return redact(" ".join(text.split()), tuple(secrets))[:300]
