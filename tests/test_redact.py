"""redact(): credentials and signatures out of service and credential-provider text."""

from __future__ import annotations

import pytest

from checker.redact import MARKER, MIN_SECRET_LENGTH, redact

KEY_ID = "AKIAREDACTTEST0KEY01"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYREDACTTEST"
TOKEN = "IQoJb3JpZ2luX2VjEXAMPLE/session+token=="
SIGNATURE = "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"


def test_active_credentials_are_replaced_wherever_they_appear() -> None:
    """The key id, secret and token in use are replaced in any context, longest first."""
    text = f"key {KEY_ID}, secret ({SECRET}) and token<{TOKEN}> end"
    assert redact(text, [KEY_ID, SECRET, TOKEN]) == (
        f"key {MARKER}, secret ({MARKER}) and token<{MARKER}> end"
    )


def test_a_secret_is_also_replaced_url_encoded() -> None:
    """A session token as a presigned URL carries it (%2F, %2B, %3D) is replaced too."""
    text = "https://b.s3.amazonaws.com/k?t=IQoJb3JpZ2luX2VjEXAMPLE%2Fsession%2Btoken%3D%3D&x=1"
    assert redact(text, [TOKEN]) == f"https://b.s3.amazonaws.com/k?t={MARKER}&x=1"


def test_short_values_are_not_replaced_literally() -> None:
    """A value shorter than any real credential (a test key 'testing') leaves the text alone."""
    assert len("testing") < MIN_SECRET_LENGTH
    text = "User: arn:aws:iam::123456789012:user/testing is not authorized"
    assert redact(text, ["testing", "", None]) == text


def test_authorization_header_value_is_replaced_whole() -> None:
    """An Authorization header loses its whole value, scheme, credential scope and signature."""
    text = (
        "Headers received: X-Amz-Date: 20261125T000000Z; Authorization: AWS4-HMAC-SHA256 "
        f"Credential={KEY_ID}/20261125/eu-west-1/iot/aws4_request, "
        f"SignedHeaders=host;x-amz-date, Signature={SIGNATURE}"
    )
    expected = f"Headers received: X-Amz-Date: 20261125T000000Z; Authorization: {MARKER}"
    assert redact(text) == expected


def test_header_dict_repr_is_redacted() -> None:
    """botocore's repr of request headers (b'' values) loses the token and Authorization."""
    text = (
        "{'X-Amz-Date': b'20261125T000000Z', "
        f"'X-Amz-Security-Token': b'{TOKEN}', "
        f"'Authorization': b'AWS4-HMAC-SHA256 Credential={KEY_ID}/20261125/eu-west-1/iot/"
        f"aws4_request, SignedHeaders=host, Signature={SIGNATURE}'}}"
    )
    assert redact(text) == (
        "{'X-Amz-Date': b'20261125T000000Z', "
        f"'X-Amz-Security-Token': b'{MARKER}', 'Authorization': b'{MARKER}'}}"
    )


def test_presigned_url_signature_credential_and_token_are_redacted() -> None:
    """A SigV4 presigned URL keeps its path and expiry but loses credential, token, signature."""
    url = (
        "https://fw.s3.eu-west-1.amazonaws.com/fw.bin?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        f"&X-Amz-Credential={KEY_ID}%2F20261125%2Feu-west-1%2Fs3%2Faws4_request"
        "&X-Amz-Date=20261125T000000Z&X-Amz-Expires=900"
        "&X-Amz-Security-Token=IQoJb3JpZ2luX2Vj%2Fxyz"
        f"&X-Amz-SignedHeaders=host&X-Amz-Signature={SIGNATURE}"
    )
    assert redact(f"cannot fetch {url}") == (
        "cannot fetch https://fw.s3.eu-west-1.amazonaws.com/fw.bin?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        f"&X-Amz-Credential={MARKER}&X-Amz-Date=20261125T000000Z&X-Amz-Expires=900"
        f"&X-Amz-Security-Token={MARKER}&X-Amz-SignedHeaders=host&X-Amz-Signature={MARKER}"
    )


def test_legacy_presigned_url_is_redacted() -> None:
    """A SigV2 presigned URL loses its AWSAccessKeyId and Signature values."""
    url = "https://b.s3.amazonaws.com/k?AWSAccessKeyId=AKIDEXAMPLE&Expires=1&Signature=dG9r%2Bx%3D"
    assert redact(url) == (
        f"https://b.s3.amazonaws.com/k?AWSAccessKeyId={MARKER}&Expires=1&Signature={MARKER}"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            f"aws_secret_access_key = {SECRET}",
            f"aws_secret_access_key = {MARKER}",
        ),
        (
            f'{{"AccessKeyId": "x", "SecretAccessKey": "{SECRET}", "SessionToken": "{TOKEN}"}}',
            f'{{"AccessKeyId": "{MARKER}", "SecretAccessKey": "{MARKER}", '
            f'"SessionToken": "{MARKER}"}}',
        ),
        (f"aws_session_token={TOKEN} next", f"aws_session_token={MARKER} next"),
        (f"security_token: {TOKEN}", f"security_token: {MARKER}"),
        (f"secret_key={SECRET}", f"secret_key={MARKER}"),
    ],
)
def test_named_credentials_from_a_provider_are_redacted(text: str, expected: str) -> None:
    """Credential names in ini, JSON or key=value form lose their values, case and all."""
    assert redact(text) == expected


def test_any_access_key_id_shape_is_redacted() -> None:
    """Long-term (AKIA) and temporary (ASIA) key ids are replaced even when not in use."""
    text = (
        "keys AKIAIOSFODNN7EXAMPLE and ASIAIOSFODNN7EXAMPL2 but not AKIA1 or XAKIAIOSFODNN7EXAMPLE"
    )
    assert redact(text) == f"keys {MARKER} and {MARKER} but not AKIA1 or XAKIAIOSFODNN7EXAMPLE"


def test_ordinary_service_messages_are_untouched() -> None:
    """Words such as 'signature' or 'credentials' without a value are not redacted."""
    for text in (
        "The request signature we calculated does not match the signature you provided.",
        "Signature expired: 20261125T000000Z is now earlier than 20261125T000500Z",
        "Unable to locate credentials",
        "Credential should be scoped to eu-west-1/iot on the request date, not 20261125/x/y.",
        "OTAUpdate fw-1 does not exist",
    ):
        assert redact(text) == text


def test_redacting_twice_changes_nothing_more() -> None:
    """redact is idempotent: a redacted text stays as it is."""
    once = redact(f"Authorization: Bearer abc; Signature={SIGNATURE} {KEY_ID}", [SECRET])
    assert redact(once, [SECRET]) == once


def test_credentials_in_a_url_are_redacted() -> None:
    """`user:password@` of an --endpoint-url in botocore's connect error is replaced; a path
    holding `@` is not touched."""
    text = 'Could not connect to the endpoint URL: "http://admin:hunter2@127.0.0.1:9/otaUpdates"'
    assert redact(text) == (
        f'Could not connect to the endpoint URL: "http://{MARKER}@127.0.0.1:9/otaUpdates"'
    )
    assert redact("https://example.test/a@b") == "https://example.test/a@b"


def test_percent_encoded_authorization_and_presigned_url_are_redacted() -> None:
    """An echoed header or presigned URL, encoded once or twice, loses its signature, key id
    and token as the plain form does."""
    text = (
        "Authorization%3A%20AWS4-HMAC-SHA256%20Credential%3DAKIAOTHERKEY00000000%2F20261201"
        "%2C%20Signature%3Dcd39be1f0123 and https://b.test/k?X-Amz-Signature%253Dabab99"
        "&X-Amz-Security-Token%253DIQoJb3JpZ2luX2Vj%252Fhostile"
    )
    redacted = redact(text)
    for secret in ("AKIAOTHERKEY00000000", "cd39be1f0123", "abab99", "IQoJb3JpZ2luX2Vj"):
        assert secret not in redacted


def test_provider_output_loses_unlabelled_key_shaped_words() -> None:
    """A credential provider's text may print a secret key or token without a label: with
    provider_output, every 40+ character base64 word goes; ARNs and short ids stay."""
    text = (
        "Secret Access Key: CachedSecretKeyValueThatMustNotLeak1234567 token "
        "IQoJCACHEDTOKENabcdefghijklmnopqrstuvwxyz012345/abc+def== for "
        "arn:aws:iam::123456789012:role/ota"
    )
    assert redact(text, provider_output=True) == (
        f"Secret Access Key: {MARKER} token {MARKER} for arn:aws:iam::123456789012:role/ota"
    )
    assert "CachedSecretKeyValueThatMustNotLeak1234567" in redact(text)
