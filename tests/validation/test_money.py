"""Champion / challenger in money (validation/analysis/money.py), on the tiny population."""

from __future__ import annotations

from pathlib import Path

import pytest

from product_specs import ProductSpec, check_spec, load_checked
from validation.analysis.compare import compare_products
from validation.analysis.tables import comparison_tables

FIXTURES = Path(__file__).parent / "fixtures"


def test_money_per_segment_and_band_with_the_funding_cost_of_each_product():
    champion = load_checked(FIXTURES / "tiny_product.yaml")
    data = champion.spec.model_dump(mode="python", exclude_none=True)
    data["pricing"]["funding_cost"] = "0.02"
    challenger = check_spec(ProductSpec.model_validate(data)).checked
    a, _, c = compare_products(champion, challenger, FIXTURES / "tiny_population.csv")
    total = c.money[-1]
    rows = a.table.to_pandas()
    approved = rows[rows["decision"] == "approve"]
    assert total.segment == "" and total.approvals == (7, 7) and total.volume == (680_000, 680_000)
    income = float((approved["limit"] * approved["apr"] * (1 - approved["pd"])).sum())
    assert total.interest_income[0] == pytest.approx(income)
    lgd = approved["loss_given_default"].fillna(3.8 / 7)
    assert total.expected_loss[0] == pytest.approx(float((approved["pd"] * lgd * approved["limit"]).sum()))
    assert total.expected_profit[0] == pytest.approx(income - total.expected_loss[0])  # no funding cost declared
    assert total.change(total.expected_profit) == pytest.approx(-0.02 * 680_000)  # the challenger pays 2%
    groups = [(r.segment, r.band) for r in c.money[:-1]]
    assert sum(r.approvals[0] for r in c.money[:-1]) == 7 and len(groups) == len(set(groups))
    assert any("funding cost" in n for n in c.notes)
    assert "money" in {t.id for t in comparison_tables(c)}
