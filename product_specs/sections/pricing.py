"""The `pricing` section: base APR, spreads by band and segment, rule-based adjustments, floor and cap."""

from __future__ import annotations

from .common import Ident, NonNegativeRate, Rate, Rule, SpecModel, Text

__all__ = ["PriceAdjustment", "Pricing"]


class PriceAdjustment(SpecModel):
    """A spread added to the APR when a condition holds (e.g. payroll customers get -0.5%)."""

    id: Ident
    """Adjustment identifier."""
    name: Text
    """Short name."""
    when: Rule
    """Condition under which the spread applies."""
    spread: Rate
    """Added to the APR (negative for a discount)."""


class Pricing(SpecModel):
    """Risk-based pricing (定价). APR = base + band spread + segment spread + adjustments, clamped."""

    base_apr: NonNegativeRate
    """Base annual percentage rate, as a fraction (0.12 = 12%)."""
    band_spreads: dict[str, Rate] = {}
    """Spread by score band."""
    segment_spreads: dict[str, Rate] = {}
    """Spread by segment."""
    adjustments: list[PriceAdjustment] = []
    """Conditional spreads."""
    floor: NonNegativeRate
    """Lowest APR offered."""
    cap: NonNegativeRate
    """Highest APR offered; at most the product's regulatory cap."""
    funding_cost: NonNegativeRate | None = None
    """Yearly cost of the money lent, as a fraction of the limit (0.03 = 3%): expected profit = interest
    income - expected loss - funding cost, in simulations and champion / challenger comparisons. Empty:
    no funding cost is deducted (and the figures say so)."""
