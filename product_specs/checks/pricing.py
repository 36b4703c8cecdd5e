"""The `pricing` section: spreads name known bands and segments, floor <= cap <= the product's APR cap,
typed adjustments, and a warning when base + spreads can pass the cap."""

from __future__ import annotations

from decimal import Decimal

from ..checked import CheckedRule
from ..rules import BOOLEAN
from .context import CheckContext

__all__ = ["check"]


def check(ctx: CheckContext) -> list[CheckedRule]:
    p, cap = ctx.spec.pricing, ctx.spec.product.apr_cap
    ctx.known_keys(p.band_spreads, ctx.band_ids(), ("pricing", "band_spreads"), "pricing.band_spreads", "band")
    ctx.known_keys(p.segment_spreads, ctx.segment_ids(), ("pricing", "segment_spreads"), "pricing.segment_spreads",
                   "segment")
    ctx.unique(p.adjustments, "id", "pricing.adjustments", "adjustment id")
    if p.floor > p.cap:
        ctx.error("pricing", ("pricing", "floor"), "pricing.floor", f"floor {p.floor} is above cap {p.cap}")
    if p.cap > cap:
        ctx.error("apr_cap", ("pricing", "cap"), "pricing.cap",
                  f"cap {p.cap} exceeds the regulatory APR cap {cap}", f"lower it to {cap} or below")
    out = []
    for i, adj in enumerate(p.adjustments):
        checked = ctx.rule(adj.when, ("pricing", "adjustments", i, "when"),
                           f"pricing.adjustments[{adj.id}].when", BOOLEAN)
        if checked is not None:
            out.append(CheckedRule(adj, checked))
    top = (p.base_apr + max([Decimal(0), *p.band_spreads.values()]) + max([Decimal(0), *p.segment_spreads.values()])
           + sum((a.spread for a in p.adjustments if a.spread > 0), Decimal(0)))
    if top > p.cap:
        ctx.warn("pricing", ("pricing",), "pricing",
                 f"base + spreads can reach {top}, above the cap {p.cap}; such applicants are priced at the cap",
                 "lower the spreads if the cap should not bind")
    return out
