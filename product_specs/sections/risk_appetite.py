"""The `risk_appetite` section: targets a simulation is judged against."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from .common import SpecModel

__all__ = ["RiskAppetite"]

Fraction = Decimal


class RiskAppetite(SpecModel):
    """Targets for a simulated population (fractions: 0.35 = 35%). Empty targets are not judged."""

    min_approval_rate: Fraction | None = Field(default=None, ge=0, le=1)
    """Approval rate at least this."""
    max_approval_rate: Fraction | None = Field(default=None, ge=0, le=1)
    """Approval rate at most this."""
    max_refer_rate: Fraction | None = Field(default=None, ge=0, le=1)
    """Share sent to manual review at most this."""
    min_automation_rate: Fraction | None = Field(default=None, ge=0, le=1)
    """Share decided without manual review at least this."""
    max_bad_rate_approved: Fraction | None = Field(default=None, ge=0, le=1)
    """Bad rate (M3+ within 12 months) among approved at most this."""
    max_expected_loss_rate: Fraction | None = Field(default=None, ge=0, le=1)
    """Expected loss / exposure among approved at most this."""
    min_declined_to_approved_loss_ratio: Decimal | None = Field(default=None, ge=0)
    """Expected-loss rate of declined applicants at least this multiple of the approved ones'."""
    max_m3plus_rate: Fraction | None = Field(default=None, ge=0, le=1)
    """Share of approved loans ever over 90 days past due within 12 months on book at most this (judged when
    the book is aged: `simulate --months 12` or more)."""
