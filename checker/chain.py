"""The chain behind each live file, as `check --verify` reads it: one owner of its record.

For each entry of `otaUpdateFiles`, a verifying source reads what the file rests on and keeps
it beside `otaUpdateInfo` under `CHAIN_FIELD`, one mapping per file, in the same order:

- `signingJob`: the Signer job of `codeSigning.awsSignerJobId` (DescribeSigningJob);
- `signingProfile`: the job's profile, or `startSigningJobParameter.signingProfileName`
  (GetSigningProfile);
- `certificate`: the job's `signingMaterial.certificateArn`, else the profile's, else
  `startSigningJobParameter.signingProfileParameter.certificateArn` (ACM DescribeCertificate);
- `stream`: the IoT stream of `fileLocation.stream` (DescribeStream);
- `object`: the firmware object version, of `fileLocation.s3Location` or of the stream's file
  (S3 HeadObject with VersionId), only where a version is named (no version is OTA402's).

Each link is a flat record in ota-drift's own names (`LINK_FIELDS`), not the raw answer: the
rules, the snapshot and the HTML report read these and nothing else, and a snapshot keeps them
as evidence. A resource the service says does not exist is a link with `found: false`, judged
by the rules; a resource that could not be read is no link at all but the update's error
entry (the source's), so nothing unread ever passes. Dates are datetimes in memory and ISO
8601 text in a snapshot (`from_json`). The record is checked strictly (`chain_problems`): it
is ota-drift's, and a rule must never judge a value of a type it does not expect.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from checker.model import ChainLink, FileChain, Path, assume_utc, in_calendar

CHAIN_FIELD = "awsChain"
"""Where a verifying source keeps each file's chain, beside `otaUpdateInfo`. The service sets
what it records and no declaration can: never drift, never declared by `import`."""

LINKS = ("signingJob", "signingProfile", "certificate", "stream", "object")
"""A file's links, in the order the chain is read and shown."""

_STRING = "string"
_DATE = "date"
_BOOL = "bool"
_INT = "int"
_STRINGS = "strings"

_JOB_REVOCATION = {"reason": _STRING, "revokedAt": _DATE, "revokedBy": _STRING}
_PROFILE_REVOCATION = {"revocationEffectiveFrom": _DATE, "revokedAt": _DATE, "revokedBy": _STRING}
_STREAM_FILE = {"fileId": _INT, "bucket": _STRING, "key": _STRING, "version": _STRING}
_S3_OBJECT = {"bucket": _STRING, "key": _STRING, "version": _STRING}

LINK_FIELDS: dict[str, dict[str, Any]] = {
    "signingJob": {
        "jobId": _STRING,
        "found": _BOOL,
        "status": _STRING,
        "statusReason": _STRING,
        "revocation": _JOB_REVOCATION,
        "profileName": _STRING,
        "profileVersion": _STRING,
        "platformId": _STRING,
        "createdAt": _DATE,
        "completedAt": _DATE,
        "signatureExpiresAt": _DATE,
        "certificateArn": _STRING,
        "sourceObject": _S3_OBJECT,
        "signedObject": _S3_OBJECT,
    },
    "signingProfile": {
        "profileName": _STRING,
        "found": _BOOL,
        "profileVersion": _STRING,
        "status": _STRING,
        "statusReason": _STRING,
        "revocation": _PROFILE_REVOCATION,
        "platformId": _STRING,
        "certificateArn": _STRING,
    },
    "certificate": {
        "certificateArn": _STRING,
        "found": _BOOL,
        "status": _STRING,
        "type": _STRING,
        "keyAlgorithm": _STRING,
        "notBefore": _DATE,
        "notAfter": _DATE,
        "revokedAt": _DATE,
        "revocationReason": _STRING,
        "extendedKeyUsages": _STRINGS,
        "domainName": _STRING,
        "subject": _STRING,
        "issuer": _STRING,
        "serial": _STRING,
    },
    "stream": {
        "streamId": _STRING,
        "found": _BOOL,
        "streamVersion": _INT,
        "files": [_STREAM_FILE],
    },
    "object": {
        "bucket": _STRING,
        "key": _STRING,
        "version": _STRING,
        "found": _BOOL,
        "deleteMarker": _BOOL,
        "size": _INT,
        "etag": _STRING,
        "lastModified": _DATE,
    },
}
"""Each link's fields and their kinds; the first two are its identity and `found`, always set."""

IDENTITY = {link: next(iter(fields)) for link, fields in LINK_FIELDS.items()}
"""The field naming each link's resource: `jobId`, `profileName`, `certificateArn`, ..."""

FOUND_NEEDS = {
    "signingJob": ("status", "profileName"),
    "signingProfile": ("status",),
    "certificate": ("status",),
    "stream": ("files",),
    "object": ("size", "etag"),
}
"""What a found resource's answer always has and the rules judge: an answer without it
(botocore's models require none of these) is malformed, never read as a pass. A job names
the profile it was signed with (StartSigningJob requires one); an ISSUED certificate has its
`notAfter` too; a delete marker has no size or ETag."""


# --- what a live file asks to be read ---------------------------------------------------------


@dataclass(frozen=True)
class FileRefs:
    """What one live file entry names, before anything is read."""

    job_id: str | None = None
    profile_name: str | None = None
    """`startSigningJobParameter.signingProfileName`: the profile when there is no job."""
    certificate_arn: str | None = None
    """`signingProfileParameter.certificateArn`: the certificate when neither job nor profile
    names one."""
    s3: tuple[str, str, str | None] | None = None
    """(bucket, key, version) of `fileLocation.s3Location`."""
    stream: tuple[str, int | None] | None = None
    """(streamId, fileId) of `fileLocation.stream`."""


def file_refs(file: Any) -> FileRefs:
    """What `file` (an `otaUpdateFiles` entry) names; nothing for what is not a usable name."""
    signing = _mapping(_mapping(file).get("codeSigning"))
    start = _mapping(signing.get("startSigningJobParameter"))
    location = _mapping(_mapping(file).get("fileLocation"))
    s3 = _mapping(location.get("s3Location"))
    stream = _mapping(location.get("stream"))
    bucket, key = _text(s3.get("bucket")), _text(s3.get("key"))
    stream_id = _text(stream.get("streamId"))
    file_id = stream.get("fileId")
    if isinstance(file_id, bool) or not isinstance(file_id, int):
        file_id = None
    return FileRefs(
        job_id=_text(signing.get("awsSignerJobId")),
        profile_name=_text(start.get("signingProfileName")),
        certificate_arn=_text(_mapping(start.get("signingProfileParameter")).get("certificateArn")),
        s3=(bucket, key, _text(s3.get("version"))) if bucket and key else None,
        stream=(stream_id, file_id) if stream_id else None,
    )


def stream_file(stream: Mapping[str, Any], file_id: int | None) -> Mapping[str, Any] | None:
    """The entry of a found stream link with `file_id`, or None."""
    files = stream.get("files")
    if file_id is None or not isinstance(files, list):
        return None
    return next((f for f in files if isinstance(f, dict) and f.get("fileId") == file_id), None)


@dataclass(frozen=True)
class Read:
    """One resource to read for a file: its link, and its identity (the cache key)."""

    link: str
    identity: tuple[str, ...]


def next_read(refs: FileRefs, entry: Mapping[str, Any]) -> Read | None:
    """The next resource to read for a file whose links read so far are `entry`, or None when
    its chain is complete. The one owner of what a file's chain is: the source reads by it,
    and a snapshot's chain is checked against it (`chain_gaps`)."""
    job = entry.get("signingJob")
    if refs.job_id is not None and job is None:
        return Read("signingJob", (refs.job_id,))
    profile_name = _found(job, "profileName") or refs.profile_name
    profile = entry.get("signingProfile")
    if profile_name is not None and profile is None:
        return Read("signingProfile", (profile_name,))
    arn = _found(job, "certificateArn") or _found(profile, "certificateArn") or refs.certificate_arn
    if arn is not None and "certificate" not in entry:
        return Read("certificate", (arn,))
    s3 = refs.s3
    if refs.stream is not None:
        stream_id, file_id = refs.stream
        stream = entry.get("stream")
        if stream is None:
            return Read("stream", (stream_id,))
        listed = stream_file(stream, file_id) if stream.get("found") else None
        if listed is not None:
            bucket, key = _text(listed.get("bucket")), _text(listed.get("key"))
            s3 = (bucket, key, _text(listed.get("version"))) if bucket and key else None
    if s3 is not None and s3[2] is not None and "object" not in entry:
        return Read("object", (s3[0], s3[1], s3[2]))
    return None


def chain_gaps(file: Any, entry: Any) -> Iterator[str]:
    """Why a recorded chain `entry` is not the chain of `file`: a link it lacks, one it should
    not have, or one about another resource than the file names. A verified snapshot with a
    link taken out must not read as a chain that passed."""
    if not isinstance(entry, Mapping):
        return
    refs = file_refs(file)
    replayed: dict[str, Any] = {}
    while (read := next_read(refs, replayed)) is not None:
        link = entry.get(read.link)
        if not isinstance(link, Mapping):
            yield f"has no {read.link} link, yet the file names {_named(read)}"
            return
        if _identity(read.link, link) != read.identity:
            yield f"{read.link} is about another resource than the file names ({_named(read)})"
            return
        replayed[read.link] = link
    for extra in sorted(set(entry) - set(replayed)):
        yield f"has a {extra} link that the file does not name"


def _identity(link: str, record: Mapping[str, Any]) -> tuple[Any, ...]:
    if link == "object":
        return (record.get("bucket"), record.get("key"), record.get("version"))
    return (record.get(IDENTITY[link]),)


def _named(read: Read) -> str:
    return (
        " ".join(read.identity)
        if len(read.identity) == 1
        else "s3://{}/{} version {}".format(*read.identity)
    )


def _found(link: Any, name: str) -> str | None:
    """`name` of a link the service found, or None."""
    if not isinstance(link, Mapping) or not link.get("found"):
        return None
    return _text(link.get(name))


# --- links from answers -----------------------------------------------------------------------


def not_found(link: str, identity: str) -> dict[str, Any]:
    """The link of a resource the service says does not exist."""
    return {IDENTITY[link]: identity, "found": False}


def job_link(job_id: str, answer: Mapping[str, Any]) -> dict[str, Any]:
    """DescribeSigningJob's answer as a `signingJob` link."""
    revocation = _mapping(answer.get("revocationRecord"))
    return _kept(
        {
            "jobId": job_id,
            "found": True,
            "status": answer.get("status"),
            "statusReason": _capped(answer.get("statusReason")),
            "revocation": _revocation(
                answer,
                {
                    "reason": _capped(revocation.get("reason")),
                    "revokedAt": revocation.get("revokedAt"),
                    "revokedBy": revocation.get("revokedBy"),
                },
            ),
            "profileName": answer.get("profileName"),
            "profileVersion": answer.get("profileVersion"),
            "platformId": answer.get("platformId"),
            "createdAt": answer.get("createdAt"),
            "completedAt": answer.get("completedAt"),
            "signatureExpiresAt": answer.get("signatureExpiresAt"),
            "certificateArn": _mapping(answer.get("signingMaterial")).get("certificateArn"),
            "sourceObject": _s3_object(_mapping(answer.get("source")).get("s3")),
            "signedObject": _s3_object(_mapping(answer.get("signedObject")).get("s3")),
        }
    )


def _s3_object(location: Any) -> dict[str, Any] | None:
    """Signer's `{bucketName, key, version}` in the chain's names, or None."""
    place = _mapping(location)
    kept = _kept(
        {
            "bucket": place.get("bucketName"),
            "key": place.get("key"),
            "version": place.get("version"),
        }
    )
    return kept or None


def profile_link(name: str, answer: Mapping[str, Any]) -> dict[str, Any]:
    """GetSigningProfile's answer as a `signingProfile` link."""
    revocation = _mapping(answer.get("revocationRecord"))
    return _kept(
        {
            "profileName": name,
            "found": True,
            "profileVersion": answer.get("profileVersion"),
            "status": answer.get("status"),
            "statusReason": _capped(answer.get("statusReason")),
            "revocation": _revocation(
                answer,
                {
                    "revocationEffectiveFrom": revocation.get("revocationEffectiveFrom"),
                    "revokedAt": revocation.get("revokedAt"),
                    "revokedBy": revocation.get("revokedBy"),
                },
            ),
            "platformId": answer.get("platformId"),
            "certificateArn": _mapping(answer.get("signingMaterial")).get("certificateArn"),
        }
    )


def certificate_link(arn: str, answer: Mapping[str, Any]) -> dict[str, Any]:
    """DescribeCertificate's `Certificate` as a `certificate` link."""
    detail = _mapping(answer.get("Certificate"))
    usages = detail.get("ExtendedKeyUsages")
    return _kept(
        {
            "certificateArn": arn,
            "found": True,
            "status": detail.get("Status"),
            "type": detail.get("Type"),
            "keyAlgorithm": detail.get("KeyAlgorithm"),
            "notBefore": detail.get("NotBefore"),
            "notAfter": detail.get("NotAfter"),
            "revokedAt": detail.get("RevokedAt"),
            "revocationReason": _capped(detail.get("RevocationReason")),
            "extendedKeyUsages": (
                [u.get("Name") for u in usages if isinstance(u, Mapping) and u.get("Name")]
                if isinstance(usages, list)
                else None
            ),
            "domainName": detail.get("DomainName"),
            "subject": detail.get("Subject"),
            "issuer": detail.get("Issuer"),
            "serial": detail.get("Serial"),
        }
    )


def stream_link(stream_id: str, answer: Mapping[str, Any]) -> dict[str, Any]:
    """DescribeStream's `streamInfo` as a `stream` link."""
    info = _mapping(answer.get("streamInfo"))
    files = info.get("files")
    return _kept(
        {
            "streamId": stream_id,
            "found": True,
            "streamVersion": info.get("streamVersion"),
            "files": [
                _kept(
                    {
                        "fileId": f.get("fileId"),
                        "bucket": _mapping(f.get("s3Location")).get("bucket"),
                        "key": _mapping(f.get("s3Location")).get("key"),
                        "version": _mapping(f.get("s3Location")).get("version"),
                    }
                )
                for f in files
                if isinstance(f, Mapping)
            ]
            if isinstance(files, list)
            else None,
        }
    )


def object_link(
    bucket: str, key: str, version: str, answer: Mapping[str, Any] | None, *, deleted: bool = False
) -> dict[str, Any]:
    """HeadObject's answer as an `object` link; `deleted` when S3 said the version is a delete
    marker (405), `answer` None when it said there is no such version (404)."""
    if answer is None:
        link: dict[str, Any] = {"bucket": bucket, "key": key, "version": version, "found": False}
        if deleted:
            link["deleteMarker"] = True
        return link
    return _kept(
        {
            "bucket": bucket,
            "key": key,
            "version": version,
            "found": True,
            "deleteMarker": bool(answer.get("DeleteMarker") or False),
            "size": answer.get("ContentLength"),
            "etag": answer.get("ETag"),
            "lastModified": answer.get("LastModified"),
        }
    )


# --- the record, checked ------------------------------------------------------------------


def chain_problems(chain: Any, at: Path = (CHAIN_FIELD,)) -> Iterator[tuple[Path, str]]:
    """Why `chain` is not a chain record as a verifying source writes it: strict (every key
    known, every value of its kind, dates aware and within the audit's calendar)."""
    if not isinstance(chain, list):
        yield at, "must be a list (one entry per otaUpdateFiles entry)"
        return
    for index, entry in enumerate(chain):
        where = (*at, index)
        if not isinstance(entry, dict):
            yield where, "must be an object"
            continue
        for link, value in entry.items():
            if link not in LINK_FIELDS:
                yield (*where, str(link)), f"is not a link of the chain (one of {', '.join(LINKS)})"
                continue
            yield from _record_problems(value, LINK_FIELDS[link], (*where, link), link)


def _record_problems(
    value: Any, fields: Mapping[str, Any], at: Path, link: str | None = None
) -> Iterator[tuple[Path, str]]:
    if not isinstance(value, dict):
        yield at, "must be an object"
        return
    if link is not None:
        for required in (IDENTITY[link], "found"):
            if required not in value:
                yield at, f"has no {required!r}"
        if value.get("found") is True and not value.get("deleteMarker"):
            needed = list(FOUND_NEEDS[link])
            if link == "certificate" and value.get("status") == "ISSUED":
                needed.append("notAfter")
            for required in needed:
                if required not in value:
                    yield at, f"has no {required!r}, which a found {link} always has"
    for key, item in value.items():
        kind = fields.get(key)
        if kind is None:
            yield (*at, str(key)), f"is not a field of {at[-1]!s} (one of {', '.join(fields)})"
        else:
            yield from _value_problems(item, kind, (*at, key))


def _value_problems(value: Any, kind: Any, at: Path) -> Iterator[tuple[Path, str]]:
    if isinstance(kind, dict):
        yield from _record_problems(value, kind, at)
    elif isinstance(kind, list):
        if not isinstance(value, list):
            yield at, "must be a list"
            return
        for index, item in enumerate(value):
            yield from _record_problems(item, kind[0], (*at, index))
    elif kind == _STRING and not (isinstance(value, str) and value):
        yield at, "must be a non-empty string"
    elif kind == _BOOL and not isinstance(value, bool):
        yield at, "must be true or false"
    elif kind == _INT and (
        isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**63
    ):
        yield at, "must be a non-negative integer"
    elif kind == _STRINGS and not (
        isinstance(value, list) and all(isinstance(v, str) and v for v in value)
    ):
        yield at, "must be a list of non-empty strings"
    elif kind == _DATE and not (
        isinstance(value, datetime) and value.tzinfo is not None and in_calendar(value)
    ):
        yield at, "must be a date within 1970 to 2999"


def from_json(chain: Any) -> Any:
    """A chain as a snapshot holds it (dates as ISO 8601 text) with its dates parsed; what is
    not a date where one belongs is left as it was, for `chain_problems` to name."""
    if not isinstance(chain, list):
        return chain
    return [
        {
            link: _dates_parsed(value, LINK_FIELDS[link]) if link in LINK_FIELDS else value
            for link, value in entry.items()
        }
        if isinstance(entry, dict)
        else entry
        for entry in chain
    ]


def _dates_parsed(value: Any, kind: Any) -> Any:
    if isinstance(kind, dict) and isinstance(value, dict):
        return {k: _dates_parsed(v, kind[k]) if k in kind else v for k, v in value.items()}
    if isinstance(kind, list) and isinstance(value, list):
        return [_dates_parsed(v, kind[0]) for v in value]
    if kind == _DATE and isinstance(value, str):
        try:
            return assume_utc(datetime.fromisoformat(value))
        except ValueError:
            return value
    return value


def as_utc(value: Any) -> datetime | None:
    """A link's date in UTC, or None where there is none."""
    return value.astimezone(UTC) if isinstance(value, datetime) else None


MAX_TEXT_CHARS = 500
"""A reason AWS gives (`statusReason`, a revocation's reason) is kept this far: it is quoted
in findings, and a service's free text must not make a report line of any size."""


def _capped(value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_TEXT_CHARS:
        return value[: MAX_TEXT_CHARS - 3] + "..."
    return value


def _revocation(answer: Mapping[str, Any], record: dict[str, Any]) -> dict[str, Any] | None:
    """The answer's `revocationRecord`, kept even when it holds nothing: a record at all says
    the job or profile was revoked, and must not read as "not revoked"."""
    if not isinstance(answer.get("revocationRecord"), Mapping):
        return None
    return _kept(record)


def _kept(record: dict[str, Any]) -> dict[str, Any]:
    """`record` without the fields the answer did not have."""
    return {k: v for k, v in record.items() if v is not None}


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


# --- the chain as reports show it ---------------------------------------------------------


def file_chains(info: Mapping[str, Any]) -> tuple[FileChain, ...]:
    """Each live file's chain in words, for the reports (HTML's chain view); () when the
    update's chain was not read."""
    recorded = info.get(CHAIN_FIELD)
    files = info.get("otaUpdateFiles")
    if not isinstance(recorded, list) or not isinstance(files, list):
        return ()
    chains = []
    for index, (file, entry) in enumerate(zip(files, recorded, strict=False)):
        name = _mapping(file).get("fileName")
        links = tuple(
            _shown_link(link, entry[link])
            for link in LINKS
            if isinstance(entry, Mapping) and isinstance(entry.get(link), Mapping)
        )
        chains.append(FileChain(name if isinstance(name, str) else f"files[{index}]", links))
    return tuple(chains)


def _shown_link(link: str, record: Mapping[str, Any]) -> ChainLink:
    if link == "object":
        name = f"s3://{record.get('bucket')}/{record.get('key')}?versionId={record.get('version')}"
    else:
        name = str(record.get(IDENTITY[link]))
    found = bool(record.get("found"))
    if not found:
        status = "delete marker" if record.get("deleteMarker") else "not found"
        return ChainLink(link, name, status, False)
    words: list[str] = []
    if isinstance(record.get("status"), str):
        words.append(record["status"])
    if isinstance(record.get("revocation"), Mapping) or record.get("revokedAt"):
        words.append("revoked")
    until = record.get("notAfter") or record.get("signatureExpiresAt")
    if isinstance(until, datetime):
        words.append(f"until {until.astimezone(UTC).date().isoformat()}")
    if link == "object":
        size = record.get("size")
        words.append(f"{size:,} bytes" if isinstance(size, int) else "found")
        if isinstance(record.get("etag"), str):
            words.append(f"ETag {record['etag']}")
    if link == "stream":
        files = record.get("files")
        words.append(f"{len(files) if isinstance(files, list) else 0} file(s)")
    return ChainLink(link, name, ", ".join(words) or "found", True)
