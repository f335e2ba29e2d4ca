"""The AWS commands end to end against LocalIot: iam-policy, snapshot, secrets, progress, usage."""

from __future__ import annotations

import io
import json
import re
import socket
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import checker.cli
from checker.cli import main
from checker.formats import FORMATS
from checker.sources import aws
from tests.sources.test_aws_reliability import (
    ABORT,
    ACCOUNT,
    AS_OF,
    REGION,
    TARGET,
    live_info,
    ota_id,
    seed_fleet,
)
from tests.support.iot_endpoint import LocalIot
from tests.support.offline_aws import offline_aws

KEY_ID = "AKIAOTADRIFTTEST7Q2Z"
SECRET = "s3cr3t-XYZ-wJalrXUtnFEMI-K7MDENG-do-not-print"
TOKEN = "FwoGZXIvYXdzEXAMPLE-session-token-XYZ-do-not-print"
OTHER_SECRET = "wr0ng-s3cr3t-ABC-also-never-printed"
ANSI = "\x1b["
SIGNATURE = b"\x30\x45\x02\x21\x00\xf1signature\x80\xff"


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch, in_tmp: Path) -> None:
    """Distinctive credentials and a session token, no machine AWS config, loopback only."""
    offline_aws(monkeypatch, in_tmp, region=REGION, key_id=KEY_ID, secret=SECRET, token=TOKEN)


def serve(**settings: Any) -> LocalIot:
    """A LocalIot that accepts only this module's credentials."""
    return LocalIot(credentials={KEY_ID: SECRET}, **settings)


def aws_args(iot: LocalIot, *extra: str) -> list[str]:
    return ["--region", REGION, "--endpoint-url", iot.url, "--max-rps", "500", *extra]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """main(argv): exit code, stdout, stderr."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def seed_varied(iot: LocalIot) -> str:
    """A fleet that gives every kind of finding: drift, missing, unmanaged, live-side rules.

    Deep-only differences too: fw-0004's job aborts only on TIMED_OUT with no timeout,
    fw-0005 has tags nobody declared, lab-test is unmanaged, weak and CONTINUOUS.
    """
    fleet = seed_fleet(iot, 6, undeclared=(2,), drifted=(3,), missing=("fw-9001",))
    timed_out = [{**ABORT[0], "failureType": "TIMED_OUT"}]
    iot.put(live_info(ota_id(4)), abort=timed_out)
    iot.put(live_info(ota_id(5)), abort=ABORT, timeout=60, tags={"team": "fw"})
    iot.put(
        {
            "otaUpdateId": "lab-test",
            "targets": [TARGET],
            "targetSelection": "CONTINUOUS",
            "awsJobPresignedUrlConfig": {"expiresInSec": 3600},
            "otaUpdateFiles": [
                {"fileName": "lab.bin", "fileLocation": {"stream": {"streamId": "l", "fileId": 0}}}
            ],
        },
        tags={"owner": "lab"},
    )
    iot.put(
        {
            "otaUpdateId": "signed",
            "targets": [TARGET],
            "otaUpdateFiles": [
                {
                    "fileName": "s.bin",
                    "fileLocation": {"stream": {"streamId": "s", "fileId": 0}},
                    "codeSigning": {
                        "customCodeSigning": {
                            "signature": {"inlineDocument": SIGNATURE},
                            "certificateChain": {"certificateName": "/cert.pem"},
                            "hashAlgorithm": "SHA256",
                            "signatureAlgorithm": "ECDSA",
                        }
                    },
                }
            ],
        }
    )
    iot.put(
        {
            "otaUpdateId": "failed",
            "targets": [TARGET],
            "otaUpdateStatus": "CREATE_FAILED",
            "errorInfo": {"code": "AccessDenied", "message": "role cannot read the stream"},
            "otaUpdateFiles": [
                {"fileName": "f.bin", "fileLocation": {"stream": {"streamId": "f", "fileId": 0}}}
            ],
        }
    )
    return fleet.path


# --------------------------------------------------------------------------------------------
# iam-policy


@pytest.mark.parametrize(
    ("deep", "actions"),
    [
        (False, ["iot:ListOTAUpdates", "iot:GetOTAUpdate"]),
        (
            True,
            [
                "iot:ListOTAUpdates",
                "iot:GetOTAUpdate",
                "iot:DescribeJob",
                "iot:ListTagsForResource",
            ],
        ),
        (
            "verify",
            [
                "iot:ListOTAUpdates",
                "iot:GetOTAUpdate",
                "iot:DescribeJob",
                "iot:ListTagsForResource",
                "signer:DescribeSigningJob",
                "signer:GetSigningProfile",
                "acm:DescribeCertificate",
                "iot:DescribeStream",
                "s3:GetObjectVersion",
                "s3:GetObject",
            ],
        ),
    ],
)
def test_iam_policy_document_is_exact(
    capsys: pytest.CaptureFixture[str], deep: bool | str, actions: list[str]
) -> None:
    """`iam-policy [--deep | --verify]` prints exactly this read-only policy on stdout, nothing
    on stderr (--verify implies --deep)."""
    flags = {False: [], True: ["--deep"], "verify": ["--verify"]}[deep]
    code, out, err = run(capsys, "iam-policy", *flags)
    assert (code, err) == (0, "")
    assert json.loads(out) == {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "OtaDriftReadOnly", "Effect": "Allow", "Action": actions, "Resource": "*"}
        ],
    }


def test_iam_policy_covers_exactly_the_operations_called(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every operation check, check --deep and snapshot call is in the policy, and no more."""
    called: list[str] = []
    real_make_client: Callable[..., Any] = aws.make_client

    def recording_client(*args: Any, **kwargs: Any) -> Any:
        client = real_make_client(*args, **kwargs)
        client.meta.events.register("before-call", lambda model, **_: called.append(model.name))
        return client

    monkeypatch.setattr(aws, "make_client", recording_client)
    by_run: dict[str, set[str]] = {}
    with serve() as iot:
        declared = seed_varied(iot)
        runs = {
            "check": ["check", declared, *aws_args(iot)],
            "snapshot": ["snapshot", *aws_args(iot), "-o", "s.json"],
            "check --deep": ["check", declared, *aws_args(iot), "--deep"],
            "snapshot --deep": ["snapshot", *aws_args(iot), "--deep", "-o", "d.json"],
        }
        for name, argv in runs.items():
            called.clear()
            iot.reset_counters()
            code, _, _ = run(capsys, *argv)
            assert code in (0, 1), name
            assert set(called) == set(iot.calls), name  # everything sent reached the server
            by_run[name] = set(called)
    assert by_run["check"] == by_run["snapshot"] == {"ListOTAUpdates", "GetOTAUpdate"}
    assert by_run["check --deep"] == by_run["snapshot --deep"]
    base = by_run["check"] | by_run["snapshot"]
    deep = base | by_run["check --deep"] | by_run["snapshot --deep"]
    for argv, ops in ((["iam-policy"], base), (["iam-policy", "--deep"], deep)):
        _, out, _ = run(capsys, *argv)
        actions = json.loads(out)["Statement"][0]["Action"]
        assert len(actions) == len(set(actions))
        assert set(actions) == {f"iot:{op}" for op in ops}
    assert deep == {"ListOTAUpdates", "GetOTAUpdate", "DescribeJob", "ListTagsForResource"}
    assert all(op.startswith(("List", "Get", "Describe")) for op in deep)


# --------------------------------------------------------------------------------------------
# snapshot


@pytest.mark.parametrize("deep", [False, True], ids=["shallow", "deep"])
@pytest.mark.parametrize("fmt", ["json", "text"])
def test_check_on_a_snapshot_equals_the_live_check(
    capsys: pytest.CaptureFixture[str], deep: bool, fmt: str
) -> None:
    """`snapshot` then `check --state` prints byte for byte what a live `check` printed."""
    depth = ["--deep"] if deep else []
    common = ["--format", fmt, "--as-of", AS_OF]
    with serve() as iot:
        declared = seed_varied(iot)
        live_code, live_out, live_err = run(
            capsys, "check", declared, *aws_args(iot), *depth, *common
        )
        snap_code, snap_out, snap_err = run(
            capsys, "snapshot", *aws_args(iot), *depth, "-o", "snap.json"
        )
    assert (snap_code, snap_out) == (0, "")
    assert snap_err == "ota-drift: 9 OTA update(s) written to snap.json\n"
    state_code, state_out, state_err = run(
        capsys, "check", declared, "--state", "snap.json", *common
    )
    assert (live_err, state_err) == ("", "")
    assert state_out == live_out
    assert state_code == live_code == 1
    snap = json.loads(Path("snap.json").read_text(encoding="utf-8"))
    assert (snap["version"], snap["region"], snap["deep"]) == (1, REGION, deep)
    assert [u["otaUpdateId"] for u in snap["otaUpdates"]] == sorted(
        ["failed", "lab-test", "signed", *(ota_id(k) for k in range(1, 7))]
    )
    if fmt == "json":
        report = json.loads(live_out)
        rules = Counter(f["ruleId"] for f in report["findings"])
        # fw-0003's description; deep also fw-0004's abort and timeout and fw-0005's tags
        assert rules["OTA001"] == (4 if deep else 1)
        live_rules = {f["ruleId"] for f in report["findings"] if f["source"] == "live"}
        assert "OTA501" in live_rules
        assert ("OTA306" in live_rules, "OTA307" in live_rules) == (deep, deep)


def test_snapshot_with_an_unreadable_update_writes_no_file(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """One AccessDenied update: exit 2, the error on stderr, and the old file left untouched."""
    Path("snap.json").write_text("previous evidence\n", encoding="utf-8")
    with serve(access_denied={ota_id(2)}) as iot:
        seed_fleet(iot, 5)
        code, out, err = run(capsys, "snapshot", *aws_args(iot), "-o", "snap.json")
    assert (code, out) == (2, "")
    assert err == (
        f"ota-drift: fw-0002: GetOTAUpdate: AccessDeniedException: User: arn:aws:iam::{ACCOUNT}"
        f":user/testing is not authorized to perform: iot:GetOTAUpdate on resource: "
        f"arn:aws:iot:{REGION}:{ACCOUNT}:otaupdate/fw-0002\n"
        "ota-drift: 1 read error(s); no snapshot written\n"
    )
    assert Path("snap.json").read_text(encoding="utf-8") == "previous evidence\n"
    assert sorted(p.name for p in Path().iterdir()) == ["ota", "snap.json"]


def test_snapshot_with_a_failed_listing_writes_no_file(capsys: pytest.CaptureFixture[str]) -> None:
    """ListOTAUpdates denied: exit 2, '(listing)' on stderr, no file at all."""
    with serve() as iot:
        iot.inject_error("ListOTAUpdates", "AccessDeniedException", message="no listing")
        code, out, err = run(capsys, "snapshot", *aws_args(iot), "-o", "snap.json")
    assert (code, out) == (2, "")
    assert err == (
        "ota-drift: (listing): ListOTAUpdates: AccessDeniedException: no listing\n"
        "ota-drift: 1 read error(s); no snapshot written\n"
    )
    assert not Path("snap.json").exists()


def test_snapshot_leaves_out_a_deleted_update_with_a_note(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """An update deleted between list and get: a note on stderr, exit 0, not in the file."""
    with serve(delete_after_list={ota_id(2)}) as iot:
        seed_fleet(iot, 3)
        code, out, err = run(capsys, "snapshot", *aws_args(iot), "-o", "out/snap.json")
    assert (code, out) == (0, "")
    assert err == (
        "note: fw-0002: deleted between ListOTAUpdates and GetOTAUpdate\n"
        "ota-drift: 2 OTA update(s) written to out/snap.json\n"
    )
    snap = json.loads(Path("out/snap.json").read_text(encoding="utf-8"))
    assert [u["otaUpdateId"] for u in snap["otaUpdates"]] == ["fw-0001", "fw-0003"]


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_read_errors_are_shown_in_every_format(
    capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    """An AccessDenied update appears (id, operation, code) in every format, and exit is 2."""
    with serve(access_denied={ota_id(2)}) as iot:
        fleet = seed_fleet(iot, 3)
        code, out, err = run(
            capsys, "check", fleet.path, *aws_args(iot), "--quiet", "--format", fmt
        )
    assert (code, err) == (2, "")
    for text in ("fw-0002", "GetOTAUpdate", "AccessDeniedException"):
        assert text in out


# --------------------------------------------------------------------------------------------
# secrets


def test_credentials_never_appear_in_any_output(
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Key id, secret and session token appear in no stdout, stderr, report file or log."""
    monkeypatch.setattr(aws, "_backoff", lambda attempt: 0.0)
    seen: list[str] = []
    with serve(access_denied={ota_id(2)}) as iot:
        fleet = seed_fleet(iot, 4)
        for fmt in sorted(FORMATS):
            code, out, err = run(
                capsys,
                "check",
                fleet.path,
                *aws_args(iot),
                "--deep",
                "--format",
                fmt,
                "--output",
                f"report.{fmt}",
            )
            assert code == 2
            seen += [out, err, Path(f"report.{fmt}").read_text(encoding="utf-8")]
        code, out, err = run(capsys, "check", fleet.path, *aws_args(iot), "--format", "text")
        assert code == 2
        seen += [out, err]
        code, out, err = run(capsys, "snapshot", *aws_args(iot), "-o", "snap.json")
        assert code == 2
        seen += [out, err]
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", OTHER_SECRET)  # a signature that fails
        code, out, err = run(capsys, "check", fleet.path, *aws_args(iot), "--format", "json")
        assert code == 2
        assert json.loads(out)["errors"][0]["code"] == "InvalidSignatureException"
        seen += [out, err]
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAUNKNOWNKEY000000")  # a key it does not know
        code, out, err = run(capsys, "snapshot", *aws_args(iot), "-o", "snap.json")
        assert code == 2
        assert "UnrecognizedClientException" in err
        seen += [out, err]
        closed = iot.url
    code, out, err = run(  # nothing listens any more: connection refused, retried, given up
        capsys, "check", fleet.path, "--region", REGION, "--endpoint-url", closed, "--quiet"
    )
    assert code == 2
    assert "Could not connect to the endpoint URL" in out
    seen += [out, err]
    seen += [record.getMessage() for record in caplog.records]
    everything = "\n".join(seen)
    for secret in (KEY_ID, SECRET, TOKEN, OTHER_SECRET):
        assert secret not in everything


# --------------------------------------------------------------------------------------------
# progress


class FakeTty(io.StringIO):
    """A stderr that says it is a terminal."""

    def isatty(self) -> bool:
        return True


FRAME = re.compile(
    r"Reading OTA updates \[(?P<bar>[#-]{24})\] (?P<done>\d+)/(?P<total>\d+)  "
    r"(?P<rate>\d+\.\d)/s  ETA (?P<eta>\d+:\d\d)  throttled (?P<throttled>\d+)"
)


def test_progress_bar_on_a_tty_stderr_only(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a TTY: done/total, rate, ETA and throttled on stderr; stdout holds only the JSON."""
    monkeypatch.setenv("NO_COLOR", "1")
    tty = FakeTty()
    monkeypatch.setattr(sys, "stderr", tty)
    with serve(rate_limits={"GetOTAUpdate": 5}) as iot:
        fleet = seed_fleet(iot, 12)
        code = main(["check", fleet.path, *aws_args(iot), "--max-rps", "10", "--format", "json"])
        throttled = sum(iot.throttled.values())
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert json.loads(out)["summary"]["inSync"] == 12  # stdout is the JSON document alone
    drawn = tty.getvalue()
    assert drawn.startswith("\r") and drawn.endswith("\n")
    frames = drawn.removesuffix("\n").split("\r")[1:]
    parsed = [FRAME.fullmatch(frame) for frame in frames]
    assert all(parsed), frames
    assert [(m["done"], m["total"]) for m in parsed if m] == [(str(n), "12") for n in range(13)]
    last = parsed[-1]
    assert last is not None
    assert (last["bar"], last["eta"]) == ("#" * 24, "0:00")
    assert float(last["rate"]) > 0
    assert throttled > 0
    assert int(last["throttled"]) == throttled
    assert ANSI not in drawn


def test_progress_bar_is_green_without_no_color(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a TTY without NO_COLOR the bar is coloured; stdout (a file) still has no colour."""
    tty = FakeTty()
    monkeypatch.setattr(sys, "stderr", tty)
    with serve() as iot:
        fleet = seed_fleet(iot, 3)
        code = main(["check", fleet.path, *aws_args(iot), "--format", "text"])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert "\x1b[32m" in tty.getvalue()
    assert "3/3" in tty.getvalue()
    assert ANSI not in out


def test_snapshot_progress_on_a_tty(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """snapshot draws the bar on a TTY stderr too, then its summary line; stdout stays empty."""
    monkeypatch.setenv("NO_COLOR", "1")
    tty = FakeTty()
    monkeypatch.setattr(sys, "stderr", tty)
    with serve() as iot:
        seed_fleet(iot, 4)
        code = main(["snapshot", *aws_args(iot), "-o", "snap.json"])
    out, err = capsys.readouterr()
    assert (code, out, err) == (0, "", "")
    drawn = tty.getvalue()
    assert " 4/4 " in drawn
    assert drawn.endswith("\nota-drift: 4 OTA update(s) written to snap.json\n")
    assert ANSI not in drawn


def test_quiet_draws_nothing_on_a_tty(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """--quiet: not a character on a TTY stderr."""
    tty = FakeTty()
    monkeypatch.setattr(sys, "stderr", tty)
    with serve() as iot:
        fleet = seed_fleet(iot, 3)
        code = main(["check", fleet.path, *aws_args(iot), "--quiet", "--format", "json"])
    out, _ = capsys.readouterr()
    assert code == 0
    assert tty.getvalue() == ""
    assert json.loads(out)["summary"]["inSync"] == 3


def test_no_progress_when_stderr_is_not_a_tty(capsys: pytest.CaptureFixture[str]) -> None:
    """stderr not a terminal (CI): no progress at all, stderr stays empty."""
    with serve() as iot:
        fleet = seed_fleet(iot, 3)
        code, out, err = run(capsys, "check", fleet.path, *aws_args(iot), "--format", "json")
        code2, out2, err2 = run(capsys, "snapshot", *aws_args(iot), "-o", "snap.json")
    assert (code, err) == (0, "")
    assert json.loads(out)["summary"]["inSync"] == 3
    assert (code2, out2, err2) == (0, "", "ota-drift: 3 OTA update(s) written to snap.json\n")


# --------------------------------------------------------------------------------------------
# usage


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["check", "ota", "--state", "s.json", "--region", REGION],
            "ota-drift check: error: argument --region: not allowed with argument --state",
        ),
        (
            ["check", "ota"],
            "ota-drift check: error: one of the arguments --state --region --fleet is required",
        ),
        (
            ["snapshot", "-o", "s.json"],
            "ota-drift snapshot: error: one of the arguments --region --fleet is required",
        ),
        (
            ["check", "ota", "--region", REGION, "--max-rps", "0"],
            "ota-drift check: error: argument --max-rps: must be a number from 0.5 to 10000, "
            "not '0'",
        ),
        (
            ["snapshot", "--region", REGION, "-o", "s.json", "--concurrency", "0"],
            "ota-drift snapshot: error: argument --concurrency: must be a whole number from 1 "
            "to 64, not '0'",
        ),
    ],
)
def test_argument_errors_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    """Invalid AWS arguments: argparse's usage error, exit code 2, nothing on stdout."""
    with pytest.raises(SystemExit) as raised:
        main(argv)
    out, err = capsys.readouterr()
    assert (raised.value.code, out) == (2, "")
    assert err.splitlines()[-1] == message


@pytest.mark.parametrize(
    "argv",
    [["check", "ota.yaml", "--region", ""], ["snapshot", "--region", "", "-o", "s.json"]],
    ids=["check", "snapshot"],
)
def test_no_region_anywhere_is_a_one_line_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, argv: list[str]
) -> None:
    """An empty --region (e.g. an unset $REGION) and no region in the environment: one line, 2."""
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    Path("ota.yaml").write_text("otaUpdates: []\n", encoding="utf-8")
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    assert err == "ota-drift: error: --region is empty (an unset shell variable?)\n"
    assert not Path("s.json").exists()


def test_unknown_profile_is_a_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    """--profile naming no profile: exit 2 with one line naming it."""
    code, out, err = run(capsys, "snapshot", "--region", REGION, "--profile", "nope", "-o", "s")
    assert (code, out) == (2, "")
    assert err == "ota-drift: error: The config profile (nope) could not be found\n"


FIVE_THOUSAND_DIGITS = "7" * 5000


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--max-rps", "1e-300", "must be a number from 0.5 to 10000, not '1e-300'"),
        ("--max-rps", "1e308", "must be a number from 0.5 to 10000, not '1e308'"),
        ("--max-rps", "inf", "must be a number from 0.5 to 10000, not 'inf'"),
        ("--max-rps", "nan", "must be a number from 0.5 to 10000, not 'nan'"),
        ("--max-rps", "-5", "must be a number from 0.5 to 10000, not '-5'"),
        ("--max-rps", "fast", "must be a number from 0.5 to 10000, not 'fast'"),
        (
            "--max-rps",
            FIVE_THOUSAND_DIGITS,
            f"must be a number from 0.5 to 10000, not '{'7' * 40}... (5000 characters)'",
        ),
        ("--concurrency", "1000000", "must be a whole number from 1 to 64, not '1000000'"),
        (
            "--concurrency",
            FIVE_THOUSAND_DIGITS,
            f"must be a whole number from 1 to 64, not '{'7' * 40}... (5000 characters)'",
        ),
        ("--concurrency", "2.5", "must be a whole number from 1 to 64, not '2.5'"),
        ("--concurrency", "-1", "must be a whole number from 1 to 64, not '-1'"),
        ("--timeout", "0", "must be a number of seconds from 0.1 to 600, not '0'"),
        ("--timeout", "nan", "must be a number of seconds from 0.1 to 600, not 'nan'"),
        ("--timeout", "1e9", "must be a number of seconds from 0.1 to 600, not '1e9'"),
        (
            "--as-of",
            "0001-01-01T00:00:00+14:00",
            "must be from 1970-01-01T00:00:00Z to before 3000-01-01T00:00:00Z, "
            "not '0001-01-01T00:00:00+14:00'",
        ),
        (
            "--as-of",
            "9999-12-31T23:59:59-12:00",
            "must be from 1970-01-01T00:00:00Z to before 3000-01-01T00:00:00Z, "
            "not '9999-12-31T23:59:59-12:00'",
        ),
        (
            "--as-of",
            "1969-12-31T23:59:59Z",
            "must be from 1970-01-01T00:00:00Z to before 3000-01-01T00:00:00Z, "
            "not '1969-12-31T23:59:59Z'",
        ),
        (
            "--as-of",
            FIVE_THOUSAND_DIGITS,
            f"not an ISO 8601 time: '{'7' * 40}... (5000 characters)'",
        ),
    ],
    ids=[
        "rps-tiny",
        "rps-huge",
        "rps-inf",
        "rps-nan",
        "rps-negative",
        "rps-word",
        "rps-5000-digits",
        "concurrency-million",
        "concurrency-5000-digits",
        "concurrency-fraction",
        "concurrency-negative",
        "timeout-zero",
        "timeout-nan",
        "timeout-huge",
        "as-of-before-year-1-in-utc",
        "as-of-after-year-9999-in-utc",
        "as-of-before-1970",
        "as-of-5000-digits",
    ],
)
def test_pathological_option_values_are_usage_errors_naming_the_range(
    capsys: pytest.CaptureFixture[str], option: str, value: str, message: str
) -> None:
    """Each absurd value: argparse's one-line usage error naming the option and range, exit 2."""
    command = ["check", "ota", "--region", REGION] if option != "--as-of" else ["lint", "ota"]
    with pytest.raises(SystemExit) as raised:
        main([*command, f"{option}={value}"])
    out, err = capsys.readouterr()
    assert (raised.value.code, out) == (2, "")
    assert err.splitlines()[-1] == f"ota-drift {command[0]}: error: argument {option}: {message}"


@pytest.mark.parametrize(
    ("option", "value", "setting", "expected"),
    [
        ("--max-rps", "0.5", "max_rps", 0.5),
        ("--max-rps", "10000", "max_rps", 10000.0),
        ("--concurrency", "64", "concurrency", 64),
        ("--concurrency", "1", "concurrency", 1),
        ("--timeout", "0.1", "timeout", 0.1),
        ("--timeout", "600", "timeout", 600.0),
    ],
)
def test_range_edges_are_accepted_and_reach_the_aws_settings(
    option: str, value: str, setting: str, expected: float
) -> None:
    """The documented bounds themselves are valid and end up in AwsSettings unchanged."""
    args = checker.cli.build_parser().parse_args(
        ["snapshot", "--region", REGION, "-o", "s.json", option, value]
    )
    assert getattr(checker.cli._aws_settings(args), setting) == expected


def test_timeout_default_is_documented_and_used() -> None:
    """Without --timeout, AwsSettings gets the documented 10 s (not botocore's 60 s or 30 s)."""
    args = checker.cli.build_parser().parse_args(["check", "ota", "--region", REGION])
    assert checker.cli._aws_settings(args).timeout == checker.cli.DEFAULT_TIMEOUT == 10.0


@pytest.mark.parametrize(
    "as_of", ["1970-01-01T00:00:00Z", "2999-12-31T23:59:59Z", "3000-01-01T09:59:59+10:00"]
)
def test_as_of_at_the_window_edges_audits(capsys: pytest.CaptureFixture[str], as_of: str) -> None:
    """--as-of at either end of its window runs the audit (no date arithmetic overflows)."""
    Path("ota.yaml").write_text("otaUpdates: []\n", encoding="utf-8")
    code, out, err = run(capsys, "lint", "ota.yaml", "--as-of", as_of, "--format", "json")
    assert (code, err) == (0, "")
    assert json.loads(out)["summary"]["declared"] == 0


def test_blackholed_endpoint_gives_up_in_bounded_time(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An endpoint that accepts and never answers, --timeout 1: exit 2, a listing error entry,
    within max_attempts x 1 s (backoff waits stubbed out), not the minutes it took before."""
    monkeypatch.setattr(aws, "_backoff", lambda attempt: 0.0)
    Path("ota.yaml").write_text("otaUpdates: []\n", encoding="utf-8")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)  # the kernel completes every handshake; nobody ever reads or writes
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        started = time.monotonic()
        code, out, err = run(
            capsys, "check", "ota.yaml", "--region", REGION, "--endpoint-url", url,
            "--timeout", "1", "--quiet", "--format", "json",
        )  # fmt: skip
        elapsed = time.monotonic() - started
    assert (code, err) == (2, "")
    (error,) = json.loads(out)["errors"]
    assert (error["otaUpdateId"], error["operation"]) == (None, "ListOTAUpdates")
    assert "timeout" in error["message"].lower()
    attempts = aws.AwsSettings().max_attempts
    assert attempts - 1 <= elapsed < attempts * 1.0 + 4.0


@pytest.mark.parametrize("command", ["check", "snapshot"])
def test_help_documents_timeout_and_the_ranges(
    capsys: pytest.CaptureFixture[str], command: str
) -> None:
    """`check --help` and `snapshot --help` name --timeout and every option's accepted range."""
    with pytest.raises(SystemExit):
        main([command, "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "--timeout SECONDS connect and read timeout of each attempt (default 10, 0.1-600)" in (
        help_text
    )
    assert "parallel requests (default 8, 1-64)" in help_text
    assert "retries included (default 10, 0.5-10000)" in help_text
