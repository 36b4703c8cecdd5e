"""The `risk_appetite` section: a minimum target is not above its maximum."""

from __future__ import annotations

from .context import CheckContext

__all__ = ["check"]


def check(ctx: CheckContext) -> None:
    ra = ctx.spec.risk_appetite
    if None not in (ra.min_approval_rate, ra.max_approval_rate) and ra.min_approval_rate > ra.max_approval_rate:
        ctx.error("risk_appetite", ("risk_appetite", "min_approval_rate"), "risk_appetite.min_approval_rate",
                  "minimum approval rate is above the maximum")
