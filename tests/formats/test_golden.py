"""Every format renders the bundled example exactly as its reviewed golden files: as a
single-partition run (`example.*`) and as a fleet run over two partitions (`fleet.*`)."""

from __future__ import annotations

import pytest

from checker.formats import FORMATS, get_format
from tests.formats.golden import example_report, fleet_example_report, golden_path


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_format_matches_its_golden_file(name: str) -> None:
    """The rendering is byte-identical to tests/formats/golden (regenerate: see golden.py)."""
    expected = golden_path(name).read_text(encoding="utf-8")
    assert get_format(name).render(example_report()) == expected


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_fleet_report_matches_its_golden_file(name: str) -> None:
    """The fleet view (account and region on everything) is byte-identical to its golden."""
    expected = golden_path(name, fleet=True).read_text(encoding="utf-8")
    assert get_format(name).render(fleet_example_report()) == expected


def test_every_format_has_a_golden_file() -> None:
    """No format goes unguarded: each registered one has both golden files."""
    assert all(golden_path(name, fleet).exists() for name in FORMATS for fleet in (False, True))
