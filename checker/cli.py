"""The `ota-drift` command: parse arguments, wire the stages, choose the exit code. Nothing else."""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import math
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import NoReturn

from checker import __version__, audit, importing
from checker.declared import declared_files, load_declared
from checker.declared.interface import PSEUDO_PARAMETERS, ReadOptions
from checker.errors import InputError, OutputError, UsageError
from checker.fleet.file import PLACEHOLDER, Fleet, load_fleet
from checker.fleet.iam import fleet_policies, oversized
from checker.fleet.merge import merge_reports
from checker.fleet.organization import InitOptions, fleet_init
from checker.fleet.run import FleetRun
from checker.fleet.shard import WHOLE, Shard, parse_shard
from checker.formats import FORMATS, get_format
from checker.formats.common import timestamp
from checker.formats.interface import FormatOptions, ReportFormat
from checker.formats.markdown import GITHUB_SUMMARY_MAX_BYTES, MIN_MAX_BYTES
from checker.formats.sarif import GITHUB_MAX_RESULTS, GITHUB_SHOWN_RESULTS
from checker.model import (
    EARLIEST,
    LATEST,
    LiveUpdate,
    Partition,
    Report,
    SkippedUpdate,
    SourceError,
    assume_utc,
    in_calendar,
)
from checker.output import (
    OutputPlan,
    OutputRequest,
    check_outputs,
    discard_pending,
    write_outputs,
)
from checker.policy.model import FAIL_ON_VALUES, blocks, effective_fail_on, recorded_fail_on
from checker.policy.packs import default_pack_path, load_policy
from checker.rules.docs import catalogue_markdown, catalogue_text, rule_markdown, rule_text
from checker.rules.registry import META_BY_ID
from checker.sources.aws import AwsSettings, AwsSource, iam_policy
from checker.sources.choice import source_for
from checker.sources.interface import Progress
from checker.sources.ratelimit import MIN_RATE
from checker.sources.snapshot import snapshot_json
from checker.terminal import ProgressBar, wants_colour
from checker.textsafe import visible

EXIT_CLEAN = 0
"""No finding at or above --fail-on, and everything could be read."""
EXIT_FINDINGS = 1
"""At least one finding at or above --fail-on."""
EXIT_ERROR = 2
"""The audit could not be done properly: usage, input or source errors."""
EXIT_SIGNAL_BASE = 128
"""Interrupted by signal N: exit 128 + N, as shells report it (130 Ctrl-C, 143 SIGTERM)."""

INTERRUPT_GRACE = 1.0
"""Seconds an interrupted run may spend cleaning up before the process is ended anyway."""

CONCURRENCY_RANGE = (1, 64)
"""--concurrency: a handful of workers already saturate any per-operation rate AWS grants."""
MAX_RPS_RANGE = (MIN_RATE, 10_000.0)
"""--max-rps: from the rate limiter's floor (it never slows down below MIN_RATE) up to far
beyond any published IoT quota."""
TIMEOUT_RANGE = (0.1, 600.0)
"""--timeout, seconds per attempt."""
MARKDOWN_MAX_BYTES_RANGE = (MIN_MAX_BYTES, GITHUB_SUMMARY_MAX_BYTES)
"""--markdown-max-bytes: room for the verdict, the counts and a few findings, up to the job
summary's limit (the largest Markdown budget a GitHub consumer sets)."""
DEFAULT_TIMEOUT = 10.0
"""IoT control-plane reads answer in well under a second; 10 s absorbs a slow network, and a
dead endpoint gives up after max_attempts x 10 s plus backoff instead of x 30 s."""

FAIL_ON_CHOICES = list(FAIL_ON_VALUES)

EPILOG = """\
examples:
  ota-drift lint ota/                                  # pull requests: no AWS needed
  ota-drift lint ota/ --policy policies/strict.yaml --format json
  ota-drift check ota/ --state snapshot.json           # declared vs recorded live state
  ota-drift check ota/ --state snapshot.json --fail-on high --output report.json --format json
  ota-drift check ota/ --region eu-west-1 --deep        # declared vs live AWS (read-only)
  ota-drift snapshot --region eu-west-1 --deep -o snapshot.json
  ota-drift import --state snapshot.json --role-arn arn:aws:iam::123456789012:role/ota -o ota/
  ota-drift check --fleet fleet.yaml --shard 1/4 --format json -o shard-1.json
  ota-drift merge shard-*.json --format sarif -o ota-drift.sarif
  ota-drift iam-policy --deep                          # the read-only IAM policy it needs
  ota-drift rules                                      # the rule catalogue
  ota-drift rules OTA302                               # one rule's documentation

exit codes:
  0  no active finding at or above --fail-on
  1  active findings at or above --fail-on
  2  the audit could not be done properly (usage, input, source or write errors)
  130, 143  interrupted by Ctrl-C (SIGINT) or SIGTERM: nothing written
"""


class _Parser(argparse.ArgumentParser):
    """Usage errors are one line, as every other input error is (argparse would print the
    whole usage block first), and shown escaped: argparse quotes what it does not recognise
    as it was typed, and a file name from a shell glob can hold escape sequences."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_ERROR, f"{self.prog}: error: {visible(message)}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="ota-drift",
        description="Audit AWS IoT OTA updates: declared YAML, policy rules and live state.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"ota-drift {__version__}")
    parser.add_argument("--debug", action="store_true", help="show a traceback on internal errors")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check = _command(commands, "check", "compare declared OTA updates with live state, run rules")
    _audit_arguments(check, paths="*")
    where = check.add_mutually_exclusive_group(required=True)
    where.add_argument(
        "--state",
        metavar="FILE",
        help="live state from a file: an ota-drift snapshot, or saved AWS CLI output",
    )
    where.add_argument("--region", help="read live state from AWS IoT in this region")
    where.add_argument(
        "--fleet",
        metavar="FILE",
        help="audit every account and region of a fleet file (its `declared` paths replace PATH)",
    )
    check.add_argument(
        "--shard",
        type=_shard,
        default=None,
        metavar="K/N",
        help="with --fleet: audit only shard K of N (by a stable hash of account and region); "
        "`ota-drift merge` joins the N JSON reports",
    )
    _aws_arguments(check, verify=True)
    lint = _command(commands, "lint", "run the rules on declared OTA updates (no AWS needed)")
    _audit_arguments(lint)
    merge = _command(commands, "merge", "merge the JSON reports of a fleet's shards into one")
    merge.add_argument("reports", nargs="+", metavar="REPORT", help="a shard's JSON report")
    _report_arguments(merge)
    snapshot = _command(commands, "snapshot", "record live OTA updates to a snapshot file")
    read = snapshot.add_mutually_exclusive_group(required=True)
    read.add_argument("--region", help="AWS region to read")
    read.add_argument(
        "--fleet",
        metavar="FILE",
        help="read every partition of a fleet file: one snapshot per partition, "
        "OUTPUT/ACCOUNT/REGION.json",
    )
    _aws_arguments(snapshot, verify=True)
    snapshot.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="FILE",
        help="the snapshot file to write (replaced atomically, parent folders created); "
        "with --fleet, the folder to write them in",
    )
    _import_arguments(_command(commands, "import", "declare every live OTA update in files"))
    iam = _command(commands, "iam-policy", "print the least-privilege IAM policy ota-drift needs")
    iam.add_argument("--deep", action="store_true", help="include what --deep reads")
    iam.add_argument(
        "--verify", action="store_true", help="include what --verify reads (and --deep)"
    )
    iam.add_argument(
        "--fleet",
        metavar="FILE",
        help="print one JSON document: the policy of the caller and of every role and profile "
        "a fleet run signs as, keyed by role ARN or profile:NAME",
    )
    _fleet_arguments(_command(commands, "fleet", "write a fleet file (`fleet init`)"))
    rules = _command(commands, "rules", "list the rules, or document one")
    rules.add_argument("rule_id", nargs="?", metavar="RULE", help="e.g. OTA302")
    rules.add_argument("--format", choices=["text", "markdown"], default="text")
    return parser


def _fleet_arguments(fleet: argparse.ArgumentParser) -> None:
    init = fleet.add_subparsers(dest="fleet_command", required=True, metavar="COMMAND").add_parser(
        "init",
        help="write a fleet file listing the organisation's accounts",
        description="Write a fleet file listing the ACTIVE accounts of the AWS organisation "
        "(organizations:ListAccounts, read-only, with the caller's credentials).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    init.add_argument(
        "--organization",
        action="store_true",
        required=True,
        help="list the accounts from AWS Organizations (required: the only source for now)",
    )
    init.add_argument(
        "--role-name",
        required=True,
        metavar="NAME",
        help="the audit role in every account: defaults.role arn:aws:iam::{account}:role/NAME",
    )
    init.add_argument(
        "--regions",
        nargs="+",
        default=None,
        metavar="REGION",
        help="defaults.regions: IoT regions, or `all` (the default: those enabled per account)",
    )
    init.add_argument("--profile", help="AWS profile (default: the standard credential chain)")
    init.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write the fleet file here, not stdout (replaced atomically; never an existing "
        "file without --force)",
    )
    init.add_argument("--force", action="store_true", help="replace -o FILE if it exists")


def _command(
    commands: argparse._SubParsersAction[_Parser], name: str, summary: str
) -> argparse.ArgumentParser:
    return commands.add_parser(
        name,
        help=summary,
        description=summary[0].upper() + summary[1:] + ".",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def _audit_arguments(command: argparse.ArgumentParser, paths: str = "+") -> None:
    command.add_argument(
        "paths",
        nargs=paths,
        metavar="PATH",
        help="declared file (ota-drift YAML, AWS CLI input, CloudFormation/CDK template, "
        "Pulumi stack export), or a directory of them",
    )
    command.add_argument(
        "--parameter",
        action="append",
        default=[],
        type=_parameter,
        metavar="NAME=VALUE",
        help="a CloudFormation template parameter, or pseudo parameter (AWS::Region, "
        "AWS::AccountId, AWS::Partition, AWS::StackName), for resolving templates "
        "(repeatable, as `aws cloudformation deploy --parameter-overrides`)",
    )
    command.add_argument(
        "--policy",
        action="append",
        default=[],
        metavar="FILE",
        help="policy pack overlaid on policies/default.yaml (repeatable, applied in order)",
    )
    _report_arguments(command)
    command.add_argument(
        "--as-of",
        type=_timestamp,
        default=None,
        metavar="TIME",
        help="the audit's clock for expiries and ages, e.g. 2026-11-25T00:00:00Z (default: "
        "now; from 1970-01-01T00:00:00Z to before 3000-01-01T00:00:00Z)",
    )


def _report_arguments(command: argparse.ArgumentParser) -> None:
    """Where and how the report is written, and what fails the run: every reporting command."""
    command.add_argument("--format", choices=sorted(FORMATS), default="text")
    command.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write the report here, not stdout (replaced atomically, a symlink's target "
        "replaced, a device or FIFO written to; parent folders are created)",
    )
    command.add_argument(
        "--report",
        action="append",
        default=[],
        type=_report_spec,
        metavar="FORMAT=PATH",
        help="also write a report in FORMAT to PATH (repeatable; written like --output), "
        f"FORMAT one of {', '.join(sorted(FORMATS))}",
    )
    command.add_argument(
        "--github-summary",
        action="store_true",
        help="append the Markdown report to $GITHUB_STEP_SUMMARY when it is set",
    )
    command.add_argument(
        "--markdown-max-bytes",
        type=_whole_number(*MARKDOWN_MAX_BYTES_RANGE),
        default=None,
        metavar="N",
        help="keep each Markdown report within N bytes: over it, the most severe findings "
        "and a line saying how many were left out (e.g. 65536 for a pull-request comment; "
        f"the job summary is always kept within GitHub's {GITHUB_SUMMARY_MAX_BYTES} bytes)",
    )
    command.add_argument(
        "--sarif-max-results",
        type=_whole_number(1, GITHUB_MAX_RESULTS),
        default=None,
        metavar="N",
        help="most results in the SARIF report, the most severe kept (default "
        f"{GITHUB_SHOWN_RESULTS}, the most GitHub code scanning keeps; at most "
        f"{GITHUB_MAX_RESULTS}, the most it accepts in a run)",
    )
    command.add_argument(
        "--fail-on",
        choices=FAIL_ON_CHOICES,
        default=None,
        help="lowest severity that makes the exit code 1 (default: the packs' failOn, low; "
        "for merge, the failOn the shards were run with)",
    )


def _import_arguments(command: argparse.ArgumentParser) -> None:
    where = command.add_mutually_exclusive_group(required=True)
    where.add_argument(
        "--state",
        metavar="FILE",
        help="live state from a file: an ota-drift snapshot, or saved AWS CLI output",
    )
    where.add_argument("--region", help="read live state from AWS IoT in this region")
    where.add_argument(
        "--fleet",
        metavar="FILE",
        help="read every partition of a fleet file: one folder per partition, "
        "OUTPUT/ACCOUNT/REGION/",
    )
    _aws_arguments(command)
    command.add_argument(
        "--role-arn",
        required=True,
        metavar="ARN",
        help="the roleArn every update is declared with (no AWS API returns it); with "
        "--fleet, {account} is filled in with each partition's account",
    )
    command.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="DIR",
        help="the folder to write to (created if missing; nothing written if anything fails)",
    )
    command.add_argument(
        "--format",
        choices=importing.FORMAT_NAMES,
        default=importing.DEFAULT_FORMAT,
        help="ota-drift: one otaUpdates file; cli-input: one --cli-input-json file per update; "
        f"cloudformation: one template (default {importing.DEFAULT_FORMAT})",
    )
    command.add_argument("--force", action="store_true", help="replace files that exist")


def _aws_arguments(command: argparse.ArgumentParser, verify: bool = False) -> None:
    """Options for reading AWS; --region itself is added by the caller. `verify`: the command
    judges or records the chain (check, snapshot), so it takes --verify."""
    command.add_argument("--profile", help="AWS profile (default: the standard credential chain)")
    command.add_argument("--endpoint-url", metavar="URL", help="IoT endpoint (tests, VPC)")
    command.add_argument(
        "--deep",
        action="store_true",
        help="also read each update's job (abort, timeout config, rollout health) and tags",
    )
    if verify:
        command.add_argument(
            "--verify",
            action="store_true",
            help="also read the chain behind each file: signing job, signing profile, "
            "certificate, stream and firmware object version (implies --deep; with --state, "
            "the snapshot must have been taken with --verify)",
        )
    low, high = CONCURRENCY_RANGE
    command.add_argument(
        "--concurrency",
        type=_whole_number(*CONCURRENCY_RANGE),
        default=8,
        metavar="N",
        help=f"parallel requests (default 8, {low}-{high})",
    )
    command.add_argument(
        "--max-rps",
        type=_number(*MAX_RPS_RANGE),
        default=10.0,
        metavar="N",
        help="most requests per second per API operation, retries included "
        f"(default 10, {MAX_RPS_RANGE[0]:g}-{MAX_RPS_RANGE[1]:g})",
    )
    command.add_argument(
        "--timeout",
        type=_number(*TIMEOUT_RANGE, unit="seconds"),
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"connect and read timeout of each attempt (default {DEFAULT_TIMEOUT:g}, "
        f"{TIMEOUT_RANGE[0]:g}-{TIMEOUT_RANGE[1]:g}); a request makes at most "
        f"{AwsSettings.max_attempts} attempts",
    )
    command.add_argument("--quiet", action="store_true", help="no progress bar")


_WHOLE_NUMBER = re.compile(r"\s*\+?[0-9]{1,12}\s*")
"""Digits, few enough to convert at once (a 5,000-digit number is refused unread)."""


def _whole_number(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number in [low, high], else an error naming the range."""

    def parse(text: str) -> int:
        if _WHOLE_NUMBER.fullmatch(text) is None or not low <= int(text) <= high:
            raise argparse.ArgumentTypeError(
                f"must be a whole number from {low} to {high}, not {_quoted(text)}"
            )
        return int(text)

    return parse


def _number(low: float, high: float, unit: str = "") -> Callable[[str], float]:
    """An argparse type: a finite number in [low, high] (no NaN, no inf), else an error."""

    def parse(text: str) -> float:
        try:
            value = float(text) if len(text) <= 64 else math.nan
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and low <= value <= high):
            noun = f"a number of {unit}" if unit else "a number"
            raise argparse.ArgumentTypeError(
                f"must be {noun} from {low:g} to {high:g}, not {_quoted(text)}"
            )
        return value

    return parse


def _quoted(text: str, limit: int = 40) -> str:
    """A value the user typed, for an error message: quoted, escaped, at most `limit` chars."""
    shown = text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"
    return f"'{visible(shown)}'"


def _report_spec(text: str) -> tuple[str, str]:
    name, sep, path = text.partition("=")
    if not sep or not path:
        raise argparse.ArgumentTypeError(f"expected FORMAT=PATH, not {text!r}")
    if name not in FORMATS:
        raise argparse.ArgumentTypeError(
            f"unknown format {name!r} (one of {', '.join(sorted(FORMATS))})"
        )
    return name, path


def _timestamp(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {_quoted(text)}") from None
    value = assume_utc(value)
    if not in_calendar(value):
        raise argparse.ArgumentTypeError(
            f"must be from {timestamp(EARLIEST)} to before {timestamp(LATEST)}, not {_quoted(text)}"
        )
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; the exit code is the return value.

    Called without `argv` it is the process entry point (`ota-drift`, `python -m checker`):
    only then does an interruption end the process at once, once cleanup has run, since
    worker threads still blocked on a socket would otherwise keep it alive.
    """
    # An audit allocates millions of small containers that live until the end, and creates
    # almost no reference cycles: frequent young-generation collections cost ~15 % of a
    # 10,000-update run and free nothing (benchmarks/README.md).
    gc.set_threshold(100_000, 50, 100)
    interruption = _Interruption(exit_process=argv is None)
    debug = False
    with interruption.handlers():
        try:
            args = build_parser().parse_args(argv)
            debug = args.debug
            if sys.stdout is None and _prints(args):  # run with stdout closed (`>&-`)
                raise UsageError("standard output is closed: give --output FILE")
            return COMMANDS[args.command](args)
        except InputError as exc:
            for problem in exc.problems:
                print(problem, file=sys.stderr)
            return EXIT_ERROR
        except (UsageError, OutputError) as exc:
            print(f"ota-drift: error: {visible(str(exc))}", file=sys.stderr)
            return EXIT_ERROR
        except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM turned into Interrupted
            return interruption.finish(getattr(exc, "signum", signal.SIGINT))
        except Exception as exc:  # the last resort: a bug still gets exit 2, never 1
            if debug:
                for line in traceback.format_exc().splitlines():
                    print(visible(line), file=sys.stderr)
            else:
                print(
                    f"ota-drift: internal error: {visible(repr(exc))} (rerun with --debug)",
                    file=sys.stderr,
                )
            return EXIT_ERROR


class Interrupted(KeyboardInterrupt):
    """SIGTERM, raised in the main thread as Ctrl-C raises KeyboardInterrupt, so that every
    `finally` (temporary files above all) runs before the process ends."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class _Interruption:
    """The signal handlers of one run, and what they share with main().

    The first SIGINT or SIGTERM raises in the main thread; later ones are ignored while
    cleanup runs. As the process entry point, a watchdog also ends the process
    INTERRUPT_GRACE seconds after the first signal if cleanup has not finished by then
    (a thread blocked in a socket read, a full pipe), removing temporary files first.
    """

    def __init__(self, exit_process: bool) -> None:
        self.exit_process = exit_process
        self._lock = threading.Lock()
        self._signum: int | None = None
        self._reported = False

    @contextlib.contextmanager
    def handlers(self) -> Iterator[None]:
        """SIGINT and SIGTERM handled by this run while the block runs (main thread only)."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        signals = [signal.SIGINT, *([signal.SIGTERM] if hasattr(signal, "SIGTERM") else [])]
        previous = {signum: signal.getsignal(signum) for signum in signals}
        for signum in signals:
            signal.signal(signum, self._handle)
        try:
            yield
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        with self._lock:
            if self._signum is not None:
                return
            self._signum = signum
        if self.exit_process:
            watchdog = threading.Timer(INTERRUPT_GRACE, self._force_exit, (signum,))
            watchdog.daemon = True
            watchdog.start()
        raise Interrupted(signum)

    def finish(self, signum: int) -> int:
        """Cleanup has run: report the interruption once, and end the process if it is ours."""
        code = EXIT_SIGNAL_BASE + signum
        self._report()
        if self.exit_process:
            for stream in (sys.stdout, sys.stderr):
                with contextlib.suppress(Exception):
                    stream.flush()
            os._exit(code)  # worker threads blocked on a socket must not keep the process alive
        return code

    def _report(self) -> None:
        with self._lock:
            if self._reported:
                return
            self._reported = True
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.write("ota-drift: interrupted\n")
            sys.stderr.flush()

    def _force_exit(self, signum: int) -> None:
        discard_pending()
        with self._lock:
            reported, self._reported = self._reported, True
        if not reported:
            with contextlib.suppress(OSError):
                os.write(2, b"ota-drift: interrupted\n")
        os._exit(EXIT_SIGNAL_BASE + signum)


def _prints(args: argparse.Namespace) -> bool:
    """Whether the command writes to standard output."""
    return args.command in ("rules", "iam-policy") or (
        args.command in ("check", "lint", "merge", "fleet") and args.output is None
    )


def _audit(args: argparse.Namespace) -> int:
    if getattr(args, "fleet", None) is not None:
        return _fleet_check(args)
    if args.command == "check" and not args.paths:
        raise UsageError("check needs the declared PATHs (or --fleet FILE, which names them)")
    if getattr(args, "shard", None) is not None:
        raise UsageError("--shard divides a fleet: it needs --fleet FILE")
    plan = check_outputs(  # before any file is read or AWS is called
        _report_requests(args), stdout=args.output is None, inputs=_inputs(args)
    )
    declared = load_declared(args.paths, _read_options(args))
    policy = load_policy(args.policy)
    if args.command == "lint":
        report = audit.lint(declared, policy, args.as_of)
    else:
        with _progress(args) as progress:
            source = source_for(args.state, _aws_settings(args), progress)
            report = audit.check(declared, source, policy, args.as_of)
        if args.state is not None and args.as_of is None and source.verified:
            captured = source.captured_at
            when = f" at {timestamp(captured)}" if captured is not None else ""
            print(
                f"note: {visible(args.state)} was captured{when} and is judged as of now; "
                "pass --as-of to judge its chain as it stood then",
                file=sys.stderr,
            )
    _deliver(args, plan, report)
    return exit_code(report, effective_fail_on(args.fail_on, policy))


def _fleet_check(args: argparse.Namespace) -> int:
    """`check --fleet`: every partition of the shard, then one report."""
    if args.paths:
        raise UsageError(
            "--fleet names the declared paths of each account (`declared:`): give no PATH"
        )
    if args.parameter:
        raise UsageError(
            "--parameter is not taken with --fleet: each partition resolves templates with "
            "its own AWS::Region and AWS::AccountId"
        )
    fleet = load_fleet(args.fleet)
    plan = check_outputs(
        _report_requests(args), stdout=args.output is None, inputs=_fleet_inputs(args, fleet)
    )
    policy = load_policy(args.policy)
    with _progress(args) as progress:
        run = FleetRun(
            fleet,
            policy,
            effective_fail_on(args.fail_on, policy),
            _aws_settings(args),
            shard=args.shard or WHOLE,
            as_of=args.as_of,
            progress=progress,
        )
        run.check_declared()  # every declaration problem before AWS is called
        report = run.run()
    _deliver(args, plan, report)
    return exit_code(report, effective_fail_on(args.fail_on, policy))


def _merge(args: argparse.Namespace) -> int:
    """`merge`: the shards' JSON reports as the report of one run over the whole fleet."""
    inputs = [("a shard's report", path) for path in args.reports]
    plan = check_outputs(_report_requests(args), stdout=args.output is None, inputs=inputs)
    report = merge_reports(args.reports)
    _deliver(args, plan, report)
    assert report.fleet is not None  # merge_reports reads fleet reports only
    return exit_code(report, recorded_fail_on(args.fail_on, report.fleet.fail_on))


def _deliver(args: argparse.Namespace, plan: OutputPlan, report: Report) -> None:
    """Render the report once per output, write them all (or none), print each one's notes."""
    formats = _formats(args)
    texts = [f.render(report) for f in formats]  # the audit ran once; each renders it
    write_outputs(plan, texts)
    for where, rendered in zip(_output_names(args), formats, strict=True):
        for note in rendered.notices(report):  # which output it is about: two may differ
            print(f"note: {visible(where)}: {visible(note)}", file=sys.stderr)


def _fleet_inputs(args: argparse.Namespace, fleet: Fleet) -> list[tuple[str, str]]:
    """The files a fleet run reads, which no output may replace."""
    paths = _declared_paths(fleet)
    inputs = [("the fleet file", args.fleet)]
    inputs += [("a declared file", str(path)) for path in declared_files(paths)]
    inputs.append(("the default policy pack", str(default_pack_path())))
    inputs += [("--policy", path) for path in args.policy]
    return inputs


def _shard(text: str) -> Shard:
    try:
        return parse_shard(text)
    except UsageError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("--shard ")) from None


def _read_options(args: argparse.Namespace) -> ReadOptions:
    """What templates resolve with: `--parameter`s, and `check --region` as AWS::Region."""
    given = dict(args.parameter)
    pseudo = {name: given.pop(name) for name in list(given) if name in PSEUDO_PARAMETERS}
    region = pseudo.get("AWS::Region", getattr(args, "region", None))
    return ReadOptions(
        parameters=given,
        region=region,
        account_id=pseudo.get("AWS::AccountId"),
        partition=pseudo.get("AWS::Partition", "aws"),
        stack_name=pseudo.get("AWS::StackName"),
    )


def _parameter(text: str) -> tuple[str, str]:
    """`NAME=VALUE` as --parameter takes it; the value may hold `=`, the name may not be empty."""
    name, equals, value = text.partition("=")
    if not equals or not name:
        raise argparse.ArgumentTypeError(f"must be NAME=VALUE, not {text!r}")
    return name, value


def _output_names(args: argparse.Namespace) -> list[str]:
    """Each output as the user named it, in _formats' order."""
    names = [args.output or "stdout", *(path for _, path in args.report)]
    return [*names, "$GITHUB_STEP_SUMMARY"] if _summary_file(args) else names


def _formats(args: argparse.Namespace) -> list[ReportFormat]:
    """The formats of --output, each --report and the job summary, in _report_requests' order."""
    options = FormatOptions(
        markdown_max_bytes=args.markdown_max_bytes, sarif_max_results=args.sarif_max_results
    )
    colour = args.format == "text" and args.output is None and _wants_colour(sys.stdout)
    formats = [get_format(args.format, replace(options, colour=colour))]
    formats += [get_format(name, options) for name, _ in args.report]
    summary = _summary_file(args)
    if summary:
        room = GITHUB_SUMMARY_MAX_BYTES - _size(summary)  # the file holds only this step's
        budget = min(args.markdown_max_bytes or room, room)
        if budget < MIN_MAX_BYTES:
            formats.append(_SummaryFull(GITHUB_SUMMARY_MAX_BYTES - room))
        else:
            formats.append(get_format("markdown", replace(options, markdown_max_bytes=budget)))
    return formats


def _size(path: str) -> int:
    """Bytes in `path` now; 0 when it cannot be read (writing it will say why)."""
    try:
        return Path(path).stat().st_size
    except (OSError, ValueError):
        return 0


class _SummaryFull:
    """The step's job summary has no room left under GitHub's limit: append nothing, say so."""

    def __init__(self, size: int) -> None:
        self.size = size

    def render(self, report: Report) -> str:
        return ""

    def notices(self, report: Report) -> list[str]:
        return [
            f"the step's job summary already holds {self.size:,} bytes of the "
            f"{GITHUB_SUMMARY_MAX_BYTES:,} GitHub shows for a step: nothing appended; the other "
            "reports are complete"
        ]


def _report_requests(args: argparse.Namespace) -> list[OutputRequest]:
    """--output, each --report and the job summary, in the order _audit renders them."""
    requests = [] if args.output is None else [OutputRequest("--output", args.output)]
    requests += [OutputRequest(f"--report {name}", path) for name, path in args.report]
    summary = _summary_file(args)
    if summary:
        requests.append(
            OutputRequest("$GITHUB_STEP_SUMMARY", summary, append=True, create_parents=False)
        )
    return requests


def _summary_file(args: argparse.Namespace) -> str | None:
    """$GITHUB_STEP_SUMMARY with --github-summary; empty counts as unset, as in Actions."""
    if not args.github_summary:
        return None
    return os.environ.get("GITHUB_STEP_SUMMARY") or None


def _inputs(args: argparse.Namespace) -> list[tuple[str, str]]:
    """The files this run reads, which no output may replace."""
    inputs = [("a declared file", str(path)) for path in declared_files(args.paths)]
    inputs.append(("the default policy pack", str(default_pack_path())))
    inputs += [("--policy", path) for path in args.policy]
    if getattr(args, "state", None) is not None:
        inputs.append(("--state", args.state))
    return inputs


def _iam_policy(args: argparse.Namespace) -> int:
    if args.fleet is None:
        sys.stdout.write(json.dumps(iam_policy(args.deep, args.verify), indent=2) + "\n")
        return EXIT_CLEAN
    document = fleet_policies(load_fleet(args.fleet), args.deep, args.verify)
    sys.stdout.write(json.dumps(document, indent=2) + "\n")
    for note in oversized(document):
        print(f"note: {visible(note)}", file=sys.stderr)
    return EXIT_CLEAN


def _fleet(args: argparse.Namespace) -> int:
    """`fleet init --organization`: checker/fleet/organization.py does it all."""
    fleet_init(
        InitOptions(args.role_name, args.regions, args.profile, args.output, force=args.force)
    )
    return EXIT_CLEAN


def _fleet_run(args: argparse.Namespace) -> FleetRun:
    """The fleet run `snapshot --fleet` and `import --fleet` read with (no policy applies)."""
    policy = load_policy([])
    return FleetRun(
        load_fleet(args.fleet), policy, effective_fail_on(None, policy), _aws_settings(args)
    )


def _fleet_snapshot(args: argparse.Namespace) -> int:
    """One snapshot per partition, OUTPUT/ACCOUNT/REGION.json, as one moment's evidence: the
    files are written into a hidden folder beside OUTPUT, which becomes OUTPUT only when every
    partition has been read (an interruption leaves nothing). A partition with any read error
    gets no file (a partial snapshot is no evidence), and the exit code is 2."""
    output = Path(args.output)
    if output.exists() and not output.is_dir():
        raise UsageError(f"-o {args.output}: is a file; with --fleet it names a folder")
    if output.is_dir() and any(output.iterdir()):
        raise UsageError(
            f"-o {args.output}: the folder is not empty: snapshots of two moments would mix "
            "(give a new folder)"
        )
    run = _fleet_run(args)
    inside = [p for p in _declared_paths(run.fleet) if _within(output, Path(p))]
    if inside:
        raise UsageError(
            f"-o {args.output}: is inside the declared path {inside[0]}: the snapshots would "
            "be read as declarations"
        )
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.partial-", dir=output.parent))
    try:
        failed = _stage_snapshots(run, staging)
        if output.is_dir():
            output.rmdir()
        staging.rename(output)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if failed:
        print(f"ota-drift: {failed} partition(s) could not be read", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_CLEAN


def _stage_snapshots(run: FleetRun, staging: Path) -> int:
    """Each readable partition's snapshot under `staging`; the number that were not."""
    failed = 0
    for read in run.read():
        partition, items = read.partition, read.items
        errors = [i for i in items if isinstance(i, SourceError)]
        for skipped in (i for i in items if isinstance(i, SkippedUpdate)):
            print(
                f"note: {partition} {visible(skipped.ota_update_id)}: {skipped.reason}",
                file=sys.stderr,
            )
        if errors:
            failed += 1
            for error in errors:
                print(f"ota-drift: {visible(str(error))}", file=sys.stderr)
            print(
                f"ota-drift: {partition}: {len(errors)} read error(s); no snapshot written",
                file=sys.stderr,
            )
            continue
        path = staging / partition.account / f"{partition.region}.json"
        path.parent.mkdir(exist_ok=True)
        updates = [i for i in items if isinstance(i, LiveUpdate)]
        path.write_text(
            snapshot_json(
                updates,
                region=partition.region,
                captured_at=read.captured_at,
                deep=read.deep,
                verify=read.verified,
            ),
            encoding="utf-8",
        )
        print(f"ota-drift: {partition}: {len(updates)} OTA update(s) read", file=sys.stderr)
    return failed


def _declared_paths(fleet: Fleet) -> list[str]:
    return sorted(
        {p for e in fleet.entries for p in (*e.declared, *sum(e.declared_by_region.values(), ()))}
    )


def _within(path: Path, folder: Path) -> bool:
    """Whether `path` is `folder` or below it (symlinks resolved)."""
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):
        return False


def _fleet_import(args: argparse.Namespace) -> int:
    """`import` once per partition, into OUTPUT/ACCOUNT/REGION/: each folder all or nothing;
    exit 2 when any partition could not be read or declared."""
    run = _fleet_run(args)
    plans = {}
    for unit in run.units:  # before AWS is called: every known folder must be writable
        if unit.region != "all":
            plans[unit] = _partition_import_plan(args, unit)
    failed = 0
    for read in run.read():
        plan = plans.get(read.partition) or _partition_import_plan(args, read.partition)
        if not importing.write_declarations(plan, read.items, deep=read.deep):
            failed += 1
    return EXIT_ERROR if failed else EXIT_CLEAN


def _partition_import_plan(args: argparse.Namespace, partition: Partition) -> importing.ImportPlan:
    folder = str(Path(args.output) / partition.account / partition.region)
    role = args.role_arn.replace("{account}", partition.account)
    return importing.plan_import(folder, args.format, role_arn=role, force=args.force, state=None)


def _snapshot(args: argparse.Namespace) -> int:
    """Record live state; any read error means no file (a partial snapshot is no evidence)."""
    if args.fleet is not None:
        return _fleet_snapshot(args)
    plan = check_outputs([OutputRequest("--output", args.output)])  # before AWS is called
    with _progress(args) as progress:
        source = AwsSource(_aws_settings(args), progress=progress)
        items = list(source.fetch())
    errors = [i for i in items if isinstance(i, SourceError)]
    for skipped in (i for i in items if isinstance(i, SkippedUpdate)):
        print(f"note: {visible(skipped.ota_update_id)}: {visible(skipped.reason)}", file=sys.stderr)
    if errors:
        for error in errors:
            print(f"ota-drift: {visible(str(error))}", file=sys.stderr)
        print(f"ota-drift: {len(errors)} read error(s); no snapshot written", file=sys.stderr)
        return EXIT_ERROR
    updates = [i for i in items if isinstance(i, LiveUpdate)]
    captured = source.captured_at or datetime.now(UTC)
    write_outputs(
        plan,
        [
            snapshot_json(
                updates,
                region=source.region,
                captured_at=captured,
                deep=source.deep,
                verify=source.verified,
            )
        ],
    )
    print(
        f"ota-drift: {len(updates)} OTA update(s) written to {visible(args.output)}",
        file=sys.stderr,
    )
    return EXIT_CLEAN


def _import(args: argparse.Namespace) -> int:
    """Declare every live update (checker/importing); a read error means no file written."""
    placeholders = set(PLACEHOLDER.findall(args.role_arn))
    if placeholders - {"account"}:
        unknown = sorted(placeholders - {"account"})[0]
        raise UsageError(
            f"--role-arn: unknown placeholder {{{unknown}}}: only {{account}} is filled in"
        )
    if placeholders and args.fleet is None:
        raise UsageError("--role-arn: {account} is filled in with --fleet only; give the account")
    if args.fleet is not None:
        return _fleet_import(args)
    plan = importing.plan_import(  # before AWS is called
        args.output, args.format, role_arn=args.role_arn, force=args.force, state=args.state
    )
    with _progress(args) as progress:
        source = source_for(args.state, _aws_settings(args), progress)
        items = list(source.fetch())
    written = importing.write_declarations(plan, items, deep=source.deep)
    return EXIT_CLEAN if written else EXIT_ERROR


def _aws_settings(args: argparse.Namespace) -> AwsSettings:
    return AwsSettings(
        region=args.region,
        profile=args.profile,
        endpoint_url=args.endpoint_url,
        concurrency=args.concurrency,
        max_rps=args.max_rps,
        deep=args.deep,
        verify=getattr(args, "verify", False),
        timeout=args.timeout,
    )


@contextlib.contextmanager
def _progress(args: argparse.Namespace) -> Iterator[Callable[[Progress], None] | None]:
    """A progress bar on stderr when it is a terminal and --quiet is not given."""
    if args.quiet or not sys.stderr.isatty():
        yield None
        return
    bar = ProgressBar(sys.stderr)
    try:
        yield bar
    finally:
        bar.close()


def _rules(args: argparse.Namespace) -> int:
    if args.rule_id is None:
        text = catalogue_markdown() if args.format == "markdown" else catalogue_text()
    else:
        meta = META_BY_ID.get(args.rule_id.upper())
        if meta is None:
            print(
                f"ota-drift: unknown rule {_quoted(args.rule_id)} (see `ota-drift rules`)",
                file=sys.stderr,
            )
            return EXIT_ERROR
        text = rule_markdown(meta) if args.format == "markdown" else rule_text(meta)
    sys.stdout.write(text)
    return EXIT_CLEAN


def exit_code(report: Report, fail_on: str) -> int:
    """2 when anything could not be read (never 'clean'), else 1 if an active finding reaches
    fail_on. Suppressed findings never count."""
    if not report.complete:
        return EXIT_ERROR
    if any(blocks(f, fail_on) for f in report.findings):
        return EXIT_FINDINGS
    return EXIT_CLEAN


_wants_colour = wants_colour

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "check": _audit,
    "lint": _audit,
    "snapshot": _snapshot,
    "iam-policy": _iam_policy,
    "rules": _rules,
    "import": _import,
    "merge": _merge,
    "fleet": _fleet,
}
