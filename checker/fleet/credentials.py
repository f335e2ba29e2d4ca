"""Credentials for each account of a fleet: roles assumed in turn from the base credentials, or
a named profile, refreshed before they expire and again whenever a service says they have.

botocore refreshes assumed-role credentials itself (15 minutes before they expire), through
the credential object its request signer holds; a session cut short (revoked, or a shorter
maximum than STS said) is seen only as an ExpiredToken answer, and `Access.expire()` makes
the next request fetch new credentials instead of failing.

Every STS answer is checked: the credentials are whole, and the assumed role is in the account
the fleet file names (a wrong answer would audit another account under this one's name).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import boto3
import botocore.config
import botocore.credentials
import botocore.exceptions
import botocore.session

from checker.fleet.file import Entry
from checker.redact import redact

STS_REGION = "us-east-1"
"""Where STS is asked when the base configuration names no region (every account has it)."""
_ASSUMED_ARN = re.compile(r"arn:aws(?:-[a-z]+)*:sts::([0-9]{12}):assumed-role/.+")
_IDENTITY_ARN = re.compile(r"arn:aws(?:-[a-z]+)*:(?:iam|sts)::([0-9]{12}):.+")


class AccessFailure(Exception):
    """The account could not be reached: the partition's one error entry."""

    def __init__(self, operation: str, code: str, message: str) -> None:
        super().__init__(message)
        self.operation = operation
        self.code = code
        self.message = message


class _Assumed(botocore.credentials.DeferredRefreshableCredentials):
    """botocore's refreshing credentials, with a way to say "expired now"."""

    def __init__(self, fetch: Callable[[], dict[str, Any]]) -> None:
        self._forced = False
        self._fetch = fetch
        super().__init__(refresh_using=self._refreshed, method="assume-role")

    def expire(self) -> None:
        self._forced = True

    def refresh_needed(self, refresh_in: int | None = None) -> bool:
        return self._forced or bool(super().refresh_needed(refresh_in))

    def _refreshed(self) -> dict[str, Any]:
        metadata = self._fetch()
        self._forced = False
        return metadata


class _Provider(botocore.credentials.CredentialProvider):
    """Puts one credential object first in a botocore session's chain (its public hook)."""

    METHOD = "ota-drift-fleet"
    CANONICAL_NAME = "ota-drift-fleet"

    def __init__(self, credentials: botocore.credentials.Credentials) -> None:
        super().__init__()
        self._credentials = credentials

    def load(self) -> botocore.credentials.Credentials:
        return self._credentials


@dataclass(frozen=True)
class StsSettings:
    timeout: float = 10.0
    max_attempts: int = 5
    """STS calls are few (one per hop, per hour): botocore's standard retries are enough."""


class Access:
    """How one account of the fleet is reached. Thread-safe: every region shares it."""

    def __init__(
        self,
        entry: Entry,
        base: botocore.session.Session,
        settings: StsSettings = StsSettings(),
    ) -> None:
        self.entry = entry
        self._base = base
        self._settings = settings
        self._lock = threading.Lock()
        self._session: botocore.session.Session | None = None
        self._hops: list[_Assumed] = []

    @property
    def operations(self) -> tuple[str, ...]:
        """The STS calls this account costs the caller and its hops, for the IAM policy."""
        return ("sts:AssumeRole",) if self.entry.roles else ("sts:GetCallerIdentity",)

    def session(self) -> boto3.Session:
        """A session signing as the account's audit identity; AccessFailure if none can."""
        with self._lock:
            if self._session is None:
                self._session = self._connect()
            return boto3.Session(botocore_session=self._session)

    def expire(self) -> None:
        """The service said the session expired: every hop is fetched anew on next use."""
        for hop in self._hops:
            hop.expire()

    def secrets(self) -> tuple[str, ...]:
        """The credential values in use now, to redact from what services echo."""
        values: list[str] = []
        for hop in self._hops:
            frozen = hop.get_frozen_credentials()
            values += [v for v in (frozen.access_key, frozen.secret_key, frozen.token) if v]
        return tuple(values)

    # --- connecting -----------------------------------------------------------------------

    def _connect(self) -> botocore.session.Session:
        if self.entry.profile is not None:
            return self._profile(self.entry.profile)
        source: botocore.credentials.Credentials | None = None
        for role in self.entry.roles:
            hop = _Assumed(self._fetcher(role, source))
            self._hops.append(hop)
            source = hop
        assert source is not None  # the fleet file gives every entry a role or a profile
        try:  # the first fetch now: a denied role is one error, not one per request
            source.get_frozen_credentials()
        except AccessFailure:
            raise
        except Exception as exc:  # a fault of botocore's refresh machinery itself
            raise AccessFailure("AssumeRole", type(exc).__name__, _text(exc)) from None
        session = botocore.session.Session()
        _copy_config(self._base, session)
        session.get_component("credential_provider").insert_before("env", _Provider(source))
        return session

    def _fetcher(
        self, role: str, source: botocore.credentials.Credentials | None
    ) -> Callable[[], dict[str, Any]]:
        def fetch() -> dict[str, Any]:
            client = self._sts(source)
            arguments: dict[str, Any] = {
                "RoleArn": role,
                "RoleSessionName": self.entry.session_name,
            }
            if self.entry.external_id is not None:
                arguments["ExternalId"] = self.entry.external_id
            try:
                answer = client.assume_role(**arguments)
            except botocore.exceptions.ClientError as exc:
                error = exc.response.get("Error", {})
                raise AccessFailure(
                    "AssumeRole",
                    str(error.get("Code") or "ClientError"),
                    f"{role}: {_text(error.get('Message') or 'no message')}",
                ) from None
            except botocore.exceptions.BotoCoreError as exc:
                raise AccessFailure(
                    "AssumeRole", type(exc).__name__, f"{role}: {_text(exc)}"
                ) from None
            return _credentials_of(answer, role)

        return fetch

    def _sts(self, source: botocore.credentials.Credentials | None) -> Any:
        config = botocore.config.Config(
            retries={"mode": "standard", "total_max_attempts": self._settings.max_attempts},
            connect_timeout=self._settings.timeout,
            read_timeout=self._settings.timeout,
            user_agent_extra="ota-drift",
        )
        region = self._base.get_config_variable("region") or STS_REGION
        if source is None:
            return self._base.create_client("sts", region_name=region, config=config)
        frozen = source.get_frozen_credentials()
        return self._base.create_client(
            "sts",
            region_name=region,
            config=config,
            aws_access_key_id=frozen.access_key,
            aws_secret_access_key=frozen.secret_key,
            aws_session_token=frozen.token,
        )

    def _profile(self, profile: str) -> botocore.session.Session:
        try:
            session = botocore.session.Session(profile=profile)
            client = session.create_client(
                "sts",
                region_name=session.get_config_variable("region") or STS_REGION,
                config=botocore.config.Config(
                    retries={"mode": "standard", "total_max_attempts": self._settings.max_attempts},
                    connect_timeout=self._settings.timeout,
                    read_timeout=self._settings.timeout,
                ),
            )
            answer = client.get_caller_identity()  # type: ignore[attr-defined]  # botocore clients are dynamic
        except botocore.exceptions.ClientError as exc:
            error = exc.response.get("Error", {})
            raise AccessFailure(
                "GetCallerIdentity",
                str(error.get("Code") or "ClientError"),
                f"profile {profile}: {_text(error.get('Message') or 'no message')}",
            ) from None
        except Exception as exc:  # an unknown profile, a broken config file or provider
            raise AccessFailure(
                "GetCallerIdentity", type(exc).__name__, f"profile {profile}: {_text(exc)}"
            ) from None
        arn = answer.get("Arn") if isinstance(answer, Mapping) else None
        match = _IDENTITY_ARN.fullmatch(arn) if isinstance(arn, str) else None
        account = match.group(1) if match else None
        if account != self.entry.account:
            raise AccessFailure(
                "GetCallerIdentity",
                "WrongAccount",
                f"profile {profile} signs in account {account or '(none given)'}, not "
                f"{self.entry.account}",
            )
        return session


def _credentials_of(answer: Any, role: str) -> dict[str, Any]:
    """botocore's refresh metadata from an AssumeRole answer, checked."""
    credentials = answer.get("Credentials") if isinstance(answer, Mapping) else None
    user = answer.get("AssumedRoleUser") if isinstance(answer, Mapping) else None
    if not isinstance(credentials, Mapping):
        raise AccessFailure(
            "AssumeRole", "MalformedAnswer", f"{role}: the answer has no Credentials"
        )
    values = {k: credentials.get(k) for k in ("AccessKeyId", "SecretAccessKey", "SessionToken")}
    expiration = credentials.get("Expiration")
    if (
        not all(isinstance(v, str) and v for v in values.values())
        or not isinstance(expiration, datetime)
        or expiration.tzinfo is None
    ):
        raise AccessFailure(
            "AssumeRole", "MalformedAnswer", f"{role}: the answer's Credentials are incomplete"
        )
    arn = user.get("Arn") if isinstance(user, Mapping) else None
    match = _ASSUMED_ARN.fullmatch(arn) if isinstance(arn, str) else None
    wanted = role.split(":")[4]
    if match is None or match.group(1) != wanted:
        raise AccessFailure(
            "AssumeRole",
            "WrongAccount",
            f"{role}: STS answered for {redact(str(arn))[:200]!r}, "
            f"not a session in account {wanted}",
        )
    return {
        "access_key": values["AccessKeyId"],
        "secret_key": values["SecretAccessKey"],
        "token": values["SessionToken"],
        "expiry_time": expiration.isoformat(),
    }


def _copy_config(base: botocore.session.Session, session: botocore.session.Session) -> None:
    """The base configuration's region and files, without its credentials."""
    for name in ("config_file", "credentials_file", "region"):
        value = base.get_config_variable(name)
        if value is not None:
            session.set_config_variable(name, value)


def _text(value: Any) -> str:
    return redact(" ".join(str(value).split()), provider_output=True)[:300]
