"""docs/rules.md says what the rule language does: its error table and its examples are checked here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from product_specs import RuleError
from product_specs.rules import BOOLEAN, NUMBER, STRING, Symbol, compile_rule, parse

DOC = Path(__file__).resolve().parents[2] / "docs" / "rules.md"
SCOPE = {
    "age": Symbol(NUMBER, False),
    "overdue_count_24m": Symbol(NUMBER, False),
    "tax_grade": Symbol(STRING, True, ("A", "B", "C", "M", "D")),
    "total_debt": Symbol(NUMBER, True),
    "ratio": Symbol(NUMBER, True),
    "is_vip": Symbol(BOOLEAN, False),
}


def _section(title: str) -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.index(f"## {title}")
    following = text.find("\n## ", start + 1)
    return text[start:following if following > 0 else None]


def _error_rows():
    rows = []
    for line in _section("Error messages").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 2 and cells[0].startswith("`") and "company_name" not in cells[0]:
            rows.append(pytest.param(cells[0].split("`")[1], cells[1], id=cells[0]))
    return rows


@pytest.mark.parametrize(("rule", "message"), _error_rows())
def test_error_table_shows_the_real_messages(rule, message):
    with pytest.raises(RuleError) as info:
        compile_rule(rule, SCOPE, BOOLEAN)
    err = info.value
    assert (f"{err.message} ({err.hint})" if err.hint else err.message) == message


def test_error_table_is_not_empty():
    assert len(_error_rows()) >= 20


def test_every_example_is_valid_syntax():
    spans = re.findall(r"`([^`]+)`", _section("Examples from lending"))
    rules = [s for s in spans if not re.fullmatch(r"[a-z_.]+", s)]
    assert len(rules) >= 25
    for rule in rules:
        parse(rule)
