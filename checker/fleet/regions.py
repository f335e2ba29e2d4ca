"""`regions: all`: the IoT regions enabled in an account.

`account:ListRegions` says which regions are enabled (ENABLED, ENABLED_BY_DEFAULT); where the
audit role may not call it, `ec2:DescribeRegions` lists the enabled ones too. Either answer is
intersected with the regions botocore knows IoT in; a region name that is not a region at all
is an error, never a partition.
"""

from __future__ import annotations

from typing import Any

import boto3
import botocore.config
import botocore.exceptions

from checker.fleet.credentials import STS_REGION, AccessFailure
from checker.fleet.file import iot_regions

ENABLED = ("ENABLED", "ENABLED_BY_DEFAULT")
MAX_PAGES = 100
"""ListRegions pages of 50: far more than AWS has regions."""
_DENIED = frozenset({"AccessDeniedException", "AccessDenied", "UnauthorizedOperation"})


def enabled_iot_regions(session: boto3.Session, timeout: float) -> tuple[str, ...]:
    """The IoT regions enabled in the session's account, sorted; AccessFailure if neither API
    answers."""
    config = botocore.config.Config(
        retries={"mode": "standard", "total_max_attempts": 5},
        connect_timeout=timeout,
        read_timeout=timeout,
        user_agent_extra="ota-drift",
    )
    region = session.region_name or STS_REGION
    try:
        names = _list_regions(session.client("account", region_name=region, config=config))
    except _Denied:
        names = _describe_regions(session.client("ec2", region_name=region, config=config))
    known = set(iot_regions())
    return tuple(sorted(known.intersection(names)))


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
            names.append(_name(region, "RegionName", "ListRegions"))
        token = page.get("NextToken") or None
        if token is None:
            return names
    raise AccessFailure("ListRegions", "TooManyPages", f"still a NextToken after {MAX_PAGES} pages")


def _describe_regions(client: Any) -> list[str]:
    page = _call(client, "DescribeRegions", {"AllRegions": False}, fallback=False)
    return [_name(region, "RegionName", "DescribeRegions") for region in page.get("Regions") or []]


def _call(client: Any, operation: str, arguments: dict[str, Any], *, fallback: bool) -> Any:
    method = getattr(client, "list_regions" if operation == "ListRegions" else "describe_regions")
    try:
        return method(**arguments)
    except botocore.exceptions.ClientError as exc:
        error = exc.response.get("Error", {})
        code = str(error.get("Code") or "ClientError")
        if fallback and code in _DENIED:
            raise _Denied from None
        message = " ".join(str(error.get("Message") or "no message").split())[:300]
        raise AccessFailure(operation, code, message) from None
    except botocore.exceptions.BotoCoreError as exc:
        raise AccessFailure(
            operation, type(exc).__name__, " ".join(str(exc).split())[:300]
        ) from None


def _name(region: Any, key: str, operation: str) -> str:
    name = region.get(key) if isinstance(region, dict) else None
    if not isinstance(name, str) or not name:
        raise AccessFailure(
            operation, "MalformedAnswer", f"a region without a {key}: {region!r:.100}"
        )
    return name
