"""The `ota-drift` command: parse arguments, wire the stages, choose the exit code. Nothing else."""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

from checker import __version__, audit
from checker.declared import load_declared
from checker.errors import InputError, UsageError
from checker.formats import FORMATS, get_format
from checker.model import LiveUpdate, Report, Severity, SkippedUpdate, SourceError
from checker.policy.packs import load_policy
from checker.rules.docs import catalogue_markdown, catalogue_text, rule_markdown, rule_text
from checker.rules.registry import META_BY_ID
from checker.sources.aws import AwsSettings, AwsSource, Progress, iam_policy
from checker.sources.snapshot import SnapshotSource, snapshot_json
from checker.terminal import ProgressBar, wants_colour

EXIT_CLEAN = 0
"""No finding at or above --fail-on, and everything could be read."""
EXIT_FINDINGS = 1
"""At least one finding at or above --fail-on."""
EXIT_ERROR = 2
"""The audit could not be done properly: usage, input or source errors."""

FAIL_ON_CHOICES = [s.value for s in Severity] + ["never"]

EPILOG = """\
examples:
  ota-drift lint ota/                                  # pull requests: no AWS needed
  ota-drift lint ota/ --policy policies/strict.yaml --format json
  ota-drift check ota/ --state snapshot.json           # declared vs recorded live state
  ota-drift check ota/ --state snapshot.json --fail-on high --output report.json --format json
  ota-drift check ota/ --region eu-west-1 --deep        # declared vs live AWS (read-only)
  ota-drift snapshot --region eu-west-1 --deep -o snapshot.json
  ota-drift iam-policy --deep                          # the read-only IAM policy it needs
  ota-drift rules                                      # the rule catalogue
  ota-drift rules OTA302                               # one rule's documentation

exit codes:
  0  no active finding at or above --fail-on
  1  active findings at or above --fail-on
  2  the audit could not be done properly (usage, input or source errors)
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ota-drift",
        description="Audit AWS IoT OTA updates: declared YAML, policy rules and live state.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"ota-drift {__version__}")
    parser.add_argument("--debug", action="store_true", help="show a traceback on internal errors")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check = _command(commands, "check", "compare declared OTA updates with live state, run rules")
    _audit_arguments(check)
    where = check.add_mutually_exclusive_group(required=True)
    where.add_argument(
        "--state",
        metavar="FILE",
        help="live state from a file: an ota-drift snapshot, or saved AWS CLI output",
    )
    where.add_argument("--region", help="read live state from AWS IoT in this region")
    _aws_arguments(check)
    lint = _command(commands, "lint", "run the rules on declared OTA updates (no AWS needed)")
    _audit_arguments(lint)
    snapshot = _command(commands, "snapshot", "record live OTA updates to a snapshot file")
    snapshot.add_argument("--region", required=True, help="AWS region to read")
    _aws_arguments(snapshot)
    snapshot.add_argument(
        "-o", "--output", required=True, metavar="FILE", help="the snapshot file to write"
    )
    iam = _command(commands, "iam-policy", "print the least-privilege IAM policy ota-drift needs")
    iam.add_argument("--deep", action="store_true", help="include what --deep reads")
    rules = _command(commands, "rules", "list the rules, or document one")
    rules.add_argument("rule_id", nargs="?", metavar="RULE", help="e.g. OTA302")
    rules.add_argument("--format", choices=["text", "markdown"], default="text")
    return parser


def _command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], name: str, summary: str
) -> argparse.ArgumentParser:
    return commands.add_parser(
        name,
        help=summary,
        description=summary[0].upper() + summary[1:] + ".",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def _audit_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "paths", nargs="+", metavar="PATH", help="declared YAML file, or directory of them"
    )
    command.add_argument(
        "--policy",
        action="append",
        default=[],
        metavar="FILE",
        help="policy pack overlaid on policies/default.yaml (repeatable, applied in order)",
    )
    command.add_argument("--format", choices=sorted(FORMATS), default="text")
    command.add_argument("--output", metavar="FILE", help="write the report here, not stdout")
    command.add_argument(
        "--report",
        action="append",
        default=[],
        type=_report_spec,
        metavar="FORMAT=PATH",
        help="also write a report in FORMAT to PATH (repeatable; parent folders are created), "
        f"FORMAT one of {', '.join(sorted(FORMATS))}",
    )
    command.add_argument(
        "--github-summary",
        action="store_true",
        help="append the Markdown report to $GITHUB_STEP_SUMMARY when it is set",
    )
    command.add_argument(
        "--fail-on",
        choices=FAIL_ON_CHOICES,
        default=None,
        help="lowest severity that makes the exit code 1 (default: the packs' failOn, low)",
    )
    command.add_argument(
        "--as-of",
        type=_timestamp,
        default=None,
        metavar="TIME",
        help="the audit's clock for expiries and ages, e.g. 2026-11-25T00:00:00Z (default: now)",
    )


def _aws_arguments(command: argparse.ArgumentParser) -> None:
    """Options for reading AWS; --region itself is added by the caller."""
    command.add_argument("--profile", help="AWS profile (default: the standard credential chain)")
    command.add_argument("--endpoint-url", metavar="URL", help="IoT endpoint (tests, VPC)")
    command.add_argument(
        "--deep",
        action="store_true",
        help="also read each update's job (abort, timeout config) and tags",
    )
    command.add_argument(
        "--concurrency", type=_positive_int, default=8, help="parallel requests (default 8)"
    )
    command.add_argument(
        "--max-rps",
        type=_positive_float,
        default=10.0,
        metavar="N",
        help="most requests per second per API operation, retries included (default 10)",
    )
    command.add_argument("--quiet", action="store_true", help="no progress bar")


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value


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
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text!r}") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def main(argv: Sequence[str] | None = None) -> int:
    # An audit allocates millions of small containers that live until the end, and creates
    # almost no reference cycles: frequent young-generation collections cost ~15 % of a
    # 10,000-update run and free nothing (benchmarks/README.md).
    gc.set_threshold(100_000, 50, 100)
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except InputError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return EXIT_ERROR
    except UsageError as exc:
        print(f"ota-drift: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("ota-drift: interrupted", file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:  # the last resort: a bug still gets one line and exit 2, not a trace
        if args.debug:
            raise
        print(f"ota-drift: internal error: {exc!r} (rerun with --debug)", file=sys.stderr)
        return EXIT_ERROR


def _audit(args: argparse.Namespace) -> int:
    declared = load_declared(args.paths)
    policy = load_policy(args.policy)
    if args.command == "lint":
        report = audit.lint(declared, policy, args.as_of)
    elif args.state is not None:
        report = audit.check(declared, SnapshotSource(args.state), policy, args.as_of)
    else:
        with _progress(args) as progress:
            source = AwsSource(_aws_settings(args), progress=progress)
            report = audit.check(declared, source, policy, args.as_of)
    colour = args.format == "text" and args.output is None and _wants_colour(sys.stdout)
    write_report(get_format(args.format, colour).render(report), args.output)
    for name, path in args.report:  # the audit ran once; each format renders the same report
        write_report(get_format(name).render(report), path)
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if args.github_summary and summary_file:
        with Path(summary_file).open("a", encoding="utf-8") as handle:
            handle.write(get_format("markdown").render(report))
    return exit_code(report, args.fail_on or policy.fail_on)


def _iam_policy(args: argparse.Namespace) -> int:
    sys.stdout.write(json.dumps(iam_policy(args.deep), indent=2) + "\n")
    return EXIT_CLEAN


def _snapshot(args: argparse.Namespace) -> int:
    """Record live state; any read error means no file (a partial snapshot is no evidence)."""
    with _progress(args) as progress:
        source = AwsSource(_aws_settings(args), progress=progress)
        items = list(source.fetch())
    errors = [i for i in items if isinstance(i, SourceError)]
    for skipped in (i for i in items if isinstance(i, SkippedUpdate)):
        print(f"note: {skipped.ota_update_id}: {skipped.reason}", file=sys.stderr)
    if errors:
        for error in errors:
            print(
                f"ota-drift: {error.ota_update_id or '(listing)'}: {error.operation}: "
                f"{error.code}: {error.message}",
                file=sys.stderr,
            )
        print(f"ota-drift: {len(errors)} read error(s); no snapshot written", file=sys.stderr)
        return EXIT_ERROR
    updates = [i for i in items if isinstance(i, LiveUpdate)]
    captured = source.captured_at or datetime.now(UTC)
    write_report(
        snapshot_json(updates, region=source.region, captured_at=captured, deep=args.deep),
        args.output,
    )
    print(f"ota-drift: {len(updates)} OTA update(s) written to {args.output}", file=sys.stderr)
    return EXIT_CLEAN


def _aws_settings(args: argparse.Namespace) -> AwsSettings:
    return AwsSettings(
        region=args.region,
        profile=args.profile,
        endpoint_url=args.endpoint_url,
        concurrency=args.concurrency,
        max_rps=args.max_rps,
        deep=args.deep,
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
                f"ota-drift: unknown rule {args.rule_id!r} (see `ota-drift rules`)", file=sys.stderr
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
    if fail_on == "never":
        return EXIT_CLEAN
    threshold = Severity(fail_on)
    if any(f.active and f.severity >= threshold for f in report.findings):
        return EXIT_FINDINGS
    return EXIT_CLEAN


def write_report(text: str, output: str | None) -> None:
    """Write to stdout, or atomically to `output`: a reader never sees half a report."""
    if output is None:
        sys.stdout.write(text)
        return
    target = Path(output)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        Path(tmp).replace(target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


_wants_colour = wants_colour

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "check": _audit,
    "lint": _audit,
    "snapshot": _snapshot,
    "iam-policy": _iam_policy,
    "rules": _rules,
}
