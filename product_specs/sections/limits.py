"""The `limits` section: the amount formula, multipliers, bounds, rounding and the requested-amount cap."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from .common import Code, Ident, Money, Rule, SpecModel, Text

__all__ = ["Limits"]


class Limits(SpecModel):
    """Credit limit (额度): formula x band multiplier x segment multiplier, capped, rounded down."""

    amount: Rule
    """Formula of the base amount, e.g. `annual_tax_sales * 0.1`."""
    band_multipliers: dict[str, Decimal] = {}
    """Multiplier by score band (default 1)."""
    segment_multipliers: dict[str, Decimal] = {}
    """Multiplier by segment (default 1)."""
    min: Money
    """Smallest limit granted; a lower computed limit declines the application."""
    max: Money
    """Largest limit granted."""
    step: Money = Field(default=Decimal(1000), gt=0)
    """Limits are rounded down to a multiple of this step."""
    requested_field: Ident | None = "requested_amount"
    """Field holding the amount applied for; the limit never exceeds it. Empty to switch off."""
    below_min_code: Code = "L01"
    """Reason code when the computed limit is below the minimum."""
    below_min_reason: Text = Text(zh="可授信额度低于产品最低额度", en="Eligible limit below the product minimum")
    """Reason text when the computed limit is below the minimum."""
