"""One way for tests to run boto3 with no AWS: test credentials, none of the machine's AWS
configuration, and connections to 127.0.0.1 only (anything else fails the test).

`offline_aws` sets this up in the test's own process; `offline_aws_env` is the same
environment for a child process (a gRPC host, the real CLI), where the socket guard cannot
reach: there the endpoint the child is given must be LocalIot's.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import boto3
import pytest


def is_machine_setting(name: str) -> bool:
    """Every AWS_* variable: a profile, region, endpoint, token or retry setting of the
    machine that runs the suite would point boto3 elsewhere or change how it behaves."""
    return name.startswith("AWS_")


def aws_settings(
    folder: Path,
    *,
    region: str,
    key_id: str = "testing",
    secret: str = "testing",
    token: str | None = None,
) -> dict[str, str]:
    """The AWS variables of an offline run: credentials `key_id`/`secret` (and `token`),
    region `region`, config files that do not exist under `folder`, no instance metadata."""
    settings = {
        "AWS_ACCESS_KEY_ID": key_id,
        "AWS_SECRET_ACCESS_KEY": secret,
        "AWS_DEFAULT_REGION": region,
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": str(folder / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(folder / "no-aws-credentials"),
    }
    if token is not None:
        settings["AWS_SESSION_TOKEN"] = token
    return settings


def offline_aws(
    monkeypatch: pytest.MonkeyPatch,
    folder: Path,
    *,
    region: str,
    key_id: str = "testing",
    secret: str = "testing",
    token: str | None = None,
) -> None:
    """No AWS_* variable of the machine, `aws_settings` instead, and a socket guard for
    loopback only."""
    for name in [n for n in os.environ if is_machine_setting(n)]:
        monkeypatch.delenv(name)
    # boto3.client() uses one default session, made once with the credentials of its time: a
    # test that ran before with other keys must not lend it this test's clients.
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    settings = aws_settings(folder, region=region, key_id=key_id, secret=secret, token=token)
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    real_connect = socket.socket.connect

    def loopback_only(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and address[0] != "127.0.0.1":
            raise AssertionError(f"test tried to reach {address!r}")
        real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", loopback_only)


def offline_aws_env(
    folder: Path,
    *,
    region: str,
    base: Mapping[str, str] | None = None,
    key_id: str = "testing",
    secret: str = "testing",
    token: str | None = None,
) -> dict[str, str]:
    """The environment for a child process: `base` (this process's environment by default)
    without any AWS_* variable, plus `aws_settings`."""
    source = os.environ if base is None else base
    kept = {k: v for k, v in source.items() if not is_machine_setting(k)}
    return {
        **kept,
        **aws_settings(folder, region=region, key_id=key_id, secret=secret, token=token),
    }
