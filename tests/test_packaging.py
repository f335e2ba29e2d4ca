"""What the wheel ships: built once, offline, and compared with the source tree."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    """`pip wheel` with the installed setuptools (no build isolation: no network), from a
    clean copy: setuptools reuses an in-tree `build/`, which still holds moved modules."""
    out = tmp_path_factory.mktemp("wheel")
    build = tmp_path_factory.mktemp("build")
    source = build / "src"
    left_out = ("build", "*.egg-info", "__pycache__", ".*", "benchmarks", "tests")
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*left_out))
    offline = ["--no-deps", "--no-build-isolation", "--no-index", "-q"]
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), *offline, "-w", str(out)],
        check=True,
        capture_output=True,
        cwd=build,
        env={"PATH": "/usr/bin:/bin", "PIP_NO_CACHE_DIR": "1", "HOME": str(build)},
    )
    (built,) = out.glob("ota_drift-*.whl")
    return zipfile.ZipFile(built)


def _package_files(wheel: zipfile.ZipFile) -> set[str]:
    return {n for n in wheel.namelist() if not n.startswith("ota_drift-")}


def test_the_wheel_ships_every_module_asset_and_policy_pack_and_nothing_else(
    wheel: zipfile.ZipFile,
) -> None:
    """Every checker module, py.typed, the HTML assets, and policies/ (packs and the CrossGuard
    entry point) as checker/policies."""
    expected = {
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "checker").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    for pattern in ("*.yaml", "*.py"):
        expected |= {f"checker/policies/{p.name}" for p in (ROOT / "policies").glob(pattern)}
    assert _package_files(wheel) == expected


def test_the_wheel_installs_the_ota_drift_command(wheel: zipfile.ZipFile) -> None:
    (entry_points,) = [n for n in wheel.namelist() if n.endswith(".dist-info/entry_points.txt")]
    text = wheel.read(entry_points).decode("utf-8")
    assert "[console_scripts]\nota-drift = checker.cli:main\n" in text


def test_the_shipped_default_pack_is_the_one_in_the_repository(wheel: zipfile.ZipFile) -> None:
    shipped = wheel.read("checker/policies/default.yaml")
    assert shipped == (ROOT / "policies" / "default.yaml").read_bytes()
