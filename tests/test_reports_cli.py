"""Several reports from one run (--report FORMAT=PATH) and the GitHub job summary."""

from __future__ import annotations

from pathlib import Path

import pytest

import checker.cli
from checker import audit
from checker.cli import main
from checker.formats import FORMATS

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = [str(ROOT / "examples/ota"), "--state", str(ROOT / "examples/live-snapshot.json")]
AS_OF = ["--as-of", "2026-11-25T00:00:00Z"]


pytestmark = pytest.mark.usefixtures("in_tmp")


def test_every_format_from_one_audit_into_new_folders(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """One run writes each --report (creating parent folders); the audit runs exactly once."""
    calls = []
    real_check = audit.check

    def counting_check(*args: object, **kwargs: object) -> audit.Report:
        calls.append(1)
        return real_check(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(checker.cli.audit, "check", counting_check)
    reports = [f"--report={name}=out/{name}/report.{name}" for name in sorted(FORMATS)]
    code = main(["check", *EXAMPLE, *AS_OF, "--format", "json", *reports])
    assert code == 1
    assert calls == [1]
    stdout = capsys.readouterr().out
    assert Path("out/json/report.json").read_text(encoding="utf-8") == stdout
    for name in FORMATS:
        assert Path(f"out/{name}/report.{name}").stat().st_size > 0


def test_each_report_equals_that_format_rendered_alone(capsys: pytest.CaptureFixture[str]) -> None:
    """A --report file is byte-identical to --format NAME --output FILE for the same input."""
    for name in sorted(FORMATS):
        main(["check", *EXAMPLE, *AS_OF, "--format", name, "--output", f"alone.{name}"])
        main(["check", *EXAMPLE, *AS_OF, "--format", "json", "--report", f"{name}=extra.{name}"])
        alone = Path(f"alone.{name}").read_text(encoding="utf-8")
        assert Path(f"extra.{name}").read_text(encoding="utf-8") == alone, name
    capsys.readouterr()


def test_no_report_or_folder_when_the_input_is_bad(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exit 2 on bad input writes no report, no --output and creates no folder."""
    Path("bad.yaml").write_text("otaUpdates: [\n", encoding="utf-8")
    code = main(
        [
            "check",
            "bad.yaml",
            "--state",
            str(ROOT / "examples/live-snapshot.json"),
            "--output",
            "out/main.json",
            "--report",
            "sarif=out/sarif/ota.sarif",
            "--report",
            "html=reports/ota.html",
        ]
    )
    assert code == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml"]
    assert capsys.readouterr().err.startswith("bad.yaml:")


@pytest.mark.parametrize("spec", ["sarif", "pdf=out.pdf", "sarif=", "=out.sarif"])
def test_malformed_report_option_is_a_usage_error(
    spec: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """--report needs FORMAT=PATH with a known format: anything else is exit 2 before the audit."""
    with pytest.raises(SystemExit) as exited:
        main(["check", *EXAMPLE, "--report", spec])
    assert exited.value.code == 2
    assert "--report" in capsys.readouterr().err


def test_github_summary_appends_markdown_when_the_variable_is_set(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """With $GITHUB_STEP_SUMMARY set, each run appends the Markdown report to that file."""
    Path("summary.md").write_text("earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", "summary.md")
    main(["lint", str(ROOT / "examples/ota"), *AS_OF, "--github-summary"])
    capsys.readouterr()
    main(["lint", str(ROOT / "examples/ota"), *AS_OF, "--format", "markdown", "--github-summary"])
    markdown = capsys.readouterr().out
    assert markdown.startswith("## ❌ ota-drift lint:")
    assert Path("summary.md").read_text(encoding="utf-8") == "earlier step\n" + markdown * 2


def test_github_summary_does_nothing_without_the_variable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Outside GitHub Actions --github-summary writes nothing anywhere."""
    assert main(["lint", str(ROOT / "examples/ota"), "--github-summary", "--format", "json"]) == 1
    assert list(tmp_path.iterdir()) == []
    capsys.readouterr()


def test_github_summary_that_is_also_a_report_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """$GITHUB_STEP_SUMMARY naming a --report's file: exit 2 before the audit, nothing written."""
    Path("summary.md").write_text("earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", "summary.md")
    code = main(["lint", *EXAMPLE[:1], "--github-summary", "--report", "markdown=./summary.md"])
    assert code == 2
    assert capsys.readouterr().err == (
        "ota-drift: error: $GITHUB_STEP_SUMMARY summary.md: is also --report markdown "
        "./summary.md\n"
    )
    assert Path("summary.md").read_text(encoding="utf-8") == "earlier step\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["summary.md"]
