"""Running the CLI where permission bits apply, also when the tests run as root."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

_DROP_AND_EXEC = """
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
    if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
        sys.exit(77)
os.execv(sys.executable, [sys.executable, *sys.argv[1:]])
"""
"""Root ignores permission bits through two capabilities. Dropped from the bounding set, they
are gone after exec: the child is still uid 0, but `chmod 000` now stops it, as it stops
any user."""


def run_unprivileged(*args: str) -> subprocess.CompletedProcess[str]:
    """`python ARGS` in a process that permission bits apply to, whoever runs the tests."""
    command = [sys.executable, *args]
    if os.geteuid() == 0:
        command = [sys.executable, "-c", _DROP_AND_EXEC, *args]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    if result.returncode == 77:
        pytest.skip("running as root without CAP_SETPCAP: permission bits cannot be tested")
    return result
