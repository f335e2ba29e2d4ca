"""Benchmark the HTML report in headless Chromium: file size, open, filter and sort times.

For each N: generate the fleet (`generate.py`), run `python -m checker check` once with
`--format json` and `--report html=...`, then open the HTML page REPEAT times in a fresh
browser context and time, inside the page (`performance.now()`, so no protocol overhead):

- **open**: navigation start to the first frame painted after the findings are rendered (the
  page's script sets `document.body.dataset.ready`; a page without that marker, such as the
  server-rendered report before it, counts as rendered at `document.readyState == "complete"`);
- **filter**: from choosing the most severe value in the severity filter to the next frame;
- **sort**: from clicking the Update column header (10,000 distinct values at N = 10,000), with
  no filter set, to the next frame.

"Next frame" is a `requestAnimationFrame` followed by a `setTimeout(0)`: the callback runs once
the browser has laid out and painted the frame the change produced. Each figure is the median
of the runs. The page must say it holds exactly the report's findings ("... of K findings").

Usage: python benchmarks/html.py [--sizes 1000,10000] [--repeat 3] [--checker-root DIR]

Exits 0 when the N = 10,000 page opens, filters and sorts in under 3 s each, 1 when it does
not, 2 when the tool, the browser or a check failed. Needs Playwright and /usr/bin/chromium;
never touches the network. Writes under `benchmarks/.work/html/` (git ignores `.work/`).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import statistics
import subprocess
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, NoReturn

HERE = Path(__file__).resolve().parent
WORK_DIR = HERE / ".work" / "html"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TARGET_N = 10_000
TARGET_S = 3.0
TIMEOUT_MS = 180_000
"""How long one step may take before the run fails: the server-rendered page of 10,000 updates
took 40-50 s to open here."""
SORT_COLUMN = "Update"

READY = """() => document.body !== null && (document.body.dataset.ready === "1"
  || (document.getElementById("report-data") === null && document.readyState === "complete"))"""
NEXT_FRAME = (
    "new Promise(function (done) { requestAnimationFrame(function () { setTimeout(done, 0); }); })"
)
OPENED = f"async () => {{ await {NEXT_FRAME}; return performance.now(); }}"
FILTER = f"""async () => {{
  const select = document.getElementById("filter-severity");
  const value = select.options[1].value;
  const start = performance.now();
  select.value = value;
  select.dispatchEvent(new Event("input", {{ bubbles: true }}));
  select.dispatchEvent(new Event("change", {{ bubbles: true }}));
  await {NEXT_FRAME};
  return [performance.now() - start, value];
}}"""
RESET = f"""async () => {{
  document.getElementById("reset").click();
  await {NEXT_FRAME};
  await {NEXT_FRAME};
}}"""
SORT = f"""async (name) => {{
  const buttons = Array.from(document.querySelectorAll("#findings thead button"));
  const button = buttons.find(function (b) {{ return b.textContent.trim() === name; }});
  const start = performance.now();
  button.click();
  await {NEXT_FRAME};
  return performance.now() - start;
}}"""


@dataclass(frozen=True)
class Run:
    open_s: float
    filter_s: float
    sort_s: float


@dataclass(frozen=True)
class Row:
    n: int
    findings: int
    size_bytes: int
    runs: list[Run]
    filtered_to: str

    def median(self, field: str) -> float:
        return statistics.median(getattr(run, field) for run in self.runs)

    def spread(self, field: str) -> str:
        values = [getattr(run, field) for run in self.runs]
        text = f"{self.median(field):.2f}"
        if len(values) > 1:
            text += f" ({min(values):.2f}-{max(values):.2f})"
        return text

    def misses(self) -> list[str]:
        return [
            f"{field.removesuffix('_s')} {self.median(field):.2f} s >= {TARGET_S:g} s"
            for field in ("open_s", "filter_s", "sort_s")
            if self.median(field) >= TARGET_S
        ]


def fail(message: str) -> NoReturn:
    print(f"\nBENCHMARK FAILED: {message}", file=sys.stderr)
    sys.exit(2)


def render(n: int, root: Path) -> tuple[Path, int]:
    """Generate the fleet and its reports; `python -m checker` runs in `root`, so it imports
    root/checker. Returns the HTML page and the number of findings in the JSON report."""
    data = WORK_DIR / f"n{n}"
    subprocess.run(
        [sys.executable, str(HERE / "generate.py"), str(n), "--out", str(data)], check=True
    )
    page, report = data / "report.html", data / "report.json"
    cmd = [sys.executable, "-m", "checker", "check", str(data / "declared")]
    cmd += ["--state", str(data / "snapshot.json"), "--format", "json", "--output", str(report)]
    cmd += ["--report", f"html={page}"]
    done = subprocess.run(cmd, cwd=root, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):
        fail(f"N={n}: ota-drift exited {done.returncode}:\n{done.stderr}")
    findings = len(json.loads(report.read_text(encoding="utf-8"))["findings"])
    return page, findings


def open_once(browser: Any, page_file: Path, findings: int) -> tuple[Run, str]:
    """One fresh load: open, filter, reset, sort; the page must say it has `findings`."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(page_file.as_uri(), wait_until="commit", timeout=TIMEOUT_MS)
        page.wait_for_function(READY, timeout=TIMEOUT_MS)
        opened_ms = page.evaluate(OPENED)
        shown = page.locator("#shown").inner_text()
        said = re.search(r"of (\d+) findings?", shown)
        if said is None or int(said.group(1)) != findings:
            fail(f"{page_file}: the page says {shown!r}, the report has {findings} findings")
        filter_ms, value = page.evaluate(FILTER)
        page.evaluate(RESET)
        sort_ms = page.evaluate(SORT, SORT_COLUMN)
        if errors:
            fail(f"{page_file}: page errors {errors}")
        return Run(opened_ms / 1000, filter_ms / 1000, sort_ms / 1000), value
    finally:
        context.close()


def bench(n: int, repeat: int, root: Path, browser: Any) -> Row:
    page_file, findings = render(n, root)
    runs: list[Run] = []
    value = ""
    for attempt in range(1, repeat + 1):
        run, value = open_once(browser, page_file, findings)
        runs.append(run)
        print(
            f"N={n} run {attempt}/{repeat}: open {run.open_s:.2f} s, filter {run.filter_s:.2f} "
            f"s, sort {run.sort_s:.2f} s",
            file=sys.stderr,
            flush=True,
        )
    return Row(n, findings, page_file.stat().st_size, runs, value)


def table(rows: list[Row]) -> str:
    lines = [
        "| N | findings | HTML MB | open s | filter s | sort s | targets |",
        "|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        missed = row.misses()
        verdict = "met" if not missed else "MISSED: " + "; ".join(missed)
        lines.append(
            f"| {row.n:,} | {row.findings:,} | {row.size_bytes / 1e6:.1f} | {row.spread('open_s')} "
            f"| {row.spread('filter_s')} | {row.spread('sort_s')} | {verdict} |"
        )
    return "\n".join(lines)


def code_version(root: Path) -> str:
    """The checker measured, named by the sha256 of its HTML format module."""
    module = root / "checker" / "formats" / "html.py"
    digest = hashlib.sha256(module.read_bytes()).hexdigest()[:12]
    return f"checker in {root} (checker/formats/html.py sha256 {digest})"


def environment(browser_version: str) -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    return (
        f"Python {platform.python_version()}, playwright {metadata.version('playwright')}, "
        f"Chromium {browser_version} headless; {os.cpu_count()} CPUs ({cpu}); "
        f"{platform.system()} {platform.release()}; load average {load}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated N values")
    parser.add_argument("--repeat", type=int, default=3, help="page loads per N; median shown")
    parser.add_argument(
        "--checker-root",
        type=Path,
        default=HERE.parent,
        help="directory holding the checker/ package to measure (default: this repository)",
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    root = args.checker_root.resolve()
    if not Path(CHROMIUM).exists():
        fail(f"needs Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - only this script needs it

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            rows = [bench(n, args.repeat, root, browser) for n in sizes]
            version = browser.version
        finally:
            browser.close()
    print(f"\n{code_version(root)}")
    print(f"{environment(version)}; median (min-max) of {args.repeat} load(s)")
    print(f"filter: severity = the most severe present ({rows[-1].filtered_to}); ", end="")
    print(f"sort: click {SORT_COLUMN}, no filter\n")
    print(table(rows))
    target = next((r for r in rows if r.n == TARGET_N), None)
    if target is not None and target.misses():
        print(f"\nTarget for N={TARGET_N:,} missed: {'; '.join(target.misses())}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
