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
from datetime import UTC, datetime
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


class AccessFailure(botocore.exceptions.BotoCoreError):
    """The account could not be reached: the partition's one error entry. A botocore error,
    because a renewal that fails mid-run is raised from botocore's request signer: the source
    reading the partition then makes it an error entry, like any other failed request."""

    fmt = "{operation}: {code}: {message}"

    def __init__(self, operation: str, code: str, message: str) -> None:
        super().__init__(operation=operation, code=code, message=message)
        self.operation = operation
        self.code = code
        self.message = message


ADVISORY_SHARE = 1 / 4
MANDATORY_SHARE = 1 / 8
"""botocore renews 15 minutes before expiry (and must, 10 minutes before): for a session of
STS's shortest, 15 minutes, that would be before every request. A session shorter than an
hour is renewed when this share of its lifetime is left instead."""


class _Assumed(botocore.credentials.DeferredRefreshableCredentials):
    """botocore's refreshing credentials, with a way to say "expired now", and renewal
    windows that fit short sessions."""

    def __init__(self, fetch: Callable[[], dict[str, Any]]) -> None:
        self._forced = False
        self._fetch = fetch
        super().__init__(refresh_using=self._refreshed, method="assume-role")

    def expire(self) -> None:
        self._forced = True

    def refresh_needed(self, refresh_in: int | None = None) -> bool:
        # refresh_in=0 is botocore asking "expired?" right after a renewal: being told to
        # renew is not being expired (another thread may say so while this one renews)
        forced = self._forced and refresh_in != 0
        return forced or bool(super().refresh_needed(refresh_in))

    def _refreshed(self) -> dict[str, Any]:
        metadata = self._fetch()
        expiry = datetime.fromisoformat(metadata["expiry_time"])
        lifetime = (expiry - datetime.now(UTC)).total_seconds()
        if lifetime <= 0:
            raise AccessFailure(
                "AssumeRole",
                "ExpiredCredentials",
                f"STS answered credentials that expired at {metadata['expiry_time']}",
            )
        # botocore reads these two class attributes as the renewal windows; set per session
        self._advisory_refresh_timeout = int(min(15 * 60, lifetime * ADVISORY_SHARE))
        self._mandatory_refresh_timeout = int(min(10 * 60, lifetime * MANDATORY_SHARE))
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
        self._boto3: boto3.Session | None = None
        self._failure: AccessFailure | None = None
        self._hops: list[_Assumed] = []

    @property
    def operations(self) -> tuple[str, ...]:
        """The STS calls this account costs the caller and its hops, for the IAM policy."""
        return ("sts:AssumeRole",) if self.entry.roles else ("sts:GetCallerIdentity",)

    def session(self) -> boto3.Session:
        """A session signing as the account's audit identity; AccessFailure if none can."""
        with self._lock:
            if self._failure is not None:
                raise self._failure  # the account's for the run: no region asks STS again
            if self._session is None:
                try:
                    self._session = self._connect()
                except AccessFailure as failure:
                    self._failure = failure
                    raise
            if self._boto3 is None:
                # one boto3 session per account: each new one registers boto3's handlers on
                # the botocore session again, and an S3 client (--verify) then fails to be
                # made ("Cannot inject class attribute upload_file")
                self._boto3 = boto3.Session(botocore_session=self._session)
            return self._boto3

    def expire(self) -> None:
        """The service said the session expired: every hop is fetched anew on next use."""
        for hop in self._hops:
            hop.expire()

    def secrets(self) -> tuple[str, ...]:
        """The credential values in use now (the base credentials' and every hop's), to
        redact from what services echo."""
        values = _values(self._base_credentials())
        for hop in self._hops:
            values += _values(hop)
        return tuple(values)

    def _base_credentials(self) -> botocore.credentials.Credentials | None:
        try:
            return self._base.get_credentials()
        except Exception:  # a broken provider: STS says so when it is asked
            return None

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
        session = _sibling(self._base, self._base.profile)
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
            # the credentials this call signs with; not this hop's, whose renewal is running
            known = (*_values(source), *_values(self._base_credentials()))
            try:
                answer = client.assume_role(**arguments)
            except botocore.exceptions.ClientError as exc:
                error = exc.response.get("Error", {})
                raise AccessFailure(
                    "AssumeRole",
                    _text(error.get("Code") or "ClientError", known)[:100],
                    f"{role}: {_text(error.get('Message') or 'no message', known)}",
                ) from None
            except AccessFailure:  # the hop before could not be renewed: its own failure
                raise
            except botocore.exceptions.BotoCoreError as exc:
                raise AccessFailure(
                    "AssumeRole", type(exc).__name__, f"{role}: {_text(exc, known)}"
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
            session = _sibling(self._base, profile)
            client: Any = session.create_client(  # botocore's clients are built at run time
                "sts",
                region_name=session.get_config_variable("region") or STS_REGION,
                config=botocore.config.Config(
                    retries={"mode": "standard", "total_max_attempts": self._settings.max_attempts},
                    connect_timeout=self._settings.timeout,
                    read_timeout=self._settings.timeout,
                ),
            )
            answer = client.get_caller_identity()
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


def _sibling(base: botocore.session.Session, profile: str | None) -> botocore.session.Session:
    """A session of the same configuration as `base` (its files, the profile's settings such
    as a CA bundle, its region) for another identity. It shares `base`'s data loader: each
    session would otherwise load and keep its own copy of the service models, some 13 MiB
    an account, and an organisation's run would grow with the organisation."""
    session = botocore.session.Session(profile=profile)
    for name in ("config_file", "credentials_file", "region"):
        value = base.get_config_variable(name)
        if value is not None:
            session.set_config_variable(name, value)
    session.register_component("data_loader", base.get_component("data_loader"))
    return session


def _values(credentials: botocore.credentials.Credentials | None) -> list[str]:
    """The key id, secret and token of `credentials`, to redact; none when unresolvable."""
    if credentials is None:
        return []
    try:
        frozen = credentials.get_frozen_credentials()
    except Exception:  # a refresh that fails: its failure is reported where it is used
        return []
    return [v for v in (frozen.access_key, frozen.secret_key, frozen.token) if v]


def _text(value: Any, secrets: tuple[str, ...] = ()) -> str:
    return redact(" ".join(str(value).split()), secrets, provider_output=True)[:300]
