"""The `scorecard` section: characteristics with bins and points, and the scaling they were built with."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from .common import Ident, SpecModel, Text

__all__ = ["Bin", "Characteristic", "Scaling", "Scorecard"]


class Bin(SpecModel):
    """One attribute of a characteristic: a numeric interval [lower, upper) or a set of categories."""

    lower: Decimal | None = None
    """Inclusive lower bound; empty means no lower bound."""
    upper: Decimal | None = None
    """Exclusive upper bound; empty means no upper bound."""
    values: list[str] | None = None
    """Categories in this bin (category fields only)."""
    points: int
    """Points awarded when the value falls in this bin."""


class Characteristic(SpecModel):
    """A scored variable: its bins are tried in order and must cover every value the field can take."""

    field: Ident
    """Field or derived feature scored."""
    bins: list[Bin] = Field(min_length=1)
    """Bins in ascending order (numeric) or any order (categories)."""
    missing_points: int = 0
    """Points when the value is null."""


class Scaling(SpecModel):
    """How points relate to odds (informational; used by scorecard training)."""

    base_score: int = 600
    """Score at the base odds."""
    base_odds: Decimal = Decimal(50)
    """Good:bad odds at the base score."""
    pdo: Decimal = Decimal(20)
    """Points to double the odds."""


class Scorecard(SpecModel):
    """An additive points scorecard (评分卡)."""

    name: Text
    """Scorecard name."""
    base_points: int = 0
    """Points every applicant starts with."""
    characteristics: list[Characteristic] = Field(min_length=1)
    """Scored variables."""
    scaling: Scaling = Scaling()
    """Points-to-odds scaling."""
