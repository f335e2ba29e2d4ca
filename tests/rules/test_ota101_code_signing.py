"""OTA101: every OTA file is code-signed."""

from __future__ import annotations

from checker.rules.ota101_code_signing import CodeSigningMissing
from tests.rules.harness import declared_views, violations

RULE = CodeSigningMissing()


def test_points_at_the_unsigned_file() -> None:
    """The violation's path is the file without signing, not the first file."""
    found = violations(RULE, declared_views("OTA101"))["fail_second_file_unsigned"]
    assert [(v.path, v.message) for v in found] == [
        (("files", 1), "file boot.bin has no code signing")
    ]
