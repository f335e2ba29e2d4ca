"""The chain behind each live file (`awsChain`), read for the rules OTA121-OTA129, OTA402,
OTA405 and OTA406.

Each of those rules judges one link of the same record; this is where they find it, so that
all agree on which file a link belongs to, which config field a finding points at and how a
resource and a date are named in a message. Nothing here trusts the record's shape: a snapshot
may be edited by hand, so a link of the wrong type is no link, and a chain whose length is not
the files' is not aligned with them and is judged nowhere.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from checker.chain import CHAIN_FIELD, as_utc
from checker.model import Path
from checker.rules.interface import ConfigView, dig

SIGNING = "codeSigning"
START = (SIGNING, "startSigningJobParameter")
PROFILE_NAME = (*START, "signingProfileName")
CERTIFICATE_ARN = (*START, "signingProfileParameter", "certificateArn")


@dataclass(frozen=True)
class LinkedFile:
    """One live file and the links read behind it."""

    index: int
    """The file's position among the mappings of `files`, as violation paths count files."""
    file: Mapping[str, Any]
    links: Mapping[str, Any]
    """This file's `awsChain` entry: link name → its record."""

    @property
    def name(self) -> str:
        """The file for messages: its `fileName`, else its position (`#0`)."""
        name = self.file.get("fileName")
        return name if isinstance(name, str) and name else f"#{self.index}"

    def link(self, name: str) -> Mapping[str, Any] | None:
        """The link `name` (`signingJob`, `certificate`, ...), or None when none was recorded."""
        value = self.links.get(name)
        return value if isinstance(value, dict) else None

    def found(self, name: str) -> Mapping[str, Any] | None:
        """The link `name` when the service described the resource (`found: true`)."""
        value = self.link(name)
        return value if value is not None and _flag(value.get("found")) else None

    def missing(self, name: str) -> Mapping[str, Any] | None:
        """The link `name` when the service said the resource does not exist (`found: false`)."""
        value = self.link(name)
        found = None if value is None else value.get("found")
        return value if isinstance(found, bool) and not found else None

    def at(self, *path: str | int) -> Path:
        return ("files", self.index, *path)

    @property
    def job_path(self) -> Path:
        return self.at(SIGNING, "awsSignerJobId")

    @property
    def location_path(self) -> Path:
        """The file's location: its stream when it names one, else its S3 location."""
        stream = dig(self.file, "fileLocation", "stream")
        kind = "stream" if isinstance(stream, dict) and stream else "s3Location"
        return self.at("fileLocation", kind)

    def profile_path(self, profile: Mapping[str, Any]) -> Path:
        """Where the config names `profile`: `startSigningJobParameter.signingProfileName`, or
        for the signing job's own profile (no field names it) the job id."""
        if _named(dig(self.file, *PROFILE_NAME), profile.get("profileName")):
            return self.at(*PROFILE_NAME)
        return self.job_path

    def certificate_path(self, certificate: Mapping[str, Any]) -> Path:
        """Where the config names `certificate`: `signingProfileParameter.certificateArn`, else
        the job it came from, else the profile's place."""
        arn = certificate.get("certificateArn")
        if _named(dig(self.file, *CERTIFICATE_ARN), arn):
            return self.at(*CERTIFICATE_ARN)
        job = self.found("signingJob")
        if job is not None and _named(job.get("certificateArn"), arn):
            return self.job_path
        profile = self.link("signingProfile")
        return self.job_path if profile is None else self.profile_path(profile)


def linked_files(view: ConfigView) -> Iterator[LinkedFile]:
    """Each live file with its `awsChain` entry; nothing where the chain is absent, not a list,
    or not one entry per file (then which entry is whose cannot be told)."""
    files = view.config.get("files")
    chain = view.config.get(CHAIN_FIELD)
    if not (isinstance(files, list) and isinstance(chain, list)) or len(chain) != len(files):
        return
    index = 0
    for file, entry in zip(files, chain, strict=True):
        if not isinstance(file, dict):
            continue
        if isinstance(entry, dict):
            yield LinkedFile(index, file, entry)
        index += 1


def text(value: Any) -> str | None:
    """A non-empty string, or None: what may be shown as a resource's name."""
    return value if isinstance(value, str) and value else None


def shown(record: Mapping[str, Any], field: str, fallback: str = "?") -> str:
    """A link's field as a message names it; `fallback` where the record lacks it."""
    return text(record.get(field)) or fallback


def date(value: Any) -> datetime | None:
    """A link's date in UTC, or None where it is not a date with a time zone."""
    if isinstance(value, datetime) and value.tzinfo is None:
        return None
    return as_utc(value)


def day(value: datetime) -> str:
    """`2026-12-01`: dates in messages are days."""
    return value.date().isoformat()


def days_left(left: timedelta) -> str:
    """`6 days`, `1 day`, `less than a day`: the time left in whole days."""
    if left.days < 1:
        return "less than a day"
    return f"{left.days} day{'s' if left.days != 1 else ''}"


def _flag(value: Any) -> bool:
    return isinstance(value, bool) and value


def _named(value: Any, identity: Any) -> bool:
    return text(value) is not None and value == identity
