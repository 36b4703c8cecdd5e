"""The `limits` section: 0 < min <= max, multipliers on known bands and segments and not negative, a
numeric requested-amount field, and a typed amount formula."""

from __future__ import annotations

from ..rules import NUMBER, CheckedExpr, did_you_mean
from .context import CheckContext

__all__ = ["check"]


def check(ctx: CheckContext) -> CheckedExpr | None:
    lim = ctx.spec.limits
    if lim.min <= 0:
        ctx.error("limits", ("limits", "min"), "limits.min", "the minimum limit must be above zero")
    if lim.min > lim.max:
        ctx.error("limits", ("limits", "min"), "limits.min", f"min {lim.min} is above max {lim.max}")
    ctx.known_keys(lim.band_multipliers, ctx.band_ids(), ("limits", "band_multipliers"), "limits.band_multipliers",
                   "band")
    ctx.known_keys(lim.segment_multipliers, ctx.segment_ids(), ("limits", "segment_multipliers"),
                   "limits.segment_multipliers", "segment")
    for name, mapping in (("band_multipliers", lim.band_multipliers),
                          ("segment_multipliers", lim.segment_multipliers)):
        for key, value in mapping.items():
            if value < 0:
                ctx.error("limits", ("limits", name, key), f"limits.{name}[{key}]", "multipliers cannot be negative")
    if lim.requested_field is not None:
        symbol = ctx.scope.get(lim.requested_field)
        if symbol is None or symbol.type != NUMBER or symbol.derived:
            ctx.error("reference", ("limits", "requested_field"), "limits.requested_field",
                      f"requested amount field {lim.requested_field!r} must be a numeric field",
                      did_you_mean(lim.requested_field, ctx.scope))
    return ctx.rule(lim.amount, ("limits", "amount"), "limits.amount", NUMBER)
