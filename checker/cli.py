"""The `ota-drift` command: parse arguments, wire the stages, choose the exit code. Nothing else."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from checker import __version__, audit
from checker.declared import load_declared
from checker.errors import InputError
from checker.formats import FORMATS, get_format
from checker.model import Report, Severity
from checker.sources.snapshot import SnapshotSource

EXIT_CLEAN = 0
"""No finding at or above --fail-on, and everything could be read."""
EXIT_FINDINGS = 1
"""At least one finding at or above --fail-on."""
EXIT_ERROR = 2
"""The audit could not be done properly: usage, input or source errors."""

FAIL_ON_CHOICES = [s.value for s in Severity] + ["never"]

EPILOG = """\
examples:
  ota-drift check ota/ --state snapshot.json
  ota-drift check ota/sensors.yaml ota/gateways.yaml --state snapshot.json --format json
  ota-drift check ota/ --state snapshot.json --fail-on high --output report.json --format json

exit codes:
  0  no finding at or above --fail-on
  1  findings at or above --fail-on
  2  the audit could not be done properly (usage, input or source errors)
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ota-drift",
        description="Audit AWS IoT OTA updates: declared YAML against live state.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"ota-drift {__version__}")
    parser.add_argument("--debug", action="store_true", help="show a traceback on internal errors")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check = commands.add_parser(
        "check",
        help="compare declared OTA updates with live state",
        description="Compare declared OTA updates with live state and report drift.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument(
        "paths", nargs="+", metavar="PATH", help="declared YAML file, or directory of them"
    )
    check.add_argument(
        "--state",
        required=True,
        metavar="FILE",
        help="live state: an ota-drift snapshot, or saved `aws iot get-ota-update` output",
    )
    check.add_argument("--format", choices=sorted(FORMATS), default="text")
    check.add_argument("--output", metavar="FILE", help="write the report here instead of stdout")
    check.add_argument(
        "--fail-on",
        choices=FAIL_ON_CHOICES,
        default="low",
        help="lowest severity that makes the exit code 1 (default: low)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _check(args)
    except InputError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("ota-drift: interrupted", file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:
        if args.debug:
            raise
        print(f"ota-drift: internal error: {exc!r} (rerun with --debug)", file=sys.stderr)
        return EXIT_ERROR


def _check(args: argparse.Namespace) -> int:
    declared = load_declared(args.paths)
    source = SnapshotSource(args.state)
    report = audit.check(declared, source)
    colour = args.format == "text" and args.output is None and _wants_colour(sys.stdout)
    write_report(get_format(args.format, colour).render(report), args.output)
    return exit_code(report, args.fail_on)


def exit_code(report: Report, fail_on: str) -> int:
    """2 when anything could not be read (never 'clean'), else 1 if a finding reaches fail_on."""
    if not report.complete:
        return EXIT_ERROR
    if fail_on == "never":
        return EXIT_CLEAN
    threshold = Severity(fail_on)
    if any(f.severity >= threshold for f in report.findings):
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


def _wants_colour(stream: TextIO) -> bool:
    """Colour only on a terminal, and never with NO_COLOR set (https://no-color.org)."""
    return stream.isatty() and not os.environ.get("NO_COLOR")
