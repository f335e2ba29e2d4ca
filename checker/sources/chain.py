"""`--verify`: the chain behind each live file, read once per distinct resource.

Thousands of updates share a handful of signing profiles and certificates, so each resource is
read once per source (one account and region) and the answer, or the failure, is shared by
every update that rests on it; two updates asking at once wait for one call. A resource the
service says does not exist becomes a link with `found: false` (the rules judge it); any other
failure (denied, throttled past budget, a malformed answer) is `Unanswered`, which the source
turns into an error entry for each update that depends on it, never a pass.

The calls themselves (rate limits, retries, answer checks, redaction) are the source's: this
module decides what to read, in which order, and what an answer means (`checker.chain`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from checker import chain
from checker.chain import FileRefs, Read, file_refs, next_read
from checker.model import SourceError, display

CHAIN_OPERATIONS = (
    "DescribeSigningJob",
    "GetSigningProfile",
    "DescribeCertificate",
    "DescribeStream",
    "HeadObject",
)
"""Every call `--verify` adds: all Describe*, Get* or Head*."""

SERVICE = {
    "DescribeSigningJob": "signer",
    "GetSigningProfile": "signer",
    "DescribeCertificate": "acm",
    "DescribeStream": "iot",
    "HeadObject": "s3",
}
"""The botocore service each verifying call goes to."""

NOT_FOUND = {
    "DescribeSigningJob": frozenset({"ResourceNotFoundException"}),
    "GetSigningProfile": frozenset({"ResourceNotFoundException"}),
    "DescribeCertificate": frozenset({"ResourceNotFoundException"}),
    "DescribeStream": frozenset({"ResourceNotFoundException"}),
    "HeadObject": frozenset({"404", "NoSuchKey", "NoSuchVersion"}),
}
"""Error codes that mean "no such resource": a finding, not a failure to read. A HEAD answer
has no body, so botocore names S3's errors by their HTTP status."""
DELETE_MARKER = frozenset({"405", "MethodNotAllowed"})
"""HeadObject on a version that is a delete marker: 405 Method Not Allowed."""
S3_DENIED_HINT = (
    " (S3 also answers 403 for a version that does not exist when s3:ListBucket is not "
    "granted on the bucket)"
)
MAX_NAME_CHARS = 120
"""A resource name (an S3 key may have 1,024 characters) is shown this far in a message."""


class Unanswered(Exception):
    """A resource could not be read: `error` is the entry for the update that asked."""

    def __init__(self, error: SourceError) -> None:
        super().__init__(error.message)
        self.error = error


Call = Callable[[str, str, dict[str, Any]], Any]
"""The source's call: (operation, otaUpdateId asking, parameters) → a well-formed answer;
raises Unanswered when it could not get one."""


@dataclass
class _Once:
    done: threading.Event = field(default_factory=threading.Event)
    link: dict[str, Any] | None = None
    error: SourceError | None = None
    abandoned: bool = False


class ChainReader:
    """Reads and caches the chain resources of one source's updates (thread-safe)."""

    def __init__(self, call: Call, check_stop: Callable[[], None]) -> None:
        """`check_stop` raises when the source's consumer has gone away, so that a thread
        waiting for another's call ends with it."""
        self._call = call
        self._check_stop = check_stop
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, ...], _Once] = {}
        self.calls = 0
        """Calls made (not answered from the cache): what the benchmark counts."""

    def read(self, ota_id: str, info: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The chain of each of the update's files, in order (`checker.chain`); raises
        Unanswered for the first resource that could not be read."""
        files = info.get("otaUpdateFiles")
        if not isinstance(files, list):
            return []
        return [self._file(ota_id, file_refs(f)) for f in files]

    def _file(self, ota_id: str, refs: FileRefs) -> dict[str, Any]:
        entry: dict[str, Any] = {}
        while (read := next_read(refs, entry)) is not None:
            entry[read.link] = self._link(ota_id, read)
        return entry

    def _link(self, ota_id: str, read: Read) -> dict[str, Any]:
        """The link of one resource, from the cache or read now."""
        link, identity = read.link, read.identity
        if link == "object":
            bucket, key, version = identity
            return self._once(
                (link, *identity),
                ota_id,
                "HeadObject",
                {"Bucket": bucket, "Key": key, "VersionId": version},
                what=f"s3://{_shown(bucket)}/{_shown(key)} version {_shown(version)}",
                found=lambda answer: chain.object_link(bucket, key, version, answer),
                missing=lambda: chain.object_link(bucket, key, version, None),
                deleted=lambda: chain.object_link(bucket, key, version, None, deleted=True),
            )
        (name,) = identity
        operation, parameter, noun, make = _READS[link]
        return self._once(
            (link, name),
            ota_id,
            operation,
            {parameter: name},
            what=f"{noun} {_shown(name)}",
            found=lambda answer: make(name, answer),
            missing=lambda: chain.not_found(link, name),
        )

    def _once(
        self,
        key: tuple[str, ...],
        ota_id: str,
        operation: str,
        kwargs: dict[str, Any],
        *,
        what: str,
        found: Callable[[Mapping[str, Any]], dict[str, Any]],
        missing: Callable[[], dict[str, Any]],
        deleted: Callable[[], dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """The link of `key`, read by the first update that asks and shared with the rest;
        an error (with `what` named) stamped with the update asking."""
        while True:
            with self._lock:
                once = self._cache.get(key)
                mine = once is None
                if once is None:
                    once = self._cache[key] = _Once()
            if mine:
                break
            while not once.done.wait(0.05):
                self._check_stop()
            if not once.abandoned:
                return self._result(once, ota_id)
            # the thread reading it was stopped: read it here, unless this one stops too
            self._check_stop()
        try:
            with self._lock:
                self.calls += 1
            try:
                once.link = found(self._call(operation, ota_id, kwargs))
            except Unanswered as failed:
                code = failed.error.code
                if code in NOT_FOUND[operation]:
                    once.link = missing()
                elif deleted is not None and code in DELETE_MARKER:
                    once.link = deleted()
                else:
                    hint = S3_DENIED_HINT if operation == "HeadObject" and code == "403" else ""
                    once.error = replace(
                        failed.error, message=f"{what}: {failed.error.message}{hint}"
                    )
            problem = next(chain.chain_problems([{key[0]: once.link}]), None) if once.link else None
            if problem is not None:
                once.link = None
                once.error = SourceError(
                    ota_id,
                    operation,
                    "MalformedResponse",
                    f"{what}: {_where(problem[0][3:])}{problem[1]}",
                )
        except BaseException:
            with self._lock:
                once.abandoned = True
                del self._cache[key]
            once.done.set()
            raise
        once.done.set()
        return self._result(once, ota_id)

    @staticmethod
    def _result(once: _Once, ota_id: str) -> dict[str, Any]:
        if once.error is not None:
            raise Unanswered(replace(once.error, ota_update_id=ota_id))
        assert once.link is not None
        return once.link


_READS: dict[str, tuple[str, str, str, Callable[[str, Mapping[str, Any]], dict[str, Any]]]] = {
    "signingJob": ("DescribeSigningJob", "jobId", "signing job", chain.job_link),
    "signingProfile": ("GetSigningProfile", "profileName", "signing profile", chain.profile_link),
    "certificate": ("DescribeCertificate", "CertificateArn", "certificate", chain.certificate_link),
    "stream": ("DescribeStream", "streamId", "stream", chain.stream_link),
}
"""Each link named by one string: the call, its parameter, the resource in words, the link
made of the answer."""


def _where(path: tuple[Any, ...]) -> str:
    shown = display(path)
    return f"{shown} " if shown else ""


def _shown(name: str) -> str:
    text = " ".join(name.split())
    return repr(text if len(text) <= MAX_NAME_CHARS else text[: MAX_NAME_CHARS - 3] + "...")
