"""The standards rules cite are written once, in checker/rules/references.py."""

from __future__ import annotations

import pytest

from checker.rules import references
from checker.rules.interface import RuleMeta
from checker.rules.registry import ALL_RULES

WRITTEN = {
    value for name, value in vars(references).items() if name.isupper() and isinstance(value, str)
}


@pytest.mark.parametrize("meta", ALL_RULES, ids=lambda m: m.rule_id)
def test_every_reference_a_rule_cites_is_one_of_references_py(meta: RuleMeta) -> None:
    """A reference a rule module writes itself would be quoted differently by the next rule."""
    assert set(meta.doc.references) <= WRITTEN
