"""Hostile live answers, end to end: `ota-drift check --region` against a faulty LocalIot.

One test per fault class of issue 9 (points 1, 2 and 9). Each runs the real CLI on a small
fleet (`fw-0001`…: some drifted, one undeclared, one declared but never created) and proves:
what is readable is audited exactly once, what is not becomes an `errors` entry naming what
was wrong, no unreadable update is called missing or in sync, the exit code is 2, `snapshot`
writes no file, and no credential of the run appears in any output. The transient versions
(the fault for the next one or two requests) prove the retry recovers with a complete report.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from checker.cli import main
from checker.redact import MARKER
from checker.sources import aws
from tests.sources.test_aws_reliability import (
    AS_OF,
    REGION,
    Fleet,
    assert_audited,
    ota_id,
    seed_fleet,
)
from tests.support.iot_endpoint import LocalIot
from tests.support.recording import RecordingSource

pytestmark = pytest.mark.usefixtures("in_tmp")
FAST = ("--max-rps", "1000")
"""Every run but the one that is about the default rate: ten attempts need not take a second."""

KEY_ID = "AKIAFAULTTESTKEY0042"
SECRET = "faults-secret-wJalrXUtnFEMI-K7MDENG-never-shown"
TOKEN = "IQoJb3JpZ2luX2VjFAULTS-session-token-never-shown"
SECRETS = (KEY_ID, SECRET, TOKEN)
AUDITED = ota_id(3)
"""The update the per-update faults hit."""

BODY_FAULTS = (
    "truncated",
    "html",
    "error-200",
    "empty-object",
    "null",
    "list",
    "wrong-type",
    "nan",
)
GAVE_UP = r" \(gave up after 10 attempts\)"
MEMBER = {
    "ListOTAUpdates": "otaUpdates list",
    "GetOTAUpdate": "otaUpdateInfo",
    "DescribeJob": "job",
    "ListTagsForResource": "tags list",
}
WRONG_TYPE = {
    "ListOTAUpdates": "otaUpdates must be a list, not an object",
    "GetOTAUpdate": "otaUpdateInfo.targets must be a list, not a string",
    "DescribeJob": "job.targets must be a list, not a string",
    "ListTagsForResource": "tags must be a list, not an object",
}


def expected_message(operation: str, fault: str) -> str:
    """The regular expression an error entry's message must match for `fault`, given up."""
    messages = {
        "truncated": r"HTTP 200 answer is not valid JSON \(.+ at byte \d+; application/json, "
        r"\d+ bytes\)",
        "html": r"HTTP 200 answer is not valid JSON \(Expecting value at byte 0; text/html, "
        r"\d+ bytes\)",
        "error-200": r"HTTP 200 answer is an error body \(InternalFailureException\)",
        "empty-object": f"the answer has no {MEMBER[operation]}",
        "null": "HTTP 200 answer is null, not an object",
        "list": "HTTP 200 answer is an array, not an object",
        "wrong-type": re.escape(WRONG_TYPE[operation]),
        "nan": r"HTTP 200 answer holds a non-finite number \(NaN\)",
        "wrong-id": (
            r"the answer is for otaUpdateId 'fw-\d{4}', not 'fw-0003'"
            if operation == "GetOTAUpdate"
            else r"the answer is for jobId 'AFR_OTA-fw-0003-other', not 'AFR_OTA-fw-0003'"
        ),
        "entry-without-id": r"otaUpdates\[0\] has no otaUpdateId",
    }
    return messages[fault] + GAVE_UP


@pytest.fixture(autouse=True)
def distinctive_credentials(aws_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Credentials and a session token that no output may ever show; no backoff waits."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", TOKEN)
    monkeypatch.setattr(aws, "_backoff", lambda attempt: 0.0)


@pytest.fixture
def iot() -> Iterator[LocalIot]:
    """A LocalIot that knows only the distinctive credentials and never fails by itself."""
    with LocalIot(credentials={KEY_ID: SECRET}) as server:
        yield server
        assert server.validation_errors == []
        assert server.internal_errors == []


def fleet_on(iot: LocalIot) -> Fleet:
    """Six live updates (fw-0002 drifted, fw-0005 undeclared) and fw-9001 declared, not live."""
    return seed_fleet(iot, 6, undeclared=(5,), drifted=(2,), missing=("fw-9001",))


def no_secret_in(*texts: str) -> None:
    for secret in SECRETS:
        assert not [text for text in texts if secret in text]


def check(
    capsys: pytest.CaptureFixture[str], iot: LocalIot, fleet: Fleet, *extra: str
) -> tuple[int, dict[str, Any]]:
    """`check --format json --output report.json`: the exit code and the report written.

    `extra` options replace FAST, the default --max-rps of these tests."""
    code = main(
        [
            "check",
            fleet.path,
            "--region",
            REGION,
            "--endpoint-url",
            iot.url,
            "--format",
            "json",
            "--output",
            "report.json",
            "--quiet",
            "--as-of",
            AS_OF,
            *(extra or FAST),
        ]
    )
    out, err = capsys.readouterr()
    text = Path("report.json").read_text(encoding="utf-8")
    assert (out, err) == ("", "")
    no_secret_in(text)
    return code, json.loads(text)


def snapshot(capsys: pytest.CaptureFixture[str], iot: LocalIot, *extra: str) -> tuple[int, str]:
    """`snapshot -o snap.json`: the exit code and stderr; stdout stays empty."""
    code = main(
        [
            "snapshot",
            "--region",
            REGION,
            "--endpoint-url",
            iot.url,
            "-o",
            "snap.json",
            *(extra or FAST),
        ]
    )
    out, err = capsys.readouterr()
    assert out == ""
    no_secret_in(err)
    return code, err


def assert_error(
    report: dict[str, Any], ota_update_id: str | None, operation: str, code: str, message: str
) -> None:
    """The report's only error entry is this one, its message matching `message` whole."""
    [error] = report["errors"]
    assert (error["otaUpdateId"], error["operation"], error["code"]) == (
        ota_update_id,
        operation,
        code,
    )
    assert re.fullmatch(message, error["message"]), error["message"]


def assert_no_snapshot(capsys: pytest.CaptureFixture[str], iot: LocalIot, *extra: str) -> None:
    """`snapshot` on the same faulty endpoint exits 2 and writes no file."""
    code, err = snapshot(capsys, iot, *extra)
    assert code == 2
    assert err.endswith("1 read error(s); no snapshot written\n")
    assert not Path("snap.json").exists()


def gets(iot: LocalIot, operation: str = "GetOTAUpdate") -> Counter[str | None]:
    return Counter(i for op, i, _ in iot.call_log if op == operation)


# --------------------------------------------------------------------------------------------
# point 1: malformed answers


@pytest.mark.parametrize("fault", [*BODY_FAULTS, "entry-without-id"])
def test_malformed_listing_page_is_a_listing_error(
    capsys: pytest.CaptureFixture[str], sources: list[RecordingSource], iot: LocalIot, fault: str
) -> None:
    """A listing page that is not a real page, every time: retried, then a listing error."""
    fleet = fleet_on(iot)
    iot.inject_fault("ListOTAUpdates", fault, times=None)
    code, report = check(capsys, iot, fleet)
    (source,) = sources
    assert code == 2
    assert_error(
        report,
        None,
        "ListOTAUpdates",
        "MalformedResponse",
        expected_message("ListOTAUpdates", fault),
    )
    assert_audited(
        report, source, fleet, readable=set(), errors=report["errors"], listing_failed=True
    )
    assert dict(iot.calls) == {"ListOTAUpdates": 10}
    assert_no_snapshot(capsys, iot)


@pytest.mark.parametrize("fault", [*BODY_FAULTS, "wrong-id"])
def test_malformed_answer_for_one_update_is_its_error(
    capsys: pytest.CaptureFixture[str], sources: list[RecordingSource], iot: LocalIot, fault: str
) -> None:
    """A GetOTAUpdate answer that is never well-formed: that update's error, the rest audited."""
    fleet = fleet_on(iot)
    iot.inject_fault("GetOTAUpdate", fault, times=None, ota_update_id=AUDITED)
    code, report = check(capsys, iot, fleet)
    (source,) = sources
    assert code == 2
    assert_error(
        report,
        AUDITED,
        "GetOTAUpdate",
        "MalformedResponse",
        expected_message("GetOTAUpdate", fault),
    )
    assert_audited(report, source, fleet, readable=fleet.live - {AUDITED}, errors=report["errors"])
    assert gets(iot) == Counter({AUDITED: 10, **dict.fromkeys(fleet.live - {AUDITED}, 1)})
    assert_no_snapshot(capsys, iot)


@pytest.mark.parametrize(
    ("operation", "fault"),
    [("DescribeJob", fault) for fault in (*BODY_FAULTS, "wrong-id")]
    + [("ListTagsForResource", fault) for fault in BODY_FAULTS if fault != "empty-object"],
)
def test_malformed_deep_answer_is_that_updates_error(
    capsys: pytest.CaptureFixture[str],
    sources: list[RecordingSource],
    iot: LocalIot,
    operation: str,
    fault: str,
) -> None:
    """--deep: a job or tags answer never well-formed is that update's error, the rest audited."""
    fleet = fleet_on(iot)
    iot.inject_fault(operation, fault, times=None, ota_update_id=AUDITED)
    code, report = check(capsys, iot, fleet, "--deep", *FAST)
    (source,) = sources
    assert code == 2
    assert_error(
        report, AUDITED, operation, "MalformedResponse", expected_message(operation, fault)
    )
    assert_audited(report, source, fleet, readable=fleet.live - {AUDITED}, errors=report["errors"])
    assert gets(iot, operation)[AUDITED] == 10
    assert_no_snapshot(capsys, iot, "--deep", *FAST)


def test_an_untagged_answer_without_a_tags_list_means_no_tags(
    capsys: pytest.CaptureFixture[str], sources: list[RecordingSource], iot: LocalIot
) -> None:
    """--deep: a ListTagsForResource answer `{}` is a resource with no tags (rest-json leaves
    empty lists out), not a malformed answer: no error entry, the update audited once."""
    fleet = fleet_on(iot)
    iot.inject_fault("ListTagsForResource", "empty-object", times=None, ota_update_id=AUDITED)
    code, report = check(capsys, iot, fleet, "--deep", *FAST)
    (source,) = sources
    assert report["errors"] == []
    assert code in (0, 1)
    assert_audited(report, source, fleet, readable=fleet.live, errors=[])
    assert gets(iot, "ListTagsForResource")[AUDITED] == 1


@pytest.mark.parametrize(
    "case",
    [("ListOTAUpdates", fault, 2) for fault in (*BODY_FAULTS, "entry-without-id")]
    + [("GetOTAUpdate", fault, 2) for fault in (*BODY_FAULTS, "wrong-id")]
    + [("DescribeJob", "wrong-id", 1), ("DescribeJob", "truncated", 1)]
    + [("ListTagsForResource", "html", 1), ("ListTagsForResource", "null", 1)],
    ids=lambda case: "-".join(map(str, case)),
)
def test_a_transient_malformed_answer_is_retried_and_the_report_is_complete(
    capsys: pytest.CaptureFixture[str],
    sources: list[RecordingSource],
    iot: LocalIot,
    case: tuple[str, str, int],
) -> None:
    """The fault for the next one or two requests only: retried, no error, every update once."""
    operation, fault, times = case
    fleet = fleet_on(iot)
    target = None if operation == "ListOTAUpdates" else AUDITED
    iot.inject_fault(operation, fault, times=times, ota_update_id=target)
    code, report = check(capsys, iot, fleet, "--deep", *FAST)
    (source,) = sources
    assert code == 1  # fw-0002 drifted, fw-0005 unmanaged, fw-9001 missing; nothing unread
    assert_audited(report, source, fleet, readable=fleet.live)
    assert report["summary"]["inSync"] == 4
    assert gets(iot, operation)[target] == times + 1
    assert iot.faults == {fault: times}


def test_a_transient_fault_leaves_a_complete_snapshot(
    capsys: pytest.CaptureFixture[str], iot: LocalIot
) -> None:
    """snapshot with one truncated listing page and one HTML GetOTAUpdate: every update saved."""
    fleet_on(iot)
    iot.inject_fault("ListOTAUpdates", "truncated")
    iot.inject_fault("GetOTAUpdate", "html", ota_update_id=AUDITED)
    code, err = snapshot(capsys, iot)
    assert (code, err) == (0, "ota-drift: 6 OTA update(s) written to snap.json\n")
    saved = json.loads(Path("snap.json").read_text(encoding="utf-8"))
    assert sorted(u["otaUpdateId"] for u in saved["otaUpdates"]) == sorted(iot.ota_update_ids())


# --------------------------------------------------------------------------------------------
# point 2: paging always ends


@pytest.mark.parametrize(
    "case",
    [
        ("repeat-token", "RepeatedNextToken", 2),
        ("cycle-token", "RepeatedNextToken", 3),
        ("endless-token", "ListingNotAdvancing", aws.IDLE_PAGES + 1),
    ],
    ids=lambda case: str(case[0]),
)
def test_a_listing_that_never_ends_is_a_listing_error_within_seconds(
    capsys: pytest.CaptureFixture[str],
    sources: list[RecordingSource],
    iot: LocalIot,
    case: tuple[str, str, int],
) -> None:
    """A repeating, cycling or endless nextToken at the default --max-rps: exit 2 in seconds."""
    fault, code, pages = case
    fleet = fleet_on(iot)
    iot.inject_fault("ListOTAUpdates", fault, times=None)
    started = time.monotonic()
    exit_code, report = check(capsys, iot, fleet, "--max-rps", "10")  # the default rate
    assert time.monotonic() - started < 10
    (source,) = sources
    assert exit_code == 2
    [error] = report["errors"]
    assert (error["otaUpdateId"], error["operation"], error["code"]) == (
        None,
        "ListOTAUpdates",
        code,
    )
    assert (
        error["message"].startswith(f"page {pages} ") or f"up to page {pages})" in error["message"]
    )
    assert error["message"].endswith(": the listing would never end")
    assert_audited(report, source, fleet, readable=set(), errors=[error], listing_failed=True)
    assert dict(iot.calls) == {"ListOTAUpdates": pages}
    assert_no_snapshot(capsys, iot, "--max-rps", "10")


def test_more_pages_than_the_cap_is_a_listing_error(
    capsys: pytest.CaptureFixture[str],
    sources: list[RecordingSource],
    iot: LocalIot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A listing still paging after MAX_PAGES pages (here lowered to 5) is stopped: exit 2."""
    monkeypatch.setitem(aws.MAX_PAGES, "ListOTAUpdates", 5)
    fleet = fleet_on(iot)
    iot.inject_fault("ListOTAUpdates", "endless-token", times=None)
    code, report = check(capsys, iot, fleet)
    (source,) = sources
    assert code == 2
    assert_error(
        report,
        None,
        "ListOTAUpdates",
        "TooManyPages",
        "still a nextToken after 5 pages, more than any real account has: "
        "the listing would never end",
    )
    assert_audited(
        report, source, fleet, readable=set(), errors=report["errors"], listing_failed=True
    )
    assert dict(iot.calls) == {"ListOTAUpdates": 5}


@pytest.mark.parametrize(
    ("fault", "code"),
    [
        ("repeat-token", "RepeatedNextToken"),
        ("cycle-token", "RepeatedNextToken"),
        ("endless-token", "ListingNotAdvancing"),
    ],
)
def test_tags_that_never_end_are_that_updates_error(
    capsys: pytest.CaptureFixture[str],
    sources: list[RecordingSource],
    iot: LocalIot,
    fault: str,
    code: str,
) -> None:
    """--deep: ListTagsForResource paging for ever is one update's error; the rest audited."""
    fleet = fleet_on(iot)
    iot.inject_fault("ListTagsForResource", fault, times=None, ota_update_id=AUDITED)
    started = time.monotonic()
    exit_code, report = check(capsys, iot, fleet, "--deep", "--max-rps", "100")
    assert time.monotonic() - started < 10
    (source,) = sources
    assert exit_code == 2
    assert_error(report, AUDITED, "ListTagsForResource", code, r".+: the listing would never end")
    assert_audited(report, source, fleet, readable=fleet.live - {AUDITED}, errors=report["errors"])


# --------------------------------------------------------------------------------------------
# point 9: secrets in error text


def test_echoed_request_headers_are_redacted_in_every_output(
    capsys: pytest.CaptureFixture[str], sources: list[RecordingSource], iot: LocalIot
) -> None:
    """An error quoting Authorization and the session token shows neither, in any format."""
    fleet = fleet_on(iot)
    iot.inject_fault("GetOTAUpdate", "echo-headers", times=None, ota_update_id=AUDITED)
    code, report = check(capsys, iot, fleet)
    assert code == 2
    assert_error(
        report,
        AUDITED,
        "GetOTAUpdate",
        "AccessDeniedException",
        r"Request refused\. Headers received: X-Amz-Date: \d{8}T\d{6}Z; "
        rf"X-Amz-Security-Token: {re.escape(MARKER)}; Authorization: {re.escape(MARKER)}",
    )
    assert_audited(
        report, sources[0], fleet, readable=fleet.live - {AUDITED}, errors=report["errors"]
    )
    for fmt in ("text", "sarif", "junit", "markdown", "html"):
        argv = [fleet.path, "--region", REGION, "--endpoint-url", iot.url, "--format", fmt]
        assert main(["check", *argv, "--quiet", "--as-of", AS_OF, *FAST]) == 2
        out, err = capsys.readouterr()
        no_secret_in(out, err)
        assert "Signature=" not in out
        assert "REDACTED" in out  # as [REDACTED], or escaped for Markdown
    iot.clear_faults()
    iot.inject_fault("ListOTAUpdates", "echo-headers", times=None)
    code, err = snapshot(capsys, iot)
    assert code == 2
    assert f"X-Amz-Security-Token: {MARKER}; Authorization: {MARKER}" in err
    assert not Path("snap.json").exists()


def test_failing_credential_process_output_is_redacted(
    capsys: pytest.CaptureFixture[str],
    iot: LocalIot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A credential_process that prints secrets and fails: one redacted line, exit 2, no file."""
    leaked = ("wJalrXUtnFEMI/K7MDENG/bPxRfiCYPROCESSKEY", "AKIAPROCESSLEAK00042", TOKEN)
    script = tmp_path / "credentials.py"
    script.write_text(
        "import sys\n"
        f"sys.stderr.write('vault refused: aws_secret_access_key={leaked[0]}\\n')\n"
        f"sys.stderr.write('cached AccessKeyId {leaked[1]}, SessionToken: {leaked[2]}\\n')\n"
        "sys.exit(7)\n",
        encoding="utf-8",
    )
    config = tmp_path / "aws-config"
    config.write_text(
        f"[default]\ncredential_process = {sys.executable} {script}\n", encoding="utf-8"
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    fleet = fleet_on(iot)
    runs = [
        ["check", fleet.path, "--format", "json", "--output", "report.json"],
        ["snapshot", "-o", "snap.json"],
    ]
    for argv in runs:
        code = main([*argv, "--region", REGION, "--endpoint-url", iot.url, "--quiet", *FAST])
        out, err = capsys.readouterr()
        assert (code, out) == (2, "")
        assert err == (
            "ota-drift: error: cannot set up the AWS client: Error when retrieving credentials "
            f"from custom-process: vault refused: aws_secret_access_key={MARKER} cached "
            f"AccessKeyId {MARKER}, SessionToken: {MARKER}\n"
        )
        for secret in leaked:
            assert secret not in err
    assert not Path("report.json").exists()
    assert not Path("snap.json").exists()
    assert dict(iot.calls) == {}
