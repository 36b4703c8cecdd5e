"""What a CheckedSpec implies, computed once: reasons, rules, input constraints and cut-offs."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from product_specs import CheckedSpec, load_checked
from product_specs.catalog import catalog_paths
from product_specs.sections import FieldType

TINY = Path(__file__).parents[1] / "validation" / "fixtures" / "tiny_product.yaml"


@pytest.fixture(scope="module")
def tiny() -> CheckedSpec:
    return load_checked(TINY)


def test_reasons_list_every_code_in_decision_order(tiny):
    assert [(r.code, r.action, r.source) for r in tiny.reasons()] == [
        ("R01", "decline", "admission"), ("R02", "decline", "admission"), ("R03", "refer", "admission"),
        ("W01", "refer", "channel"), ("CH01", "decline", "system"), ("T01", "refer", "trigger"),
        ("M01", "decline", "matrix"), ("M02", "refer", "matrix"), ("L01", "decline", "limit")]
    r01 = tiny.reason_map()["R01"]
    assert (r01.name_en, r01.text_en) == ("Too young", "Applicant younger than 22")


def test_rules_enumerate_every_typed_rule_with_its_path(tiny):
    paths = [r.path for r in tiny.rules()]
    assert paths[:2] == ["segments[prime].when", "admission[R01].when"]
    assert "limits.amount" in paths and len(paths) == len(set(paths))
    for ref in tiny.rules():
        assert ref.expr is not None and ref.section == ref.path.split("[")[0].split(".")[0]


def test_input_constraints_follow_the_data_dictionary(tiny):
    by_name = {c.field: c for c in tiny.input_constraints()}
    assert list(by_name) == [f.name for f in tiny.spec.fields]
    age = by_name["age"]
    assert (age.type, age.required, age.min, age.max, age.range_text) == (
        FieldType.INTEGER, True, Decimal(18), Decimal(80), "18..80")
    assert by_name["grade"].categories == ("A", "B", "C") and by_name["grade"].min is None
    assert by_name["bureau_score"].required is False
    assert by_name["applicant_name"].pii and by_name["applicant_name"].categories is None


def test_cutoffs_hold_rule_literals_and_bin_bounds(tiny):
    cuts = tiny.cutoffs()
    assert Decimal(22) in cuts["age"] and Decimal(3) in cuts["overdue"]
    assert list(cuts["age"]) == sorted(cuts["age"])


@pytest.mark.parametrize("path", catalog_paths(), ids=lambda p: p.stem)
def test_every_catalog_reason_code_is_unique(path):
    codes = [r.code for r in load_checked(path).reasons()]
    assert len(codes) == len(set(codes))
