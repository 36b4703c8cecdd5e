"""The `tests` section: example applicants with the outcome the product must give them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import Field

from .common import Code, Ident, SpecModel
from .decision import Outcome

__all__ = ["Expectation", "ExampleTest"]


class Expectation(SpecModel):
    """The parts of a decision that must hold; unset parts are not compared."""

    decision: Outcome
    """approve, refer or decline."""
    segment: Ident | None = None
    """Expected segment."""
    band: Ident | None = None
    """Expected score band."""
    score: int | None = None
    """Expected total score."""
    reasons: list[Code] | None = None
    """Expected reason codes, in order."""
    limit: Decimal | None = None
    """Expected limit."""
    apr: Decimal | None = None
    """Expected APR."""


class ExampleTest(SpecModel):
    """An example applicant (also copied into the generated service's tests)."""

    name: str = Field(min_length=1, max_length=200)
    """What the example shows."""
    applicant: dict[str, Any]
    """Input values, by field name."""
    expect: Expectation
    """Expected outcome."""
