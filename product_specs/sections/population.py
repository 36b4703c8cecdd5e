"""The `population` section: the applicants a product sees, as sample data draws them."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from .common import Rule, SpecModel

__all__ = ["Population"]


class Population(SpecModel):
    """The applicant population behind sample data and simulations on it: how many go bad, how many act in
    fraud rings, and the relations between fields that hold for every applicant. Every key is optional;
    defaults come from the product's kind."""

    bad_rate: Decimal | None = Field(default=None, ge=Decimal("0.001"), le=Decimal("0.5"))
    """Share of applicants who would go M3+ (over 90 days past due) within 12 months if every one were
    lent to, e.g. 0.03. Default by product kind (2.5% for SME business loans, 4.5% for consumer
    instalment loans)."""
    loss_given_default: Decimal | None = Field(default=None, ge=Decimal("0.05"), le=1)
    """Average share of the exposure lost when an applicant defaults, e.g. 0.5. Default by product kind."""
    fraud_ring_share: Decimal | None = Field(default=None, ge=0, le=Decimal("0.2"))
    """Share of applicants who belong to a fraud ring (groups of 3 to 9 who never repay well), e.g. 0.005.
    Fields show rings through their `distribution.in_rings`. Default 0.005."""
    relations: list[Rule] = Field(default=[], max_length=100)
    """Conditions between fields that hold for every applicant, each a comparison of one numeric field (on
    the left) with an expression of fields drawn before it, e.g. `years_farming <= age - 16` or
    `years_filing between 0 and firm_age_years`. Sample data keeps every one on every row (an empty value
    satisfies it); several may be joined with `and`."""
