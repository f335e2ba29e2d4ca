"""Credentials and request signatures taken out of text that came from a service or a provider.

An error message is the one place where a secret can leak into a report, a CI log or a SARIF
upload: a proxy that echoes the request headers, a `credential_process` that prints what it
read, a presigned URL in an error. Every such text passes through `redact` before anything
else sees it. Two kinds of match, both replaced by MARKER:

- the values of the credentials in use (access key id, secret key, session token), wherever
  they appear;
- whatever follows a name that introduces a secret (`Authorization:`, `X-Amz-Security-Token=`,
  `Credential=`, `Signature=`, `aws_secret_access_key =`, `"SessionToken": "…"`, …), and
  anything shaped like an AWS access key id (`AKIA…`, `ASIA…`), whoever it belongs to.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import quote, unquote

MARKER = "[REDACTED]"

MIN_SECRET_LENGTH = 16
"""Shorter credential values are not replaced literally. No real AWS credential is shorter
(an access key id has at least 16 characters, a secret key 40), and replacing a test key such
as `testing` would blank out that word in every message."""

_QUOTE = r"[\"']?"
_SEPARATOR = rf"{_QUOTE}\s*[:=]\s*(?:b(?=[\"']))?{_QUOTE}"
"""`=`, `: `, `": "`, `': b'` (a repr of botocore's header dict) between a name and its value."""

_NAMED_VALUE = re.compile(
    r"(?i)(?<![\w-])("
    r"x-amz-security-token|x-amz-credential|x-amz-signature|awsaccesskeyid|"
    r"credential|signature|"
    r"(?:aws_)?secret_access_key|secretaccesskey|secret_?key|"
    r"(?:aws_)?session_token|sessiontoken|security_?token|"
    r"(?:aws_)?access_key_id|accesskeyid"
    rf")({_SEPARATOR})([^\s\"'&,;<>]+)"
)
"""A name that introduces a secret, then its value up to a delimiter of headers and URLs."""

_AUTHORIZATION = re.compile(rf"(?i)(?<![\w-])(authorization)({_SEPARATOR})([^\"'\r\n]+)")
"""An Authorization header: the whole value up to a quote or the end of the line, since it
holds spaces and commas (`AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`)."""

_ACCESS_KEY_ID = re.compile(r"(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])")
"""Long-term (AKIA) and temporary (ASIA) access key ids."""


_URL_USERINFO = re.compile(r"(?i)(?<=://)[^\s/@\"'<>]+@")
"""`user:password@` in a URL (an --endpoint-url or proxy with credentials in it)."""


_KEY_SHAPED = re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+=]{40,}(?![A-Za-z0-9/+=])")
"""A secret access key (40 characters of base64) or a session token, unlabelled: what a
failing credential provider may print. Applied to its output only: ARNs and ids are shorter
or hold `:` and `-`."""


def redact(text: str, secrets: Iterable[str | None] = (), provider_output: bool = False) -> str:
    """`text` with `secrets` and every recognisable credential or signature replaced by MARKER.

    Percent-escapes are decoded first (twice: an echoed presigned URL is often encoded once
    more), so that `Signature%3D...` and `%2C%20Credential%3D...` are recognised too.
    """
    if "%" in text:
        text = unquote(unquote(text))
    literal = {s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH}
    literal |= {quote(s, safe="") for s in literal}  # as it appears in a presigned URL
    for secret in sorted(literal, key=len, reverse=True):
        text = text.replace(secret, MARKER)
    text = _AUTHORIZATION.sub(rf"\1\2{MARKER}", text)
    text = _NAMED_VALUE.sub(rf"\1\2{MARKER}", text)
    text = _URL_USERINFO.sub(f"{MARKER}@", text)
    text = _ACCESS_KEY_ID.sub(MARKER, text)
    return _KEY_SHAPED.sub(MARKER, text) if provider_output else text
