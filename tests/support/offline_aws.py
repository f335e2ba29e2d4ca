"""One way for tests to run boto3 with no AWS: test credentials, none of the machine's AWS
configuration, and connections to 127.0.0.1 only (anything else fails the test)."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

MACHINE_SETTINGS = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_IOT",
)
"""Environment that would point boto3 at a real account, region or endpoint."""


def offline_aws(
    monkeypatch: pytest.MonkeyPatch,
    folder: Path,
    *,
    region: str,
    key_id: str = "testing",
    secret: str = "testing",
    token: str | None = None,
) -> None:
    """Credentials `key_id`/`secret` (and `token`), region `region`, config files that do not
    exist under `folder`, no instance metadata, and a socket guard for loopback only."""
    for name in MACHINE_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
    if token is not None:
        monkeypatch.setenv("AWS_SESSION_TOKEN", token)
    monkeypatch.setenv("AWS_DEFAULT_REGION", region)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(folder / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(folder / "no-aws-credentials"))
    real_connect = socket.socket.connect

    def loopback_only(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and address[0] != "127.0.0.1":
            raise AssertionError(f"test tried to reach {address!r}")
        real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", loopback_only)
