"""OTA402: firmware in S3 is pinned to an object version."""

from __future__ import annotations

from checker.rules.interface import ConfigView
from checker.rules.ota402_s3_version import S3VersionMissing
from tests.rules.harness import AS_OF, declared_views, violations

RULE = S3VersionMissing()


def test_points_at_the_unversioned_file() -> None:
    """The violation is at the second file's s3Location and names its bucket and key."""
    found = violations(RULE, declared_views("OTA402"))["fail_second_file_unversioned"]
    assert [(v.path, v.message) for v in found] == [
        (
            ("files", 1, "fileLocation", "s3Location"),
            "file boot.bin: s3Location s3://fw/boot.bin has no version, "
            "so the firmware under the key can change",
        )
    ]


def test_odd_live_data_does_not_raise() -> None:
    """Files and locations of the wrong type are skipped; a non-string version fires."""
    config = {
        "files": [
            {"fileLocation": {"s3Location": {"bucket": "fw", "version": 3}}},
            "fw.bin",
            {"fileLocation": "s3://fw/fw.bin"},
            {"fileLocation": {"s3Location": ["fw"]}},
        ]
    }
    found = list(RULE.check(ConfigView("odd", "live", config, AS_OF), {}))
    assert [(v.path, v.message) for v in found] == [
        (
            ("files", 0, "fileLocation", "s3Location"),
            "file #0: s3Location s3://fw/? has no version, so the firmware under the key can "
            "change",
        )
    ]
